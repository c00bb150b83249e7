"""Run the appendix notebooks for one or more quarters and publish their outputs.

A *job* is one notebook for one quarter. Each job executes its notebook with
papermill in a staging folder beside the output folder, exports HTML and PDF
there, writes its data files (``metric_status.csv``; ``survey_estimates.csv``
and ``survey_weighting.json``), and only then moves each file into
``outputs/<slug>/`` with an atomic rename. A job that fails publishes nothing,
keeps its executed notebook in ``outputs/<slug>/failed/`` and does not stop
the other jobs. ``manifest.json`` records every job of the quarter.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import nbformat

from . import __version__
from .assess import assess
from .errors import PerfkitError, RunError
from .outputs import metric_status_csv, sha256_file, survey_estimates_csv, write_json
from .periods import Quarter
from .publish import export_html, export_pdf
from .register import Register

__all__ = ["FORMATS", "Job", "JobResult", "plan_jobs", "run_job", "run_jobs", "project_notebook"]

FORMATS = ("html", "pdf")
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
PERFORMANCE = "quarterly_performance.ipynb"
SURVEY = "survey_demographics.ipynb"


def project_notebook(name: str) -> Path:
    """The path of one of perfkit's own notebooks."""
    path = NOTEBOOK_DIR / name
    if not path.exists():
        raise RunError(f"The notebook {path} is missing. Reinstall perfkit from its source folder (pip install -e .).")
    return path


@dataclass(frozen=True)
class Job:
    """One notebook to run for one quarter."""

    quarter: Quarter
    notebook: Path

    @property
    def name(self) -> str:
        return self.notebook.stem


@dataclass
class JobResult:
    """What one job produced, or why it failed."""

    job: Job
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _survey_inputs(register: Register, quarter: Quarter) -> list[Path]:
    """Files of the survey waves a quarter's survey appendix reads (current and previous wave)."""
    from .survey.config import find_waves, waves_for_quarter

    files = []
    for wave in waves_for_quarter(find_waves(register.data_dir), quarter):
        if wave is not None:
            files += sorted(p for p in wave.folder.iterdir() if p.is_file())
    return files


def plan_jobs(register: Register, quarters: list[Quarter], notebooks: list[Path] | None = None) -> list[Job]:
    """The jobs for these quarters: a council's own notebooks, or perfkit's (the survey one when a wave applies)."""
    jobs = []
    for q in quarters:
        if notebooks:
            jobs += [Job(q, nb) for nb in notebooks]
            continue
        jobs.append(Job(q, project_notebook(PERFORMANCE)))
        if _survey_inputs(register, q):
            jobs.append(Job(q, project_notebook(SURVEY)))
    return jobs


def _versions() -> dict[str, str]:
    names = ("papermill", "nbconvert", "nbformat", "pandas", "matplotlib", "weasyprint")
    return {"perfkit": __version__, "python": platform.python_version(), **{n: version(n) for n in names}}


def _kernel_manager_class(socket_dir: Path):
    """A kernel manager that talks to the kernel over Unix sockets in a private folder.

    Local IPC needs no TCP ports (so parallel jobs cannot race for one) and
    nothing is exposed on the network, which also silences ipykernel's warning
    about unencrypted TCP.
    """
    from jupyter_client.manager import AsyncKernelManager

    class LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(transport="ipc", ip=str(socket_dir / "kernel"), **kwargs)

    return LocalKernelManager


def _execute(notebook: Path, target: Path, quarter: Quarter, data_dir: Path) -> None:
    import papermill as pm  # imported here: its start-up cost is paid only when a notebook runs

    # Unix socket paths are limited to about 100 characters, so not inside a deep output folder.
    with tempfile.TemporaryDirectory(prefix="perfkit-") as sockets:
        try:
            pm.execute_notebook(
                str(notebook), str(target),
                parameters={"quarter": quarter.slug, "data_dir": str(data_dir)},
                kernel_name="python3", progress_bar=False, log_output=False,
                cwd=str(notebook.parent), kernel_manager_class=_kernel_manager_class(Path(sockets)),
            )
            return
        except pm.PapermillExecutionError as exc:
            error = exc
    source = (error.source or "").strip()
    first_line = source.splitlines()[0][:60] if source else ""
    raise RunError(
        f"The notebook {notebook.name} failed for {quarter.label} in cell [{error.exec_count}] "
        f"(which starts '{first_line}'): {error.ename}: {error.evalue}."
    ) from error


def _performance_files(register: Register, quarter: Quarter, staging: Path) -> list[Path]:
    path = staging / "metric_status.csv"
    path.write_text(metric_status_csv(assess(register, quarter)), encoding="utf-8")
    return [path]


def _survey_files(register: Register, quarter: Quarter, staging: Path) -> list[Path]:
    from .survey import survey_for_quarter
    from .survey.estimates import ESTIMATE_COLUMNS, EXTRA_COLUMNS

    analysis = survey_for_quarter(register.data_dir, quarter)
    if analysis is None:
        return []
    est = staging / "survey_estimates.csv"
    est.write_text(survey_estimates_csv(analysis.estimates, ESTIMATE_COLUMNS + EXTRA_COLUMNS), encoding="utf-8")
    weighting = staging / "survey_weighting.json"
    write_json(weighting, {**analysis.current.weighting.diagnostics(), "wave": analysis.current.wave.name})
    return [est, weighting]


#: Data files each of perfkit's notebooks publishes beside its appendix.
DATA_FILES: dict[str, Callable[[Register, Quarter, Path], list[Path]]] = {
    "quarterly_performance": _performance_files,
    "survey_demographics": _survey_files,
}


def _header(register: Register, nb: nbformat.NotebookNode, job: Job) -> dict:
    q = job.quarter
    own = nb.metadata.get("perfkit", {})
    return {
        **own,
        "council": register.council.name,
        "plan_title": register.council.plan_title,
        "report_title": own.get("title", job.name.replace("_", " ").capitalize()),
        "quarter": q.label,
        "period": f"{q.months}: the period ending {q.end.day} {q.end:%B %Y}",
        "produced": f"{dt.date.today().day} {dt.date.today():%B %Y}",
        "perfkit_version": __version__,
    }


def run_job(job: Job, register: Register, out_dir: Path, formats: tuple[str, ...] = FORMATS) -> JobResult:
    """Execute one job and publish its files atomically; a failure is returned, not raised.

    Parameters
    ----------
    job
        The notebook and quarter.
    register
        The validated register (its folder is passed to the notebook as ``data_dir``).
    out_dir
        The output root; files go to ``out_dir/<slug>/``.
    formats
        Any of ``html`` and ``pdf``.
    """
    started = time.perf_counter()
    quarter, stem = job.quarter, job.name
    final = out_dir / quarter.slug
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{quarter.slug}-{stem}-", dir=out_dir))
    timings: dict[str, float] = {}
    try:
        t = time.perf_counter()
        executed = staging / f"{stem}.ipynb"
        _execute(job.notebook, executed, quarter, register.data_dir)
        timings["execute"] = time.perf_counter() - t

        nb = nbformat.read(executed, as_version=4)
        nb.metadata["perfkit"] = _header(register, nb, job)
        nbformat.write(nb, executed)
        produced = [executed]
        if formats:
            t = time.perf_counter()
            html = export_html(nb)
            timings["html"] = time.perf_counter() - t
            if "html" in formats:
                (staging / f"{stem}.html").write_text(html, encoding="utf-8")
                produced.append(staging / f"{stem}.html")
            if "pdf" in formats:
                t = time.perf_counter()
                export_pdf(html, staging / f"{stem}.pdf")
                timings["pdf"] = time.perf_counter() - t
                produced.append(staging / f"{stem}.pdf")
        if stem in DATA_FILES and job.notebook.parent == NOTEBOOK_DIR:
            produced += DATA_FILES[stem](register, quarter, staging)

        final.mkdir(parents=True, exist_ok=True)
        published = []
        for path in produced:
            os.replace(path, final / path.name)
            published.append(final / path.name)
        timings["total"] = time.perf_counter() - started
        return JobResult(job, published, timings["total"], timings)
    except PerfkitError as exc:
        # Keep the executed notebook, error and all, for debugging; publish nothing else.
        kept = ""
        if (staging / f"{stem}.ipynb").exists():
            failed = final / "failed"
            failed.mkdir(parents=True, exist_ok=True)
            os.replace(staging / f"{stem}.ipynb", failed / f"{stem}.ipynb")
            kept = f" The executed notebook, with the error, is kept at {failed / f'{stem}.ipynb'}."
        return JobResult(job, [], time.perf_counter() - started, timings,
                         f"{exc}{kept} No appendix was published for this notebook.")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_manifest(register: Register, quarter: Quarter, results: list[JobResult], out_dir: Path) -> Path:
    """Record the quarter's inputs, jobs, outputs and versions in ``outputs/<slug>/manifest.json``.

    Jobs run before and not run again are kept from the earlier manifest.
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
        jobs[r.job.name] = {
            "notebook": {"path": str(r.job.notebook), "sha256": sha256_file(r.job.notebook)},
            "parameters": {"quarter": quarter.slug, "data_dir": str(register.data_dir)},
            "result": "success" if r.ok else "failed",
            "error": r.error,
            "outputs": {p.name: {"bytes": p.stat().st_size, "sha256": sha256_file(p)} for p in r.outputs},
            "timings_seconds": {k: round(v, 3) for k, v in r.timings.items()},
            "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
    inputs = list(register.files) + _survey_inputs(register, quarter)
    manifest = {
        "quarter": quarter.label,
        "slug": quarter.slug,
        "result": "success" if all(j["result"] == "success" for j in jobs.values()) else "failed",
        "produced_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "inputs": {
            "data_dir": str(register.data_dir),
            "files": {str(p.relative_to(register.data_dir)): sha256_file(p) for p in inputs},
        },
        "jobs": jobs,
        "outputs": {name: meta for j in jobs.values() for name, meta in j["outputs"].items()},
        "versions": _versions(),
        "timings_seconds": {"total": round(sum(j["timings_seconds"].get("total", 0) for j in jobs.values()), 3)},
    }
    tmp = folder / ".manifest.json.tmp"
    write_json(tmp, manifest)
    os.replace(tmp, path)
    return path


def run_jobs(register: Register, jobs: list[Job], out_dir: Path, formats: tuple[str, ...] = FORMATS,
             on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
    """Run jobs one after another, then write each quarter's manifest."""
    results = []
    for job in jobs:
        result = run_job(job, register, out_dir, formats)
        results.append(result)
        if on_done:
            on_done(result)
    for quarter in dict.fromkeys(r.job.quarter for r in results):
        write_manifest(register, quarter, [r for r in results if r.job.quarter == quarter], out_dir)
    return results
