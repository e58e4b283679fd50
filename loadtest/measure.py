"""The load test's measurements, with locust as a library (``make loadtest`` runs this once
gunicorn and the Celery worker are up; see ``loadtest/run.sh``).

Phase 1: signed-in participants (``locustfile.Participant``) ask for their home page, a dialogue
page and a session's agenda page at the target rate (``LOADTEST_TARGET_RATE``, 150 requests/s
by default: twice what the code of issue 20 held; ``constant_throughput``, one request a second
per user) for ``LOADTEST_PHASE1_SECONDS`` (60 s). Phase 2 looks for the highest rate that holds:
if phase 1 held, up from the target in steps of ``LOADTEST_STEP`` (20 requests/s, 20 s each) up
to ``LOADTEST_MAX_RATE`` (300), until one misses (p95 over 150 ms, a request failed or the rate
not reached); if it missed, down from the target in the same steps until one holds. Then one
step halfway between the last rate that held and the first that did not: the highest rate that
held is printed.

Sign-ins, and the few seconds after users join, are not measured. Latencies are the exact times
locust took for each request (not its rounded histogram); percentiles are nearest-rank. An error
is a request with no HTTP answer (refused, reset, timed out) or a sign-in that failed three times
(users join ``SPAWN_RATE`` a second; one whose sign-in timed out tries again); a non-2xx is an
answer outside 200-299, redirects included (they are not followed). Each window also records the
CPU the load generator itself used (this process, in % of one core) and the machine's (all cores,
in % of all), and the load average: locust runs on the server's machine, and a generator short
of CPU would measure its own delays. A window in which locust used more than
``GENERATOR_LIMIT`` % of its core is marked: its figures say more about the generator than about
the server. The last line is ``errors: N`` (errors and non-2xx answers of the whole run). Exits 1
if phase 1 misses a target: 0 errors, 0 non-2xx, p95 <= 150 ms, at the target rate (at least 95 %
of it reached), the generator not saturated.
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
from phases import search

TARGET_RATE = int(os.environ.get("LOADTEST_TARGET_RATE", "150"))
TARGET_P95_MS = 150.0
PHASE_1_SECONDS = float(os.environ.get("LOADTEST_PHASE1_SECONDS", "60"))
STEP_SECONDS = float(os.environ.get("LOADTEST_STEP_SECONDS", "20"))
STEP = int(os.environ.get("LOADTEST_STEP", "20"))
MAX_RATE = int(os.environ.get("LOADTEST_MAX_RATE", "300"))
# Above this share of one core, the generator (locust is one process) is what limits.
GENERATOR_LIMIT = 85.0
# After users join: their sign-ins, then this long before measuring.
SETTLE_SECONDS = 5
SIGN_IN_TIMEOUT = 300
# Users joining a second: each signs in on arrival (Argon2, slow on purpose).
SPAWN_RATE = 20


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
    generator_cpu: float = 0.0  # % of one core
    machine_cpu: float = 0.0  # % of all cores
    load_average: float = 0.0  # over the last minute, at the end
    pages: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def generator_bound(self) -> bool:
        return self.generator_cpu > GENERATOR_LIMIT

    @property
    def held(self) -> bool:
        return (
            self.errors == 0
            and self.non_2xx == 0
            and self.p95 <= TARGET_P95_MS
            and self.rate >= 0.95 * self.target_rate
            and not self.generator_bound
        )


@dataclass(frozen=True)
class Clocks:
    """Wall time, this process's CPU time, and the machine's CPU times (/proc/stat: busy and
    idle jiffies of all cores together) at one moment."""

    wall: float
    process: float
    busy: int
    idle: int

    @classmethod
    def now(cls) -> Clocks:
        times = os.times()
        busy = idle = 0
        try:
            with open("/proc/stat") as stat:
                fields = [int(x) for x in stat.readline().split()[1:]]
            idle = fields[3] + fields[4]  # idle, iowait
            busy = sum(fields[:8]) - idle  # user, nice, system, irq, softirq, steal
        except (OSError, ValueError, IndexError):
            pass  # not Linux: the machine's share is reported as 0
        return cls(time.monotonic(), times.user + times.system, busy, idle)

    def machine_busy_until(self, later: Clocks) -> float:
        busy, idle = later.busy - self.busy, later.idle - self.idle
        return 100 * busy / (busy + idle) if busy + idle else 0.0


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
            # A sign-in that failed after its retries (its requests that timed out and were
            # tried again are counted apart, locustfile.signed["retried"]).
            if isinstance(exception, locustfile.SignInFailed):
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

    def start(self) -> Clocks:
        self.times = {}
        self.errors = self.non_2xx = 0
        self.statuses = {}
        self.measuring = True
        return Clocks.now()

    def stop(self, label: str, target_rate: float, started: Clocks) -> Figures:
        self.measuring = False
        ended = Clocks.now()
        seconds = ended.wall - started.wall
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
            generator_cpu=round(100 * (ended.process - started.process) / seconds, 1),
            machine_cpu=round(started.machine_busy_until(ended), 1),
            load_average=round(os.getloadavg()[0], 1),
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
        # Only the users who join now sign in (a step down stops some, a step up adds some).
        signed = locustfile.signed
        signed_before, done_before = signed["in"], signed["in"] + signed["failed"]
        joining = max(0, users - self.runner.user_count)
        self.runner.start(users, spawn_rate=min(users, SPAWN_RATE))
        deadline = time.monotonic() + SIGN_IN_TIMEOUT
        while signed["in"] + signed["failed"] < done_before + joining:
            if time.monotonic() > deadline:
                break
            gevent.sleep(0.2)
        if signed["in"] - signed_before < joining:
            print(
                f"  only {signed['in'] - signed_before} of the {joining} users joining signed in",
                flush=True,
            )
        gevent.sleep(SETTLE_SECONDS)
        started = self.recorder.start()
        gevent.sleep(seconds)
        return self.recorder.stop(label, rate, started)

    def quit(self) -> None:
        self.runner.quit()


def row(f: Figures) -> str:
    return (
        f"{f.label:<16} {f.target_rate:>6g} {f.rate:>7.1f} {f.requests:>8} {f.p50:>7.1f} "
        f"{f.p95:>7.1f} {f.p99:>7.1f} {f.errors:>6} {f.non_2xx:>7} {f.generator_cpu:>7.0f} "
        f"{f.machine_cpu:>7.0f} {f.load_average:>5.1f}"
        + ("  generator-bound" if f.generator_bound else "")
    )


HEADER = (
    f"{'phase':<16} {'target':>6} {'req/s':>7} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} "
    f"{'p99 ms':>7} {'errors':>6} {'non-2xx':>7} {'locust%':>7} {'CPU%':>7} {'load':>5}"
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

    direction = "up" if phase_1.held else "down"
    print(
        f"Phase 2: {direction} from {TARGET_RATE} requests/s in steps of {STEP}, "
        f"{STEP_SECONDS:g} s a step",
        flush=True,
    )
    held = search(step, TARGET_RATE, up=phase_1.held, step_size=STEP, max_rate=MAX_RATE)
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
    # Packs rendered meanwhile (run.sh requests them): at least one, none failed.
    packs_ok = not args.packs_status or (bool(packs) and packs["ready"] > 0 and not packs["failed"])
    if args.packs_status and not packs:
        print(f"No briefing pack was requested: see {args.packs_status.with_suffix('.log')}")
    met = phase_1.held and packs_ok
    print(
        f"Phase 1 targets (0 errors, 0 non-2xx, p95 <= {TARGET_P95_MS:g} ms at "
        f"{TARGET_RATE} requests/s, the generator under {GENERATOR_LIMIT:g} % of its core, "
        f"packs rendered and none failed): {'met' if met else 'MISSED'}"
    )
    if phase_1.generator_bound:
        print(
            f"  locust used {phase_1.generator_cpu:g} % of its core: the generator limited the "
            "run (LOADTEST_PER_USER_RATE, or a quieter machine)"
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
                    "target_rate": TARGET_RATE,
                    "met": met,
                    "highest_rate_held": held,
                    "packs": packs,
                    "cores": cores,
                    "load_average_end": os.getloadavg(),
                    "errors": errors,
                },
                indent=2,
            )
        )
    if locustfile.signed["retried"]:
        print(f"Sign-ins tried again after timing out: {locustfile.signed['retried']}")
    print(f"errors: {errors}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
