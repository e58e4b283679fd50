"""Forms of a briefing pack's request and review, and the packs list's toolbar."""

from django import forms

from trackii.forms import ModelMultipleChoiceField
from trackii.lists import ListForm

from ..forms import LevelChoiceField
from ..models import ConfidentialityLevel, Session
from .selectors import PACK_SORTS, PACK_STATES


class PacksFilterForm(ListForm):
    """The packs list's toolbar: a state, an order."""

    sorts = PACK_SORTS

    state = forms.ChoiceField(
        label="State", required=False, choices=[("", "Any state"), *PACK_STATES]
    )


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
