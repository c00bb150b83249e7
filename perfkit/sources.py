"""Read a table of the data folder as text, from a CSV file or a workbook sheet.

Cells are read as text, with surrounding spaces removed, so that each column
can be parsed by the rules of the data contract and every problem reported
against the row the user sees in Excel.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import Problem

__all__ = ["SourceTable", "read_source", "decode_text"]

WORKBOOK = "register.xlsx"


@dataclass
class SourceTable:
    """A table read as text.

    Attributes
    ----------
    name
        The table's name in the contract (``metrics``).
    label
        How to name it in a message (``metrics.csv``, ``register.xlsx (sheet metrics)``).
    path
        The file it came from.
    frame
        One column per header, every cell a stripped string; ``row`` holds the
        spreadsheet row number (header = 1).
    """

    name: str
    label: str
    path: Path
    frame: pd.DataFrame


def decode_text(raw: bytes) -> str:
    """Decode a text file as Excel and Notepad save them: UTF-8 (with or without BOM) or Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(object).where(frame.notna(), "")
    frame = frame.map(lambda v: _cell_text(v))
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame.insert(0, "row", range(2, len(frame) + 2))
    # Excel often leaves formatted but empty rows at the bottom of a sheet.
    data_cols = [c for c in frame.columns if c != "row"]
    if data_cols:
        empty = (frame[data_cols] == "").all(axis=1)
        frame = frame.loc[~empty]
    return frame.reset_index(drop=True)


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_source(data_dir: Path, name: str, problems: list[Problem]) -> SourceTable | None:
    """Read table ``name`` from ``<name>.csv`` or the sheet ``name`` of ``register.xlsx``.

    Parameters
    ----------
    data_dir
        The council's data folder.
    name
        ``metrics``, ``targets`` or ``actuals``.
    problems
        Problems found are appended here.

    Returns
    -------
    SourceTable or None
        ``None`` when the table is missing or unreadable (a problem says why).
    """
    csv_path = data_dir / f"{name}.csv"
    xlsx_path = data_dir / WORKBOOK
    if csv_path.exists():
        label = csv_path.name
        text = decode_text(csv_path.read_bytes())
        if not text.strip():
            problems.append(Problem(label, None, None, "The file is empty.", f"Add a header row and the {name} rows."))
            return None
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            problems.append(
                Problem(label, None, None, f"The file cannot be read as CSV ({exc}).",
                        "Save it again from Excel as 'CSV (Comma delimited)'.")
            )
            return None
        return SourceTable(name, label, csv_path, _tidy(frame))
    if xlsx_path.exists():
        label = f"{WORKBOOK} (sheet {name})"
        try:
            sheets = pd.ExcelFile(xlsx_path, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for a damaged file
            problems.append(Problem(WORKBOOK, None, None, f"The workbook cannot be opened ({exc}).",
                                    "Save it again from Excel as an .xlsx workbook."))
            return None
        match = {s.strip().lower(): s for s in sheets.sheet_names}
        if name not in match:
            problems.append(
                Problem(WORKBOOK, None, None, f"The workbook has no sheet called '{name}'.",
                        f"Add a sheet named '{name}' (sheets found: {', '.join(sheets.sheet_names)}).")
            )
            return None
        frame = pd.read_excel(sheets, sheet_name=match[name], dtype=object)
        return SourceTable(name, label, xlsx_path, _tidy(frame))
    problems.append(
        Problem(f"{name}.csv", None, None, f"The {name} table is missing from {data_dir}.",
                f"Add {name}.csv, or a sheet '{name}' in {WORKBOOK}.")
    )
    return None
