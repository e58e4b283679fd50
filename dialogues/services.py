"""The writes every feature shares. Services are keyword-only, validated with ``full_clean``,
atomic; the narrow-only rule (a child never below its container's level) is enforced on the
server with ``check_narrow_only``. Each feature's own writes are in its ``services`` module
(``dialogues.planning.services``, ``dialogues.papers.services``...)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_noop

from participants.models import Person
from trackii.audit.services import Action, audit_record

from .confidentiality import check_narrow_only
from .models import Session

if TYPE_CHECKING:
    from django.http import HttpRequest


def person_of(user) -> Person | None:
    return getattr(user, "person", None) if user is not None else None


def name_readers(obj, *, readers=(), created_by=None) -> None:
    """Set the people named on ``obj``; whoever creates it is named too, so restricted material
    stays theirs."""
    named = {p.pk for p in readers}
    creator = person_of(created_by)
    if creator is not None:
        named.add(creator.pk)
    obj.readers.set(named)


def sessions_mark_held(*, now: datetime | None = None) -> int:
    """Published sessions whose end has passed are held. Returns how many changed."""
    now = now or timezone.now()
    return Session.objects.filter(status=Session.Status.PUBLISHED, end__lt=now).update(
        status=Session.Status.HELD, updated_at=now
    )


# -- changes that take two people (``models.changes``) ---------------------------------------------

# A request not confirmed within ``models.changes.REQUEST_VALID_FOR`` lapses. A reason is
# recorded in English, as marked (``gettext_noop``), and translated where it is shown.
EXPIRED = gettext_noop("It was not confirmed within 72 hours.")


def request_lapse(
    req, *, reason: str, by=None, request: HttpRequest | None = None, dialogue_id=None
) -> None:
    """Record a change request (``models.changes``: an outbound raise, a change of the scale) as
    lapsed, with why, and audit it. ``reason``: a marked message, recorded untranslated (a page
    shows it in its reader's language: ``{% translate request.lapse_reason %}``)."""
    req.state = req.State.LAPSED
    req.lapse_reason = reason
    req.decided_at = timezone.now()
    req.save(update_fields=["state", "lapse_reason", "decided_at"])
    audit_record(
        action=Action.CHANGED,
        obj=req,
        actor=by,
        request=request,
        dialogue_id=dialogue_id,
        detail={"state": "lapsed"},
    )


__all__ = [
    "EXPIRED",
    "check_narrow_only",
    "name_readers",
    "person_of",
    "request_lapse",
    "sessions_mark_held",
]
