"""One call from a data folder and a quarter to the weighted, compared survey results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem, UnknownNameError
from ..periods import Quarter, parse_quarter
from .config import WaveConfig, find_waves, waves_for_quarter
from .estimates import compare_waves, estimate_wave
from .responses import read_population, read_responses
from .weighting import Weighting, rake

__all__ = ["SurveyAnalysis", "analyse_wave", "survey_for_quarter"]


@dataclass
class WaveResult:
    """A wave weighted and estimated. Holds respondent-level data: never publish ``responses``."""

    wave: WaveConfig
    responses: pd.DataFrame
    margins: dict[str, pd.Series]
    weighting: Weighting
    estimates: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class SurveyAnalysis:
    """The wave a quarter reports, compared with the wave before it."""

    quarter: Quarter
    current: WaveResult
    previous: WaveResult | None
    estimates: pd.DataFrame  # current estimates with the comparison columns

    # One method per section of the survey appendix: the rows it shows, for the notebook to bind
    # (``findings = srv.key_findings()``) so an analyst can filter or sort them before they are shown.

    def key_findings(self) -> pd.DataFrame:
        """Each question for all respondents, with the change since the previous wave."""
        return self.estimates[self.estimates["breakdown"] == "All"].reset_index(drop=True)

    def by_group(self) -> pd.DataFrame:
        """Each question for each group of each breakdown, with the result for all respondents beside it."""
        est = self.estimates
        overall = est[est["breakdown"] == "All"].set_index("question")["pct"]
        rows = est[est["breakdown"] != "All"].copy()
        rows["overall_pct"] = rows["question"].map(overall)
        return rows

    def changes(self) -> pd.DataFrame:
        """Results that changed significantly since the previous wave (none for a first wave)."""
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

        Examples
        --------
        >>> srv.estimate("satisfied_council", "16–34")[["breakdown", "group", "n"]]   # doctest: +NORMALIZE_WHITESPACE
          breakdown  group    n
        0  age_band  16-34  129
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
    margins = read_population(wave)
    weighting = rake(
        responses, margins, list(wave.weight_by), trim=wave.trim, label=f"survey/{wave.name}/population.csv"
    )
    estimates, warnings = estimate_wave(responses, weighting.weights, wave, margins)
    return WaveResult(wave, responses, margins, weighting, estimates, warnings)


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
