"""Phase 2 of the load test (``loadtest/measure.py``): the search for the highest rate that
holds, apart from locust so that it can be tested without a load generator."""

from __future__ import annotations

from collections.abc import Callable


def search(
    step: Callable[[int], bool], target: int, *, up: bool, step_size: int, max_rate: int
) -> int:
    """The highest rate that holds, given phase 1's outcome at ``target``: up from the target in
    steps of ``step_size`` while each holds (up to ``max_rate``), or down from it until one
    holds; then once halfway between the last rate that held and the first that did not. 0 if
    none held. ``step(rate)`` measures a rate and says whether it held."""
    if up:
        held, rate = target, target + step_size
        while rate <= max_rate and step(rate):
            held, rate = rate, rate + step_size
        missed = rate if rate <= max_rate else None
    else:
        missed, rate = target, target - step_size
        while rate > 0 and not step(rate):
            missed, rate = rate, rate - step_size
        held = max(rate, 0)
    if missed is not None and held and missed - held > 1 and step((held + missed) // 2):
        held = (held + missed) // 2
    return held
