"""CSV downloads (insights.exports): formula-safe cells, numbers kept as numbers, safe filenames, chart rows."""

import csv
import io
import re
from decimal import Decimal

import pytest

from core.csv_files import csv_response, safe_filename
from insights.charts import Series, bar_chart
from insights.exports import chart_csv_rows


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_csv_response_is_a_utf8_csv_attachment_with_header_then_rows():
    response = csv_response(
        filename="members.csv", header=["Month", "Members"], rows=[["Nov 2026", 42], ("Déc", 1)]
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="members.csv"'
    assert read_csv(response) == [["Month", "Members"], ["Nov 2026", "42"], ["Déc", "1"]]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@me", "'@me"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-3", "'-3"),  # a negative number typed as text is still text
        ("Core group", "Core group"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_cells_that_a_spreadsheet_would_run_as_formulas_get_an_apostrophe(cell, written):
    response = csv_response(filename="x.csv", header=["h"], rows=[[cell]])
    assert read_csv(response)[1] == [written]


def test_numbers_stay_numbers_even_when_negative():
    response = csv_response(
        filename="x.csv", header=["a", "b", "c", "d", "e"], rows=[[-3, -2.5, 0, Decimal("-1.50"), 7]]
    )

    assert read_csv(response)[1] == ["-3", "-2.5", "0", "-1.50", "7"]


def test_header_cells_are_neutralized_too():
    response = csv_response(filename="x.csv", header=["Month", "=cmd|' /C calc'!A0"], rows=[])
    assert read_csv(response) == [["Month", "'=cmd|' /C calc'!A0"]]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("membership-2026.csv", "membership-2026.csv"),
        ('Members "Q1"; rm -rf /.csv', "Members-Q1-rm-rf-.csv"),
        ("../../etc/passwd", "etc-passwd.csv"),
        ("Health \N{EN DASH} Café Naïve", "Health-Caf-Na-ve.csv"),
        ("report\r\nSet-Cookie: x=1", "report-Set-Cookie-x-1.csv"),
        ("", "export.csv"),
        ("...", "export.csv"),
    ],
)
def test_filename_is_reduced_to_safe_characters(given, expected):
    assert safe_filename(given) == expected
    response = csv_response(filename=given, header=["h"], rows=[])
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+"', response["Content-Disposition"])
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_chart_csv_rows_give_raw_values_with_empty_cells_for_none():
    chart = bar_chart(
        id="hours",
        title="Hours",
        x_labels=["Q1", "Q2", "Q3"],
        series=[Series("Meetings", [12.5, None, -3]), Series("=Sessions", [7, 9, None], "series-2")],
        x_label="Quarter",
        y_label="Hours",
        unit="h",
    )

    header, rows = chart_csv_rows(chart)

    assert header == ["Quarter", "Meetings", "=Sessions"]
    assert rows == [["Q1", 12.5, 7], ["Q2", "", 9], ["Q3", -3, ""]]
    response = csv_response(filename="hours.csv", header=header, rows=rows)
    assert read_csv(response) == [
        ["Quarter", "Meetings", "'=Sessions"],
        ["Q1", "12.5", "7"],
        ["Q2", "", "9"],
        ["Q3", "-3", ""],
    ]
