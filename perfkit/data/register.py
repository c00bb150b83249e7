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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataValidationError, PerfkitError, PeriodError, Problem, UnknownNameError
from ..periods import Quarter, latest_quarter, parse_quarter, parse_year, year_label
from ..rounding import round_half_up
from .sources import SourceTable, read_source
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
    PerfkitError
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
    raise PerfkitError(f"The data folder '{data_dir}' does not exist. Check the path given with --data.")


def load_council(data_dir: Path, problems: list[Problem]) -> Council:
    """Read ``council.toml`` if there is one."""
    path = data_dir / "council.toml"
    if not path.exists():
        return Council()
    try:
        doc = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(
            Problem(
                "council.toml",
                None,
                None,
                f"The file is not valid TOML ({exc}).",
                'Write it as lines like name = "Demo District Council".',
            )
        )
        return Council()
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


class _Checker:
    """Parses the cells of one source table, recording problems with their location."""

    def __init__(self, table: SourceTable, problems: list[Problem]):
        self.table = table
        self.problems = problems

    def problem(self, row: int | None, column: str | None, message: str, fix: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.table.label, row, column, message, fix, severity))

    def columns(self) -> bool:
        spec = COLUMNS[self.table.name]
        present = [c for c in self.table.frame.columns if c != "row"]
        known = spec["required"] + spec["optional"]
        ok = True
        for col in spec["required"]:
            if col not in present:
                guess = difflib.get_close_matches(col, present, n=1)
                hint = f" The column '{guess[0]}' may be meant: rename it to '{col}'." if guess else ""
                self.problem(1, col, f"The required column '{col}' is missing.", f"Add a column headed '{col}'.{hint}")
                ok = False
        for col in present:
            if col not in known:
                guess = difflib.get_close_matches(col, known, n=1)
                hint = f"Did you mean '{guess[0]}'? " if guess else ""
                self.problem(
                    1,
                    col,
                    f"The column '{col}' is not part of the {self.table.name} table and is ignored.",
                    f"{hint}Known columns: {', '.join(known)}.",
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
        if is_blank(text):
            if required:
                self.problem(row, column, f"The {column} is blank.", f"Enter the {column} as a number.")
            return math.nan
        if text.strip().lower() in MISSING_MARKERS:
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
            return parse_number(text)
        except CellError as exc:
            self.problem(row, column, exc.message, exc.fix)
            return math.nan

    def parse(self, row: int, column: str, text: str, parser, default=None):
        try:
            return parser(text)
        except (CellError, PeriodError) as exc:
            self.problem(row, column, exc.message, exc.fix)
            return default


def _parse_metrics(table: SourceTable, problems: list[Problem]) -> pd.DataFrame:
    chk = _Checker(table, problems)
    if not chk.columns():
        return _empty_metrics()
    records = []
    seen: dict[str, int] = {}
    for rec in table.frame.to_dict("records"):
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
            "tolerance": chk.parse(row, "tolerance", rec["tolerance"], parse_tolerance),
            "decimals": chk.parse(row, "decimals", rec["decimals"], lambda t: parse_int(t, 1), 1),
            "cumulative": chk.parse(row, "cumulative", rec["cumulative"], parse_yes_no, False),
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


def _typed_frame(records: list[dict], dtypes: dict[str, str]) -> pd.DataFrame:
    """Records as a frame with the given columns and types, also when there are none."""
    return pd.DataFrame.from_records(records, columns=list(dtypes)).astype(dtypes)


def _similar_code(code: str, known: list[str]) -> str | None:
    """The known code a typed one was probably meant to be: letter O for zero and case count as slips."""

    def plain(c: str) -> str:
        return c.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")

    same = [k for k in known if plain(k) == plain(code)]
    if same:
        return same[0]
    guess = difflib.get_close_matches(code, known, n=1)
    return guess[0] if guess else None


def _known_code(chk: _Checker, row: int, text: str, metrics: pd.DataFrame) -> str | None:
    code = chk.required_text(row, "code", text)
    if code is None:
        return None
    if code not in metrics.index:  # an Index lookup is a hash lookup
        if not metrics.empty:
            guess = _similar_code(code, list(metrics.index))
            hint = f" Did you mean '{guess}'?" if guess else ""
            chk.problem(
                row,
                "code",
                f"'{code}' is not a metric in the metrics table.",
                f"Add it to the metrics table or correct the code.{hint}",
            )
        return None
    return code


def _parse_targets(table: SourceTable, metrics: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    chk = _Checker(table, problems)
    records = []
    if chk.columns():
        seen: dict[tuple, int] = {}
        for rec in table.frame.to_dict("records"):
            row = rec["row"]
            code = _known_code(chk, row, rec["code"], metrics)
            if is_blank(rec["year"]):
                chk.problem(row, "year", "The year is blank.", "Enter the financial year, e.g. 2024/25.")
                continue
            start = chk.parse(row, "year", rec["year"], parse_year)
            q = rec["quarter"].strip().upper()
            quarter = 0
            if q:
                if q in {"Q1", "Q2", "Q3", "Q4", "1", "2", "3", "4"}:
                    quarter = int(q[-1])
                else:
                    chk.problem(
                        row,
                        "quarter",
                        f"'{rec['quarter']}' is not a quarter.",
                        "Enter Q1, Q2, Q3 or Q4, or leave it blank for every quarter of the year.",
                    )
                    continue
            target = chk.number(row, "target", rec["target"], required=True)
            if code is None or start is None or math.isnan(target):
                continue
            key = (code, start, quarter)
            if key in seen:
                when = year_label(start) + (f" Q{quarter}" if quarter else "")
                chk.problem(
                    row,
                    "target",
                    f"A second target for {code} in {when} (first on row {seen[key]}).",
                    "Keep one target per metric and period.",
                )
                continue
            seen[key] = row
            records.append({"code": code, "start_year": start, "quarter": quarter, "target": target, "row": row})
    return _typed_frame(records, TARGET_DTYPES)


def _parse_actuals(table: SourceTable, metrics: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    chk = _Checker(table, problems)
    records = []
    # per-metric facts needed on every row, looked up once rather than per row
    units = dict(zip(metrics.index, zip(metrics["unit"], metrics["decimals"], strict=True), strict=True))
    periods: dict[str, Quarter] = {}
    if chk.columns():
        seen: dict[tuple, int] = {}
        for rec in table.frame.to_dict("records"):
            row = rec["row"]
            code = _known_code(chk, row, rec["code"], metrics)
            if is_blank(rec["period"]):
                chk.problem(row, "period", "The period is blank.", "Enter the quarter, e.g. 2024/25 Q2.")
                continue
            quarter = periods.get(rec["period"])
            if quarter is None:
                quarter = chk.parse(row, "period", rec["period"], parse_quarter)
                if quarter is not None:
                    periods[rec["period"]] = quarter
            value = chk.number(row, "value", rec["value"])
            num = chk.number(row, "numerator", rec["numerator"])
            den = chk.number(row, "denominator", rec["denominator"])
            if code is None or quarter is None:
                continue
            key = (code, quarter.index)
            if key in seen:
                chk.problem(
                    row,
                    "period",
                    f"{code} has a second row for {quarter.label} (first on row {seen[key]}).",
                    "Keep one row per metric and period: delete or correct the duplicate.",
                )
                continue
            seen[key] = row
            unit, decimals = units[code]
            value = _derive_value(chk, row, unit, decimals, value, num, den)
            records.append(
                {
                    "code": code,
                    "period": quarter.label,
                    "period_index": quarter.index,
                    "value": value,
                    "numerator": num,
                    "denominator": den,
                    "commentary": rec["commentary"],
                    "row": row,
                }
            )
    return _typed_frame(records, ACTUAL_DTYPES)


def _derive_value(chk: _Checker, row: int, unit: str, decimals: int, value: float, num: float, den: float) -> float:
    has_num, has_den = not math.isnan(num), not math.isnan(den)
    if not has_num and not has_den:
        return value
    if has_num != has_den:
        missing = "denominator" if has_num else "numerator"
        chk.problem(
            row,
            missing,
            f"The {missing} is blank but the {'numerator' if has_num else 'denominator'} is given.",
            "Give both the numerator and the denominator, or neither.",
        )
        return value
    if den <= 0:
        chk.problem(
            row,
            "denominator",
            f"The denominator is {den:g}; a share needs a denominator above zero.",
            "Enter the number of cases counted (more than 0), or leave numerator and denominator blank.",
        )
        return value
    if num < 0:
        chk.problem(
            row,
            "numerator",
            f"The numerator is {num:g}; a count cannot be negative.",
            "Enter the number of cases that met the standard.",
        )
        return value
    scale = 100.0 if unit == "percent" else 1.0
    derived = scale * num / den
    if math.isnan(value):
        return derived
    decimals = int(decimals)
    if round_half_up(value, decimals) != round_half_up(derived, decimals):
        chk.problem(
            row,
            "value",
            f"The value {value:g} does not match numerator / denominator "
            f"({num:g} / {den:g} = {round_half_up(derived, decimals):.{decimals}f}).",
            "Correct the value, the numerator or the denominator, or leave the value blank to have it worked out.",
        )
    return value


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
    sources = {name: read_source(path, name, problems) for name in ("metrics", "targets", "actuals")}
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
    files = [p for p in [path / "council.toml"] if p.exists()]
    files += sorted({s.path for s in sources.values() if s is not None})
    return Register(council, metrics, targets, actuals, path, files, [p for p in problems if p.severity == "warning"])


def _warn_missing_targets(
    metrics: pd.DataFrame, targets: pd.DataFrame, actuals: pd.DataFrame, label: str, problems: list[Problem]
) -> None:
    """Warn about a targeted metric with figures in a year that has no target for it."""
    if metrics.empty or actuals.empty:
        return
    targeted = metrics.index[metrics["kind"] == "target"]
    years = (
        actuals.assign(start_year=actuals["period_index"] // 4)
        .loc[lambda f: f["code"].isin(targeted) & f["value"].notna(), ["code", "start_year"]]
        .drop_duplicates()
    )
    have = set(zip(targets["code"], targets["start_year"], strict=True))
    latest_year = int(actuals["period_index"].max()) // 4
    for code, start in years.itertuples(index=False):
        if start == latest_year and (code, start) not in have:
            problems.append(
                Problem(
                    label,
                    None,
                    "target",
                    f"{code} has figures for {year_label(start)} but no target, so it will show as 'no target'.",
                    f"Add a row to the targets table for {code} and {year_label(start)} if a target was set.",
                    "warning",
                )
            )
