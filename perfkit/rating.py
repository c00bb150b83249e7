"""Rating a figure against its target, and finding the target for a period (design §4).

Values and targets are compared at the metric's display precision, in decimal
arithmetic, so that a value printed as equal to its target is equal. This module
is shared by the register's checks (is a reported word an override?) and by the
assessment.

Examples
--------
>>> rate(50.0, 50.0, "higher", None), rate(50.0, 50.0, "higher", None, strict=True)
('green', 'red')
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import NamedTuple

import pandas as pd

from .data.typed_cells import Tolerance
from .periods import FinancialYear, Half, Period, Quarter

__all__ = ["FoundTarget", "TargetBook", "direction", "rate"]

_DIRECTION_WORDS = {
    "higher": ("improved", "worsened"),
    "lower": ("worsened", "improved"),
    "none": ("up", "down"),
}


def _dec(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def rate(value: float, target: float, polarity: str, tolerance: Tolerance | None, *, strict: bool = False) -> str:
    """RAG-rate a value already rounded to display precision against its rounded target.

    Parameters
    ----------
    value, target
        At the metric's display precision.
    polarity
        ``higher`` or ``lower``: which way is better.
    tolerance
        The bands below the target, or ``None`` for none.
    strict
        ``True`` for a target written ``>50`` or ``<20``: met only beyond the number.

    Returns
    -------
    str
        ``green`` when the target is met, or the shortfall is within the green band;
        ``amber`` when the shortfall is within the amber band; else ``red``. A band
        includes its edge, and is measured from the target's number.

    Examples
    --------
    >>> rate(97.0, 95.0, "higher", None)
    'green'
    >>> rate(90.3, 95.0, "higher", Tolerance(0.05, True))   # band 95 - 4.75 = 90.25
    'amber'
    >>> two = Tolerance(0.10, True, Tolerance(0.05, True))   # 5%/10% of 80: green to 76, amber to 72
    >>> rate(76.0, 80.0, "higher", two), rate(75.9, 80.0, "higher", two), rate(71.9, 80.0, "higher", two)
    ('green', 'amber', 'red')
    """
    v, t = _dec(value), _dec(target)
    sign = 1 if polarity == "higher" else -1
    gap = (v - t) * sign  # how far on the good side of the target
    if gap > 0 or (gap == 0 and not strict):
        return "green"
    if tolerance is not None:
        shortfall = -gap
        if tolerance.green is not None and shortfall <= _width(tolerance.green, t):
            return "green"
        if shortfall <= _width(tolerance, t):
            return "amber"
    return "red"


def _width(band: Tolerance, target: Decimal) -> Decimal:
    return _dec(band.amount) * abs(target) if band.relative else _dec(band.amount)


def direction(current: float, earlier: float, polarity: str) -> str:
    """Direction of travel between two values at display precision.

    >>> direction(84.3, 82.0, "higher"), direction(84.3, 82.0, "lower"), direction(5.0, 5.0, "none")
    ('improved', 'worsened', 'no_change')
    """
    if math.isnan(current) or math.isnan(earlier) or polarity not in _DIRECTION_WORDS:
        return "n/a"
    if current == earlier:
        return "no_change"
    up, down = _DIRECTION_WORDS[polarity]
    return up if current > earlier else down


class FoundTarget(NamedTuple):
    """The target that applies to a period: its number and whether it is strict (``>50``)."""

    number: float
    comparison: str = ""

    @property
    def strict(self) -> bool:
        return self.comparison in (">", "<")


class TargetBook:
    """The targets of a register, looked up by metric and period.

    A quarter takes its own target, else its year's. A half takes its own (``H1``),
    else its last quarter's, else its year's. A year takes its year's.

    Parameters
    ----------
    targets
        The register's ``targets`` table (``code, start_year, quarter, half, target, comparison``).
    """

    def __init__(self, targets: pd.DataFrame):
        n = len(targets)
        halves = targets["half"].tolist() if "half" in targets else [0] * n
        comparisons = targets["comparison"].tolist() if "comparison" in targets else [""] * n
        columns = (targets[c].tolist() for c in ("code", "start_year", "quarter", "target"))
        self._book: dict[tuple[str, int, int, int], tuple[float, str]] = {
            (c, y, q, h): (v, cmp)
            for (c, y, q, v), h, cmp in zip(zip(*columns, strict=True), halves, comparisons, strict=True)
        }

    def find(self, code: str, period: Period) -> FoundTarget | None:
        """The target for ``code`` in ``period``, or ``None``."""
        book, y = self._book, period.start_year
        if isinstance(period, Quarter):
            found = book.get((code, y, period.number, 0)) or book.get((code, y, 0, 0))
        elif isinstance(period, Half):
            found = (
                book.get((code, y, 0, period.number))
                or book.get((code, y, period.last_quarter.number, 0))
                or book.get((code, y, 0, 0))
            )
        elif isinstance(period, FinancialYear):
            found = book.get((code, y, 0, 0))
        else:
            raise TypeError(f"not a period: {period!r}")
        return None if found is None else FoundTarget(*found)
