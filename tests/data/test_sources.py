"""Reading tables: CSV (fast and row-by-row readers agree), workbooks (read only as far as the values), TOML."""

import io
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from perfkit.data.sources import (
    _csv_records,
    _csv_records_one_by_one,
    _scan_sheet_xml,
    _table,
    column_letter,
    decode_text,
    read_sources,
    read_toml,
)
from perfkit.errors import Problem


def test_decode_text_reads_what_excel_and_notepad_save():
    assert decode_text("£5 – café".encode("cp1252")) == "£5 – café"
    assert decode_text(b"\xef\xbb\xbfcode") == "code"
    assert decode_text("code,period".encode("utf-16")) == "code,period"
    assert decode_text("ünïcode".encode()) == "ünïcode"


def test_utf8_with_a_stray_byte_stays_utf8_and_windows_1252_stays_windows_1252():
    damaged = "– café – naïve".encode() + b" \xe9"  # one byte from a Windows-1252 save
    assert decode_text(damaged) == "– café – naïve \ufffd"
    # Windows-1252 text that happens to hold one valid UTF-8 sequence (é€… is E9 80 85)
    assert decode_text("né€… – café".encode("cp1252")) == "né€… – café"


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702, 16383)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]


def table(text: str) -> tuple:
    problems: list[Problem] = []
    records = _csv_records(text.encode(), "t.csv", problems)
    return _table(records, "t.csv", problems, controls=False), problems


def test_rows_are_numbered_as_excel_shows_them_across_quoted_line_breaks_and_blank_lines():
    (frame, header_row), problems = table('\ncode,text\nA,"two\nlines"\n\nB,x\n')
    assert header_row == 2 and problems == []
    assert frame.to_dict("list") == {"row": [3, 5], "code": ["A", "B"], "text": ["two\nlines", "x"]}


def test_headers_are_trimmed_lowercased_and_spaces_collapsed():
    (frame, _), _ = table(" Code ,\ufeffNUMERATOR, commentary  text\nA,1,x\n")
    assert list(frame.columns) == ["row", "code", "numerator", "commentary text"]


cell = st.text(alphabet='ab ,"\n\r;', max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cell, min_size=1, max_size=4), min_size=1, max_size=6))
def test_the_fast_reader_and_the_row_by_row_reader_agree(rows):
    """pandas' C parser and the csv module read any well-formed CSV whose first row is its header alike.

    (Blank rows above the header are read by the csv module only, as the C parser takes the number
    of columns from the first row.)
    """
    import csv

    assume(any(c.strip() for c in rows[0]))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    text = buffer.getvalue()
    fast_problems: list[Problem] = []
    slow_problems: list[Problem] = []
    fast = _csv_records(text.encode(), "t.csv", fast_problems)
    slow = _csv_records_one_by_one(text, "", "t.csv", slow_problems)
    if fast_problems or slow_problems:  # rows longer than the first one: both name the same rows
        assert fast_problems == slow_problems
        return
    fast_table = _table(fast, "t.csv", [], controls=False)
    slow_table = _table(slow, "t.csv", [], controls=False)
    if fast_table is None or slow_table is None:
        assert fast_table is slow_table is None
        return
    assert fast_table[1] == slow_table[1]
    assert fast_table[0].to_dict("list") == slow_table[0].to_dict("list")


# --- the sheet XML scan ------------------------------------------------------------------------------


def sheet_xml(rows: list[str], prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f' xmlns:{prefix}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if prefix else ""
    return (
        f'<?xml version="1.0"?><{p}worksheet{ns}><{p}sheetData>' + "".join(rows) + f"</{p}sheetData>"
        f'<{p}mergeCells count="1"><{p}mergeCell ref="A2:A3"/></{p}mergeCells></{p}worksheet>'
    ).encode()


@pytest.mark.parametrize("prefix", ["", "x"])
def test_the_scan_finds_the_last_row_with_a_value_not_the_last_formatted_row(prefix):
    p = f"{prefix}:" if prefix else ""
    rows = [
        f'<{p}row r="1"><{p}c r="A1" t="s"><{p}v>0</{p}v></{p}c></{p}row>',
        f'<{p}row r="2" spans="1:3"><{p}c r="A2" t="inlineStr"><{p}is><{p}t>x</{p}t></{p}is></{p}c></{p}row>',
        f'<{p}row r="7"><{p}c r="B7"><{p}v>3.5</{p}v></{p}c><{p}c r="C7" s="1"/></{p}row>',
        *[f'<{p}row r="{r}" s="2" customFormat="1"><{p}c r="A{r}" s="2"/></{p}row>' for r in range(8, 200)],
        f'<{p}row r="1048576" s="2" customFormat="1"/>',
    ]
    assert _scan_sheet_xml(io.BytesIO(sheet_xml(rows, prefix))) == (7, ["A2:A3"], [])


def test_the_scan_finds_formulas_whose_result_was_never_saved():
    rows = [
        '<row r="2"><c r="C2"><f>A2*100</f></c><c r="D2"><f t="shared" si="0"/></c><c r="E2"><f>1</f><v /></c></row>',
        '<row r="3"><c r="C3" t="str"><f>A3</f><v></v></c><c r="D3"><f>B3</f><v>4</v></c></row>',
    ]
    assert _scan_sheet_xml(io.BytesIO(sheet_xml(rows))).uncalculated == ["C2", "D2", "E2"]


def test_the_scan_of_a_sheet_without_values_or_row_numbers():
    assert _scan_sheet_xml(io.BytesIO(sheet_xml(['<row r="5" s="1"/>'])))[0] == 0
    assert _scan_sheet_xml(io.BytesIO(sheet_xml(["<row><c><v>1</v></c></row>"])))[0] is None  # read every row


@pytest.mark.parametrize("shift", [*range(-12, 12), *range(-600, -500, 7)])
def test_the_scan_is_right_whichever_way_a_tag_falls_across_its_1_mb_reads(shift):
    """The last value's row and tags cut by the 1 MB read boundary, at every offset around it."""
    value_row = '<row r="4242" spans="1:2" x14ac:dyDescent="0.25"><c r="A4242"><v>12</v></c></row>'
    head = sheet_xml([])[: sheet_xml([]).index(b"</sheetData>")].decode()
    pad_rows = (1 << 20) - len(head) - value_row.index("</v>") + shift
    filler = '<row r="1"><c r="A1"/></row>'
    pad = filler * (pad_rows // len(filler)) + " " * (pad_rows % len(filler))
    xml = sheet_xml([pad, value_row, '<row r="5000" s="1"><c r="A5000" s="1"/></row>'])
    assert _scan_sheet_xml(io.BytesIO(xml))[0] == 4242


# --- files and settings -------------------------------------------------------------------------------


def test_the_workbook_is_opened_once_for_all_its_sheets(tmp_path, monkeypatch):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "metrics"
    book.active.append(["code"])
    for name in ("targets", "actuals"):
        book.create_sheet(name).append(["code"])
    book.save(tmp_path / "register.xlsx")
    opened = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(k) or real(*a, **k))
    tables = read_sources(tmp_path, ("metrics", "targets", "actuals"), [])
    assert all(t is not None for t in tables.values())
    assert opened == [{"read_only": True, "data_only": True}]


def test_read_toml_names_the_line_of_a_mistake(tmp_path):
    (tmp_path / "s.toml").write_text('name = "x"\nname = "y"\n')
    problems: list[Problem] = []
    assert read_toml(tmp_path / "s.toml", "s.toml", problems) is None
    assert problems[0].message == "The file is not valid TOML (Cannot overwrite a value (at line 2, column 11))."


def test_read_toml_reads_a_settings_file(tmp_path):
    (tmp_path / "s.toml").write_bytes(b'\xef\xbb\xbfname = "Caf\xc3\xa9"\n[a.b]\nc = [1, [2]]\n')
    assert read_toml(Path(tmp_path / "s.toml"), "s.toml", []) == {"name": "Café", "a": {"b": {"c": [1, [2]]}}}


def test_an_optional_table_may_be_absent_but_is_read_when_there(tmp_path):
    import openpyxl

    problems: list[Problem] = []
    assert read_sources(tmp_path, ("notes",), problems, optional=("notes",)) == {"notes": None}
    assert problems == []
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["period", "text"])
    book.active.append(["2024/25 Q2", "A good quarter"])
    book.save(tmp_path / "register.xlsx")
    table = read_sources(tmp_path, ("notes",), problems, optional=("notes",))["notes"]
    assert problems == [] and table is not None
    assert table.frame.to_dict("list") == {"row": [2], "period": ["2024/25 Q2"], "text": ["A good quarter"]}
    assert read_sources(tmp_path, ("metrics",), problems)["metrics"] is None
    assert [p.message for p in problems] == ["The workbook has no sheet called 'metrics'."]
