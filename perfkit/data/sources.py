"""Read a table of the data folder as text, from a CSV file or a workbook sheet.

Cells are read as text, with surrounding spaces removed, so that each column
can be parsed by the rules of the data contract and every problem reported
against the row the user sees in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import Problem

__all__ = ["SourceTable", "cell_text", "decode_text", "read_source"]

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
    rows = frame.attrs.get("rows", range(2, len(frame) + 2))  # spreadsheet row of each record
    frame = frame.astype(object).where(frame.notna(), "").map(cell_text)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    # Columns with no header and nothing in them are what Excel leaves after deleted columns.
    blank = [c for c in frame.columns if (c == "" or c.startswith("unnamed: ")) and (frame[c] == "").all()]
    frame = frame.drop(columns=blank)
    frame.insert(0, "row", list(rows))
    # Excel often leaves formatted but empty rows at the bottom of a sheet.
    data_cols = [c for c in frame.columns if c != "row"]
    if data_cols:
        empty = (frame[data_cols] == "").all(axis=1)
        frame = frame.loc[~empty]
    return frame.reset_index(drop=True)


def cell_text(value: object) -> str:
    """A cell as the text it shows: blank for missing, 12 (not 12.0) for a whole number, no spaces around."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_value(cell) -> object:
    """A workbook cell as the user sees it: a number formatted as a percentage (95%) is 95, not 0.95."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return round(value * 100, 10)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return value


def _read_sheet(sheet) -> pd.DataFrame:
    rows = sheet.iter_rows()
    try:
        header = [("" if c.value is None else str(c.value)) for c in next(rows)]
    except StopIteration:
        return pd.DataFrame()
    width = len(header)
    data = []
    for row in rows:
        values = [_xlsx_value(c) for c in row][:width]
        data.append(values + [""] * (width - len(values)))
    header = [h if h.strip() else f"unnamed: {i}" for i, h in enumerate(header)]
    return pd.DataFrame(data, columns=header, dtype=object)


def _read_csv(text: str, label: str, problems: list[Problem]) -> pd.DataFrame | None:
    """Read CSV text row by row, so that one bad row is reported and the rest still checked."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        problems.append(
            Problem(
                label,
                None,
                None,
                f"The file cannot be read as CSV ({exc}).",
                "Save it again from Excel as 'CSV (Comma delimited)'.",
            )
        )
        return None
    while rows and not any(cell.strip() for cell in rows[0]):
        rows.pop(0)
    if not rows:
        problems.append(Problem(label, None, None, "The file has no header row.", "Add a header row and the rows."))
        return None
    header, width = rows[0], len(rows[0])
    kept, numbers = [], []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(
                Problem(
                    label,
                    number,
                    None,
                    f"The row has {len(row)} cells but the header has {width}.",
                    "A comma inside a value (a decimal comma such as 12,5, or 1,234 as a number) must be written "
                    "with a full stop or the value put in quotes; or a header is missing.",
                )
            )
            continue
        kept.append((row + [""] * width)[:width])
        numbers.append(number)
    frame = pd.DataFrame(kept, columns=header, dtype=object)
    frame.attrs["rows"] = numbers
    return frame


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
        frame = _read_csv(text, label, problems)
        if frame is None:
            return None
        return SourceTable(name, label, csv_path, _tidy(frame))
    if xlsx_path.exists():
        label = f"{WORKBOOK} (sheet {name})"
        try:
            import openpyxl

            book = openpyxl.load_workbook(xlsx_path, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            problems.append(
                Problem(
                    WORKBOOK,
                    None,
                    None,
                    f"The workbook cannot be opened ({type(exc).__name__}).",
                    "Save it again from Excel as an .xlsx workbook.",
                )
            )
            return None
        match = {s.strip().lower(): s for s in book.sheetnames}
        if name not in match:
            problems.append(
                Problem(
                    WORKBOOK,
                    None,
                    None,
                    f"The workbook has no sheet called '{name}'.",
                    f"Add a sheet named '{name}' (sheets found: {', '.join(book.sheetnames)}).",
                )
            )
            return None
        frame = _read_sheet(book[match[name]])
        if frame.empty and not len(frame.columns):
            problems.append(Problem(label, None, None, "The sheet is empty.", f"Add a header row and the {name} rows."))
            return None
        return SourceTable(name, label, xlsx_path, _tidy(frame))
    problems.append(
        Problem(
            f"{name}.csv",
            None,
            None,
            f"The {name} table is missing from {data_dir}.",
            f"Add {name}.csv, or a sheet '{name}' in {WORKBOOK}.",
        )
    )
    return None
