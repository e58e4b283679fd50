"""The page benchmark's data (``make bench-pages``, ``bench/pages.py``), written with
``bulk_create`` like the load test's scaled organisation (``dialogues.demo.demo_scale``), into the
benchmark's own throw-away database:

- one dialogue whose sessions have 10, 40 and 160 agenda items, published, with two papers on
  each item; a participant (``session_reader``) attends them all, with seven others;
- twenty dialogues of three sessions each; three participants are members of the first 2, 11
  and 20 of them (``home_readers``), attending every session, for the home page.

Every member is accepted, cleared and has accepted the ground rules; the readers hold
"Participants" clearance and every item and paper is at "Programme" or "Participants", so the
rules let them see every row, and the bare reference page (``bench/reference``) reads the same
rows with plain queries. Built once (a marker dialogue says so), in one transaction.
"""

from __future__ import annotations

import hashlib
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import connection, transaction

SESSION_ITEMS = (10, 40, 160)
HOME_DIALOGUES = (2, 11, 20)
PAPERS_PER_ITEM = 2
HOME_SESSIONS = 3
OTHER_ATTENDEES = 7
DOMAIN = "bench-pages.trackii.invalid"
# Raise when the data changes: a database built by an older version is refused, not reused.
VERSION = 1
MARKER = f"Page benchmark v{VERSION}"
ZONE = "Europe/Vienna"
ROOMS = ["Plenary hall", "Room A", "Room B", "Garden room", "Library"]
ITEM_KINDS = ["plenary", "breakout", "plenary", "informal", "side_consultation"]
PAPER_KINDS = ["concept_note", "background_paper", "non_paper", "other"]
THEMES = ["water", "detainees", "the crossings", "grazing rights", "fisheries", "returns"]
SENTENCES = [
    "Each side sets out how the question looks from its own capital.",
    "The rapporteur summarises where views converged in the previous round.",
    "Engineers and former officials compare figures before any proposal is discussed.",
]


@dataclass(frozen=True)
class PagesData:
    dialogue_id: int  # the sessions' dialogue
    sessions: dict[int, int]  # agenda items -> session id
    session_reader: str  # e-mail address
    home_readers: dict[int, str]  # dialogues -> e-mail address


def session_reader_email() -> str:
    return f"session-reader@{DOMAIN}"


def home_reader_email(dialogues: int) -> str:
    return f"home-reader-{dialogues:02d}@{DOMAIN}"


def pages_data() -> PagesData:
    """The benchmark's data, built on the first call."""
    from dialogues.models import Dialogue, Session

    marker = Dialogue.objects.filter(title=MARKER).first()
    if marker is None:
        if Dialogue.objects.filter(title__startswith="Page benchmark").exists():
            raise SystemExit(
                "make bench-pages: this database holds an older version of the benchmark's "
                "data: drop it (it is the benchmark's own) or name another in DATABASE_URL."
            )
        with transaction.atomic():
            marker = _Builder().build()
        _analyze()
    sessions = Session.objects.filter(dialogue=marker).order_by("pk").values_list("pk", flat=True)
    return PagesData(
        dialogue_id=marker.pk,
        sessions=dict(zip(SESSION_ITEMS, sessions, strict=True)),
        session_reader=session_reader_email(),
        home_readers={n: home_reader_email(n) for n in HOME_DIALOGUES},
    )


def _analyze() -> None:
    # Fresh statistics, or PostgreSQL takes the new tables for empty (demo_scale's _analyze).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class _Builder:
    def __init__(self) -> None:
        from dialogues.models import ConfidentialityLevel

        self.levels = {level.name: level for level in ConfidentialityLevel.objects.all()}
        self.password = make_password(None)  # unusable: the benchmark signs in by session
        self.zone = zoneinfo.ZoneInfo(ZONE)
        self.people = 0

    def build(self):
        from dialogues.models import Dialogue

        convenor = self._person("convenor")
        marker = self._dialogue(MARKER, "sessions")
        homes = [
            self._dialogue(f"Page benchmark home {n + 1:02d}", THEMES[n % len(THEMES)])
            for n in range(max(HOME_DIALOGUES))
        ]
        dialogues = [marker, *homes]
        Dialogue.objects.bulk_create(dialogues)
        for dialogue in dialogues:
            self._sides(dialogue)
        convening = {d.pk: self._member(convenor, d, "convenor", "Restricted") for d in dialogues}

        # The session page's dialogue: sessions of 10, 40 and 160 items, their attendees.
        reader = self._member(self._person("session-reader"), marker, "participant")
        others = [
            self._member(self._person(f"attendee-{n + 1}"), marker, "participant")
            for n in range(OTHER_ATTENDEES)
        ]
        for number, items in enumerate(SESSION_ITEMS):
            session = self._session(marker, number, convenor, title=f"Round on {items} items")
            self._attend(session, [convening[marker.pk], reader, *others])
            self._agenda(session, items, convening[marker.pk], convenor)

        # The home page's dialogues and their readers.
        readers = {n: self._person(f"home-reader-{n:02d}") for n in HOME_DIALOGUES}
        for position, dialogue in enumerate(homes):
            members = [
                self._member(person, dialogue, "participant")
                for n, person in readers.items()
                if position < n
            ]
            for number in range(HOME_SESSIONS):
                session = self._session(
                    dialogue, number, convenor, title=f"Round {number + 1} on {dialogue.title[-2:]}"
                )
                self._attend(session, [convening[dialogue.pk], *members])
        return marker

    # -- people -----------------------------------------------------------------------------

    def _person(self, name: str):
        from participants.models import Person, User

        self.people += 1
        email = f"{name}@{DOMAIN}"
        user = User.objects.create(email=email, password=self.password)
        return Person.objects.create(
            full_name=f"Bench {name.replace('-', ' ').title()}",
            family_name=f"{name.title()} {self.people:03d}",
            affiliation="Invented institute",
            position="Member",
            email=email,
            user=user,
        )

    def _dialogue(self, title: str, theme: str):
        from dialogues.models import Dialogue

        return Dialogue(
            title=title,
            context=f"An invented programme on {theme}, for the page benchmark.",
            convening_organisation="Centre for Quiet Diplomacy (fictional)",
            status=Dialogue.Status.ACTIVE,
            default_level=self.levels["Programme"],
            ground_rules="Meetings are held under the Chatham House Rule.",
        )

    def _sides(self, dialogue) -> None:
        from dialogues.models import Side

        self.sides = getattr(self, "sides", {})
        self.sides[dialogue.pk] = Side.objects.bulk_create(
            [
                Side(dialogue=dialogue, name=name, is_third_party=n == 2, position=n)
                for n, name in enumerate(["First side", "Second side", "Facilitation"])
            ]
        )

    def _member(self, person, dialogue, role: str, clearance: str = "Participants"):
        from participants.models import GroundRulesAcceptance, Membership, VettingCase

        side = self.sides[dialogue.pk][2 if role == "convenor" else self.people % 2]
        membership = Membership.objects.create(
            person=person,
            dialogue=dialogue,
            side=side,
            role=role,
            clearance=self.levels[clearance],
            state=Membership.State.ACCEPTED,
        )
        if role != "convenor":
            VettingCase.objects.create(
                membership=membership,
                status=VettingCase.Status.CLEARED,
                reason="Page benchmark: cleared.",
            )
        GroundRulesAcceptance.objects.create(
            membership=membership,
            version=dialogue.ground_rules_version,
            text_sha256=hashlib.sha256(dialogue.ground_rules.encode()).hexdigest(),
        )
        return membership

    # -- sessions, agendas, papers ----------------------------------------------------------

    def _session(self, dialogue, number: int, convenor, *, title: str):
        from dialogues.models import Session

        start = datetime(2027, 3, 1, 9, tzinfo=self.zone) + timedelta(days=40 * number)
        return Session.objects.create(
            dialogue=dialogue,
            title=title,
            venue="Conference house",
            city="Vienna",
            time_zone=ZONE,
            start=start,
            end=start + timedelta(days=4, hours=9),
            status=Session.Status.PUBLISHED,
            level=self.levels["Programme"],
            created_by=convenor.user,
        )

    @staticmethod
    def _attend(session, memberships) -> None:
        from dialogues.models import SessionAttendance

        SessionAttendance.objects.bulk_create(
            [SessionAttendance(session=session, membership=m) for m in memberships]
        )

    def _agenda(self, session, count: int, moderator, convenor) -> None:
        from dialogues.models import AgendaItem, AgendaVersion, PublishedAgendaItem

        items = []
        for i in range(count):
            day, slot = divmod(i, 8)
            start = session.start + timedelta(days=day, hours=slot)
            kind = ITEM_KINDS[i % len(ITEM_KINDS)]
            items.append(
                AgendaItem(
                    session=session,
                    order=i + 1,
                    start=start,
                    end=start + timedelta(minutes=45),
                    room=ROOMS[i % len(ROOMS)],
                    title=f"Item {i + 1}: {THEMES[i % len(THEMES)]}",
                    description=SENTENCES[i % len(SENTENCES)],
                    kind=kind,
                    moderator=moderator if kind == "plenary" else None,
                    level=self.levels[["Programme", "Participants"][i % 2]],
                    created_by=convenor.user,
                )
            )
        AgendaItem.objects.bulk_create(items)
        version = AgendaVersion.objects.create(
            session=session, number=1, published_by=convenor.user
        )
        session.published_version = 1
        session.save(update_fields=["published_version"])
        PublishedAgendaItem.objects.bulk_create(
            [
                PublishedAgendaItem(
                    version=version,
                    session=session,
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
                for item in items
            ]
        )
        self._papers(session, items, convenor)

    def _papers(self, session, items, convenor) -> None:
        from dialogues.models import Document

        storage = Document._meta.get_field("file").storage
        papers = []
        for i, item in enumerate(items):
            for k in range(PAPERS_PER_ITEM):
                n = i * PAPERS_PER_ITEM + k
                kind = PAPER_KINDS[n % len(PAPER_KINDS)]
                title = f"{kind.replace('_', ' ').capitalize()} {n + 1} on {item.title}"
                body = f"{title}\n\n{SENTENCES[n % len(SENTENCES)]}\n".encode()
                name = storage.save(f"documents/{uuid.uuid4().hex}", ContentFile(body))
                papers.append(
                    Document(
                        dialogue=session.dialogue,
                        session=session,
                        agenda_item=item,
                        kind=kind,
                        title=title,
                        level=self.levels[["Programme", "Participants"][n % 2]],
                        file=name,
                        original_name=f"paper-{n + 1}.txt",
                        content_type="text/plain; charset=utf-8",
                        size=len(body),
                        sha256=hashlib.sha256(body).hexdigest(),
                        uploaded_by=convenor.user,
                    )
                )
        Document.objects.bulk_create(papers)
