"""The "Key achievements" and "Challenges" sections: the rows each lists, and their HTML (design §7).

A quarter's *achievements* are, in this order:

1. the highlights of kind ``achievement`` that services wrote for the quarter
   (``highlights.csv``, in the file's order);
2. the milestones that became achieved in the quarter (achieved now, not carried
   forward, and not achieved in the previous quarter);
3. the metrics on target (``green``) that improved on the previous period, or,
   where that cannot be compared (a year-to-date figure, no figure then), on the
   same period last year.

Its *challenges* are:

1. the highlights of kind ``challenge``;
2. the metrics and milestones in the exception group (an overridden red is not
   one: design §4), with the remedial action and when it should take effect;
3. the milestones flagged past their due date that are not already listed as
   exceptions.

Each row keeps the officer's commentary. For one objective only its own rows
are listed (a highlight about a metric takes the metric's objective); a
highlight with neither objective nor code is about no objective, so it appears
only in the quarterly appendix, under its service.

Examples
--------
>>> table = pk.assess(tiny, "2024/25 Q2")
>>> challenges(table, tiny)[["source", "code"]].head(3)
      source code
0  exception   A1
1  exception  A11
2  exception  A12
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import pandas as pd

from .assess import assess
from .data.register import Register
from .periods import Quarter, long_date
from .render.formatting import format_value
from .render.html import Html
from .render.tables import text_cell

__all__ = [
    "COLUMNS",
    "TOP_PER_OBJECTIVE",
    "achievements",
    "challenges",
    "largest",
    "named",
    "render_achievements",
    "render_challenges",
]

#: In a large register's appendix, the metrics listed per objective under Key achievements (the largest
#: improvements) and Challenges (the exceptions furthest from target); the rest are counted.
TOP_PER_OBJECTIVE = 10

#: The columns of the rows :func:`achievements` and :func:`challenges` return.
COLUMNS = [
    "source",
    "objective",
    "service",
    "code",
    "title",
    "text",
    "status_label",
    "symbol",
    "value",
    "target",
    "previous_value",
    "compared_with",
    "unit",
    "decimals",
    "commentary",
    "action",
    "action_due",
    "due_in_force",
]

_BLANK: dict[str, object] = {
    "code": "",
    "title": "",
    "text": "",
    "status_label": "",
    "symbol": "",
    "value": float("nan"),
    "target": float("nan"),
    "previous_value": float("nan"),
    "compared_with": "",
    "unit": "",
    "decimals": 0,
    "commentary": "",
    "action": "",
    "action_due": None,
    "due_in_force": None,
}


def _highlights(register: Register, quarter: Quarter, kind: str, objective: str | None) -> list[dict]:
    h = register.highlights
    h = h.loc[(h["period_index"] == quarter.index) & (h["kind"] == kind)].sort_values("row", kind="stable")
    if objective is not None:
        h = h.loc[h["objective"] == objective]
    titles = register.metrics["title"]
    rows = []
    for rec in h.to_dict("records"):
        code = rec["code"] or ""
        rows.append(
            {
                **_BLANK,
                "source": "highlight",
                "objective": rec["objective"],
                "service": rec["service"],
                "code": code,
                "title": str(titles.get(code, "")) if code else "",
                "text": rec["text"],
            }
        )
    return rows


def _metric_row(rec: Mapping, source: str, **extra: object) -> dict:
    row = {**_BLANK, "source": source}
    for key in ("objective", "service", "code", "title", "status_label", "symbol", "value", "target", "unit"):
        row[key] = rec[key]
    row["decimals"] = int(rec["decimals"])
    row["commentary"] = rec["commentary"]
    row["due_in_force"] = rec["due_in_force"]
    row.update(extra)
    return row


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=COLUMNS)


def _own(table: pd.DataFrame, objective: str | None) -> pd.DataFrame:
    current = table.loc[~table["final_outturn"].astype(bool)]
    return current if objective is None else current.loc[current["objective"] == objective]


def achievements(table: pd.DataFrame, register: Register, objective: str | None = None) -> pd.DataFrame:
    """The quarter's key achievements, in the order of design §7.

    Parameters
    ----------
    table
        The quarter's assessment (:func:`perfkit.assess`, the whole council's).
    register
        The register it was made from (for the highlights and the previous quarter).
    objective
        Only this objective's achievements (default: the whole council's).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`; ``source`` is ``highlight``, ``milestone`` or ``metric``;
        ``compared_with`` names the period an improved metric is compared with.

    Examples
    --------
    >>> rows = achievements(pk.assess(tiny, "2024/25 Q2"), tiny)
    >>> rows[["source", "code", "value", "previous_value", "compared_with"]]
       source code  value  previous_value compared_with
    0  metric   A2   97.0            96.9    2024/25 Q1
    1  metric  A10   55.0            50.0    2023/24 Q2

    A2's 97.0 meets its 97 and improved on Q1's 96.9; A10 counts the year to date, so it is
    compared with the same quarter last year instead.
    """
    quarter: Quarter = table.attrs["quarter"]
    rows = _highlights(register, quarter, "achievement", objective)
    own = _own(table, objective)
    achieved = own.loc[(own["kind"] == "milestone") & (own["status"] == "achieved") & ~own["carried"].astype(bool)]
    if len(achieved):
        before = assess(register, quarter.previous(), codes=list(achieved["code"]))
        already = set(before.loc[before["status"] == "achieved", "code"])
        rows += [_metric_row(r, "milestone") for r in achieved.to_dict("records") if r["code"] not in already]
    green = own.loc[(own["kind"] == "target") & (own["status"] == "green")]
    for rec in green.to_dict("records"):
        if rec["vs_previous"] != "n/a":
            improved, value, when = rec["vs_previous"] == "improved", rec["previous_value"], "previous"
        else:
            improved, value, when = rec["vs_last_year"] == "improved", rec["last_year_value"], "last_year"
        if improved:
            rows.append(_metric_row(rec, "metric", previous_value=value, compared_with=_compared(rec, quarter, when)))
    return _frame(rows)


def _compared(rec: Mapping, quarter: Quarter, when: str) -> str:
    """The label of the period a figure is compared with (a half or a year for such figures)."""
    from .periods import parse_period

    measured = parse_period(rec["for_period"]) if rec["for_period"] else quarter
    other = measured.previous() if when == "previous" else measured.same_period_last_year()
    return other.label


def challenges(table: pd.DataFrame, register: Register, objective: str | None = None) -> pd.DataFrame:
    """The quarter's challenges, in the order of design §7.

    Parameters
    ----------
    table
        The quarter's assessment (the whole council's).
    register
        The register it was made from (for the highlights).
    objective
        Only this objective's challenges (default: the whole council's).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`; ``source`` is ``highlight``, ``exception`` or ``past_due``; an
        exception carries its ``action`` and ``action_due``.

    Examples
    --------
    >>> rows = challenges(pk.assess(tiny, "2024/25 Q2"), tiny)
    >>> rows[["source", "code", "status_label"]]
          source code status_label
    0  exception   A1    Exception
    1  exception  A11    Exception
    2  exception  A12    Exception
    """
    quarter: Quarter = table.attrs["quarter"]
    rows = _highlights(register, quarter, "challenge", objective)
    own = _own(table, objective)
    exceptions = own.loc[own["group"] == "exception"]
    late = own.loc[(own["kind"] == "milestone") & own["past_due"].astype(bool) & (own["group"] != "exception")]
    for source, frame in (("exception", exceptions), ("past_due", late)):
        for r in frame.to_dict("records"):
            rows.append(_metric_row(r, source, action=r["action"], action_due=r["action_due"]))
    return _frame(rows)


def _size(rows: pd.DataFrame) -> pd.Series:
    """How large each metric row is: an improvement by its change on the earlier figure, an exception by how
    far it misses its target, each as a share of the figure it is measured from, so that percentages,
    counts and days compare. NaN when it cannot be measured (no figure, or a zero to divide by)."""
    value = rows["value"].astype(float)
    improved = rows["source"] == "metric"
    base = rows["previous_value"].astype(float).where(improved, rows["target"].astype(float))
    size = (value - base).abs() / base.abs()
    return size.where(base != 0)


def largest(rows: pd.DataFrame, n: int = TOP_PER_OBJECTIVE) -> tuple[pd.DataFrame, dict[str, int]]:
    """Cap the metrics of each objective at the ``n`` largest, keeping every other row (a large register's appendix).

    Highlights, milestones and anything whose size cannot be measured are kept in full. The
    improved metrics of :func:`achievements` are ranked by their change on the earlier figure,
    the metrics at exception of :func:`challenges` by how far they miss their target, each as
    a share of the figure it is measured from; ties keep the register's order.

    Parameters
    ----------
    rows
        :func:`achievements` or :func:`challenges`.
    n
        The metrics to keep per objective.

    Returns
    -------
    tuple of pandas.DataFrame and dict
        The rows kept (sources in the order they came, the capped metrics largest first) and,
        for each objective with more, how many were left out.

    Examples
    --------
    >>> rows = pd.DataFrame({"source": ["highlight", "metric", "metric", "metric"], "objective": "Homes",
    ...     "code": ["", "H1", "H2", "H3"], "value": [float("nan"), 90.0, 60.0, 50.0],
    ...     "previous_value": [float("nan"), 80.0, 40.0, 49.0], "target": [float("nan"), 85.0, 50.0, 45.0]})
    >>> kept, more = largest(rows, 1)
    >>> kept["code"].tolist(), more
    (['', 'H2'], {'Homes': 2})

    H2 rose by half of its 40; H1 by an eighth of its 80; H3 by a 49th.
    """
    size = _size(rows)
    capped = rows["source"].isin(["metric", "exception"]) & size.notna()
    keep = ~capped
    more: dict[str, int] = {}
    for obj, idx in size[capped].groupby(rows.loc[capped, "objective"], sort=False).groups.items():
        ranked = size.loc[idx].sort_values(ascending=False, kind="stable")
        keep.loc[ranked.index[:n]] = True
        if len(ranked) > n:
            more[str(obj)] = len(ranked) - n
    order = pd.Series(range(len(rows)), index=rows.index, dtype=float)
    # within a source, the capped rows largest first; the others (and the sources) in the order they came
    first = order.groupby(rows["source"], sort=False).transform("min")
    rank = (-size).where(capped, order)
    kept = rows.assign(_first=first, _rank=rank).loc[keep].sort_values(["_first", "_rank"], kind="stable")
    return kept.drop(columns=["_first", "_rank"]), more


# --- HTML ---------------------------------------------------------------------------------------------


def named(rec: Mapping) -> str:
    """A metric's title and its code, the code never broken across lines (``SRV.`` / ``01`` would misread).

    >>> named({"title": "Calls answered", "code": "SRV.01"})
    'Calls answered <span class="code" style="white-space:nowrap">(SRV.01)</span>'
    """
    return f'{text_cell(rec["title"])} <span class="code" style="white-space:nowrap">({text_cell(rec["code"])})</span>'


def _commentary(rec: Mapping) -> str:
    text = str(rec["commentary"] or "").strip()
    return f' <span class="commentary">Commentary: {escape(text)}</span>' if text else ""


def _status(rec: Mapping) -> str:
    return f'<span aria-hidden="true">{escape(str(rec["symbol"]))}</span> {text_cell(rec["status_label"])}'


def _item(rec: Mapping) -> str:
    """One achievement or challenge as a list item: what it is, then the commentary and any action."""
    source = rec["source"]
    if source == "highlight":
        about = f" About {named(rec)}." if rec["code"] else ""
        text = str(rec["text"]).strip()
        end = "" if text.endswith((".", "!", "?")) else "."
        return f'<li>{escape(text)}{end} <span class="service">({text_cell(rec["service"])})</span>{about}</li>'
    unit, dec = rec["unit"], rec["decimals"]
    if source == "metric":
        what = (
            f"{escape(format_value(rec['value'], unit, dec))} against a target of "
            f"{escape(format_value(rec['target'], unit, dec))}, improved from "
            f"{escape(format_value(rec['previous_value'], unit, dec))} in {escape(rec['compared_with'])}."
        )
    elif source == "milestone":
        what = f"{_status(rec)}."
    elif source == "past_due":
        what = f"{_status(rec)}, past its due date ({escape(long_date(rec['due_in_force']))})."
    elif pd.isna(rec["value"]):
        what = f"{_status(rec)}."
    else:
        what = (
            f"{escape(format_value(rec['value'], unit, dec))} against a target of "
            f"{escape(format_value(rec['target'], unit, dec))}: {_status(rec)}."
        )
    action = ""
    if str(rec["action"] or "").strip():
        due = long_date(rec["action_due"])
        action = f' <span class="action">Action: {escape(str(rec["action"]).strip())}' + (
            f" (to take effect by {escape(due)})</span>" if due else "</span>"
        )
    return f"<li><strong>{named(rec)}</strong>: {what}{_commentary(rec)}{action}</li>"


def _list(rows: pd.DataFrame) -> str:
    return '<ul class="highlights">' + "".join(_item(r) for r in rows.to_dict("records")) + "</ul>"


def _render(
    rows: pd.DataFrame, none: str, objectives: list[str] | None, level: int, notes: Mapping[str, str] | None = None
) -> Html:
    if rows.empty:
        return Html(f"<p>{escape(none)}</p>")
    if objectives is None:
        return Html(_list(rows))
    parts = []
    about = rows.loc[rows["objective"] != ""]
    order = list(dict.fromkeys([*objectives, *about["objective"]]))
    for obj in order:
        sub = about.loc[about["objective"] == obj]
        if len(sub):
            note = (notes or {}).get(obj)
            after = f'<p class="note">{escape(note)}</p>' if note else ""
            parts.append(f"<h{level}>{escape(obj)}</h{level}>{_list(sub)}{after}")
    loose = rows.loc[rows["objective"] == ""]
    for service in dict.fromkeys(loose["service"]):
        heading = f"Service: {escape(service)}"  # not an objective: said so, as the heading could be either
        parts.append(f"<h{level}>{heading}</h{level}>{_list(loose.loc[loose['service'] == service])}")
    return Html("".join(parts))


def render_achievements(
    rows: pd.DataFrame,
    objectives: list[str] | None = None,
    *,
    level: int = 3,
    notes: Mapping[str, str] | None = None,
) -> Html:
    """The "Key achievements" section: a list, or with ``objectives`` one list per objective, then per service.

    Parameters
    ----------
    rows
        :func:`achievements` (or a selection of its rows).
    objectives
        The objectives in display order, to group the rows under them (the quarterly
        appendix); highlights with no objective follow, under their service.
    level
        The heading level of each group.
    notes
        A sentence to print after an objective's list, by objective (what a large register
        leaves out: see :func:`largest`).
    """
    return _render(rows, "No key achievement is recorded for this quarter.", objectives, level, notes)


def render_challenges(
    rows: pd.DataFrame,
    objectives: list[str] | None = None,
    *,
    level: int = 3,
    notes: Mapping[str, str] | None = None,
) -> Html:
    """The "Challenges" section, grouped as :func:`render_achievements` is."""
    return _render(rows, "No challenge is recorded for this quarter.", objectives, level, notes)
