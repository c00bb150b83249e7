"""Raking (iterative proportional fitting) of survey weights to population margins.

Starting from equal weights, each weighting variable in turn is scaled so that
the weighted shares of its categories equal the population shares; cycles
repeat until every margin is met to within ``tol`` (1e-8 on the shares). The
result matches R's ``survey::rake()`` (tested against it). Optional trimming
caps weights at multiples of the mean and rakes again, until both the margins
and the caps hold.

Examples
--------
>>> import pandas as pd
>>> resp = pd.DataFrame({"sex": ["F", "F", "F", "M"]})
>>> result = rake(resp, {"sex": pd.Series({"F": 0.5, "M": 0.5})}, ["sex"])
>>> result.weights.round(3).tolist()
[0.667, 0.667, 0.667, 2.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import Problem, RakingError

__all__ = ["Weighting", "encode", "rake"]

MAX_ITERATIONS = 1000
MAX_TRIM_ROUNDS = 100


@dataclass
class Weighting:
    """Raked weights (mean 1) and their diagnostics.

    Attributes
    ----------
    weights
        One weight per respondent, scaled to mean 1.
    converged, iterations
        Whether every margin was met to the tolerance, and after how many cycles.
    n, n_effective, design_effect
        Respondents; Kish's effective sample size (Σw)²/Σw²; and design effect n/n_effective.
    weight_min, weight_max
        The extreme weights.
    trimmed
        Whether trimming bounds were applied.
    """

    weights: np.ndarray
    converged: bool
    iterations: int
    trimmed: bool = False

    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def n_effective(self) -> float:
        w = self.weights
        return float(w.sum() ** 2 / np.dot(w, w))

    @property
    def design_effect(self) -> float:
        return self.n / self.n_effective

    def diagnostics(self) -> dict:
        """The keys of ``survey_weighting.json`` (design §6)."""
        return {
            "converged": bool(self.converged),
            "iterations": int(self.iterations),
            "n": self.n,
            "n_effective": round(self.n_effective, 6),
            "design_effect": round(self.design_effect, 6),
            "weight_min": round(float(self.weights.min()), 6),
            "weight_max": round(float(self.weights.max()), 6),
        }


def encode(values: pd.Series, categories: list[str]) -> np.ndarray:
    """Category codes of ``values`` in the order of ``categories`` (-1 where not found)."""
    lookup = {c: i for i, c in enumerate(categories)}
    # Each distinct value is looked up once: a million respondents have a handful of categories.
    codes, uniques = pd.factorize(values)
    table = np.array([lookup.get(u, -1) for u in uniques] + [-1], dtype=np.int64)  # code -1: a missing cell
    return table[codes]


def _prepare(
    responses: pd.DataFrame, margins: dict[str, pd.Series], weight_by: list[str], label: str
) -> list[tuple[str, np.ndarray, np.ndarray, list[str]]]:
    problems: list[Problem] = []
    prepared = []
    for var in weight_by:
        if var not in margins:
            problems.append(
                Problem(
                    label,
                    None,
                    var,
                    f"population.csv has no margins for '{var}', a weighting variable.",
                    f"Add rows with variable = {var} for each of its categories.",
                )
            )
            continue
        m = margins[var]
        cats = list(m.index)
        codes = encode(responses[var], cats)
        unknown = sorted(set(responses.loc[codes < 0, var]))
        if unknown:
            blank = "" in unknown
            named = [u for u in unknown if u != ""]
            if named:
                problems.append(
                    Problem(
                        label,
                        None,
                        var,
                        f"{var} has answers with no population margin: {', '.join(repr(u) for u in named)}.",
                        f"Add those categories to population.csv for {var}, or recode the answers "
                        f"to one of: {', '.join(cats)}.",
                    )
                )
            if blank:
                count = int((responses[var] == "").sum())
                problems.append(
                    Problem(
                        label,
                        None,
                        var,
                        f"{count} respondent(s) have no answer for {var}, a weighting variable.",
                        f"Give them a category with a margin (for example 'Prefer not to say') "
                        f"or remove {var} from weight_by.",
                    )
                )
            continue
        counts = np.bincount(codes, minlength=len(cats))
        empty = [c for c, k, s in zip(cats, counts, m.to_numpy(), strict=True) if k == 0 and s > 0]
        if empty:
            problems.append(
                Problem(
                    label,
                    None,
                    var,
                    f"The margin for {var} will not fit: no respondent is in {', '.join(repr(e) for e in empty)}, "
                    f"which is {', '.join(f'{m[e]:.1%}' for e in empty)} of the population.",
                    f"Merge {', '.join(repr(e) for e in empty)} with a neighbouring category in both the "
                    "responses and population.csv, or weight without this variable.",
                )
            )
            continue
        prepared.append((var, codes, m.to_numpy(dtype=float), cats))
    if problems:
        raise RakingError(problems)
    return prepared


def _ipf(w: np.ndarray, prepared, n: int, tol: float) -> tuple[np.ndarray, bool, int]:
    for iteration in range(1, MAX_ITERATIONS + 1):
        for _, codes, shares, _ in prepared:
            totals = np.bincount(codes, weights=w, minlength=len(shares))
            w = w * (shares * n / totals)[codes]
        worst = max(np.abs(np.bincount(c, weights=w, minlength=len(s)) / n - s).max() for _, c, s, _ in prepared)
        if worst < tol:
            return w, True, iteration
    return w, False, MAX_ITERATIONS


def rake(
    responses: pd.DataFrame,
    margins: dict[str, pd.Series],
    weight_by: list[str],
    *,
    trim: tuple[float, float] | None = None,
    tol: float = 1e-8,
    label: str = "population.csv",
    start: np.ndarray | None = None,
) -> Weighting:
    """Rake weights to the population margins of every ``weight_by`` variable.

    Parameters
    ----------
    responses
        One row per respondent, with a column per weighting variable.
    margins
        Population shares per variable (from :func:`~perfkit.survey.responses.read_population`).
    weight_by
        The raking variables.
    trim
        Optional ``(lower, upper)`` bounds as multiples of the mean weight; weights are capped and
        raked again until both hold.
    tol
        Largest allowed difference between a weighted and a population share.
    start
        Design (starting) weights, one per respondent: raking starts from them, as R's ``rake()``
        of a ``svydesign(weights = ~w)``. Without raking variables they are the final weights.

    Raises
    ------
    RakingError
        When a margin cannot be met, naming the variable and category.
    """
    n = len(responses)
    prepared = _prepare(responses, margins, weight_by, label)
    w = np.ones(n) if start is None else np.asarray(start, dtype=float)
    if not prepared:
        return Weighting(w / w.mean() if start is not None else w, True, 0)
    w, converged, iterations = _ipf(w, prepared, n, tol)
    if trim is not None:
        w, converged, iterations = _trim(w, prepared, n, tol, trim, converged, iterations)
    _check_collapse(w, responses, weight_by, label)
    return Weighting(w / w.mean(), converged, iterations, trim is not None)


#: A respondent weighted below this fraction of the mean has in effect been dropped by the raking.
COLLAPSED = 1e-9


def _check_collapse(w: np.ndarray, responses: pd.DataFrame, weight_by: list[str], label: str) -> None:
    """Refuse weights that raking drove to zero (or beyond floating point): the margins contradict the sample.

    This happens when no weighting can meet every margin at once, e.g. a population share of one
    category of ``sex`` larger than the share of the age bands its respondents are in.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        bad = ~np.isfinite(w) | ~(w >= COLLAPSED * np.nanmean(np.where(np.isfinite(w), w, np.nan)))
    if not bad.any():
        return
    example = responses.iloc[int(np.flatnonzero(bad)[0])]
    who = " and ".join(f"{v} = {example[v]!r}" for v in weight_by)
    raise RakingError(
        [
            Problem(
                label,
                None,
                None,
                f"The population shares of {', '.join(weight_by)} cannot all be met by these respondents: raking "
                f"drove the weights of {int(bad.sum())} of {len(w)} respondents to zero (for example those with "
                f"{who}).",
                "Check the shares in population.csv against each other, merge small categories, or weight by "
                "fewer variables.",
            )
        ]
    )


def _within(w: np.ndarray, lo: float, hi: float) -> bool:
    mean = w.mean()
    return bool(w.min() >= lo * mean * (1 - 1e-9) and w.max() <= hi * mean * (1 + 1e-9))


def _trim(w, prepared, n, tol, bounds, converged, iterations):
    """Cap weights at multiples of the mean and rake again, until caps and margins both hold.

    When they cannot both hold (a category needs weights above the cap), the caps win,
    because they are what the analyst set, and the weighting is reported as not converged.
    """
    lo, hi = bounds
    for _ in range(MAX_TRIM_ROUNDS):
        if _within(w, lo, hi):
            return w, converged, iterations
        w = np.clip(w, lo * w.mean(), hi * w.mean())
        w, converged, more = _ipf(w, prepared, n, tol)
        iterations += more
    for _ in range(MAX_TRIM_ROUNDS):
        if _within(w, lo, hi):
            break
        w = np.clip(w, lo * w.mean(), hi * w.mean())
    return w, False, iterations
