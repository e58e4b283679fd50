"""The path drawn: four lanes side by side, each node a box packed from the top of its lane,
edges as curves from one lane to the next, in whole SVG user units (so no locale ever writes a
decimal comma).

Two layers, stacked by the stylesheet: the picture (``role="img"``, named by its ``<title>``
and ``<desc>``, each node's whole text in a ``<title>`` of its own) and, above it, a layer of
links, one per node, for a pointer (a link inside ``role="img"`` would be lost to assistive
technology, so this layer is hidden from it and out of the tab order: the list after the
picture holds the same links for a keyboard and a screen reader).

Where a node sits depends only on the shown nodes before it in its lane: a node the viewer may
not see leaves no gap, no number and no trace."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy

from .graph import LANE_TITLES, Graph, Key, Lane, Node

NODE_WIDTH = 216
NODE_HEIGHT = 52
ROW_GAP = 12
LANE_GAP = 48
MARGIN = 8
TOP = 40  # below the lanes' headings
HEADING_Y = 20
LABEL_SIZE = 13
DETAIL_SIZE = 12
HEADING_SIZE = 14
PADDING = 10  # inside a node
CHAR_WIDTH = 0.6  # of the font size: a generous average for a sans-serif
WIDTH = 2 * MARGIN + len(Lane) * NODE_WIDTH + (len(Lane) - 1) * LANE_GAP
NONE_SHOWN = gettext_lazy("None you can see")
ELLIPSIS = "\u2026"

# Colours as presentation attributes (the stylesheet's tokens override them): the picture
# keeps its shape when the stylesheet is not there.
INK, INK_SOFT, LINE, CONTROL = "#1d2430", "#4a5568", "#d9dde3", "#6b7785"
FILLS = {
    Lane.SESSIONS: "#f3f4f6",
    Lane.IDEAS: "#eaf1f8",
    Lane.TRANSFERS: "#fff6e0",
    Lane.CHANGES: "#e8f5ee",
}
CLASSES = {
    Lane.SESSIONS: "session",
    Lane.IDEAS: "idea",
    Lane.TRANSFERS: "transfer",
    Lane.CHANGES: "change",
}


def chars_for(size: int) -> int:
    """How many characters fit on one line of a node at this font size."""
    return int((NODE_WIDTH - 2 * PADDING) / (size * CHAR_WIDTH))


def shortened(text: str, size: int) -> str:
    """The text cut to a node's line, an ellipsis at the cut (the whole text is in the node's
    ``<title>`` and in the list)."""
    limit = chars_for(size)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Box:
    node: Node
    lane: Lane
    x: int
    y: int

    @property
    def middle(self) -> int:
        return self.y + NODE_HEIGHT // 2


def lane_x(lane: Lane) -> int:
    return MARGIN + lane * (NODE_WIDTH + LANE_GAP)


def row_y(row: int) -> int:
    return TOP + row * (NODE_HEIGHT + ROW_GAP)


@dataclass(frozen=True)
class Layout:
    boxes: tuple[Box, ...]
    empty_lanes: tuple[Lane, ...]
    height: int


def layout_of(graph: Graph) -> Layout:
    """Each lane packed from the top, in the graph's order."""
    boxes = tuple(
        Box(node, lane, lane_x(lane), row_y(row))
        for lane, nodes in zip(Lane, graph.lanes, strict=True)
        for row, node in enumerate(nodes)
    )
    rows = max((len(nodes) for nodes in graph.lanes), default=0)
    height = row_y(max(rows, 1)) - ROW_GAP + MARGIN
    empty = tuple(lane for lane, nodes in zip(Lane, graph.lanes, strict=True) if not nodes)
    return Layout(boxes, empty, height)


def _edge(source: Box, target: Box, direct: bool) -> SafeString:
    x1, y1 = source.x + NODE_WIDTH, source.middle
    x2, y2 = target.x - 2, target.middle  # the arrow's tip just short of the box
    bend = (x2 - x1) // 2
    return format_html(
        '<path class="path__edge{}" d="M{} {} C{} {} {} {} {} {}" fill="none" stroke="{}" '
        'stroke-width="1.5"{} marker-end="url(#path-arrow)"/>',
        " path__edge--direct" if direct else "",
        x1,
        y1,
        x1 + bend,
        y1,
        x2 - bend,
        y2,
        x2,
        y2,
        CONTROL,
        SafeString(' stroke-dasharray="6 4"') if direct else "",
    )


def _box(box: Box) -> SafeString:
    node = box.node
    return format_html(
        '<g class="path__node path__node--{}"><title>{}</title>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="{}" stroke="{}"/>'
        '<text class="path__label" x="{}" y="{}" font-size="{}" font-weight="600" fill="{}">'
        "{}</text>"
        '<text class="path__detail" x="{}" y="{}" font-size="{}" fill="{}">{}</text></g>',
        CLASSES[box.lane],
        node.described,
        box.x,
        box.y,
        NODE_WIDTH,
        NODE_HEIGHT,
        FILLS[box.lane],
        CONTROL,
        box.x + PADDING,
        box.y + 21,
        LABEL_SIZE,
        INK,
        shortened(node.label, LABEL_SIZE),
        box.x + PADDING,
        box.y + 40,
        DETAIL_SIZE,
        INK_SOFT,
        shortened(node.detail, DETAIL_SIZE),
    )


def _lane(lane: Lane, height: int, empty: bool) -> SafeString:
    x = lane_x(lane)
    none = (
        format_html(
            '<text class="path__none" x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
            x + PADDING,
            TOP + 21,
            DETAIL_SIZE,
            INK_SOFT,
            NONE_SHOWN,
        )
        if empty
        else ""
    )
    return format_html(
        '<rect class="path__lane" x="{}" y="0" width="{}" height="{}" fill="#fbfaf7" '
        'stroke="{}"/><text class="path__heading" x="{}" y="{}" font-size="{}" '
        'font-weight="600" fill="{}">{}</text>{}',
        x - MARGIN // 2,
        NODE_WIDTH + MARGIN,
        height,
        LINE,
        x + PADDING,
        HEADING_Y,
        HEADING_SIZE,
        INK,
        LANE_TITLES[lane],
        none,
    )


def _svg_open(height: int, attributes: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" {}>',
        WIDTH,
        height,
        WIDTH,
        height,
        attributes,
    )


def picture_svg(graph: Graph, *, title: str) -> SafeString:
    """The picture and its layer of links, stacked (the stylesheet's ``path__stack``)."""
    layout = layout_of(graph)
    at: dict[Key, Box] = {box.node.key: box for box in layout.boxes}
    picture = format_html(
        '{}<title id="path-title">{}</title><desc id="path-desc">{}</desc>'
        '<defs><marker id="path-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" '
        'markerHeight="8" orient="auto"><path class="path__arrow" d="M0 0 L8 4 L0 8 z" '
        'fill="{}"/></marker></defs>{}{}{}</svg>',
        _svg_open(
            layout.height,
            SafeString(
                'class="path__picture" role="img" aria-labelledby="path-title" '
                'aria-describedby="path-desc"'
            ),
        ),
        title,
        gettext(
            "Four lanes, from left to right: sessions, the ideas derived from their outcomes, "
            "the ideas' transfers to officials, and the changes observed after them; arrows "
            "lead from each to the next (dashed: from an idea straight to a change). The same "
            "path follows as a list."
        ),
        CONTROL,
        format_html_join(
            "", "{}", ((_lane(lane, layout.height, lane in layout.empty_lanes),) for lane in Lane)
        ),
        format_html_join(
            "",
            "{}",
            ((_edge(at[e.source], at[e.target], e.direct),) for e in graph.edges),
        ),
        format_html_join("", "{}", ((_box(box),) for box in layout.boxes)),
    )
    links = format_html(
        "{}{}</svg>",
        _svg_open(
            layout.height,
            SafeString('class="path__links" aria-hidden="true" focusable="false"'),
        ),
        format_html_join(
            "",
            '<a href="{}" tabindex="-1"><title>{}</title><rect class="path__hit" x="{}" y="{}" '
            'width="{}" height="{}" rx="6" fill="#ffffff" fill-opacity="0"/></a>',
            (
                (box.node.href, box.node.described, box.x, box.y, NODE_WIDTH, NODE_HEIGHT)
                for box in layout.boxes
                if box.node.href
            ),
        ),
    )
    return format_html('<div class="path__stack">{}{}</div>', picture, links)
