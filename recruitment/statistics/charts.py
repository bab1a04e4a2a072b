"""Geometry of the server-rendered SVG bar charts on the statistics page.

Coordinates are in the SVG's own units (a viewBox of WIDTH by HEIGHT, scaled by CSS). The value
axis is on the reading start side: on the left in English and on the right in Arabic, where the
oldest year is also on the right, so the years read in the page's direction.
"""

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)

WIDTH = 640
HEIGHT = 300
AXIS_SPACE = 72  # room for the value labels beside the plot
TOP = 24  # room for the value above the tallest bar
BOTTOM = 32  # room for the year labels
EDGE = 12
GRID_LINES = 4
# Share of each year's slot that its bar fills.
BAR_SHARE = 0.6


@dataclass(frozen=True)
class Bar:
    label: str  # the year
    value_text: str
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class GridLine:
    y: float
    text: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_start: float  # x of the plot edge on the axis side
    plot_end: float
    baseline: float
    axis_label_x: float
    bars: list[Bar]
    grid: list[GridLine]


def grid_step(value: int) -> int:
    """Return the value between grid lines: a whole 1, 2, 2.5 or 5 times a power of ten, so every
    line falls on a round number and the top line is at or above `value`."""
    needed = max(1, math.ceil(value / GRID_LINES))
    power = 10 ** math.floor(math.log10(needed))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= needed and step == int(step):
            return int(step)
    return 10 * power


def bar_chart(
    points: Sequence[tuple[str, int | None]], rtl: bool, format_number: Callable[[int], str]
) -> BarChart:
    """Lay out one bar per (label, value) point in the given order (oldest first).

    A point without a value keeps its slot, with no bar and a dash, so a year without figures
    still shows as a gap in the timeline.
    """
    step = grid_step(max((value for _label, value in points if value is not None), default=0))
    top_value = step * GRID_LINES
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = HEIGHT - BOTTOM

    if rtl:
        plot_left, plot_right = EDGE, WIDTH - AXIS_SPACE
        axis_label_x = plot_right + 8
    else:
        plot_left, plot_right = AXIS_SPACE, WIDTH - EDGE
        axis_label_x = plot_left - 8

    slot = (plot_right - plot_left) / max(1, len(points))
    bars = []
    for index, (label, value) in enumerate(points):
        slot_start = plot_right - (index + 1) * slot if rtl else plot_left + index * slot
        height = plot_height * (value or 0) / top_value
        width = slot * BAR_SHARE
        value_text = "—" if value is None else format_number(value)
        bars.append(Bar(label, value_text, round(slot_start + (slot - width) / 2, 1),
                        round(baseline - height, 1), round(width, 1), round(height, 1)))

    grid = [
        GridLine(round(baseline - plot_height * index / GRID_LINES, 1), format_number(step * index))
        for index in range(GRID_LINES + 1)
    ]
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        plot_start=plot_right if rtl else plot_left,
        plot_end=plot_left if rtl else plot_right,
        baseline=baseline,
        axis_label_x=axis_label_x,
        bars=bars,
        grid=grid,
    )
