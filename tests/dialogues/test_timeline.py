"""Timelines (issue 17): a dialogue's sessions on its Sessions tab, and all of a member's on the
home page, as a list or as a month (a table, Monday first), server-rendered. Only what the
confidentiality module lets the reader see appears (no Restricted session they are not named
on, no draft outside the convening team, nothing of another dialogue), in either view and in
the choice of the month to open on; the pages are recorded in the audit trail as their lists
are; their query counts do not grow with the sessions or the dialogues."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Dialogue, Session
from dialogues.timeline.months import Month, month_grid, session_days
from participants.models import Membership
from tests.factories import DialogueFactory, SessionFactory, level
from tests.world import dialogue, member_with_account, membership, session
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ROME = zoneinfo.ZoneInfo("Europe/Rome")


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME)


# -- reading a page -------------------------------------------------------------------------------

VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}


class Node:
    def __init__(self, tag: str, attrs, parent: Node | None):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        parts: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def all(self, tag: str, **attrs) -> list[Node]:
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and all(
                    value in (child.attrs.get(name.rstrip("_")) or "").split()
                    if name == "class_"
                    else child.attrs.get(name) == value
                    for name, value in attrs.items()
                ):
                    found.append(child)
                found.extend(child.all(tag, **attrs))
        return found


class Page(HTMLParser):
    """The page as a tree, enough to read its tables and links."""

    def __init__(self, html: str):
        super().__init__()
        self.root = self.current = Node("document", [], None)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def page_of(response) -> Node:
    assert response.status_code == 200
    return Page(response.content.decode()).root


def month_table(response) -> Node:
    [table] = page_of(response).all("table", class_="month")
    return table


def days_shown(response) -> dict[str, list[str]]:
    """Each day of the month view that lists sessions: its date, and each session's text."""
    return {
        cell.attrs["data-date"]: [item.text() for item in cell.all("li")]
        for cell in month_table(response).all("td")
        if "data-date" in cell.attrs and cell.all("li")
    }


def switch(response, label: str) -> list[tuple[str, str, bool]]:
    [nav] = page_of(response).all("nav", **{"aria-label": label})
    return [(a.text(), a.attrs["href"], "aria-current" in a.attrs) for a in nav.all("a")]


def month_links(response) -> list[tuple[str, str, str]]:
    [nav] = page_of(response).all("nav", **{"aria-label": "Months"})
    return [(a.attrs["rel"], a.text(), a.attrs["href"]) for a in nav.all("a")]


def list_tables(response) -> list[tuple[str, list[list[str]]]]:
    """The home page's list of sessions ahead: each month's caption and its rows' cells."""
    [section] = page_of(response).all("section", id="timeline")
    return [
        (
            table.all("caption")[0].text(),
            [[cell.text() for cell in row.all("td")] for row in table.all("tbody")[0].all("tr")],
        )
        for table in section.all("table")
    ]


# -- the world ------------------------------------------------------------------------------------


def day_session(of: Dialogue, title: str, level_name: str, start: datetime, **fields) -> Session:
    """A session of one day: from ``start`` for eight hours."""
    return SessionFactory(
        dialogue=of, title=title, level=level(level_name), start=start,
        end=start + timedelta(hours=8), **fields,
    )  # fmt: skip


@pytest.fixture
def timeline(db):
    """Salt River, January 2030 (venues in Rome, CET): a round from Thursday 31 January to
    Saturday 2 February; a session called off on the 25th; a Restricted session on the 20th
    naming the convenor only; a draft on the 12th. Its participant is also a member of Mountain
    Pass (a session on the 14th); Coastal Fisheries, which they are not in, meets on the 20th."""
    salt = dialogue(title="Salt River")
    convenor = member_with_account(
        dialogue=salt, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    participant = member_with_account(dialogue=salt, clearance="Restricted")
    sessions = {
        "round": session(salt, title="Winter round", level="Programme", start=rome(2030, 1, 31, 9)),
        "off": day_session(
            salt, "Called off", "Programme", rome(2030, 1, 25, 10), status=Session.Status.CANCELLED
        ),
        "restricted": day_session(
            salt, "Quiet talks", "Restricted", rome(2030, 1, 20, 15), readers=[convenor.person]
        ),
        "draft": day_session(
            salt, "Draft planning", "Programme", rome(2030, 1, 12, 9), status=Session.Status.DRAFT
        ),
    }
    mountain = dialogue(title="Mountain Pass")
    membership(person=participant.person, dialogue=mountain, clearance="Programme")
    sessions["pass"] = day_session(mountain, "Pass talks", "Public", rome(2030, 1, 14, 11))
    coastal = dialogue(title="Coastal Fisheries")
    member_with_account(dialogue=coastal, clearance="Restricted")
    sessions["harbour"] = day_session(coastal, "Harbour", "Public", rome(2030, 1, 20, 9))
    return {
        "salt": salt,
        "mountain": mountain,
        "convenor": convenor,
        "participant": participant,
        "sessions": sessions,
    }


def sessions_tab(of: Dialogue, query: str = "") -> str:
    return reverse("dialogues:sessions", args=[of.pk]) + query


def home(query: str = "") -> str:
    return reverse("home") + query


def session_url(key: str, world) -> str:
    row = world["sessions"][key]
    return reverse("dialogues:session_detail", args=[row.dialogue_id, row.pk])


# -- months and their days ------------------------------------------------------------------------


def test_a_month_is_read_from_its_address_and_nothing_else_is():
    assert Month.parse("2027-01") == Month(2027, 1)
    arabic_indic = "\u0662\u0660\u0662\u0667-\u0660\u0661"  # 2027-01 in other digits
    for value in ("2027-13", "2027-00", "2027-1", "27-01", "2027-01-01", arabic_indic, "junk", ""):
        assert Month.parse(value) is None, value
    assert Month.parse(None) is None
    assert Month.parse("0001-01") is None  # no day before it to widen the query by
    assert Month.parse("9999-12") is None
    assert Month(2027, 1).previous == Month(2026, 12)
    assert Month(2026, 12).following == Month(2027, 1)
    assert Month(2, 1).previous is None
    assert Month(9998, 12).following is None
    assert (Month(2027, 1).key, Month(2027, 1).label) == ("2027-01", "January 2027")


def test_the_month_starts_on_monday_and_a_session_is_on_each_of_its_days(timeline):
    winter = timeline["sessions"]["round"]  # Thu 31 Jan 09:00 to Sat 2 Feb 09:00, Rome
    january = month_grid(Month(2030, 1), [winter], today=date(2030, 1, 31))
    assert [abbreviation for abbreviation, _ in january.weekdays] == [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
    ]  # fmt: skip
    assert january.weekdays[0] == ("Mon", "Monday")
    # 1 January 2030 is a Tuesday: the first week begins on Monday 31 December 2029.
    assert [day.date for day in january.weeks[0]] == [
        date(2029, 12, 31) + timedelta(days=n) for n in range(7)
    ]
    assert [day.in_month for day in january.weeks[0]] == [False] + [True] * 6
    assert [day.date for day in january.weeks[-1]][:5] == [
        date(2030, 1, 28), date(2030, 1, 29), date(2030, 1, 30), date(2030, 1, 31),
        date(2030, 2, 1),
    ]  # fmt: skip
    listing = {
        day.date: [(e.session.title, e.starts, e.ends) for e in day.entries]
        for week in january.weeks
        for day in week
        if day.entries
    }
    # The days of February in its last week list nothing: they are February's.
    assert listing == {date(2030, 1, 31): [("Winter round", True, False)]}
    assert [day.date for week in january.weeks for day in week if day.today] == [date(2030, 1, 31)]
    february = month_grid(Month(2030, 2), [winter], today=date(2030, 1, 31))
    assert {
        day.date: [(e.session.title, e.starts, e.ends) for e in day.entries]
        for week in february.weeks
        for day in week
        if day.entries
    } == {
        date(2030, 2, 1): [("Winter round", False, False)],
        date(2030, 2, 2): [("Winter round", False, True)],
    }


def test_a_sessions_days_are_those_of_its_venue():
    # 23:30 UTC on 31 January is 08:30 on 1 February in Tokyo; ending at midnight ends the
    # day before.
    tokyo = Session(
        time_zone="Asia/Tokyo",
        start=datetime(2030, 1, 31, 23, 30, tzinfo=UTC),
        end=datetime(2030, 2, 1, 15, tzinfo=UTC),  # midnight in Tokyo
    )
    assert session_days(tokyo) == (date(2030, 2, 1), date(2030, 2, 1))
    new_york = Session(
        time_zone="America/New_York",
        start=datetime(2030, 2, 1, 1, tzinfo=UTC),  # 20:00 on 31 January there
        end=datetime(2030, 2, 1, 3, tzinfo=UTC),
    )
    assert session_days(new_york) == (date(2030, 1, 31), date(2030, 1, 31))


# -- a dialogue's timeline ------------------------------------------------------------------------


def test_the_sessions_tab_switches_between_list_and_month(timeline, login):
    client = login(timeline["participant"])
    tab = sessions_tab(timeline["salt"])
    listed = client.get(tab)
    assert switch(listed, "Views of the sessions") == [
        ("List", tab, True),
        ("Month", f"{tab}?view=month", False),
    ]
    # The list is the tab's table, as before.
    assert [s.title for s in listed.context["sessions"]] == ["Called off", "Winter round"]
    assert page_of(listed).all("table", class_="month") == []
    month = client.get(tab + "?view=month&month=2030-01")
    assert switch(month, "Views of the sessions") == [
        ("List", tab, False),
        ("Month", f"{tab}?view=month&month=2030-01", True),
    ]
    assert page_of(month).all("table", class_="table--stack") == []


def test_the_month_view_shows_exactly_what_the_reader_may_see(timeline, login):
    salt = timeline["salt"]
    response = login(timeline["participant"]).get(sessions_tab(salt, "?view=month&month=2030-01"))
    table = month_table(response)
    assert table.all("caption")[0].text() == "January 2030"
    assert [(th.text(), th.all("abbr")[0].attrs["title"]) for th in table.all("th")] == [
        ("Mon", "Monday"), ("Tue", "Tuesday"), ("Wed", "Wednesday"), ("Thu", "Thursday"),
        ("Fri", "Friday"), ("Sat", "Saturday"), ("Sun", "Sunday"),
    ]  # fmt: skip
    assert [len(row.all("td")) for row in table.all("tbody")[0].all("tr")] == [7] * 5
    # Not the Restricted session (not named), not the draft, nothing of another dialogue.
    assert days_shown(response) == {
        "2030-01-25": ["Called off Fri 25 Jan 2030, 10:00 CET Programme Cancelled"],
        "2030-01-31": ["Winter round Thu 31 Jan 2030, 09:00 CET Programme"],
    }
    content = response.content.decode()
    for hidden in ("Quiet talks", "Draft planning", "Harbour", "Pass talks"):
        assert hidden not in content
    assert [a.attrs["href"] for a in table.all("a")] == [
        session_url("off", timeline),
        session_url("round", timeline),
    ]
    assert month_links(response) == [
        ("prev", "← December 2029", sessions_tab(salt, "?view=month&month=2029-12")),
        ("next", "February 2030 →", sessions_tab(salt, "?view=month&month=2030-02")),
    ]


def test_a_session_of_several_days_is_on_each_of_them(timeline, login):
    response = login(timeline["participant"]).get(
        sessions_tab(timeline["salt"], "?view=month&month=2030-02")
    )
    assert days_shown(response) == {
        "2030-02-01": ["Winter round until Sat 2 Feb 2030, 09:00 CET Programme"],
        "2030-02-02": ["Winter round until Sat 2 Feb 2030, 09:00 CET Programme"],
    }
    assert page_of(response).all("p", class_="month__none") == []


def test_the_convening_team_sees_its_drafts_and_what_names_it(timeline, login):
    response = login(timeline["convenor"]).get(
        sessions_tab(timeline["salt"], "?view=month&month=2030-01")
    )
    assert days_shown(response) == {
        "2030-01-12": ["Draft planning Sat 12 Jan 2030, 09:00 CET Programme Draft"],
        "2030-01-20": ["Quiet talks Sun 20 Jan 2030, 15:00 CET Restricted"],
        "2030-01-25": ["Called off Fri 25 Jan 2030, 10:00 CET Programme Cancelled"],
        "2030-01-31": ["Winter round Thu 31 Jan 2030, 09:00 CET Programme"],
    }


def test_a_month_without_sessions_says_so(timeline, login):
    response = login(timeline["participant"]).get(
        sessions_tab(timeline["salt"], "?view=month&month=2030-03")
    )
    assert days_shown(response) == {}
    [none] = page_of(response).all("p", class_="month__none")
    assert none.text() == "No sessions you can see in March 2030."


def test_the_month_view_is_for_members_only(timeline, login):
    outsider = member_with_account(dialogue=DialogueFactory(), clearance="Restricted")
    response = login(outsider).get(sessions_tab(timeline["salt"], "?view=month&month=2030-01"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    ["?view=month&month=2030-13", "?view=month&month=junk", "?view=month&month=2030-01-01"],
)
def test_a_month_that_does_not_fit_opens_the_default_one(timeline, login, query):
    client = login(timeline["participant"])
    expected = client.get(sessions_tab(timeline["salt"], "?view=month"))
    response = client.get(sessions_tab(timeline["salt"], query))
    assert response.context["timeline"].grid.month == expected.context["timeline"].grid.month


def test_a_view_that_does_not_fit_is_the_list(timeline, login):
    response = login(timeline["participant"]).get(sessions_tab(timeline["salt"], "?view=year"))
    assert response.context["timeline"].view == "list"
    assert [s.title for s in response.context["sessions"]] == ["Called off", "Winter round"]


def test_the_month_opens_on_the_next_session_the_reader_may_see(login):
    """The next session ahead, not called off, that the reader may see, on the Sessions tab and
    on the home page: a Restricted session sooner (not named), a draft sooner, a session called
    off sooner and another dialogue's sooner do not move it."""
    now = timezone.now()
    salt = dialogue(title="Salt River")
    convenor = member_with_account(
        dialogue=salt, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    participant = member_with_account(dialogue=salt, clearance="Restricted")
    session(salt, title="Past", level="Programme", start=now - timedelta(days=90), days=1)
    session(
        salt,
        title="Hidden",
        level="Restricted",
        start=now + timedelta(days=40),
        readers=[convenor.person],
    )
    session(
        salt,
        title="Draft",
        level="Programme",
        start=now + timedelta(days=41),
        status=Session.Status.DRAFT,
    )
    session(
        salt,
        title="Off",
        level="Programme",
        start=now + timedelta(days=42),
        status=Session.Status.CANCELLED,
    )
    elsewhere = member_with_account(dialogue=DialogueFactory(), clearance="Restricted")
    session(elsewhere.dialogue, title="Elsewhere", level="Public", start=now + timedelta(days=40))
    ahead = session(salt, title="Ahead", level="Programme", start=now + timedelta(days=100))
    expected = Month.of(ahead.start.astimezone(ahead.tz).date())
    client = login(participant)
    response = client.get(sessions_tab(salt, "?view=month"))
    assert response.context["timeline"].grid.month == expected
    assert client.get(home("?view=month")).context["timeline"].grid.month == expected
    assert days_shown(response)[ahead.start.astimezone(ahead.tz).date().isoformat()] == [
        f"Ahead {ahead.start.astimezone(ahead.tz):%a %-d %b %Y, %H:%M %Z} Programme"
    ]
    # The convening team's next one is the Restricted session naming the convenor.
    hidden = Session.objects.get(title="Hidden")
    response = login(convenor).get(sessions_tab(salt, "?view=month"))
    assert response.context["timeline"].grid.month == Month.of(
        hidden.start.astimezone(hidden.tz).date()
    )


def test_without_a_session_ahead_the_month_is_this_one(login):
    member = member_with_account(dialogue=DialogueFactory())
    session(member.dialogue, level="Programme", start=timezone.now() - timedelta(days=60), days=1)
    this_month = Month.of(timezone.now().astimezone(UTC).date())  # the reader's zone: UTC
    client = login(member)
    response = client.get(sessions_tab(member.dialogue, "?view=month"))
    assert response.context["timeline"].grid.month == this_month
    assert client.get(home("?view=month")).context["timeline"].grid.month == this_month


# -- the home page's timeline ---------------------------------------------------------------------


def test_home_lists_the_sessions_ahead_by_month_naming_their_dialogue(timeline, login):
    SessionFactory(
        dialogue=timeline["mountain"],
        title="Spring walk",
        level=level("Programme"),
        start=rome(2030, 3, 2, 10),
        end=rome(2030, 3, 2, 16),
        city="Pass town",
    )
    SessionFactory(  # over: not ahead
        dialogue=timeline["salt"],
        title="Long ago",
        level=level("Programme"),
        start=datetime(2020, 1, 1, 9, tzinfo=UTC),
        end=datetime(2020, 1, 1, 17, tzinfo=UTC),
    )
    response = login(timeline["participant"]).get(home())
    assert list_tables(response) == [
        (
            "January 2030",
            [
                ["Mon 14 Jan 2030, 11:00 CET", "Pass talks", "Mountain Pass", "Valdera",
                 "Published", "Public"],
                ["Fri 25 Jan 2030, 10:00 CET", "Called off", "Salt River", "Valdera",
                 "Cancelled", "Programme"],
                ["Thu 31 Jan 2030, 09:00 CET", "Winter round", "Salt River", "Valdera",
                 "Published", "Programme"],
            ],
        ),
        (
            "March 2030",
            [["Sat 2 Mar 2030, 10:00 CET", "Spring walk", "Mountain Pass", "Pass town",
              "Published", "Programme"]],
        ),
    ]  # fmt: skip
    assert switch(response, "Views of my timeline") == [
        ("List", "/#timeline", True),
        ("Month", "/?view=month#timeline", False),
    ]
    # The dialogues' cards are there as before.
    assert [d.title for d in response.context["dialogues"]] == ["Mountain Pass", "Salt River"]
    assert "Quiet talks" not in response.content.decode()
    assert "Harbour" not in response.content.decode()


def test_home_month_shows_every_dialogue_of_the_reader_and_nothing_else(timeline, login):
    response = login(timeline["participant"]).get(home("?view=month&month=2030-01"))
    assert days_shown(response) == {
        "2030-01-14": ["Pass talks Mountain Pass Mon 14 Jan 2030, 11:00 CET Public"],
        "2030-01-25": ["Called off Salt River Fri 25 Jan 2030, 10:00 CET Programme Cancelled"],
        "2030-01-31": ["Winter round Salt River Thu 31 Jan 2030, 09:00 CET Programme"],
    }
    content = response.content.decode()
    for hidden in ("Quiet talks", "Draft planning", "Harbour", "Coastal Fisheries"):
        assert hidden not in content
    assert month_links(response) == [
        ("prev", "← December 2029", "/?view=month&month=2029-12#timeline"),
        ("next", "February 2030 →", "/?view=month&month=2030-02#timeline"),
    ]
    assert switch(response, "Views of my timeline") == [
        ("List", "/#timeline", False),
        ("Month", "/?view=month&month=2030-01#timeline", True),
    ]


def test_home_month_shows_the_convening_team_its_drafts(timeline, login):
    response = login(timeline["convenor"]).get(home("?view=month&month=2030-01"))
    assert days_shown(response) == {
        "2030-01-12": ["Draft planning Salt River Sat 12 Jan 2030, 09:00 CET Programme Draft"],
        "2030-01-20": ["Quiet talks Salt River Sun 20 Jan 2030, 15:00 CET Restricted"],
        "2030-01-25": ["Called off Salt River Fri 25 Jan 2030, 10:00 CET Programme Cancelled"],
        "2030-01-31": ["Winter round Salt River Thu 31 Jan 2030, 09:00 CET Programme"],
    }


def test_home_month_opens_on_the_next_session_the_reader_may_see(timeline, login):
    # The participant's next session ahead is Mountain Pass's on 14 January 2030 (Salt River's
    # draft of the 12th is not theirs to see).
    response = login(timeline["participant"]).get(home("?view=month"))
    assert response.context["timeline"].grid.month == Month(2030, 1)
    assert list(days_shown(response)) == ["2030-01-14", "2030-01-25", "2030-01-31"]


# -- the audit trail ------------------------------------------------------------------------------


def reads(member) -> list[tuple[str, str, str]]:
    return list(
        AuditEntry.objects.filter(actor=member.person.user)
        .order_by("pk")
        .values_list("action", "content_type__model", "object_id")
    )


def test_the_month_views_are_recorded_as_the_lists_are(timeline, login):
    participant = timeline["participant"]
    client = login(participant)
    client.get(sessions_tab(timeline["salt"], "?view=month&month=2030-01"))
    assert reads(participant) == [("viewed", "dialogue", str(timeline["salt"].pk))]
    client.get(home("?view=month&month=2030-01"))
    client.get(home())
    salt, mountain = str(timeline["salt"].pk), str(timeline["mountain"].pk)
    assert sorted(reads(participant)[1:]) == sorted(
        [("viewed", "dialogue", salt), ("viewed", "dialogue", mountain)] * 2
    )


# -- query counts: the same literal at two sizes --------------------------------------------------


def build_month(member, size: int) -> Dialogue:
    """``size`` sessions the member sees in January 2030, of several days each, and as many
    Restricted ones that do not name them."""
    of = member.dialogue
    for n in range(size):
        start = rome(2030, 1, 1 + n % 28, 9)
        SessionFactory(dialogue=of, title=f"Seen {n}", level=level("Programme"), start=start)
        SessionFactory(dialogue=of, title=f"Hidden {n}", level=level("Restricted"), start=start)
    return of


@pytest.mark.parametrize("size", [2, 30])
def test_sessions_tab_month_query_count_does_not_grow(login, django_assert_num_queries, size):
    member = member_with_account(dialogue=DialogueFactory())
    of = build_month(member, size)
    client = login(member)
    url = sessions_tab(of, "?view=month&month=2030-01")
    client.get(url)  # warm caches (content types, session)
    # As the list's (6): the month's sessions instead of the list's.
    with django_assert_num_queries(6):
        response = client.get(url)
    grid = response.context["timeline"].grid
    assert len({e.session.pk for week in grid.weeks for day in week for e in day.entries}) == size
    # Without a month named: one more, for the month to open on.
    with django_assert_num_queries(7):
        client.get(sessions_tab(of, "?view=month"))


@pytest.mark.parametrize("size", [2, 10])
@pytest.mark.parametrize("query", ["", "?view=month", "?view=month&month=2030-01"])
def test_home_timeline_query_count_does_not_grow(login, django_assert_num_queries, size, query):
    member = member_with_account(dialogue=DialogueFactory())
    build_month(member, 3)
    for _ in range(size - 1):
        other = member_with_account(dialogue=DialogueFactory())
        Membership.objects.filter(pk=other.pk).update(person=member.person)
        build_month(other, 3)
    client = login(member)
    client.get(home(query))
    # As the home page's without a timeline (10): the timeline reads nothing more.
    with django_assert_num_queries(7):
        response = client.get(home(query))
    assert len(response.context["dialogues"]) == size
    timeline = response.context["timeline"]
    shown = (
        {e.session.pk for week in timeline.grid.weeks for day in week for e in day.entries}
        if timeline.grid
        else {s.pk for group in timeline.upcoming for s in group.sessions}
    )
    assert len(shown) == 3 * size
