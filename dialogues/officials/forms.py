"""Forms of the officials register: the list's toolbar, and an official's details."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from trackii.lists import ListForm, search_field

from ..forms import LevelChoiceField
from ..models import ConfidentialityLevel, Official
from .selectors import OFFICIAL_SORTS, OFFICIAL_STATES
from .services import OFFICIAL_FIELDS


class OfficialsFilterForm(ListForm):
    """The register's toolbar: a search in names and institutions, briefed or retired, an
    order."""

    sorts = OFFICIAL_SORTS

    search = search_field(_("Name or institution"))
    state = forms.ChoiceField(
        label=_("Briefed or retired"),
        required=False,
        choices=[("", _("Both")), *OFFICIAL_STATES],
    )


def language_choices() -> list[tuple[str, str]]:
    """The languages a pack may be written in, each in its own name (``settings.LANGUAGES``):
    "" (the site's language, English) first."""
    default = dict(settings.LANGUAGES).get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)
    others = [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    return [("", default), *others]


class OfficialForm(forms.ModelForm):
    """An official's details. ``levels``: the clearances the editor may give
    (``confidentiality.grantable_levels``, keeping the official's present one); ``official``:
    the one edited, whose values it starts from (never changed by the form: the service saves
    against the revision the edit started from)."""

    clearance = LevelChoiceField(
        queryset=ConfidentialityLevel.objects.none(),
        label=_("Clearance"),
        help_text=_(
            "A pack sent to them holds nothing above it. You can give a clearance up to your own."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=Official._meta.get_field("language").help_text,
    )
    edit_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Official
        fields = list(OFFICIAL_FIELDS)
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, levels, official: Official | None = None, **kwargs):
        if official is not None:
            initial = forms.model_to_dict(official, fields=OFFICIAL_FIELDS)
            kwargs.setdefault("initial", {**initial, "edit_revision": official.edit_revision})
        super().__init__(*args, **kwargs)
        self.fields["clearance"].queryset = levels
        self.fields["language"].choices = language_choices()

    def validate_unique(self) -> None:
        """The service checks the e-mail against the register (a field error there)."""

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in OFFICIAL_FIELDS}
