"""Form helpers both apps share."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

# Primary keys are 64-bit integers: a larger number cannot even be sent to the database (SQLite
# and psycopg raise instead of finding nothing).
_ID_LIMIT = 2**63


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing ids beyond any primary key as invalid choices: Django checks
    each value's type but builds one ``pk__in`` query that crashes on such a number."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                try:
                    number = int(pk)
                except (TypeError, ValueError):
                    continue  # Django's own check refuses it
                if not -_ID_LIMIT <= number < _ID_LIMIT:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names if the form has one,
    otherwise above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            form.add_error(target, errors)
    else:
        form.add_error(None, error)


# -- dates and times, typed the British way --------------------------------------------------------
# A browser's own date picker writes the browser's format (mm/dd/yyyy in an American one), and
# 03/04 cannot be told apart from ours: dates and times are typed as text, day/month/year and a
# 24-hour clock, and shown back the same way. ISO 8601 (2027-03-14T09:30) is read too.

DATETIME_SHOWN = "%d/%m/%Y %H:%M"
DATE_SHOWN = "%d/%m/%Y"
DATETIME_EXAMPLE = "14/03/2027 09:30"
DATE_EXAMPLE = "14/03/2027"


def _with_example(message: str, example: str):
    """``message`` (marked with ``gettext_noop``) translated when it is shown, in the reader's
    language, with ``example`` in its place."""
    return lazy(lambda: gettext(message) % {"example": example}, str)()


def _typed_widget(
    widget: type[forms.widgets.DateTimeBaseInput], shown: str, css: str
) -> forms.widgets.DateTimeBaseInput:
    """A text input showing its value as ``shown``: no browser picker, no autofill."""
    return widget(format=shown, attrs={"class": css, "autocomplete": "off", "spellcheck": "false"})


class WallClockField(forms.DateTimeField):
    """A date and time of day, as day/month/year hours:minutes."""

    input_formats = [
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H.%M",
        "%d/%m/%Y, %H:%M",
        "%d.%m.%Y %H:%M",
        "%d-%m-%Y %H:%M",
        "%Y-%m-%d %H:%M",
    ]
    default_error_messages = {
        "invalid": _with_example(
            gettext_noop(
                "Enter a date and time as day/month/year and 24-hour time, such as %(example)s."
            ),
            DATETIME_EXAMPLE,
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", _typed_widget(forms.DateTimeInput, DATETIME_SHOWN, "input--when")
        )
        super().__init__(**kwargs)


class DayField(forms.DateField):
    """A date, as day/month/year."""

    input_formats = ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d"]
    default_error_messages = {
        "invalid": _with_example(
            gettext_noop("Enter a date as day/month/year, such as %(example)s."), DATE_EXAMPLE
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", _typed_widget(forms.DateInput, DATE_SHOWN, "input--day"))
        super().__init__(**kwargs)


class FormRenderer(TemplatesSetting):
    """``{{ form }}`` and ``{{ field.as_field_group }}`` in the design system's one layout
    (``templates/ui/``), found through the project's template settings."""

    form_template_name = "ui/_form_fields.html"
    field_template_name = "ui/_field.html"
