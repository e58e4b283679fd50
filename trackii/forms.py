"""Form helpers both apps share."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting

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


class FormRenderer(TemplatesSetting):
    """``{{ form }}`` and ``{{ field.as_field_group }}`` in the design system's one layout
    (``templates/ui/``), found through the project's template settings."""

    form_template_name = "ui/_form_fields.html"
    field_template_name = "ui/_field.html"
