"""Audit by default (``trackii.audit.reads``): every response that shows dialogue content leaves an
entry per object it showed, written in one place from what the lookups through the
confidentiality module noted; refusals, redirects and errors leave none; a polled partial at most
one per person, object and ten minutes; a feed's fetch one per session it carried, as read by its
owner and never with its secret. The access matrix states the same for every page and role
(``tests/access/matrix.py``)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogues import selectors
from dialogues.confidentiality import viewer_for_user
from dialogues.models import BriefingPack, Dialogue, Outcome, Session
from participants.models import Membership
from participants.profile.services import calendar_secret_regenerate
from tests.conftest import enable_mfa, sign_in
from tests.factories import OutcomeFactory, level
from trackii.audit import reads
from trackii.audit.models import AuditEntry
from trackii.audit.services import Action, audit_record

pytestmark = pytest.mark.django_db

READS = (Action.VIEWED, Action.DOWNLOADED)


def new_reads(since: int) -> list[tuple]:
    """Read entries written after entry ``since``: (actor, action, model, object, dialogue,
    detail)."""
    return list(
        AuditEntry.objects.filter(pk__gt=since, action__in=READS)
        .order_by("id")
        .values_list(
            "actor_id", "action", "content_type__model", "object_id", "dialogue_id", "detail"
        )
    )


def last_id() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def read(user, obj, page: str, action=Action.VIEWED, **detail) -> tuple:
    model = ContentType.objects.get_for_model(obj).model
    dialogue_id = obj.pk if isinstance(obj, Dialogue) else None
    if dialogue_id is None:
        dialogue_id = getattr(obj, "dialogue_id", None) or obj.session.dialogue_id
    return (
        user.pk if user else None,
        action,
        model,
        str(obj.pk),
        dialogue_id,
        {"page": page, **detail},
    )


def get(client, url: str, **headers):
    since = last_id()
    response = client.get(url, headers=headers)
    return response, new_reads(since)


def dialogue_url(name, world, *args):
    return reverse(f"dialogues:{name}", args=[world["dialogue"].pk, *args])


@pytest.fixture
def convenor(world, login):
    return login(world["convenor"])


@pytest.fixture
def pack(world):
    return BriefingPack.objects.create(
        dialogue=world["dialogue"], requested_by=world["convenor"].person.user
    )


# -- the pages the security review named, and every other planning page -------------------------


def test_every_planning_page_records_what_it_shows(world, convenor, pack):
    """The agenda editor, the item and outcome edit pages (who said what), the session edit page
    (attendees, readers), the roster and a member's edit page, the pack page: each records its
    subject, with the page's name and nothing else (no title, no name)."""
    user = world["convenor"].person.user
    dialogue, round_1 = world["dialogue"], world["round_1"]
    item = world["items"]["Restricted"]  # the convenor is named on it
    outcome = OutcomeFactory(session=round_1, level=level("Facilitators"), summary="SENT-OUT")
    member = world["participant"]
    s, i, o = round_1.pk, item.pk, outcome.pk
    cases = [
        (dialogue_url("agenda_edit", world, s), round_1, "agenda_edit"),
        (dialogue_url("agenda_item_edit", world, s, i), item, "agenda_item_edit"),
        (dialogue_url("session_edit", world, s), round_1, "session_edit"),
        (dialogue_url("outcome_edit", world, s, o), outcome, "outcome_edit"),
        (dialogue_url("outcome_create", world, s), round_1, "outcome_create"),
        (dialogue_url("roster", world), dialogue, "roster"),
        (dialogue_url("membership_edit", world, member.pk), member, "membership_edit"),
        (dialogue_url("pack_detail", world, pack.pk), pack, "pack_detail"),
        (dialogue_url("pack_list", world), dialogue, "pack_list"),
        (dialogue_url("pack_request", world), dialogue, "pack_request"),
        (dialogue_url("session_create", world), dialogue, "session_create"),
        (dialogue_url("dialogue_edit", world), dialogue, "dialogue_edit"),
        (dialogue_url("sides_edit", world), dialogue, "sides_edit"),
        (
            dialogue_url("document_upload", world) + f"?session={s}&item={i}",
            item,
            "document_upload",
        ),
    ]
    for url, subject, page in cases:
        response, entries = get(convenor, url)
        assert response.status_code == 200, url
        assert entries == [read(user, subject, page)], url


def test_htmx_partials_record_what_they_show(world, convenor):
    user = world["convenor"].person.user
    round_1, item = world["round_1"], world["items"]["Public"]
    for url, subject, page in (
        (dialogue_url("agenda_edit", world, round_1.pk), round_1, "agenda_edit"),
        (dialogue_url("agenda_item_edit", world, round_1.pk, item.pk), item, "agenda_item_edit"),
    ):
        response, entries = get(convenor, url, HX_Request="true")
        assert response.status_code == 200
        assert entries == [read(user, subject, page, partial=True)]


def test_the_agenda_editor_shown_after_an_action_on_an_item_records_the_session(world, convenor):
    user = world["convenor"].person.user
    round_1, item = world["round_1"], world["items"]["Programme"]
    since = last_id()
    response = convenor.post(
        dialogue_url("agenda_item_move", world, round_1.pk, item.pk),
        {"direction": "down"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert new_reads(since) == [read(user, round_1, "agenda_item_move", partial=True)]


def test_members_pages_and_the_pdf_record_what_they_show(world, login):
    participant = world["participant"]
    user = participant.person.user
    client = login(participant)
    dialogue, round_1 = world["dialogue"], world["round_1"]
    other = world["elsewhere"]
    cases = [
        (reverse("home"), [read(user, dialogue, "home")]),
        (dialogue_url("dialogue_detail", world), [read(user, dialogue, "dialogue_detail")]),
        (dialogue_url("ground_rules", world), [read(user, dialogue, "ground_rules")]),
        (
            dialogue_url("session_detail", world, round_1.pk),
            [read(user, round_1, "session_detail")],
        ),
        (
            dialogue_url("agenda_pdf", world, round_1.pk),
            [
                read(
                    user,
                    round_1,
                    "agenda_pdf",
                    Action.DOWNLOADED,
                    version=round_1.published_version,
                )
            ],
        ),
    ]
    for url, expected in cases:
        response, entries = get(client, url)
        assert response.status_code == 200, url
        assert entries == expected, url
    assert not AuditEntry.objects.filter(dialogue_id=other.pk, action__in=READS).exists()


def test_the_home_page_records_each_dialogue_it_lists(world, login):
    """A member of two dialogues: both are listed, so both are recorded; not the one they are
    only nominated to."""
    participant = world["participant"]
    user = participant.person.user
    Membership.objects.create(
        person=participant.person,
        dialogue=world["elsewhere"],
        clearance=level("Public"),
        state=Membership.State.ACCEPTED,
    )
    response, entries = get(login(participant), reverse("home"))
    assert len(response.context["dialogues"]) == 2
    assert sorted(entries) == sorted(
        [read(user, world["dialogue"], "home"), read(user, world["elsewhere"], "home")]
    )


# -- what leaves no entry -------------------------------------------------------------------------


def test_refusals_redirects_and_lookups_outside_requests_leave_no_read(world, login):
    dialogue, round_1 = world["dialogue"], world["round_1"]
    since = last_id()
    # A dialogue of someone else: 404.
    assert login(world["outsider"]).get(dialogue_url("dialogue_detail", world)).status_code == 404
    # The planner, refused to a participant after the dialogue itself was looked up: 404.
    client = login(world["participant"])
    assert client.get(dialogue_url("agenda_edit", world, round_1.pk)).status_code == 404
    # A PDF of an agenda not published yet (the session itself is visible): 404.
    Session.objects.filter(pk=round_1.pk).update(published_version=0)
    assert client.get(dialogue_url("agenda_pdf", world, round_1.pk)).status_code == 404
    # A successful save redirects: a change is recorded, no read.
    convenor = login(world["convenor"])
    added = {"action": "add", "add-name": "Side C", "add-position": "3"}
    saved = convenor.post(dialogue_url("sides_edit", world), added)
    assert saved.status_code == 302
    # Lookups outside a request (a task, the shell): no ledger, nothing noted.
    assert reads.current() is None
    viewer = viewer_for_user(world["convenor"].person.user)
    selectors.session_for(viewer=viewer, dialogue_id=dialogue.pk, session_id=round_1.pk)
    assert new_reads(since) == []
    assert AuditEntry.objects.filter(pk__gt=since).values_list("action", flat=True).get() == (
        Action.CREATED
    )


def test_a_malformed_post_shows_nothing_and_records_nothing(world, login):
    client = login(world["convenor"])
    since = last_id()
    for page in ("sides_edit", "roster"):
        refused = client.post(dialogue_url(page, world), {"action": "bogus"})
        assert (refused.status_code, refused.content) == (400, b"Unknown action.")
    assert new_reads(since) == []


def test_the_home_page_records_dialogues_named_for_their_ground_rules(world, login):
    """A member who has not accepted the current ground rules sees the dialogue's title on the
    home page (to go and accept them): recorded too."""
    dialogue = world["dialogue"]
    Dialogue.objects.filter(pk=dialogue.pk).update(
        ground_rules="Chatham House.", ground_rules_version=2
    )
    participant = world["participant"]
    response, entries = get(login(participant), reverse("home"))
    assert [m.dialogue_id for m in response.context["pending_rules"]] == [dialogue.pk]
    assert len(response.context["dialogues"]) == 0
    assert entries == [read(participant.person.user, dialogue, "home", ground_rules=True)]


def test_a_form_shown_again_with_its_errors_is_a_read(world, login):
    user = world["convenor"].person.user
    client = login(world["convenor"])
    since = last_id()
    empty = {"action": "add", "add-name": "", "add-position": "3"}
    refused = client.post(dialogue_url("sides_edit", world), empty)
    assert refused.status_code == 400
    assert new_reads(since) == [read(user, world["dialogue"], "sides_edit")]


def test_an_entry_that_cannot_be_written_shows_nothing(world, monkeypatch):
    """The trail fails closed: no entry, no page."""
    from trackii.audit import middleware

    def broken(**kwargs):
        raise DatabaseError("the trail is unavailable")

    monkeypatch.setattr(middleware, "audit_reads", broken)
    client = Client(raise_request_exception=False)
    sign_in(client, world["participant"].person.user)
    response = client.get(dialogue_url("session_detail", world, world["round_1"].pk))
    assert response.status_code == 500
    assert b"Round 1" not in response.content


# -- the polled partial: at most one entry per person, pack and ten minutes ----------------------


def written_at(when, **kwargs) -> AuditEntry:
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit_record(**kwargs)


def test_the_polled_pack_status_records_once_per_person_and_ten_minutes(world, login, pack):
    convenor = world["convenor"].person.user
    url = dialogue_url("pack_detail", world, pack.pk)
    client = login(world["convenor"])
    polled = read(convenor, pack, "pack_detail", partial=True)

    _response, first = get(client, url, HX_Request="true")
    assert first == [polled]
    for _ in range(3):
        response, again = get(client, url, HX_Request="true")
        assert response.status_code == 200
        assert again == []
    # Another member of the convening team polls on their own account.
    other = Client()
    second = world["rapporteur"]
    Membership.objects.filter(pk=second.pk).update(role=Membership.Role.FACILITATOR)
    enable_mfa(second.person.user)
    sign_in(other, second.person.user)
    _response, theirs = get(other, url, HX_Request="true")
    assert theirs == [read(second.person.user, pack, "pack_detail", partial=True)]
    # The full page is recorded every time it is opened.
    _response, page = get(client, url)
    assert page == [read(convenor, pack, "pack_detail")]


def test_the_polled_pack_status_records_again_after_ten_minutes(world, login, pack):
    convenor = world["convenor"].person.user
    url = dialogue_url("pack_detail", world, pack.pk)
    client = login(world["convenor"])
    now = timezone.now()
    # A view nine minutes ago (the full page) still counts; eleven minutes ago no longer does.
    written_at(now - timedelta(minutes=9), action=Action.VIEWED, obj=pack, actor=convenor)
    _response, entries = get(client, url, HX_Request="true")
    assert entries == []

    other_pack = BriefingPack.objects.create(dialogue=world["dialogue"], requested_by=convenor)
    written_at(
        now - reads.POLL_WINDOW - timedelta(minutes=1),
        action=Action.VIEWED,
        obj=other_pack,
        actor=convenor,
    )
    _response, entries = get(
        client, dialogue_url("pack_detail", world, other_pack.pk), HX_Request="true"
    )
    assert entries == [read(convenor, other_pack, "pack_detail", partial=True)]


# -- the calendar feed -------------------------------------------------------------------------


def test_a_feed_fetch_records_each_session_it_carries_as_read_by_its_owner(world, login):
    participant = world["participant"]
    owner = participant.person.user
    secret = calendar_secret_regenerate(user=owner)
    url = reverse("calendar_feed", args=[secret])
    expected = sorted(
        [
            read(owner, world["round_1"], "calendar_feed"),
            read(owner, world["pre"], "calendar_feed"),
        ]
    )
    # Fetched by a calendar service (signed out), and by someone signed in as another account.
    for client in (Client(), login(world["outsider"])):
        since = last_id()
        response = client.get(url)
        assert response.status_code == 200
        assert sorted(new_reads(since)) == expected
        written = AuditEntry.objects.filter(pk__gt=since)
        assert secret not in repr(list(written.values()))
    # An unknown secret: 404, nothing recorded.
    since = last_id()
    assert Client().get(reverse("calendar_feed", args=["x" * 43])).status_code == 404
    assert new_reads(since) == []


def test_an_empty_feed_records_nothing(world):
    secret = calendar_secret_regenerate(user=world["nominee"].person.user)
    response, entries = get(Client(), reverse("calendar_feed", args=[secret]))
    assert response.status_code == 200
    assert entries == []


def test_entries_name_the_objects_by_id_never_by_title(world, login):
    """What the trail holds is ids and codes: the titles of what was shown appear nowhere."""
    outcome = OutcomeFactory(session=world["round_1"], summary="SENT-SUMMARY")
    client = login(world["convenor"])
    since = last_id()
    for url in (
        dialogue_url("outcome_edit", world, world["round_1"].pk, outcome.pk),
        dialogue_url("session_detail", world, world["round_1"].pk),
        dialogue_url("dialogue_detail", world),
    ):
        assert client.get(url).status_code == 200
    written = repr(list(AuditEntry.objects.filter(pk__gt=since).values()))
    # The session page shows the convenor the outcome's attributed record: it is recorded too.
    assert len(new_reads(since)) == 4
    for text in ("SENT-SUMMARY", "Round 1", "Salt River"):
        assert text not in written
    assert {Outcome, Session, Dialogue} == {
        ContentType.objects.get(pk=pk).model_class()
        for pk in AuditEntry.objects.filter(pk__gt=since).values_list("content_type", flat=True)
    }


def test_the_session_page_records_each_attributed_record_it_shows_and_no_more(world, login):
    """Who said what is shown on the session page to those who record: "who saw this" of an
    outcome finds those pages. A participant, who reads only the non-attributed summary, leaves
    the session only."""
    outcome = OutcomeFactory(session=world["round_1"], summary="A summary", record="Words")
    url = dialogue_url("session_detail", world, world["round_1"].pk)
    since = last_id()
    assert login(world["rapporteur"]).get(url).status_code == 200
    assert sorted((e[2], e[5]) for e in new_reads(since)) == [
        ("outcome", {"page": "session_detail", "record": True}),
        ("session", {"page": "session_detail"}),
    ]
    assert [e[3] for e in new_reads(since) if e[2] == "outcome"] == [str(outcome.pk)]
    since = last_id()
    assert login(world["participant"]).get(url).status_code == 200
    assert [(e[2], e[5]) for e in new_reads(since)] == [("session", {"page": "session_detail"})]
