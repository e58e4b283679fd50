"""What the dialogue app's forms share: a service's refusal shown on the form, and the field
that offers confidentiality levels by name and audience. Each feature keeps its own forms."""

from django import forms

from trackii.forms import add_service_error

from .models import ConfidentialityLevel

__all__ = ["LevelChoiceField", "add_service_error"]


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ConfidentialityLevel) -> str:
        return f"{obj.label}: {obj.get_audience_display().lower()}"
