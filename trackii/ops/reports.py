"""Reads behind the staff's reports: searching the audit trail and the change history, and who
saw an object. Every query here is a fixed number of queries, whatever the size of the trail.

"Who saw this" reads the entries ``trackii.audit.reads`` writes for every response that shows
content: one per page, partial, form, PDF or download whose subject the object was, and one per
calendar-feed fetch that carried a session (so a session's own entries include its feeds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dialogues.briefing import selectors as briefing_selectors
from trackii.audit.models import AuditEntry


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# How the search's results may be ordered (the first is the default): by time, or by the
# account's e-mail address (then the newest first); the last terms make the order total.
AUDIT_SORTS = {
    "-when": gettext_lazy("Newest first"),
    "when": gettext_lazy("Oldest first"),
    "who": gettext_lazy("Person, A to Z"),
    "-who": gettext_lazy("Person, Z to A"),
}


def _ordering(sort: str, *, at: str, who) -> tuple:
    if sort == "when":
        return (at, "id")
    if sort in ("who", "-who"):
        first = who.desc(nulls_last=True) if sort == "-who" else who.asc(nulls_last=True)
        return (first, f"-{at}", "-id")
    return (f"-{at}", "-id")


def trail_search(
    *,
    person: str = "",
    content_type: ContentType | None = None,
    object_id: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = "-when",
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor__person", "content_type")
    if person:
        entries = entries.filter(actor__email__icontains=person)
    if content_type is not None:
        entries = entries.filter(content_type=content_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if action:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return entries.order_by(*_ordering(sort, at="at", who=F("actor__email")))


def history_search(
    *,
    person: str = "",
    content_type: ContentType | None = None,
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = "-when",
) -> QuerySet[LogEntry]:
    entries = LogEntry.objects.select_related("actor__person", "content_type")
    if person:
        entries = entries.filter(
            Q(actor__email__icontains=person) | Q(actor_email__icontains=person)
        )
    if content_type is not None:
        entries = entries.filter(content_type=content_type)
    if object_id:
        entries = entries.filter(object_pk=object_id)
    if date_from:
        entries = entries.filter(timestamp__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(timestamp__lt=_day_start(date_to + timedelta(days=1)))
    who = Coalesce("actor__email", NullIf("actor_email", Value("")))
    return entries.order_by(*_ordering(sort, at="timestamp", who=who))


# -- who saw this ---------------------------------------------------------------------------------

LINK = gettext_lazy("the recipient's link")


@dataclass(frozen=True)
class Sighting:
    at: datetime
    action: str
    by: str  # the account's e-mail, or "the recipient's link" (in the reader's language)
    ip_address: str | None
    what: str  # "this object", or "copy 3" of a pack (in the reader's language)
    where: str = ""  # the page, feed or download that showed it ("session detail")


def copy_numbers_of(*, content_type: ContentType, object_id: str) -> dict[str, int]:
    """For a briefing pack: its copies' numbers by copy id (as the trail writes ids)."""
    return briefing_selectors.copy_numbers_of(content_type=content_type, object_id=object_id)


def who_saw(*, content_type: ContentType, object_id: str, copy_ids=()) -> QuerySet[AuditEntry]:
    """Every view and download of the object recorded in the trail, newest first, and of the
    given briefing-pack copies (a pack's copies, opened by the officials' links)."""
    wanted = Q(content_type=content_type, object_id=object_id)
    if copy_ids:
        copy_type = briefing_selectors.copy_content_type()
        wanted |= Q(content_type=copy_type, object_id__in=list(copy_ids))
    return (
        AuditEntry.objects.filter(wanted)
        .filter(action__in=[AuditEntry.Action.VIEWED, AuditEntry.Action.DOWNLOADED])
        .select_related("actor", "content_type")
        .order_by("-at", "-id")
    )


def sightings(entries, *, content_type: ContentType, copy_numbers: dict[str, int]):
    """The rows of the report: who (an account, or an official's link), when, from where."""
    for entry in entries:
        if entry.actor_id:
            by = entry.actor.email
        elif (entry.detail or {}).get("via") == "link":
            by = str(LINK)
        else:
            by = _("no account")
        if entry.content_type_id == content_type.pk:
            what = _("this object")
        else:
            what = _("copy %(number)s") % {
                "number": copy_numbers.get(entry.object_id, entry.object_id)
            }
        yield Sighting(
            at=entry.at,
            action=entry.get_action_display(),
            by=by,
            ip_address=entry.ip_address,
            what=what,
            where=where(entry.detail or {}),
        )


def where(detail: dict) -> str:
    """The page an entry names (``trackii.audit.reads``), as a person reads it: "calendar feed",
    "pack detail (update)" for an htmx partial, "session detail, viewing as membership 12"
    for a page read as a member (``dialogues.viewas``); empty for entries written before pages were
    named. The page's name is the URL's (a code, not translated); what is said of it is."""
    page = str(detail.get("page") or "").replace("_", " ")
    if page and detail.get("partial"):
        page = _("%(page)s (update)") % {"page": page}
    if page and detail.get("viewed_as"):  # read by the actor viewing Trackii as a member
        page = _("%(page)s, viewing as membership %(membership)s") % {
            "page": page,
            "membership": detail["viewed_as"],
        }
    return page
