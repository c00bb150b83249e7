"""The state of every quarter's appendices in an output folder: fresh, stale, failed or missing, and why.

*fresh* is said only when the recorded key matches the current inputs and every output is
byte for byte what was published; anything that cannot be checked (a damaged manifest, a
notebook that is gone, an appendix whose survey wave was deleted) is *stale*, with the reason.
Nothing here writes: ``perfkit status`` works on a read-only folder, and while a run is
publishing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..appendices import APPENDICES, OBJECTIVE
from ..errors import PerfkitError
from ..periods import Quarter, parse_quarter, quarter_range
from ..slugs import match_objective
from .jobs import FORMATS, Job, plan_jobs
from .manifest import read_manifest, seconds_taken, staleness
from .swap import current_folder

if TYPE_CHECKING:
    from ..data.register import Register

__all__ = ["OutputState", "in_force", "objective_gone", "orphan_reason", "output_status"]


@dataclass(frozen=True)
class OutputState:
    """One notebook of one quarter."""

    quarter: Quarter
    notebook: str
    state: str  # fresh | stale | failed | missing
    produced: str = ""
    seconds: float = 0.0
    reason: str = ""


def _formats_of(entry: dict) -> tuple[str, ...]:
    inputs = entry.get("inputs")
    parameters = inputs.get("parameters") if isinstance(inputs, dict) else None
    formats = parameters.get("formats") if isinstance(parameters, dict) else None
    if not isinstance(formats, list) or not all(f in FORMATS for f in formats):
        return FORMATS
    return tuple(formats)


def orphan_reason(entry: dict, data_dir: Path, objectives: Callable[[Quarter], Sequence[str]]) -> str:
    """Why one of perfkit's appendices published for a quarter no longer applies to it; empty if it is not one.

    ``objectives`` gives the objectives in force in a quarter (:func:`in_force` of the register, or
    what the record of a run says of them: :mod:`perfkit.batch.rerun`).

    Examples
    --------
    >>> orphan_reason({"notebook": "/somewhere/member_briefing.ipynb"}, tiny_dir, in_force(tiny))
    ''
    >>> orphan_reason({"notebook": "/perfkit/notebooks/survey_demographics.ipynb"}, tiny_dir, in_force(tiny))
    'it no longer applies to this quarter'
    """
    notebook = Path(str(entry.get("notebook", "")))
    if notebook.name not in {a.notebook for a in APPENDICES}:
        return ""
    if notebook.name == OBJECTIVE.notebook:
        return objective_gone(entry, objectives)
    data = entry.get("inputs", {}).get("data", {}) if isinstance(entry.get("inputs"), dict) else {}
    waves = sorted({PurePosixPath(k).parts[1] for k in data if isinstance(k, str) and k.startswith("survey/")})
    gone = [w for w in waves if not (data_dir / "survey" / w).is_dir()]
    if gone:
        return f"its survey wave {', '.join(gone)} {'is' if len(gone) == 1 else 'are'} gone"
    return "it no longer applies to this quarter"


def _entry_objective(entry: dict) -> tuple[Quarter, str] | None:
    """The quarter and objective of an objective's update recorded in a manifest, or ``None``."""
    parameters = entry.get("parameters")
    if not isinstance(parameters, dict) or not isinstance(parameters.get("objective"), str):
        return None
    try:
        return parse_quarter(parameters.get("quarter")), parameters["objective"]
    except PerfkitError:
        return None


def in_force(register: Register) -> Callable[[Quarter], list[str]]:
    """The objectives in force in a quarter, as the register says (:func:`perfkit.data.register.objectives_in`)."""
    from ..data.register import objectives_in

    return lambda quarter: objectives_in(register, quarter)


def objective_gone(entry: dict, objectives: Callable[[Quarter], Sequence[str]]) -> str:
    """Why an objective's update recorded in ``entry`` no longer applies, given the objectives in force in
    a quarter (:func:`perfkit.data.register.objectives_in`, or what the record of a run says of them); else empty.

    Examples
    --------
    >>> entry = {"parameters": {"quarter": "2024-25-Q2", "objective": "good services"}}
    >>> objective_gone(entry, lambda q: ["Good services"])
    ''
    >>> objective_gone(entry, lambda q: ["A green place"])
    "the plan in force in 2024/25 Q2 no longer has the objective 'good services'"
    """
    found = _entry_objective(entry)
    if found is None:
        return "the manifest does not say which objective it reports"
    quarter, name = found
    if match_objective(name, objectives(quarter)) is None:
        return f"the plan in force in {quarter.label} no longer has the objective '{name}'"
    return ""


def _own_notebook(entry: dict) -> Path | None:
    path = Path(str(entry.get("notebook", "")))
    return path if path.suffix == ".ipynb" and path.name not in {a.notebook for a in APPENDICES} else None


def output_status(register: Register, out_dir: Path) -> list[OutputState]:
    """For each quarter with data and each notebook that applies to it or ran for it: are its outputs current?

    *fresh*: made from the current inputs and unchanged since; *stale*: made, but an input or an
    output has changed since, or the manifest cannot vouch for it (``reason`` says which);
    *failed*: the last run failed; *missing*: never made.
    """
    have = register.quarters_with_data()
    if not have:
        return []
    rows = []
    objectives = in_force(register)
    for quarter in quarter_range(have[0], have[-1]):
        folder = current_folder(out_dir, quarter.slug)
        manifest = read_manifest(folder)
        entries = manifest.jobs
        planned = plan_jobs(register, [quarter], out_dir)
        names = {j.name for j in planned}
        # a council's own notebooks run for this quarter are reported too
        own = [p for name, e in entries.items() if name not in names and (p := _own_notebook(e)) and p.is_file()]
        if own:
            planned += plan_jobs(register, [quarter], out_dir, notebooks=own)
        names = {j.name for j in planned}
        for job in planned:
            rows.append(_state(register, quarter, job, entries.get(job.name), folder, out_dir, manifest.problem))
        # objectives' updates made for this quarter, whose objective is still in the plan
        asked = [
            found[1]
            for name, e in entries.items()
            if name not in names
            and Path(str(e.get("notebook", ""))).name == OBJECTIVE.notebook
            and (found := _entry_objective(e)) is not None
            and not objective_gone(e, objectives)
        ]
        for job in plan_jobs(register, [quarter], out_dir, objectives={quarter: asked}) if asked else []:
            rows.append(_state(register, quarter, job, entries.get(job.name), folder, out_dir, manifest.problem))
            names.add(job.name)
        for name, entry in entries.items():
            if name in names:
                continue
            own_path = _own_notebook(entry)
            reason = (
                f"its notebook {own_path} is gone"
                if own_path
                else orphan_reason(entry, register.data_dir, in_force(register))
            )
            rows.append(_row(quarter, name, "stale", entry, reason))
        if manifest.problem:  # notebooks run for the quarter that only the damaged manifest could name
            for executed in sorted(folder.glob("*.ipynb")):
                if executed.stem not in names and executed.stem not in entries:
                    rows.append(_row(quarter, executed.stem, "stale", None, manifest.problem))
    return rows


def _row(quarter: Quarter, name: str, state: str, entry: dict | None, reason: str) -> OutputState:
    produced = entry.get("finished_at", "") if entry else ""
    return OutputState(
        quarter,
        name,
        state,
        produced if isinstance(produced, str) else "",
        seconds_taken(entry) if entry else 0.0,
        reason,
    )


def _state(
    register: Register,
    quarter: Quarter,
    job: Job,
    entry: dict | None,
    folder: Path,
    out_dir: Path,
    problem: str,
) -> OutputState:
    if entry is None:
        if problem and (folder / f"{job.name}.ipynb").exists():
            return _row(quarter, job.name, "stale", None, problem)  # made, but the manifest cannot say how
        return _row(quarter, job.name, "missing", None, "")
    if entry.get("result") != "success":
        copy = entry.get("failed_copy")
        kept = f"; the executed notebook is kept in {quarter.slug}/{copy}" if isinstance(copy, str) and copy else ""
        return _row(quarter, job.name, "failed", entry, f"its last run failed{kept}")
    # compare with a job planned for the formats the outputs were made in
    if job.parameters:  # an objective's update
        asked = {quarter: [dict(job.parameters)["objective"]]}
        same = plan_jobs(register, [quarter], out_dir, _formats_of(entry), objectives=asked)[0]
    else:
        same = plan_jobs(register, [quarter], out_dir, _formats_of(entry), [job.notebook])[0]
    reason = staleness(same, entry, folder)
    return _row(quarter, job.name, "stale" if reason else "fresh", entry, reason)
