"""Read a table of the data folder as text, from a CSV file or a workbook sheet.

Cells are read as text, with surrounding spaces removed, so that each column
can be parsed by the rules of the data contract and every problem reported
against the row the user sees in Excel.

Only regular files are read (a pipe would block for ever and a device never
ends); a file that is not what its name says (a workbook saved as ``.csv``, a
damaged ``.xlsx``) is reported by name with what to do, never as a traceback.
A CSV file is read in one pass by pandas' C parser; only when that parser
cannot read it (a row with more cells than the header, a quote mark never
closed) is it read again row by row, to name the rows at fault. A workbook is
opened once, read-only, for every sheet, and read only as far as its last
row with a value: councils often format whole columns, which makes Excel keep
a million empty rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import Problem
from .limits import MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_SHEET_XML_BYTES

__all__ = [
    "SourceTable",
    "cell_text",
    "decode_text",
    "file_kind",
    "find_data_file",
    "read_data_file",
    "read_source",
    "read_sources",
    "read_toml",
]

WORKBOOK = "register.xlsx"

#: Every character ``str.strip()`` removes, and the invisible ones Excel and Notepad leave (BOM, zero-width space).
#: Written out: finding them by testing every code point took a tenth of a second of every process
#: that reads data, each notebook's kernel included (tests/data/test_strip.py checks the list).
_STRIP = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
    "\ufeff\u200b"
)
#: Control characters that have no place in a cell (tab, line feed and carriage return do).
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SAVE_AS_CSV = "Open it in Excel and use File > Save As > 'CSV UTF-8 (Comma delimited)'."


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
        spreadsheet row number (the header is row ``header_row``, usually 1).
    header_row
        The row of the header as the user sees it.
    """

    name: str
    label: str
    path: Path
    frame: pd.DataFrame
    header_row: int = 1


def decode_text(raw: bytes) -> str:
    """Decode a text file as Excel and Notepad save them: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252.

    >>> decode_text("£5".encode("cp1252")), decode_text(b"\\xef\\xbb\\xbfcode")
    ('£5', 'code')
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    return raw.decode(_encoding(raw), errors="replace")


#: A character of two to four bytes in UTF-8: Windows-1252 text almost never holds one by chance.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _encoding(raw: bytes) -> str:
    """``utf-8-sig`` for UTF-8, also when a few bytes are damaged; else ``cp1252``, as Excel saves CSV.

    A file is taken as damaged UTF-8 when it holds at least as many UTF-8 characters of two to
    four bytes as bytes that are not UTF-8: one stray byte from another save does not make every
    accent and dash in it wrong.
    """
    try:
        raw.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        valid = len(_UTF8_SEQUENCE.findall(raw))
        if not valid:
            return "cp1252"
        invalid = raw.decode("utf-8", errors="replace").count("\ufffd")
        return "utf-8-sig" if valid >= invalid else "cp1252"


def _damaged_utf8(raw: bytes, label: str, problems: list[Problem]) -> None:
    """Warn, with its line, about a byte that is not UTF-8 in a file that otherwise is."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _encoding(raw) == "utf-8-sig":
            line = raw.count(b"\n", 0, exc.start) + 1
            problems.append(
                Problem(
                    label,
                    line,
                    None,
                    f"The file is UTF-8 text, but byte {exc.start + 1:,} (on line {line:,}) is not: "
                    "it is read as \ufffd.",
                    "Retype the character there, or save the file again as 'CSV UTF-8 (Comma delimited)'.",
                    "warning",
                )
            )


def cell_text(value: object) -> str:
    """A cell as the text it shows: blank for missing, 12 (not 12.0) for a whole number, no spaces around."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip(_STRIP)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 → A, 26 → AA.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- files -----------------------------------------------------------------------------------


def read_data_file(path: Path, label: str, problems: list[Problem], *, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """The bytes of a data file, or ``None`` with a problem saying why it cannot be read.

    Only a regular file is read (a link is followed to one): a folder, a pipe or a
    device in its place is reported, as is a file that cannot be opened or is
    larger than ``limit``.
    """
    why = _not_a_regular_file(path, limit)
    if why:
        problems.append(Problem(label, None, None, why[0], why[1]))
        return None
    try:
        with open(path, "rb") as f:
            return f.read(limit + 1)
    except OSError as exc:
        problems.append(
            Problem(
                label,
                None,
                None,
                f"The file cannot be read ({exc.strerror or type(exc).__name__}).",
                "Check that it is not open in another program and that you may read it, then try again.",
            )
        )
        return None


def _not_a_regular_file(path: Path, limit: int) -> tuple[str, str] | None:
    try:
        info = path.stat()  # follows a link to what it points at
    except FileNotFoundError:
        if path.is_symlink():
            return (
                f"The file is a link to {os.readlink(path)}, which does not exist.",
                "Put the file itself in the data folder, or correct the link.",
            )
        return ("The file does not exist.", "Check the data folder.")
    except OSError as exc:
        return (
            f"The file cannot be read ({exc.strerror or type(exc).__name__}).",
            "Check that you may read it, then try again.",
        )
    if not stat.S_ISREG(info.st_mode):  # worded as the survey's reader words it (survey/files.py)
        return (
            f"{path.name} is {file_kind(info.st_mode)}, not a file; only ordinary files are read.",
            f"Replace it with the {path.name} file itself (a copy, not a pipe, device or folder).",
        )
    if info.st_size > limit:
        return (
            f"The file is {_megabytes(info.st_size)}, more than perfkit reads for a register file "
            f"({_megabytes(limit)}).",
            "Check that this is the right file; a register of a million rows is about 30 MB.",
        )
    return None


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words, from its ``st_mode``."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def find_data_file(data_dir: Path, filename: str) -> Path:
    """``data_dir / filename``, or the one file there whose name differs only in case.

    A folder copied from Windows (which ignores case) may hold ``Metrics.csv`` or ``Register.XLSX``.

    >>> find_data_file(tiny_dir, "METRICS.CSV").name
    'metrics.csv'
    """
    exact = data_dir / filename
    if os.path.lexists(exact):
        return exact
    try:
        matches = [p for p in data_dir.iterdir() if p.name.lower() == filename.lower()]
    except OSError:
        return exact
    return matches[0] if len(matches) == 1 else exact


def _megabytes(size: int) -> str:
    mb = size / 2**20
    return f"{mb:,.0f} MB" if mb >= 10 or mb.is_integer() else f"{mb:.1f} MB"


def _present(path: Path) -> bool:
    """True when something is at ``path``, even a broken link (so that it is reported, not ignored)."""
    return os.path.lexists(path)


def _not_text(raw: bytes) -> tuple[str, str] | None:
    """Why raw bytes are not a CSV text file (a workbook, a PDF, binary data), or None."""
    if raw.startswith(b"PK\x03\x04"):
        return (
            "The file is an Excel workbook (or another zip file) with a .csv name, not a CSV file.",
            f"{_SAVE_AS_CSV} Or name it register.xlsx and give it sheets named metrics, targets and actuals.",
        )
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return ("The file is an old-style Excel workbook (.xls) with a .csv name, not a CSV file.", _SAVE_AS_CSV)
    if raw.startswith(b"%PDF"):
        return ("The file is a PDF document, not a CSV file.", "Export the table from its source as CSV.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text ("Unicode Text" in Excel): decoded, and its tabs reported if any
    head = raw[:65536]
    if head and len(head) - len(head.translate(None, _CONTROL_BYTES)) > max(8, len(head) // 100):
        return (
            "The file is not text: it holds binary data (perhaps a damaged save, or a file of another kind).",
            f"Check that it is the right file. {_SAVE_AS_CSV}",
        )
    return None


#: Deeper than any settings file needs (a council.toml is three levels deep at most).
MAX_TOML_DEPTH = 20


def read_toml(path: Path, label: str, problems: list[Problem]) -> dict | None:
    """A settings file as a dict, or ``None`` with a problem naming the file and what is wrong.

    Malformed TOML is reported with its line and column; nesting deeper than
    :data:`MAX_TOML_DEPTH` (which would exhaust Python's recursion) is refused.
    """
    import tomllib

    raw = read_data_file(path, label, problems, limit=2**20)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                label,
                None,
                None,
                f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read).",
                "Save it as UTF-8 (in Notepad: File > Save As > Encoding: UTF-8).",
            )
        )
        return None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(
            Problem(
                label,
                None,
                None,
                f"The file is not valid TOML ({exc}).",
                'Write settings as lines like name = "Demo District Council", text in double quotes.',
            )
        )
        return None
    except RecursionError:
        doc = None
    if doc is None or _depth(doc) > MAX_TOML_DEPTH:
        problems.append(
            Problem(
                label,
                None,
                None,
                f"The file nests lists or tables more than {MAX_TOML_DEPTH} levels deep.",
                "Check it for a run of [ or { characters; the settings perfkit reads are at most three levels deep.",
            )
        )
        return None
    return doc


def _depth(doc: object) -> int:
    """How deeply lists and tables nest, without recursion (the document may be very deep)."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_TOML_DEPTH:
                return depth
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest


# --- CSV -------------------------------------------------------------------------------------


def _csv_records(raw: bytes, label: str, problems: list[Problem]) -> pd.DataFrame | None:
    """Every record of a CSV file as text, one column per position; row ``i`` is spreadsheet row ``i + 1``."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        source: io.IOBase = io.StringIO(decode_text(raw), newline="")
        encoding = None
    else:
        source = io.BytesIO(raw)
        encoding = _encoding(raw)
        if encoding == "utf-8-sig":
            _damaged_utf8(raw, label, problems)
    try:
        frame = pd.read_csv(
            source,
            header=None,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            encoding=encoding,
            encoding_errors="replace",
            engine="c",
            low_memory=False,
        )
    except pd.errors.EmptyDataError:  # nothing at all, or blank lines above the header
        if not decode_text(raw).strip(_STRIP):
            return pd.DataFrame()
        return _csv_records_one_by_one(decode_text(raw), "", label, problems)
    except pd.errors.ParserError as exc:
        return _csv_records_one_by_one(decode_text(raw), str(exc), label, problems)
    frame.columns = range(frame.shape[1])
    return frame


def _csv_records_one_by_one(text: str, parser_error: str, label: str, problems: list[Problem]) -> pd.DataFrame | None:
    """Read CSV text with the csv module, to name the rows the fast parser could not read."""
    unclosed = re.search(r"EOF inside string starting at row (\d+)", parser_error)
    if unclosed:
        problems.append(
            Problem(
                label,
                int(unclosed[1]) + 1,
                None,
                'A quote mark (") opens a value on this row and is never closed, so the rest of the file '
                "would be read as that one value.",
                "Add the closing quote mark, or remove the opening one; inside a quoted value write a quote "
                'mark as "".',
            )
        )
        return None
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, MAX_FILE_BYTES))  # long cells are reported below, with their row
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        problems.append(
            Problem(label, None, None, f"The file cannot be read as CSV ({exc}).", _SAVE_AS_CSV + " Then try again.")
        )
        return None
    finally:
        csv.field_size_limit(previous)
    header = next((i for i, r in enumerate(records) if any(c.strip(_STRIP) for c in r)), None)
    if header is None:
        return pd.DataFrame()
    width = len(records[header])
    kept = []
    for number, record in enumerate(records, start=1):
        if len(record) > width and any(c.strip(_STRIP) for c in record[width:]):
            problems.append(
                Problem(
                    label,
                    number,
                    None,
                    f"The row has {len(record)} cells but the header has {width}.",
                    "A comma inside a value (a decimal comma such as 12,5, or 1,234 as a number) must be written "
                    "with a full stop or the value put in quotes; or a header is missing.",
                )
            )
            record = []  # kept as a blank row, so the row numbers below it stay right
        kept.append((record + [""] * width)[:width])
    return pd.DataFrame(kept, columns=range(width), dtype=object)


def _table(
    records: pd.DataFrame, label: str, problems: list[Problem], *, controls: bool
) -> tuple[pd.DataFrame, int] | None:
    """Records (every cell text) → a frame headed by the first non-blank record, with ``row`` numbers.

    ``controls`` says whether the file holds control characters at all, so that a clean
    file is not searched cell by cell.
    """
    n = len(records)
    cells = [np.array(list(map(str.strip, records[c].tolist(), repeat(_STRIP))), dtype=object) for c in records]
    lengths = [np.fromiter(map(len, c), dtype=np.int64, count=n) for c in cells]
    blank = sum(lengths, np.zeros(n, dtype=np.int64)) == 0
    if blank.all():
        return None
    first = int(np.argmin(blank))
    header_row = first + 1
    names = [" ".join(str(c[first]).split()).strip(_STRIP).lower() for c in cells]
    # "row" holds each row's number: a column of the data headed "row" is kept under another name
    names = [f"row (column {column_letter(i)})" if n == "row" else n for i, n in enumerate(names)]
    if len([n for n in names if n]) == 1:
        _one_column_hint(next(str(c[first]) for c in cells if c[first]), label, header_row, problems)
    keep = np.flatnonzero(~blank[first + 1 :]) + first + 1
    rows = keep + 1
    columns: dict[str, np.ndarray] = {}
    for i, name in enumerate(names):
        column, length = cells[i][keep], lengths[i][keep]
        if name == "":
            filled = np.flatnonzero(length)
            if len(filled):
                problems.append(
                    Problem(
                        label,
                        header_row,
                        None,
                        f"Column {column_letter(i)} has values (first on row {rows[filled[0]]}) but no header, "
                        "so it is ignored.",
                        "Give the column a header, or delete it.",
                        "warning",
                    )
                )
            continue
        if name in columns:
            problems.append(
                Problem(
                    label,
                    header_row,
                    name,
                    f"The column '{name}' appears twice (columns {column_letter(names.index(name))} and "
                    f"{column_letter(i)}).",
                    "Delete or rename one of them: perfkit cannot tell which one to use.",
                )
            )
            continue
        _check_cells(column, length, rows, name, label, problems, controls=controls)
        columns[name] = column
    frame = pd.DataFrame({"row": rows, **columns})
    return _without_repeated_headers(frame, label, problems), header_row


def _check_cells(
    cells: np.ndarray,
    lengths: np.ndarray,
    rows: np.ndarray,
    name: str,
    label: str,
    problems: list[Problem],
    *,
    controls: bool,
) -> None:
    """Cells longer than a spreadsheet cell can hold (then blanked) and control characters, by row."""
    for i in np.flatnonzero(lengths > MAX_CELL_CHARS)[:20]:
        problems.append(
            Problem(
                label,
                int(rows[i]),
                name,
                f"The cell holds {lengths[i]:,} characters, more than a spreadsheet cell can "
                f'({MAX_CELL_CHARS:,}). Usually a quote mark (") opens the value and the next one is '
                "missing, so the following rows were read into this cell.",
                "Check the quote marks on this row. If the text really is this long, shorten it: a "
                "report's commentary is a few sentences; link to a longer document instead.",
            )
        )
        cells[i] = ""
    if not controls:
        return
    for i in np.flatnonzero([_CONTROL.search(v) is not None for v in cells])[:20]:
        char = _CONTROL.search(cells[i])[0]  # type: ignore[index]
        problems.append(
            Problem(
                label,
                int(rows[i]),
                name,
                f"The cell holds an invisible control character (code {ord(char)}"
                f"{', a NUL' if char == chr(0) else ''}), which a damaged save or a copy from another "
                "program leaves.",
                "Retype the cell, or open the file in a text editor and delete the character.",
            )
        )


def _without_repeated_headers(frame: pd.DataFrame, label: str, problems: list[Problem]) -> pd.DataFrame:
    """Rows that repeat the header (two files pasted one below the other) are reported and dropped."""
    names = list(frame.columns[1:])
    if not names or frame.empty:
        return frame
    candidate = frame[names[0]].str.lower() == names[0]
    if not candidate.any():
        return frame
    repeated = candidate & (frame[names].apply(lambda c: c.str.lower()) == names).all(axis=1)
    for row in frame.loc[repeated, "row"]:
        problems.append(
            Problem(
                label,
                int(row),
                None,
                "This row repeats the header row.",
                "Delete it: it usually comes from pasting one file below another.",
            )
        )
    return frame.loc[~repeated].reset_index(drop=True)


def _read_csv(path: Path, name: str, problems: list[Problem]) -> SourceTable | None:
    label = path.name
    raw = read_data_file(path, label, problems)
    if raw is None:
        return None
    why = _not_text(raw)
    if why:
        problems.append(Problem(label, None, None, *why))
        return None
    records = _csv_records(raw, label, problems)
    if records is None:
        return None
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    table = _table(records, label, problems, controls=utf16 or len(raw.translate(None, _CONTROL_BYTES)) != len(raw))
    if table is None:
        problems.append(Problem(label, None, None, "The file is empty.", f"Add a header row and the {name} rows."))
        return None
    frame, header_row = table
    return SourceTable(name, label, path, frame, header_row)


def _one_column_hint(header: str, label: str, header_row: int, problems: list[Problem]) -> None:
    """A header read as one column because the file is separated by semicolons or tabs, as some Excels save."""
    for sep, what in ((";", "semicolons"), ("\t", "tabs")):
        if sep in header:
            problems.append(
                Problem(
                    label,
                    header_row,
                    None,
                    f"The columns are separated by {what}, not commas.",
                    f"{_SAVE_AS_CSV} (Excel set to a language that writes decimal commas separates with semicolons.)",
                )
            )
            return


# --- workbook --------------------------------------------------------------------------------


def _xlsx_value(cell) -> object:
    """A workbook cell as the user sees it: a number formatted as a percentage (95%) is 95, not 0.95."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)) and "%" in (cell.number_format or ""):
        return round(value * 100, 10)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return value


_CONTENT_TAGS = (b"</v>", b"</is>")


class _SheetScan(NamedTuple):
    last_row: int | None
    merged: list[str]
    uncalculated: list[str]


#: A cell with a formula and no saved result (no ``<v>``, or an empty one outside a text result).
_FORMULA_ONLY = re.compile(
    rb"<(?:\w+:)?c(\s[^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_CELL_REF = re.compile(rb'\br="([A-Z]+\d+)"')


def _scan_sheet_xml(source) -> _SheetScan:
    """The last row holding a value, and the merged ranges, from one fast pass over a sheet's XML.

    Formatting alone writes rows without values (``<row r="900000" s="1">``, ``<c r="A900000" s="1"/>``);
    a value is in a ``<v>`` (or an inline ``<is>``) element. Reading stops at the row found here
    (0 when no row has a value; None when rows are not numbered, so every row must be read).
    Read-only worksheets do not expose merged cells, so they are collected here too, with the
    cells holding a formula whose result was never saved (a workbook written by a program other
    than Excel): perfkit reads results, so those cells would silently read as blank.
    """
    last_value_row = 0
    last_row_tag = b""
    carry = b""
    prefix = b""
    merged: list[str] = []
    uncalculated: list[str] = []
    first = True
    while True:
        chunk = source.read(1 << 20)
        if not chunk:
            break
        data = carry + chunk
        if first:
            m = re.search(rb"<(\w+):worksheet\b", data[:4096])
            prefix = m[1] + b":" if m else b""
            first = False
        tags = [t.replace(b"</", b"</" + prefix) for t in _CONTENT_TAGS]
        row_tag = b"<" + prefix + b"row "
        at = max(data.rfind(t) for t in tags)
        if at >= 0:
            start = data.rfind(row_tag, 0, at)
            tag = data[start : data.find(b">", start)] if start >= 0 else last_row_tag
            m = re.search(rb'\sr="(\d+)"', tag)
            if not m:
                return _SheetScan(None, [], [])
            last_value_row = int(m[1])
        start = data.rfind(row_tag)
        end = data.find(b">", start) if start >= 0 else -1
        if end >= 0:
            last_row_tag = data[start:end]
        if b"mergeCell" in data:
            merged += [m.decode() for m in re.findall(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"', data)]
        if b"<f" in data or b":f" in data:
            for attributes in _FORMULA_ONLY.findall(data):
                ref = _CELL_REF.search(attributes)
                if ref and b't="str"' not in attributes:  # an empty text result is a result
                    uncalculated.append(ref[1].decode())
        carry = data[-512:]
    return _SheetScan(last_value_row, list(dict.fromkeys(merged)), list(dict.fromkeys(uncalculated)))


class _Workbook:
    """``register.xlsx``, opened once, read-only, for all the sheets a load needs."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = path
        self.name = path.name  # register.xlsx, or as the folder spells it
        self.problems = problems
        self.book = None
        self.broken = False

    def _open(self):
        if self.book is not None or self.broken:
            return self.book
        self.broken = True
        raw = read_data_file(self.path, self.name, self.problems)
        if raw is None:
            return None
        why = _not_a_workbook(raw)
        if why:
            self.problems.append(Problem(self.name, None, None, *why))
            return None
        import openpyxl

        try:
            self.book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl and zipfile raise many types for a damaged file
            self.problems.append(
                Problem(
                    self.name,
                    None,
                    None,
                    f"The workbook is damaged and cannot be opened ({type(exc).__name__}: {exc}).",
                    "Open it in Excel (which can often repair it) and save it again as an .xlsx workbook.",
                )
            )
            return None
        self.broken = False
        return self.book

    def sheet_names(self) -> list[str]:
        """The sheets' names, or none when the workbook cannot be opened (then said only if a sheet is read)."""
        quiet: list[Problem] = []
        self.problems, loud = quiet, self.problems
        try:
            book = self._open()
        finally:
            self.problems = loud
        if book is None:
            self.broken = False  # try again, and report, if a sheet is needed
        return list(book.sheetnames) if book is not None else []

    def read(self, name: str) -> SourceTable | None:
        book = self._open()
        if book is None:
            return None
        found = [s for s in book.sheetnames if " ".join(s.split()).lower() == name]
        if not found:
            self.problems.append(
                Problem(
                    self.name,
                    None,
                    None,
                    f"The workbook has no sheet called '{name}'.",
                    f"Add a sheet named '{name}' (sheets found: {', '.join(book.sheetnames)}).",
                )
            )
            return None
        if len(found) > 1:
            self.problems.append(
                Problem(
                    self.name,
                    None,
                    None,
                    f"The workbook has {len(found)} sheets called '{name}': {', '.join(repr(s) for s in found)}.",
                    "Keep one of them, or rename the others.",
                )
            )
            return None
        label = f"{self.name} (sheet {found[0]})"
        sheet = book[found[0]]
        if not hasattr(sheet, "iter_rows"):
            self.problems.append(
                Problem(label, None, None, "The sheet is a chart, not a table.", f"Put the {name} table in the sheet.")
            )
            return None
        if getattr(sheet, "sheet_state", "visible") != "visible":
            self.problems.append(
                Problem(
                    label,
                    None,
                    None,
                    "The sheet is hidden in Excel, but it is the one perfkit reads.",
                    "Unhide it (right-click a sheet tab > Unhide) and check it holds this quarter's table.",
                    "warning",
                )
            )
        records = self._records(sheet, label)
        if records is None:
            return None
        # XML cannot hold control characters, and a workbook cell cannot exceed Excel's limit
        table = _table(records, label, self.problems, controls=False)
        if table is None:
            self.problems.append(
                Problem(label, None, None, "The sheet is empty.", f"Add a header row and the {name} rows.")
            )
            return None
        frame, header_row = table
        return SourceTable(name, label, self.path, frame, header_row)

    def _records(self, sheet, label: str) -> pd.DataFrame | None:
        last, merged, uncalculated = self._scan(sheet, label)
        if last == -1:
            return None
        self._report_merged(merged, label)
        self._report_uncalculated(uncalculated, label)
        sheet.reset_dimensions()  # the stored size may run to row 1,048,576 and column XFD
        data: list[list[object]] = []
        try:
            for row in _rows(sheet, last):
                data.append([cell_text(_xlsx_value(c)) if c is not None else "" for c in row])
        except Exception as exc:  # a damaged sheet inside a readable zip: openpyxl raises many types
            self.problems.append(
                Problem(
                    label,
                    len(data) + 1,
                    None,
                    f"The sheet is damaged and cannot be read from this row ({type(exc).__name__}).",
                    "Open the workbook in Excel (which can often repair it) and save it again.",
                )
            )
            return None
        width = max(map(len, data), default=0)
        return pd.DataFrame([r + [""] * (width - len(r)) for r in data], columns=range(width), dtype=object)

    def _scan(self, sheet, label: str) -> _SheetScan:
        """The sheet's scan (:func:`_scan_sheet_xml`); its ``last_row`` is -1 when the sheet is too large or damaged."""
        try:
            info = sheet.parent._archive.getinfo(sheet._worksheet_path)
            if info.file_size > MAX_SHEET_XML_BYTES:
                self.problems.append(
                    Problem(
                        label,
                        None,
                        None,
                        f"The sheet is {info.file_size / 2**20:,.0f} MB once unpacked, far more than a register.",
                        "Copy the table into a new workbook and save that.",
                    )
                )
                return _SheetScan(-1, [], [])
            with sheet._get_source() as src:
                return _scan_sheet_xml(src)
        except (AttributeError, KeyError):  # openpyxl's internals moved: read every row instead
            return _SheetScan(None, [], [])
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:  # the sheet's part of the zip is damaged
            self.problems.append(
                Problem(
                    label,
                    None,
                    None,
                    f"The sheet is damaged and cannot be read ({type(exc).__name__}: {exc}).",
                    "Open the workbook in Excel (which can often repair it) and save it again.",
                )
            )
            return _SheetScan(-1, [], [])

    def _report_merged(self, merged: list[str], label: str) -> None:
        from openpyxl.utils.cell import range_boundaries

        for ref in merged[:20]:
            _, min_row, _, max_row = range_boundaries(ref)
            if max_row > min_row:
                self.problems.append(
                    Problem(
                        label,
                        min_row,
                        None,
                        f"Cells {ref} are merged, so only row {min_row} holds the value and rows "
                        f"{min_row + 1} to {max_row} are read as blank.",
                        "Unmerge them (Home > Merge & Center) and fill the value into every row.",
                    )
                )
            else:
                self.problems.append(
                    Problem(
                        label,
                        min_row,
                        None,
                        f"Cells {ref} are merged; only the value of the first is read.",
                        "Unmerge them (Home > Merge & Center) so each column holds its own value.",
                        "warning",
                    )
                )

    def _report_uncalculated(self, cells: list[str], label: str) -> None:
        from openpyxl.utils.cell import coordinate_from_string

        for ref in cells[:20]:
            self.problems.append(
                Problem(
                    label,
                    coordinate_from_string(ref)[1],
                    None,
                    f"Cell {ref} holds a formula whose result was never saved, so it would read as blank.",
                    "Open the workbook in Excel and save it: Excel stores each formula's result, which is "
                    "what perfkit reads.",
                )
            )
        if len(cells) > 20:
            self.problems.append(
                Problem(
                    label,
                    None,
                    None,
                    f"…and {len(cells) - 20:,} more cells hold formulas whose results were never saved.",
                    "Open the workbook in Excel and save it.",
                )
            )

    def close(self) -> None:
        if self.book is not None:
            self.book.close()


def _rows(sheet, last: int | None) -> Iterator[tuple]:
    if last is None:
        yield from sheet.iter_rows()
    elif last >= 1:
        yield from sheet.iter_rows(min_row=1, max_row=last)


def _not_a_workbook(raw: bytes) -> tuple[str, str] | None:
    """Why the bytes of ``register.xlsx`` are not an .xlsx workbook, or None."""
    if raw.startswith(b"PK\x03\x04"):
        return None
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptedPackage".encode("utf-16-le") in raw[: 1 << 20] or b"EncryptedPackage" in raw:
            return (
                "The workbook is protected by a password, so it cannot be read.",
                "Save a copy without a password (File > Info > Protect Workbook > Encrypt with Password, "
                "clear it) and use that.",
            )
        return (
            "The workbook is in the old Excel 97-2003 format (.xls) with an .xlsx name.",
            "Open it in Excel and save it as an Excel Workbook (.xlsx).",
        )
    if not raw.strip():
        return ("The workbook file is empty.", "Save the workbook again from Excel.")
    return (
        "The file is not an Excel workbook (an .xlsx is a zip file; this one is not, perhaps a CSV or web "
        "page renamed, or a copy that did not finish).",
        "Open the original in Excel and save it as an Excel Workbook (.xlsx).",
    )


# --- the register's tables ---------------------------------------------------------------------


def read_sources(
    data_dir: Path, names: tuple[str, ...], problems: list[Problem], *, optional: tuple[str, ...] = ()
) -> dict[str, SourceTable | None]:
    """Read each table from ``<name>.csv`` or the sheet ``name`` of ``register.xlsx``, opening the workbook once.

    Parameters
    ----------
    data_dir
        The council's data folder.
    names
        The tables, e.g. ``("metrics", "targets", "actuals")``.
    problems
        Problems found are appended here.
    optional
        Those of ``names`` whose absence is not a problem.

    Returns
    -------
    dict
        Each name's table, or ``None`` when it is missing or unreadable (a problem says why,
        unless an optional table is simply absent).
    """
    book = _Workbook(find_data_file(data_dir, WORKBOOK), problems)
    tables: dict[str, SourceTable | None] = {}
    try:
        for name in names:
            csv_path = find_data_file(data_dir, f"{name}.csv")
            if _present(csv_path):
                tables[name] = _read_csv(csv_path, name, problems)
                if _present(book.path) and name in {" ".join(s.split()).lower() for s in book.sheet_names()}:
                    problems.append(
                        Problem(
                            csv_path.name,
                            None,
                            None,
                            f"There is both {csv_path.name} and a sheet '{name}' in {book.name}; "
                            f"{csv_path.name} is read.",
                            f"Delete the one that is out of date, so nobody edits the wrong {name}.",
                            "warning",
                        )
                    )
            elif name in optional and not (
                _present(book.path) and name in {" ".join(s.split()).lower() for s in book.sheet_names()}
            ):
                tables[name] = None
            elif _present(book.path):
                tables[name] = book.read(name)
            else:
                tables[name] = None
                problems.append(
                    Problem(
                        f"{name}.csv",
                        None,
                        None,
                        f"The {name} table is missing from {data_dir}.",
                        f"Add {name}.csv, or a sheet '{name}' in {WORKBOOK}.",
                    )
                )
    finally:
        book.close()
    return tables


def read_source(data_dir: Path, name: str, problems: list[Problem], *, required: bool = True) -> SourceTable | None:
    """Read table ``name`` from ``<name>.csv`` or the sheet ``name`` of ``register.xlsx``.

    Parameters
    ----------
    data_dir
        The council's data folder.
    name
        ``metrics``, ``targets`` or ``actuals``.
    problems
        Problems found are appended here.
    required
        ``False`` for an optional table: its absence is not a problem.

    Returns
    -------
    SourceTable or None
        ``None`` when the table is missing or unreadable (a problem says why, unless an
        optional table is simply absent).
    """
    return read_sources(data_dir, (name,), problems, optional=() if required else (name,))[name]
