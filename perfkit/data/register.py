"""Load the metric register of a data folder into typed tables.

The register is three tables (``metrics``, ``targets``, ``actuals``) and an
optional fourth (``highlights``, contract v2), each a CSV file or a sheet of
``register.xlsx``, and an optional ``council.toml``. Every problem in them is
collected in one pass; if any is an error,
:class:`~perfkit.errors.DataValidationError` lists them all. A problem about a
row names the metric code the row gives.

Examples
--------
>>> reg = pk.load_register(demo_dir)
>>> reg.metrics.loc["SRV.01", "title"]
'% of formal complaints responded to within 15 working days'
"""

from __future__ import annotations

import difflib
import gc
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataValidationError, PeriodError, Problem, UnknownNameError
from ..periods import (
    Half,
    Period,
    Quarter,
    latest_quarter,
    parse_due_date,
    parse_period,
    parse_quarter,
    parse_year,
    year_label,
)
from ..rounding import round_half_up
from ..statuses import Vocabulary
from .checker import frame_rows, suggest
from .columns import duplicated_keys, parse_distinct, parse_numbers
from .council import Council, load_council
from .folders import find_data_dir
from .limits import MAX_DECIMALS, check_magnitude, check_year
from .sources import SourceTable, find_data_file, read_sources
from .typed_cells import (
    MISSING_MARKERS,
    CellError,
    TargetCell,
    is_blank,
    parse_int,
    parse_number,
    parse_share_complete,
    parse_target,
    parse_tolerance,
    parse_yes_no,
)

__all__ = ["Council", "Register", "find_data_dir", "load_council", "load_register", "objectives_in"]

UNITS = ("percent", "number", "days", "currency", "ratio", "score")
POLARITIES = ("higher", "lower", "none")
KINDS = ("target", "trend", "milestone")
FREQUENCIES = ("quarterly", "half-yearly", "annual")
TIER_NAMES = ("plan", "service")

COLUMNS = {
    "metrics": {
        "required": ["code", "title", "objective", "service", "unit", "polarity", "kind", "frequency"],
        "optional": ["strategy", "tactic", "owner", "tolerance", "decimals", "cumulative"],
        "v2": ["tier", "start", "end", "due"],
    },
    "targets": {"required": ["code", "year", "target"], "optional": ["quarter"]},
    "actuals": {
        "required": ["code", "period"],
        "optional": ["value", "numerator", "denominator", "commentary"],
        "v2": ["status", "status_reason", "progress", "revised_due", "action", "action_due", "for_period"],
    },
    "highlights": {
        "required": ["period", "service", "kind", "text"],
        "optional": ["objective", "strategy", "tactic", "code"],
    },
}

#: The columns contract v2 added: a folder using any of them (non-blank) is a v2 folder. They are
#: not added to a table that lacks them, so a v1 table costs no more to read than before.
V2_COLUMNS = {name: spec["v2"] for name, spec in COLUMNS.items() if "v2" in spec}


@dataclass
class Register:
    """The validated metric register of one data folder.

    Attributes
    ----------
    council
        What ``council.toml`` says: name, plans, objective order, the council's words.
    metrics
        One row per metric, indexed by ``code``. v2 columns: ``tier`` (``plan`` or
        ``service``), ``start`` and ``end`` (:class:`~perfkit.periods.Quarter` or ``None``),
        ``due`` (a date or ``None``); ``tolerance`` is the metric's own, else ``[rag] tolerance``.
    targets
        ``code, start_year, quarter (0 = the whole year), half (1, 2; 0 = not a half),
        target, comparison ('', '>', '>=', '<', '<='), row``.
    actuals
        ``code, period, period_index, value, numerator, denominator, commentary, row``;
        ``value`` is NaN where the figure is not available. v2: ``for_period`` (the
        :class:`~perfkit.periods.Period` measured, its default filled in), ``for_own_quarter``
        (the figure measures the quarter it is reported in), ``status``
        (the class of the reported word, or ``""``), ``status_word`` (the word as the
        council spells it), ``status_reason``, ``progress`` (NaN when blank),
        ``revised_due`` and ``action_due`` (dates or ``None``), ``action``.
    highlights
        ``period, period_index, service, kind, text, objective, strategy, tactic, code, row``.
    data_dir
        The folder it was read from.
    files
        The files read, for hashing in the manifest.
    warnings
        Problems that did not stop loading.
    v2
        Whether the folder uses anything of contract v2 (its reports then use the v2 wording).

    Examples
    --------
    >>> tiny.council.name, len(tiny.metrics), tiny.latest_quarter().label
    ('Tiny Test Council', 12, '2024/25 Q2')
    >>> tiny.metrics.loc[tiny.code("a4"), ["title", "unit", "polarity"]].tolist()
    ['Average days to process benefit claims', 'days', 'lower']
    >>> tiny.actuals.loc[tiny.actuals["code"] == "A5", ["period", "value", "numerator", "denominator"]]
           period  value  numerator  denominator
    9  2024/25 Q2   50.0       18.0         36.0
    """

    council: Council
    metrics: pd.DataFrame
    targets: pd.DataFrame
    actuals: pd.DataFrame
    data_dir: Path
    files: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    highlights: pd.DataFrame = field(default_factory=lambda: _no_highlights())
    v2: bool = False

    @property
    def vocabulary(self) -> Vocabulary:
        """The council's status words (``[statuses]`` and ``[labels]``)."""
        return self.council.vocabulary

    def quarters_with_data(self) -> list[Quarter]:
        """Quarters with at least one actuals row, in order."""
        return [Quarter.from_index(int(i)) for i in sorted(self.actuals["period_index"].unique())]

    def latest_quarter(self) -> Quarter:
        """The latest quarter with at least one actuals row."""
        return latest_quarter(self.quarters_with_data())

    def code(self, code: object) -> str:
        """A metric's code as the register writes it, from any case and surrounding spaces.

        Raises
        ------
        UnknownNameError
            When no metric has that code; the message suggests the closest codes.

        Examples
        --------
        >>> tiny.code(" a1 ")
        'A1'
        """
        wanted = str(code).strip()
        if wanted in self.metrics.index:
            return wanted
        by_fold = {str(c).casefold(): str(c) for c in self.metrics.index}
        if wanted.casefold() in by_fold:
            return by_fold[wanted.casefold()]
        raise UnknownNameError("metric code", wanted, list(by_fold.values()))

    def objective_order(self, quarter: Quarter | None = None) -> list[str]:
        """Objectives in display order: the plan's (in force in ``quarter``, if given) first, then as in the metrics."""
        listed = self.council.objectives_for(quarter) if quarter is not None else self.council.objectives
        seen = list(listed)
        for obj in self.metrics["objective"]:
            if obj not in seen:
                seen.append(obj)
        return seen

    def plan_title(self, quarter: Quarter) -> str:
        """The title of the plan in force in a quarter."""
        return self.council.plan_title_for(quarter)


def objectives_in(register: Register, quarter: Quarter) -> list[str]:
    """The objectives of the plan in force in a quarter, in display order.

    The plan's own list (``[[plans]] objectives``, else ``objectives``), or, when
    council.toml lists none, the objectives of the metrics reported in the quarter. (Here, not
    in :mod:`perfkit.objective`, which needs the charts: a run records it for the next, see
    :mod:`perfkit.batch.rerun`.)

    Examples
    --------
    >>> objectives_in(tiny, pk.Quarter(2024, 2))
    ['Good services', 'A green place']
    """
    listed = list(register.council.objectives_for(quarter))
    if listed:
        return listed
    m = register.metrics
    inside = [
        (start is None or start <= quarter) and (end is None or quarter <= end)
        for start, end in zip(m["start"], m["end"], strict=True)
    ]
    return list(dict.fromkeys(m.loc[inside, "objective"]))


#: Problems of one kind reported in one column before the rest are summarised in one line.
MAX_PER_COLUMN = 50
#: Problems kept in full per column: beyond them only their rows are counted (and summarised).
KEPT_PER_COLUMN = 500

#: Texts that are a program's word for "no number" or "infinity": refused, since a figure is expected.
_NOT_FIGURES = {
    "nan": "what a program writes for a missing number",
    "-nan": "what a program writes for a missing number",
    "inf": "infinity",
    "-inf": "minus infinity",
    "+inf": "infinity",
    "infinity": "infinity",
    "-infinity": "minus infinity",
}
_EXCEL_ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA")


class _Checker:
    """Parses the cells of one source table, recording problems with their location.

    Problems are kept until :meth:`finish`, which adds them in row order, at most
    :data:`MAX_PER_COLUMN` errors per column and message, the rest counted in one line,
    and names in each the metric code its row gives.
    """

    def __init__(self, table: SourceTable, problems: list[Problem]):
        self.table = table
        self.problems = problems
        self._found: list[Problem] = []
        self._parsed: dict[tuple[str, str], tuple[bool, Any]] = {}
        self._counts: dict[tuple, int] = {}
        self._overflow: dict[tuple, list[int]] = {}

    def problem(self, row: int | None, column: str | None, message: str, fix: str, severity: str = "error") -> None:
        key = (column, severity)
        self._counts[key] = self._counts.get(key, 0) + 1
        if self._counts[key] <= KEPT_PER_COLUMN or row is None:
            self._found.append(Problem(self.table.label, row, column, message, fix, severity))
        else:  # a million bad rows must not cost a million messages
            self._overflow.setdefault(key, []).append(row)

    def many(
        self, positions: np.ndarray, column: str, describe: Callable[[int], tuple[str, str]], severity: str = "error"
    ) -> None:
        """A problem on each of the table's rows at ``positions``; ``describe(i)`` gives its message and fix.

        Only as many messages are made as will be shown; the other rows are just counted.
        """
        key = (column, severity)
        room = max(0, KEPT_PER_COLUMN - self._counts.get(key, 0))
        rows = self.table.frame["row"].to_numpy()
        for i in positions[:room]:
            self.problem(int(rows[i]), column, *describe(int(i)), severity)
        rest = positions[room:]
        if len(rest):
            self._counts[key] = self._counts.get(key, 0) + len(rest)
            self._overflow.setdefault(key, []).extend(rows[rest].tolist())

    def _with_codes(self, found: list[Problem]) -> list[Problem]:
        """The problems, each about a row naming the metric code written on that row (issue 13, point 8)."""
        frame = self.table.frame
        if "code" not in frame.columns or not any(p.row is not None and p.code is None for p in found):
            return found
        rows = frame["row"].to_numpy()
        codes = frame["code"].to_numpy(dtype=object)
        wanted = np.array([p.row for p in found if p.row is not None and p.code is None])
        if len(rows) > 1 and not (rows[1:] >= rows[:-1]).all():  # not in file order: look each row up
            position = {int(r): i for i, r in enumerate(rows.tolist())}
            at = np.array([position.get(int(r), len(rows)) for r in wanted], dtype=np.int64)
        else:
            at = np.searchsorted(rows, wanted)
        by_row = {int(r): str(codes[i]) for r, i in zip(wanted, at, strict=True) if i < len(rows) and rows[i] == r}
        return [
            replace(p, code=by_row.get(p.row) or None) if (p.row is not None and p.code is None) else p for p in found
        ]

    def finish(self) -> None:
        """Add the problems found to the load's list: in row order, repeated ones summarised."""
        found = self._with_codes(self._found)
        found = sorted(found, key=lambda p: -1 if p.row is None else p.row)  # stable: same row keeps order
        shown: dict[tuple, int] = {}
        more: dict[tuple, list[int]] = {}
        for p in found:
            kind = (p.column, p.severity, _shape(p.message))
            shown[kind] = shown.get(kind, 0) + 1
            if shown[kind] <= MAX_PER_COLUMN or p.row is None:
                self.problems.append(p)
            elif (p.column, p.severity) in self._overflow:
                self._overflow[(p.column, p.severity)].append(p.row)
            else:
                more.setdefault(kind, []).append(p.row)
        for (column, severity, _), rows in more.items():
            self.problems.append(
                Problem(
                    self.table.label,
                    rows[0],
                    column,
                    f"…and {len(rows):,} more rows with the same problem (rows {rows[0]:,} to {rows[-1]:,}).",
                    "Fix the ones listed above the same way, then validate again.",
                    severity,
                )
            )
        for (column, severity), rows in self._overflow.items():
            first, last = min(rows), max(rows)
            self.problems.append(
                Problem(
                    self.table.label,
                    first,
                    column,
                    f"…and {len(rows):,} more problems in this column (rows {first:,} to {last:,}).",
                    "Fix the ones listed above, then validate again: the rest are often the same mistake.",
                    severity,
                )
            )
        self._found, self._counts, self._overflow = [], {}, {}

    def columns(self) -> bool:
        spec = COLUMNS[self.table.name]
        present = [c for c in self.table.frame.columns if c != "row"]
        known = spec["required"] + spec["optional"] + spec.get("v2", [])
        header = self.table.header_row
        ok = True
        for col in spec["required"]:
            if col not in present:
                guess = difflib.get_close_matches(col, present, n=1)
                hint = f" The column '{guess[0]}' may be meant: rename it to '{col}'." if guess else ""
                if not guess and not set(present) & set(known):
                    hint = (
                        f" No known column was found in row {header}: the header must be the table's first "
                        "row, with no title above it."
                    )
                self.problem(
                    header, col, f"The required column '{col}' is missing.", f"Add a column headed '{col}'.{hint}"
                )
                ok = False
        unknown = [col for col in present if col not in known]
        for col in unknown[:10]:
            guess = difflib.get_close_matches(col, known, n=1)
            hint = f"Did you mean '{guess[0]}'? " if guess else ""
            self.problem(
                header,
                col,
                f"The column '{col}' is not part of the {self.table.name} table and is ignored.",
                f"{hint}Known columns: {', '.join(known)}.",
                "warning",
            )
        if len(unknown) > 10:
            self.problem(
                header,
                None,
                f"{len(unknown) - 10:,} more columns are not part of the {self.table.name} table and are ignored.",
                f"Known columns: {', '.join(known)}.",
                "warning",
            )
        for col in spec["optional"]:
            if col not in present:
                self.table.frame[col] = ""
        return ok

    def required_text(self, row: int, column: str, text: str) -> str | None:
        if is_blank(text):
            self.problem(row, column, f"The {column} is blank.", f"Enter the {column}.")
            return None
        return text

    def choice(
        self, row: int, column: str, text: str, allowed: tuple[str, ...], *, blank_ok: bool = False
    ) -> str | None:
        """One of ``allowed`` in any case (``half yearly`` for ``half-yearly``); else a problem with a suggestion."""
        if text in allowed:  # as written, the usual case
            return text
        s = " ".join(text.split()).lower()
        if s in allowed:
            return s
        joined = s.replace(" ", "-").replace("_", "-")
        if joined in allowed:
            return joined
        if s == "":
            if blank_ok:
                return ""
            self.problem(row, column, f"The {column} is blank.", f"Enter one of: {', '.join(allowed)}.")
            return None
        guess = suggest(text, allowed)
        fix = f"Did you mean '{guess}'? Write {guess}." if guess else f"Use one of: {', '.join(allowed)}."
        self.problem(row, column, f"The {column} '{text.strip()}' is not one of {', '.join(allowed)}.", fix)
        return None

    def number(self, row: int, column: str, text: str, *, required: bool = False) -> float:
        """One number cell: blank → NaN; a refusal (with its fix) for anything that is not a plain figure."""
        if is_blank(text):
            if required:
                self.problem(row, column, f"The {column} is blank.", f"Enter the {column} as a number.")
            return math.nan
        folded = text.strip().lower()
        if folded in _NOT_FIGURES:
            self.problem(
                row,
                column,
                f"'{text}' is not a figure: it is {_NOT_FIGURES[folded]}.",
                "Enter the figure, or leave the cell blank when it is not available.",
            )
            return math.nan
        if text.strip().upper() in _EXCEL_ERRORS:
            self.problem(
                row,
                column,
                f"'{text}' is an Excel error value: the formula that fills this cell failed.",
                "Correct the formula in Excel (or type the figure), or leave the cell blank if it is not available.",
            )
            return math.nan
        if folded in MISSING_MARKERS:
            if required:
                self.problem(row, column, f"'{text}' is not a number.", f"Enter the {column} as a number.")
            else:
                self.problem(
                    row,
                    column,
                    f"'{text}' is read as 'not available'.",
                    "Nothing to change if the figure is not available (say why in the commentary); "
                    "otherwise enter the figure.",
                    "warning",
                )
            return math.nan
        try:
            value = parse_number(text)
            check_magnitude(value, text.strip())
            return value
        except CellError as exc:
            fix = exc.fix
            if _looks_like_a_date(text):
                fix = "The cell holds a date: format it as a number in Excel (Home > Number format) and re-enter it."
            self.problem(row, column, exc.message, fix)
            return math.nan

    def parse(self, row: int, column: str, text: str, parser, default=None):
        try:
            return parser(text)
        except (CellError, PeriodError) as exc:
            self.problem(row, column, exc.message, exc.fix)
            return default

    def parse_once(self, row: int, column: str, text: str, parser, default=None):
        """As :meth:`parse`, parsing each distinct text of a column once (the parser must not depend on the row)."""
        key = (column, text)
        if key not in self._parsed:
            try:
                self._parsed[key] = (True, parser(text))
            except (CellError, PeriodError) as exc:
                self._parsed[key] = (False, (exc.message, exc.fix))
        ok, result = self._parsed[key]
        if ok:
            return result
        self.problem(row, column, *result)
        return default


def _shape(message: str) -> str:
    """A message without the quoted cell text and numbers, so that repeats of one problem group together."""
    return re.sub(r"'[^']*'|\d+", "…", message)


def _looks_like_a_date(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d\d-\d\d|\d{1,2}/\d{1,2}/\d{2,4}", text.strip()))


def _decimals(text: str) -> int:
    """Display precision: a whole number from 0 to 6; blank is 1."""
    value = parse_int(text, 1)
    if value > MAX_DECIMALS:
        raise CellError(
            f"{value} decimal places is more than a report can show ({MAX_DECIMALS} at most).",
            "Enter the number of decimal places to show, usually 0, 1 or 2.",
        )
    return value


def _tolerance(text: str):
    tolerance = parse_tolerance(text)
    if tolerance is not None:
        check_magnitude(tolerance.amount, text.strip())
        if tolerance.green is not None:
            check_magnitude(tolerance.green.amount, text.strip())
    return tolerance


def _quarter_index(text: str) -> int:
    quarter = parse_quarter(text)
    check_year(quarter.start_year)
    return quarter.index


_PERIOD_FIX = (
    " The period is the quarter in which the figure is reported; a half or a year it measures goes in for_period."
)


def _reported_quarter_index(text: str) -> int:
    """The quarter a row is reported in; a half or a year written there is explained (it belongs in for_period)."""
    try:
        return _quarter_index(text)
    except PeriodError as exc:
        if "not a financial quarter" in exc.message and (
            "half" in exc.message or "whole financial year" in exc.message
        ):
            raise PeriodError(exc.message, exc.fix + _PERIOD_FIX) from None
        raise


def _year(text: str) -> int:
    start = parse_year(text)
    check_year(start)
    return start


def _period(text: str) -> Period:
    period = parse_period(text)
    check_year(period.start_year)
    return period


def _first_quarter(text: str) -> Quarter:
    return _period(text).first_quarter


def _last_quarter(text: str) -> Quarter:
    return _period(text).last_quarter


def _due_date(text: str):
    date = parse_due_date(text)
    check_year(date.year - (date.month < 4))  # the financial year the date falls in
    return date


def _parse_metrics(table: SourceTable, council: Council, problems: list[Problem]) -> tuple[pd.DataFrame, set[str]]:
    """The metrics table, and the codes whose definition has an error (their figures are not cross-checked)."""
    chk = _Checker(table, problems)
    try:
        return _metrics_rows(chk, table, council)
    finally:
        chk.finish()


def _metrics_rows(chk: _Checker, table: SourceTable, council: Council) -> tuple[pd.DataFrame, set[str]]:
    if not chk.columns():
        return _empty_metrics(), set()
    records = []
    broken: set[str] = set()
    seen: dict[str, int] = {}
    for rec in frame_rows(table.frame):
        row = rec["row"]
        code = chk.required_text(row, "code", rec["code"])
        if code is None:
            continue
        if code in seen:
            chk.problem(
                row,
                "code",
                f"The code '{code}' is used again (first on row {seen[code]}).",
                "Give every metric its own code.",
            )
            continue
        seen[code] = row
        before = len(chk._found)
        kind = chk.choice(row, "kind", rec["kind"], KINDS)
        milestone = kind == "milestone"
        tier, start, end, due = (rec.get(c, "") for c in COLUMNS["metrics"]["v2"])
        tolerance = chk.parse_once(row, "tolerance", rec["tolerance"], _tolerance)
        m = {
            "code": code,
            "title": chk.required_text(row, "title", rec["title"]) or code,
            "objective": " ".join((chk.required_text(row, "objective", rec["objective"]) or "").split()),
            "service": chk.required_text(row, "service", rec["service"]) or "",
            "strategy": rec["strategy"],
            "tactic": rec["tactic"],
            "owner": rec["owner"],
            # a milestone is judged by its reported status: it needs no unit, direction or frequency
            "unit": chk.choice(row, "unit", rec["unit"], UNITS, blank_ok=milestone),
            "polarity": chk.choice(row, "polarity", rec["polarity"], POLARITIES, blank_ok=milestone),
            "kind": kind,
            "frequency": chk.choice(row, "frequency", rec["frequency"], FREQUENCIES, blank_ok=milestone),
            "tolerance": tolerance if tolerance is not None or rec["tolerance"] else council.tolerance,
            "decimals": chk.parse_once(row, "decimals", rec["decimals"], _decimals, 1),
            "cumulative": chk.parse_once(row, "cumulative", rec["cumulative"], parse_yes_no, False),
            "tier": (chk.choice(row, "tier", tier, TIER_NAMES) if tier else None) or "plan",
            "start": chk.parse_once(row, "start", start, _first_quarter) if start else None,
            "end": chk.parse_once(row, "end", end, _last_quarter) if end else None,
            "due": chk.parse_once(row, "due", due, _due_date) if due else None,
            "row": row,
        }
        if kind == "target" and m["polarity"] == "none":
            chk.problem(
                row,
                "polarity",
                "A targeted metric must say whether higher or lower is better.",
                "Set polarity to higher or lower, or set kind to trend.",
            )
        if m["start"] is not None and m["end"] is not None and m["end"] < m["start"]:
            chk.problem(
                row,
                "end",
                f"The metric ends ({m['end'].label}) before it starts ({m['start'].label}).",
                "Put the first quarter it belongs to the plan in start and the last in end.",
            )
        if m["due"] is not None and kind in ("target", "trend"):
            chk.problem(
                row,
                "due",
                f"A due date is for milestones; {code} is a {kind} metric, so it is not used.",
                "Set kind to milestone if this is a commitment with a due date.",
                "warning",
            )
        if any(p.severity == "error" for p in chk._found[before:]):
            broken.add(code)
        records.append(m)
    if not records:
        chk.problem(None, None, "There are no metrics.", "Add one row per metric below the header.")
        return _empty_metrics(), broken
    return pd.DataFrame.from_records(records).set_index("code", drop=False), broken


_METRIC_COLUMNS = [
    "code",
    "title",
    "objective",
    "service",
    "strategy",
    "tactic",
    "owner",
    "unit",
    "polarity",
    "kind",
    "frequency",
    "tolerance",
    "decimals",
    "cumulative",
    "tier",
    "start",
    "end",
    "due",
    "row",
]


def _empty_metrics() -> pd.DataFrame:
    return pd.DataFrame(columns=_METRIC_COLUMNS).set_index("code", drop=False)


TARGET_DTYPES = {
    "code": "object",
    "start_year": "int64",
    "quarter": "int64",
    "half": "int64",
    "target": "float64",
    "comparison": "object",
    "row": "int64",
}
ACTUAL_DTYPES = {
    "code": "object",
    "period": "object",
    "period_index": "int64",
    "value": "float64",
    "numerator": "float64",
    "denominator": "float64",
    "commentary": "object",
    "row": "int64",
    "for_period": "object",
    "for_own_quarter": "bool",
    "status": "object",
    "status_word": "object",
    "status_reason": "object",
    "progress": "float64",
    "revised_due": "object",
    "action": "object",
    "action_due": "object",
}
HIGHLIGHT_DTYPES = {
    "period": "object",
    "period_index": "int64",
    "service": "object",
    "kind": "object",
    "text": "object",
    "objective": "object",
    "strategy": "object",
    "tactic": "object",
    "code": "object",
    "row": "int64",
}


def _typed_frame(records: list[dict] | dict[str, Any], dtypes: dict[str, str]) -> pd.DataFrame:
    """Records (or columns) as a frame with the given columns and types, also when there are none."""
    if isinstance(records, dict):
        return pd.DataFrame({c: records[c] for c in dtypes}).astype(dtypes)
    return pd.DataFrame.from_records(records, columns=list(dtypes)).astype(dtypes)


def _no_highlights() -> pd.DataFrame:
    return _typed_frame([], HIGHLIGHT_DTYPES)


class _Codes:
    """Guesses the code a mistyped one was meant to be; letter O for zero and case count as slips."""

    def __init__(self, known: list[str]):
        self.known = known
        self._plain: dict[str, str] = {}
        for k in known:
            self._plain.setdefault(self.plain(k), k)
        self._guesses: dict[str, str | None] = {}

    @staticmethod
    def plain(c: str) -> str:
        return c.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")

    def similar(self, code: str) -> str | None:
        if code not in self._guesses:
            same = self._plain.get(self.plain(code))
            if same is None and len(self._guesses) < MAX_PER_COLUMN:  # difflib is slow on long lists
                guess = difflib.get_close_matches(code, self.known, n=1)
                same = guess[0] if guess else None
            self._guesses[code] = same
        return self._guesses[code]


def _similar_code(code: str, known: list[str]) -> str | None:
    """The known code a typed one was probably meant to be: letter O for zero and case count as slips."""
    return _Codes(known).similar(code)


def _known_codes(chk: _Checker, metrics: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The code column, and which rows name a metric of the metrics table (the others are reported)."""
    frame = chk.table.frame
    codes = frame["code"].to_numpy(dtype=object)
    known = pd.Index(metrics.index).get_indexer(codes) >= 0 if len(metrics) else np.zeros(len(codes), dtype=bool)
    blank = codes == ""
    chk.many(np.flatnonzero(blank), "code", lambda i: ("The code is blank.", "Enter the code."))
    unknown = np.flatnonzero(~known & ~blank)
    if not metrics.empty and len(unknown):
        guesses = _Codes(list(metrics.index))

        def describe(i: int) -> tuple[str, str]:
            guess = guesses.similar(codes[i])
            hint = f" Did you mean '{guess}'?" if guess else ""
            return (
                f"'{codes[i]}' is not a metric in the metrics table.",
                f"Add it to the metrics table or correct the code.{hint}",
            )

        chk.many(unknown, "code", describe)
    return codes, known


#: A target's quarter cell: (quarter, half); the whole year is (0, 0).
_QUARTER_CELLS = {"Q1": (1, 0), "Q2": (2, 0), "Q3": (3, 0), "Q4": (4, 0), "1": (1, 0), "2": (2, 0), "3": (3, 0)}
_QUARTER_CELLS |= {"4": (4, 0), "": (0, 0), "H1": (0, 1), "H2": (0, 2)}


def _quarter_cell(text: str) -> tuple[int, int]:
    q = "".join(text.split()).upper()
    if q not in _QUARTER_CELLS:
        raise CellError(
            f"'{text}' is not a quarter or a half.",
            "Enter Q1, Q2, Q3 or Q4 (or H1 or H2 for a half-yearly metric's half), "
            "or leave it blank for the whole year.",
        )
    return _QUARTER_CELLS[q]


_COMPARISON_START = re.compile(r"\s*[<>=≤≥]")
_COMPARISON_CHARS = re.compile(r"[<>=≤≥]")


def _split_comparisons(chk: _Checker) -> tuple[np.ndarray, np.ndarray]:
    """Take the comparison off each target written ``>50`` (leaving ``50`` for the number parser).

    Returns each row's comparison (``""`` for a bare number) and a mask of the rows whose
    comparison could not be read (reported here, and not read again as a number).
    """
    frame = chk.table.frame
    texts = frame["target"].to_numpy(dtype=object)
    comparisons = np.full(len(texts), "", dtype=object)
    bad = np.zeros(len(texts), dtype=bool)
    if not _COMPARISON_CHARS.search("".join(texts)):  # no comparison anywhere: the v1 case, settled at once
        return comparisons, bad
    marked = np.flatnonzero(frame["target"].str.match(_COMPARISON_START).to_numpy(dtype=bool))
    if not len(marked):
        return comparisons, bad
    texts = texts.copy()
    rows = frame["row"].to_numpy()
    for i in marked:
        try:
            cell: TargetCell = parse_target(texts[i])
        except CellError as exc:
            chk.problem(int(rows[i]), "target", exc.message, exc.fix)
            bad[i], texts[i] = True, "0"
            continue
        comparisons[i] = cell.comparison
        texts[i] = texts[i].strip().lstrip("<>=≤≥").strip()
    frame["target"] = texts
    return comparisons, bad


def _quarters_and_halves(cells: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (quarter, half) pairs of the quarter column as two integer columns (0 where the cell was wrong)."""
    pairs = cells.copy()
    pairs[~ok] = None
    codes, distinct = pd.factorize(pairs, use_na_sentinel=False)  # a failed cell's None comes back as NaN
    quarter = np.array([p[0] if isinstance(p, tuple) else 0 for p in distinct], dtype=np.int64)
    half = np.array([p[1] if isinstance(p, tuple) else 0 for p in distinct], dtype=np.int64)
    return quarter[codes], half[codes]


def _parse_targets(
    table: SourceTable, metrics: pd.DataFrame, broken: set[str], problems: list[Problem]
) -> pd.DataFrame:
    chk = _Checker(table, problems)
    try:
        if not chk.columns():
            return _typed_frame([], TARGET_DTYPES)
        codes, known = _known_codes(chk, metrics)
        years, year_ok = parse_distinct(
            chk, "year", _year, blank=("The year is blank.", "Enter the financial year, e.g. 2024/25.")
        )
        cells, quarter_ok = parse_distinct(chk, "quarter", _quarter_cell)
        written = table.frame["target"].to_numpy(dtype=object)
        comparisons, bad_comparison = _split_comparisons(chk)
        targets = parse_numbers(chk, "target", required=True)
        rows = table.frame["row"].to_numpy()
        ok = known & year_ok & quarter_ok & ~np.isnan(targets) & ~bad_comparison
        start = np.where(year_ok, years, 0).astype(np.int64)
        quarter, half = _quarters_and_halves(cells, quarter_ok)
        ok &= _target_rules(chk, metrics, broken, codes, ok, half, comparisons, written)
        dup, first = duplicated_keys(
            {"code": codes[ok], "start": start[ok], "quarter": quarter[ok], "half": half[ok]}, rows[ok]
        )
        firsts = dict(zip(np.flatnonzero(ok)[dup].tolist(), first[dup].tolist(), strict=True))

        def second_target(i: int) -> tuple[str, str]:
            when = (
                year_label(int(start[i]))
                + (f" Q{quarter[i]}" if quarter[i] else "")
                + (f" H{half[i]}" if half[i] else "")
            )
            return (
                f"A second target for {codes[i]} in {when} (first on row {firsts[i]}).",
                "Keep one target per metric and period.",
            )

        chk.many(np.flatnonzero(ok)[dup], "target", second_target)
        keep = np.flatnonzero(ok)[~dup]
        return _typed_frame(
            {
                "code": codes[keep],
                "start_year": start[keep],
                "quarter": quarter[keep],
                "half": half[keep],
                "target": targets[keep],
                "comparison": comparisons[keep],
                "row": rows[keep],
            },
            TARGET_DTYPES,
        )
    finally:
        chk.finish()


def _target_rules(
    chk: _Checker,
    metrics: pd.DataFrame,
    broken: set[str],
    codes: np.ndarray,
    ok: np.ndarray,
    half: np.ndarray,
    comparisons: np.ndarray,
    written: np.ndarray,
) -> np.ndarray:
    """Contract v2's rules for targets; a mask of the rows that pass."""
    passed = np.ones(len(codes), dtype=bool)
    if metrics.empty or not ok.any():
        return passed
    if not (half.any() or (comparisons != "").any() or (metrics["kind"] == "milestone").any()):
        return passed  # none of the v2 rules can apply
    kind = metrics["kind"].reindex(codes).to_numpy(dtype=object)
    polarity = metrics["polarity"].reindex(codes).to_numpy(dtype=object)
    frequency = metrics["frequency"].reindex(codes).to_numpy(dtype=object)
    texts = chk.table.frame["quarter"].to_numpy(dtype=object)
    milestone = ok & (kind == "milestone")
    chk.many(
        np.flatnonzero(milestone),
        "target",
        lambda i: (
            f"{codes[i]} is a milestone: it is judged by the status its service reports, not against a target.",
            "If it has a numeric target, set its kind to target in the metrics table; otherwise "
            "say it in the milestone's title (a score of 4 by Dec 2022) and take this row out.",
        ),
    )
    better = np.where(
        np.isin(comparisons, [">", ">="]), "higher", np.where(np.isin(comparisons, ["<", "<="]), "lower", "")
    ).astype(object)
    contrary = ok & ~milestone & (better != "") & np.isin(polarity, ["higher", "lower"]) & (better != polarity)
    contrary &= ~np.isin(codes, list(broken))
    chk.many(
        np.flatnonzero(contrary),
        "target",
        lambda i: (
            f"The target '{written[i].strip()}' says {better[i]} is better, but {codes[i]}'s polarity is "
            f"{polarity[i]}.",
            f"Write the target with {'> or >=' if polarity[i] == 'higher' else '< or <='}, "
            "or correct the metric's polarity.",
        ),
    )
    lone_half = ok & ~milestone & (half > 0) & (frequency != "half-yearly")
    chk.many(
        np.flatnonzero(lone_half),
        "quarter",
        lambda i: (
            f"A target for {texts[i].strip().upper()} is a half's target, but {codes[i]} is "
            f"{frequency[i] or 'not half-yearly'}: it is used only for figures whose for_period is that half.",
            "Use a quarter (Q1–Q4) or a blank quarter for the whole year, or set the frequency to half-yearly.",
        ),
        "warning",
    )
    passed &= ~milestone & ~contrary
    return passed


_FIGURES = ("value", "numerator", "denominator")

#: What a table without the v2 columns holds in them.
_NO_V2 = {
    "status": "",
    "status_word": "",
    "status_reason": "",
    "progress": math.nan,
    "revised_due": None,
    "action": "",
    "action_due": None,
}


class _V2Cells:
    """The v2 columns of the actuals table, each distinct text parsed once; blank where absent."""

    def __init__(self, chk: _Checker, vocabulary: Vocabulary):
        frame = chk.table.frame
        n = len(frame)
        self.present = [c for c in COLUMNS["actuals"]["v2"] if c in frame.columns]
        self.text = {
            c: frame[c].to_numpy(dtype=object) if c in frame.columns else np.full(n, "", dtype=object)
            for c in COLUMNS["actuals"]["v2"]
        }
        self.words = ", ".join(vocabulary.accepted())

        def word(text: str) -> tuple[str, str]:
            if not text:
                return "", ""
            cls = vocabulary.classify(text)
            if cls is None:
                guess = suggest(text, vocabulary.accepted())
                hint = f"Did you mean '{guess}'? " if guess else ""
                raise CellError(
                    f"'{text}' is not one of the council's status words.",
                    f"{hint}Use one of: {self.words} (case and spacing do not matter).",
                )
            return cls, vocabulary.word(text)

        self.status = np.full(n, "", dtype=object)
        self.status_word = np.full(n, "", dtype=object)
        if "status" in frame.columns:
            parsed, ok = parse_distinct(chk, "status", word)
            for i in np.flatnonzero(ok & (self.text["status"] != "")):
                self.status[i], self.status_word[i] = parsed[i]
        self.progress = self._parse(chk, "progress", parse_share_complete, math.nan).astype(np.float64)
        self.revised_due = self._parse(chk, "revised_due", _due_date, None)
        self.action_due = self._parse(chk, "action_due", _due_date, None)
        self.for_period = self._parse(chk, "for_period", _period, None)
        self.for_period_ok = ~((self.text["for_period"] != "") & _is_none(self.for_period))
        reason, action = self.text["status_reason"], self.text["action"]
        chk.many(
            np.flatnonzero((reason != "") & (self.text["status"] == "")),
            "status_reason",
            lambda i: (
                "There is a status_reason but no status word, so the reason is not shown.",
                "Add the status word it explains, or move the reason into the commentary.",
            ),
            "warning",
        )
        chk.many(
            np.flatnonzero((self.text["action_due"] != "") & (action == "")),
            "action_due",
            lambda i: ("There is an action_due but no action.", "Describe the remedial action in the action column."),
            "warning",
        )

    def _parse(self, chk: _Checker, column: str, parser: Callable[[str], Any], blank: Any) -> np.ndarray:
        """A column parsed (each distinct text once); ``blank`` where the cell is blank or wrong."""
        n = len(self.text[column])
        out = np.empty(n, dtype=object)
        out[:] = [blank] * n
        if column not in self.present:
            return out
        values, ok = parse_distinct(chk, column, lambda t: parser(t) if t else blank)
        out[ok] = values[ok]
        return out

    def columns(self, keep: np.ndarray) -> dict[str, np.ndarray]:
        """The register's v2 columns for the rows kept."""
        return {
            "status": self.status[keep],
            "status_word": self.status_word[keep],
            "status_reason": self.text["status_reason"][keep],
            "progress": self.progress[keep],
            "revised_due": self.revised_due[keep],
            "action": self.text["action"][keep],
            "action_due": self.action_due[keep],
        }


def _parse_actuals(
    table: SourceTable, metrics: pd.DataFrame, broken: set[str], vocabulary: Vocabulary, problems: list[Problem]
) -> pd.DataFrame:
    chk = _Checker(table, problems)
    try:
        if not chk.columns():
            return _typed_frame([], ACTUAL_DTYPES)
        frame = table.frame
        codes, known = _known_codes(chk, metrics)
        quarters, quarter_ok = parse_distinct(
            chk,
            "period",
            _reported_quarter_index,
            blank=("The period is blank.", "Enter the quarter, e.g. 2024/25 Q2."),
        )
        value = parse_numbers(chk, "value")
        num = parse_numbers(chk, "numerator")
        den = parse_numbers(chk, "denominator")
        # a table without v2 columns is read as in v1: only its milestones and half-yearly metrics need v2
        cells = _V2Cells(chk, vocabulary) if any(c in frame.columns for c in V2_COLUMNS["actuals"]) else None
        rows = frame["row"].to_numpy()
        ok = known & quarter_ok
        index = np.where(quarter_ok, quarters, 0).astype(np.int64)
        dup, first = duplicated_keys({"code": codes[ok], "period": index[ok]}, rows[ok])
        firsts = dict(zip(np.flatnonzero(ok)[dup].tolist(), first[dup].tolist(), strict=True))

        def second_row(i: int) -> tuple[str, str]:
            return (
                f"{codes[i]} has a second row for {Quarter.from_index(int(index[i])).label} "
                f"(first on row {firsts[i]}).",
                "Keep one row per metric and period: delete or correct the duplicate.",
            )

        chk.many(np.flatnonzero(ok)[dup], "period", second_row)
        keep = np.flatnonzero(ok)[~dup]
        distinct, inverse = np.unique(index[keep], return_inverse=True)
        quarters = np.empty(len(distinct), dtype=object)
        quarters[:] = [Quarter.from_index(int(i)) for i in distinct]
        inverse = inverse.reshape(-1)
        reported = quarters[inverse] if len(keep) else np.empty(0, dtype=object)
        measured, own, fine = _measured_periods(chk, metrics, codes, index, keep, reported, cells)
        keep, measured, own, inverse = keep[fine], measured[fine], own[fine], inverse[fine]
        check = ~np.isin(codes[keep], list(broken)) if broken else np.ones(len(keep), dtype=bool)
        value = _derive_values(chk, metrics, codes[keep], rows[keep], value[keep], num[keep], den[keep], check)
        labels = np.array([q.label for q in quarters], dtype=object)
        columns = {
            "code": codes[keep],
            "period": labels[inverse] if len(keep) else np.empty(0, dtype=object),
            "period_index": index[keep],
            "value": value,
            "numerator": num[keep],
            "denominator": den[keep],
            "commentary": frame["commentary"].to_numpy(dtype=object)[keep],
            "row": rows[keep],
            "for_period": measured,
            "for_own_quarter": own,
        }
        if cells is not None:
            columns |= cells.columns(keep)
        else:
            for column, blank in _NO_V2.items():
                columns[column] = np.full(len(keep), blank, dtype=object)
        return _typed_frame(columns, ACTUAL_DTYPES)
    finally:
        chk.finish()


def _measured_periods(
    chk: _Checker,
    metrics: pd.DataFrame,
    codes: np.ndarray,
    index: np.ndarray,
    keep: np.ndarray,
    reported: np.ndarray,
    cells: _V2Cells | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each kept row: the period its figure measures, whether that is its own quarter, and whether it is fine.

    Applies contract v2's rules on milestones' rows, words on trend metrics, cells meant for
    milestones, half-yearly rows, ``for_period`` and ``start``–``end``; a row with an error is
    not fine. Most rows (a quarterly or annual metric, no ``for_period``) measure their own
    quarter and are settled for the whole column at once; the rules run on the other rows only.
    """
    n = len(keep)
    measured = reported.copy()  # the quarter each row is reported in, until a rule says otherwise
    own = np.ones(n, dtype=bool)
    fine = np.ones(n, dtype=bool)
    if not n or metrics.empty:
        return measured, own, fine
    special = metrics.index[
        (metrics["kind"] == "milestone")
        | (metrics["frequency"] == "half-yearly")
        | metrics["start"].notna()
        | metrics["end"].notna()
    ]
    if cells is None and not len(special):
        return measured, own, fine
    sel = np.arange(n) if cells is not None else np.flatnonzero(np.isin(codes[keep], special))
    m, o, f = _v2_rules(chk, metrics, codes, index, keep[sel], measured[sel], cells)
    measured[sel], own[sel], fine[sel] = m, o, f
    return measured, own, fine


def _v2_rules(
    chk: _Checker,
    metrics: pd.DataFrame,
    codes: np.ndarray,
    index: np.ndarray,
    keep: np.ndarray,
    measured: np.ndarray,
    cells: _V2Cells | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_measured_periods` for the rows at ``keep`` that the v2 rules concern."""
    n = len(keep)
    measured = measured.copy()
    own = np.ones(n, dtype=bool)
    fine = np.ones(n, dtype=bool)
    code = codes[keep]
    kind = metrics["kind"].reindex(code).to_numpy(dtype=object)
    frequency = metrics["frequency"].reindex(code).to_numpy(dtype=object)
    start = metrics["start"].reindex(code).to_numpy(dtype=object)
    end = metrics["end"].reindex(code).to_numpy(dtype=object)
    frame = chk.table.frame
    rows = frame["row"].to_numpy()[keep]
    text = {c: frame[c].to_numpy(dtype=object)[keep] for c in _FIGURES}
    v2 = {
        c: (cells.text[c][keep] if cells is not None else np.full(n, "", dtype=object)) for c in V2_COLUMNS["actuals"]
    }
    milestone = kind == "milestone"

    def report(mask: np.ndarray, column: str, describe: Callable[[int], tuple[str, str]], severity: str = "error"):
        positions = np.flatnonzero(mask)
        for j in positions:
            chk.problem(int(rows[j]), column, *describe(int(j)), severity)
        if severity == "error":
            fine[positions] = False

    reported = np.zeros(n, dtype=bool)
    for column in _FIGURES:  # a milestone takes no figure: the first figure given is named
        given = milestone & (text[column] != "") & ~reported

        def figure(j: int, column: str = column) -> tuple[str, str]:
            return (
                f"{code[j]} is a milestone, judged by its reported status, so it takes no figure "
                f"(the row has a {column}).",
                "Move the figure to progress if it is the share complete (0–100), or into the commentary.",
            )

        report(given, column, figure)
        reported |= given
    words = cells.words if cells is not None else ""
    report(
        milestone & (v2["status"] == ""),
        "status",
        lambda j: (
            f"{code[j]} is a milestone: its row needs the status the service reports.",
            f"Enter one of: {words}." if words else "Add a status column and enter the status the service reports.",
        ),
    )
    report(
        milestone & (v2["for_period"] != ""),
        "for_period",
        lambda j: (
            "A milestone's update is for the quarter it is reported in; for_period is not used.",
            "Move what it says into the commentary.",
        ),
        "warning",
    )
    report(
        (kind == "trend") & (v2["status"] != ""),
        "status",
        lambda j: (
            f"{code[j]} is monitored for trend, without a target, so it takes no status word.",
            "Move the word into the commentary, or make the metric a target (kind = target) if it has one.",
        ),
    )
    for column in ("progress", "revised_due"):

        def not_used(j: int, column: str = column) -> tuple[str, str]:
            return (
                f"{column} is for milestones; {code[j]} is a {kind[j]} metric, so it is not used.",
                "Move what it says into the commentary, or set the metric's kind to milestone.",
            )

        report(~milestone & (v2[column] != ""), column, not_used, "warning")
    explicit = ~milestone & (v2["for_period"] != "")
    if cells is not None:
        fine &= cells.for_period_ok[keep] | milestone
    half_yearly = ~milestone & ~explicit & (frequency == "half-yearly")
    others: dict[tuple[str, Period], int] = {}
    own_rows: dict[tuple[str, int], int] | None = None
    for j in np.flatnonzero(fine & (explicit | half_yearly)):
        quarter = measured[j]
        if explicit[j]:
            fp = cells.for_period[keep[j]] if cells is not None else None
            if fp is None:
                continue
            if fp.first_quarter > quarter:
                chk.problem(
                    int(rows[j]),
                    "for_period",
                    f"The for_period {fp.label} starts after {quarter.label}, the quarter the row is reported in.",
                    "A figure is reported in or after the period it measures: correct the period or the for_period.",
                )
                fine[j] = False
                continue
        elif quarter.number in (2, 4):
            fp = quarter.half
        else:
            chk.problem(
                int(rows[j]),
                "for_period",
                f"A half-yearly metric is due in Q2 (for H1) and Q4 (for H2); this row is for {quarter.label} "
                "and does not say which half it measures.",
                f"Enter the half in for_period (e.g. {_half_before(quarter).label}), or correct the period.",
            )
            fine[j] = False
            continue
        if isinstance(fp, Quarter) and fp.index == quarter.index:
            continue  # its own quarter, written out
        if own_rows is None:  # the rows that measure their own quarter: built once, only when needed
            plain = np.flatnonzero(~(explicit | half_yearly))
            own_rows = {
                (c, i): r
                for c, i, r in zip(code[plain].tolist(), index[keep][plain].tolist(), rows[plain].tolist(), strict=True)
            }
        earlier = others.get((code[j], fp))
        if earlier is None and isinstance(fp, Quarter):
            earlier = own_rows.get((code[j], fp.index))
        if earlier is not None:
            chk.problem(
                int(rows[j]),
                "for_period",
                f"{code[j]} already has a figure for {fp.label} (row {earlier}).",
                "Keep one figure per metric and period measured: correct the for_period or the period.",
            )
            fine[j] = False
            continue
        others[(code[j], fp)] = int(rows[j])
        measured[j], own[j] = fp, False
    bounded = np.flatnonzero(fine & ~(_is_none(start) & _is_none(end)))
    for j in bounded:
        fp, quarter = measured[j], Quarter.from_index(int(index[keep[j]]))
        if not _within(fp.last_quarter, start[j], end[j]):
            chk.problem(
                int(rows[j]),
                "period",
                f"{code[j]} belongs to the plan from {start[j].label if start[j] else 'the start'} to "
                f"{end[j].label if end[j] else 'the end'}; this row ({quarter.label}"
                + (f", for {fp.label}" if fp != quarter else "")
                + ") lies outside and is not reported.",
                "Correct the period or the metric's start and end, or give for_period if the row is a later "
                "outturn of a period within them.",
                "warning",
            )
    return measured, own, fine


def _is_none(values: np.ndarray) -> np.ndarray:
    """Which cells of an object array hold ``None``."""
    return np.fromiter((v is None for v in values), dtype=bool, count=len(values))


def _half_before(quarter: Quarter) -> Half:
    """The last half that ended before a Q1 or Q3: what a row in that quarter most likely measures."""
    return Half(quarter.start_year - 1, 2) if quarter.number == 1 else Half(quarter.start_year, 1)


def _within(quarter: Quarter, start: Quarter | None, end: Quarter | None) -> bool:
    return (start is None or start <= quarter) and (end is None or quarter <= end)


def _derive_values(
    chk: _Checker,
    metrics: pd.DataFrame,
    codes: np.ndarray,
    rows: np.ndarray,
    value: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    check: np.ndarray | None = None,
) -> np.ndarray:
    """Each row's value: as given, or worked out from numerator and denominator, which must agree with it.

    ``check`` is false for a row whose metric's definition has an error (an unknown unit):
    comparing its figures would report a second, misleading problem (issue 13, point 11).
    """
    has_num, has_den = ~np.isnan(num), ~np.isnan(den)
    if not (has_num | has_den).any():
        return value
    value = value.copy()
    unit = metrics["unit"].reindex(codes).to_numpy(dtype=object)
    decimals = metrics["decimals"].reindex(codes).to_numpy()
    for i in np.flatnonzero(has_num != has_den):
        missing, given = ("denominator", "numerator") if has_num[i] else ("numerator", "denominator")
        chk.problem(
            int(rows[i]),
            missing,
            f"The {missing} is blank but the {given} is given.",
            "Give both the numerator and the denominator, or neither.",
        )
    both = has_num & has_den
    for i in np.flatnonzero(both & (den <= 0)):
        chk.problem(
            int(rows[i]),
            "denominator",
            f"The denominator is {den[i]:g}; a share needs a denominator above zero.",
            "Enter the number of cases counted (more than 0). If no case was counted there is no figure "
            "for the period: say so in the commentary.",
        )
    for i in np.flatnonzero(both & (den > 0) & (num < 0)):
        chk.problem(
            int(rows[i]),
            "numerator",
            f"The numerator is {num[i]:g}; a count cannot be negative.",
            "Enter the number of cases that met the standard.",
        )
    usable = both & (den > 0) & (num >= 0)
    derived = np.full(len(value), np.nan)
    scale = np.where(unit == "percent", 100.0, 1.0)
    np.divide(scale * num, den, out=derived, where=usable)
    fill = usable & np.isnan(value)
    value[fill] = derived[fill]
    compare = np.flatnonzero(usable & ~fill & (True if check is None else check))
    for i in compare[_may_differ(value[compare], derived[compare], decimals[compare])]:
        d = int(decimals[i])
        if round_half_up(value[i], d) != round_half_up(derived[i], d):
            chk.problem(
                int(rows[i]),
                "value",
                f"The value {value[i]:g} does not match numerator / denominator "
                f"({num[i]:g} / {den[i]:g} = {round_half_up(derived[i], d):.{d}f}).",
                "Check the three figures against the source and correct the one that is wrong.",
            )
    return value


def _may_differ(a: np.ndarray, b: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Rows where two numbers might show differently at their display precision (checked exactly after)."""
    scale = 10.0 ** decimals.astype(np.float64)
    x, y = a * scale, b * scale
    near_half = (np.abs(x - np.floor(x) - 0.5) < 1e-6) | (np.abs(y - np.floor(y) - 0.5) < 1e-6)
    return (np.round(x) != np.round(y)) | near_half


def load_register(data_dir: str | Path) -> Register:
    """Read and validate the register of a data folder.

    Parameters
    ----------
    data_dir
        The council's data folder (see the data contract in the README).

    Returns
    -------
    Register

    Raises
    ------
    DataValidationError
        Listing every problem found, when any of them is an error.

    Examples
    --------
    >>> reg = pk.load_register(tiny_dir)
    >>> reg.objective_order(), [q.label for q in reg.quarters_with_data()][:2]
    (['Good services', 'A green place'], ['2023/24 Q2', '2023/24 Q4'])
    """
    path = find_data_dir(data_dir)
    # reading makes many short-lived dicts and tuples: the cyclic garbage collector would walk every
    # live object again and again while they are made, finding nothing to collect
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(path)
    finally:
        if enabled:
            gc.enable()


def _load(path: Path) -> Register:
    from .checks import check_objectives, check_overrides, check_plans
    from .highlights import parse_highlights

    problems: list[Problem] = []
    council = load_council(path, problems)
    sources = read_sources(path, ("metrics", "targets", "actuals", "highlights"), problems, optional=("highlights",))
    broken: set[str] = set()
    if sources["metrics"]:
        metrics, broken = _parse_metrics(sources["metrics"], council, problems)
    else:
        metrics = _empty_metrics()
    targets = (
        _parse_targets(sources["targets"], metrics, broken, problems)
        if sources["targets"]
        else _typed_frame([], TARGET_DTYPES)
    )
    actuals = (
        _parse_actuals(sources["actuals"], metrics, broken, council.vocabulary, problems)
        if sources["actuals"]
        else _typed_frame([], ACTUAL_DTYPES)
    )
    highlights_source = sources["highlights"]
    highlights = (
        parse_highlights(highlights_source, metrics, council, problems) if highlights_source else _no_highlights()
    )
    if sources["actuals"] is not None and actuals.empty and not any(p.severity == "error" for p in problems):
        problems.append(
            Problem(
                sources["actuals"].label,
                None,
                None,
                "There are no actuals.",
                "Add one row per metric and quarter below the header.",
            )
        )
    if sources["metrics"] is not None:
        check_objectives(metrics, council, sources["metrics"].label, problems)
    if sources["actuals"] is not None:
        check_overrides(metrics, targets, actuals, broken, council.vocabulary, sources["actuals"].label, problems)
        check_plans(council, actuals, problems)
    if sources["targets"] is not None:
        _warn_missing_targets(metrics, targets, actuals, sources["targets"].label, problems)
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    files = [p for p in [find_data_file(path, "council.toml")] if p.is_file()]
    files += sorted({s.path for s in sources.values() if s is not None})
    return Register(
        council,
        metrics,
        targets,
        actuals,
        path,
        files,
        [p for p in problems if p.severity == "warning"],
        highlights,
        _uses_v2(council, sources, metrics, targets),
    )


def _uses_v2(
    council: Council, sources: dict[str, SourceTable | None], metrics: pd.DataFrame, targets: pd.DataFrame
) -> bool:
    """Whether anything of contract v2 is used: then the reports use the v2 wording."""
    if council.v2 or sources.get("highlights") is not None:
        return True
    for name, columns in V2_COLUMNS.items():
        source = sources[name]
        if source is not None and any((source.frame[c] != "").any() for c in columns if c in source.frame):
            return True
    if (metrics["kind"] == "milestone").any() or (metrics["frequency"] == "half-yearly").any():
        return True
    if any(t is not None and t.green is not None for t in metrics["tolerance"]):
        return True
    return bool((targets["half"] > 0).any() or (targets["comparison"] != "").any())


def _warn_missing_targets(
    metrics: pd.DataFrame, targets: pd.DataFrame, actuals: pd.DataFrame, label: str, problems: list[Problem]
) -> None:
    """Warn about a targeted metric with figures for the latest year that has no target for it.

    A figure counts for the year it measures: a later outturn (``for_period`` 2022/23 published
    in 2024/25) is judged against 2022/23's target, so it needs none for 2024/25.
    """
    if metrics.empty or actuals.empty:
        return
    targeted = metrics.index[metrics["kind"] == "target"]
    latest_year = int(actuals["period_index"].max()) // 4
    measured_year = actuals["period_index"].to_numpy() // 4
    if "for_own_quarter" in actuals:
        for i in np.flatnonzero(~actuals["for_own_quarter"].to_numpy(dtype=bool)):
            period = actuals["for_period"].iat[i]
            if period is not None:
                measured_year[i] = period.start_year
    recent = actuals.loc[measured_year == latest_year]
    codes = recent.loc[recent["code"].isin(targeted) & recent["value"].notna(), "code"].drop_duplicates()
    have = targets.loc[targets["start_year"] == latest_year, "code"]
    missing = codes[~codes.isin(have)].tolist()
    year = year_label(latest_year)
    for code in missing[:MAX_PER_COLUMN]:
        problems.append(
            Problem(
                label,
                None,
                "target",
                f"{code} has figures for {year} but no target, so it will show as 'no target'.",
                f"Add a row to the targets table for {code} and {year} if a target was set.",
                "warning",
                str(code),
            )
        )
    if len(missing) > MAX_PER_COLUMN:
        problems.append(
            Problem(
                label,
                None,
                "target",
                f"…and {len(missing) - MAX_PER_COLUMN:,} more metrics have figures for {year} but no target.",
                f"Add their targets for {year} if targets were set.",
                "warning",
            )
        )
