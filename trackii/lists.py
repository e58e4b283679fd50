"""Lists that scale: how a list page reads its toolbar (search, filters, sort) and its page from
GET parameters, written once for every list (the roster, the vetting queue, papers, packs, the
audit search).

A list never fails on its parameters: a sort it does not know, a choice it does not offer (a
level the viewer may not filter by, a side of another dialogue), a page number that is not one
or lies past the end: each is read as if it had not been sent, so the default stands (the first
page, the last for a number past the end). Only the fields a list names in ``reported`` (dates
typed by hand) keep their error, which the toolbar shows beside the field.

What a list may be filtered by is its selector's business (the choices are built from what the
viewer may see or give); this module only reads the answer and cuts it into pages of
``PER_PAGE``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F
from django.db.models.expressions import BaseExpression
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

PER_PAGE = 25
SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True)
class Sort:
    """One way to sort a list: what the toolbar calls it, and the ordering (the last term makes
    it total, so that pages never share or skip a row). The label is marked for translation
    (``gettext_lazy``): it is read in the reader's language."""

    label: str | Promise
    ordering: tuple[Any, ...]


def _flipped(term: Any) -> BaseExpression:
    if isinstance(term, str):
        if term.startswith("-"):
            return F(term[1:]).asc(nulls_last=True)
        return F(term).desc(nulls_last=True)
    return term.desc(nulls_last=True)


def _ascending(term: Any) -> Any:
    if isinstance(term, str):
        return term if term.startswith("-") else F(term).asc(nulls_last=True)
    return term.asc(nulls_last=True)


def both_ways(
    key: str, ascending: str | Promise, descending: str | Promise, *ordering: Any
) -> dict[str, Sort]:
    """``key`` sorts by ``ordering``; ``-key`` the other way round on its first term (the
    others still break ties the same way). Empty values come last either way."""
    first, *rest = ordering
    return {
        key: Sort(ascending, (_ascending(first), *rest)),
        f"-{key}": Sort(descending, (_flipped(first), *rest)),
    }


class ListForm(forms.Form):
    """A list's toolbar, bound to the request's GET parameters. Subclasses add their filters
    (every one optional) and set ``sorts`` (key -> ``Sort``, the default first) and, for fields
    whose errors the reader must see, ``reported``. ``values()`` gives every field's value, the
    default for any value that does not fit."""

    sorts: Mapping[str, Sort] = {}
    reported: tuple[str, ...] = ()

    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.fields["sort"].choices = [(key, sort.label) for key, sort in self.sorts.items()]
        # Kept last: the filters come first in the toolbar, then the order.
        self.order_fields([name for name in self.fields if name != "sort"] + ["sort"])
        self._values: dict[str, Any] | None = None

    @property
    def default_sort(self) -> str:
        return next(iter(self.sorts))

    def values(self) -> dict[str, Any]:
        """Every field's value: what was sent if it fits, otherwise the field's default (its
        ``initial``, or empty). Errors of fields not ``reported`` are dropped, so the toolbar
        shows the default there and no error."""
        if self._values is None:
            self.is_valid()
            for name in list(self.errors):
                if name not in self.reported:
                    del self.errors[name]
                elif name in self.fields:
                    # The error is announced with its field (the toolbar gives it this id),
                    # and so is its help text (Django's own id for it).
                    field, auto_id = self.fields[name], self[name].auto_id
                    described = [f"{auto_id}_helptext"] if field.help_text else []
                    field.widget.attrs["aria-describedby"] = " ".join(
                        [*described, f"{auto_id}_errors"]
                    )
            values = {}
            for name, field in self.fields.items():
                if name in self.cleaned_data and self.cleaned_data[name] not in (None, ""):
                    values[name] = self.cleaned_data[name]
                else:
                    values[name] = field.initial if field.initial is not None else ""
            values["sort"] = values["sort"] or self.default_sort
            self._values = values
        return self._values

    @property
    def ordering(self) -> tuple[Any, ...]:
        return self.sorts[self.values()["sort"]].ordering

    @property
    def sort_label(self) -> str:
        return str(self.sorts[self.values()["sort"]].label)

    @property
    def filtering(self) -> bool:
        """Whether any filter or search narrows the list (the order does not)."""
        values = self.values()
        return any(
            values[name] != (field.initial if field.initial is not None else "")
            for name, field in self.fields.items()
            if name != "sort"
        )


def search_field(label: str | Promise) -> forms.CharField:
    """The toolbar's search box: what was typed, cut to a sensible length (never refused)."""
    return forms.CharField(label=label, required=False, strip=True)


def search_terms(value: str) -> str:
    return (value or "").strip()[:SEARCH_MAX_LENGTH]


def page_of(request, items, *, per_page: int = PER_PAGE) -> Page:
    """The page of ``items`` (an ordered queryset or a list) that the ``page`` parameter asks
    for: the first for anything but a positive number, the last for a number past the end. Two
    queries for a queryset (the count and the page's rows), whatever its size."""
    raw = request.GET.get("page", "")
    try:
        number = max(int(raw), 1)
    except (TypeError, ValueError):
        number = 1
    return Paginator(items, per_page).get_page(number)
