"""The page benchmark (``make bench-pages``): Trackii's session page and home page against bare
Django pages of the same shape (``bench/reference``), served by the same gunicorn, measured with
wrk in interleaved rounds.

- Data (``bench/pages_data.py``): a session with 10, 40 and 160 published agenda items and two
  papers on each; readers who are members of 2, 11 and 20 dialogues of three sessions each. Built
  once into the database ``DATABASE_URL`` names, which must be PostgreSQL and the benchmark's own
  (the names ``trackii`` and ``test_*`` are refused, as is a database holding other dialogues);
  created if missing. ``REDIS_URL``: the cache and the sessions, as in production.
- Server: gunicorn, ``WORKERS`` sync workers, on the load test's production settings plus the
  reference pages' URLs (``bench.settings_pages``): no DEBUG, the same middleware for both. The
  readers are signed in with a session made directly (the second factor is off).
- Before measuring: every page answers 200 to its reader; each reference body is within
  ``SIZE_TOLERANCE`` of ours in bytes and shows as many agenda items, papers and dialogues
  (otherwise the run stops, exit 2).
- Measuring: ``ROUNDS`` rounds; in each, every case runs the reference then ours, ``SECONDS``
  each, with ``wrk`` (one thread; 1 connection, and 8 for the session page at 40 items and the
  home page at 20 dialogues). Figures are the medians over rounds: requests/s and p50 latency.
- Targets, each printed PASS or FAIL (exit 1 on a miss): the session page at 40 items serves at
  least ``MIN_RATIO`` of the reference's requests/s with 8 connections; its cost (p50 alone)
  grows linearly from 10 to 40 to 160 items; the home page's cost of one more dialogue stays
  flat from 2 to 11 to 20 dialogues and within ``MAX_PER_DIALOGUE_FACTOR`` of the reference's.

``BENCH_PAGES_ROUNDS`` (3), ``BENCH_PAGES_SECONDS`` (3) and ``BENCH_PAGES_PORT`` (8200) change
the run; the whole takes about three minutes once the data is built.
"""

from __future__ import annotations

import http.client
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import page_figures as figures  # noqa: E402
from bench.pages_data import HOME_DIALOGUES, SESSION_ITEMS  # noqa: E402

VAR = ROOT / "var" / "bench-pages"
BIN = Path(os.environ.get("BIN", ROOT / ".venv" / "bin"))
PORT = int(os.environ.get("BENCH_PAGES_PORT", "8200"))
ROUNDS = int(os.environ.get("BENCH_PAGES_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS", "3"))
WORKERS = 2
CONNECTIONS = (1, 8)
WRK = shutil.which("wrk")
SETTLE_PATH = "/static/img/favicon.svg"
# An address of the range reserved for benchmarks (RFC 2544), as nginx would set it.
CLIENT_IP = "198.18.0.1"


def refuse(message: str) -> SystemExit:
    return SystemExit(f"make bench-pages: {message}")


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def check_environment() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not re.match(r"^postgres(ql)?://", url):
        raise refuse(
            "DATABASE_URL must name a PostgreSQL database of the benchmark's own, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/trackii_bench_pages (it builds its "
            "data there and measures on the production database engine)."
        )
    name = database_name(url)
    if name in ("", "trackii") or name.startswith("test_"):
        raise refuse(
            f"will not build the benchmark's data in the database '{name}': give the benchmark "
            "a database of its own (e.g. .../trackii_bench_pages)."
        )
    if not re.match(r"^rediss?://", os.environ.get("REDIS_URL", "")):
        raise refuse(
            "REDIS_URL must name a Redis database, e.g. REDIS_URL=redis://127.0.0.1:6379/9 "
            "(the cache and the sessions, as in production)."
        )
    if WRK is None:
        raise refuse(
            "wrk is not installed: `make bench-pages` installs it as root (system-packages.txt, "
            "bench part); otherwise apt-get install wrk."
        )


def environment() -> None:
    """The server's settings, as ``loadtest/run.sh`` sets them, shared with gunicorn."""
    VAR.mkdir(parents=True, exist_ok=True)
    key = VAR / "secret_key"
    if not key.exists():
        key.write_text(secrets.token_urlsafe(64))
        key.chmod(0o600)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings_pages",
        SECRET_KEY=key.read_text().strip(),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(VAR / "static"),
        PRIVATE_STORAGE_ROOT=str(VAR / "private"),
        TRACKII_BASE_URL=f"http://127.0.0.1:{PORT}",
        EMAIL_URL=os.environ.get("EMAIL_URL", "consolemail://"),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )


def create_database() -> None:
    import environ
    import psycopg

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    params = {key.lower(): config.get(key) or None for key in ("HOST", "PORT", "USER", "PASSWORD")}
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **params) as c:
            name = config["NAME"]
            if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return
            c.execute(f'CREATE DATABASE "{name}"')
            print(f"Created the database {name}.")
    except psycopg.OperationalError as error:
        raise refuse(f"cannot reach PostgreSQL at DATABASE_URL: {error}") from error


@dataclass
class Page:
    """One page to measure: ours or the reference, its path and its reader's cookie."""

    label: str
    path: str
    cookie: str


@dataclass
class Case:
    """A page at one size, ours and the reference, at some numbers of connections."""

    name: str
    ours: Page
    reference: Page
    connections: tuple[int, ...] = (1,)
    runs: dict[tuple[str, int], list[figures.WrkRun]] = field(default_factory=dict)

    def median(self, side: str, connections: int, what: str) -> float:
        return figures.median([getattr(r, what) for r in self.runs[(side, connections)]])


def prepare() -> dict[str, Case]:
    """Migrate, collect the static files, build the data, sign the readers in: the cases."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from bench.pages_data import pages_data
    from dialogues.models import Dialogue
    from participants.models import User

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    foreign = Dialogue.objects.exclude(title__startswith="Page benchmark")
    if foreign.exists():
        raise refuse(
            "the database holds dialogues that are not the benchmark's: give it a database of "
            "its own (it is written to on every request: sessions, the audit trail)."
        )
    call_command("collectstatic", verbosity=0, interactive=False)
    data = pages_data()
    print(f"   ready in {time.monotonic() - started:.0f} s")

    def cookie(email: str) -> str:
        client = Client()
        client.force_login(User.objects.get(email=email))
        return (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    reader = cookie(data.session_reader)
    cases = {}
    for items in SESSION_ITEMS:
        args = [data.dialogue_id, data.sessions[items]]
        cases[f"session {items}"] = Case(
            name=f"session page, {items} items",
            ours=Page("ours", reverse("dialogues:session_detail", args=args), reader),
            reference=Page("reference", reverse("reference_session", args=args), reader),
            connections=CONNECTIONS if items == 40 else (1,),
        )
    for dialogues in HOME_DIALOGUES:
        home_reader = cookie(data.home_readers[dialogues])
        cases[f"home {dialogues}"] = Case(
            name=f"home page, {dialogues} dialogues",
            ours=Page("ours", reverse("home"), home_reader),
            reference=Page("reference", reverse("reference_home"), home_reader),
            connections=CONNECTIONS if dialogues == max(HOME_DIALOGUES) else (1,),
        )
    return cases


def fetch(page: Page) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    try:
        connection.request(
            "GET", page.path, headers={"Cookie": page.cookie, "X-Real-IP": CLIENT_IP}
        )
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def shape(body: bytes) -> dict[str, int]:
    """What a page lists, counted in its HTML: agenda items, papers (their download links),
    dialogue cards, upcoming sessions."""
    return {
        "agenda items": body.count(b'class="agenda__item"'),
        "papers": len(re.findall(rb'href="/dialogues/\d+/documents/\d+/download/"', body)),
        "dialogues": body.count(b'class="card"'),
        "session links": len(re.findall(rb'href="/dialogues/\d+/sessions/\d+/"', body)),
    }


def check_pages(cases: dict[str, Case]) -> bool:
    """Every page answers 200 with its reader; each reference is the same shape and within
    ``SIZE_TOLERANCE`` of ours in bytes. Prints the sizes."""
    fine = True
    print(f"{'page':<28} {'ours B':>8} {'ref. B':>8} {'diff':>7}  same rows")
    for case in cases.values():
        (status, ours), (ref_status, reference) = fetch(case.ours), fetch(case.reference)
        if (status, ref_status) != (200, 200):
            print(f"{case.name:<28} answered {status} (ours), {ref_status} (reference)")
            fine = False
            continue
        stem = case.name.replace(",", "").replace(" ", "-")
        (VAR / f"{stem}-ours.html").write_bytes(ours)
        (VAR / f"{stem}-reference.html").write_bytes(reference)
        difference = figures.size_difference(len(ours), len(reference))
        rows = shape(ours) == shape(reference)
        size_ok = figures.same_size(len(ours), len(reference))
        verdict = "" if size_ok else f"  OUTSIDE {figures.SIZE_TOLERANCE:.0%}"
        print(
            f"{case.name:<28} {len(ours):>8} {len(reference):>8} {difference:>+7.1%}  "
            f"{'yes' if rows else 'NO: ' + str((shape(ours), shape(reference)))}{verdict}"
        )
        fine = fine and size_ok and rows
    return fine


def wrk(page: Page, connections: int, seconds: float) -> figures.WrkRun:
    result = subprocess.run(  # noqa: S603 (wrk, with arguments built here)
        [
            WRK,
            "-t1",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--latency",
            "--timeout",
            "30s",
            "-H",
            f"Cookie: {page.cookie}",
            "-H",
            f"X-Real-IP: {CLIENT_IP}",
            f"http://127.0.0.1:{PORT}{page.path}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    with (VAR / "wrk.log").open("a") as log:
        log.write(f"== {page.label} {page.path} -c{connections}\n{result.stdout}{result.stderr}")
    settle()
    return figures.parse_wrk(result.stdout)


def settle() -> None:
    """Wait until the workers have answered what wrk left queued: it stops with requests in
    flight, which gunicorn's sync workers still serve, and the next run would wait for them.
    One small static file per worker at once, answered only once each worker is free."""
    threads = [
        threading.Thread(target=fetch, args=(Page("static", SETTLE_PATH, ""),))
        for _ in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure(cases: dict[str, Case]) -> int:
    """The interleaved rounds; returns how many requests failed or answered other than 2xx/3xx."""
    bad = 0
    (VAR / "wrk.log").unlink(missing_ok=True)
    for case in cases.values():  # warm each worker's caches and connections
        for page in (case.reference, case.ours):
            bad += wrk(page, 2, 1).bad
    for number in range(1, ROUNDS + 1):
        started = time.monotonic()
        for case in cases.values():
            for connections in case.connections:
                for side, page in (("reference", case.reference), ("ours", case.ours)):
                    run = wrk(page, connections, SECONDS)
                    bad += run.bad
                    case.runs.setdefault((side, connections), []).append(run)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"   round {number} of {ROUNDS}: {time.monotonic() - started:.0f} s "
            f"(load average {load})",
            flush=True,
        )
    return bad


def shape_of(growth: figures.Growth) -> str:
    if any(math.isnan(cost) for cost in growth.costs_ms):
        return "NOT MEASURED: no request answered in a run"
    return "linear" if growth.linear else "GROWS FASTER"


def report(cases: dict[str, Case]) -> bool:
    print(
        f"\n{'page':<28} {'conn.':>5} {'ref. req/s':>10} {'ours req/s':>10} {'ratio':>6} "
        f"{'ref. p50 ms':>11} {'ours p50 ms':>11}"
    )
    for case in cases.values():
        for c in case.connections:
            ref_rate, our_rate = (
                case.median(side, c, "requests_per_second") for side in ("reference", "ours")
            )
            ref_p50, our_p50 = (case.median(side, c, "p50_ms") for side in ("reference", "ours"))
            print(
                f"{case.name:<28} {c:>5} {ref_rate:>10.1f} {our_rate:>10.1f} "
                f"{figures.ratio(our_rate, ref_rate):>6.2f} {ref_p50:>11.1f} {our_p50:>11.1f}"
            )

    def growth(prefix: str, sizes: tuple[int, ...], side: str, row: str) -> figures.Growth:
        costs = tuple(cases[f"{prefix} {n}"].median(side, 1, "p50_ms") for n in sizes)
        return figures.Growth(sizes, costs, figures.LINEAR_ALLOWANCE_MS[row])  # type: ignore[arg-type]

    verdicts = []
    session = cases["session 40"]
    rate = figures.ratio(
        session.median("ours", 8, "requests_per_second"),
        session.median("reference", 8, "requests_per_second"),
    )
    verdicts.append(
        (
            rate >= figures.MIN_RATIO,
            f"session page (40 items, 8 connections) at {rate:.2f}x the reference's "
            f"requests/s (target >= {figures.MIN_RATIO:g}x)",
        )
    )
    print("\nCost (p50 alone) as the data grows; what one more row costs, lower and upper range:")
    for prefix, sizes, row in (
        ("session", SESSION_ITEMS, "item"),
        ("home", HOME_DIALOGUES, "dialogue"),
    ):
        for side in ("reference", "ours"):
            g = growth(prefix, sizes, side, row)
            costs = " / ".join(f"{c:.1f}" for c in g.costs_ms)
            sizes_text = " / ".join(map(str, sizes))
            print(
                f"  {prefix:<8} {side:<9} {costs} ms at {sizes_text} {row}s; per {row}: "
                f"{g.lower:.3f} then {g.upper:.3f} ms ({shape_of(g)})"
            )
    items = growth("session", SESSION_ITEMS, "ours", "item")
    verdicts.append(
        (
            items.linear,
            f"session page cost linear in items and papers: {items.lower:.3f} ms per item "
            f"({SESSION_ITEMS[0]}-{SESSION_ITEMS[1]}), {items.upper:.3f} "
            f"({SESSION_ITEMS[1]}-{SESSION_ITEMS[2]}); target <= {figures.LINEAR_FACTOR:g}x "
            f"+ {figures.LINEAR_ALLOWANCE_MS['item']:g} ms",
        )
    )
    home = growth("home", HOME_DIALOGUES, "ours", "dialogue")
    home_ref = growth("home", HOME_DIALOGUES, "reference", "dialogue")
    verdicts.append(
        (
            home.linear,
            f"home page cost per dialogue flat: {home.lower:.2f} ms per dialogue "
            f"({HOME_DIALOGUES[0]}-{HOME_DIALOGUES[1]}), {home.upper:.2f} "
            f"({HOME_DIALOGUES[1]}-{HOME_DIALOGUES[2]}); target <= {figures.LINEAR_FACTOR:g}x "
            f"+ {figures.LINEAR_ALLOWANCE_MS['dialogue']:g} ms",
        )
    )
    per_dialogue = home.overall / max(home_ref.overall, figures.LINEAR_ALLOWANCE_MS["dialogue"])
    verdicts.append(
        (
            per_dialogue <= figures.MAX_PER_DIALOGUE_FACTOR,
            f"home page: one more dialogue costs {home.overall:.2f} ms, {per_dialogue:.1f}x the "
            f"reference's {home_ref.overall:.2f} ms "
            f"(target <= {figures.MAX_PER_DIALOGUE_FACTOR:g}x)",
        )
    )
    print("\nTargets:")
    for met, text in verdicts:
        print(f"  {'PASS' if met else 'FAIL'}  {text}")
    return all(met for met, _ in verdicts)


def serve() -> subprocess.Popen:
    if port_taken():
        raise refuse(f"port {PORT} is taken; set BENCH_PAGES_PORT to a free one.")
    log = (VAR / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603 (our gunicorn, with arguments built here)
        [
            str(BIN / "gunicorn"),
            "trackii.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            # Not the shared default socket in the home folder, which other servers may hold.
            "--no-control-socket",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
        if server.poll() is not None:
            break
    stop(server)
    raise refuse(f"gunicorn did not answer on port {PORT}: see {VAR / 'gunicorn.log'}")


def port_taken() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", PORT)) == 0


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> int:
    check_environment()
    environment()
    create_database()
    print(f"== Preparing the database {database_name(os.environ['DATABASE_URL'])} and static files")
    cases = prepare()
    print(f"== gunicorn ({WORKERS} workers, bench.settings_pages) on 127.0.0.1:{PORT}")
    server = serve()
    try:
        print("== The pages and their references (HTML body sizes)")
        if not check_pages(cases):
            print("The reference pages are not of the same shape as ours: no measurement.")
            return 2
        if ROUNDS == 0:
            return 0
        runs = sum(len(c.connections) * 2 for c in cases.values())
        print(
            f"== Measuring: {ROUNDS} rounds of {runs} wrk runs of {SECONDS:g} s "
            f"(reference then ours), {os.cpu_count()} cores, load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}",
            flush=True,
        )
        bad = measure(cases)
        met = report(cases)
        print(f"Failed or non-2xx/3xx answers: {bad}")
        return 0 if met and bad == 0 else 1
    finally:
        stop(server)


if __name__ == "__main__":
    sys.exit(main())
