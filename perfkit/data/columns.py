"""Parse whole columns of a table at once, reporting each bad cell by its row.

A register may have a million actuals rows. Parsing them cell by cell in
Python takes most of a minute; here the common case (a plain number, a period
written the same way on thousands of rows, a known code) is handled for the
whole column by numpy and pandas, and only the cells that are not in that
form go through the per-cell parsers of :mod:`perfkit.data.typed_cells`,
which say what is wrong and how to fix it.

The functions take a *checker*: anything with a ``table`` (a
:class:`~perfkit.data.sources.SourceTable`) and a ``problem(row, column,
message, fix, severity="error")`` method, and, for :func:`parse_numbers`, a
``number(row, column, text, required=...)`` method for one cell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..errors import CellError, PeriodError
from .limits import MAX_MAGNITUDE

__all__ = ["Checks", "duplicated_keys", "parse_distinct", "parse_numbers"]


class Checks(Protocol):
    """What the column parsers need of a table's checker."""

    table: Any

    def problem(self, row: int | None, column: str | None, message: str, fix: str, severity: str = "error") -> None: ...

    def number(self, row: int, column: str, text: str, *, required: bool = False) -> float: ...


def parse_numbers(chk: Checks, column: str, *, required: bool = False) -> np.ndarray:
    """A number column as floats: NaN where blank or wrong (each wrong cell reported by ``chk.number``).

    Cells Python's ``float`` reads as a finite number, in ASCII and without ``_``, are
    exactly the plain numbers of the data contract (``12``, ``-3.5``, ``.5``, ``1e3``);
    they are converted together. The rest (``1,234``, ``95%``, ``n/a``, ``inf``, text)
    are parsed one by one, with a message for each that is wrong.
    """
    frame = chk.table.frame
    texts = frame[column].to_numpy(dtype=object)
    rows = frame["row"].to_numpy()
    out = np.full(len(texts), np.nan)
    filled = np.flatnonzero(texts != "")
    if required:
        for i in np.flatnonzero(texts == ""):
            chk.problem(int(rows[i]), column, f"The {column} is blank.", f"Enter the {column} as a number.")
    if not len(filled):
        return out
    given = texts[filled]
    try:
        values = given.astype(np.float64)
        odd = ~np.isfinite(values)
    except ValueError:  # some cell is not a plain number: find which, one by one
        values = np.full(len(given), np.nan)
        odd = np.ones(len(given), dtype=bool)
        for j, text in enumerate(given):
            try:
                values[j] = float(text)
                odd[j] = not np.isfinite(values[j])
            except ValueError:
                pass
    joined = "".join(given)
    if "_" in joined or not joined.isascii():  # float() also reads 1_000 and other scripts' digits
        odd |= np.fromiter((("_" in t or not t.isascii()) for t in given), dtype=bool, count=len(given))
    odd |= np.abs(np.where(odd, 0.0, values)) > MAX_MAGNITUDE
    plain = ~odd
    out[filled[plain]] = values[plain]
    for k in np.flatnonzero(odd):
        i = filled[k]
        out[i] = chk.number(int(rows[i]), column, given[k], required=required)
    return out


def parse_distinct(
    chk: Checks, column: str, parser: Callable[[str], Any], *, blank: tuple[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Parse each distinct text of a column once; every row with a bad text is reported.

    Parameters
    ----------
    chk
        The table's checker.
    column
        The column to parse.
    parser
        Parses one cell's text; raises :class:`~perfkit.errors.CellError` or
        :class:`~perfkit.errors.PeriodError` (with ``message`` and ``fix``) when it is wrong.
    blank
        The message and fix for a blank cell; ``None`` means a blank cell is parsed too.

    Returns
    -------
    values, ok
        An object array with each row's parsed value (``None`` where it failed), and a mask of the rows that parsed.
    """
    frame = chk.table.frame
    rows = frame["row"].to_numpy()
    codes, distinct = pd.factorize(frame[column].to_numpy(dtype=object))
    parsed: list[Any] = []
    errors: dict[int, tuple[str, str]] = {}
    for k, text in enumerate(distinct):
        if text == "" and blank is not None:
            errors[k] = blank
            parsed.append(None)
            continue
        try:
            parsed.append(parser(text))
        except (CellError, PeriodError) as exc:
            errors[k] = (exc.message, exc.fix)
            parsed.append(None)
    lookup = np.empty(len(parsed), dtype=object)
    lookup[:] = parsed
    values = lookup[codes] if len(codes) else np.empty(0, dtype=object)
    ok = np.ones(len(codes), dtype=bool)
    if errors:
        bad = np.isin(codes, list(errors))
        ok = ~bad
        for i in np.flatnonzero(bad):
            message, fix = errors[int(codes[i])]
            chk.problem(int(rows[i]), column, message, fix)
    return values, ok


def duplicated_keys(keys: dict[str, np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which rows repeat an earlier row's key, and the row number of that first row.

    >>> dup, first = duplicated_keys({"code": np.array(["A", "B", "A"])}, np.array([2, 3, 4]))
    >>> dup.tolist(), first[dup].tolist()
    ([False, False, True], [2])
    """
    frame = pd.DataFrame(keys)
    dup = frame.duplicated(keep="first").to_numpy()
    first = np.zeros(len(rows), dtype=np.int64)
    if dup.any():
        first = frame.assign(_row=rows).groupby(list(keys), sort=False)["_row"].transform("first").to_numpy()
    return dup, first
