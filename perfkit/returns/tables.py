"""Edit a table of the register in place: ``actuals.csv`` byte for byte, or a sheet of ``register.xlsx``.

A CSV file keeps its encoding (UTF-8, UTF-8 with BOM or Windows-1252), its line
endings, its column order and every byte of the rows that do not change; a
changed row is written again in the file's style, new rows are appended, and a
column the file lacks is added at the end of the header only (readers pad the
shorter rows above it). A workbook keeps its other sheets and cell values.
Either is replaced atomically.

Examples
--------
>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "actuals.csv"
>>> _ = path.write_bytes(b'code,period,value\\r\\nA1,2024/25 Q1, 80 \\r\\n')
>>> table = CsvTable.open(path)
>>> table.find("A1", "2024/25 Q1"), table.get(0, "value")
(0, '80')
>>> i = table.append({"code": "A1", "period": "2024/25 Q2", "value": "84", "commentary": 'Two "new" staff, at last'})
>>> table.save()
>>> path.read_bytes()
b'code,period,value,commentary\\r\\nA1,2024/25 Q1, 80 \\r\\nA1,2024/25 Q2,84,"Two ""new"" staff, at last"\\r\\n'
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import re
from pathlib import Path

from ..errors import PerfkitError, PeriodError
from ..periods import parse_quarter
from ..publish.safe_files import write_atomic

__all__ = ["CsvTable", "Table", "XlsxTable", "number_text", "open_table"]

_LINE_END = re.compile(rb"\r\n|\n|\r")

#: The order of the contract's columns (design §3): a column a file lacks is added in this order.
COLUMN_ORDER = (
    "code",
    "period",
    "value",
    "numerator",
    "denominator",
    "commentary",
    "status",
    "status_reason",
    "progress",
    "revised_due",
    "action",
    "action_due",
    "for_period",
    "service",
    "kind",
    "text",
    "objective",
    "strategy",
    "tactic",
)


def _order(column: str) -> int:
    return COLUMN_ORDER.index(column) if column in COLUMN_ORDER else len(COLUMN_ORDER)


def number_text(value: float) -> str:
    """A number as the register writes it: ``96``, not ``96.0``; ``12.5``; no float noise.

    >>> number_text(96.0), number_text(0.96 * 100), number_text(12.5), number_text(1234.0)
    ('96', '96', '12.5', '1234')
    """
    r = round(float(value), 10)
    if r == int(r) and abs(r) < 1e15:
        return str(int(r))
    return repr(r)


class Table:
    """A table of the register as text: one list of cells per data row, blank rows as ``None``."""

    name: str
    label: str
    path: Path
    columns: list[str]
    records: list[list[str] | None]
    _changed: set[int]
    _appended: list[int]
    _deleted: set[int]
    _added_columns: list[str]

    def __init__(self) -> None:
        self._index: dict[tuple[str, ...], int] | None = None

    # reading -----------------------------------------------------------------
    def col(self, column: str) -> int | None:
        try:
            return self.columns.index(column)
        except ValueError:
            return None

    def get(self, i: int, column: str) -> str:
        rec = self.records[i]
        c = self.col(column)
        if rec is None or c is None or c >= len(rec):
            return ""
        return rec[c].strip()

    def cells(self, i: int) -> dict[str, str]:
        """A record as ``{column: text}``, spaces around each cell removed."""
        rec = self.records[i] or []
        return {c: (rec[j].strip() if j < len(rec) else "") for j, c in enumerate(self.columns)}

    def find(self, code: str, period: str) -> int | None:
        """The record of a metric's row for a quarter (any spelling), or ``None``."""
        if self._index is None:
            self._index = {}
            for i, rec in enumerate(self.records):
                if rec is not None:
                    key = (self.get(i, "code"), _quarter_key(self.get(i, "period")))
                    self._index.setdefault(key, i)
        return self._index.get((code, _quarter_key(period)))

    def rows_where(self, **cells: str) -> list[int]:
        """Records whose cells equal the given texts (compared ignoring case and repeated spaces)."""
        want = {k: _fold(v) for k, v in cells.items()}
        return [
            i
            for i, rec in enumerate(self.records)
            if rec is not None and all(_fold(self.get(i, k)) == v for k, v in want.items())
        ]

    # editing -----------------------------------------------------------------
    def ensure_column(self, column: str) -> None:
        if column not in self.columns:
            self.columns.append(column)
            self._added_columns.append(column)

    def set(self, i: int, column: str, text: str) -> None:
        self.ensure_column(column)
        rec = self.records[i]
        assert rec is not None
        c = self.col(column)
        assert c is not None
        rec.extend([""] * (c + 1 - len(rec)))
        rec[c] = text
        self._changed.add(i)

    def append(self, cells: dict[str, str]) -> int:
        for column in sorted(cells, key=_order):
            self.ensure_column(column)
        self.records.append([cells.get(c, "") for c in self.columns])
        i = len(self.records) - 1
        self._appended.append(i)
        if self._index is not None and "code" in cells and "period" in cells:
            self._index.setdefault((cells["code"], _quarter_key(cells["period"])), i)
        return i

    def delete(self, i: int) -> None:
        self.records[i] = None
        self._deleted.add(i)
        self._index = None

    def _settle_columns(self) -> None:
        """Added columns that no row uses are dropped, and the rest put in the contract's order."""
        width = len(self.columns) - len(self._added_columns)
        used = [
            c
            for j, c in enumerate(self.columns[width:], start=width)
            if any(rec is not None and j < len(rec) and rec[j] for rec in self.records)
        ]
        keep = sorted(used, key=_order)
        if keep == self.columns[width:]:
            return
        moves = [self.columns.index(c) for c in keep]
        for rec in self.records:
            if rec is not None and len(rec) > width:
                rec[width:] = [rec[j] if j < len(rec) else "" for j in moves]
        self.columns[width:] = keep
        self._added_columns = list(keep)

    @property
    def dirty(self) -> bool:
        self._settle_columns()
        return bool(self._changed or self._appended or self._deleted or self._added_columns)

    def candidate_csv(self) -> tuple[bytes, list[int]]:
        """The table as a plain UTF-8 CSV for checking, and which record each data row is."""
        self._settle_columns()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        order = []
        for i, rec in enumerate(self.records):
            if rec is None or not any(c.strip() for c in rec):
                continue
            writer.writerow((rec + [""] * len(self.columns))[: len(self.columns)])
            order.append(i)
        return out.getvalue().encode("utf-8"), order

    def save(self) -> None:  # pragma: no cover - defined by each kind of table
        raise NotImplementedError

    def encodable(self, text: str) -> bool:
        return True

    def _reset(self) -> None:
        self._changed = set()
        self._appended = []
        self._deleted = set()
        self._added_columns = []


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@functools.lru_cache(maxsize=4096)
def _quarter_key(text: str) -> str:
    try:
        return parse_quarter(text).label
    except PeriodError:
        return " ".join(text.split())


class CsvTable(Table):
    """A CSV file of the register, edited so that untouched rows keep every byte."""

    def __init__(self, path: Path, raw: bytes, name: str | None = None):
        super().__init__()
        self.path = path
        self.name = name or path.stem.lower()
        self.label = path.name
        self._reset()
        if raw.startswith(b"\xef\xbb\xbf"):
            self.encoding, self._bom = "utf-8", b"\xef\xbb\xbf"
            raw = raw[3:]
        else:
            self._bom = b""
            try:
                raw.decode("utf-8")
                self.encoding = "utf-8"
            except UnicodeDecodeError:
                self.encoding = "cp1252"
        first_end = _LINE_END.search(raw)
        self.newline = first_end.group().decode("ascii") if first_end else "\r\n"
        self._raw: list[bytes] = _split_records(raw)
        parsed = [self._parse(r) for r in self._raw]
        header = parsed[0] if parsed else []
        self.columns = [c.strip().lower() for c in (header or [])]
        self._header_width = len(self.columns)
        self.records = [p if p else None for p in parsed[1:]]
        if not self._raw:
            self._raw = [b""]

    @classmethod
    def open(cls, path: Path, name: str | None = None) -> CsvTable:
        return cls(path, path.read_bytes(), name)

    @classmethod
    def new(cls, path: Path, columns: list[str], like: CsvTable | None = None) -> CsvTable:
        """A new file, in the encoding and line endings of ``like`` (another table of the register)."""
        newline = like.newline if like else "\n"
        bom = like._bom if like else b""
        text = ",".join(columns) + newline
        table = cls(path, bom + text.encode(like.encoding if like else "utf-8"))
        if like is not None:
            table.encoding = like.encoding
        table._added_columns = []
        return table

    def _parse(self, raw: bytes) -> list[str]:
        if raw.endswith(b"\r\n"):
            raw = raw[:-2]
        elif raw.endswith((b"\n", b"\r")):
            raw = raw[:-1]
        text = raw.decode(self.encoding, errors="replace")
        if not text.strip():
            return []
        return next(csv.reader([text]), [])

    def encodable(self, text: str) -> bool:
        try:
            text.encode(self.encoding)
            return True
        except UnicodeEncodeError:
            return False

    def render(self) -> bytes:
        """The file's new bytes: untouched records as they were."""
        self._settle_columns()
        out = [self._bom]
        header = self._raw[0]
        if self._added_columns:
            body = header.rstrip(b"\r\n")
            extra = self._line(self._added_columns).rstrip(b"\r\n")
            sep = b"," if body.strip() else b""
            header = body + sep + extra + self.newline.encode("ascii")
        out.append(header)
        last_kept = max(
            (i for i, rec in enumerate(self.records) if rec is not None and i < len(self._raw) - 1), default=-1
        )
        tail: list[bytes] = []
        for i, rec in enumerate(self.records):
            if i >= len(self._raw) - 1:
                break
            if i in self._deleted:
                continue
            raw = self._raw[i + 1]
            if i in self._changed:
                raw = self._line(self._full(rec))
            if i > last_kept and rec is None:
                tail.append(raw)  # blank lines at the end stay at the end
                continue
            out.append(raw)
        if self._appended:
            if len(out) > 1 and not out[-1].endswith((b"\r\n", b"\n", b"\r")):
                out[-1] += self.newline.encode("ascii")
            for i in self._appended:
                if i in self._deleted:
                    continue
                out.append(self._line(self._full(self.records[i])))
        out.extend(tail)
        return b"".join(out)

    def _full(self, rec: list[str] | None) -> list[str]:
        """A changed or new row, with a cell for every column (untouched rows keep their width)."""
        n = len(self.columns)
        return ((rec or []) + [""] * n)[:n]

    def _line(self, cells: list[str]) -> bytes:
        buf = io.StringIO()
        csv.writer(buf, lineterminator=self.newline).writerow(cells)
        return buf.getvalue().encode(self.encoding)

    def save(self) -> None:
        if self.dirty:
            write_atomic(self.path, self.render())


def _split_records(raw: bytes) -> list[bytes]:
    """Split CSV bytes into records, each with its line ending; a line break inside quotes stays inside."""
    records: list[bytes] = []
    start = 0
    line_start = 0
    quotes = 0
    for m in _LINE_END.finditer(raw):
        quotes += raw.count(b'"', line_start, m.start())
        line_start = m.end()
        if quotes % 2 == 0:
            records.append(raw[start : m.end()])
            start = m.end()
            quotes = 0
    if start < len(raw):
        records.append(raw[start:])
    return records


def _xlsx_text(cell) -> str:
    """A workbook cell as the register reads it: 95% is 95, a date is 2024-06-30, 12.0 is 12."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float)):
        if "%" in (cell.number_format or ""):
            value = round(value * 100, 10)
        if isinstance(value, float) and math.isnan(value):
            return ""
        return number_text(value) if float(value).is_integer() else str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


#: Columns whose cells are numbers in a workbook.
NUMERIC = frozenset({"value", "numerator", "denominator", "progress"})


class XlsxTable(Table):
    """A sheet of ``register.xlsx``: only the cells that change are written; the other sheets stay as they are."""

    def __init__(self, path: Path, name: str, book=None):
        super().__init__()
        import openpyxl

        self.path = path
        self.name = name
        self.label = f"{path.name} (sheet {name})"
        self._reset()
        # Two tables of one workbook share it, so that saving one does not undo the other.
        self.book = book if book is not None else openpyxl.load_workbook(path)
        match = {s.strip().lower(): s for s in self.book.sheetnames}
        if name in match:
            self.sheet = self.book[match[name]]
        else:
            self.sheet = self.book.create_sheet(name)
        rows = list(self.sheet.iter_rows())
        header = [_xlsx_text(c) for c in rows[0]] if rows else []
        while header and not header[-1]:
            header.pop()
        self.columns = [h.lower() for h in header]
        self._rows = [r[0].row for r in rows[1:] if r]
        self.records = []
        for r in rows[1:]:
            texts = [_xlsx_text(c) for c in r[: len(self.columns)]]
            self.records.append(texts if any(texts) else None)
        self._last_row = max((n for n, rec in zip(self._rows, self.records, strict=True) if rec), default=1)

    def row_number(self, i: int) -> int:
        return self._rows[i]

    def save(self) -> None:
        if self.apply():
            self.write()

    def write(self) -> None:
        """Save the workbook (with every table of it applied)."""
        buf = io.BytesIO()
        self.book.save(buf)
        write_atomic(self.path, buf.getvalue())

    def apply(self) -> bool:
        """Write the changes into the workbook in memory; whether there were any."""
        if not self.dirty:
            return False
        self._settle_columns()
        ws = self.sheet
        for j, column in enumerate(self.columns, start=1):
            if ws.cell(1, j).value in (None, ""):
                ws.cell(1, j, column)
        for i in sorted(self._changed | set(self._appended)):
            if i in self._deleted:
                continue
            if i >= len(self._rows):
                self._last_row += 1
                self._rows.append(self._last_row)
            row = self._rows[i]
            rec = self.records[i] or []
            for j, column in enumerate(self.columns):
                text = rec[j] if j < len(rec) else ""
                if i in self._changed and _xlsx_text(ws.cell(row, j + 1)) == text:
                    continue
                ws.cell(row, j + 1, _typed(column, text))
        for i in sorted(self._deleted, reverse=True):
            if i < len(self._rows):
                ws.delete_rows(self._rows[i])
        self._reset()
        return True


def _typed(column: str, text: str) -> object:
    if text == "":
        return None
    if column in NUMERIC:
        try:
            value = float(text)
        except ValueError:
            return text
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    return text


def open_table(path: Path, name: str, like: Table | None = None) -> Table:
    """The register's table ``name`` at ``path`` (a CSV file or ``register.xlsx``).

    ``like``: another table of the same workbook, whose loaded workbook is shared.
    """
    if path.suffix.lower() == ".xlsx":
        book = like.book if isinstance(like, XlsxTable) and like.path == path else None
        return XlsxTable(path, name, book)
    if not path.exists():
        raise PerfkitError(f"{path.name} is missing.")
    return CsvTable.open(path, name)
