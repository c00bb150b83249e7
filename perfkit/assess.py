"""RAG status, trend directions, milestones and exceptions of every metric for a quarter.

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

Contract v2 adds the council's own status words (a word on a target metric's row
confirms or overrides what the figures give, and both stay visible), milestones,
half-yearly metrics, figures for a half or a year published later
(``for_period``), strict and two-band targets, and counting by group and tier.

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
>>> table.set_index("code").loc["A3", ["status", "status_label", "group", "symbol"]].tolist()
['amber', 'Within tolerance', 'within_tolerance', '▲']
>>> [(c.tier, c.total) for c in group_counts(table)]
[('plan', 10)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .data.checker import frame_rows
from .data.register import Register
from .milestones import Update, milestone_state
from .periods import Half, Period, Quarter, parse_quarter
from .rating import TargetBook, direction, rate
from .rounding import round_half_up
from .statuses import ALL_STATUSES, GROUP_STATUSES, GROUPS, Status, Vocabulary, group_of, symbol

__all__ = [
    "RATED",
    "STATUSES",
    "GroupCount",
    "Status",
    "TierCounts",
    "actions_due",
    "assess",
    "assess_history",
    "direction",
    "group_counts",
    "objective_counts",
    "rate",
    "summary_counts",
]

#: The v1 statuses in the order reports show them. Colours meet 4.5:1 on white.
#: Every status (v2 classes included) is in :data:`perfkit.statuses.ALL_STATUSES`.
STATUSES: dict[str, Status] = {
    k: ALL_STATUSES[k] for k in ("green", "amber", "red", "no_target", "no_data", "not_due", "trend")
}

#: Statuses that are a RAG rating against a target.
RATED = ("green", "amber", "red")


_V2_CELLS = ("status", "status_word", "status_reason", "progress", "revised_due", "action", "action_due")


class _Lookup:
    """The actuals and targets of a register by metric and period, built once."""

    def __init__(self, register: Register):
        self.register = register
        self.vocabulary = register.council.vocabulary
        a = register.actuals
        self.book = TargetBook(register.targets)
        codes, indexes = a["code"].tolist(), a["period_index"].tolist()
        self.values = a["value"].tolist()
        # a v1 register's v2 cells are all blank: they are not copied, and read as their blank
        names = ["commentary", "for_period", *(_V2_CELLS if register.v2 else ())]
        self.columns = {c: a[c].tolist() for c in names}
        #: (code, period index) -> position of the row reported in that quarter
        self.rows = {(c, int(i)): n for n, (c, i) in enumerate(zip(codes, indexes, strict=True))}
        #: whether each row's figure measures the quarter it is reported in (``None``: every row does)
        self.own: list[bool] | None = None
        #: (code, period measured) -> position of each other row: a half, a year, a late quarter
        self.other: dict[tuple[str, Period], int] = {}
        if not a["for_own_quarter"].all():
            self.own = a["for_own_quarter"].tolist()
            fps = self.columns["for_period"]
            self.other = {(codes[n], fps[n]): n for n, own in enumerate(self.own) if not own}
        self._labels: dict[str, str] = {}
        self.periods_by_code: dict[str, list[int]] = {}
        for c, i in sorted(zip(codes, indexes, strict=True), key=lambda x: x[1]):
            self.periods_by_code.setdefault(c, []).append(int(i))
        self.indexes = indexes
        self.cumulative_previous = register.council.cumulative_trend == "previous"

    def cell(self, column: str, n: int | None, default: object = "") -> object:
        """Row ``n``'s cell of ``column``, or ``default`` without a row (or for a v1 register's v2 cells)."""
        col = self.columns.get(column)
        return default if (n is None or col is None) else col[n]

    def label(self, status: str) -> str:
        """The council's word for a status perfkit assigns (looked up once per status)."""
        word = self._labels.get(status)
        if word is None:
            word = self._labels[status] = self.vocabulary.label(status)
        return word

    def measured(self, code: str, period: Period) -> int | None:
        """The position of the row whose figure measures ``period``, or ``None``."""
        if type(period) is Quarter:
            n = self.rows.get((code, period.index))
            if n is not None and (self.own is None or self.own[n]):
                return n
        return self.other.get((code, period)) if self.other else None

    def measured_value(self, code: str, period: Period, decimals: int) -> float:
        n = self.measured(code, period)
        return math.nan if n is None else round_half_up(self.values[n], decimals)

    def updates(self, code: str) -> list[Update]:
        """A milestone's rows, earliest first."""
        out = []
        for i in self.periods_by_code.get(code, []):
            n = self.rows[(code, i)]
            out.append(
                Update(i, self.columns["status"][n], self.columns["status_word"][n], self.columns["revised_due"][n])
            )
        return out


def _within(quarter: Quarter, m: dict) -> bool:
    start, end = m["start"], m["end"]
    return (start is None or start <= quarter) and (end is None or quarter <= end)


def _default_period(m: dict, quarter: Quarter) -> Period | None:
    """The period a metric's figure in ``quarter`` measures when its row does not say (``None``: not due)."""
    if m["frequency"] == "half-yearly":
        return quarter.half if quarter.number in (2, 4) else None
    return quarter


def _for_period_label(fp: Period | None, quarter: Quarter) -> str:
    """How the report names the period a figure measures: blank for the quarter itself, else ``2020/21 outturn``.

    A half-yearly metric's figure in Q2 or Q4 measures the half ending then: it is named ``2020/21 H1``.
    """
    if fp is None or fp == quarter:
        return ""
    if isinstance(fp, Half) and fp.last_quarter == quarter:
        return fp.label
    return f"{fp.label} outturn"


def _figure(m: dict, quarter: Quarter, lk: _Lookup) -> dict:
    """Status of a target or trend metric in ``quarter``, before persistence."""
    code, dec, kind = m["code"], int(m["decimals"]), m["kind"]
    n = lk.rows.get((code, quarter.index))
    fp: Period | None = lk.columns["for_period"][n] if n is not None else _default_period(m, quarter)
    # v1 shows an annual metric's target for the quarter even when it is not due
    shown_period = fp if fp is not None else quarter.half
    found = lk.book.find(code, shown_period)
    value = round_half_up(lk.values[n], dec) if n is not None else math.nan
    target = round_half_up(found.number, dec) if found is not None else math.nan
    due = n is not None or (m["frequency"] == "quarterly") or (m["frequency"] == "half-yearly" and fp is not None)
    if not due:
        computed = "not_due"
    elif math.isnan(value):
        computed = "no_data"
    elif kind == "trend":
        computed = "trend"
    elif found is None:
        computed = "no_target"
    else:
        computed = rate(value, target, m["polarity"], m["tolerance"], strict=found.strict)
    status, label = computed, lk.label(computed)
    word = lk.cell("status", n)
    if word and kind == "target":
        label = str(lk.cell("status_word", n))
        # a word in the same group as a rating confirms it; otherwise (or with no rating) the word is the status
        if not (computed in RATED and group_of(str(word)) == group_of(computed)):
            status = str(word)
    return {
        "status": status,
        "status_label": label,
        "computed_status": computed if kind == "target" else "",
        "value": value,
        "target": target,
        "comparison": found.comparison if found is not None else "",
        "for_period": fp if due else None,
        "row": n,
        "past_due": False,
        "due_in_force": None,
        "revised_due": None,
        "carried": False,
    }


def _milestone(m: dict, quarter: Quarter, lk: _Lookup) -> dict:
    state = milestone_state(lk.updates(m["code"]), m["due"], quarter, lk.vocabulary)
    return {
        "status": state.status,
        "status_label": state.label,
        "computed_status": "",
        "value": math.nan,
        "target": math.nan,
        "comparison": "",
        "for_period": None,
        "row": lk.rows.get((m["code"], quarter.index)),
        "past_due": state.past_due,
        "due_in_force": state.due_in_force,
        "revised_due": state.revised_due,
        "carried": state.carried,
    }


def _member_status(m: dict, quarter: Quarter, lk: _Lookup) -> dict | None:
    """The metric's status in ``quarter``, or ``None`` when it is not reported then (outside start–end)."""
    final = False
    if not _within(quarter, m):
        n = lk.rows.get((m["code"], quarter.index))
        fp = lk.columns["for_period"][n] if n is not None else None
        # a plan's last outturn, published after the metric left the plan
        if m["kind"] == "milestone" or fp is None or not _within(fp.last_quarter, m):
            return None
        final = True
    s = _milestone(m, quarter, lk) if m["kind"] == "milestone" else _figure(m, quarter, lk)
    s["final_outturn"] = final
    s["group"] = "" if (m["kind"] == "trend" or s["status"] == "not_due") else group_of(s["status"])
    return s


def _previous_report(m: dict, quarter: Quarter, s: dict, lk: _Lookup) -> Quarter | None:
    """The quarter whose report carried the metric's previous due figure (for a persistent exception)."""
    code, fp = m["code"], s["for_period"]
    if m["kind"] == "milestone":
        return quarter.previous()
    if fp is None:
        return None
    if isinstance(fp, Quarter) and m["frequency"] == "annual":
        # an annual metric reported in a quarter (v1): the last earlier quarter it was reported in
        earlier = [i for i in lk.periods_by_code.get(code, []) if i < quarter.index]
        return Quarter.from_index(earlier[-1]) if earlier else None
    if fp == quarter:
        return quarter.previous()
    # a figure for a half, a year or an earlier quarter: where the previous period's figure was reported
    n = lk.measured(code, fp.previous())
    return Quarter.from_index(lk.indexes[n]) if n is not None else None


#: The columns of ``metric_status.csv`` in the output contract v1 (design §6), in its order:
#: the assessment table starts with them, and :mod:`perfkit.publish.data_files` writes them.
V1_COLUMNS = [
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
]

_COLUMNS = [
    *V1_COLUMNS,
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
    # contract v2
    "tier",
    "strategy",
    "tactic",
    "for_period",
    "for_period_label",
    "status_label",
    "computed_status",
    "computed_label",
    "status_reason",
    "due",
    "revised_due",
    "due_in_force",
    "past_due",
    "group",
    "action",
    "action_due",
    "progress",
    "symbol",
    "comparison",
    "green_width",
    "carried",
    "final_outturn",
    "plan_title",
]


def assess(
    register: Register, quarter: Quarter | str, *, codes: list[str] | None = None, _lookup: _Lookup | None = None
) -> pd.DataFrame:
    """Assess every metric of the register reported in one quarter.

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
        One row per metric reported in the quarter (a metric with ``start``/``end``
        is left out outside them, unless its row is a later outturn of a period within
        them), objectives in display order.

        The columns of ``metric_status.csv`` (``code, title, objective, service,
        period, value, target, status, vs_previous, vs_last_year, exception,
        persistent_exception``) and, for the report, ``unit, polarity, kind,
        frequency, cumulative, decimals, tolerance, tolerance_width, owner,
        previous_value, last_year_value, previous_due, commentary``: each is
        described under :attr:`perfkit.QuarterReport.table`.

        Contract v2 columns: ``tier``, ``strategy``, ``tactic``; ``for_period`` (the
        label of the period the figure measures, blank when not due and for
        milestones) and ``for_period_label`` (``""`` for the quarter itself, ``2020/21
        H1`` for a half ending in it, else e.g. ``2020/21 outturn``); ``status_label``
        (the word shown) and ``symbol``; ``computed_status`` (what the figures give,
        for every target metric) and ``computed_label`` (its word); ``status_reason``;
        ``due``, ``revised_due`` (latest given up to the quarter) and ``due_in_force``
        (dates or ``None``); ``past_due``; ``group`` (``on_track``,
        ``within_tolerance``, ``exception``, ``other``, or ``""`` for trend and
        not-due metrics); ``action``, ``action_due`` (this quarter's row);
        ``progress`` (a milestone's share complete); ``comparison`` (the target's
        ``>``, ``>=``, ``<``, ``<=`` or ``""``); ``green_width`` (the green band of a
        two-band tolerance, in the metric's unit); ``carried`` (a milestone's status
        carried forward); ``final_outturn`` (a later outturn of a metric no longer in
        the plan); ``plan_title`` (of the plan the figure belongs to).

        ``exception`` is true when ``group`` is ``exception`` (an overridden red is not
        an exception, and keeps ``computed_status`` = ``red``).

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
    council = register.council
    titles: dict[Quarter, str] = {}
    for m in frame_rows(metrics):
        s = _member_status(m, q, lk)
        if s is None:
            continue
        code, dec, polarity = m["code"], int(m["decimals"]), m["polarity"]
        fp, n, status = s["for_period"], s["row"], s["status"]
        if m["kind"] == "milestone" or fp is None:
            prev_value = ly_value = math.nan
            if m["kind"] != "milestone" and fp is None:  # not due: v1 still shows the quarters' figures
                prev_value = lk.measured_value(code, q.previous(), dec)
                ly_value = lk.measured_value(code, q.same_quarter_last_year(), dec)
        else:
            prev_value = lk.measured_value(code, fp.previous(), dec)
            ly_value = lk.measured_value(code, fp.same_period_last_year(), dec)
        if m["kind"] == "milestone":
            vs_prev = vs_ly = "n/a"
        else:
            cumulative_na = m["cumulative"] and not lk.cumulative_previous
            vs_prev = "n/a" if cumulative_na else direction(s["value"], prev_value, polarity)
            vs_ly = direction(s["value"], ly_value, polarity)
        exception = s["group"] == "exception"
        prev_due = _previous_report(m, q, s, lk) if exception else None
        persistent = False
        if prev_due is not None:
            before = _member_status(m, prev_due, lk)
            persistent = before is not None and before["group"] == "exception"
        tol = m["tolerance"]
        target = s["target"]
        has_target = tol is not None and not math.isnan(target)
        plan_quarter = fp.last_quarter if (s["final_outturn"] and fp is not None) else q
        if plan_quarter not in titles:
            titles[plan_quarter] = council.plan_title_for(plan_quarter)
        computed = s["computed_status"]
        if fp is None:
            fp_text = fp_name = ""
        elif type(fp) is Quarter and fp.index == q.index:  # the quarter itself, as for most figures
            fp_text, fp_name = q.label, ""
        else:
            fp_text, fp_name = fp.label, _for_period_label(fp, q)
        records.append(
            {
                "code": code,
                "title": m["title"],
                "objective": m["objective"],
                "service": m["service"],
                "period": q.label,
                "value": s["value"],
                "target": target if m["kind"] == "target" else math.nan,
                "status": status,
                "vs_previous": vs_prev,
                "vs_last_year": vs_ly,
                "exception": exception,
                "persistent_exception": persistent,
                "owner": m["owner"],
                "unit": m["unit"],
                "polarity": polarity,
                "kind": m["kind"],
                "frequency": m["frequency"],
                "cumulative": bool(m["cumulative"]),
                "decimals": dec,
                "tolerance": tol,
                "tolerance_width": tol.width(target) if has_target else math.nan,
                "previous_value": prev_value,
                "last_year_value": ly_value,
                "previous_due": prev_due.label if (persistent and prev_due is not None) else "",
                "commentary": lk.cell("commentary", n),
                "tier": m["tier"],
                "strategy": m["strategy"],
                "tactic": m["tactic"],
                "for_period": fp_text,
                "for_period_label": fp_name,
                "status_label": s["status_label"],
                "computed_status": computed,
                "computed_label": lk.label(computed) if computed else "",
                "status_reason": lk.cell("status_reason", n),
                "due": m["due"],
                "revised_due": s["revised_due"],
                "due_in_force": s["due_in_force"],
                "past_due": bool(s["past_due"]),
                "group": s["group"],
                "action": lk.cell("action", n),
                "action_due": lk.cell("action_due", n, None),
                "progress": lk.cell("progress", n, math.nan),
                "symbol": symbol(status),
                "comparison": s["comparison"],
                "green_width": tol.green_width(target) if (has_target and tol.green is not None) else math.nan,
                "carried": s["carried"],
                "final_outturn": s["final_outturn"],
                "plan_title": titles[plan_quarter],
            }
        )
    frame = pd.DataFrame.from_records(records, columns=_COLUMNS)
    order = {o: i for i, o in enumerate(register.objective_order(q))}
    frame["_order"] = frame["objective"].map(order)
    frame = frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    frame.attrs["quarter"] = q
    frame.attrs["v2"] = register.v2
    frame.attrs["vocabulary"] = register.council.vocabulary
    frame.attrs["tiers"] = register.council.tiers
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
    """Number of metrics in each v1 status, in report order (zeros included).

    >>> summary_counts(pk.assess(tiny, "2024/25 Q2", codes=["A1", "A2", "A11"])).to_dict()
    {'green': 1, 'amber': 0, 'red': 2, 'no_target': 0, 'no_data': 0, 'not_due': 0, 'trend': 0}
    """
    counts = table["status"].value_counts()
    return pd.Series({k: int(counts.get(k, 0)) for k in STATUSES}, name="metrics")


def objective_counts(table: pd.DataFrame, objectives: list[str] | None = None) -> pd.DataFrame:
    """Metrics in each v1 status by objective: one row per objective, one column per status, and a total."""
    objs = objectives or list(dict.fromkeys(table["objective"]))
    grid = pd.crosstab(table["objective"], table["status"]).reindex(index=objs, columns=list(STATUSES), fill_value=0)
    grid = grid.astype(int)
    grid["total"] = grid.sum(axis=1)
    grid.index.name = "objective"
    return grid


@dataclass(frozen=True)
class GroupCount:
    """One part of a counting sentence: a group (the first three) or a class of *other*."""

    key: str
    group: str
    word: str
    count: int


@dataclass(frozen=True)
class TierCounts:
    """What one tier's counting sentence says (design §4, "Groups and counting").

    Attributes
    ----------
    tier, tier_label
        ``plan`` or ``service``, and what the council calls it (``[tiers]``).
    total
        Metrics of kind target or milestone due in the quarter (the four groups).
    parts
        On track, within tolerance and exception (named by the words for green, amber
        and red; always present, possibly 0), then each class of *other* with at least
        one metric, by its own word.
    trend, not_due
        Trend metrics and metrics not due: listed apart, not counted in ``total``.
    """

    tier: str
    tier_label: str
    total: int
    parts: tuple[GroupCount, ...]
    trend: int = 0
    not_due: int = 0

    def count(self, group: str) -> int:
        """Metrics in a group (``on_track``, ``within_tolerance``, ``exception`` or ``other``)."""
        return sum(p.count for p in self.parts if p.group == group)


def group_counts(
    table: pd.DataFrame,
    vocabulary: Vocabulary | None = None,
    tiers: tuple[tuple[str, str], ...] | None = None,
) -> list[TierCounts]:
    """The counts each tier's counting sentence needs, in the council's own words.

    Parameters
    ----------
    table
        An assessment (or some of its rows). Later outturns of metrics no longer in the
        plan (``final_outturn``) are counted separately: pass only them to count them.
    vocabulary, tiers
        The council's words and tier names; by default those recorded on ``table``.

    Returns
    -------
    list of TierCounts
        One per tier with at least one metric, ``plan`` first.
    """
    vocab = vocabulary or table.attrs.get("vocabulary") or Vocabulary()
    names = dict(
        tiers or table.attrs.get("tiers") or (("plan", "Council Plan targets"), ("service", "Service indicators"))
    )
    rows = table.loc[~table["final_outturn"].astype(bool)] if "final_outturn" in table else table
    out = []
    for tier in ("plan", "service"):
        sub = rows.loc[rows["tier"] == tier] if "tier" in rows else rows
        if sub.empty:
            continue
        counted = sub.loc[sub["group"] != ""]
        by_status = counted["status"].value_counts()
        parts = [
            GroupCount(g, g, vocab.group_word(g), int(sum(by_status.get(s, 0) for s in GROUP_STATUSES[g])))
            for g in GROUPS[:3]
        ]
        parts += [
            GroupCount(s, "other", vocab.label(s), int(by_status[s]))
            for s in GROUP_STATUSES["other"]
            if by_status.get(s, 0)
        ]
        trend = int(((sub["kind"] == "trend") & (sub["status"] != "not_due")).sum())
        not_due = int((sub["status"] == "not_due").sum())
        out.append(TierCounts(tier, names.get(tier, tier), len(counted), tuple(parts), trend, not_due))
    return out


def actions_due(register: Register, quarter: Quarter | str, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Remedial actions set in earlier quarters whose ``action_due`` has passed by the end of ``quarter``.

    Returns
    -------
    pandas.DataFrame
        ``code, title, action, action_due, set_in`` (the quarter of the row that gave the
        action) and the metric's status now: ``status, status_label, symbol`` (blank when
        the metric is not reported in the quarter), latest action first.
    """
    q = parse_quarter(quarter)
    a = register.actuals
    due = a.loc[(a["action"] != "") & a["action_due"].notna() & (a["period_index"] < q.index)]
    due = due.loc[[d <= q.end for d in due["action_due"]]] if len(due) else due
    now = (table if table is not None else assess(register, q)).set_index("code")
    rows = []
    for rec in due.sort_values(["period_index", "row"], ascending=[False, True]).to_dict("records"):
        code = rec["code"]
        here = code in now.index
        rows.append(
            {
                "code": code,
                "title": register.metrics.loc[code, "title"],
                "action": rec["action"],
                "action_due": rec["action_due"],
                "set_in": rec["period"],
                "status": now.loc[code, "status"] if here else "",
                "status_label": now.loc[code, "status_label"] if here else "",
                "symbol": now.loc[code, "symbol"] if here else "",
            }
        )
    columns = ["code", "title", "action", "action_due", "set_in", "status", "status_label", "symbol"]
    return pd.DataFrame.from_records(rows, columns=columns)
