"""Forms of vetting: deciding a possible match, deciding a case, checking a name."""

import re

from django import forms

from .models import VettingCase


class MatchDecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[
            ("not_same_person", "Not the same person"),
            ("same_person", "The same person"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What tells them apart, or what confirms it (dates, places, documents).",
    )


class CaseDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(s.value, s.label) for s in VettingCase.Status if s in VettingCase.DECIDED],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Shown to the facilitators when the nominee is cleared with conditions.",
    )
    jurisdictions = forms.CharField(max_length=300, required=False)
    references = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    conflicts_of_interest = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


_DOB = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")


class NameCheckForm(forms.Form):
    name = forms.CharField(max_length=300)
    dob = forms.CharField(
        label="Date or year of birth", max_length=10, required=False, help_text="YYYY or YYYY-MM-DD"
    )
    nationality = forms.CharField(
        max_length=2, required=False, help_text="ISO country code, e.g. IQ"
    )

    def clean_dob(self) -> int | None:
        value = self.cleaned_data["dob"].strip()
        if not value:
            return None
        if not _DOB.match(value):
            raise forms.ValidationError("Write the year (1970) or the date (1970-03-12).")
        return int(value[:4])

    def clean_nationality(self) -> str | None:
        value = self.cleaned_data["nationality"].strip().upper()
        if value and not re.fullmatch(r"[A-Z]{2}", value):
            raise forms.ValidationError("Two letters, e.g. IQ.")
        return value or None
