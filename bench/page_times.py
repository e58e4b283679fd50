"""Single-request time of the pages facilitators and participants use most, in-process
(``make bench-page-times``; issue 16's before and after).

Loads the demo organisation (``DemoSeed``, as ``make run`` does) into a temporary SQLite
database on the test settings, then times, in this process through Django's test client (the
whole middleware stack, templates and the audit trail's writes included; no network):

- the Salt River Dialogue's page, as its convenor (``facilitator@``) and as a participant;
- the page of the session with the most agenda items, as the same two.

Each page is fetched ``WARMUP`` times untimed, then ``RUNS`` times; the script prints the best
and the median wall-clock time, the median CPU time of this process (less disturbed by other work
on the machine), in milliseconds, and the page's SQL queries and size. The second factor's check is
switched off for the run (what is timed is the page, not the sign-in). Used before and after
the redesign of issue 16 (``docs/measurements.md``, "Pages for people"). Nothing here needs
PostgreSQL, Redis or secrets; ``BENCH_DATABASE_URL`` picks another, empty, throw-away database.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WARMUP = 3
RUNS = 40


def configure() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="trackii-bench-pages-"))
    os.environ["DATABASE_URL"] = (
        os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch / 'bench.sqlite3'}"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "trackii.settings.test"
    os.environ["PRIVATE_STORAGE_ROOT"] = str(scratch / "private")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.TRACKII_REQUIRE_MFA = False
    settings.PRIVATE_STORAGE_ROOT = str(scratch / "private")
    try:
        call_command("migrate", verbosity=0, interactive=False)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return scratch


def measure(client, url: str) -> tuple[list[float], list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Counted now: every request starts by emptying the log the capture reads.
    queries, size = len(captured), len(response.content)
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return times, cpu, queries, size


def main() -> int:
    scratch = configure()
    try:
        from django.db.models import Count
        from django.test import Client
        from django.urls import reverse

        from dialogues.demo.seed import DemoSeed
        from dialogues.models import Dialogue, Session
        from participants.models import User

        DemoSeed().run(say=lambda *args, **kwargs: None)
        dialogue = Dialogue.objects.get(title="Salt River Dialogue")
        session = (
            Session.objects.filter(dialogue=dialogue, published_version__isnull=False)
            .annotate(items=Count("agenda_items"))
            .order_by("-items", "pk")
            .first()
        )
        pages = {
            "dialogue page": reverse("dialogues:dialogue_detail", args=[dialogue.pk]),
            "session page": reverse("dialogues:session_detail", args=[dialogue.pk, session.pk]),
        }
        print(f"Single-request time, {RUNS} runs after {WARMUP} warm-up (SQLite, test client)")
        print(
            f"{'page':<15} {'as':<13} {'best ms':>8} {'median ms':>10} {'CPU median':>11} "
            f"{'queries':>8} {'KiB':>6}"
        )
        for who in ("facilitator", "participant"):
            client = Client()
            client.force_login(User.objects.get(email=f"{who}@demo.trackii.org"))
            for name, url in pages.items():
                times, cpu, queries, size = measure(client, url)
                print(
                    f"{name:<15} {who:<13} {min(times):8.1f} {statistics.median(times):10.1f} "
                    f"{statistics.median(cpu):11.1f} {queries:8d} {size / 1024:6.0f}"
                )
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
