"""One call from a data folder and a quarter to the weighted, compared survey results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem, UnknownNameError
from ..periods import Quarter, parse_quarter
from .config import WaveConfig, find_waves, waves_for_quarter
from .design import SurveyDesign, build_design, design_weights
from .estimates import compare_waves, estimate_wave
from .responses import read_population, read_responses
from .weighting import Weighting, rake

__all__ = ["SurveyAnalysis", "analyse_wave", "survey_for_quarter"]


@dataclass
class WaveResult:
    """A wave weighted and estimated. Holds respondent-level data: never publish ``responses``."""

    wave: WaveConfig
    responses: pd.DataFrame = field(repr=False)  # so that displaying the result never prints respondents
    margins: dict[str, pd.Series]
    weighting: Weighting
    estimates: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    design: SurveyDesign | None = None  # strata, clusters and fpc, when survey.toml gives them

    def diagnostics(self) -> dict:
        """The keys of ``survey_weighting.json``: the weighting's (v1) and the design's (v2), DESIGN §6."""
        from .diagnostics import design_diagnostics

        d = self.weighting.diagnostics()
        w = self.weighting.weights
        return {**d, **design_diagnostics(self.responses, w, self.wave, self.design, self.weighting.design_effect)}


@dataclass
class SurveyAnalysis:
    """The wave a quarter reports, compared with the wave before it: made by :func:`perfkit.prepare_survey`.

    Attributes
    ----------
    quarter
        The quarter reported.
    current, previous
        The wave used and the wave before it (``None`` for a first wave): each with its
        ``wave`` settings, ``weighting`` and ``estimates``.
    estimates
        The current wave's estimates with the comparison columns: one row per question,
        breakdown and group, as in ``survey_estimates.csv`` (see the README).

    Examples
    --------
    >>> srv
    SurveyAnalysis(2024/25 Q2: Residents' Survey 2024, 1,099 respondents, compared with Residents' Survey 2023)
    >>> srv.key_findings()[["question", "n", "pct", "ci_low", "ci_high"]].round(1)
                question     n   pct  ci_low  ci_high
    0  satisfied_council  1040  47.8    44.4     51.2
    1    value_for_money  1028  41.9    38.6     45.3
    2     satisfied_area  1040  79.3    76.2     82.0
    3    safe_after_dark  1008  64.4    61.1     67.6
    4           informed  1008  48.6    45.2     52.1
    """

    quarter: Quarter
    current: WaveResult
    previous: WaveResult | None
    estimates: pd.DataFrame  # current estimates with the comparison columns

    # One method per section of the survey appendix: the rows it shows, for the notebook to bind
    # (``findings = srv.key_findings()``) so an analyst can filter or sort them before they are shown.

    def __repr__(self) -> str:
        cur = self.current
        versus = f", compared with {self.previous.wave.title}" if self.previous else ""
        return f"SurveyAnalysis({self.quarter.label}: {cur.wave.title}, {len(cur.responses):,} respondents{versus})"

    def key_findings(self) -> pd.DataFrame:
        """Each question for all respondents, with the change since the previous wave.

        Examples
        --------
        >>> srv.key_findings()[["question", "pct", "previous_pct", "change", "significant_vs_previous"]].round(1)
                    question   pct  previous_pct  change  significant_vs_previous
        0  satisfied_council  47.8          52.9    -5.1                     True
        1    value_for_money  41.9          42.8    -0.9                    False
        2     satisfied_area  79.3          76.8     2.4                    False
        3    safe_after_dark  64.4          62.7     1.7                    False
        4           informed  48.6          50.3    -1.6                    False
        """
        return self.estimates[self.estimates["breakdown"] == "All"].reset_index(drop=True)

    def by_group(self) -> pd.DataFrame:
        """Each question for each group of each breakdown, with the result for all respondents beside it.

        Examples
        --------
        >>> g = srv.by_group()
        >>> g[(g["question"] == "satisfied_council") & (g["breakdown"] == "age_band")][
        ...     ["group", "n", "pct", "overall_pct", "significant_vs_rest"]].round(1)
           group    n   pct  overall_pct  significant_vs_rest
        1  16-34  129  37.6         47.8                 True
        2  35-54  286  46.9         47.8                False
        3  55-74  418  54.4         47.8                 True
        4    75+  207  57.3         47.8                 True
        """
        est = self.estimates
        overall = est[est["breakdown"] == "All"].set_index("question")["pct"]
        rows = est[est["breakdown"] != "All"].copy()
        rows["overall_pct"] = rows["question"].map(overall)
        return rows

    def changes(self) -> pd.DataFrame:
        """Results that changed significantly since the previous wave (none for a first wave).

        Examples
        --------
        >>> srv.changes()[["question", "breakdown", "group", "previous_pct", "pct"]].head(3).round(1)
                    question breakdown   group  previous_pct   pct
        0  satisfied_council       All     All          52.9  47.8
        4  satisfied_council  age_band     75+          67.7  57.3
        5  satisfied_council       sex  Female          54.8  47.9
        """
        return self.estimates[self.estimates["significant_vs_previous"].astype(bool)]

    def estimate(self, question: str, group: str = "All", breakdown: str | None = None) -> pd.DataFrame:
        """The published estimate of one question for one group: ``n, pct, se, ci_low, ci_high`` and flags.

        Question keys and labels, group names and breakdowns match ignoring case, spaces and the
        kind of dash (``16–34`` finds ``16-34``); anything else raises with the closest names.

        Parameters
        ----------
        question
            The question's key in ``survey.toml`` or its label.
        group
            A group of a breakdown, e.g. ``16-34``; ``All`` for every respondent.
        breakdown
            The breakdown, when a group name occurs in more than one.

        Raises
        ------
        UnknownNameError
            For a question, group or breakdown the wave does not have, naming the closest.

        Examples
        --------
        >>> srv.estimate("satisfied_council", "16–34")[["breakdown", "group", "n", "pct", "ci_low", "ci_high"]].round(1)
          breakdown  group    n   pct  ci_low  ci_high
        0  age_band  16-34  129  37.6    29.6     46.5
        >>> srv.estimate("Satisfied with the way the council runs things")[["group", "n"]]
          group     n
        0   All  1040
        >>> srv.estimate("satisfied_council", "16 to 34")
        Traceback (most recent call last):
        ...
        perfkit.errors.UnknownNameError: There is no survey group '16 to 34'. Did you mean 16-34?
        """
        est = self.estimates
        key = _match(
            "question",
            question,
            est["question"].unique().tolist(),
            {str(q.label): q.key for q in self.current.wave.questions},
        )
        rows = est[est["question"] == key]
        if breakdown is not None:
            b = _match("breakdown", breakdown, rows["breakdown"].unique().tolist())
            rows = rows[rows["breakdown"] == b]
        g = _match("group", group, rows["group"].unique().tolist())
        return rows[rows["group"] == g].reset_index(drop=True)

    def sample_profile(self) -> pd.DataFrame:
        """For each weighting variable and category: sample %, population % and weighted %.

        Aggregates only; a category with fewer than ``min_cell`` respondents shows
        its counts suppressed like any other small cell.

        Examples
        --------
        >>> profile = srv.sample_profile()
        >>> profile[profile["variable"] == "age_band"].drop(columns=["variable", "suppressed"]).round(1)
          category    n  sample_pct  population_pct  weighted_pct
        0    16-34  133        12.1            27.0          27.0
        1    35-54  307        27.9            32.0          32.0
        2    55-74  443        40.3            28.0          28.0
        3      75+  216        19.7            13.0          13.0
        """
        cur = self.current
        rows = []
        for var in cur.wave.weight_by:
            margin = cur.margins[var]
            values = cur.responses[var]
            for cat, share in margin.items():
                inside = (values == cat).to_numpy()
                n = int(inside.sum())
                small = n < cur.wave.min_cell
                rows.append(
                    {
                        "variable": var,
                        "category": cat,
                        "n": n,
                        "sample_pct": np.nan if small else 100 * n / len(values),
                        "population_pct": 100 * share,
                        "weighted_pct": np.nan
                        if small
                        else 100 * cur.weighting.weights[inside].sum() / cur.weighting.weights.sum(),
                        "suppressed": small,
                    }
                )
        return pd.DataFrame(rows)


def _fold(text: object) -> str:
    """A name as people type it: any case, spacing or dash."""
    s = str(text).casefold().translate(_DASHES)
    return " ".join(s.split())


_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})


def _match(what: str, given: str, known: list[str], aliases: dict[str, str] | None = None) -> str:
    """The one name in ``known`` (or an alias of it) that ``given`` means, else a did-you-mean error."""
    table = {_fold(k): k for k in known}
    table.update({_fold(a): k for a, k in (aliases or {}).items() if k in known})
    found = table.get(_fold(given))
    if found is None:
        raise UnknownNameError(f"survey {what}", str(given), [str(k) for k in known])
    return found


def analyse_wave(wave: WaveConfig) -> WaveResult:
    """Read, weight and estimate one wave."""
    responses = read_responses(wave)
    margins = read_population(wave) if wave.needs_population else {}
    assert wave.responses is not None, "load_wave_config refuses a wave without a responses file"
    label = f"survey/{wave.name}/{wave.responses.name}"
    start = design_weights(responses, wave, label) if wave.weight else None
    design = build_design(responses, wave, label) if wave.has_design else None
    weighting = rake(
        responses,
        margins,
        list(wave.weight_by),
        trim=wave.trim,
        label=f"survey/{wave.name}/population.csv",
        start=start,
    )
    estimates, warnings = estimate_wave(responses, weighting.weights, wave, margins, design)
    return WaveResult(wave, responses, margins, weighting, estimates, warnings, design)


def survey_for_quarter(data_dir: str | Path, quarter: Quarter | str) -> SurveyAnalysis | None:
    """The survey results a quarter's report uses, or ``None`` when no wave had ended by the quarter's end."""
    q = parse_quarter(quarter)
    current, previous = waves_for_quarter(find_waves(Path(data_dir)), q)
    if current is None:
        return None
    cur = analyse_wave(current)
    prev = analyse_wave(previous) if previous is not None else None
    compared = compare_waves(cur.estimates, prev.estimates if prev else None)
    return SurveyAnalysis(q, cur, prev, compared)
