"""Which models keep a change history (django-auditlog), and which of their fields stay out of it.

The history is read by staff only (the admin), but it is a second copy of what it records, so
secrets never enter it: password hashes, calendar secrets, invitation and link digests. The
attributed record of an outcome (who said what) is kept out too: the history says that it
changed and when, never what it said. Designation lists are not registered: they change in bulk
imports that keep their own versions.

Called once from ``AuditConfig.ready``."""

from auditlog.registry import auditlog
from django.apps import apps
from django.db.models.signals import pre_delete, pre_save

REDACTED = "(not kept in the history)"

# app_label.Model -> registration options. ``readers`` (named readers) are access grants: who was
# added or removed, and when, is exactly what an inquiry into a leak asks.
# Dialogue content (titles, venues, texts, recipients) is masked: the history says which field
# changed and when, like the audit trail it holds ids, never what the content said. Staff who
# read it are not cleared for the dialogues' content.
MASK = "trackii.audit.registry.redact"


def _masked(*fields: str, **options) -> dict:
    return {"mask_fields": list(fields), "mask_callable": MASK, **options}


HISTORY = {
    "dialogues.ConfidentialityLevel": {},
    "dialogues.Dialogue": _masked(
        "title",
        "context",
        "briefing_summary",
        "convening_organisation",
        "ground_rules",
        "cover_name",
    ),
    "dialogues.Session": _masked("title", "venue", "city", m2m_fields={"readers"}),
    "dialogues.AgendaItem": _masked("title", "description", "room", m2m_fields={"readers"}),
    "dialogues.Document": _masked("title", "original_name", m2m_fields={"readers"}),
    "dialogues.Outcome": _masked("summary", "record", m2m_fields={"readers"}),
    "dialogues.BriefingPack": _masked("note", "review_reason"),
    "dialogues.BriefingPackCopy": _masked(
        "recipient_name",
        "recipient_position",
        "recipient_organisation",
        "recipient_email",
        exclude_fields=["link_nonce", "worker", "claimed_at"],
    ),
    "dialogues.Official": _masked("name", "position", "institution", "email", "reached_by", "note"),
    "participants.Person": {},
    "participants.Membership": {},
    "participants.Invitation": {"exclude_fields": ["token_hash", "code_hash"]},
    "participants.VettingCase": {},
    "participants.User": {
        "exclude_fields": ["password", "calendar_secret", "last_login"],
    },
}


def redact(value: str) -> str:
    """auditlog's mask for fields whose content must not be copied: only the fact of a change."""
    return REDACTED


def _refuse_change(sender, instance, **kwargs):
    if instance.pk is not None and not instance._state.adding:
        raise PermissionError("The change history is append-only.")
    # A new entry names its object by model and id, never by its title (str() of a session).
    instance.object_repr = f"{instance.content_type.model} {instance.object_pk}"


def _refuse_delete(sender, instance, **kwargs):
    raise PermissionError("The change history is append-only.")


def register_history() -> None:
    for label, options in HISTORY.items():
        auditlog.register(apps.get_model(label), **options)
    # The application never changes or deletes a history entry (on PostgreSQL the database
    # refuses too: audit migration 0003).
    from auditlog.models import LogEntry

    pre_save.connect(_refuse_change, sender=LogEntry, dispatch_uid="trackii-logentry-append-only")
    pre_delete.connect(_refuse_delete, sender=LogEntry, dispatch_uid="trackii-logentry-no-delete")
