"""The one way to write the audit trail."""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from .models import AuditEntry

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
