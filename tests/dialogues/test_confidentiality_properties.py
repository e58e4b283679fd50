"""Property-based tests of ``dialogues.confidentiality`` against an independent statement of its
rules.

Hypothesis builds small random worlds (dialogues, sessions, agenda items, named readers, persons
with accounts, memberships in every state and role, session attendance) in the database. For
every account and for official viewers, both ``visible(viewer, Model)`` and
``can_view(viewer, obj)`` must agree with ``expected_visibility`` below: a plain-Python oracle
written from the rules, which reads only the world's description (never the module's functions,
its Q objects, nor the database).

Besides the property: fixed worlds with exact expectations (for the oracle, and for the module
in the database), and a check that the generated worlds are not trivial (every part of the rules
decides what some viewer sees in at least 1 in 10 of them).

Profiles: ``HYPOTHESIS_PROFILE=ci`` (the default: 60 derandomized examples) or
``HYPOTHESIS_PROFILE=dev`` (more examples, random). They are registered under names private to
this module and applied with ``@settings`` on the test, so no other test file is affected.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from dialogues.confidentiality import can_view, viewer_for_official, viewer_for_user, visible
from dialogues.models import AgendaItem, ConfidentialityLevel, Dialogue, Session, SessionAttendance
from participants.models import Membership, Person, User

# -- settings profiles (private names, chosen by HYPOTHESIS_PROFILE) ------------------------------

settings.register_profile(
    "confidentiality-ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "confidentiality-dev",
    max_examples=400,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(
    "confidentiality-" + ("dev" if os.environ.get("HYPOTHESIS_PROFILE") == "dev" else "ci")
)

# -- the rules, stated independently ---------------------------------------------------------------

OUTSIDE, PROGRAMME, ATTENDEES, CONVENING_TEAM, NAMED = (
    "outside",
    "programme",
    "attendees",
    "convening_team",
    "named",
)


@dataclass(frozen=True)
class Level:
    name: str
    rank: int
    audience: str


# The seeded scale (data migration 0003), as the brief states it; checked against the database.
LEVELS = (
    Level("Public", 10, OUTSIDE),
    Level("Programme", 20, PROGRAMME),
    Level("Participants", 30, ATTENDEES),
    Level("Facilitators", 40, CONVENING_TEAM),
    Level("Restricted", 50, NAMED),
)
PUBLIC, PROGRAMME_L, PARTICIPANTS, FACILITATORS, RESTRICTED = range(len(LEVELS))

ROLES = ("convenor", "facilitator", "rapporteur", "participant", "observer", "official_liaison")
CONVENING = frozenset({"convenor", "facilitator"})
STATES = ("nominated", "cleared", "rejected", "invited", "accepted", "declined")
ACCEPTED = "accepted"


@dataclass(frozen=True)
class ItemSpec:
    level: int  # index into LEVELS
    readers: frozenset[int]  # person indices


@dataclass(frozen=True)
class SessionSpec:
    dialogue: int
    level: int
    readers: frozenset[int]
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class MembershipSpec:
    person: int
    dialogue: int
    role: str
    clearance: int
    state: str
    attends: frozenset[int]  # session indices, all in ``dialogue``


@dataclass(frozen=True)
class World:
    n_dialogues: int
    persons_with_account: int  # persons 0..k-1 have an account
    n_persons: int
    sessions: tuple[SessionSpec, ...]
    memberships: tuple[MembershipSpec, ...]
    officials: tuple[tuple[int, int], ...]  # (dialogue, clearance level index)

    def item_keys(self):
        for s, session in enumerate(self.sessions):
            for i in range(len(session.items)):
                yield (s, i)


@dataclass(frozen=True)
class OracleGrant:
    clearance_rank: int
    convening: bool
    person: int | None
    attends: frozenset[int]
    official: bool


def user_grants(world: World, person: int) -> dict[int, OracleGrant]:
    """A user sees a dialogue only through an accepted membership of their own person."""
    return {
        m.dialogue: OracleGrant(
            clearance_rank=LEVELS[m.clearance].rank,
            convening=m.role in CONVENING,
            person=person,
            attends=m.attends,
            official=False,
        )
        for m in world.memberships
        if m.person == person and m.state == ACCEPTED
    }


def official_grants(dialogue: int, clearance: int) -> dict[int, OracleGrant]:
    """An official sees the one dialogue their pack is drawn from, at their clearance."""
    return {
        dialogue: OracleGrant(
            clearance_rank=LEVELS[clearance].rank,
            convening=False,
            person=None,
            attends=frozenset(),
            official=True,
        )
    }


def node_allows(grant: OracleGrant, level: int, readers: frozenset[int], session: int) -> bool:
    lv = LEVELS[level]
    cleared = grant.clearance_rank >= lv.rank
    if lv.audience in (OUTSIDE, PROGRAMME):
        return cleared
    if lv.audience == ATTENDEES:
        return cleared and (grant.convening or grant.official or session in grant.attends)
    if lv.audience == CONVENING_TEAM:
        return cleared and (grant.convening or grant.official)
    if lv.audience == NAMED:
        return (not grant.official) and grant.person is not None and grant.person in readers
    raise AssertionError(f"unknown audience {lv.audience!r}")


@dataclass(frozen=True)
class Expected:
    dialogues: frozenset[int]
    sessions: frozenset[int]
    items: frozenset[tuple[int, int]]


def expected_visibility(world: World, grants: dict[int, OracleGrant]) -> Expected:
    dialogues = frozenset(d for d in range(world.n_dialogues) if d in grants)
    sessions = set()
    items = set()
    for s, session in enumerate(world.sessions):
        if session.dialogue not in dialogues:
            continue
        grant = grants[session.dialogue]
        if not node_allows(grant, session.level, session.readers, s):
            continue
        sessions.add(s)
        for i, item in enumerate(session.items):
            if node_allows(grant, item.level, item.readers, s):
                items.add((s, i))
    return Expected(dialogues, frozenset(sessions), frozenset(items))


# -- random worlds ---------------------------------------------------------------------------------

level_indices = st.integers(0, len(LEVELS) - 1)
# Weighted so that the cases the rules tell apart come up often: most memberships are accepted
# (the only active state), most roles are outside the convening team, attendance is a coin toss.
has_membership = st.integers(0, 3).map(bool)
states = st.sampled_from((ACCEPTED,) * 10 + STATES)
roles = st.sampled_from(("participant",) * 3 + ("facilitator",) + ROLES)


@st.composite
def worlds(draw) -> World:
    n_dialogues = draw(st.integers(1, 3))
    with_account = draw(st.integers(2, 5))
    n_persons = with_account + draw(st.integers(0, 1))
    readers = st.frozensets(st.integers(0, n_persons - 1), max_size=3)

    sessions = []
    for d in range(n_dialogues):
        for _ in range(draw(st.integers(1, 3))):
            items = draw(
                st.lists(st.builds(ItemSpec, level=level_indices, readers=readers), max_size=3)
            )
            sessions.append(
                SessionSpec(
                    dialogue=d,
                    level=draw(level_indices),
                    readers=draw(readers),
                    items=tuple(items),
                )
            )

    memberships = []
    for p in range(n_persons):
        for d in range(n_dialogues):
            if not draw(has_membership):
                continue
            of_dialogue = [s for s, session in enumerate(sessions) if session.dialogue == d]
            memberships.append(
                MembershipSpec(
                    person=p,
                    dialogue=d,
                    role=draw(roles),
                    clearance=draw(level_indices),
                    state=draw(states),
                    attends=frozenset(s for s in of_dialogue if draw(st.booleans())),
                )
            )

    officials = draw(
        st.lists(
            st.tuples(st.integers(0, n_dialogues - 1), level_indices),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    return World(
        n_dialogues=n_dialogues,
        persons_with_account=with_account,
        n_persons=n_persons,
        sessions=tuple(sessions),
        memberships=tuple(memberships),
        officials=tuple(officials),
    )


# -- building a world in the database --------------------------------------------------------------

START = datetime(2027, 3, 15, 8, tzinfo=UTC)


@dataclass
class Built:
    levels: list[ConfidentialityLevel]
    users: list[User]
    dialogues: list[Dialogue]
    sessions: list[Session]
    items: dict[tuple[int, int], AgendaItem]

    def pks(self, expected: Expected) -> tuple[set[int], set[int], set[int]]:
        return (
            {self.dialogues[d].pk for d in expected.dialogues},
            {self.sessions[s].pk for s in expected.sessions},
            {self.items[k].pk for k in expected.items},
        )


def build(world: World) -> Built:
    levels = [ConfidentialityLevel.objects.get(name=lv.name) for lv in LEVELS]
    users = [
        User.objects.create(email=f"viewer{p}@example.org")
        for p in range(world.persons_with_account)
    ]
    persons = [
        Person.objects.create(full_name=f"Person {p}", user=users[p] if p < len(users) else None)
        for p in range(world.n_persons)
    ]
    dialogues = [
        Dialogue.objects.create(title=f"Dialogue {d}", default_level=levels[PROGRAMME_L])
        for d in range(world.n_dialogues)
    ]
    sessions = []
    items = {}
    for s, spec in enumerate(world.sessions):
        session = Session.objects.create(
            dialogue=dialogues[spec.dialogue],
            title=f"Session {s}",
            start=START + timedelta(days=7 * s),
            end=START + timedelta(days=7 * s + 2),
            level=levels[spec.level],
        )
        session.readers.set([persons[p] for p in spec.readers])
        sessions.append(session)
        for i, item_spec in enumerate(spec.items):
            item = AgendaItem.objects.create(
                session=session, order=i + 1, title=f"Item {s}.{i}", level=levels[item_spec.level]
            )
            item.readers.set([persons[p] for p in item_spec.readers])
            items[(s, i)] = item
    for m in world.memberships:
        membership = Membership.objects.create(
            person=persons[m.person],
            dialogue=dialogues[m.dialogue],
            role=m.role,
            clearance=levels[m.clearance],
            state=m.state,
        )
        SessionAttendance.objects.bulk_create(
            SessionAttendance(session=sessions[s], membership=membership) for s in m.attends
        )
    return Built(levels, users, dialogues, sessions, items)


def assert_agrees(viewer, expected: Expected, built: Built, who: str) -> None:
    """``visible`` and ``can_view`` both give exactly what the rules give. Objects are named by
    their title, which carries their index in the world (``Item 2.0``: session 2, item 0)."""
    for model, objs, want in zip(
        (Dialogue, Session, AgendaItem),
        (built.dialogues, built.sessions, list(built.items.values())),
        built.pks(expected),
        strict=True,
    ):
        title = {obj.pk: obj.title for obj in objs}
        got = set(visible(viewer, model).values_list("pk", flat=True))
        assert got == want, (
            f"{who}: visible({model.__name__}) gives "
            f"{sorted(title.get(pk, pk) for pk in got)}, "
            f"the rules give {sorted(title[pk] for pk in want)}"
        )
        for obj in objs:
            rules_say = obj.pk in want
            assert can_view(viewer, obj) == rules_say, (
                f"{who}: can_view({obj.title}) is {not rules_say}, the rules say {rules_say}"
            )


# -- the property ----------------------------------------------------------------------------------


class TestConfidentialityAgreesWithRules(HypothesisTestCase):
    @settings(PROFILE)
    @given(world=worlds())
    def test_visible_and_can_view_follow_the_rules(self, world: World) -> None:
        built = build(world)
        for p, user in enumerate(built.users):
            assert_agrees(
                viewer_for_user(user),
                expected_visibility(world, user_grants(world, p)),
                built,
                f"user of person {p}",
            )
        for d, clearance in world.officials:
            assert_agrees(
                viewer_for_official(
                    dialogue_id=built.dialogues[d].pk, clearance=built.levels[clearance]
                ),
                expected_visibility(world, official_grants(d, clearance)),
                built,
                f"official in dialogue {d} at {LEVELS[clearance].name}",
            )


# -- the oracle is not vacuous ---------------------------------------------------------------------


def _one_session_world(item_levels, memberships, session_level=PROGRAMME_L, readers=()):
    """One dialogue, one session, items at ``item_levels``; person indices 0..2 have accounts."""
    return World(
        n_dialogues=1,
        persons_with_account=3,
        n_persons=3,
        sessions=(
            SessionSpec(
                dialogue=0,
                level=session_level,
                readers=frozenset(),
                items=tuple(ItemSpec(lv, frozenset(readers)) for lv in item_levels),
            ),
        ),
        memberships=tuple(memberships),
        officials=((0, FACILITATORS),),
    )


def test_the_oracle_separates_attendees_from_other_participants():
    world = _one_session_world(
        item_levels=[PROGRAMME_L, PARTICIPANTS, FACILITATORS, RESTRICTED],
        readers=[2],
        memberships=[
            MembershipSpec(0, 0, "participant", PARTICIPANTS, ACCEPTED, frozenset({0})),
            MembershipSpec(1, 0, "participant", PARTICIPANTS, ACCEPTED, frozenset()),
            MembershipSpec(2, 0, "observer", PUBLIC, ACCEPTED, frozenset()),
        ],
    )
    attendee = expected_visibility(world, user_grants(world, 0))
    non_attendee = expected_visibility(world, user_grants(world, 1))
    named = expected_visibility(world, user_grants(world, 2))
    official = expected_visibility(world, official_grants(0, FACILITATORS))
    assert attendee == Expected(frozenset({0}), frozenset({0}), frozenset({(0, 0), (0, 1)}))
    assert non_attendee == Expected(frozenset({0}), frozenset({0}), frozenset({(0, 0)}))
    # Public clearance is below the Programme session: a named reader of its item sees nothing.
    assert named == Expected(frozenset({0}), frozenset(), frozenset())
    assert official == Expected(frozenset({0}), frozenset({0}), frozenset({(0, 0), (0, 1), (0, 2)}))


def test_the_oracle_applies_state_role_and_the_strictest_level_on_the_path():
    world = _one_session_world(
        session_level=PARTICIPANTS,
        item_levels=[PUBLIC, RESTRICTED],
        readers=[0, 1],
        memberships=[
            MembershipSpec(0, 0, "facilitator", PUBLIC, ACCEPTED, frozenset()),
            MembershipSpec(1, 0, "convenor", RESTRICTED, "invited", frozenset({0})),
            MembershipSpec(2, 0, "participant", RESTRICTED, ACCEPTED, frozenset({0})),
        ],
    )
    # Clearance Public is below the Participants session, even for a facilitator.
    assert expected_visibility(world, user_grants(world, 0)) == Expected(
        frozenset({0}), frozenset(), frozenset()
    )
    # Not accepted: nothing at all, though named and cleared.
    assert expected_visibility(world, user_grants(world, 1)) == Expected(
        frozenset(), frozenset(), frozenset()
    )
    # An attendee with the top clearance still is not named on the Restricted item.
    assert expected_visibility(world, user_grants(world, 2)) == Expected(
        frozenset({0}), frozenset({0}), frozenset({(0, 0)})
    )
    # An official is never named, and a Public item inside a Participants session is Participants.
    assert expected_visibility(world, official_grants(0, PUBLIC)) == Expected(
        frozenset({0}), frozenset(), frozenset()
    )
    assert expected_visibility(world, official_grants(0, PARTICIPANTS)) == Expected(
        frozenset({0}), frozenset({0}), frozenset({(0, 0)})
    )


def _all_viewers(world: World) -> list[dict[int, OracleGrant]]:
    viewers = [user_grants(world, p) for p in range(world.persons_with_account)]
    return viewers + [official_grants(d, c) for d, c in world.officials]


def _decisive_factors(world: World) -> set[str]:
    """The parts of the rules that change what some viewer of ``world`` sees: a module that
    ignored one of them would disagree with the oracle on this world."""
    factors = set()
    everyone = frozenset(range(world.n_persons))
    all_named = replace(
        world,
        sessions=tuple(
            replace(
                s,
                readers=everyone,
                items=tuple(replace(i, readers=everyone) for i in s.items),
            )
            for s in world.sessions
        ),
    )
    all_accepted = replace(
        world, memberships=tuple(replace(m, state=ACCEPTED) for m in world.memberships)
    )
    for p in range(world.persons_with_account):
        if expected_visibility(world, user_grants(world, p)) != expected_visibility(
            all_accepted, user_grants(all_accepted, p)
        ):
            factors.add("membership state")
        if expected_visibility(world, user_grants(world, p)) != expected_visibility(
            all_named, user_grants(all_named, p)
        ):
            factors.add("named readers")
    counterfactuals = {
        "clearance": lambda g: replace(g, clearance_rank=LEVELS[-1].rank),
        "attendance": lambda g: replace(g, attends=frozenset(range(len(world.sessions)))),
        "convening role": lambda g: replace(g, convening=True),
        "official stands for attendance and team": lambda g: replace(g, official=False),
    }
    for grants in _all_viewers(world):
        actual = expected_visibility(world, grants)
        for factor, change in counterfactuals.items():
            changed = {d: change(g) for d, g in grants.items()}
            if expected_visibility(world, changed) != actual:
                factors.add(factor)
        if grants:  # the same grant, held in every dialogue
            grant = next(iter(grants.values()))
            everywhere = dict.fromkeys(range(world.n_dialogues), grant)
            if expected_visibility(world, everywhere) != actual:
                factors.add("dialogue of the grant")
        for s, i in world.item_keys():
            session, item = world.sessions[s], world.sessions[s].items[i]
            grant = grants.get(session.dialogue)
            if (
                grant is not None
                and s not in actual.sessions
                and node_allows(grant, item.level, item.readers, s)
            ):
                factors.add("session on the item's path")
    return factors


FACTORS = (
    "membership state",
    "named readers",
    "clearance",
    "attendance",
    "convening role",
    "official stands for attendance and team",
    "dialogue of the grant",
    "session on the item's path",
)


def test_generated_worlds_are_not_trivial():
    """Under the property's settings, the generated worlds mix visible and invisible objects of
    every kind at every audience, and every part of the rules is decisive in a good share of
    them: a module that ignored any one part would disagree with the oracle somewhere."""
    outcomes: Counter[tuple[str, str, bool]] = Counter()
    decisive: Counter[str] = Counter()
    examples = 0

    @settings(PROFILE)
    @given(world=worlds())
    def collect(world: World) -> None:
        nonlocal examples
        examples += 1
        decisive.update(_decisive_factors(world))
        for grants in _all_viewers(world):
            expected = expected_visibility(world, grants)
            for d in range(world.n_dialogues):
                outcomes["dialogue", "-", d in expected.dialogues] += 1
            for s, session in enumerate(world.sessions):
                aud = LEVELS[session.level].audience
                outcomes["session", aud, s in expected.sessions] += 1
            for s, i in world.item_keys():
                aud = LEVELS[world.sessions[s].items[i].level].audience
                outcomes["item", aud, (s, i) in expected.items] += 1

    collect()
    kinds = [("dialogue", "-")]
    kinds += [(k, lv.audience) for k in ("session", "item") for lv in LEVELS]
    missing = [(k, a, seen) for k, a in kinds for seen in (True, False) if not outcomes[k, a, seen]]
    assert missing == []
    rare = {f: decisive[f] for f in FACTORS if decisive[f] < examples // 10}
    assert rare == {}, f"decisive in fewer than 1 in 10 of {examples} worlds"


@pytest.mark.django_db
def test_a_fixed_world_in_the_database_matches_the_oracle_exactly():
    """A hand-written world, built and checked as the property does, with exact expectations."""
    assert [
        (lv.name, lv.rank, lv.audience) for lv in ConfidentialityLevel.objects.order_by("rank")
    ] == [(lv.name, lv.rank, lv.audience) for lv in LEVELS]

    world = World(
        n_dialogues=2,
        persons_with_account=3,
        n_persons=4,
        sessions=(
            SessionSpec(0, PARTICIPANTS, frozenset(), (ItemSpec(PROGRAMME_L, frozenset()),)),
            SessionSpec(
                0,
                PROGRAMME_L,
                frozenset(),
                (ItemSpec(PARTICIPANTS, frozenset()), ItemSpec(RESTRICTED, frozenset({1}))),
            ),
            SessionSpec(1, PUBLIC, frozenset(), (ItemSpec(FACILITATORS, frozenset()),)),
        ),
        memberships=(
            MembershipSpec(0, 0, "participant", PARTICIPANTS, ACCEPTED, frozenset({0})),
            MembershipSpec(1, 0, "observer", PROGRAMME_L, ACCEPTED, frozenset()),
            MembershipSpec(1, 1, "facilitator", FACILITATORS, "declined", frozenset({2})),
            MembershipSpec(2, 1, "convenor", FACILITATORS, ACCEPTED, frozenset()),
            MembershipSpec(3, 0, "convenor", RESTRICTED, ACCEPTED, frozenset()),
        ),
        officials=((1, PUBLIC),),
    )
    built = build(world)
    expectations = {
        0: Expected(frozenset({0}), frozenset({0, 1}), frozenset({(0, 0)})),
        1: Expected(frozenset({0}), frozenset({1}), frozenset({(1, 1)})),
        2: Expected(frozenset({1}), frozenset({2}), frozenset({(2, 0)})),
    }
    for p, want in expectations.items():
        assert expected_visibility(world, user_grants(world, p)) == want
        assert_agrees(viewer_for_user(built.users[p]), want, built, f"user of person {p}")

    official = Expected(frozenset({1}), frozenset({2}), frozenset())
    assert expected_visibility(world, official_grants(1, PUBLIC)) == official
    viewer = viewer_for_official(dialogue_id=built.dialogues[1].pk, clearance=built.levels[PUBLIC])
    assert_agrees(viewer, official, built, "official")

    # Nobody signed in sees nothing.
    assert_agrees(
        viewer_for_user(AnonymousUser()),
        Expected(frozenset(), frozenset(), frozenset()),
        built,
        "-",
    )
