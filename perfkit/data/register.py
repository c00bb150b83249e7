"""Load the metric register of a data folder into typed tables.

The register is three tables (``metrics``, ``targets``, ``actuals``), each a
CSV file or a sheet of ``register.xlsx``, and an optional ``council.toml``.
Every problem in them is collected in one pass; if any is an error,
:class:`~perfkit.errors.DataValidationError` lists them all.

Examples
--------
>>> reg = pk.load_register(demo_dir)
>>> reg.metrics.loc["SRV.01", "title"]
'% of formal complaints responded to within 15 working days'
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataValidationError, PeriodError, Problem, UnknownNameError, UsageError
from ..periods import Quarter, latest_quarter, parse_quarter, parse_year, year_label
from ..rounding import round_half_up
from .columns import duplicated_keys, parse_distinct, parse_numbers
from .limits import MAX_DECIMALS, check_magnitude, check_year
from .sources import SourceTable, find_data_file, read_sources, read_toml
from .typed_cells import (
    MISSING_MARKERS,
    CellError,
    is_blank,
    parse_int,
    parse_number,
    parse_tolerance,
    parse_yes_no,
)

__all__ = ["Council", "Register", "find_data_dir", "load_council", "load_register"]

UNITS = ("percent", "number", "days", "currency", "ratio", "score")
POLARITIES = ("higher", "lower", "none")
KINDS = ("target", "trend")
FREQUENCIES = ("quarterly", "annual")

COLUMNS = {
    "metrics": {
        "required": ["code", "title", "objective", "service", "unit", "polarity", "kind", "frequency"],
        "optional": ["strategy", "tactic", "owner", "tolerance", "decimals", "cumulative"],
    },
    "targets": {"required": ["code", "year", "target"], "optional": ["quarter"]},
    "actuals": {"required": ["code", "period"], "optional": ["value", "numerator", "denominator", "commentary"]},
}


@dataclass(frozen=True)
class Council:
    """What ``council.toml`` says about the council and its plan."""

    name: str = "Council"
    plan_title: str = "Council Plan"
    objectives: tuple[str, ...] = ()


@dataclass
class Register:
    """The validated metric register of one data folder.

    Attributes
    ----------
    council
        Name, plan title and objective order.
    metrics
        One row per metric, indexed by ``code``.
    targets
        ``code, start_year, year, quarter (0 = every quarter), target``.
    actuals
        ``code, period, period_index, value, numerator, denominator, commentary``;
        ``value`` is NaN where the figure is not available.
    data_dir
        The folder it was read from.
    files
        The files read, for hashing in the manifest.
    warnings
        Problems that did not stop loading.

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

    def objective_order(self) -> list[str]:
        """Objectives in display order: ``council.toml`` first, then as they appear in the metrics."""
        seen = list(self.council.objectives)
        for obj in self.metrics["objective"]:
            if obj not in seen:
                seen.append(obj)
        return seen


def find_data_dir(data_dir: str | Path) -> Path:
    """Resolve a data folder given relative to the project or the current folder.

    A notebook opened in JupyterLab runs in ``notebooks/``, where the default
    ``data/demo`` does not exist; the parents of the current folder are tried too.

    Raises
    ------
    UsageError
        When the folder cannot be found.
    """
    path = Path(data_dir).expanduser()
    if path.is_dir():
        return path.resolve()
    if not path.is_absolute():
        for parent in Path.cwd().resolve().parents:
            candidate = parent / path
            if candidate.is_dir():
                return candidate
    if os.path.lexists(path):
        raise UsageError(
            f"The data folder '{data_dir}' is a file, not a folder. Give --data the folder that holds "
            "metrics.csv, targets.csv and actuals.csv (or register.xlsx)."
        )
    raise UsageError(f"The data folder '{data_dir}' does not exist. Check the path given with --data.")


def load_council(data_dir: Path, problems: list[Problem]) -> Council:
    """Read ``council.toml`` if there is one."""
    path = find_data_file(data_dir, "council.toml")
    if not os.path.lexists(path):
        return Council()
    doc = read_toml(path, path.name, problems)
    if doc is None:
        return Council()
    for key in ("name", "plan_title"):
        if key in doc and not isinstance(doc[key], str):
            problems.append(
                Problem(
                    "council.toml",
                    None,
                    key,
                    f"{key} is not text.",
                    f'Write {key} = "…", with the text in double quotes.',
                )
            )
            doc.pop(key)
    objectives = doc.get("objectives", [])
    if not isinstance(objectives, list) or not all(isinstance(o, str) for o in objectives):
        problems.append(
            Problem(
                "council.toml",
                None,
                "objectives",
                "objectives is not a list of names.",
                'Write objectives = ["First objective", "Second objective"].',
            )
        )
        objectives = []
    return Council(
        name=str(doc.get("name", Council.name)),
        plan_title=str(doc.get("plan_title", Council.plan_title)),
        objectives=tuple(o.strip() for o in objectives),
    )


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
    :data:`MAX_PER_COLUMN` errors per column and message, the rest counted in one line.
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

    def finish(self) -> None:
        """Add the problems found to the load's list: in row order, repeated ones summarised."""
        found = sorted(self._found, key=lambda p: -1 if p.row is None else p.row)  # stable: same row keeps order
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
        known = spec["required"] + spec["optional"]
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

    def choice(self, row: int, column: str, text: str, allowed: tuple[str, ...]) -> str | None:
        s = text.strip().lower()
        if s in allowed:
            return s
        if s == "":
            self.problem(row, column, f"The {column} is blank.", f"Enter one of: {', '.join(allowed)}.")
        else:
            self.problem(row, column, f"'{text}' is not a known {column}.", f"Use one of: {', '.join(allowed)}.")
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
                    "Leave the cell blank to record that a figure is not available.",
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
    return tolerance


def _quarter_index(text: str) -> int:
    quarter = parse_quarter(text)
    check_year(quarter.start_year)
    return quarter.index


def _year(text: str) -> int:
    start = parse_year(text)
    check_year(start)
    return start


def _parse_metrics(table: SourceTable, problems: list[Problem]) -> pd.DataFrame:
    chk = _Checker(table, problems)
    try:
        return _metrics_rows(chk, table)
    finally:
        chk.finish()


def _metrics_rows(chk: _Checker, table: SourceTable) -> pd.DataFrame:
    if not chk.columns():
        return _empty_metrics()
    records = []
    seen: dict[str, int] = {}
    names = list(table.frame.columns)
    for values in zip(*(table.frame[c].tolist() for c in names), strict=True):
        rec = dict(zip(names, values, strict=True))
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
        m = {
            "code": code,
            "title": chk.required_text(row, "title", rec["title"]) or code,
            "objective": chk.required_text(row, "objective", rec["objective"]) or "",
            "service": chk.required_text(row, "service", rec["service"]) or "",
            "strategy": rec["strategy"],
            "tactic": rec["tactic"],
            "owner": rec["owner"],
            "unit": chk.choice(row, "unit", rec["unit"], UNITS),
            "polarity": chk.choice(row, "polarity", rec["polarity"], POLARITIES),
            "kind": chk.choice(row, "kind", rec["kind"], KINDS),
            "frequency": chk.choice(row, "frequency", rec["frequency"], FREQUENCIES),
            "tolerance": chk.parse_once(row, "tolerance", rec["tolerance"], _tolerance),
            "decimals": chk.parse_once(row, "decimals", rec["decimals"], _decimals, 1),
            "cumulative": chk.parse_once(row, "cumulative", rec["cumulative"], parse_yes_no, False),
            "row": row,
        }
        if m["kind"] == "target" and m["polarity"] == "none":
            chk.problem(
                row,
                "polarity",
                "A targeted metric must say whether higher or lower is better.",
                "Set polarity to higher or lower, or set kind to trend.",
            )
        records.append(m)
    if not records:
        chk.problem(None, None, "There are no metrics.", "Add one row per metric below the header.")
        return _empty_metrics()
    return pd.DataFrame.from_records(records).set_index("code", drop=False)


def _empty_metrics() -> pd.DataFrame:
    cols = [
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
        "row",
    ]
    return pd.DataFrame(columns=cols).set_index("code", drop=False)


TARGET_DTYPES = {"code": "object", "start_year": "int64", "quarter": "int64", "target": "float64", "row": "int64"}
ACTUAL_DTYPES = {
    "code": "object",
    "period": "object",
    "period_index": "int64",
    "value": "float64",
    "numerator": "float64",
    "denominator": "float64",
    "commentary": "object",
    "row": "int64",
}


def _typed_frame(records: list[dict] | dict[str, Any], dtypes: dict[str, str]) -> pd.DataFrame:
    """Records (or columns) as a frame with the given columns and types, also when there are none."""
    if isinstance(records, dict):
        return pd.DataFrame({c: records[c] for c in dtypes}).astype(dtypes)
    return pd.DataFrame.from_records(records, columns=list(dtypes)).astype(dtypes)


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


_QUARTER_CELLS = {"Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4, "1": 1, "2": 2, "3": 3, "4": 4, "": 0}


def _quarter_cell(text: str) -> int:
    q = "".join(text.split()).upper()
    if q not in _QUARTER_CELLS:
        raise CellError(
            f"'{text}' is not a quarter.", "Enter Q1, Q2, Q3 or Q4, or leave it blank for every quarter of the year."
        )
    return _QUARTER_CELLS[q]


def _parse_targets(table: SourceTable, metrics: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    chk = _Checker(table, problems)
    try:
        if not chk.columns():
            return _typed_frame([], TARGET_DTYPES)
        codes, known = _known_codes(chk, metrics)
        years, year_ok = parse_distinct(
            chk, "year", _year, blank=("The year is blank.", "Enter the financial year, e.g. 2024/25.")
        )
        quarters, quarter_ok = parse_distinct(chk, "quarter", _quarter_cell)
        targets = parse_numbers(chk, "target", required=True)
        rows = table.frame["row"].to_numpy()
        ok = known & year_ok & quarter_ok & ~np.isnan(targets)
        start = np.where(year_ok, years, 0).astype(np.int64)
        quarter = np.where(quarter_ok, quarters, 0).astype(np.int64)
        dup, first = duplicated_keys({"code": codes[ok], "start": start[ok], "quarter": quarter[ok]}, rows[ok])
        firsts = dict(zip(np.flatnonzero(ok)[dup].tolist(), first[dup].tolist(), strict=True))

        def second_target(i: int) -> tuple[str, str]:
            when = year_label(int(start[i])) + (f" Q{quarter[i]}" if quarter[i] else "")
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
                "target": targets[keep],
                "row": rows[keep],
            },
            TARGET_DTYPES,
        )
    finally:
        chk.finish()


def _parse_actuals(table: SourceTable, metrics: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    chk = _Checker(table, problems)
    try:
        if not chk.columns():
            return _typed_frame([], ACTUAL_DTYPES)
        codes, known = _known_codes(chk, metrics)
        quarters, quarter_ok = parse_distinct(
            chk, "period", _quarter_index, blank=("The period is blank.", "Enter the quarter, e.g. 2024/25 Q2.")
        )
        value = parse_numbers(chk, "value")
        num = parse_numbers(chk, "numerator")
        den = parse_numbers(chk, "denominator")
        rows = table.frame["row"].to_numpy()
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
        value = _derive_values(chk, metrics, codes[keep], rows[keep], value[keep], num[keep], den[keep])
        labels = {int(i): Quarter.from_index(int(i)).label for i in np.unique(index[keep])}
        return _typed_frame(
            {
                "code": codes[keep],
                "period": [labels[i] for i in index[keep].tolist()],
                "period_index": index[keep],
                "value": value,
                "numerator": num[keep],
                "denominator": den[keep],
                "commentary": table.frame["commentary"].to_numpy(dtype=object)[keep],
                "row": rows[keep],
            },
            ACTUAL_DTYPES,
        )
    finally:
        chk.finish()


def _derive_values(
    chk: _Checker,
    metrics: pd.DataFrame,
    codes: np.ndarray,
    rows: np.ndarray,
    value: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
) -> np.ndarray:
    """Each row's value: as given, or worked out from numerator and denominator, which must agree with it."""
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
            "Enter the number of cases counted (more than 0), or leave numerator and denominator blank.",
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
    compare = np.flatnonzero(usable & ~fill)
    for i in compare[_may_differ(value[compare], derived[compare], decimals[compare])]:
        d = int(decimals[i])
        if round_half_up(value[i], d) != round_half_up(derived[i], d):
            chk.problem(
                int(rows[i]),
                "value",
                f"The value {value[i]:g} does not match numerator / denominator "
                f"({num[i]:g} / {den[i]:g} = {round_half_up(derived[i], d):.{d}f}).",
                "Correct the value, the numerator or the denominator, or leave the value blank to have it worked out.",
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
    problems: list[Problem] = []
    council = load_council(path, problems)
    sources = read_sources(path, ("metrics", "targets", "actuals"), problems)
    metrics = _parse_metrics(sources["metrics"], problems) if sources["metrics"] else _empty_metrics()
    targets = (
        _parse_targets(sources["targets"], metrics, problems) if sources["targets"] else _typed_frame([], TARGET_DTYPES)
    )
    actuals = (
        _parse_actuals(sources["actuals"], metrics, problems) if sources["actuals"] else _typed_frame([], ACTUAL_DTYPES)
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
    if sources["targets"] is not None:
        _warn_missing_targets(metrics, targets, actuals, sources["targets"].label, problems)
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    files = [p for p in [find_data_file(path, "council.toml")] if p.is_file()]
    files += sorted({s.path for s in sources.values() if s is not None})
    return Register(council, metrics, targets, actuals, path, files, [p for p in problems if p.severity == "warning"])


def _warn_missing_targets(
    metrics: pd.DataFrame, targets: pd.DataFrame, actuals: pd.DataFrame, label: str, problems: list[Problem]
) -> None:
    """Warn about a targeted metric with figures in a year that has no target for it."""
    if metrics.empty or actuals.empty:
        return
    targeted = metrics.index[metrics["kind"] == "target"]
    latest_year = int(actuals["period_index"].max()) // 4
    recent = actuals.loc[actuals["period_index"] // 4 == latest_year]
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
