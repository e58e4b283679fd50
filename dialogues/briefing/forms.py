"""Forms of a briefing pack's request and review, and the packs list's toolbar."""

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from trackii.forms import ModelMultipleChoiceField
from trackii.lists import ListForm

from ..models import Official, Session
from .selectors import PACK_SORTS, PACK_STATES


class PacksFilterForm(ListForm):
    """The packs list's toolbar: a state, an order."""

    sorts = PACK_SORTS

    state = forms.ChoiceField(
        label=pgettext_lazy("progress", "State"),
        required=False,
        choices=[("", _("Any state")), *PACK_STATES],
    )


class OfficialChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Official) -> str:
        about = ", ".join(part for part in (obj.position, obj.institution) if part)
        values = {"name": obj.name, "about": about, "level": obj.clearance.label}
        if about:
            return gettext("%(name)s (%(about)s): cleared %(level)s") % values
        return gettext("%(name)s: cleared %(level)s") % values


class PackRequestForm(forms.Form):
    officials = OfficialChoiceField(
        queryset=Official.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Recipients"),
        help_text=_("Each official ticked gets a copy of their own, filtered to their clearance."),
        error_messages={"required": _("Choose at least one official.")},
    )
    sessions = ModelMultipleChoiceField(
        queryset=Session.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Sessions"),
        help_text=_("Leave all unticked to brief on every session."),
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Note"),
        help_text=_("Printed on the cover of every copy."),
        max_length=4000,
    )

    def __init__(self, *args, sessions, officials, non_paper: bool = False, **kwargs):
        """``officials``: those the requester may brief (``selectors.officials_to_brief``).
        ``non_paper``: the pack sends a non-paper, which it holds alone (no sessions)."""
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = sessions
        self.fields["officials"].queryset = officials
        if non_paper:
            del self.fields["sessions"]


class NonPaperVersionChoiceForm(forms.Form):
    """Which circulated version of a non-paper a pack sends (the request page's address, then a
    hidden field of its form)."""

    non_paper_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label=_("Reason"),
        help_text=_("Why the names found may stand (e.g. “Haddad is also the name of the town”)."),
    )
