"""Forms of ideas: derived from outcomes the deriver reads (offered by session), at a level they
may read; a state; a follow-up with its owner and due date."""

from django import forms
from django.utils.translation import gettext_lazy as _

from participants.models import Person
from trackii.forms import DayField, ModelMultipleChoiceField

from ..forms import LevelChoiceField
from ..models import ConfidentialityLevel, Idea, Outcome


class SourceChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Outcome) -> str:
        text = obj.summary if len(obj.summary) <= 90 else obj.summary[:89] + "\u2026"
        return f"{obj.session.title}: {text} ({obj.level.label})"


class IdeaForm(forms.Form):
    sources = SourceChoiceField(
        queryset=Outcome.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Derived from"),
        help_text=_(
            "The outcomes the idea comes from. Only those who may read every one of them (and "
            "the idea's level) will see it."
        ),
    )
    title = forms.CharField(max_length=200, label=_("Title"))
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Summary"),
        help_text=Idea._meta.get_field("summary").help_text,
    )
    level = LevelChoiceField(
        queryset=ConfidentialityLevel.objects.none(),
        empty_label=None,
        label=_("Level"),
        help_text=_("At least the level of each outcome it comes from."),
    )
    readers = ModelMultipleChoiceField(
        label=_("Readers"),
        help_text=_("Named readers, for the level that is for named people only."),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, outcomes, levels, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].queryset = outcomes
        self.fields["level"].queryset = levels
        self.fields["readers"].queryset = people


class StateForm(forms.Form):
    state = forms.ChoiceField(choices=Idea.State.choices, label=_("State"))


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.person.full_name} ({obj.get_role_display().lower()})"


class FollowUpForm(forms.Form):
    owner = OwnerChoiceField(
        queryset=Person.objects.none(), empty_label=_("Choose who does it"), label=_("Owner")
    )
    task = forms.CharField(max_length=300, label=_("Task"))
    due = DayField(label=_("Due"))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
