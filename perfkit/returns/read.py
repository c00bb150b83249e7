"""Read a completed return workbook: check whose it is, then read what people typed.

A workbook is refused whole, with one message saying why and what to do, when it
cannot be opened, has lost its Identity sheet, was made for another council,
quarter or template version, or its locked cells were changed. Otherwise each
cell to fill is read leniently (``1,234``, `` 45 ``, ``12%``, a percentage cell
holding 0.96, status words in any case) and every problem is reported by
workbook, sheet, cell and code: ``housing.xlsx, Metrics!K7, CUS.06: …``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..data.typed_cells import MISSING_MARKERS, parse_number
from ..errors import CellError, PerfkitError, PeriodError
from ..periods import Quarter, parse_quarter
from .contract import HIGHLIGHT_KINDS, parse_due, parse_for_period
from .identity import Identity, cells_in, digest
from .layout import (
    HIGHLIGHTS,
    IDENTITY,
    METRICS,
    MILESTONES,
    TEMPLATE_VERSION,
    highlight_columns,
    metric_columns,
    milestone_columns,
)
from .tables import number_text
from .view import View

__all__ = ["Entry", "Highlight", "Issue", "Return", "read_return"]

#: A return is a few hundred kilobytes; anything far larger is not one.
MAX_BYTES = 50 * 1024 * 1024

#: The most cells the Identity sheet may say a return has (a service of 5,000 metrics has about 100,000):
#: a workbook claiming more is not a return, and is not read cell by cell.
MAX_CELLS = 1_000_000

#: Fields of a metric row that, entered alone, do not make a return of the metric.
_SECONDARY = ("status_reason", "action", "action_due")


@dataclass(frozen=True)
class Issue:
    """One problem with a return, located as people find it: workbook, sheet and cell, and metric code."""

    file: str
    where: str
    code: str
    message: str
    fix: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.file, self.where, self.code) if p)
        return f"{place}: {self.message} {self.fix}".strip()


@dataclass
class Entry:
    """What a return says about one metric or milestone for its quarter.

    Attributes
    ----------
    fields
        The non-blank entries, as the register will hold them (``value``, ``commentary`` …).
    cells
        Where each came from (``Metrics!K7``); ``code`` is the row's code cell.
    figure
        The figure as worked out (the value, or from numerator and denominator), or ``None``.
    """

    sheet: str
    row: int
    code: str
    kind: str
    decimals: int
    fields: dict[str, str]
    cells: dict[str, str]
    figure: float | None = None

    def cell(self, name: str) -> str:
        return self.cells.get(name) or self.cells["code"]


@dataclass(frozen=True)
class Highlight:
    """One row of the Highlights sheet."""

    kind: str
    text: str
    objective: str
    code: str
    cell: str


@dataclass
class Return:
    """A return workbook as read.

    Attributes
    ----------
    refusal
        Why the whole workbook is refused before its entries are read, or ``None``.
    issues
        Problems with single entries (errors refuse the workbook) and warnings.
    """

    path: Path
    sha256: str
    identity: Identity | None = None
    quarter: Quarter | None = None
    service: str = ""
    signed_off_by: str = ""
    signed_off_on: str = ""
    entries: list[Entry] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    refusal: Issue | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def errors(self) -> list[Issue]:
        return ([self.refusal] if self.refusal else []) + [i for i in self.issues if i.severity == "error"]

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    @property
    def empty(self) -> bool:
        """Nothing entered at all: a blank return, not counted as returned."""
        return not (self.entries or self.highlights or self.signed_off_by)

    def refuse(self, message: str, fix: str) -> Return:
        self.refusal = Issue(self.name, "", "", message, fix)
        return self


class _Grid:
    """The cells of the listed areas of a workbook, read once."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str, int], object] = {}
        self.formats: dict[tuple[str, str, int], str] = {}

    def value(self, sheet: str, col: str, row: int) -> object:
        return self.cells.get((sheet, col, row))

    def number_format(self, sheet: str, col: str, row: int) -> str:
        return self.formats.get((sheet, col, row), "General")


def _open(path: Path, ret: Return):
    import openpyxl

    try:
        size = path.stat().st_size
    except OSError as exc:
        ret.refuse(f"cannot be read ({exc.strerror}).", "Check the path and that the file is not open elsewhere.")
        return None
    if size > MAX_BYTES:
        ret.refuse(
            f"is {size / 1e6:.0f} MB, far larger than a return.",
            "Check it is the return workbook; save it again as an Excel workbook (.xlsx).",
        )
        return None
    if not zipfile.is_zipfile(path):
        ret.refuse(
            "cannot be opened as an Excel workbook (.xlsx).",
            "Open it in Excel, LibreOffice or Google Sheets and save (or download) it as an Excel workbook (.xlsx).",
        )
        return None
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        ret.refuse(
            f"cannot be opened as an Excel workbook ({type(exc).__name__}).",
            "Open it in Excel, LibreOffice or Google Sheets and save (or download) it as an Excel workbook (.xlsx).",
        )
        return None


def _identity_rows(ws) -> dict[str, str]:
    rows: dict[str, str] = {}
    for key, value, *_ in ws.iter_rows(min_row=2, max_row=50, max_col=2, values_only=True):
        if key is None:
            break
        rows[str(key)] = "" if value is None else str(value)
    return rows


def read_return(path: str | Path, view: View, quarter: Quarter | None = None) -> Return:
    """Read and check one return workbook.

    Parameters
    ----------
    path
        The workbook (.xlsx) as saved by Excel, LibreOffice or Google Sheets.
    view
        The register it is collected into.
    quarter
        The quarter being collected (``--quarter``); ``None`` accepts the workbook's own.

    Returns
    -------
    Return
        With :attr:`Return.refusal` set when the workbook cannot be collected at all.
    """
    path = Path(path)
    ret = Return(path, "")
    try:
        ret.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return ret.refuse(
            f"cannot be read ({exc.strerror}).", "Check the path and that the file is not open elsewhere."
        )
    wb = _open(path, ret)
    if wb is None:
        return ret
    try:
        _check(wb, ret, view, quarter)
    finally:
        wb.close()
    return ret


def _check(wb, ret: Return, view: View, wanted: Quarter | None) -> None:
    fresh = "make a fresh return with perfkit returns make"
    if IDENTITY not in wb.sheetnames:
        ret.refuse(
            "has no Identity sheet, so it is not a return made by perfkit, or that hidden sheet was deleted.",
            f"Copy the entries into the service's return ({fresh}) and send that.",
        )
        return
    identity = Identity.from_rows(_identity_rows(wb[IDENTITY]))
    ret.identity = identity
    if identity.template_version != TEMPLATE_VERSION:
        ret.refuse(
            f"was made with template version '{identity.template_version or 'unknown'}'; this perfkit reads "
            f"version {TEMPLATE_VERSION}.",
            f"Copy the entries into a return of the current version ({fresh}).",
        )
        return
    settings = view.settings
    if identity.council != settings.council_id:
        ret.refuse(
            f"was made for another council ('{identity.council_name}', id '{identity.council}'), not "
            f"{settings.council_name} (id '{settings.council_id}').",
            "Check --data names the right council's data folder, and that the service sent the right file.",
        )
        return
    try:
        made_for = parse_quarter(identity.quarter)
    except PeriodError:
        ret.refuse(
            f"names the quarter '{identity.quarter}', which is not a quarter.", f"The workbook is damaged: {fresh}."
        )
        return
    ret.quarter = made_for
    if wanted is not None and made_for != wanted:
        ret.refuse(
            f"was made for {made_for.label}, not {wanted.label}.",
            f"Collect it with --quarter '{made_for.label}', or ask the service for its {wanted.label} return.",
        )
        return
    try:
        ret.service = view.service(identity.service, made_for)
    except PerfkitError:
        ret.refuse(
            f"was made for the service '{identity.service}', which has no metrics in {made_for.label} in the "
            "register now.",
            "Check the service's name in metrics.csv (a renamed service needs its returns made again).",
        )
        return
    try:
        size = sum(_area(ref) for ref in identity.sheets.values())
    except ValueError:
        size = MAX_CELLS + 1
    if size > MAX_CELLS:
        ret.refuse(
            "has an Identity sheet that does not describe a return (its areas are damaged or far too large).",
            f"The workbook is damaged: {fresh}.",
        )
        return
    grid = _Grid()
    for sheet, ref in identity.sheets.items():
        if sheet not in wb.sheetnames:
            ret.refuse(f"has lost its sheet '{sheet}'.", f"Copy the entries into a fresh return ({fresh}).")
            return
        _load_area(wb[sheet], sheet, ref, grid)
    if digest(identity, grid.value) != identity.sha256:
        ret.refuse(
            "has had locked cells changed since it was made (a code, title, target or heading, or a row, "
            "column or sheet moved, added or deleted), so its entries cannot be matched safely.",
            f"Ask the service to copy their entries into a fresh return ({fresh} --service '{ret.service}').",
        )
        return
    inputs = identity.input_cells()
    _metrics(grid, ret, view, made_for, inputs)
    _milestones(grid, ret, view, inputs)
    _highlights(grid, ret, view, inputs)
    _sign_off(grid, ret, identity)
    if not (ret.entries or ret.highlights or ret.signed_off_by or ret.issues):
        ret.issues.append(
            Issue(
                ret.name, "", "", "Nothing is entered in this workbook, so it is not counted as returned.", "", "note"
            )
        )


def _area(ref: str) -> int:
    """How many cells a range has (``ValueError`` for one that is not a range)."""
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if None in (min_col, min_row, max_col, max_row):
        raise ValueError(ref)
    return (max_col - min_col + 1) * (max_row - min_row + 1)


def _load_area(ws, sheet: str, ref: str, grid: _Grid) -> None:
    cells = cells_in(ref)
    if not cells:
        return
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
        for cell in row:
            if getattr(cell, "column_letter", None) is None:
                continue
            key = (sheet, cell.column_letter, cell.row)
            grid.cells[key] = cell.value
            grid.formats[key] = cell.number_format or "General"


def _split(ref: str) -> tuple[str, str, int]:
    sheet, _, cell = ref.rpartition("!")
    letters = cell.rstrip("0123456789")
    return sheet, letters, int(cell[len(letters) :])


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def _sign_off(grid: _Grid, ret: Return, identity: Identity) -> None:
    if identity.sign_off_name_cell:
        ret.signed_off_by = " ".join(_text(grid.value(*_split(identity.sign_off_name_cell))).split())
    if identity.sign_off_date_cell:
        raw = grid.value(*_split(identity.sign_off_date_cell))
        try:
            ret.signed_off_on = parse_due(raw) if raw not in (None, "") else ""
        except CellError:
            ret.signed_off_on = _text(raw)
    if not ret.signed_off_by and (ret.entries or ret.highlights):
        ret.issues.append(
            Issue(
                ret.name,
                identity.sign_off_name_cell,
                "",
                "The return is not signed off; it is collected and listed as 'returned, not signed off'.",
                "Ask the service who signed it off.",
                "warning",
            )
        )


class _Row:
    """Reads the cells of one row, noting problems against the cell and the code."""

    def __init__(self, grid: _Grid, ret: Return, sheet: str, row: int, letters: dict[str, str], code: str, inputs: set):
        self.grid, self.ret, self.sheet, self.row, self.letters, self.code = grid, ret, sheet, row, letters, code
        self.inputs = inputs

    def ref(self, key: str) -> str:
        return f"{self.sheet}!{self.letters[key]}{self.row}"

    def raw(self, key: str) -> object:
        """A cell to fill as typed; ``None`` for a locked cell (such as 'not used' on a trend metric's row)."""
        if (self.sheet, self.letters[key], self.row) not in self.inputs:
            return None
        return self.grid.value(self.sheet, self.letters[key], self.row)

    def issue(self, key: str, message: str, fix: str, severity: str = "error") -> None:
        self.ret.issues.append(Issue(self.ret.name, self.ref(key), self.code, message, fix, severity))

    def text(self, key: str) -> str:
        return _text(self.raw(key))

    def number(self, key: str, what: str) -> float | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
            self.issue(key, f"'{_text(value)}' is not a number.", f"Enter the {what} as a number, such as 95 or 12.5.")
            return None
        if isinstance(value, (int, float)):
            x = float(value)
            if "%" in self.grid.number_format(self.sheet, self.letters[key], self.row):
                x = round(x * 100, 10)  # a cell shown as 96% holds 0.96
            return x
        text = str(value).strip()
        if not text:
            return None
        if text.lower() in MISSING_MARKERS:
            self.issue(
                key,
                f"'{text}' is read as 'not available'.",
                "Leave the cell blank when the figure is not available, and say why in the commentary.",
                "warning",
            )
            return None
        try:
            return parse_number(text)
        except CellError as exc:
            self.issue(key, exc.message, exc.fix)
            return None

    def word(self, key: str, view: View) -> str:
        text = self.text(key)
        if not text:
            return ""
        word = view.words.canonical(text)
        if word is None:
            self.issue(
                key,
                f"'{text}' is not one of the council's status words.",
                f"Choose one from the list: {', '.join(view.words.accepted())}.",
            )
            return ""
        return word

    def due(self, key: str) -> str:
        value = self.raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return ""
        try:
            return parse_due(value)
        except CellError as exc:
            self.issue(key, exc.message, exc.fix)
            return ""


def _rows_of(identity: Identity, sheet: str) -> range:
    ref = identity.sheets.get(sheet, "")
    if not ref or ":" not in ref:
        return range(0)
    last = int(ref.rpartition(":")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return range(2, last + 1)


def _letters(columns) -> dict[str, str]:
    from openpyxl.utils import get_column_letter

    return {c.key: get_column_letter(i) for i, c in enumerate(columns, start=1)}


def _metrics(grid: _Grid, ret: Return, view: View, quarter: Quarter, inputs: set) -> None:
    assert ret.identity is not None
    columns = metric_columns(quarter)
    letters = _letters(columns)
    for r in _rows_of(ret.identity, METRICS):
        code = _text(grid.value(METRICS, letters["code"], r))
        row = _Row(grid, ret, METRICS, r, letters, code, inputs)
        unit = _text(grid.value(METRICS, letters["unit"], r))
        fields: dict[str, str] = {}
        cells = {"code": row.ref("code")}
        numbers = {}
        for key, what in (("value", "value"), ("numerator", "numerator"), ("denominator", "denominator")):
            x = row.number(key, what)
            if x is not None:
                numbers[key] = x
                fields[key] = number_text(x)
        fields["commentary"] = row.text("commentary")
        fields["status"] = row.word("status", view)
        fields["status_reason"] = row.text("status_reason")
        fields["action"] = row.text("action")
        fields["action_due"] = row.due("action_due")
        text = row.text("for_period")
        if text:
            try:
                fields["for_period"] = parse_for_period(text)
            except CellError as exc:
                row.issue("for_period", exc.message, exc.fix)
        fields = {k: v for k, v in fields.items() if v}
        cells.update({c.key: row.ref(c.key) for c in columns if c.fill})
        if not ({"value", "numerator", "denominator", "commentary", "status"} & fields.keys()):
            entered = [k for k in _SECONDARY if k in fields]
            if entered:
                row.issue(
                    entered[0],
                    "A reason or an action is entered, but no value, commentary or status word, so nothing is "
                    "collected from this row.",
                    "Enter the figure, or a commentary saying why it is not available.",
                    "warning",
                )
            continue
        figure = numbers.get("value")
        num, den = numbers.get("numerator"), numbers.get("denominator")
        if figure is None and num is not None and den is not None and den > 0:
            figure = (100.0 if unit == "percent" else 1.0) * num / den
        metric = view.metrics.get(code)
        decimals = metric.decimals if metric else 1
        ret.entries.append(Entry(METRICS, r, code, "metric", decimals, fields, cells, figure))


def _milestones(grid: _Grid, ret: Return, view: View, inputs: set) -> None:
    assert ret.identity is not None
    letters = _letters(milestone_columns())
    for r in _rows_of(ret.identity, MILESTONES):
        code = _text(grid.value(MILESTONES, letters["code"], r))
        row = _Row(grid, ret, MILESTONES, r, letters, code, inputs)
        fields = {
            "status": row.word("status", view),
            "commentary": row.text("commentary"),
            "revised_due": row.due("revised_due"),
        }
        fields = {k: v for k, v in fields.items() if v}
        if not fields:
            continue
        if "status" not in fields and not row.text("status"):
            row.issue(
                "status",
                "A milestone's update needs its status word.",
                f"Choose one from the list: {', '.join(view.words.accepted())}.",
            )
            continue
        cells = {"code": row.ref("code"), **{k: row.ref(k) for k in ("status", "commentary", "revised_due")}}
        ret.entries.append(Entry(MILESTONES, r, code, "milestone", 0, fields, cells))


def _highlights(grid: _Grid, ret: Return, view: View, inputs: set) -> None:
    assert ret.identity is not None
    letters = _letters(highlight_columns())
    objectives = {" ".join(o.split()).casefold(): o for o in view.objectives}
    codes = {c.casefold(): c for c in view.metrics}
    for r in _rows_of(ret.identity, HIGHLIGHTS):
        row = _Row(grid, ret, HIGHLIGHTS, r, letters, "", inputs)
        kind, text = row.text("kind").lower(), row.text("text")
        objective, code = " ".join(row.text("objective").split()), row.text("code")
        if not (kind or text or objective or code):
            continue
        if not text:
            row.issue("text", "The highlight has no text.", "Write the highlight, or clear the row.")
            continue
        if kind not in HIGHLIGHT_KINDS:
            shown = f"'{row.text('kind')}' is not a kind of highlight." if kind else "The highlight has no kind."
            row.issue("kind", shown, f"Choose one from the list: {', '.join(HIGHLIGHT_KINDS)}.")
            continue
        if objective:
            if objective.casefold() not in objectives:
                row.issue(
                    "objective",
                    f"'{objective}' is not an objective of the plan.",
                    f"Choose one from the list ({'; '.join(view.objectives)}), or leave it blank.",
                )
                continue
            objective = objectives[objective.casefold()]
        if code:
            if code.casefold() not in codes:
                row.issue("code", f"'{code}' is not a metric code.", "Choose a code from the list, or leave it blank.")
                continue
            code = codes[code.casefold()]
        ret.highlights.append(Highlight(kind, text, objective, code, row.ref("text")))
