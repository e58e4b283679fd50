"""The one way to write the audit trail: ``audit_record`` for one entry (writes, decisions), and
``audit_reads`` for what a response showed (``trackii.audit.reads``)."""

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditEntry

if TYPE_CHECKING:
    from .reads import Read

Action = AuditEntry.Action


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the trail records it."""
    # Behind our nginx, REMOTE_ADDR is the proxy, and a header set by nginx names the client.
    header = settings.TRACKII_CLIENT_IP_META
    return (header and request.META.get(header)) or request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    obj: models.Model,
    actor=None,
    request: HttpRequest | None = None,
    dialogue_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``detail`` must carry ids and codes only, never names or titles."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    entry = AuditEntry(
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        dialogue_id=dialogue_id,
        detail=detail or {},
    )
    if request is not None:
        entry.ip_address = client_ip(request)
        entry.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    entry.save()
    return entry


def audit_reads(
    *,
    reads: Iterable["Read"],
    action: str,
    request: HttpRequest,
    actor=None,
    detail: dict[str, Any] | None = None,
    once_within: timedelta | None = None,
) -> list[AuditEntry]:
    """Append one entry per object a response showed, in one insert. ``detail`` (the page) is
    merged into each read's own. With ``once_within`` (a polled partial), an object this actor
    viewed within that time is left out."""
    entries = []
    for read in reads:
        entries.append(
            AuditEntry(
                actor=actor,
                action=action,
                content_type=ContentType.objects.get_for_model(read.obj, for_concrete_model=False),
                object_id=str(read.obj.pk),
                dialogue_id=read.dialogue_id,
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                detail={**(detail or {}), **read.detail},
            )
        )
    if once_within is not None and entries:
        seen = set(
            AuditEntry.objects.filter(
                actor=actor,
                action=Action.VIEWED,
                at__gte=timezone.now() - once_within,
                content_type__in={e.content_type_id for e in entries},
                object_id__in={e.object_id for e in entries},
            ).values_list("content_type_id", "object_id")
        )
        entries = [e for e in entries if (e.content_type_id, e.object_id) not in seen]
    if not entries:
        return []
    return AuditEntry.objects.bulk_create(entries)
