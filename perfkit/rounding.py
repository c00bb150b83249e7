"""Rounding as Excel and the printed report do it: half away from zero."""

from __future__ import annotations

import math
import operator
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["places", "round_half_up"]


def places(decimals: object) -> int:
    """A number of decimal places as a plain ``int``, from any whole number.

    The register's ``decimals`` column holds numpy integers (``reg.metrics.loc[code, "decimals"]``
    is a ``numpy.int64``), which :class:`decimal.Decimal` and some formatting refuse; a whole
    float such as ``1.0`` is accepted too.

    Raises
    ------
    TypeError
        When ``decimals`` is not a whole number (``1.5``, ``"1"``), saying what was given.

    >>> import numpy as np
    >>> places(np.int64(2)), places(1.0), places(3)
    (2, 1, 3)
    """
    if isinstance(decimals, float) and decimals.is_integer():
        return int(decimals)
    try:
        return operator.index(decimals)  # type: ignore[arg-type]
    except TypeError:
        pass
    if hasattr(decimals, "is_integer") and decimals.is_integer():  # numpy floating, e.g. float32(1.0)
        return int(decimals)  # type: ignore[call-overload]
    raise TypeError(f"decimals must be a whole number of decimal places (such as 1), not {decimals!r}.")


def round_half_up(value: float, decimals: int) -> float:
    """Round ``value`` to ``decimals`` places, halves away from zero, as Excel's ROUND does.

    Binary floating point holds 96.95 as 96.9499999…, so ``round(96.95, 1)``
    gives 96.9; the report prints 97.0 and judges what it prints. The decimal
    text of the float is rounded instead. Numpy numbers are accepted for both
    arguments; a missing value (``None`` or NaN) gives NaN.

    >>> round_half_up(96.96, 1), round_half_up(96.95, 1), round_half_up(-2.5, 0)
    (97.0, 97.0, -3.0)
    """
    if value is None:
        return math.nan
    number = float(value)
    if math.isnan(number):
        return math.nan
    quantum = Decimal(1).scaleb(-places(decimals))
    return float(Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP))
