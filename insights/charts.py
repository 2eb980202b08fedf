"""Server-rendered SVG charts for insights pages: line, stacked area, grouped bars, sparklines, level bars.

No JavaScript: each chart is an escaped ``<svg>`` built here, with a ``<title>`` and a one-sentence
``<desc>``, and its numbers as ``table_rows``, so templates/insights/_chart.html can put them one click
away as a table.

Colours come from classes only (static/css/app.css, the block ``/* insights charts */``); the SVG has no
inline styles. A series' ``css_class`` is ``series-1``..``series-6`` (a colour-blind-friendly palette) or a
commitment level ``level-core``..``level-transactional``. In the SVG a level maps to the shared
``level-fill-<level>`` class; in the HTML legend to the shared ``level-swatch level-<level>`` swatch, and a
palette series to ``chart-swatch swatch-series-N``.

Layout: a fixed 640-unit-wide viewBox (CSS scales it to its container, with larger text when the chart is
narrow: see FONT_SIZE), the y-axis title written horizontally above the plot, 4 to 6 "nice" y ticks from 0
(steps of 1, 2, 2.5 or 5 times a power of ten; whole-number steps for whole-number data), and x labels
wrapped onto two lines or rotated when they do not fit side by side; beyond 14 labels only every k-th is
shown, counted back from the last one (the table still has them all).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

KINDS = ("line", "stacked", "bars")
SERIES_CLASSES = tuple(f"series-{n}" for n in range(1, 7))
LEVEL_CLASSES = ("level-core", "level-active", "level-occasional", "level-peripheral", "level-transactional")
NO_VALUE = "\u2013"  # an en dash: "no value" in tables

WIDTH = 640
PLOT_HEIGHT = 180
FONT_SIZE = 13  # text size in viewBox units; app.css raises it to ROOMY_FONT_SIZE in a narrow chart (a phone)
# so the text stays readable once the picture is scaled down. All room for text (margins, label fitting,
# wrapping) is measured at this larger size, so either size fits.
ROOMY_FONT_SIZE = 17
LINE_SPACING = 1.15  # em
MARGIN_TOP = 32  # room for the y-axis title, written horizontally above the plot
MARGIN_RIGHT = 12
MAX_X_LABELS = 14  # beyond this many, only every k-th x label is shown
THINNED_X_LABELS = 12  # ... so that about this many remain
MAX_LABEL_CHARS = 20  # longer x labels are shortened in the SVG (the table has them in full)
ROTATION = 40  # degrees, for x labels that fit neither on one line nor on two

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class Series:
    """One named row of values, one per x label; ``None`` means no data for that label."""

    name: str
    values: list[float | None]
    css_class: str = "series-1"

    def __post_init__(self) -> None:
        if self.css_class not in SERIES_CLASSES + LEVEL_CLASSES:
            raise ValueError(
                f"Series {self.name!r}: css_class {self.css_class!r} is not one of "
                f"{SERIES_CLASSES + LEVEL_CLASSES}"
            )
        for value in self.values:
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float | Decimal)
            ):
                raise TypeError(f"Series {self.name!r}: {value!r} is not a number or None")

    @property
    def svg_class(self) -> str:
        """The class that colours this series' shapes in the SVG (``level-core`` → ``level-fill-core``)."""
        return _svg_class(self.css_class)

    @property
    def swatch_class(self) -> str:
        """The classes of this series' legend swatch in HTML."""
        if self.css_class.startswith("level-"):
            return f"level-swatch {self.css_class}"
        return f"chart-swatch swatch-{self.css_class}"


@dataclass(frozen=True)
class Chart:
    """A rendered chart: what it shows, its SVG, and its numbers for the table beside it.

    Build one with :func:`line_chart`, :func:`stacked_area_chart` or :func:`bar_chart`. Constructed directly
    without ``svg``, it renders its own.
    """

    id: str
    title: str
    x_label: str
    y_label: str
    x_labels: list[str]
    series: list[Series]
    kind: str
    unit: str = ""
    svg: SafeString = field(default=SafeString(""), repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Chart {self.id!r}: kind {self.kind!r} is not one of {KINDS}")
        if not _ID_RE.match(self.id):
            raise ValueError(f"Chart id {self.id!r} must be a slug (letters, digits, - and _)")
        for series in self.series:
            if len(series.values) != len(self.x_labels):
                raise ValueError(
                    f"Chart {self.id!r}: series {series.name!r} has {len(series.values)} values "
                    f"for {len(self.x_labels)} x labels"
                )
            if self.kind == "stacked" and any(v is not None and v < 0 for v in series.values):
                raise ValueError(f"Chart {self.id!r}: a stacked area cannot stack negative values")
        if not self.svg:
            object.__setattr__(self, "svg", _render_chart(self))

    @property
    def table_rows(self) -> list[tuple[str, list[str]]]:
        """One row per x label: the label and each series' value with its unit (an en dash for none)."""
        return [
            (str(label), [format_value(series.values[index], self.unit) for series in self.series])
            for index, label in enumerate(self.x_labels)
        ]


def _chart_of(kind: str, doc: str) -> Callable[..., Chart]:
    """The builder of one kind of chart: keyword-only arguments, x labels as strings, the series as a list."""

    def build(
        *,
        id: str,
        title: str,
        x_labels: Sequence[str],
        series: Sequence[Series],
        x_label: str,
        y_label: str,
        unit: str = "",
    ) -> Chart:
        return Chart(
            id=id,
            title=title,
            x_label=x_label,
            y_label=y_label,
            x_labels=[str(label) for label in x_labels],
            series=list(series),
            kind=kind,
            unit=unit,
        )

    build.__doc__ = doc
    return build


line_chart = _chart_of("line", "A line per series with a marker per value; a ``None`` breaks the line.")
stacked_area_chart = _chart_of(
    "stacked", "Areas stacked in series order, the first at the bottom; ``None`` counts as 0 in the stack."
)
bar_chart = _chart_of("bars", "Bars grouped per x label, one per series; nothing is drawn for ``None``.")


def _small_svg(
    css_class: str, width: int, height: int, label: str, parts: list, *, stretch: bool = False
) -> SafeString:
    """A small inline picture of `width` by `height` units, labelled for screen readers (`stretch`: it fills its
    box whatever the box's proportions)."""
    return format_html(
        '<svg class="{}" xmlns="{}" width="{}" height="{}" viewBox="0 0 {} {}"{} role="img" aria-label="{}">{}</svg>',
        css_class,
        _SVG_NS,
        width,
        height,
        width,
        height,
        mark_safe(' preserveAspectRatio="none"') if stretch else "",
        label,
        _join(parts),
    )


def sparkline(
    values: Sequence[float | None],
    *,
    label: str,
    width: int = 120,
    height: int = 32,
    zero_based: bool = False,
) -> SafeString:
    """A small inline line without axes, scaled from its lowest to its highest value (or from 0 if asked).

    ``label`` is its accessible name and tooltip, and should carry the numbers ("Active members over 12 weeks:
    4, 5, ... 9"). ``None`` breaks the line; the last value gets a dot; no values at all: a dashed baseline.
    """
    numbers = [_number(v) for v in values]
    present = [v for v in numbers if v is not None]
    pad = 3.0
    parts: list[SafeString] = [format_html("<title>{}</title>", label)]
    if not present:
        parts.append(
            format_html(
                '<line class="sparkline-empty" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
                _n(pad),
                _n(height / 2),
                _n(width - pad),
                _n(height / 2),
            )
        )
    else:
        low, high = min(present), max(present)
        if zero_based:
            low, high = min(low, 0.0), max(high, 0.0)
        count = len(numbers)

        def point(index: int, value: float) -> tuple[float, float]:
            x = pad + (width - 2 * pad) * (index / (count - 1) if count > 1 else 0.5)
            y = height / 2 if high == low else pad + (high - value) / (high - low) * (height - 2 * pad)
            return x, y

        runs = _runs(numbers)
        path = _path_data([[point(i, v) for i, v in run] for run in runs if len(run) > 1])
        if path:
            parts.append(format_html('<path class="sparkline-line" d="{}"></path>', path))
        last_index = max(i for run in runs for i, _ in run)
        for run in runs:
            for index, value in run:
                # A lone value between gaps has no line to show it; the last value is marked as "now".
                if len(run) == 1 or index == last_index:
                    x, y = point(index, value)
                    css = "sparkline-dot" if index == last_index else "sparkline-point"
                    parts.append(
                        format_html('<circle class="{}" cx="{}" cy="{}" r="2"></circle>', css, _n(x), _n(y))
                    )
    return _small_svg("sparkline", width, height, label, parts)


def level_bar(
    parts: Sequence[tuple[str, int, str]],
    *,
    label: str,
    width: int = 160,
    height: int = 12,
) -> SafeString:
    """A horizontal bar of one segment per part (label, count, css class), widths proportional to counts.

    Segments of count 0 are left out; when every count is 0 the bar is an empty track (``level-empty``).
    """
    for part_label, count, css_class in parts:
        if count < 0:
            raise ValueError(f"level_bar: {part_label!r} has a negative count {count}")
        if css_class not in SERIES_CLASSES + LEVEL_CLASSES:
            raise ValueError(f"level_bar: css class {css_class!r} is not a series or level class")
    total = sum(count for _, count, _ in parts)
    shapes: list[SafeString] = [format_html("<title>{}</title>", label)]
    if total == 0:
        shapes.append(
            format_html('<rect class="level-empty" x="0" y="0" width="{}" height="{}"></rect>', width, height)
        )
    else:
        running = 0
        for part_label, count, css_class in parts:
            # Each edge is rounded from the running total, so the widths add up to exactly ``width``.
            start = round(running / total * width, 2)
            running += count
            end = round(running / total * width, 2)
            if count == 0:
                continue
            shapes.append(
                format_html(
                    '<rect class="{}" x="{}" y="0" width="{}" height="{}"><title>{}: {}</title></rect>',
                    _svg_class(css_class),
                    _n(start, 2),
                    _n(end - start, 2),
                    height,
                    part_label,
                    _format_number(count),
                )
            )
    return _small_svg("chart-level-bar", width, height, label, shapes, stretch=True)


def nice_ticks(low: float, high: float, *, integer: bool = False) -> list[float]:
    """Evenly spaced ticks covering ``low``..``high`` and 0: 4 to 6, a step of 1, 2, 2.5 or 5 times 10**n.

    The tightest such axis wins, then the one with fewer ticks. ``integer`` keeps the step a whole number (for
    counts). An empty range (all values 0) still gets an axis from 0 to 1.
    """
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        high = low + 1
    span = high - low
    magnitude = math.floor(math.log10(span))
    best: tuple[float, int, float, float] | None = None  # (axis span, intervals, start, step)
    for exponent in range(magnitude - 2, magnitude + 2):
        for multiple in (1, 2, 2.5, 5):
            step = multiple * 10.0**exponent
            if integer and not float(step).is_integer():
                continue
            start = math.floor(low / step + 1e-9) * step
            stop = math.ceil(high / step - 1e-9) * step
            intervals = round((stop - start) / step)
            if 3 <= intervals <= 5:
                candidate = (round(stop - start, 9), intervals, start, step)
                if best is None or candidate[:2] < best[:2]:
                    best = candidate
    if best is None:
        # Only small whole-number ranges (up to 2) get here: steps of 1, at least three of them.
        start = float(math.floor(low))
        intervals = max(3, math.ceil(high) - math.floor(low))
        best = (float(intervals), intervals, start, 1.0)
    _, intervals, start, step = best
    return [_clean(start + i * step) for i in range(intervals + 1)]


def format_value(value: float | Decimal | None, unit: str = "") -> str:
    """A value as people read it: "1,234", "33.3%", "7.5 h"; an en dash for no value."""
    number = _number(value)
    if number is None:
        return NO_VALUE
    text = _format_number(number)
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


# --- Rendering ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """Where things go: the plot rectangle, the y scale, the x positions (the middle of each label's slot)."""

    left: float
    top: float
    plot_width: float
    plot_height: float
    y_min: float
    y_max: float
    slot: float

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height

    @property
    def right(self) -> float:
        return self.left + self.plot_width

    def x(self, index: int) -> float:
        return self.left + self.slot * (index + 0.5)

    def y(self, value: float) -> float:
        return self.bottom - (value - self.y_min) / (self.y_max - self.y_min) * self.plot_height


@dataclass(frozen=True)
class _XLabels:
    """How the x labels are written: which are shown, split into lines, and whether rotated."""

    shown: list[int]
    lines: list[list[str]]
    rotated: bool
    height: float
    overhang_left: float = 0.0
    overhang_right: float = 0.0


def _render_chart(chart: Chart) -> SafeString:
    count = len(chart.x_labels)
    columns = [[_number(s.values[i]) for s in chart.series] for i in range(count)]
    if chart.kind == "stacked":
        extent = [sum(v or 0.0 for v in column) for column in columns]
    else:
        extent = [v for column in columns for v in column if v is not None]
    whole = all(
        float(v).is_integer() for v in extent
    )  # all zero (or empty) counts as whole: ticks 0, 1, 2, 3
    ticks = nice_ticks(min(extent, default=0.0), max(extent, default=0.0), integer=whole)
    tick_texts = [format_value(t, chart.unit) for t in ticks]

    left, right = max(40.0, max(_text_width(t) for t in tick_texts) + 10), float(MARGIN_RIGHT)
    for _attempt in range(3):
        # The first and last x labels may stick out past the plot; widen the margins until they fit.
        plot_width = WIDTH - left - right
        slot = plot_width / max(count, 1)
        labels = _layout_x_labels(chart.x_labels, slot)
        wider = (max(left, labels.overhang_left + 2), max(right, labels.overhang_right + 2))
        if wider == (left, right):
            break
        left, right = wider
    frame = _Frame(
        left=left,
        top=MARGIN_TOP,
        plot_width=plot_width,
        plot_height=PLOT_HEIGHT,
        y_min=ticks[0],
        y_max=ticks[-1],
        slot=slot,
    )
    x_title_y = frame.bottom + 6 + labels.height + 6 + ROOMY_FONT_SIZE * 0.8
    height = math.ceil(x_title_y + ROOMY_FONT_SIZE * 0.3)

    parts: list[SafeString] = [
        format_html('<title id="chart-{}-title">{}</title>', chart.id, chart.title),
        format_html('<desc id="chart-{}-desc">{}</desc>', chart.id, _describe(chart)),
        _y_axis(frame, ticks, tick_texts),
        _x_axis(frame, chart.x_labels, labels),
        format_html(
            '<text class="chart-axis-title" x="{}" y="{}" text-anchor="start">{}</text>',
            _n(4),
            _n(MARGIN_TOP - 10),
            _shorten(chart.y_label, 90),
        ),
        format_html(
            '<text class="chart-axis-title" x="{}" y="{}" text-anchor="middle">{}</text>',
            _n(frame.left + frame.plot_width / 2),
            _n(x_title_y),
            _shorten(chart.x_label, 90),
        ),
    ]
    if count:
        render = {"line": _lines, "stacked": _areas, "bars": _bars}[chart.kind]
        parts.append(render(chart, frame, columns))
    return format_html(
        '<svg class="chart-svg chart-{}" xmlns="{}" viewBox="0 0 {} {}" font-size="{}" role="img" '
        'aria-labelledby="chart-{}-title chart-{}-desc">{}</svg>',
        chart.kind,
        _SVG_NS,
        WIDTH,
        height,
        FONT_SIZE,
        chart.id,
        chart.id,
        _join(parts),
    )


def _y_axis(frame: _Frame, ticks: list[float], texts: list[str]) -> SafeString:
    grid, labels = [], []
    for tick, text in zip(ticks, texts, strict=True):
        y = _n(frame.y(tick))
        if tick != 0:
            grid.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}"></line>', _n(frame.left), y, _n(frame.right), y
                )
            )
        labels.append(
            format_html(
                '<text x="{}" y="{}" dy="0.32em" text-anchor="end">{}</text>', _n(frame.left - 6), y, text
            )
        )
    zero = _n(frame.y(0.0))
    return format_html(
        '<g class="chart-grid">{}</g><g class="chart-label chart-y-ticks">{}</g>'
        '<g class="chart-axis"><line x1="{}" y1="{}" x2="{}" y2="{}"></line>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}"></line></g>',
        _join(grid),
        _join(labels),
        _n(frame.left),
        _n(frame.top),
        _n(frame.left),
        _n(frame.bottom),
        _n(frame.left),
        zero,
        _n(frame.right),
        zero,
    )


def _x_axis(frame: _Frame, x_labels: list[str], layout: _XLabels) -> SafeString:
    marks, texts = [], []
    top = frame.bottom + 6
    for index, lines in zip(layout.shown, layout.lines, strict=True):
        x = _n(frame.x(index))
        marks.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}"></line>', x, _n(frame.bottom), x, _n(frame.bottom + 4)
            )
        )
        if layout.rotated:
            y = _n(top)
            texts.append(
                format_html(
                    '<text x="{}" y="{}" dy="0.8em" text-anchor="end" transform="rotate(-{} {} {})">{}</text>',
                    x,
                    y,
                    ROTATION,
                    x,
                    y,
                    lines[0],
                )
            )
        else:
            # Line positions in em, so they follow the font size that the stylesheet picks.
            spans = _join(
                format_html(
                    '<tspan x="{}" dy="{}">{}</tspan>', x, "0.9em" if i == 0 else f"{LINE_SPACING}em", line
                )
                for i, line in enumerate(lines)
            )
            texts.append(format_html('<text y="{}" text-anchor="middle">{}</text>', _n(top), spans))
    return format_html(
        '<g class="chart-axis chart-x-ticks">{}</g><g class="chart-label chart-x-labels">{}</g>',
        _join(marks),
        _join(texts),
    )


def _layout_x_labels(x_labels: list[str], slot: float) -> _XLabels:
    count = len(x_labels)
    one_line = ROOMY_FONT_SIZE * (0.9 + 0.3)
    if not count:
        return _XLabels(shown=[], lines=[], rotated=False, height=one_line)
    every = 1 if count <= MAX_X_LABELS else math.ceil(count / THINNED_X_LABELS)
    # Counted back from the last label, so the most recent one is always shown.
    shown = [i for i in range(count) if (count - 1 - i) % every == 0]
    room = slot * every - 3
    texts = [_shorten(x_labels[i], MAX_LABEL_CHARS) for i in shown]

    def overhangs(widths: list[float]) -> tuple[float, float]:
        """How far the first and last shown labels, centred on their ticks, reach past the plot's edges."""
        return widths[0] / 2 - slot * (shown[0] + 0.5), widths[-1] / 2 - slot * (count - shown[-1] - 0.5)

    if all(_text_width(t) <= room for t in texts):
        left, right = overhangs([_text_width(texts[0]), _text_width(texts[-1])])
        return _XLabels(shown, [[t] for t in texts], False, one_line, left, right)
    wrapped = [_two_lines(t) for t in texts]
    two_lines = [lines for lines in wrapped if lines is not None]
    if len(two_lines) == len(texts) and all(max(map(_text_width, lines)) <= room for lines in two_lines):
        left, right = overhangs([max(map(_text_width, two_lines[0])), max(map(_text_width, two_lines[-1]))])
        return _XLabels(shown, two_lines, False, one_line + ROOMY_FONT_SIZE * LINE_SPACING, left, right)
    angle = math.radians(ROTATION)
    widths = [_text_width(t) for t in texts]
    height = max(widths) * math.sin(angle) + ROOMY_FONT_SIZE * math.cos(angle) + 4
    # A rotated label hangs down to the left of its tick, its end at the tick.
    left = max(w * math.cos(angle) - slot * (i + 0.5) for w, i in zip(widths, shown, strict=True))
    return _XLabels(
        shown, [[t] for t in texts], True, height, left + 4, ROOMY_FONT_SIZE * math.sin(angle) / 2
    )


def _two_lines(text: str) -> list[str] | None:
    """The split of ``text`` at a space that makes its wider line narrowest, or None without a space."""
    words = text.split()
    if len(words) < 2:
        return None
    splits = [[" ".join(words[:i]), " ".join(words[i:])] for i in range(1, len(words))]
    return min(splits, key=lambda lines: max(map(_text_width, lines)))


def _lines(chart: Chart, frame: _Frame, columns: list[list[float | None]]) -> SafeString:
    groups = []
    several = len(chart.series) > 1
    for position, series in enumerate(chart.series):
        values = [column[position] for column in columns]
        runs = _runs(values)
        path = _path_data([[(frame.x(i), frame.y(v)) for i, v in run] for run in runs])
        markers = [
            format_html(
                '<circle class="chart-marker {}" cx="{}" cy="{}" r="3.5"><title>{}</title></circle>',
                series.svg_class,
                _n(frame.x(i)),
                _n(frame.y(v)),
                _point_title(chart, series, i, v, several),
            )
            for run in runs
            for i, v in run
        ]
        line = (
            format_html('<path class="chart-line {}" d="{}"></path>', series.svg_class, path) if path else ""
        )
        groups.append(format_html('<g class="chart-series">{}{}</g>', line, _join(markers)))
    return _join(groups)


def _areas(chart: Chart, frame: _Frame, columns: list[list[float | None]]) -> SafeString:
    count = len(columns)
    if count == 1:
        # One label has no width to spread an area over: draw it as a band across the middle of its slot.
        xs = [frame.x(0) - frame.slot / 4, frame.x(0) + frame.slot / 4]
        columns = columns * 2
    else:
        xs = [frame.x(i) for i in range(count)]
    below = [0.0] * len(xs)
    polygons = []
    for position, series in enumerate(chart.series):
        above = [base + (column[position] or 0.0) for base, column in zip(below, columns, strict=True)]
        points = [(x, frame.y(v)) for x, v in zip(xs, above, strict=True)]
        points += [(x, frame.y(v)) for x, v in reversed(list(zip(xs, below, strict=True)))]
        polygons.append(
            format_html(
                '<polygon class="chart-area {}" points="{}"><title>{}</title></polygon>',
                series.svg_class,
                " ".join(f"{_n(x)},{_n(y)}" for x, y in points),
                series.name,
            )
        )
        below = above
    return format_html('<g class="chart-series">{}</g>', _join(polygons))


def _bars(chart: Chart, frame: _Frame, columns: list[list[float | None]]) -> SafeString:
    several = len(chart.series) > 1
    group = frame.slot * 0.72
    width = group / max(len(chart.series), 1)
    gap = 1.0 if several and width > 4 else 0.0
    zero = frame.y(0.0)
    rects = []
    for index, column in enumerate(columns):
        for position, (series, value) in enumerate(zip(chart.series, column, strict=True)):
            if value is None:
                continue
            top = min(frame.y(value), zero)
            rects.append(
                format_html(
                    '<rect class="chart-bar {}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}</title></rect>",
                    series.svg_class,
                    _n(frame.x(index) - group / 2 + position * width + gap / 2, 2),
                    _n(top, 2),
                    _n(width - gap, 2),
                    _n(abs(frame.y(value) - zero), 2),
                    _point_title(chart, series, index, value, several),
                )
            )
    return format_html('<g class="chart-series">{}</g>', _join(rects))


def _point_title(chart: Chart, series: Series, index: int, value: float, several: bool) -> str:
    text = f"{chart.x_labels[index]}: {format_value(value, chart.unit)}"
    return f"{series.name}, {text}" if several else text


def _describe(chart: Chart) -> str:
    """One sentence about where the chart ends up, for the SVG's <desc>."""
    columns = [[_number(s.values[i]) for s in chart.series] for i in range(len(chart.x_labels))]
    unit = chart.unit
    if chart.kind == "stacked":
        for index in reversed(range(len(columns))):
            if any(v is not None for v in columns[index]):
                parts = ", ".join(
                    f"{s.name} {format_value(columns[index][p] or 0, unit)}"
                    for p, s in enumerate(chart.series)
                )
                total = format_value(sum(v or 0 for v in columns[index]), unit)
                return f"Total {total} in {chart.x_labels[index]}: {parts}."
        return "No data yet."
    latest = []
    for position, series in enumerate(chart.series):
        for index in reversed(range(len(columns))):
            value = columns[index][position]
            if value is not None:
                latest.append((series.name, chart.x_labels[index], format_value(value, unit)))
                break
    if not latest:
        return "No data yet."
    if len(chart.series) == 1:
        _, label, value = latest[0]
        return f"Last value {value} in {label}."
    if len({label for _, label, _ in latest}) == 1:
        return f"In {latest[0][1]}: " + ", ".join(f"{name} {value}" for name, _, value in latest) + "."
    return "Latest values: " + ", ".join(f"{name} {value} in {label}" for name, label, value in latest) + "."


# --- Small helpers -----------------------------------------------------------------------------------------


def _svg_class(css_class: str) -> str:
    return f"level-fill-{css_class.removeprefix('level-')}" if css_class.startswith("level-") else css_class


def _number(value: float | Decimal | None) -> float | None:
    """A value as a float, or None for no value (None, NaN or infinity)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _format_number(number: float) -> str:
    if float(number).is_integer():
        return f"{int(number):,}"
    text = f"{number:,.2f}" if abs(number) < 1 else f"{number:,.1f}"
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _clean(number: float) -> float:
    """A tick without float noise (0.30000000000000004 → 0.3) and without a negative zero."""
    return round(number, 9) + 0.0


def _n(number: float, digits: int = 1) -> str:
    """A coordinate, short: 12.0 → "12", 12.25 → "12.2" (digits=1)."""
    text = f"{number:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Consecutive stretches of present values, as (index, value) pairs."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for index, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((index, value))
    if current:
        runs.append(current)
    return runs


def _path_data(runs: list[list[tuple[float, float]]]) -> str:
    """SVG path data with one subpath (M ... L ...) per run; a lone point is a zero-length subpath."""
    return " ".join(
        "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in run) + (" l0,0" if len(run) == 1 else "")
        for run in runs
    )


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_NARROW = set("iljtfrI1.,:;!|'()[] ")
_WIDE = set("MWmw@%")


def _text_width(text: str) -> float:
    """A generous estimate of the width of ``text`` at the larger font size (no font metrics on the server).

    Per-character widths in em, on the wide side of common sans-serif fonts (DejaVu Sans, Segoe UI, Roboto).
    """
    units = sum(
        0.34 if c in _NARROW else 0.92 if c in _WIDE else 0.62 if c.isdigit() else 0.7 if c.isupper() else 0.6
        for c in text
    )
    return units * ROOMY_FONT_SIZE


def _join(parts) -> SafeString:
    """Join already-escaped pieces."""
    return mark_safe("".join(parts))  # noqa: S308 - every piece comes from format_html
