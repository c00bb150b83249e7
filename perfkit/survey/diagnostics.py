"""The v2 keys of ``survey_weighting.json`` (DESIGN §6): design effects of weighting and of clustering.

* ``design_effect_weighting``: Kish's ``n Σw² / (Σw)²`` on the final weights (equal to ``design_effect``);
* ``design_effect_clustering``: per question, the variance of the share for all respondents under
  ``svydesign(ids = ~cluster, strata = ~strata, weights = ~w)`` divided by that under
  ``svydesign(ids = ~1, strata = ~strata, weights = ~w)``, on the question's base, without fpc and
  with the final weights treated as fixed; 1 for every question when there is no cluster;
* ``n_effective_by_group``: Kish's ``(Σw)²/Σw²`` over each group's respondents, ``null`` for a group
  of fewer than ``min_cell`` respondents (it would describe a suppressed group).

Examples
--------
>>> import numpy as np
>>> kish_n(np.array([1.0, 1.0, 2.0, 4.0]))
2.909091
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .answers import classify
from .config import WaveConfig
from .design import SurveyDesign

__all__ = ["design_diagnostics", "kish_n"]


def kish_n(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²``, to 6 decimals."""
    return round(float(weights.sum() ** 2 / np.dot(weights, weights)), 6)


def design_diagnostics(
    responses: pd.DataFrame, weights: np.ndarray, wave: WaveConfig, design: SurveyDesign | None, design_effect: float
) -> dict:
    """The v2 keys of ``survey_weighting.json`` for one wave (see the module's description)."""
    from .estimates import _Pairs, design_estimates

    clustering: dict[str, float | None] = {}
    n = len(responses)
    if design is not None and design.clustered:
        everyone = np.zeros(n, dtype=np.int64)
        clustered, flat = design.without_fpc(), design.without_fpc_or_clusters()
        by_cluster, by_respondent = _Pairs(everyone, 1, clustered), _Pairs(everyone, 1, flat)
        for q in wave.questions:
            y, base = classify(responses[q.key], q)
            v1 = design_estimates(y, base, weights, by_cluster, clustered, rest=False).est.var[0]
            v0 = design_estimates(y, base, weights, by_respondent, flat, rest=False).est.var[0]
            clustering[q.key] = round(float(v1 / v0), 6) if v0 > 0 and np.isfinite(v1 / v0) else None
    else:
        clustering = {q.key: 1.0 for q in wave.questions}
    by_group: dict[str, dict[str, float | None]] = {}
    for breakdown in wave.breakdowns:
        values = responses[breakdown].to_numpy()
        groups: dict[str, float | None] = {}
        for group in sorted(v for v in pd.unique(values) if v != ""):
            inside = values == group
            groups[str(group)] = kish_n(weights[inside]) if inside.sum() >= wave.min_cell else None
        by_group[breakdown] = groups
    return {
        "design_effect_weighting": round(float(design_effect), 6),
        "design_effect_clustering": clustering,
        "n_effective_by_group": by_group,
    }
