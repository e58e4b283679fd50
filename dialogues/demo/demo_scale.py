"""A large invented organisation for the load test (``seed_demo --scale``): 50 dialogues, 2,000
people with accounts, 500 sessions, 10,000 agenda items published, 2,000 papers in private
storage.

Written with ``bulk_create``, not through the services: the services write one row (and one
audit entry) at a time, which at this volume takes far longer than the load test should wait.
The data is what the services would leave all the same: every member screened and cleared by
the admin, accepted, with the ground rules accepted (exact text digest); sessions attended;
agendas published as numbered versions (``AgendaVersion`` and ``PublishedAgendaItem``, readers
copied); papers with their digests and the uploader named on them; child levels never below
their container's. Levels, roles, sides and attendance vary, so the confidentiality rules do
real work on every page.

Idempotent like the rest of the demo: built once, in one transaction, and left alone when its
first dialogue exists. Sign in as ``participant_email(n)`` (n from 1) with the demo password.
"""

from __future__ import annotations

import hashlib
import math
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from participants.models import GroundRulesAcceptance, Membership, Person, User, VettingCase

from ..models import (
    AgendaItem,
    AgendaVersion,
    ConfidentialityLevel,
    Dialogue,
    Document,
    PublishedAgendaItem,
    Session,
    SessionAttendance,
    Side,
)

SCALE_DOMAIN = "scale.demo.trackii.org"
TITLE_PREFIX = "Scale programme"

# The organisation at factor 1.
DIALOGUES = 50
PEOPLE = 2_000
SESSIONS = 500
ITEMS = 10_000
DOCUMENTS = 2_000
# Every fifth session was published twice: the older version stays, for the convening team.
REPUBLISHED_EVERY = 5
# Every fifth participant also takes part in the next dialogue (a member of two programmes).
SECOND_DIALOGUE_EVERY = 5
BATCH = 1_000

R = Membership.Role
LEVEL_NAMES = ["Public", "Programme", "Participants", "Facilitators", "Restricted"]
# A session's level by its position in the dialogue (indexes into LEVEL_NAMES).
SESSION_LEVELS = [1, 2, 1, 0, 2, 1, 2, 1, 3, 2]
# An agenda item's level by its position in the session, raised to the session's if below.
ITEM_LEVELS = [0, 1, 1, 2, 1, 1, 2, 3, 1, 4]
# A dialogue's first members: (role, clearance); everyone after them is a participant.
CONVENING = [
    (R.CONVENOR, "Restricted"),
    (R.FACILITATOR, "Facilitators"),
    (R.RAPPORTEUR, "Facilitators"),
    (R.OBSERVER, "Programme"),
    (R.OBSERVER, "Programme"),
]

PLACES = [
    "Amber Coast", "Vell Highlands", "Corran Delta", "Isarn Valley", "Saltmarsh Islands",
    "Teodor Basin", "Norrow Straits", "Kestrel Plateau", "Lune Borderlands", "Ostra Hills",
]  # fmt: skip
THEMES = [
    "water", "detainees", "the ceasefire line", "grazing rights", "the crossings",
    "missing persons", "trade", "the disputed districts", "fisheries", "returns",
]  # fmt: skip
GIVEN = [
    "Amira", "Bogdan", "Carmen", "Dawit", "Elif", "Farid", "Goran", "Hana", "Ilya", "Jamila",
    "Kerem", "Lena", "Marek", "Nour", "Oskar", "Petra", "Rania", "Stefan", "Tamar", "Umar",
    "Vesna", "Walid", "Yara", "Zoran",
]  # fmt: skip
FAMILY = [
    "Abadi", "Baran", "Corvin", "Dardan", "Eskandar", "Falk", "Gashi", "Halabi", "Ivic",
    "Jaber", "Kovac", "Latif", "Mirza", "Nasser", "Orlov", "Petrov", "Qadir", "Rostami",
    "Saleh", "Tadic", "Usmani", "Varga", "Wehbe", "Zeller",
]  # fmt: skip
ZONES = ["Europe/Rome", "Europe/Vienna", "Asia/Amman", "Africa/Nairobi", "Europe/Oslo"]
CITIES = ["Valdera", "Lindau", "Qasr Amin", "Naivasha", "Bergen"]
ROOMS = ["Plenary hall", "Room A", "Room B", "Garden room", "Library"]
ITEM_KINDS = ["plenary", "breakout", "plenary", "informal", "side_consultation"]
SESSION_KINDS = ["round", "workshop", "pre_consultation", "round", "debrief"]
PAPER_KINDS = ["concept_note", "background_paper", "non_paper", "outcome_document", "other"]
SENTENCES = [
    "Each side sets out how the question looks from its own capital.",
    "The rapporteur summarises where views converged in the previous round.",
    "Engineers and former officials compare figures before any proposal is discussed.",
    "A short non-paper frames three options; none is attributed to either side.",
    "Participants test which ideas could be carried home without public statements.",
]


def participant_email(n: int) -> str:
    """The address of the n-th participant account (from 1), the load test's sign-ins."""
    return f"participant-{n:04d}@{SCALE_DOMAIN}"


@dataclass(frozen=True)
class ScaleSize:
    dialogues: int
    people_per_dialogue: int
    sessions_per_dialogue: int
    items_per_session: int
    documents_per_dialogue: int

    @classmethod
    def for_factor(cls, factor: float) -> ScaleSize:
        """The full organisation times ``factor`` (at least one dialogue, with its convening
        team, two participants, one session and one paper in it)."""
        dialogues = max(1, round(DIALOGUES * factor))
        return cls(
            dialogues=dialogues,
            people_per_dialogue=max(len(CONVENING) + 2, round(PEOPLE * factor / dialogues)),
            sessions_per_dialogue=max(1, round(SESSIONS * factor / dialogues)),
            items_per_session=ITEMS // SESSIONS,
            documents_per_dialogue=max(1, round(DOCUMENTS * factor / dialogues)),
        )


@dataclass(frozen=True)
class ScaleCounts:
    dialogues: int
    people: int
    memberships: int
    sessions: int
    attendances: int
    agenda_items: int
    published_items: int
    documents: int


def scale_exists() -> bool:
    return Dialogue.objects.filter(title__startswith=f"{TITLE_PREFIX} 01").exists()


def scale_build(
    *,
    password: str,
    decided_by: User | None,
    factor: float = 1.0,
    say: Callable[[str], None] = lambda _: None,
) -> ScaleCounts | None:
    """Build the organisation unless it is there already (then None). Every account signs in
    with ``password``; ``decided_by`` is the admin recorded as having cleared every member."""
    if scale_exists():
        say("The scaled organisation is in place already.")
        return None
    written: list[str] = []
    storage = Document._meta.get_field("file").storage
    try:
        with transaction.atomic():
            counts = _Builder(
                size=ScaleSize.for_factor(factor),
                password=password,
                decided_by=decided_by,
                storage=storage,
                written=written,
                say=say,
            ).build()
    except BaseException:
        # Nothing of a failed build stays, files included.
        for name in written:
            storage.delete(name)
        raise
    _analyze()
    return counts


def _analyze() -> None:
    """Refresh PostgreSQL's statistics of the tables just filled. Autovacuum would get there in
    a while; until then the planner takes these tables for nearly empty and picks nested loops
    over thousands of rows (7 ms instead of 0.7 ms for a session's attendees)."""
    if connection.vendor != "postgresql":
        return
    models = [
        User, Person, Membership, VettingCase, GroundRulesAcceptance, Dialogue, Side, Session,
        SessionAttendance, AgendaItem, AgendaItem.readers.through, AgendaVersion,
        PublishedAgendaItem, PublishedAgendaItem.readers.through, Document,
        Document.readers.through,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        )


def _bulk(model, objects: list) -> list:
    return model.objects.bulk_create(objects, batch_size=BATCH)


class _Builder:
    def __init__(self, *, size: ScaleSize, password, decided_by, storage, written, say):
        self.size = size
        self.password = password
        self.decided_by = decided_by
        self.storage = storage
        self.written = written
        self.say = say
        self.levels = {lv.name: lv for lv in ConfidentialityLevel.objects.all()}
        self.scale = [self.levels[name] for name in LEVEL_NAMES]
        self.now = timezone.now()
        self.role_numbers: dict[str, int] = {}

    def build(self) -> ScaleCounts:
        size = self.size
        dialogues = self._dialogues()
        sides = self._sides(dialogues)
        members = self._people_and_memberships(dialogues, sides)
        sessions = self._sessions(dialogues, members)
        attendances = self._attendances(dialogues, sessions, members)
        items = self._agenda(dialogues, sessions, members)
        published = self._publish(sessions, items)
        documents = self._documents(dialogues, sessions, items, members)
        self.say(
            f"Scaled organisation: {len(dialogues)} dialogues, "
            f"{len(dialogues) * size.people_per_dialogue} people, {len(sessions)} sessions, "
            f"{len(items)} agenda items, {len(documents)} papers."
        )
        return ScaleCounts(
            dialogues=len(dialogues),
            people=len(dialogues) * size.people_per_dialogue,
            memberships=sum(len(m) for m in members.values()),
            sessions=len(sessions),
            attendances=attendances,
            agenda_items=len(items),
            published_items=published,
            documents=len(documents),
        )

    # -- dialogues and sides ---------------------------------------------------------------------

    def _dialogues(self) -> list[Dialogue]:
        dialogues = []
        for d in range(self.size.dialogues):
            place = PLACES[d % len(PLACES)]
            theme = THEMES[(d // len(PLACES) + d) % len(THEMES)]
            dialogues.append(
                Dialogue(
                    title=f"{TITLE_PREFIX} {d + 1:02d}: {place} dialogue on {theme}",
                    context=f"An invented programme on {theme} in the {place}, for the load "
                    "test: former officials, engineers and civil-society leaders of both sides.",
                    convening_organisation="Centre for Quiet Diplomacy (fictional)",
                    cover_name=f"Meetings {d + 1:02d}",
                    track=[Dialogue.Track.TRACK_2, Dialogue.Track.TRACK_1_5][d % 2],
                    aim=Dialogue.Aim.TRANSFORM if d % 3 else Dialogue.Aim.MANAGE,
                    status=Dialogue.Status.ACTIVE,
                    default_level=self.levels["Programme"],
                    ground_rules="Participants take part in a personal capacity.\n"
                    "Meetings are held under the Chatham House Rule.",
                )
            )
        return _bulk(Dialogue, dialogues)

    def _sides(self, dialogues: list[Dialogue]) -> dict[int, list[Side]]:
        rows = [
            Side(dialogue=d, name=name, is_third_party=n == 2, position=n)
            for d in dialogues
            for n, name in enumerate(["First side", "Second side", "Third party / facilitation"])
        ]
        _bulk(Side, rows)
        sides: dict[int, list[Side]] = {}
        for side in rows:
            sides.setdefault(side.dialogue_id, []).append(side)
        return sides

    # -- people, accounts, memberships ------------------------------------------------------------

    def _email(self, role: str) -> str:
        n = self.role_numbers[role] = self.role_numbers.get(role, 0) + 1
        return f"{role}-{n:04d}@{SCALE_DOMAIN}"

    def _people_and_memberships(self, dialogues, sides) -> dict[int, list[Membership]]:
        """Each dialogue's roster in order: the convening team and observers, then
        participants, alternating between the two sides. Returns memberships by dialogue id."""
        password = make_password(self.password)  # hashed once: the same for every account
        per = self.size.people_per_dialogue
        plan = []  # (dialogue, role, clearance, side)
        for dialogue in dialogues:
            first, second, third = sides[dialogue.pk]
            for i in range(per):
                if i < len(CONVENING):
                    role, clearance = CONVENING[i]
                    side = third
                else:
                    role = R.PARTICIPANT
                    # Most participants at Participants, every seventh at Programme only.
                    clearance = "Programme" if i % 7 == 0 else "Participants"
                    side = first if i % 2 else second
                plan.append((dialogue, role, clearance, side))

        users = [
            User(email=self._email(role), password=password, display_name="")
            for _dialogue, role, _clearance, _side in plan
        ]
        _bulk(User, users)
        persons = []
        for n, user in enumerate(users):
            given = GIVEN[n % len(GIVEN)]
            family = FAMILY[(n // len(GIVEN) + n) % len(FAMILY)]
            persons.append(
                Person(
                    full_name=f"{given} {family} {n + 1:04d}",
                    family_name=f"{family} {n + 1:04d}",
                    gender=[Person.Gender.WOMAN, Person.Gender.MAN][n % 2],
                    proximity=Person.Proximity.values[n % len(Person.Proximity.values)],
                    nationality=["XA", "XB", "CH", "NO"][n % 4],
                    affiliation="Invented institute",
                    position="Member",
                    email=user.email,
                    user=user,
                )
            )
        _bulk(Person, persons)

        memberships = []
        convenor_users: dict[int, User] = {}
        for (dialogue, role, clearance, side), person, user in zip(
            plan, persons, users, strict=True
        ):
            if role == R.CONVENOR:
                convenor_users[dialogue.pk] = user
            memberships.append(
                Membership(
                    person=person,
                    dialogue=dialogue,
                    side=side,
                    role=role,
                    clearance=self.levels[clearance],
                    state=Membership.State.ACCEPTED,
                    nominated_by=None if role == R.CONVENOR else convenor_users[dialogue.pk],
                )
            )
        # Some participants take part in the next programme too, at Programme clearance.
        if len(dialogues) > 1:
            for n, membership in enumerate(list(memberships)):
                if membership.role != R.PARTICIPANT or n % SECOND_DIALOGUE_EVERY:
                    continue
                other = dialogues[(dialogues.index(membership.dialogue) + 1) % len(dialogues)]
                memberships.append(
                    Membership(
                        person=membership.person,
                        dialogue=other,
                        side=sides[other.pk][n % 2],
                        role=R.PARTICIPANT,
                        clearance=self.levels["Programme"],
                        state=Membership.State.ACCEPTED,
                        nominated_by=convenor_users[other.pk],
                    )
                )
        _bulk(Membership, memberships)

        decided = timezone.now()
        _bulk(
            VettingCase,
            [
                VettingCase(
                    membership=m,
                    status=VettingCase.Status.CLEARED,
                    jurisdictions="CH, GB",
                    reason="Scale demo: references checked; no possible match on the lists.",
                    decided_by=self.decided_by,
                    decided_at=decided,
                    last_screened_at=decided,
                )
                for m in memberships
                if m.role != R.CONVENOR  # the convenor who opens a dialogue is not vetted
            ],
        )
        digests = {d.pk: hashlib.sha256(d.ground_rules.encode()).hexdigest() for d in dialogues}
        _bulk(
            GroundRulesAcceptance,
            [
                GroundRulesAcceptance(
                    membership=m,
                    version=m.dialogue.ground_rules_version,
                    text_sha256=digests[m.dialogue_id],
                )
                for m in memberships
            ],
        )
        by_dialogue: dict[int, list[Membership]] = {}
        for m in memberships:
            by_dialogue.setdefault(m.dialogue_id, []).append(m)
        self.convenor_users = convenor_users
        return by_dialogue

    # -- sessions and attendance ------------------------------------------------------------------

    def _sessions(self, dialogues, members) -> list[Session]:
        sessions = []
        for d, dialogue in enumerate(dialogues):
            for s in range(self.size.sessions_per_dialogue):
                zone_index = (d + s) % len(ZONES)
                zone = zoneinfo.ZoneInfo(ZONES[zone_index])
                start = datetime(2026, 6, 1, 9, tzinfo=zone) + timedelta(days=s * 35 + d)
                end = start + timedelta(days=1, hours=10)
                kind = SESSION_KINDS[s % len(SESSION_KINDS)]
                sessions.append(
                    Session(
                        dialogue=dialogue,
                        title=f"{Session.Kind(kind).label} {s + 1}",
                        kind=kind,
                        venue=f"Conference house {s % 7 + 1}",
                        city=CITIES[zone_index],
                        time_zone=ZONES[zone_index],
                        start=start,
                        end=end,
                        status=Session.Status.HELD if end < self.now else Session.Status.PUBLISHED,
                        level=self.scale[SESSION_LEVELS[s % len(SESSION_LEVELS)]],
                        created_by=self.convenor_users[dialogue.pk],
                    )
                )
        return _bulk(Session, sessions)

    def _attendances(self, dialogues, sessions, members) -> int:
        """The convening team attends everything; participants every other session; observers
        every third."""
        rows = []
        positions: dict[int, int] = {}
        for session in sessions:
            s = positions[session.dialogue_id] = positions.get(session.dialogue_id, -1) + 1
            for n, m in enumerate(members[session.dialogue_id]):
                if m.role in (R.CONVENOR, R.FACILITATOR, R.RAPPORTEUR):
                    attends = True
                elif m.role == R.OBSERVER:
                    attends = s % 3 == 0
                else:
                    attends = (n + s) % 2 == 0
                if attends:
                    rows.append(SessionAttendance(session=session, membership=m))
        _bulk(SessionAttendance, rows)
        return len(rows)

    # -- agendas ----------------------------------------------------------------------------------

    def _agenda(self, dialogues, sessions, members) -> list[AgendaItem]:
        """Items over two days, 45 minutes each, at the session's level or narrower; the
        Restricted ones name the convenor and two participants."""
        items = []
        readers = []  # (item index, person id)
        for session in sessions:
            roster = members[session.dialogue_id]
            convenor = roster[0]
            participants = [m for m in roster if m.role == R.PARTICIPANT]
            floor = LEVEL_NAMES.index(session.level.name)
            per_day = math.ceil(self.size.items_per_session / 2)
            for i in range(self.size.items_per_session):
                day, slot = divmod(i, per_day)
                start = session.start + timedelta(days=day, hours=slot)
                level = self.scale[max(floor, ITEM_LEVELS[i % len(ITEM_LEVELS)])]
                kind = ITEM_KINDS[i % len(ITEM_KINDS)]
                items.append(
                    AgendaItem(
                        session=session,
                        order=i + 1,
                        start=start,
                        end=start + timedelta(minutes=45),
                        room=ROOMS[i % len(ROOMS)],
                        title=f"Item {i + 1}: {THEMES[(i + session.pk) % len(THEMES)]}",
                        description=SENTENCES[i % len(SENTENCES)],
                        kind=kind,
                        moderator=convenor if kind == "plenary" else None,
                        level=level,
                        created_by=self.convenor_users[session.dialogue_id],
                    )
                )
                if level.name == "Restricted":
                    named = [convenor, *participants[i % 3 :: 7][:2]]
                    readers += [(len(items) - 1, m.person_id) for m in named]
        _bulk(AgendaItem, items)
        Through = AgendaItem.readers.through
        _bulk(
            Through,
            [Through(agendaitem_id=items[i].pk, person_id=person) for i, person in readers],
        )
        self.item_readers: dict[int, list[int]] = {}
        for i, person in readers:
            self.item_readers.setdefault(items[i].pk, []).append(person)
        return items

    def _publish(self, sessions, items) -> int:
        """Version 1 of every agenda; every fifth session's agenda published again as version
        2 (the same items), as after a late change."""
        by_session: dict[int, list[AgendaItem]] = {}
        for item in items:
            by_session.setdefault(item.session_id, []).append(item)
        versions = []
        for n, session in enumerate(sessions):
            numbers = [1, 2] if n % REPUBLISHED_EVERY == REPUBLISHED_EVERY - 1 else [1]
            for number in numbers:
                versions.append(
                    AgendaVersion(
                        session=session,
                        number=number,
                        published_by=self.convenor_users[session.dialogue_id],
                    )
                )
            session.published_version = numbers[-1]
        _bulk(AgendaVersion, versions)
        Session.objects.bulk_update(sessions, ["published_version"], batch_size=BATCH)

        copies = []
        for version in versions:
            for item in by_session.get(version.session_id, []):
                copies.append(
                    PublishedAgendaItem(
                        version=version,
                        session_id=version.session_id,
                        source=item,
                        order=item.order,
                        start=item.start,
                        end=item.end,
                        room=item.room,
                        title=item.title,
                        description=item.description,
                        kind=item.kind,
                        moderator=item.moderator,
                        level=item.level,
                        level_as_published=item.level,
                    )
                )
        _bulk(PublishedAgendaItem, copies)
        Through = PublishedAgendaItem.readers.through
        _bulk(
            Through,
            [
                Through(publishedagendaitem_id=copy.pk, person_id=person)
                for copy in copies
                for person in self.item_readers.get(copy.source_id, [])
            ],
        )
        return len(copies)

    # -- papers -----------------------------------------------------------------------------------

    def _documents(self, dialogues, sessions, items, members) -> list[Document]:
        """A quarter of each dialogue's papers dialogue-wide, the rest spread over its sessions
        (every third on an agenda item), each at its container's level or narrower. Files are
        small text files under private storage, named as the upload service names them."""
        sessions_of: dict[int, list[Session]] = {}
        for session in sessions:
            sessions_of.setdefault(session.dialogue_id, []).append(session)
        items_of: dict[int, list[AgendaItem]] = {}
        for item in items:
            items_of.setdefault(item.session_id, []).append(item)

        documents = []
        readers = []  # (document index, person id)
        for dialogue in dialogues:
            roster = members[dialogue.pk]
            convenor = roster[0]
            participants = [m for m in roster if m.role == R.PARTICIPANT]
            own_sessions = sessions_of[dialogue.pk]
            count = self.size.documents_per_dialogue
            for k in range(count):
                session = item = None
                floor = 0
                if k >= count // 4:
                    session = own_sessions[k % len(own_sessions)]
                    floor = LEVEL_NAMES.index(session.level.name)
                    if k % 3 == 0 and items_of.get(session.pk):
                        item = items_of[session.pk][k % len(items_of[session.pk])]
                        floor = LEVEL_NAMES.index(item.level.name)
                level = self.scale[max(floor, k % len(LEVEL_NAMES))]
                kind = PAPER_KINDS[k % len(PAPER_KINDS)]
                title = f"{kind.replace('_', ' ').capitalize()} {k + 1} of {dialogue.cover_name}"
                body = f"{title}\n\n{SENTENCES[k % len(SENTENCES)]}\n".encode()
                name = self.storage.save(f"documents/{uuid.uuid4().hex}", ContentFile(body))
                self.written.append(name)
                documents.append(
                    Document(
                        dialogue=dialogue,
                        session=session,
                        agenda_item=item,
                        kind=kind,
                        title=title,
                        level=level,
                        file=name,
                        original_name=f"paper-{k + 1}.txt",
                        content_type="text/plain; charset=utf-8",
                        size=len(body),
                        sha256=hashlib.sha256(body).hexdigest(),
                        uploaded_by=self.convenor_users[dialogue.pk],
                    )
                )
                # The uploader is named on every paper; Restricted ones name a participant too.
                readers.append((len(documents) - 1, convenor.person_id))
                if level.name == "Restricted" and participants:
                    readers.append(
                        (len(documents) - 1, participants[k % len(participants)].person_id)
                    )
        _bulk(Document, documents)
        Through = Document.readers.through
        _bulk(
            Through,
            [Through(document_id=documents[i].pk, person_id=person) for i, person in readers],
        )
        return documents
