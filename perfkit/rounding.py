"""Rounding as Excel and the printed report do it: half away from zero."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, decimals: int) -> float:
    """Round ``value`` to ``decimals`` places, halves away from zero, as Excel's ROUND does.

    Binary floating point holds 96.95 as 96.9499999…, so ``round(96.95, 1)``
    gives 96.9; the report prints 97.0 and judges what it prints. The decimal
    text of the float is rounded instead.

    >>> round_half_up(96.96, 1), round_half_up(96.95, 1), round_half_up(-2.5, 0)
    (97.0, 97.0, -3.0)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
