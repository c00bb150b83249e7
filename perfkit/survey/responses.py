"""Read a wave's responses (CSV, XLSX or SPSS .sav with value labels) and population margins.

Only the columns the analysis needs are kept: the id, the weighting and
breakdown variables and the questions. Free-text and other columns are
dropped on reading, so they cannot reach an output.
"""

from __future__ import annotations

import difflib
import io
import math

import numpy as np
import pandas as pd

from ..data.sources import cell_text, decode_text
from ..data.typed_cells import parse_number
from ..errors import CellError, DataValidationError, Problem
from .config import WaveConfig

__all__ = ["read_population", "read_responses"]

#: Shares of a variable may be off 1 by this much (rounded published percentages) before they are refused.
SHARE_SLACK = 0.005


def _read_table(wave: WaveConfig) -> pd.DataFrame:
    path = wave.responses
    assert path is not None, "load_wave_config refuses a wave without a responses file"
    if path.suffix == ".sav":
        import pyreadstat

        frame, _ = pyreadstat.read_sav(str(path), apply_value_formats=True)
    elif path.suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    else:
        frame = pd.read_csv(io.StringIO(decode_text(path.read_bytes())), dtype=str, keep_default_na=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_responses(wave: WaveConfig) -> pd.DataFrame:
    """The responses of a wave as text labels, one row per respondent, needed columns only.

    Raises
    ------
    DataValidationError
        For a missing column, a duplicate or blank respondent id.
    """
    assert wave.responses is not None, "load_wave_config refuses a wave without a responses file"
    label = f"survey/{wave.name}/{wave.responses.name}"
    raw = _read_table(wave)
    problems: list[Problem] = []
    needed = [wave.id, *dict.fromkeys([*wave.weight_by, *wave.breakdowns]), *[q.key for q in wave.questions]]
    for col in dict.fromkeys(needed):
        if col not in raw.columns:
            guess = difflib.get_close_matches(col, list(raw.columns), n=1, cutoff=0.5)
            hint = f" The column '{guess[0]}' may be meant." if guess else ""
            where = "id" if col == wave.id else ("questions" if col in {q.key for q in wave.questions} else "variables")
            problems.append(
                Problem(
                    label,
                    1,
                    col,
                    f"The column '{col}' named in survey.toml ({where}) is missing.",
                    f"Add the column or correct survey.toml.{hint}",
                )
            )
    if problems:
        raise DataValidationError(problems)
    frame = raw[list(dict.fromkeys(needed))].astype(object).map(cell_text).astype(str)
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


def read_population(wave: WaveConfig) -> dict[str, pd.Series]:
    """Population margins by variable, as shares summing to 1.

    Counts (or percentages) are normalised; shares that do not sum to 1 are refused.
    """
    label = f"survey/{wave.name}/population.csv"
    path = wave.folder / "population.csv"
    frame = pd.read_csv(io.StringIO(decode_text(path.read_bytes())), dtype=str, keep_default_na=False)
    frame.columns = [c.strip().lower() for c in frame.columns]
    problems: list[Problem] = []
    for col in ("variable", "category", "share"):
        if col not in frame.columns:
            problems.append(
                Problem(
                    label,
                    1,
                    col,
                    f"The column '{col}' is missing.",
                    "population.csv needs the columns variable, category, share.",
                )
            )
    if problems:
        raise DataValidationError(problems)
    values = []
    for i, rec in enumerate(frame.to_dict("records")):
        try:
            v = parse_number(rec["share"])
            if v < 0:
                raise CellError(f"'{rec['share']}' is negative.", "Enter a share or count of 0 or more.")
        except CellError as exc:
            problems.append(Problem(label, i + 2, "share", exc.message, exc.fix))
            v = math.nan
        values.append(v)
    frame["value"] = values
    frame["variable"] = frame["variable"].str.strip()
    frame["category"] = frame["category"].str.strip()
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
        if grp["value"].isna().any() or not dup.empty:
            continue
        if abs(total - 1) > SHARE_SLACK and total <= 1 + SHARE_SLACK:
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
        margins[var] = pd.Series(grp["value"].to_numpy() / total, index=grp["category"].to_numpy(), name=var)
    if problems:
        raise DataValidationError(problems)
    return margins
