"""Drafted paragraphs for the survey appendix, from aggregate results only.

Suppressed groups are never described by their result; they are named only
in the note that explains why their results are withheld.
"""

from __future__ import annotations

import math

import pandas as pd

from ..narrative import count_phrase, join_words, number_word
from ..periods import long_date
from .analysis import SurveyAnalysis

__all__ = ["breakdown_name", "draft_survey_narrative", "half_width", "pct"]


def pct(value: float, decimals: int = 0) -> str:
    """``48%``."""
    return f"{value:.{decimals}f}%"


def half_width(row) -> float:
    """Half the width of the 95% interval, in percentage points: the "±" readers expect.

    Logit intervals are not symmetric; the half-width is their average distance from the estimate.
    """
    return (row["ci_high"] - row["ci_low"]) / 2


def breakdown_name(column: str) -> str:
    """``age_band`` → ``age band``."""
    return column.replace("_", " ")


def _question_sentence(row: pd.Series, statement: str, label: str, previous_wave: str | None) -> str:
    lead = f"{pct(row['pct'])} (±{half_width(row):.1f} points)"
    text = f"{lead} {statement}" if statement else f"{lead} answered positively to “{label}”"
    if previous_wave and not math.isnan(row["previous_pct"]):
        prev = pct(row["previous_pct"])
        change = row["change"]
        if row["significant_vs_previous"]:
            direction = "down" if change < 0 else "up"
            kind = "fall" if change < 0 else "rise"
            text += f", {direction} from {prev} in {previous_wave}, a statistically significant {kind}"
        else:
            text += f", compared with {prev} in {previous_wave}; the difference is not statistically significant"
    return text + "."


def _differences(rows: pd.DataFrame) -> str:
    items = []
    for bd, grp in rows.groupby("breakdown", sort=False):
        parts = [f"{r.group} {'higher' if r.pct > r.overall_pct else 'lower'} ({pct(r.pct)})" for r in grp.itertuples()]
        items.append(f"by {breakdown_name(bd)}, {join_words(parts)}")
    return "; ".join(items)


def draft_survey_narrative(analysis: SurveyAnalysis) -> list[str]:
    """The summary paragraphs of the survey appendix.

    Returns
    -------
    list of str
        Who responded and how results are weighted; one sentence per question with
        its interval and change; the groups that differ significantly from other
        residents; and the suppression note (only when a group is suppressed).
    """
    cur = analysis.current
    wave = cur.wave
    est = analysis.estimates
    prev_name = analysis.previous.wave.title if analysis.previous else None
    prev_label = analysis.previous.wave.name if analysis.previous else None
    n = cur.weighting.n
    vars_ = join_words([breakdown_name(v) for v in wave.weight_by])
    source = f" ({wave.population_source})" if wave.population_source else ""
    paras = [
        f"{n:,} residents responded to the {wave.title}, whose fieldwork ended on {long_date(wave.fieldwork_end)}. "
        f"Results are weighted to the population by {vars_}{source}, so that groups who answered less often "
        "count in proportion to their share of residents. Figures in brackets give the margin of error: "
        "the 95% confidence interval around each result."
    ]
    sentences = []
    all_rows = est[est["breakdown"] == "All"].set_index("question")
    for q in wave.questions:
        row = all_rows.loc[q.key]
        if row["suppressed"]:
            continue
        sentences.append(_question_sentence(row, q.statement, q.label, prev_label))
    if sentences:
        paras.append(" ".join(s[:1].upper() + s[1:] for s in sentences))
    if prev_name:
        paras[0] += f" Changes are compared with the {prev_name}."

    diffs = []
    overall = est[est["breakdown"] == "All"].set_index("question")["pct"]
    significant = est[(est["breakdown"] != "All") & est["significant_vs_rest"].astype(bool)]
    by_question = {key: frame for key, frame in significant.groupby("question", sort=False)}
    for q in wave.questions:
        if q.key not in by_question:
            continue
        sig = by_question[q.key].copy()
        # the overall share lies between a group and the rest, so it tells higher from lower
        sig["overall_pct"] = overall.loc[q.key]
        diffs.append(f"{q.label}: {_differences(sig)}")
    if diffs:
        paras.append(
            "Groups whose results differ significantly from other residents (95% level): " + ". ".join(diffs) + "."
        )
    else:
        paras.append("No group's results differ significantly from those of other residents.")

    suppressed = est[est["suppressed"] & (est["breakdown"] != "All")][["breakdown", "group"]].drop_duplicates()
    if not suppressed.empty:
        named = [f"{r.group} ({breakdown_name(r.breakdown)})" for r in suppressed.itertuples()]
        paras.append(
            f"Results are not shown for {count_phrase(len(named), 'group')} with fewer than "
            f"{number_word(wave.min_cell) if wave.min_cell < 10 else wave.min_cell} respondents answering: "
            f"{join_words(named)}. Such small samples give unreliable results and could identify individuals."
        )
    return paras
