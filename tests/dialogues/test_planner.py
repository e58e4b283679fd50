"""The planner: sessions, attendance, the agenda editor, publishing and no lost edits."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from dialogues.models import AgendaItem, AgendaVersion, PublishedAgendaItem, Session
from dialogues.planning.services import agenda_publish
from participants.models import Membership
from tests.factories import AgendaItemFactory, DialogueFactory, SessionFactory, SideFactory, level
from tests.world import member_with_account, publish_as_a_planner
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def url(name, session, *extra):
    return reverse(f"dialogues:{name}", args=[session.dialogue_id, session.pk, *extra])


def item_post(item_level, **overrides):
    data = {
        "title": "Opening",
        "start": "",
        "end": "",
        "room": "",
        "kind": "plenary",
        "moderator": "",
        "level": item_level.pk,
        "description": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def plan(world, login):
    """The convenor, signed in, with the world's Round 1 (Public, starts 2027-03-15 08:00 UTC,
    venue in Europe/Rome)."""
    return {"client": login(world["convenor"]), **world}


# -- sessions -------------------------------------------------------------------------------------


def test_convenor_plans_a_pre_consultation_with_one_side(plan):
    dialogue = plan["dialogue"]
    side_a = dialogue.sides.get(name="Side A")
    response = plan["client"].post(
        reverse("dialogues:session_create", args=[dialogue.pk]),
        {
            "title": "Pre-consultation B",
            "kind": "pre_consultation",
            "venue": "Guest house",
            "city": "Qasr Amin",
            "time_zone": "Asia/Amman",
            "start": "2027-01-20T10:00",
            "end": "2027-01-20T16:00",
            "level": level("Participants").pk,
            "attending_sides": [side_a.pk],
            "attendees": [plan["observer"].pk],
        },
    )
    session = Session.objects.get(title="Pre-consultation B")
    assert response.status_code == 302
    assert response["Location"] == url("agenda_edit", session)
    # 10:00 in Amman (UTC+3) is 07:00 UTC.
    assert session.start == datetime(2027, 1, 20, 7, tzinfo=UTC)
    assert session.end == datetime(2027, 1, 20, 13, tzinfo=UTC)
    assert session.status == Session.Status.DRAFT
    attendees = set(session.attendances.values_list("membership_id", flat=True))
    assert attendees == {plan["participant"].pk, plan["observer"].pk}
    assert list(session.readers.all()) == [plan["convenor"].person]


def test_session_form_errors_are_clear_and_nothing_is_saved(plan):
    dialogue = plan["dialogue"]
    before = Session.objects.count()
    response = plan["client"].post(
        reverse("dialogues:session_create", args=[dialogue.pk]),
        {
            "title": "Backwards",
            "kind": "round",
            "time_zone": "Mars/Olympus",
            "start": "2027-01-20T10:00",
            "end": "2027-01-20T09:00",
            "level": level("Programme").pk,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Mars/Olympus is not one of the available choices" in errors["time_zone"][0]
    assert Session.objects.count() == before


def test_session_end_before_start_is_a_field_error(plan):
    response = plan["client"].post(
        reverse("dialogues:session_create", args=[plan["dialogue"].pk]),
        {
            "title": "Backwards",
            "kind": "round",
            "time_zone": "Europe/Rome",
            "start": "2027-01-20T10:00",
            "end": "2027-01-20T09:00",
            "level": level("Programme").pk,
        },
    )
    assert response.context["form"].errors["end"] == ["The session must end after it starts."]


def session_post(session, **overrides):
    data = {
        "title": session.title,
        "kind": session.kind,
        "venue": session.venue,
        "city": session.city,
        "time_zone": session.time_zone,
        "start": "2027-03-15T09:00",
        "end": "2027-03-17T09:00",
        "level": session.level_id,
        "edit_revision": session.edit_revision,
    }
    data.update(overrides)
    return data


def test_the_later_of_two_session_edits_is_refused_with_what_changed(plan, client, login):
    session = plan["round_1"]
    first = session_post(session, venue="Villa Uno")
    second = session_post(session, venue="Villa Due", city="Elsewhere")
    assert plan["client"].post(url("session_edit", session), first).status_code == 302
    other = member_with_account(
        dialogue=plan["dialogue"], role=Membership.Role.FACILITATOR, clearance="Restricted"
    )
    response = login(other).post(url("session_edit", session), second)
    assert response.status_code == 200
    changes = {(c.field, c.theirs, c.yours) for c in response.context["conflict"].changes}
    assert ("venue", "Villa Uno", "Villa Due") in changes
    assert b"Someone else saved this while you were editing" in response.content
    session.refresh_from_db()
    assert (session.venue, session.edit_revision) == ("Villa Uno", 2)
    # The re-rendered form carries the new revision: saving again is a deliberate overwrite.
    assert int(response.context["form"]["edit_revision"].value()) == 2


# -- the agenda editor ----------------------------------------------------------------------------


def test_agenda_form_offers_no_level_below_the_session(plan):
    response = plan["client"].get(url("agenda_edit", plan["pre"]))
    offered = [lv.name for lv in response.context["add_form"].fields["level"].queryset]
    assert offered == ["Participants", "Facilitators", "Restricted"]


def test_posting_a_level_below_the_session_is_refused(plan):
    pre = plan["pre"]
    before = AgendaItem.objects.filter(session=pre).count()
    response = plan["client"].post(url("agenda_item_create", pre), item_post(level("Public")))
    assert response.status_code == 200
    assert response.context["add_form"].errors["level"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert AgendaItem.objects.filter(session=pre).count() == before


def test_add_item_without_javascript_redirects_to_the_editor(plan):
    session = plan["round_1"]
    response = plan["client"].post(
        url("agenda_item_create", session),
        item_post(
            level("Programme"),
            title="Coffee",
            start="2027-03-15T10:00",
            end="2027-03-15T10:30",
            room="Terrace",
        ),
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(title="Coffee")
    assert item.start == datetime(2027, 3, 15, 9, tzinfo=UTC)
    assert list(session.agenda_items.order_by("order").values_list("title", flat=True))[-1] == (
        "Coffee"
    )
    assert list(item.readers.all()) == [plan["convenor"].person]


def test_add_item_with_htmx_answers_the_editor_fragment(plan):
    session = plan["round_1"]
    response = plan["client"].post(
        url("agenda_item_create", session),
        item_post(level("Programme"), title="Coffee"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#agenda-editor"
    assert response.templates[0].name == "dialogues/planning/_agenda_editor.html"
    assert b"<html" not in response.content
    assert b"Coffee" in response.content


def test_item_times_must_fall_within_the_session(plan):
    session = plan["round_1"]
    response = plan["client"].post(
        url("agenda_item_create", session),
        item_post(level("Programme"), start="2027-04-01T10:00", end="2027-04-01T11:00"),
    )
    assert response.context["add_form"].errors["start"] == [
        "Agenda times must fall within the session."
    ]


def test_moderator_must_be_on_the_roster(plan):
    stranger = member_with_account(dialogue=DialogueFactory())
    response = plan["client"].post(
        url("agenda_item_create", plan["round_1"]),
        item_post(level("Programme"), moderator=stranger.pk),
    )
    assert "moderator" in response.context["add_form"].errors


def test_reorder_and_delete_keep_positions_dense(plan):
    session = plan["round_1"]
    items = plan["items"]
    client = plan["client"]
    client.post(url("agenda_item_move", session, items["Programme"].pk), {"direction": "up"})
    titles = list(session.agenda_items.order_by("order").values_list("title", flat=True))
    assert titles[:2] == ["R1 Programme item", "R1 Public item"]
    client.post(url("agenda_item_delete", session, items["Public"].pk))
    assert list(session.agenda_items.order_by("order").values_list("order", "title")) == [
        (1, "R1 Programme item"),
        (2, "R1 Participants item"),
        (3, "R1 Facilitators item"),
        (4, "R1 Restricted item"),
    ]


def test_the_later_of_two_item_edits_is_refused_with_what_changed(plan, login):
    session = plan["round_1"]
    item = plan["items"]["Programme"]
    base = item_post(item.level, title=item.title, description="", edit_revision=1)
    first = base | {"title": "First title"}
    second = base | {"title": "Second title", "room": "Library"}
    assert plan["client"].post(url("agenda_item_edit", session, item.pk), first).status_code == 302
    other = member_with_account(
        dialogue=plan["dialogue"], role=Membership.Role.FACILITATOR, clearance="Restricted"
    )
    response = login(other).post(url("agenda_item_edit", session, item.pk), second)
    assert response.status_code == 200
    assert [(c.field, c.theirs, c.yours) for c in response.context["conflict"].changes] == [
        ("title", "First title", "Second title"),
        ("room", "", "Library"),
    ]
    item.refresh_from_db()
    assert (item.title, item.room, item.edit_revision) == ("First title", "", 2)


def test_overlapping_items_in_one_room_are_flagged(plan):
    session = plan["round_1"]
    for title, start, end in (("A", 10, 12), ("B", 11, 13), ("C", 13, 14)):
        AgendaItemFactory(
            session=session,
            title=title,
            room="Sala Grande",
            level=level("Public"),
            start=datetime(2027, 3, 16, start, tzinfo=UTC),
            end=datetime(2027, 3, 16, end, tzinfo=UTC),
        )
    response = plan["client"].get(url("agenda_edit", session))
    flagged = {
        item.title: [o.title for o in clashes] for item, clashes in response.context["items"]
    }
    assert (flagged["A"], flagged["B"], flagged["C"]) == (["B"], ["A"], [])
    assert b"Overlaps in <bdi>Sala Grande</bdi> with: B" in response.content


# -- publishing -----------------------------------------------------------------------------------


def test_publishing_freezes_a_version_and_lists_later_changes(plan):
    session = plan["round_1"]
    client = plan["client"]
    items = plan["items"]
    assert session.published_version == 1  # the world publishes once
    client.post(url("agenda_item_create", session), item_post(level("Public"), title="Added"))
    client.post(url("agenda_item_delete", session, items["Facilitators"].pk))
    client.post(
        url("agenda_item_edit", session, items["Programme"].pk),
        item_post(
            level("Programme"),
            title="R1 Programme item",
            description=items["Programme"].description,
            room="Library",
            edit_revision=items["Programme"].edit_revision,
        ),
    )
    changes = client.get(url("agenda_edit", session)).context["changes"]
    assert [(c.kind, c.title, c.fields) for c in changes] == [
        ("changed", "R1 Programme item", ("room",)),
        ("added", "Added", ()),
        ("removed", "R1 Facilitators item", ()),
    ]
    response = publish_as_a_planner(client, session)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.published_version == 2
    assert list(AgendaVersion.objects.filter(session=session).values_list("number", flat=True)) == [
        1,
        2,
    ]
    assert set(
        PublishedAgendaItem.objects.filter(version__session=session, version__number=2).values_list(
            "title", flat=True
        )
    ) == {
        "R1 Public item",
        "R1 Programme item",
        "R1 Participants item",
        "R1 Restricted item",
        "Added",
    }
    assert client.get(url("agenda_edit", session)).context["changes"] == []
    entry = AuditEntry.objects.filter(action="decided").latest("id")
    assert entry.detail == {"published_version": 2, "items": 5}


def test_participants_see_a_draft_session_only_once_published(plan, login):
    draft = SessionFactory(
        dialogue=plan["dialogue"], title="New round", status="draft", level=level("Programme")
    )
    draft.attendances.create(membership=plan["participant"])
    AgendaItemFactory(session=draft, title="First idea", level=level("Programme"))
    participant = login(plan["participant"])
    assert (
        participant.get(
            reverse("dialogues:session_detail", args=[draft.dialogue_id, draft.pk])
        ).status_code
        == 404
    )
    agenda_publish(session=draft)
    page = participant.get(reverse("dialogues:session_detail", args=[draft.dialogue_id, draft.pk]))
    assert page.status_code == 200
    assert [i.title for i in page.context["published_items"]] == ["First idea"]


# -- who may plan ---------------------------------------------------------------------------------


PLANNER_URLS = [
    ("GET", "agenda_edit", ()),
    ("GET", "session_edit", ()),
    ("POST", "agenda_item_create", ()),
    ("POST", "agenda_publish", ()),
    ("GET", "agenda_item_edit", ("item",)),
    ("POST", "agenda_item_edit", ("item",)),
    ("POST", "agenda_item_delete", ("item",)),
    ("POST", "agenda_item_move", ("item",)),
]


@pytest.mark.parametrize(
    "who", ["participant", "observer", "rapporteur", "outsider", "other_facilitator"]
)
def test_only_the_convening_team_reaches_the_planner(world, login, who):
    if who == "other_facilitator":
        member = member_with_account(
            dialogue=world["elsewhere"], role=Membership.Role.CONVENOR, clearance="Restricted"
        )
    else:
        member = world[who]
    client = login(member)
    session = world["round_1"]
    item = world["items"]["Public"]
    before = (
        list(AgendaItem.objects.values_list("pk", "title", "order", "edit_revision")),
        Session.objects.get(pk=session.pk).published_version,
    )
    statuses = []
    for method, name, extra in PLANNER_URLS:
        args = [item.pk] if extra else []
        target = url(name, session, *args)
        data = (
            item_post(level("Public"), title="Hijack", direction="up") if method == "POST" else None
        )
        response = client.post(target, data) if method == "POST" else client.get(target)
        statuses.append(response.status_code)
    statuses.append(
        client.get(reverse("dialogues:session_create", args=[session.dialogue_id])).status_code
    )
    assert statuses == [404] * (len(PLANNER_URLS) + 1)
    after = (
        list(AgendaItem.objects.values_list("pk", "title", "order", "edit_revision")),
        Session.objects.get(pk=session.pk).published_version,
    )
    assert after == before


def test_an_item_of_another_session_is_404(plan):
    other = SessionFactory(dialogue=plan["dialogue"], level=level("Public"))
    item = plan["items"]["Public"]
    response = plan["client"].get(url("agenda_item_edit", other, item.pk))
    assert response.status_code == 404


# -- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 60])
def test_agenda_editor_query_count_does_not_grow(login, django_assert_num_queries, size):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    session = SessionFactory(dialogue=convenor.dialogue, level=level("Programme"))
    for n in range(size):
        AgendaItemFactory(
            session=session,
            title=f"Item {n}",
            room="Hall",
            level=level("Restricted"),
            readers=[convenor.person],
        )
    agenda_publish(session=session)
    AgendaItemFactory(session=session, title="After", level=level("Programme"))
    client = login(convenor)
    client.get(url("agenda_edit", session))
    # 19: the published version's readers are fetched too, to list reader changes, and one
    # query writes the audit entry of what the page shows (trackii.audit.reads).
    with django_assert_num_queries(16):
        response = client.get(url("agenda_edit", session))
    assert len(response.context["items"]) == size + 1


@pytest.mark.parametrize("size", [3, 40])
def test_session_form_query_count_does_not_grow(login, django_assert_num_queries, size):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    side = SideFactory(dialogue=convenor.dialogue)
    for _ in range(size):
        member_with_account(dialogue=convenor.dialogue, side=side)
    session = SessionFactory(dialogue=convenor.dialogue, level=level("Programme"))
    client = login(convenor)
    client.get(url("session_edit", session))
    # One query writes the audit entry of what the page shows (trackii.audit.reads).
    with django_assert_num_queries(15):
        response = client.get(url("session_edit", session))
    assert len(response.context["form"].fields["attendees"].queryset) == size + 1


@pytest.mark.parametrize("size", [3, 40])
def test_agenda_item_edit_page_query_count_does_not_grow(login, django_assert_num_queries, size):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    for _ in range(size):
        member_with_account(dialogue=convenor.dialogue)
    session = SessionFactory(dialogue=convenor.dialogue, level=level("Programme"))
    item = AgendaItemFactory(session=session, level=level("Restricted"), readers=[convenor.person])
    client = login(convenor)
    client.get(url("agenda_item_edit", session, item.pk))
    # One query writes the audit entry of what the page shows (trackii.audit.reads).
    with django_assert_num_queries(14):
        response = client.get(url("agenda_item_edit", session, item.pk))
    assert len(response.context["form"].fields["moderator"].queryset) == size + 1


@pytest.mark.parametrize("size", [3, 40])
def test_paper_upload_page_query_count_does_not_grow(login, django_assert_num_queries, size):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    for _ in range(size):
        member_with_account(dialogue=convenor.dialogue)
    session = SessionFactory(dialogue=convenor.dialogue, level=level("Programme"))
    page = (
        reverse("dialogues:document_upload", args=[session.dialogue_id]) + f"?session={session.pk}"
    )
    client = login(convenor)
    client.get(page)
    # One query writes the audit entry of what the page shows (trackii.audit.reads).
    with django_assert_num_queries(10):
        response = client.get(page)
    assert len(response.context["form"].fields["readers"].queryset) == size + 1
