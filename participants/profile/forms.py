"""The form of the account page: the person's own time zone."""

import zoneinfo

from django import forms


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        required=False,
        help_text="Agenda times are shown in the venue's time zone and, when it differs, in yours.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = sorted(zoneinfo.available_timezones())
        self.fields["time_zone"].choices = [("", "— Venue time only —")] + [(z, z) for z in zones]
