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
