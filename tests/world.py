"""The building blocks of the tests' worlds: one place that knows how to put a dialogue, its
people, sessions, agendas, papers, outcomes, packs, invitations and vetting cases into the
database.

Each world keeps its own scenario -- the feature tests' fixture (``tests/dialogues/conftest.py``),
the access matrix's sentinel world (``tests/access/world.py``), the property tests' random worlds
(``tests/dialogues/test_confidentiality_properties.py``) and the fuzzing's small world
(``tests/input/support.py``) -- and builds it from these blocks. A block makes rows (through the
factories in ``tests/factories.py``, which give every field a default) or calls the service that
production calls (publishing, packs, invitations), and returns what it made. Levels are given by
name or as ``ConfidentialityLevel`` rows; people to name as readers, speakers or attendees are
given as rows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import mail
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse

from dialogues.confidentiality import strictest_attribution
from dialogues.models import (
    AgendaItem,
    CaucusComment,
    ConfidentialityLevel,
    Dialogue,
    Document,
    Idea,
    NonPaper,
    NonPaperParagraph,
    NonPaperVersion,
    Official,
    Outcome,
    Session,
    SessionAttendance,
    Side,
)
from participants.models import GroundRulesAcceptance, Membership, Person, User
from tests.factories import (
    AgendaItemFactory,
    DialogueFactory,
    MembershipFactory,
    OutcomeFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
    level,
)

__all__ = [
    "LEVELS",
    "START",
    "account",
    "agenda_item",
    "attend",
    "committed",
    "designation_entry",
    "dialogue",
    "ground_rules_accepted",
    "idea",
    "invite",
    "level",
    "levels",
    "member_with_account",
    "membership",
    "outcome",
    "pack",
    "paper",
    "person",
    "possible_match",
    "publish",
    "recipient",
    "session",
    "sides",
]

# The scale the data migration seeds, lowest first.
LEVELS = ("Public", "Programme", "Participants", "Facilitators", "Restricted")
# The first day of the worlds' sessions (a Monday, well in the future).
START = datetime(2027, 3, 15, 8, tzinfo=UTC)


# -- levels and on-commit work --------------------------------------------------------------------


def levels() -> dict[str, ConfidentialityLevel]:
    """The scale, by name, lowest first."""
    return {lv.name: lv for lv in ConfidentialityLevel.objects.order_by("rank")}


def _level(value: str | ConfidentialityLevel) -> ConfidentialityLevel:
    return value if isinstance(value, ConfidentialityLevel) else level(value)


@contextmanager
def committed(*, run: bool = True):
    """Run (or, with ``run=False``, drop) what the block queues for after the commit -- renders,
    e-mails -- as production does once its transaction commits; the tests' own transaction never
    commits."""
    with TestCase.captureOnCommitCallbacks(execute=run) as callbacks:
        yield callbacks


# -- dialogues and people -------------------------------------------------------------------------


def dialogue(**fields) -> Dialogue:
    """A dialogue (Programme by default for new sessions)."""
    return DialogueFactory(**fields)


def sides(of: Dialogue, *names: str) -> list[Side]:
    """The dialogue's sides, in this order."""
    return [
        Side.objects.create(dialogue=of, name=name, position=position)
        for position, name in enumerate(names)
    ]


def account(*, mfa: bool = False, **fields) -> User:
    """An account that can sign in (``tests.factories.UserFactory``'s password); ``mfa``: with a
    TOTP authenticator and a security key, as staff and the convening team must hold."""
    user = UserFactory(**fields)
    if mfa:
        from tests.conftest import enable_mfa

        enable_mfa(user)
    return user


def person(*, user: User | None = None, **fields) -> Person:
    """A person; with ``user``, the account's holder (the address the account's by default)."""
    if user is not None:
        fields.setdefault("email", user.email)
    return PersonFactory(user=user, **fields)


def membership(
    *,
    person: Person,
    dialogue: Dialogue,
    role: str = Membership.Role.PARTICIPANT,
    clearance: str | ConfidentialityLevel = "Participants",
    side: Side | None = None,
    state: str = Membership.State.ACCEPTED,
) -> Membership:
    """The person's place in the dialogue."""
    return MembershipFactory(
        person=person,
        dialogue=dialogue,
        role=role,
        clearance=_level(clearance),
        side=side,
        state=state,
    )


def member_with_account(
    *,
    dialogue: Dialogue,
    role: str = Membership.Role.PARTICIPANT,
    clearance: str | ConfidentialityLevel = "Participants",
    side: Side | None = None,
    state: str = Membership.State.ACCEPTED,
    email: str | None = None,
) -> Membership:
    """A member who can sign in: an account, its person, and their membership."""
    user = account(**({"email": email} if email else {}))
    return membership(
        person=person(user=user),
        dialogue=dialogue,
        role=role,
        clearance=clearance,
        side=side,
        state=state,
    )


def ground_rules_accepted(member: Membership) -> GroundRulesAcceptance:
    """The member accepted the dialogue's ground rules as they stand, before the world begins."""
    rules = member.dialogue
    return GroundRulesAcceptance.objects.create(
        membership=member,
        version=rules.ground_rules_version,
        text_sha256=hashlib.sha256(rules.ground_rules.encode()).hexdigest(),
    )


# -- sessions, agendas, papers, outcomes ---------------------------------------------------------


def session(
    of: Dialogue,
    *,
    level: str | ConfidentialityLevel,
    attendees: Iterable[Membership] = (),
    readers: Iterable[Person] = (),
    start: datetime | None = None,
    days: int = 2,
    **fields,
) -> Session:
    """A session of ``days`` days from ``start`` (published unless ``status`` says otherwise),
    with its named readers and attendees."""
    if start is not None:
        fields.update(start=start, end=start + timedelta(days=days))
    made = SessionFactory(dialogue=of, level=_level(level), readers=list(readers), **fields)
    attend(attendees, [made])
    return made


def attend(members: Iterable[Membership], sessions: Iterable[Session]) -> None:
    """Each of the members attends each of the sessions."""
    sessions = list(sessions)
    SessionAttendance.objects.bulk_create(
        SessionAttendance(session=at, membership=member) for member in members for at in sessions
    )


def agenda_item(
    at: Session,
    *,
    level: str | ConfidentialityLevel,
    readers: Iterable[Person] = (),
    **fields,
) -> AgendaItem:
    """An item on the session's working agenda, with its named readers."""
    return AgendaItemFactory(session=at, level=_level(level), readers=list(readers), **fields)


def publish(agenda_of: Session, *, by: User | None = None) -> Session:
    """Publish the session's working agenda as its next version (through the planner's service);
    the session, read again (publishing a draft makes it published)."""
    from dialogues.planning.services import agenda_publish

    agenda_publish(session=agenda_of, by=by)
    agenda_of.refresh_from_db()
    return agenda_of


def paper(
    of: Dialogue,
    *,
    title: str,
    level: str | ConfidentialityLevel,
    session: Session | None = None,
    item: AgendaItem | None = None,
    readers: Iterable[Person] = (),
    body: bytes | None = b"Paper\n",
    name: str = "paper.txt",
    content_type: str = "text/plain",
) -> Document:
    """A paper of the dialogue, in a session or on an agenda item if given, stored as
    ``body`` under the upload name ``name``; ``body=None``: no file stored (for worlds that
    never open one)."""
    document = Document(
        dialogue=of,
        session=session,
        agenda_item=item,
        title=title,
        level=_level(level),
        original_name=name,
        content_type=content_type,
        size=len(body or b""),
        sha256=hashlib.sha256(body or b"").hexdigest(),
    )
    if body is None:
        document.file = "documents/unstored"
    else:
        document.file.save("paper.txt", ContentFile(body), save=False)
    document.save()
    document.readers.set(readers)
    return document


def outcome(
    at: Session,
    *,
    level: str | ConfidentialityLevel,
    speakers: Iterable[Person] = (),
    readers: Iterable[Person] = (),
    **fields,
) -> Outcome:
    """An outcome of the session (an idea under the Chatham House rule unless said otherwise),
    with who said it and its named readers."""
    made = OutcomeFactory(session=at, level=_level(level), **fields)
    made.speakers.set(speakers)
    made.readers.set(readers)
    return made


def idea(
    of: Dialogue,
    *,
    sources: Iterable[Outcome],
    level: str | ConfidentialityLevel,
    readers: Iterable[Person] = (),
    **fields,
) -> Idea:
    """An idea of the dialogue derived from ``sources`` (outcomes of its sessions), as the
    service keeps it (the strictest attribution of its sources), with its named readers; no
    check of who derives it."""
    sources = list(sources)
    fields.setdefault("title", "An idea")
    fields.setdefault("summary", "What the idea proposes.")
    made = Idea.objects.create(
        dialogue=of,
        level=_level(level),
        attribution=strictest_attribution(o.attribution for o in sources),
        **fields,
    )
    made.sources.set(sources)
    made.readers.set(readers)
    return made


def non_paper(
    of: Dialogue,
    *,
    ideas: Iterable[Idea],
    level: str | ConfidentialityLevel,
    readers: Iterable[Person] = (),
    paragraphs: Iterable[str] = ("The first paragraph.", "The second paragraph."),
    circulated: int = 0,
    **fields,
) -> NonPaper:
    """A non-paper of the dialogue drafted from ``ideas`` (no check of who drafts it): version 1
    holds ``paragraphs``; its first ``circulated`` versions are circulated, each the next one's
    copy, and the last version is the working one."""
    fields.setdefault("title", "A non-paper")
    made = NonPaper.objects.create(dialogue=of, level=_level(level), **fields)
    made.ideas.set(list(ideas))
    made.readers.set(readers)
    texts = list(paragraphs)
    rows = NonPaperParagraph.objects.bulk_create(NonPaperParagraph(non_paper=made) for _ in texts)
    content = [{"id": row.pk, "text": text} for row, text in zip(rows, texts, strict=True)]
    for number in range(1, circulated + 1):
        NonPaperVersion.objects.create(
            non_paper=made,
            number=number,
            state=NonPaperVersion.State.CIRCULATED,
            paragraphs=content,
            frozen_at=START,
        )
    NonPaperVersion.objects.create(non_paper=made, number=circulated + 1, paragraphs=content)
    return made


def caucus_comment(
    version: NonPaperVersion,
    *,
    side: Side,
    author: Person,
    body: str,
    paragraph: int = 0,
    by_team: bool = False,
) -> CaucusComment:
    """A comment in ``side``'s thread on the ``paragraph``-th paragraph (from 0) of
    ``version``, with no check of who writes it."""
    return CaucusComment.objects.create(
        version=version,
        paragraph_id=version.paragraphs[paragraph]["id"],
        side=side,
        author=author,
        body=body,
        by_team=by_team,
    )


# -- briefing packs, invitations, vetting ---------------------------------------------------------


def official(
    of: Dialogue, name: str, email: str, clearance: str | ConfidentialityLevel, **fields
) -> Official:
    """An official of the dialogue's register (``position``, ``institution``, ``reached_by``,
    ``note``, ``retired_at`` as given)."""
    return Official.objects.create(
        dialogue=of, name=name, email=email, clearance=_level(clearance), **fields
    )


@dataclass(frozen=True)
class Recipient:
    """Whom a pack made by ``pack`` goes to: the official of the register with this e-mail,
    added to it if it has none."""

    name: str
    email: str
    clearance: ConfidentialityLevel
    position: str = ""
    organisation: str = ""

    def official_of(self, dialogue: Dialogue) -> Official:
        found = Official.objects.filter(dialogue=dialogue, email__iexact=self.email).first()
        return found or official(
            dialogue,
            self.name,
            self.email,
            self.clearance,
            position=self.position,
            institution=self.organisation,
        )


def recipient(name: str, email: str, clearance: str | ConfidentialityLevel, **fields) -> Recipient:
    """One recipient of a briefing pack (an official of the pack's dialogue, see ``pack``)."""
    return Recipient(name=name, email=email, clearance=_level(clearance), **fields)


def pack(*, of: Dialogue, by: User, recipients: list, note: str = "", render: bool = False):
    """A briefing pack requested by ``by`` (through the briefing service, as that account sees
    the dialogue) for ``recipients`` (officials, or ``recipient``s: each the register's official
    with that e-mail, added if missing); ``render``: its copies are rendered at once, else they
    stay queued."""
    from dialogues.briefing import services as briefing
    from dialogues.confidentiality import viewer_for_user

    officials = [r if isinstance(r, Official) else r.official_of(of) for r in recipients]
    with committed(run=render):
        return briefing.pack_request(
            dialogue=of,
            viewer=viewer_for_user(by),
            requested_by=by,
            officials=officials,
            note=note,
        )


_INVITATION_LINK = re.compile(r"/invitations/([^/\s]+)/")


def invite(member: Membership, *, by: User):
    """Send the cleared member an invitation (or send it again: the earlier link stops working);
    the invitation and the token of the link its e-mail holds."""
    from participants.invitations.services import invitation_send

    invitation = invitation_send(membership=member, by=by)
    return invitation, _INVITATION_LINK.search(mail.outbox[-1].body).group(1)


def designation_entry(
    *,
    list_name="Test list",
    reference,
    name,
    aliases=(),
    birth_years=(),
    nationalities=(),
    script="",
    remarks="",
):
    """An entry in the current version of a list (created if needed), as an import leaves it."""
    from participants.models import (
        DesignationAlias,
        DesignationEntry,
        DesignationList,
        DesignationListVersion,
    )

    designation_list, _ = DesignationList.objects.get_or_create(
        name=list_name, defaults={"format": DesignationList.Format.CSV}
    )
    version = designation_list.current_version
    if version is None:
        version = DesignationListVersion.objects.create(
            designation_list=designation_list, number=1, source_names="test.csv", sha256="0" * 64
        )
        designation_list.current_version = version
        designation_list.save(update_fields=["current_version"])
    content = [name, script, list(aliases), list(birth_years), list(nationalities)]
    entry = DesignationEntry.objects.create(
        version=version,
        reference=reference,
        name=name,
        name_original_script=script,
        birth_dates=[{"year_from": y, "year_to": y, "date": ""} for y in birth_years],
        nationalities=list(nationalities),
        remarks=remarks,
        fingerprint=hashlib.sha256(json.dumps(content).encode()).hexdigest(),
    )
    for alias in aliases:
        DesignationAlias.objects.create(entry=entry, name=alias)
    return entry


def possible_match(*, case, reference: str, listed: str, nominee: str, score: float):
    """A possible match of the vetting case's nominee (named ``nominee``) with an entry
    ``listed`` on the test list."""
    from participants.models import PossibleMatch

    entry = designation_entry(reference=reference, name=listed)
    return PossibleMatch.objects.create(
        case=case, entry=entry, score=score, nominee_name=nominee, matched_name=listed
    )


def publish_as_a_planner(client, session: Session, *, confirm_clashes: bool = False):
    """Publish a session's agenda as a planner does: look at the preview, then publish what it
    showed (its fingerprint), confirming any room clash if asked to. The POST's response."""
    url = reverse("dialogues:agenda_publish", args=[session.dialogue_id, session.pk])
    preview = client.get(url).context["preview"]
    data = {"fingerprint": preview.fingerprint}
    if confirm_clashes:
        data["confirm_clashes"] = "yes"
    return client.post(url, data)
