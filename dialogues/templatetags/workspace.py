"""Template tags of the workspace: the room at a glance, drawn as SVG on the server from the
roster the page already holds (no queries here), and whether a user may start a dialogue."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from ..workspace.selectors import Breakdown, can_start_dialogue, room_composition, room_warnings

register = template.Library()

# Geometry of one chart, in SVG user units; the stylesheet scales the whole picture.
WIDTH = 480
LABEL_WIDTH = 250
BAR_MAX = 190
ROW = 24
BAR_HEIGHT = 14
PADDING = 6


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    y: int  # top of the bar
    text_y: int  # baseline of the label and the count
    bar_width: int
    count_x: int


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    summary: str  # the numbers in words, for the SVG's title
    height: int
    rows: tuple[Row, ...]


def chart_of(breakdown: Breakdown) -> Chart:
    largest = max((c.count for c in breakdown.counts), default=0)
    rows = []
    for n, count in enumerate(breakdown.counts):
        top = PADDING + n * ROW
        width = round(count.count / largest * BAR_MAX) if largest else 0
        if count.count and width < 2:
            width = 2
        rows.append(
            Row(
                label=count.label,
                count=count.count,
                y=top,
                text_y=top + BAR_HEIGHT - 2,
                bar_width=width,
                count_x=LABEL_WIDTH + width + 6,
            )
        )
    summary = "; ".join(f"{c.label}: {c.count}" for c in breakdown.counts) or "nobody yet"
    return Chart(
        key=breakdown.key,
        title=breakdown.title,
        summary=summary,
        height=PADDING * 2 + max(len(rows), 1) * ROW,
        rows=tuple(rows),
    )


@register.inclusion_tag("dialogues/workspace/_composition.html")
def room_at_a_glance(dialogue, roster, sides):
    """``roster``: the list of memberships the dialogue page holds (person and side loaded);
    ``sides``: the dialogue's sides."""
    roster = list(roster or ())
    sides = list(sides)
    composition = room_composition(roster=roster, sides=sides)
    return {
        "dialogue": dialogue,
        "composition": composition,
        "warnings": room_warnings(dialogue=dialogue, roster=roster, sides=sides),
        "charts": [chart_of(b) for b in composition.breakdowns],
        "width": WIDTH,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "bar_max": BAR_MAX,
    }


@register.simple_tag(name="can_start_dialogue")
def can_start_dialogue_tag(user) -> bool:
    """``{% can_start_dialogue user as allowed %}``"""
    return can_start_dialogue(user)
