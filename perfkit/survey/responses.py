"""Read a wave's responses (CSV, XLSX or SPSS .sav with value labels) and population margins.

Only the columns the analysis needs are kept: the id, the weighting and
breakdown variables and the questions. Free-text and other columns are
dropped on reading, so they cannot reach an output.

A file that cannot be read (a damaged ``.sav``, an ``.xlsx`` that is not a
workbook, a CSV with a stray quote) is a problem naming the file, never an
error from the library that tried to read it.
"""

from __future__ import annotations

import difflib
import math

import numpy as np
import pandas as pd

from ..data.sources import cell_text
from ..data.typed_cells import parse_number
from ..errors import CellError, DataValidationError, Problem
from .config import CONTROL_CHARACTERS, WaveConfig
from .files import read_bytes, read_csv_text

__all__ = ["MAX_POPULATION", "read_population", "read_responses"]

#: Shares of a variable may be off 1 by this much (rounded published percentages) before they are refused.
SHARE_SLACK = 0.005
#: No population count is larger than this (ten times the world's population): a bigger number is a mistake.
MAX_POPULATION = 1e11

_FORMATS = {
    ".sav": ("an SPSS .sav file", "Export the data from SPSS again (File > Save As > SPSS Statistics .sav)."),
    ".xlsx": ("an Excel .xlsx workbook", "Open it in Excel and save it again as an Excel Workbook (.xlsx)."),
}


def _read_table(wave: WaveConfig) -> pd.DataFrame:
    path = wave.responses
    assert path is not None, "load_wave_config refuses a wave without a responses file"
    label = f"survey/{wave.name}/{path.name}"
    raw = read_bytes(path, label)  # refuses a FIFO, device or folder before any library opens it
    if path.suffix == ".csv":
        return read_csv_text(raw, label)
    what, fix = _FORMATS[path.suffix]
    if not raw:
        raise DataValidationError([Problem(label, None, None, "The file is empty.", fix)])
    try:
        if path.suffix == ".sav":
            import pyreadstat

            frame, _ = pyreadstat.read_sav(str(path), apply_value_formats=True)
        else:
            frame = pd.read_excel(path, dtype=object, engine="openpyxl", header=None)
    except MemoryError:
        raise
    except Exception as exc:  # any failure to parse a damaged file is a problem with the file
        detail = str(exc).strip() or type(exc).__name__
        raise DataValidationError(
            [
                Problem(
                    label,
                    None,
                    None,
                    f"The file cannot be read as {what} ({detail}); it may be damaged or cut short.",
                    fix,
                )
            ]
        ) from None
    if path.suffix == ".xlsx":
        if frame.empty:
            raise DataValidationError(
                [
                    Problem(
                        label,
                        None,
                        None,
                        "The first sheet is empty.",
                        "Put the responses on the first sheet, with a header row.",
                    )
                ]
            )
        header = [cell_text(v) for v in frame.iloc[0]]
        frame = frame.iloc[1:].reset_index(drop=True)
        frame.columns = pd.Index(header, dtype=object)
    else:
        frame.columns = pd.Index([str(c).strip() for c in frame.columns], dtype=object)
    return frame


def _as_text(column: pd.Series) -> pd.Series:
    """A column's cells as the text they show, converting each distinct value once (answers repeat)."""
    codes, uniques = pd.factorize(column.astype(object))
    texts = np.array([cell_text(u) for u in uniques] + [""], dtype=object)  # code -1: an empty cell
    return pd.Series(texts[codes], index=column.index, dtype=object)


def _control_characters(frame: pd.DataFrame, label: str) -> list[Problem]:
    """The first cell of each column holding a control character (a damaged export, or hidden characters)."""
    problems = []
    for col in frame.columns:
        values = frame[col]
        bad = [u for u in pd.unique(values) if CONTROL_CHARACTERS.search(u)]
        if bad:
            row = int(np.flatnonzero(values.isin(bad).to_numpy())[0]) + 2
            char = CONTROL_CHARACTERS.search(bad[0]).group()  # type: ignore[union-attr]  # found just above
            problems.append(
                Problem(
                    label,
                    row,
                    col,
                    f"The cell holds a control character (U+{ord(char):04X}), which no answer should contain"
                    f"{f'; {len(bad)} different values in this column do' if len(bad) > 1 else ''}.",
                    "Remove the hidden characters (for example with Excel's CLEAN function) and save the file again.",
                )
            )
    return problems


def read_responses(wave: WaveConfig) -> pd.DataFrame:
    """The responses of a wave as text labels, one row per respondent, needed columns only.

    Raises
    ------
    DataValidationError
        For a file that cannot be read, a missing or repeated column, control characters,
        no respondents, or a duplicate or blank respondent id.
    """
    assert wave.responses is not None, "load_wave_config refuses a wave without a responses file"
    label = f"survey/{wave.name}/{wave.responses.name}"
    raw = _read_table(wave)
    problems: list[Problem] = []
    design = [c for c in (wave.weight, wave.strata, wave.cluster, wave.fpc) if c]
    needed = list(
        dict.fromkeys([wave.id, *wave.weight_by, *wave.breakdowns, *[q.key for q in wave.questions], *design])
    )
    names = list(raw.columns)
    for col in needed:
        if col not in names:
            guess = difflib.get_close_matches(col, [str(n) for n in names], n=1, cutoff=0.5)
            hint = f" The column '{guess[0]}' may be meant." if guess else ""
            where = "id" if col == wave.id else ("questions" if col in {q.key for q in wave.questions} else "variables")
            where = "design" if col in design and col not in wave.breakdowns + wave.weight_by else where
            problems.append(
                Problem(
                    label,
                    1,
                    col,
                    f"The column '{col}' named in survey.toml ({where}) is missing.",
                    f"Add the column or correct survey.toml.{hint}",
                )
            )
        elif names.count(col) > 1:
            problems.append(
                Problem(
                    label,
                    1,
                    col,
                    f"The header names the column '{col}' {names.count(col)} times, so which to use is not clear.",
                    "Rename or remove the extra columns so that each name appears once.",
                )
            )
    if problems:
        raise DataValidationError(problems)
    frame = pd.DataFrame({col: _as_text(raw[col]) for col in needed}).astype(str)
    if frame.empty:
        raise DataValidationError(
            [
                Problem(
                    label,
                    None,
                    None,
                    "The file has no respondents: only a header row.",
                    "Add the responses below the header.",
                )
            ]
        )
    if len(frame) < 2:
        raise DataValidationError(
            [
                Problem(
                    label,
                    None,
                    None,
                    "The file has one respondent; survey estimates need at least two.",
                    "Check that this is the complete responses file.",
                )
            ]
        )
    problems += _control_characters(frame, label)
    ids = frame[wave.id]
    for i in np.flatnonzero(ids.to_numpy() == ""):
        problems.append(
            Problem(label, int(i) + 2, wave.id, "The respondent id is blank.", "Give every respondent an id.")
        )
    dup = ids[(ids != "") & ids.duplicated(keep="first")]
    first = {v: i for i, v in reversed(list(enumerate(ids)))}
    for i, v in dup.items():
        problems.append(
            Problem(
                label,
                int(i) + 2,
                wave.id,
                f"The respondent id '{v}' is used again (first on row {first[v] + 2}).",
                "Each respondent must appear once: remove the duplicate row.",
            )
        )
    if problems:
        raise DataValidationError(problems)
    return frame.reset_index(drop=True)


def _share(text: str) -> float:
    """One ``share`` cell: a positive, finite number of sensible size (a share, percentage or count)."""
    if not text.strip():
        raise CellError("The share is blank.", "Enter the category's share of the population, or its count.")
    try:
        value = parse_number(text)
    except CellError as exc:
        raise CellError(
            exc.message, "Enter the category's share (such as 0.27 or 27%) or its population count."
        ) from None
    if value < 0:
        raise CellError(f"'{text.strip()}' is negative.", "Enter a share or count above 0.")
    if value == 0:
        raise CellError(
            "The share is 0: no one in the population is in this category, so its respondents cannot be weighted.",
            "Enter the category's real share, or remove the row and merge the category with another in the "
            "responses too.",
        )
    if value > MAX_POPULATION:
        raise CellError(
            f"'{text.strip()}' is far too large to be a population share or count.",
            "Enter the category's share (such as 0.27 or 27%) or its population count.",
        )
    return value


def read_population(wave: WaveConfig) -> dict[str, pd.Series]:
    """Population margins by variable, as shares summing to 1.

    Counts (or percentages) are normalised; shares that do not sum to 1 are refused, and so are
    shares of 0, negative, blank, not a number, or absurdly large or small.
    """
    label = f"survey/{wave.name}/population.csv"
    frame = read_csv_text(read_bytes(wave.folder / "population.csv", label), label)
    frame.columns = pd.Index([c.strip().lower() for c in frame.columns], dtype=object)
    problems: list[Problem] = []
    for col in ("variable", "category", "share"):
        count = list(frame.columns).count(col)
        if count != 1:
            problems.append(
                Problem(
                    label,
                    1,
                    col,
                    f"The column '{col}' is missing." if not count else f"The column '{col}' appears {count} times.",
                    "population.csv needs the columns variable, category, share, once each.",
                )
            )
    if problems:
        raise DataValidationError(problems)
    frame = frame[["variable", "category", "share"]].map(lambda v: str(v).strip())
    problems += _control_characters(frame, label)
    values = []
    for i, rec in enumerate(frame.to_dict("records")):
        for col in ("variable", "category"):
            if not rec[col]:
                problems.append(
                    Problem(label, i + 2, col, f"The {col} is blank.", f"Enter the {col}, or remove the row.")
                )
        try:
            v = _share(rec["share"])
        except CellError as exc:
            problems.append(Problem(label, i + 2, "share", exc.message, exc.fix))
            v = math.nan
        values.append(v)
    frame["value"] = values
    margins = {}
    for var, grp in frame.groupby("variable", sort=False):
        dup = grp["category"][grp["category"].duplicated()]
        for i, cat in dup.items():
            problems.append(
                Problem(
                    label,
                    int(i) + 2,
                    "category",
                    f"'{cat}' appears twice for {var}.",
                    "Give each category of a variable one row.",
                )
            )
        total = grp["value"].sum()
        if not var or grp["value"].isna().any() or not dup.empty:
            continue
        # A total below 2 can only be shares (no population is one person); they must sum to 1.
        if abs(total - 1) > SHARE_SLACK and total < 2:
            problems.append(
                Problem(
                    label,
                    int(grp.index[0]) + 2,
                    "share",
                    f"The shares for {var} add up to {total:.3f}, not 1.",
                    "Correct the shares so they sum to 1, or give counts instead.",
                )
            )
            continue
        shares = grp["value"].to_numpy() / total
        tiny = np.flatnonzero(shares < 1e-6)
        for j in tiny:
            problems.append(
                Problem(
                    label,
                    int(grp.index[j]) + 2,
                    "share",
                    f"'{grp['share'].iloc[j]}' is less than one in a million of the {var} total, too small to "
                    "be a real category's share.",
                    "Check the number, or merge the category with another.",
                )
            )
        margins[var] = pd.Series(shares, index=grp["category"].to_numpy(), name=var)
    if problems:
        raise DataValidationError(problems)
    return margins
