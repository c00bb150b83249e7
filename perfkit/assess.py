"""RAG status, trend directions and exceptions of every metric for a quarter.

The rules (the README's "How metrics are rated" has them as a table):

- Values and targets are rounded to the metric's display precision (half away from
  zero, as Excel's ROUND) before they are compared: what the report prints is what is
  judged. Comparisons are made in decimal arithmetic, so a value printed as equal to
  its target is equal.
- An annual metric with no row for the quarter is ``not_due``; a due metric with no
  figure is ``no_data``; a trend metric with a figure is ``trend``; a targeted metric
  with a figure but no target (the quarter's own, else the year's) is ``no_target``.
- Otherwise it is ``green`` when it meets or beats its target, ``amber`` when it misses
  by no more than its tolerance (an amount, or a share of the target), else ``red``:
  an exception, *persistent* when it was also red in the last quarter it was due.
- Each figure is compared with the previous quarter (never for year-to-date metrics)
  and the same quarter last year.

Examples
--------
>>> table = pk.assess(tiny, "2024/25 Q2")
>>> summary_counts(table)
green        3
amber        2
red          3
no_target    1
no_data      1
not_due      1
trend        1
Name: metrics, dtype: int64
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from .data.register import Register
from .data.typed_cells import Tolerance
from .periods import Quarter, parse_quarter
from .rounding import round_half_up

__all__ = [
    "RATED",
    "STATUSES",
    "Status",
    "assess",
    "assess_history",
    "objective_counts",
    "summary_counts",
]


@dataclass(frozen=True)
class Status:
    """How a status is named and shown: always a word and a symbol, never colour alone.

    :data:`STATUSES` (``pk.STATUSES``) maps each status key, as in an assessment's
    ``status`` column, to its :class:`Status`, in the order reports show them.

    Examples
    --------
    >>> list(pk.STATUSES)
    ['green', 'amber', 'red', 'no_target', 'no_data', 'not_due', 'trend']
    >>> s = pk.STATUSES["amber"]
    >>> f"{s.symbol} {s.label}: the metric {s.description}"
    '▲ Within tolerance: the metric misses its target but is within the tolerance'
    """

    key: str
    label: str
    symbol: str
    colour: str
    description: str


#: Every status in the order reports show them. Colours meet 4.5:1 on white.
STATUSES: dict[str, Status] = {
    s.key: s
    for s in (
        Status("green", "On target", "✔", "#1E6B34", "meets or beats its target"),
        Status("amber", "Within tolerance", "▲", "#8A4B00", "misses its target but is within the tolerance"),
        Status("red", "Exception", "✖", "#B0182B", "misses its target by more than the tolerance"),
        Status("no_target", "No target", "◇", "#4A4F55", "has a figure but no target for the period"),
        Status("no_data", "No data", "○", "#4A4F55", "was due but no figure was supplied"),
        Status("not_due", "Not due", "–", "#4A4F55", "is annual and not reported this quarter"),
        Status("trend", "Trend", "↗", "#1F4E8C", "is monitored for direction, without a target"),
    )
}

#: Statuses that are a RAG rating against a target.
RATED = ("green", "amber", "red")

_DIRECTION_WORDS = {
    "higher": ("improved", "worsened"),
    "lower": ("worsened", "improved"),
    "none": ("up", "down"),
}


def _dec(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def rate(value: float, target: float, polarity: str, tolerance: Tolerance | None) -> str:
    """RAG-rate a value already rounded to display precision against its rounded target.

    Parameters
    ----------
    value, target
        At the metric's display precision.
    polarity
        ``higher`` or ``lower``: which way is better.
    tolerance
        The amber band, or ``None`` for none.

    Returns
    -------
    str
        ``green``, ``amber`` or ``red``.

    >>> rate(97.0, 95.0, "higher", None)
    'green'
    >>> rate(90.3, 95.0, "higher", Tolerance(0.05, True))   # band 95 - 4.75 = 90.25
    'amber'
    """
    v, t = _dec(value), _dec(target)
    sign = 1 if polarity == "higher" else -1
    gap = (v - t) * sign  # how far on the good side of the target
    if gap >= 0:
        return "green"
    if tolerance is not None:
        width = _dec(tolerance.amount) * abs(t) if tolerance.relative else _dec(tolerance.amount)
        if gap >= -width:
            return "amber"
    return "red"


def direction(current: float, earlier: float, polarity: str) -> str:
    """Direction of travel between two values at display precision.

    >>> direction(84.3, 82.0, "higher"), direction(84.3, 82.0, "lower"), direction(5.0, 5.0, "none")
    ('improved', 'worsened', 'no_change')
    """
    if math.isnan(current) or math.isnan(earlier):
        return "n/a"
    if current == earlier:
        return "no_change"
    up, down = _DIRECTION_WORDS[polarity]
    return up if current > earlier else down


class _Lookup:
    """Values and targets of a register by metric and quarter, built once."""

    def __init__(self, register: Register):
        self.register = register
        a = register.actuals
        self.rows = {(c, int(i)): v for c, i, v in zip(a["code"], a["period_index"], a["value"], strict=True)}
        self.commentary = {
            (c, int(i)): t for c, i, t in zip(a["code"], a["period_index"], a["commentary"], strict=True)
        }
        t = register.targets
        self.targets = {
            (c, int(y), int(q)): float(v)
            for c, y, q, v in zip(t["code"], t["start_year"], t["quarter"], t["target"], strict=True)
        }
        self.periods_by_code: dict[str, list[int]] = {}
        for c, i in sorted(zip(a["code"], a["period_index"], strict=True), key=lambda x: x[1]):
            self.periods_by_code.setdefault(c, []).append(int(i))

    def value(self, code: str, index: int, decimals: int) -> float:
        raw = self.rows.get((code, index), math.nan)
        return round_half_up(raw, decimals)

    def target(self, code: str, quarter: Quarter, decimals: int) -> float:
        t = self.targets.get((code, quarter.start_year, quarter.number))
        if t is None:
            t = self.targets.get((code, quarter.start_year, 0))
        return math.nan if t is None else round_half_up(t, decimals)

    def previous_due(self, code: str, frequency: str, quarter: Quarter) -> Quarter | None:
        """The quarter before ``quarter`` in which the metric was last due."""
        if frequency == "quarterly":
            return quarter.previous()
        earlier = [i for i in self.periods_by_code.get(code, []) if i < quarter.index]
        return Quarter.from_index(earlier[-1]) if earlier else None

    def status(self, m: dict, quarter: Quarter) -> tuple[str, float, float]:
        """Status, rounded value and rounded target of metric ``m`` in ``quarter``."""
        code, dec = m["code"], int(m["decimals"])
        has_row = (code, quarter.index) in self.rows
        value = self.value(code, quarter.index, dec)
        target = self.target(code, quarter, dec)
        if m["frequency"] == "annual" and not has_row:
            return "not_due", value, target
        if math.isnan(value):
            return "no_data", value, target
        if m["kind"] == "trend":
            return "trend", value, target
        if math.isnan(target):
            return "no_target", value, target
        return rate(value, target, m["polarity"], m["tolerance"]), value, target


_COLUMNS = [
    "code",
    "title",
    "objective",
    "service",
    "period",
    "value",
    "target",
    "status",
    "vs_previous",
    "vs_last_year",
    "exception",
    "persistent_exception",
    "owner",
    "unit",
    "polarity",
    "kind",
    "frequency",
    "cumulative",
    "decimals",
    "tolerance",
    "tolerance_width",
    "previous_value",
    "last_year_value",
    "previous_due",
    "commentary",
]


def assess(
    register: Register, quarter: Quarter | str, *, codes: list[str] | None = None, _lookup: _Lookup | None = None
) -> pd.DataFrame:
    """Assess every metric of the register for one quarter.

    Parameters
    ----------
    register
        A loaded register.
    quarter
        The quarter to assess (any spelling).
    codes
        Only these metrics, in any case (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per metric, objectives in display order, with the columns of
        ``metric_status.csv`` (``code, title, objective, service, period,
        value, target, status, vs_previous, vs_last_year, exception,
        persistent_exception``) and, for the report, ``unit, polarity, kind,
        frequency, cumulative, decimals, tolerance, tolerance_width, owner,
        previous_value, last_year_value, previous_due, commentary``: each is
        described under :attr:`perfkit.QuarterReport.table`.

    Raises
    ------
    UnknownNameError
        For a code in ``codes`` that the register does not have, suggesting the closest.

    Examples
    --------
    A1 is 84.3 against 95 with a 5% tolerance (an amber band down to 90.25), so it is
    an exception, as it was in Q1 (80.0); A2's 96.96 is shown as 97.0 and meets its 97:

    >>> t = pk.assess(tiny, "2024/25 Q2", codes=["a1", "A2"])
    >>> cols = ["code", "value", "target", "status", "persistent_exception", "previous_due"]
    >>> t[cols]  # doctest: +NORMALIZE_WHITESPACE
      code  value  target status  persistent_exception previous_due
    0   A1   84.3    95.0    red                  True   2024/25 Q1
    1   A2   97.0    97.0  green                 False
    """
    q = parse_quarter(quarter)
    lk = _lookup or _Lookup(register)
    records = []
    metrics = register.metrics if codes is None else register.metrics.loc[[register.code(c) for c in codes]]
    for m in metrics.to_dict("records"):
        code, dec = m["code"], int(m["decimals"])
        status, value, target = lk.status(m, q)
        prev_value = lk.value(code, q.previous().index, dec)
        ly_value = lk.value(code, q.same_quarter_last_year().index, dec)
        polarity = m["polarity"]
        vs_prev = "n/a" if m["cumulative"] else direction(value, prev_value, polarity)
        vs_ly = direction(value, ly_value, polarity)
        prev_due = lk.previous_due(code, m["frequency"], q) if status == "red" else None
        persistent = bool(prev_due is not None and lk.status(m, prev_due)[0] == "red")
        tol = m["tolerance"]
        records.append(
            {
                "code": code,
                "title": m["title"],
                "objective": m["objective"],
                "service": m["service"],
                "period": q.label,
                "value": value,
                "target": target if m["kind"] == "target" else math.nan,
                "status": status,
                "vs_previous": vs_prev,
                "vs_last_year": vs_ly,
                "exception": status == "red",
                "persistent_exception": persistent,
                "owner": m["owner"],
                "unit": m["unit"],
                "polarity": polarity,
                "kind": m["kind"],
                "frequency": m["frequency"],
                "cumulative": bool(m["cumulative"]),
                "decimals": dec,
                "tolerance": tol,
                "tolerance_width": tol.width(target) if (tol is not None and not math.isnan(target)) else math.nan,
                "previous_value": prev_value,
                "last_year_value": ly_value,
                "previous_due": prev_due.label if (persistent and prev_due is not None) else "",
                "commentary": lk.commentary.get((code, q.index), ""),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=_COLUMNS)
    order = {o: i for i, o in enumerate(register.objective_order())}
    frame["_order"] = frame["objective"].map(order)
    frame = frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    frame.attrs["quarter"] = q
    return frame


def assess_history(register: Register, quarters: list[Quarter], codes: list[str] | None = None) -> pd.DataFrame:
    """:func:`assess` for several quarters (and optionally only some metrics), stacked, with ``period_index``.

    Parameters
    ----------
    register
        A loaded register.
    quarters
        The quarters, e.g. ``pk.quarter_range("2024/25 Q1", "2024/25 Q2")`` or
        ``register.quarters_with_data()``.
    codes
        Only these metrics, in any case (default: all).

    Examples
    --------
    A11's target is 100 for the year but 120 for Q2, where it is set on its own:

    >>> h = pk.assess_history(tiny, pk.quarter_range("2024/25 Q1", "2024/25 Q2"), codes=["a11"])
    >>> h[["code", "period", "value", "target", "status", "period_index"]]
      code      period  value  target status  period_index
    0  A11  2024/25 Q1  105.0   100.0  green          8096
    1  A11  2024/25 Q2  110.0   120.0    red          8097
    """
    if codes is not None:
        codes = [register.code(c) for c in codes]  # once here, not once per quarter
    lk = _Lookup(register)
    frames = []
    for q in quarters:
        f = assess(register, q, codes=codes, _lookup=lk)
        f["period_index"] = q.index
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def summary_counts(table: pd.DataFrame) -> pd.Series:
    """Number of metrics in each status, in report order (zeros included).

    >>> summary_counts(pk.assess(tiny, "2024/25 Q2", codes=["A1", "A2", "A11"])).to_dict()
    {'green': 1, 'amber': 0, 'red': 2, 'no_target': 0, 'no_data': 0, 'not_due': 0, 'trend': 0}
    """
    counts = table["status"].value_counts()
    return pd.Series({k: int(counts.get(k, 0)) for k in STATUSES}, name="metrics")


def objective_counts(table: pd.DataFrame, objectives: list[str] | None = None) -> pd.DataFrame:
    """Metrics in each status by objective: one row per objective, one column per status, and a total."""
    objs = objectives or list(dict.fromkeys(table["objective"]))
    grid = pd.crosstab(table["objective"], table["status"]).reindex(index=objs, columns=list(STATUSES), fill_value=0)
    grid = grid.astype(int)
    grid["total"] = grid.sum(axis=1)
    grid.index.name = "objective"
    return grid
