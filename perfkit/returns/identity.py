"""The hidden Identity sheet of a return: whose return it is, and a fingerprint of its locked cells.

The sheet names the council (``[returns] id``, never a folder's path), the
quarter, the service and the template version, lists where the cells to fill
are, and holds a SHA-256 of every other cell as the workbook was made.
``collect`` checks a returned workbook against that, so a changed code, title or
target is caught however the workbook was saved.

Cells are compared as the text they show, so that a value saved again by Excel,
LibreOffice or Google Sheets (96 read back as 96.0, a date as a date-time) has
the same fingerprint.

Examples
--------
>>> cells_in("K2:L3")
[('K', 2), ('L', 2), ('K', 3), ('L', 3)]
>>> normal(96.0), normal(96), normal("a\\r\\nb"), normal(None), normal(dt.datetime(2024, 6, 30))
('96', '96', 'a\\nb', '', '2024-06-30')
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

__all__ = ["KEYS", "Identity", "cells_in", "compress", "digest", "normal"]

#: The identity rows, in order (``sha256`` last: it covers the others).
KEYS = (
    "council",
    "council_name",
    "quarter",
    "service",
    "template_version",
    "made_at",
    "made_with",
    "sheets",
    "inputs",
    "sign_off_name_cell",
    "sign_off_date_cell",
    "sha256",
)


def normal(value: object) -> str:
    """A cell's value as compared: text as it reads, numbers without float noise, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        f = float(value)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else f"{f:.12g}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")


def cells_in(ref: str) -> list[tuple[str, int]]:
    """The cells of a range (``K2:M9`` or ``N5``), row by row, as ``(column letter, row)``."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    assert min_col is not None and min_row is not None and max_col is not None and max_row is not None
    return [(get_column_letter(c), r) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def compress(cells: Iterable[tuple[str, int]]) -> list[str]:
    """Cells as few ranges: each column's consecutive rows become ``K2:K9``.

    >>> compress([("K", 2), ("K", 3), ("K", 4), ("N", 3), ("N", 5)])
    ['K2:K4', 'N3', 'N5']
    """
    by_column: dict[str, list[int]] = {}
    for col, row in cells:
        by_column.setdefault(col, []).append(row)
    refs = []
    for col in sorted(by_column, key=column_index_from_string):
        rows = sorted(set(by_column[col]))
        start = prev = rows[0]
        for r in [*rows[1:], None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            refs.append(f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}")
            if r is not None:
                start = prev = r
    return refs


@dataclass
class Identity:
    """What the Identity sheet says.

    Attributes
    ----------
    sheets
        Each sheet's area as made (``{"Metrics": "A1:S12"}``).
    inputs
        Each sheet's cells to fill, as ranges.
    """

    council: str
    council_name: str
    quarter: str
    service: str
    template_version: str
    made_at: str = ""
    made_with: str = ""
    sheets: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, list[str]] = field(default_factory=dict)
    sign_off_name_cell: str = ""
    sign_off_date_cell: str = ""
    sha256: str = ""

    def rows(self) -> list[tuple[str, str]]:
        """The key and value of each row of the sheet."""
        values = {
            **{k: str(getattr(self, k)) for k in KEYS if k not in ("sheets", "inputs")},
            "sheets": ";".join(f"{s}!{ref}" for s, ref in self.sheets.items()),
            "inputs": ";".join(f"{s}!{' '.join(refs)}" for s, refs in self.inputs.items() if refs),
        }
        return [(k, values[k]) for k in KEYS]

    @classmethod
    def from_rows(cls, rows: dict[str, str]) -> Identity:
        """Read the sheet's key and value pairs (missing keys are blank)."""
        sheets = {}
        for part in filter(None, rows.get("sheets", "").split(";")):
            name, _, ref = part.rpartition("!")
            sheets[name] = ref
        inputs = {}
        for part in filter(None, rows.get("inputs", "").split(";")):
            name, _, refs = part.rpartition("!")
            inputs[name] = refs.split()
        plain = {k: rows.get(k, "") for k in KEYS if k not in ("sheets", "inputs")}
        return cls(**plain, sheets=sheets, inputs=inputs)

    def input_cells(self) -> set[tuple[str, str, int]]:
        """Every cell to fill, as ``(sheet, column, row)``."""
        return {(s, c, r) for s, refs in self.inputs.items() for ref in refs for c, r in cells_in(ref)}


def digest(identity: Identity, value_of: Callable[[str, str, int], object]) -> str:
    """SHA-256 of the identity and of every cell of the listed areas that is not a cell to fill.

    Parameters
    ----------
    identity
        The workbook's identity (its ``sha256`` is not part of the digest).
    value_of
        ``value_of(sheet, column letter, row)``: a cell's value.
    """
    h = hashlib.sha256()
    for key, value in identity.rows():
        if key != "sha256":
            h.update(f"{key}={value}\n".encode())
    inputs = identity.input_cells()
    for sheet, ref in identity.sheets.items():
        for col, row in cells_in(ref):
            if (sheet, col, row) not in inputs:
                h.update(f"{sheet}!{col}{row}\t{normal(value_of(sheet, col, row))}\n".encode())
    return h.hexdigest()
