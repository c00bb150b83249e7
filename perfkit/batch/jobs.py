"""Jobs: one notebook for one quarter, planned from the register and the appendices.

A :class:`Job` carries everything a worker needs and nothing it must compute
again; all of it pickles, so any executor (this process, a process pool, a
Dask cluster) can run it. The quarter travels as a :class:`~perfkit.periods.Quarter`
and becomes text only for papermill's parameters and the output paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..appendices import APPENDICES, appendix_for
from ..data.register import Register
from ..periods import Quarter, parse_quarter
from .cache import job_key

__all__ = ["FORMATS", "Job", "JobResult", "plan_jobs", "skipped"]

FORMATS = ("html", "pdf")


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
    """

    quarter: Quarter
    notebook: Path
    data_dir: Path
    out_dir: Path
    formats: tuple[str, ...] = FORMATS
    key: str = ""
    inputs: dict = field(default_factory=dict, compare=False, hash=False)
    timeout: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.quarter, Quarter):  # any spelling; it is parsed once, here
            object.__setattr__(self, "quarter", parse_quarter(self.quarter))

    @property
    def name(self) -> str:
        """The notebook's name without ``.ipynb``: the stem of every file the job publishes."""
        return self.notebook.stem

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
    """What one job produced, or why it failed (or that it was skipped, its outputs being fresh)."""

    job: Job
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    error: str = ""
    skipped: bool = False
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.error


def plan_jobs(
    register: Register,
    quarters: list[Quarter],
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    notebooks: list[Path] | None = None,
    timeout: float | None = None,
) -> list[Job]:
    """The jobs for these quarters: a council's own notebooks, or each of perfkit's appendices that applies."""
    jobs = []
    for q in quarters:
        if notebooks:
            chosen = list(notebooks)
        else:
            chosen = [a.path for a in APPENDICES if a.applies(register, q)]
        for nb in chosen:
            appendix = appendix_for(nb)
            key, inputs = job_key(register, q, nb, appendix.kind if appendix else "custom", formats)
            jobs.append(Job(q, nb, register.data_dir, out_dir.resolve(), formats, key, inputs, timeout))
    return jobs


def skipped(job: Job) -> JobResult:
    """The result of a job whose outputs are fresh."""
    return JobResult(job, skipped=True)
