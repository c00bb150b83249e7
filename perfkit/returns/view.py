"""What a round of returns needs to know of the register: metrics, targets, figures, highlights.

The register is loaded and validated as ``perfkit validate`` does (an invalid
register stops returns with exit code 2); its tables are also read as text, so
that a return shows the targets and words as the council wrote them, and so
that columns of contract v2 are read on any folder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..data.register import load_register
from ..data.sources import WORKBOOK
from ..errors import PerfkitError, PeriodError, UnknownNameError
from ..periods import Quarter, parse_quarter, parse_year, year_label
from ..rounding import round_half_up
from .contract import Words, half_label, load_words, parse_for_period
from .settings import Settings, load_settings, slug
from .tables import Table, open_table

__all__ = ["Metric", "Row", "View", "load_view"]


@dataclass(frozen=True)
class Metric:
    """One metric of the register, as a return shows it."""

    code: str
    title: str
    objective: str
    service: str
    owner: str
    unit: str
    kind: str
    frequency: str
    decimals: int
    start: Quarter | None = None
    end: Quarter | None = None
    due: str = ""

    def in_plan(self, quarter: Quarter) -> bool:
        """Whether the metric belongs to the plan in ``quarter`` (its ``start``–``end``)."""
        return (self.start is None or self.start <= quarter) and (self.end is None or quarter <= self.end)

    def in_return(self, quarter: Quarter) -> bool:
        """Whether a return for ``quarter`` asks for it: half-yearly ones in Q2 and Q4 only."""
        if not self.in_plan(quarter):
            return False
        return not (self.kind != "milestone" and self.frequency == "half-yearly" and quarter.number in (1, 3))

    def shown(self, value: float) -> float:
        """A figure rounded as the report prints it."""
        return round_half_up(value, self.decimals)


@dataclass
class Row:
    """One actuals row: where it is, its figure as worked out, and every cell as text."""

    row: int
    code: str
    quarter: Quarter
    value: float
    text: dict[str, str]

    def cell(self, column: str) -> str:
        return self.text.get(column, "")


@dataclass
class View:
    """The register of a data folder, for making, collecting and chasing returns."""

    data_dir: Path
    settings: Settings
    words: Words
    metrics: dict[str, Metric]
    targets: dict[tuple[str, int], dict[str, str]]
    rows: dict[tuple[str, int], Row]
    highlights: list[dict[str, str]] = field(default_factory=list)
    actuals_path: Path | None = None
    highlights_path: Path | None = None
    objectives: list[str] = field(default_factory=list)
    _by_code: dict[str, list[Row]] | None = field(default=None, repr=False)

    # services --------------------------------------------------------------
    def services(self, quarter: Quarter) -> list[str]:
        """The services with a metric in the plan in ``quarter``, in the register's order."""
        return list(dict.fromkeys(m.service for m in self.metrics.values() if m.in_return(quarter)))

    def service(self, name: str, quarter: Quarter) -> str:
        """A service named in any case, or by its slug.

        Raises
        ------
        UnknownNameError
            With the closest names of the services with metrics in ``quarter``.
        """
        known = self.services(quarter)
        wanted = " ".join(name.split()).casefold()
        for s in known:
            if s.casefold() == wanted or slug(s) == slug(name):
                return s
        raise UnknownNameError("service", name, known)

    def metrics_of(self, service: str, quarter: Quarter) -> list[Metric]:
        """A service's metrics asked for in ``quarter``'s return, in the register's order."""
        return [m for m in self.metrics.values() if m.service == service and m.in_return(quarter)]

    def owners(self, service: str) -> list[str]:
        return [m.owner for m in self.metrics.values() if m.service == service]

    # figures -----------------------------------------------------------------
    def row(self, code: str, quarter: Quarter) -> Row | None:
        return self.rows.get((code, quarter.index))

    def rows_of(self, code: str) -> list[Row]:
        """A metric's rows, earliest first."""
        if self._by_code is None:
            self._by_code = {}
            for r in sorted(self.rows.values(), key=lambda r: r.quarter.index):
                self._by_code.setdefault(r.code, []).append(r)
        return self._by_code.get(code, [])

    def target_text(self, metric: Metric, quarter: Quarter) -> str:
        """The target for ``quarter`` as written: the quarter's, else its half's, else the year's."""
        half = f"H{1 if quarter.number <= 2 else 2}"
        found = self.targets.get((metric.code, quarter.start_year), {})
        for key in (f"Q{quarter.number}", half, ""):
            if key in found:
                return found[key]
        return ""

    def measured(self, row: Row, metric: Metric) -> str:
        """The period a row's figure measures: its ``for_period``, else the default for the metric's frequency."""
        text = row.cell("for_period")
        if text:
            try:
                return parse_for_period(text)
            except PerfkitError:
                return text
        if metric.frequency == "annual":
            return year_label(row.quarter.start_year)
        if metric.frequency == "half-yearly" and row.quarter.number in (2, 4):
            return half_label(row.quarter.start_year, row.quarter.number // 2)
        return row.quarter.label

    def periods_with_figures(self, metric: Metric) -> set[str]:
        """Every period (label) the register has a figure for, for one metric."""
        return {self.measured(r, metric) for r in self.rows_of(metric.code) if not math.isnan(r.value)}

    def highlights_of(self, service: str, quarter: Quarter) -> list[dict[str, str]]:
        """A service's highlights for a quarter, in the order they are stored."""
        return [
            h
            for h in self.highlights
            if _quarter_label(h.get("period", "")) == quarter.label
            and " ".join(h.get("service", "").split()).casefold() == service.casefold()
        ]


def _quarter_label(text: str) -> str:
    try:
        return parse_quarter(text).label
    except PeriodError:
        return text


def _quarter_or_none(text: str) -> Quarter | None:
    if not text.strip():
        return None
    try:
        return parse_quarter(text)
    except PeriodError:
        return None


def load_view(data_dir: str | Path) -> View:
    """Load and validate a data folder's register for returns.

    Raises
    ------
    DataValidationError
        When the register has errors (as ``perfkit validate`` lists them), or ``[returns]`` does.
    """
    reg = load_register(data_dir)
    folder = reg.data_dir
    settings = load_settings(folder)
    tables = {name: _text_table(folder, name) for name in ("metrics", "targets", "actuals")}
    metrics_text = _first_by_code(tables["metrics"])
    metrics: dict[str, Metric] = {}
    for m in reg.metrics.to_dict("records"):
        text = metrics_text.get(str(m["code"]), {})
        metrics[str(m["code"])] = Metric(
            code=str(m["code"]),
            title=str(m["title"]),
            objective=str(m["objective"]),
            service=str(m["service"]),
            owner=str(m.get("owner") or ""),
            unit=str(m.get("unit") or ""),
            kind=str(m["kind"]),
            frequency=str(m.get("frequency") or "quarterly"),
            decimals=int(m.get("decimals", 1)) if not pd.isna(m.get("decimals", 1)) else 1,
            start=_quarter_or_none(text.get("start", "")),
            end=_quarter_or_none(text.get("end", "")),
            due=text.get("due", ""),
        )
    targets: dict[tuple[str, int], dict[str, str]] = {}
    table = tables["targets"]
    if table is not None:
        for i, rec in enumerate(table.records):
            if rec is None:
                continue
            try:
                start_year = parse_year(table.get(i, "year"))
            except PeriodError:
                continue
            key = (table.get(i, "code"), start_year)
            targets.setdefault(key, {}).setdefault(table.get(i, "quarter").upper(), table.get(i, "target"))
    rows: dict[tuple[str, int], Row] = {}
    table = tables["actuals"]
    for code, index, value, row in zip(
        reg.actuals["code"], reg.actuals["period_index"], reg.actuals["value"], reg.actuals["row"], strict=True
    ):
        quarter = Quarter.from_index(int(index))
        j = table.find(str(code), quarter.label) if table is not None else None
        text = table.cells(j) if table is not None and j is not None else {}
        rows[(str(code), int(index))] = Row(int(row), str(code), quarter, float(value), text)
    actuals_path = tables["actuals"].path if tables["actuals"] is not None else None
    highlights: list[dict[str, str]] = []
    highlights_path = _highlights_file(folder, actuals_path)
    table = _text_table(folder, "highlights") if highlights_path is not None else None
    if table is not None:
        highlights = [table.cells(i) for i, r in enumerate(table.records) if r]
    return View(
        data_dir=folder,
        settings=settings,
        words=load_words(folder),
        metrics=metrics,
        targets=targets,
        rows=rows,
        highlights=highlights,
        actuals_path=actuals_path,
        highlights_path=highlights_path,
        objectives=reg.objective_order(),
    )


def source_path(folder: Path, name: str) -> Path | None:
    """The file a table is read from: ``<name>.csv`` (any case), else ``register.xlsx`` when it has the sheet."""
    files = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    if f"{name}.csv" in files:
        return files[f"{name}.csv"]
    return files.get(WORKBOOK)


def _text_table(folder: Path, name: str) -> Table | None:
    path = source_path(folder, name)
    if path is None:
        return None
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        try:
            if name not in {s.strip().lower() for s in book.sheetnames}:
                return None
        finally:
            book.close()
    return open_table(path, name)


def _first_by_code(table: Table | None) -> dict[str, dict[str, str]]:
    if table is None:
        return {}
    found: dict[str, dict[str, str]] = {}
    for i, rec in enumerate(table.records):
        if rec is not None:
            found.setdefault(table.get(i, "code"), table.cells(i))
    return found


def _highlights_file(folder: Path, actuals: Path | None) -> Path | None:
    """Where highlights are kept: ``highlights.csv``, or the sheet of ``register.xlsx`` when the actuals are there."""
    found = source_path(folder, "highlights")
    if found is not None and found.suffix.lower() == ".csv":
        return found
    if actuals is None or actuals.suffix.lower() == ".csv":
        return folder / "highlights.csv"
    return actuals
