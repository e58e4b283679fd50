"""The demo organisation: an invented conflict, invented places and people, and the five demo
accounts, built through the features' services. Idempotent: what exists already is left as it
is, so a rerun changes nothing. ``manage.py seed_demo`` runs it."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils.text import slugify

from participants.invitations.services import (
    invitation_accept,
    invitation_send,
    invitation_send_code,
    invitation_verify_code,
)
from participants.models import DesignationList, Membership, Person, User, VettingCase
from participants.screening.importers import import_designations_into_new_list
from participants.services import (
    account_create,
    ground_rules_accept,
    membership_transition,
    person_create,
)
from participants.vetting.services import (
    membership_nominate,
    screen_cases,
    vetting_case_decide,
)

from ..briefing import services as briefing
from ..confidentiality import caucus_side_of, outbound_rank, reportable_levels, viewer_for_user
from ..funders import services as funders
from ..ideas.services import follow_up_add, follow_up_done, idea_derive, idea_set_state
from ..models import (
    AgendaItem,
    AgendaTemplate,
    BriefingPack,
    BriefingPackCopy,
    ConfidentialityLevel,
    Dialogue,
    Document,
    Idea,
    NonPaper,
    ObservedChange,
    OutboundLevelRequest,
    Outcome,
    ScaleChangeRequest,
    Session,
    Side,
    Transfer,
)
from ..nonpapers import services as nonpapers
from ..officials import services as officials
from ..outbound import services as outbound_services
from ..outcomes.services import outcome_create
from ..papers.services import document_upload
from ..planning import services as planning
from ..planning.services import agenda_item_update, agenda_publish
from ..reuse.services import agenda_template_save
from ..scale import services as scale_services
from ..transfers import services as transfers
from ..workspace import services as workspace
from . import demo_summary
from .demo_scale import participant_email, scale_build

STAFF_ACCOUNTS = ("admin@demo.trackii.org", "compliance@demo.trackii.org")
DEMO_PASSWORD = "trackii-demo"  # noqa: S105 - published in the README for the demo only
DEMO_ACCOUNTS = [
    ("admin@demo.trackii.org", "the organisation's admin (staff, vetting)"),
    ("compliance@demo.trackii.org", "second admin: confirms the admin's change of the scale"),
    ("facilitator@demo.trackii.org", "convenor of the Salt River Dialogue, sees everything in it"),
    (
        "co-facilitator@demo.trackii.org",
        "facilitator there, cleared Facilitators: approves briefing packs",
    ),
    ("participant@demo.trackii.org", "participant (Osterlan side), clearance Participants"),
    ("marovian@demo.trackii.org", "participant (Marovian side), clearance Participants"),
    ("samir@demo.trackii.org", "participant (Osterlan side) who reads Trackii in Arabic"),
    ("dragan@demo.trackii.org", "participant (Marovian side) who reads Trackii in Russian"),
    ("observer@demo.trackii.org", "observer, clearance Programme"),
    ("outsider@demo.trackii.org", "member of the Coastal Fisheries Dialogue only"),
]

R = Membership.Role
S = Membership.State

SALT_RIVER = {
    "title": "Salt River Dialogue",
    "context": (
        "The Salt River rises in the Marovian highlands and feeds the Osterlan plain. Since the "
        "Teodor Dam was completed, flows in the dry season have fallen by a third, and the "
        "armistice line of 1998 runs along the river for ninety kilometres. Officials of both "
        "governments have not met on the question since the collapse of the Perast talks.\n\n"
        "This invented programme brings together former officials, retired officers, "
        "water engineers and civil-society leaders from both sides to explore water-sharing "
        "and de-escalation ideas that official channels cannot yet voice."
    ),
    "convening_organisation": "Centre for Quiet Diplomacy (fictional)",
    "cover_name": "Lakeside meetings",
    "track": Dialogue.Track.TRACK_2,
    "aim": Dialogue.Aim.TRANSFORM,
    "status": Dialogue.Status.ACTIVE,
    "ground_rules": (
        "Participants take part in a personal capacity.\n"
        "Meetings are held under the Chatham House Rule: participants are free to use the "
        "information received, but neither the identity nor the affiliation of the speaker, nor "
        "that of any other participant, may be revealed.\n"
        "The participant list and the venue are not to be shared outside the programme."
    ),
    # Issue 20: the same ground rules for members who read another language.
    "language": "en-gb",
    "ground_rules_translations": {
        "fr": (
            "Les participants prennent part à titre personnel.\n"
            "Les réunions se tiennent selon la règle de Chatham House : les participants sont "
            "libres d'utiliser les informations reçues, mais ni l'identité ni l'affiliation de la "
            "personne qui s'exprime, ni celles de tout autre participant, ne peuvent être "
            "révélées.\n"
            "La liste des participants et le lieu des réunions ne doivent pas être communiqués "
            "en dehors du programme."
        ),
        "es": (
            "Los participantes intervienen a título personal.\n"
            "Las reuniones se celebran bajo la regla de Chatham House: los participantes pueden "
            "utilizar libremente la información recibida, pero no pueden revelar la identidad ni "
            "la afiliación de quien habla ni las de ningún otro participante.\n"
            "La lista de participantes y el lugar de reunión no deben compartirse fuera del "
            "programa."
        ),
        "ru": (
            "Участники принимают участие в личном качестве.\n"
            "Встречи проводятся по правилу Чатем-хауса: участники могут свободно использовать "  # noqa: RUF001 - Russian
            "полученную информацию, но не вправе раскрывать ни личность, ни принадлежность "
            "выступающего или любого другого участника.\n"
            "Список участников и место проведения встреч не подлежат разглашению за пределами "
            "программы."
        ),
        "ar": (
            "يشارك المشاركون بصفتهم الشخصية.\n"
            "تُعقد الاجتماعات وفق قاعدة تشاتام هاوس: للمشاركين حرية استخدام المعلومات التي "
            "يتلقونها، ولكن لا يجوز الكشف عن هوية المتحدث أو انتمائه، ولا عن هوية أي مشارك آخر "
            "أو انتمائه.\n"
            "لا يجوز تداول قائمة المشاركين ومكان الاجتماعات خارج البرنامج."
        ),
    },
}

# The language Trackii writes to each person in (issue 20): set by the convening team at
# nomination; the others have none (their browser's, English in the demo).
DEMO_LANGUAGES = {
    "Samir Haddani": "ar",
    "Omar Haddad": "ar",
    "Dragan Velikov": "ru",
    "Yusuf Karimov": "ru",
}

# (full name, original script, family name, side, role, level of clearance, state, account,
#  gender, proximity, nationality, affiliation, position)
SALT_RIVER_PEOPLE = [
    (
        "Hannah Okafor",
        "",
        "Okafor",
        "Third party / facilitation",
        R.CONVENOR,
        "Restricted",
        S.ACCEPTED,
        "facilitator@demo.trackii.org",
        "woman",
        "academic",
        "GB",
        "Centre for Quiet Diplomacy",
        "Programme director",
    ),
    (
        "Ingrid Solberg",
        "",
        "Solberg",
        "Third party / facilitation",
        R.FACILITATOR,
        "Facilitators",
        S.ACCEPTED,
        "co-facilitator@demo.trackii.org",
        "woman",
        "academic",
        "NO",
        "Centre for Quiet Diplomacy",
        "Senior facilitator",
    ),
    (
        "Tomas Berger",
        "",
        "Berger",
        "Third party / facilitation",
        R.RAPPORTEUR,
        "Facilitators",
        S.ACCEPTED,
        None,
        "man",
        "academic",
        "AT",
        "Centre for Quiet Diplomacy",
        "Rapporteur",
    ),
    (
        "Leila Nasrawi",
        "ليلى النصراوي",
        "Nasrawi",
        "Osterlan",
        R.PARTICIPANT,
        "Participants",
        S.ACCEPTED,
        "participant@demo.trackii.org",
        "woman",
        "civil_society",
        "XO",
        "Plain Farmers' Union",
        "Chair",
    ),
    (
        "Samir Haddani",
        "سمير حداني",
        "Haddani",
        "Osterlan",
        R.PARTICIPANT,
        "Participants",
        S.ACCEPTED,
        "samir@demo.trackii.org",
        "man",
        "military",
        "XO",
        "",
        "Retired major general",
    ),
    (
        "Dragan Velikov",
        "Драган Великов",
        "Velikov",
        "Marovian",
        R.PARTICIPANT,
        "Participants",
        S.ACCEPTED,
        "dragan@demo.trackii.org",
        "man",
        "former_official",
        "XM",
        "",
        "Former deputy foreign minister",
    ),
    (
        "Ilona Marek",
        "Илона Марек",
        "Marek",
        "Marovian",
        R.PARTICIPANT,
        "Participants",
        S.ACCEPTED,
        "marovian@demo.trackii.org",
        "woman",
        "academic",
        "XM",
        "Highland Institute of Hydrology",
        "Senior hydrologist",
    ),
    (
        "Jonas Lindqvist",
        "",
        "Lindqvist",
        "Third party / facilitation",
        R.OBSERVER,
        "Programme",
        S.ACCEPTED,
        "observer@demo.trackii.org",
        "man",
        "serving_official",
        "SE",
        "A funding foreign ministry",
        "Desk officer (personal capacity)",
    ),
    (
        "Yusuf Karimov",
        "Юсуф Каримов",
        "Karimov",
        "Marovian",
        R.PARTICIPANT,
        "Participants",
        S.NOMINATED,
        None,
        "man",
        "legislator",
        "XM",
        "",
        "Member of parliament",
    ),
    (
        "Nadia Farouk",
        "نادية فاروق",
        "Farouk",
        "Osterlan",
        R.PARTICIPANT,
        "Participants",
        S.CLEARED,
        None,
        "woman",
        "journalist",
        "XO",
        "Plain Herald",
        "Editor",
    ),
    (
        "Omar Haddad",
        "عمر حداد",
        "Haddad",
        "Osterlan",
        R.PARTICIPANT,
        "Participants",
        S.NOMINATED,
        None,
        "man",
        "former_official",
        "XO",
        "",
        "Former governor of the plain province",
    ),
]

ROUND_1 = "Round 1: Framing the river"
DEMO_TEMPLATE = "Two-day round"
PRE_CONSULTATION = "Pre-consultation with the Osterlan side"
ROUND_2 = "Round 2: Water-sharing options"

# title: (kind, venue, city, time zone, start, end, status, level, attendee names)
SALT_RIVER_SESSIONS = {
    ROUND_1: (
        Session.Kind.ROUND,
        "Villa Ombrosa",
        "Valdera",
        "Europe/Rome",
        (2026, 10, 12, 9),
        (2026, 10, 14, 17),
        Session.Status.HELD,
        "Public",
        [
            "Leila Nasrawi",
            "Samir Haddani",
            "Dragan Velikov",
            "Ilona Marek",
            "Jonas Lindqvist",
            "Tomas Berger",
            "Hannah Okafor",
        ],
    ),
    PRE_CONSULTATION: (
        Session.Kind.PRE_CONSULTATION,
        "Guest house of the Plain Farmers' Union",
        "Qasr Amin",
        "Asia/Amman",
        (2027, 1, 20, 10),
        (2027, 1, 20, 16),
        Session.Status.PUBLISHED,
        "Participants",
        ["Leila Nasrawi", "Samir Haddani", "Hannah Okafor", "Tomas Berger"],
    ),
    ROUND_2: (
        Session.Kind.ROUND,
        "Hotel Belvedere",
        "Valdera",
        "Europe/Rome",
        (2027, 3, 15, 9),
        (2027, 3, 17, 13),
        Session.Status.PUBLISHED,
        "Programme",
        [
            "Leila Nasrawi",
            "Samir Haddani",
            "Dragan Velikov",
            "Ilona Marek",
            "Tomas Berger",
            "Hannah Okafor",
        ],
    ),
}

# session: [(start, end, room, title, description, kind, level, extra named readers)]
SALT_RIVER_AGENDA = {
    ROUND_1: [
        (
            (12, 9, 0),
            (12, 9, 45),
            "Sala Grande",
            "Opening and welcome",
            "Welcome by the convenors; purpose of the round.",
            "plenary",
            "Public",
            [],
        ),
        (
            (12, 10, 0),
            (12, 11, 0),
            "Sala Grande",
            "Ground rules and the Chatham House undertaking",
            "What the rule means in practice; what may be reported home.",
            "plenary",
            "Programme",
            [],
        ),
        (
            (12, 11, 30),
            (12, 13, 0),
            "Sala Grande",
            "Mapping the basin: each side's account",
            "Each side describes the river as it lives it: flows, wells, the armistice line.",
            "plenary",
            "Participants",
            [],
        ),
        (
            (12, 18, 0),
            (12, 19, 0),
            "Library",
            "Facilitators' huddle: reading the room",
            "Convening team only: tensions to watch, adjustments for day two.",
            "informal",
            "Facilitators",
            [],
        ),
        (
            (13, 8, 0),
            (13, 8, 45),
            "Garden room",
            "Private breakfast with the Marovian head",
            "Sounding out the former deputy minister on a joint monitoring commission.",
            "side_consultation",
            "Restricted",
            [],
        ),
    ],
    PRE_CONSULTATION: [
        (
            (20, 10, 0),
            (20, 11, 30),
            "Majlis",
            "What the Osterlan side needs from Round 2",
            "Priorities for the dry season and red lines on the dam.",
            "side_consultation",
            "Participants",
            [],
        ),
        (
            (20, 12, 0),
            (20, 12, 30),
            "Majlis",
            "Convenors' notes on Osterlan red lines",
            "For the convening team: how far the delegation can move.",
            "informal",
            "Facilitators",
            [],
        ),
        (
            (20, 14, 0),
            (20, 15, 0),
            "Office",
            "One-to-one with the retired general",
            "Security guarantees along the armistice line.",
            "side_consultation",
            "Restricted",
            [],
        ),
    ],
    ROUND_2: [
        (
            (15, 9, 0),
            (15, 9, 30),
            "Sala Grande",
            "Opening of the second round",
            "Recap of the first round; the agenda for these three days.",
            "plenary",
            "Programme",
            [],
        ),
        (
            (15, 9, 30),
            (15, 11, 0),
            "Sala Grande",
            "Three options for dry-season sharing",
            "A non-paper from the rapporteur sets out three options for discussion.",
            "plenary",
            "Programme",
            [],
        ),
        (
            (15, 11, 30),
            (15, 13, 0),
            "Sala Piccola",
            "Breakout: joint flow monitoring",
            "Engineers from both sides on a shared gauge network.",
            "breakout",
            "Participants",
            [],
        ),
        (
            (15, 18, 0),
            (15, 19, 0),
            "Library",
            "Facilitators' review of day one",
            "Convening team only.",
            "informal",
            "Facilitators",
            [],
        ),
        (
            (16, 8, 0),
            (16, 8, 45),
            "Garden room",
            "Bilateral: Osterlan water engineers",
            "Named participants only: the farmers' union on well permits.",
            "side_consultation",
            "Restricted",
            ["Leila Nasrawi"],
        ),
    ],
}


# (title, kind, level, session or None, agenda item or None, named readers, text)
SALT_RIVER_PAPERS = [
    (
        "Concept note: the Salt River Dialogue",
        "concept_note",
        "Programme",
        None,
        None,
        [],
        "Purpose, participants' profile and ground rules of the programme.",
    ),
    (
        "Background paper: Salt River flows 1998-2026",
        "background_paper",
        "Participants",
        ROUND_2,
        None,
        [],
        "Dry-season flow records at four gauges on both sides of the line.",
    ),
    (
        "Non-paper: three options for dry-season sharing",
        "non_paper",
        "Programme",
        ROUND_2,
        "Three options for dry-season sharing",
        [],
        "Option A: fixed shares. Option B: shares by inflow. Option C: a joint commission.",
    ),
    (
        "Facilitators' reading of the red lines",
        "other",
        "Facilitators",
        PRE_CONSULTATION,
        None,
        [],
        "For the convening team: where each delegation can and cannot move.",
    ),
    (
        "Farmers' union memo on well permits",
        "other",
        "Restricted",
        ROUND_2,
        "Bilateral: Osterlan water engineers",
        ["Leila Nasrawi"],
        "Named readers only: permits, quotas and the wells near the line.",
    ),
]


def simple_pdf(title: str, body: str) -> bytes:
    """A one-page PDF with a title and a line of text: enough for a demo paper."""

    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = (
        f"BT /F1 16 Tf 72 760 Td ({text(title)}) Tj ET\n"
        f"BT /F1 11 Tf 72 730 Td ({text(body)}) Tj ET\n"
        "BT /F1 9 Tf 72 60 Td (Invented demo material - Trackii) Tj ET\n"
    ).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body_bytes in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body_bytes + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


DEMO_LIST = "Demo list (fictional)"
# Invented names: nobody real. Two resemble pending nominees, so the vetting queue has work.
DEMO_LIST_CSV = """name,aliases,date_of_birth,nationality,reference,note
Yousef Karimov,Юсуф Каримов;Yusuf Qarimov,,,DEMO-001,Fictional: financier of the Highland Front
Omar Khalil al-Haddad,Abu Khalil;عمر خليل الحداد,1962,,DEMO-002,Fictional: commander on the plain
Viktor Belov,,1955,,DEMO-003,Fictional: arms broker
Highland Front,,,,DEMO-004,Fictional armed group
"""


SALT_RIVER_SUMMARY = (
    "Since October 2026 the Salt River Dialogue has brought former officials, engineers and "
    "civil-society leaders from both banks together to look for ways of sharing the river's "
    "dry-season flow without reopening the armistice line. The first round mapped each side's "
    "account of the basin; a pre-consultation and a second round on water-sharing options follow."
)

DEMO_IDEA = "A neutral technical body for the flow data"

# (kind, attribution, level, summary, attributed record, speakers) on Round 1.
SALT_RIVER_OUTCOMES = [
    (
        Outcome.Kind.CONVERGENCE,
        Outcome.Attribution.CHATHAM_HOUSE,
        "Programme",
        "Participants from both banks agreed that dry-season flow data should be shared through "
        "a neutral technical body before any allocation is discussed.",
        "Dragan Velikov first proposed the neutral body; Leila Nasrawi supported it on behalf "
        "of the farmers' union.",
        ["Dragan Velikov", "Leila Nasrawi"],
    ),
    (
        Outcome.Kind.IDEA,
        Outcome.Attribution.CHATHAM_HOUSE,
        "Public",
        "A joint monitoring station at the Teodor Dam, staffed by engineers from both sides, "
        "could build confidence before negotiations on allocation begin.",
        "Samir Haddani sketched the station's staffing during the evening session.",
        ["Samir Haddani"],
    ),
    (
        Outcome.Kind.PROPOSAL,
        Outcome.Attribution.ON_RECORD,
        "Programme",
        "The convening team will prepare a non-paper on a technical working group for the "
        "second round.",
        "",
        ["Hannah Okafor"],
    ),
    (
        Outcome.Kind.DIVERGENCE,
        Outcome.Attribution.CHATHAM_HOUSE,
        "Participants",
        "Views differ on whether the 1998 armistice line may serve as a reference for any "
        "water arrangement.",
        "Ilona Marek held that it may not; Samir Haddani that it must.",
        ["Ilona Marek", "Samir Haddani"],
    ),
    (
        Outcome.Kind.NOTE,
        Outcome.Attribution.OFF_RECORD,
        "Programme",
        "A participant described private contacts with a ministry about the dam's reservoir "
        "levels (not to be used outside the room).",
        "Jonas Lindqvist, over dinner.",
        ["Jonas Lindqvist"],
    ),
    (
        Outcome.Kind.IDEA,
        Outcome.Attribution.CHATHAM_HOUSE,
        "Facilitators",
        "The convening team reads the Osterlan delegation as ready for a discreet ministerial "
        "channel by the spring.",
        "",
        [],
    ),
]
# The Salt River register: the officials the programme briefs (invented), each with the level
# their clearance is, by name. The first, the third party's envoy, receives the demo pack.
DEMO_OFFICIALS = [
    {
        "name": "Elena Marsh",
        "position": "Special Envoy for Water Diplomacy",
        "institution": "Ministry of Foreign Affairs of Norland (fictional)",
        "email": "envoy@ministry.demo.trackii.org",
        "reached_by": "Directly, after each round; her office in Lakeside arranges meetings",
        "clearance": "Programme",
        "note": "The third party's envoy: the programme's main channel to both capitals.",
    },
    {
        "name": "Stefan Draganov",
        "position": "Deputy Minister for Water Resources",
        "institution": "Government of Marovia (fictional)",
        "email": "deputy.minister@water.marovia.demo.trackii.org",
        "reached_by": "Through the ministry's liaison office",
        "clearance": "Public",
        "note": "",
    },
    {
        "name": "Amira Saleh",
        "position": "Director, Transboundary Waters",
        "institution": "Osterlan Ministry of Foreign Affairs (fictional)",
        "email": "transboundary@mfa.osterlan.demo.trackii.org",
        "reached_by": "Through a former participant, by telephone only",
        "clearance": "Participants",
        "note": "",
    },
]
DEMO_OFFICIAL = DEMO_OFFICIALS[0]["name"]
DEMO_PACK_NOTE = "Prepared for the envoy's consultations after the first round."
# What became of the demo idea (issue 18): the envoy's reaction to the pack that carried it, a
# meeting with Marovia's deputy minister, and the change observed after.
DEMO_ENVOY_REACTION = (
    "Asked for a one-page non-paper on the technical body to put to both capitals before the "
    "second round."
)
DEMO_MEETING_REACTION = (
    "Receptive: said a technical body would let the ministry move without conceding on "
    "allocation, and asked who else could sit on it."
)
DEMO_CHANGE = (
    "Marovia's deputy minister proposed, at the basin commission's November meeting, a joint "
    "technical working group to exchange dry-season flow data."
)
# The single negotiating text the convenor drafted from the demo idea (issue 19): version 1,
# its paragraphs in order; each side's comment on a paragraph of it (by index); the convenor's
# reply in the Osterlan thread; version 2 changes the station, drops the venue and adds the
# reservoir's figures; version 3 is the working text.
DEMO_NON_PAPER = "A joint technical body for the Salt River's dry-season flows"
DEMO_NON_PAPER_TEXT = [
    "This text is put forward by the facilitators on their own responsibility. It records no "
    "agreement and commits no one: it describes, for discussion only, how dry-season flow data "
    "from both banks of the Salt River could be gathered and shared before any question of "
    "allocation is raised.",
    "A technical body of six engineers and hydrologists, three nominated from each bank, would "
    "receive the readings of the gauges on both sides of the river and publish a single "
    "monthly record of dry-season flows. Its members would serve in a personal and "
    "professional capacity, not as representatives of either government.",
    "A joint monitoring station would be installed below the Teodor Dam, staffed in alternate "
    "weeks by engineers from each side, with its readings sent at the same hour to the "
    "technical body and to both capitals.",
    "The technical body would meet in a third country, in premises offered by the convening "
    "organisation, which would also keep its archive.",
    "The technical body's work would take no position on the 1998 armistice line, on the "
    "ownership of the dam or on any future allocation of water, and its records could not be "
    "cited by either side as evidence on those questions.",
]
DEMO_NON_PAPER_STATION_V2 = (
    "A joint monitoring station would be installed below the Teodor Dam, staffed at all times "
    "by one engineer from each side on every shift, with its readings sent at the same hour to "
    "the technical body and to both capitals."
)
DEMO_NON_PAPER_ADDED_V2 = (
    "The monthly record would give the Teodor reservoir's inflow and level beside the flows "
    "below the dam, so that each reading can be understood with its cause."
)
DEMO_NON_PAPER_NOTE_V2 = (
    "The station staffed jointly at all times (Osterlan comment); the reservoir's figures in "
    "the record (Marovian comment); the venue left to the body itself."
)
# (account, index of the paragraph in version 1, comment)
DEMO_NON_PAPER_COMMENTS = [
    (
        "participant@demo.trackii.org",
        2,
        "The farmers of the plain will ask who reads the gauges on the night of a release. "
        "Alternate weeks leave each side blind for half the season: could both sides staff the "
        "station at all times, even with one engineer each?",
    ),
    (
        "marovian@demo.trackii.org",
        1,
        "A monthly record of the flows below the dam alone will be read without its cause. "
        "Colleagues in the highlands would want the reservoir's inflow and level in the same "
        "record, so that low water is not taken for withheld water.",
    ),
]
DEMO_NON_PAPER_REPLY = (
    "Thank you: version 2 proposes that the station be staffed at all times, one engineer from "
    "each bank on every shift. Could the farmers' union name someone to visit it in the first "
    "dry season?"
)
# The cleared nominee whose invitation the demo leaves under way.
DEMO_INVITEE = "Nadia Farouk"


class PackNotBuilt(Exception):
    """The demo pack's copy failed to render (copies_render records and logs why)."""


class DemoSeed:
    """Builds the demo organisation (``seed_demo``), through the features' services as a person
    would, so the demo holds nothing the application could not have made."""

    def run(self, *, scale: bool = False, scale_factor: float = 1.0, say=print) -> list[str]:
        """Build (or leave as it is) the demo, and the scaled organisation with ``scale``;
        returns the short block of lines that says where everything is."""
        # Quiet while seeding (demo_summary): warnings and errors only, e-mails held until the
        # data is committed; then one short block says where everything is.
        with demo_summary.seeding_quietly() as sent, transaction.atomic():
            self.levels = {level.name: level for level in ConfidentialityLevel.objects.all()}
            accounts = self._accounts()
            self.admin = accounts["admin@demo.trackii.org"]
            self._designations()
            self._salt_river(accounts)
            self._coastal_fisheries(accounts)
            self._two_people_changes(accounts)
            pack_problem = self._briefing(accounts)
            self._transfer(accounts)
            self._non_paper(accounts)
            self._funder_report(accounts)
            # A fresh one-time code for the invitation under way, shown in the block.
            code = demo_summary.fresh_code(
                person=Person.objects.get(full_name=DEMO_INVITEE), sent=sent
            )
        extra = []
        if scale:
            scale_build(
                password=DEMO_PASSWORD,
                decided_by=self.admin,
                factor=scale_factor,
                say=say,
            )
            extra.append(f"  Scaled participants sign in as {participant_email(1)}, -0002...")
        invitee = Person.objects.get(full_name=DEMO_INVITEE)
        return demo_summary.block(
            accounts=DEMO_ACCOUNTS,
            password=DEMO_PASSWORD,
            invitee=invitee,
            invitation=demo_summary.invitation_link(person=invitee, sent=sent),
            code=code,
            official=DEMO_OFFICIAL,
            pack=demo_summary.pack_link(
                BriefingPack.objects.filter(note=DEMO_PACK_NOTE).order_by("pk").first()
            ),
            pack_problem=pack_problem,
            extra=extra,
        )

    def _accounts(self) -> dict[str, User]:
        accounts = {}
        for email, _ in DEMO_ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = account_create(
                    email=email,
                    password=DEMO_PASSWORD,
                    is_staff=email in STAFF_ACCOUNTS,
                )
                if email in STAFF_ACCOUNTS:
                    user.is_superuser = True
                    user.save(update_fields=["is_superuser"])
            accounts[email] = user
        return accounts

    def _person(self, full_name: str, account: User | None = None, **fields) -> Person:
        person = Person.objects.filter(full_name=full_name).first()
        if person is None:
            person = person_create(full_name=full_name, user=account, **fields)
        return person

    def _member(self, *, person, dialogue, side, role, clearance, state, nominated_by):
        membership = Membership.objects.filter(person=person, dialogue=dialogue).first()
        if membership is not None:
            return membership
        membership = membership_nominate(
            person=person,
            dialogue=dialogue,
            side=side,
            role=role,
            clearance=self.levels[clearance],
            nominated_by=nominated_by,
        )
        if state != S.NOMINATED:
            # Screened, then cleared by the admin (not the nominator: four eyes).
            case = membership.vetting_case
            screen_cases([case])
            vetting_case_decide(
                case=case,
                decision=VettingCase.Status.CLEARED,
                reason="Demo: references checked; no possible match on the lists in force.",
                jurisdictions="CH, GB",
                by=self.admin,
            )
            membership.refresh_from_db()
        if state == S.ACCEPTED and person.user_id and nominated_by is not None:
            self._come_in_by_invitation(membership, by=nominated_by)
            membership.refresh_from_db()
        else:
            # People without an account, or without a convenor who has one (the second demo
            # dialogue), are recorded as in the room without the e-mail round trip.
            steps = {S.INVITED: [S.INVITED], S.ACCEPTED: [S.INVITED, S.ACCEPTED]}.get(state, [])
            for step in steps:
                membership_transition(membership=membership, to=step)
        if state == S.ACCEPTED and dialogue.ground_rules:
            ground_rules_accept(
                membership=membership,
                version=dialogue.ground_rules_version,
                language=membership.person.language,
            )
        return membership

    def _come_in_by_invitation(self, membership, *, by) -> None:
        """The demo accounts come in the real way: an invitation, the code sent to their
        address (read back here from an in-memory outbox), and acceptance linking the account."""
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            invitation = invitation_send(membership=membership, by=by)
            invitation_send_code(invitation=invitation)
            code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
            invitation_verify_code(invitation=invitation, code=code)
            invitation_accept(invitation=invitation, user=membership.person.user)

    def _designations(self) -> None:
        """A fictional list of our own, so that screening has something to find."""
        if DesignationList.objects.filter(name=DEMO_LIST).exists():
            return
        import_designations_into_new_list(
            name=DEMO_LIST,
            format=DesignationList.Format.CSV,
            files=[("demo-own-list.csv", DEMO_LIST_CSV.encode())],
            by=self.admin,
        )

    def _dialogue(self, *, spec: dict, convenor: Person, created_by: User) -> Dialogue:
        dialogue = Dialogue.objects.filter(title=spec["title"]).first()
        if dialogue is None:
            dialogue = workspace.dialogue_create(
                by=created_by,
                convenor=convenor,
                clearance=self.levels["Restricted"],
                default_level=self.levels["Programme"],
                **spec,
            )
        return dialogue

    def _sides(self, dialogue: Dialogue, names: list[str]) -> dict[str, Side]:
        sides = {}
        for position, name in enumerate(names):
            side = Side.objects.filter(dialogue=dialogue, name=name).first()
            if side is None:
                side = workspace.side_create(
                    dialogue=dialogue,
                    name=name,
                    is_third_party=name.startswith("Third party"),
                    position=position,
                )
            sides[name] = side
        return sides

    def _salt_river(self, accounts: dict[str, User]) -> None:
        facilitator = accounts["facilitator@demo.trackii.org"]
        people = {}
        for (
            name,
            script,
            family,
            _side,
            _role,
            _clr,
            _state,
            email,
            gender,
            proximity,
            nationality,
            affiliation,
            position,
        ) in SALT_RIVER_PEOPLE:
            people[name] = self._person(
                name,
                account=accounts.get(email) if email else None,
                name_original_script=script,
                family_name=family,
                gender=gender,
                proximity=proximity,
                nationality=nationality,
                affiliation=affiliation,
                position=position,
                email=email or f"{slugify(name)}@people.demo.trackii.org",
                language=DEMO_LANGUAGES.get(name, ""),
            )
        dialogue = self._dialogue(
            spec=SALT_RIVER, convenor=people["Hannah Okafor"], created_by=facilitator
        )
        sides = self._sides(dialogue, ["Marovian", "Osterlan", "Third party / facilitation"])
        memberships = {}
        for name, _script, _family, side, role, clearance, state, *_ in SALT_RIVER_PEOPLE:
            membership = self._member(
                person=people[name],
                dialogue=dialogue,
                side=sides[side],
                role=role,
                clearance=clearance,
                state=state,
                nominated_by=facilitator,
            )
            if membership.side_id is None:  # the convenor was added before the sides existed
                Membership.objects.filter(pk=membership.pk).update(side=sides[side])
            memberships[name] = membership

        for title, (
            kind,
            venue,
            city,
            tz,
            start,
            end,
            status,
            level,
            attendees,
        ) in SALT_RIVER_SESSIONS.items():
            zone = ZoneInfo(tz)
            session = Session.objects.filter(dialogue=dialogue, title=title).first()
            if session is None:
                session = planning.session_create(
                    dialogue=dialogue,
                    created_by=facilitator,
                    title=title,
                    kind=kind,
                    venue=venue,
                    city=city,
                    time_zone=tz,
                    start=datetime(*start, tzinfo=zone),
                    end=datetime(*end, tzinfo=zone),
                    status=status,
                    level=self.levels[level],
                )
            for name in attendees:
                planning.session_attendance_add(session=session, membership=memberships[name])
            year, month = start[0], start[1]
            for (s_day, s_h, s_m), (
                e_day,
                e_h,
                e_m,
            ), room, item_title, description, item_kind, item_level, named in SALT_RIVER_AGENDA[
                title
            ]:
                if AgendaItem.objects.filter(session=session, title=item_title).exists():
                    continue
                planning.agenda_item_create(
                    session=session,
                    created_by=facilitator,
                    readers=[people[n] for n in named],
                    start=datetime(year, month, s_day, s_h, s_m, tzinfo=zone),
                    end=datetime(year, month, e_day, e_h, e_m, tzinfo=zone),
                    room=room,
                    title=item_title,
                    description=description,
                    kind=item_kind,
                    level=self.levels[item_level],
                    moderator=memberships["Hannah Okafor"] if item_kind == "plenary" else None,
                )
            # Everything planned is published once, so participants see the agenda.
            if not session.published_version:
                agenda_publish(session=session, by=facilitator)
                if title == ROUND_2:
                    # An edit after publishing, so the editor shows what changed since then.
                    planning.agenda_item_create(
                        session=session,
                        created_by=facilitator,
                        start=datetime(2027, 3, 17, 11, 30, tzinfo=zone),
                        end=datetime(2027, 3, 17, 13, 0, tzinfo=zone),
                        room="Sala Grande",
                        title="Closing: what each side takes home",
                        description="Drafted after version 1 was published.",
                        kind="plenary",
                        level=self.levels["Programme"],
                        moderator=memberships["Hannah Okafor"],
                    )
        self._papers(dialogue=dialogue, people=people, by=facilitator)
        # The options for dry-season sharing turned sensitive after Round 2 was published:
        # raised to Participants, the item and the non-paper on it leave the observer's view at
        # once (tightening takes effect before the next publication; the editor lists it as
        # changed).
        options = AgendaItem.objects.get(
            session__dialogue=dialogue, title="Three options for dry-season sharing"
        )
        if options.level.rank < self.levels["Participants"].rank:
            agenda_item_update(
                item=options,
                expected_revision=options.edit_revision,
                values={"level": self.levels["Participants"]},
                by=facilitator,
            )
        # The shape of the first round, saved for the rounds to come (issue 17): the convenor's
        # private breakfast is for named readers, so the template leaves it out.
        if not AgendaTemplate.objects.filter(dialogue=dialogue, name=DEMO_TEMPLATE).exists():
            agenda_template_save(
                viewer=viewer_for_user(facilitator),
                session=Session.objects.get(dialogue=dialogue, title=ROUND_1),
                name=DEMO_TEMPLATE,
                by=facilitator,
            )
        # One invitation under way, so the flow can be followed (the link is in the e-mail,
        # printed on the console by `make run`).
        nadia = memberships["Nadia Farouk"]
        if nadia.state == S.CLEARED and not nadia.invitations.exists():
            invitation_send(membership=nadia, by=facilitator)

    def _two_people_changes(self, accounts: dict[str, User]) -> None:
        """Changes one person asks for and another confirms, left waiting: the co-facilitator
        asked to raise what may leave the Salt River Dialogue (Public -> Programme), for the
        convenor to confirm on the dialogue's edit page; the admin asked to reword the Public
        level of the scale, for the second admin to confirm on /staff/scale/. A request lapses
        after 72 hours: a later run asks again."""
        dialogue = Dialogue.objects.get(title=SALT_RIVER["title"])
        co = accounts["co-facilitator@demo.trackii.org"]
        waiting = [
            r
            for r in OutboundLevelRequest.objects.filter(
                dialogue=dialogue, state=OutboundLevelRequest.State.OPEN
            )
            if not outbound_services.outbound_request_lapse_reason(r)
        ]
        if not waiting and outbound_rank(dialogue) < self.levels["Programme"].rank:
            outbound_services.outbound_raise_request(
                dialogue=dialogue,
                to_level=self.levels["Programme"],
                by=co,
                viewer=viewer_for_user(co),
            )
        public = ConfidentialityLevel.objects.get(name="Public")
        wording = (
            "May be shared outside the programme (press lines, published reports). Trackii "
            "still shows it only to members."
        )
        open_changes = [
            c
            for c in ScaleChangeRequest.objects.filter(state=ScaleChangeRequest.State.OPEN)
            if not scale_services.scale_change_lapse_reason(c)
        ]
        if not open_changes and public.description != wording:
            scale_services.scale_change_request(
                level=public,
                values={
                    "name": public.name,
                    "rank": public.rank,
                    "audience": public.audience,
                    "description": wording,
                },
                by=accounts["admin@demo.trackii.org"],
            )

    def _idea(self, dialogue: Dialogue, round_1: Session, facilitator: User) -> None:
        """The idea Round 1 produced (issue 18): a neutral technical body for the flow data,
        from its Chatham House convergence and the joint station it proposed, developed since,
        with a follow-up for the convenor."""
        if Idea.objects.filter(dialogue=dialogue, title=DEMO_IDEA).exists():
            return
        sources = Outcome.objects.filter(
            session=round_1, summary__in=[SALT_RIVER_OUTCOMES[0][3], SALT_RIVER_OUTCOMES[1][3]]
        )
        idea = idea_derive(
            dialogue=dialogue,
            viewer=viewer_for_user(facilitator),
            sources=list(sources),
            title=DEMO_IDEA,
            summary="Dry-season flow data from both banks goes first to a neutral technical "
            "body, with a joint monitoring station at the Teodor Dam, before any talk of "
            "allocation.",
            level=self.levels["Programme"],
            by=facilitator,
        )
        idea_set_state(idea=idea, state=Idea.State.DEVELOPED, by=facilitator)
        follow_up_add(
            idea=idea,
            owner=Membership.objects.get(dialogue=dialogue, person__user=facilitator),
            task="Draft a non-paper on the technical body for the second round",
            due=round_1.end.date() + timedelta(days=60),
            by=facilitator,
        )

    def _briefing(self, accounts: dict[str, User]) -> str:
        """Round 1's outcomes, and one briefing pack for a demo official at Programme
        clearance: rendered, approved by the second facilitator (four eyes) and released, so
        its link (in the summary `make run` prints) opens a finished copy. Returns why the pack
        could not be built, or "" when it is in place."""
        dialogue = Dialogue.objects.get(title=SALT_RIVER["title"])
        facilitator = accounts["facilitator@demo.trackii.org"]
        if not dialogue.briefing_summary:
            Dialogue.objects.filter(pk=dialogue.pk).update(briefing_summary=SALT_RIVER_SUMMARY)
            dialogue.refresh_from_db()
        round_1 = dialogue.sessions.get(title=ROUND_1)
        for kind, rule, level, summary, record, speakers in SALT_RIVER_OUTCOMES:
            if Outcome.objects.filter(session=round_1, summary=summary).exists():
                continue
            outcome_create(
                session=round_1,
                created_by=facilitator,
                kind=kind,
                attribution=rule,
                level=self.levels[level],
                summary=summary,
                record=record,
                speakers=list(Person.objects.filter(full_name__in=speakers)),
            )
        self._idea(dialogue, round_1, facilitator)
        self._officials(dialogue=dialogue, by=facilitator)
        if BriefingPack.objects.filter(dialogue=dialogue, note=DEMO_PACK_NOTE).exists():
            return ""
        # A pack that cannot be rendered (WeasyPrint's libraries missing, say) is left out, with
        # the reason, and the rest of the demo stays; the next run tries again.
        problem = demo_summary.pdf_problem()
        if problem:
            return problem
        official = dialogue.officials.get(name=DEMO_OFFICIAL)
        try:
            with transaction.atomic():
                pack = briefing.pack_request(
                    dialogue=dialogue,
                    viewer=viewer_for_user(facilitator),
                    requested_by=facilitator,
                    officials=[official],
                    sessions=[round_1],
                    note=DEMO_PACK_NOTE,
                )
                # As the workers would: a group of copies at a time (issue 21).
                ids = list(pack.copies.values_list("pk", flat=True))
                for batch in briefing.render_batches(ids):
                    briefing.copies_render(copy_ids=batch, worker="seed_demo")
                if pack.copies.exclude(state=BriefingPackCopy.State.READY).exists():
                    raise PackNotBuilt("its copy could not be rendered (the error is logged above)")
                briefing.pack_release(pack=pack, by=accounts["co-facilitator@demo.trackii.org"])
        except Exception as error:  # said in the summary; the rest of the demo is kept
            return (
                str(error)
                if isinstance(error, PackNotBuilt)
                else f"{type(error).__name__}: {error}"
            )
        return ""

    def _transfer(self, accounts: dict[str, User]) -> None:
        """What became of the demo idea: the envoy's reaction to the pack that carried it
        (the transfer its release logged, when the pack could be built), a meeting with
        Marovia's deputy minister, and the change observed after, substantiated by the envoy's
        office; the idea taken up."""
        dialogue = Dialogue.objects.get(title=SALT_RIVER["title"])
        convenor = accounts["facilitator@demo.trackii.org"]
        if ObservedChange.objects.filter(dialogue=dialogue, what_changed=DEMO_CHANGE).exists():
            return
        idea = Idea.objects.select_related("level").get(dialogue=dialogue, title=DEMO_IDEA)
        carrier = Membership.objects.get(dialogue=dialogue, person__user=convenor)
        for by_pack in Transfer.objects.filter(idea=idea, pack_copy__isnull=False):
            transfers.transfer_react(
                transfer=by_pack,
                reaction_kind=Transfer.Reaction.ASKED_MORE,
                reaction=DEMO_ENVOY_REACTION,
                revision=by_pack.edit_revision,
                by=convenor,
            )
        meeting = transfers.transfer_log(
            idea=idea,
            official=dialogue.officials.get(name=DEMO_OFFICIALS[1]["name"]),
            means=Transfer.Means.MEETING,
            occurred_on=datetime(2026, 10, 28).date(),
            level=self.levels["Facilitators"],
            carried_by=carrier,
            reaction_kind=Transfer.Reaction.RECEPTIVE,
            reaction=DEMO_MEETING_REACTION,
            by=convenor,
        )
        transfers.change_record(
            dialogue=dialogue,
            viewer=viewer_for_user(convenor),
            kind=ObservedChange.Kind.POSITION,
            observed_on=datetime(2026, 11, 20).date(),
            who_changed="Marovia's Ministry of Water Resources",
            what_changed=DEMO_CHANGE,
            significance="The first time either government has offered to share flow data "
            "with the other; it opens the way to Round 2's water-sharing options.",
            contribution="The working group follows the technical body the dialogue proposed "
            "in Round 1, put to the deputy minister by the convenor on 28 October.",
            substantiated_by="The envoy's office (Elena Marsh), in its note of 24 November",
            level=self.levels["Facilitators"],
            ideas=[idea],
            transfers=[meeting, *Transfer.objects.filter(idea=idea, pack_copy__isnull=False)],
            by=convenor,
        )
        idea_set_state(idea=idea, state=Idea.State.TAKEN_UP, by=convenor)

    def _non_paper(self, accounts: dict[str, User]) -> None:
        """The single text the convenor drafted from the demo idea (issue 19), which does the
        idea's follow-up: version 1 circulated, a comment from a participant of each side on a
        paragraph of it (each in their side's caucus), the convenor's reply in the Osterlan
        thread; version 2 revised (the station changed, the venue removed, the reservoir's
        figures added) and circulated; version 3 the working text."""
        dialogue = Dialogue.objects.get(title=SALT_RIVER["title"])
        convenor = accounts["facilitator@demo.trackii.org"]
        if NonPaper.objects.filter(dialogue=dialogue, title=DEMO_NON_PAPER).exists():
            return
        team = viewer_for_user(convenor)
        idea = Idea.objects.get(dialogue=dialogue, title=DEMO_IDEA)
        non_paper = nonpapers.non_paper_draft(
            dialogue=dialogue,
            viewer=team,
            ideas=[idea],
            title=DEMO_NON_PAPER,
            text="\n\n".join(DEMO_NON_PAPER_TEXT),
            level=self.levels["Programme"],
            by=convenor,
        )
        for follow_up in idea.follow_ups.filter(done_at__isnull=True):  # the one _idea set
            follow_up_done(follow_up=follow_up, by=convenor)
        first = non_paper.versions.get(number=1)
        nonpapers.version_freeze(version=first, viewer=team, circulate=True, by=convenor)
        first.refresh_from_db()
        ids = [p["id"] for p in first.paragraphs]
        for email, index, body in DEMO_NON_PAPER_COMMENTS:
            user = accounts[email]
            viewer = viewer_for_user(user)
            if caucus_side_of(viewer, dialogue.pk) is None:
                continue  # a demo database from before this account was given to its person
            nonpapers.comment_add(
                version=first,
                paragraph_id=ids[index],
                viewer=viewer,
                person=Person.objects.get(user=user),
                body=body,
                by=user,
            )
        nonpapers.comment_reply(
            version=first,
            paragraph_id=ids[2],
            side=Side.objects.get(dialogue=dialogue, name="Osterlan"),
            viewer=team,
            person=Person.objects.get(user=convenor),
            body=DEMO_NON_PAPER_REPLY,
            by=convenor,
        )
        second = non_paper.versions.get(number=2)
        # The station reworded, the venue emptied (removed), the reservoir's figures added.
        texts = [*DEMO_NON_PAPER_TEXT[:2], DEMO_NON_PAPER_STATION_V2, "", DEMO_NON_PAPER_TEXT[4]]
        edited = [(pid, n, text) for n, (pid, text) in enumerate(zip(ids, texts, strict=True), 1)]
        second = nonpapers.version_edit(
            version=second,
            viewer=team,
            expected_revision=second.edit_revision,
            paragraphs=edited,
            added=DEMO_NON_PAPER_ADDED_V2,
            note=DEMO_NON_PAPER_NOTE_V2,
            by=convenor,
        )
        nonpapers.version_freeze(version=second, viewer=team, circulate=True, by=convenor)

    def _funder_report(self, accounts: dict[str, User]) -> None:
        """A report for the programme's funders, at the dialogue's outbound level, rendered
        (left out, like the pack, where PDFs cannot be made here)."""
        dialogue = Dialogue.objects.get(title=SALT_RIVER["title"])
        convenor = accounts["facilitator@demo.trackii.org"]
        if dialogue.funder_reports.exists() or demo_summary.pdf_problem():
            return
        report = funders.report_request(
            dialogue=dialogue,
            viewer=viewer_for_user(convenor),
            requested_by=convenor,
            level=reportable_levels(dialogue).last(),
        )
        funders.report_render(report_id=report.pk)

    def _officials(self, *, dialogue: Dialogue, by: User) -> None:
        """The Salt River register: the officials the programme briefs."""
        viewer = viewer_for_user(by)
        for fields in DEMO_OFFICIALS:
            if dialogue.officials.filter(email=fields["email"]).exists():
                continue
            officials.official_create(
                dialogue=dialogue,
                viewer=viewer,
                by=by,
                values={**fields, "clearance": self.levels[fields["clearance"]]},
            )

    def _papers(self, *, dialogue: Dialogue, people: dict[str, Person], by: User) -> None:
        sessions = {s.title: s for s in dialogue.sessions.all()}
        for title, kind, level, session_title, item_title, named, body in SALT_RIVER_PAPERS:
            if Document.objects.filter(dialogue=dialogue, title=title).exists():
                continue
            session = sessions.get(session_title)
            item = session.agenda_items.get(title=item_title) if item_title else None
            document_upload(
                dialogue=dialogue,
                session=session,
                agenda_item=item,
                uploaded_by=by,
                title=title,
                kind=kind,
                level=self.levels[level],
                readers=[people[n] for n in named],
                upload=SimpleUploadedFile(
                    f"{slugify(title)}.pdf", simple_pdf(title, body), "application/pdf"
                ),
            )

    def _coastal_fisheries(self, accounts: dict[str, User]) -> None:
        convenor = self._person(
            "Kwame Asante",
            family_name="Asante",
            gender="man",
            proximity="academic",
            nationality="GH",
            affiliation="Centre for Quiet Diplomacy",
            position="Senior adviser",
        )
        outsider = self._person(
            "Priya Raman",
            account=accounts["outsider@demo.trackii.org"],
            family_name="Raman",
            gender="woman",
            proximity="civil_society",
            nationality="XQ",
            affiliation="Kestrel Coast Fishers' Network",
            position="Coordinator",
            email="outsider@demo.trackii.org",
        )
        dialogue = self._dialogue(
            spec={
                "title": "Coastal Fisheries Dialogue",
                "cover_name": "Harbour talks",
                "context": "An invented Track 3 process between fishing communities of the "
                "Kestrel coast and the Alder islands.",
                "convening_organisation": "Centre for Quiet Diplomacy (fictional)",
                "track": Dialogue.Track.TRACK_3,
                "aim": Dialogue.Aim.MANAGE,
                "status": Dialogue.Status.EXPLORATORY,
                "ground_rules": "Chatham House Rule applies to every meeting.",
            },
            convenor=convenor,
            created_by=None,
        )
        sides = self._sides(dialogue, ["Kestrel coast", "Alder islands"])
        membership = self._member(
            person=outsider,
            dialogue=dialogue,
            side=sides["Kestrel coast"],
            role=R.PARTICIPANT,
            clearance="Participants",
            state=S.ACCEPTED,
            nominated_by=None,
        )
        title = "Harbour meeting on seasonal quotas"
        session = Session.objects.filter(dialogue=dialogue, title=title).first()
        if session is None:
            zone = ZoneInfo("Atlantic/Azores")
            session = planning.session_create(
                dialogue=dialogue,
                title=title,
                kind=Session.Kind.WORKSHOP,
                venue="Harbour master's hall",
                city="Porto Alder",
                time_zone="Atlantic/Azores",
                start=datetime(2027, 2, 2, 9, tzinfo=zone),
                end=datetime(2027, 2, 3, 17, tzinfo=zone),
                status=Session.Status.PUBLISHED,
                level=self.levels["Programme"],
            )
            planning.agenda_item_create(
                session=session,
                title="Quota calendar for the spring season",
                kind="plenary",
                level=self.levels["Programme"],
                start=datetime(2027, 2, 2, 9, 30, tzinfo=zone),
                end=datetime(2027, 2, 2, 11, tzinfo=zone),
                room="Main hall",
            )
            agenda_publish(session=session)
        planning.session_attendance_add(session=session, membership=membership)
