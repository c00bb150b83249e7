"""The sections of the survey and demographic insight appendix, as HTML the notebook displays.

Everything shown is an aggregate: no respondent-level row, identifier or
free-text answer reaches these functions' output. Suppressed groups show
"Not shown" with the reason, in tables and charts alike.

As in the quarterly appendix, each section takes the :class:`SurveyAnalysis` and,
optionally, the rows to show, which the notebook binds so they can be filtered first.

Examples
--------
>>> findings = srv.key_findings()
>>> html = pk.survey_report.key_findings(srv, findings[findings["question"] == "satisfied_area"])
>>> "Satisfied with the local area as a place to live" in html, "Satisfied with the way the council" in html
(True, False)
>>> print(pk.survey_report.introduction(srv))  # doctest: +NORMALIZE_WHITESPACE
<p class="lead">This appendix reports the results of the Residents&#x27; Survey 2024 for 2024/25 Q2, weighted
to the population, with the margin of error of each result and compares them with the Residents&#x27; Survey
2023. Results are broken down by age band, sex, ward, disability, ethnicity.</p>
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from ..data.register import find_data_dir
from ..periods import Quarter, parse_quarter
from ..render.html import Html
from ..render.tables import Column, html_table, text_cell
from .analysis import SurveyAnalysis, survey_for_quarter
from .charts import estimates_chart, profile_chart
from .config import WaveConfig
from .design import SurveyDesign
from .narrative import breakdown_name, draft_survey_narrative, pct

__all__ = [
    "by_group",
    "change",
    "introduction",
    "key_findings",
    "method_notes",
    "narrative",
    "prepare",
    "weighting",
    "who_responded",
]

_NOT_SHOWN = "Not shown"
#: Up to this many questions the appendix shows every group of every question, each with a chart. A survey
#: of hundreds of questions would take many minutes to draw and make a PDF of thousands of pages (and
#: gigabytes to lay out), so beyond this the appendix is compact: tables without charts, and by group only
#: the differences that are significant. Every result stays in survey_estimates.csv, and an analyst can
#: pass some questions' rows to a section to see them in full (see the README).
DETAILED_QUESTIONS = 40


def _compact_note(count: int, what: str) -> str:
    return (
        f'<p class="note">This survey has {count:,} questions, so {what}; the full detail is shown for up to '
        f"{DETAILED_QUESTIONS} questions. Every result, for every group, is in survey_estimates.csv.</p>"
    )


def prepare(data_dir: str | Path = "data/demo", quarter: str | Quarter | None = None) -> SurveyAnalysis | None:
    """The survey results for a quarter (default: the latest quarter with performance data).

    The wave used is the latest whose fieldwork ended by the quarter's end, compared with
    the wave before it.

    Parameters
    ----------
    data_dir
        The council's data folder; a relative path is also looked for in the parent folders.
    quarter
        The quarter, in any spelling.

    Returns
    -------
    SurveyAnalysis or None
        ``None`` when no wave had finished fieldwork by the quarter's end.

    Examples
    --------
    >>> srv = pk.prepare_survey(demo_dir, "2024/25 Q2")
    >>> srv.current.wave.title, srv.previous.wave.title
    ("Residents' Survey 2024", "Residents' Survey 2023")
    >>> print(pk.prepare_survey(demo_dir, "2023/24 Q1"))   # the 2023 fieldwork ended on 31 July 2023
    None
    """
    folder = find_data_dir(data_dir)
    if quarter in (None, ""):
        from ..data.register import load_register

        q = load_register(folder).latest_quarter()
    else:
        q = parse_quarter(quarter)
    return survey_for_quarter(folder, q)


def _none() -> Html:
    return Html("<p>No residents' survey had finished fieldwork by the end of this quarter.</p>")


def introduction(rep: SurveyAnalysis | None) -> Html:
    """What the appendix covers."""
    if rep is None:
        return _none()
    w = rep.current.wave
    prev = f" and compares them with the {escape(rep.previous.wave.title)}" if rep.previous else ""
    return Html(
        f'<p class="lead">This appendix reports the results of the {escape(w.title)} for '
        f"{escape(rep.quarter.label)}, weighted to the population, with the margin of error of each "
        f"result{prev}. Results are broken down by {escape(', '.join(breakdown_name(b) for b in w.breakdowns))}.</p>"
    )


def narrative(rep: SurveyAnalysis | None) -> Html:
    """The drafted summary."""
    if rep is None:
        return _none()
    return Html("".join(f"<p>{escape(p)}</p>" for p in draft_survey_narrative(rep)))


def _num(value: float, decimals: int = 1) -> str:
    return _NOT_SHOWN if pd.isna(value) else f"{value:.{decimals}f}"


def who_responded(rep: SurveyAnalysis | None, profile: pd.DataFrame | None = None) -> Html:
    """Respondents against the population for each weighting variable: a table and a chart.

    ``profile`` is :meth:`SurveyAnalysis.sample_profile` or some of its rows.
    """
    if rep is None:
        return _none()
    profile = rep.sample_profile() if profile is None else profile
    parts = []
    for var in rep.current.wave.weight_by:
        rows = profile[profile["variable"] == var]
        name = breakdown_name(var)
        parts.append(f"<h3>By {escape(name)}</h3>")
        parts.append(
            html_table(
                rows,
                [
                    Column(name.capitalize(), lambda r: text_cell(r["category"])),
                    Column(
                        "Respondents",
                        lambda r: str(r["n"]) if not r["suppressed"] else f"Fewer than {rep.current.wave.min_cell}",
                        numeric=True,
                    ),
                    Column("% of respondents", lambda r: _num(r["sample_pct"]), numeric=True),
                    Column("% of population", lambda r: _num(r["population_pct"]), numeric=True),
                    Column("% of respondents, weighted", lambda r: _num(r["weighted_pct"]), numeric=True),
                ],
                f"Who responded by {name}, compared with the population",
            )
        )
        parts.append(profile_chart(profile, var, f"Figure: respondents and population by {name}.").to_html())
    return Html("".join(parts))


def weighting(rep: SurveyAnalysis | None) -> Html:
    """The weighting diagnostics in plain words."""
    if rep is None:
        return _none()
    wt = rep.current.weighting
    d = wt.diagnostics()
    wave = rep.current.wave
    vars_ = ", ".join(breakdown_name(v) for v in wave.weight_by)
    if d["converged"]:
        fit = (
            f"The weights match the population shares of {escape(vars_)} exactly (to within one in a hundred "
            f"million), reached after {d['iterations']} rounds of adjustment."
        )
    elif wave.trim:
        fit = (
            "<strong>The weights could not match every population share within the trimming limits set in "
            "survey.toml</strong>; results may be slightly biased towards over-represented groups. Widen the "
            "trimming limits or merge small categories."
        )
    else:
        fit = (
            f"<strong>The weights did not match every population share after {d['iterations']} rounds of "
            "adjustment</strong>; results may be slightly biased towards over-represented groups. Check that "
            "the population shares agree with each other, or merge small categories."
        )
    trim = (
        f" Weights were capped at {wave.trim[0]:g} to {wave.trim[1]:g} times the average and the adjustment repeated."
        if wave.trim
        else ""
    )
    how = (
        f"<p>Each response is given a weight so that the weighted respondents match the population by "
        f"{escape(vars_)} (a method called raking). {fit}{trim}</p>"
        if wave.weight_by
        else "<p>The survey agency's weights are used as delivered, scaled to an average of 1.</p>"
        if wave.weight
        else "<p>Every response counts equally: the wave is not weighted.</p>"
    )
    return Html(
        how
        + f"<p>The weights range from {d['weight_min']:.2f} to {d['weight_max']:.2f}, with an average of 1: the most "
        f"heavily weighted response counts {wt.weights.max() / wt.weights.min():.1f} times as much as the least.</p>"
        f"<p>Weighting costs some precision. The design effect is {d['design_effect']:.2f}, so the "
        f"{d['n']:,} responses give results about as precise as a simple random sample of "
        f"{d['n_effective']:,.0f} residents (the effective sample size). The margins of error in this appendix "
        "allow for this.</p>"
        + html_table(
            [
                {"k": "Respondents", "v": f"{d['n']:,}"},
                {"k": "Effective sample size", "v": f"{d['n_effective']:,.0f}"},
                {"k": "Design effect (Kish)", "v": f"{d['design_effect']:.2f}"},
                {"k": "Smallest and largest weight", "v": f"{d['weight_min']:.2f} and {d['weight_max']:.2f}"},
                {"k": "Converged", "v": "Yes" if d["converged"] else "No"},
                {"k": "Rounds of adjustment", "v": str(d["iterations"])},
            ],
            [Column("Measure", lambda r: r["k"]), Column("Value", lambda r: r["v"], numeric=True)],
            "Weighting diagnostics",
            css_class="data compact",
        )
    )


def _ci(r) -> str:
    return _NOT_SHOWN if r["suppressed"] else f"{pct(r['ci_low'], 1)} to {pct(r['ci_high'], 1)}"


def _vs_rest(r) -> str:
    if r["suppressed"]:
        return "Not shown: fewer than the minimum respondents"
    if not r["significant_vs_rest"]:
        return "No significant difference"
    higher = r["pct"] > r["overall_pct"]
    symbol, word = ("▲", "Significantly higher") if higher else ("▼", "Significantly lower")
    return f'<span aria-hidden="true">{symbol}</span> {word}'


def _change_text(r) -> str:
    if pd.isna(r["change"]):
        return "No comparison"
    if r["significant_vs_previous"]:
        symbol, word = ("▲", "Significant rise") if r["change"] > 0 else ("▼", "Significant fall")
        return f'<span aria-hidden="true">{symbol}</span> {word}'
    return "No significant change"


def key_findings(rep: SurveyAnalysis | None, rows: pd.DataFrame | None = None) -> Html:
    """Each question for all respondents: share, interval, and change since the previous wave.

    ``rows`` are the questions to show (default :meth:`SurveyAnalysis.key_findings`).
    """
    if rep is None:
        return _none()
    rows = rep.key_findings() if rows is None else rows
    prev = rep.previous.wave.name if rep.previous else None
    cols = [
        Column("Question", lambda r: text_cell(r["label"])),
        Column("Answering", lambda r: f"{r['n']:,}", numeric=True),
        Column("% positive", lambda r: _num(r["pct"]), numeric=True),
        Column("95% confidence interval", _ci),
    ]
    if prev:
        cols += [
            Column(f"% in {prev}", lambda r: _num(r["previous_pct"]), numeric=True),
            Column("Change (points)", lambda r: _num(r["change"]) if not pd.isna(r["change"]) else "–", numeric=True),
            Column("Change significant?", _change_text),
        ]
    table = html_table(rows, cols, f"Key findings, {rep.current.wave.title}: all respondents")
    if len(rows) > DETAILED_QUESTIONS:
        return Html(table + _compact_note(len(rows), "the key findings are shown without a chart"))
    chart = estimates_chart(
        rows,
        "the share of residents answering positively to each question",
        "Figure: key findings with 95% confidence intervals.",
        label_col="label",
    )
    return Html(table + chart.to_html())


def by_group(rep: SurveyAnalysis | None, rows: pd.DataFrame | None = None) -> Html:
    """Each question by demographic group, with significance against the rest of respondents.

    ``rows`` are the groups to show (default :meth:`SurveyAnalysis.by_group`).
    """
    if rep is None:
        return _none()
    groups = rep.by_group() if rows is None else rows
    overall = rep.key_findings().set_index("question")["pct"]
    # one pass over the rows, not one per question: a survey may have a thousand questions
    by_question = {key: frame for key, frame in groups.groupby("question", sort=False)}
    if len(by_question) > DETAILED_QUESTIONS:
        return _significant_groups(rep, groups, len(by_question))
    parts = []
    for q in rep.current.wave.questions:
        if q.key not in by_question:
            continue
        rows = by_question[q.key].copy()
        parts.append(f"<h3>{escape(q.label)}</h3>")
        everyone = overall.get(q.key)
        parts.append(
            f"<p>All respondents: {pct(everyone)}.</p>"
            if everyone is not None and not pd.isna(everyone)
            else f"<p>All respondents: not shown, fewer than {rep.current.wave.min_cell} answered.</p>"
        )
        rows["breakdown_name"] = rows["breakdown"].map(lambda b: breakdown_name(b).capitalize())
        parts.append(
            html_table(
                rows,
                [
                    Column("Breakdown", lambda r: escape(r["breakdown_name"])),
                    Column("Group", lambda r: text_cell(r["group"])),
                    Column("Answering", lambda r: f"{r['n']:,}", numeric=True),
                    Column("% positive", lambda r: _num(r["pct"]), numeric=True),
                    Column("95% confidence interval", _ci),
                    Column("Compared with other residents", _vs_rest),
                ],
                f"{q.label}: results by group",
                row_header=1,
            )
        )
        rows["chart_label"] = rows["breakdown_name"] + ": " + rows["group"]
        parts.append(
            estimates_chart(
                rows,
                f"{q.label.lower()} by group",
                f"Figure: {q.label} by group, with 95% confidence intervals.",
                label_col="chart_label",
                facet="breakdown_name",
            ).to_html()
        )
    return Html("".join(parts))


def _significant_groups(rep: SurveyAnalysis, groups: pd.DataFrame, count: int) -> Html:
    """The compact by-group section of a large survey: one table of the groups that differ significantly."""
    sig = groups[groups["significant_vs_rest"].astype(bool) & ~groups["suppressed"].astype(bool)].copy()
    note = _compact_note(
        count, "this section lists only the groups whose results differ significantly from other residents'"
    )
    if sig.empty:
        return Html(note + "<p>No group's results differ significantly from those of other residents.</p>")
    if "overall_pct" not in sig.columns:
        sig["overall_pct"] = sig["question"].map(rep.key_findings().set_index("question")["pct"])
    labels = {q.key: q.label for q in rep.current.wave.questions}
    sig["question_label"] = sig["question"].map(labels).fillna(sig["question"])
    table = html_table(
        sig,
        [
            Column("Question", lambda r: text_cell(r["question_label"])),
            Column("Group", lambda r: escape(f"{breakdown_name(r['breakdown']).capitalize()}: {r['group']}")),
            Column("Answering", lambda r: f"{r['n']:,}", numeric=True),
            Column("% positive", lambda r: _num(r["pct"]), numeric=True),
            Column("All respondents %", lambda r: _num(r["overall_pct"]), numeric=True),
            Column("95% confidence interval", _ci),
            Column("Compared with other residents", _vs_rest),
        ],
        "Groups whose results differ significantly from other residents",
    )
    return Html(note + table)


def change(rep: SurveyAnalysis | None, rows: pd.DataFrame | None = None) -> Html:
    """Groups whose result changed significantly since the previous wave.

    ``rows`` are the changes to show (default :meth:`SurveyAnalysis.changes`).
    """
    if rep is None:
        return _none()
    if rep.previous is None:
        return Html(
            f"<p>The {escape(rep.current.wave.title)} is the first wave, so there is no earlier result to "
            "compare with.</p>"
        )
    est = rep.estimates
    sig = rep.changes() if rows is None else rows
    prev = rep.previous.wave.name
    intro = (
        f"<p>Each result is compared with the same question in the {escape(rep.previous.wave.title)}. "
        f"{len(sig)} of {int(est['previous_pct'].notna().sum())} comparable results changed significantly.</p>"
    )
    if sig.empty:
        return Html(intro)
    table = html_table(
        sig,
        [
            Column("Question", lambda r: text_cell(r["label"])),
            Column(
                "Group",
                lambda r: (
                    "All respondents"
                    if r["breakdown"] == "All"
                    else escape(f"{breakdown_name(r['breakdown']).capitalize()}: {r['group']}")
                ),
            ),
            Column(f"% in {prev}", lambda r: _num(r["previous_pct"]), numeric=True),
            Column(f"% in {rep.current.wave.name}", lambda r: _num(r["pct"]), numeric=True),
            Column("Change (points)", lambda r: _num(r["change"]), numeric=True),
            Column("Direction", _change_text),
        ],
        f"Results that changed significantly since {prev}",
    )
    return Html(intro + table)


def design_note(wave: WaveConfig, design: SurveyDesign | None) -> str:
    """The sampling design in plain words, with the R call it corresponds to ("" for a wave without one)."""
    if not (wave.weight or wave.has_design or wave.variance == "raked"):
        return ""
    parts = []
    if wave.weight and wave.weight_by:
        parts.append(
            f"Weighting started from the survey agency's design weights ({escape(wave.weight)}), which allow for "
            "some people being more likely to be sampled than others, and then matched the population."
        )
    elif wave.weight:
        parts.append(
            f"The survey agency's final weights ({escape(wave.weight)}) were used as delivered, scaled to an "
            "average of 1; perfkit did not weight the responses again."
        )
    if design is not None and wave.strata:
        parts.append(
            f"The sample was drawn separately in {len(design.strata_names)} groups ({escape(wave.strata)}, the "
            "strata), so margins of error compare respondents within each of them."
        )
    if design is not None and wave.cluster:
        parts.append(
            f"Respondents were sampled in {len(design.psu_stratum):,} clusters ({escape(wave.cluster)}, such as "
            "households or sampling points). People in the same cluster tend to answer alike, so margins of error "
            "allow for this, and are usually wider than for the same number of unrelated respondents."
        )
    if wave.fpc:
        parts.append(
            "The sample is a sizeable share of the population, so margins of error are reduced to allow for that "
            "(a finite population correction)."
        )
    if wave.variance == "raked":
        parts.append(
            "Margins of error allow for the weighting to the population, which makes them narrower for questions "
            "related to the weighting variables."
        )
    elif wave.weight_by and wave.has_design:
        parts.append("Margins of error treat the final weights as fixed.")
    ids = f"~{wave.cluster}" if wave.cluster else "~1"
    args = [f"ids = {ids}"] + [
        f"{k} = ~{v}" for k, v in (("strata", wave.strata), ("weights", wave.weight or "w"), ("fpc", wave.fpc)) if v
    ]
    call = f"svydesign({', '.join(args)})" + (", then rake()" if wave.weight_by else "")
    return (
        f"<p>{' '.join(parts)} In R's survey package this is {escape(call)}"
        + (", with standard errors from the raked design." if wave.variance == "raked" else ".")
        + "</p>"
    )


def method_notes(rep: SurveyAnalysis | None) -> Html:
    """How the figures were made, the tests used, and the suppression rule."""
    if rep is None:
        return _none()
    wave = rep.current.wave
    suppressed = rep.estimates[rep.estimates["suppressed"]][["breakdown", "group"]].drop_duplicates()
    withheld = ", ".join(f"{g} ({breakdown_name(b)})" for b, g in suppressed.itertuples(index=False))
    small = (
        f"<p>Results are withheld for groups with fewer than {wave.min_cell} respondents answering a "
        "question, wherever they would appear (tables, charts, the summary and the published CSV file), because "
        "they are unreliable and could identify individuals. "
        + (
            f"In this wave that applies to: {escape(withheld)}.</p>"
            if not suppressed.empty
            else "No group is small enough to be withheld in this wave.</p>"
        )
    )
    return Html(
        "<h3>How results are calculated</h3>"
        + design_note(rep.current.wave, rep.current.design)
        + "<p>Each result is the weighted share of respondents giving a positive answer among those who answered "
        "the question; “Don't know” and blank answers are left out. Margins of error are 95% confidence "
        "intervals on the logit scale, and standard errors are calculated by Taylor linearisation, following "
        "the R survey package (svymean and svyciprop), against which perfkit is tested.</p>"
        + "<h3>Significance tests</h3>"
        "<p>A group is marked significantly higher or lower when its result differs from that of all other "
        "respondents at the 95% level (a design-based t test of the difference, as svyttest). A change since "
        "the previous survey is significant when the difference between the two independent samples is "
        "significant at the 95% level (a z test using both standard errors). With many comparisons, about one "
        "in twenty will appear significant by chance.</p>"
        "<h3>Small groups</h3>" + small
    )
