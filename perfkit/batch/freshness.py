"""The state of every quarter's appendices in an output folder: fresh, stale, failed or missing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..data.register import Register
from ..periods import Quarter, quarter_range
from .jobs import FORMATS, plan_jobs
from .manifest import is_fresh

__all__ = ["OutputState", "output_status"]


@dataclass(frozen=True)
class OutputState:
    """One notebook of one quarter."""

    quarter: Quarter
    notebook: str
    state: str  # fresh | stale | failed | missing
    produced: str = ""
    seconds: float = 0.0


def _formats_of(entry: dict) -> tuple[str, ...]:
    return tuple(entry.get("inputs", {}).get("parameters", {}).get("formats", FORMATS))


def output_status(register: Register, out_dir: Path) -> list[OutputState]:
    """For each quarter with data and each notebook that applies to it, whether its outputs are current.

    *fresh*: made from the current inputs; *stale*: made, but an input has changed since;
    *failed*: the last run failed; *missing*: never made.
    """
    have = register.quarters_with_data()
    if not have:
        return []
    rows = []
    for quarter in quarter_range(have[0], have[-1]):
        manifest_path = out_dir / quarter.slug / "manifest.json"
        entries = {}
        if manifest_path.exists():
            try:
                entries = json.loads(manifest_path.read_text(encoding="utf-8")).get("jobs", {})
            except json.JSONDecodeError:
                entries = {}
        planned = plan_jobs(register, [quarter], out_dir)
        # a council's own notebooks run for this quarter are reported too
        own = [
            Path(e["notebook"])
            for name, e in entries.items()
            if name not in {j.name for j in planned} and Path(e.get("notebook", "")).is_file()
        ]
        if own:
            planned += plan_jobs(register, [quarter], out_dir, notebooks=own)
        for job in planned:
            entry = entries.get(job.name)
            if entry is None:
                rows.append(OutputState(quarter, job.name, "missing"))
                continue
            # compare with a job planned for the formats the outputs were made in
            same = plan_jobs(register, [quarter], out_dir, _formats_of(entry), [job.notebook])[0]
            if entry.get("result") != "success":
                state = "failed"
            else:
                state = "fresh" if is_fresh(same) else "stale"
            rows.append(
                OutputState(
                    quarter,
                    job.name,
                    state,
                    entry.get("finished_at", ""),
                    entry.get("timings_seconds", {}).get("total", 0.0),
                )
            )
    return rows
