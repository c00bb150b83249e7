"""Survey charts with alt text: who responded, and results with their confidence intervals."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from ..render.charts import Chart, render, style_axes
from .narrative import breakdown_name, pct

__all__ = ["estimates_chart", "profile_chart"]

SAMPLE, POPULATION, WEIGHTED = "#8A4B00", "#1F4E8C", "#1E6B34"


def profile_chart(profile: pd.DataFrame, variable: str, caption: str) -> Chart:
    """Sample %, population % and weighted % for the categories of one weighting variable."""
    rows = profile[profile["variable"] == variable].reset_index(drop=True)
    fig = Figure(figsize=(7.5, 0.55 * len(rows) + 1.3))
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
        hatch="..",
        edgecolor="white",
        label="Respondents (weighted)",
    )
    # parse_math=False: a "$" in a category from the data is text, not the start of a formula
    ax.set_yticks(list(y), rows["category"], parse_math=False)
    ax.invert_yaxis()
    ax.set_xlabel("% of respondents or residents")
    style_axes(ax)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22 - 0.01 * len(rows)), ncol=3, frameon=False, fontsize=8.5)
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
    return Chart(render(fig), alt, caption)


def estimates_chart(rows: pd.DataFrame, title: str, caption: str, label_col: str = "group") -> Chart:
    """Estimates as dots with their 95% intervals as lines; suppressed rows are left out and said so."""
    shown = rows[~rows["suppressed"]].reset_index(drop=True)
    fig = Figure(figsize=(7.5, 0.42 * max(len(shown), 1) + 1.2))
    ax = fig.subplots()
    y = list(range(len(shown)))
    ax.hlines(y, shown["ci_low"], shown["ci_high"], color="#1F4E8C", linewidth=2.2, label="95% confidence interval")
    ax.plot(shown["pct"], y, "o", color="#1B1F23", markersize=6, label="Estimate")
    for i, r in shown.iterrows():
        ax.annotate(
            pct(r["pct"]), (r["ci_high"], i), textcoords="offset points", xytext=(5, -3), fontsize=8.5, color="#1B1F23"
        )
    ax.set_yticks(y, shown[label_col], parse_math=False)  # a "$" in a label is text
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set_xlabel("% positive")
    ax.grid(axis="x", color="#E3E5E8")
    style_axes(ax)
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.3 if len(shown) < 6 else -0.12), ncol=2, frameon=False, fontsize=8.5
    )
    parts = [f"{r[label_col]} {pct(r['pct'])} ({pct(r['ci_low'])} to {pct(r['ci_high'])})" for _, r in shown.iterrows()]
    alt = f"Dot chart of {title} with 95% confidence intervals: " + "; ".join(parts) + "."
    hidden = len(rows) - len(shown)
    if hidden:
        alt += f" {hidden} group{'s are' if hidden != 1 else ' is'} not shown because too few people answered."
    return Chart(render(fig), alt, caption)
