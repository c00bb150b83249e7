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

import re
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


def _report(chk: Checks, positions: np.ndarray, column: str, describe: Callable[[int], tuple[str, str]]) -> None:
    """A problem on each row at ``positions``: through ``chk.many`` when the checker has it (it caps them)."""
    many = getattr(chk, "many", None)
    if many is not None:
        many(positions, column, describe)
        return
    rows = chk.table.frame["row"].to_numpy()
    for i in positions:
        chk.problem(int(rows[i]), column, *describe(int(i)))


def _plain_floats(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each text as a float where it is a plain finite number within ±10¹⁵; a mask of the rest.

    Python's ``float`` reads a few more forms than the contract's plain numbers (``inf``,
    ``nan``, ``1_000``, other scripts' digits): those are in the mask, for the per-cell parser.
    """
    try:
        values = texts.astype(np.float64)
        odd = ~np.isfinite(values)
    except ValueError:  # some text is not a number: pandas finds which, then float() reads the others
        values = np.full(len(texts), np.nan)
        numeric = np.isfinite(pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").to_numpy(np.float64))
        try:
            values[numeric] = texts[numeric].astype(np.float64)
        except ValueError:  # pandas read one that float() does not: one by one
            for j in np.flatnonzero(numeric):
                try:
                    values[j] = float(texts[j])
                except ValueError:
                    numeric[j] = False
        odd = ~numeric | ~np.isfinite(values)
    joined = "".join(texts)
    if "_" in joined or not joined.isascii():
        odd |= np.fromiter((("_" in t or not t.isascii()) for t in texts), dtype=bool, count=len(texts))
    odd |= np.abs(np.where(odd, 0.0, values)) > MAX_MAGNITUDE
    return values, odd


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def _as_typed(text: str) -> str:
    """A number as people type it (``£1,200``, ``95 %``, ``(4)``) rewritten plainly, exactly as
    :func:`~perfkit.data.typed_cells.parse_number` rewrites it before reading it."""
    s = text.replace("\u00a0", "").replace(" ", "") if " " in text or "\u00a0" in text else text
    if s[:1] == "£":
        s = s[1:]
    if s[-1:] == "%":
        s = s[:-1]
    if s[:1] == "(" and s[-1:] == ")":
        s = "-" + s[1:-1]
    if "," in s and _THOUSANDS.fullmatch(s):
        s = s.replace(",", "")
    return s


def parse_numbers(chk: Checks, column: str, *, required: bool = False) -> np.ndarray:
    """A number column as floats: NaN where blank or wrong (each wrong cell reported by ``chk.number``).

    Cells Python's ``float`` reads as a finite number, in ASCII and without ``_``, are
    exactly the plain numbers of the data contract (``12``, ``-3.5``, ``.5``, ``1e3``);
    they are converted together, and so are numbers as people type them (``95%``,
    ``£1,200``) once rewritten plainly. The rest (``n/a``, ``inf``, ``12,5``, text) are
    parsed one by one, with a message for each that is wrong.
    """
    frame = chk.table.frame
    texts = frame[column].to_numpy(dtype=object)
    rows = frame["row"].to_numpy()
    out = np.full(len(texts), np.nan)
    filled = np.flatnonzero(texts != "")
    if required:
        blank = (f"The {column} is blank.", f"Enter the {column} as a number.")
        _report(chk, np.flatnonzero(texts == ""), column, lambda i: blank)
    if not len(filled):
        return out
    given = texts[filled]
    values, odd = _plain_floats(given)
    out[filled[~odd]] = values[~odd]
    typed = np.flatnonzero(odd)
    if len(typed):
        rewritten = np.array([_as_typed(t) for t in given[typed]], dtype=object)
        values, still = _plain_floats(rewritten)
        out[filled[typed[~still]]] = values[~still]
        for k in typed[still]:
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
        _report(chk, np.flatnonzero(bad), column, lambda i: errors[int(codes[i])])
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
