"""Collecting into registers as councils keep them: Windows-1252 or UTF-8 with BOM, or register.xlsx."""

from __future__ import annotations

import openpyxl
import pytest

from perfkit.data.register import load_register
from perfkit.returns import collect_returns, make_returns
from tests.support.returns import COLLECTED_AT, MADE_AT, Q3, SIGNED_BY, copy_fixture, fill, snapshot


@pytest.fixture
def folder(tmp_path):
    return copy_fixture(tmp_path)


def _housing(folder):
    [(path, _)] = [m for m in make_returns(folder, Q3, made_at=MADE_AT).made if m[0].stem == "housing"]
    return path


def test_windows_1252_register_stays_windows_1252(folder):
    original = (folder / "actuals.csv").read_bytes().replace(b"Voids backlog", "Voids backlog (£)".encode("cp1252"))
    (folder / "actuals.csv").write_bytes(original)
    path = fill(_housing(folder), {"Metrics!K3": 30, "Metrics!O3": "Café “reopened” – at last", SIGNED_BY: "Jo"})
    collect_returns(folder, [path], now=COLLECTED_AT)
    assert (
        folder / "actuals.csv"
    ).read_bytes() == original + "HOU.02,2024/25 Q3,30,,,Café “reopened” – at last\r\n".encode("cp1252")


def test_a_character_windows_1252_cannot_hold_refuses_the_workbook(folder):
    original = (folder / "actuals.csv").read_bytes().replace(b"Voids backlog", "Voids backlog (£)".encode("cp1252"))
    (folder / "actuals.csv").write_bytes(original)
    path = fill(_housing(folder), {"Metrics!K3": 30, "Metrics!O3": "Target ≥ 28 days", SIGNED_BY: "Jo"})
    before = snapshot(folder)
    done = collect_returns(folder, [path], now=COLLECTED_AT)
    assert snapshot(folder) == before
    assert done.lines()[1] == (
        "  housing.xlsx, Metrics!O3, HOU.02: actuals.csv is saved as Windows-1252 text, which cannot hold a character "
        "of 'Target ≥ 28 days'. Save actuals.csv as 'CSV UTF-8' in Excel, or remove the character."
    )


def test_utf8_with_bom_and_unix_line_endings_are_kept(folder):
    original = b"\xef\xbb\xbf" + (folder / "actuals.csv").read_bytes().replace(b"\r\n", b"\n")
    (folder / "actuals.csv").write_bytes(original)
    path = fill(_housing(folder), {"Metrics!K3": 30, "Metrics!O3": "≥ 28 days", SIGNED_BY: "Jo"})
    collect_returns(folder, [path], now=COLLECTED_AT)
    assert (folder / "actuals.csv").read_bytes() == original + "HOU.02,2024/25 Q3,30,,,≥ 28 days\n".encode()


def _to_workbook(folder) -> None:
    """Move the fixture's three tables into register.xlsx, numbers as numbers, with a sheet of the council's own."""
    import csv

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in ("metrics", "targets", "actuals"):
        ws = wb.create_sheet(name)
        with open(folder / f"{name}.csv", newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                ws.append([_typed(c) for c in row])
        (folder / f"{name}.csv").unlink()
    notes = wb.create_sheet("notes")
    notes["A1"] = "Checked by"
    notes["B1"] = "=actuals!C2*2"
    wb.save(folder / "register.xlsx")


def _typed(text: str) -> object:
    try:
        return float(text) if text.strip() else None
    except ValueError:
        return text


def _values(ws) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_register_xlsx_gets_the_entries_and_keeps_its_other_sheets(folder):
    _to_workbook(folder)
    before = openpyxl.load_workbook(folder / "register.xlsx")
    path = fill(
        _housing(folder),
        {
            "Metrics!K3": 30,
            "Metrics!O3": "Better, at last",
            "Highlights!B2": "achievement",
            "Highlights!C2": "Lettings policy adopted.",
            SIGNED_BY: "Jo",
        },
    )
    done = collect_returns(folder, [path], now=COLLECTED_AT)
    assert done.exit_code == 0
    after = openpyxl.load_workbook(folder / "register.xlsx")
    assert after.sheetnames == ["metrics", "targets", "actuals", "notes", "highlights"]
    for name in ("metrics", "targets", "notes"):
        assert _values(after[name]) == _values(before[name])
    assert _values(after["actuals"]) == [
        *_values(before["actuals"]),
        ["HOU.02", "2024/25 Q3", 30, None, None, "Better, at last"],
    ]
    assert _values(after["highlights"]) == [
        ["period", "service", "kind", "text"],
        ["2024/25 Q3", "Housing", "achievement", "Lettings policy adopted."],
    ]
    reg = load_register(folder)
    row = reg.actuals[(reg.actuals["code"] == "HOU.02") & (reg.actuals["period"] == Q3)]
    assert row[["value", "commentary"]].values.tolist() == [[30.0, "Better, at last"]]
    # and again: nothing changes
    again = collect_returns(folder, [path], now=COLLECTED_AT)
    assert again.summary() == "1 workbook read: 0 entries written, 2 unchanged, 0 conflicts, 0 refused."
