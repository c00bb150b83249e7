"""Files of the output contract (design §6) other than the appendices themselves."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import numbers
from pathlib import Path

import pandas as pd

from ..assess import V1_COLUMNS
from ..errors import RunError
from ..hashing import sha256_file
from ..rounding import round_half_up
from .safe_files import write_atomic

__all__ = [
    "METRIC_STATUS_COLUMNS",
    "METRIC_STATUS_V1_COLUMNS",
    "METRIC_STATUS_V2_COLUMNS",
    "metric_status_csv",
    "safe_text",
    "sha256_file",
    "write_json",
]

METRIC_STATUS_V1_COLUMNS = list(V1_COLUMNS)

#: Contract v2 appends these, in this order, after the v1 columns (design §6).
METRIC_STATUS_V2_COLUMNS = [
    "kind",
    "tier",
    "strategy",
    "tactic",
    "for_period",
    "status_label",
    "computed_status",
    "status_reason",
    "commentary",
    "due",
    "revised_due",
    "past_due",
    "group",
    "action",
    "action_due",
]

METRIC_STATUS_COLUMNS = METRIC_STATUS_V1_COLUMNS + METRIC_STATUS_V2_COLUMNS

_BOOLEANS = ("exception", "persistent_exception", "past_due")
_DATES = ("due", "revised_due", "action_due")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: object) -> str:
    """Text for a CSV cell that spreadsheet software will not run as a formula.

    A leading ``'`` is added to text starting with ``=``, ``+``, ``-``, ``@``,
    tab or carriage return (the OWASP advice for CSV injection). Numbers are
    written by the caller as numbers and never pass through here.

    >>> safe_text("=HYPERLINK(\\"http://x\\")"), safe_text("Good services")
    ('\\'=HYPERLINK("http://x")', 'Good services')
    """
    s = "" if text is None else str(text)
    return "'" + s if s.startswith(_FORMULA_START) else s


def _number(value: float, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{round_half_up(value, decimals):.{decimals}f}"


def _date(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else ""


def metric_status_csv(table: pd.DataFrame) -> str:
    """``metric_status.csv``: one row per metric, values at display precision, booleans ``true``/``false``.

    Dates (``due``, ``revised_due``, ``action_due``) are written ``2022-12-31``;
    ``revised_due`` is the latest given up to the quarter.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(METRIC_STATUS_COLUMNS)
    for rec in table.to_dict("records"):
        row = []
        for col in METRIC_STATUS_COLUMNS:
            v = rec.get(col, "")  # a table made by hand may have only the v1 columns
            if col in ("value", "target"):
                row.append(_number(v, int(rec["decimals"])))
            elif col in _BOOLEANS:
                row.append("true" if v else "false")
            elif col in _DATES:
                row.append(_date(v))
            else:
                row.append(safe_text(v))
        writer.writerow(row)
    return buf.getvalue()


def _not_finite(data: object, where: str = "") -> list[str]:
    """The keys (as ``a.b[2]``) whose values are NaN or infinite."""
    if isinstance(data, float):
        return [] if math.isfinite(data) else [where or "the value"]
    if isinstance(data, dict):
        return [k for key, v in data.items() for k in _not_finite(v, f"{where}.{key}" if where else str(key))]
    if isinstance(data, (list, tuple)):
        return [k for i, v in enumerate(data) for k in _not_finite(v, f"{where}[{i}]")]
    return []


def write_json(path: Path, data: dict) -> None:
    """Write strict JSON (no NaN or Infinity, which JSON does not have) with stable key order and a final newline,
    atomically (see :func:`.safe_files.write_atomic`).

    Raises
    ------
    RunError
        When a value is NaN or infinite, naming the file and the key, and nothing is written.

    >>> write_json(Path("x.json"), {"design_effect": float("nan")})
    Traceback (most recent call last):
    ...
    perfkit.errors.RunError: x.json was not written: design_effect is not a number (NaN or infinity), ...
    """
    bad = _not_finite(data)
    if bad:
        raise RunError(
            f"{path.name} was not written: {', '.join(bad)} {'is' if len(bad) == 1 else 'are'} not a number "
            "(NaN or infinity), which JSON cannot hold. This is a fault in perfkit, not in your data: please "
            "report it with the data folder."
        )
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n")


def _plain(value: object) -> str:
    """A cell of a data CSV: numbers in full precision, booleans as true/false, text made safe."""
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):  # numpy integers too
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        return repr(number) if math.isfinite(number) else ""  # withheld or undefined: never "nan" or "inf"
    return safe_text(value)


def survey_estimates_csv(estimates: pd.DataFrame, columns: list[str]) -> str:
    """``survey_estimates.csv``: one row per question × group; suppressed rows keep ``n`` only."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for rec in estimates[columns].to_dict("records"):
        writer.writerow([_plain(rec[c]) for c in columns])
    return buf.getvalue()
