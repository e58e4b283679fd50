"""Phase 2 of the load test (``loadtest/phases.py``): which rates it tries and which it reports
as the highest that holds, given which ones hold. No load is generated here."""

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "loadtest_phases", Path(__file__).resolve().parents[2] / "loadtest" / "phases.py"
)
phases = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(phases)


def run(*, up: bool, holds_up_to: int) -> tuple[int, list[int]]:
    tried = []

    def step(rate: int) -> bool:
        tried.append(rate)
        return rate <= holds_up_to

    held = phases.search(step, 150, up=up, step_size=20, max_rate=300)
    return held, tried


@pytest.mark.parametrize(
    ("holds_up_to", "held", "tried"),
    [
        (235, 230, [170, 190, 210, 230, 250, 240]),
        (245, 240, [170, 190, 210, 230, 250, 240]),
        (160, 160, [170, 160]),
        (155, 150, [170, 160]),
        (1000, 290, [170, 190, 210, 230, 250, 270, 290]),
    ],
)
def test_up_from_the_target_when_it_held(holds_up_to, held, tried):
    assert run(up=True, holds_up_to=holds_up_to) == (held, tried)


@pytest.mark.parametrize(
    ("holds_up_to", "held", "tried"),
    [
        (80, 80, [130, 110, 90, 70, 80]),
        (75, 70, [130, 110, 90, 70, 80]),
        (140, 140, [130, 140]),
        (0, 0, [130, 110, 90, 70, 50, 30, 10]),
    ],
)
def test_down_from_the_target_when_it_missed(holds_up_to, held, tried):
    assert run(up=False, holds_up_to=holds_up_to) == (held, tried)
