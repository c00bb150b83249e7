"""Each quarter's ``manifest.json``: which job made each file, from which inputs, with which versions.

The manifest is also the cache: a job is fresh when its entry has the same key and every
output it lists is still there, byte for byte. It is written with the files it describes, in
the same atomic swap (:mod:`perfkit.batch.publishing`), so the two always agree.

A manifest that cannot be read (cut short, edited by hand, not JSON, not the expected shape)
is never trusted and never fatal: its quarter's jobs count as stale, ``perfkit status`` says
why, and the next run makes them again and writes a new manifest.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import re
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

from .. import __version__
from ..hashing import sha256_file
from ..periods import Quarter
from .jobs import Job, JobResult

__all__ = [
    "MANIFEST",
    "QuarterManifest",
    "file_record",
    "is_fresh",
    "job_entry",
    "last_success",
    "manifest_bytes",
    "read_manifest",
    "seconds_taken",
    "staleness",
]

MANIFEST = "manifest.json"
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class QuarterManifest:
    """What a quarter's manifest says, as far as it can be trusted.

    Attributes
    ----------
    jobs
        The readable entries, by job name.
    problem
        Why the file, or some of its entries, could not be used; empty when all is well.
    """

    jobs: dict[str, dict] = field(default_factory=dict)
    problem: str = ""


def _safe_name(name: object) -> bool:
    """A path inside the quarter's folder: relative, no ``..``, nothing a manifest could use to point elsewhere."""
    if not isinstance(name, str) or not name or "\\" in name or "\0" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and all(part not in ("", ".", "..") for part in path.parts)


def _valid_record(meta: object) -> bool:
    return (
        isinstance(meta, dict)
        and isinstance(meta.get("bytes"), int)
        and not isinstance(meta.get("bytes"), bool)
        and meta["bytes"] >= 0
        and isinstance(meta.get("sha256"), str)
        and bool(_SHA256.fullmatch(meta["sha256"]))
    )


def _valid_entry(entry: object) -> bool:
    if not isinstance(entry, dict) or entry.get("result") not in ("success", "failed"):
        return False
    outputs = entry.get("outputs", {})
    if not isinstance(outputs, dict) or not all(_safe_name(n) and _valid_record(m) for n, m in outputs.items()):
        return False
    if entry["result"] == "success" and not (isinstance(entry.get("key"), str) and outputs):
        return False
    return isinstance(entry.get("inputs", {}), dict)


def read_manifest(folder: Path) -> QuarterManifest:
    """Read ``folder/manifest.json`` without ever failing: what cannot be trusted is left out and said.

    Examples
    --------
    >>> read_manifest(Path("no/such/folder"))
    QuarterManifest(jobs={}, problem='')
    """
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return QuarterManifest()
    except (OSError, UnicodeDecodeError) as exc:
        return QuarterManifest(problem=f"{MANIFEST} cannot be read ({getattr(exc, 'strerror', None) or exc})")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return QuarterManifest(problem=f"{MANIFEST} is damaged: not valid JSON ({exc.msg}, line {exc.lineno})")
    except (ValueError, RecursionError):  # a number too long to read, or lists nested too deep
        return QuarterManifest(problem=f"{MANIFEST} is damaged: it is not JSON that perfkit can read")
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, dict):
        return QuarterManifest(problem=f"{MANIFEST} is damaged: it has no list of jobs")
    good = {name: entry for name, entry in jobs.items() if isinstance(name, str) and _valid_entry(entry)}
    bad = sorted(str(name) for name in jobs if name not in good)
    problem = f"{MANIFEST} is damaged: the entries for {', '.join(bad)} cannot be used" if bad else ""
    return QuarterManifest(good, problem)


def _changed_inputs(old: object, new: dict) -> str:
    """Which inputs differ between an entry's recorded hashes and a job's current ones, in words."""
    if not isinstance(old, dict):
        return "its inputs were not recorded"
    if old.get("perfkit") != new["perfkit"]:
        return f"perfkit has changed since (it was made by {old.get('perfkit', 'an unknown version')})"
    if old.get("notebook") != new["notebook"]:
        return "the notebook has changed"
    if old.get("parameters") != new["parameters"]:
        return "it was made with other options (formats or data folder)"
    recorded = old.get("data")
    before: dict = recorded if isinstance(recorded, dict) else {}
    now = new["data"]
    reasons = []
    gone_waves = sorted({PurePosixPath(k).parts[1] for k in before.keys() - now.keys() if k.startswith("survey/")})
    new_waves = sorted({PurePosixPath(k).parts[1] for k in now.keys() - before.keys() if k.startswith("survey/")})
    reasons += [f"its survey wave {w} is gone" for w in gone_waves]
    reasons += [f"survey wave {w} is new" for w in new_waves]
    other = sorted(
        k
        for k in (before.keys() | now.keys())
        if before.get(k) != now.get(k) and not (k.startswith("survey/") and (k not in before or k not in now))
    )
    if other:
        reasons.append(f"{', '.join(other)} changed")
    return "; ".join(reasons) or "its inputs have changed"


def staleness(job: Job, entry: dict | None, folder: Path | None = None) -> str:
    """Why the job's published outputs are not current, in words; empty when they are fresh.

    Parameters
    ----------
    job
        The job as planned from the current inputs.
    entry
        Its entry in the quarter's manifest (``None`` if it has none).
    folder
        Where the quarter's files are (default: the job's folder).
    """
    if entry is None:
        return "never made"
    if entry.get("result") != "success":
        return "its last run failed"
    if entry.get("key") != job.key:
        return _changed_inputs(entry.get("inputs"), job.inputs)
    folder = folder or job.folder
    for name, meta in entry["outputs"].items():
        path = folder / name
        if not path.is_file() or path.is_symlink():
            return f"{name} has been deleted"
        if path.stat().st_size != meta["bytes"] or sha256_file(path) != meta["sha256"]:
            return f"{name} has been changed since it was made"
    return ""


def is_fresh(job: Job, manifest: QuarterManifest | None = None) -> bool:
    """Whether the job's outputs exist, are intact, and were made from the same inputs."""
    manifest = manifest if manifest is not None else read_manifest(job.folder)
    return not staleness(job, manifest.jobs.get(job.name))


def file_record(path: Path) -> dict:
    """How the manifest records a file: its size and SHA-256."""
    return {"bytes": path.stat().st_size, "sha256": sha256_file(path)}


def job_entry(result: JobResult, outputs: dict[str, dict], previous: dict | None = None, failed_copy: str = "") -> dict:
    """A job's entry in the manifest.

    Parameters
    ----------
    result
        The built job.
    outputs
        The files of the job in the folder once published, ``{name: file_record}``: what it made,
        or for a failed job the files of its last success, which stay published.
    previous
        For a failed job, the entry of its last success (kept under ``previous``).
    failed_copy
        For a failed job, where its executed notebook is kept (``failed/<name>.ipynb``).
    """
    job = result.job
    entry = {
        "key": job.key,
        "inputs": job.inputs,
        "sources": job.sources,
        "notebook": str(job.notebook),
        "parameters": {"quarter": job.quarter.slug, "data_dir": str(job.data_dir), **dict(job.parameters)},
        "result": "success" if result.ok else "failed",
        "error": result.error,
        "outputs": outputs,
        "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if result.ok and result.summary:
        entry["summary"] = result.summary
    if not result.ok:
        entry["failed_copy"] = failed_copy
        if previous:
            entry["previous"] = {k: v for k, v in previous.items() if k != "previous"}
    return entry


def last_success(entry: dict | None) -> dict | None:
    """The entry of a job's last successful run: the entry itself, or the one a failure kept."""
    if not entry:
        return None
    if entry.get("result") == "success":
        return entry
    previous = entry.get("previous")
    return (
        previous if isinstance(previous, dict) and _valid_entry(previous) and previous["result"] == "success" else None
    )


def seconds_taken(entry: dict) -> float:
    """The total seconds an entry records, or 0 when it records none that can be read."""
    timings = entry.get("timings_seconds")
    total = timings.get("total", 0) if isinstance(timings, dict) else 0
    return float(total) if isinstance(total, (int, float)) and not isinstance(total, bool) else 0.0


def _versions() -> dict[str, str]:
    names = ("papermill", "nbconvert", "nbformat", "pandas", "matplotlib", "weasyprint")
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return {"perfkit": __version__, "python": platform.python_version(), **found}


def manifest_bytes(quarter: Quarter, jobs: dict[str, dict], data_dir: Path, sources: dict[str, str]) -> bytes:
    """The whole ``manifest.json`` of a quarter, as written.

    Parameters
    ----------
    jobs
        Every job's entry, this run's and earlier runs'.
    data_dir, sources
        The data folder and the files the last published job read, with their hashes.
    """
    manifest = {
        "quarter": quarter.label,
        "slug": quarter.slug,
        "result": "success" if all(j["result"] == "success" for j in jobs.values()) else "failed",
        "produced_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "inputs": {"data_dir": str(data_dir), "files": sources},
        "jobs": jobs,
        "outputs": {name: meta for j in jobs.values() for name, meta in j["outputs"].items()},
        "versions": _versions(),
        "timings_seconds": {"total": round(sum(seconds_taken(j) for j in jobs.values()), 3)},
    }
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
