"""The load test's measurements, with locust as a library (``make loadtest`` runs this once
gunicorn and the Celery worker are up; see ``loadtest/run.sh``).

Phase 1: signed-in participants (``locustfile.Participant``) ask for their home page, a dialogue
page and a session's agenda page at 20 requests/s in all (``constant_throughput``: one request a
second per user, 20 users) for 60 s. Phase 2: the rate goes up in steps of 10 (20 s each) until
p95 exceeds 150 ms, a request fails or the rate is not reached, then one step of 5 between the
last rate that held and the first that did not: the highest rate that held is printed. If phase 1
missed, phase 2 goes down instead (10, 5, 2 requests/s) to the first rate that holds.

Sign-ins, and the few seconds after users join, are not measured. Latencies are the exact times
locust took for each request (not its rounded histogram); percentiles are nearest-rank. An error
is a request with no HTTP answer (refused, reset, timed out) or a failed sign-in; a non-2xx is an
answer outside 200-299, redirects included (they are not followed). The last line is
``errors: N`` (errors and non-2xx answers of the whole run). Exits 1 if phase 1 misses a target:
0 errors, 0 non-2xx, p95 <= 150 ms, at 20 requests/s (at least 95 % of it reached).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import gevent
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))
import locustfile

TARGET_RATE = 20
TARGET_P95_MS = 150.0
PHASE_1_SECONDS = float(os.environ.get("LOADTEST_PHASE1_SECONDS", "60"))
STEP_SECONDS = float(os.environ.get("LOADTEST_STEP_SECONDS", "20"))
STEP = 10
# When phase 1 misses, phase 2 looks for a rate that holds below it.
DOWN_RATES = (10, 5, 2)
MAX_RATE = int(os.environ.get("LOADTEST_MAX_RATE", "200"))
# After users join: their sign-ins, then this long before measuring.
SETTLE_SECONDS = 5
SIGN_IN_TIMEOUT = 120


def nearest_rank(ordered: list[float], q: float) -> float:
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Figures:
    label: str
    target_rate: float
    seconds: float
    requests: int
    rate: float
    p50: float
    p95: float
    p99: float
    errors: int
    non_2xx: int
    pages: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def held(self) -> bool:
        return (
            self.errors == 0
            and self.non_2xx == 0
            and self.p95 <= TARGET_P95_MS
            and self.rate >= 0.95 * self.target_rate
        )


class Recorder:
    """Keeps every measured request's time and outcome while ``measuring`` is on; counts
    failures (sign-ins included) all the time."""

    def __init__(self) -> None:
        self.measuring = False
        self.times: dict[str, list[float]] = {}
        self.errors = 0
        self.non_2xx = 0
        self.total_errors = 0
        self.total_non_2xx = 0
        self.statuses: dict[int, int] = {}

    def on_request(self, *, name, response_time, response=None, exception=None, **_kwargs):
        status = getattr(response, "status_code", None) or 0
        no_answer = status == 0
        if name == locustfile.SIGN_IN:
            if exception is not None:
                self.total_errors += 1
            return
        self.total_errors += no_answer
        self.total_non_2xx += not no_answer and not 200 <= status < 300
        if not self.measuring:
            return
        if no_answer:
            self.errors += 1
        elif not 200 <= status < 300:
            self.non_2xx += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
        self.times.setdefault(name, []).append(response_time)

    def start(self) -> float:
        self.times = {}
        self.errors = self.non_2xx = 0
        self.statuses = {}
        self.measuring = True
        return time.monotonic()

    def stop(self, label: str, target_rate: float, started: float) -> Figures:
        self.measuring = False
        seconds = time.monotonic() - started
        every = sorted(t for times in self.times.values() for t in times)
        pages = {}
        for name in locustfile.PAGES:
            ordered = sorted(self.times.get(name, []))
            pages[name] = tuple(round(nearest_rank(ordered, q), 1) for q in (0.5, 0.95, 0.99))
        return Figures(
            label=label,
            target_rate=target_rate,
            seconds=round(seconds, 1),
            requests=len(every) + self.errors,
            rate=round((len(every) + self.errors) / seconds, 1),
            p50=round(nearest_rank(every, 0.5), 1),
            p95=round(nearest_rank(every, 0.95), 1),
            p99=round(nearest_rank(every, 0.99), 1),
            errors=self.errors,
            non_2xx=self.non_2xx,
            pages=pages,
            statuses=dict(self.statuses),
        )


class Load:
    def __init__(self, host: str) -> None:
        self.env = Environment(user_classes=[locustfile.Participant], host=host)
        self.recorder = Recorder()
        self.env.events.request.add_listener(self.recorder.on_request)
        self.runner = self.env.create_local_runner()

    def users_for(self, rate: float) -> int:
        return max(1, round(rate / locustfile.PER_USER_RATE))

    def run_at(self, rate: float, seconds: float, label: str) -> Figures:
        users = self.users_for(rate)
        self.runner.start(users, spawn_rate=min(users, 50))
        deadline = time.monotonic() + SIGN_IN_TIMEOUT
        signed = locustfile.signed
        while signed["in"] + signed["failed"] < users and time.monotonic() < deadline:
            gevent.sleep(0.2)
        if signed["in"] < users:
            print(f"  only {signed['in']} of {users} users signed in", flush=True)
        gevent.sleep(SETTLE_SECONDS)
        started = self.recorder.start()
        gevent.sleep(seconds)
        return self.recorder.stop(label, rate, started)

    def quit(self) -> None:
        self.runner.quit()


def row(f: Figures) -> str:
    return (
        f"{f.label:<16} {f.target_rate:>6g} {f.rate:>7.1f} {f.requests:>8} {f.p50:>7.1f} "
        f"{f.p95:>7.1f} {f.p99:>7.1f} {f.errors:>6} {f.non_2xx:>7}"
    )


HEADER = (
    f"{'phase':<16} {'target':>6} {'req/s':>7} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} "
    f"{'p99 ms':>7} {'errors':>6} {'non-2xx':>7}"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="http://127.0.0.1:8100")
    parser.add_argument("--packs-status", type=Path, help="status file of loadtest/packs.py")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()

    load = Load(args.host)
    print(f"Phase 1: {TARGET_RATE} requests/s for {PHASE_1_SECONDS:g} s", flush=True)
    phase_1 = load.run_at(TARGET_RATE, PHASE_1_SECONDS, f"1 ({PHASE_1_SECONDS:g} s)")
    print(HEADER + "\n" + row(phase_1), flush=True)

    steps: list[Figures] = []

    def step(rate: int) -> bool:
        figures = load.run_at(rate, STEP_SECONDS, f"2 at {rate}")
        steps.append(figures)
        print(row(figures), flush=True)
        return figures.held

    held = 0
    if phase_1.held:
        # Up from the target in steps of 10 until one misses, then once halfway back.
        held, rate = TARGET_RATE, TARGET_RATE + STEP
        print(f"Phase 2: up from {rate} requests/s, {STEP_SECONDS:g} s a step", flush=True)
        while rate <= MAX_RATE and step(rate):
            held, rate = rate, rate + STEP
        if rate <= MAX_RATE and step(held + STEP // 2):
            held += STEP // 2
    else:
        # Down from half the target until a rate holds.
        rates = [r for r in DOWN_RATES if r <= MAX_RATE]
        print(f"Phase 2: down through {rates} requests/s, {STEP_SECONDS:g} s a step", flush=True)
        for rate in rates:
            if step(rate):
                held = rate
                break
    load.quit()

    packs = {}
    if args.packs_status and args.packs_status.exists():
        packs = json.loads(args.packs_status.read_text())
    errors = load.recorder.total_errors + load.recorder.total_non_2xx

    print("\nLoad test results (gunicorn 3 workers, Celery worker rendering packs, locust here)")
    cores, loadavg = os.cpu_count(), " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Machine: {cores} cores; load average at the end {loadavg} (other work skews it all)")
    print(HEADER)
    for figures in [phase_1, *steps]:
        print(row(figures))
    print("Phase 1 by page, p50 / p95 / p99 ms:")
    for name, (p50, p95, p99) in phase_1.pages.items():
        print(f"  {name:<9} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f}")
    if phase_1.statuses:
        print(f"  non-2xx answers by status: {phase_1.statuses}")
    verdict = "met" if phase_1.held else "MISSED"
    print(
        f"Phase 1 targets (0 errors, 0 non-2xx, p95 <= {TARGET_P95_MS:g} ms at "
        f"{TARGET_RATE} requests/s): {verdict}"
    )
    if held:
        print(f"Phase 2: highest rate holding p95 <= {TARGET_P95_MS:g} ms: {held} requests/s")
    else:
        print(f"Phase 2: no rate tried held p95 <= {TARGET_P95_MS:g} ms")
    if packs:
        print(
            f"Briefing packs during the test: {packs['requested']} requested (one every "
            f"{packs['interval']:g} s), {packs['ready']} rendered, {packs['failed']} failed, "
            f"{packs['waiting']} waiting; {packs['render_seconds_mean']} s a pack on average "
            f"(max {packs['render_seconds_max']} s, {packs['pages_mean']} pages)"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "phase_1": asdict(phase_1),
                    "phase_2": [asdict(f) for f in steps],
                    "highest_rate_held": held,
                    "packs": packs,
                    "cores": cores,
                    "load_average_end": os.getloadavg(),
                    "errors": errors,
                },
                indent=2,
            )
        )
    print(f"errors: {errors}")
    return 0 if phase_1.held else 1


if __name__ == "__main__":
    sys.exit(main())
