"""Lenient parsers for single cells typed by hand in spreadsheets.

Each parser takes the text of one cell and returns a typed value or raises
:class:`CellError` with a sentence saying what is wrong and how to fix it; the
register loader adds the file, row and column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

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
        raise CellError(f"'{text.strip()}' is not a number.", "Enter a number such as 95 or 12.5, or leave it blank.")
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
    """The amber band of a metric: an amount, or a share of the target."""

    amount: float
    relative: bool

    def width(self, target: float) -> float:
        """The band's width for a given target, in the metric's unit."""
        return self.amount * abs(target) if self.relative else self.amount

    def __str__(self) -> str:
        if self.relative:
            return f"{self.amount * 100:g}% of target"
        return f"{self.amount:g}"


def parse_tolerance(text: str) -> Tolerance | None:
    """Read a tolerance: ``2`` (in the metric's unit) or ``5%`` (a share of the target).

    >>> parse_tolerance("5%")
    Tolerance(amount=0.05, relative=True)
    >>> parse_tolerance("") is None
    True
    """
    s = text.strip()
    if s == "":
        return None
    relative = s.endswith("%")
    try:
        amount = parse_number(s[:-1] if relative else s)
    except CellError as exc:
        raise CellError(
            f"'{s}' is not a tolerance.",
            "Enter a number in the metric's unit (2) or a percentage of the target (5%), or leave it blank.",
        ) from exc
    if amount < 0:
        raise CellError(f"'{s}' is negative.", "A tolerance is the width of the amber band: enter 0 or more.")
    return Tolerance(amount / 100 if relative else amount, relative)
