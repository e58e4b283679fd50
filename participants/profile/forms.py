"""The form of the account page: the person's own time zone."""

from django import forms

from trackii.timezones import zone_choices


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        required=False,
        help_text="Agenda times are shown in the venue's time zone and, when it differs, in yours. "
        "The zones of your sessions come first.",
    )

    def __init__(self, *args, likely_zones=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The likely zones first (the person's own, then their sessions'); old names such as
        # US/Eastern hidden unless already stored.
        self.fields["time_zone"].choices = zone_choices(
            likely=likely_zones, empty_label="— Venue time only —"
        )
