"""Reuse (issue 17): an earlier round's agenda copied onto a new round, and agenda templates
saved per dialogue. A copy or a template holds only what its maker may see, keeps each item's
level, names no readers; times keep their day of the round and their time on the venue's
clock; a copy is all or nothing."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from dialogues.confidentiality import viewer_for_user
from dialogues.models import AgendaItem, AgendaTemplate, AgendaTemplateItem, Session
from dialogues.reuse import services
from dialogues.reuse.drafts import WallClock, drafts_of_template, place
from participants.models import Membership
from tests.conftest import enable_mfa, sign_in
from tests.factories import SessionFactory, level
from tests.world import agenda_item, dialogue, member_with_account, session
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
AMMAN = ZoneInfo("Asia/Amman")
R = Membership.Role


def rome(day, hour, minute=0):
    return datetime(2027, 3, day, hour, minute, tzinfo=ROME)


def amman(month, day, hour, minute=0):
    return datetime(2027, month, day, hour, minute, tzinfo=AMMAN)


@pytest.fixture
def rounds(db):
    """The Salt River Dialogue: Round 1 in Rome (two days, Public) with items at every level,
    among them a Restricted one named for the convenor only and a Public one with a named
    reader; Round 2 in Amman (two days, Public) with one item already on its agenda; the
    convenor (Restricted), a co-facilitator cleared Facilitators, a facilitator cleared
    Participants, a participant; and another dialogue with its own member."""
    salt = dialogue(title="Salt River")
    convenor = member_with_account(dialogue=salt, role=R.CONVENOR, clearance="Restricted")
    co = member_with_account(dialogue=salt, role=R.FACILITATOR, clearance="Facilitators")
    junior = member_with_account(dialogue=salt, role=R.FACILITATOR, clearance="Participants")
    participant = member_with_account(dialogue=salt, clearance="Participants")
    round_1 = session(
        salt,
        title="Round 1",
        level="Public",
        time_zone="Europe/Rome",
        start=rome(15, 9),
        days=1,
        status=Session.Status.HELD,
    )
    Session.objects.filter(pk=round_1.pk).update(end=rome(16, 17))
    round_1.refresh_from_db()

    def item(title, lvl, start, end, **fields):
        return agenda_item(round_1, title=title, level=lvl, start=start, end=end, **fields)

    source = {
        "Opening": item(
            "Opening",
            "Public",
            rome(15, 9, 30),
            rome(15, 10, 15),
            room="Sala Grande",
            moderator=convenor,
            readers=[participant.person],
            order=1,
        ),
        "Mapping the basin": item(
            "Mapping the basin",
            "Participants",
            rome(15, 11),
            rome(15, 12, 30),
            kind="breakout",
            order=2,
        ),
        "Team huddle": item("Team huddle", "Facilitators", rome(16, 9), rome(16, 9, 30), order=3),
        "Back channel": item(
            "Back channel",
            "Restricted",
            rome(16, 14),
            rome(16, 15),
            readers=[convenor.person],
            order=4,
        ),
        "Informal dinner": item("Informal dinner", "Programme", None, None, order=5),
    }
    round_2 = session(
        salt,
        title="Round 2",
        level="Public",
        time_zone="Asia/Amman",
        start=amman(6, 7, 8),
        days=1,
        status=Session.Status.DRAFT,
    )
    Session.objects.filter(pk=round_2.pk).update(end=amman(6, 8, 18))
    round_2.refresh_from_db()
    existing = agenda_item(round_2, title="Already there", level="Public", order=1)

    elsewhere = dialogue(title="Coastal Fisheries")
    outsider = member_with_account(dialogue=elsewhere, role=R.CONVENOR, clearance="Restricted")
    harbour = session(elsewhere, title="Harbour", level="Public")
    agenda_item(harbour, title="Harbour item", level="Public")
    return {
        "dialogue": salt,
        "convenor": convenor,
        "co": co,
        "junior": junior,
        "participant": participant,
        "round_1": round_1,
        "round_2": round_2,
        "source": source,
        "existing": existing,
        "outsider": outsider,
        "harbour": harbour,
    }


def viewer(member):
    return viewer_for_user(member.person.user)


def client_for(member) -> Client:
    user = member.person.user
    if member.role in (R.CONVENOR, R.FACILITATOR):
        enable_mfa(user)
    return sign_in(Client(), user)


def url(name, session, *extra):
    return reverse(f"dialogues:{name}", args=[session.dialogue_id, session.pk, *extra])


def agenda_of(session):
    return list(AgendaItem.objects.filter(session=session).order_by("order"))


def readers_of(items):
    return {i.title: {p.pk for p in i.readers.all()} for i in items}


def template_of(rounds, by="co", name="Two-day round"):
    template, _ = services.agenda_template_save(
        viewer=viewer(rounds[by]),
        session=rounds["round_1"],
        name=name,
        by=rounds[by].person.user,
    )
    return template


# -- copying an earlier round ---------------------------------------------------------------------


def test_a_co_facilitator_copies_every_item_but_the_restricted_one_with_no_readers(rounds):
    co = rounds["co"]
    created = services.agenda_copy_from_session(
        viewer=viewer(co),
        session=rounds["round_2"],
        source=rounds["round_1"],
        by=co.person.user,
    )
    agenda = agenda_of(rounds["round_2"])
    assert agenda[0] == rounds["existing"]
    assert agenda[1:] == created
    assert [(i.order, i.title, i.level.name, i.kind) for i in created] == [
        (2, "Opening", "Public", "plenary"),
        (3, "Mapping the basin", "Participants", "breakout"),
        (4, "Team huddle", "Facilitators", "plenary"),
        (5, "Informal dinner", "Programme", "plenary"),
    ]
    # No reader of the source is copied: whoever copies is named, as on every new item.
    assert readers_of(created) == {i.title: {co.person.pk} for i in created}
    assert [i.moderator for i in created] == [rounds["convenor"], None, None, None]
    assert [i.room for i in created] == ["Sala Grande", "", "", ""]
    assert not AgendaItem.objects.filter(title="Back channel", session=rounds["round_2"]).exists()


def test_times_keep_their_day_and_their_wall_clock_in_the_new_venue(rounds):
    services.agenda_copy_from_session(
        viewer=viewer(rounds["convenor"]),
        session=rounds["round_2"],
        source=rounds["round_1"],
        by=rounds["convenor"].person.user,
    )
    times = {i.title: (i.start, i.end) for i in agenda_of(rounds["round_2"])}
    # 09:30 in Rome (CET, UTC+1) on the first day is 09:30 in Amman (UTC+3) on the first day.
    assert times == {
        "Already there": (None, None),
        "Opening": (
            datetime(2027, 6, 7, 6, 30, tzinfo=UTC),
            datetime(2027, 6, 7, 7, 15, tzinfo=UTC),
        ),
        "Mapping the basin": (
            datetime(2027, 6, 7, 8, tzinfo=UTC),
            datetime(2027, 6, 7, 9, 30, tzinfo=UTC),
        ),
        "Team huddle": (
            datetime(2027, 6, 8, 6, tzinfo=UTC),
            datetime(2027, 6, 8, 6, 30, tzinfo=UTC),
        ),
        "Back channel": (
            datetime(2027, 6, 8, 11, tzinfo=UTC),
            datetime(2027, 6, 8, 12, tzinfo=UTC),
        ),
        "Informal dinner": (None, None),
    }
    assert rounds["source"]["Opening"].start == datetime(2027, 3, 15, 8, 30, tzinfo=UTC)


def test_the_convenor_named_on_a_restricted_item_copies_it_named_for_themselves_only(rounds):
    convenor, participant = rounds["convenor"], rounds["participant"]
    services.agenda_copy_from_session(
        viewer=viewer(convenor),
        session=rounds["round_2"],
        source=rounds["round_1"],
        by=convenor.person.user,
    )
    copied = AgendaItem.objects.get(session=rounds["round_2"], title="Back channel")
    assert copied.level.name == "Restricted"
    assert {p.pk for p in copied.readers.all()} == {convenor.person.pk}
    opening = AgendaItem.objects.get(session=rounds["round_2"], title="Opening")
    assert participant.person.pk not in {p.pk for p in opening.readers.all()}


def test_a_copy_is_refused_as_a_whole_naming_each_item_and_nothing_is_written(rounds):
    salt = rounds["dialogue"]
    # One day only, at Participants, opening at 10:00 in Amman.
    short = SessionFactory(
        dialogue=salt,
        title="Short round",
        time_zone="Asia/Amman",
        start=amman(9, 1, 10),
        end=amman(9, 1, 18),
        level=level("Participants"),
    )
    with pytest.raises(ValidationError) as refused:
        services.agenda_copy_from_session(
            viewer=viewer(rounds["co"]),
            session=short,
            source=rounds["round_1"],
            by=rounds["co"].person.user,
        )
    assert refused.value.messages == [
        "“Opening” is at “Public”, below this session's level “Participants”: material can be "
        "narrowed, never widened.",
        "“Opening” would be at Wed 1 Sep 2027, 09:30 to Wed 1 Sep 2027, 10:15 (Asia/Amman), "
        "outside this session's times.",
        "“Team huddle” is on day 2 of its agenda, and this session has 1 day.",
        "“Informal dinner” is at “Programme”, below this session's level “Participants”: "
        "material can be narrowed, never widened.",
    ]
    assert agenda_of(short) == []
    assert not AuditEntry.objects.filter(action="created").exists()


def test_the_copy_page_refuses_with_every_reason_and_writes_nothing(rounds):
    round_1 = rounds["round_1"]
    Session.objects.filter(pk=round_1.pk).update(level=level("Programme"))
    target = SessionFactory(
        dialogue=rounds["dialogue"],
        title="One day",
        time_zone="Europe/Rome",
        start=rome(22, 8),
        end=rome(22, 18),
        level=level("Public"),
    )
    client = client_for(rounds["co"])
    response = client.post(url("agenda_reuse_copy", target), {"source": round_1.pk})
    assert response.status_code == 400
    content = response.content.decode()
    assert "“Team huddle” is on day 2 of its agenda, and this session has 1 day." in content
    assert "Back channel" not in content
    assert agenda_of(target) == []


def test_a_copy_keeps_each_items_effective_level(rounds):
    """An item never below its session: a session raised after its items were planned lends
    them its level in the copy."""
    round_1 = rounds["round_1"]
    Session.objects.filter(pk=round_1.pk).update(level=level("Programme"))
    round_1.refresh_from_db()
    target = rounds["round_2"]
    Session.objects.filter(pk=target.pk).update(level=level("Programme"))
    services.agenda_copy_from_session(
        viewer=viewer(rounds["co"]), session=target, source=round_1, by=rounds["co"].person.user
    )
    levels = {i.title: i.level.name for i in agenda_of(target)[1:]}
    assert levels == {
        "Opening": "Programme",
        "Mapping the basin": "Participants",
        "Team huddle": "Facilitators",
        "Informal dinner": "Programme",
    }


# -- the page -------------------------------------------------------------------------------------


def test_the_page_lists_what_the_viewer_may_copy_and_previews_it(rounds):
    salt, round_1, round_2 = rounds["dialogue"], rounds["round_1"], rounds["round_2"]
    secret = SessionFactory(dialogue=salt, title="Secret talks", level=level("Restricted"))
    secret.readers.set([rounds["convenor"].person])
    agenda_item(
        secret, title="Secret item", level="Restricted", readers=[rounds["convenor"].person]
    )
    empty = SessionFactory(dialogue=salt, title="No agenda yet", level=level("Public"))
    template_of(rounds)
    client = client_for(rounds["co"])
    page = client.get(url("agenda_reuse", round_2))
    assert page.status_code == 200
    assert [(s.session.title, s.items) for s in page.context["sources"]] == [("Round 1", 4)]
    assert [t.name for t in page.context["templates"]] == ["Two-day round"]
    assert page.context["preview"] is None
    content = page.content.decode()
    assert "Secret talks" not in content
    assert empty.title not in content

    preview = client.get(url("agenda_reuse", round_2), {"source": round_1.pk})
    assert preview.status_code == 200
    assert [(p.title, p.level.name, p.problems) for p in preview.context["preview"]] == [
        ("Opening", "Public", ()),
        ("Mapping the basin", "Participants", ()),
        ("Team huddle", "Facilitators", ()),
        ("Informal dinner", "Programme", ()),
    ]
    content = preview.content.decode()
    assert "Back channel" not in content
    assert '<time datetime="2027-06-07T09:30:00+03:00">Mon 7 Jun 2027, 09:30</time>' in content
    assert "Copy 4 items onto this agenda" in content
    # The convenor, named on it, is offered it too.
    convenor_preview = client_for(rounds["convenor"]).get(
        url("agenda_reuse", round_2), {"source": round_1.pk}
    )
    assert [p.title for p in convenor_preview.context["preview"]] == [
        "Opening",
        "Mapping the basin",
        "Team huddle",
        "Back channel",
        "Informal dinner",
    ]


def test_a_session_or_template_the_viewer_may_not_see_is_404(rounds):
    salt, round_2 = rounds["dialogue"], rounds["round_2"]
    secret = SessionFactory(dialogue=salt, title="Secret talks", level=level("Restricted"))
    secret.readers.set([rounds["convenor"].person])
    agenda_item(
        secret, title="Secret item", level="Restricted", readers=[rounds["convenor"].person]
    )
    theirs = AgendaTemplate.objects.create(dialogue=rounds["harbour"].dialogue, name="Theirs")
    client = client_for(rounds["co"])
    for query in (
        {"source": secret.pk},
        {"source": rounds["harbour"].pk},
        {"source": round_2.pk},
        {"template": theirs.pk},
        {"source": "abc"},
        {"source": 2**70},
        {"template": 2**70},
        {"source": rounds["round_1"].pk, "template": theirs.pk},
    ):
        assert client.get(url("agenda_reuse", round_2), query).status_code == 404, query
    assert client.post(url("agenda_reuse_copy", round_2), {"source": secret.pk}).status_code == 404
    assert agenda_of(round_2) == [rounds["existing"]]


def test_the_preview_is_recorded_as_the_session_and_the_agenda_it_reads(rounds):
    round_1, round_2 = rounds["round_1"], rounds["round_2"]
    client = client_for(rounds["co"])
    client.get(url("agenda_reuse", round_2), {"source": round_1.pk})
    reads = AuditEntry.objects.filter(action="viewed").order_by("pk")
    assert [(e.content_type.model, e.object_id, e.detail) for e in reads] == [
        ("session", str(round_2.pk), {"page": "agenda_reuse"}),
        ("session", str(round_1.pk), {"page": "agenda_reuse", "reuse": "preview"}),
    ]


def test_copying_through_the_page_audits_each_item_and_goes_to_the_editor(rounds):
    round_1, round_2 = rounds["round_1"], rounds["round_2"]
    client = client_for(rounds["co"])
    response = client.post(url("agenda_reuse_copy", round_2), {"source": round_1.pk})
    assert response.status_code == 302
    assert response["Location"] == url("agenda_edit", round_2)
    created = agenda_of(round_2)[1:]
    entries = AuditEntry.objects.filter(action="created").order_by("pk")
    source = rounds["source"]
    assert [(e.object_id, e.detail) for e in entries] == [
        (str(copy.pk), {"reused": "item", "from_item": source[copy.title].pk}) for copy in created
    ]
    editor = client.get(response["Location"])
    assert "4 items copied from “<bdi>Round 1</bdi>”: check them below." in editor.content.decode()


# -- templates ------------------------------------------------------------------------------------


def test_a_template_keeps_what_its_maker_sees_with_days_wall_clock_and_levels(rounds):
    template = template_of(rounds)
    assert template.created_by == rounds["co"].person.user
    items = AgendaTemplateItem.objects.filter(template=template).order_by("order")
    assert [
        (i.order, i.title, i.day, i.start_time, i.end_time, i.level.name, i.kind, i.room)
        for i in items
    ] == [
        (1, "Opening", 0, time(9, 30), time(10, 15), "Public", "plenary", "Sala Grande"),
        (2, "Mapping the basin", 0, time(11), time(12, 30), "Participants", "breakout", ""),
        (3, "Team huddle", 1, time(9), time(9, 30), "Facilitators", "plenary", ""),
        (4, "Informal dinner", 0, None, None, "Programme", "plenary", ""),
    ]
    entry = AuditEntry.objects.get(action="created")
    assert (entry.content_type.model, entry.object_id, entry.detail) == (
        "agendatemplate",
        str(template.pk),
        {"from_session": rounds["round_1"].pk, "items": 4, "left_out_named": 0},
    )


def test_a_template_leaves_out_items_for_named_readers_and_says_so(rounds):
    client = client_for(rounds["convenor"])
    page = client.get(url("agenda_reuse", rounds["round_1"]))
    assert "1 item for named readers is not kept in templates." in page.content.decode()
    response = client.post(url("agenda_template_save", rounds["round_1"]), {"name": "Full"})
    assert response.status_code == 302
    template = AgendaTemplate.objects.get(name="Full")
    assert [i.title for i in template.items.order_by("order")] == [
        "Opening",
        "Mapping the basin",
        "Team huddle",
        "Informal dinner",
    ]
    after = client.get(response["Location"]).content.decode()
    assert (
        "Template “<bdi>Full</bdi>” saved. 1 item for named readers is not kept in templates."
        in after
    )


def test_a_template_name_is_unique_in_its_dialogue(rounds):
    template_of(rounds)
    client = client_for(rounds["convenor"])
    response = client.post(
        url("agenda_template_save", rounds["round_1"]), {"name": "two-day ROUND "}
    )
    assert response.status_code == 400
    form = response.context["template_form"]
    assert form.errors == {
        "name": [
            "This dialogue already has a template called “two-day ROUND”: choose another name."
        ]
    }
    assert AgendaTemplate.objects.count() == 1
    # Another dialogue may use the name.
    other = AgendaTemplate.objects.create(dialogue=rounds["harbour"].dialogue, name="Two-day round")
    assert other.pk


def test_applying_a_template_places_it_on_the_new_venues_days(rounds):
    template = template_of(rounds)
    client = client_for(rounds["convenor"])
    response = client.post(url("agenda_reuse_copy", rounds["round_2"]), {"template": template.pk})
    assert response.status_code == 302
    created = agenda_of(rounds["round_2"])[1:]
    assert [(i.title, i.start, i.end, i.level.name, i.moderator) for i in created] == [
        (
            "Opening",
            datetime(2027, 6, 7, 6, 30, tzinfo=UTC),
            datetime(2027, 6, 7, 7, 15, tzinfo=UTC),
            "Public",
            None,
        ),
        (
            "Mapping the basin",
            datetime(2027, 6, 7, 8, tzinfo=UTC),
            datetime(2027, 6, 7, 9, 30, tzinfo=UTC),
            "Participants",
            None,
        ),
        (
            "Team huddle",
            datetime(2027, 6, 8, 6, tzinfo=UTC),
            datetime(2027, 6, 8, 6, 30, tzinfo=UTC),
            "Facilitators",
            None,
        ),
        ("Informal dinner", None, None, "Programme", None),
    ]
    assert readers_of(created) == {i.title: {rounds["convenor"].person.pk} for i in created}
    template_items = {i.title: i.pk for i in template.items.all()}
    entries = AuditEntry.objects.filter(action="created", content_type__model="agendaitem")
    assert sorted((e.object_id, e.detail["from_template_item"]) for e in entries) == sorted(
        (str(i.pk), template_items[i.title]) for i in created
    )


def test_a_template_shows_and_applies_only_the_levels_the_viewer_may_read(rounds):
    template = template_of(rounds)
    junior = rounds["junior"]  # of the convening team, cleared Participants
    client = client_for(junior)
    page = client.get(url("agenda_reuse", rounds["round_2"]))
    assert [len(t.shown_items) for t in page.context["templates"]] == [3]
    preview = client.get(url("agenda_reuse", rounds["round_2"]), {"template": template.pk})
    assert [p.title for p in preview.context["preview"]] == [
        "Opening",
        "Mapping the basin",
        "Informal dinner",
    ]
    assert "Team huddle" not in preview.content.decode()
    client.post(url("agenda_reuse_copy", rounds["round_2"]), {"template": template.pk})
    assert [i.title for i in agenda_of(rounds["round_2"])] == [
        "Already there",
        "Opening",
        "Mapping the basin",
        "Informal dinner",
    ]
    # Nor does the junior's template hold more than they see.
    services.agenda_template_save(
        viewer=viewer(junior), session=rounds["round_1"], name="Junior's", by=None
    )
    kept = AgendaTemplate.objects.get(name="Junior's").items.values_list("title", flat=True)
    assert sorted(kept) == ["Informal dinner", "Mapping the basin", "Opening"]


def test_a_template_item_at_a_level_now_for_named_people_is_shown_to_nobody(rounds):
    template = template_of(rounds)
    restricted = level("Restricted")
    template.items.filter(title="Team huddle").update(level=restricted)
    shown = client_for(rounds["convenor"]).get(
        url("agenda_reuse", rounds["round_2"]), {"template": template.pk}
    )
    assert [p.title for p in shown.context["preview"]] == [
        "Opening",
        "Mapping the basin",
        "Informal dinner",
    ]


def test_deleting_a_template(rounds):
    template = template_of(rounds)
    client = client_for(rounds["junior"])
    response = client.post(url("agenda_template_delete", rounds["round_2"], template.pk))
    assert response.status_code == 302
    assert response["Location"] == url("agenda_reuse", rounds["round_2"])
    assert AgendaTemplate.objects.count() == 0
    assert AgendaTemplateItem.objects.count() == 0
    entry = AuditEntry.objects.get(action="deleted")
    assert (entry.content_type.model, entry.object_id, entry.detail) == (
        "agendatemplate",
        str(template.pk),
        {"items": 4},
    )
    theirs = AgendaTemplate.objects.create(dialogue=rounds["harbour"].dialogue, name="Theirs")
    refused = client.post(url("agenda_template_delete", rounds["round_2"], theirs.pk))
    assert refused.status_code == 404
    assert AgendaTemplate.objects.filter(pk=theirs.pk).exists()


# -- who may --------------------------------------------------------------------------------------


def test_a_participant_and_an_outsider_get_404_on_every_reuse_url(rounds):
    template = template_of(rounds)
    round_1, round_2 = rounds["round_1"], rounds["round_2"]
    requests = [
        ("get", url("agenda_reuse", round_2), {}),
        ("get", url("agenda_reuse", round_2), {"source": round_1.pk}),
        ("get", url("agenda_reuse", round_2), {"template": template.pk}),
        ("post", url("agenda_reuse_copy", round_2), {"source": round_1.pk}),
        ("post", url("agenda_reuse_copy", round_2), {"template": template.pk}),
        ("post", url("agenda_template_save", round_1), {"name": "Mine"}),
        ("post", url("agenda_template_delete", round_2, template.pk), {}),
    ]
    for who in ("participant", "outsider"):
        client = client_for(rounds[who])
        answers = [
            getattr(client, method)(path, data).status_code for method, path, data in requests
        ]
        assert answers == [404] * len(requests), who
        # A GET of an address that takes a POST is refused before anything is looked up.
        for path in (url("agenda_reuse_copy", round_2), url("agenda_template_save", round_1)):
            assert client.get(path).status_code == 405
    assert agenda_of(round_2) == [rounds["existing"]]
    assert list(AgendaTemplate.objects.values_list("name", flat=True)) == ["Two-day round"]
    assert not AuditEntry.objects.filter(action="viewed").exists()


# -- the placing itself ---------------------------------------------------------------------------


def test_a_template_slot_past_midnight_ends_on_the_next_day(rounds):
    template = AgendaTemplate.objects.create(dialogue=rounds["dialogue"], name="Late")
    item = AgendaTemplateItem.objects.create(
        template=template,
        order=1,
        day=0,
        start_time=time(22),
        end_time=time(0, 30),
        title="Night session",
        level=level("Programme"),
    )
    (draft,) = drafts_of_template([item])
    assert (draft.start, draft.end) == (WallClock(0, time(22)), WallClock(1, time(0, 30)))
    (placed,) = place([draft], rounds["round_2"])
    assert (placed.start, placed.end, placed.problems) == (
        datetime(2027, 6, 7, 19, tzinfo=UTC),
        datetime(2027, 6, 7, 21, 30, tzinfo=UTC),
        (),
    )


def test_wall_clock_survives_a_change_of_summer_time(rounds):
    """Rome in winter (CET) to Rome in summer (CEST): 09:30 stays 09:30."""
    summer = SessionFactory(
        dialogue=rounds["dialogue"],
        time_zone="Europe/Rome",
        start=datetime(2027, 7, 5, 8, tzinfo=ROME),
        end=datetime(2027, 7, 6, 18, tzinfo=ROME),
        level=level("Public"),
    )
    services.agenda_copy_from_session(
        viewer=viewer(rounds["co"]),
        session=summer,
        source=rounds["round_1"],
        by=rounds["co"].person.user,
    )
    opening = AgendaItem.objects.get(session=summer, title="Opening")
    assert opening.start == datetime(2027, 7, 5, 7, 30, tzinfo=UTC)  # 09:30 CEST


# -- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 12])
def test_the_reuse_page_query_count_does_not_grow(rounds, django_assert_num_queries, size):
    salt = rounds["dialogue"]
    for n in range(size):
        earlier = SessionFactory(
            dialogue=salt,
            title=f"Earlier {n}",
            level=level("Public"),
            start=datetime(2026, 1, 1 + n, 8, tzinfo=UTC),
            end=datetime(2026, 1, 1 + n, 18, tzinfo=UTC),
        )
        for m in range(size):
            agenda_item(earlier, title=f"E{n}.{m}", level="Programme", order=m + 1)
        agenda_item(rounds["round_2"], title=f"Here {n}", level="Public", order=n + 2)
        template_of(rounds, name=f"Template {n}")
    client = client_for(rounds["co"])
    page = url("agenda_reuse", rounds["round_2"])
    client.get(page, {"source": rounds["round_1"].pk})
    # 17: the account and its session (5), the viewer (3), the dialogue, this session and the
    # source, each agenda (2), the other sessions (2), the templates (2) and the audit entry.
    with django_assert_num_queries(14):
        response = client.get(page, {"source": rounds["round_1"].pk})
    assert len(response.context["sources"]) == size + 1
    assert len(response.context["templates"]) == size


def test_a_time_the_new_venues_clocks_skip_or_repeat_is_refused_naming_the_item(rounds):
    """Rome's clocks go forward at 02:00 on 28 March 2027 and back at 03:00 on 31 October."""
    template = AgendaTemplate.objects.create(dialogue=rounds["dialogue"], name="Night")
    for order, (title, start, end) in enumerate(
        [
            ("Skipped", time(2, 30), time(3, 30)),
            ("Evening", time(22), time(23)),
            ("Across", time(1, 30), time(3, 30)),
        ],
        start=1,
    ):
        AgendaTemplateItem.objects.create(
            template=template,
            order=order,
            day=0,
            start_time=start,
            end_time=end,
            title=title,
            level=level("Public"),
        )
    items = list(template.items.select_related("level").order_by("order"))

    def problems(start, end):
        target = SessionFactory(
            dialogue=rounds["dialogue"],
            time_zone="Europe/Rome",
            start=start,
            end=end,
            level=level("Public"),
        )
        return [p.problems for p in place(drafts_of_template(items), target)]

    spring = problems(datetime(2027, 3, 28, 0, tzinfo=ROME), datetime(2027, 3, 28, 23, tzinfo=ROME))
    assert spring == [
        ("“Skipped” would be at 02:30 on 28 Mar 2027, which does not exist in Europe/Rome.",),
        (),
        ("The clocks change in Europe/Rome during “Across”.",),
    ]
    repeated = AgendaTemplateItem(
        day=1, start_time=time(2, 30), title="Late", level=level("Public")
    )
    target = SessionFactory(
        dialogue=rounds["dialogue"],
        time_zone="Europe/Rome",
        start=datetime(2027, 10, 30, 21, tzinfo=ROME),
        end=datetime(2027, 10, 31, 23, tzinfo=ROME),
        level=level("Public"),
    )
    (placed,) = place(drafts_of_template([repeated]), target)
    assert placed.problems == (
        "“Late” would be at 02:30 on 31 Oct 2027, which happens twice in Europe/Rome.",
    )
