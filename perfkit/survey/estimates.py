"""Weighted shares with standard errors, confidence intervals and significance, as R's ``survey`` computes them.

For a question, a respondent is *in the base* unless the answer is blank or
one of the question's ``exclude`` answers; ``positive`` marks the answers
counted as positive. For all respondents and for each group of each breakdown
the estimate is a domain mean on the full design, as
``svymean(~positive, subset(design, in_base & in_group))`` with
``design = svydesign(ids = ~1, weights = ~w)``:

* share ``p = Σ w·y / Σ w`` over the domain;
* standard error by Taylor linearisation: with influence values
  ``z_i = w_i (y_i − p) / Σ w`` in the domain and 0 outside it,
  ``Var(p) = n/(n−1) · Σ z_i²`` where ``n`` counts every respondent of the wave
  (``subset()`` keeps the whole sample, so units outside the domain count);
* 95% interval as ``svyciprop(method = "logit")``: ``expit(logit(p) ± t · SE/(p(1−p)))``
  with ``t`` the 97.5% quantile of Student's t on ``degf`` = respondents in the domain − 1.

Significance at 95%:

* *group against the rest* of respondents in the base: the difference of the two
  domain means, whose linearised variance is the sum of theirs (the domains do
  not overlap), tested with Student's t on respondents in the base − 2 degrees
  of freedom; this is ``svyttest(positive ~ in_group, subset(design, in_base))``;
* *against the previous wave*: independent samples, ``z = (p₁ − p₀)/√(SE₁² + SE₀²)``
  against the normal distribution.

Groups with fewer than ``min_cell`` respondents in the base are suppressed:
their share, standard error and interval are withheld (``n`` is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special  # the t and normal distributions; lighter to import than scipy.stats

from ..errors import DataValidationError, Problem
from .answers import check_questions, classify, factorize
from .config import WaveConfig
from .design import SurveyDesign

__all__ = ["ESTIMATE_COLUMNS", "EXTRA_COLUMNS", "check_questions", "classify", "compare_waves", "estimate_wave"]

ESTIMATE_COLUMNS = [
    "wave",
    "question",
    "breakdown",
    "group",
    "n",
    "pct",
    "se",
    "ci_low",
    "ci_high",
    "suppressed",
    "significant",
]
#: Extensions to survey_estimates.csv, documented in the README.
EXTRA_COLUMNS = [
    "label",
    "se_raked",
    "p_vs_rest",
    "significant_vs_rest",
    "previous_pct",
    "change",
    "p_vs_previous",
    "significant_vs_previous",
]
ALPHA = 0.05


@dataclass
class DomainEstimates:
    """Arrays over the groups of one breakdown."""

    n: np.ndarray
    p: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    var: np.ndarray


@dataclass
class _Sums:
    """Per-group sums from which domain estimates follow; differences of sums give complements."""

    n: np.ndarray  # respondents
    s0: np.ndarray  # Σ w
    s1: np.ndarray  # Σ w·y
    a: np.ndarray  # Σ w²·y
    b: np.ndarray  # Σ w²·(1 − y)

    def __sub__(self, other: _Sums) -> _Sums:
        return _Sums(self.n - other.n, self.s0 - other.s0, self.s1 - other.s1, self.a - other.a, self.b - other.b)


def _sums(y: np.ndarray, in_base: np.ndarray, w: np.ndarray, codes: np.ndarray, groups: int) -> _Sums:
    keep = in_base & (codes >= 0)
    c, wk, yk = codes[keep], w[keep], y[keep]
    w2 = wk * wk
    return _Sums(
        np.bincount(c, minlength=groups).astype(float),
        np.bincount(c, weights=wk, minlength=groups),
        np.bincount(c, weights=wk * yk, minlength=groups),
        np.bincount(c, weights=w2 * yk, minlength=groups),
        np.bincount(c, weights=w2 * (1 - yk), minlength=groups),
    )


def _finish(s: _Sums, n_all: int) -> DomainEstimates:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = s.s1 / s.s0
        # Σ z² with z = w (y − p) / Σw inside the domain, 0 outside
        var = n_all / (n_all - 1) * (s.a * (1 - p) ** 2 + s.b * p**2) / s.s0**2
        se = np.sqrt(var)
        df = s.n - 1
        t = np.where(df > 0, special.stdtrit(np.maximum(df, 1), 1 - ALPHA / 2), np.nan)
        se_logit = se / (p * (1 - p))
        logit = np.log(p / (1 - p))
        lo = 1 / (1 + np.exp(-(logit - t * se_logit)))
        hi = 1 / (1 + np.exp(-(logit + t * se_logit)))
    # A share of exactly 0 or 1 has no logit; the interval collapses to the point.
    lo = np.where(p == 0, 0.0, np.where(p == 1, 1.0, lo))
    hi = np.where(p == 0, 0.0, np.where(p == 1, 1.0, hi))
    return DomainEstimates(s.n, p, se, lo, hi, var)


@dataclass(frozen=True)
class RakingMargins:
    """The raking variables of a design, for standard errors that allow for the raking.

    ``codes[m]`` is each respondent's category of margin ``m`` (0..K-1) and ``weights``
    the raked weights. Cross-tabulations are computed once per wave.
    """

    codes: tuple[np.ndarray, ...]
    sizes: tuple[int, ...]
    counts: dict  # (m, m') -> K_m x K_m' respondent counts
    w2: dict  # (m, m') -> K_m x K_m' sums of squared weights
    weight_totals: tuple[np.ndarray, ...]  # Σ w by category of each margin

    @classmethod
    def build(cls, codes: list[np.ndarray], weights: np.ndarray) -> RakingMargins:
        sizes = tuple(int(c.max()) + 1 for c in codes)
        counts, w2 = {}, {}
        for i, (ci, ki) in enumerate(zip(codes, sizes, strict=True)):
            for j, (cj, kj) in enumerate(zip(codes, sizes, strict=True)):
                joint = ci * kj + cj
                counts[i, j] = np.bincount(joint, minlength=ki * kj).reshape(ki, kj).astype(float)
                w2[i, j] = np.bincount(joint, weights=weights * weights, minlength=ki * kj).reshape(ki, kj)
        totals = tuple(np.bincount(c, weights=weights, minlength=k) for c, k in zip(codes, sizes, strict=True))
        return cls(tuple(codes), sizes, counts, w2, totals)


#: Sweeps of the raking adjustment, as in R's svyrecvar for a raked design.
RAKING_SWEEPS = 10


def raked_variance(
    y: np.ndarray,
    in_base: np.ndarray,
    w: np.ndarray,
    codes: np.ndarray,
    groups: int,
    p: np.ndarray,
    s0: np.ndarray,
    margins: RakingMargins,
) -> np.ndarray:
    """Variance of domain shares allowing for the raking, as R's ``svymean`` on a ``rake()`` design.

    R adjusts the influence values ``x`` with ten sweeps over the margins of
    ``x ← x − w · ave(x / w, margin)``. The map is linear and only moves ``x`` by
    multiples of ``w`` within categories, so the sweeps are run on category sums
    (via the margins' cross-tabulations), not on every respondent: the cost is a
    few passes over the data per breakdown, whatever the number of respondents.
    """
    n_all = len(y)
    keep = in_base & (codes >= 0)
    c, wk, yk = codes[keep], w[keep], y[keep]
    # influence before adjustment: x0 = w (y - p_g) / S0_g in group g (and in the base), else 0
    x0_sq = (
        np.bincount(c, weights=wk * wk * yk, minlength=groups) * (1 - p) ** 2
        + np.bincount(c, weights=wk * wk * (1 - yk), minlength=groups) * p**2
    ) / s0**2
    sums, cross = [], []  # per margin: Σ x0/w and Σ x0·w by category, as groups × K arrays
    for mcodes, k in zip(margins.codes, margins.sizes, strict=True):
        joint = c * k + mcodes[keep]

        def by(weights, k=k, joint=joint):
            return np.bincount(joint, weights=weights, minlength=groups * k).reshape(groups, k)

        n_y, n_1 = by(yk), by(np.ones_like(yk))
        w2y, w2 = by(wk * wk * yk), by(wk * wk)
        sums.append((n_y - p[:, None] * n_1) / s0[:, None])
        cross.append((w2y - p[:, None] * w2) / s0[:, None])
    m = len(margins.codes)
    total = [np.zeros((groups, k)) for k in margins.sizes]  # accumulated adjustment per margin
    current = [s.copy() for s in sums]
    for _ in range(RAKING_SWEEPS):
        for i in range(m):
            coef = current[i] / margins.counts[i, i].diagonal()[None, :]
            total[i] += coef
            for j in range(m):
                current[j] -= coef @ margins.counts[i, j]
    # Σ x = Σ x0 − Σ_m T_m · (Σ w by category); Σ x0 = 0 within each domain
    sum_x = -sum((t * wc[None, :]).sum(axis=1) for t, wc in zip(total, margins.weight_totals, strict=True))
    sum_x2 = x0_sq - 2 * sum((t * cr).sum(axis=1) for t, cr in zip(total, cross, strict=True))
    for i in range(m):
        for j in range(m):
            sum_x2 = sum_x2 + np.einsum("gk,kl,gl->g", total[i], margins.w2[i, j], total[j])
    return n_all / (n_all - 1) * (sum_x2 - sum_x**2 / n_all)


class _Pairs:
    """The sampling units of each group of a breakdown: the unit of account for design-based variances.

    A pair is (group, sampling unit) with at least one respondent of the group in the unit. Sums over a
    group's respondents by unit are sums over its pairs, so each question costs a few passes over the
    respondents, however many groups and units there are.
    """

    def __init__(self, codes: np.ndarray, groups: int, design: SurveyDesign):
        valid = codes >= 0
        units = len(design.psu_stratum)
        keys, inverse = np.unique(codes[valid] * units + design.psu[valid], return_inverse=True)
        self.of_row = np.full(len(codes), -1, dtype=np.int64)
        self.of_row[valid] = inverse
        self.group = keys // units
        self.psu = keys % units
        self.stratum = design.psu_stratum[self.psu]
        self.groups = groups
        self.strata = len(design.n_psu)
        self.cell = self.group * self.strata + self.stratum
        self.count = len(keys)

    def by_cell(self, values: np.ndarray) -> np.ndarray:
        """Sums of a value per pair over groups × strata."""
        cells = self.groups * self.strata
        return np.bincount(self.cell, weights=values, minlength=cells).reshape(self.groups, self.strata)

    def degrees_of_freedom(self, present: np.ndarray) -> np.ndarray:
        """R's ``degf`` of each group's domain: its sampling units less its strata.

        ``present`` marks the pairs that hold respondents of the question's base.
        """
        units = np.bincount(self.group, weights=present, minlength=self.groups)
        strata = (self.by_cell(present.astype(float)) > 0).sum(axis=1)
        return units - strata


def _stratified(design: SurveyDesign, sum_sq: np.ndarray, total: np.ndarray) -> np.ndarray:
    """``Σ_h (1 − f_h) n_h/(n_h − 1) (Σ Z² − (Σ Z)²/n_h)`` from per-stratum sums over sampling units.

    A variance that is zero in exact arithmetic (every answer in a domain the same) can come out a
    rounding error below zero; it is taken as zero.
    """
    var = ((sum_sq - total**2 / design.n_psu[None, :]) * design.scale[None, :]).sum(axis=1)
    return np.where(var < 0, 0.0, var)


@dataclass
class DesignEstimates:
    """Domain estimates under a design, and the group-against-rest test: arrays over the groups."""

    est: DomainEstimates
    df: np.ndarray
    p_vs_rest: np.ndarray
    df_rest: int = 0  # degrees of freedom of the group-against-rest test
    s0: np.ndarray | None = None  # Σ w over each group's base
    influence: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # x by pair; Σ x², Σ x by group × stratum


def _interval(p: np.ndarray, se: np.ndarray, df: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``svyciprop(method = "logit")`` with ``df`` degrees of freedom (no interval where ``df`` < 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(df > 0, special.stdtrit(np.maximum(df, 1), 1 - ALPHA / 2), np.nan)
        se_logit = se / (p * (1 - p))
        logit = np.log(p / (1 - p))
        lo = 1 / (1 + np.exp(-(logit - t * se_logit)))
        hi = 1 / (1 + np.exp(-(logit + t * se_logit)))
    lo = np.where(p == 0, 0.0, np.where(p == 1, 1.0, lo))
    hi = np.where(p == 0, 0.0, np.where(p == 1, 1.0, hi))
    return lo, hi


class _Base:
    """A question's base summed by sampling unit, shared by every breakdown: ``a = Σ w·y``, ``b = Σ w``."""

    def __init__(self, y: np.ndarray, in_base: np.ndarray, w: np.ndarray, design: SurveyDesign):
        units, strata = len(design.psu_stratum), len(design.n_psu)
        psu, wb = design.psu[in_base], w[in_base]
        self.a = np.bincount(psu, weights=wb * y[in_base], minlength=units)
        self.b = np.bincount(psu, weights=wb, minlength=units)
        in_unit = np.bincount(psu, minlength=units) > 0
        self.s0, self.s1 = self.b.sum(), self.a.sum()
        self.p = self.s1 / self.s0 if self.s0 > 0 else np.nan
        self.e = self.a - self.p * self.b  # centred on the base's share, so that sums of squares do not cancel
        stratum = design.psu_stratum

        def by_stratum(v):
            return np.bincount(stratum, weights=v, minlength=strata)[None, :]

        self.ee, self.eb, self.bb = by_stratum(self.e * self.e), by_stratum(self.e * self.b), by_stratum(self.b**2)
        self.e_sum, self.b_sum = by_stratum(self.e), by_stratum(self.b)
        # degf of the base's design, less 1 for the group's coefficient: svyglm's residual df in svyttest
        strata_in_base = (np.bincount(stratum[in_unit], minlength=strata) > 0).sum()
        self.df_rest = int(in_unit.sum() - strata_in_base - 1)


@dataclass
class _PairSums:
    """Σ w·y, Σ w and respondents of a question's base over the (group, unit) pairs of a breakdown."""

    a: np.ndarray
    b: np.ndarray
    n: np.ndarray

    @classmethod
    def of(cls, y: np.ndarray, in_base: np.ndarray, w: np.ndarray, pairs: _Pairs) -> _PairSums:
        keep = in_base & (pairs.of_row >= 0)
        rows, wk = pairs.of_row[keep], w[keep]
        return cls(
            np.bincount(rows, weights=wk * y[keep], minlength=pairs.count),
            np.bincount(rows, weights=wk, minlength=pairs.count),
            np.bincount(rows, minlength=pairs.count),
        )


def design_estimates(
    y: np.ndarray,
    in_base: np.ndarray,
    w: np.ndarray,
    pairs: _Pairs,
    design: SurveyDesign,
    rest: bool = True,
    base: _Base | None = None,
    sums: _PairSums | None = None,
) -> DesignEstimates:
    """Domain shares, their variance and interval, and group against rest, under strata, clusters and fpc.

    The share's influence values are ``z = w (y − p) / Σw`` in the domain (0 outside), summed over
    each sampling unit, as ``svymean`` on ``subset(design, in_base & in_group)``; the interval is
    ``svyciprop(method = "logit")`` on ``degf`` of the domain's design. Group against rest is
    ``svyttest(positive ~ in_group, subset(design, in_base))``: the difference's influence is the
    group's ``z`` less the rest's, and the test is Student's t on ``degf`` of the base's design − 1.
    """
    sums = sums or _PairSums.of(y, in_base, w, pairs)
    present = (sums.n > 0).astype(float)
    n = np.bincount(pairs.group, weights=sums.n, minlength=pairs.groups)
    s0 = np.bincount(pairs.group, weights=sums.b, minlength=pairs.groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.bincount(pairs.group, weights=sums.a, minlength=pairs.groups) / s0
        x = (sums.a - p[pairs.group] * sums.b) / s0[pairs.group]
        x_sq, x_sum = pairs.by_cell(x * x), pairs.by_cell(x)
        var = _stratified(design, x_sq, x_sum)
    se = np.sqrt(var)
    df = pairs.degrees_of_freedom(present)
    lo, hi = _interval(p, se, df)
    est = DomainEstimates(n, p, se, lo, hi, var)
    p_vs_rest, df_rest = np.full(pairs.groups, np.nan), 0
    if rest:
        base = base or _Base(y, in_base, w, design)
        p_vs_rest, df_rest = _against_rest(pairs, design, base, sums, p, s0)
    return DesignEstimates(est, df, p_vs_rest, df_rest, s0, (x, x_sq, x_sum))


def _difference(pairs: _Pairs, base: _Base, sums: _PairSums, p: np.ndarray, s0: np.ndarray):
    """The group-minus-rest influence by unit, as S (on the group's pairs) + R (on every unit of the base).

    Returns ``(p_rest, s0_rest, delta, s_pair, r_pair, r_sq, r_sum)``: ``R = −(e − δ b)/S0_rest`` with
    ``δ = p_rest − p_base``, and ``r_sq``, ``r_sum`` its sums of squares and sums by stratum.
    """
    s0_rest = base.s0 - s0
    p_rest = (base.s1 - p * s0) / s0_rest
    delta = p_rest - base.p
    g = pairs.group
    s_pair = (1 / s0 + 1 / s0_rest)[g] * sums.a - (p / s0 + p_rest / s0_rest)[g] * sums.b
    r_pair = -(base.e[pairs.psu] - delta[g] * base.b[pairs.psu]) / s0_rest[g]
    d = delta[:, None]
    r_sq = (base.ee - 2 * d * base.eb + d**2 * base.bb) / s0_rest[:, None] ** 2
    r_sum = -(base.e_sum - d * base.b_sum) / s0_rest[:, None]
    return p_rest, s0_rest, delta, s_pair, r_pair, r_sq, r_sum


def _against_rest(pairs, design, base: _Base, sums: _PairSums, p, s0) -> tuple[np.ndarray, int]:
    """p-values of ``svyttest(positive ~ in_group, subset(design, in_base))`` for every group at once."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p_rest, _, _, s_pair, r_pair, r_sq, r_sum = _difference(pairs, base, sums, p, s0)
        sum_sq = pairs.by_cell(s_pair * s_pair + 2 * s_pair * r_pair) + r_sq
        var = _stratified(design, sum_sq, pairs.by_cell(s_pair) + r_sum)
        t = (p - p_rest) / np.sqrt(var)
    if base.df_rest < 1:
        return np.full(pairs.groups, np.nan), base.df_rest
    return 2 * special.stdtr(base.df_rest, -np.abs(t)), base.df_rest


def _sweep(sums: list[np.ndarray], margins: RakingMargins) -> list[np.ndarray]:
    """R's ten raking sweeps on category sums of ``x / w``: the coefficients ``T_m`` (groups × categories).

    The adjusted influence of a respondent is ``x − w · Σ_m T_m[category of m]``.
    """
    m = len(margins.codes)
    total = [np.zeros_like(s) for s in sums]
    current = [s.copy() for s in sums]
    for _ in range(RAKING_SWEEPS):
        for i in range(m):
            coef = current[i] / margins.counts[i, i].diagonal()[None, :]
            total[i] += coef
            for j in range(m):
                current[j] -= coef @ margins.counts[i, j]
    return total


class _Units:
    """What the raked variance under a design needs of the margins, by sampling unit and stratum, once per wave.

    ``W_m[k, c]`` is the sum of weights of unit ``c``'s respondents in category ``k`` of margin ``m``: the
    raking moves a unit's influence by ``Σ_m Σ_k T_m[k] W_m[k, c]``. Sums of squares over a stratum's units
    then need only ``D_mm'[h] = Σ_{c∈h} W_m[:, c] W_m'[:, c]ᵀ`` and ``E_m[h] = Σ_{c∈h} W_m[:, c]``, so no
    array has a row per group and a column per unit.
    """

    def __init__(self, design: SurveyDesign, margins: RakingMargins, weights: np.ndarray):
        from scipy import sparse

        self.design = design
        self.margins = margins
        self._joint: dict[str, list[np.ndarray]] = {}
        units, strata = len(design.psu_stratum), len(design.n_psu)
        self.by_stratum = []  # per margin: units × (strata · categories), each unit in its stratum's block
        self.e = []
        for codes, k in zip(margins.codes, margins.sizes, strict=True):
            column = design.stratum * k + codes
            matrix = sparse.csr_matrix((weights, (design.psu, column)), shape=(units, strata * k))
            matrix.sum_duplicates()
            self.by_stratum.append(matrix)
            self.e.append(np.asarray(matrix.sum(axis=0)).reshape(strata, k))
        self.plain = [  # units × categories
            sparse.csr_matrix((weights, (design.psu, codes)), shape=(units, k))
            for codes, k in zip(margins.codes, margins.sizes, strict=True)
        ]
        self.d = {
            (i, j): (self.by_stratum[i].T @ self.plain[j]).toarray().reshape(strata, margins.sizes[i], -1)
            for i in range(len(margins.codes))
            for j in range(len(margins.codes))
        }

    def crossed(self, rows: np.ndarray, units: np.ndarray, values: np.ndarray, groups: int) -> list[np.ndarray]:
        """``Σ_{c∈h} X[g, c] W_m[k, c]`` for a sparse ``X`` given as (row, unit, value): groups × strata × K."""
        from scipy import sparse

        x = sparse.csr_matrix((values, (rows, units)), shape=(groups, len(self.design.psu_stratum)))
        strata = len(self.design.n_psu)
        return [np.asarray((x @ m).todense()).reshape(groups, strata, -1) for m in self.by_stratum]

    def joint(self, breakdown: str, codes: np.ndarray, groups: int) -> list[np.ndarray]:
        """Per margin, each respondent's (group, category) cell; ``groups · K`` for a respondent without a group.

        Computed once per breakdown and kept, since every question of the wave uses them.
        """
        if breakdown not in self._joint:
            self._joint[breakdown] = [
                np.where(codes >= 0, codes * k + mcodes, groups * k)
                for mcodes, k in zip(self.margins.codes, self.margins.sizes, strict=True)
            ]
        return self._joint[breakdown]

    def base_crossed(self, base: _Base) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``Σ_{c∈h} e_c W_m[k, c]`` and ``Σ_{c∈h} b_c W_m[k, c]`` of a question's base: strata × K per margin."""
        strata = len(self.design.n_psu)
        fe = [np.asarray(base.e @ m).reshape(strata, -1) for m in self.by_stratum]
        fb = [np.asarray(base.b @ m).reshape(strata, -1) for m in self.by_stratum]
        return fe, fb

    def adjusted(
        self, sum_sq: np.ndarray, total: np.ndarray, cross: list[np.ndarray], t: list[np.ndarray]
    ) -> np.ndarray:
        """The design variance of ``X − Σ_m T_m W_m`` from the sums of ``X`` (groups × strata) and its crosses."""
        for m, tm in enumerate(t):
            sum_sq = sum_sq - 2 * np.einsum("ghk,gk->gh", cross[m], tm)
            total = total - tm @ self.e[m].T
            for n, tn in enumerate(t):
                sum_sq = sum_sq + np.einsum("gk,hkl,gl->gh", tm, self.d[m, n], tn)
        return _stratified(self.design, sum_sq, total)


def raked_design_variance(
    breakdown: str,
    y: np.ndarray,
    in_base: np.ndarray,
    codes: np.ndarray,
    pairs: _Pairs,
    p: np.ndarray,
    s0: np.ndarray,
    margins: RakingMargins,
    units: _Units,
    base: _Base,
    sums: _PairSums,
    rest: bool,
    influence: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Variances allowing for the raking under strata, clusters and fpc: of each domain's share and of group − rest.

    As R's ``svymean`` on ``subset(rake(design), ...)`` and ``svyttest`` on ``subset(rake(design), in_base)``:
    the influence values are adjusted by the raking sweeps over every respondent (:func:`_sweep`), then summed
    by sampling unit. Returns ``(var, var_difference)`` over the groups (the second NaN when ``rest`` is false).
    """
    groups = pairs.groups
    in_base_f = in_base.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sums_g, base_sums = [], []
        for mcodes, k, joint in zip(margins.codes, margins.sizes, units.joint(breakdown, codes, groups), strict=True):
            # y is 0 outside the base, and respondents without a group fall in the extra last bin
            n_y = np.bincount(joint, weights=y, minlength=groups * k + 1)[:-1].reshape(groups, k)
            n_1 = np.bincount(joint, weights=in_base_f, minlength=groups * k + 1)[:-1].reshape(groups, k)
            sums_g.append((n_y - p[:, None] * n_1) / s0[:, None])
            if rest:
                base_y = np.bincount(mcodes, weights=y, minlength=k)[None, :]
                base_1 = np.bincount(mcodes, weights=in_base_f, minlength=k)[None, :]
                base_sums.append((base_y - n_y, base_1 - n_1))
        if influence is None:
            x_pair = (sums.a - p[pairs.group] * sums.b) / s0[pairs.group]
            influence = (x_pair, pairs.by_cell(x_pair * x_pair), pairs.by_cell(x_pair))
        x_pair, x_sq, x_sum = influence
        t_g = _sweep(sums_g, margins)
        cross = units.crossed(pairs.group, pairs.psu, x_pair, groups)
        var = units.adjusted(x_sq, x_sum, cross, t_g)
        if not rest:
            return var, np.full(groups, np.nan)
        p_rest, s0_rest, delta, s_pair, r_pair, r_sq, r_sum = _difference(pairs, base, sums, p, s0)
        sum_sq = pairs.by_cell(s_pair * s_pair + 2 * s_pair * r_pair) + r_sq
        total = pairs.by_cell(s_pair) + r_sum
        cross = units.crossed(pairs.group, pairs.psu, s_pair, groups)
        fe, fb = units.base_crossed(base)
        for m in range(len(cross)):
            cross[m] = cross[m] - (fe[m][None] - delta[:, None, None] * fb[m][None]) / s0_rest[:, None, None]
        rest_sums = [(ny - p_rest[:, None] * n1) / s0_rest[:, None] for ny, n1 in base_sums]
        t_u = [tg - tr for tg, tr in zip(t_g, _sweep(rest_sums, margins), strict=True)]
        return var, units.adjusted(sum_sq, total, cross, t_u)


def _raked(
    est: DomainEstimates, var: np.ndarray, df: np.ndarray, var_diff: np.ndarray, p_rest: np.ndarray, df_rest: int
) -> tuple[DomainEstimates, np.ndarray]:
    """Estimates whose standard error, interval and group-against-rest test allow for the raking."""
    se = np.sqrt(var)
    lo, hi = _interval(est.p, se, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (est.p - p_rest) / np.sqrt(var_diff)
    p_vs_rest = 2 * special.stdtr(df_rest, -np.abs(t)) if df_rest >= 1 else np.full(len(se), np.nan)
    return DomainEstimates(est.n, est.p, se, lo, hi, var), p_vs_rest


def _categories(values: pd.Series, preferred: list[str] | None) -> list[str]:
    present = [v for v in pd.unique(values) if v != ""]
    if preferred:
        return [c for c in preferred if c in set(present)] + sorted(v for v in present if v not in set(preferred))
    return sorted(present)


def estimate_wave(
    responses: pd.DataFrame,
    weights: np.ndarray,
    wave: WaveConfig,
    margins: dict[str, pd.Series] | None = None,
    design: SurveyDesign | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Estimates for every question, for All and every group of every breakdown.

    Returns
    -------
    (DataFrame, list of Problem)
        One row per question × group with :data:`ESTIMATE_COLUMNS` (``pct``, ``se``, ``ci_*`` in
        percentage points) and the group-versus-rest test; and warnings, e.g. a positive answer that
        no respondent gave.

    Raises
    ------
    DataValidationError
        When none of a question's positive answers occurs in the responses (almost surely a typo).

    Notes
    -----
    With a ``design`` (strata, clusters or fpc) the standard errors, intervals and group-against-rest
    tests are those of :func:`design_estimates`; without one, of ``svydesign(ids = ~1, weights = ~w)``.
    """
    rows = []
    n_all = len(responses)
    raking = None
    if margins and wave.weight_by:
        from .weighting import encode

        raking = RakingMargins.build([encode(responses[v], list(margins[v].index)) for v in wave.weight_by], weights)
    breakdown_codes = {"All": (["All"], np.zeros(n_all, dtype=np.int64))}
    for breakdown in wave.breakdowns:
        preferred = list(margins[breakdown].index) if margins and breakdown in margins else None
        raw_codes, uniques = factorize(responses[breakdown])
        cats = _categories(pd.Series(uniques, dtype=object), preferred)
        position = {c: i for i, c in enumerate(cats)}
        remap = np.array([position.get(u, -1) for u in uniques] + [-1])
        breakdown_codes[breakdown] = (cats, remap[raw_codes])
    problems = check_questions(responses, wave)
    complex_design = design is not None and wave.has_design
    # Raked variances under a design, or for variance = "raked" (which needs the raked group-against-rest test)
    units, pairs = None, {}
    unit_design = design if complex_design and design is not None else SurveyDesign.simple(n_all)
    if complex_design or (raking is not None and wave.variance == "raked"):
        pairs = {b: _Pairs(codes, len(cats), unit_design) for b, (cats, codes) in breakdown_codes.items()}
        if raking is not None:
            units = _Units(unit_design, raking, weights)
    for q in wave.questions:
        y, base = classify(responses[q.key], q)
        total = _sums(y, base, weights, np.zeros(n_all, dtype=np.int64), 1) if not complex_design else None
        unit_base = _Base(y, base, weights, unit_design) if pairs else None
        for breakdown in ["All", *wave.breakdowns]:
            cats, codes = breakdown_codes[breakdown]
            pair_sums = _PairSums.of(y, base, weights, pairs[breakdown]) if pairs else None
            if complex_design:
                by_design = design_estimates(
                    y, base, weights, pairs[breakdown], unit_design, breakdown != "All", unit_base, pair_sums
                )
                est, p_vs_rest, df = by_design.est, by_design.p_vs_rest, by_design.df
                df_rest, s0, influence = by_design.df_rest, by_design.s0, by_design.influence
                assert s0 is not None, "design_estimates always sets s0"
            else:
                assert total is not None
                influence = None
                sums = _sums(y, base, weights, codes, len(cats))
                est, s0 = _finish(sums, n_all), sums.s0
                df, df_rest = est.n - 1, int(total.n[0]) - 2
                p_vs_rest = np.full(len(cats), np.nan)
                if breakdown != "All" and total.n[0] > 2:
                    # The rest: everyone else in the base, including those who did not answer this breakdown.
                    rest = _finish(
                        _Sums(*(np.repeat(getattr(total, f), len(cats)) for f in ("n", "s0", "s1", "a", "b"))) - sums,
                        n_all,
                    )
                    with np.errstate(divide="ignore", invalid="ignore"):
                        t = (est.p - rest.p) / np.sqrt(est.var + rest.var)
                    p_vs_rest = 2 * special.stdtr(total.n[0] - 2, -np.abs(t))
            if units is not None and raking is not None and unit_base is not None and pair_sums is not None:
                test = wave.variance == "raked" and breakdown != "All"
                var_raked, var_diff = raked_design_variance(
                    breakdown,
                    y,
                    base,
                    codes,
                    pairs[breakdown],
                    est.p,
                    s0,
                    raking,
                    units,
                    unit_base,
                    pair_sums,
                    test,
                    influence,
                )
                if wave.variance == "raked":
                    with np.errstate(divide="ignore", invalid="ignore"):
                        p_rest = (unit_base.s1 - est.p * s0) / (unit_base.s0 - s0)
                    est, p_vs_rest = _raked(est, var_raked, df, var_diff, p_rest, df_rest)
            elif raking is not None:
                var_raked = raked_variance(y, base, weights, codes, len(cats), est.p, s0, raking)
            else:
                var_raked = np.full(len(cats), np.nan)
            for g, cat in enumerate(cats):
                rows.append(
                    {
                        "wave": wave.name,
                        "question": q.key,
                        "label": q.label,
                        "breakdown": breakdown,
                        "group": cat,
                        "n": int(est.n[g]),
                        "pct": 100 * est.p[g],
                        "se": 100 * est.se[g],
                        "se_raked": 100 * np.sqrt(var_raked[g]),
                        "ci_low": 100 * est.ci_low[g],
                        "ci_high": 100 * est.ci_high[g],
                        "p_vs_rest": p_vs_rest[g],
                        "df": int(df[g]),  # degrees of freedom of the interval (R's degf); not published
                    }
                )
    frame = pd.DataFrame(rows)
    suppressed = frame["n"] < wave.min_cell
    frame["suppressed"] = suppressed
    frame.loc[suppressed, ["pct", "se", "se_raked", "ci_low", "ci_high", "p_vs_rest"]] = np.nan
    frame["significant_vs_rest"] = (frame["p_vs_rest"] < ALPHA) & ~suppressed
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    return frame, problems


def compare_waves(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Add the previous wave's share, the change and its significance; set the contract's ``significant``.

    ``significant`` is the group-against-rest test for a group, and the change since
    the previous wave for All (which has no rest).
    """
    out = current.copy()
    out["previous_pct"] = np.nan
    out["change"] = np.nan
    out["p_vs_previous"] = np.nan
    if previous is not None:
        key = ["question", "breakdown", "group"]
        prev = previous.set_index(key)[["pct", "se"]].rename(columns={"pct": "prev_pct", "se": "prev_se"})
        joined = out.join(prev, on=key)
        with np.errstate(invalid="ignore"):
            z = (joined["pct"] - joined["prev_pct"]) / np.sqrt(joined["se"] ** 2 + joined["prev_se"] ** 2)
        out["previous_pct"] = joined["prev_pct"]
        out["change"] = joined["pct"] - joined["prev_pct"]
        out["p_vs_previous"] = 2 * special.ndtr(-np.abs(z))
    out["significant_vs_previous"] = (out["p_vs_previous"] < ALPHA) & ~out["suppressed"]
    is_all = out["breakdown"] == "All"
    out["significant"] = np.where(is_all, out["significant_vs_previous"], out["significant_vs_rest"])
    return out[ESTIMATE_COLUMNS + EXTRA_COLUMNS]
