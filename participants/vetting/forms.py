"""Forms of vetting: deciding a possible match, deciding a case, checking a name, importing a
designation list and searching its entries."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from trackii.lists import ListForm, search_field

from ..models import DesignationList, VettingCase
from ..screening.importers import ImportFailed, designation_file_size_check
from .selectors import EVERY_STATUS, QUEUE_SORTS, TO_DECIDE


class QueueFilterForm(ListForm):
    """The vetting queue's toolbar: a status (the cases to decide by default), a name, an
    order. ``counts``: cases per status (``selectors.status_counts``), shown with each."""

    sorts = QUEUE_SORTS

    search = search_field(gettext_lazy("Nominee's name"))
    status = forms.ChoiceField(
        label=pgettext_lazy("vetting case", "Status"), required=False, initial=TO_DECIDE
    )

    def __init__(self, data=None, *, counts: dict[str, int], **kwargs):
        super().__init__(data, **kwargs)
        statuses = [
            (TO_DECIDE, _("To decide")),
            *VettingCase.Status.choices,
            (EVERY_STATUS, pgettext_lazy("vetting case statuses", "All")),
        ]
        self.fields["status"].choices = [
            (value, f"{label} ({counts.get(value, 0)})") for value, label in statuses
        ]


class MatchDecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("Verdict"),
        choices=[
            ("not_same_person", gettext_lazy("Not the same person")),
            ("same_person", gettext_lazy("The same person")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "What tells them apart, or what confirms it (dates, places, documents)."
        ),
    )


class CaseDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[(s.value, s.label) for s in VettingCase.Status if s in VettingCase.DECIDED],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(
        label=gettext_lazy("Conditions"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=gettext_lazy(
            "Shown to the facilitators when the nominee is cleared with conditions."
        ),
    )
    jurisdictions = forms.CharField(
        label=gettext_lazy("Jurisdictions"), max_length=300, required=False
    )
    references = forms.CharField(
        label=gettext_lazy("References"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    conflicts_of_interest = forms.CharField(
        label=gettext_lazy("Conflicts of interest"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


_DOB = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")


class NameCheckForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=300)
    dob = forms.CharField(
        label=gettext_lazy("Date or year of birth"),
        max_length=10,
        required=False,
        help_text=gettext_lazy("YYYY or YYYY-MM-DD"),
    )
    nationality = forms.CharField(
        label=gettext_lazy("Nationality"),
        max_length=2,
        required=False,
        help_text=gettext_lazy("ISO country code, e.g. IQ"),
    )

    def clean_dob(self) -> int | None:
        value = self.cleaned_data["dob"].strip()
        if not value:
            return None
        if not _DOB.match(value):
            raise forms.ValidationError(_("Write the year (1970) or the date (1970-03-12)."))
        return int(value[:4])

    def clean_nationality(self) -> str | None:
        value = self.cleaned_data["nationality"].strip().upper()
        if value and not re.fullmatch(r"[A-Z]{2}", value):
            raise forms.ValidationError(_("Two letters, e.g. IQ."))
        return value or None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if not data and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class DesignationUploadForm(forms.Form):
    designation_list = forms.ModelChoiceField(
        queryset=DesignationList.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("A new list (name it below)"),
        label=gettext_lazy("List"),
    )
    new_name = forms.CharField(
        max_length=DesignationList._meta.get_field("name").max_length,
        required=False,
        label=gettext_lazy("Name of the new list"),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("", gettext_lazy("The list's own format")), *DesignationList.Format.choices],
        required=False,
        help_text=gettext_lazy("Needed for a new list; an existing list keeps its format."),
    )
    files = MultipleFileField(
        label=gettext_lazy("Files"),
        widget=MultipleFileInput(attrs={"accept": ".xml,.csv"}),
        help_text=gettext_lazy(
            "UN: the consolidated XML. OFAC: sdn.csv, and alt.csv for the aliases. "
            "Our own list: one CSV with the columns name, aliases, date_of_birth, nationality, "
            "reference, note."
        ),
    )

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        for upload in uploads:
            try:
                designation_file_size_check(name=upload.name, size=upload.size)
            except ImportFailed as error:
                raise forms.ValidationError(error.message) from None
        return uploads

    def clean(self):
        data = super().clean()
        chosen, new_name, format = (
            data.get("designation_list"),
            data.get("new_name", ""),
            data.get("format", ""),
        )
        if chosen is not None:
            if new_name:
                self.add_error(
                    "new_name", _("Choose an existing list or name a new one, not both.")
                )
            if format and format != chosen.format:
                self.add_error(
                    "format",
                    _("“%(name)s” is a list in the %(format)s format.")
                    % {"name": chosen, "format": chosen.get_format_display()},
                )
        else:
            if not new_name:
                self.add_error("new_name", _("Name the new list, or choose an existing one."))
            elif DesignationList.objects.filter(name__iexact=new_name).exists():
                self.add_error("new_name", _("A list with this name exists: choose it above."))
            if not format:
                self.add_error("format", _("Choose the format of the new list."))
        return data


class EntrySearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, label=gettext_lazy("Name"))
