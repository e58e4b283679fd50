"""The world the access matrix looks at, and an independent statement of who may read what in it.

Two dialogues, built once per test session from the specifications below: every title,
description, venue, city, room, file name, file body, outcome text and person name is a
distinctive *sentinel* string (``SNT-...``), so that a page, a PDF, a feed or an e-mail can be
searched for everything it must not hold.

Who may read which sentinel is decided here, in plain Python, from the rules as the project
states them (README, ``docs/``, the docstring of ``dialogues.confidentiality``), without
calling that module: the matrix compares the application against this statement, never one
implementation against another built on it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from tests.world import START

# -- the scale, as the rules state it (checked against the database when the world is built) ----

LEVELS = ("Public", "Programme", "Participants", "Facilitators", "Restricted")
AUDIENCE = {
    "Public": "outside",
    "Programme": "programme",
    "Participants": "attendees",
    "Facilitators": "convening_team",
    "Restricted": "named",
}
RANK = {name: index for index, name in enumerate(LEVELS)}
CONVENING_ROLES = ("convenor", "facilitator")
RECORDING_ROLES = ("convenor", "facilitator", "rapporteur")


# -- specifications -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DialogueSpec:
    key: str
    outbound: str  # the highest level that may leave (e-mail, feeds, file names)
    ground_rules: bool = True
    attendance_visible: bool = True

    @property
    def title(self) -> str:
        return f"SNT-{self.key}-DTITLE"

    @property
    def context(self) -> str:
        return f"SNT-{self.key}-DCONTEXT"

    @property
    def organisation(self) -> str:
        return f"SNT-{self.key}-DORG"

    @property
    def rules(self) -> str:
        return f"SNT-{self.key}-DRULES"

    @property
    def summary(self) -> str:
        return f"SNT-{self.key}-DBRIEF"

    @property
    def cover(self) -> str:
        return f"SNT-{self.key}-DCOVER"

    @property
    def sides(self) -> tuple[str, str]:
        return (f"SNT-{self.key}-SIDEONE", f"SNT-{self.key}-SIDETWO")

    @property
    def third_party(self) -> str:
        """The side that facilitates (``PersonSpec.side`` ``THIRD_PARTY``)."""
        return f"SNT-{self.key}-SIDETHIRD"

    @property
    def side_names(self) -> tuple[str, str, str]:
        return (*self.sides, self.third_party)


THIRD_PARTY = 2  # ``PersonSpec.side`` of the third party (the last of ``side_names``)


@dataclass(frozen=True)
class PersonSpec:
    key: str
    dialogue: str | None
    role: str = "participant"
    clearance: str = "Participants"
    state: str = "accepted"
    side: int | None = None  # index into the dialogue's ``side_names`` (2: the third party)
    account: bool = True
    staff: bool = False
    mfa: bool = False

    @property
    def name(self) -> str:
        return f"SNT-P{self.key.upper()}-NAME"

    @property
    def email(self) -> str:
        return f"{self.key}@access.example"


@dataclass(frozen=True)
class SessionSpec:
    key: str
    dialogue: str
    level: str
    attendees: tuple[str, ...] = ()
    readers: tuple[str, ...] = ()
    status: str = "published"
    day: int = 0

    @property
    def sentinels(self) -> dict[str, str]:
        return {f: f"SNT-{self.key}-{f.upper()}" for f in ("title", "venue", "city")}


@dataclass(frozen=True)
class ItemSpec:
    key: str
    session: str
    level: str
    readers: tuple[str, ...] = ()
    moderator: str | None = None
    published: bool = True  # False: on the working agenda only (added after publishing)
    changed_to: str | None = None  # the working item's level, changed after publishing
    deleted: bool = False  # deleted after publishing: its published copy is withdrawn

    @property
    def level_now(self) -> str:
        """The working item's level now (``level`` is the level it was published at)."""
        return self.changed_to or self.level

    @property
    def sentinels(self) -> dict[str, str]:
        return {f: f"SNT-{self.key}-{f.upper()}" for f in ("title", "description", "room")}


@dataclass(frozen=True)
class DocumentSpec:
    key: str
    dialogue: str
    level: str
    session: str | None = None
    item: str | None = None
    readers: tuple[str, ...] = ()

    @property
    def sentinels(self) -> dict[str, str]:
        return {
            "title": f"SNT-{self.key}-TITLE",
            "original_name": f"SNT-{self.key}-FILENAME",
            "body": f"SNT-{self.key}-BODY",
        }


@dataclass(frozen=True)
class OutcomeSpec:
    key: str
    session: str
    level: str
    attribution: str = "chatham_house"
    readers: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()

    @property
    def sentinels(self) -> dict[str, str]:
        return {"summary": f"SNT-{self.key}-SUMMARY", "record": f"SNT-{self.key}-RECORD"}


@dataclass(frozen=True)
class IdeaSpec:
    """An idea of a dialogue, derived from outcomes (rule 8: seen by whom its level allows and
    who sees every source)."""

    key: str
    dialogue: str
    sources: tuple[str, ...]
    level: str
    readers: tuple[str, ...] = ()

    @property
    def sentinels(self) -> dict[str, str]:
        return {"title": f"SNT-{self.key}-TITLE", "summary": f"SNT-{self.key}-SUMMARY"}


@dataclass(frozen=True)
class TransferSpec:
    """A transfer of an idea to an official (rule 10): seen by whom its own level allows and who
    sees its idea; never by an official. ``official``: the key of the copy whose official it
    reached; ``carried``: logged by that copy when its link was issued (no reaction yet, so no
    sentinel of its own); ``carrier``: who of the team carried it."""

    key: str
    idea: str
    level: str
    official: str
    carried: bool = False
    carrier: str | None = None
    readers: tuple[str, ...] = ()

    @property
    def dialogue(self) -> str:
        return IDEA_SPECS[self.idea].dialogue

    @property
    def sentinels(self) -> dict[str, str]:
        return {} if self.carried else {"reaction": f"SNT-{self.key}-REACTION"}


@dataclass(frozen=True)
class ChangeSpec:
    """An observed change (rule 10): seen by whom its own level allows and who sees every idea
    and transfer it is linked to; never by an official."""

    key: str
    dialogue: str
    level: str
    ideas: tuple[str, ...] = ()
    transfers: tuple[str, ...] = ()
    readers: tuple[str, ...] = ()

    @property
    def sentinels(self) -> dict[str, str]:
        return {"who": f"SNT-{self.key}-WHO", "what": f"SNT-{self.key}-WHAT"}


@dataclass(frozen=True)
class NonPaperSpec:
    """A non-paper (rule 12), drafted from ideas by its dialogue's facilitator: seen by whom its
    own level allows and who sees every one of its ideas. ``states``: its versions in order, the
    last one working; the working and internal ones are the convening team's, the circulated ones
    everyone's who sees it. Every version has the same two paragraphs: the first's words are
    the version's own sentinel, the second never changes (and holds none)."""

    key: str
    dialogue: str
    ideas: tuple[str, ...]
    level: str
    states: tuple[str, ...]
    readers: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"SNT-{self.key}-TITLE"

    def text(self, number: int) -> str:
        return f"SNT-{self.key}-V{number}TEXT"

    @property
    def numbers(self) -> range:
        return range(1, len(self.states) + 1)

    @property
    def sentinels(self) -> dict[str, str]:
        return {"title": self.title} | {f"version {n}": self.text(n) for n in self.numbers}


@dataclass(frozen=True)
class CommentSpec:
    """A caucus comment (rule 12) on the first paragraph of a circulated version, in the thread
    of one side (``side``: an index into its dialogue's sides): by a participant of that side, or
    a reply in it by a member of the convening team (``author`` of the team)."""

    key: str
    non_paper: str
    version: int
    side: int
    author: str

    @property
    def dialogue(self) -> str:
        return NON_PAPER_SPECS[self.non_paper].dialogue

    @property
    def by_team(self) -> bool:
        return PERSONS[self.author].role in CONVENING_ROLES

    @property
    def body(self) -> str:
        return f"SNT-{self.key}-BODY"


@dataclass(frozen=True)
class TemplateSpec:
    """An agenda template of a dialogue, saved from a session's agenda by a member of its
    convening team: it holds the items they see there (none for named readers), under the
    items' own sentinels."""

    key: str
    dialogue: str
    session: str
    by: str

    @property
    def name(self) -> str:
        return f"SNT-{self.key}-NAME"


@dataclass(frozen=True)
class CopySpec:
    """A recipient's copy of a briefing pack."""

    key: str
    dialogue: str
    clearance: str

    @property
    def name(self) -> str:
        return f"SNT-{self.key}-RECIPIENT"

    @property
    def email(self) -> str:
        return f"{self.key.lower()}@ministry.example"


@dataclass(frozen=True)
class ReportSpec:
    """A report for a dialogue's funders, at a level no higher than its outbound level;
    ``rendered``: the worker made its files (else it is still queued)."""

    key: str
    dialogue: str
    level: str
    rendered: bool


DIALOGUES = (
    # A's outbound level is Programme: Public and Programme titles may leave, nothing above.
    DialogueSpec("A", outbound="Programme"),
    DialogueSpec("B", outbound="Public", ground_rules=False),
)

PEOPLE = (
    PersonSpec("fac", "A", role="facilitator", clearance="Restricted", mfa=True),
    PersonSpec("conv", "A", role="convenor", clearance="Restricted", mfa=True),
    # A co-facilitator cleared below the convenor: the convening team is not a team of equals.
    PersonSpec("cof", "A", role="facilitator", clearance="Facilitators", mfa=True),
    PersonSpec("part", "A", clearance="Participants", side=0),
    # An observer on side one: observers speak in no side's caucus (rule 12).
    PersonSpec("obs", "A", role="observer", clearance="Programme", side=0),
    PersonSpec("other", "A", clearance="Participants", side=1),
    # A participant of the third party: no caucus of their own either; attends nothing.
    PersonSpec("thp", "A", clearance="Participants", side=THIRD_PARTY),
    PersonSpec("nom", "A", clearance="Restricted", state="nominated", account=False),
    PersonSpec("inv", "A", clearance="Participants", state="cleared", account=False),
    # Cleared at the co-facilitator's own clearance: only the facilitator or the convenor invite.
    PersonSpec("invf", "A", clearance="Facilitators", state="cleared", account=False),
    PersonSpec("out", "B", clearance="Restricted"),
    PersonSpec("ofac", "B", role="facilitator", clearance="Restricted", mfa=True),
    PersonSpec("admin", None, account=True, staff=True, mfa=True),
)

SESSIONS = (
    SessionSpec("SPUB", "A", "Public", attendees=("part", "obs", "other"), day=0),
    SessionSpec("SPRG", "A", "Programme", attendees=("part", "obs"), day=3),
    SessionSpec("SPAR", "A", "Participants", attendees=("part", "other"), day=6),
    # A pre-consultation with the other side: the participant does not attend it.
    SessionSpec("SPARX", "A", "Participants", attendees=("other",), day=9),
    # Attending without the clearance gives nothing.
    SessionSpec("SFAC", "A", "Facilitators", attendees=("part",), day=12),
    # Named readers only: the facilitator is named, the co-convenor is not.
    SessionSpec("SRES", "A", "Restricted", readers=("fac",), day=15),
    SessionSpec("SDRAFT", "A", "Programme", attendees=("part", "obs"), status="draft", day=18),
    SessionSpec("SB", "B", "Public", attendees=("out",), day=1),
)

ITEMS = (
    # Round one (Public) carries an item at every level.
    ItemSpec("IPUB", "SPUB", "Public"),
    ItemSpec("IPRG", "SPUB", "Programme", moderator="conv"),
    ItemSpec("IPAR", "SPUB", "Participants"),
    ItemSpec("IFAC", "SPUB", "Facilitators"),
    # Named: the participant only (not the facilitator, whatever their role).
    ItemSpec("IRES", "SPUB", "Restricted", readers=("part",)),
    ItemSpec("IWORK", "SPUB", "Public", published=False),
    # Changed after publishing: raised (readers of the published version lose it at once),
    # lowered (nobody new reads it before the next version), deleted (withdrawn at once).
    ItemSpec("ITIGHT", "SPUB", "Participants", changed_to="Facilitators"),
    ItemSpec("ILOOSE", "SPUB", "Facilitators", changed_to="Public"),
    ItemSpec("IGONE", "SPUB", "Participants", deleted=True),
    ItemSpec("ISPRG", "SPRG", "Programme"),
    ItemSpec("ISPAR", "SPAR", "Participants"),
    ItemSpec("ISPARX", "SPARX", "Participants"),
    ItemSpec("ISFAC", "SFAC", "Facilitators"),
    ItemSpec("ISRES", "SRES", "Restricted", readers=("fac",)),
    ItemSpec("ISDRAFT", "SDRAFT", "Programme", published=False),
    ItemSpec("ISB", "SB", "Public"),
)

DOCUMENTS = (
    # Dialogue-wide papers: at an attendees level, the clearance alone decides.
    DocumentSpec("DPUB", "A", "Public"),
    DocumentSpec("DPRG", "A", "Programme"),
    DocumentSpec("DPAR", "A", "Participants"),
    DocumentSpec("DFAC", "A", "Facilitators"),
    DocumentSpec("DRES", "A", "Restricted", readers=("obs",)),
    # Papers of round one.
    DocumentSpec("DSPUB", "A", "Public", session="SPUB"),
    DocumentSpec("DSPRG", "A", "Programme", session="SPUB"),
    DocumentSpec("DSPAR", "A", "Participants", session="SPUB"),
    DocumentSpec("DSFAC", "A", "Facilitators", session="SPUB"),
    DocumentSpec("DSRES", "A", "Restricted", session="SPUB", readers=("fac",)),
    # Papers on agenda items, and in a session the participant does not attend.
    DocumentSpec("DIPRG", "A", "Programme", session="SPUB", item="IPRG"),
    DocumentSpec("DIFAC", "A", "Facilitators", session="SPUB", item="IFAC"),
    # Papers follow their item as its readers read it: gone with the raise, waiting with the
    # lowering.
    DocumentSpec("DITIGHT", "A", "Participants", session="SPUB", item="ITIGHT"),
    DocumentSpec("DILOOSE", "A", "Participants", session="SPUB", item="ILOOSE"),
    DocumentSpec("DSPARX", "A", "Participants", session="SPARX"),
    DocumentSpec("DB", "B", "Public"),
)

OUTCOMES = (
    OutcomeSpec("OPUB", "SPUB", "Public", speakers=("other",)),
    OutcomeSpec("OPRG", "SPUB", "Programme", attribution="on_record", speakers=("other",)),
    OutcomeSpec("OPAR", "SPUB", "Participants"),
    OutcomeSpec("OFAC", "SPUB", "Facilitators", attribution="on_record", speakers=("part",)),
    OutcomeSpec("ORES", "SPUB", "Restricted", readers=("fac",)),
    OutcomeSpec("OOFF", "SPUB", "Public", attribution="off_record", speakers=("obs",)),
    OutcomeSpec("OSPARX", "SPARX", "Participants"),
    OutcomeSpec("OB", "SB", "Public"),
)

IDEAS = (
    IdeaSpec("IDPUB", "A", ("OPUB",), "Public"),
    IdeaSpec("IDPRG", "A", ("OPRG", "OPUB"), "Programme"),
    IdeaSpec("IDPAR", "A", ("OPAR",), "Participants"),  # from SPUB: attendees only
    IdeaSpec("IDSPARX", "A", ("OSPARX",), "Participants"),  # from a pre-consultation
    IdeaSpec("IDRES", "A", ("ORES",), "Restricted", readers=("fac",)),
    IdeaSpec("IDOFF", "A", ("OOFF",), "Public"),  # from an off-the-record outcome
    IdeaSpec("IDFACPUB", "A", ("OPUB",), "Facilitators"),  # its own level stricter
    IdeaSpec("IDB", "B", ("OB",), "Public"),
)

# Transfers and observed changes, recorded by A's facilitator (B's) through the services: the
# recorder is named on each, so a Restricted one names them too. (Those A's pack copies logged
# when their links were issued are ``CARRIED``, below.)
TRANSFERS = (
    TransferSpec("TRPUB", "IDPUB", "Facilitators", "OFFPRG", carrier="fac"),
    TransferSpec("TRPRG", "IDPRG", "Facilitators", "OFFFAC", carrier="cof"),
    # Restricted, naming the participant, who sees its idea: the one non-team reader.
    TransferSpec("TRRES", "IDPAR", "Restricted", "OFFPRG", readers=("fac", "part")),
    # Of an idea from a pre-consultation the participant does not attend.
    TransferSpec("TRSPARX", "IDSPARX", "Facilitators", "OFFFAC", carrier="fac"),
    # Naming the convenor, who may not see its idea (a note for the facilitator only).
    TransferSpec("TRIDRES", "IDRES", "Restricted", "OFFFAC", readers=("fac", "conv")),
    TransferSpec("TRB", "IDB", "Facilitators", "OFFB", carrier="ofac"),
)

CHANGES = (
    ChangeSpec("CHPUB", "A", "Facilitators", ideas=("IDPUB",), transfers=("TRPUB",)),
    ChangeSpec(
        "CHRES", "A", "Restricted", ideas=("IDPAR",), transfers=("TRRES",), readers=("fac", "part")
    ),
    ChangeSpec("CHSPARX", "A", "Facilitators", ideas=("IDSPARX",), transfers=("TRSPARX",)),
    # Its own level names the convenor; a transfer behind it is hidden from them.
    ChangeSpec("CHMIX", "A", "Restricted", transfers=("TRPUB", "TRIDRES"), readers=("fac", "conv")),
    ChangeSpec("CHB", "B", "Facilitators", transfers=("TRB",)),
)

NON_PAPERS = (
    # From a Programme idea: circulated (version 1), kept internal (2), working (3).
    NonPaperSpec("NPPRG", "A", ("IDPRG",), "Programme", ("circulated", "internal", "working")),
    # From an idea of the pre-consultation: the participant of side one may not see it.
    NonPaperSpec("NPSPARX", "A", ("IDSPARX",), "Participants", ("circulated", "working")),
    # Named readers: the participant and the facilitator who drafted it, not the rest of the team.
    NonPaperSpec(
        "NPRES", "A", ("IDPUB",), "Restricted", ("circulated", "working"), readers=("fac", "part")
    ),
    # Naming the convenor, who may not see its idea.
    NonPaperSpec(
        "NPIDRES", "A", ("IDRES",), "Restricted", ("circulated", "working"), readers=("fac", "conv")
    ),
    # Never circulated: the convening team's alone, whoever its level allows.
    NonPaperSpec("NPDRAFT", "A", ("IDPUB",), "Public", ("working",)),
    NonPaperSpec("NPB", "B", ("IDB",), "Public", ("circulated", "working")),
)

# Each in one side's thread of a non-paper's circulated version 1.
COMMENTS = (
    CommentSpec("CMONE", "NPPRG", 1, 0, "part"),
    CommentSpec("CMTWO", "NPPRG", 1, 1, "other"),
    CommentSpec("CMREPLY", "NPPRG", 1, 0, "fac"),  # the team's reply in side one's thread
    CommentSpec("CMREPLYTWO", "NPPRG", 1, 1, "cof"),  # and in side two's
    CommentSpec("CMSPARX", "NPSPARX", 1, 1, "other"),
    CommentSpec("CMRES", "NPRES", 1, 0, "part"),  # the co-facilitator is not named on it
    CommentSpec("CMB", "NPB", 1, 0, "ofac"),  # B's side one has nobody on it: the team's note
)

# A's co-facilitator asks to raise its outbound level to this (an open request, never confirmed).
OUTBOUND_RAISE = "Participants"

COPIES = (
    CopySpec("OFFPRG", "A", "Programme"),
    CopySpec("OFFFAC", "A", "Facilitators"),
    CopySpec("OFFB", "B", "Public"),  # B's pack is still queued (never rendered nor released)
)

# Reports for funders: A's at its outbound level, rendered; B's still queued.
REPORTS = (
    ReportSpec("RA", "A", "Programme", rendered=True),
    ReportSpec("RB", "B", "Public", rendered=False),
)

TEMPLATES = (
    TemplateSpec("TA", "A", session="SPUB", by="fac"),
    TemplateSpec("TB", "B", session="SB", by="ofac"),
)

# The matrix's roles: who knocks, and as whom.
ROLES = (
    "anonymous",
    "official",  # no account: an official holding the links of released copies
    "outsider",  # a member of the other dialogue only
    "observer",
    "participant",  # of side one
    "other_side",  # a participant of side two, who attends the pre-consultation
    "third_party",  # a participant of the third party (on the non-paper pages only)
    "other_facilitator",  # facilitator of the other dialogue
    "co_facilitator",  # facilitator cleared Facilitators, below the facilitator and convenor
    "facilitator",
    "admin",  # staff, not a member of any dialogue
)
# Roles that differ from another only under rule 12 (caucus comments): they knock on the
# non-paper pages only (``tests.access.matrix.NON_PAPER_ROLES``).
CAUCUS_ONLY_ROLES = ("third_party",)
ROLE_PERSON = {
    "outsider": "out",
    "observer": "obs",
    "participant": "part",
    "other_side": "other",
    "third_party": "thp",
    "other_facilitator": "ofac",
    "co_facilitator": "cof",
    "facilitator": "fac",
    "admin": "admin",
}


# -- readers and the rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Whoever reads a page, a file or an e-mail: a person (account or not), an official
    recipient of one copy, or nobody."""

    key: str
    person: str | None = None
    copy: str | None = None  # an official's copy
    funder: str | None = None  # a funder reading this report (rule 11)
    invitee_of: str | None = None  # holds an invitation link to this dialogue


@dataclass(frozen=True)
class Grant:
    dialogue: str
    rank: int
    convening: bool
    recording: bool
    official: bool
    person: str | None
    attended: frozenset[str]
    caucus: int | None = None  # the side whose caucus comments they read (rule 12)


PERSONS = {p.key: p for p in PEOPLE}
SESSION_SPECS = {s.key: s for s in SESSIONS}
ITEM_SPECS = {i.key: i for i in ITEMS}
DOCUMENT_SPECS = {d.key: d for d in DOCUMENTS}
OUTCOME_SPECS = {o.key: o for o in OUTCOMES}
IDEA_SPECS = {i.key: i for i in IDEAS}
COPY_SPECS = {c.key: c for c in COPIES}
REPORT_SPECS = {r.key: r for r in REPORTS}
CHANGE_SPECS = {c.key: c for c in CHANGES}
TEMPLATE_SPECS = {t.key: t for t in TEMPLATES}
NON_PAPER_SPECS = {n.key: n for n in NON_PAPERS}
COMMENT_SPECS = {c.key: c for c in COMMENTS}
DIALOGUE_SPECS = {d.key: d for d in DIALOGUES}


def grant_of(reader: Reader, dialogue: str) -> Grant | None:
    """What the reader holds in a dialogue: an accepted membership, an official's copy, or a
    funder's report (its level, and nothing else: no attendance, no role, no person)."""
    if reader.funder is not None:
        report = REPORT_SPECS[reader.funder]
        if report.dialogue != dialogue:
            return None
        return Grant(dialogue, RANK[report.level], False, False, False, None, frozenset())
    if reader.copy is not None:
        copy = COPY_SPECS[reader.copy]
        if copy.dialogue != dialogue:
            return None
        return Grant(dialogue, RANK[copy.clearance], False, False, True, None, frozenset())
    person = PERSONS.get(reader.person or "")
    if person is None or person.dialogue != dialogue or person.state != "accepted":
        return None
    attended = frozenset(s.key for s in SESSIONS if person.key in s.attendees)
    # A side's caucus is its participants' (and rapporteurs'): not the convening team's (they
    # read every side's), not an observer's, not the third party's.
    speaks = person.role not in (*CONVENING_ROLES, "observer") and person.side != THIRD_PARTY
    return Grant(
        dialogue,
        RANK[person.clearance],
        person.role in CONVENING_ROLES,
        person.role in RECORDING_ROLES,
        False,
        person.key,
        attended,
        person.side if speaks else None,
    )


def node_allows(grant: Grant, level: str, session: str | None, readers: tuple[str, ...]) -> bool:
    audience = AUDIENCE[level]
    if audience == "named":
        return not grant.official and grant.person in readers
    if grant.rank < RANK[level]:
        return False
    if audience in ("outside", "programme"):
        return True
    if audience == "attendees":
        return grant.convening or grant.official or session is None or session in grant.attended
    return grant.convening or grant.official  # the convening team


def sees_session(reader: Reader, key: str) -> bool:
    spec = SESSION_SPECS[key]
    grant = grant_of(reader, spec.dialogue)
    if grant is None or not node_allows(grant, spec.level, key, spec.readers):
        return False
    return spec.status != "draft" or grant.convening


def sees_item(reader: Reader, key: str) -> bool:
    """A published item, as published and as its working item is now (nobody once it is
    deleted), or a working-agenda item (the convening team's)."""
    spec = ITEM_SPECS[key]
    grant = grant_of(reader, SESSION_SPECS[spec.session].dialogue)
    if grant is None or not sees_session(reader, spec.session):
        return False
    if not spec.published and not grant.convening:
        return False
    if spec.deleted:
        return False
    return node_allows(grant, spec.level, spec.session, spec.readers) and node_allows(
        grant, spec.level_now, spec.session, spec.readers
    )


def sees_working_item(reader: Reader, key: str) -> bool:
    """The working agenda (the planner's): the convening team, item by item."""
    spec = ITEM_SPECS[key]
    grant = grant_of(reader, SESSION_SPECS[spec.session].dialogue)
    return (
        grant is not None
        and grant.convening
        and not spec.deleted
        and sees_session(reader, spec.session)
        and node_allows(grant, spec.level_now, spec.session, spec.readers)
    )


def compares_item(reader: Reader, key: str) -> bool:
    """The planner's list of changes: the convening team compares the published version with
    the working agenda, a deleted item included (as published)."""
    spec = ITEM_SPECS[key]
    grant = grant_of(reader, SESSION_SPECS[spec.session].dialogue)
    return (
        grant is not None
        and grant.convening
        and spec.published
        and sees_session(reader, spec.session)
        and node_allows(grant, spec.level, spec.session, spec.readers)
        and (spec.deleted or node_allows(grant, spec.level_now, spec.session, spec.readers))
    )


def sees_document(reader: Reader, key: str) -> bool:
    spec = DOCUMENT_SPECS[key]
    grant = grant_of(reader, spec.dialogue)
    if grant is None:
        return False
    if spec.session is None:
        return node_allows(grant, spec.level, None, spec.readers)
    if not sees_session(reader, spec.session):
        return False
    if not node_allows(grant, spec.level, spec.session, spec.readers):
        return False
    if spec.item is not None:  # the item as the reader sees it: working, or as published
        if grant.convening:
            item = ITEM_SPECS[spec.item]
            return node_allows(grant, item.level_now, item.session, item.readers)
        return sees_item(reader, spec.item)
    return True


def sees_idea(reader: Reader, key: str) -> bool:
    """Rule 8, stated apart: the idea's own level (no session of its own) and every source."""
    spec = IDEA_SPECS[key]
    grant = grant_of(reader, spec.dialogue)
    if grant is None or not node_allows(grant, spec.level, None, spec.readers):
        return False
    return all(sees_outcome(reader, source) for source in spec.sources)


def sees_transfer(reader: Reader, key: str) -> bool:
    """Rule 10, stated apart: never an official; the transfer's own level (no session of its
    own) and its idea."""
    spec = TRANSFER_SPECS[key]
    grant = grant_of(reader, spec.dialogue)
    if grant is None or grant.official:
        return False
    return node_allows(grant, spec.level, None, spec.readers) and sees_idea(reader, spec.idea)


def sees_change(reader: Reader, key: str) -> bool:
    """Rule 10: never an official; the change's own level, every idea and every transfer it is
    linked to."""
    spec = CHANGE_SPECS[key]
    grant = grant_of(reader, spec.dialogue)
    if grant is None or grant.official or not node_allows(grant, spec.level, None, spec.readers):
        return False
    return all(sees_idea(reader, k) for k in spec.ideas) and all(
        sees_transfer(reader, k) for k in spec.transfers
    )


def sees_non_paper(reader: Reader, key: str) -> bool:
    """Rule 12, stated apart: the non-paper's own level (no session of its own) and every one
    of its ideas."""
    spec = NON_PAPER_SPECS[key]
    grant = grant_of(reader, spec.dialogue)
    if grant is None or not node_allows(grant, spec.level, None, spec.readers):
        return False
    return all(sees_idea(reader, idea) for idea in spec.ideas)


def sees_version(reader: Reader, key: str, number: int) -> bool:
    """A version follows its non-paper: a circulated one for all who see it (an official at a
    clearance included), a working or internal one for the convening team only."""
    grant = grant_of(reader, NON_PAPER_SPECS[key].dialogue)
    state = NON_PAPER_SPECS[key].states[number - 1]
    return (
        grant is not None
        and sees_non_paper(reader, key)
        and (state == "circulated" or grant.convening)
    )


def caucus_of(reader: Reader, dialogue: str) -> int | None:
    """The side whose caucus the reader speaks in and reads (None: no side's)."""
    grant = grant_of(reader, dialogue)
    return None if grant is None else grant.caucus


def sees_comment(reader: Reader, key: str) -> bool:
    """A caucus comment: with its version; by the convening team and by those whose caucus is
    its side; never by an official, an observer, the third party or a member without a side."""
    spec = COMMENT_SPECS[key]
    grant = grant_of(reader, spec.dialogue)
    if grant is None or grant.official or not sees_version(reader, spec.non_paper, spec.version):
        return False
    return grant.convening or grant.caucus == spec.side


def sees_outcome(reader: Reader, key: str) -> bool:
    spec = OUTCOME_SPECS[key]
    grant = grant_of(reader, SESSION_SPECS[spec.session].dialogue)
    if grant is None or not sees_session(reader, spec.session):
        return False
    if grant.official and spec.attribution == "off_record":
        return False
    return node_allows(grant, spec.level, spec.session, spec.readers)


def records(reader: Reader, dialogue: str) -> bool:
    grant = grant_of(reader, dialogue)
    return grant is not None and grant.recording


def convenes(reader: Reader, dialogue: str) -> bool:
    grant = grant_of(reader, dialogue)
    return grant is not None and grant.convening


def changes_membership(reader: Reader, key: str) -> bool:
    """Inside the convening team: a member changes (or invites) only members cleared below
    their own clearance; a convenor anyone of their dialogue but a convenor cleared above
    them."""
    person = PERSONS[key]
    grant = grant_of(reader, person.dialogue) if person.dialogue else None
    if grant is None or not grant.convening:
        return False
    is_convenor = PERSONS[grant.person].role == "convenor"
    if person.role == "convenor":  # only a convenor cleared as high touches a convenor's place
        return is_convenor and RANK[person.clearance] <= grant.rank
    if is_convenor:
        return True
    return RANK[person.clearance] < grant.rank


def confirms_outbound_raise(reader: Reader, dialogue: str, *, to: str, requester: str) -> bool:
    """A raise of the outbound level is confirmed by another member of the convening team,
    cleared at or above the new level."""
    grant = grant_of(reader, dialogue)
    return (
        grant is not None
        and grant.convening
        and grant.person != requester
        and grant.rank >= RANK[to]
    )


def reads_copy(reader: Reader, copy: str) -> bool:
    """A rendered copy is read in Trackii by its dialogue's convening team, each up to their
    own clearance."""
    spec = COPY_SPECS[copy]
    grant = grant_of(reader, spec.dialogue)
    return (
        grant is not None
        and grant.convening
        and not grant.official
        and RANK[spec.clearance] <= grant.rank
    )


def reads_report(reader: Reader, report: str) -> bool:
    """A rendered report for funders is read in Trackii by its dialogue's convening team, each
    up to their own clearance (as a pack's copy)."""
    spec = REPORT_SPECS[report]
    grant = grant_of(reader, spec.dialogue)
    return (
        spec.rendered
        and grant is not None
        and grant.convening
        and not grant.official
        and RANK[spec.level] <= grant.rank
    )


def report_may_hold(report: str) -> frozenset[str]:
    """The sentinels a report for funders may hold: what a funder at its level sees (rule 11:
    at most the outbound level, attending nothing, named on nothing, on no team) of the
    sessions (their titles) and the ideas (titles and summaries; none from an outcome off the
    record: the report leaves the room), and the dialogue's cover name. Never a name, a side,
    the dialogue's title, an outcome's text or anything of an agenda or a paper."""
    spec = REPORT_SPECS[report]
    funder = Reader(f"funder {report}", funder=report)
    held = {
        s.sentinels["title"]
        for s in SESSIONS
        if s.dialogue == spec.dialogue and sees_session(funder, s.key)
    }
    ideas = {
        text
        for i in IDEAS
        if i.dialogue == spec.dialogue
        and sees_idea(funder, i.key)
        and all(OUTCOME_SPECS[o].attribution != "off_record" for o in i.sources)
        for text in i.sentinels.values()
    }
    return frozenset({DIALOGUE_SPECS[spec.dialogue].cover, *held, *ideas})


def is_member(reader: Reader, dialogue: str) -> bool:
    grant = grant_of(reader, dialogue)
    return grant is not None and not grant.official


def is_staff(reader: Reader) -> bool:
    person = PERSONS.get(reader.person or "")
    return person is not None and person.staff


def sees_person(reader: Reader, key: str) -> bool:
    """A person's name: their own; the convening team of their dialogue (the roster); staff
    (vetting); fellow attendees of a session both may see (when the dialogue shows attendance);
    the moderator of an item the reader sees; a speaker, to those who record, or to an official
    when the outcome is on the record."""
    person = PERSONS[key]
    if reader.person == key or is_staff(reader):
        return True
    dialogue = person.dialogue
    if dialogue is None:
        return False
    if convenes(reader, dialogue):
        return True
    grant = grant_of(reader, dialogue)
    if grant is None:
        return False
    if person.state == "accepted" and DIALOGUE_SPECS[dialogue].attendance_visible:
        for session in SESSIONS:
            if (
                session.dialogue == dialogue
                and key in session.attendees
                and session.key in grant.attended
                and sees_session(reader, session.key)
            ):
                return True
    for item in ITEMS:
        if item.moderator == key and sees_item(reader, item.key):
            return True
    # A caucus comment names its author to whoever reads it (their side, the convening team).
    if any(c.author == key and sees_comment(reader, c.key) for c in COMMENTS):
        return True
    # A speaker is named to those who record, and to an official when on the record.
    return any(
        key in outcome.speakers
        and sees_outcome(reader, outcome.key)
        and (grant.recording or (grant.official and outcome.attribution == "on_record"))
        for outcome in OUTCOMES
    )


@dataclass(frozen=True)
class Sentinel:
    text: str
    kind: str  # dialogue, session, item, paper, outcome, idea, non-paper, comment, person...
    key: str  # the spec's key (a dialogue's, a session's...)
    field: str  # title, venue, summary...
    dialogue: str | None
    level: str | None  # effective level, for the outbound rule; None: never leaves

    @property
    def what(self) -> str:
        return f"{self.kind} {self.key} {self.field}"


def _effective(*levels: str) -> str:
    return max(levels, key=RANK.__getitem__)


def all_sentinels() -> list[Sentinel]:
    found: list[Sentinel] = []
    for d in DIALOGUES:
        fields = {
            "title": d.title,
            "context": d.context,
            "organisation": d.organisation,
            "ground rules": d.rules,
            "briefing summary": d.summary,
            "side one": d.sides[0],
            "side two": d.sides[1],
            "side of the third party": d.third_party,
        }
        found += [Sentinel(t, "dialogue", d.key, f, d.key, None) for f, t in fields.items()]
        # The cover name is made to leave: it stands in for whatever may not.
        found.append(Sentinel(d.cover, "dialogue", d.key, "cover name", d.key, LEVELS[0]))
    for s in SESSIONS:
        for f, text in s.sentinels.items():
            found.append(Sentinel(text, "session", s.key, f, s.dialogue, s.level))
    for i in ITEMS:
        session = SESSION_SPECS[i.session]
        level = _effective(session.level, i.level, i.level_now)
        for f, text in i.sentinels.items():
            found.append(Sentinel(text, "item", i.key, f, session.dialogue, level))
    for doc in DOCUMENTS:
        path = [doc.level]
        if doc.session:
            path.append(SESSION_SPECS[doc.session].level)
        if doc.item:
            path += [ITEM_SPECS[doc.item].level, ITEM_SPECS[doc.item].level_now]
        for f, text in doc.sentinels.items():
            found.append(Sentinel(text, "paper", doc.key, f, doc.dialogue, _effective(*path)))
    for o in OUTCOMES:
        dialogue = SESSION_SPECS[o.session].dialogue
        for f, text in o.sentinels.items():
            found.append(Sentinel(text, "outcome", o.key, f, dialogue, None))
    for idea in IDEAS:
        for f, text in idea.sentinels.items():
            found.append(Sentinel(text, "idea", idea.key, f, idea.dialogue, None))
    for t in TRANSFERS:
        for f, text in t.sentinels.items():
            found.append(Sentinel(text, "transfer", t.key, f, t.dialogue, None))
    for c in CHANGES:
        for f, text in c.sentinels.items():
            found.append(Sentinel(text, "change", c.key, f, c.dialogue, None))
    for n in NON_PAPERS:
        # Its title leaves at its own level (at least its ideas'); its words never.
        found.append(Sentinel(n.title, "non-paper", n.key, "title", n.dialogue, n.level))
        for number in n.numbers:
            text = n.text(number)
            found.append(Sentinel(text, "non-paper", n.key, f"version {number}", n.dialogue, None))
    for c in COMMENTS:
        found.append(Sentinel(c.body, "comment", c.key, "body", c.dialogue, None))
    for p in PEOPLE:
        found.append(Sentinel(p.name, "person", p.key, "name", p.dialogue, None))
    for c in COPIES:
        found.append(Sentinel(c.name, "recipient", c.key, "name", c.dialogue, None))
    for t in TEMPLATES:
        found.append(Sentinel(t.name, "template", t.key, "name", t.dialogue, None))
    return found


SENTINELS = {s.text: s for s in all_sentinels()}


def _check_sentinels_distinct() -> None:
    texts = sorted(SENTINELS)
    for a in texts:
        for b in texts:
            if a != b and a in b:
                raise AssertionError(f"sentinel {a} is inside {b}: searches would confuse them")


_check_sentinels_distinct()
_SENTINEL_RE = re.compile("|".join(re.escape(t) for t in sorted(SENTINELS, key=len, reverse=True)))


def sentinels_in(text: str) -> set[str]:
    """The sentinels a text holds, whatever its case and however it was broken into lines or
    words (PDF text extraction, iCalendar line folding, slugified file names)."""
    return set(_SENTINEL_RE.findall(re.sub(r"\s+", "", text).upper()))


def _is_official_of(reader: Reader, dialogue: str) -> bool:
    grant = grant_of(reader, dialogue)
    return grant is not None and grant.official


def may_read(reader: Reader, text: str) -> bool:
    """Whether ``reader`` may read the sentinel ``text`` (the rules, stated independently)."""
    s = SENTINELS[text]
    if s.kind == "dialogue":
        member, official = is_member(reader, s.key), _is_official_of(reader, s.key)
        if s.field == "title":  # staff vet nominees for a named dialogue; a pack's cover names it
            return member or official or is_staff(reader)
        if s.field.startswith("side"):  # a vetting case shows the nominee's side
            return member or is_staff(reader)
        if s.field == "briefing summary":  # it opens every pack; the team writes it
            return convenes(reader, s.key) or official
        if s.field == "cover name":  # the name that leaves: invitations, pack links
            return member or official or reader.invitee_of == s.key
        return member
    if s.kind == "session":
        return sees_session(reader, s.key)
    if s.kind == "item":
        return (
            sees_item(reader, s.key)
            or sees_working_item(reader, s.key)
            or compares_item(reader, s.key)
        )
    if s.kind == "paper":
        return sees_document(reader, s.key)
    if s.kind == "outcome":
        if s.field == "record":  # the attributed record: those who record only
            return sees_outcome(reader, s.key) and records(reader, s.dialogue)
        return sees_outcome(reader, s.key)
    if s.kind == "idea":
        return sees_idea(reader, s.key)
    if s.kind == "transfer":
        return sees_transfer(reader, s.key)
    if s.kind == "change":
        return sees_change(reader, s.key)
    if s.kind == "non-paper":
        if s.field == "title":
            return sees_non_paper(reader, s.key)
        return sees_version(reader, s.key, int(s.field.removeprefix("version ")))
    if s.kind == "comment":
        return sees_comment(reader, s.key)
    if s.kind == "person":
        return sees_person(reader, s.key)
    if s.kind == "recipient":
        # The register is the convening team's; whoever sees a transfer sees to whom it went.
        return (
            reader.copy == s.key
            or convenes(reader, s.dialogue)
            or any(
                t.official == s.key and sees_transfer(reader, t.key)
                for t in TRANSFER_SPECS.values()
            )
        )
    if s.kind == "template":  # a dialogue's agenda templates are its convening team's
        return convenes(reader, s.dialogue)
    raise AssertionError(f"unknown sentinel kind: {s.kind}")


def may_leave(text: str) -> bool:
    """Whether a sentinel may go out by e-mail, feed or file name: at or below its dialogue's
    outbound level (the cover name always; a dialogue's own title never)."""
    sentinel = SENTINELS[text]
    if sentinel.level is None or sentinel.dialogue is None:
        return False
    outbound = DIALOGUE_SPECS[sentinel.dialogue].outbound
    return RANK[sentinel.level] <= RANK[outbound]


@cache
def readable(reader: Reader) -> frozenset[str]:
    """Every sentinel the reader may read."""
    return frozenset(t for t in SENTINELS if may_read(reader, t))


def reader_of_role(role: str) -> Reader:
    person = ROLE_PERSON.get(role)
    return Reader(role, person=person) if person else Reader(role)


def reader_of_person(key: str) -> Reader:
    return Reader(f"person {key}", person=key)


def reader_of_copy(key: str) -> Reader:
    return Reader(f"official {key}", copy=key)


# A's pack was released by the convenor: each idea a copy of it carries (what its official may
# see, rule 9) was logged as reaching that official once its link was issued, at the convening
# team's level or the idea's, carried by the convenor and naming them. B's pack was never
# rendered: its copy carries nothing.
RELEASED_BY = {"A": "conv"}
CARRIED = tuple(
    TransferSpec(
        f"TC-{copy.key}-{idea.key}",
        idea.key,
        _effective("Facilitators", idea.level),
        copy.key,
        carried=True,
        carrier=RELEASED_BY[copy.dialogue],
        readers=(RELEASED_BY[copy.dialogue],),
    )
    for copy in COPIES
    if copy.dialogue in RELEASED_BY
    for idea in IDEAS
    if idea.dialogue == copy.dialogue and sees_idea(reader_of_copy(copy.key), idea.key)
)
TRANSFER_SPECS = {t.key: t for t in (*TRANSFERS, *CARRIED)}


# -- the built world ------------------------------------------------------------------------------


@dataclass
class World:
    """The database rows of the specifications, by key, and what building them produced."""

    dialogues: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)  # person key -> Person
    users: dict = field(default_factory=dict)  # person key -> User
    memberships: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)  # working AgendaItem
    documents: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)
    ideas: dict = field(default_factory=dict)  # idea key -> Idea
    transfers: dict = field(default_factory=dict)  # transfer key -> Transfer
    changes: dict = field(default_factory=dict)  # change key -> ObservedChange
    non_papers: dict = field(default_factory=dict)  # non-paper key -> NonPaper
    versions: dict = field(default_factory=dict)  # (non-paper key, number) -> NonPaperVersion
    comments: dict = field(default_factory=dict)  # comment key -> CaucusComment
    packs: dict = field(default_factory=dict)  # dialogue key -> BriefingPack
    templates: dict = field(default_factory=dict)  # template key -> AgendaTemplate
    copies: dict = field(default_factory=dict)  # copy key -> BriefingPackCopy
    officials: dict = field(default_factory=dict)  # copy key -> the Official it went to
    reports: dict = field(default_factory=dict)  # report key -> FunderReport
    tokens: dict = field(default_factory=dict)  # label -> pack link token
    invitation_tokens: dict = field(default_factory=dict)  # "open" / "revoked" -> token
    invitations: dict = field(default_factory=dict)
    vetting: dict = field(default_factory=dict)
    outbound_request = None  # A's open request to raise its outbound level (by the co-facilitator)
    scale_change = None  # an open change of the scale, asked for by staff
    emails: list = field(default_factory=list)  # every message sent while building
    missing_id: int = 987654

    def email_reader(self, address: str) -> Reader:
        address = address.lower()
        for copy in COPIES:
            if copy.email == address:
                return reader_of_copy(copy.key)
        for person in PEOPLE:
            if person.email == address:
                if person.state == "cleared":
                    return Reader(f"invitee {person.key}", invitee_of=person.dialogue)
                return reader_of_person(person.key)
        raise AssertionError(f"an e-mail went to an address nobody in the world has: {address}")


def build_world() -> World:
    """Create every row of the specifications (run inside a transaction the caller rolls
    back), with the blocks of ``tests.world``. Tasks queued on commit (renders, e-mails) run
    in-process, as in production with an eager broker; every e-mail sent is kept in
    ``World.emails``."""
    from django.core import mail

    from dialogues.briefing import services as briefing
    from dialogues.confidentiality import viewer_for_user
    from dialogues.models import Dialogue, Outcome, Session, Side
    from dialogues.planning.services import ITEM_FIELDS, agenda_item_delete, agenda_item_update
    from participants.models import VettingCase
    from tests import world as blocks

    levels = blocks.levels()
    scale = [(lv.name, lv.audience) for lv in levels.values()]
    assert scale == [(name, AUDIENCE[name]) for name in LEVELS], scale

    world = World()
    outbox_start = len(getattr(mail, "outbox", []))

    for d in DIALOGUES:
        dialogue = blocks.dialogue(
            title=f"{d.title} talks",
            context=d.context,
            convening_organisation=d.organisation,
            default_level=levels["Programme"],
            briefing_summary=d.summary,
            ground_rules=f"{d.rules} Chatham House." if d.ground_rules else "",
            cover_name=d.cover,
            outbound_level=levels[d.outbound],
            attendance_visible=d.attendance_visible,
            status=Dialogue.Status.ACTIVE,
        )
        world.dialogues[d.key] = dialogue
        blocks.sides(dialogue, *d.sides)
        Side.objects.create(
            dialogue=dialogue, name=d.third_party, position=THIRD_PARTY, is_third_party=True
        )

    for p in PEOPLE:
        user = None
        if p.account:
            user = blocks.account(
                email=p.email,
                is_staff=p.staff,
                is_superuser=p.staff,
                calendar_secret=secrets.token_urlsafe(32),
                mfa=p.mfa,
            )
            world.users[p.key] = user
        if p.dialogue is None:
            continue
        dialogue = world.dialogues[p.dialogue]
        person = blocks.person(full_name=p.name, family_name="", email=p.email, user=user)
        world.people[p.key] = person
        side = None
        if p.side is not None:
            side = dialogue.sides.get(name=DIALOGUE_SPECS[p.dialogue].side_names[p.side])
        membership = blocks.membership(
            person=person,
            dialogue=dialogue,
            side=side,
            role=p.role,
            clearance=levels[p.clearance],
            state=p.state,
        )
        world.memberships[p.key] = membership
        if p.state == "accepted" and dialogue.ground_rules and p.role not in CONVENING_ROLES:
            blocks.ground_rules_accepted(membership)

    for s in SESSIONS:
        world.sessions[s.key] = blocks.session(
            world.dialogues[s.dialogue],
            title=f"{s.sentinels['title']} round",
            venue=s.sentinels["venue"],
            city=s.sentinels["city"],
            time_zone="Europe/Rome",
            start=START + timedelta(days=s.day),
            status=Session.Status.DRAFT,
            level=levels[s.level],
            readers=[world.people[k] for k in s.readers],
            attendees=[world.memberships[k] for k in s.attendees],
        )

    def add_item(spec: ItemSpec, order: int) -> None:
        session = world.sessions[spec.session]
        start = session.start + timedelta(hours=order)
        world.items[spec.key] = blocks.agenda_item(
            session,
            order=order,
            start=start,
            end=start + timedelta(minutes=50),
            room=spec.sentinels["room"],
            title=f"{spec.sentinels['title']} item",
            description=spec.sentinels["description"],
            level=levels[spec.level],
            moderator=world.memberships[spec.moderator] if spec.moderator else None,
            readers=[world.people[k] for k in spec.readers],
        )

    for order, spec in enumerate(ITEMS, start=1):
        if spec.published:
            add_item(spec, order)
    # Publish every session but the draft (its agenda stays unpublished): attendees are told.
    with blocks.committed():
        for s in SESSIONS:
            if s.status == "draft":
                continue
            by = world.users["fac" if s.dialogue == "A" else "ofac"]
            blocks.publish(world.sessions[s.key], by=by)
    # Changed after publishing, as a facilitator does in the planner.
    for spec in ITEMS:
        if spec.changed_to:
            item = world.items[spec.key]
            values = {name: getattr(item, name) for name in ITEM_FIELDS}
            world.items[spec.key] = agenda_item_update(
                item=item,
                expected_revision=item.edit_revision,
                values={**values, "level": levels[spec.changed_to]},
                readers=list(item.readers.all()),
                by=world.users["fac"],
            )
        if spec.deleted:
            agenda_item_delete(item=world.items.pop(spec.key), by=world.users["fac"])
    # Added after publishing: on the working agenda only.
    for order, spec in enumerate(ITEMS, start=1):
        if not spec.published:
            add_item(spec, 100 + order)

    # Agenda templates, saved from a session's working agenda as its planner sees it.
    from dialogues.reuse.services import agenda_template_save

    for t in TEMPLATES:
        world.templates[t.key], _ = agenda_template_save(
            viewer=viewer_for_user(world.users[t.by]),
            session=world.sessions[t.session],
            name=t.name,
            by=world.users[t.by],
        )

    for doc in DOCUMENTS:
        world.documents[doc.key] = blocks.paper(
            world.dialogues[doc.dialogue],
            session=world.sessions[doc.session] if doc.session else None,
            item=world.items[doc.item] if doc.item else None,
            title=f"{doc.sentinels['title']} paper",
            level=levels[doc.level],
            readers=[world.people[k] for k in doc.readers],
            body=f"Paper {doc.sentinels['body']}\n".encode(),
            name=f"{doc.sentinels['original_name']}.txt",
        )

    for position, o in enumerate(OUTCOMES, start=1):
        world.outcomes[o.key] = blocks.outcome(
            world.sessions[o.session],
            kind=Outcome.Kind.IDEA,
            attribution=o.attribution,
            summary=f"{o.sentinels['summary']} idea",
            record=f"{o.sentinels['record']} said so",
            level=levels[o.level],
            position=position,
            speakers=[world.people[k] for k in o.speakers],
            readers=[world.people[k] for k in o.readers],
        )

    # Ideas, written as the service would keep them (the strictest attribution of their
    # sources), with exactly their named readers.
    from dialogues.confidentiality import strictest_attribution
    from dialogues.models import Idea

    for spec in IDEAS:
        sources = [world.outcomes[k] for k in spec.sources]
        idea = Idea.objects.create(
            dialogue=world.dialogues[spec.dialogue],
            title=f"{spec.sentinels['title']} idea",
            summary=f"{spec.sentinels['summary']} proposal",
            level=levels[spec.level],
            attribution=strictest_attribution(o.attribution for o in sources),
        )
        idea.sources.set(sources)
        idea.readers.set([world.people[k] for k in spec.readers])
        world.ideas[spec.key] = idea

    # Briefing packs: A's released (four eyes: requested by one facilitator, released by the
    # other), one copy's link replaced and another's revoked; B's rendered, never released.
    def request_pack(dialogue_key: str, by: str, *, render: bool):
        pack = blocks.pack(
            of=world.dialogues[dialogue_key],
            by=world.users[by],
            recipients=[
                blocks.recipient(
                    c.name,
                    c.email,
                    levels[c.clearance],
                    position="Envoy",
                    organisation="Ministry",
                )
                for c in COPIES
                if c.dialogue == dialogue_key
            ],
            note="For the envoy.",
            render=render,
        )
        world.packs[dialogue_key] = pack
        for copy in pack.copies.all():
            spec = next(c for c in COPIES if c.name == copy.recipient_name)
            world.copies[spec.key] = copy
            world.officials[spec.key] = copy.official

    # A's pack is rendered and released (four eyes: requested by one facilitator, released by
    # the other); one copy's link is replaced by a new one, the other's revoked and sent again.
    # B's pack stays queued: its copy has no file and no link.
    request_pack("A", "fac", render=True)
    request_pack("B", "ofac", render=False)
    for key in ("OFFPRG", "OFFFAC"):
        world.copies[key].refresh_from_db()
        assert world.copies[key].state == "ready", world.copies[key].failure_reason
    with blocks.committed():
        briefing.pack_release(pack=world.packs["A"], by=world.users["conv"])
    for copy in world.copies.values():
        copy.refresh_from_db()
    world.tokens["replaced"] = briefing.link_token(world.copies["OFFPRG"])
    world.tokens["revoked"] = briefing.link_token(world.copies["OFFFAC"])
    with blocks.committed():
        briefing.copy_link_issue(copy=world.copies["OFFPRG"], by=world.users["fac"])
        briefing.copy_link_revoke(copy=world.copies["OFFFAC"], by=world.users["fac"])
        briefing.copy_link_issue(copy=world.copies["OFFFAC"], by=world.users["fac"])
    for copy in world.copies.values():
        copy.refresh_from_db()
    world.tokens["OFFPRG"] = briefing.link_token(world.copies["OFFPRG"])
    world.tokens["OFFFAC"] = briefing.link_token(world.copies["OFFFAC"])
    from django.core import signing

    world.tokens["unreleased"] = signing.TimestampSigner(salt=briefing.LINK_SALT).sign_object(
        {"c": world.copies["OFFB"].pk, "n": "0" * 32}
    )
    world.tokens["forged"] = world.tokens["OFFFAC"][:-6] + "AAAAAA"

    # Transfers: those A's pack copies logged when their links were issued (exactly what the
    # statement says), then those recorded and the observed changes, through the services, by
    # each dialogue's facilitator.
    from dialogues.models import Transfer
    from dialogues.transfers.services import change_record, transfer_log

    logged = {
        (t.pack_copy_id, t.idea_id): t for t in Transfer.objects.filter(pack_copy__isnull=False)
    }
    for t in CARRIED:
        made = logged.pop((world.copies[t.official].pk, world.ideas[t.idea].pk))
        assert (made.level.name, made.carried_by, set(made.readers.all())) == (
            t.level,
            world.memberships[t.carrier],
            {world.people[k] for k in t.readers},
        ), t.key
        world.transfers[t.key] = made
    assert logged == {}, f"copies logged transfers the statement does not know: {logged}"
    recorder = {"A": "fac", "B": "ofac"}
    for t in TRANSFERS:
        by = recorder[t.dialogue]
        assert t.level != "Restricted" or by in t.readers, t.key  # the recorder is named
        world.transfers[t.key] = transfer_log(
            idea=world.ideas[t.idea],
            official=world.officials[t.official],
            means="meeting",
            occurred_on=(START - timedelta(days=30)).date(),
            level=levels[t.level],
            carried_by=world.memberships[t.carrier] if t.carrier else None,
            reaction_kind="receptive",
            reaction=f"{t.sentinels['reaction']} noted",
            readers=[world.people[k] for k in t.readers],
            by=world.users[by],
        )
    for c in CHANGES:
        by = recorder[c.dialogue]
        assert c.level != "Restricted" or by in c.readers, c.key
        world.changes[c.key] = change_record(
            dialogue=world.dialogues[c.dialogue],
            viewer=viewer_for_user(world.users[by]),
            kind="position",
            observed_on=(START - timedelta(days=10)).date(),
            who_changed=f"{c.sentinels['who']} ministry",
            what_changed=f"{c.sentinels['what']} shift",
            significance="It matters.",
            contribution="The dialogue's idea.",
            level=levels[c.level],
            ideas=[world.ideas[k] for k in c.ideas],
            transfers=[world.transfers[k] for k in c.transfers],
            readers=[world.people[k] for k in c.readers],
            by=world.users[by],
        )

    # Reports for funders, asked for by a facilitator of each dialogue: A's rendered by the
    # (eager) worker, B's left queued.
    from dialogues.funders.services import report_request

    for r in REPORTS:
        by = world.users["fac" if r.dialogue == "A" else "ofac"]
        with blocks.committed(run=r.rendered):
            report = report_request(
                dialogue=world.dialogues[r.dialogue],
                viewer=viewer_for_user(by),
                requested_by=by,
                level=levels[r.level],
            )
        report.refresh_from_db()
        assert report.state == ("ready" if r.rendered else "queued"), report.failure_reason
        world.reports[r.key] = report

    _build_non_papers(world, levels)

    # Vetting: the nominee's case, with a possible match on a list.
    case = VettingCase.objects.create(membership=world.memberships["nom"])
    match = blocks.possible_match(
        case=case,
        reference="ACCESS-1",
        listed=PERSONS["nom"].name,
        nominee=PERSONS["nom"].name,
        score=0.93,
    )
    world.vetting = {"case": case, "match": match, "list": match.entry.version.designation_list}

    # Invitations: sent, then sent again (the first link stops working).
    _, revoked = blocks.invite(world.memberships["inv"], by=world.users["fac"])
    invitation, token = blocks.invite(world.memberships["inv"], by=world.users["fac"])
    world.invitation_tokens = {"revoked": revoked, "open": token}
    world.invitations = {"open": invitation}

    # A's co-facilitator asks to raise what may leave A (Programme -> Participants): it stays a
    # request; the convening team is told. Staff ask for a change of the scale.
    from dialogues.outbound.services import outbound_raise_request
    from dialogues.scale.services import scale_change_request

    with blocks.committed():
        world.outbound_request = outbound_raise_request(
            dialogue=world.dialogues["A"],
            to_level=levels[OUTBOUND_RAISE],
            by=world.users["cof"],
            viewer=viewer_for_user(world.users["cof"]),
        )
    facilitators = levels["Facilitators"]
    world.scale_change = scale_change_request(
        level=facilitators,
        values={
            "name": facilitators.name,
            "rank": facilitators.rank,
            "audience": "programme",
            "description": facilitators.description,
        },
        by=world.users["admin"],
    )

    # One row of every model the admin shows, for its change, history and delete pages.
    from allauth.account.models import EmailAddress
    from django.apps import apps
    from django.contrib.auth.models import Group

    Group.objects.create(name="Access matrix")
    admin = world.users["admin"]
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
    if apps.is_installed("allauth.usersessions"):
        from allauth.usersessions.models import UserSession
        from django.test import Client

        from tests.conftest import sign_in

        signed_in = Client()
        sign_in(signed_in, admin)
        UserSession.objects.create(
            user=admin, session_key=signed_in.session.session_key, ip="127.0.0.1", user_agent="-"
        )
    if apps.is_installed("trackii.ops"):
        try:
            lockdown = apps.get_model("ops", "Lockdown")
        except LookupError:
            pass
        else:
            lockdown.objects.create(person=world.people["nom"], by=admin, reason="Matrix.")

    world.emails = list(mail.outbox[outbox_start:])
    return world


SECOND_PARAGRAPH = "The parties will meet again."


def _build_non_papers(world: World, levels: dict) -> None:
    """Non-papers and caucus comments through the services, as the facilitator of each
    dialogue drafts, edits and freezes them (circulating one tells its readers, by e-mail),
    and as each comment's author writes it."""
    from dialogues.confidentiality import viewer_for_user
    from dialogues.models import NonPaperVersion, Side
    from dialogues.nonpapers import services as nonpapers
    from tests import world as blocks

    drafter = {"A": "fac", "B": "ofac"}
    for spec in NON_PAPERS:
        by = world.users[drafter[spec.dialogue]]
        viewer = viewer_for_user(by)
        assert spec.level != "Restricted" or drafter[spec.dialogue] in spec.readers, spec.key
        non_paper = nonpapers.non_paper_draft(
            dialogue=world.dialogues[spec.dialogue],
            viewer=viewer,
            ideas=[world.ideas[k] for k in spec.ideas],
            title=f"{spec.title} text",
            text=f"{spec.text(1)} words.\n\n{SECOND_PARAGRAPH}",
            level=levels[spec.level],
            readers=[world.people[k] for k in spec.readers],
            by=by,
        )
        world.non_papers[spec.key] = non_paper
        for number, state in zip(spec.numbers, spec.states, strict=True):
            version = NonPaperVersion.objects.get(non_paper=non_paper, number=number)
            if number > 1:  # the first paragraph's words are this version's own
                first, second = (p["id"] for p in version.paragraphs)
                version = nonpapers.version_edit(
                    version=version,
                    viewer=viewer,
                    expected_revision=version.edit_revision,
                    paragraphs=[
                        (first, 1, f"{spec.text(number)} words."),
                        (second, 2, SECOND_PARAGRAPH),
                    ],
                    by=by,
                )
            if state != "working":
                with blocks.committed():
                    version = nonpapers.version_freeze(
                        version=version, viewer=viewer, circulate=state == "circulated", by=by
                    )
            assert version.state == state, (spec.key, number, version.state)
            world.versions[(spec.key, number)] = version
    for c in COMMENTS:
        version = world.versions[(c.non_paper, c.version)]
        side = Side.objects.get(
            dialogue=world.dialogues[c.dialogue], name=DIALOGUE_SPECS[c.dialogue].sides[c.side]
        )
        author = world.users[c.author]
        values = {
            "version": version,
            "paragraph_id": version.paragraphs[0]["id"],
            "viewer": viewer_for_user(author),
            "person": world.people[c.author],
            "body": f"{c.body} said",
            "by": author,
        }
        if c.by_team:
            world.comments[c.key] = nonpapers.comment_reply(side=side, **values)
        else:
            world.comments[c.key] = nonpapers.comment_add(**values)
        assert world.comments[c.key].side == side, c.key
