"""Background work for the load test: a convenor of the scaled organisation requests a briefing
pack at a fixed interval, so that the Celery worker renders packs (WeasyPrint, CPU-bound) while
locust measures the pages. Runs until stopped (SIGTERM) or for ``--seconds``, and keeps a small
JSON status file up to date (requested, rendered, failed, render times), which the measuring
script prints.

The requests go through the service (``dialogues.briefing.services.pack_request``), as the
pack form's view does after its checks; not through the web form, because a convenor must sign
in with a second factor in production and this script is not a browser.

    DJANGO_SETTINGS_MODULE=trackii.settings.loadtest python loadtest/packs.py --status FILE
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SESSIONS_PER_PACK = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--status", type=Path, required=True, help="JSON status file to write")
    parser.add_argument(
        "--interval",
        type=float,
        default=float(os.environ.get("LOADTEST_PACK_INTERVAL", "10")),
        help="seconds between two pack requests (default 10)",
    )
    parser.add_argument("--seconds", type=float, default=3600, help="stop after this long")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings.loadtest")
    import django

    django.setup()

    from dialogues.briefing import services as briefing
    from dialogues.confidentiality import viewer_for_user
    from dialogues.demo.demo_scale import TITLE_PREFIX
    from dialogues.models import BriefingPackCopy, ConfidentialityLevel, Dialogue, Official
    from participants.models import Membership

    stopping = False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    # The recipients' clearance: the scale's level for the programme (by its audience, whatever
    # an administrator named it).
    programme = (
        ConfidentialityLevel.objects.filter(audience=ConfidentialityLevel.Audience.PROGRAMME)
        .order_by("rank")
        .first()
    )
    dialogues = list(Dialogue.objects.filter(title__startswith=TITLE_PREFIX).order_by("title")[:10])
    if not dialogues:
        print("packs: no scaled dialogue: run seed_demo --scale first", file=sys.stderr)
        return 1
    convenors = {
        m.dialogue_id: m.person.user
        for m in Membership.objects.filter(
            dialogue__in=dialogues, role=Membership.Role.CONVENOR
        ).select_related("person__user")
    }
    pack_ids: list[int] = []
    started = time.monotonic()
    n = 0

    def write_status() -> None:
        copies = list(
            BriefingPackCopy.objects.filter(pack_id__in=pack_ids).values(
                "state", "claimed_at", "rendered_at", "pages"
            )
        )
        ready = [c for c in copies if c["state"] == BriefingPackCopy.State.READY]
        seconds = sorted((c["rendered_at"] - c["claimed_at"]).total_seconds() for c in ready)
        status = {
            "interval": args.interval,
            "requested": len(copies),
            "ready": len(ready),
            "failed": sum(c["state"] == BriefingPackCopy.State.FAILED for c in copies),
            "waiting": sum(
                c["state"] in (BriefingPackCopy.State.QUEUED, BriefingPackCopy.State.RENDERING)
                for c in copies
            ),
            "render_seconds_mean": round(sum(seconds) / len(seconds), 2) if seconds else None,
            "render_seconds_max": round(seconds[-1], 2) if seconds else None,
            "pages_mean": round(sum(c["pages"] or 0 for c in ready) / len(ready), 1)
            if ready
            else None,
        }
        tmp = args.status.with_suffix(".tmp")
        tmp.write_text(json.dumps(status))
        tmp.replace(args.status)

    while not stopping and time.monotonic() - started < args.seconds:
        dialogue = dialogues[n % len(dialogues)]
        convenor = convenors[dialogue.pk]
        sessions = list(dialogue.sessions.order_by("start")[:SESSIONS_PER_PACK])
        pack = briefing.pack_request(
            dialogue=dialogue,
            viewer=viewer_for_user(convenor),
            requested_by=convenor,
            officials=[
                # Kept from an earlier run on the same database (an address is unique in its
                # dialogue): the same official receives another pack.
                Official.objects.get_or_create(
                    dialogue=dialogue,
                    email=f"official-{n + 1}@ministry.scale.demo.trackii.org",
                    defaults={
                        "name": f"Load test official {n + 1}",
                        "clearance": programme,
                        "position": "Envoy",
                        "institution": "Ministry of Foreign Affairs (fictional)",
                    },
                )[0]
            ],
            sessions=sessions,
            note="Load test: rendered while the pages are measured.",
        )
        pack_ids.append(pack.pk)
        n += 1
        write_status()
        deadline = time.monotonic() + args.interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.2)
    write_status()
    return 0


if __name__ == "__main__":
    sys.exit(main())
