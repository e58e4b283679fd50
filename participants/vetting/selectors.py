"""Reads of vetting: the queue of cases as the admins' list shows it (searched, filtered by
status, sorted), in a fixed number of queries whatever its length. Vetting is for admins only
(the views decide); nothing here is filtered by a viewer."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy

from trackii.lists import Sort, both_ways, search_terms

from ..models import PossibleMatch, VettingCase

# The queue's own status: the cases still to decide (pending or in review).
TO_DECIDE = "open"
EVERY_STATUS = "all"
OPEN_STATUSES = (VettingCase.Status.PENDING, VettingCase.Status.IN_REVIEW)

# The sorts' labels are marked here and translated when the toolbar is shown (``Sort.label`` is
# typed as the str each becomes then).
_ = cast("Callable[[str], str]", gettext_lazy)

# The first is the default, as before: the cases with most possible matches to decide, oldest
# first among equals.
QUEUE_SORTS: dict[str, Sort] = {
    "matches": Sort(_("Most possible matches first"), ("-open_matches", "created_at", "pk")),
    **both_ways("age", _("Oldest first"), _("Newest first"), "created_at", "pk"),
    **both_ways(
        "name",
        _("Name, A to Z"),
        _("Name, Z to A"),
        "membership__person__family_name",
        "membership__person__full_name",
        "pk",
    ),
}


def status_counts() -> dict[str, int]:
    """How many cases are in each status, and how many are still to decide (``TO_DECIDE``)."""
    counts = dict(VettingCase.objects.values_list("status").annotate(n=Count("id")))
    counts[TO_DECIDE] = sum(counts.get(status, 0) for status in OPEN_STATUSES)
    counts[EVERY_STATUS] = sum(n for key, n in counts.items() if key != TO_DECIDE)
    return counts


def cases_listed(
    *, status: str = TO_DECIDE, search: str = "", ordering=QUEUE_SORTS["matches"].ordering
) -> QuerySet[VettingCase]:
    """The queue: cases in ``status`` (``TO_DECIDE``, ``EVERY_STATUS`` or one of the case's
    statuses) whose nominee's names match ``search``, each with its nominee, dialogue, who
    nominated them and ``open_matches`` (possible matches still to decide)."""
    cases = VettingCase.objects.select_related(
        "membership__person", "membership__dialogue", "membership__nominated_by__person"
    ).annotate(open_matches=Count("matches", filter=Q(matches__status=PossibleMatch.Status.OPEN)))
    if status == TO_DECIDE:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status != EVERY_STATUS:
        cases = cases.filter(status=status)
    terms = search_terms(search)
    if terms:
        cases = cases.filter(
            Q(membership__person__full_name__icontains=terms)
            | Q(membership__person__family_name__icontains=terms)
            | Q(membership__person__name_original_script__icontains=terms)
            | Q(membership__person__other_names__icontains=terms)
        )
    return cases.order_by(*ordering)
