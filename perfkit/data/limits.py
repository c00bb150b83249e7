"""The limits of plausible register data, so that a typo is refused by ``validate``, not reported.

A year typed ``2204/05`` is a valid financial year to a parser, and ``1e400``
is a number to Python; neither belongs in a council's performance report, and
either would fail much later (a date that cannot exist, an infinity in a JSON
file) or, worse, be published. These are the bounds the readers check.

Examples
--------
>>> check_year(2024)
>>> check_year(2204)
Traceback (most recent call last):
...
perfkit.errors.CellError: '2204/05' is outside the years perfkit accepts (1990/91 to 2099/00).
"""

from __future__ import annotations

import math

from ..errors import CellError

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_CELL_CHARS",
    "MAX_DECIMALS",
    "MAX_FILE_BYTES",
    "MAX_MAGNITUDE",
    "MAX_SHEET_XML_BYTES",
    "check_magnitude",
    "check_year",
]

#: The first and last financial years accepted (their start years): 1990/91 to 2099/00.
FIRST_YEAR, LAST_YEAR = 1990, 2099

#: No figure in a council's register is anywhere near a quadrillion; beyond it, a float also stops
#: holding whole numbers exactly.
MAX_MAGNITUDE = 1e15

#: Display precision; more is never meaningful in a published table.
MAX_DECIMALS = 6

#: Excel's own limit for one cell; a longer CSV field almost always means a quote mark never closed.
MAX_CELL_CHARS = 32_767

#: A register CSV file or workbook larger than this is not a register (a million rows is about 30 MB).
MAX_FILE_BYTES = 256 * 2**20

#: The uncompressed XML of one worksheet: a sheet formatted to its last row is about 150 MB.
MAX_SHEET_XML_BYTES = 2**30


def _label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def _transpositions(start: int) -> list[int]:
    """Years one swap of neighbouring digits away, in range: 2204 → 2024."""
    digits = str(start)
    found = []
    for i in range(len(digits) - 1):
        swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        year = int(swapped)
        if swapped[0] != "0" and FIRST_YEAR <= year <= LAST_YEAR and year not in found:
            found.append(year)
    return found


def check_year(start: int) -> None:
    """Refuse a financial year outside 1990/91 to 2099/00, suggesting the year probably meant.

    Raises
    ------
    CellError
        When the year is out of range.
    """
    if FIRST_YEAR <= start <= LAST_YEAR:
        return
    guesses = _transpositions(start)
    hint = f"Did you mean {' or '.join(_label(y) for y in guesses)}? " if guesses else ""
    raise CellError(
        f"'{_label(start)}' is outside the years perfkit accepts ({_label(FIRST_YEAR)} to {_label(LAST_YEAR)}).",
        f"{hint}Check the year for a typing slip.",
    )


def check_magnitude(value: float, text: str) -> None:
    """Refuse a number that is not finite or is beyond ±10¹⁵ (``text`` is the cell as typed).

    Raises
    ------
    CellError
        When the number is out of range.
    """
    if not math.isfinite(value):
        raise CellError(f"'{text}' is not a finite number.", "Enter an ordinary number, or leave the cell blank.")
    if abs(value) > MAX_MAGNITUDE:
        raise CellError(
            f"'{text}' is beyond ±10^15, far larger than any figure in a council's register.",
            "Check the cell for a typing slip or a pasted cell reference.",
        )
