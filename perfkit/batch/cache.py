"""What a job depends on, as content hashes, so an unchanged job can be skipped.

A job's key hashes:

* the data it reads, *up to its own quarter*: the council settings, every metric
  definition, the targets of its financial year and earlier, and the actuals of
  its quarter and earlier (an appendix never reads later figures, so restating a
  later quarter does not re-run it); for the survey appendix, the files of the
  waves it uses;
* the notebook file;
* perfkit itself: its version and a hash of its source and templates (so a code
  change re-runs everything even before the version is bumped);
* the parameters and output formats.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import __version__
from ..data.register import Register
from ..periods import Quarter
from ..publish.data_files import sha256_file

__all__ = ["job_key", "package_fingerprint", "register_digest", "survey_files"]

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


def _frame_digest(frame: pd.DataFrame, columns: list[str]) -> str:
    text = frame[columns].astype(str).to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def register_digest(register: Register, quarter: Quarter) -> dict[str, str]:
    """Hashes of the register as an appendix for ``quarter`` sees it (nothing after the quarter)."""
    council = register.data_dir / "council.toml"
    metrics = register.metrics.drop(columns=["row"]).reset_index(drop=True)
    targets = register.targets.loc[register.targets["start_year"] <= quarter.start_year]
    actuals = register.actuals.loc[register.actuals["period_index"] <= quarter.index]
    return {
        "council.toml": sha256_file(council) if council.exists() else "",
        "metrics": _frame_digest(metrics, list(metrics.columns)),
        "targets": _frame_digest(
            targets.sort_values(["code", "start_year", "quarter"]), ["code", "start_year", "quarter", "target"]
        ),
        "actuals": _frame_digest(
            actuals.sort_values(["code", "period_index"]),
            ["code", "period_index", "value", "numerator", "denominator", "commentary"],
        ),
    }


def survey_files(register: Register, quarter: Quarter) -> list[Path]:
    """Files of the survey waves a quarter's survey appendix reads (the current and previous wave)."""
    from ..survey.config import find_waves, waves_for_quarter

    files = []
    for wave in waves_for_quarter(find_waves(register.data_dir), quarter):
        if wave is not None:
            files += sorted(p for p in wave.folder.iterdir() if p.is_file())
    return files


def job_key(
    register: Register, quarter: Quarter, notebook: Path, kind: str, formats: tuple[str, ...]
) -> tuple[str, dict]:
    """The cache key of a job and the hashes it was made from.

    Parameters
    ----------
    kind
        ``performance`` (reads the register), ``survey`` (reads the waves) or
        ``custom`` (a council's own notebook: assumed to read both).
    """
    data: dict[str, str] = {}
    if kind in ("performance", "custom"):
        data.update(register_digest(register, quarter))
    if kind in ("survey", "custom"):
        council = register.data_dir / "council.toml"
        data["council.toml"] = sha256_file(council) if council.exists() else ""
        for path in survey_files(register, quarter):
            data[str(path.relative_to(register.data_dir))] = sha256_file(path)
    inputs = {
        "data": data,
        "notebook": sha256_file(notebook),
        "perfkit": package_fingerprint(),
        "parameters": {"quarter": quarter.slug, "data_dir": str(register.data_dir), "formats": sorted(formats)},
    }
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    return key, inputs
