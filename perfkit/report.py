"""The sections of the quarterly performance appendix, as HTML the notebook displays.

The notebook stays thin: it calls :func:`prepare` once and then one function
per section. Every section is plain, escaped HTML with semantic headings,
captioned tables and charts with alt text, so the same output reads well in
JupyterLab, in the exported HTML and in the PDF.

Each section takes the :class:`QuarterReport` and, optionally, the rows to show: the
notebook binds them (``notes = rep.data_notes()``) so an analyst can filter or sort
them before they are rendered.

Examples
--------
>>> rep = pk.prepare(tiny_dir, "2024/25 Q2")
>>> notes = rep.data_notes()
>>> notes[["code", "status"]]
  code     status
5   A6    not_due
6   A7    no_data
7   A8  no_target
>>> html = pk.report.data_notes(rep, notes[notes["status"] == "no_data"])
>>> "Figures delayed by the move to the new finance system." in html, "A8" in html
(True, False)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from .assess import RATED, STATUSES, actions_due, assess, assess_history, group_counts, objective_counts
from .data.register import Register, load_register
from .narrative import (
    count_phrase,
    counting_sentence,
    draft_narrative,
    exception_phrase,
    join_words,
    number_word,
    objective_paragraph,
)
from .periods import Quarter, long_date, parse_quarter, quarter_range, warn_if_after
from .render.cells import (
    code_cell,
    commentary_cell,
    direction_cell,
    due_cell,
    figure_cell,
    metric_cell,
    status_cell,
    target_cell,
    update_cell,
)
from .render.charts import status_chart, trend_chart
from .render.formatting import DIRECTION_LABELS, format_value
from .render.html import Html
from .render.tables import (
    Column,
    caption_html,
    caption_text,
    count_column,
    html_table,
    scroll_wrap,
    status_badge,
    text_cell,
)
from .statuses import GROUP_NAMED_BY, GROUPS, describe, group_of, in_sentence, symbol

# Html (perfkit.render.html) is what the sections return, not listed here: help(pk.report) would
# otherwise show every method of str, which it inherits.
__all__ = [
    "QuarterReport",
    "actions_followed_up",
    "data_notes",
    "exceptions",
    "final_outturn_section",
    "final_outturns",
    "headline",
    "introduction",
    "key_achievements",
    "key_challenges",
    "metric_history",
    "metric_profile",
    "narrative",
    "paragraphs_html",
    "plan_by_objective",
    "prepare",
    "remedial_actions",
    "service_indicators",
    "status_key",
    "targeted_by_objective",
    "trend_metrics",
]

#: Quarters shown in the trend chart of an exception.
HISTORY_QUARTERS = 8

#: Exceptions shown with a chart and their own section; further exceptions are tabulated in full.
#: Large registers (thousands of metrics) can have hundreds of exceptions: a chart each would make
#: the appendix unreadable and slow to produce.
MAX_DETAILED_EXCEPTIONS = 10

#: Above this many metrics the appendix counts on-target and not-due metrics by service instead of
#: listing each one (every metric's row is in metric_status.csv, published beside the appendix).
LIST_LIMIT = 500


@dataclass
class QuarterReport:
    """Everything the appendix shows for one quarter, computed once: made by :func:`prepare`.

    Attributes
    ----------
    register
        The loaded register.
    quarter
        The quarter reported.
    table
        The assessment of ``quarter``: one row per metric, objectives in the council's
        order, with these columns (the README's "From Python" section has the same list):

        - ``code``, ``title``, ``objective``, ``service``, ``owner``: from the metrics table.
        - ``period``: the quarter's label, e.g. ``2024/25 Q2``.
        - ``value``, ``target``: rounded to the metric's ``decimals``, as printed and judged;
          NaN when there is no figure, and ``target`` is NaN for trend metrics.
        - ``status``: a key of :data:`perfkit.STATUSES`: ``green`` (on target), ``amber``
          (within tolerance), ``red`` (exception), ``no_target``, ``no_data``, ``not_due``, ``trend``.
        - ``vs_previous``, ``vs_last_year``: against the previous quarter and the same quarter
          last year: ``improved``, ``worsened``, ``no_change`` (``up``/``down`` when neither
          way is better) or ``n/a`` (no figure to compare, or a year-to-date metric against
          the previous quarter).
        - ``exception``: in the exception group (``status == "red"`` for a v1 register; v2 adds
          a word such as ``off_track`` and an ``overdue`` milestone, and an overridden red is
          not one). ``persistent_exception``: also an exception in the last period it was due,
          named in ``previous_due`` (else ``""``).
        - ``unit``, ``polarity``, ``kind``, ``frequency``, ``cumulative``, ``decimals``,
          ``tolerance``: the metric's definition; ``tolerance_width``: the amber band in the
          metric's unit (NaN without a tolerance or a target).
        - ``previous_value``, ``last_year_value``: the figures compared with, rounded.
        - ``commentary``: the officer's commentary for the quarter (for ``no_data``, the reason).

        :meth:`history` adds ``period_index``, a running number of the quarter.

    Examples
    --------
    >>> rep = pk.prepare(tiny, "2024/25 Q2")
    >>> rep
    QuarterReport(Tiny Test Council, 2024/25 Q2: 12 metrics, 3 at exception)
    >>> rep.table.loc[rep.table["code"] == "A1", ["value", "target", "status", "vs_previous", "vs_last_year"]]
       value  target status vs_previous vs_last_year
    0   84.3    95.0    red    improved     worsened
    """

    register: Register
    quarter: Quarter
    table: pd.DataFrame

    def __repr__(self) -> str:  # the dataclass's would print the whole register
        n, red = len(self.table), int(self.table["exception"].sum())
        return f"QuarterReport({self.register.council.name}, {self.quarter.label}: {n:,} metrics, {red:,} at exception)"

    @property
    def previous_label(self) -> str:
        return self.quarter.previous().short_relative_to(self.quarter)

    @property
    def large(self) -> bool:
        """Whether the register is too large to list every metric one by one."""
        return len(self.table) > LIST_LIMIT

    def history(self, codes: list[str] | None = None, last: int = HISTORY_QUARTERS) -> pd.DataFrame:
        """Assessments of the last ``last`` quarters up to this one, stacked (one row per metric and quarter).

        Parameters
        ----------
        codes
            Only these metrics (any case); ``None`` for every metric.
        last
            How many quarters, this one included.

        Returns
        -------
        pandas.DataFrame
            The columns of :attr:`table` and ``period_index``, quarter by quarter.

        Raises
        ------
        UnknownNameError
            For a code the register does not have, suggesting the closest.

        Examples
        --------
        >>> rep = pk.prepare(tiny, "2024/25 Q2")
        >>> rep.history(["a11"], last=2)[["code", "period", "value", "target", "status"]]
          code      period  value  target status
        0  A11  2024/25 Q1  105.0   100.0  green
        1  A11  2024/25 Q2  110.0   120.0    red
        >>> h = rep.history(last=4)
        >>> h[h["exception"]].groupby("service").size()   # exceptions by service over four quarters
        service
        Customer Services    3
        Legal                1
        Parks                2
        Revenues             1
        Waste                1
        dtype: int64
        >>> rep.history(["A13"])
        Traceback (most recent call last):
        ...
        perfkit.errors.UnknownNameError: There is no metric code 'A13'. Did you mean A1, A3 or A12?
        """
        first = Quarter.from_index(self.quarter.index - last + 1)
        if codes is not None:
            codes = [self.register.code(c) for c in codes]
        return assess_history(self.register, quarter_range(first, self.quarter), codes)

    # One method per section of the appendix: the rows that section shows. The notebook binds each
    # to a name (``exceptions = rep.exceptions()``) so an analyst can filter or sort it before it is shown.

    def assessment(self) -> pd.DataFrame:
        """The whole assessment (:attr:`table`): the rows the summary paragraphs are drafted from.

        Examples
        --------
        >>> pk.prepare(tiny, "2024/25 Q2").assessment()["status"].value_counts().sort_index()
        status
        amber        2
        green        3
        no_data      1
        no_target    1
        not_due      1
        red          3
        trend        1
        Name: count, dtype: int64
        """
        return self.table

    def status_counts(self) -> pd.DataFrame:
        """Metrics in each status by objective (one row per objective, one column per status, and a total).

        Examples
        --------
        >>> counts = pk.prepare(tiny, "2024/25 Q2").status_counts()
        >>> counts[["green", "amber", "red", "total"]]  # doctest: +NORMALIZE_WHITESPACE
        status         green  amber  red  total
        objective
        Good services      2      2    1      8
        A green place      1      0    2      4
        """
        return objective_counts(self.table, self.register.objective_order())

    def exceptions(self) -> pd.DataFrame:
        """Metrics and milestones at exception, persistent exceptions first (otherwise in the table's order).

        An exception is what the ``exception`` column says (design §6): a red figure, a word in
        the exception group (``off_track``) or an overdue milestone; a red figure the service
        overrides with a word of another group is not one (its computed status stays visible).

        Examples
        --------
        >>> exceptions = pk.prepare(tiny, "2024/25 Q2").exceptions()
        >>> exceptions[["code", "service", "persistent_exception", "previous_due"]]  # doctest: +NORMALIZE_WHITESPACE
           code            service  persistent_exception previous_due
        0    A1  Customer Services                  True   2024/25 Q1
        11  A12              Parks                  True   2023/24 Q2
        10  A11              Parks                 False
        """
        found = self.table.loc[self.table["exception"].astype(bool) & ~self.table["final_outturn"].astype(bool)]
        return found.sort_values("persistent_exception", ascending=False, kind="stable")

    @property
    def v2(self) -> bool:
        """Whether the register uses contract v2 (the appendix then speaks in groups and the council's words)."""
        return bool(self.register.v2)

    @property
    def plan_title(self) -> str:
        """The title of the plan in force in the quarter (``[[plans]]``, else ``plan_title``)."""
        return self.register.council.plan_title_for(self.quarter)

    def counted(self) -> pd.DataFrame:
        """The metrics the headline counts: the quarter's table without final outturns of an earlier plan.

        Examples
        --------
        >>> len(pk.prepare(tiny, "2024/25 Q2").counted())
        12
        """
        return self.table.loc[~self.table["final_outturn"].astype(bool)]

    def plan(self) -> pd.DataFrame:
        """The plan's targets, milestones and trend metrics (tier ``plan``), in the plan's order.

        Objectives in the plan's order, then strategies and tactics in the order they first
        appear in ``metrics.csv``. Service indicators and final outturns have their own sections.

        Examples
        --------
        >>> pk.prepare(tiny, "2024/25 Q2").plan()["code"].tolist()[:4]
        ['A1', 'A2', 'A3', 'A4']
        """
        return self.counted().loc[lambda t: t["tier"] == "plan"]

    def service_indicators(self) -> pd.DataFrame:
        """Supporting service indicators (tier ``service``), counted and shown apart from the plan's targets."""
        return self.counted().loc[lambda t: t["tier"] == "service"]

    def final_outturns(self) -> pd.DataFrame:
        """Outturns of an earlier plan published this quarter (``final_outturn``): shown and counted apart."""
        return self.table.loc[self.table["final_outturn"].astype(bool)]

    def actions_due(self) -> pd.DataFrame:
        """Remedial actions set in earlier quarters that were due by the quarter's end, with each metric's status now.

        Columns as :func:`perfkit.assess.actions_due`: ``code, title, action, action_due,
        set_in, status, status_label, symbol``, latest action first.
        """
        return actions_due(self.register, self.quarter, self.table)

    def targeted(self) -> pd.DataFrame:
        """Metrics rated against a target.

        Examples
        --------
        >>> pk.prepare(tiny, "2024/25 Q2").targeted()["code"].tolist()
        ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A10', 'A11', 'A12']
        """
        return self.table.loc[self.table["kind"] == "target"]

    def trend(self) -> pd.DataFrame:
        """Metrics monitored for trend.

        Examples
        --------
        >>> pk.prepare(tiny, "2024/25 Q2").trend()[["code", "value", "previous_value", "vs_previous"]]
          code  value  previous_value vs_previous
        8   A9   42.0            40.0    improved
        """
        return self.table.loc[self.table["kind"] == "trend"]

    def data_notes(self) -> pd.DataFrame:
        """Metrics with no data, no target, or not due this quarter, and milestones with no update.

        Examples
        --------
        >>> notes = pk.prepare(tiny, "2024/25 Q2").data_notes()
        >>> notes[["code", "status", "commentary"]]  # doctest: +NORMALIZE_WHITESPACE
          code     status                                         commentary
        5   A6    not_due
        6   A7    no_data  Figures delayed by the move to the new finance...
        7   A8  no_target
        """
        return self.table.loc[self.table["status"].isin(["no_data", "no_target", "not_due", "no_update"])]

    def achievements(self) -> pd.DataFrame:
        """The whole council's key achievements (design §7; see :func:`perfkit.achievements.achievements`)."""
        from .achievements import achievements

        return achievements(self.table, self.register)

    def challenges(self) -> pd.DataFrame:
        """The whole council's challenges (design §7; see :func:`perfkit.achievements.challenges`)."""
        from .achievements import challenges

        return challenges(self.table, self.register)


def prepare(data_dir: str | Path | Register = "data/demo", quarter: str | Quarter | None = None) -> QuarterReport:
    """Load the register and assess the quarter: everything the quarterly appendix shows.

    Parameters
    ----------
    data_dir
        The council's data folder (a relative path is also looked for in the parent folders,
        so ``data/demo`` works from ``notebooks/``), or a register already loaded.
    quarter
        The quarter, in any spelling (``2024/25 Q2``, ``2024-25-Q2``); by default the latest
        with figures. A quarter after the data's latest is assessed (every metric due shows
        ``no_data``) with a :class:`UserWarning` naming the latest quarter with figures.

    Returns
    -------
    QuarterReport

    Raises
    ------
    DataValidationError
        When the data has errors, listing every one.

    Examples
    --------
    >>> rep = pk.prepare(tiny_dir)
    >>> rep.quarter.label, rep.exceptions()["code"].tolist()
    ('2024/25 Q2', ['A1', 'A12', 'A11'])
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     later = pk.prepare(tiny, "2025/26 Q1")
    >>> print(caught[0].message)
    2025/26 Q1 is after the latest quarter with figures (2024/25 Q2): every metric due then will show 'no data'.
    """
    register = data_dir if isinstance(data_dir, Register) else load_register(data_dir)
    latest = register.latest_quarter()
    q = latest if quarter in (None, "") else parse_quarter(quarter)
    warn_if_after([q], latest)
    return QuarterReport(register, q, assess(register, q))


def _fmt(rec: Mapping, key: str) -> str:
    return escape(format_value(rec[key], rec["unit"], rec["decimals"]))


def _tolerance(rec: Mapping) -> str:
    tol = rec["tolerance"]
    if tol is None or (isinstance(tol, float) and math.isnan(tol)):
        return "None"
    if tol.relative and not math.isnan(rec["tolerance_width"]):
        width = format_value(rec["tolerance_width"], rec["unit"], rec["decimals"] + 1)
        return escape(f"{tol.amount * 100:g}% of target ({width})")
    return escape(format_value(tol.amount, rec["unit"], rec["decimals"]))


def introduction(rep: QuarterReport) -> Html:
    """The front matter (as the seeds' reports have it) and one paragraph saying what the appendix covers.

    Council, plan in force, the period in months, and ``[report]``'s author ("Report of"),
    contact and classification.
    """
    c = rep.register.council
    q = rep.quarter
    n = len(rep.table)
    facts = [
        ("Council", escape(c.name)),
        ("Plan", escape(rep.plan_title)),
        ("Period", escape(f"{q.months} ({q.label}), the period ending {long_date(q.end)}")),
    ]
    if c.report.author:
        facts.append(("Report of", escape(c.report.author)))
    if c.report.contact:
        facts.append(("Contact", escape(c.report.contact)))
    facts.append(("Classification", escape(c.report.classification)))
    front = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    count = number_word(n)
    return Html(
        f'<dl class="front-matter">{front}</dl>'
        f'<p class="lead">This appendix reports the {count} metrics of the {escape(rep.plan_title)} of '
        f"{escape(c.name)} for {q.label} ({q.months}), the period ending {long_date(q.end)}. "
        f"Each targeted metric is rated against its target; trend metrics are compared with the previous "
        f"quarter and the same quarter last year.</p>"
    )


def headline(rep: QuarterReport, counts: pd.DataFrame | None = None) -> Html:
    """The quarter at a glance: counts overall and per objective.

    ``counts`` is :meth:`QuarterReport.counted` (or some of its rows), or, as before,
    :meth:`QuarterReport.status_counts` (or some of its rows). A v2 register is counted by
    group and tier in the council's own words (design §4): one counting sentence and two
    tables per tier; a v1 register by status, with a chart.
    """
    rows = rep.counted() if counts is None else counts
    if rep.v2 and "code" in rows:
        return Html(_group_headline(rep, rows))
    by_obj = objective_counts(rows, rep.register.objective_order(rep.quarter)) if "code" in rows else rows
    by_obj = by_obj.loc[by_obj["total"] > 0] if "code" in rows else by_obj
    overall = [{"status": s, "n": int(by_obj[s].sum())} for s in STATUSES]
    t1 = html_table(
        overall,
        [
            Column("Status", lambda r: status_badge(r["status"])),
            Column("Meaning", lambda r: escape(STATUSES[r["status"]].description)),
            Column("Metrics", lambda r: str(r["n"]), numeric=True),
        ],
        f"Metrics by status, {rep.quarter.label}",
    )
    statuses = [s for s in STATUSES if by_obj[s].sum() > 0]
    cols = [Column("Objective", lambda r: text_cell(r["objective"]))]
    cols += [count_column(f"{STATUSES[s].symbol} {STATUSES[s].label}", s, thousands=False) for s in statuses]
    cols += [Column("Total", lambda r: str(r["total"]), numeric=True)]
    t2 = html_table(by_obj.reset_index(), cols, f"Metrics by status for each objective, {rep.quarter.label}")
    chart = status_chart(by_obj, f"Figure: metrics by status for each objective, {rep.quarter.label}.")
    return Html(t1 + t2 + chart.to_html())


_GROUP_MEANINGS = {
    "on_track": "meets or beats its target, achieved, or on track as the service reports it",
    "within_tolerance": "misses its target within the tolerance, or at risk as the service reports it",
    "exception": "misses its target by more than the tolerance, off track, or a milestone overdue",
}


def _group_headline(rep: QuarterReport, rows: pd.DataFrame) -> str:
    """v2: per tier, the counting sentence, the groups in the council's words, and the groups by objective."""
    q = rep.quarter
    parts = []
    vocabulary = rep.register.council.vocabulary
    for i, tier in enumerate(group_counts(rows)):
        parts.append(f"<h3>{escape(tier.tier_label)}</h3>")
        if not tier.total:
            parts.append(f"<p>No {escape(in_sentence(tier.tier_label))} were due for {q.label}.</p>")
        else:
            parts.append(f"<p>{escape(counting_sentence(tier, q.label, shape=i))}</p>")
        listed = [
            {
                "badge": status_badge(p.key if p.group == "other" else GROUP_NAMED_BY[p.group], p.word or None),
                "meaning": _GROUP_MEANINGS.get(p.key) or describe(p.key).description,
                "n": p.count,
            }
            for p in tier.parts
        ]
        listed += [
            {"badge": status_badge(k, vocabulary.label(k)), "meaning": m, "n": n}
            for k, n, m in (
                ("trend", tier.trend, "monitored for direction, without a target: listed apart, not counted"),
                ("not_due", tier.not_due, "not due this quarter: not counted"),
            )
            if n
        ]
        parts.append(
            html_table(
                listed,
                [
                    Column("Status", lambda r: r["badge"]),
                    Column("The metric or milestone…", lambda r: escape(r["meaning"])),
                    Column("Number", lambda r: f"{r['n']:,}", numeric=True),
                ],
                f"{tier.tier_label} by status, {q.label}: {tier.total:,} counted",
            )
        )
        sub = rows.loc[rows["tier"] == tier.tier]
        grid = []
        for obj in rep.register.objective_order(q):
            (counts,) = group_counts(sub.loc[sub["objective"] == obj]) or (None,)
            if counts is not None and counts.total:
                grid.append({"objective": obj, **{g: counts.count(g) for g in GROUPS}, "total": counts.total})
        if grid:
            words = {g: vocabulary.group_word(g) or "Other" for g in GROUPS}
            symbols = {g: symbol(GROUP_NAMED_BY.get(g, "paused")) for g in GROUPS}
            cols = [Column("Objective", lambda r: text_cell(r["objective"]))]
            cols += [count_column(f"{symbols[g]} {words[g]}", g) for g in GROUPS]
            cols += [Column("Total", lambda r: f"{r['total']:,}", numeric=True)]
            parts.append(html_table(grid, cols, f"{tier.tier_label} by objective, {q.label}"))
    if not parts:
        return "<p>No metric is reported this quarter.</p>"
    return "".join(parts) + _figures_chart(rep, rows)


def _figures_chart(rep: QuarterReport, rows: pd.DataFrame) -> str:
    """A chart of what the figures give (targets and trend metrics of both tiers), by objective: a second view
    beside the tables, which have the milestones and the services' own words. An override is charted as its
    figures rate it. The chart counts in the tables' groups, named by the council's words (``Close to target``,
    ``Other``), with trend metrics apart as the tables list them; metrics not due are not charted."""
    figures = rows.loc[rows["kind"] != "milestone"]
    computed = figures["computed_status"].where(figures["computed_status"] != "", figures["status"])
    keys = computed.map(group_of).where(computed != "trend", "trend")
    figures = figures.assign(_key=keys).loc[keys != ""]
    if figures.empty:
        return ""
    vocabulary = rep.register.council.vocabulary
    words = {g: vocabulary.group_word(g) or "Other" for g in GROUPS}
    words["trend"] = vocabulary.label("trend")
    by_obj = pd.crosstab(figures["objective"], figures["_key"])
    by_obj = by_obj.reindex(index=rep.register.objective_order(rep.quarter), columns=list(words), fill_value=0)
    by_obj = by_obj.loc[by_obj.sum(axis=1) > 0].astype(int)
    caption = (
        f"Figure: targets and indicators by group, as their figures rate them, for each objective, "
        f"{rep.quarter.label}. Milestones and the services' own words are in the tables above."
    )
    return status_chart(
        by_obj, caption, words, "targets and indicators by group (as their figures rate them)"
    ).to_html()


def paragraphs_html(paragraphs: list[str]) -> str:
    """Drafted paragraphs as HTML: a paragraph's ``- item`` lines become a bulleted list after it.

    >>> paragraphs_html(["Two are at exception:\\n- A & B\\n- C", "Done."])
    '<p>Two are at exception:</p><ul><li>A &amp; B</li><li>C</li></ul><p>Done.</p>'
    """
    out = []
    for paragraph in paragraphs:
        for block in paragraph.split("\n\n"):
            lines = block.split("\n")
            text = [ln for ln in lines if not ln.startswith("- ")]
            items = [ln[2:] for ln in lines if ln.startswith("- ")]
            out.append(f"<p>{escape(' '.join(text))}</p>")
            if items:
                out.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
    return "".join(out)


def narrative(rep: QuarterReport, metrics: pd.DataFrame | None = None) -> Html:
    """The drafted summary paragraphs, overall and for each objective.

    ``metrics`` is the assessment the sentences are drafted from: :attr:`QuarterReport.table` or some of its rows.
    A list of more than three items is a bulleted list (v2); the objectives' paragraphs vary their shape.
    """
    table = rep.table if metrics is None else metrics
    parts = [paragraphs_html(draft_narrative(table, rep.quarter))]
    for number, obj in enumerate(rep.register.objective_order(rep.quarter)):
        sub = table.loc[table["objective"] == obj]
        if sub.empty:
            continue
        if rep.v2:
            text = objective_paragraph(sub, rep.quarter, obj, shape=number)
            if text:
                parts.append(f"<h3>{escape(obj)}</h3>{paragraphs_html([text])}")
            continue
        targeted = draft_narrative(sub, rep.quarter)[0]
        parts.append(f"<h3>{escape(obj)}</h3><p>{escape(targeted)}</p>")
    return Html("".join(parts))


def _history_of(history: pd.DataFrame, code: str) -> pd.DataFrame:
    h = history.loc[history["code"] == code].sort_values("period_index")
    # status_label: the council's word in the history table; polarity and the widths let a chart draw the band
    cols = ["period", "value", "target", "status", "status_label", "commentary", "polarity", "tolerance_width"]
    return h[[*cols, "green_width"]].reset_index(drop=True)


def _exception_facts(rep: QuarterReport, rec: Mapping) -> list[tuple[str, str]]:
    """The key facts of one exception: figures (or a milestone's dates), status, action, who is responsible."""
    if rec["kind"] == "milestone":
        facts = [
            ("Due", due_cell(rec)),
            ("Progress", figure_cell(rec)),
            ("Status", status_cell(rec)),
            ("Latest update", update_cell(rec, rep.quarter.label)),
        ]
    else:
        facts = [
            ("Value", figure_cell(rec)),
            ("Target", target_cell(rec)),
            ("Tolerance", _tolerance(rec)),
            ("Status", status_cell(rec)),
            (
                f"Compared with {rep.previous_label}"
                if not rec["for_period_label"]
                else "Compared with the previous period",
                f"{direction_cell(rec)} (was {_fmt(rec, 'previous_value')})",
            ),
            (
                "Compared with the same quarter last year"
                if not rec["for_period_label"]
                else "Compared with the same period last year",
                f"{escape(DIRECTION_LABELS[rec['vs_last_year']])} (was {_fmt(rec, 'last_year_value')})",
            ),
        ]
    if rec.get("action"):
        by = long_date(rec.get("action_due"))
        facts.append(("Remedial action", text_cell(rec["action"])))
        facts.append(("To take effect by", escape(by) if by else "Not given"))
    elif rep.v2:
        facts.append(("Remedial action", "None recorded"))
    facts += [
        ("Service", text_cell(rec["service"])),
        ("Responsible officer", text_cell(rec["owner"]) or "Not recorded"),
    ]
    return facts


def exceptions(rep: QuarterReport, rows: pd.DataFrame | None = None) -> Html:
    """Each metric or milestone at exception: figures, trend chart with the target, commentary, remedial action.

    ``rows`` are the exceptions to show, in order (default :meth:`QuarterReport.exceptions`:
    persistent exceptions first). Beyond :data:`MAX_DETAILED_EXCEPTIONS`, exceptions
    are listed in one table with their figures and commentary.
    """
    reds = rep.exceptions() if rows is None else rows
    if reds.empty:
        return Html("<p>No metric is at exception this quarter.</p>")
    detailed, further = reds.iloc[:MAX_DETAILED_EXCEPTIONS], reds.iloc[MAX_DETAILED_EXCEPTIONS:]
    figures = detailed.loc[detailed["kind"] != "milestone"]
    history = rep.history(list(figures["code"])) if len(figures) else None
    parts = []
    if len(further):
        parts.append(
            f"<p>{len(reds):,} metrics are at exception. The first {number_word(len(detailed))} (persistent "
            f"exceptions first) are shown in detail with a chart; the other {len(further):,} are listed"
            + (
                ", with their figures and commentary, in the table that follows them.</p>"
                if not rep.large
                else ", one row each, by objective, in the tables that follow them.</p>"
            )
        )
    for rec in detailed.to_dict("records"):
        persistent = ""
        if rec["persistent_exception"]:
            prev = parse_quarter(rec["previous_due"]).short_relative_to(rep.quarter)
            persistent = f' <span class="flag">(also {escape(_phrase(rep, rec))} in {escape(prev)})</span>'
        facts_table = _facts_table(
            _exception_facts(rep, rec),
            Html(f"Key facts: {escape(rec['title'])} ({code_cell(rec['code'])}), {rep.quarter.label}"),
        )
        shown = ""
        if rec["kind"] != "milestone" and history is not None:
            hist = _history_of(history, rec["code"])
            chart = trend_chart(
                rec["title"],
                hist,
                rec["unit"],
                rec["decimals"],
                # no code here: the heading above names it, and a caption could break it across lines
                f"Figure: {rec['title']}, last {number_word(len(hist))} quarters, with the target.",
            )
            table = html_table(
                hist.assign(unit=rec["unit"], decimals=rec["decimals"]),
                [
                    Column("Quarter", lambda r: escape(r["period"])),
                    Column("Value", lambda r: _fmt(r, "value"), numeric=True),
                    Column("Target", lambda r: _fmt(r, "target"), numeric=True),
                    Column("Status", lambda r: status_badge(r["status"], r["status_label"] or None)),
                ],
                Html(
                    f"{escape(rec['title'])} ({code_cell(rec['code'])}): "
                    f"figures for the last {number_word(len(hist))} quarters"
                ),
                css_class="data compact",
            )
            shown = chart.to_html() + table
        comment = text_cell(rec["commentary"]) or "No commentary was supplied."
        anchor = escape(rec["code"])
        parts.append(
            f'<section class="exception" aria-labelledby="exc-{anchor}">'
            f'<h3 id="exc-{anchor}">{code_cell(rec["code"])}: {escape(rec["title"])}{persistent}</h3>'
            f"{facts_table}{shown}"
            f'<h4>Officer commentary</h4><blockquote class="commentary"><p>{comment}</p></blockquote></section>'
        )
    if len(further):
        parts.append("<h3>Further exceptions</h3>")

        # one cell per fact a reader needs: long tables are slow to lay out in the PDF
        def metric(r: Mapping) -> str:
            also = ""
            if r["persistent_exception"]:
                also = f" (also {_phrase(rep, r)} in {parse_quarter(r['previous_due']).short_relative_to(rep.quarter)})"
            return f"{code_cell(r['code'])}: {text_cell(r['title'])}{escape(also)}"

        if rep.large:
            parts.append(_further_exceptions(rep, further))
        else:
            parts.append(
                html_table(
                    further,
                    [
                        Column("Metric", metric),
                        Column("Value", lambda r: _fmt(r, "value"), numeric=True),
                        Column("Target", lambda r: _fmt(r, "target"), numeric=True),
                        Column("Tolerance", _tolerance),
                        Column("Commentary", lambda r: commentary_cell(r) or "None supplied"),
                    ],
                    f"Further exceptions, {rep.quarter.label}: {len(further):,} metrics",
                    row_header=0,
                )
            )
    return Html("".join(parts))


def _said(rec: Mapping) -> str:
    """The commentary and remedial action under a metric's name, in its own cell: a large register's short rows.

    A column of its own would share the line with the name, and each would wrap to two lines;
    under the name, a row without commentary stays one line. (``period-label`` is the house
    style's small block line in muted text.)
    """
    said = [text_cell(rec["commentary"])] if rec.get("commentary") else []
    if rec.get("action"):
        by = long_date(rec.get("action_due"))
        said.append(f"Remedial action: {text_cell(rec['action'])}{', to take effect by ' + escape(by) if by else ''}.")
    return "".join(f'<span class="period-label">{s}</span>' for s in said)


def _further_exceptions(rep: QuarterReport, further: pd.DataFrame) -> str:
    """A large register's further exceptions: one short row each, by objective, without the columns no row fills.

    Hundreds of rows are laid out page by page in the PDF, so each row is kept to one line where
    it can be: the commentary and action go under the metric's name, and the tolerance (which
    every exception misses by more than) is left to the metric's definition.
    """
    q = rep.quarter

    def metric(r: Mapping) -> str:
        also = ""
        if r["persistent_exception"]:
            also = f" (also {parse_quarter(r['previous_due']).short_relative_to(q)})"
        return f"{code_cell(r['code'])}: {text_cell(r['title'])}{escape(also)}{_said(r)}"

    milestone = further["kind"] == "milestone"
    said = bool(((further["commentary"] != "") | (further["action"] != "")).any())
    columns = [Column("Metric, with its commentary and remedial action" if said else "Metric", metric)]
    columns.append(
        Column("Value", lambda r: figure_cell(r) if r["kind"] == "milestone" else _fmt(r, "value"), numeric=True)
    )
    if (~milestone).any():
        columns.append(Column("Target", lambda r: _fmt(r, "target") if r["kind"] != "milestone" else "–", numeric=True))
    if milestone.any():
        columns.append(Column("Due", lambda r: due_cell(r) if r["kind"] == "milestone" else "–"))
    none = "" if said else "None of them has commentary. "
    parts = [
        f'<p class="note">The further exceptions, by objective. Tolerances are not repeated: a figure at exception '
        "misses its target by more than its tolerance. "
        f'{none}"Also" names the last quarter a metric was at exception in before this one. Every metric is in '
        "<code>metric_status.xlsx</code> and <code>metric_status.csv</code>.</p>"
    ]
    for obj in dict.fromkeys([*rep.register.objective_order(q), *further["objective"]]):
        sub = further.loc[further["objective"] == obj]
        if len(sub):
            parts.append(
                html_table(
                    sub,
                    columns,
                    f"Further exceptions: {obj}, {q.label} ({count_phrase(len(sub), 'metric')})",
                    row_header=0,
                    css_class="data long",
                )
            )
    return "".join(parts)


def actions_followed_up(rep: QuarterReport, rows: pd.DataFrame | None = None) -> Html:
    """Remedial actions set in earlier quarters and due by this quarter's end, with each metric's status now.

    ``rows`` are the actions to show (default :meth:`QuarterReport.actions_due`). The section
    has its own heading, and is left out for a v1 register, which records no actions.
    """
    actions = rep.actions_due() if rows is None else rows
    if not rep.v2 and actions.empty:
        return Html("")
    return Html(
        '<h2 id="actions-followed-up">Remedial actions followed up</h2>' + remedial_actions(actions, rep.quarter)
    )


def remedial_actions(actions: pd.DataFrame, quarter: Quarter) -> str:
    """A lead sentence and a table of the remedial actions due by ``quarter``'s end, or a sentence saying none was.

    ``actions`` has the columns of :func:`perfkit.assess.actions_due`; the quarterly appendix
    shows the council's, an objective update the objective's.
    """
    q = quarter
    if actions.empty:
        return f"<p>No remedial action set in an earlier quarter was due by {long_date(q.end)}.</p>"
    n = len(actions)
    lead = (
        f"<p>{escape(count_phrase(n, 'remedial action').capitalize())} set in "
        f"{'an earlier quarter was' if n == 1 else 'earlier quarters were'} due to take effect by {long_date(q.end)}. "
        f"The table shows each with its metric's status in {q.label}.</p>"
    )

    def now(r: Mapping) -> str:
        if not r["status"]:
            return f"Not reported in {escape(q.label)}"
        return status_badge(r["status"], r["status_label"] or None)

    table = html_table(
        actions,
        [
            Column("Metric", metric_cell),
            Column("Action", lambda r: text_cell(r["action"])),
            Column("Set in", lambda r: escape(r["set_in"])),
            Column("Due by", lambda r: escape(long_date(r["action_due"]))),
            Column(f"Status in {q.label}", now),
        ],
        f"Remedial actions due by the end of {q.label}",
        row_header=0,
    )
    return lead + table


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _metric_rows_table(previous_label: str, rows: pd.DataFrame, caption: str) -> str:
    """Targets and trend metrics: figure (and the period it measures), target, status, direction, commentary."""
    return html_table(
        rows,
        [
            Column("Code", lambda r: code_cell(r["code"])),
            Column("Metric", lambda r: text_cell(r["title"])),
            Column("Figure", figure_cell, numeric=True),
            Column("Target", target_cell, numeric=True),
            Column("Status", status_cell),
            Column(f"Compared with {previous_label}", direction_cell),
            Column("Commentary", commentary_cell),
        ],
        caption,
        row_header=1,
        css_class="data plan",
    )


def _milestone_rows_table(rep: QuarterReport, rows: pd.DataFrame, caption: str) -> str:
    """Milestones: progress, due date (and the revised one), status with "past its due date", latest update."""
    return html_table(
        rows,
        [
            Column("Code", lambda r: code_cell(r["code"])),
            Column("Milestone", lambda r: text_cell(r["title"])),
            Column("Progress", figure_cell, numeric=True),
            Column("Due", due_cell),
            Column("Status", status_cell),
            Column("Latest update", lambda r: update_cell(r, rep.quarter.label)),
        ],
        caption,
        row_header=1,
        css_class="data plan milestones",
    )


def _rows_under(rep: QuarterReport, rows: pd.DataFrame, where: str) -> str:
    """The metrics and the milestones under one heading, each in its own table."""
    out = []
    figures = rows.loc[rows["kind"] != "milestone"]
    milestones = rows.loc[rows["kind"] == "milestone"]
    if len(figures):
        out.append(
            _metric_rows_table(rep.previous_label, figures, f"Targets and indicators: {where}, {rep.quarter.label}")
        )
    if len(milestones):
        out.append(_milestone_rows_table(rep, milestones, f"Milestones: {where}, {rep.quarter.label}"))
    return "".join(out)


def _capitalise_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _by_strategy(rep: QuarterReport, rows: pd.DataFrame, level: int, where: str) -> str:
    """Rows under an objective: those without a strategy, then each strategy and its tactics, headings nested."""
    out = []
    loose = rows.loc[rows["strategy"] == ""]
    if len(loose):
        out.append(_rows_under(rep, loose, where))
    for strategy, sub in rows.loc[rows["strategy"] != ""].groupby("strategy", sort=False):
        out.append(f'<h{level} class="strategy">{escape(strategy)}</h{level}>')
        direct = sub.loc[sub["tactic"] == ""]
        if len(direct):
            out.append(_rows_under(rep, direct, strategy))
        for tactic, tsub in sub.loc[sub["tactic"] != ""].groupby("tactic", sort=False):
            out.append(f'<h{level + 1} class="tactic">{escape(tactic)}</h{level + 1}>')
            out.append(_rows_under(rep, tsub, tactic))
    return "".join(out)


#: Statuses the Data notes list: a large register's plan counts them rather than list them twice.
_NOTED = ("no_data", "no_target", "not_due", "no_update")


def _tactic_counts(rep: QuarterReport, rows: pd.DataFrame, obj: str) -> str:
    """Metrics by strategy and tactic in each group, in the council's words (a large register's plan)."""
    vocabulary = rep.register.council.vocabulary
    key = rows["group"].where(rows["group"] != "", rows["status"])  # trend and not due have no group
    keys = [g for g in GROUPS if (key == g).any()] + [k for k in ("trend", "not_due") if (key == k).any()]
    grid = (
        pd.crosstab([rows["strategy"], rows["tactic"]], key)
        .reindex(columns=keys, fill_value=0)
        .reindex(pd.MultiIndex.from_frame(rows[["strategy", "tactic"]].drop_duplicates()))
        .assign(total=lambda g: g.sum(axis=1))
        .reset_index()
    )

    def word(k: str) -> str:
        if k in GROUPS:
            return f"{symbol(GROUP_NAMED_BY.get(k, 'paused'))} {vocabulary.group_word(k) or 'Other'}"
        return f"{symbol(k)} {vocabulary.label(k)}"

    cols = [
        Column("Strategy", lambda r: text_cell(r["strategy"]) or "None given"),
        Column("Tactic", lambda r: text_cell(r["tactic"]) or "None given"),
    ]
    cols += [count_column(word(k), k) for k in keys]
    cols += [Column("Total", lambda r: f"{r['total']:,}", numeric=True)]
    return html_table(grid, cols, f"Metrics by strategy and tactic: {obj}, {rep.quarter.label}", row_header=1)


def _plan_summary(rep: QuarterReport, rows: pd.DataFrame, obj: str) -> str:
    """A large register's objective: counts by tactic, then only what no other section lists.

    Exceptions are under "Exceptions in detail", on-track and trend metrics are counted, and
    metrics without data or target are in "Data notes": listed here are the metrics and
    milestones in the council's other words (at risk, paused, under review, an override) and the
    :data:`~perfkit.achievements.TOP_PER_OBJECTIVE` metrics within tolerance furthest from target
    (as a share of it), with how many more are within tolerance.
    """
    from .achievements import TOP_PER_OBJECTIVE

    out = []
    if (rows["strategy"] != "").any():
        out.append(_tactic_counts(rep, rows, obj))
    shown = rows["group"].isin(["within_tolerance", "other"]) & ~rows["status"].isin(_NOTED)
    # within tolerance on the figures: the ones furthest from target (nearest to exception) are listed,
    # the rest counted; a council's word (at risk, paused, an override) is always listed
    rated = rows["status"].eq("amber") & rows["computed_status"].isin(["", "amber"])
    gap = ((rows["value"] - rows["target"]).abs() / rows["target"].abs()).where(rated & rows["target"].ne(0))
    ranked = gap.dropna().sort_values(ascending=False, kind="stable")
    more = ranked.index[TOP_PER_OBJECTIVE:]
    shown &= ~rows.index.isin(more)
    listed = rows.loc[shown]
    figures, milestones = listed.loc[listed["kind"] != "milestone"], listed.loc[listed["kind"] == "milestone"]
    tactics = (rows["strategy"] != "").any()
    if len(figures):
        said = bool(((figures["commentary"] != "") | (figures["action"] != "")).any())
        cols = [
            Column(
                "Metric, with its commentary and remedial action" if said else "Metric",
                lambda r: f"{code_cell(r['code'])}: {text_cell(r['title'])}{_said(r)}",
            )
        ]
        if tactics:
            cols.append(Column("Tactic", lambda r: text_cell(r["tactic"] or r["strategy"]) or "None given"))
        cols += [
            Column("Figure", figure_cell, numeric=True),
            Column("Target", target_cell, numeric=True),
            Column("Status", status_cell),
        ]
        out.append(
            html_table(
                figures,
                cols,
                f"Targets and indicators within tolerance or otherwise reported: {obj}, {rep.quarter.label} "
                f"({count_phrase(len(figures), 'metric')})",
                row_header=0,
            )
        )
    if len(milestones):
        out.append(
            _milestone_rows_table(
                rep, milestones, f"Milestones at risk or otherwise reported: {obj}, {rep.quarter.label}"
            )
        )
    exception = int((rows["group"] == "exception").sum())
    trend = rows.loc[rows["status"] == "trend"]
    worse = int((trend["vs_previous"] == "worsened").sum())
    on_track, noted = int((rows["group"] == "on_track").sum()), int(rows["status"].isin(_NOTED).sum())
    vocabulary = rep.register.council.vocabulary
    counted = [
        f"{number_word(on_track)} {(vocabulary.group_word('on_track') or 'on track').lower()}" if on_track else "",
        f"{count_phrase(len(trend), 'trend metric')} ({number_word(worse)} worse than {rep.previous_label})"
        if len(trend)
        else "",
        f"{number_word(len(more))} more {(vocabulary.group_word('within_tolerance') or 'within tolerance').lower()}"
        if len(more)
        else "",
        f"{number_word(noted)} in Data notes" if noted else "",
    ]
    note = (
        f"{_capitalise_first(count_phrase(exception, 'metric'))} at exception {'is' if exception == 1 else 'are'} "
        "listed under Exceptions in detail. "
        if exception
        else ""
    )
    if any(counted):
        note += f"Counted here rather than listed: {join_words([c for c in counted if c])}. "
    note += f"{_capitalise_first(_SPREADSHEETS)}, with its commentary."
    out.append(f'<p class="note">{escape(note)}</p>')
    return "".join(out)


def plan_by_objective(rep: QuarterReport, rows: pd.DataFrame | None = None) -> Html:
    """The plan, objective by objective: each objective a level-2 heading, its strategies and tactics under it.

    ``rows`` are the metrics to show (default :meth:`QuarterReport.plan`). Under each heading,
    a table of targets and trend metrics (figure, or the half or year it measures; target;
    status word and symbol, with the computed status and reason beside an override;
    direction; the officer's commentary and any remedial action) and a table of milestones
    (progress, due date and revised due date, status with "past its due date", latest update).
    A large register counts its metrics by strategy and tactic and lists only what no other
    section lists (see ``_plan_summary``).
    """
    plan = rep.plan() if rows is None else rows
    parts = [_CSV_NOTE] if rep.large else []
    for obj in rep.register.objective_order(rep.quarter):
        sub = plan.loc[plan["objective"] == obj]
        if sub.empty:
            continue
        parts.append(f'<h2 id="objective-{_slug(obj)}">{escape(obj)}</h2>')
        counts = [c for c in group_counts(sub) if c.total]
        if counts:
            parts.append(f"<p>{escape(counting_sentence(counts[0], obj, shape=2))}</p>")
        parts.append(_plan_summary(rep, sub, obj) if rep.large else _by_strategy(rep, sub, 3, obj))
    if not parts:
        return Html(
            f'<h2 id="plan">{escape(rep.plan_title)}</h2><p>No metric of the plan is reported this quarter.</p>'
        )
    return Html("".join(parts))


def service_indicators(rep: QuarterReport, rows: pd.DataFrame | None = None) -> Html:
    """Service indicators (tier ``service``) in their own section, under the council's name for them.

    ``rows`` are the indicators to show (default :meth:`QuarterReport.service_indicators`).
    Nothing is shown when there are none. A large register prints them as it prints the plan.
    """
    service = rep.service_indicators() if rows is None else rows
    if service.empty:
        return Html("")
    label = rep.register.council.tier_label("service")
    parts = [f'<h2 id="service-indicators">{escape(label)}</h2>']
    counts = [c for c in group_counts(service) if c.total]
    if counts:
        parts.append(f"<p>{escape(counting_sentence(counts[0], rep.quarter.label, shape=1))}</p>")
    for obj in rep.register.objective_order(rep.quarter):
        sub = service.loc[service["objective"] == obj]
        if sub.empty:
            continue
        parts.append(f"<h3>{escape(obj)}</h3>")
        parts.append(_plan_summary(rep, sub, obj) if rep.large else _by_strategy(rep, sub, 4, obj))
    return Html("".join(parts))


def final_outturns(rep: QuarterReport, rows: pd.DataFrame | None = None) -> Html:
    """Outturns of an earlier plan published this quarter, under that plan's title, counted apart.

    ``rows`` are the outturns to show (default :meth:`QuarterReport.final_outturns`).
    Nothing is shown when there are none.
    """
    return final_outturn_section(rep.final_outturns() if rows is None else rows, rep.previous_label)


def final_outturn_section(final: pd.DataFrame, previous_label: str) -> Html:
    """The "Final outturns" heading, then per earlier plan its title, a counting sentence and the figures.

    ``final`` are assessment rows with ``final_outturn`` set; ``previous_label`` names the
    quarter the direction column compares with. Nothing is shown when ``final`` is empty.
    """
    if final.empty:
        return Html("")
    parts = [
        '<h2 id="final-outturns">Final outturns</h2>',
        "<p>Figures for the last period of an earlier plan, published after it ended. They are not "
        "counted with this quarter's targets.</p>",
    ]
    for title, sub in final.groupby("plan_title", sort=False):
        parts.append(f"<h3>{escape(title)}</h3>")
        counts = [c for c in group_counts(sub.assign(final_outturn=False)) if c.total]
        if counts:
            parts.append(f"<p>{escape(counting_sentence(counts[0], title, shape=0))}</p>")
        parts.append(_metric_rows_table(previous_label, sub, f"Final outturns of the {title}"))
    return Html("".join(parts))


def _phrase(rep: QuarterReport, r: Mapping) -> str:
    """How the appendix says a row is at exception, as the summary does: "at exception", "off target", "overdue"."""
    return exception_phrase(r["kind"], r["status"], r["status_label"], rep.table.attrs.get("vocabulary"))


def _facts_table(facts: list[tuple[str, str]], caption: str) -> str:
    """Label and value pairs as a two-column table: reads well on screen, in print and to screen readers."""
    rows = "".join(f'<tr><th scope="row">{escape(k)}</th><td>{v}</td></tr>' for k, v in facts)
    return scroll_wrap(
        f'<table class="facts"><caption>{caption_html(caption)}</caption><tbody>{rows}</tbody></table>',
        caption_text(caption),
    )


def _metric_columns(rep: QuarterReport) -> list[Column]:
    return [
        Column("Code", lambda r: text_cell(r["code"])),
        Column("Metric", lambda r: text_cell(r["title"])),
        Column("Value", lambda r: _fmt(r, "value"), numeric=True),
        Column("Target", lambda r: _fmt(r, "target"), numeric=True),
        Column("Status", lambda r: status_badge(r["status"])),
        Column(f"Compared with {rep.previous_label}", lambda r: escape(DIRECTION_LABELS[r["vs_previous"]])),
        Column("Compared with a year ago", lambda r: escape(DIRECTION_LABELS[r["vs_last_year"]])),
    ]


_CSV_NOTE = (
    '<p class="note">Every metric\'s figure, target, status and directions are in '
    "<code>metric_status.csv</code>, published with this appendix.</p>"
)


def _service_counts(sub: pd.DataFrame, statuses: list[str], caption: str) -> str:
    """Metrics in each status by service: how a large register is summarised."""
    grid = (
        pd.crosstab(sub["service"], sub["status"])
        .reindex(columns=statuses, fill_value=0)
        .assign(total=lambda g: g.sum(axis=1))
        .reset_index()
    )
    cols = [Column("Service", lambda r: text_cell(r["service"]))]
    cols += [count_column(f"{STATUSES[s].symbol} {STATUSES[s].label}", s) for s in statuses]
    cols += [Column("Total", lambda r: f"{r['total']:,}", numeric=True)]
    return html_table(grid, cols, caption)


def targeted_by_objective(rep: QuarterReport, rows: pd.DataFrame | None = None) -> Html:
    """Every targeted metric, one table per objective.

    ``rows`` are the metrics to show (default :meth:`QuarterReport.targeted`).
    For a large register (more than :data:`LIST_LIMIT` metrics) each objective has a
    table of statuses by service, and lists one by one only the metrics within
    tolerance (exceptions have their own section).
    """
    targeted = rep.targeted() if rows is None else rows
    parts = [_CSV_NOTE] if rep.large else []
    for obj in rep.register.objective_order():
        sub = targeted.loc[targeted["objective"] == obj]
        if sub.empty:
            continue
        parts.append(f"<h3>{escape(obj)}</h3>")
        if rep.large:
            statuses = [s for s in STATUSES if s != "trend"]
            parts.append(
                _service_counts(sub, statuses, f"Targeted metrics by service and status: {obj}, {rep.quarter.label}")
            )
            amber = sub.loc[sub["status"] == "amber"]
            if len(amber):
                parts.append(
                    html_table(
                        amber,
                        [
                            Column("Metric", lambda r: f"{text_cell(r['code'])}: {text_cell(r['title'])}"),
                            Column("Value", lambda r: _fmt(r, "value"), numeric=True),
                            Column("Target", lambda r: _fmt(r, "target"), numeric=True),
                            Column(
                                f"Compared with {rep.previous_label}",
                                lambda r: escape(DIRECTION_LABELS[r["vs_previous"]]),
                            ),
                        ],
                        f"Within tolerance: {obj}, {rep.quarter.label} ({len(amber):,} metrics)",
                        row_header=0,
                    )
                )
            continue
        parts.append(
            html_table(sub, _metric_columns(rep), f"Targeted metrics: {obj}, {rep.quarter.label}", row_header=1)
        )
    if not parts:
        return Html("<p>The register has no targeted metrics.</p>")
    return Html("".join(parts))


def trend_metrics(rep: QuarterReport, rows: pd.DataFrame | None = None) -> Html:
    """Metrics monitored for trend, with the figures they are compared with.

    ``rows`` are the metrics to show (default :meth:`QuarterReport.trend`).
    """
    trend = rep.trend() if rows is None else rows
    if trend.empty:
        return Html("<p>No metric is monitored for trend.</p>")
    cols = [
        Column("Code", lambda r: text_cell(r["code"])),
        Column("Metric", lambda r: text_cell(r["title"])),
        Column(rep.quarter.label, lambda r: _fmt(r, "value"), numeric=True),
        Column(rep.quarter.previous().label, lambda r: _fmt(r, "previous_value"), numeric=True),
        Column("Direction", lambda r: escape(DIRECTION_LABELS[r["vs_previous"]])),
        Column(rep.quarter.same_quarter_last_year().label, lambda r: _fmt(r, "last_year_value"), numeric=True),
        Column("Direction over the year", lambda r: escape(DIRECTION_LABELS[r["vs_last_year"]])),
    ]
    note = (
        (
            '<p class="note">Year-to-date metrics are not compared with the previous quarter, whose figure '
            "covers a shorter period.</p>"
        )
        if trend["cumulative"].any()
        else ""
    )
    if rep.large:
        directions = trend["vs_previous"].map(DIRECTION_LABELS)
        grid = (
            pd.crosstab(trend["objective"], directions)
            .reindex(rep.register.objective_order())
            .dropna(how="all")
            .fillna(0)
            .astype(int)
        )
        labels = list(grid.columns)
        summary = html_table(
            grid.reset_index(),
            [Column("Objective", lambda r: text_cell(r["objective"]))] + [count_column(d, d) for d in labels],
            f"Trend metrics by direction compared with {rep.previous_label}, {rep.quarter.label}",
        )
        worse = trend.loc[trend["vs_previous"] == "worsened"]
        listed = (
            html_table(
                worse,
                [
                    Column("Metric", lambda r: f"{text_cell(r['code'])}: {text_cell(r['title'])}"),
                    Column(rep.quarter.label, lambda r: _fmt(r, "value"), numeric=True),
                    Column(rep.quarter.previous().label, lambda r: _fmt(r, "previous_value"), numeric=True),
                ],
                f"Trend metrics that worsened since {rep.previous_label} ({len(worse):,} metrics)",
                row_header=0,
            )
            if len(worse)
            else ""
        )
        return Html(_CSV_NOTE + summary + listed + note)
    return Html(html_table(trend, cols, f"Metrics monitored for trend, {rep.quarter.label}", row_header=1) + note)


def data_notes(rep: QuarterReport, rows: pd.DataFrame | None = None) -> Html:
    """Metrics with no data (and why), not due, or without a target.

    ``rows`` are the metrics to show (default :meth:`QuarterReport.data_notes`).
    """
    notes = rep.data_notes() if rows is None else rows
    parts = []
    sections = [
        ("no_data", "No data", "Reason given", lambda r: text_cell(r["commentary"]) or "No reason given"),
        ("no_target", "No target set", "Value", lambda r: _fmt(r, "value")),
        ("not_due", "Not due this quarter", "Frequency", lambda r: escape(str(r["frequency"]).capitalize())),
        ("no_update", "No update", "Due", due_cell),
    ]
    for status, heading, third, render in sections:
        sub = notes.loc[notes["status"] == status]
        if sub.empty:
            continue
        parts.append(f"<h3>{escape(heading)}</h3>")
        if rep.large and status == "not_due":
            parts.append(
                _service_counts(
                    sub, ["not_due"], f"Annual metrics not due this quarter, by service ({len(sub):,} metrics)"
                )
            )
            continue
        parts.append(
            html_table(
                sub,
                [
                    Column("Code", lambda r: code_cell(r["code"])),
                    Column("Metric", lambda r: text_cell(r["title"])),
                    Column("Service", lambda r: text_cell(r["service"])),
                    Column(third, render),
                ],
                f"{heading}: {count_phrase(len(sub), 'metric')}, {rep.quarter.label}",
                row_header=1,
            )
        )
    if not parts:
        parts.append("<p>Every metric due this quarter has a figure and a target.</p>")
    if rep.large:
        parts.append(_left_to_the_spreadsheets(rep))
    parts.append(status_key(rep if rep.v2 else None))
    return Html("".join(parts))


def _left_to_the_spreadsheets(rep: QuarterReport) -> str:
    """What a large register's appendix counts rather than lists, and where the reader finds each one."""
    from .achievements import TOP_PER_OBJECTIVE

    top = number_word(TOP_PER_OBJECTIVE)
    items = [
        "every exception is listed once, under Exceptions in detail (the first "
        f"{number_word(MAX_DETAILED_EXCEPTIONS)} with their key facts, a chart and a table of the last "
        f"{number_word(HISTORY_QUARTERS)} quarters, the others one row each)",
        f"Key achievements list the highlights and achieved milestones in full, then the {top} metrics of each "
        "objective that improved most; Challenges the highlights and milestones in full, then the "
        f"{top} exceptions of each objective furthest from target",
        f"the plan lists, for each objective, the {top} metrics within tolerance furthest from target and "
        "whatever is in the council's other words; the other metrics within tolerance, those on track and the "
        "trend metrics are counted by objective (and by strategy and tactic), with their commentary left to the "
        "spreadsheets",
        "annual metrics not due this quarter are counted by service",
    ]
    return (
        f"<h3>What this appendix counts rather than lists</h3><p>With {len(rep.table):,} metrics (more than "
        f"{LIST_LIMIT:,}), this appendix lists what a reader must act on and counts the rest:</p><ul>"
        + "".join(f"<li>{escape(_capitalise_first(i))}.</li>" for i in items)
        + "</ul><p>Every metric's figure, target, status, directions and commentary is in "
        "<code>metric_status.xlsx</code> and <code>metric_status.csv</code>, published with this appendix.</p>"
    )


def status_key(rep: QuarterReport | None = None) -> Html:
    """What each status means, and how figures are compared.

    With a v2 report, the key lists the council's own words (``[statuses]`` and ``[labels]``)
    with the group each counts in.
    """
    if rep is not None and rep.v2:
        vocab = rep.register.council.vocabulary
        keys: list[tuple[str, str]] = [(s, vocab.label(s)) for s in ("green", "amber", "red")]
        keys += [(c, w) for w, c in vocab.words]
        keys += [(s, vocab.label(s)) for s in ("overdue", "no_update", "no_data", "no_target", "not_due", "trend")]
        keys.append(("achieved_previously", vocab.label("achieved_previously")))
        seen: dict[str, dict] = {}
        rows = []
        group = {"on_track": "On track", "within_tolerance": "Within tolerance", "exception": "Exception"}
        for status, word in keys:
            meaning = describe(status).description or "was achieved in an earlier quarter"
            if status == "achieved_previously":
                status = "achieved"
            if word.casefold() in seen:  # one word for two statuses ("On track" for green and on_track)
                row = seen[word.casefold()]
                if meaning not in row["meaning"]:
                    row["meaning"] += f"; or {meaning}"
                continue
            counted = group.get(group_of(status), "Other" if group_of(status) else "Not counted")
            seen[word.casefold()] = {"badge": status_badge(status, word), "meaning": meaning, "g": counted}
            rows.append(seen[word.casefold()])
        table = html_table(
            rows,
            [
                Column("Status", lambda r: r["badge"]),
                Column("The metric or milestone…", lambda r: escape(r["meaning"])),
                Column("Counted as", lambda r: escape(r["g"])),
            ],
            "Key to statuses, in the council's words",
        )
    else:
        table = html_table(
            [{"status": s} for s in STATUSES],
            [
                Column("Status", lambda r: status_badge(r["status"])),
                Column("The metric…", lambda r: escape(STATUSES[r["status"]].description)),
            ],
            "Key to statuses",
        )
    return Html(
        "<h3>How metrics are rated</h3>"
        + table
        + "<p>Figures and targets are rounded to the precision shown before they are compared, so what is printed "
        "is what is judged. A metric is within tolerance when it misses its target by no more than its tolerance "
        "(an amount, or a share of the target). An exception that was also at exception in the last quarter the "
        "metric was reported is marked as such.</p>"
        + (
            "<p>Where a service reports a target in its own words and the figures say otherwise, the word is "
            "shown with what the figures give and the reason. A milestone keeps the word its service reports; "
            "past its due date it is flagged beside the word, and without an update after its due date it is "
            "overdue.</p>"
            if rep is not None and rep.v2
            else ""
        )
    )


def metric_history(register: Register, code: str) -> pd.DataFrame:
    """One metric's every quarter as the appendix prints it: a tidy table to read, filter or plot.

    Columns: ``quarter`` (its label), ``value`` and ``target`` rounded to the metric's
    precision, ``status`` (the word, with its symbol), ``compared with previous``
    and ``commentary``. The code matches in any case.

    Raises
    ------
    UnknownNameError
        For a code the register does not have, suggesting the closest.

    Examples
    --------
    >>> h = pk.report.metric_history(tiny, "a1")
    >>> h.drop(columns="commentary")
          quarter  value  target       status compared with previous
    0  2023/24 Q2   86.0     NaN  ◇ No target         Not comparable
    1  2023/24 Q3    NaN     NaN    ○ No data         Not comparable
    2  2023/24 Q4    NaN     NaN    ○ No data         Not comparable
    3  2024/25 Q1   80.0    95.0  ✖ Exception         Not comparable
    4  2024/25 Q2   84.3    95.0  ✖ Exception               Improved
    >>> h["commentary"].iloc[3]
    'Staff shortages in the complaints team.'
    """
    code = register.code(code)
    quarters = register.quarters_with_data()
    hist = assess_history(register, quarter_range(quarters[0], quarters[-1]), [code]).sort_values("period_index")
    dec = int(register.metrics.loc[code, "decimals"])
    return pd.DataFrame(
        {
            "quarter": hist["period"],
            "value": hist["value"].round(dec),
            "target": hist["target"].round(dec),
            # the council's word ([labels], [statuses]) and its symbol, as the assessment gives them
            "status": hist["symbol"] + " " + hist["status_label"],
            "compared with previous": hist["vs_previous"].map(DIRECTION_LABELS),
            "commentary": hist["commentary"],
        }
    ).reset_index(drop=True)


def metric_profile(data_dir: str | Path | Register = "data/demo", code: str = "") -> Html:
    """A metric's definition and full history, for analysts exploring one metric (code in any case).

    Parameters
    ----------
    data_dir
        The data folder, or a register already loaded.
    code
        The metric's code, in any case.

    Returns
    -------
    Html
        A heading, the definition, how often it was rated and at exception, a chart and
        a table of every quarter; JupyterLab shows it as HTML.

    Raises
    ------
    UnknownNameError
        For a code the register does not have, suggesting the closest.

    Examples
    --------
    >>> html = pk.metric_profile(tiny, "a1")
    >>> html[: html.index("</h2>") + 5]
    '<h2>A1: % of complaints answered within 15 working days</h2>'
    >>> "<p>Rated in 2 quarters, at exception in 2.</p>" in html
    True
    >>> pk.metric_profile(tiny, "A 1")
    Traceback (most recent call last):
    ...
    perfkit.errors.UnknownNameError: There is no metric code 'A 1'. Did you mean A1, A11 or A12?
    """
    register = data_dir if isinstance(data_dir, Register) else load_register(data_dir)
    code = register.code(code)
    m = register.metrics.loc[code]
    quarters = register.quarters_with_data()
    hist = assess_history(register, quarter_range(quarters[0], quarters[-1]))
    hist = hist.loc[hist["code"] == code].sort_values("period_index").reset_index(drop=True)
    facts = [
        ("Objective", m["objective"]),
        ("Service", m["service"]),
        ("Owner", m["owner"] or "Not recorded"),
        ("Unit", m["unit"]),
        ("Better when", {"higher": "higher", "lower": "lower", "none": "neither"}[m["polarity"]]),
        ("Kind", "Targeted" if m["kind"] == "target" else "Trend monitoring"),
        ("Frequency", m["frequency"].capitalize()),
        ("Tolerance", str(m["tolerance"] or "None")),
        ("Year to date", "Yes" if m["cumulative"] else "No"),
    ]
    facts_table = _facts_table([(k, escape(str(v))) for k, v in facts], f"Definition of {m['title']} ({code})")
    chart = trend_chart(m["title"], hist, m["unit"], int(m["decimals"]), f"Figure: {m['title']}, every quarter.")
    table = html_table(
        hist,
        [
            Column("Quarter", lambda r: escape(r["period"])),
            Column("Value", lambda r: _fmt(r, "value"), numeric=True),
            Column("Target", lambda r: _fmt(r, "target"), numeric=True),
            Column("Status", lambda r: status_badge(r["status"])),
            Column("Commentary", lambda r: text_cell(r["commentary"])),
        ],
        f"{m['title']} ({code}): every quarter",
    )
    rated = hist["status"].isin(RATED).sum()
    red = int((hist["status"] == "red").sum())
    summary = f"<p>Rated in {rated} quarters, at exception in {red}.</p>" if m["kind"] == "target" else ""
    return Html(f"<h2>{escape(code)}: {escape(m['title'])}</h2>{facts_table}{summary}{chart.to_html()}{table}")


#: Where a large register's appendix sends its reader for what it counts rather than lists.
_SPREADSHEETS = "every metric is in metric_status.xlsx and metric_status.csv, published with this appendix"


def key_achievements(rep: QuarterReport, rows: pd.DataFrame | None = None) -> Html:
    """Key achievements by objective, then highlights about no objective under their service.

    ``rows`` are the achievements to show (default :meth:`QuarterReport.achievements`). A large
    register lists its highlights and milestones in full and, per objective, the
    :data:`~perfkit.achievements.TOP_PER_OBJECTIVE` metrics that improved most (by their change as
    a share of the earlier figure), with how many more improved.
    """
    from .achievements import TOP_PER_OBJECTIVE, render_achievements

    return _largest_by_objective(
        rep,
        rep.achievements() if rows is None else rows,
        render_achievements,
        lambda n: f"And {count_phrase(n, 'more metric')} on target improved on their earlier figure: {_SPREADSHEETS}.",
        "each objective lists the services' highlights and the milestones achieved in full, then the "
        f"{number_word(TOP_PER_OBJECTIVE)} metrics on target that improved most, by their change as a share of the "
        "earlier figure.",
    )


def key_challenges(rep: QuarterReport, rows: pd.DataFrame | None = None) -> Html:
    """Challenges by objective (highlights, exceptions with their actions, past-due milestones), as
    :func:`key_achievements` groups them. ``rows`` default to :meth:`QuarterReport.challenges`.

    A large register lists its highlights and milestones in full and, per objective, the
    :data:`~perfkit.achievements.TOP_PER_OBJECTIVE` metrics at exception furthest from their target
    (as a share of it): every exception is listed once under "Exceptions in detail".
    """
    from .achievements import TOP_PER_OBJECTIVE, render_challenges

    return _largest_by_objective(
        rep,
        rep.challenges() if rows is None else rows,
        render_challenges,
        lambda n: (
            f"And {count_phrase(n, 'more metric')} at exception, each listed under Exceptions in detail: "
            f"{_SPREADSHEETS}."
        ),
        "each objective lists the services' highlights and the milestones in full, then the "
        f"{number_word(TOP_PER_OBJECTIVE)} metrics at exception furthest from their target, as a share of it. "
        "Every exception is listed under Exceptions in detail.",
    )


def _largest_by_objective(
    rep: QuarterReport, found: pd.DataFrame, render: Callable[..., Html], more: Callable[[int], str], lead: str
) -> Html:
    """``found`` rendered by objective; for a large register, after ``lead``, only each objective's
    :data:`~perfkit.achievements.TOP_PER_OBJECTIVE` largest, its list ending with ``more`` of how many
    it leaves out (:func:`key_achievements`, :func:`key_challenges`)."""
    from .achievements import TOP_PER_OBJECTIVE, largest

    order = rep.register.objective_order(rep.quarter)
    if not rep.large or found.empty:
        return render(found, order)
    shown, left = largest(found, TOP_PER_OBJECTIVE)
    notes = {obj: more(n) for obj, n in left.items()}
    return Html(f"<p>With {len(rep.table):,} metrics, {lead}</p>" + render(shown, order, notes=notes))
