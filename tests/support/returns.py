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


#: The fixture's actuals.csv, and what collecting the two returns above gives, worked out by hand.
ORIGINAL = (
    b"code,period,value,numerator,denominator,commentary\r\n"
    b"CUS.01,2023/24 Q3,93.1,,,\r\n"
    b"CUS.01,2023/24 Q4, 94.0,,,\r\n"
    b"CUS.01,2024/25 Q1,96.2,,,\r\n"
    b'CUS.01,2024/25 Q2,91.5,,,"Two staff off sick; backlog, now clearing."\r\n'
    b"CUS.02,2024/25 Q2,1020,,,\r\n"
    b'CUS.03,2022/23 Q4,68,,,"Survey of 1,000 residents."\r\n'
    b"HOU.01,2024/25 Q1,,45,90,\r\n"
    b"HOU.01,2024/25 Q2,52.0,,,\r\n"
    b"HOU.02,2024/25 Q2,31.5,,,Voids backlog after the contractor changed.\r\n"
    b"HOU.03,2024/25 Q2,120,,,\r\n"
    b"HOU.04,2024/25 Q2,91,,,\r\n"
)

#: What the two returns below add, worked out by hand: the header gains the three columns the entries
#: use (in the contract's order), the old rows keep every byte (and stay short), new rows are appended.
EXPECTED = (
    b"code,period,value,numerator,denominator,commentary,action,action_due,for_period\r\n"
    + ORIGINAL.split(b"\r\n", 1)[1]
    + b'CUS.01,2024/25 Q3,96,,,"Backlog cleared, ""as promised"".\nNew system live.",,,\r\n'
    b"CUS.02,2024/25 Q3,1234,,,Busy quarter,,,\r\n"
    b'CUS.03,2024/25 Q3,71,,,"Annual survey, 2023/24.",,,2023/24\r\n'
    b"HOU.01,2024/25 Q3,,27,54,,,,\r\n"
    b"HOU.02,2024/25 Q3,33.5,,,Contractor went into administration in November.,"
    b"Extra voids team from January,2025-01-31,\r\n"
    b"HOU.03,2024/25 Q3,130,,,Up with demand.,,,\r\n"
    b"HOU.04,2024/25 Q3,88,,,,,,\r\n"
)

EXPECTED_HIGHLIGHTS = (
    b"period,service,kind,text,objective,code\r\n"
    b'2024/25 Q3,Housing,achievement,"New lettings policy adopted, with cross-party support.",Homes,\r\n'
    b'2024/25 Q3,Housing,challenge,"Rising demand for temporary accommodation, ""as expected"".",,HOU.03\r\n'
)
