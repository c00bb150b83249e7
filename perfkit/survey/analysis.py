"""One call from a data folder and a quarter to the weighted, compared survey results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
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
                rows.append({
                    "variable": var, "category": cat, "n": n,
                    "sample_pct": np.nan if small else 100 * n / len(values),
                    "population_pct": 100 * share,
                    "weighted_pct": np.nan if small else 100 * cur.weighting.weights[inside].sum() / cur.weighting.weights.sum(),
                    "suppressed": small,
                })
        return pd.DataFrame(rows)


def analyse_wave(wave: WaveConfig) -> WaveResult:
    """Read, weight and estimate one wave."""
    responses = read_responses(wave)
    margins = read_population(wave)
    weighting = rake(responses, margins, list(wave.weight_by), trim=wave.trim,
                     label=f"survey/{wave.name}/population.csv")
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
