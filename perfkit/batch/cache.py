"""What a job depends on, as content hashes, so an unchanged job can be skipped.

A job's key hashes:

* the data it reads, *up to its own quarter*: the council settings, every metric
  definition, the targets of its financial year and earlier, and the actuals of
  its quarter and earlier, every column of them (an appendix never reads later
  figures, so restating a later quarter does not re-run it); for the survey
  appendix, the files of the waves it uses; for a council's own notebook, whose
  reads perfkit cannot know, every file in the data folder;
* the notebook file;
* perfkit itself: its version and a hash of its source and templates (so a code
  change re-runs everything even before the version is bumped);
* the parameters and output formats.

Every hash is of content, never of a file's name, size or modification time, which
copies, restores and network shares do not keep faithfully.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .. import __version__
from ..hashing import sha256_file
from ..periods import Quarter

if TYPE_CHECKING:  # the frames come from the register: hashing files needs no pandas
    import numpy as np
    import pandas as pd

    from ..data.register import Register

__all__ = [
    "data_folder_files",
    "inputs_key",
    "job_key",
    "job_sources",
    "one_plan",
    "package_fingerprint",
    "register_digest",
    "survey_files",
]

T = TypeVar("T")

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the whole package, templates included


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """perfkit's version and a hash of its code and templates."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".json") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(PACKAGE_DIR)).encode())
            h.update(path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:16]}"


#: Columns that say where a row was in its file, not what it says: moving a row changes no report.
_POSITION_COLUMNS = ("row",)

#: What one plan has already worked out (see :func:`one_plan`); ``None`` outside a plan.
_PLAN: ContextVar[dict | None] = ContextVar("perfkit_plan", default=None)


@contextmanager
def one_plan() -> Iterator[None]:
    """Within the block, the survey waves are read once and each table of a register is written out once.

    Planning a range asks the same questions of the same data for every quarter and notebook;
    the answers are kept only until the block ends, so a later plan reads the data afresh.
    """
    token = _PLAN.set({})
    try:
        yield
    finally:
        _PLAN.reset(token)


def _once(key: tuple, make: Callable[[], T]) -> T:
    """``make()``, or within :func:`one_plan` what it gave the first time for ``key``."""
    memo = _PLAN.get()
    if memo is None:
        return make()
    if key not in memo:
        memo[key] = make()
    return memo[key]


def _row_hashes(frame: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """The frame in order (by ``by``; none keeps the file's order), its columns, and a hash of each row.

    Every column but the positional ones counts, so a column added to the data contract is covered
    without anyone remembering to list it here. pandas mixes a row's cells, in column order, into
    64 bits; each cell is hashed as :func:`_exactly` gives it. The 5,000-metric register's actuals
    take about 0.05 s; writing them out as CSV to hash took 0.1 s, for each quarter planned.
    """
    import pandas as pd

    ordered = frame.sort_values(by, kind="stable") if by else frame
    columns = sorted(c for c in frame.columns if c not in _POSITION_COLUMNS)
    exact = pd.DataFrame({c: _exactly(ordered[c]) for c in columns})
    return ordered, columns, pd.util.hash_pandas_object(exact, index=False).to_numpy()


def _exactly(column: pd.Series) -> Any:
    """A column's cells as values whose hashes differ wherever the cells differ.

    pandas hashes ``-0.0`` as ``0.0``, which a report prints differently, so a number is hashed
    by its bits (with one NaN for every missing figure); and it hashes an object other than
    text by its ``str``, which for a tolerance rounds to six figures, so such an object is hashed
    by its ``repr`` (exact for perfkit's frozen dataclasses, quarters and dates).
    """
    import numpy as np
    import pandas as pd

    if column.dtype.kind == "f":
        values = column.to_numpy(dtype="float64", copy=True)
        values[np.isnan(values)] = np.nan
        return values.view("int64")
    if column.dtype == object:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        exact = np.array([v if isinstance(v, str) else repr(v) for v in uniques], dtype=object)
        return exact[codes]
    return column.to_numpy()


def _digest(columns: list[str], hashes: np.ndarray) -> str:
    """SHA-256 of the column names and the rows' hashes in order."""
    digest = hashlib.sha256("\x1f".join(columns).encode("utf-8"))
    digest.update(hashes.tobytes())
    return digest.hexdigest()


def _digest_up_to(table: tuple[pd.DataFrame, list[str], np.ndarray], column: str, last: int) -> str:
    ordered, columns, hashes = table
    return _digest(columns, hashes[(ordered[column] <= last).to_numpy()])


def register_digest(register: Register, quarter: Quarter) -> dict[str, str]:
    """Hashes of the register as an appendix for ``quarter`` sees it (nothing after the quarter)."""
    council = register.data_dir / "council.toml"
    reg = id(register)  # within one plan the register is alive, so its id is its own
    targets = _once(("targets", reg), lambda: _row_hashes(register.targets, ["code", "start_year", "quarter", "half"]))
    actuals = _once(("actuals", reg), lambda: _row_hashes(register.actuals, ["code", "period_index"]))
    highlights = _once(("highlights", reg), lambda: _row_hashes(register.highlights, ["period_index", "row"]))
    digest = {
        "council.toml": sha256_file(council) if council.exists() else "",
        "metrics": _once(("metrics", reg), lambda: _digest(*_row_hashes(register.metrics, [])[1:])),
        "targets": _digest_up_to(targets, "start_year", quarter.start_year),
        "actuals": _digest_up_to(actuals, "period_index", quarter.index),
    }
    if (highlights[0]["period_index"] <= quarter.index).any():
        digest["highlights"] = _digest_up_to(highlights, "period_index", quarter.index)
    return digest


def survey_files(register: Register, quarter: Quarter) -> list[Path]:
    """Files of the survey waves a quarter's survey appendix reads (the current and previous wave)."""
    from ..survey.config import find_waves, waves_for_quarter

    files = []
    waves = _once(("waves", str(register.data_dir)), lambda: find_waves(register.data_dir))
    for wave in waves_for_quarter(waves, quarter):
        if wave is not None:
            files += sorted(p for p in wave.folder.iterdir() if p.is_file())
    return files


def data_folder_files(data_dir: Path) -> list[Path]:
    """Every file in a data folder and its subfolders, but hidden ones and Office lock files (``~$…``)."""
    return sorted(
        p
        for p in data_dir.rglob("*")
        if p.is_file() and not any(part.startswith((".", "~$")) for part in p.relative_to(data_dir).parts)
    )


def _hashes(data_dir: Path, paths: list[Path], seen: dict[Path, str] | None) -> dict[str, str]:
    """``{path in the data folder: SHA-256}``; ``seen`` spares hashing a file twice while planning one run."""
    seen = {} if seen is None else seen
    for path in paths:
        if path not in seen:
            seen[path] = sha256_file(path)
    return {path.relative_to(data_dir).as_posix(): seen[path] for path in paths}


def job_sources(register: Register, quarter: Quarter, kind: str, seen: dict[Path, str] | None = None) -> dict[str, str]:
    """The data files a job reads, each with its SHA-256, by path in the data folder.

    perfkit's appendices read the register's files and the quarter's survey waves; a council's
    own notebook (``custom``) may read anything in the data folder.
    """
    data_dir = register.data_dir
    if kind == "custom":
        paths = data_folder_files(data_dir)
    else:
        paths = sorted(set(register.files) | set(survey_files(register, quarter)))
    return _hashes(data_dir, paths, seen)


def inputs_key(inputs: dict) -> str:
    """A job's cache key: the SHA-256 of its inputs (:func:`job_key`) as JSON with sorted keys."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def job_key(
    register: Register,
    quarter: Quarter,
    notebook: Path,
    kind: str,
    formats: tuple[str, ...],
    seen: dict[Path, str] | None = None,
    parameters: dict[str, str] | None = None,
) -> tuple[str, dict]:
    """The cache key of a job and the hashes it was made from.

    Parameters
    ----------
    kind
        ``performance`` (reads the register up to the quarter), ``survey`` (reads the waves) or
        ``custom`` (a council's own notebook: every file in the data folder counts).
    seen
        Hashes already made while planning this run, by file.
    parameters
        The notebook's further parameters (an objective's update: ``objective``).
    """
    data: dict[str, str] = {}
    council = register.data_dir / "council.toml"
    if kind == "performance":
        data.update(register_digest(register, quarter))
    elif kind == "survey":
        data["council.toml"] = _hashes(register.data_dir, [council], seen)["council.toml"] if council.exists() else ""
        data.update(_hashes(register.data_dir, survey_files(register, quarter), seen))
    else:
        data.update(job_sources(register, quarter, "custom", seen))
    inputs = {
        "data": data,
        "notebook": sha256_file(notebook),
        "perfkit": package_fingerprint(),
        "parameters": {
            "quarter": quarter.slug,
            "data_dir": str(register.data_dir),
            "formats": sorted(formats),
            **(parameters or {}),
        },
    }
    key = inputs_key(inputs)
    return key, inputs
