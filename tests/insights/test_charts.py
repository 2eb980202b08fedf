"""SVG charts (insights.charts) and their template partial: well-formed, labelled, escaped, and drawn to scale."""

import itertools
import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string

from insights.charts import (
    NO_VALUE,
    Chart,
    Series,
    bar_chart,
    format_value,
    level_bar,
    line_chart,
    nice_ticks,
    sparkline,
    stacked_area_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [
    "Dec 2025",
    "Jan 2026",
    "Feb 2026",
    "Mar 2026",
    "Apr 2026",
    "May 2026",
    "Jun 2026",
    "Jul 2026",
    "Aug 2026",
    "Sep 2026",
    "Oct 2026",
    "Nov 2026",
]


def parse(svg) -> ET.Element:
    """The SVG as an element tree; raises if it is not well-formed XML."""
    return ET.fromstring(str(svg))  # noqa: S314 - our own output, not untrusted input


def all_of(root: ET.Element, tag: str, css_class: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{SVG}{tag}")
    return [e for e in found if css_class is None or css_class in e.get("class", "").split()]


def title_of(element: ET.Element) -> str:
    return element.find(f"{SVG}title").text


def members_chart(**overrides) -> Chart:
    options = {
        "id": "membership",
        "title": "Members",
        "x_labels": MONTHS,
        "series": [Series("Members", [12, 14, 15, 18, 20, 22, 25, 27, 30, 33, 38, 42])],
        "x_label": "Month",
        "y_label": "Members",
    }
    return line_chart(**(options | overrides))


def y_scale(root: ET.Element):
    """value(y) read back from the y tick labels' positions (the inverse of the chart's scale)."""
    ticks = [(float(t.get("y")), float(t.text.rstrip("%h ").replace(",", ""))) for t in y_tick_labels(root)]
    (y0, v0), (y1, v1) = ticks[0], ticks[-1]
    return lambda y: v0 + (y - y0) / (y1 - y0) * (v1 - v0)


def y_tick_labels(root: ET.Element) -> list[ET.Element]:
    group = next(g for g in root.iter(f"{SVG}g") if "chart-y-ticks" in g.get("class", ""))
    return list(group)


def x_label_texts(root: ET.Element) -> list[str]:
    """The x labels as drawn, the lines of a wrapped label joined by a space."""
    group = next(g for g in root.iter(f"{SVG}g") if "chart-x-labels" in g.get("class", ""))
    return [" ".join(text.itertext()) for text in group]


def points(polygon: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in polygon.get("points").split()]


# --- The chart SVG ------------------------------------------------------------------------------------------


def test_line_chart_is_well_formed_svg_labelled_by_its_title_and_desc():
    chart = members_chart()
    root = parse(chart.svg)

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 640 ")
    assert "chart-svg" in root.get("class").split()
    title_id, desc_id = root.get("aria-labelledby").split()
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Members")
    assert (desc.get("id"), desc.text) == (desc_id, "Last value 42 in Nov 2026.")
    assert title_id == "chart-membership-title"
    axis_titles = [t.text for t in all_of(root, "text", "chart-axis-title")]
    assert sorted(axis_titles) == ["Members", "Month"]


def test_pictures_use_classes_and_presentation_attributes_never_inline_styles():
    one = [Series("Core", [1], "level-core")]
    pictures = [
        members_chart().svg,
        stacked_area_chart(id="s", title="S", x_labels=["a"], series=one, x_label="X", y_label="Y").svg,
        bar_chart(id="b", title="B", x_labels=["a"], series=one, x_label="X", y_label="Y").svg,
        sparkline([1, 2], label="s"),
        level_bar([("Core", 1, "level-core")], label="l"),
    ]
    for svg in pictures:
        elements = list(parse(svg).iter())
        assert len(elements) > 2
        assert all("style" not in element.attrib for element in elements)


def test_line_has_one_marker_per_value_titled_with_label_and_value():
    root = parse(members_chart().svg)

    markers = all_of(root, "circle", "chart-marker")
    assert len(markers) == 12
    assert title_of(markers[-1]) == "Nov 2026: 42"
    assert title_of(markers[0]) == "Dec 2025: 12"
    assert len(all_of(root, "path", "chart-line")) == 1


def test_none_breaks_the_line_into_two_segments_and_gets_no_marker():
    values = [1, 2, 3, 4, 5, None, 7, 8, 9, 10, 11, 12]
    root = parse(members_chart(series=[Series("Members", values)]).svg)

    (path,) = all_of(root, "path", "chart-line")
    assert path.get("d").count("M") == 2
    assert len(all_of(root, "circle", "chart-marker")) == 11
    unbroken = parse(members_chart().svg)
    assert all_of(unbroken, "path", "chart-line")[0].get("d").count("M") == 1


def test_several_series_name_the_series_in_each_marker_title_and_the_desc():
    chart = members_chart(
        series=[Series("Members", [10] * 11 + [42]), Series("Active", [5] * 11 + [7], "series-2")],
    )
    root = parse(chart.svg)

    titles = [title_of(m) for m in all_of(root, "circle", "chart-marker")]
    assert "Members, Nov 2026: 42" in titles
    assert "Active, Nov 2026: 7" in titles
    assert root.find(f"{SVG}desc").text == "In Nov 2026: Members 42, Active 7."
    assert [p.get("class") for p in all_of(root, "path", "chart-line")] == [
        "chart-line series-1",
        "chart-line series-2",
    ]


def test_labels_are_escaped_once_and_the_svg_stays_well_formed():
    chart = line_chart(
        id="x",
        title="<script>alert(1)</script>",
        x_labels=['"&', "<b>bold</b>"],
        series=[Series('Core "&" <i>', [1, 2])],
        x_label="<x>",
        y_label="a & b",
    )
    svg = str(chart.svg)
    root = parse(svg)

    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&amp;lt;" not in svg  # not escaped twice
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"
    marker_titles = [title_of(m) for m in all_of(root, "circle", "chart-marker")]
    assert marker_titles == ['"&: 1', "<b>bold</b>: 2"]
    assert sorted(t.text for t in all_of(root, "text", "chart-axis-title")) == ["<x>", "a & b"]


def test_y_axis_ticks_are_nice_and_reach_past_the_maximum():
    root = parse(members_chart().svg)

    assert [t.text for t in y_tick_labels(root)] == ["0", "10", "20", "30", "40", "50"]
    grid_lines = [line for g in root.iter(f"{SVG}g") if g.get("class") == "chart-grid" for line in g]
    assert len(grid_lines) == 5  # one per tick above the zero line, which is drawn as the axis


@pytest.mark.parametrize("values", [[0] * 12, [None] * 12])
def test_a_chart_without_values_still_draws_an_axis_of_whole_numbers(values):
    """A community with nothing yet gets an axis 0, 1, 2, 3 (counts have no quarters)."""
    root = parse(members_chart(series=[Series("Members", values)]).svg)

    assert [t.text for t in y_tick_labels(root)] == ["0", "1", "2", "3"]
    assert "nan" not in ET.tostring(root, encoding="unicode").lower()
    if values[0] is None:
        assert all_of(root, "path", "chart-line") == []
        assert root.find(f"{SVG}desc").text == "No data yet."


@pytest.mark.parametrize(
    ("maximum", "integer", "expected"),
    [
        (0, False, [0, 0.25, 0.5, 0.75, 1]),
        (7, True, [0, 2, 4, 6, 8]),
        (42, True, [0, 10, 20, 30, 40, 50]),
        (100, True, [0, 25, 50, 75, 100]),
        (1234, True, [0, 250, 500, 750, 1000, 1250]),
        (63.3, False, [0, 25, 50, 75]),
        (1, True, [0, 1, 2, 3]),
    ],
)
def test_nice_ticks_for_typical_maxima(maximum, integer, expected):
    assert nice_ticks(0, maximum, integer=integer) == expected


@pytest.mark.parametrize("integer", [True, False])
def test_nice_ticks_always_cover_the_data_with_4_to_6_evenly_spaced_steps(integer):
    for maximum in [*range(1, 2001), 0.3, 2.7, 9.99, 12345.6]:
        ticks = nice_ticks(0, maximum, integer=integer)
        steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
        assert ticks[0] == 0 and ticks[-1] >= maximum, maximum
        assert 4 <= len(ticks) <= 6, (maximum, ticks)
        assert len(steps) == 1, (maximum, ticks)
        step = steps.pop()
        assert step / 10 ** math.floor(math.log10(step)) in (1, 2, 2.5, 5), (maximum, step)
        if integer:
            assert float(step).is_integer(), (maximum, ticks)


def test_nice_ticks_include_zero_for_negative_values():
    assert nice_ticks(-5, 10, integer=True) == [-5, 0, 5, 10]


def test_twelve_month_labels_are_all_shown_and_longer_runs_are_thinned_keeping_the_last():
    root = parse(members_chart().svg)
    assert x_label_texts(root) == MONTHS  # each written on two lines ("Dec" over "2025")

    weeks = [f"Week {n}" for n in range(1, 31)]
    long = line_chart(
        id="w", title="W", x_labels=weeks, series=[Series("A", list(range(30)))], x_label="Week", y_label="A"
    )
    shown = x_label_texts(parse(long.svg))
    assert 8 <= len(shown) <= 14
    assert shown[-1] == "Week 30"
    assert len(all_of(parse(long.svg), "circle", "chart-marker")) == 30


def test_long_x_labels_are_rotated_or_wrapped_and_shortened_but_kept_whole_in_the_table():
    names = ["An extraordinarily long activity name here", "Short", "Another rather long label"]
    chart = bar_chart(
        id="t", title="T", x_labels=names, series=[Series("n", [1, 2, 3])], x_label="X", y_label="Y"
    )
    drawn = x_label_texts(parse(chart.svg))

    assert drawn[0].endswith("…") and len(drawn[0]) <= 21
    assert [row[0] for row in chart.table_rows] == names


def test_stacked_area_draws_a_polygon_per_series_whose_top_is_the_column_sums():
    core, active, occasional = [1, 2, 3, 4], [2, None, 2, 5], [0, 3, 1, 6]
    chart = stacked_area_chart(
        id="levels",
        title="Members by level",
        x_labels=["Q1", "Q2", "Q3", "Q4"],
        series=[
            Series("Core group", core, "level-core"),
            Series("Active", active, "level-active"),
            Series("Occasional", occasional, "level-occasional"),
        ],
        x_label="Quarter",
        y_label="Members",
    )
    root = parse(chart.svg)
    value = y_scale(root)

    polygons = all_of(root, "polygon", "chart-area")
    assert [p.get("class") for p in polygons] == [
        "chart-area level-fill-core",
        "chart-area level-fill-active",
        "chart-area level-fill-occasional",
    ]
    assert [title_of(p) for p in polygons] == ["Core group", "Active", "Occasional"]
    sums = [c + (a or 0) + o for c, a, o in zip(core, active, occasional, strict=True)]
    top = [value(y) for _, y in points(polygons[-1])[:4]]
    assert top == pytest.approx(sums, abs=0.1)
    bottom_of_first = [value(y) for _, y in points(polygons[0])[4:]]
    assert bottom_of_first == pytest.approx([0, 0, 0, 0], abs=0.1)
    # None counts as 0: the second band is flat where Active has no value.
    active_top = [value(y) for _, y in points(polygons[1])[:4]]
    assert active_top[1] == pytest.approx(core[1], abs=0.1)
    assert root.find(f"{SVG}desc").text == "Total 15 in Q4: Core group 4, Active 5, Occasional 6."


def test_bars_are_grouped_one_rect_per_value_and_none_draws_nothing():
    chart = bar_chart(
        id="hours",
        title="Hours",
        x_labels=["Q1", "Q2", "Q3"],
        series=[Series("Meetings", [20, 40, None]), Series("Sessions", [10, None, 5], "series-3")],
        x_label="Quarter",
        y_label="Hours",
        unit="h",
    )
    root = parse(chart.svg)
    rects = all_of(root, "rect", "chart-bar")

    assert len(rects) == 4
    assert [title_of(r) for r in rects] == [
        "Meetings, Q1: 20 h",
        "Sessions, Q1: 10 h",
        "Meetings, Q2: 40 h",
        "Sessions, Q3: 5 h",
    ]
    heights = [float(r.get("height")) for r in rects]
    assert heights[2] == pytest.approx(2 * heights[0], abs=0.02)
    assert heights[0] == pytest.approx(2 * heights[1], abs=0.02)
    q1_meetings, q1_sessions = rects[0], rects[1]
    assert float(q1_sessions.get("x")) > float(q1_meetings.get("x"))  # side by side, not stacked
    assert [t.text for t in y_tick_labels(root)] == ["0 h", "10 h", "20 h", "30 h", "40 h"]


def test_table_rows_format_values_with_the_unit_and_a_dash_for_none():
    chart = line_chart(
        id="share",
        title="Share",
        x_labels=["A", "B", "C"],
        series=[Series("Active", [33.333, None, 100]), Series("Core", [1234, 0.5, 7], "series-2")],
        x_label="Week",
        y_label="Share",
        unit="%",
    )

    assert chart.table_rows == [("A", ["33.3%", "1,234%"]), ("B", [NO_VALUE, "0.5%"]), ("C", ["100%", "7%"])]
    assert NO_VALUE == "\N{EN DASH}"
    assert format_value(7.5, "h") == "7.5 h"
    assert format_value(None) == NO_VALUE


def test_charts_reject_values_that_do_not_match_their_labels_and_unknown_classes():
    with pytest.raises(ValueError, match="has 2 values for 12 x labels"):
        members_chart(series=[Series("Members", [1, 2])])
    with pytest.raises(ValueError, match="css_class"):
        Series("x", [1], "text-danger")
    with pytest.raises(ValueError, match="slug"):
        members_chart(id='a"b')
    with pytest.raises(ValueError, match="negative"):
        stacked_area_chart(
            id="s", title="S", x_labels=["a"], series=[Series("x", [-1])], x_label="X", y_label="Y"
        )
    with pytest.raises(TypeError):
        Series("x", ["12"])


def test_a_series_maps_level_classes_to_the_shared_fill_and_swatch_classes():
    assert Series("Core", [], "level-core").svg_class == "level-fill-core"
    assert Series("Core", [], "level-core").swatch_class == "level-swatch level-core"
    assert Series("A", [], "series-3").svg_class == "series-3"
    assert Series("A", [], "series-3").swatch_class == "chart-swatch swatch-series-3"


# --- Sparkline and level bar ----------------------------------------------------------------------------------


def test_sparkline_is_a_labelled_image_whose_line_breaks_at_none():
    svg = sparkline([4, 5, None, 6, 8, 9], label="Active members over 6 weeks: 4, 5, none, 6, 8, 9")
    root = parse(svg)

    assert (root.get("role"), root.get("aria-label")) == (
        "img",
        "Active members over 6 weeks: 4, 5, none, 6, 8, 9",
    )
    assert (root.get("width"), root.get("height")) == ("120", "32")
    assert not root.findall(f"{SVG}line") and not root.findall(f"{SVG}text")  # no axes
    (path,) = all_of(root, "path", "sparkline-line")
    assert path.get("d").count("M") == 2
    (dot,) = all_of(root, "circle", "sparkline-dot")
    assert float(dot.get("cx")) == pytest.approx(117) and float(dot.get("cy")) == pytest.approx(
        3
    )  # last = highest


def test_sparkline_of_nothing_or_one_value_is_still_a_valid_labelled_image():
    empty = parse(sparkline([None, None, None], label="No data <yet>"))
    assert empty.get("aria-label") == "No data <yet>"
    assert len(all_of(empty, "line", "sparkline-empty")) == 1
    assert not all_of(empty, "path") and not all_of(empty, "circle")

    single = parse(sparkline([5], label="One week: 5", width=60, height=20))
    assert not all_of(single, "path")
    (dot,) = all_of(single, "circle")
    assert (float(dot.get("cx")), float(dot.get("cy"))) == (30, 10)
    assert parse(sparkline([], label="none")).get("role") == "img"


def test_level_bar_segments_are_proportional_sum_to_the_width_and_skip_zero_counts():
    parts = [
        ("Core group", 4, "level-core"),
        ("Active", 0, "level-active"),
        ("Occasional", 3, "level-occasional"),
        ("Peripheral", 1, "level-peripheral"),
    ]
    root = parse(level_bar(parts, label="Members by level: core 4, occasional 3, peripheral 1"))

    assert (root.get("role"), root.get("aria-label")) == (
        "img",
        "Members by level: core 4, occasional 3, peripheral 1",
    )
    rects = all_of(root, "rect")
    assert [r.get("class") for r in rects] == [
        "level-fill-core",
        "level-fill-occasional",
        "level-fill-peripheral",
    ]
    assert [title_of(r) for r in rects] == ["Core group: 4", "Occasional: 3", "Peripheral: 1"]
    assert [float(r.get("width")) for r in rects] == [80, 60, 20]
    assert [float(r.get("x")) for r in rects] == [0, 80, 140]


def test_level_bar_widths_add_up_exactly_when_they_do_not_divide_evenly():
    root = parse(
        level_bar([("A", 1, "level-core"), ("B", 1, "level-active"), ("C", 1, "series-2")], label="x")
    )
    widths = [float(r.get("width")) for r in all_of(root, "rect")]
    assert sum(widths) == pytest.approx(160, abs=1e-9)
    assert max(widths) - min(widths) <= 0.02


def test_level_bar_with_no_members_is_an_empty_track():
    root = parse(
        level_bar([("Core group", 0, "level-core"), ("Active", 0, "level-active")], label="No members")
    )
    (track,) = all_of(root, "rect")
    assert track.get("class") == "level-empty"
    assert float(track.get("width")) == 160
    with pytest.raises(ValueError):
        level_bar([("Core group", -1, "level-core")], label="x")


# --- The template partial ---------------------------------------------------------------------------------------


class _Collector(HTMLParser):
    """Start tags with their attributes, and the text inside each element (for checks on rendered HTML)."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: dict[str, list[str]] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data):
        for tag in set(self._open):
            self.text.setdefault(tag, []).append(data)

    def find(self, tag, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def joined(self, tag) -> str:
        return re.sub(r"\s+", " ", "".join(self.text.get(tag, []))).strip()


def render(chart: Chart, **context) -> tuple[str, _Collector]:
    html = render_to_string("insights/_chart.html", {"chart": chart, **context})
    collector = _Collector()
    collector.feed(html)
    return html, collector


def test_partial_shows_the_figure_with_caption_svg_legend_and_a_table_of_the_numbers():
    chart = members_chart(
        title="Members & active",
        series=[Series("Members", [10] * 11 + [42]), Series("Active", [5] * 10 + [None, 7], "level-active")],
    )
    html, page = render(chart)

    assert page.find("figure", id="chart-membership")
    assert page.joined("figcaption") == "Members & active"
    assert str(chart.svg) in html
    swatches = [a["class"] for a in page.find("span") if "swatch" in a.get("class", "")]
    assert swatches == [
        "chart-swatch swatch-series-1 chart-swatch-line",
        "level-swatch level-active chart-swatch-line",
    ]
    assert page.joined("summary") == "Numbers for “Members & active”"
    assert page.joined("caption") == "Members & active (Members)"
    assert [a["scope"] for a in page.find("th") if a.get("scope") == "col"] == ["col"] * 3
    assert len(page.find("th", scope="row")) == 12
    assert len(page.find("tr")) == 13
    assert len(page.find("td")) == 24
    # The missing Active value: a dash to see, words to hear.
    assert f'<span aria-hidden="true">{NO_VALUE}</span><span class="visually-hidden">no data</span>' in html
    assert html.count("no data") == 1
    assert "Download CSV" not in html


def test_partial_links_the_csv_only_when_given_a_url():
    html, page = render(members_chart(), csv_url="/insights/membership.csv?community=x&period=12")

    (link,) = [a for a in page.find("a") if "download" in a]
    assert link["href"] == "/insights/membership.csv?community=x&period=12"
    assert 'href="/insights/membership.csv?community=x&amp;period=12" download>Download CSV</a>' in html


def test_partial_escapes_titles_and_labels():
    chart = line_chart(
        id="x",
        title="<script>alert(1)</script>",
        x_labels=["<b>"],
        series=[Series("<img src=x>", [1])],
        x_label="<i>",
        y_label="Y",
    )
    html, page = render(chart)

    assert "<script>" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert page.joined("figcaption") == "<script>alert(1)</script>"
    assert page.joined("summary") == "Numbers for “<script>alert(1)</script>”"
