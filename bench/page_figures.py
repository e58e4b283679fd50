"""The page benchmark's arithmetic (``bench/pages.py``), apart so that it can be tested: reading
wrk's report, the body-size check, the ratio to the reference, and the growth of a page's cost.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass

# A reference page is of the same shape only if its HTML body is this close to ours in bytes.
SIZE_TOLERANCE = 0.10
# Targets: the session page's throughput against the reference's (8 connections).
MIN_RATIO = 0.5
# Cost linear in the data: the per-row cost further up the range may exceed the per-row cost
# lower down by this factor, plus an allowance for noise in ms per row (a cost that does not grow
# at all compares noise with noise).
LINEAR_FACTOR = 1.35
LINEAR_ALLOWANCE_MS = {"item": 0.02, "dialogue": 0.1}
# The home page's cost of one more dialogue against the reference's (flat: what a dialogue's
# card costs, not a cost that grows with the reader's other memberships).
MAX_PER_DIALOGUE_FACTOR = 2.0

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True)
class WrkRun:
    requests_per_second: float
    p50_ms: float
    requests: int
    bad: int  # answers outside 2xx-3xx, and socket errors


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse_wrk(report: str) -> WrkRun:
    """The figures of one ``wrk --latency`` run."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", report, re.MULTILINE)
    median = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m|h)\s*$", report, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in ", report, re.MULTILINE)
    if rate is None or median is None or total is None:
        raise ValueError(f"not a wrk --latency report:\n{report}")
    bad = re.search(r"^\s+Non-2xx or 3xx responses: (\d+)", report, re.MULTILINE)
    sockets = re.search(
        r"^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
        report,
        re.MULTILINE,
    )
    requests = int(total[1])
    return WrkRun(
        requests_per_second=float(rate[1]),
        # wrk reports a median of 0 when no request completed: none was measured.
        p50_ms=_ms(median[1], median[2]) if requests else math.nan,
        requests=requests,
        bad=(int(bad[1]) if bad else 0) + (sum(map(int, sockets.groups())) if sockets else 0),
    )


def size_difference(ours: int, reference: int) -> float:
    """How far the reference's body is from ours, as a fraction of ours (signed)."""
    return (reference - ours) / ours


def same_size(ours: int, reference: int) -> bool:
    return abs(size_difference(ours, reference)) <= SIZE_TOLERANCE


def ratio(ours: float, reference: float) -> float:
    """Ours against the reference (throughputs: above 1, ours serves more); NaN when the
    reference measured nothing."""
    return ours / reference if reference > 0 else math.nan


def median(values: list[float]) -> float:
    """The median of the values measured (NaN, nothing measured, left out); NaN if none."""
    measured = [v for v in values if not math.isnan(v)]
    return statistics.median(measured) if measured else math.nan


@dataclass(frozen=True)
class Growth:
    """A page's cost at three sizes of its data (rows: items, dialogues) and what one more row
    costs in the lower and the upper part of the range."""

    sizes: tuple[int, int, int]
    costs_ms: tuple[float, float, float]
    allowance_ms: float

    @property
    def lower(self) -> float:
        (a, b, _), (ca, cb, _) = self.sizes, self.costs_ms
        return (cb - ca) / (b - a)

    @property
    def upper(self) -> float:
        (_, b, c), (_, cb, cc) = self.sizes, self.costs_ms
        return (cc - cb) / (c - b)

    @property
    def overall(self) -> float:
        (a, _, c), (ca, _, cc) = self.sizes, self.costs_ms
        return (cc - ca) / (c - a)

    @property
    def linear(self) -> bool:
        """One more row costs no more at the top of the range than at the bottom (within
        ``LINEAR_FACTOR`` and the allowance for noise)."""
        # False when a cost is NaN (nothing measured): comparisons with NaN are false.
        return self.upper <= LINEAR_FACTOR * max(self.lower, 0.0) + self.allowance_ms
