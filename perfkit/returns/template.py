"""Make the return workbook of one service for one quarter.

The workbook is built for people filling it in, with a screen reader too: every
sheet and table is named and has a header row; each cell to fill says what to
enter when it is selected (an input message) and refuses what is not allowed
(data validation with error alerts); columns to fill say "(fill in)" in their
heading as well as being shaded; headers are frozen; nothing is merged. Only the
cells to fill are unlocked. A hidden Identity sheet records whose return it is
and a fingerprint of the locked cells (:mod:`perfkit.returns.identity`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .. import __version__
from ..periods import Quarter
from .contract import HIGHLIGHT_KINDS, ended_halves, ended_years
from .identity import Identity, compress, digest
from .layout import (
    HIGHLIGHT_ROWS,
    HIGHLIGHTS,
    IDENTITY,
    INSTRUCTIONS,
    METRICS,
    MILESTONES,
    TEMPLATE_VERSION,
    Column,
    highlight_columns,
    metric_columns,
    milestone_columns,
)
from .view import Metric, View

__all__ = ["Made", "deadline_date", "make_workbook"]

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_TO_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_NOT_USED = "not used"


@dataclass(frozen=True)
class Made:
    """What went into one workbook."""

    service: str
    metrics: int
    milestones: int
    deadline: dt.date
    contact: str


def deadline_date(date: dt.date) -> str:
    """A return's deadline with its weekday, ``Monday 21 October 2024``, so a service sees the day it falls on.

    Every other date a report writes is :func:`perfkit.periods.long_date` (``21 October 2024``).

    >>> deadline_date(dt.date(2024, 10, 21))
    'Monday 21 October 2024'
    """
    return f"{date:%A} {date.day} {date:%B %Y}"


class _Sheet:
    """Writes one sheet's table, noting its cells to fill and their validations."""

    def __init__(self, ws: Worksheet, columns: list[Column], first_row: int = 1):
        self.ws = ws
        self.columns = columns
        self.first_row = first_row
        self.row = first_row
        self.inputs: list[tuple[str, int]] = []
        self.validations: dict[int, tuple[DataValidation, list[str]]] = {}
        self.letter = {c.key: get_column_letter(i) for i, c in enumerate(columns, start=1)}
        for i, c in enumerate(columns, start=1):
            ws.cell(first_row, i, c.header).style = "perfkit header"
            ws.column_dimensions[get_column_letter(i)].width = c.width

    def add(self, values: dict[str, object], fills: dict[str, DataValidation | None]) -> int:
        """Write a row: ``values`` in locked cells, and a cell to fill for each key of ``fills``."""
        self.row += 1
        for i, c in enumerate(self.columns, start=1):
            cell = self.ws.cell(self.row, i, values.get(c.key))
            if c.key in fills:
                # One named style per kind of cell: far quicker than setting font, fill and protection each time.
                cell.style = "perfkit fill wrap" if c.wrap else "perfkit fill"
                self.inputs.append((get_column_letter(i), self.row))
                dv = fills[c.key]
                if dv is not None:
                    self.validations.setdefault(id(dv), (dv, []))[1].append(f"{get_column_letter(i)}{self.row}")
            else:
                cell.style = "perfkit wrap" if c.wrap else "perfkit text"
            if isinstance(cell.value, float) and c.key.startswith("history"):
                cell.number_format = str(values.get("_format", "General"))
        return self.row

    def finish(self, table_name: str, freeze: str) -> str:
        """Make the rows an Excel table, attach the validations, freeze the header; the area's reference."""
        last = get_column_letter(len(self.columns))
        ref = f"A{self.first_row}:{last}{self.row}"
        if self.row > self.first_row:
            table = Table(displayName=table_name, ref=ref)
            table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
            self.ws.add_table(table)
        for dv, cells in self.validations.values():
            dv.sqref = " ".join(compress(_split(c) for c in cells))
            self.ws.add_data_validation(dv)
        if freeze:
            self.ws.freeze_panes = freeze
        return ref


def _split(ref: str) -> tuple[str, int]:
    letters = ref.rstrip("0123456789")
    return letters, int(ref[len(letters) :])


def _styles(wb: Workbook) -> None:
    """The workbook's named styles: headings, locked text, and the cells to fill (unlocked and shaded)."""
    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    unlocked = Protection(locked=False)
    wb.add_named_style(NamedStyle("perfkit header", font=Font(bold=True), alignment=wrap))
    wb.add_named_style(NamedStyle("perfkit text", alignment=top))
    wb.add_named_style(NamedStyle("perfkit wrap", alignment=wrap))
    wb.add_named_style(NamedStyle("perfkit fill", fill=_TO_FILL, protection=unlocked, alignment=top))
    wb.add_named_style(NamedStyle("perfkit fill wrap", fill=_TO_FILL, protection=unlocked, alignment=wrap))


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    # People may resize rows and columns and filter; they may not sort, insert or delete,
    # which would move the locked cells the fingerprint covers.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False


def _dv(kind: str, title: str, prompt: str, *, formula: str = "", error: str = "") -> DataValidation:
    """A validation with its input message and, where it restricts, an error alert."""
    title = title[:32]
    if kind == "any":
        return DataValidation(showInputMessage=True, promptTitle=title, prompt=prompt[:255], allow_blank=True)
    common = {
        "showInputMessage": True,
        "showErrorMessage": True,
        "promptTitle": title,
        "prompt": prompt[:255],
        "errorTitle": title,
        "error": error[:255],
        "errorStyle": "stop",
        "allow_blank": True,
    }
    if kind == "list":
        return DataValidation(type="list", formula1=formula, **common)
    if kind == "decimal":
        return DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15", **common)
    if kind == "count":
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", **common)
    if kind == "date":
        # 36526 is 1 January 2000 and 73051 is 1 January 2100 as Excel counts days.
        return DataValidation(type="date", operator="between", formula1="36526", formula2="73051", **common)
    raise ValueError(kind)


def _shown(metric: Metric, value: float) -> float | str:
    return "not available" if math.isnan(value) else metric.shown(value)


def _number_format(decimals: int) -> str:
    return "0" if decimals <= 0 else "0." + "0" * decimals


def _target(view: View, metric: Metric, quarter: Quarter) -> object:
    if metric.kind == "trend":
        return "none: monitored for trend"
    text = view.target_text(metric, quarter)
    if not text:
        return "no target"
    try:
        return float(text)
    except ValueError:
        return text


def _how_often(metric: Metric) -> str:
    if metric.frequency == "annual":
        return "annual: enter the year's figure when it is available"
    if metric.frequency == "half-yearly":
        return "half-yearly: enter the half's figure"
    return metric.frequency


def _preset(view: View, metric: Metric, options: list[str]) -> str:
    """The latest ended year or half without a figure, for the Figure for cell."""
    have = view.periods_with_figures(metric)
    return next((o for o in options if o not in have), "")


def _instructions(
    ws: Worksheet, view: View, service: str, quarter: Quarter, deadline: dt.date, contact: str, milestones: bool
) -> tuple[str, str, str]:
    ws.cell(1, 1, f"Quarterly service return: {service}, {quarter.label} ({quarter.months})").font = _TITLE
    send_to = f"to {contact} " if contact else ""
    steps = [
        ("Return by", f"Fill in this workbook and send it back {send_to}by {deadline_date(deadline)}."),
        (
            "Cells to fill",
            "Only the columns whose heading ends in '(fill in)' can be changed; their cells are shaded pale yellow. "
            "When you select one, a note says what to enter. Every other cell is locked.",
        ),
        (
            "Metrics",
            "On the Metrics sheet, one row per metric: enter the quarter's value, or its numerator and denominator. "
            "A percentage can be typed as 96 or 96%. Add a commentary saying what the figure shows. The four "
            "quarters before and last quarter's commentary are shown for comparison.",
        ),
        (
            "Figure not available",
            "Leave the value blank and say in the commentary why, and when it will be available. A row with neither "
            "a value nor a commentary is treated as not returned.",
        ),
        (
            "Annual and half-yearly metrics",
            "Enter the year's (or half's) figure when it is available, and check the 'Figure for' column says which "
            "year or half it measures.",
        ),
        (
            "Status words",
            "Leave the status word blank for a figure: the report works out the status from the target. Choose a "
            "word only to report something the figures do not show, such as a figure affected by something outside "
            "the council's control, and give the reason.",
        ),
        (
            "Remedial actions",
            "For a figure that misses its target by more than the tolerance (an exception), say what is being done "
            "about it and when it should take effect.",
        ),
        (
            "Milestones",
            "On the Milestones sheet, choose the status word for each milestone, write an update, and give a revised "
            "due date only if it has been amended."
            if milestones
            else "This service has no milestones in this quarter.",
        ),
        (
            "Highlights",
            "On the Highlights sheet, write the quarter's key achievements and challenges, one per row, as they "
            "should read in the report.",
        ),
        (
            "Saving",
            "Do not rename, add or remove sheets, rows or columns: the workbook is checked when it is collected. "
            "Save it as an Excel workbook (.xlsx); Excel, LibreOffice and Google Sheets all work.",
        ),
        ("Sign-off", "When the return is complete, the person signing it off enters their name and the date below."),
    ]
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100
    row = 3
    for c, text in enumerate(("Topic", "What to do"), start=1):
        ws.cell(row, c, text).font = _BOLD
    for topic, text in steps:
        row += 1
        ws.cell(row, 1, topic).alignment = _TOP
        ws.cell(row, 2, text).alignment = _WRAP
    ws.add_table(_plain_table("HowToFill", f"A3:B{row}"))
    row += 2
    first = row
    for c, text in enumerate(("Item", "Detail"), start=1):
        ws.cell(row, c, text).font = _BOLD
    details = [
        ("Council", view.settings.council_name),
        ("Service", service),
        ("Quarter", f"{quarter.label} ({quarter.months})"),
        ("Return by", deadline_date(deadline)),
        ("Contact", contact or "the performance team"),
    ]
    for item, detail in details:
        row += 1
        ws.cell(row, 1, item)
        ws.cell(row, 2, detail).alignment = _WRAP
    name_row, date_row = row + 1, row + 2
    ws.cell(name_row, 1, "Signed off by (fill in)")
    ws.cell(date_row, 1, "Date signed off (fill in)")
    for r in (name_row, date_row):
        ws.cell(r, 2).style = "perfkit fill"
    ws.cell(date_row, 2).number_format = "dd/mm/yyyy"
    name_dv = _dv("any", "Signed off by", "The name and role of the person signing off this return.")
    name_dv.sqref = f"B{name_row}"
    date_dv = _dv(
        "date",
        "Date signed off",
        "The date the return was signed off, such as 18/10/2024.",
        error="Enter a date, such as 18/10/2024.",
    )
    date_dv.sqref = f"B{date_row}"
    ws.add_data_validation(name_dv)
    ws.add_data_validation(date_dv)
    ws.add_table(_plain_table("ReturnDetails", f"A{first}:B{date_row}"))
    ws.freeze_panes = None
    return f"A1:B{date_row}", f"B{name_row}", f"B{date_row}"


def _plain_table(name: str, ref: str) -> Table:
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    return table


def _lists(ws: Worksheet, wb: Workbook, lists: dict[str, list[str]]) -> str:
    """Write the drop-down lists on the Identity sheet, each under a defined name; the area's reference."""
    last_row = 1
    for j, (name, items) in enumerate(lists.items(), start=4):
        letter = get_column_letter(j)
        ws.cell(1, j, name)
        for i, item in enumerate(items, start=2):
            ws.cell(i, j, item)
        end = max(len(items) + 1, 2)
        last_row = max(last_row, end)
        wb.defined_names[name] = DefinedName(name, attr_text=f"{IDENTITY}!${letter}$2:${letter}${end}")
    return f"D1:{get_column_letter(3 + len(lists))}{last_row}"


def make_workbook(view: View, service: str, quarter: Quarter, made_at: dt.datetime | None = None) -> tuple[bytes, Made]:
    """The return workbook of ``service`` for ``quarter``, as the bytes of an .xlsx file.

    Parameters
    ----------
    view
        The register (:func:`perfkit.returns.view.load_view`).
    service
        The service, as the register names it.
    quarter
        The quarter the return is for.
    made_at
        When it was made (recorded on the Identity sheet); default now.
    """
    made_at = made_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    settings = view.settings
    deadline = settings.deadline(quarter)
    contact = settings.contact_for(service, view.owners(service))
    metrics = view.metrics_of(service, quarter)
    figures = [m for m in metrics if m.kind != "milestone"]
    milestones = [m for m in metrics if m.kind == "milestone"]
    years, halves = ended_years(quarter), ended_halves(quarter)

    wb = Workbook()
    _styles(wb)
    wb.properties.title = f"{service}: quarterly service return, {quarter.label}"
    wb.properties.creator = f"perfkit {__version__}"
    wb.properties.subject = f"{settings.council_name} quarterly performance"
    ws_i = wb.active
    assert ws_i is not None
    ws_i.title = INSTRUCTIONS
    ws_m, ws_s, ws_h = (wb.create_sheet(n) for n in (METRICS, MILESTONES, HIGHLIGHTS))
    ws_id = wb.create_sheet(IDENTITY)

    area_i, name_cell, date_cell = _instructions(ws_i, view, service, quarter, deadline, contact, bool(milestones))
    sheets: dict[str, str] = {INSTRUCTIONS: area_i}
    inputs: dict[str, list[str]] = {INSTRUCTIONS: [name_cell, date_cell]}

    # Metrics -------------------------------------------------------------------------
    if figures:
        sheet = _Sheet(ws_m, metric_columns(quarter))
        cols = {c.key: c for c in sheet.columns}
        value_dv = _dv(
            "decimal", "Value", cols["value"].prompt, error="Enter a number, such as 95 or 12.5, or leave it blank."
        )
        count_dv = _dv(
            "count",
            "Numerator or denominator",
            "A count of cases: a number of 0 or more. Give both the numerator and the denominator, or neither.",
            error="Enter a count of 0 or more, or leave it blank.",
        )
        year_dv = _dv(
            "list", "Figure for", cols["for_period"].prompt, formula="FigureYears", error="Choose a year from the list."
        )
        half_dv = _dv(
            "list",
            "Figure for",
            cols["for_period"].prompt,
            formula="FigureHalves",
            error="Choose a half from the list.",
        )
        word_dv = _dv(
            "list", "Status word", cols["status"].prompt, formula="StatusWords", error="Choose a word from the list."
        )
        text_dvs = {k: _dv("any", cols[k].header.replace(" (fill in)", ""), cols[k].prompt) for k in cols}
        for m in figures:
            values: dict[str, object] = {
                "code": m.code,
                "title": m.title,
                "unit": m.unit,
                "how_often": _how_often(m),
                "target": _target(view, m, quarter),
                "_format": _number_format(m.decimals),
            }
            for i, n in enumerate((4, 3, 2, 1), start=1):
                row = view.row(m.code, Quarter.from_index(quarter.index - n))
                values[f"history{i}"] = _shown(m, row.value) if row else None
            last = view.row(m.code, quarter.previous())
            values["last_commentary"] = (last.cell("commentary") or None) if last else None
            fills: dict[str, DataValidation | None] = {
                "value": value_dv,
                "numerator": count_dv,
                "denominator": count_dv,
                "commentary": text_dvs["commentary"],
                "action": text_dvs["action"],
                "action_due": text_dvs["action_due"],
            }
            if m.frequency == "annual":
                fills["for_period"] = year_dv
                values["for_period"] = _preset(view, m, years) or None
            elif m.frequency == "half-yearly":
                fills["for_period"] = half_dv
                values["for_period"] = _preset(view, m, halves) or None
            else:
                values["for_period"] = "this quarter"
            if m.kind == "trend":
                values["status"] = values["status_reason"] = _NOT_USED + ": trend metric"
            else:
                fills["status"] = word_dv
                fills["status_reason"] = text_dvs["status_reason"]
            sheet.add(values, fills)
        sheets[METRICS] = sheet.finish("MetricsToFill", "C2")
        inputs[METRICS] = compress(sheet.inputs)
    else:
        ws_m.cell(1, 1, f"{service} has no metrics with figures in {quarter.label}: nothing to fill on this sheet.")
        ws_m.column_dimensions["A"].width = 100
        sheets[METRICS] = "A1:A1"

    # Milestones ----------------------------------------------------------------------
    if milestones:
        sheet = _Sheet(ws_s, milestone_columns())
        cols = {c.key: c for c in sheet.columns}
        word_dv = _dv(
            "list", "Status", cols["status"].prompt, formula="StatusWords", error="Choose a word from the list."
        )
        update_dv = _dv("any", "Update", cols["commentary"].prompt)
        due_dv = _dv("any", "Revised due", cols["revised_due"].prompt)
        for m in milestones:
            earlier = [r for r in view.rows_of(m.code) if r.quarter < quarter]
            revised = next((r.cell("revised_due") for r in reversed(earlier) if r.cell("revised_due")), "")
            reported = next((r for r in reversed(earlier) if r.cell("status")), None)
            sheet.add(
                {
                    "code": m.code,
                    "title": m.title,
                    "due": m.due or "not set",
                    "revised_due_now": revised or None,
                    "last_status": view.words.canonical(reported.cell("status")) or reported.cell("status")
                    if reported
                    else None,
                    "last_update": (reported.cell("commentary") or None) if reported else None,
                },
                {"status": word_dv, "commentary": update_dv, "revised_due": due_dv},
            )
        sheets[MILESTONES] = sheet.finish("MilestonesToFill", "C2")
        inputs[MILESTONES] = compress(sheet.inputs)
    else:
        ws_s.cell(1, 1, f"{service} has no milestones in {quarter.label}: nothing to fill on this sheet.")
        ws_s.column_dimensions["A"].width = 100
        sheets[MILESTONES] = "A1:A1"

    # Highlights ----------------------------------------------------------------------
    sheet = _Sheet(ws_h, highlight_columns())
    cols = {c.key: c for c in sheet.columns}
    kind_dv = _dv(
        "list", "Kind", cols["kind"].prompt, formula="HighlightKinds", error="Choose achievement, challenge or update."
    )
    text_dv = _dv("any", "Highlight", cols["text"].prompt)
    objective_dv = _dv(
        "list", "Objective", cols["objective"].prompt, formula="Objectives", error="Choose an objective from the list."
    )
    code_dv = _dv(
        "list", "Metric code", cols["code"].prompt, formula="MetricCodes", error="Choose a code from the list."
    )
    for n in range(1, HIGHLIGHT_ROWS + 1):
        sheet.add({"number": n}, {"kind": kind_dv, "text": text_dv, "objective": objective_dv, "code": code_dv})
    sheets[HIGHLIGHTS] = sheet.finish("HighlightsToFill", "A2")
    inputs[HIGHLIGHTS] = compress(sheet.inputs)

    # Identity --------------------------------------------------------------------------
    objectives = list(dict.fromkeys([o for o in view.objectives if any(m.objective == o for m in metrics)]))
    sheets[IDENTITY] = _lists(
        ws_id,
        wb,
        {
            "StatusWords": view.words.accepted(),
            "HighlightKinds": list(HIGHLIGHT_KINDS),
            "FigureYears": years,
            "FigureHalves": halves,
            "Objectives": objectives or view.objectives,
            "MetricCodes": [m.code for m in metrics],
        },
    )
    identity = Identity(
        council=settings.council_id,
        council_name=settings.council_name,
        quarter=quarter.label,
        service=service,
        template_version=TEMPLATE_VERSION,
        made_at=made_at.isoformat(),
        made_with=f"perfkit {__version__}",
        sheets=sheets,
        inputs=inputs,
        sign_off_name_cell=f"{INSTRUCTIONS}!{name_cell}",
        sign_off_date_cell=f"{INSTRUCTIONS}!{date_cell}",
    )
    ws_id.cell(1, 1, "Key").font = _BOLD
    ws_id.cell(1, 2, "Value").font = _BOLD
    identity.sha256 = digest(identity, lambda s, c, r: wb[s][f"{c}{r}"].value)
    for i, (key, value) in enumerate(identity.rows(), start=2):
        ws_id.cell(i, 1, key)
        ws_id.cell(i, 2, value)
    ws_id.sheet_state = "hidden"
    for ws in (ws_i, ws_m, ws_s, ws_h, ws_id):
        _protect(ws)
    wb.security = WorkbookProtection(lockStructure=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), Made(service, len(figures), len(milestones), deadline, contact)
