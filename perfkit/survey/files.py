"""Reading a wave's files safely: only regular files, and every failure a problem naming the file.

A FIFO, a device or a folder where ``responses.csv`` should be would make a
plain ``open`` block for ever or fail with an operating-system error; here each
is refused with a message before anything is opened. A CSV that cannot be
parsed is reported with the row (as a spreadsheet shows it) where it breaks.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from pathlib import Path

import pandas as pd

from ..data.sources import decode_text, file_kind
from ..errors import DataValidationError, Problem

__all__ = ["check_regular", "kind_of_file", "read_bytes", "read_csv_text"]


def kind_of_file(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file (``"a folder"``, ``"a named pipe (FIFO)"``…), else ``None``.

    Symbolic links are followed: a link to a regular file is a regular file. Nothing is opened,
    so a FIFO cannot block.

    >>> kind_of_file(Path(".")), kind_of_file(Path("/dev/null"))
    ('a folder', 'a device')
    """
    mode = os.stat(path).st_mode
    return None if stat.S_ISREG(mode) else file_kind(mode)


def check_regular(path: Path, label: str) -> Problem | None:
    """A problem when ``path`` exists but is not a regular file (or cannot be looked at), else ``None``."""
    try:
        kind = kind_of_file(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Problem(label, None, None, f"The file cannot be read ({exc.strerror}).", _FIX_ACCESS)
    if kind is None:
        return None
    return Problem(
        label,
        None,
        None,
        f"{path.name} is {kind}, not a file; only ordinary files are read.",
        f"Replace it with the {path.name} file itself (a copy, not a pipe, device or folder).",
    )


_FIX_ACCESS = "Check that the file exists, is not open in another program, and that you may read it."


def read_bytes(path: Path, label: str) -> bytes:
    """The bytes of a regular file.

    Raises
    ------
    DataValidationError
        When the path is not a regular file or cannot be read, naming ``label``.
    """
    problem = check_regular(path, label)
    if problem is not None:
        raise DataValidationError([problem])
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataValidationError(
            [Problem(label, None, None, f"The file cannot be read ({exc.strerror or exc}).", _FIX_ACCESS)]
        ) from None


_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def _parse_problem(error: str, label: str) -> Problem:
    """pandas' parser error as a problem on the row a spreadsheet shows (the header is row 1)."""
    fields = _FIELDS.search(error)
    if fields:  # pandas counts the file's lines from 1, as a spreadsheet counts rows
        expected, line, saw = (int(g) for g in fields.groups())
        return Problem(
            label,
            line,
            None,
            f"The row has {saw} cells where the rows above have {expected}.",
            "Remove the extra cells (often an unquoted comma inside an answer: put such answers in quotes).",
        )
    quote = _QUOTE.search(error)
    if quote:  # counted from 0
        return Problem(
            label,
            int(quote.group(1)) + 1,
            None,
            "A quote mark opened on this row is never closed, so the rest of the file cannot be read as CSV.",
            "Close or remove the stray quote mark, or save the file again as CSV.",
        )
    return Problem(
        label, None, None, f"The file cannot be read as CSV ({error.strip()}).", "Save the file again as CSV."
    )


def read_csv_text(raw: bytes, label: str) -> pd.DataFrame:
    """A CSV file's cells as text, with its first row as the column names (repeated names kept apart).

    Raises
    ------
    DataValidationError
        For an empty file, NUL bytes (a binary file, not a CSV) or rows that cannot be parsed.
    """
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataValidationError(
            [
                Problem(
                    label,
                    line,
                    None,
                    "The file contains NUL bytes, so it is not a text CSV file (it may be damaged, or a "
                    "spreadsheet or other binary file renamed to .csv).",
                    "Open the data in a spreadsheet program and save it again as 'CSV UTF-8'.",
                )
            ]
        )
    text = decode_text(raw)
    if not text.strip():
        raise DataValidationError(
            [
                Problem(
                    label, None, None, "The file is empty.", "Save the data again, with a header row of column names."
                )
            ]
        )
    try:
        header = next(csv.reader(io.StringIO(text)))
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=None, skiprows=1)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DataValidationError([_parse_problem(str(exc), label)]) from None
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame(columns=range(len(header)), dtype=str)
    if frame.shape[1] > len(header):
        extra = frame.iloc[:, len(header) :].ne("").any(axis=1)
        if extra.any():
            row = int(extra.to_numpy().argmax()) + 2
            raise DataValidationError(
                [
                    Problem(
                        label,
                        row,
                        None,
                        f"The row has more cells than the header has column names ({len(header)}).",
                        "Remove the extra cells or add a name for the column to the header row.",
                    )
                ]
            )
        frame = frame.iloc[:, : len(header)]
    frame = frame.reindex(columns=range(len(header)), fill_value="")
    frame.columns = pd.Index([h.strip() for h in header], dtype=object)
    return frame
