"""Survey charts with alt text: who responded, and results with their confidence intervals.

In the results charts an estimate is a dot and its 95% interval a line drawn from the precomputed
bounds, and results by group are small multiples, one panel per breakdown (age band, sex, ward…)
stacked on a shared 0–100% scale. They are drawn with matplotlib alone: seaborn's objects interface
drew the same charts, but importing it (it loads ``scipy.stats``) and planning its plots took
three times as long as the drawing, and the survey appendix drew them on the run's critical path.
Charts are drawn at their printed size (:data:`perfkit.render.charts.WIDTH`) with no text under
:data:`perfkit.render.charts.MIN_FONT_PT`.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.transforms import ScaledTranslation

from ..render.charts import _STYLE, GRID, TEXT, Chart, _legend_below, house_style, new_figure, style_axes
from .narrative import breakdown_name, pct

__all__ = ["estimates_chart", "profile_chart"]

SAMPLE, POPULATION, WEIGHTED = "#8A4B00", "#1F4E8C", "#1E6B34"
INTERVAL = "#1F4E8C"
#: Height of one row (one estimate, or one category) in inches: room for an 8.5 pt label.
ROW = 0.25
#: Diameter of an estimate's dot, in points.
DOT = 5.5
#: The results charts' axes: a light grid on the value axis only, under the marks.
#: (typed Any: matplotlib's stubs want literal keys)
_GRID: Any = {"axes.grid": True, "axes.grid.axis": "x", "grid.color": GRID, "axes.axisbelow": True}


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


def _dots_and_intervals(ax: Axes, data: pd.DataFrame, label_col: str) -> None:
    """Each row's estimate as a dot, its interval as a line and the estimate written beside it.

    Rows are drawn top to bottom in the order given, one per whole number on the y axis.
    """
    y = np.arange(len(data), dtype=float)
    low, high = data["ci_low"].to_numpy(dtype=float), data["ci_high"].to_numpy(dtype=float)
    # a line collection (zorder 2) is drawn over the dots (1): each dot is a bead on its interval
    segments: Any = np.stack([np.column_stack([low, y]), np.column_stack([high, y])], axis=1)
    ax.add_collection(LineCollection(segments, colors=INTERVAL, linewidths=2.2, capstyle="projecting"))
    ax.scatter(data["pct"], y, s=DOT**2, c=TEXT, edgecolors=TEXT, linewidths=0.5, marker="o")
    # the estimate, written just past the end of its interval
    nudge = ScaledTranslation(5 / 72, 0, ax.figure.dpi_scale_trans)
    for x, row, value in zip(high, y, data["pct"], strict=True):
        ax.text(
            x,
            row,
            pct(value),
            color=TEXT,
            fontsize=_STYLE["ytick.labelsize"],
            ha="left",
            va="center_baseline",
            transform=ax.transData + nudge,
        )
    ax.set_xlim(0, 105)
    ax.set_ylim(len(data) - 0.5, -0.5)  # the first row at the top
    # parse_math=False: a "$" in a group's name from the data is text, not the start of a formula
    ax.set_yticks(y, [str(v) for v in data[label_col]], parse_math=False)


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
        if shown.empty:  # every group withheld: an empty scale that says so
            fig = new_figure(ROW + 1.1)
            ax = fig.subplots()
            ax.set_xlim(0, 105)
            ax.set_yticks([])
            ax.set_xlabel("% positive")
            ax.text(52.5, 0.5, "Not shown: too few people answered.", ha="center", va="center", color=TEXT)
        elif facet is None:
            fig = new_figure(ROW * len(shown) + 1.1)
            with matplotlib.rc_context(_GRID):
                ax = fig.subplots()
            _dots_and_intervals(ax, shown, label_col)
            ax.set_xlabel("% positive")
        else:
            panels = list(shown.groupby(facet, sort=False))
            sizes = [len(panel) for _, panel in panels]
            fig = new_figure(ROW * len(shown) + 0.3 * len(sizes) + 1.0)
            # one panel per value, stacked on a shared scale, each as tall as its rows so every row is the same
            with matplotlib.rc_context(_GRID):
                axes = fig.subplots(len(sizes), sharex=True, squeeze=False, height_ratios=sizes)[:, 0]
            for ax, (name, panel) in zip(axes, panels, strict=True):
                _dots_and_intervals(ax, panel.reset_index(drop=True), "group")
                # each panel's name, top left, in bold
                ax.set_title(str(name), loc="left", fontweight="bold", color=TEXT, parse_math=False)
                ax.tick_params(axis="x", labelbottom=False)
            axes[-1].tick_params(axis="x", labelbottom=True)
            axes[-1].set_xlabel("% positive")
        for ax in fig.get_axes():
            style_axes(ax)
            ax.grid(axis="x", color=GRID, linewidth=0.6)
            ax.set_axisbelow(True)
        handles = [
            Line2D([], [], color=INTERVAL, linewidth=2.2),
            Line2D([], [], color=TEXT, marker="o", linestyle="none", markersize=DOT),
        ]
        _legend_below(fig, handles, ["95% confidence interval", "Estimate"], ncols=2)
    parts = [f"{r[label_col]} {pct(r['pct'])} ({pct(r['ci_low'])} to {pct(r['ci_high'])})" for _, r in shown.iterrows()]
    alt = f"Dot chart of {title} with 95% confidence intervals: " + "; ".join(parts) + "."
    hidden = len(rows) - len(shown)
    if hidden:
        alt += f" {hidden} group{'s are' if hidden != 1 else ' is'} not shown because too few people answered."
    return Chart(fig, alt, caption)
