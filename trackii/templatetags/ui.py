"""The design system's template tags (``{% load ui %}``): moments and days written one way, with
their zone; people by name; the one form layout and the error summary above a failed form.

- ``{{ moment|when }}``: ``Mon 7 Dec 2026, 14:30 GMT`` in a ``<time>``, in the reader's zone
  (``trackii.timezones``); ``{{ moment|when:zone }}`` in ``zone`` (a venue's).
- ``{{ day|day }}``: ``7 Dec 2026``.
- ``{{ someone|name }}``: a person, an account or a membership by name; the e-mail address only
  for an account with no name at all.
- ``{% form_fields form %}``: ``ui/_form_fields.html``, also the project's form template
  (``trackii.forms.FormRenderer``), so ``{{ form }}`` is the same layout.
- ``{% error_summary form [form2 ...] %}``: links to every field with an error (forms or
  formsets), focused on load by ``static/js/trackii.js``."""

from __future__ import annotations

from datetime import date, datetime

from django import forms, template
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .. import timezones

register = template.Library()

EMPTY = "\u2014"  # an em dash: no value


def _as_moment(value) -> datetime | date | None:
    """Datetimes and dates as they are; an ISO 8601 string (a list's own date) parsed."""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


@register.filter
def when(value, zone: str | None = None) -> SafeString | str:
    moment = _as_moment(value)
    if moment is None:
        return value if isinstance(value, str) and value.strip() else EMPTY
    if not isinstance(moment, datetime):
        return day(moment)
    local = timezones.localised(moment, timezones.zone_or_reader(zone))
    return format_html(
        '<time datetime="{}">{}</time>', timezones.iso(local), timezones.date_time_text(local)
    )


@register.filter
def day(value, zone: str | None = None) -> SafeString | str:
    moment = _as_moment(value)
    if moment is None:
        return value if isinstance(value, str) and value.strip() else EMPTY
    if isinstance(moment, datetime):
        moment = timezones.localised(moment, timezones.zone_or_reader(zone)).date()
    return format_html(
        '<time datetime="{}">{}</time>', timezones.iso(moment), timezones.day_text(moment)
    )


def name_of(someone) -> str:
    """A person's full name; an account's display name, else its person's full name, else its
    e-mail address; a membership's person."""
    if someone is None or someone == "":
        return EMPTY
    if isinstance(someone, str):
        return someone
    if isinstance(someone, get_user_model()):
        if someone.display_name:
            return someone.display_name
        try:
            person = someone.person
        except ObjectDoesNotExist:
            person = None
        return (person.full_name if person is not None else "") or someone.email or EMPTY
    full_name = getattr(someone, "full_name", None)
    if isinstance(full_name, str):
        return full_name or EMPTY
    person = getattr(someone, "person", None)
    if person is not None:
        return name_of(person)
    return str(someone)


@register.filter
def name(someone) -> str:
    return name_of(someone)


# -- forms ----------------------------------------------------------------------------------------


def _forms_of(candidates) -> list[forms.BaseForm]:
    """Forms, and the forms of formsets, in page order."""
    found: list[forms.BaseForm] = []
    for candidate in candidates:
        if candidate is None or candidate == "":
            continue
        if isinstance(candidate, forms.BaseForm):
            found.append(candidate)
        elif hasattr(candidate, "forms"):  # a formset
            found.extend(candidate.forms)
    return found


def field_anchor(bound: forms.BoundField) -> str:
    """The id of the element a link to this field should reach: the control itself, or the
    first choice of a group of checkboxes or radio buttons."""
    if not bound.auto_id:
        return ""
    return bound.id_for_label or f"{bound.auto_id}_0"


def _named(bound: forms.BoundField, message) -> str:
    """An error with its field's name: "Title: This field is required." """
    return _("%(label)s: %(message)s") % {"label": bound.label, "message": message}


def summary_items(*candidates) -> list[tuple[str, str]]:
    """(anchor, message) for every error of these forms and formsets."""
    items: list[tuple[str, str]] = []
    for candidate in candidates:
        if hasattr(candidate, "non_form_errors") and candidate.is_bound:
            first = next(
                (
                    field_anchor(f[name])
                    for f in candidate.forms
                    for name in f.fields
                    if not f[name].is_hidden
                ),
                "",
            )
            items.extend((first, str(message)) for message in candidate.non_form_errors())
    for form in _forms_of(candidates):
        if not form.is_bound or not form.errors:
            continue
        visible = form.visible_fields()
        first = field_anchor(visible[0]) if visible else ""
        items.extend((first, str(message)) for message in form.non_field_errors())
        # Each error names its field: a list of "This field is required." says nothing by itself.
        for bound in visible:
            items.extend((field_anchor(bound), _named(bound, message)) for message in bound.errors)
        for bound in form.hidden_fields():
            items.extend((first, _named(bound, message)) for message in bound.errors)
    return items


@register.simple_tag
def error_summary(*candidates) -> SafeString | str:
    items = summary_items(*candidates)
    if not items:
        return ""
    return render_to_string("ui/_error_summary.html", {"items": items})


@register.simple_tag
def form_fields(form) -> SafeString:
    return form.render(template_name="ui/_form_fields.html")


@register.filter
def has_required_fields(form) -> bool:
    return any(bound.field.required for bound in form.visible_fields())
