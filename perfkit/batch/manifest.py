"""Each quarter's ``manifest.json``: the inputs, jobs, outputs and versions of what was published.

The manifest is also the cache: a job is fresh when its entry has the same key
and every output it lists is still there, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
from importlib.metadata import version
from pathlib import Path

from .. import __version__
from ..data.register import Register
from ..periods import Quarter
from ..publish.data_files import sha256_file, write_json
from .cache import survey_files
from .execute import STAGING_PREFIX
from .jobs import Job, JobResult

__all__ = ["clean_stale_staging", "is_fresh", "write_manifest"]


def is_fresh(job: Job) -> bool:
    """Whether the job's outputs exist, are intact, and were made from the same inputs."""
    manifest = job.folder / "manifest.json"
    try:
        entry = json.loads(manifest.read_text(encoding="utf-8"))["jobs"][job.name]
    except (OSError, KeyError, json.JSONDecodeError):
        return False
    if entry.get("result") != "success" or entry.get("key") != job.key or not entry.get("outputs"):
        return False
    for name, meta in entry["outputs"].items():
        path = job.folder / name
        if not path.exists() or path.stat().st_size != meta["bytes"] or sha256_file(path) != meta["sha256"]:
            return False
    return True


def _versions() -> dict[str, str]:
    names = ("papermill", "nbconvert", "nbformat", "pandas", "matplotlib", "weasyprint")
    return {"perfkit": __version__, "python": platform.python_version(), **{n: version(n) for n in names}}


def write_manifest(register: Register, quarter: Quarter, results: list[JobResult], out_dir: Path) -> Path:
    """Record the quarter's inputs, jobs, outputs and versions in ``outputs/<slug>/manifest.json``.

    Jobs not run this time (skipped, or not asked for) keep their earlier entries.
    Timings and dates are the only parts that differ between two runs of the same inputs.
    """
    folder = out_dir / quarter.slug
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "manifest.json"
    jobs = {}
    if path.exists():
        try:
            jobs = json.loads(path.read_text(encoding="utf-8")).get("jobs", {})
        except (json.JSONDecodeError, OSError):
            jobs = {}
    for r in results:
        if r.skipped:
            continue
        jobs[r.job.name] = {
            "key": r.job.key,
            "inputs": r.job.inputs,
            "notebook": str(r.job.notebook),
            "parameters": {"quarter": quarter.slug, "data_dir": str(r.job.data_dir)},
            "result": "success" if r.ok else "failed",
            "error": r.error,
            "outputs": {p.name: {"bytes": p.stat().st_size, "sha256": sha256_file(p)} for p in r.outputs},
            "timings_seconds": {k: round(v, 3) for k, v in r.timings.items()},
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    inputs = list(register.files) + survey_files(register, quarter)
    manifest = {
        "quarter": quarter.label,
        "slug": quarter.slug,
        "result": "success" if all(j["result"] == "success" for j in jobs.values()) else "failed",
        "produced_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "inputs": {
            "data_dir": str(register.data_dir),
            "files": {str(p.relative_to(register.data_dir)): sha256_file(p) for p in inputs},
        },
        "jobs": jobs,
        "outputs": {name: meta for j in jobs.values() for name, meta in j["outputs"].items()},
        "versions": _versions(),
        "timings_seconds": {"total": round(sum(j["timings_seconds"].get("total", 0) for j in jobs.values()), 3)},
    }
    write_json(path, manifest)  # atomic, through a new uniquely named file: no fixed temporary name to plant a link at
    return path


def clean_stale_staging(out_dir: Path) -> list[Path]:
    """Remove staging folders left by runs that were killed (their process is gone)."""
    removed: list[Path] = []
    if not out_dir.is_dir():
        return removed
    for path in out_dir.glob(f"{STAGING_PREFIX}*"):
        try:
            pid = int(path.name[len(STAGING_PREFIX) :].split("-", 1)[0])
        except ValueError:
            continue
        try:
            os.kill(pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
