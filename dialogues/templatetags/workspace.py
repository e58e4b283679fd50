"""Template tags of the workspace: the dialogue's tabs (only those the viewer may use), the room
at a glance (one picture, drawn as SVG on the server, with its numbers as a table for screen
readers), and whether a user may start a dialogue."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..confidentiality import can_plan, viewer_of
from ..workspace.selectors import (
    Breakdown,
    can_start_dialogue,
    room_composition,
    room_warnings,
    roster_for_the_room,
)

register = template.Library()


# -- the tabs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class DialogueTabs:
    tabs: tuple[Tab, ...]
    plans: bool  # the convening team: its panel follows the tabs


# key, label, URL name, who may use it ("all", "team").
TABS = (
    ("overview", gettext_lazy("Overview"), "dialogue_detail", "all"),
    ("sessions", gettext_lazy("Sessions"), "sessions", "all"),
    ("roster", gettext_lazy("Roster"), "roster", "team"),
    ("papers", gettext_lazy("Papers"), "documents", "all"),
    ("outcomes", gettext_lazy("Outcomes"), "outcomes", "all"),
    ("ideas", gettext_lazy("Ideas"), "ideas", "all"),
    ("nonpapers", gettext_lazy("Non-papers"), "non_papers", "all"),
    ("path", gettext_lazy("Path"), "path", "all"),
    ("packs", gettext_lazy("Packs"), "pack_list", "team"),
    ("officials", gettext_lazy("Officials"), "official_list", "team"),
    ("changes", gettext_lazy("Changes"), "changes", "team"),
    ("reports", gettext_lazy("Reports"), "funder_reports", "team"),
)


@register.simple_tag(takes_context=True)
def dialogue_tabs(context, dialogue, current: str) -> DialogueTabs:
    """``{% dialogue_tabs dialogue "roster" as workspace %}``: the tabs this viewer may use. The
    roster, the packs, the officials, the observed changes and the reports for funders are the
    convening team's; every other tab is every member's (the Outcomes tab says so when there is
    nothing they may read yet: asking first would cost the page a query through the
    confidentiality module, about 4 ms, on every tab)."""
    viewer = viewer_of(context["request"])
    plans = can_plan(viewer, dialogue.pk)

    def may(who: str) -> bool:
        return plans if who == "team" else True

    tabs = tuple(
        Tab(key, str(label), reverse(f"dialogues:{name}", args=[dialogue.pk]), key == current)
        for key, label, name, who in TABS
        if may(who)
    )
    return DialogueTabs(tabs=tabs, plans=plans)


# -- the room at a glance -------------------------------------------------------------------------
# One picture: a stacked bar per dimension (side, gender, proximity to power, role), its parts
# named in a legend beneath it, in SVG user units; the stylesheet scales the whole picture.

WIDTH = 360  # about a phone's width: its text stays legible there
TITLE_SIZE = 13
LEGEND_SIZE = 12
BAR_HEIGHT = 16
SWATCH = 10
CHAR_WIDTH = 0.62  # of the font size: a generous average for a sans-serif
LABEL_CHARS = 44  # a whole line of the legend: longer names are cut (the table has them whole)
FILLS = 6  # colours of the parts, cycled (the stylesheet's room__part--0 .. 5)


@dataclass(frozen=True)
class Part:
    name: str  # the category's name (the table's)
    label: str  # as the picture shows it (a long name cut)
    count: int
    fill: int
    x: int  # of the bar's part
    width: int
    legend_x: int  # of its swatch
    legend_y: int  # baseline of the legend's text

    @property
    def text_x(self) -> int:
        return self.legend_x + SWATCH + 4

    @property
    def swatch_y(self) -> int:
        return self.legend_y - SWATCH


@dataclass(frozen=True)
class Strip:
    key: str
    title: str
    total: int
    title_y: int
    bar_y: int
    parts: tuple[Part, ...]

    @property
    def empty_y(self) -> int:
        """Baseline of "Nobody yet", where the legend would be."""
        return self.bar_y + BAR_HEIGHT + 6 + LEGEND_SIZE


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "\u2026"


def strip_of(breakdown: Breakdown, top: int) -> tuple[Strip, int]:
    """One dimension drawn from ``top``: its title, its bar (a part per category, as wide as
    its share), its legend (wrapped to the picture's width); and where the next one starts.
    Whole user units, so no locale ever writes a decimal comma into the SVG."""
    title_y = top + TITLE_SIZE
    bar_y = title_y + 6
    total = breakdown.total
    parts = []
    before = 0  # participants in the parts drawn so far
    legend_x, legend_y = 0.0, bar_y + BAR_HEIGHT + 6 + LEGEND_SIZE
    for n, count in enumerate(breakdown.counts):
        start = round(WIDTH * before / total) if total else 0
        end = round(WIDTH * (before + count.count) / total) if total else 0
        label = _short(count.label)
        advance = SWATCH + 4 + _text_width(f"{label} {count.count}", LEGEND_SIZE) + 14
        if legend_x and legend_x + advance > WIDTH:
            legend_x, legend_y = 0.0, legend_y + LEGEND_SIZE + 6
        parts.append(
            Part(
                count.label,
                label,
                count.count,
                n % FILLS,
                start,
                end - start,
                round(legend_x),
                legend_y,
            )
        )
        before += count.count
        legend_x += advance
    strip = Strip(breakdown.key, breakdown.title, total, title_y, bar_y, tuple(parts))
    return strip, legend_y + 14


def picture_of(breakdowns) -> tuple[list[Strip], int]:
    """The strips of every dimension, one under the other, and the picture's height."""
    strips, top = [], 0
    for breakdown in breakdowns:
        strip, top = strip_of(breakdown, top)
        strips.append(strip)
    return strips, top


def _part_svg(strip: Strip, part: Part) -> SafeString:
    named = format_html("<title>{}: {}</title>", part.name, part.count)
    bar = (
        format_html(
            '<rect class="room__part room__part--{}" x="{}" y="{}" width="{}" height="{}" '
            'fill="#1f4e79" stroke="#fff" stroke-width="1">{}</rect>',
            part.fill,
            part.x,
            strip.bar_y,
            part.width,
            BAR_HEIGHT,
            named,
        )
        if part.width
        else ""
    )
    return format_html(
        '{}<rect class="room__part room__part--{}" x="{}" y="{}" width="{}" height="{}" '
        'fill="#1f4e79"/><text class="room__legend" x="{}" y="{}" font-size="{}" '
        'fill="#1d2430">{}{} <tspan class="room__count" font-weight="600">{}</tspan></text>',
        bar,
        part.fill,
        part.legend_x,
        part.swatch_y,
        SWATCH,
        SWATCH,
        part.text_x,
        part.legend_y,
        LEGEND_SIZE,
        named,
        part.label,
        part.count,
    )


def _strip_svg(strip: Strip) -> SafeString:
    parts = format_html_join("", "{}", ((_part_svg(strip, part),) for part in strip.parts))
    if not strip.parts:
        parts = format_html(
            '<text class="room__legend" x="0" y="{}" font-size="{}" fill="#4a5568">{}</text>',
            strip.empty_y,
            LEGEND_SIZE,
            _("Nobody yet"),
        )
    return format_html(
        '<text class="room__title" x="0" y="{}" font-size="{}" font-weight="600" '
        'fill="#1d2430">{}</text><rect class="room__track" x="0" y="{}" width="{}" '
        'height="{}" fill="#eef0f3"/>{}',
        strip.title_y,
        TITLE_SIZE,
        strip.title,
        strip.bar_y,
        WIDTH,
        BAR_HEIGHT,
        parts,
    )


@register.simple_tag
def room_picture(strips: list[Strip], height: int) -> SafeString:
    """The picture itself, written here rather than in a template loop (a node per attribute
    costs more than the picture; see ``display``): hidden from screen readers, whom the
    table beside it gives the numbers."""
    return format_html(
        '<svg class="room__picture" aria-hidden="true" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'preserveAspectRatio="xMinYMin meet">{}</svg>',
        WIDTH,
        height,
        WIDTH,
        height,
        format_html_join("", "{}", ((_strip_svg(strip),) for strip in strips)),
    )


@register.inclusion_tag("dialogues/workspace/_composition.html")
def room_at_a_glance(dialogue):
    """The room at a glance for the dialogue's convening team (callers decided the viewer plans
    the dialogue): its whole roster and its sides, two queries whatever the size and whatever
    part of the roster the page lists."""
    roster = roster_for_the_room(dialogue_id=dialogue.pk)
    sides = list(dialogue.sides.all())
    composition = room_composition(roster=roster, sides=sides)
    strips, height = picture_of(composition.breakdowns)
    return {
        "dialogue": dialogue,
        "composition": composition,
        "warnings": room_warnings(dialogue=dialogue, roster=roster, sides=sides),
        "strips": strips,
        "width": WIDTH,
        "height": height,
        "bar_height": BAR_HEIGHT,
        "swatch": SWATCH,
    }


@register.simple_tag(name="can_start_dialogue")
def can_start_dialogue_tag(user) -> bool:
    """``{% can_start_dialogue user as allowed %}``"""
    return can_start_dialogue(user)
