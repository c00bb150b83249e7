"""An unchanged rerun, decided from the record, the manifests and the files' hashes alone.

A rerun whose data, notebooks, perfkit and arguments are those of an earlier run that went
ahead would plan the same jobs again: to know that, :func:`perfkit.run` would load the register
(pandas and numpy, most of an unchanged rerun's time) and hash it quarter by quarter. So each
run that goes ahead keeps, in the validation record (:mod:`perfkit.batch.validated`), what
planning produced for its arguments (its jobs, keys and all), what the register says of its
quarters, and a digest of the landing page's inputs with the page's hash. Every entry is made
from what the record's validation depends on (the data files' SHA-256, perfkit's code, the
libraries' versions) and from the arguments it is kept under; none describes the output folder,
so the record stays right whatever another run publishes meanwhile, and wherever the folder is moved.

The next run with the same arguments (:func:`recorded_rerun`) takes them from the record when
the validation is reused, the notebooks have the hashes the jobs were keyed with, and the record
is consistent (it matches its checksum; each job's key is the hash of its inputs, made by this
perfkit, for this data folder and these options, from the files the validation vouches for). It
then shows the recorded warnings, chooses the quarters from the recorded ones (the same warnings
for a quarter after the data), and, holding the output folder's lock as a full run would, checks
every quarter's manifest and every published file by content
(:func:`perfkit.batch.manifest.staleness`) and the landing page against its digest
(:meth:`RecordedRerun.summary`). Only when every job is fresh, no manifest is damaged, no report
published earlier would be noted as stale, no killed run left anything to recover and the page
would not change, does it report them up to date, as a full run would, having written nothing.
Anything else (a record missing, damaged or made for other arguments, another run holding the
lock) leaves the decision to the full path, which does everything as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..appendices import APPENDICES, NOTEBOOK_DIR
from ..errors import OutputFolderError, PerfkitError
from ..hashing import sha256_file
from ..periods import Quarter, latest_quarter, parse_quarter
from .cache import inputs_key
from .jobs import BatchSummary, Job, skipped
from .validated import RECORD_NAME, RunValidation, recorded_validation

if TYPE_CHECKING:
    from ..data.register import Register

__all__ = ["RecordedRegister", "RecordedRerun", "recorded_rerun", "remember", "request_key"]

#: Plans kept in the record, the latest first: a team alternates between a few commands.
KEPT_PLANS = 8


@dataclass(frozen=True)
class RecordedRegister:
    """What the register said of its quarters, as :func:`perfkit.pipeline.select_quarters` asks it.

    Examples
    --------
    >>> facts = RecordedRegister("Tiny Test Council", (pk.Quarter(2023, 2), pk.Quarter(2024, 2)))
    >>> facts.latest_quarter().label, [q.label for q in facts.quarters_with_data()]
    ('2024/25 Q2', ['2023/24 Q2', '2024/25 Q2'])
    """

    council: str
    quarters: tuple[Quarter, ...]

    def quarters_with_data(self) -> list[Quarter]:
        """Quarters with at least one actuals row, in order."""
        return list(self.quarters)

    def latest_quarter(self) -> Quarter:
        """The latest quarter with at least one actuals row (as :meth:`Register.latest_quarter`)."""
        return latest_quarter(self.quarters)


class _Unusable(Exception):
    """The record cannot vouch for this rerun: the full path decides."""


def _period(value: object) -> object:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Quarter):
        return ["Quarter", value.slug]
    raise _Unusable


def _texts(values: object) -> list[str]:
    listed = list(values) if isinstance(values, (list, tuple)) else None
    if listed is None or not all(isinstance(v, str) for v in listed):
        raise _Unusable
    return listed


def request_key(
    quarter: object,
    first: object,
    last: object,
    all_quarters: object,
    formats: Sequence[str],
    notebooks: list[Path] | None,
    objective: str | Sequence[str] | None,
    timeout: float | None,
) -> str | None:
    """The arguments that shape a run's plan, as one canonical text; ``None`` for arguments it cannot key.

    ``jobs``, ``executor`` and the callbacks change how jobs run, not which: they are not part of it,
    nor is the output folder, where the record is kept (a job's key does not depend on it).

    Examples
    --------
    >>> a = request_key("2024/25 Q2", None, None, False, ("html",), None, None, None)
    >>> a == request_key("2024/25 Q2", None, None, False, ("html",), None, None, 600.0)
    False
    """
    try:
        names = None if objective is None else _texts([objective] if isinstance(objective, str) else objective)
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout)
        ):
            raise _Unusable
        request = {
            "notebook_dir": str(NOTEBOOK_DIR),
            "quarter": _period(quarter),
            "first": _period(first),
            "last": _period(last),
            "all": bool(all_quarters),
            "formats": _texts(formats),
            "notebooks": None if notebooks is None else [str(p) for p in notebooks],
            "objective": names,
            "timeout": timeout,
        }
    except (_Unusable, TypeError):
        return None
    return json.dumps(request, sort_keys=True, ensure_ascii=False)


def _job_entry(job: Job) -> dict:
    # no output folder: the record is kept in it, and a job's key does not depend on it, so a
    # folder copied or moved elsewhere (the record with it) is checked where it is now
    return {
        "quarter": job.quarter.slug,
        "notebook": str(job.notebook),
        "data_dir": str(job.data_dir),
        "formats": list(job.formats),
        "key": job.key,
        "inputs": job.inputs,
        "timeout": job.timeout,
        "sources": job.sources,
        "parameters": [list(p) for p in job.parameters],
        "stem": job.stem,
        "title": job.title,
    }


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Unusable
    return value


def _job(entry: object, data_dir: Path, out_dir: Path, formats: list[str], timeout: object) -> Job:
    """A recorded job, after checking that it is one this perfkit would plan for this data, folder and options."""
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("inputs"), dict)
        or not isinstance(entry.get("sources"), dict)
    ):
        raise _Unusable
    inputs, sources = entry["inputs"], entry["sources"]
    parameters = entry.get("parameters")
    if not isinstance(parameters, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, str) for v in p) for p in parameters
    ):
        raise _Unusable
    job = Job(
        parse_quarter(_text(entry.get("quarter"))),
        Path(_text(entry.get("notebook"))),
        Path(_text(entry.get("data_dir"))),
        out_dir,
        tuple(_texts(entry.get("formats"))),
        _text(entry.get("key")),
        inputs,
        entry.get("timeout"),
        sources,
        tuple((k, v) for k, v in parameters),
        _text(entry.get("stem")),
        _text(entry.get("title")),
    )
    # the key is the hash of the inputs (as perfkit.batch.cache.job_key makes it), and the inputs
    # name this quarter, data folder and formats: a record edited by hand, or made elsewhere, is refused
    if inputs_key(inputs) != job.key:
        raise _Unusable
    said = inputs.get("parameters")
    if (
        job.data_dir != data_dir
        or list(job.formats) != formats
        or job.timeout != timeout
        or type(job.timeout) is not type(timeout)
        or not isinstance(said, dict)
        or said.get("quarter") != job.quarter.slug
        or said.get("data_dir") != str(data_dir)
        or said.get("formats") != sorted(formats)
    ):
        raise _Unusable
    return job


@dataclass
class RecordedRerun:
    """A rerun the record vouches for: its validation, quarters, objectives and planned jobs.

    Attributes
    ----------
    validation
        The recorded validation (its report's register is loaded only if asked for).
    register
        What the register said of its quarters.
    out_dir
        The output folder.
    quarters
        The quarters the plan was made for.
    jobs
        The jobs, in plan order, as the full path would plan them.
    objectives, notes
        The objectives chosen in each quarter, and the notes about quarters without them
        (:func:`perfkit.objective.resolve_objectives`), for a run with ``objective``.
    index
        The recorded digest of the landing page's inputs and the page's SHA-256.
    own
        Whether the run is of a council's own notebooks.
    in_force
        The objectives of the plan in force in each of the quarters, for a run of perfkit's
        appendices (to know whether an objective's update published earlier still applies).
    """

    validation: RunValidation
    register: RecordedRegister
    out_dir: Path
    quarters: list[Quarter]
    jobs: list[Job]
    objectives: dict[Quarter, list[str]] | None
    notes: list[str]
    index: tuple[str, str]
    own: bool
    in_force: dict[Quarter, list[str]]

    def summary(
        self, quarters: list[Quarter], on_start: Callable[[list[Job], list[Job]], None] | None = None
    ) -> BatchSummary | None:
        """Every job up to date, as :func:`~perfkit.batch.executors.run_batch` would report them; ``None`` if not.

        Holds the output folder's lock while it checks, as a full run does: a run publishing
        there meanwhile means ``None`` (the full path then waits for it, or says so).
        ``on_start`` is called, under the lock, with no job to run and every job fresh.
        """
        from contextlib import ExitStack

        from .lock import output_lock

        if quarters != self.quarters:
            return None
        with ExitStack() as stack:
            try:
                stack.enter_context(output_lock(self.out_dir))
                if not self._fresh():
                    return None
            except (OutputFolderError, OSError):
                return None
            if on_start:
                on_start([], list(self.jobs))
        return BatchSummary([skipped(job) for job in self.jobs], [])

    def _may_be_noted(self, entry: dict) -> bool:
        """Whether the full path notes this report, published earlier and not planned now, as stale.

        As :func:`perfkit.batch.freshness.orphan_reason` decides, with the objectives the record
        says are in force (none for a quarter it does not name, so such an update is noted).
        """
        from .freshness import orphan_reason

        return bool(orphan_reason(entry, self.validation.report.data_dir, lambda q: self.in_force.get(q, [])))

    def _fresh(self) -> bool:
        """Whether the full path would find every job fresh, note nothing and leave the landing page as it is."""
        from ..publish.landing import INDEX, find_reports, index_inputs
        from .manifest import read_manifest, staleness
        from .swap import PREVIOUS_PREFIX, STAGING_PREFIX

        if any(name.startswith((PREVIOUS_PREFIX, STAGING_PREFIX)) for name in os.listdir(self.out_dir)):
            return False  # a killed run's leftovers: the full path recovers them first
        manifests = {q: read_manifest(self.out_dir / q.slug) for q in self.quarters}
        if any(m.problem for m in manifests.values()):
            return False  # noted, and made again
        for job in self.jobs:
            if staleness(job, manifests[job.quarter].jobs.get(job.name)):
                return False
        if not self.own and self.objectives is None:
            for q, manifest in manifests.items():
                planned = {job.name for job in self.jobs if job.quarter == q}
                if any(self._may_be_noted(entry) for name, entry in manifest.jobs.items() if name not in planned):
                    return False  # a report published earlier that the full path notes as stale
        reports = find_reports(self.out_dir)
        if index_inputs(reports, self.register.council, dt.date.today()) != self.index[0]:
            return False
        page = self.out_dir / INDEX
        return not page.is_symlink() and page.is_file() and sha256_file(page) == self.index[1]


def _recorded_facts(record: dict) -> tuple[RecordedRegister, tuple[str, str]]:
    facts, index = record.get("register"), record.get("index")
    if not isinstance(facts, dict) or not isinstance(index, dict):
        raise _Unusable
    quarters = tuple(parse_quarter(_text(q)) for q in _texts(facts.get("quarters")))
    return RecordedRegister(_text(facts.get("council")), quarters), (
        _text(index.get("inputs")),
        _text(index.get("sha256")),
    )


def recorded_rerun(data_dir: Path, out_dir: Path, request: str | None) -> RecordedRerun | None:
    """What the record in ``out_dir`` vouches for a run with these arguments; ``None`` leaves it to the full path.

    Parameters
    ----------
    data_dir
        The data folder, found (:func:`perfkit.data.folders.find_data_dir`).
    out_dir
        The output folder, resolved.
    request
        The run's arguments (:func:`request_key`).
    """
    try:
        if request is None or not (out_dir / RECORD_NAME).is_file():  # a first run: nothing to hash
            return None
    except OSError:  # a folder this user may not search, say: the full path says what is wrong with it
        return None
    validation = recorded_validation(data_dir, out_dir)
    if validation is None or validation.record is None or validation.depends_on is None:
        return None
    record, perfkit = validation.record, validation.depends_on["perfkit"]
    try:
        register, index = _recorded_facts(record)
        plans = record.get("plans")
        plan = (
            next((p for p in plans if isinstance(p, dict) and p.get("request") == request), None)
            if isinstance(plans, list)
            else None
        )
        if plan is None:
            return None
        asked = json.loads(request)
        quarters = [parse_quarter(_text(q)) for q in _texts(plan.get("quarters"))]
        entries = plan.get("jobs")
        if not isinstance(entries, list) or not entries:
            raise _Unusable
        jobs = [_job(e, data_dir, out_dir, asked["formats"], asked["timeout"]) for e in entries]
        if any(job.quarter not in quarters for job in jobs) or len(set(jobs)) != len(jobs):
            raise _Unusable
        # only the notebooks a full run would hash: the council's given now, or perfkit's own
        own_paths = asked["notebooks"]
        allowed = (
            {Path(p) for p in own_paths} if own_paths is not None else {NOTEBOOK_DIR / a.notebook for a in APPENDICES}
        )
        if any(job.notebook not in allowed for job in jobs):
            raise _Unusable
        hashes: dict[Path, str] = {}
        files = validation.depends_on["files"]
        for job in jobs:  # a notebook edited since: its jobs are stale, and the full path says so
            if job.notebook not in hashes:
                hashes[job.notebook] = sha256_file(job.notebook)
            if job.inputs.get("notebook") != hashes[job.notebook] or job.inputs.get("perfkit") != perfkit:
                return None
            # planning hashed the files a job reads again after the validation: one saved in between
            # keyed the job from other bytes than the validation vouches for (the full path keys it afresh)
            if any(files.get(name) != digest for name, digest in job.sources.items()):
                return None
        objectives, notes = _recorded_objectives(plan, asked["objective"] is not None)
        in_force = _names_by_quarter(plan.get("in_force"))
    except (_Unusable, PerfkitError, OSError, KeyError, TypeError, ValueError):
        return None
    own = asked["notebooks"] is not None
    return RecordedRerun(validation, register, out_dir, quarters, jobs, objectives, notes, index, own, in_force)


def _names_by_quarter(listed: object) -> dict[Quarter, list[str]]:
    """``[[slug, [name, ...]], ...]`` as the record keeps objectives by quarter."""
    if not isinstance(listed, list):
        raise _Unusable
    found: dict[Quarter, list[str]] = {}
    for item in listed:
        if not isinstance(item, list) or len(item) != 2:
            raise _Unusable
        found[parse_quarter(_text(item[0]))] = _texts(item[1])
    return found


def _recorded_objectives(plan: dict, asked: bool) -> tuple[dict[Quarter, list[str]] | None, list[str]]:
    chosen, notes = plan.get("objectives"), _texts(plan.get("notes"))
    if not asked:
        if chosen is not None or notes:
            raise _Unusable
        return None, []
    return _names_by_quarter(chosen), notes


def _objectives_in_force(register: Register, quarters: list[Quarter]) -> list[list]:
    from ..data.register import objectives_in

    return [[q.slug, objectives_in(register, q)] for q in quarters]


def remember(
    validation: RunValidation,
    out_dir: Path,
    request: str | None,
    register: Register,
    quarters: list[Quarter],
    summary: BatchSummary,
    objectives: dict[Quarter, list[str]] | None = None,
    notes: Sequence[str] = (),
) -> None:
    """Keep the validation, and what this run planned for its arguments, for the next run (see the module's notes).

    Called by :func:`perfkit.run` once a run has gone ahead and published what it could;
    ``summary`` lists its jobs in plan order, which is the plan kept.
    """
    from ..publish.landing import find_reports, index_inputs, render_index

    extra: dict = {}
    if request is not None and summary.results:
        council = register.council.name
        today = dt.date.today()
        try:
            reports = find_reports(out_dir)
        except OSError:
            reports = None
        if reports is not None:
            # the page as the full path writes it from these inputs: a pure function of them, so
            # this pair stays right whatever another run publishes meanwhile
            page = render_index(reports, council, today).encode("utf-8")
            plan = {
                "request": request,
                "quarters": [q.slug for q in quarters],
                "in_force": _objectives_in_force(register, quarters),
                "objectives": None if objectives is None else [[q.slug, list(n)] for q, n in objectives.items()],
                "notes": list(notes),
                "jobs": [_job_entry(r.job) for r in summary.results],
            }
            earlier = validation.record.get("plans", []) if validation.record else []
            kept = [p for p in earlier if isinstance(p, dict) and p.get("request") != request]
            extra = {
                "register": {"council": council, "quarters": [q.slug for q in register.quarters_with_data()]},
                "plans": [plan, *kept][:KEPT_PLANS],
                "index": {"inputs": index_inputs(reports, council, today), "sha256": hashlib.sha256(page).hexdigest()},
            }
    validation.keep(out_dir, extra)
