"""Lenient parsers for single cells typed by hand in spreadsheets.

Each parser takes the text of one cell and returns a typed value or raises
:class:`CellError` with a sentence saying what is wrong and how to fix it; the
register loader adds the file, row and column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import CellError

#: Texts people type to mean "no figure". Read as blank, with a warning.
MISSING_MARKERS = frozenset({"n/a", "na", "n.a.", "-", "–", "—", "tbc", "null", "none", "nan", "#n/a"})

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def is_blank(text: str) -> bool:
    """True for an empty cell (spaces only count as empty)."""
    return text.strip() == ""


def parse_number(text: str) -> float:
    """Read a number as people type it.

    Accepts ``12``, ``-3.5``, ``1,234.5`` (thousands separators), ``95%``,
    ``£1,200`` and surrounding spaces. Rejects ``12,5`` (a decimal comma) and
    anything that is not a number.

    >>> parse_number(" 1,234.5 ")
    1234.5
    >>> parse_number("95%")
    95.0
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if s.startswith("£"):
        s = s[1:]
    if s.endswith("%"):
        s = s[:-1]
    if s.startswith("(") and s.endswith(")"):
        # accounting style negative, as Excel shows it
        s = "-" + s[1:-1]
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if "," in s:
        raise CellError(
            f"'{text.strip()}' has a comma where a decimal point is expected.",
            "Use a full stop for decimals (12.5, not 12,5).",
        )
    if not _PLAIN.match(s):
        raise CellError(
            f"'{text.strip()}' is not a number.",
            "Enter a number such as 95 or 12.5; any words about it belong in the commentary.",
        )
    value = float(s)
    if not math.isfinite(value):
        raise CellError(f"'{text.strip()}' is not a finite number.", "Enter an ordinary number.")
    return value


def parse_yes_no(text: str, default: bool = False) -> bool:
    """Read ``yes``/``no`` (also ``true``/``false``, ``y``/``n``, ``1``/``0``); blank gives ``default``."""
    s = text.strip().lower()
    if s == "":
        return default
    if s in {"yes", "y", "true", "1"}:
        return True
    if s in {"no", "n", "false", "0"}:
        return False
    raise CellError(f"'{text.strip()}' is not yes or no.", "Enter yes or no, or leave it blank for no.")


def parse_int(text: str, default: int) -> int:
    """Read a whole number of at least zero; blank gives ``default``."""
    if is_blank(text):
        return default
    value = parse_number(text)
    if value != int(value) or value < 0:
        raise CellError(f"'{text.strip()}' is not a whole number of at least 0.", "Enter 0, 1, 2 or similar.")
    return int(value)


@dataclass(frozen=True)
class Tolerance:
    """How far a figure may fall short of its target and still count as amber (and, in v2, as green).

    ``amount`` and ``relative`` are the amber band: an amount in the metric's unit, or a
    share of |target|. ``green`` is contract v2's first band (``5%/10%``): a shortfall of
    no more than it still counts as green.
    """

    amount: float
    relative: bool
    green: Tolerance | None = None

    def width(self, target: float) -> float:
        """The amber band's width for a given target, in the metric's unit."""
        return self.amount * abs(target) if self.relative else self.amount

    def green_width(self, target: float) -> float:
        """The green band's width for a given target (0 without a green band)."""
        return 0.0 if self.green is None else self.green.width(target)

    def __str__(self) -> str:
        amber = f"{self.amount * 100:g}% of target" if self.relative else f"{self.amount:g}"
        if self.green is None:
            return amber
        return f"green within {self.green}, amber within {amber}"


def _one_band(s: str, whole: str) -> Tolerance:
    relative = s.endswith("%")
    try:
        amount = parse_number(s[:-1] if relative else s)
    except CellError as exc:
        raise CellError(
            f"'{whole}' is not a tolerance.",
            "Enter a number in the metric's unit (2), a percentage of the target (5%), or two bands "
            "(5%/10%: green within the first, amber within the second); a blank tolerance means none.",
        ) from exc
    if amount < 0:
        raise CellError(f"'{whole}' is negative.", "A tolerance is the width of a band below the target: 0 or more.")
    return Tolerance(amount / 100 if relative else amount, relative)


def parse_tolerance(text: str) -> Tolerance | None:
    """Read a tolerance: ``2`` (in the metric's unit), ``5%`` (a share of the target), or two bands ``5%/10%``.

    >>> parse_tolerance("5%")
    Tolerance(amount=0.05, relative=True, green=None)
    >>> str(parse_tolerance("5%/10%"))
    'green within 5% of target, amber within 10% of target'
    >>> parse_tolerance("") is None
    True
    """
    s = text.strip()
    if s == "":
        return None
    if "/" not in s:
        return _one_band(s, s)
    parts = [part.strip() for part in s.split("/")]
    if len(parts) != 2 or not all(parts):
        raise CellError(
            f"'{s}' is not a tolerance.",
            "Two bands are written as 5%/10%: green within the first, amber within the second.",
        )
    green, amber = _one_band(parts[0], s), _one_band(parts[1], s)
    if green.relative == amber.relative and green.amount > amber.amount:
        raise CellError(
            f"'{s}' has a green band wider than its amber band.",
            f"Write the narrower band first: {parts[1]}/{parts[0]}.",
        )
    return Tolerance(amber.amount, amber.relative, green)


#: The comparisons a target may carry, as written and as stored.
_COMPARISONS = {">=": ">=", "≥": ">=", "=>": ">=", "<=": "<=", "≤": "<=", "=<": "<=", ">": ">", "<": "<"}
_COMPARISON_STARTS = frozenset("<>=≤≥")
_BETTER = {">": "higher", ">=": "higher", "<": "lower", "<=": "lower"}


class TargetCell(NamedTuple):
    """A target as written: its number and its comparison (``""`` for a bare number).

    A named tuple rather than a dataclass: a register has tens of thousands of targets.
    """

    number: float
    comparison: str = ""

    @property
    def strict(self) -> bool:
        """``>50`` and ``<20`` are met only beyond the number."""
        return self.comparison in (">", "<")

    @property
    def better(self) -> str:
        """Which way the comparison says is better: ``higher``, ``lower``, or ``""`` for a bare number."""
        return _BETTER.get(self.comparison, "")


def parse_target(text: str) -> TargetCell:
    """Read a target: a number (``95``, ``1,200``, ``95%``), perhaps after a comparison (``>50``, ``>=50``, ``<=20``).

    >>> parse_target(">50"), parse_target(" <= 20 ").comparison, parse_target("95%").number
    (TargetCell(number=50.0, comparison='>'), '<=', 95.0)
    """
    s = text.strip()
    if s[:1] not in _COMPARISON_STARTS:  # the usual bare number, read at once
        return TargetCell(parse_number(s))
    for written, stored in _COMPARISONS.items():
        if s.startswith(written):
            rest = s[len(written) :].strip()
            if rest[:1] in "<>=≤≥":
                break
            try:
                return TargetCell(parse_number(rest), stored)
            except CellError:
                break
    if s[:1] in _COMPARISON_STARTS:
        raise CellError(
            f"'{s}' is not a target.",
            "Write a number (50), or a number after one comparison: >50, >=50, <20 or <=20.",
        )
    return TargetCell(parse_number(s))


def parse_share_complete(text: str) -> float:
    """A share complete from 0 to 100 (``60``, ``60%``).

    >>> parse_share_complete("60%")
    60.0
    """
    value = parse_number(text)
    if not 0 <= value <= 100:
        raise CellError(
            f"'{text.strip()}' is not between 0 and 100.", "Enter the share complete, 0 to 100 (60 or 60%)."
        )
    return value
