"""Hostile register input (issue 12, points 10-17, the register side): each case refused with a clear message.

Every case writes a small register of its own, breaks one thing, and asserts the exact
problem (file, row, column, and the words of the message), the exit code of
``perfkit validate`` (0 or 2, never 3: an internal error) and, for ``perfkit run``, that no
output was touched. Classes, one section each:

* files: a pipe, a device, a folder, a link (broken, looping, to /etc/passwd), a huge file, in
  place of a data file; binary data, a workbook or PDF with a .csv name, empty files;
* CSV text: NUL and control characters, UTF-16, semicolons and tabs, CR line ends, BOMs in the
  middle, duplicate and case-duplicate headers, 10,000 columns, a repeated header, a title row,
  an unclosed quote, a field longer than a spreadsheet cell, rows with too many cells;
* cells: implausible years (2204/05, 9999/00), inf, nan, 1e400, beyond 1e15, decimals beyond 6,
  Excel error values, dates in number columns, formula-looking text, 1_000 and other scripts' digits;
* council.toml: malformed, deeply nested, not UTF-8, wrong types, a folder;
* register.xlsx: not a zip, truncated, old .xls, password-protected, sheets differing in case or
  duplicated, hidden, merged cells, a chart sheet, a used range to row 1,048,576, error values;
* the command line: --timeout, --jobs, --quarter and ranges far from the data, --all with gaps,
  a missing or wrong --data, and the wording of the internal-error message.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfkit import cli
from perfkit.errors import DataValidationError, PeriodError, Problem
from perfkit.pipeline import select_quarters
from perfkit.validate import validate_folder

METRICS = (
    "code,title,objective,service,owner,unit,polarity,kind,frequency,tolerance,decimals,cumulative\n"
    "M1,% of calls answered,Good services,Customer Services,,percent,higher,target,quarterly,5%,1,no\n"
    "M2,Days to process claims,Good services,Revenues,,days,lower,target,quarterly,2,1,no\n"
)
TARGETS = "code,year,quarter,target\nM1,2024/25,,90\nM2,2024/25,,20\n"
ACTUALS = (
    "code,period,value,numerator,denominator,commentary\n"
    "M1,2024/25 Q1,91,,,\n"
    "M1,2024/25 Q2,,45,50,\n"
    "M2,2024/25 Q1,18,,,Backlog cleared.\n"
    "M2,2024/25 Q2,22,,,\n"
)
TABLES = {"metrics": METRICS, "targets": TARGETS, "actuals": ACTUALS}


@pytest.fixture
def folder(tmp_path) -> Path:
    """A small valid register as CSV files."""
    data = tmp_path / "council"
    data.mkdir()
    for name, text in TABLES.items():
        (data / f"{name}.csv").write_text(text, encoding="utf-8")
    (data / "council.toml").write_text('name = "Hostile Borough Council"\n', encoding="utf-8")
    return data


@pytest.fixture(autouse=True)
def _wide(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # rich wraps tables at the terminal's width


def errors(data: Path) -> list[Problem]:
    return validate_folder(data).errors


def only_error(data: Path) -> Problem:
    found = errors(data)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def where(p: Problem) -> tuple:
    return (p.file, p.row, p.column)


def validate_exit(data: Path, capsys) -> tuple[int, str]:
    code = cli.main(["validate", "--data", str(data)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    return code, text


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def workbook(data: Path, sheets: dict[str, str] | None = None, name: str = "register.xlsx") -> Path:
    """Move the CSV tables into register.xlsx (numbers as numbers, as Excel keeps them)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, text in (sheets or TABLES).items():
        ws = book.create_sheet(sheet)
        for line in text.splitlines():
            ws.append([_number(c) for c in line.split(",")])
    for table in TABLES:
        (data / f"{table}.csv").unlink(missing_ok=True)
    path = data / name
    book.save(path)
    return path


def _number(cell: str) -> object:
    try:
        return float(cell) if cell else None
    except ValueError:
        return cell


# --- files in place of a data file -------------------------------------------------------------------


def test_a_fifo_in_place_of_actuals_is_not_opened(folder, capsys):
    (folder / "actuals.csv").unlink()
    os.mkfifo(folder / "actuals.csv")  # opening it to read would wait for ever
    p = only_error(folder)
    assert where(p) == ("actuals.csv", None, None)
    assert p.message == "actuals.csv is a named pipe (FIFO), not a file; only ordinary files are read."
    assert validate_exit(folder, capsys)[0] == 2


def test_a_device_in_place_of_actuals_is_not_read(folder):
    (folder / "actuals.csv").unlink()
    (folder / "actuals.csv").symlink_to("/dev/zero")  # endless
    p = only_error(folder)
    assert (p.file, p.message) == ("actuals.csv", "actuals.csv is a device, not a file; only ordinary files are read.")


def test_a_folder_in_place_of_metrics(folder, capsys):
    (folder / "metrics.csv").unlink()
    (folder / "metrics.csv").mkdir()
    found = errors(folder)
    assert ("metrics.csv", None, None) in map(where, found)
    assert "metrics.csv is a folder, not a file; only ordinary files are read." in [p.message for p in found]
    assert validate_exit(folder, capsys)[0] == 2


def test_a_broken_link_is_reported_with_its_target(folder):
    (folder / "targets.csv").unlink()
    (folder / "targets.csv").symlink_to(folder / "gone.csv")
    p = only_error(folder)
    assert where(p) == ("targets.csv", None, None)
    assert p.message == f"The file is a link to {folder / 'gone.csv'}, which does not exist."


def test_a_link_loop_is_reported_not_followed_for_ever(folder):
    (folder / "targets.csv").unlink()
    (folder / "targets.csv").symlink_to(folder / "loop.csv")
    (folder / "loop.csv").symlink_to(folder / "targets.csv")
    p = only_error(folder)
    assert p.file == "targets.csv" and p.message.startswith("The file cannot be read (Too many levels of symbolic")


def test_a_link_to_etc_passwd_is_read_as_text_and_refused_as_a_register(folder, capsys):
    (folder / "actuals.csv").unlink()
    (folder / "actuals.csv").symlink_to("/etc/passwd")
    found = errors(folder)
    # what else is said depends on this machine's /etc/passwd (a line with commas has more cells)
    assert {p.file for p in found} == {"actuals.csv"}
    assert {("actuals.csv", 1, "code"), ("actuals.csv", 1, "period")} <= {where(p) for p in found}
    assert validate_exit(folder, capsys)[0] == 2


def test_a_file_far_larger_than_a_register_is_not_read(folder):
    with open(folder / "actuals.csv", "r+b") as f:
        f.truncate(300 * 2**20)  # sparse: costs no disk
    p = only_error(folder)
    assert p.message == "The file is 300 MB, more than perfkit reads for a register file (256 MB)."


def test_a_pipe_in_place_of_the_workbook(folder):
    for table in TABLES:
        (folder / f"{table}.csv").unlink()
    os.mkfifo(folder / "register.xlsx")
    p = only_error(folder)
    assert (p.file, p.message) == (
        "register.xlsx",
        "register.xlsx is a named pipe (FIFO), not a file; only ordinary files are read.",
    )


def test_a_file_that_cannot_be_opened(folder, monkeypatch):
    import builtins

    real = builtins.open

    def refuse(path, *args, **kwargs):
        if str(path).endswith("targets.csv"):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)  # as root, chmod 000 would not stop the test reading it
    p = only_error(folder)
    assert (p.file, p.message) == ("targets.csv", "The file cannot be read (Permission denied).")


def test_file_names_in_another_case_as_a_windows_folder_has_them(folder):
    (folder / "metrics.csv").rename(folder / "Metrics.CSV")
    (folder / "council.toml").rename(folder / "Council.toml")
    report = validate_folder(folder)
    assert report.ok and report.register.council.name == "Hostile Borough Council"
    assert {p.name for p in report.register.files} == {"Metrics.CSV", "Council.toml", "targets.csv", "actuals.csv"}
    (folder / "Metrics.CSV").write_text(METRICS.replace(",days,", ",weeks,"))
    assert where(only_error(folder)) == ("Metrics.CSV", 3, "unit")


@pytest.mark.parametrize(
    "raw, message",
    [
        (
            b"PK\x03\x04" + bytes(200),
            "The file is an Excel workbook (or another zip file) with a .csv name, not a CSV file.",
        ),
        (
            b"\xd0\xcf\x11\xe0" + bytes(200),
            "The file is an old-style Excel workbook (.xls) with a .csv name, not a CSV file.",
        ),
        (b"%PDF-1.7\n" + bytes(200), "The file is a PDF document, not a CSV file."),
        (
            bytes(range(256)) * 8,
            "The file is not text: it holds binary data (perhaps a damaged save, or a file of another kind).",
        ),
    ],
    ids=["xlsx", "xls", "pdf", "binary"],
)
def test_a_file_that_is_not_csv_text(folder, capsys, raw, message):
    (folder / "metrics.csv").write_bytes(raw)
    found = errors(folder)
    assert found[0].file == "metrics.csv" and found[0].message == message
    assert validate_exit(folder, capsys)[0] == 2


@pytest.mark.parametrize(
    "raw", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf", b" ,  , \n"], ids=["empty", "blank", "bom", "commas"]
)
def test_an_empty_file(folder, raw):
    (folder / "targets.csv").write_bytes(raw)
    p = only_error(folder)
    assert (p.file, p.message) == ("targets.csv", "The file is empty.")


def test_header_only_files(folder):
    (folder / "actuals.csv").write_text("code,period,value,numerator,denominator,commentary\n")
    p = only_error(folder)
    assert (p.file, p.message) == ("actuals.csv", "There are no actuals.")
    (folder / "metrics.csv").write_text(METRICS.splitlines()[0] + "\n")
    found = errors(folder)
    assert ("metrics.csv", "There are no metrics.") in [(p.file, p.message) for p in found]


# --- CSV text -----------------------------------------------------------------------------------------


def test_a_nul_byte_in_a_cell_is_named_by_row_and_column(folder):
    (folder / "actuals.csv").write_text(ACTUALS.replace("Backlog cleared.", "Backlog\x00 cleared."))
    p = only_error(folder)
    assert where(p) == ("actuals.csv", 4, "commentary")
    assert p.message.startswith("The cell holds an invisible control character (code 0, a NUL)")


def test_one_damaged_byte_in_a_utf8_file_is_a_warning_naming_its_line(folder):
    raw = ACTUALS.replace("Backlog cleared.", "Backlog cleared – café").encode("utf-8")
    (folder / "actuals.csv").write_bytes(raw.replace(b"caf\xc3\xa9", b"caf\xe9"))  # one byte from another save
    report = validate_folder(folder)
    assert report.ok
    (p,) = [w for w in report.warnings if w.file == "actuals.csv"]
    assert p.row == 4 and p.message.startswith("The file is UTF-8 text, but byte")
    comments = report.register.actuals.set_index("row")["commentary"]
    assert comments[4] == "Backlog cleared – caf\ufffd"  # the dash is still a dash, not 'â€“'


def test_a_windows_1252_file_is_read_as_windows_1252(folder):
    (folder / "actuals.csv").write_bytes(ACTUALS.replace("Backlog cleared.", "Backlog – café").encode("cp1252"))
    report = validate_folder(folder)
    assert report.ok and report.warnings == []
    assert report.register.actuals.set_index("row")["commentary"][4] == "Backlog – café"


def test_utf16_with_commas_is_read(folder):
    (folder / "actuals.csv").write_bytes(ACTUALS.encode("utf-16"))
    assert errors(folder) == []


def test_utf16_tab_separated_unicode_text_is_explained(folder):
    (folder / "actuals.csv").write_bytes(ACTUALS.replace(",", "\t").encode("utf-16"))
    found = errors(folder)
    assert ("actuals.csv", 1, None) in map(where, found)
    assert "The columns are separated by tabs, not commas." in [p.message for p in found]


def test_semicolon_separated_is_explained(folder):
    (folder / "metrics.csv").write_text(METRICS.replace(",", ";"))
    found = [p for p in errors(folder) if p.file == "metrics.csv"]
    assert found[0].message == "The columns are separated by semicolons, not commas."
    assert "CSV UTF-8 (Comma delimited)" in found[0].fix


def test_cr_only_line_ends_are_read(folder):
    for name, text in TABLES.items():
        (folder / f"{name}.csv").write_text(text.replace("\n", "\r"), newline="")
    assert errors(folder) == []


def test_byte_order_marks_and_zero_width_spaces_anywhere_are_ignored(folder):
    (folder / "actuals.csv").write_text(
        "\ufeff" + ACTUALS.replace("M2,2024/25 Q2", "\ufeffM2\u200b,2024/25 Q2\ufeff"), encoding="utf-8"
    )
    assert errors(folder) == []


def test_a_column_given_twice_even_in_another_case(folder):
    (folder / "actuals.csv").write_text(
        "code,period,value,numerator,denominator,commentary,Value\nM1,2024/25 Q1,91,,,,92\n"
    )
    p = only_error(folder)
    assert where(p) == ("actuals.csv", 1, "value")
    assert p.message == "The column 'value' appears twice (columns C and G)."


def test_a_column_headed_row_does_not_replace_the_row_numbers(folder):
    lines = ACTUALS.replace("M2,2024/25 Q2,22", "M2,2024/25 Q2,lots").splitlines()
    (folder / "actuals.csv").write_text("\n".join(["row," + lines[0]] + [f"1,{line}" for line in lines[1:]]) + "\n")
    report = validate_folder(folder)
    assert [(where(p), p.message) for p in report.errors] == [(("actuals.csv", 5, "value"), "'lots' is not a number.")]
    assert ("actuals.csv", 1, "row (column A)") in map(where, report.warnings)


def test_ten_thousand_columns_give_one_warning_not_ten_thousand(folder):
    lines = ACTUALS.splitlines()
    extra = ",".join(f"x{i}" for i in range(10_000))
    text = "\n".join([lines[0] + "," + extra] + [line + "," * 10_000 for line in lines[1:]]) + "\n"
    (folder / "actuals.csv").write_text(text)
    report = validate_folder(folder)
    assert report.ok
    mine = [p for p in report.warnings if p.file == "actuals.csv"]
    assert len(mine) == 11
    assert mine[-1].message == "9,990 more columns are not part of the actuals table and are ignored."


def test_a_repeated_header_row_is_named(folder):
    (folder / "actuals.csv").write_text(ACTUALS + ACTUALS)  # two files pasted together
    found = errors(folder)
    assert found[0].row == 6 and found[0].message == "This row repeats the header row."
    # and the pasted rows are duplicates of the first ones, each named
    assert {(p.row, p.column) for p in found[1:]} == {(7, "period"), (8, "period"), (9, "period"), (10, "period")}


def test_a_title_row_above_the_header_is_explained(folder):
    (folder / "targets.csv").write_text("Targets 2024/25,,,\n" + TARGETS)
    found = errors(folder)
    assert all(p.file == "targets.csv" and p.row == 1 for p in found)
    assert "the header must be the table's first row, with no title above it" in found[0].fix


def test_blank_rows_above_the_header_keep_excel_row_numbers(folder):
    (folder / "actuals.csv").write_text("\n\n" + ACTUALS.replace("M2,2024/25 Q2,22", "M2,2024/25 Q2,lots"))
    p = only_error(folder)
    assert where(p) == ("actuals.csv", 7, "value")  # the header is on row 3, M2 2024/25 Q2 on row 7


def test_an_unclosed_quote_at_the_end_is_named_by_its_row(folder):
    (folder / "actuals.csv").write_text(ACTUALS + 'M1,2024/25 Q3,90,,,"Staff shortages\nM2,2024/25 Q3,21,,,\n')
    p = only_error(folder)
    assert where(p) == ("actuals.csv", 6, None)
    assert p.message.startswith('A quote mark (") opens a value on this row and is never closed')


def test_a_field_longer_than_a_spreadsheet_cell_names_its_row_and_column(folder):
    long = "x" * 40_000
    (folder / "actuals.csv").write_text(ACTUALS.replace("Backlog cleared.", f'"{long}"'))
    p = only_error(folder)
    assert where(p) == ("actuals.csv", 4, "commentary")
    assert p.message.startswith("The cell holds 40,000 characters, more than a spreadsheet cell can (32,767).")
    assert "Excel" not in p.fix and "shorten it" in p.fix


def test_a_quote_never_closed_mid_file_swallows_rows_and_is_named(folder):
    rows = "".join(f"M2,20{10 + i % 13}/{11 + i % 13} Q{1 + i % 4},1,,,no quotes here\n" for i in range(2000))
    text = ACTUALS + 'M1,2024/25 Q3,90,,,"Staff shortages\n' + rows + 'M2,2024/25 Q3,20,,,the end"\n'
    (folder / "actuals.csv").write_text(text)
    p = only_error(folder)  # the 2,001 rows after it are one cell: the quote is the one thing to fix
    assert where(p) == ("actuals.csv", 6, "commentary")
    assert 'Usually a quote mark (") opens the value and the next one is missing' in p.message


def test_a_row_with_more_cells_than_the_header(folder):
    (folder / "actuals.csv").write_text(ACTUALS + "M1,2024/25 Q3,12,5,,,Late return\n")  # a decimal comma
    p = only_error(folder)
    assert where(p) == ("actuals.csv", 6, None)
    assert p.message == "The row has 7 cells but the header has 6."


# --- cells --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period, message, fix",
    [
        ("2204/05 Q1", "'2204/05' is outside the years perfkit accepts (1990/91 to 2099/00).", "Did you mean 2024/25?"),
        ("9999/00 Q4", "'9999/00' is outside the years perfkit accepts (1990/91 to 2099/00).", "Check the year"),
        ("Q2 1899/1900", "'1899/00' is outside the years perfkit accepts (1990/91 to 2099/00).", "Check the year"),
    ],
)
def test_an_implausible_year_in_a_period(folder, capsys, period, message, fix):
    (folder / "actuals.csv").write_text(ACTUALS + f"M1,{period},90,,,\n")
    p = only_error(folder)
    assert (where(p), p.message) == (("actuals.csv", 6, "period"), message)
    assert p.fix.startswith(fix)
    assert validate_exit(folder, capsys)[0] == 2


def test_an_implausible_year_in_targets(folder):
    (folder / "targets.csv").write_text(TARGETS + "M1,2204/05,,90\n")
    p = only_error(folder)
    assert (where(p), p.message) == (
        ("targets.csv", 4, "year"),
        "'2204/05' is outside the years perfkit accepts (1990/91 to 2099/00).",
    )
    assert p.fix == "Did you mean 2024/25? Check the year for a typing slip."


@pytest.mark.parametrize(
    "cell, message",
    [
        ("inf", "'inf' is not a figure: it is infinity."),
        ("-Infinity", "'-Infinity' is not a figure: it is minus infinity."),
        ("nan", "'nan' is not a figure: it is what a program writes for a missing number."),
        ("NaN", "'NaN' is not a figure: it is what a program writes for a missing number."),
        ("1e400", "'1e400' is not a finite number."),
        ("2e15", "'2e15' is beyond ±10^15, far larger than any figure in a council's register."),
        (
            "-1000000000000001",
            "'-1000000000000001' is beyond ±10^15, far larger than any figure in a council's register.",
        ),
        ("1_000", "'1_000' is not a number."),
        ("#DIV/0!", "'#DIV/0!' is an Excel error value: the formula that fills this cell failed."),
        ("#REF!", "'#REF!' is an Excel error value: the formula that fills this cell failed."),
        ("=B2*100", "'=B2*100' is not a number."),
    ],
)
def test_a_value_that_is_not_a_plain_finite_figure(folder, cell, message):
    (folder / "actuals.csv").write_text(ACTUALS.replace("M2,2024/25 Q2,22", f"M2,2024/25 Q2,{cell}"))
    p = only_error(folder)
    assert (where(p), p.message) == (("actuals.csv", 5, "value"), message)


@pytest.mark.parametrize("column, cells", [("numerator", ",inf,50,"), ("denominator", ",45,inf,")])
def test_infinite_numerator_or_denominator(folder, column, cells):
    (folder / "actuals.csv").write_text(ACTUALS.replace(",45,50,", cells))
    found = [(where(p), p.message) for p in errors(folder)]
    assert (("actuals.csv", 3, column), "'inf' is not a figure: it is infinity.") in found


def test_a_target_of_infinity_or_1e400(folder):
    (folder / "targets.csv").write_text(
        TARGETS.replace("M1,2024/25,,90", "M1,2024/25,,1e400").replace(",,20", ",,-inf")
    )
    found = errors(folder)
    assert [(where(p), p.message) for p in found] == [
        (("targets.csv", 2, "target"), "'1e400' is not a finite number."),
        (("targets.csv", 3, "target"), "'-inf' is not a figure: it is minus infinity."),
    ]


def test_hash_n_a_stays_a_warned_missing_figure(folder):
    (folder / "actuals.csv").write_text(ACTUALS.replace("M2,2024/25 Q2,22", "M2,2024/25 Q2,#N/A"))
    report = validate_folder(folder)
    assert report.ok
    assert [(where(p), p.message) for p in report.warnings if p.file == "actuals.csv"] == [
        (("actuals.csv", 5, "value"), "'#N/A' is read as 'not available'.")
    ]


@pytest.mark.parametrize(
    "decimals, message",
    [
        ("7", "7 decimal places is more than a report can show (6 at most)."),
        ("1e3", "1000 decimal places is more than a report can show (6 at most)."),
        ("-1", "'-1' is not a whole number of at least 0."),
        ("1.5", "'1.5' is not a whole number of at least 0."),
    ],
)
def test_decimals_beyond_six_or_negative(folder, decimals, message):
    (folder / "metrics.csv").write_text(METRICS.replace(",2,1,no", f",2,{decimals},no"))
    p = only_error(folder)
    assert (where(p), p.message) == (("metrics.csv", 3, "decimals"), message)


def test_a_tolerance_of_1e400(folder):
    (folder / "metrics.csv").write_text(METRICS.replace(",2,1,no", ",1e400,1,no"))
    p = only_error(folder)
    assert where(p) == ("metrics.csv", 3, "tolerance")


def test_a_date_in_a_number_column_says_to_format_it_as_a_number(folder):
    (folder / "actuals.csv").write_text(ACTUALS.replace("M2,2024/25 Q2,22", "M2,2024/25 Q2,30/06/2024"))
    p = only_error(folder)
    assert (where(p), p.message) == (("actuals.csv", 5, "value"), "'30/06/2024' is not a number.")
    assert p.fix.startswith("The cell holds a date: format it as a number in Excel")


def test_formula_looking_commentary_is_accepted_as_text(folder):
    text = ACTUALS.replace("Backlog cleared.", '"=HYPERLINK(""http://x"",""y"")"').replace(
        "M2,2024/25 Q2,22,,,", "M2,2024/25 Q2,22,,,@SUM(1)"
    )
    (folder / "actuals.csv").write_text(text)
    report = validate_folder(folder)
    assert report.ok
    comments = report.register.actuals.set_index("row")["commentary"]
    assert comments[4] == '=HYPERLINK("http://x","y")' and comments[5] == "@SUM(1)"


def test_many_bad_rows_are_summarised_after_fifty(folder, capsys):
    rows = "".join(f"M9{i},2024/25 Q1,1,,,\n" for i in range(5000))
    (folder / "actuals.csv").write_text(ACTUALS + rows)
    found = errors(folder)
    assert len(found) == 51
    assert found[-1].message == "…and 4,950 more problems in this column (rows 56 to 5,005)."
    assert validate_exit(folder, capsys)[0] == 2


# --- council.toml -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ('name = "Hostile', "The file is not valid TOML (Unterminated string (at end of document))."),
        ("[a]\n[a]\n", "The file is not valid TOML (Cannot declare ('a',) twice (at line 2, column 3))."),
        ("x = " + "[" * 50_000 + "]" * 50_000, "The file nests lists or tables more than 20 levels deep."),
        ("x = " + "{a = " * 2000 + "1" + "}" * 2000, "The file nests lists or tables more than 20 levels deep."),
        ("a." * 30_000 + "b = 1", "The file nests lists or tables more than 20 levels deep."),
    ],
    ids=["unterminated", "twice", "deep-lists", "deep-tables", "deep-dotted"],
)
def test_malformed_or_deeply_nested_council_toml(folder, capsys, text, message):
    (folder / "council.toml").write_text(text)
    p = only_error(folder)
    assert (where(p), p.message) == (("council.toml", None, None), message)
    assert validate_exit(folder, capsys)[0] == 2


def test_council_toml_not_utf8(folder):
    (folder / "council.toml").write_bytes('name = "Café"'.encode("cp1252"))
    p = only_error(folder)
    assert p.message == "The file is not UTF-8 text (byte 12 cannot be read)."


def test_council_toml_with_a_name_that_is_not_text(folder):
    (folder / "council.toml").write_text("name = 5\nplan_title = [1]\n")
    found = errors(folder)
    assert [(where(p), p.message) for p in found] == [
        (("council.toml", None, "name"), "name is not text."),
        (("council.toml", None, "plan_title"), "plan_title is not text."),
    ]


def test_council_toml_as_a_folder_or_a_pipe(folder):
    (folder / "council.toml").unlink()
    (folder / "council.toml").mkdir()
    assert only_error(folder).message == "council.toml is a folder, not a file; only ordinary files are read."
    (folder / "council.toml").rmdir()
    os.mkfifo(folder / "council.toml")
    assert (
        only_error(folder).message == "council.toml is a named pipe (FIFO), not a file; only ordinary files are read."
    )


# --- register.xlsx ------------------------------------------------------------------------------------


def test_a_workbook_is_read_like_the_csv_files(folder):
    workbook(folder)
    report = validate_folder(folder)
    assert report.ok and len(report.register.actuals) == 4
    assert report.register.actuals.set_index("row").loc[3, "value"] == 90.0  # 100 * 45 / 50


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"code,period\nM1,2024/25 Q1\n", "The file is not an Excel workbook (an .xlsx is a zip file; this one is not"),
        (
            b"\xd0\xcf\x11\xe0" + bytes(600),
            "The workbook is in the old Excel 97-2003 format (.xls) with an .xlsx name.",
        ),
        (
            b"\xd0\xcf\x11\xe0" + bytes(100) + "EncryptedPackage".encode("utf-16-le") + bytes(100),
            "The workbook is protected by a password, so it cannot be read.",
        ),
        (b"", "The workbook file is empty."),
    ],
    ids=["text", "xls", "encrypted", "empty"],
)
def test_a_workbook_that_is_not_an_xlsx(folder, capsys, raw, message):
    workbook(folder).write_bytes(raw)
    found = errors(folder)
    assert len(found) == 1 and found[0].file == "register.xlsx" and found[0].message.startswith(message)
    assert validate_exit(folder, capsys)[0] == 2


def test_a_truncated_workbook(folder, capsys):
    path = workbook(folder)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    p = only_error(folder)
    assert p.file == "register.xlsx" and p.message.startswith("The workbook is damaged and cannot be opened (")
    assert validate_exit(folder, capsys)[0] == 2


def test_an_xml_bomb_in_a_workbook_is_refused_not_expanded(folder):
    """A billion laughs in the workbook's XML: a thousand million 'lol's if expanded."""
    path = workbook(folder)
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f'<!DOCTYPE workbook [<!ENTITY lol0 "lol">{entities}]>'
    with zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m[0] or b"") + doctype.encode(), data, count=1)
            out.writestr(item, data)
    p = only_error(folder)
    assert p.file == "register.xlsx" and p.message.startswith("The workbook is damaged and cannot be opened")


def test_a_sheet_damaged_inside_a_readable_zip(folder, capsys):
    # a sheet long enough that opening the workbook does not read it to its end (where the CRC is checked)
    history = "".join(
        f"M{m},{y}/{(y + 1) % 100:02d} Q{q},50,,,\n" for m in (1, 2) for y in range(1990, 2024) for q in (1, 2, 3, 4)
    )
    path = workbook(folder, {"metrics": METRICS, "targets": TARGETS, "actuals": ACTUALS + history})
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:  # stored: the sheet's XML is in the file as is
        for item in src.infolist():
            out.writestr(item.filename, src.read(item.filename), zipfile.ZIP_STORED)
    raw = path.read_bytes()
    at = raw.index(b"</sheetData>", raw.index(b"xl/worksheets/sheet3.xml"))  # past what opening the book reads
    path.write_bytes(raw[:at] + b"</sheetDatb>" + raw[at + 12 :])  # one byte changed: the CRC no longer matches
    p = only_error(folder)
    assert p.file == "register.xlsx (sheet actuals)"
    assert (
        p.message
        == "The sheet is damaged and cannot be read (BadZipFile: Bad CRC-32 for file 'xl/worksheets/sheet3.xml')."
    )
    assert validate_exit(folder, capsys)[0] == 2


def test_sheet_names_in_another_case_are_found_and_duplicates_refused(folder):
    path = workbook(folder, {"Metrics": METRICS, "TARGETS ": TARGETS, "actuals": ACTUALS})
    assert errors(folder) == []
    book = openpyxl.load_workbook(path)
    book.create_sheet("Actuals ")  # Excel keeps names unique ignoring case, but not ignoring spaces
    book.save(path)
    p = only_error(folder)
    assert p.message == "The workbook has 2 sheets called 'actuals': 'actuals', 'Actuals '."


def test_a_hidden_sheet_is_read_with_a_warning(folder):
    path = workbook(folder)
    book = openpyxl.load_workbook(path)
    book["targets"].sheet_state = "hidden"
    book.save(path)
    report = validate_folder(folder)
    assert report.ok
    assert [(p.file, p.message) for p in report.warnings] == [
        ("register.xlsx (sheet targets)", "The sheet is hidden in Excel, but it is the one perfkit reads.")
    ]


def test_merged_cells_down_a_column_are_named(folder):
    path = workbook(folder)
    book = openpyxl.load_workbook(path)
    book["actuals"].merge_cells("A2:A3")  # the code typed once for two quarters
    book.save(path)
    found = errors(folder)
    assert (
        ("register.xlsx (sheet actuals)", 2, None),
        "Cells A2:A3 are merged, so only row 2 holds the value and rows 3 to 3 are read as blank.",
    ) in [(where(p), p.message) for p in found]
    assert ("register.xlsx (sheet actuals)", 3, "code") in map(where, found)


def test_a_chart_sheet_named_actuals(folder):
    from openpyxl.chart import BarChart, Reference

    path = workbook(folder, {"metrics": METRICS, "targets": TARGETS})
    book = openpyxl.load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(book["targets"], min_col=4, min_row=1, max_row=3))
    book.create_chartsheet("actuals").add_chart(chart)
    book.save(path)
    p = only_error(folder)
    assert (p.file, p.message) == ("register.xlsx (sheet actuals)", "The sheet is a chart, not a table.")


def test_an_empty_sheet(folder):
    workbook(folder, {"metrics": METRICS, "targets": "", "actuals": ACTUALS})
    p = only_error(folder)
    assert (p.file, p.message) == ("register.xlsx (sheet targets)", "The sheet is empty.")


def test_excel_error_values_and_dates_in_workbook_number_cells(folder):
    import datetime as dt

    path = workbook(folder)
    book = openpyxl.load_workbook(path)
    ws = book["actuals"]
    ws["C2"] = "#DIV/0!"
    ws["C2"].data_type = "e"
    ws["C4"] = dt.date(2024, 6, 30)
    book.save(path)
    found = errors(folder)
    assert [(where(p), p.message) for p in found] == [
        (
            ("register.xlsx (sheet actuals)", 2, "value"),
            "'#DIV/0!' is an Excel error value: the formula that fills this cell failed.",
        ),
        (("register.xlsx (sheet actuals)", 4, "value"), "'2024-06-30' is not a number."),
    ]


def test_a_formula_whose_result_was_never_saved_is_not_read_as_blank(folder):
    path = workbook(folder)
    book = openpyxl.load_workbook(path)
    book["actuals"]["C5"] = "=C4+4"  # saved by openpyxl, as a council's script might: no result stored
    book.save(path)
    p = only_error(folder)
    assert (where(p), p.message) == (
        ("register.xlsx (sheet actuals)", 5, None),
        "Cell C5 holds a formula whose result was never saved, so it would read as blank.",
    )


def test_a_used_range_to_the_last_row_of_excel_is_read_only_as_far_as_the_values(folder):
    path = workbook(folder)
    _format_to_the_last_row(path, "actuals")
    report = validate_folder(folder)
    assert report.ok and len(report.register.actuals) == 4


def _format_to_the_last_row(path: Path, sheet: str, last: int = 1_048_576) -> None:
    """Give a sheet formatted empty rows down to Excel's last row, as formatting whole columns can."""
    book = openpyxl.load_workbook(path)
    target = f"xl/worksheets/sheet{book.sheetnames.index(sheet) + 1}.xml"
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
    for item in src.infolist():
        data = src.read(item.filename)
        if item.filename == target:
            text = data.decode()
            text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:F{last}"/>', text)
            first = int(re.findall(r'<row r="(\d+)"', text)[-1]) + 1
            rows = "".join(
                f'<row r="{r}" spans="1:6"><c r="A{r}" s="0"/><c r="F{r}" s="0"/></row>' for r in range(first, last + 1)
            )
            data = text.replace("</sheetData>", rows + "</sheetData>").encode()
        out.writestr(item, data)
    out.close()


def test_both_a_csv_and_a_sheet_for_one_table_warns(folder):
    (folder / "keep.csv").write_text(ACTUALS)
    workbook(folder)
    (folder / "keep.csv").rename(folder / "actuals.csv")
    report = validate_folder(folder)
    assert report.ok
    assert [(p.file, p.message) for p in report.warnings] == [
        ("actuals.csv", "There is both actuals.csv and a sheet 'actuals' in register.xlsx; actuals.csv is read.")
    ]


def test_a_damaged_workbook_is_not_reported_when_every_table_is_a_csv(folder):
    (folder / "register.xlsx").write_bytes(b"not a workbook")
    assert validate_folder(folder).problems == []


# --- the command line ---------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["0", "-1", "nan", "inf", "-inf", "soon", ""])
def test_timeout_must_be_a_positive_number_of_seconds(folder, capsys, given):
    with pytest.raises(SystemExit) as stop:
        cli.main(["run", "--data", str(folder), f"--timeout={given}"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert (
        f"argument --timeout: '{given}' is not a positive number of seconds: give a number above 0, such as 600 or 2.5"
        in err
    )


def test_timeout_accepts_a_fraction_of_a_second():
    args = cli._parser().parse_args(["run", "--timeout", "2.5"])
    assert args.timeout == 2.5


@pytest.mark.parametrize("given", ["0", "-2", "two"])
def test_jobs_must_be_at_least_one(folder, capsys, given):
    with pytest.raises(SystemExit) as stop:
        cli.main(["run", "--data", str(folder), f"--jobs={given}"])
    assert stop.value.code == 2
    assert f"argument --jobs: '{given}' is not a whole number of at least 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--quarter", "2204/05 Q1"], "'2204/05' is outside the years perfkit accepts (1990/91 to 2099/00)."),
        (["--quarter", "9999/00 Q4"], "'9999/00' is outside the years perfkit accepts (1990/91 to 2099/00)."),
        (
            ["--from", "2024/25 Q1", "--to", "2042/43 Q1"],
            "2042/43 Q1 is 71 quarters after the latest quarter with figures (2024/25 Q2)",
        ),
        (["--quarter", "2026/27 Q1"], "2026/27 Q1 is 7 quarters after the latest quarter with figures (2024/25 Q2)"),
        (["--to", "2024/25 Q2"], "--to needs --from: give the first quarter of the range too."),
        (["--formats", "docx"], "Unknown format 'docx'. Use --formats html,pdf, html or pdf."),
    ],
)
def test_a_run_far_from_the_data_or_miswritten_plans_nothing(folder, tmp_path, capsys, args, message):
    out = tmp_path / "out"
    (out / "2024-25-Q2").mkdir(parents=True)
    (out / "2024-25-Q2" / "quarterly_performance.html").write_text("an earlier good appendix")
    before = snapshot(out)
    assert cli.main(["run", "--data", str(folder), "--out", str(out), *args]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert message in err and "Traceback" not in err
    assert snapshot(out) == before


def test_all_plans_only_the_quarters_that_have_actuals(folder):
    (folder / "actuals.csv").write_text(ACTUALS + "M1,2019/20 Q4,70,,,\n")  # a restated old figure
    register = validate_folder(folder).raise_if_invalid()
    assert [q.label for q in select_quarters(register, all_quarters=True)] == ["2019/20 Q4", "2024/25 Q1", "2024/25 Q2"]


def test_select_quarters_allows_a_few_quarters_ahead_with_a_warning(folder):
    register = validate_folder(folder).raise_if_invalid()
    with pytest.warns(UserWarning, match="2025/26 Q2 is after the latest quarter with figures"):
        assert [q.label for q in select_quarters(register, "2025/26 Q2")] == ["2025/26 Q2"]
    with pytest.raises(PeriodError, match="5 quarters after"):
        select_quarters(register, "2025/26 Q3")


def test_a_missing_or_wrong_data_folder_is_invalid_usage(tmp_path, capsys):
    assert cli.main(["validate", "--data", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "file.csv").write_text("x")
    assert cli.main(["validate", "--data", str(tmp_path / "file.csv")]) == 2
    assert "is a file, not a folder" in " ".join(capsys.readouterr().err.split())


def test_a_run_on_hostile_data_changes_no_output(folder, tmp_path, capsys):
    (folder / "actuals.csv").write_text(ACTUALS + "M1,2204/05 Q1,1e400,,,\n")
    out = tmp_path / "out"
    (out / "2024-25-Q2").mkdir(parents=True)
    (out / "2024-25-Q2" / "quarterly_performance.html").write_text("an earlier good appendix")
    before = snapshot(out)
    assert cli.main(["run", "--data", str(folder), "--out", str(out)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "actuals.csv" in err and "2204/05" in err
    assert snapshot(out) == before and snapshot(folder) == snapshot(folder)


def test_the_internal_error_message_does_not_blame_or_clear_the_data(monkeypatch, folder, capsys):
    def broken(_):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "validate_folder", broken)
    assert cli.main(["validate", "--data", str(folder)]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "not a problem with your data" not in err
    assert (
        "perfkit stopped because of an internal error that it could not explain: a fault in perfkit, or something "
        "in the data that it does not yet check."
    ) in err


def test_every_case_here_is_a_validation_error_never_a_crash(folder):
    """load_register raises DataValidationError (never another exception) for a register with every fault at once."""
    (folder / "actuals.csv").write_text(
        ACTUALS + "M1,2204/05 Q1,inf,,,\nM1,9999/00 Q4,nan,,,\nM9,2024/25 Q3,1e400,,,\n,,,,,\nM2,,#DIV/0!,,,\x00\n"
    )
    (folder / "targets.csv").write_text(TARGETS + "M1,9999/00,,1e16\n")
    (folder / "metrics.csv").write_text(METRICS.replace(",2,1,no", ",2,99,no"))
    (folder / "council.toml").write_text("x = " + "[" * 5000)
    from perfkit.data.register import load_register

    with pytest.raises(DataValidationError) as info:
        load_register(folder)
    files = {p.file for p in info.value.problems}
    assert files == {"actuals.csv", "targets.csv", "metrics.csv", "council.toml"}


def test_data_files_are_never_changed_by_validation(folder):
    shutil.copy(folder / "actuals.csv", folder / "copy.csv")
    before = snapshot(folder)
    validate_folder(folder)
    assert snapshot(folder) == before


# --- anything at all ----------------------------------------------------------------------------------

_TOKENS = [b",", b'"', b"\n", b"\r", b"\x00", b"\xff", b"\xe9", b";", b"\t", b"inf", b"nan", b"1e400", b"2204/05"]
_TOKENS += [b"9999/00", b"Q5", b"#DIV/0!", b"\xef\xbb\xbf", b"=", b"(", b"%", b"\xc2\xa0", b"1,000", b"row", b"code"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["metrics.csv", "targets.csv", "actuals.csv", "council.toml"]),
            st.floats(0, 1),
            st.one_of(st.sampled_from(_TOKENS), st.binary(max_size=3), st.integers(-20, -1)),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_damage_to_the_files_is_a_validation_error_never_a_crash(folder, edits):
    """Insertions of hostile text, random bytes and cuts (a negative number: delete that many bytes)."""
    from perfkit.data.register import load_register

    for name in TABLES:
        (folder / f"{name}.csv").write_text(TABLES[name])
    (folder / "council.toml").write_text('name = "Hostile Borough Council"\n')
    for name, where_at, edit in edits:
        raw = (folder / name).read_bytes()
        at = int(where_at * len(raw))
        raw = raw[:at] + raw[at - edit :] if isinstance(edit, int) else raw[:at] + edit + raw[at:]
        (folder / name).write_bytes(raw)
    try:
        load_register(folder)
    except DataValidationError as exc:
        assert all(p.file for p in exc.problems)
