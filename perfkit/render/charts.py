"""Charts for the appendix, each with alt text written from its data.

Figures are drawn with matplotlib's object API (no pyplot state, so nothing
is shown twice in a notebook) and embedded as SVG data URIs in an ``<img>``
with the alt text, so the HTML stays one self-contained file and the PDF gets
vector graphics with real text. Each chart says in words what a sighted
reader would take from it, and marks status by shape and hatching as well as
colour.

Charts are drawn at the size they print: :data:`WIDTH` inches wide, which fits
the A4 page's text column (178 mm), with no text smaller than
:data:`MIN_FONT_PT`. The print stylesheet shows them at that natural size, so
a label drawn at 8 pt prints at 8 pt. The SVG is the same bytes on every run
(fixed ids, no date), which the cache and the byte-for-byte tests rely on.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from typing import Any
from urllib.parse import quote

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..assess import STATUSES
from ..rounding import places
from ..statuses import GROUP_NAMED_BY, in_sentence, symbol
from .formatting import format_value
from .svg import unwrap_bare_groups

__all__ = [
    "MIN_FONT_PT",
    "WIDTH",
    "Chart",
    "figure",
    "house_style",
    "render",
    "render_svg",
    "status_chart",
    "style_axes",
    "svg_data_uri",
    "trend_alt_text",
    "trend_chart",
]

#: Width every chart is drawn at, in inches. The A4 page's text column is 178 mm (7.0 in), so
#: the chart prints at exactly this size and its font sizes are the printed ones.
WIDTH = 6.5
#: The smallest text in any chart, in points, at its printed size (the issue's floor is 7 pt).
MIN_FONT_PT = 8.0

TEXT = "#1B1F23"
_TEXT = TEXT
GRID = "#D5D9DE"
_FILLS = {
    "green": "#1E6B34",
    "amber": "#C46A00",
    "red": "#B0182B",
    "no_target": "#8C939A",
    "no_data": "#B9BEC3",
    "not_due": "#DADDE0",
    "trend": "#3A6FB5",
    "other": "#5F666D",
}
# line hatches only: a dotted hatch is thousands of tiny circles in the SVG (67 KB for one pattern)
_HATCHES = {
    "green": "",
    "amber": "//",
    "red": "xx",
    "no_target": "||",
    "no_data": "--",
    "not_due": "",
    "trend": "\\\\",
    "other": "++",
}
#: Hatching is drawn in white on the dark fills and in the text colour on the light greys.
_HATCH_COLOURS = {s: ("white" if s in ("green", "amber", "red", "trend", "other") else TEXT) for s in _FILLS}
_MARKERS = {"green": "o", "amber": "^", "red": "X", "trend": "o", "no_target": "D"}
#: The tolerance band: a light amber fill, hatched, so it is told by pattern and legend as well as colour.
BAND_FILL, BAND_HATCH = "#FBE7CC", "#C98A3D"
#: The target's dash pattern (dash, gap in line widths) and the legend handle long enough to show it.
TARGET_DASHES = (4.0, 2.5)

_STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    # DejaVu Sans ships with matplotlib, so text is measured the same everywhere; the SVG names it first
    # and falls back to Arial, which is narrower, so text never outgrows the space measured for it
    "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans"],
    "font.size": 9.0,
    "axes.labelsize": 9.0,
    "axes.titlesize": 9.5,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "axes.edgecolor": "#4A4F55",
    "axes.labelcolor": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "text.color": TEXT,
    "hatch.linewidth": 0.9,
    "svg.fonttype": "none",  # text stays text: smaller files, selectable and tagged in the PDF
    "svg.hashsalt": "perfkit",  # fixed ids: the same SVG bytes on every run
    "svg.id": "chart",
}


@contextmanager
def house_style() -> Iterator[None]:
    """Draw (and save) figures in the house style: font sizes at print size, fixed SVG ids.

    matplotlib reads its settings when an artist is made, so a chart is built inside this
    context; the global settings of the notebook are left as they were.
    """
    style: Any = _STYLE  # matplotlib's stubs want literal keys
    with matplotlib.rc_context(style):
        yield


def new_figure(height: float, width: float = WIDTH) -> Figure:
    """A figure of the printed size whose layout keeps labels and legend inside it."""
    return Figure(figsize=(width, height), layout="constrained", facecolor="white")


#: matplotlib's hashed ids: markers (m), clip paths (p) and hatch patterns (h). A clip path's id hashes
#: its object's memory address, which differs from one run to the next.
#: Only in ``id="…"``, ``url(#…)`` and ``href="#…"``: never in the text of a label.
_HASHED_ID = re.compile(r"""(?<=["#])([mph])[0-9a-f]{10}(?=[")])""")


def render_svg(fig: Figure, *, tight: bool = False) -> str:
    """The figure as SVG text, byte-identical from run to run (no date, ids numbered in order).

    ``tight`` crops the figure to what is drawn (for figures not drawn at their printed size).
    """
    buf = io.StringIO()
    with house_style(), _laid_out_once(fig, skip=tight):
        fig.savefig(
            buf,
            format="svg",
            facecolor="white",
            bbox_inches="tight" if tight else None,
            metadata={"Date": None, "Creator": None},
        )
    return _renumber_ids(unwrap_bare_groups(buf.getvalue()))


@contextmanager
def _laid_out_once(fig: Figure, *, skip: bool = False) -> Iterator[None]:
    """Lay the figure out, then save it without its layout engine, which is put back afterwards.

    Saving a figure that has a layout engine draws it twice: once, drawing nothing, to run the
    layout, then for real. The first draw does all the work of the second (every tick and label
    is placed and measured) after the layout is done; here the layout runs on its own, measuring
    text with the SVG renderer as that first draw would, so the SVG is the same, in a third less time.
    """
    engine = fig.get_layout_engine()
    if skip or engine is None:
        yield
        return
    dpi = fig.dpi
    with matplotlib.rc_context({"savefig.format": "svg"}):  # the renderer the layout measures text with
        engine.execute(fig)
    fig.dpi = dpi  # the SVG renderer sets 72 dpi while it measures
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # with these settings on, None would mean a new engine
    try:
        yield
    finally:
        fig.set_layout_engine(engine)


def _renumber_ids(svg: str) -> str:
    """Rename matplotlib's hashed ids m/p/h + 10 hex digits to m1, p1, h1… in order of first use.

    >>> _renumber_ids('<clipPath id="p0123456789"/><use clip-path="url(#p0123456789)" href="#mabcdef0123"/>')
    '<clipPath id="p1"/><use clip-path="url(#p1)" href="#m1"/>'
    """
    names: dict[str, str] = {}
    counts: dict[str, int] = {}

    def rename(match: re.Match[str]) -> str:
        old = match.group(0)
        if old not in names:
            kind = match.group(1)
            counts[kind] = counts.get(kind, 0) + 1
            names[old] = f"{kind}{counts[kind]}"
        return names[old]

    return _HASHED_ID.sub(rename, svg)


def render(fig: Figure, *, tight: bool = False) -> bytes:
    """The figure as PNG bytes at print resolution (for JupyterLab users who want a picture)."""
    buf = io.BytesIO()
    with house_style():
        fig.savefig(
            buf,
            format="png",
            dpi=150,
            facecolor="white",
            bbox_inches="tight" if tight else None,
            metadata={"Software": None},
        )
    return buf.getvalue()


#: Kept as they are in a data URI: what is left is escaped, i.e. what HTML would read in a double-quoted
#: attribute (``"``, ``&``, ``<``, ``>``), what the URL parser would act on (``#``, ``%``, line breaks) and
#: anything not ASCII. SVG is mostly letters, digits and spaces, so this is far smaller than base64.
_URI_SAFE = " !$'()*+,-./:;=?@[]^_`{|}~"


def svg_data_uri(svg: str) -> str:
    """An SVG as a ``data:`` URI for an ``<img src>``, percent-encoding only what must be.

    >>> svg_data_uri('<svg fill="#fff">£</svg>')
    'data:image/svg+xml;charset=utf-8,%3Csvg fill=%22%23fff%22%3E%C2%A3%3C/svg%3E'
    """
    return "data:image/svg+xml;charset=utf-8," + quote(svg, safe=_URI_SAFE)


@dataclass(frozen=True)
class Chart:
    """A rendered chart with its alternative text.

    Attributes
    ----------
    figure
        The matplotlib figure (drawn at its printed size).
    alt
        What the chart shows, in words, for screen-reader users.
    caption
        A visible caption.
    """

    figure: Figure = field(repr=False, compare=False)
    alt: str
    caption: str
    #: crop to what is drawn (an analyst's own figure, not drawn at the printed size)
    tight: bool = field(default=False, repr=False, compare=False)

    @cached_property
    def svg(self) -> str:
        """The chart as SVG (what the appendix embeds)."""
        return render_svg(self.figure, tight=self.tight)

    @cached_property
    def png(self) -> bytes:
        """The chart as a PNG image at 150 dpi."""
        return render(self.figure, tight=self.tight)

    def to_html(self) -> str:
        """A ``<figure>`` with the SVG embedded as a data URI in an ``<img>`` with the alt text."""
        return (
            # the URI holds no character that HTML reads in an attribute (see _URI_SAFE): no escaping needed
            f'<figure class="chart"><img src="{svg_data_uri(self.svg)}" alt="{escape(self.alt)}">'
            f"<figcaption>{escape(self.caption)}</figcaption></figure>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"Chart({self.alt!r})"


def style_axes(ax) -> None:
    """House style for axes: no top or right spine, dark labels."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=TEXT)
    ax.yaxis.label.set_color(TEXT)
    ax.xaxis.label.set_color(TEXT)


def _legend_below(fig: Figure, handles: list, labels: list[str], ncols: int) -> None:
    """A legend under the chart, in as many columns (up to ``ncols``) as fit the figure's width."""
    for n in range(min(ncols, len(labels)), 0, -1):
        legend = fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=n,
            frameon=False,
            handlelength=3.2,  # long enough for a dashed line to show two dashes
            handler_map={tuple: HandlerTuple(ndivide=1, pad=0)},
        )
        # the legend's own size, measured without laying out the whole figure
        if legend.get_window_extent().width <= fig.bbox.width or n == 1:
            return
        legend.remove()


def _style(key: str) -> str:
    """The fill and hatching of a status, or of a group (drawn as the status that names it)."""
    return GROUP_NAMED_BY.get(key, key)


def status_chart(
    counts: pd.DataFrame,
    caption: str,
    words: Mapping[str, str] | None = None,
    subject: str = "metrics by status",
) -> Chart:
    """Horizontal stacked bars: metrics in each status (or group) for each objective.

    Each segment is filled, hatched and outlined; its count is printed in dark text on a
    white label (over 15:1 contrast whatever the fill), and left out where the segment is
    too narrow to hold it: the table before the chart and the alt text give every count.
    The legend gives each category's symbol and word, so nothing is told by colour alone.

    Parameters
    ----------
    counts
        :func:`perfkit.assess.objective_counts` output (objectives × statuses), or a frame with
        a column per key of ``words``.
    caption
        The visible caption.
    words
        The categories to draw, in order, each with its word: v1 statuses or the groups of
        :data:`perfkit.statuses.GROUPS` (and ``trend``) in the council's words, as the tables
        beside the chart name them. By default the v1 statuses and their v1 words.
    subject
        What is counted, as the alt text says it ("Bar chart of the 9 {subject} for each objective").

    Examples
    --------
    >>> counts = pd.DataFrame({"on_track": [3], "exception": [1], "other": [2]}, index=["Our customers"])
    >>> words = {"on_track": "On track", "within_tolerance": "On alert", "exception": "Exception", "other": "Other"}
    >>> chart = status_chart(counts, "Figure", words)
    >>> chart.alt
    'Bar chart of the 6 metrics by status for each objective. Our customers: 3 on track, 1 exception, 2 other.'
    >>> [t.get_text() for t in chart.figure.legends[0].get_texts()]
    ['✔ On track', '✖ Exception', '● Other']
    """
    names = dict(words) if words is not None else {s: STATUSES[s].label for s in STATUSES}
    statuses = [s for s in names if s in counts.columns and counts[s].sum() > 0]
    objectives = list(counts.index)
    with house_style():
        fig = new_figure(0.5 * len(objectives) + 1.5)
        ax = fig.subplots()
        left = [0] * len(objectives)
        handles, labels, texts = [], [], []
        for s in statuses:
            values = counts[s].tolist()
            # two layers: the fill with its hatching (hatching takes the edge colour), then a dark
            # outline, so even the palest segment has an edge with 3:1 contrast against white
            bars = ax.barh(
                range(len(objectives)),
                values,
                left=left,
                color=_FILLS[_style(s)],
                hatch=_HATCHES[_style(s)],
                edgecolor=_HATCH_COLOURS[_style(s)],
                linewidth=0,
            )
            ax.barh(range(len(objectives)), values, left=left, fill=False, edgecolor=TEXT, linewidth=0.7)
            handles.append(
                (
                    Patch(
                        facecolor=_FILLS[_style(s)],
                        hatch=_HATCHES[_style(s)],
                        edgecolor=_HATCH_COLOURS[_style(s)],
                        linewidth=0,
                    ),
                    Patch(fill=False, edgecolor=TEXT, linewidth=0.7),
                )
            )
            labels.append(f"{symbol(_style(s))} {names[s]}")
            for bar, v in zip(bars, values, strict=True):
                if v > 0:
                    t = ax.text(
                        bar.get_x() + bar.get_width() / 2,
                        bar.get_y() + bar.get_height() / 2,
                        f"{v:,}",
                        ha="center",
                        va="center",
                        fontweight="bold",
                        color=TEXT,
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none"),
                    )
                    texts.append((t, bar))
            left = [a + b for a, b in zip(left, values, strict=True)]
        # parse_math=False: a "$" in a name from the data is text, not the start of a formula
        ax.set_yticks(range(len(objectives)), [_wrap(o, 30) for o in objectives], parse_math=False)
        ax.invert_yaxis()
        ax.set_xlabel("Number of metrics")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        style_axes(ax)
        _legend_below(fig, handles, labels, ncols=4)
        fig.draw_without_rendering()  # lay the figure out, to measure the bars
        for t, bar in texts:
            box = t.get_bbox_patch()
            # a label wider than its segment would cover its neighbours' labels
            if box is not None and box.get_window_extent().width > bar.get_window_extent().width:
                t.remove()
    total = counts[statuses].to_numpy().sum()
    parts = []
    for obj in objectives:
        row = counts.loc[obj]
        bits = [f"{int(row[s])} {in_sentence(names[s])}" for s in statuses if row[s] > 0]
        parts.append(f"{obj}: {', '.join(bits)}")
    alt = f"Bar chart of the {total} {subject} for each objective. " + "; ".join(parts) + "."
    return Chart(fig, alt, caption)


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


def tolerance_band(history: pd.DataFrame) -> pd.DataFrame:
    """The band within tolerance for each quarter of a history: ``low`` and ``high``, NaN where there is none.

    A figure is within tolerance when it misses its target by no more than the tolerance
    (``tolerance_width``) but by more than the v2 green band (``green_width``, if any). The
    band lies below the target when higher is better and above it when lower is better.
    ``history`` needs ``target``, ``polarity`` and ``tolerance_width``; without them there is no band.

    >>> h = pd.DataFrame({"target": [95.0, 20.0], "polarity": ["higher", "lower"], "tolerance_width": [4.75, 2.0]})
    >>> tolerance_band(h)
         low  high
    0  90.25  95.0
    1  20.00  22.0
    """
    nan = pd.Series(math.nan, index=history.index)
    if not {"target", "polarity", "tolerance_width"} <= set(history.columns):
        return pd.DataFrame({"low": nan, "high": nan})
    target = pd.to_numeric(history["target"], errors="coerce")
    width = pd.to_numeric(history["tolerance_width"], errors="coerce")
    green = pd.to_numeric(history.get("green_width", nan), errors="coerce").fillna(0.0)
    width = width.where(width > green)
    below = history["polarity"] == "higher"
    above = history["polarity"] == "lower"
    low = (target - width).where(below, (target + green).where(above))
    high = (target - green).where(below, (target + width).where(above))
    band = pd.DataFrame({"low": low, "high": high})
    return band.where(band["low"].notna() & band["high"].notna())


def trend_alt_text(title: str, history: pd.DataFrame, unit: str, decimals: int) -> str:
    """Describe a metric's recent history in one or two sentences.

    ``history`` has ``period``, ``value`` and ``target`` columns in time order, and
    optionally ``polarity`` and ``tolerance_width`` (then the tolerance band is described).

    >>> h = pd.DataFrame({"period": ["2024/25 Q1", "2024/25 Q2"], "value": [82.0, 84.3], "target": [95.0, 95.0]})
    >>> print(trend_alt_text("% of complaints answered in time", h, "percent", 1))  # doctest: +NORMALIZE_WHITESPACE
    Line chart of % of complaints answered in time, 2024/25 Q1 to 2024/25 Q2: it rose from 82.0% in
    2024/25 Q1 to 84.3% in 2024/25 Q2, against a target of 95.0%.
    >>> h = h.assign(polarity="higher", tolerance_width=4.75)
    >>> print(trend_alt_text("% of complaints answered in time", h, "percent", 1))  # doctest: +NORMALIZE_WHITESPACE
    Line chart of % of complaints answered in time, 2024/25 Q1 to 2024/25 Q2: it rose from 82.0% in
    2024/25 Q1 to 84.3% in 2024/25 Q2, against a target of 95.0%. The shaded band is the tolerance: a
    figure below 95.0% down to 90.3% is within tolerance.
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
    bands = tolerance_band(known)
    band = bands.loc[last.name]
    if not math.isnan(band["low"]):
        when = "" if bands.dropna().nunique().max() == 1 else f"in {last['period']}, "
        if known.loc[last.name, "polarity"] == "higher":
            within = f"below {fmt(band['high'])} down to {fmt(band['low'])}"
        else:
            within = f"above {fmt(band['low'])} up to {fmt(band['high'])}"
        text += f" The shaded band is the tolerance: {when}a figure {within} is within tolerance."
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
    """A line chart of a metric over recent quarters, with its target and tolerance band.

    Parameters
    ----------
    title
        The metric's title.
    history
        ``period``, ``value``, ``target`` and ``status`` per quarter, in time order:
        :meth:`perfkit.QuarterReport.history` for one metric, or :func:`perfkit.assess_history`.
        With ``polarity`` and ``tolerance_width`` (and ``green_width``) too, as those give them,
        the band within tolerance is drawn, hatched and in the legend.
    unit, decimals
        For labels: the metric's ``unit`` and ``decimals`` in the register (a numpy integer is fine).
    caption
        The visible caption.

    Returns
    -------
    Chart
        Shown as a figure in JupyterLab; ``.alt`` is its alternative text, ``.svg`` and ``.png`` the image.

    Examples
    --------
    >>> m = tiny.metrics.loc["A1"]
    >>> hist = pk.assess_history(tiny, pk.quarter_range("2024/25 Q1", "2024/25 Q2"), codes=["A1"])
    >>> chart = pk.trend_chart(m["title"], hist, m["unit"], m["decimals"], caption=m["title"])
    >>> print(chart.alt)  # doctest: +NORMALIZE_WHITESPACE
    Line chart of % of complaints answered within 15 working days, 2024/25 Q1 to 2024/25 Q2: it rose
    from 80.0% in 2024/25 Q1 to 84.3% in 2024/25 Q2, against a target of 95.0%. The shaded band is the
    tolerance: a figure below 95.0% down to 90.3% is within tolerance.
    """
    decimals = places(decimals)
    history = history.reset_index(drop=True)
    band = tolerance_band(history)
    x = list(range(len(history)))
    handles: list = []
    labels: list[str] = []
    with house_style():
        fig = new_figure(3.3)
        ax = fig.subplots()
        # each quarter's target and band span the whole quarter, x - 0.5 to x + 0.5
        edges = [e for i in x for e in (i - 0.5, i + 0.5)]
        if band["low"].notna().any():
            fill = ax.fill_between(
                edges,
                _twice(band["low"]),
                _twice(band["high"]),
                facecolor=BAND_FILL,
                hatch="//",
                edgecolor=BAND_HATCH,
                linewidth=0,
                zorder=0,
            )
            handles.append(fill)
            labels.append("Tolerance band")
        if history["target"].notna().any():
            (target,) = ax.plot(
                edges,
                _twice(history["target"]),  # a target holds for its quarter; a year-to-date target steps
                color=TEXT,
                linestyle=(0, TARGET_DASHES),
                linewidth=1.4,
                zorder=1,
            )
            handles.append(target)
            labels.append("Target")
        (actual,) = ax.plot(x, history["value"], color="#1F4E8C", linewidth=2, zorder=2)
        handles.insert(0, actual)
        labels.insert(0, "Actual")
        order = [0, *[i for i, lab in enumerate(labels) if lab == "Target"]]
        order += [i for i in range(len(labels)) if i not in order]
        handles, labels = [handles[i] for i in order], [labels[i] for i in order]
        for s, marker in _MARKERS.items():
            sel = history["status"] == s
            if sel.any():
                points = ax.scatter(
                    [i for i, m in zip(x, sel, strict=True) if m],
                    history.loc[sel, "value"],
                    marker=marker,
                    s=70,
                    color=_FILLS[s],
                    edgecolor="white",
                    linewidth=0.8,
                    zorder=3,
                )
                handles.append(points)
                labels.append(f"{STATUSES[s].symbol} {STATUSES[s].label}")
        ax.set_xticks(x, [p.replace(" Q", "\nQ") for p in history["period"]], parse_math=False)
        ax.set_xlim(-0.5, len(x) - 0.5)
        ax.set_ylabel({"percent": "%", "days": "days", "currency": "£"}.get(unit, "value"))
        _fit_y(ax, [history["value"], history["target"], band["low"], band["high"]])
        style_axes(ax)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        known = history.dropna(subset=["value"])
        if not known.empty:
            i = known.index[-1]
            ax.annotate(
                format_value(known.loc[i, "value"], unit, decimals),
                (x[i], known.loc[i, "value"]),
                textcoords="offset points",
                xytext=(0, 9),
                ha="center",
                color=TEXT,
                fontweight="bold",
                # on white, whatever it sits over (the band, a grid line)
                bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none"),
            )
        _legend_below(fig, handles, labels, ncols=len(labels))
    return Chart(fig, trend_alt_text(title, history, unit, decimals), caption)


def _twice(values: pd.Series) -> list[float]:
    """Each value twice: at the start and the end of its quarter."""
    return [float(v) for v in pd.to_numeric(values, errors="coerce") for _ in range(2)]


def _fit_y(ax, series: list[pd.Series]) -> None:
    """Y limits with room above and below everything drawn: a target at the top edge is not clipped."""
    values = pd.concat([pd.to_numeric(s, errors="coerce") for s in series]).dropna()
    if values.empty:
        return
    lo, hi = float(values.min()), float(values.max())
    pad = (hi - lo) * 0.15 or max(abs(hi) * 0.1, 1.0)
    ax.set_ylim(lo - pad, hi + pad)


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
        Shown as a figure in JupyterLab; ``.alt`` is its alternative text, ``.svg`` and ``.png`` the image.

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
    # an analyst's figure is not drawn at the printed size: crop it to what is drawn
    chart = Chart(found, alt.strip(), caption, tight=True)
    chart.svg  # noqa: B018 - rendered now, while the figure is as the analyst left it
    if "matplotlib.pyplot" in sys.modules:  # seaborn draws through pyplot: close it, or Jupyter shows it again
        sys.modules["matplotlib.pyplot"].close(found)
    return chart
