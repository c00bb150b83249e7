"""Survey charts with alt text: who responded, and results with their confidence intervals.

The results charts are drawn with seaborn's objects interface, the statistical plotting layer of
the stack: an estimate is a dot and its 95% interval a range drawn from the precomputed bounds
(``so.Range`` with ``xmin``/``xmax``), and results by group are small multiples, one panel per
breakdown (age band, sex, ward…) on a shared 0–100% scale. Charts are drawn at their printed size
(:data:`perfkit.render.charts.WIDTH`) with no text under :data:`perfkit.render.charts.MIN_FONT_PT`.
"""

from __future__ import annotations

import warnings
from typing import Any

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..render.charts import _STYLE, GRID, TEXT, Chart, _legend_below, house_style, new_figure, style_axes
from .narrative import breakdown_name, pct

__all__ = ["estimates_chart", "profile_chart"]

SAMPLE, POPULATION, WEIGHTED = "#8A4B00", "#1F4E8C", "#1E6B34"
INTERVAL = "#1F4E8C"
#: Height of one row (one estimate, or one category) in inches: room for an 8.5 pt label.
ROW = 0.25


def profile_chart(profile: pd.DataFrame, variable: str, caption: str) -> Chart:
    """Sample %, population % and weighted % for the categories of one weighting variable."""
    rows = profile[profile["variable"] == variable].reset_index(drop=True)
    with house_style():
        fig = new_figure(0.5 * len(rows) + 1.3)
        ax = fig.subplots()
        y = range(len(rows))
        h = 0.27
        ax.barh(
            [i - h for i in y],
            rows["sample_pct"].fillna(0),
            height=h,
            color=SAMPLE,
            hatch="//",
            edgecolor="white",
            label="Respondents (unweighted)",
        )
        ax.barh(list(y), rows["population_pct"], height=h, color=POPULATION, label="Population")
        ax.barh(
            [i + h for i in y],
            rows["weighted_pct"].fillna(0),
            height=h,
            color=WEIGHTED,
            hatch="\\\\",  # lines, not dots: a dotted hatch is thousands of circles in the SVG
            edgecolor="white",
            label="Respondents (weighted)",
        )
        # parse_math=False: a "$" in a category from the data is text, not the start of a formula
        ax.set_yticks(list(y), rows["category"], parse_math=False)
        ax.invert_yaxis()
        ax.set_xlabel("% of respondents or residents")
        style_axes(ax)
        handles, labels = ax.get_legend_handles_labels()
        _legend_below(fig, handles, labels, ncols=3)
    parts = []
    for r in rows.itertuples():
        if r.suppressed:
            parts.append(
                f"{r.category}: fewer respondents than can be shown, {pct(r.population_pct, 1)} of the population"
            )
        else:
            parts.append(
                f"{r.category}: {pct(r.sample_pct, 1)} of respondents, {pct(r.population_pct, 1)} of the "
                f"population, {pct(r.weighted_pct, 1)} once weighted"
            )
    alt = (
        f"Bar chart comparing respondents with the population by {breakdown_name(variable)}. " + "; ".join(parts) + "."
    )
    return Chart(fig, alt, caption)


def _theme() -> dict[str, Any]:
    import seaborn as sns

    # seaborn's white "ticks" style, with matplotlib's line weights and the house fonts and sizes
    lines = {k: matplotlib.rcParamsDefault[k] for k in ("axes.linewidth", "xtick.major.size", "ytick.major.size")}
    lines |= {"xtick.major.width": 0.8, "ytick.major.width": 0.8}
    return {**sns.axes_style("ticks"), **lines, **_STYLE, "axes.grid": True, "axes.grid.axis": "x", "grid.color": GRID}


def _dots_and_intervals(fig: Figure, data: pd.DataFrame, label_col: str, facet: str | None) -> None:
    """Each row's estimate as a dot, its interval as a line and the estimate written beside it.

    With ``facet``, one panel per value of that column, stacked, sharing the 0-100 scale.
    """
    import seaborn.objects as so

    data = data.assign(_text=data["pct"].map(pct))
    plot = (
        so.Plot(data, x="pct", y=label_col)
        .add(so.Range(color=INTERVAL, linewidth=2.2), xmin="ci_low", xmax="ci_high")
        .add(so.Dot(color=TEXT, pointsize=5.5))
        # the estimate, written just past the end of its interval
        .add(
            so.Text(color=TEXT, halign="left", offset=5, fontsize=_STYLE["ytick.labelsize"]), x="ci_high", text="_text"
        )
        .limit(x=(0, 105))
        .label(x="% positive", y="")
        .theme(_theme())
    )
    if facet is not None:  # each panel is titled with its value alone ("Sex", not "breakdown_name = Sex")
        plot = plot.facet(row=facet).share(y=False).label(title=str)
    with warnings.catch_warnings():
        # seaborn 0.13 passes pandas a keyword that pandas 3 deprecates; the result is the same
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
        plot.on(fig).plot()


def estimates_chart(
    rows: pd.DataFrame, title: str, caption: str, label_col: str = "group", facet: str | None = None
) -> Chart:
    """Estimates as dots with their 95% intervals as lines; suppressed rows are left out and said so.

    Parameters
    ----------
    rows
        ``pct``, ``ci_low``, ``ci_high``, ``suppressed`` and the label columns, one row per estimate.
    title
        What the estimates are, for the alt text.
    caption
        The visible caption.
    label_col
        The column naming each estimate in the alt text (and on the chart without ``facet``).
    facet
        A column to draw small multiples by, one panel per value, each row labelled by ``group``
        (for results by group: ``facet="breakdown_name"``, panels "Age band", "Sex", …).
    """
    shown = rows[~rows["suppressed"].astype(bool)].reset_index(drop=True)
    if facet is not None and (shown.empty or shown[facet].nunique() < 2):
        facet = None
    with house_style():
        if shown.empty:  # every group withheld: an empty scale that says so (seaborn cannot plot no rows)
            fig = new_figure(ROW + 1.1)
            ax = fig.subplots()
            ax.set_xlim(0, 105)
            ax.set_yticks([])
            ax.set_xlabel("% positive")
            ax.text(52.5, 0.5, "Not shown: too few people answered.", ha="center", va="center", color=TEXT)
        elif facet is None:
            fig = new_figure(ROW * len(shown) + 1.1)
            _dots_and_intervals(fig, shown, label_col, None)
        else:
            sizes = shown.groupby(facet, sort=False).size()
            fig = new_figure(ROW * len(shown) + 0.3 * len(sizes) + 1.0)
            _dots_and_intervals(fig, shown, "group", facet)
            # seaborn's panels are of equal height: make each as tall as its rows, so every row is the same
            spec = fig.axes[0].get_subplotspec()
            assert spec is not None  # seaborn lays its panels out on a grid
            spec.get_gridspec().set_height_ratios(list(sizes))
            for ax in fig.axes:  # each panel's name, top left, in bold
                name = ax.get_title()
                ax.set_title("")
                ax.set_title(name, loc="left", fontweight="bold", color=TEXT, parse_math=False)
        for ax in fig.get_axes():
            # seaborn sets the category labels as they are; a "$" in one is text, not the start of a formula
            ax.set_yticks(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], parse_math=False)
            style_axes(ax)
            ax.grid(axis="x", color=GRID, linewidth=0.6)
            ax.set_axisbelow(True)
        handles = [
            Line2D([], [], color=INTERVAL, linewidth=2.2),
            Line2D([], [], color=TEXT, marker="o", linestyle="none", markersize=5.5),
        ]
        _legend_below(fig, handles, ["95% confidence interval", "Estimate"], ncols=2)
    parts = [f"{r[label_col]} {pct(r['pct'])} ({pct(r['ci_low'])} to {pct(r['ci_high'])})" for _, r in shown.iterrows()]
    alt = f"Dot chart of {title} with 95% confidence intervals: " + "; ".join(parts) + "."
    hidden = len(rows) - len(shown)
    if hidden:
        alt += f" {hidden} group{'s are' if hidden != 1 else ' is'} not shown because too few people answered."
    return Chart(fig, alt, caption)
