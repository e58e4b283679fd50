"""Benchmark of the briefing-pack job (``make bench-briefing``).

Builds, in a temporary SQLite database (migrated here), one dialogue with 10 sessions of 20
published agenda items each and 200 outcomes (20 a session, every kind, level and attribution
rule, a paragraph or two each; reproducible from a fixed seed). It requests a pack of all 10
sessions for one official at "Facilitators" (about 40 pages), a pack of 2 sessions, and a pack
of all 10 sessions for 25 officials at three clearances (8 Public, 9 Programme, 8
Facilitators), warms WeasyPrint up (fonts) and runs the job once untimed, then prints:

(a) the whole job's wall time for a pack of one copy, ``copy_render`` (claim, collection,
    HTML, WeasyPrint for the group's base and for the copy's marks, merging the marks into the
    pages, attribution guard, storing), and the process's peak memory (max RSS);
(b) WeasyPrint alone on the same pack's base HTML (``dialogues.pdf.render_pdf``: the layout
    of its text, which a copy cannot do without), and a/b (target a <= 1.25 b). Since issue 21
    (a) also lays out the copy's marks and merges them: what one copy costs beyond its text;
(c) the SQL queries of collecting a copy's data (``pack_contents``) for the 2-session and the
    10-session pack (target: equal), and those of the whole ``copy_render`` for information;
(d) the 25-copy pack: the whole job as the workers run it (one ``copies_render`` a group, the
    messages ``_enqueue`` sends), against (a) (target: at most 4 times one copy, issue 21);
    and a 5-copy pack of the same three clearances (one run), for information.
(a), (b) and (d) are run several times each, interleaved; the targets compare best with best,
since other processes on the machine only ever add time (medians are printed too). It also
prints the PDF's pages, where one job's time goes (an extra, instrumented run), and PASS/FAIL
per target (also peak memory < 400 MB). Exits 1 if a target is missed.

Nothing here needs PostgreSQL, Redis or secrets: the test settings, a temporary SQLite file
(``BENCH_DATABASE_URL`` picks another, empty, throw-away database; DATABASE_URL is ignored so
that the benchmark never writes into a development or CI database), private files in a temporary
folder. Tasks are not run eagerly: ``pack_request`` queues its copies on Celery's in-process
``memory://`` transport (no broker, no worker) and this script calls ``copy_render`` itself, as
a worker would, so that what is timed is the job alone. Temporary files are removed at exit.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20261125
N_SESSIONS = 10
ITEMS_PER_SESSION = 20
OUTCOMES_PER_SESSION = 20
CLEARANCE = "Facilitators"
RUNS = 5
RUNS_MANY = 3
TARGET_RATIO = 1.25
TARGET_MANY_RATIO = 4.0
TARGET_PEAK_MB = 400
# The pack for many officials (issue 21): how many at each clearance.
MANY = [("Public", 8), ("Programme", 9), ("Facilitators", 8)]
FEW = [("Public", 2), ("Programme", 2), ("Facilitators", 1)]

# --- Text (invented, in the register of a Track Two programme) -------------------------------

SENTENCES = [
    "Participants from both sides described how the closure of the northern crossings in the "
    "spring had affected farming families on either bank of the river.",
    "Several speakers argued that a joint technical committee on water allocation could meet "
    "without either government recognising the other's claims to the upper basin.",
    "The discussion returned repeatedly to the question of sequencing: whether humanitarian "
    "measures should precede, accompany or follow an agreement on security arrangements.",
    "It was noted that the 2019 understanding on detainee visits had lapsed less because of "
    "bad faith than because no body was charged with following it up.",
    "One group proposed that municipal authorities on both sides exchange monthly data on "
    "river levels, pollution and abstraction, published at the same hour in both languages.",
    "There was broad agreement that any monitoring mechanism would need a third-party chair "
    "acceptable to both capitals, and that its reports should go to both at the same time.",
    "Participants cautioned that public statements by either side in the coming weeks could "
    "undo the modest progress made, and asked the facilitators to convey this privately.",
    "A former negotiator recalled that the ceasefire of the early 2000s held longest where "
    "local commanders had a direct telephone line and a shared map of the contact line.",
    "The economists in the group presented figures suggesting that reopening the cross-border "
    "market for two days a week would repay its security costs within a season.",
    "Some participants were sceptical that their leaderships would accept a phased approach, "
    "given the domestic cost of any concession made before elections next year.",
    "The group identified three categories of missing persons whose cases could be opened "
    "without touching on the political status of the disputed districts.",
    "It was suggested that religious leaders from both communities be invited to the next "
    "round to discuss the protection and shared use of sites of worship near the line.",
    "Speakers stressed that the media environment on both sides rewards maximalist positions, "
    "and that any step agreed here would need a communication plan prepared in advance.",
    "Concern was expressed about the return of displaced families to villages where property "
    "records were destroyed; a joint registry with international support was floated.",
    "The legal experts agreed that a sequence of unilateral but coordinated measures might "
    "avoid the need for a signed text, which neither side could present at home.",
    "Participants asked for a short paper comparing how other protracted conflicts handled "
    "the exchange of remains, including the role of forensic teams from third countries.",
    "The facilitators summarised the points of convergence and asked each side to test them "
    "informally with the offices they brief before the next round.",
    "Divergence remained on whether the security of the pipeline should be discussed in this "
    "format at all, or left to the official channel that met twice last year.",
    "Youth representatives described cross-line contacts on social media that authorities on "
    "both sides now monitor, and asked how such contacts could be protected.",
    "A proposal for a joint academic commission on history textbooks met interest, with the "
    "caveat that its members should be chosen by universities rather than ministries.",
    "The group considered a hotline between the two emergency services for fires and floods "
    "along the river, modelled on arrangements that already work informally in the south.",
    "Several participants said that trust had been damaged by leaks after the previous round "
    "and asked that the ground rules be read out again at the opening of each session.",
    "It was agreed that the wording of any outcome shared with officials must avoid terms "
    "that either side considers prejudicial to its legal position.",
    "The session closed with a discussion of which ideas were ripe for testing with decision "
    "makers and which needed another round of work within the group.",
]
AGENDA = [
    (
        "Opening and ground rules",
        "Welcome by the convening team; the Chatham House Rule and the group's own ground rules "
        "are read out and accepted again.",
    ),
    (
        "Review of commitments since the last round",
        "Each side reports briefly on what was tested with the offices it briefs, and what came "
        "back.",
    ),
    (
        "Water allocation in the upper basin",
        "Presentation of the hydrologists' note on seasonal flows, then discussion of a joint "
        "technical committee.",
    ),
    (
        "Humanitarian access and crossings",
        "What the closures of the northern crossings cost farming families, and what a "
        "humanitarian corridor would need.",
    ),
    (
        "Detainees and missing persons",
        "Categories of cases that could be opened without touching on the status of the "
        "disputed districts.",
    ),
    (
        "Security arrangements along the contact line",
        "Lessons of the earlier ceasefire: direct lines between local commanders, shared maps, "
        "incident reporting.",
    ),
    (
        "Economic links and the cross-border market",
        "The economists' figures on reopening the market two days a week, and who would bear "
        "its security costs.",
    ),
    (
        "Return of displaced families",
        "Property records, a joint registry with international support, and the order in which "
        "villages could be resettled.",
    ),
    (
        "Sites of worship and cultural heritage",
        "Protection and shared use of sites near the line; whether to invite religious leaders "
        "to the next round.",
    ),
    (
        "Media, public messaging and leaks",
        "How to keep the group's work out of the press, and a communication plan for any step "
        "that is agreed.",
    ),
    (
        "Legal forms of an understanding",
        "Coordinated unilateral measures as an alternative to a signed text that neither side "
        "could present at home.",
    ),
    (
        "Monitoring and verification options",
        "A third-party chair acceptable to both capitals; reports delivered to both at the same "
        "time.",
    ),
    (
        "Emergency services cooperation",
        "A hotline between the emergency services for fires and floods along the river, modelled "
        "on informal practice.",
    ),
    (
        "Education and history textbooks",
        "A joint academic commission on textbooks, its members chosen by universities rather "
        "than ministries.",
    ),
    (
        "Youth perspectives",
        "Youth representatives on cross-line contacts online and how they could be protected.",
    ),
    (
        "Working groups report back",
        "Each working group presents its conclusions in ten minutes; questions follow in plenary.",
    ),
    (
        "Informal consultations by side",
        "Each side meets separately with the facilitators to test what it heard.",
    ),
    (
        "Testing ideas with decision makers",
        "Which ideas are ripe for testing with officials, and which need another round of work "
        "within the group.",
    ),
    (
        "Drafting the points of convergence",
        "The facilitators' draft is read paragraph by paragraph; wording that either side finds "
        "prejudicial is set aside.",
    ),
    (
        "Closing and next steps",
        "Dates and venue of the next round, papers to prepare, and who follows up on what.",
    ),
]
AGENDA_NOTES = [
    "Interpretation in both languages.",
    "Papers circulated in advance.",
    "Moderated by the facilitators.",
    "Coffee is served in the room.",
    "",
    "",
    "",
]
# (title, kind, city, time zone); pre-consultations at Participants, the rest at Public.
SESSION_PLACES = [
    ("Lakeside round", "round", "Montreux", "Europe/Zurich"),
    ("Harbour workshop", "workshop", "Valletta", "Europe/Malta"),
    ("Spring round", "round", "Oslo", "Europe/Oslo"),
    ("Technical workshop on water", "workshop", "Vienna", "Europe/Vienna"),
    ("Pre-consultation, side A", "pre_consultation", "Istanbul", "Europe/Istanbul"),
    ("Pre-consultation, side B", "pre_consultation", "Tbilisi", "Asia/Tbilisi"),
    ("Summer round", "round", "Geneva", "Europe/Zurich"),
    ("Workshop on detainees", "workshop", "Amman", "Asia/Amman"),
    ("Autumn round", "round", "Helsinki", "Europe/Helsinki"),
    ("Debrief", "debrief", "Berlin", "Europe/Berlin"),
]
SPEAKERS = [
    ("Leila Haddad", "Haddad", "Institute for River Studies"),
    ("Tamar Beridze", "Beridze", "Caucasus Policy Forum"),
    ("Yusuf Demirci", "Demirci", "Anatolian Peace Initiative"),
    ("Mariam Al-Khatib", "Al-Khatib", "Centre for Legal Dialogue"),
    ("Giorgi Kapanadze", "Kapanadze", "Tbilisi State University"),
    ("Rustam Nazarov", "Nazarov", "Valley Farmers Union"),
    ("Anna Petrosyan", "Petrosyan", "Humanitarian Law Clinic"),
    ("Omar Saleh", "Saleh", "Former Ministry of Water Resources"),
    ("Irina Volkova", "Volkova", "Borderlands Research Group"),
    ("Samir Nassar", "Nassar", "Chamber of Commerce of the South"),
    ("Nino Gelashvili", "Gelashvili", "Women Mediators Network"),
    ("Elif Aksoy", "Aksoy", "Istanbul Policy Lab"),
]
# (level, weight) and (attribution, weight) of outcomes; Restricted and off-the-record ones never
# reach an official's copy (they are there so that the filters have something to leave out).
OUTCOME_LEVELS = [
    ("Public", 4),
    ("Programme", 6),
    ("Participants", 4),
    ("Facilitators", 4),
    ("Restricted", 3),
]
ITEM_LEVELS = [("Public", 6), ("Programme", 8), ("Participants", 3), ("Facilitators", 2)]
ATTRIBUTIONS = [("chatham_house", 11), ("on_record", 5), ("off_record", 4)]
KINDS = ["note", "idea", "proposal", "convergence", "divergence"]
# An outcome's paragraphs: at most this many sentences each.
SHAPES = [[1], [1], [2], [1, 1]]


def paragraph(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(low, high)))


def weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


# --- Set-up -----------------------------------------------------------------------------------


def configure() -> Path:
    """Django on the test settings, a temporary SQLite database, migrated."""
    scratch = Path(tempfile.mkdtemp(prefix="trackii-bench-briefing-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "trackii.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    from trackii.celery import app

    # Queue on the in-process memory transport instead of running tasks eagerly: the benchmark
    # calls the job itself, so that what is timed is the job alone.
    app.conf.task_always_eager = False
    try:
        call_command("migrate", verbosity=0, interactive=False)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return scratch


def build(rng: random.Random):
    """The dialogue, its roster, sessions, published agendas and outcomes."""
    from dialogues.models import Session
    from dialogues.outcomes.services import outcome_create
    from dialogues.planning.services import agenda_item_create, agenda_publish
    from participants.models import Membership
    from tests.factories import (
        DialogueFactory,
        MembershipFactory,
        PersonFactory,
        SessionFactory,
        level,
    )
    from tests.world import member_with_account

    dialogue = DialogueFactory(
        title="Salt River dialogue",
        cover_name="Lakeside meetings",
        briefing_summary="\n\n".join(paragraph(rng, 3, 5) for _ in range(3)),
    )
    convenor = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    user = convenor.person.user
    speakers = [
        MembershipFactory(
            dialogue=dialogue,
            person=PersonFactory(full_name=full, family_name=family, affiliation=affiliation),
        ).person
        for full, family, affiliation in SPEAKERS
    ]
    sessions = []
    for n, (title, kind, city, zone) in enumerate(SESSION_PLACES):
        start = datetime(2026, 1, 12, 7, tzinfo=UTC) + timedelta(days=30 * n)
        session = SessionFactory(
            dialogue=dialogue,
            title=title,
            city=city,
            time_zone=zone,
            kind=kind,
            start=start,
            end=start + timedelta(days=2, hours=10),
            level=level("Participants" if kind == Session.Kind.PRE_CONSULTATION else "Public"),
        )
        for i in range(ITEMS_PER_SESSION):
            item_level = weighted(rng, ITEM_LEVELS)
            if level(item_level).rank < session.level.rank:
                item_level = session.level.name
            slot = start + timedelta(days=i // 8, minutes=75 * (i % 8))
            agenda_item_create(
                session=session,
                created_by=user,
                title=AGENDA[i][0],
                description=f"{AGENDA[i][1]} {rng.choice(AGENDA_NOTES)}".strip(),
                kind=rng.choice(["plenary", "plenary", "breakout", "informal"]),
                room=f"Room {rng.randint(1, 6)}",
                start=slot,
                end=slot + timedelta(minutes=60),
                level=level(item_level),
            )
        agenda_publish(session=session, by=user)
        for _ in range(OUTCOMES_PER_SESSION):
            outcome_level = weighted(rng, OUTCOME_LEVELS)
            if level(outcome_level).rank < session.level.rank:
                outcome_level = session.level.name
            outcome_create(
                session=session,
                created_by=user,
                kind=rng.choice(KINDS),
                attribution=weighted(rng, ATTRIBUTIONS),
                summary="\n\n".join(paragraph(rng, 1, most) for most in rng.choice(SHAPES)),
                record=paragraph(rng, 2, 3),
                level=level(outcome_level),
                speakers=rng.sample(speakers, rng.randint(1, 3)),
            )
        session.refresh_from_db()
        sessions.append(session)
    return dialogue, user, sessions


FIRST_NAMES = ["Sofia", "Amal", "Tamar", "Yusuf", "Irina", "Omar", "Nino", "Elif", "Giorgi"]
LAST_NAMES = ["Lindqvist", "Haddad", "Beridze", "Demirci", "Volkova", "Saleh", "Aksoy"]


def official_for(dialogue, email: str, clearance: str, n: int = 0):
    from dialogues.models import Official
    from tests.factories import level

    official, _ = Official.objects.get_or_create(
        dialogue=dialogue,
        email=email,
        defaults={
            "name": f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n % len(LAST_NAMES)]}",
            "position": "Special Envoy",
            "institution": "Ministry for Foreign Affairs",
            "clearance": level(clearance),
        },
    )
    return official


def request(dialogue, user, sessions, email: str, officials=None):
    from dialogues.briefing import services as briefing
    from dialogues.confidentiality import viewer_for_user

    return briefing.pack_request(
        dialogue=dialogue,
        viewer=viewer_for_user(user),
        requested_by=user,
        officials=officials or [official_for(dialogue, email, CLEARANCE)],
        sessions=sessions,
    )


def request_many(dialogue, user, sessions, shape: list[tuple[str, int]], tag: str):
    """A pack for officials at several clearances (``shape``: clearance, how many)."""
    officials = []
    for clearance, count in shape:
        for _ in range(count):
            n = len(officials)
            email = f"official.{tag}.{n}@ministry.example"
            officials.append(official_for(dialogue, email, clearance, n))
    return request(dialogue, user, sessions, "", officials=officials)


# --- Measures ---------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def job_copy(pack):
    """The copy as the job loads it (``_claim``)."""
    from dialogues.models import BriefingPackCopy

    return BriefingPackCopy.objects.select_related("pack__dialogue", "clearance").get(pack=pack)


@dataclass
class Timing:
    wall: float
    cpu: float  # this process's CPU time
    queries: int = 0


@contextmanager
def timing():
    """Yield a ``Timing`` filled in when the block ends."""
    result = Timing(0.0, 0.0)
    wall, cpu = time.perf_counter(), time.process_time()
    yield result
    result.wall, result.cpu = time.perf_counter() - wall, time.process_time() - cpu


def run_job(pack, user, *, count_queries: bool = False) -> Timing:
    """Queue the copy again (production's own service), then time ``copy_render``; with
    ``count_queries``, ``Timing.queries`` is the number of its SQL queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dialogues.briefing import services as briefing

    briefing.pack_render_again(pack=pack, by=user, failed_only=False)
    copy_id = job_copy(pack).pk
    captured = CaptureQueriesContext(connection) if count_queries else nullcontext()
    with captured, timing() as took:
        result = briefing.copy_render(copy_id=copy_id, worker="bench:1")
    if result != "ready":
        raise RuntimeError(f"copy_render returned {result!r}")
    if count_queries:
        took.queries = len(captured)
    return took


def run_many(pack, user) -> Timing:
    """Queue every copy again, then time the job as the workers run it: one ``copies_render``
    for each message ``_enqueue`` would send (a group each)."""
    from dialogues.briefing import services as briefing

    briefing.pack_render_again(pack=pack, by=user, failed_only=False)
    ids = list(pack.copies.values_list("pk", flat=True))
    with timing() as took:
        outcomes: dict[int, str] = {}
        for batch in briefing.render_batches(ids):
            outcomes.update(briefing.copies_render(copy_ids=batch, worker="bench:1"))
    if set(outcomes.values()) != {"ready"} or len(outcomes) != len(ids):
        raise RuntimeError(f"copies_render returned {outcomes!r}")
    return took


def run_weasyprint(html: str) -> tuple[Timing, int]:
    from dialogues import pdf

    with timing() as took:
        _data, pages = pdf.render_pdf(html)
    return took, pages


def queries_of(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def collection_queries(pack) -> int:
    """Queries of ``pack_contents`` for the copy, loaded as the job loads it."""
    from dialogues.briefing.selectors import pack_contents

    copy = job_copy(pack)
    collected = []
    count = queries_of(
        lambda: collected.append(pack_contents(pack=copy.pack, clearance=copy.clearance))
    )
    if not collected[0].sessions:
        raise RuntimeError("the pack is empty")
    return count


@contextmanager
def stage_timer(stages: dict[str, float]):
    """Time the stages of ``render_copy_pdf`` by wrapping what it calls (one run only)."""
    from dialogues import pdf
    from dialogues.briefing import exports as exporters
    from dialogues.briefing import services as briefing
    from dialogues.briefing import stamping

    targets = [
        (briefing, "copy_render", "job"),
        (briefing, "pack_contents", "collect (pack_contents)"),
        (exporters, "briefing_pack_html", "HTML of the base"),
        (exporters, "briefing_marks_html", "HTML of the marks"),
        (pdf, "render_pdf", "WeasyPrint (base and marks)"),
        (stamping, "stamp_copies", "merge marks (stamp_copies)"),
        (briefing, "member_names_of", "guard: member names"),
        (briefing, "attribution_findings", "guard: scan"),
    ]
    originals = [(module, name, getattr(module, name)) for module, name, _ in targets]

    def timed(function, label):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                stages[label] = stages.get(label, 0.0) + time.perf_counter() - start

        return wrapper

    for (module, name, label), (_, _, original) in zip(targets, originals, strict=True):
        setattr(module, name, timed(original, label))
    try:
        yield
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


def seconds(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def main() -> int:
    scratch = configure()
    from django.conf import settings
    from django.db import connection

    from dialogues import pdf
    from dialogues.briefing import exports as exporters
    from dialogues.briefing.selectors import pack_contents

    rng = random.Random(SEED)  # noqa: S311 (synthetic data, reproducible by design)
    try:
        with timing() as took:
            dialogue, user, sessions = build(rng)
            full = request(dialogue, user, sessions, "envoy@ministry.example")
            two = request(dialogue, user, sessions[:2], "envoy.two@ministry.example")
            many = request_many(dialogue, user, sessions, MANY, "many")
            few = request_many(dialogue, user, sessions, FEW, "few")
        print(
            f"Data ({connection.vendor}): {len(sessions)} sessions x {ITEMS_PER_SESSION} "
            f"published agenda items, {len(sessions) * OUTCOMES_PER_SESSION} outcomes, built in "
            f"{took.wall:.1f} s; one copy at {CLEARANCE}"
        )

        # Warm up: WeasyPrint's fonts and caches, then one whole job (templates, imports).
        warm_up, _ = run_weasyprint(
            f'<html><head><link rel="stylesheet" href="{pdf.static_url("css/briefing_pdf.css")}">'
            "</head><body><h1>Warm-up</h1><p>Fonts: تجربة, 试验.</p></body></html>"
        )
        cold = run_job(full, user)
        print(
            f"Warm-up: WeasyPrint on one page {warm_up.wall:.2f} s; first whole job (cold) "
            f"{cold.wall:.2f} s"
        )

        # The HTML the job renders, built the same way.
        copy = job_copy(full)
        contents = pack_contents(pack=copy.pack, clearance=copy.clearance)
        html = exporters.briefing_pack_html(contents=contents, group=[copy])

        jobs, alone = [], []
        for _ in range(RUNS):  # interleaved, so that drift and neighbours touch both alike
            jobs.append(run_job(full, user))
            took, pages_alone = run_weasyprint(html)
            alone.append(took)
        many_runs = []
        for _ in range(RUNS_MANY):  # interleaved with one copy's job, for the same reason
            many_runs.append(run_many(many, user))
            jobs.append(run_job(full, user))
        few_run = run_many(few, user)  # once, for information
        job_best, alone_best = min(t.wall for t in jobs), min(t.wall for t in alone)
        many_best = min(t.wall for t in many_runs)
        many_median = statistics.median(t.wall for t in many_runs)
        many_ratio = many_best / job_best
        job_median = statistics.median(t.wall for t in jobs)
        alone_median = statistics.median(t.wall for t in alone)
        ratio = job_best / alone_best
        copy = job_copy(full)

        # Where one job's time goes, and the queries of a whole job (one more run each).
        stages: dict[str, float] = {}
        with stage_timer(stages):
            job_queries_full = run_job(full, user, count_queries=True).queries
        instrumented = stages.pop("job")
        job_queries_two = run_job(two, user, count_queries=True).queries

        queries_two = collection_queries(two)
        queries_full = collection_queries(full)
        peak = peak_rss_mb()  # the whole process's, after every run

        print(
            f"PDF: {copy.pages} pages, {copy.size / 1024:.0f} KiB (HTML {len(html) / 1024:.0f} "
            f"KiB): {sum(len(s.items) for s in contents.sessions)} agenda items and "
            f"{contents.outcome_count} outcomes at {CLEARANCE}"
        )
        if pages_alone != copy.pages:
            print(f"  (WeasyPrint alone made {pages_alone} pages)")
        print(
            f"(a) whole job (copy_render), best of {len(jobs)}: {job_best:6.2f} s wall; median "
            f"{job_median:.2f} s; runs {seconds([t.wall for t in jobs])} s wall, "
            f"{seconds([t.cpu for t in jobs])} s CPU"
        )
        print(f"    peak memory (max RSS): {peak:.0f} MB")
        print(
            f"(b) WeasyPrint alone, same HTML, best of {RUNS}: {alone_best:6.2f} s wall "
            f"({alone_best / pages_alone:.3f} s a page); median {alone_median:.2f} s; runs "
            f"{seconds([t.wall for t in alone])} s wall, {seconds([t.cpu for t in alone])} s CPU"
        )
        print(
            f"    a / b = {ratio:.2f}, best against best (target <= {TARGET_RATIO:.2f}); "
            f"median against median {job_median / alone_median:.2f}"
        )
        print(f"    one job's {instrumented:.2f} s (instrumented run):")
        accounted = 0.0
        for label, spent in stages.items():
            accounted += spent
            print(f"      {label:26s} {spent:6.3f} s")
        print(f"      {'claim, store, the rest':26s} {instrumented - accounted:6.3f} s")
        print(
            f"(c) queries of pack_contents: {queries_two} for 2 sessions, {queries_full} for "
            f"{len(sessions)} (of the whole copy_render: {job_queries_two} and {job_queries_full})"
        )
        shape = ", ".join(f"{count} {name}" for name, count in MANY)
        print(
            f"(d) {sum(c for _, c in MANY)} copies ({shape}; {len(MANY)} groups), best of "
            f"{RUNS_MANY}: {many_best:6.2f} s wall ({many_best / sum(c for _, c in MANY):.3f} s a "
            f"copy); median {many_median:.2f} s; runs {seconds([t.wall for t in many_runs])} s "
            f"wall, {seconds([t.cpu for t in many_runs])} s CPU"
        )
        print(
            f"    {sum(c for _, c in FEW)} copies of the same clearances: {few_run.wall:.2f} s "
            f"wall, {few_run.cpu:.2f} s CPU (one run); one copy (a): best {job_best:.2f} s (of "
            f"{len(jobs)} runs)"
        )
        print(
            f"    25 copies / one copy = {many_ratio:.2f}, best against best (target <= "
            f"{TARGET_MANY_RATIO:.0f}); against WeasyPrint alone on one copy's text (b): "
            f"{many_best / alone_best:.2f}"
        )

        checks = [
            (f"a <= {TARGET_RATIO} b", ratio <= TARGET_RATIO),
            ("pack_contents queries equal for 2 and 10 sessions", queries_two == queries_full),
            (f"peak memory < {TARGET_PEAK_MB} MB", peak < TARGET_PEAK_MB),
            (
                f"25 copies at three clearances <= {TARGET_MANY_RATIO:.0f} x one copy",
                many_ratio <= TARGET_MANY_RATIO,
            ),
        ]
        for name, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {name}")
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        private = Path(settings.PRIVATE_STORAGE_ROOT)
        if private.name.startswith("trackii-test-private-"):  # made by the test settings
            shutil.rmtree(private, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
