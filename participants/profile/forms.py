"""The forms of the account page: the person's own time zone and language."""

from django import forms
from django.utils.translation import gettext_lazy as _

from trackii.timezones import zone_choices

from ..selectors import language_choices


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        required=False,
        help_text=_(
            "Agenda times are shown in the venue's time zone and, when it differs, in yours. "
            "The zones of your sessions come first."
        ),
    )

    def __init__(self, *args, likely_zones=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The likely zones first (the person's own, then their sessions'); old names such as
        # US/Eastern hidden unless already stored.
        self.fields["time_zone"].choices = zone_choices(
            likely=likely_zones, empty_label=_("— Venue time only —")
        )


class LanguageForm(forms.Form):
    """The language Trackii writes to the person in: its pages, and what it sends them."""

    language = forms.ChoiceField(
        label=_("Language for Trackii's messages"),
        choices=language_choices,
        required=False,
        help_text=_(
            "Trackii's pages, and the e-mails, calendars and documents it makes for you, are "
            "written in this language."
        ),
    )
