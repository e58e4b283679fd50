"""How a timeline reads its address: which view (``list``, the default, or ``month``) and which
month (``2027-01``). Like the lists' toolbars (``trackii.lists``), a value that does not fit is
read as if it had not been sent, and never fails the page."""

from __future__ import annotations

from django import forms
from django.utils.translation import pgettext_lazy

from .months import Month

LIST, MONTH = "list", "month"


class TimelineForm(forms.Form):
    view = forms.ChoiceField(
        choices=[
            (LIST, pgettext_lazy("timeline view", "List")),
            (MONTH, pgettext_lazy("timeline view", "Month")),
        ],
        required=False,
    )
    month = forms.CharField(required=False, max_length=7)

    def clean_month(self) -> Month | None:
        return Month.parse(self.cleaned_data.get("month"))

    def values(self) -> tuple[str, Month | None]:
        """The view (``LIST`` unless ``MONTH`` was asked for) and the month asked for (None: not
        asked, or not one)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return (data.get("view") or LIST, data.get("month"))
