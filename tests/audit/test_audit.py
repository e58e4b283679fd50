"""The audit trail is written through one service and cannot be changed or deleted."""

import pytest
from django.test import RequestFactory

from dialogues.models import Dialogue
from tests.conftest import sign_in
from tests.factories import DialogueFactory, UserFactory
from trackii.audit.models import AuditEntry
from trackii.audit.services import Action, audit_record

pytestmark = pytest.mark.django_db


def test_audit_record_stores_who_what_when_and_where():
    user = UserFactory()
    dialogue = DialogueFactory()
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Browser/1")
    request.user = user
    entry = audit_record(
        action=Action.VIEWED, obj=dialogue, request=request, dialogue_id=dialogue.pk
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.action, entry.object_id, entry.dialogue_id) == (
        user,
        "viewed",
        str(dialogue.pk),
        dialogue.pk,
    )
    assert entry.content_type.model_class() is Dialogue
    assert (entry.ip_address, entry.user_agent) == ("203.0.113.7", "Browser/1")
    assert entry.at is not None


def test_client_address_header_is_trusted_only_when_configured(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="198.51.100.9")
    request.user = UserFactory()
    dialogue = DialogueFactory()
    assert (
        audit_record(action=Action.VIEWED, obj=dialogue, request=request).ip_address == "10.0.0.2"
    )
    settings.TRACKII_CLIENT_IP_META = "HTTP_X_REAL_IP"
    assert (
        audit_record(action=Action.VIEWED, obj=dialogue, request=request).ip_address
        == "198.51.100.9"
    )


def test_entries_cannot_be_changed_or_deleted():
    entry = audit_record(action=Action.VIEWED, obj=DialogueFactory())
    entry.action = Action.DELETED
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(action=Action.DELETED)
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().action == Action.VIEWED


def test_admin_shows_the_trail_read_only(client):
    from tests.conftest import enable_mfa

    staff = UserFactory(is_staff=True, is_superuser=True)
    enable_mfa(staff)
    sign_in(client, staff)
    entry = audit_record(action=Action.VIEWED, obj=DialogueFactory())
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert AuditEntry.objects.count() == 1
