"""The trail nobody can edit or delete: the database's own refusal on PostgreSQL, the model change
history (django-auditlog) with its actor and without secrets, and the staff's read-only admin."""

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from dialogues.models import Outcome, Session
from dialogues.outcomes.services import outcome_update
from participants.models import Membership
from participants.profile.services import calendar_secret_regenerate
from tests.conftest import enable_mfa, require_service, sign_in
from tests.factories import DialogueFactory, OutcomeFactory, SessionFactory, UserFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry
from trackii.audit.registry import REDACTED
from trackii.audit.services import Action, audit_record

pytestmark = pytest.mark.django_db


def _on_postgresql() -> None:
    require_service(
        connection.vendor == "postgresql",
        "the append-only triggers exist on PostgreSQL only (set DATABASE_URL=postgres://...); "
        "on SQLite the models alone refuse changes",
    )


def _refused(sql: str, params=()) -> str:
    """Run raw SQL that the database must refuse; the refusal's message."""
    with pytest.raises(DatabaseError) as refusal, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(refusal.value)


# -- the database refuses ---------------------------------------------------------------------


def test_database_refuses_to_change_or_delete_an_audit_entry():
    _on_postgresql()
    entry = audit_record(action=Action.VIEWED, obj=DialogueFactory())
    table = AuditEntry._meta.db_table
    message = _refused(f"UPDATE {table} SET action = 'deleted' WHERE id = %s", [entry.pk])  # noqa: S608
    assert "trackii: UPDATE on audit_auditentry refused: the audit trail is append-only" in message
    message = _refused(f"DELETE FROM {table} WHERE id = %s", [entry.pk])  # noqa: S608
    assert "trackii: DELETE on audit_auditentry refused: the audit trail is append-only" in message
    # Inserting still works, and the first entry is as it was written.
    audit_record(action=Action.DOWNLOADED, obj=DialogueFactory())
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "viewed",
        "downloaded",
    ]


def test_database_refuses_to_change_or_delete_the_change_history():
    _on_postgresql()
    session = SessionFactory()
    entry = LogEntry.objects.get_for_object(session).get()
    table = LogEntry._meta.db_table
    message = _refused(f"UPDATE {table} SET object_repr = 'x' WHERE id = %s", [entry.pk])  # noqa: S608
    assert "trackii: UPDATE on auditlog_logentry refused: the audit trail is append-only" in message
    message = _refused(f"DELETE FROM {table}")  # noqa: S608
    assert "trackii: DELETE on auditlog_logentry refused: the audit trail is append-only" in message
    session.title = "Renamed"
    session.save()
    assert LogEntry.objects.get_for_object(session).count() == 2


# -- the change history ---------------------------------------------------------------------------


def test_editing_a_session_records_the_actor_and_the_changed_fields(client, login):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    session = SessionFactory(dialogue=convenor.dialogue, venue="Villa Uno", city="Valdera")
    login(convenor)
    response = client.post(
        reverse("dialogues:session_edit", args=[session.dialogue_id, session.pk]),
        {
            "title": session.title,
            "kind": session.kind,
            "venue": "Villa Due",
            "city": "Valdera",
            "time_zone": session.time_zone,
            "start": "2027-03-15T09:00",
            "end": "2027-03-17T09:00",
            "level": session.level_id,
            "edit_revision": session.edit_revision,
        },
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="198.51.100.66",
        HTTP_X_CORRELATION_ID="written-by-the-client",
    )
    assert response.status_code == 302
    update = LogEntry.objects.get_for_object(session).get(action=LogEntry.Action.UPDATE)
    assert update.actor == convenor.person.user
    # That the venue changed, never what it says: the history holds no dialogue content.
    assert update.changes_dict["venue"] == [REDACTED, REDACTED]
    assert "title" not in update.changes_dict
    assert "Villa" not in str(update.changes) + update.object_repr
    assert update.object_repr == f"session {session.pk}"
    # The address is the one the rest of the trail believes, never a client's header.
    assert (update.remote_addr, update.remote_port, update.cid) == ("203.0.113.5", None, None)


def test_password_and_calendar_secret_never_enter_the_history(client):
    user = UserFactory(email="keeper@example.org")
    user.set_password("a new passphrase for the history test")
    user.save()
    secret = calendar_secret_regenerate(user=user)
    sign_in(client, user)
    user.refresh_from_db()
    user.display_name = "Keeper"
    user.save()
    entries = LogEntry.objects.get_for_object(user)
    assert sorted(entries.values_list("action", flat=True)) == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
    ]
    dumped = repr(list(LogEntry.objects.values()))
    for kept_out in (user.password, secret, "password", "calendar_secret", "last_login"):
        assert kept_out not in dumped
    assert entries.get(action=LogEntry.Action.UPDATE).changes_dict == {
        "display_name": ["", "Keeper"]
    }


def test_an_outcomes_attributed_record_is_never_copied_into_the_history():
    outcome = OutcomeFactory(record="First version of who said what", level=level("Programme"))
    convenor = member_with_account(
        dialogue=outcome.session.dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    outcome_update(
        outcome=outcome,
        expected_revision=outcome.edit_revision,
        values={"record": "Second version of who said what", "level": outcome.level},
        by=convenor.person.user,
    )
    dumped = repr(list(LogEntry.objects.filter(content_type__model="outcome").values()))
    assert "who said what" not in dumped
    update = LogEntry.objects.get_for_object(Outcome.objects.get()).get(
        action=LogEntry.Action.UPDATE
    )
    assert update.changes_dict["record"] == [REDACTED, REDACTED]


def test_the_application_cannot_change_or_delete_a_history_entry():
    entry = LogEntry.objects.get_for_object(SessionFactory()).get()
    entry.object_repr = "rewritten"
    # Each refusal in its own savepoint: a refused delete spoils the transaction it runs in.
    with pytest.raises(PermissionError), transaction.atomic():
        entry.save()
    with pytest.raises(PermissionError), transaction.atomic():
        entry.delete()
    with pytest.raises(PermissionError), transaction.atomic():
        LogEntry.objects.all().delete()
    assert LogEntry.objects.get(pk=entry.pk).object_repr != "rewritten"


# -- the admin ------------------------------------------------------------------------------------


@pytest.fixture
def staff(client):
    user = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    enable_mfa(user)
    sign_in(client, user)
    return user


def test_history_admin_is_read_only_and_searchable_by_actor(client, staff):
    session = SessionFactory(title="Harbour talks")
    entry = LogEntry.objects.get_for_object(session).get()
    editor = UserFactory(email="editor@example.org")
    with set_actor(editor):
        session.venue = "Elsewhere"
        session.save()
    edit = LogEntry.objects.get_for_object(session).get(action=LogEntry.Action.UPDATE)
    changelist = reverse("admin:auditlog_logentry_changelist")
    response = client.get(changelist, {"q": "editor@example.org"})
    assert response.status_code == 200
    # The editor's edit (entries name their object by model and id, never by title or e-mail).
    assert list(response.context["cl"].result_list) == [edit]
    assert client.get(changelist, {"q": "Harbour talks"}).context["cl"].result_list.count() == 0
    response = client.get(changelist, {"q": f"session {session.pk}"})
    assert list(response.context["cl"].result_list) == [edit, entry]
    change = reverse("admin:auditlog_logentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"object_repr": "rewritten"}).status_code == 403
    delete = reverse("admin:auditlog_logentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(changelist, {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_history_admin_is_closed_to_everyone_but_staff(client):
    participant = member_with_account(dialogue=DialogueFactory())
    sign_in(client, participant.person.user)
    response = client.get(reverse("admin:auditlog_logentry_changelist"))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/admin/login/")


def test_audit_admin_filters_by_person_and_links_to_who_saw(client, staff):
    reader = UserFactory(email="reader@example.org")
    other = UserFactory(email="other@example.org")
    session = SessionFactory()
    seen = audit_record(action=Action.VIEWED, obj=session, actor=reader)
    audit_record(action=Action.VIEWED, obj=session, actor=other)
    changelist = reverse("admin:audit_auditentry_changelist")
    response = client.get(changelist, {"actor__id__exact": reader.pk})
    assert list(response.context["cl"].result_list) == [seen]
    session_type = ContentType.objects.get_for_model(Session)
    who_saw = reverse(
        "ops:who_saw", args=[f"{session_type.app_label}.{session_type.model}", session.pk]
    )
    assert who_saw in response.content.decode()
    response = client.get(changelist, {"q": "other@example.org"})
    assert [e.actor for e in response.context["cl"].result_list] == [other]


def test_history_is_kept_for_the_models_whose_changes_matter():
    from auditlog.registry import auditlog

    registered = {m._meta.label for m in auditlog.get_models()}
    assert {
        "dialogues.Dialogue",
        "dialogues.Session",
        "dialogues.AgendaItem",
        "dialogues.Document",
        "dialogues.Outcome",
        "dialogues.BriefingPack",
        "dialogues.BriefingPackCopy",
        "dialogues.Official",
        "dialogues.ConfidentialityLevel",
        "participants.Person",
        "participants.Membership",
        "participants.Invitation",
        "participants.VettingCase",
        "participants.User",
    } == registered
