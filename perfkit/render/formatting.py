"""Numbers and words as the report prints them."""

from __future__ import annotations

import math

__all__ = ["DIRECTION_LABELS", "format_value"]

#: How each direction of travel is written in tables.
DIRECTION_LABELS = {
    "improved": "Improved",
    "worsened": "Worsened",
    "no_change": "No change",
    "up": "Up",
    "down": "Down",
    "n/a": "Not comparable",
}


def format_value(value: float, unit: str, decimals: int) -> str:
    """A value at display precision with its unit: ``84.3%``, ``21.5 days``, ``£1,200``, ``3,215``.

    A missing value is an en dash, which tables explain in their notes. Numpy numbers
    are accepted, so a metric's row of the register can be passed as it is.

    >>> format_value(84.25, "percent", 1), format_value(3215, "number", 0), format_value(float("nan"), "days", 1)
    ('84.3%', '3,215', '–')
    >>> m = tiny.metrics.loc["A4"]
    >>> format_value(22.04, m["unit"], m["decimals"])   # decimals is a numpy.int64 here
    '22.0 days'
    """
    from ..rounding import places, round_half_up

    if value is None or math.isnan(float(value)):
        return "–"
    dec = places(decimals)
    text = f"{round_half_up(value, dec):,.{dec}f}"
    if unit == "percent":
        return f"{text}%"
    if unit == "days":
        return f"{text} day" if text == "1" else f"{text} days"
    if unit == "currency":
        return f"£{text}" if not text.startswith("-") else f"-£{text[1:]}"
    return text
