"""The form that asks for a report for funders: its level, among those it may be written at."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import LevelChoiceField
from ..models import ConfidentialityLevel


class ReportRequestForm(forms.Form):
    level = LevelChoiceField(
        queryset=ConfidentialityLevel.objects.none(),
        empty_label=None,
        label=_("Level"),
        help_text=_(
            "The report holds what someone outside the programme may know at this level: at "
            "most the dialogue's outbound level, and at most your own clearance."
        ),
    )

    def __init__(self, *args, levels, initial_level=None, **kwargs):
        """``levels``: those the requester may choose (``selectors.request_levels``), lowest
        first; ``initial_level``: the one offered first (the outbound level)."""
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = levels
        if initial_level is not None:
            self.fields["level"].initial = initial_level.pk
