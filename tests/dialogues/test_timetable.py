"""The timetable of the agenda editor (issue 17): where items sit on the grid, moving and resizing
them (dragged: new times; from the keyboard: 15-minute steps), the moves refused with their
reasons and nothing changed (outside the session's days, no length, across a change of clocks),
duplicating an item, the new item's sensible defaults, and publishing through a preview that
shows who will be told what and does exactly that."""

import zoneinfo
from datetime import UTC, date, datetime, time

import pytest
from django.core import mail
from django.urls import reverse

from dialogues.models import AgendaItem, PublishedAgendaItem, Session
from dialogues.planning.forms import new_item_initial
from dialogues.planning.timetable import timetable_of
from participants.models import Membership
from tests.world import (
    agenda_item,
    attend,
    dialogue,
    member_with_account,
    session,
)
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ROME = zoneinfo.ZoneInfo("Europe/Rome")
R = Membership.Role


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME)


@pytest.fixture
def plan():
    """A two-day round in Rome (Mon 7 and Tue 8 June 2027), its convenor (cleared Restricted),
    a co-facilitator cleared Facilitators, a participant attending; items on both days, one
    Restricted item named for the convenor only."""
    talks = dialogue(title="Salt River", ground_rules="")
    convenor = member_with_account(dialogue=talks, role=R.CONVENOR, clearance="Restricted")
    co = member_with_account(dialogue=talks, role=R.FACILITATOR, clearance="Facilitators")
    participant = member_with_account(dialogue=talks, clearance="Participants")
    round_3 = session(
        talks,
        title="Round 3",
        level="Programme",
        start=rome(2027, 6, 7, 9, 0),
        days=1,
        time_zone="Europe/Rome",
    )
    Session.objects.filter(pk=round_3.pk).update(end=rome(2027, 6, 8, 17, 0))
    round_3.refresh_from_db()
    attend([participant], [round_3])
    items = {
        "welcome": agenda_item(
            round_3,
            level="Programme",
            title="Welcome",
            start=rome(2027, 6, 7, 9, 0),
            end=rome(2027, 6, 7, 9, 30),
            room="Sala Grande",
            order=1,
        ),
        "gauges": agenda_item(
            round_3,
            level="Participants",
            title="Gauge data",
            start=rome(2027, 6, 7, 9, 30),
            end=rome(2027, 6, 7, 11, 0),
            room="Sala Grande",
            order=2,
        ),
        "quiet": agenda_item(
            round_3,
            level="Restricted",
            title="Quiet word",
            start=rome(2027, 6, 8, 8, 0),
            end=rome(2027, 6, 8, 8, 45),
            room="Garden",
            order=3,
            readers=[convenor.person],
        ),
        "untimed": agenda_item(round_3, level="Programme", title="Excursion", order=4),
    }
    return {
        "dialogue": talks,
        "convenor": convenor,
        "co": co,
        "participant": participant,
        "session": round_3,
        "items": items,
    }


def url(name: str, plan, *args) -> str:
    s = plan["session"]
    return reverse(f"dialogues:{name}", args=[s.dialogue_id, s.pk, *args])


def times_of(item: AgendaItem) -> tuple[str, str]:
    item.refresh_from_db()
    return (
        item.start.astimezone(ROME).strftime("%d/%m %H:%M"),
        item.end.astimezone(ROME).strftime("%d/%m %H:%M"),
    )


# -- the grid --------------------------------------------------------------------------------------


def test_items_sit_on_their_day_at_their_time_in_15_minute_rows(plan):
    items = list(plan["session"].agenda_items.order_by("order"))
    grid = timetable_of(plan["session"], items, {})
    assert [(c.number, c.day, c.room) for c in grid.columns] == [
        (1, date(2027, 6, 7), None),
        (2, date(2027, 6, 8), None),
    ]
    # From 08:00 (the Tuesday's first item) to 18:00: 40 rows of 15 minutes.
    assert (grid.first, grid.rows) == (time(8, 0), 40)
    assert [(h.row, h.label) for h in grid.hours][:3] == [(1, "08:00"), (5, "09:00"), (9, "10:00")]
    assert [(p.item.title, p.column.number, p.row, p.span) for p in grid.placed] == [
        ("Welcome", 1, 5, 2),
        ("Gauge data", 1, 7, 6),
        ("Quiet word", 2, 1, 3),
    ]
    assert [i.title for i in grid.untimed] == ["Excursion"]


def test_a_day_with_rooms_in_parallel_gets_a_column_per_room_and_clashes_are_marked(plan):
    s = plan["session"]
    agenda_item(
        s,
        level="Programme",
        title="Breakout",
        start=rome(2027, 6, 7, 9, 30),
        end=rome(2027, 6, 7, 10, 30),
        room="Sala Piccola",
        order=5,
    )
    agenda_item(
        s,
        level="Programme",
        title="Overlap",
        start=rome(2027, 6, 7, 10, 0),
        end=rome(2027, 6, 7, 10, 30),
        room="sala grande",
        order=6,
    )
    from dialogues.planning.selectors import overlapping_items

    items = list(s.agenda_items.order_by("order"))
    grid = timetable_of(s, items, overlapping_items(items))
    assert [(c.number, c.day.day, c.room) for c in grid.columns] == [
        (1, 7, "Sala Grande"),
        (2, 7, "Sala Piccola"),
        (3, 8, None),
    ]
    placed = {p.item.title: p for p in grid.placed}
    assert [(t, placed[t].column.number) for t in ("Welcome", "Breakout", "Overlap")] == [
        ("Welcome", 1),
        ("Breakout", 2),
        ("Overlap", 1),
    ]
    assert [o.title for o in placed["Overlap"].clashes] == ["Gauge data"]
    assert [o.title for o in placed["Gauge data"].clashes] == ["Overlap"]


def test_the_editor_shows_the_grid_by_classes_with_the_zone_and_no_inline_style(login, plan):
    html = login(plan["convenor"]).get(url("agenda_edit", plan)).content.decode()
    assert "Times in the venue's time zone (Europe/Rome), in steps of 15 minutes." in html
    welcome = plan["items"]["welcome"]
    assert (
        f'<article class="tt-item tt-col-1 tt-row-5 tt-span-2" id="tt-item-{welcome.pk}" '
        f'data-item data-column="1" data-row="5" data-span="2"'
    ) in html
    assert 'data-day="2027-06-07"' in html
    assert 'data-first="08:00"' in html
    assert (
        "style=" not in html.split('<section class="timetable-section"')[1].split("</section>")[0]
    )
    assert 'Excursion <span class="meta">(no time yet)</span>' in html


def test_the_co_facilitator_sees_no_restricted_item_on_the_grid(login, plan):
    html = login(plan["co"]).get(url("agenda_edit", plan)).content.decode()
    assert "Quiet word" not in html
    assert f'id="tt-item-{plan["items"]["quiet"].pk}"' not in html


# -- moving and resizing ------------------------------------------------------------------------


def test_a_dragged_item_takes_its_new_times_and_room(login, plan):
    client = login(plan["convenor"])
    gauges = plan["items"]["gauges"]
    response = client.post(
        url("agenda_item_retime", plan, gauges.pk),
        {"start": "2027-06-08 14:00", "end": "2027-06-08 15:30", "room": "Library"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert times_of(gauges) == ("08/06 14:00", "08/06 15:30")
    assert gauges.room == "Library"
    entry = AuditEntry.objects.filter(object_id=str(gauges.pk), action="changed").get()
    assert set(entry.detail["moved"]) == {"start", "end", "room"}


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("earlier", ("07/06 09:15", "07/06 10:45")),
        ("later", ("07/06 09:45", "07/06 11:15")),
        ("longer", ("07/06 09:30", "07/06 11:15")),
        ("shorter", ("07/06 09:30", "07/06 10:45")),
    ],
)
def test_each_keyboard_step_moves_or_resizes_by_15_minutes(login, plan, step, expected):
    client = login(plan["convenor"])
    gauges = plan["items"]["gauges"]
    response = client.post(url("agenda_item_retime", plan, gauges.pk), {"step": step})
    assert response.status_code == 302
    assert times_of(gauges) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"start": "2027-06-09 10:00", "end": "2027-06-09 11:00"},
            "Start: Agenda times must fall within the session.",
        ),
        (
            {"start": "2027-06-07 10:00", "end": "2027-06-07 10:00"},
            "End: The item must end after it starts.",
        ),
        (
            {"start": "07/06/2027 10:00", "end": "soon"},
            "End: Enter a date and time as "
            "day/month/year and 24-hour time, such as 14/03/2027 09:30.",
        ),
    ],
)
def test_a_bad_move_is_refused_on_the_editor_and_changes_nothing(login, plan, data, message):
    client = login(plan["convenor"])
    gauges = plan["items"]["gauges"]
    before = times_of(gauges)
    response = client.post(url("agenda_item_retime", plan, gauges.pk), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "“<bdi>Gauge data</bdi>” was not moved" in html
    assert f"<li>{message}</li>" in html
    assert times_of(gauges) == before


def test_a_welcome_made_shorter_than_nothing_is_refused(login, plan):
    client = login(plan["convenor"])
    welcome = plan["items"]["welcome"]
    client.post(url("agenda_item_retime", plan, welcome.pk), {"step": "shorter"})
    response = client.post(url("agenda_item_retime", plan, welcome.pk), {"step": "shorter"})
    assert response.status_code == 302
    assert times_of(welcome) == ("07/06 09:00", "07/06 09:15")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "“Welcome” moved.",
        "“Welcome” was not moved: End: The item must end after it starts.",
    ]


@pytest.fixture
def over_the_change(plan):
    """A round in Rome across the night the clocks go forward (Sun 28 March 2027, 02:00 ->
    03:00), with one item."""
    s = session(
        plan["dialogue"],
        title="Spring round",
        level="Programme",
        start=rome(2027, 3, 27, 9, 0),
        days=2,
        time_zone="Europe/Rome",
    )
    item = agenda_item(
        s,
        level="Programme",
        title="Night watch",
        start=rome(2027, 3, 27, 22, 0),
        end=rome(2027, 3, 27, 23, 0),
        order=1,
    )
    return s, item


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"start": "2027-03-28 01:30", "end": "2027-03-28 04:00"},
            "End: The clocks change in Europe/Rome during this item: end it before the change "
            "or start it after.",
        ),
        (
            {"start": "2027-03-28 02:30", "end": "2027-03-28 04:00"},
            "Start: There is no 02:30 on 28/03/2027 in Europe/Rome (the clocks go forward): "
            "choose a time outside that hour.",
        ),
    ],
)
def test_a_move_across_the_change_of_clocks_is_refused(login, plan, over_the_change, data, message):
    s, item = over_the_change
    client = login(plan["convenor"])
    response = client.post(
        reverse("dialogues:agenda_item_retime", args=[s.dialogue_id, s.pk, item.pk]),
        data,
        HTTP_HX_REQUEST="true",
    )
    assert f"<li>{message}</li>" in response.content.decode()
    assert times_of(item) == ("27/03 22:00", "27/03 23:00")
    # After the change, an item keeps its wall clock: 09:00 CEST.
    client.post(
        reverse("dialogues:agenda_item_retime", args=[s.dialogue_id, s.pk, item.pk]),
        {"start": "2027-03-28 09:00", "end": "2027-03-28 10:00"},
    )
    item.refresh_from_db()
    assert item.start == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)


def test_a_time_the_clocks_show_twice_is_refused_on_the_item_form(login, plan):
    s = session(
        plan["dialogue"],
        title="Autumn round",
        level="Programme",
        start=rome(2027, 10, 30, 9, 0),
        days=2,
        time_zone="Europe/Rome",
    )
    response = login(plan["convenor"]).post(
        reverse("dialogues:agenda_item_create", args=[s.dialogue_id, s.pk]),
        {
            "title": "Late talk",
            "kind": "plenary",
            "level": s.level_id,
            "start": "31/10/2027 02:30",
            "end": "31/10/2027 03:30",
        },
    )
    assert response.context["add_form"].errors == {
        "start": [
            "02:30 on 31/10/2027 happens twice in Europe/Rome (the clocks go back): choose a "
            "time outside that hour."
        ]
    }
    assert not s.agenda_items.exists()


def test_others_cannot_move_or_duplicate_what_they_may_not_plan_or_see(login, plan):
    quiet = plan["items"]["quiet"]
    before = times_of(quiet)
    for member in (plan["participant"], plan["co"]):
        client = login(member)
        for name, data in (
            ("agenda_item_retime", {"step": "later"}),
            ("agenda_item_duplicate", {}),
        ):
            assert client.post(url(name, plan, quiet.pk), data).status_code == 404
    assert times_of(quiet) == before
    assert plan["session"].agenda_items.count() == 4


# -- duplicating and defaults -------------------------------------------------------------------


def test_a_duplicate_follows_its_item_with_its_length_readers_and_place_in_the_order(login, plan):
    client = login(plan["convenor"])
    quiet = plan["items"]["quiet"]
    client.post(url("agenda_item_duplicate", plan, quiet.pk))
    copy = AgendaItem.objects.get(title="Quiet word (copy)")
    assert times_of(copy) == ("08/06 08:45", "08/06 09:30")
    assert (copy.room, copy.level, copy.kind) == (quiet.room, quiet.level, quiet.kind)
    assert list(copy.readers.all()) == [plan["convenor"].person]
    assert list(plan["session"].agenda_items.order_by("order").values_list("title", flat=True)) == [
        "Welcome",
        "Gauge data",
        "Quiet word",
        "Quiet word (copy)",
        "Excursion",
    ]


def test_a_new_item_starts_where_the_last_ends_as_long_as_it_in_its_room(plan):
    items = list(plan["session"].agenda_items.all())
    assert new_item_initial(plan["session"], items) == {
        "start": datetime(2027, 6, 8, 8, 45),
        "end": datetime(2027, 6, 8, 9, 30),
        "room": "Garden",
    }
    empty = session(
        plan["dialogue"],
        level="Programme",
        start=rome(2027, 7, 1, 9, 0),
        days=1,
        time_zone="Europe/Rome",
    )
    assert new_item_initial(empty, []) == {
        "start": datetime(2027, 7, 1, 9, 0),
        "end": datetime(2027, 7, 1, 10, 0),
        "room": "",
    }


# -- publishing through a preview -------------------------------------------------------------


def test_the_preview_tells_who_will_read_what_and_publishing_does_exactly_that(
    login, plan, django_capture_on_commit_callbacks
):
    client = login(plan["convenor"])
    preview = client.get(url("agenda_publish", plan)).context["preview"]
    assert not PublishedAgendaItem.objects.exists()  # the preview kept nothing
    assert [(c.kind, c.title) for c in preview.changes] == [
        ("added", "Welcome"),
        ("added", "Gauge data"),
        ("added", "Quiet word"),
        ("added", "Excursion"),
    ]
    participant = plan["participant"].person
    assert [(g.people, g.reads) for g in preview.groups] == [
        (
            [participant.full_name],
            [("Welcome", "new"), ("Gauge data", "new"), ("Excursion", "new")],
        )
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("agenda_publish", plan), {"fingerprint": preview.fingerprint})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[participant.user.email]]
    # What the participant reads is what the preview said.
    page = login(plan["participant"]).get(
        reverse("dialogues:session_detail", args=[plan["dialogue"].pk, plan["session"].pk])
    )
    assert [i.title for i in page.context["published_items"]] == [
        "Welcome",
        "Gauge data",
        "Excursion",
    ]


def test_the_co_facilitators_preview_shows_nothing_they_may_not_see(login, plan):
    preview = login(plan["co"]).get(url("agenda_publish", plan)).context["preview"]
    html = login(plan["co"]).get(url("agenda_publish", plan)).content.decode()
    assert "Quiet word" not in html
    assert [c.title for c in preview.changes] == ["Welcome", "Gauge data", "Excursion"]


def test_publishing_refuses_if_the_agenda_changed_since_the_preview(login, plan):
    client = login(plan["convenor"])
    preview = client.get(url("agenda_publish", plan)).context["preview"]
    AgendaItem.objects.filter(pk=plan["items"]["welcome"].pk).update(title="Welcome back")
    response = client.post(url("agenda_publish", plan), {"fingerprint": preview.fingerprint})
    assert response.status_code == 409
    assert "changed since your preview" in response.content.decode()
    assert not PublishedAgendaItem.objects.exists()
    assert response.context["preview"].fingerprint != preview.fingerprint


def test_a_room_clash_needs_an_explicit_confirmation(login, plan):
    s = plan["session"]
    agenda_item(
        s,
        level="Programme",
        title="Overlap",
        start=rome(2027, 6, 7, 10, 0),
        end=rome(2027, 6, 7, 10, 30),
        room="Sala Grande",
        order=9,
    )
    client = login(plan["convenor"])
    preview = client.get(url("agenda_publish", plan)).context["preview"]
    assert [(i.title, [o.title for o in others]) for i, others in preview.clashes] == [
        ("Gauge data", ["Overlap"]),
        ("Overlap", ["Gauge data"]),
    ]
    refused = client.post(url("agenda_publish", plan), {"fingerprint": preview.fingerprint})
    assert refused.status_code == 400
    assert "confirm that you publish it as it is" in refused.content.decode()
    assert not PublishedAgendaItem.objects.exists()
    done = client.post(
        url("agenda_publish", plan),
        {"fingerprint": preview.fingerprint, "confirm_clashes": "yes"},
    )
    assert done.status_code == 302
    s.refresh_from_db()
    assert s.published_version == 1
