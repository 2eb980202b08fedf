"""A chart's numbers as CSV rows (written out by `core.csv_files.csv_response`, safe in a spreadsheet)."""

from __future__ import annotations

from insights.charts import Chart


def chart_csv_rows(chart: Chart) -> tuple[list[str], list[list]]:
    """A chart's numbers: a header (the x axis title, then each series' name) and a row of raw values per x
    label, with "" where a series has no value."""
    header = [chart.x_label, *(series.name for series in chart.series)]
    rows = [
        [label, *("" if series.values[index] is None else series.values[index] for series in chart.series)]
        for index, label in enumerate(chart.x_labels)
    ]
    return header, rows
