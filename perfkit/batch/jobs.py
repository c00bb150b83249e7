"""Jobs: one notebook for one quarter, planned from the register and the appendices.

A :class:`Job` carries everything a worker needs and nothing it must compute
again; all of it pickles, so any executor (this process, a process pool, a
Dask cluster) can run it. The quarter travels as a :class:`~perfkit.periods.Quarter`
and becomes text only for papermill's parameters and the output paths.
:class:`BatchSummary` is what a batch returns.

Nothing here imports pandas, the notebook tools or the executors: an unchanged rerun
(:mod:`perfkit.batch.rerun`) rebuilds its jobs and summary from the record without them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..appendices import APPENDICES, OBJECTIVE, appendix_for
from ..errors import PerfkitError, UsageError
from ..periods import Quarter, parse_quarter
from .cache import job_key, job_sources, one_plan

if TYPE_CHECKING:
    from ..data.register import Register

__all__ = [
    "AUTO_MAX_JOBS",
    "EXECUTORS",
    "FORMATS",
    "BatchSummary",
    "Job",
    "JobResult",
    "check_jobs",
    "check_output_names",
    "plan_jobs",
    "skipped",
    "usable_cpus",
]

FORMATS = ("html", "pdf")

#: Where a batch's jobs run: processes on this machine, or a Dask cluster (see :mod:`perfkit.batch.executors`).
EXECUTORS = ("local", "dask")

#: ``jobs="auto"`` runs at most this many notebooks at once. Each holds a Jupyter kernel and, as it
#: exports, a PDF layout (about half a gigabyte together for a long appendix), so a run does not
#: fill a shared many-core server by default; give ``--jobs N`` to use more.
AUTO_MAX_JOBS = 4


def usable_cpus() -> int:
    """The CPUs this process may run on (fewer than the machine's when a scheduler or ``taskset`` limits it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def check_jobs(jobs: object) -> int | str:
    """``jobs`` as given to :func:`perfkit.run`: a whole number of at least 1, or ``"auto"``.

    Raises
    ------
    PerfkitError
        For anything else, saying what to give.

    Examples
    --------
    >>> check_jobs(2), check_jobs("AUTO")
    (2, 'auto')
    >>> check_jobs(0)
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: jobs must be a whole number of at least 1, such as 2, or "auto"; 0 was given.
    """
    if isinstance(jobs, str) and jobs.strip().lower() == "auto":
        return "auto"
    if isinstance(jobs, int) and not isinstance(jobs, bool) and jobs >= 1:
        return jobs
    raise PerfkitError(f'jobs must be a whole number of at least 1, such as 2, or "auto"; {jobs!r} was given.')


@dataclass(frozen=True)
class Job:
    """One notebook to run for one quarter, with everything a worker needs (all picklable).

    Attributes
    ----------
    quarter
        The quarter.
    notebook
        The notebook's path.
    data_dir, out_dir
        The data folder and the output root.
    formats
        Appendix formats to export.
    key
        The cache key of the job's inputs (see :mod:`perfkit.batch.cache`).
    inputs
        The hashes the key was made from, for the manifest.
    timeout
        Seconds any one cell may run, or ``None``.
    sources
        The SHA-256 of each data file the job reads, by path in the data folder, as they were
        when the run was planned: the worker checks the files against them before and after
        the notebook runs, so what it publishes is what the key describes.
    parameters
        Further parameters for the notebook beyond ``quarter`` and ``data_dir``, as
        ``(name, value)`` pairs: an objective's update gets ``objective``.
    stem
        The name of the files it publishes, when not the notebook's (``objective-<slug>``).
    title
        The report's title in its masthead, when not the notebook's own.
    """

    quarter: Quarter
    notebook: Path
    data_dir: Path
    out_dir: Path
    formats: tuple[str, ...] = FORMATS
    key: str = ""
    inputs: dict = field(default_factory=dict, compare=False, hash=False)
    timeout: float | None = None
    sources: dict = field(default_factory=dict, compare=False, hash=False)
    parameters: tuple[tuple[str, str], ...] = ()
    stem: str = ""
    title: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.quarter, Quarter):  # any spelling; it is parsed once, here
            object.__setattr__(self, "quarter", parse_quarter(self.quarter))

    @property
    def name(self) -> str:
        """The stem of every file the job publishes: the notebook's name without ``.ipynb``, or ``stem``."""
        return self.stem or self.notebook.stem

    @property
    def kernel_group(self) -> tuple[str, str, str] | None:
        """The jobs that may run one after another in one kernel: one notebook's runs for one quarter
        with other parameters (a quarter's objective updates, DESIGN.md §6); ``None`` for any other job.

        Examples
        --------
        >>> nb = Path("objective_update.ipynb")
        >>> a = Job(pk.Quarter(2024, 2), nb, Path("data"), Path("out"), parameters=(("objective", "A"),))
        >>> b = Job(pk.Quarter(2024, 2), nb, Path("data"), Path("out"), parameters=(("objective", "B"),))
        >>> c = Job(pk.Quarter(2024, 3), nb, Path("data"), Path("out"), parameters=(("objective", "A"),))
        >>> a.kernel_group == b.kernel_group, a.kernel_group == c.kernel_group
        (True, False)
        >>> print(Job(pk.Quarter(2024, 2), Path("quarterly_performance.ipynb"), Path("data"), Path("out")).kernel_group)
        None
        """
        if not self.parameters:
            return None
        return (self.quarter.slug, str(self.notebook), str(self.data_dir))

    @property
    def label(self) -> str:
        """How progress lines name the job, e.g. ``2024/25 Q2 quarterly_performance``."""
        return f"{self.quarter.label} {self.name}"

    @property
    def folder(self) -> Path:
        """The quarter's output folder, ``<out>/<slug>``."""
        return self.out_dir / self.quarter.slug


@dataclass
class JobResult:
    """What one job produced, or why it failed (or that it was skipped, its outputs being fresh).

    A worker returns the result *built*: its files wait in ``staging`` (``outputs`` lists them
    there, ``failed_copy`` is the executed notebook of a failure). Publishing moves them into
    the quarter's folder and sets ``outputs`` to where they are published.

    Attributes
    ----------
    fatal
        The output folder cannot take files (full, read-only): the batch starts no more jobs.
    not_run
        Not started, because an earlier job found the output folder unusable.
    internal
        The failure is a fault in perfkit itself; ``traceback`` holds the details.
    summary
        What the manifest records of the report for the landing page (its counts).
    """

    job: Job
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    error: str = ""
    skipped: bool = False
    interrupted: bool = False
    staging: Path | None = None
    failed_copy: Path | None = None
    fatal: bool = False
    not_run: bool = False
    internal: bool = False
    traceback: str = ""
    summary: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class BatchSummary:
    """What a batch did: every job's :class:`~perfkit.batch.jobs.JobResult`, in plan order.

    ``ran``, ``skipped`` (outputs already fresh) and ``failed`` split the results; each
    result has its ``job`` (``job.label`` names the quarter and notebook), the ``outputs``
    it published and, for a failure, the ``error``.

    Examples
    --------
    >>> from pathlib import Path
    >>> from perfkit.batch.jobs import Job, JobResult
    >>> job = Job(pk.Quarter(2024, 2), Path("quarterly_performance.ipynb"), tiny_dir, Path("outputs"))
    >>> summary = pk.BatchSummary([JobResult(job, skipped=True)])
    >>> [r.job.label for r in summary.skipped], summary.ran, summary.failed
    (['2024/25 Q2 quarterly_performance'], [], [])
    >>> job.folder.as_posix()   # where its outputs are published
    'outputs/2024-25-Q2'
    """

    results: list[JobResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def internal(self) -> list[JobResult]:
        """Jobs that failed because of a fault in perfkit (``perfkit run`` exits 3)."""
        return [r for r in self.results if r.internal]

    @property
    def ran(self) -> list[JobResult]:
        return [r for r in self.results if not r.skipped and r.ok]

    @property
    def skipped(self) -> list[JobResult]:
        return [r for r in self.results if r.skipped]

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]


def check_output_names(notebooks: list[Path]) -> list[Path]:
    """The notebooks, each once, after checking that no two would publish files of the same name.

    A job's files are named after its notebook (``report.ipynb`` publishes ``report.html``), and
    its entry in the manifest too, so two notebooks with the same name, in any case (a file system
    may not tell ``Report`` from ``report``), would overwrite each other; so would a council's
    notebook named like one of perfkit's appendices.

    Raises
    ------
    UsageError
        Naming the notebooks that clash; nothing has been run.

    Examples
    --------
    >>> try:
    ...     check_output_names([Path("a/report.ipynb"), Path("b/Report.ipynb")])
    ... except UsageError as err:
    ...     print(err)  # doctest: +NORMALIZE_WHITESPACE
    Two notebooks would publish files with the same name (Report.ipynb, Report.html, ...):
    a/report.ipynb and b/Report.ipynb. Rename one of them; nothing was run.
    """
    unique = list(dict.fromkeys(notebooks))
    by_name: dict[str, Path] = {}
    for appendix in APPENDICES:
        by_name[appendix.name.casefold()] = appendix.path
    for nb in unique:
        other = by_name.get(nb.stem.casefold())
        if other is not None and other != nb:
            if appendix_for(other) is not None:
                raise UsageError(
                    f"The notebook {nb} has the name of perfkit's own appendix {other.name}: its files "
                    f"({nb.stem}.html, {nb.stem}.pdf, ...) would replace that appendix's in each quarter's "
                    "folder. Rename the notebook; nothing was run."
                )
            raise UsageError(
                f"Two notebooks would publish files with the same name ({nb.stem}.ipynb, {nb.stem}.html, ...): "
                f"{other} and {nb}. Rename one of them; nothing was run."
            )
        by_name[nb.stem.casefold()] = nb
    return unique


def plan_jobs(
    register: Register,
    quarters: list[Quarter],
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    notebooks: list[Path] | None = None,
    timeout: float | None = None,
    objectives: dict[Quarter, list[str]] | None = None,
) -> list[Job]:
    """The jobs for these quarters: a council's own notebooks, or each of perfkit's appendices that applies.

    With ``objectives`` (the objectives to report in each quarter, see
    :func:`perfkit.objective.resolve_objectives`), only those objectives' updates: one job each,
    publishing ``objective-<slug>.*``.

    Raises
    ------
    UsageError
        When two notebooks would publish files of the same name (see :func:`check_output_names`).
    """
    own = check_output_names(list(notebooks)) if notebooks else None
    with one_plan():  # the waves read, and the register's tables written out, once for every job
        return _plan(register, quarters, out_dir, formats, own, timeout, objectives)


def _plan(
    register: Register,
    quarters: list[Quarter],
    out_dir: Path,
    formats: tuple[str, ...],
    own: list[Path] | None,
    timeout: float | None,
    objectives: dict[Quarter, list[str]] | None,
) -> list[Job]:
    seen: dict[Path, str] = {}  # each data file hashed once per plan
    if objectives is not None:
        return _objective_jobs(register, objectives, out_dir, formats, timeout, seen)
    jobs = []
    for q in quarters:
        chosen = own if own else [a.path for a in APPENDICES if a.applies(register, q)]
        for nb in chosen:
            appendix = appendix_for(nb)
            kind = appendix.kind if appendix else "custom"
            key, inputs = job_key(register, q, nb, kind, formats, seen)
            sources = job_sources(register, q, kind, seen)
            jobs.append(Job(q, nb, register.data_dir, out_dir.resolve(), formats, key, inputs, timeout, sources))
    return jobs


def _objective_jobs(
    register: Register,
    objectives: dict[Quarter, list[str]],
    out_dir: Path,
    formats: tuple[str, ...],
    timeout: float | None,
    seen: dict[Path, str],
) -> list[Job]:
    from ..slugs import slug

    jobs = []
    nb = OBJECTIVE.path
    for q, names in objectives.items():
        sources = job_sources(register, q, OBJECTIVE.kind, seen)
        for name in names:
            key, inputs = job_key(register, q, nb, OBJECTIVE.kind, formats, seen, {"objective": name})
            jobs.append(
                Job(
                    q,
                    nb,
                    register.data_dir,
                    out_dir.resolve(),
                    formats,
                    key,
                    inputs,
                    timeout,
                    sources,
                    parameters=(("objective", name),),
                    stem=f"objective-{slug(name)}",
                    title=f"Council Plan objective: {name}",
                )
            )
    return jobs


def skipped(job: Job) -> JobResult:
    """The result of a job whose outputs are fresh."""
    return JobResult(job, skipped=True)
