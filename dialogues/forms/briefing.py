"""Forms of notes and outcomes, and of a briefing pack's request."""

from django import forms

from participants.models import Person
from trackii.forms import ModelMultipleChoiceField

from ..confidentiality import levels_at_or_above
from ..models import ConfidentialityLevel, Outcome, Session
from . import LevelChoiceField


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(choices=Outcome.Kind.choices)
    attribution = forms.ChoiceField(
        choices=Outcome.Attribution.choices,
        widget=forms.RadioSelect,
        initial=Outcome.Attribution.CHATHAM_HOUSE,
        label="Attribution rule",
    )
    summary = forms.CharField(
        label="Non-attributed form",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=Outcome._meta.get_field("summary").help_text,
    )
    record = forms.CharField(
        label="Attributed record",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Outcome._meta.get_field("record").help_text,
    )
    speakers = ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Named in a briefing pack only when the outcome is on the record.",
    )
    level = LevelChoiceField(queryset=ConfidentialityLevel.objects.none(), empty_label=None)
    readers = ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Named readers, for the level that is for named people only.",
    )
    edit_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, session: Session, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = levels_at_or_above(session.level)
        people = Person.objects.filter(
            pk__in=[m.person_id for m in roster if m.state not in ("rejected", "declined")]
        )
        self.fields["speakers"].queryset = people
        self.fields["readers"].queryset = people

    def values(self) -> dict:
        return {
            k: self.cleaned_data[k] for k in ("kind", "attribution", "summary", "record", "level")
        }


def outcome_initial(outcome: Outcome) -> dict:
    return {
        "kind": outcome.kind,
        "attribution": outcome.attribution,
        "summary": outcome.summary,
        "record": outcome.record,
        "level": outcome.level_id,
        "speakers": [p.pk for p in outcome.speakers.all()],
        "readers": [p.pk for p in outcome.readers.all()],
        "edit_revision": outcome.edit_revision,
    }


class PackRequestForm(forms.Form):
    sessions = ModelMultipleChoiceField(
        queryset=Session.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to brief on every session.",
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed on the cover of every copy.",
        max_length=4000,
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = sessions


class RecipientForm(forms.Form):
    name = forms.CharField(max_length=200)
    position = forms.CharField(max_length=200, required=False)
    organisation = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(label="E-mail")
    # A blank choice, so an unused recipient fieldset stays empty (and nobody gets the lowest
    # level by default).
    clearance = LevelChoiceField(
        queryset=ConfidentialityLevel.objects.none(), empty_label="Choose a clearance"
    )

    def __init__(self, *args, levels, **kwargs):
        """``levels``: the clearances the requester may give (``grantable_levels``)."""
        super().__init__(*args, **kwargs)
        self.fields["clearance"].queryset = levels


# absolute_max: a posted TOTAL_FORMS of a million builds 25 forms, not Django's default of 1,025.
RecipientFormSet = forms.formset_factory(
    RecipientForm,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=25,
    validate_max=True,
    absolute_max=25,
)


class ReviewForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Why the names found may stand (e.g. “Haddad is also the name of the town”).",
    )
