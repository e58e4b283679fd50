"""Template tags of the lists (``trackii.lists``): a sortable column's header, and links that
keep the toolbar's other parameters."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

ARIA_SORT = {"": "none", "asc": "ascending", "desc": "descending"}
ARROW = {"": "", "asc": " ▲", "desc": " ▼"}


def with_params(request, **params) -> str:
    """The current query string with ``params`` set (None removes one), starting with ``?``;
    the page is always dropped, as a new order or filter starts again at page 1."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in params.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_header(context, label: str, key: str, current: str) -> SafeString:
    """``{% sort_header "Name" "name" filters.values.sort %}``: a column header that sorts by
    ``key`` (ascending first; again, descending), with ``aria-sort`` saying how the list is
    sorted now. The other parameters stay; the page goes back to the first."""
    state = "asc" if current == key else "desc" if current == f"-{key}" else ""
    target = f"-{key}" if state == "asc" else key
    href = with_params(context["request"], sort=target)
    return format_html(
        '<th scope="col" aria-sort="{}"><a href="{}">{}<span aria-hidden="true">{}</span></a></th>',
        ARIA_SORT[state],
        href,
        label,
        ARROW[state],
    )
