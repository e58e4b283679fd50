"""The audit trail's growth under the load test (``make loadtest`` runs this around the
measurement): every page that shows dialogue content writes entries (``trackii.audit.reads``), so
the trail grows with the traffic.

    --mark FILE     before measuring: the last entry's id and the access log's size, kept in FILE
    --report FILE   after: the read entries written since, by page, against the pages gunicorn
                    served meanwhile (its access log), and what that makes per hour at phase 1's
                    rate (LOADTEST_TARGET_RATE, 150 requests/s by default, the three pages in
                    equal shares); then what a calendar feed's fetch writes (one entry per
                    session it carries), measured on a sample of the scaled participants, and
                    per hour if every account's feed is fetched once an hour.

    DJANGO_SETTINGS_MODULE=trackii.settings.loadtest python loadtest/trail.py --report FILE
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACCESS_LOG = ROOT / "var" / "loadtest" / "access.log"
PHASE_1_RATE = int(os.environ.get("LOADTEST_TARGET_RATE", "150"))
# The load test's pages (loadtest/locustfile.py), by the page name the trail records.
PAGES = {
    "home": re.compile(r"^/$"),
    "dialogue_detail": re.compile(r"^/dialogues/\d+/$"),
    "session_detail": re.compile(r"^/dialogues/\d+/sessions/\d+/$"),
}
_REQUEST = re.compile(r'"GET (\S+) HTTP/[\d.]+" (\d{3}) ')
FEED_SAMPLE_EVERY = 10


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings.loadtest")
    import django

    django.setup()


def mark(path: Path) -> None:
    from trackii.audit.models import AuditEntry

    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    size = ACCESS_LOG.stat().st_size if ACCESS_LOG.exists() else 0
    path.write_text(json.dumps({"last_entry": last, "access_log_offset": size}))


def _served_since(offset: int) -> Counter:
    served: Counter = Counter()
    if not ACCESS_LOG.exists():
        return served
    with ACCESS_LOG.open("rb") as log:
        log.seek(offset)
        for line in log.read().decode("utf-8", errors="replace").splitlines():
            found = _REQUEST.search(line)
            if not found or found[2] != "200":
                continue
            for page, pattern in PAGES.items():
                if pattern.match(found[1]):
                    served[page] += 1
    return served


def _feed_rows() -> tuple[int, float, int]:
    """(accounts sampled, mean entries a feed fetch writes, accounts of the scaled demo)."""
    from dialogues.confidentiality import viewer_for_user, visible
    from dialogues.demo.demo_scale import SCALE_DOMAIN
    from dialogues.models import Session
    from participants.models import User

    accounts = list(
        User.objects.filter(email__endswith="@" + SCALE_DOMAIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sample = accounts[::FEED_SAMPLE_EVERY]
    carried = [
        visible(viewer_for_user(User(pk=pk, is_active=True)), Session).count() for pk in sample
    ]
    return len(sample), (sum(carried) / len(carried) if carried else 0.0), len(accounts)


def report(path: Path) -> None:
    from django.db.models import Count
    from django.db.models.fields.json import KeyTextTransform

    from trackii.audit.models import AuditEntry

    started = json.loads(path.read_text())
    written = AuditEntry.objects.filter(pk__gt=started["last_entry"])
    by_page = dict(
        written.filter(action__in=[AuditEntry.Action.VIEWED, AuditEntry.Action.DOWNLOADED])
        .annotate(page=KeyTextTransform("page", "detail"))
        .values_list("page")
        .annotate(n=Count("id"))
        .values_list("page", "n")
    )
    served = _served_since(started["access_log_offset"])
    print("\nThe audit trail during the run (trackii.audit.reads)")
    print(f"  entries written: {written.count()} (reads {sum(by_page.values())})")
    per_request = {}
    for page in PAGES:
        entries, requests = by_page.get(page, 0), served.get(page, 0)
        per_request[page] = entries / requests if requests else 0.0
        print(
            f"  {page:<15} {requests:>7} pages served, {entries:>7} entries, "
            f"{per_request[page]:.2f} per page"
        )
    others = {p: n for p, n in by_page.items() if p not in PAGES}
    if others:
        print(f"  other pages: {others}")
    mean = sum(per_request.values()) / len(per_request)
    hourly = PHASE_1_RATE * 3600 * mean
    print(
        f"  at {PHASE_1_RATE} requests/s (phase 1, a third of each page): "
        f"{mean:.2f} entries a request, {hourly:,.0f} entries an hour"
    )
    sampled, per_fetch, accounts = _feed_rows()
    print(
        f"  a calendar feed's fetch: {per_fetch:.1f} entries on average (one per session "
        f"carried; {sampled} of {accounts} scaled accounts sampled); each feed fetched hourly: "
        f"{per_fetch * accounts:,.0f} entries an hour"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--mark", type=Path)
    group.add_argument("--report", type=Path)
    args = parser.parse_args()
    _setup()
    if args.mark:
        mark(args.mark)
    else:
        report(args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
