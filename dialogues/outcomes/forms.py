"""The form of a session's note or outcome. Levels offered never go below the session's
(narrow-only; the services enforce it again); speakers and named readers come from the roster."""

from django import forms
from django.utils.translation import gettext_lazy as _

from participants.models import Person
from trackii.forms import ModelMultipleChoiceField

from ..confidentiality import levels_at_or_above
from ..forms import LevelChoiceField
from ..models import ConfidentialityLevel, Outcome, Session


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Outcome.Kind.choices)
    attribution = forms.ChoiceField(
        choices=Outcome.Attribution.choices,
        widget=forms.RadioSelect,
        initial=Outcome.Attribution.CHATHAM_HOUSE,
        label=_("Attribution rule"),
    )
    summary = forms.CharField(
        label=_("Non-attributed form"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=Outcome._meta.get_field("summary").help_text,
    )
    record = forms.CharField(
        label=_("Attributed record"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Outcome._meta.get_field("record").help_text,
    )
    speakers = ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Speakers"),
        help_text=_("Named in a briefing pack only when the outcome is on the record."),
    )
    level = LevelChoiceField(
        queryset=ConfidentialityLevel.objects.none(), empty_label=None, label=_("Level")
    )
    readers = ModelMultipleChoiceField(
        label=_("Readers"),
        help_text=_("Named readers, for the level that is for named people only."),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
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
