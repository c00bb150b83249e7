"""metric_status.xlsx and survey_estimates.xlsx: the CSVs' figures, laid out as the GSS guidance
"Releasing statistics in spreadsheets" asks, checked point by point with openpyxl.

The workbooks are made as a run makes them (the appendices' data files, without the notebooks):
the tiny fixture (v1), Bolsover's published register (v2: milestones, tiers, the council's words)
and the demo survey (with groups suppressed below min_cell).
"""

import csv
import datetime as dt
import math
import re

import openpyxl
import pytest

import perfkit as pk
from perfkit.appendices import QUARTERLY, SURVEY
from perfkit.publish.spreadsheets import METRIC_STATUS_HEADINGS, SURVEY_ESTIMATES_HEADINGS, metric_status_xlsx
from tests.support import FIXTURES, ROOT

REAL = ROOT / "tests" / "data" / "real"
CASES = {"tiny": (FIXTURES / "tiny", "2024/25 Q2"), "bolsover": (REAL / "bolsover", None)}
SHORTHAND_CELL = re.compile(r"^\[[a-z]+\]$")


@pytest.fixture(scope="module", params=list(CASES))
def metric_files(request, tmp_path_factory):
    folder, quarter = CASES[request.param]
    register = pk.load_register(folder)
    q = pk.parse_quarter(quarter) if quarter else register.latest_quarter()
    out = tmp_path_factory.mktemp(request.param)
    made = QUARTERLY.data_files(register, q, out)
    assert [p.name for p in made] == ["metric_status.csv", "metric_status.xlsx"]
    return out / "metric_status.csv", out / "metric_status.xlsx"


@pytest.fixture(scope="module")
def survey_files(tmp_path_factory):
    register = pk.load_register(ROOT / "data" / "demo")
    out = tmp_path_factory.mktemp("survey")
    made = SURVEY.data_files(register, pk.parse_quarter("2024/25 Q2"), out)
    assert [p.name for p in made] == ["survey_estimates.csv", "survey_estimates.xlsx", "survey_weighting.json"]
    return out / "survey_estimates.csv", out / "survey_estimates.xlsx"


@pytest.fixture(params=["metric_status", "survey_estimates"])
def book(request, metric_files, survey_files):
    path = (metric_files if request.param == "metric_status" else survey_files)[1]
    return openpyxl.load_workbook(path)


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _table_sheets(wb):
    return [ws for ws in wb.worksheets if ws.title not in ("Cover", "Contents", "Notes")]


def _table(ws):
    """The sheet's one Excel table: its headings and its rows of values, as openpyxl reads them."""
    (table,) = ws.tables.values()
    rows = [[c.value for c in row] for row in ws[table.ref]]
    return rows[0], rows[1:]


def _by_csv_column(headings, rows, names):
    """The table's rows as {CSV column: value}, the column found by its heading's first line."""
    first = {text: col for col, (text, _) in names.items()}
    keys = [first.get(h.split("\n")[0], h.split("\n")[0]) for h in headings]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _same(csv_text, cell, column):
    """Whether a cell holds the CSV's figure: numbers equal, true/false as TRUE/FALSE, dates as dates,
    an empty CSV cell as a shorthand, text as text (the CSV's leading ' against formulas aside)."""
    if csv_text == "":
        return isinstance(cell, str) and SHORTHAND_CELL.match(cell) is not None
    if csv_text in ("true", "false"):
        return cell is (csv_text == "true")
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() == csv_text
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        # Excel keeps 15 significant figures (XlsxWriter writes 16): the CSV's figure to that precision
        return math.isclose(float(csv_text), cell, rel_tol=1e-15, abs_tol=0)
    return cell == csv_text or csv_text == "'" + cell


# --- the figures ---------------------------------------------------------------------------------


def test_metric_status_xlsx_equals_the_csv_figure_for_figure(metric_files):
    csv_path, xlsx_path = metric_files
    expected = _csv(csv_path)
    (ws,) = _table_sheets(openpyxl.load_workbook(xlsx_path))
    got = _by_csv_column(*_table(ws), METRIC_STATUS_HEADINGS)
    assert len(got) == len(expected) > 0
    for want, have in zip(expected, got, strict=True):
        for column, text in want.items():
            assert _same(text, have[column], column), (want["code"], column, text, have[column])


def test_the_figures_are_numbers_with_the_hand_worked_values(metric_files):
    csv_path, xlsx_path = metric_files
    if csv_path.parent.name.startswith("tiny"):
        (ws,) = _table_sheets(openpyxl.load_workbook(xlsx_path))
        rows = {r["code"]: r for r in _by_csv_column(*_table(ws), METRIC_STATUS_HEADINGS)}
        # tiny's A1: 84.3 against 95 with 5% tolerance, red and also red in Q1 (tests/test_assess.py)
        a1 = rows["A1"]
        assert (a1["value"], a1["target"], a1["status"], a1["exception"], a1["persistent_exception"]) == (
            84.3,
            95,
            "red",
            True,
            True,
        )
        # A6 is not due: no figure, and none applies; A7 is due with none given
        assert rows["A6"]["value"] == "[z]" and rows["A7"]["value"] == "[x]"
        # A9 is a trend metric: a target does not apply
        assert rows["A9"]["target"] == "[z]"
    else:  # Bolsover 2023/24 Q1: a milestone has no value or target to give; CUS.07 is under review
        (ws,) = _table_sheets(openpyxl.load_workbook(xlsx_path))
        rows = {r["code"]: r for r in _by_csv_column(*_table(ws), METRIC_STATUS_HEADINGS)}
        cus02 = rows["CUS.02"]
        assert (cus02["kind"], cus02["value"], cus02["target"], cus02["status_label"]) == (
            "milestone",
            "[z]",
            "[z]",
            "On track",
        )
        assert cus02["due"] == dt.datetime(2022, 12, 31) and rows["CUS.01"]["due"] == "[x]"
        cus07 = rows["CUS.07"]
        assert (cus07["value"], cus07["target"], cus07["status_label"]) == ("[x]", 20, "Under review")


def test_survey_estimates_xlsx_equals_the_csv_figure_for_figure(survey_files):
    csv_path, xlsx_path = survey_files
    expected = _csv(csv_path)
    (ws,) = _table_sheets(openpyxl.load_workbook(xlsx_path))
    got = _by_csv_column(*_table(ws), SURVEY_ESTIMATES_HEADINGS)
    assert len(got) == len(expected) > 0
    for want, have in zip(expected, got, strict=True):
        for column, text in want.items():
            assert _same(text, have[column], column), (want["question"], want["group"], column, text, have[column])


def test_suppressed_estimates_are_c_and_keep_n(survey_files):
    _csv_path, xlsx_path = survey_files
    (ws,) = _table_sheets(openpyxl.load_workbook(xlsx_path))
    rows = _by_csv_column(*_table(ws), SURVEY_ESTIMATES_HEADINGS)
    suppressed = [r for r in rows if r["suppressed"] is True]
    # the demo's Black or Black British group: 5 respondents answered satisfied_council, below min_cell = 10
    black = next(
        r for r in suppressed if r["question"] == "satisfied_council" and r["group"] == "Black or Black British"
    )
    assert black["n"] == 5
    assert suppressed and all(
        r[c] == "[c]" for r in suppressed for c in ("pct", "se", "ci_low", "ci_high", "change", "p_vs_rest")
    )
    assert all(isinstance(r["n"], int) and r["n"] < 10 for r in suppressed)
    # and nothing that is not suppressed is withheld
    assert not any(v == "[c]" for r in rows if r["suppressed"] is False for v in r.values())


# --- the guidance, point by point ----------------------------------------------------------------


def test_cover_sheet_comes_first_with_a_title_in_a1(book):
    cover = book.worksheets[0]
    assert cover.title == "Cover"
    assert cover["A1"].value and ("Council" in cover["A1"].value)
    text = " ".join(str(c.value) for row in cover.iter_rows() for c in row if c.value)
    assert "published beside this file" in text  # says what the workbook is and where its twin is


def test_a_contents_sheet_lists_and_links_every_table_sheet(book):
    contents = book.worksheets[1]
    assert contents.title == "Contents"
    headings, rows = _table(contents)
    assert headings[:2] == ["Sheet name", "Table description"]
    listed = [r[0] for r in rows]
    assert listed == [ws.title for ws in _table_sheets(book)]
    links = {c.value: c.hyperlink.location for row in contents.iter_rows() for c in row if c.hyperlink}
    assert links == {name: f"'{name}'!A1" for name in listed}


def test_a_notes_sheet_explains_every_note_marked_in_a_heading(book):
    notes = book["Notes"]
    headings, rows = _table(notes)
    assert headings == ["Note number", "Note text"]
    numbers = {r[0] for r in rows}
    marked = {
        int(n) for ws in _table_sheets(book) for h in _table(ws)[0] for n in re.findall(r"\[note (\d+)\]", h or "")
    }
    assert marked and marked <= numbers


def test_every_shorthand_used_is_explained_in_the_notes(book):
    notes = " ".join(str(r[1]) for r in _table(book["Notes"])[1])
    used = {v for ws in _table_sheets(book) for row in _table(ws)[1] for v in row if isinstance(v, str)}
    used = {v for v in used if SHORTHAND_CELL.match(v)}
    assert used, "each table here has a missing figure to mark"
    for mark in used:
        assert f"{mark} means" in notes, mark


def test_suppression_is_marked_c_and_the_notes_say_why(survey_files):
    wb = openpyxl.load_workbook(survey_files[1])
    notes = " ".join(str(r[1]) for r in _table(wb["Notes"])[1])
    assert "[c] means confidential" in notes and "fewer than 10 respondents" in notes


def test_one_table_per_sheet_marked_as_an_excel_table_with_a_header_row(book):
    for ws in book.worksheets[1:]:
        assert len(ws.tables) == 1, ws.title
        (table,) = ws.tables.values()
        assert table.headerRowCount in (None, 1)  # the default, one header row
        # the table reaches the sheet's last row and column: nothing sits beside or below it
        _first, last = table.ref.split(":")
        end = openpyxl.utils.cell.coordinate_from_string(last)
        assert (openpyxl.utils.column_index_from_string(end[0]), end[1]) == (ws.max_column, ws.max_row)
    assert not book.worksheets[0].tables  # the cover is text only


def test_table_names_are_unique_without_spaces(book):
    names = [name for ws in book.worksheets for name in ws.tables]
    assert len(names) == len(set(names)) and all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", n) for n in names)


def test_no_merged_cells(book):
    assert all(not ws.merged_cells.ranges for ws in book.worksheets)


def test_no_blank_rows_columns_or_cells_inside_tables(book):
    for ws in book.worksheets[1:]:
        headings, rows = _table(ws)
        assert all(h not in (None, "") for h in headings), ws.title
        assert all(v is not None and v != "" for row in rows for v in row), ws.title


def test_text_above_a_table_is_in_column_a_with_no_blank_rows(book):
    for ws in book.worksheets:
        start = int(re.match(r"[A-Z]+(\d+)", next(iter(ws.tables.values())).ref).group(1)) if ws.tables else None
        above = range(1, (start or ws.max_row + 1))
        assert ws["A1"].value, f"{ws.title}: a title in A1"
        for r in above:
            assert all(ws.cell(r, c).value is None for c in range(2, ws.max_column + 1)), (ws.title, r)
            if ws.tables:
                assert ws.cell(r, 1).value, (ws.title, r)


def test_units_are_in_the_headings_of_columns_of_figures(book):
    for ws in _table_sheets(book):
        headings, rows = _table(ws)
        for i, heading in enumerate(headings):
            values = [row[i] for row in rows]
            if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                assert re.search(r"\n\([^)]+\)", heading), heading
        # a percentage says so
        assert any("(%)" in h for h in headings) or any("Unit" == h for h in headings)


def test_headings_are_unique(book):
    for ws in book.worksheets[1:]:
        headings, _ = _table(ws)
        assert len(headings) == len(set(headings)), ws.title


def test_sheet_names_are_short_plain_and_unique(book):
    names = book.sheetnames
    assert len(names) == len(set(names))
    assert all(len(n) <= 31 and re.fullmatch(r"[A-Za-z0-9_]+", n) for n in names)
    assert names[:3] == ["Cover", "Contents", "Notes"]


def test_nothing_is_hidden(book):
    assert all(ws.sheet_state == "visible" for ws in book.worksheets)
    for ws in book.worksheets:
        assert not any(d.hidden for d in ws.column_dimensions.values())
        assert not any(d.hidden for d in ws.row_dimensions.values())


def test_no_formulas_and_the_same_data_makes_the_same_bytes(book, metric_files):
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
    register = pk.load_register(FIXTURES / "tiny")
    table = pk.assess(register, "2024/25 Q2")
    assert metric_status_xlsx(table, "Tiny", "2024/25 Q2") == metric_status_xlsx(table, "Tiny", "2024/25 Q2")


def test_text_a_council_wrote_stays_text(tmp_path):
    # A formula, markdown links (gptables would make the first a link and refuse two) and a dash.
    table = pk.assess(pk.load_register(FIXTURES / "tiny"), "2024/25 Q2")
    odd = ['=HYPERLINK("http://x","y")', "See [the plan](p) and [the minutes](m)", "-"]
    table.loc[:2, "commentary"] = odd
    path = tmp_path / "m.xlsx"
    path.write_bytes(metric_status_xlsx(table, "Tiny", "2024/25 Q2"))
    (ws,) = _table_sheets(openpyxl.load_workbook(path))
    rows = _by_csv_column(*_table(ws), METRIC_STATUS_HEADINGS)
    assert [r["commentary"] for r in rows[:3]] == [odd[0], odd[1], "[x]"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" and c.hyperlink is None for c in cells)


def test_respondent_level_data_is_never_in_the_survey_workbook(survey_files):
    csv_path, xlsx_path = survey_files
    wb = openpyxl.load_workbook(xlsx_path)
    (ws,) = _table_sheets(wb)
    headings, rows = _table(ws)
    # one row per question × group, as the CSV: 5 questions, All and each group of the breakdowns
    assert len(rows) == len(_csv(csv_path))
    assert not any(re.search(r"respondent id|weight\b", h, re.IGNORECASE) for h in headings)


def test_true_false_and_dates_are_shown_as_such(book):
    # LibreOffice shows a TRUE/FALSE cell by its number format (1, 0.00) unless it is this one; dates as dates
    for ws in _table_sheets(book):
        (table,) = ws.tables.values()
        for row in ws[table.ref][1:]:
            for c in row:
                if isinstance(c.value, bool):
                    assert c.number_format == '"TRUE";"TRUE";"FALSE"', (ws.title, c.coordinate)
                elif isinstance(c.value, dt.datetime):
                    assert c.number_format == "yyyy-mm-dd", (ws.title, c.coordinate)


def test_each_column_is_wide_enough_for_its_heading_words(book):
    for ws in _table_sheets(book):
        headings, _ = _table(ws)
        for i, heading in enumerate(headings, start=1):
            longest_word = max(len(w) for w in heading.split())
            width = ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width
            assert width >= longest_word, (ws.title, heading, width)


def test_a_table_with_only_the_v1_columns_still_makes_a_workbook(tmp_path):
    from perfkit.publish.data_files import METRIC_STATUS_V1_COLUMNS

    table = pk.assess(pk.load_register(FIXTURES / "tiny"), "2024/25 Q2")[[*METRIC_STATUS_V1_COLUMNS, "decimals"]]
    path = tmp_path / "v1.xlsx"
    path.write_bytes(metric_status_xlsx(table, "Tiny", "2024/25 Q2"))
    (ws,) = _table_sheets(openpyxl.load_workbook(path))
    rows = {r["code"]: r for r in _by_csv_column(*_table(ws), METRIC_STATUS_HEADINGS)}
    assert (rows["A1"]["value"], rows["A1"]["target"], rows["A1"]["Unit"]) == (84.3, 95, "[x]")
    assert rows["A1"]["commentary"] == "[x]" and rows["A1"]["tier"] == "[z]"


def test_each_figure_is_shown_to_its_metric_s_decimal_places(metric_files):
    # metrics.csv's decimals, blank meaning 1 (DESIGN.md §3); the table's cells are written row by row
    csv_path, xlsx_path = metric_files
    folder = CASES[csv_path.parent.name.rstrip("0123456789")][0]
    decimals = {r["code"]: int(r["decimals"] or 1) for r in _csv(folder / "metrics.csv")}
    (ws,) = _table_sheets(openpyxl.load_workbook(xlsx_path))
    (table,) = ws.tables.values()
    headings = [c.value.split("\n")[0] for c in ws[table.ref][0]]
    code, value, target = (headings.index(METRIC_STATUS_HEADINGS[c][0]) for c in ("code", "value", "target"))
    shown = set()
    for row in ws[table.ref][1:]:
        places = decimals[row[code].value]
        for c in (row[value], row[target]):
            if isinstance(c.value, (int, float)):
                assert c.number_format == ("0" if places == 0 else "0." + "0" * places), (row[code].value, places)
                shown.add(places)
    assert {0, 1} <= shown  # whole numbers and tenths in one column: the format is each row's


def test_survey_figures_are_shown_to_one_decimal_place_and_p_values_to_three(survey_files):
    (ws,) = _table_sheets(openpyxl.load_workbook(survey_files[1]))
    headings, _ = _table(ws)
    (table,) = ws.tables.values()
    first = {text: col for col, (text, _) in SURVEY_ESTIMATES_HEADINGS.items()}
    columns = [first[h.split("\n")[0]] for h in headings]
    for row in ws[table.ref][1:]:
        for column, c in zip(columns, row, strict=True):
            if isinstance(c.value, float):
                assert c.number_format == ("0.000" if column.startswith("p_") else "0.0"), (column, c.coordinate)


def test_columns_of_numbers_are_right_aligned_with_their_headings_and_text_left(book):
    # The Analysis Function's guidance on tables: numbers right-aligned, and a heading aligned as its column.
    for ws in _table_sheets(book):
        (table,) = ws.tables.values()
        cells = list(ws[table.ref])
        for col, heading in enumerate(cells[0]):
            column = [row[col] for row in cells[1:]]
            numbers = any(isinstance(c.value, (int, float)) and not isinstance(c.value, bool) for c in column)
            want = "right" if numbers else "left"
            assert heading.alignment.horizontal == want, (ws.title, heading.value)
            assert all(c.alignment.horizontal == want for c in column), (ws.title, heading.value)
