"""The dialogue as a workspace with tabs: which tabs each reader gets, the overview (the next
session, and what needs action for the convening team, counted only over what the viewer may
see), the Sessions and Outcomes tabs, the audit entries of the Outcomes tab, the room at a
glance as one picture, and the query counts of the new pages at two sizes."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from dialogues.confidentiality import viewer_for_user
from dialogues.models import BriefingPack, BriefingPackCopy, Dialogue, Outcome, Session
from dialogues.outbound.services import outbound_raise_request
from dialogues.planning.services import agenda_publish
from dialogues.templatetags.workspace import WIDTH, strip_of
from dialogues.workspace.selectors import Breakdown, Count
from participants.models import GroundRulesAcceptance, Membership
from tests.factories import (
    AgendaItemFactory,
    DialogueFactory,
    OutcomeFactory,
    SessionFactory,
    level,
)
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

R = Membership.Role
S = Membership.State


def url(name: str, *args) -> str:
    return reverse(f"dialogues:{name}", args=args)


def tabs_of(content: str) -> list[tuple[str, bool]]:
    """The tabs a page shows, in order: (label, whether it is the current one)."""
    nav = re.search(r'<nav class="tabs".*?</nav>', content, flags=re.S)
    assert nav is not None
    return [
        (label, bool(current))
        for current, label in re.findall(
            r'<a class="tabs__tab" href="[^"]+"( aria-current="page")?>([^<]+)</a>', nav.group(0)
        )
    ]


def soon(days: float) -> dict:
    start = timezone.now() + timedelta(days=days)
    return {"start": start, "end": start + timedelta(hours=8)}


# -- the tabs -------------------------------------------------------------------------------------


def test_each_reader_gets_the_tabs_they_may_use(login, world):
    dialogue = world["dialogue"]
    overview = url("dialogue_detail", dialogue.pk)

    def tabs(member, page=overview):
        return tabs_of(login(world[member]).get(page).content.decode())

    # Every member gets the Outcomes tab, whether or not there is an outcome they may read.
    everyone = [
        ("Overview", True),
        ("Sessions", False),
        ("Papers", False),
        ("Outcomes", False),
        ("Ideas", False),
        ("Non-papers", False),
        ("Path", False),
    ]
    assert tabs("participant") == everyone
    assert tabs("observer") == everyone
    assert tabs("rapporteur") == everyone
    team = [
        ("Overview", True),
        ("Sessions", False),
        ("Roster", False),
        ("Papers", False),
        ("Outcomes", False),
        ("Ideas", False),
        ("Non-papers", False),
        ("Path", False),
        ("Packs", False),
        ("Officials", False),
        ("Changes", False),
        ("Reports", False),
    ]
    assert tabs("convenor") == team
    # An outcome the participant may read (their Participants consultation) changes no tab:
    # the tabs tell nobody whether there is something to read.
    OutcomeFactory(session=world["pre"], level=level("Participants"))
    assert tabs("participant") == everyone
    assert tabs("observer") == everyone
    # Each tab page marks itself; the roster's, the packs', the officials', the observed
    # changes' and the reports' pages carry the same tabs.
    for name, label in (
        ("sessions", "Sessions"),
        ("roster", "Roster"),
        ("documents", "Papers"),
        ("outcomes", "Outcomes"),
        ("ideas", "Ideas"),
        ("non_papers", "Non-papers"),
        ("path", "Path"),
        ("pack_list", "Packs"),
        ("official_list", "Officials"),
        ("changes", "Changes"),
        ("funder_reports", "Reports"),
    ):
        assert tabs("convenor", url(name, dialogue.pk)) == [
            (tab, tab == label) for tab, _current in team
        ], name


def test_the_tab_pages_answer_404_to_anyone_outside_the_dialogue(login, world, client):
    dialogue = world["dialogue"]
    pages = [url(name, dialogue.pk) for name in ("sessions", "documents", "outcomes")]
    outsider = login(world["outsider"])
    assert [outsider.get(page).status_code for page in pages] == [404, 404, 404]
    client.logout()
    assert [client.get(page).status_code for page in pages] == [302, 302, 302]
    participant = login(world["participant"])
    assert [participant.get(page).status_code for page in pages] == [200, 200, 200]


# -- the overview ---------------------------------------------------------------------------------


def test_the_next_session_is_the_first_the_viewer_may_see_that_has_not_ended(login, world):
    dialogue = world["dialogue"]
    Session.objects.filter(dialogue=dialogue).update(**soon(-30))  # the fixture's: over
    SessionFactory(dialogue=dialogue, title="Over", level=level("Public"), **soon(-1))
    SessionFactory(
        dialogue=dialogue,
        title="Called off",
        level=level("Public"),
        status=Session.Status.CANCELLED,
        **soon(1),
    )
    # Restricted to its readers: the observer may not know it, let alone that it comes first.
    SessionFactory(dialogue=dialogue, title="Quiet talks", level=level("Restricted"), **soon(2))
    SessionFactory(
        dialogue=dialogue,
        title="Round 2",
        level=level("Programme"),
        venue="Villa Serena",
        city="Lucca",
        time_zone="Europe/Rome",
        **soon(3),
    )
    SessionFactory(dialogue=dialogue, title="Round 3", level=level("Public"), **soon(10))
    response = login(world["observer"]).get(url("dialogue_detail", dialogue.pk))
    assert response.context["next_session"].title == "Round 2"
    content = response.content.decode()
    assert "Villa Serena, Lucca" in content
    assert "Quiet talks" not in content
    start = response.context["next_session"].start.astimezone(zoneinfo.ZoneInfo("Europe/Rome"))
    assert f'<time datetime="{start.isoformat()}">' in content
    assert url("session_detail", dialogue.pk, response.context["next_session"].pk) in content
    # Nothing to come: said so.
    Session.objects.filter(dialogue=dialogue).update(**soon(-5))
    content = login(world["observer"]).get(url("dialogue_detail", dialogue.pk)).content.decode()
    assert "No upcoming session you can see." in content


def ready_pack(dialogue, *, states=("ready",), released=False) -> BriefingPack:
    pack = BriefingPack.objects.create(
        dialogue=dialogue, released_at=timezone.now() if released else None
    )
    for number, state in enumerate(states, start=1):
        BriefingPackCopy.objects.create(
            pack=pack,
            number=number,
            total=len(states),
            recipient_name="An official",
            recipient_email=f"official{number}@ministry.example",
            clearance=level("Public"),
            state=state,
            sha256="0" * 64 if state == "ready" else "",
        )
    return pack


def test_what_needs_action_names_each_thing_with_its_count_and_where_it_is_done(login, world):
    dialogue = world["dialogue"]
    convenor = world["convenor"]
    # The roster: the fixture's nominee, two invited, and the ground rules changed since the
    # four accepted members who are not of the convening team accepted them.
    for _ in range(2):
        member_with_account(dialogue=dialogue, state=S.INVITED)
    Dialogue.objects.filter(pk=dialogue.pk).update(
        ground_rules="New rules.", ground_rules_version=2
    )
    accepted = world["participant"]
    GroundRulesAcceptance.objects.create(membership=accepted, version=1, text_sha256="0" * 64)
    GroundRulesAcceptance.objects.create(
        membership=world["other_side"], version=2, text_sha256="0" * 64
    )
    # Round 1's working agenda: one item added, one renamed since publishing.
    round_1 = world["round_1"]
    AgendaItemFactory(session=round_1, title="Added", level=level("Public"), order=50)
    world["items"]["Public"].title = "Renamed"
    world["items"]["Public"].save()
    # Packs: one every copy of which is ready (awaiting approval), one still rendering, one
    # released.
    ready_pack(dialogue, states=("ready", "ready"))
    ready_pack(dialogue, states=("ready", "queued"))
    ready_pack(dialogue, released=True)
    # A facilitator asks to raise what may leave; the convenor, cleared for it, may confirm.
    facilitator = member_with_account(dialogue=dialogue, role=R.FACILITATOR, clearance="Restricted")
    outbound_raise_request(
        dialogue=dialogue,
        to_level=level("Participants"),
        by=facilitator.person.user,
        viewer=viewer_for_user(facilitator.person.user),
    )
    response = login(convenor).get(url("dialogue_detail", dialogue.pk))
    roster = url("roster", dialogue.pk)
    assert [(t.label, t.count, t.url) for t in response.context["todos"]] == [
        ("Nominees awaiting vetting", 1, f"{roster}?state=nominated"),
        ("Invitations sent, not yet accepted", 2, f"{roster}?state=invited"),
        # The observer and the rapporteur: the participant accepted version 1 only.
        ("Members who have not accepted the ground rules", 3, roster),
        (
            "Agenda changes not yet published in “<bdi>Round 1</bdi>”",
            2,
            url("agenda_edit", dialogue.pk, round_1.pk),
        ),
        ("Briefing packs awaiting approval", 1, url("pack_list", dialogue.pk)),
        (
            "Requests awaiting your confirmation: raising what may leave Trackii",
            1,
            url("dialogue_edit", dialogue.pk) + "#outbound-h",
        ),
    ]
    content = response.content.decode()
    assert '<ul class="todo-list">' in content
    assert (
        f'<li class="todo"><a href="{roster}?state=nominated">Nominees awaiting vetting</a> '
        '<span class="pill pill--warn">1</span></li>'
    ) in content
    # The one who asked is not the one to confirm: nothing waits for the facilitator there.
    labels = [
        t.label
        for t in login(facilitator).get(url("dialogue_detail", dialogue.pk)).context["todos"]
    ]
    assert "Requests awaiting your confirmation: raising what may leave Trackii" not in labels


def test_what_needs_action_counts_only_what_the_viewer_may_see(login, world):
    """A facilitator cleared Facilitators is told nothing of a Restricted session's unpublished
    agenda (they may not know it exists), nor of a Restricted item's in a session they see;
    the convenor, named on both, is told of each."""
    dialogue = world["dialogue"]
    convenor = world["convenor"]
    co = member_with_account(dialogue=dialogue, role=R.FACILITATOR, clearance="Facilitators")
    quiet = SessionFactory(
        dialogue=dialogue, title="Quiet talks", level=level("Restricted"), **soon(5)
    )
    quiet.readers.set([convenor.person])
    quiet_item = AgendaItemFactory(session=quiet, title="Quiet item", level=level("Restricted"))
    quiet_item.readers.set([convenor.person])
    round_1 = world["round_1"]
    hidden = AgendaItemFactory(session=round_1, title="Hidden item", level=level("Restricted"))
    hidden.readers.set([convenor.person])
    AgendaItemFactory(session=round_1, title="Open item", level=level("Facilitators"))

    def todos(member):
        response = login(member).get(url("dialogue_detail", dialogue.pk))
        return [(t.label, t.count) for t in response.context["todos"]], response.content.decode()

    seen_by_convenor, _ = todos(convenor)
    assert [t for t in seen_by_convenor if t[0].startswith("Agenda")] == [
        ("Agenda changes not yet published in “<bdi>Quiet talks</bdi>”", 1),
        ("Agenda changes not yet published in “<bdi>Round 1</bdi>”", 2),
    ]
    seen_by_co, content = todos(co)
    assert [t for t in seen_by_co if t[0].startswith("Agenda")] == [
        ("Agenda changes not yet published in “<bdi>Round 1</bdi>”", 1),
    ]
    for secret in ("Quiet talks", "Quiet item", "Hidden item"):
        assert secret not in content
    # Published: nothing is left to tell either of them.
    agenda_publish(session=round_1)
    agenda_publish(session=quiet)
    assert [t for t in todos(convenor)[0] if t[0].startswith("Agenda")] == []
    assert [t for t in todos(co)[0] if t[0].startswith("Agenda")] == []


def test_the_overview_counts_what_the_agenda_editor_lists(login, world):
    """Each session's count is the length of the list of changes its editor shows: named
    readers compared where a level names them, a move, a deletion."""
    dialogue, round_1, items = world["dialogue"], world["round_1"], world["items"]
    client = login(world["convenor"])

    def counted() -> list[tuple[str, int]]:
        todos = client.get(url("dialogue_detail", dialogue.pk)).context["todos"]
        return [(t.label, t.count) for t in todos if t.label.startswith("Agenda")]

    def listed() -> int:
        return len(client.get(url("agenda_edit", dialogue.pk, round_1.pk)).context["changes"])

    assert counted() == []
    items["Restricted"].readers.add(world["participant"].person)  # a reader added
    assert (
        counted()
        == [("Agenda changes not yet published in “<bdi>Round 1</bdi>”", 1)]
        == [("Agenda changes not yet published in “<bdi>Round 1</bdi>”", listed())]
    )
    items["Public"].delete()  # removed
    items["Programme"].readers.add(world["participant"].person)  # not a named level: no change
    assert counted() == [("Agenda changes not yet published in “<bdi>Round 1</bdi>”", 2)]
    assert listed() == 2


def test_participants_get_no_action_list_and_no_workspace_actions(login, world):
    dialogue = world["dialogue"]
    AgendaItemFactory(session=world["round_1"], title="Unpublished", level=level("Public"))
    response = login(world["participant"]).get(url("dialogue_detail", dialogue.pk))
    assert response.context["todos"] is None
    content = response.content.decode()
    assert "What needs action" not in content
    assert "Plan a session" not in content
    assert url("session_create", dialogue.pk) not in content
    convenor = login(world["convenor"]).get(url("dialogue_detail", dialogue.pk)).content.decode()
    assert convenor.index("Plan a session") < convenor.index("What needs action")
    assert f'<a class="btn" href="{url("session_create", dialogue.pk)}">Plan a session</a>' in (
        convenor
    )


def test_a_long_context_is_folded_and_the_ground_rules_stay_on_the_overview(login, world):
    dialogue = world["dialogue"]
    Dialogue.objects.filter(pk=dialogue.pk).update(context="Background. " * 100)
    content = login(world["convenor"]).get(url("dialogue_detail", dialogue.pk)).content.decode()
    assert '<details class="fold">\n        <summary>Context</summary>' in content
    Dialogue.objects.filter(pk=dialogue.pk).update(context="Short.", ground_rules="Chatham House.")
    content = login(world["convenor"]).get(url("dialogue_detail", dialogue.pk)).content.decode()
    assert "<summary>Context</summary>" not in content
    assert "<p>Short.</p>" in content
    assert '<h2 id="rules-h">Ground rules</h2>' in content
    assert "<p>Chatham House.</p>" in content


# -- the sessions tab -----------------------------------------------------------------------------


def test_the_sessions_tab_lists_what_the_viewer_may_see_as_stacking_rows(login, world):
    dialogue = world["dialogue"]
    observer = login(world["observer"]).get(url("sessions", dialogue.pk))
    assert [s.title for s in observer.context["sessions"]] == ["Round 1"]
    content = observer.content.decode()
    assert '<table class="table table--stack">' in content
    assert '<td data-label="Session"><a href=' in content
    assert "Pre-consultation A" not in content
    assert "Plan a session" not in content
    convenor = login(world["convenor"]).get(url("sessions", dialogue.pk))
    assert [s.title for s in convenor.context["sessions"]] == ["Round 1", "Pre-consultation A"]
    assert url("session_create", dialogue.pk) in convenor.content.decode()


# -- the outcomes tab -----------------------------------------------------------------------------


@pytest.fixture
def outcomes(world):
    """Outcomes of both sessions at several levels, with a speaker and an attributed record."""
    made = {}
    for key, session, name, position in (
        ("r1 public", "round_1", "Public", 1),
        ("r1 facilitators", "round_1", "Facilitators", 2),
        ("pre participants", "pre", "Participants", 1),
    ):
        outcome = OutcomeFactory(
            session=world[session],
            level=level(name),
            summary=f"Summary {key}",
            record=f"Record {key}",
            position=position,
            attribution=Outcome.Attribution.CHATHAM_HOUSE,
        )
        outcome.speakers.set([world["other_side"].person])
        made[key] = outcome
    # Round 1 after the consultation: sessions come in the order they are held.
    Session.objects.filter(pk=world["pre"].pk).update(start=world["round_1"].start - timedelta(1))
    Session.objects.filter(pk=world["pre"].pk).update(end=world["round_1"].start)
    return made


def reads_of(user) -> set[tuple]:
    return {
        (e.content_type.model, e.object_id, e.detail.get("record", False), e.detail["page"])
        for e in AuditEntry.objects.filter(actor=user, action="viewed").select_related(
            "content_type"
        )
    }


def test_the_outcomes_tab_groups_what_each_reader_may_read_by_session(login, world, outcomes):
    dialogue = world["dialogue"]
    page = url("outcomes", dialogue.pk)

    participant = login(world["participant"]).get(page)
    assert [o.summary for o in participant.context["outcomes"]] == [
        "Summary pre participants",
        "Summary r1 public",
    ]
    content = participant.content.decode()
    assert content.index("Pre-consultation A") < content.index("Summary pre participants")
    assert content.index("Summary pre participants") < content.index("Round 1</a>")
    # Never the record, nor who said it, to one who does not record.
    for hidden in ("Record ", world["other_side"].person.full_name, "Summary r1 facilitators"):
        assert hidden not in content
    user = world["participant"].person.user
    assert reads_of(user) == {
        ("dialogue", str(dialogue.pk), False, "outcomes"),
        ("outcome", str(outcomes["pre participants"].pk), False, "outcomes"),
        ("outcome", str(outcomes["r1 public"].pk), False, "outcomes"),
    }

    # The rapporteur (cleared Facilitators, at neither session, of no convening team) records:
    # what they may read, with its record and speakers, each recorded as shown with its record.
    rapporteur = login(world["rapporteur"]).get(page)
    assert [o.summary for o in rapporteur.context["outcomes"]] == ["Summary r1 public"]
    content = rapporteur.content.decode()
    assert "Record r1 public" in content
    assert world["other_side"].person.full_name in content
    assert "Summary r1 facilitators" not in content
    assert reads_of(world["rapporteur"].person.user) == {
        ("dialogue", str(dialogue.pk), False, "outcomes"),
        ("outcome", str(outcomes["r1 public"].pk), True, "outcomes"),
    }
    # The convenor: every outcome, by session, each with its record and the links to edit it.
    convenor = login(world["convenor"]).get(page)
    assert [o.summary for o in convenor.context["outcomes"]] == [
        "Summary pre participants",
        "Summary r1 public",
        "Summary r1 facilitators",
    ]
    content = convenor.content.decode()
    assert "Record r1 facilitators" in content
    assert url("outcome_edit", dialogue.pk, world["pre"].pk, outcomes["pre participants"].pk) in (
        content
    )
    assert reads_of(world["convenor"].person.user) == {
        ("dialogue", str(dialogue.pk), False, "outcomes"),
        *{("outcome", str(o.pk), True, "outcomes") for o in outcomes.values()},
    }

    # The observer reads round 1's Public outcome only.
    observer = login(world["observer"]).get(page)
    assert [o.summary for o in observer.context["outcomes"]] == ["Summary r1 public"]


def test_the_outcomes_tab_of_another_dialogue_records_nothing(login, world, outcomes):
    client = login(world["outsider"])
    assert client.get(url("outcomes", world["dialogue"].pk)).status_code == 404
    assert not AuditEntry.objects.filter(
        actor=world["outsider"].person.user,
        content_type=ContentType.objects.get_for_model(Outcome),
    ).exists()


# -- the room at a glance: one picture ------------------------------------------------------------


def test_a_strip_gives_each_part_its_share_of_the_width_and_wraps_its_legend():
    breakdown = Breakdown(
        "side",
        "Participants by side",
        (
            Count("1", "Side A", 3),
            Count("2", "Side B", 0),
            Count("3", "A side with a very long name indeed, cut in the picture", 1),
            Count("none", "No side", 2),
        ),
    )
    strip, bottom = strip_of(breakdown, 0)
    # Each part as wide as its share (the picture is WIDTH units wide): 3, 0, 1 and 2 of six.
    assert WIDTH == 360
    assert [(p.count, p.x, p.width) for p in strip.parts] == [
        (3, 0, 180),
        (0, 180, 0),
        (1, 180, 60),
        (2, 240, 120),
    ]
    assert strip.parts[2].label == "A side with a very long name indeed, cut in…"
    assert strip.parts[2].name == breakdown.counts[2].label
    # The legend, under the bar, runs on while it fits the width, then wraps.
    assert (strip.title_y, strip.bar_y) == (13, 19)
    assert [(p.legend_x, p.legend_y) for p in strip.parts] == [(0, 53), (88, 53), (0, 71), (0, 89)]
    assert bottom == 89 + 14
    # Every category the product names fits a line of the legend whole.
    from participants.models import Person

    proximity = Breakdown(
        "proximity",
        "By proximity",
        tuple(Count(v, label, 9) for v, label in Person.Proximity.choices),
    )
    assert [p.label for p in strip_of(proximity, 0)[0].parts] == list(Person.Proximity.labels)
    empty, _ = strip_of(Breakdown("role", "Members by role", ()), bottom)
    assert (empty.parts, empty.title_y) == ((), bottom + 13)


# -- query counts: the same literal at two sizes --------------------------------------------------


@pytest.mark.parametrize("size", [2, 30])
def test_outcomes_tab_query_count_does_not_grow(login, django_assert_num_queries, size):
    rapporteur = member_with_account(
        dialogue=DialogueFactory(), role=R.RAPPORTEUR, clearance="Facilitators"
    )
    for n in range(size):
        session = SessionFactory(dialogue=rapporteur.dialogue, level=level("Programme"))
        # The rapporteur reads the first two; the team's and the named readers' are hidden.
        for name in ("Public", "Programme", "Facilitators", "Restricted"):
            outcome = OutcomeFactory(session=session, level=level(name), summary=f"{n} {name}")
            outcome.speakers.set([rapporteur.person])
    client = login(rapporteur)
    page = url("outcomes", rapporteur.dialogue_id)
    client.get(page)
    # The viewer (3), the dialogue, the outcomes and their speakers, and the trail's one insert.
    with django_assert_num_queries(7):
        response = client.get(page)
    assert len(response.context["outcomes"]) == 2 * size
