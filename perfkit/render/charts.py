"""Charts for the appendix, each with alt text written from its data.

Figures are drawn with matplotlib's object API (no pyplot state, so nothing
is shown twice in a notebook) and embedded as PNG data URIs, so the HTML
stays one self-contained file. Each chart says in words what a sighted
reader would take from it, and marks status by shape and hatching as well as
colour.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from html import escape

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..assess import STATUSES
from ..rounding import places
from .formatting import format_value

__all__ = ["Chart", "figure", "render", "status_chart", "style_axes", "trend_alt_text", "trend_chart"]

_FILLS = {
    "green": "#1E6B34",
    "amber": "#C46A00",
    "red": "#B0182B",
    "no_target": "#8C939A",
    "no_data": "#B9BEC3",
    "not_due": "#DADDE0",
    "trend": "#3A6FB5",
}
_HATCHES = {"green": "", "amber": "//", "red": "xx", "no_target": "..", "no_data": "--", "not_due": "", "trend": "\\\\"}
_MARKERS = {"green": "o", "amber": "^", "red": "X", "trend": "o", "no_target": "D"}
_TEXT = "#1B1F23"


@dataclass(frozen=True)
class Chart:
    """A rendered chart with its alternative text.

    Attributes
    ----------
    png
        The image.
    alt
        What the chart shows, in words, for screen-reader users.
    caption
        A visible caption.
    """

    png: bytes
    alt: str
    caption: str

    def to_html(self) -> str:
        """A ``<figure>`` with the image embedded as a data URI."""
        data = base64.b64encode(self.png).decode("ascii")
        return (
            f'<figure class="chart"><img src="data:image/png;base64,{data}" alt="{escape(self.alt)}">'
            f"<figcaption>{escape(self.caption)}</figcaption></figure>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"Chart({self.alt!r})"


def render(fig: Figure) -> bytes:
    """The figure as PNG bytes at print resolution."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def style_axes(ax) -> None:
    """House style for axes: no top or right spine, dark labels."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=_TEXT, labelsize=9)
    ax.yaxis.label.set_color(_TEXT)
    ax.xaxis.label.set_color(_TEXT)


def status_chart(counts: pd.DataFrame, caption: str) -> Chart:
    """Horizontal stacked bars: metrics in each status for each objective.

    Parameters
    ----------
    counts
        :func:`perfkit.assess.objective_counts` output (objectives × statuses).
    caption
        The visible caption.
    """
    statuses = [s for s in STATUSES if s in counts.columns and counts[s].sum() > 0]
    objectives = list(counts.index)
    fig = Figure(figsize=(8, 0.75 * len(objectives) + 1.4))
    ax = fig.subplots()
    left = [0] * len(objectives)
    for s in statuses:
        values = counts[s].tolist()
        bars = ax.barh(
            range(len(objectives)),
            values,
            left=left,
            color=_FILLS[s],
            hatch=_HATCHES[s],
            edgecolor="white",
            linewidth=1.0,
            label=f"{STATUSES[s].symbol} {STATUSES[s].label}",
        )
        for bar, v in zip(bars, values, strict=True):
            if v > 0:
                dark = s in ("green", "amber", "red", "trend")
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    str(v),
                    ha="center",
                    va="center",
                    fontsize=9,
                    fontweight="bold",
                    color="white" if dark else _TEXT,
                    bbox=dict(boxstyle="round,pad=0.15", fc=_FILLS[s], ec="none") if dark else None,
                )
        left = [a + b for a, b in zip(left, values, strict=True)]
    # parse_math=False: a "$" in a name from the data is text, not the start of a formula
    ax.set_yticks(range(len(objectives)), [_wrap(o, 34) for o in objectives], parse_math=False)
    ax.invert_yaxis()
    ax.set_xlabel("Number of metrics")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    style_axes(ax)
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.18 - 0.02 * len(objectives)), ncol=4, frameon=False, fontsize=9
    )
    total = counts[statuses].to_numpy().sum()
    parts = []
    for obj in objectives:
        row = counts.loc[obj]
        bits = [f"{int(row[s])} {STATUSES[s].label.lower()}" for s in statuses if row[s] > 0]
        parts.append(f"{obj}: {', '.join(bits)}")
    alt = f"Bar chart of the {total} metrics by status for each objective. " + "; ".join(parts) + "."
    return Chart(render(fig), alt, caption)


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


def trend_alt_text(title: str, history: pd.DataFrame, unit: str, decimals: int) -> str:
    """Describe a metric's recent history in one or two sentences.

    ``history`` has ``period``, ``value`` and ``target`` columns in time order.

    >>> h = pd.DataFrame({"period": ["2024/25 Q1", "2024/25 Q2"], "value": [82.0, 84.3], "target": [95.0, 95.0]})
    >>> print(trend_alt_text("% of complaints answered in time", h, "percent", 1))  # doctest: +NORMALIZE_WHITESPACE
    Line chart of % of complaints answered in time, 2024/25 Q1 to 2024/25 Q2: it rose from 82.0% in
    2024/25 Q1 to 84.3% in 2024/25 Q2, against a target of 95.0%.
    """
    fmt = lambda v: format_value(v, unit, decimals)  # noqa: E731
    known = history.dropna(subset=["value"])
    span = f"{history['period'].iloc[0]} to {history['period'].iloc[-1]}"
    if known.empty:
        return f"Line chart of {title}, {span}: no figures were supplied."
    last = known.iloc[-1]
    text = f"Line chart of {title}, {span}: "
    if len(known) >= 2:
        prev = known.iloc[-2]
        if last["value"] > prev["value"]:
            verb = "rose"
        elif last["value"] < prev["value"]:
            verb = "fell"
        else:
            verb = None
        if verb:
            text += (
                f"it {verb} from {fmt(prev['value'])} in {prev['period']} to {fmt(last['value'])} in {last['period']}"
            )
        else:
            text += f"it was unchanged at {fmt(last['value'])} in {prev['period']} and {last['period']}"
    else:
        text += f"the only figure is {fmt(last['value'])} in {last['period']}"
    if "target" in known and not math.isnan(last.get("target", math.nan)):
        text += f", against a target of {fmt(last['target'])}"
    text += "."
    if len(known) >= 3:
        lo, hi = known.loc[known["value"].idxmin()], known.loc[known["value"].idxmax()]
        text += (
            f" Over the period the lowest figure was {fmt(lo['value'])} ({lo['period']}) and the highest "
            f"{fmt(hi['value'])} ({hi['period']})."
        )
    missing = len(history) - len(known)
    if missing:
        text += f" {missing} quarter{'s have' if missing != 1 else ' has'} no figure."
    return text


def trend_chart(title: str, history: pd.DataFrame, unit: str, decimals: int, caption: str) -> Chart:
    """A line chart of a metric over recent quarters, with its target.

    Parameters
    ----------
    title
        The metric's title.
    history
        ``period``, ``value``, ``target`` and ``status`` per quarter, in time order:
        :meth:`perfkit.QuarterReport.history` for one metric, or :func:`perfkit.assess_history`.
    unit, decimals
        For labels: the metric's ``unit`` and ``decimals`` in the register (a numpy integer is fine).
    caption
        The visible caption.

    Returns
    -------
    Chart
        Shown as a figure in JupyterLab; ``.alt`` is its alternative text, ``.png`` the image.

    Examples
    --------
    >>> m = tiny.metrics.loc["A1"]
    >>> hist = pk.assess_history(tiny, pk.quarter_range("2024/25 Q1", "2024/25 Q2"), codes=["A1"])
    >>> chart = pk.trend_chart(m["title"], hist, m["unit"], m["decimals"], caption=m["title"])
    >>> print(chart.alt)  # doctest: +NORMALIZE_WHITESPACE
    Line chart of % of complaints answered within 15 working days, 2024/25 Q1 to 2024/25 Q2: it rose
    from 80.0% in 2024/25 Q1 to 84.3% in 2024/25 Q2, against a target of 95.0%.
    """
    decimals = places(decimals)
    fig = Figure(figsize=(7.5, 3.2))
    ax = fig.subplots()
    x = list(range(len(history)))
    ax.plot(x, history["value"], color="#1F4E8C", linewidth=2, zorder=2, label="Actual")
    for s, marker in _MARKERS.items():
        sel = history["status"] == s
        if sel.any():
            ax.scatter(
                [i for i, m in zip(x, sel, strict=True) if m],
                history.loc[sel, "value"],
                marker=marker,
                s=70,
                color=_FILLS[s],
                edgecolor="white",
                linewidth=0.8,
                zorder=3,
                label=f"{STATUSES[s].symbol} {STATUSES[s].label}",
            )
    if history["target"].notna().any():
        ax.plot(
            x,
            history["target"],
            color=_TEXT,
            linestyle="--",
            linewidth=1.2,
            marker="_",
            markersize=16,
            markeredgewidth=1.6,
            label="Target",
            zorder=1,
        )
    ax.set_xticks(x, [p.replace(" Q", "\nQ") for p in history["period"]], parse_math=False)
    ax.set_ylabel({"percent": "%", "days": "days", "currency": "£"}.get(unit, "value"))
    style_axes(ax)
    ax.grid(axis="y", color="#E3E5E8")
    known = history.dropna(subset=["value"])
    if not known.empty:
        i = known.index[-1]
        ax.annotate(
            format_value(known.loc[i, "value"], unit, decimals),
            (x[history.index.get_loc(i)], known.loc[i, "value"]),
            textcoords="offset points",
            xytext=(0, 9),
            ha="center",
            fontsize=9,
            color=_TEXT,
            fontweight="bold",
        )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=5, frameon=False, fontsize=8.5)
    return Chart(render(fig), trend_alt_text(title, history, unit, decimals), caption)


def figure(fig: object, alt: str, caption: str = "") -> Chart:
    """A matplotlib or seaborn figure of your own, shown in a notebook with its alternative text.

    JupyterLab shows matplotlib figures as bare images, which a screen reader can only call
    "image". Pass the figure here, with a sentence saying what it shows, and the notebook
    (and its HTML export) gets an ``<img>`` with that ``alt`` and a visible caption. The figure
    is closed, so it is not also shown without its text.

    Parameters
    ----------
    fig
        A matplotlib ``Figure`` or ``Axes``, or a seaborn grid (``sns.relplot``, ``sns.catplot``,
        ``sns.FacetGrid`` …): anything with a ``figure``.
    alt
        What a sighted reader takes from the chart, in words, written from its data.
    caption
        A visible caption (optional).

    Returns
    -------
    Chart
        Shown as a figure in JupyterLab; ``.alt`` is its alternative text, ``.png`` the image.

    Raises
    ------
    UsageError
        When ``alt`` is empty, or ``fig`` is not a figure.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> _ = fig.subplots().bar(["Q1", "Q2"], [3, 5])
    >>> chart = pk.figure(fig, alt="Bar chart: 3 exceptions in Q1 and 5 in Q2.")
    >>> chart
    Chart('Bar chart: 3 exceptions in Q1 and 5 in Q2.')
    >>> 'alt="Bar chart: 3 exceptions in Q1 and 5 in Q2."' in chart.to_html()
    True
    >>> pk.figure(fig, alt=" ")
    Traceback (most recent call last):
    ...
    perfkit.errors.UsageError: A chart needs alternative text: say in words what it shows, e.g. ...
    """
    import sys

    from ..errors import UsageError

    if not isinstance(alt, str) or not alt.strip():
        raise UsageError(
            "A chart needs alternative text: say in words what it shows, e.g. "
            "pk.figure(fig, alt='Line chart of missed bins by quarter: it fell from 120 in Q1 to 80 in Q4.')."
        )
    found = fig if isinstance(fig, Figure) else getattr(fig, "figure", None)
    if not isinstance(found, Figure):
        raise UsageError(f"pk.figure() takes a matplotlib Figure or Axes, or a seaborn grid, not {type(fig).__name__}.")
    png = render(found)
    if "matplotlib.pyplot" in sys.modules:  # seaborn draws through pyplot: close it, or Jupyter shows it again
        sys.modules["matplotlib.pyplot"].close(found)
    return Chart(png, alt.strip(), caption)
