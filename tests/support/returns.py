"""Helpers for the service returns tests: a copy of the returns fixture, workbooks filled as a service would."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl

from tests.support import FIXTURES

FIXTURE = FIXTURES / "returns"
Q3 = "2024/25 Q3"
MADE_AT = dt.datetime(2025, 1, 2, 9, 0, tzinfo=dt.UTC)
COLLECTED_AT = dt.datetime(2025, 1, 22, 14, 30, tzinfo=dt.UTC)

#: The Instructions cells for the sign-off in the fixture's workbooks (11 steps, then 5 details).
SIGNED_BY, SIGNED_ON = "Instructions!B22", "Instructions!B23"


def copy_fixture(tmp_path: Path, name: str = "data") -> Path:
    """A copy of ``tests/fixtures/returns`` to change."""
    folder = tmp_path / name
    shutil.copytree(FIXTURE, folder)
    return folder


def fill(
    path: Path, cells: dict[str, object], *, formats: dict[str, str] | None = None, to: Path | None = None
) -> Path:
    """Type ``cells`` (``{"Metrics!K2": 95}``) into a workbook with openpyxl, as a service would, and save it."""
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        sheet, cell = ref.split("!")
        wb[sheet][cell] = value
    for ref, number_format in (formats or {}).items():
        sheet, cell = ref.split("!")
        wb[sheet][cell].number_format = number_format
    target = to or path
    wb.save(target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes, to show that nothing else changed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


#: What the two services of the fixture type into their 2024/25 Q3 returns, quirks and all.
CUSTOMER = {
    "Metrics!K2": 0.96,  # a percentage cell: Excel stores 96% as 0.96
    "Metrics!O2": 'Backlog cleared, "as promised".\nNew system live.',
    "Metrics!K3": "1,234",
    "Metrics!O3": " Busy quarter ",
    "Metrics!K4": " 71 ",  # CUS.03 is annual: its Figure for cell keeps the preset 2023/24
    "Metrics!O4": "Annual survey, 2023/24.",
}
HOUSING = {
    "Metrics!L2": 27,
    "Metrics!M2": "54",
    "Metrics!K3": 33.5,
    "Metrics!O3": "Contractor went into administration in November.",
    "Metrics!R3": "Extra voids team from January",
    "Metrics!S3": dt.datetime(2025, 1, 31),
    "Metrics!K4": 130,
    "Metrics!O4": "Up with demand.",
    "Metrics!K5": "88%",
    "Highlights!B2": "Achievement",
    "Highlights!C2": "New lettings policy adopted, with cross-party support.",
    "Highlights!D2": "homes",
    "Highlights!B3": "challenge",
    "Highlights!C3": 'Rising demand for temporary accommodation, "as expected".',
    "Highlights!E3": "hou.03",
    SIGNED_BY: "Jo Bloggs, Head of Housing",
    SIGNED_ON: dt.datetime(2025, 1, 20),
}
