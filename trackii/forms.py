"""Form helpers both apps share."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names if the form has one,
    otherwise above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            form.add_error(target, errors)
    else:
        form.add_error(None, error)
