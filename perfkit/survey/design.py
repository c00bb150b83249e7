"""A wave's sampling design: design weights, strata, one stage of clusters, finite population correction.

The reference is R's ``svydesign(ids = ~cluster, strata = ~strata, weights = ~weight, fpc = ~fpc)``
(DESIGN §5, Designs v2). Its checks are R's, as messages naming the file, row and column:
weights must be positive numbers; a cluster must lie in one stratum (R: "clusters not nested
in strata"); ``fpc`` is constant within a stratum, either every value a population size in
sampling units (at least the stratum's sampled units) or every value a sampling fraction ≤ 1;
and a stratum needs two sampling units (R's default ``survey.lonely.psu = "fail"``).

Standard errors under the design are in :mod:`perfkit.survey.estimates`: with ``z`` a
respondent's influence value and ``Z`` its sum over a sampling unit,
``Var = Σ_h (1 − f_h) · n_h/(n_h − 1) · Σ_{c∈h} (Z_c − Z̄_h)²``, as R's ``svyrecvar``.

Examples
--------
Two strata of two clusters, with population sizes of 10 clusters each:

>>> import pandas as pd
>>> from perfkit.survey.config import WaveConfig
>>> wave = WaveConfig("w", None, "t", None, "id", (), (), 1, (), strata="s", cluster="c", fpc="N")
>>> resp = pd.DataFrame({"s": ["a", "a", "a", "b", "b"], "c": ["1", "1", "2", "3", "4"], "N": ["10"] * 5})
>>> d = build_design(resp, wave, "responses.csv")
>>> d.n_psu.tolist(), d.fraction.tolist(), d.psu.tolist()
([2, 2], [0.2, 0.2], [0, 0, 1, 2, 3])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.typed_cells import parse_number
from ..errors import CellError, DataValidationError, Problem
from .config import WaveConfig

__all__ = ["SurveyDesign", "build_design", "design_weights"]

#: At most this many problems of one kind are listed; the rest are counted.
MAX_LISTED = 10


@dataclass(frozen=True)
class SurveyDesign:
    """Strata and sampling units of a wave, as arrays.

    Attributes
    ----------
    psu
        Each respondent's sampling unit, 0..P-1 (the respondent itself without ``cluster``).
    stratum
        Each respondent's stratum, 0..H-1 (all 0 without ``strata``).
    psu_stratum
        The stratum of each sampling unit.
    n_psu
        Sampling units per stratum in the whole sample.
    fraction
        Sampling fraction per stratum (0 without ``fpc``).
    strata_names
        The strata as written in the responses.
    clustered
        Whether ``cluster`` was given (otherwise each respondent is a sampling unit).
    """

    psu: np.ndarray
    stratum: np.ndarray
    psu_stratum: np.ndarray
    n_psu: np.ndarray
    fraction: np.ndarray
    strata_names: tuple[str, ...]
    clustered: bool

    @classmethod
    def simple(cls, n: int) -> SurveyDesign:
        """``svydesign(ids = ~1)``: each of ``n`` respondents its own sampling unit, one stratum, no fpc."""
        zeros = np.zeros(n, dtype=np.int64)
        return cls(np.arange(n), zeros, zeros, np.array([n]), np.zeros(1), ("All",), False)

    @property
    def scale(self) -> np.ndarray:
        """``(1 − f_h) n_h / (n_h − 1)`` per stratum: the factor of each stratum's sum of squares."""
        n = self.n_psu.astype(float)
        return (1 - self.fraction) * n / (n - 1)

    def without_fpc_or_clusters(self) -> SurveyDesign:
        """The same strata with each respondent its own sampling unit and no fpc: ``ids = ~1``."""
        n = len(self.stratum)
        counts = np.bincount(self.stratum, minlength=len(self.strata_names))
        return SurveyDesign(
            np.arange(n), self.stratum, self.stratum, counts, np.zeros(len(counts)), self.strata_names, False
        )

    def without_fpc(self) -> SurveyDesign:
        """The same design with no finite population correction."""
        return SurveyDesign(
            self.psu,
            self.stratum,
            self.psu_stratum,
            self.n_psu,
            np.zeros(len(self.n_psu)),
            self.strata_names,
            self.clustered,
        )


def _listed(problems: list[Problem], more: int, label: str, column: str, what: str) -> None:
    if more > 0:
        problems.append(
            Problem(label, None, column, f"… and {more} more rows with {what}.", "Correct them in the same way.")
        )


def design_weights(responses: pd.DataFrame, wave: WaveConfig, label: str) -> np.ndarray:
    """The ``weight`` column as positive numbers.

    Raises
    ------
    DataValidationError
        Naming each row whose weight is blank, not a number, zero or negative.
    """
    col = wave.weight
    problems: list[Problem] = []
    # each distinct text is read once: a million respondents have far fewer distinct weights
    codes, texts = pd.factorize(responses[col])
    parsed = np.empty(len(texts))
    messages: dict[int, str] = {}
    for j, text in enumerate(texts):
        try:
            if not text.strip():
                raise CellError("The weight is blank.", "")
            value = parse_number(text)
            if not np.isfinite(value) or value <= 0:
                raise CellError(f"The weight is {text.strip()}: a design weight must be a number above 0.", "")
            parsed[j] = value
        except CellError as exc:
            messages[j] = exc.message
            parsed[j] = np.nan
    values = parsed[codes]
    wrong = np.flatnonzero(np.isnan(values))
    bad = len(wrong)
    for i in wrong[:MAX_LISTED]:
        problems.append(
            Problem(
                label,
                int(i) + 2,
                col,
                messages[int(codes[i])],
                f"Give every respondent a positive weight in {col} (from the survey agency's weighting), "
                "or remove weight from survey.toml.",
            )
        )
    _listed(problems, bad - MAX_LISTED, label, col, "a weight that is not a positive number")
    if problems:
        raise DataValidationError(problems)
    return values


def build_design(responses: pd.DataFrame, wave: WaveConfig, label: str) -> SurveyDesign:
    """The strata, sampling units and fpc of a wave, checked as R's ``svydesign`` checks them.

    Raises
    ------
    DataValidationError
        For a blank stratum or cluster, a cluster in more than one stratum, an fpc that varies
        within a stratum, is not a positive number, is smaller than the stratum's sample, or mixes
        fractions and sizes; and a stratum with one sampling unit.
    """
    n = len(responses)
    problems: list[Problem] = []
    for key in ("strata", "cluster"):
        col = getattr(wave, key)
        if not col:
            continue
        blank = np.flatnonzero(responses[col].str.strip().to_numpy() == "")
        for i in blank[:MAX_LISTED]:
            problems.append(
                Problem(
                    label,
                    int(i) + 2,
                    col,
                    f'The {"stratum" if key == "strata" else "cluster"} ({key} = "{col}" in survey.toml) is blank.',
                    f"Give every respondent the {'stratum' if key == 'strata' else 'cluster'} they were sampled in.",
                )
            )
        _listed(problems, len(blank) - MAX_LISTED, label, col, f"a blank {col}")
    if problems:
        raise DataValidationError(problems)
    if wave.strata:
        stratum, strata_names = pd.factorize(responses[wave.strata], sort=True)
        names = tuple(str(s) for s in strata_names)
    else:
        stratum, names = np.zeros(n, dtype=np.int64), ("All",)
    stratum = np.asarray(stratum, dtype=np.int64)
    if wave.cluster:
        psu, clusters = pd.factorize(responses[wave.cluster], sort=False)
        psu = np.asarray(psu, dtype=np.int64)
        psu_stratum = np.full(len(clusters), -1, dtype=np.int64)
        psu_stratum[psu] = stratum  # the last respondent's stratum; checked against every respondent below
        split = np.flatnonzero(psu_stratum[psu] != stratum)
        reported: set[int] = set()
        for i in split:
            c = int(psu[i])
            if c in reported or len(reported) >= MAX_LISTED:
                continue
            reported.add(c)
            first = int(np.flatnonzero(psu == c)[0])
            problems.append(
                Problem(
                    label,
                    int(i) + 2,
                    wave.cluster,
                    f"The cluster '{clusters[c]}' is in the stratum '{responses[wave.strata].iloc[i]}' here but in "
                    f"'{responses[wave.strata].iloc[first]}' on row {first + 2}: a cluster must lie within one "
                    "stratum.",
                    f"Check {wave.cluster} and {wave.strata} on these rows; if cluster ids are reused in different "
                    "strata, make them unique (for example by adding the stratum to the id).",
                )
            )
    else:
        psu, psu_stratum = np.arange(n), stratum
    if problems:
        raise DataValidationError(problems)
    n_psu = np.bincount(psu_stratum, minlength=len(names))
    fraction = _fpc(responses, wave, stratum, names, n_psu, label) if wave.fpc else np.zeros(len(names))
    lonely = [names[h] for h in np.flatnonzero(n_psu == 1)]
    if lonely:
        unit = "cluster" if wave.cluster else "respondent"
        col = wave.strata or wave.cluster
        problems.append(
            Problem(
                label,
                int(np.flatnonzero(stratum == np.flatnonzero(n_psu == 1)[0])[0]) + 2,
                col,
                f"The stratum {', '.join(repr(s) for s in lonely[:MAX_LISTED])} "
                f"{'has' if len(lonely) == 1 else 'have'} only one {unit}, so its sampling variance cannot be "
                'estimated (R\'s survey.lonely.psu = "fail").',
                f"Merge each such stratum with a similar one in {wave.strata} (as the survey agency advises), "
                "or check that the strata and clusters are the right columns.",
            )
        )
        raise DataValidationError(problems)
    return SurveyDesign(psu, stratum, psu_stratum, n_psu, fraction, names, bool(wave.cluster))


def _fpc(
    responses: pd.DataFrame, wave: WaveConfig, stratum: np.ndarray, names: tuple[str, ...], n_psu, label: str
) -> np.ndarray:
    """Sampling fraction per stratum from the ``fpc`` column, as R's ``as.fpc``."""
    col = wave.fpc
    problems: list[Problem] = []
    values = np.full(len(responses), np.nan)
    for text in pd.unique(responses[col]):
        rows = np.flatnonzero(responses[col].to_numpy() == text)
        try:
            value = parse_number(text) if text.strip() else None
            if value is None:
                raise CellError("The fpc is blank.", "")
            if not np.isfinite(value) or value <= 0:
                raise CellError(f"The fpc is {text.strip()}: it must be a number above 0.", "")
        except CellError as exc:
            problems.append(
                Problem(
                    label,
                    int(rows[0]) + 2,
                    col,
                    exc.message,
                    "Give the stratum's population size in sampling units, or its sampling fraction (at most 1).",
                )
            )
            continue
        values[rows] = value
    if problems:
        raise DataValidationError(problems)
    where = "the stratum" if wave.strata else "the sample"
    per_stratum = np.full(len(names), np.nan)
    for h, name in enumerate(names):
        inside = np.flatnonzero(stratum == h)
        v = values[inside]
        if (v != v[0]).any():
            other = int(inside[np.flatnonzero(v != v[0])[0]])
            problems.append(
                Problem(
                    label,
                    other + 2,
                    col,
                    f"The fpc is {responses[col].iloc[other]} here but {responses[col].iloc[inside[0]]} on row "
                    f"{inside[0] + 2}, in {where}{f' {name!r}' if wave.strata else ''}: it must be the same for "
                    "every respondent of a stratum.",
                    "Give every respondent of a stratum the stratum's population size (or sampling fraction).",
                )
            )
        per_stratum[h] = v[0]
    if problems:
        raise DataValidationError(problems)
    unit = "clusters" if wave.cluster else "respondents"
    if (per_stratum <= 1).all():
        return per_stratum
    if (per_stratum < 1).any():
        h = int(np.flatnonzero(per_stratum < 1)[0])
        return _refuse(
            label,
            stratum,
            h,
            col,
            f"The fpc mixes sampling fractions (such as {per_stratum[h]:g}) with population sizes.",
            "Give every stratum its population size, or every stratum its sampling fraction, not a mixture.",
        )
    small = np.flatnonzero(per_stratum < n_psu)
    if len(small):
        h = int(small[0])
        name = f" {names[h]!r}" if wave.strata else ""
        return _refuse(
            label,
            stratum,
            h,
            col,
            f"The fpc of {where}{name} is {per_stratum[h]:g}, fewer than the {n_psu[h]} {unit} sampled in it: a "
            "population cannot be smaller than its sample.",
            f"Give the number of {unit} in the whole population of {where}, not of the sample "
            "(or a sampling fraction of at most 1).",
        )
    return n_psu / per_stratum


def _refuse(label: str, stratum: np.ndarray, h: int, col: str, message: str, fix: str) -> np.ndarray:
    row = int(np.flatnonzero(stratum == h)[0]) + 2
    raise DataValidationError([Problem(label, row, col, message, fix)])
