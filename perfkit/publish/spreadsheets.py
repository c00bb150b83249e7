"""``metric_status.xlsx`` and ``survey_estimates.xlsx``: the data files as accessible spreadsheets.

They follow the Government Statistical Service's guidance "Releasing statistics in
spreadsheets": a cover sheet, a contents sheet, a notes sheet, then one table per
sheet marked as an Excel table, with a title in cell A1, text only in column A above
the table, no merged cells, no blank rows, columns or cells, units in the column
headings and a shorthand in square brackets (``[c]``, ``[x]``, ``[z]``) wherever a
figure is missing, each explained in the notes.

The workbooks are written with gptables (the Analysis Function's own package for that
guidance) from the same rows as the CSVs, so each figure equals the CSV's: numbers as
numbers, true/false as Excel's TRUE/FALSE, dates as dates. Two of gptables' habits
suit its authors' tables but not text a council wrote, so they are turned off here:
it would turn ``[text](words)`` in a cell into a link (and refuse a cell with two),
and it refuses a cell with no letter or digit (a commentary of ``-``). Cell text is
written as text, never as a formula or link.

gptables lays out every sheet, but the cells of each table sheet's table are written here
(:func:`_write_table`): gptables' way of writing them took seconds for a register of
thousands of metrics, most of the time the workbook took.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from ..rounding import round_half_up

__all__ = [
    "METRIC_STATUS_HEADINGS",
    "SHORTHAND",
    "SURVEY_ESTIMATES_HEADINGS",
    "metric_status_xlsx",
    "survey_estimates_xlsx",
]

#: The shorthands of the GSS guidance "Symbols in tables" that these workbooks use.
SHORTHAND = {
    "[c]": "confidential: withheld to protect respondents (too few answered)",
    "[x]": "not available: no figure or text was given",
    "[z]": "not applicable",
}

#: Each column of metric_status.csv: its heading in the spreadsheet and the unit shown under it.
METRIC_STATUS_HEADINGS: dict[str, tuple[str, str]] = {
    "code": ("Metric code", ""),
    "title": ("Metric", ""),
    "objective": ("Objective", ""),
    "service": ("Service", ""),
    "period": ("Quarter reported", ""),
    "value": ("Value", "see Unit column"),
    "target": ("Target", "see Unit column"),
    "status": ("Status class", ""),
    "vs_previous": ("Compared with the previous period", ""),
    "vs_last_year": ("Compared with the same period last year", ""),
    "exception": ("Exception", "TRUE or FALSE"),
    "persistent_exception": ("Persistent exception", "TRUE or FALSE"),
    "kind": ("Kind of metric", ""),
    "tier": ("Tier", ""),
    "strategy": ("Strategy", ""),
    "tactic": ("Tactic", ""),
    "for_period": ("Period the figure measures", ""),
    "status_label": ("Status", ""),
    "computed_status": ("Status the figures give", ""),
    "status_reason": ("Reason for the status", ""),
    "commentary": ("Commentary", ""),
    "due": ("Due", "date"),
    "revised_due": ("Revised due", "date"),
    "past_due": ("Past due", "TRUE or FALSE"),
    "group": ("Status group", ""),
    "action": ("Action", ""),
    "action_due": ("Action due", "date"),
}

#: Each column of survey_estimates.csv: its heading in the spreadsheet and the unit shown under it.
SURVEY_ESTIMATES_HEADINGS: dict[str, tuple[str, str]] = {
    "wave": ("Survey wave", ""),
    "question": ("Question key", ""),
    "breakdown": ("Breakdown", ""),
    "group": ("Group", ""),
    "n": ("Respondents in the base", "number"),
    "pct": ("Estimate", "%"),
    "se": ("Standard error", "percentage points"),
    "ci_low": ("95% confidence interval, lower limit", "%"),
    "ci_high": ("95% confidence interval, upper limit", "%"),
    "suppressed": ("Suppressed", "TRUE or FALSE"),
    "significant": ("Significant", "TRUE or FALSE"),
    "label": ("Question", ""),
    "se_raked": ("Standard error allowing for the weighting", "percentage points"),
    "p_vs_rest": ("p-value, group against the rest", "probability"),
    "significant_vs_rest": ("Significantly different from the rest", "TRUE or FALSE"),
    "previous_pct": ("Estimate in the previous wave", "%"),
    "change": ("Change since the previous wave", "percentage points"),
    "p_vs_previous": ("p-value, change since the previous wave", "probability"),
    "significant_vs_previous": ("Significant change since the previous wave", "TRUE or FALSE"),
}

#: The number format of TRUE/FALSE cells: Excel shows them so whatever the format, but LibreOffice shows
#: a boolean under General as 1 or 0 (and under "0.00" as 0.00).
TRUE_FALSE = '"TRUE";"TRUE";"FALSE"'

_MEASURED = {"value", "target"}
_BOOLEANS = {"exception", "persistent_exception", "past_due"}
_DATES = {"due", "revised_due", "action_due"}
#: metric_status text a council may leave out: blank means "not given" ([x]); other blanks are [z].
_NOT_GIVEN = {"strategy", "tactic", "status_reason", "commentary", "revised_due", "action", "action_due"}
#: survey_estimates figures withheld with a suppressed estimate.
_WITHHELD = {"pct", "se", "ci_low", "ci_high", "se_raked", "p_vs_rest", "change", "p_vs_previous"}
#: The notes each table's column headings refer to.
_METRIC_NOTES = {"value": "values", "status_label": "statuses", "exception": "exception"}
_SURVEY_NOTES = {"pct": "suppressed", "ci_low": "interval"}
_NO_LETTER_OR_DIGIT = re.compile(r"^[^A-Za-z0-9]*$")
_SHORTHAND_CELL = re.compile(r"^\[[a-z]\]$")


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value == ""


def _text(value: object) -> str:
    s = str(value)
    # gptables refuses such a cell; a commentary of "-" or "…" says that nothing was given
    return "[x]" if _NO_LETTER_OR_DIGIT.match(s) else s


def _metric_cell(col: str, rec: dict) -> object:
    v = rec.get(col, "")
    if col in _BOOLEANS:
        return bool(v)
    kind = rec.get("kind", "target")  # a table made by hand may have only the v1 columns
    if col in _MEASURED:
        if not _missing(v):
            return round_half_up(v, int(rec["decimals"]))
        # a target metric without a target, or a figure due but not given, is [x]; otherwise nothing applies
        applies = kind == "target" if col == "target" else kind != "milestone" and rec["status"] != "not_due"
        return "[x]" if applies else "[z]"
    if _missing(v):
        return "[x]" if col in _NOT_GIVEN or (col == "due" and kind == "milestone") else "[z]"
    if col in _DATES:
        return v if isinstance(v, dt.date) else _text(v)
    return _text(v)


def _survey_cell(col: str, rec: dict) -> object:
    v = rec[col]
    if isinstance(v, bool) or type(v).__name__ == "bool_":
        return bool(v)
    if _missing(v):
        if rec["suppressed"] and col in _WITHHELD:
            return "[c]"
        if col == "p_vs_rest" and rec["breakdown"] == "All":
            return "[z]"
        return "[x]"
    if isinstance(v, (int, float)) or type(v).__module__ == "numpy":
        return v.item() if hasattr(v, "item") else v
    return _text(v)


@dataclass(frozen=True)
class _Sheet:
    """One table sheet: its table and how its cells are shown.

    A cell's format is gptables' theme for data (for a heading, for headings), the column's alignment, then
    its row's format (if ``row_formats`` is given, one for each row of figures) and then its column's, which
    wins where both set a key.
    """

    label: str
    name: str
    title: str
    frame: pd.DataFrame
    units: dict[str, str]
    column_formats: list[dict]
    row_formats: list[dict] | None
    table_notes: dict[int, str]
    source: str


def _records(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict("records")``, the same Python values (``Series.tolist``) in a quarter of the time."""
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in zip(*(frame[c].tolist() for c in columns), strict=True)]


def _frame(records: list[dict], columns: Sequence[str], headings: dict, cell: Callable[[str, dict], object]):
    rows = [[cell(c, rec) for c in columns] for rec in records]
    frame = pd.DataFrame(rows, columns=[headings[c][0] for c in columns], dtype=object)
    units = {headings[c][0]: headings[c][1] for c in columns if headings[c][1]}
    return frame, units


def _workbook(title: str, intro: list[str], about: list[str], contact: str, sheets: list[_Sheet], notes) -> bytes:
    """The workbook's bytes: cover, contents, notes, then one sheet per table (gptables' layout)."""
    with warnings.catch_warnings():
        # gptables 2.0 uses pandas features that pandas 3 deprecates (inplace=True), and notes that a
        # note is not referenced from a table (the shorthand notes are referenced from the cover): not
        # the analyst's concern.
        warnings.filterwarnings("ignore", module=r"gptables(\.|$)")
        warnings.filterwarnings("ignore", message="The following notes are not referenced")
        return _write_workbook(title, intro, about, contact, sheets, notes)


def _write_workbook(title: str, intro: list[str], about: list[str], contact: str, sheets: list[_Sheet], notes) -> bytes:
    import gptables as gpt
    from gptables.core.wrappers import GPWorkbook, GPWorksheet

    class Worksheet(GPWorksheet):
        def _parse_table_urls(self, gptable) -> None:  # cell text is data, never a link
            return None

    class TableWorksheet(Worksheet):
        sheet: _Sheet

        def _write_table_elements(self, pos, gptable, auto_width) -> list[int]:  # gptables' is slow: see _write_table
            return _write_table(self, gptable.table, gptable.data_range[0], gptable.table_name, self.sheet)

    class Workbook(GPWorkbook):
        def add_worksheet(self, name=None, gridlines="hide_all", worksheet_class=Worksheet):
            ws = super(GPWorkbook, self).add_worksheet(name, worksheet_class)
            ws.theme, ws._workbook = self.theme, self
            ws.hide_gridlines({"show_all": 0, "hide_printed": 1, "hide_all": 2}[gridlines])
            return ws

    tables = {}
    for s in sheets:
        tables[s.label] = gpt.GPTable(
            table=s.frame,
            table_name=s.name,
            title=s.title,
            instructions="This worksheet contains one table. Some column headings refer to notes on the Notes sheet.",
            source=s.source,
            units=dict(s.units),  # copies: gptables rewrites the dicts it is given
            table_notes=dict(s.table_notes),
            index_columns={},
        )
    buf = io.BytesIO()
    # Text is written as text: never a formula, a link or a number (a code such as 007 stays 007).
    wb = Workbook(buf, {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    # A fixed creation time, so that the same data makes the same bytes (the manifest's hashes).
    wb.set_properties({"title": title, "created": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)})
    cover = gpt.Cover(title=title, intro=intro, about=about, contact=[contact] if contact else None)
    cover_ws = wb.add_worksheet(cover.cover_label)
    cover_ws.write_cover(cover)
    # Rows of wrapped text are given their height: LibreOffice, unlike Excel, draws them one line high.
    # About 0.8 characters of gptables' 12 point Arial fit in a unit of column width (0.55 in the title).
    paragraphs = [title, "", *intro, "", *about, *(["", contact] if contact else [])]
    for row, text in enumerate(paragraphs):
        fit, line = (cover.width * 0.55, 21) if row == 0 else (cover.width * 0.8, 16)
        cover_ws.set_row(row, line * max(1, math.ceil(len(text) / fit)))
    contents = wb.make_table_of_contents(tables)
    wb._update_annotations(tables)
    notesheet = wb.make_notesheet(notes, title="Notes")
    for label, table in {"Contents": contents, "Notes": notesheet}.items():
        wb.add_worksheet(label).write_gptable(table, True, wb._annotations)
    for s in sheets:
        ws = wb.add_worksheet(s.label, worksheet_class=TableWorksheet)
        ws.sheet = s
        # gptables measures every cell in Python, which costs seconds for thousands of rows: each column
        # is sized here from its longest line instead, and long text wraps at _WIDEST characters
        ws.write_gptable(tables[s.label], False, wb._annotations)
        for col, width in enumerate(_widths(s.frame, s.units)):
            ws.set_column(col, col, width)
        lines = s.frame.astype(str).apply(lambda c: (c.str.len() + _WIDEST - 1) // _WIDEST).max(axis=1)
        first = tables[s.label].data_range[0] + 1  # the row under the headings
        for n, count in enumerate(lines.tolist()):
            if count > 1:
                ws.set_row(first + n, 16 * count)
    wb.close()
    return buf.getvalue()


def _write_table(ws, table: pd.DataFrame, first_row: int, name: str, sheet: _Sheet) -> list[int]:
    """Write a table sheet's table from ``first_row``: its headings, its cells, then mark it as an Excel table.

    This stands in for gptables' own ``_write_table_elements``, which builds a dictionary of formatting
    for every cell with pandas and writes each cell through several layers of Python: two thirds of the
    time ``metric_status.xlsx`` took for a register of 5,000 metrics, where the workbook was half of a
    one-quarter run (benchmarks/RESULTS.md, rows S). Here each column's few formats are made once, from
    the same theme, and each cell is written straight to XlsxWriter; the cells, their formats and the
    Excel table are as gptables made them, but for alignment (:func:`_alignment`). The rest of the layout
    is still gptables': title, instructions, source and the headings with their units and note markers
    above the table, and the cover, contents and notes sheets. gptables also refuses a table with a blank
    cell or a cell of symbols only: ``_metric_cell`` and ``_survey_cell`` never make one.
    """
    wb, theme = ws._workbook, ws.theme
    headings = [str(h) for h in table.columns]
    rows = table.to_numpy().tolist()
    align = [_alignment([row[col] for row in rows]) for col in range(len(headings))]
    heading_formats = [
        wb.add_format({**theme.column_heading_format, "align": a, **column_format})
        for a, column_format in zip(align, sheet.column_formats, strict=True)
    ]
    for col, (heading, heading_format) in enumerate(zip(headings, heading_formats, strict=True)):
        ws.write_string(first_row, col, heading, heading_format)
    writers = {str: ws.write_string, float: ws.write_number, int: ws.write_number, bool: ws.write_boolean}
    formats: dict[tuple, list] = {}  # each row format's cell formats, column by column
    for n, row in enumerate(rows):
        row_format = sheet.row_formats[n] if sheet.row_formats else {}
        key = tuple(sorted(row_format.items()))
        if key not in formats:
            formats[key] = [
                wb.add_format({**theme.data_format, "align": a, **row_format, **column_format})
                for a, column_format in zip(align, sheet.column_formats, strict=True)
            ]
        cell_formats = formats[key]
        for col, value in enumerate(row):
            # write() would find the same method by the value's type, a little more slowly
            writers.get(type(value), ws.write)(first_row + 1 + n, col, value, cell_formats[col])
    columns = [{"header": h, "header_format": f} for h, f in zip(headings, heading_formats, strict=True)]
    last_row = first_row + len(rows)
    ws.add_table(
        first_row,
        0,
        last_row,
        len(headings) - 1,
        {"header_row": True, "autofilter": False, "columns": columns, "style": None, "name": name},
    )
    return [last_row + 1, 0]


def _alignment(cells: list[object]) -> str:
    """``right`` for a column of numbers (shorthands such as ``[x]`` aside), ``left`` for any other.

    gptables means to do the same, but once any heading carries a note marker it counts the row of
    headings among the cells, so that only a column whose own heading has a note could be right-aligned
    (Value, not Target).
    """
    figures = [v for v in cells if not (isinstance(v, str) and _SHORTHAND_CELL.match(v))]
    numbers = bool(figures) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in figures)
    return "right" if numbers else "left"


#: The widest a column is made, in characters; longer text wraps.
_WIDEST = 60


def _widths(frame: pd.DataFrame, units: dict[str, str]) -> list[int]:
    """Each column's width in characters: its longest line, heading and unit included, at most ``_WIDEST``."""
    widths = []
    for heading in frame.columns:
        text = frame[heading].astype(str)
        longest = max(int(text.str.len().max()) if len(text) else 0, len(heading), len(units.get(heading, "")) + 2)
        widths.append(round(min(longest, _WIDEST) * 1.15) + 2)  # gptables' 12 point Arial is wider than 11 point
    return widths


def _wrapped(frame: pd.DataFrame) -> list[int]:
    """The columns with text longer than ``_WIDEST`` characters, which wrap."""
    return [i for i, c in enumerate(frame.columns) if frame[c].astype(str).str.len().max() > _WIDEST]


def _decimals_format(decimals: int) -> str:
    return "0" if decimals <= 0 else "0." + "0" * decimals


def _notes(notes: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(notes, columns=["Note reference", "Note text"])


def metric_status_xlsx(table: pd.DataFrame, council: str, quarter: str, contact: str = "") -> bytes:
    """``metric_status.xlsx``: the rows of ``metric_status.csv`` as an accessible spreadsheet.

    Parameters
    ----------
    table
        The assessment table (:func:`perfkit.assess`), as for :func:`.data_files.metric_status_csv`.
    council
        The council's name, for the title.
    quarter
        The quarter's label, e.g. ``2024/25 Q2``.
    contact
        ``[report] contact`` of council.toml, shown on the cover when given.
    """
    from .data_files import METRIC_STATUS_COLUMNS

    columns = ["code", "title", "unit", *METRIC_STATUS_COLUMNS[2:]]
    headings = {**METRIC_STATUS_HEADINGS, "unit": ("Unit", "")}
    records = _records(table)

    def cell(col: str, rec: dict) -> object:
        return _text(rec.get("unit") or "[x]") if col == "unit" else _metric_cell(col, rec)

    frame, units = _frame(records, columns, headings, cell)
    # Columns by position: gptables renames the headings as it adds units and note markers.
    dates = [columns.index(c) for c in METRIC_STATUS_HEADINGS if c in _DATES]
    # each figure shown as the report shows it; dates and TRUE/FALSE by their columns' formats, which win
    row_formats = [{"num_format": _decimals_format(int(r["decimals"]))} for r in records]
    column_formats: list[dict] = [{} for _ in columns]
    for col in dates:
        column_formats[col]["num_format"] = "yyyy-mm-dd"
    for col in (columns.index(c) for c in METRIC_STATUS_HEADINGS if c in _BOOLEANS):
        column_formats[col]["num_format"] = TRUE_FALSE
    for col in _wrapped(frame):
        column_formats[col].update({"text_wrap": True, "valign": "top"})
    sheet = _Sheet(
        label="Metric_status",
        name="metric_status",
        title=f"Status of every metric reported, {council}, {quarter}",
        frame=frame,
        units=units,
        column_formats=column_formats,
        row_formats=row_formats,
        table_notes={columns.index(c): f"$${ref}$$" for c, ref in _METRIC_NOTES.items()},
        source=f"Source: {council}'s performance register (metrics.csv, targets.csv, actuals.csv), via perfkit.",
    )
    notes = _notes(
        [
            (
                "values",
                "Values and targets are rounded to the metric's display precision (half away from zero, as "
                "Excel's ROUND) before they are compared: the figure shown is the figure judged.",
            ),
            (
                "statuses",
                "Status is the word the report shows. Status class is green (on target), amber (within tolerance), "
                "red (exception), no_target, no_data, not_due, trend, or for contract v2 a class such as on_track, "
                "completed or overdue. Status the figures give is what the figures alone give, for a target metric.",
            ),
            (
                "exception",
                "An exception is a metric in the exception group; a persistent exception was also one in the "
                "previous period it was due.",
            ),
            *_shorthand_notes(("[x]", "[z]")),
        ],
    )
    return _workbook(
        f"{council}: metric status, {quarter}",
        [
            f"One row for every metric reported in {quarter}: its value, target, status and direction of travel.",
            "The same figures are in metric_status.csv, published beside this file; the quarterly performance "
            "appendix (quarterly_performance.html and .pdf) explains them in words.",
        ],
        [
            "Shorthand in the tables: " + "; ".join(f"{k} {SHORTHAND[k]}" for k in ("[x]", "[z]")) + ".",
            "Notes on the Notes sheet are marked in column headings as [note 1], [note 2] and so on.",
        ],
        contact,
        [sheet],
        notes,
    )


def _shorthand_notes(keys: Sequence[str]) -> list[tuple[str, str]]:
    return [(f"shorthand {k}", f"{k} means {SHORTHAND[k]}.") for k in keys]


def survey_estimates_xlsx(
    estimates: pd.DataFrame, columns: Sequence[str], council: str, wave_title: str, min_cell: int, contact: str = ""
) -> bytes:
    """``survey_estimates.xlsx``: the rows of ``survey_estimates.csv`` as an accessible spreadsheet.

    Suppressed estimates are ``[c]``, explained on the Notes sheet with the survey's ``min_cell``.
    Respondent-level data is never in it: only the estimates of ``survey_estimates.csv``.
    """
    columns = list(columns)
    records = _records(estimates[columns])
    frame, units = _frame(records, columns, SURVEY_ESTIMATES_HEADINGS, _survey_cell)
    # Shown to one decimal place (p-values to three) and stored in full, as in the CSV.
    shown = {
        "0.0": ("pct", "se", "ci_low", "ci_high", "se_raked", "previous_pct", "change"),
        "0.000": ("p_vs_rest", "p_vs_previous"),
    }
    flags = tuple(c for c in columns if estimates[c].dtype == bool)
    column_formats: list[dict] = [{} for _ in columns]
    for pattern, cols in {**shown, TRUE_FALSE: flags}.items():
        for c in cols:
            if c in columns:
                column_formats[columns.index(c)]["num_format"] = pattern
    suppression = (
        f"[c] means confidential: the estimate, its standard error, interval and comparisons are withheld because "
        f"fewer than {min_cell} respondents answered in the group (the survey's minimum cell size). The number of "
        "respondents is still shown."
    )
    sheet = _Sheet(
        label="Survey_estimates",
        name="survey_estimates",
        title=f"Weighted estimates by group, {wave_title}, {council}",
        frame=frame,
        units=units,
        column_formats=column_formats,
        row_formats=None,
        table_notes={columns.index(c): f"$${ref}$$" for c, ref in _SURVEY_NOTES.items() if c in columns},
        source=f"Source: {council}, {wave_title}, weighted by perfkit.",
    )
    notes = _notes(
        [
            ("suppressed", suppression),
            (
                "interval",
                "95% confidence intervals are on the logit scale with Student's t, as R's survey package "
                "svyciprop(method = 'logit') gives them; estimates are weighted to the population by raking.",
            ),
            *_shorthand_notes(("[x]", "[z]")),
        ],
    )
    return _workbook(
        f"{council}: {wave_title}, weighted estimates",
        [
            "Each question of the residents' survey for all respondents and for each group: the number of "
            "respondents, the weighted percentage, its standard error and 95% confidence interval, and whether "
            "it differs significantly from the rest and from the previous wave.",
            "The same figures are in survey_estimates.csv, published beside this file. No respondent's answers "
            "are in this file.",
        ],
        [
            "Shorthand in the tables: [c] confidential, withheld because too few answered; "
            + "; ".join(f"{k} {SHORTHAND[k]}" for k in ("[x]", "[z]"))
            + ". The Notes sheet explains each.",
            "Notes on the Notes sheet are marked in column headings as [note 1], [note 2] and so on.",
        ],
        contact,
        [sheet],
        notes,
    )
