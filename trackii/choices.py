"""Choice labels read cheaply. Django's ``get_<field>_display`` rebuilds, on every call, a
dictionary of the field's choices made hashable, which turns each lazy label into text in the
active language: one call costs as many translations as the field has choices, and a page that
shows a kind or a state per row pays that on every row (docs/measurements.md, "Fast pages").
``quick_displays`` gives a model the same methods, answering with one lookup and one
translation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models
from django.utils.encoding import force_str

_M = TypeVar("_M", bound=type[models.Model])


def _display(labels: Mapping[Any, Any], name: str):
    def get_display(self) -> str:
        value = getattr(self, name)
        # As Django's: the label in the active language, or the value itself when not a choice.
        return force_str(labels.get(value, value), strings_only=True)

    get_display.__name__ = f"get_{name}_display"
    return get_display


def quick_displays(model: _M) -> _M:
    """Class decorator: ``get_<field>_display`` of each field with choices answers as Django's
    does (the label, in the active language, or the value itself when not a choice)."""
    for field in model._meta.concrete_fields:
        if field.choices:
            labels = dict(field.flatchoices)  # values -> lazy labels, translated when shown
            setattr(model, f"get_{field.name}_display", _display(labels, field.attname))
    return model
