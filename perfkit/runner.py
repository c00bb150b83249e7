"""Run the appendix notebooks for one or more quarters and publish their outputs.

A *job* is one notebook for one quarter. Each job executes its notebook with
papermill in a staging folder beside the output folder, exports HTML and PDF
there, writes its data files (``metric_status.csv``; ``survey_estimates.csv``
and ``survey_weighting.json``), and only then moves each file into
``outputs/<slug>/`` with an atomic rename. A job that fails publishes nothing,
keeps its executed notebook in ``outputs/<slug>/failed/`` and does not stop
the other jobs. ``manifest.json`` records every job of the quarter with the
cache key of its inputs, so an unchanged job is skipped next time.

:func:`execute_job` is the unit of work that executors (this process, a
process pool, a Dask cluster) run; it takes and returns plain picklable data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from . import __version__
from .assess import assess
from .cache import job_key, survey_files
from .errors import PerfkitError, RunError, RunInterrupted
from .outputs import metric_status_csv, sha256_file, survey_estimates_csv, write_json
from .periods import Quarter, parse_quarter
from .register import Register, load_register

__all__ = ["FORMATS", "Job", "JobResult", "plan_jobs", "execute_job", "write_manifest", "project_notebook",
           "clean_stale_staging"]

FORMATS = ("html", "pdf")
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
PERFORMANCE = "quarterly_performance.ipynb"
SURVEY = "survey_demographics.ipynb"
STAGING_PREFIX = ".staging-"


def project_notebook(name: str) -> Path:
    """The path of one of perfkit's own notebooks."""
    path = NOTEBOOK_DIR / name
    if not path.exists():
        raise RunError(f"The notebook {path} is missing. Reinstall perfkit from its source folder (pip install -e .).")
    return path


@dataclass(frozen=True)
class Job:
    """One notebook to run for one quarter, with everything a worker needs (all picklable).

    Attributes
    ----------
    quarter
        The quarter's slug.
    notebook
        The notebook's path.
    data_dir, out_dir
        The data folder and the output root.
    formats
        Appendix formats to export.
    key
        The cache key of the job's inputs (see :mod:`perfkit.cache`).
    inputs
        The hashes the key was made from, for the manifest.
    timeout
        Seconds any one cell may run, or ``None``.
    """

    quarter: str
    notebook: Path
    data_dir: Path
    out_dir: Path
    formats: tuple[str, ...] = FORMATS
    key: str = ""
    inputs: dict = field(default_factory=dict, compare=False, hash=False)
    timeout: float | None = None

    @property
    def name(self) -> str:
        return self.notebook.stem

    @property
    def label(self) -> str:
        return f"{parse_quarter(self.quarter).label} {self.name}"


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


def _kind(notebook: Path) -> str:
    if notebook.parent == NOTEBOOK_DIR and notebook.name == PERFORMANCE:
        return "performance"
    if notebook.parent == NOTEBOOK_DIR and notebook.name == SURVEY:
        return "survey"
    return "custom"


def plan_jobs(register: Register, quarters: list[Quarter], out_dir: Path, formats: tuple[str, ...] = FORMATS,
              notebooks: list[Path] | None = None, timeout: float | None = None) -> list[Job]:
    """The jobs for these quarters: a council's own notebooks, or perfkit's (the survey one when a wave applies)."""
    jobs = []
    for q in quarters:
        if notebooks:
            chosen = list(notebooks)
        else:
            chosen = [project_notebook(PERFORMANCE)]
            if survey_files(register, q):
                chosen.append(project_notebook(SURVEY))
        for nb in chosen:
            key, inputs = job_key(register, q, nb, _kind(nb), formats)
            jobs.append(Job(q.slug, nb, register.data_dir, out_dir.resolve(), formats, key, inputs, timeout))
    return jobs


def is_fresh(job: Job) -> bool:
    """Whether the job's outputs exist, are intact, and were made from the same inputs."""
    manifest = job.out_dir / job.quarter / "manifest.json"
    try:
        entry = json.loads(manifest.read_text(encoding="utf-8"))["jobs"][job.name]
    except (OSError, KeyError, json.JSONDecodeError):
        return False
    if entry.get("result") != "success" or entry.get("key") != job.key or not entry.get("outputs"):
        return False
    folder = job.out_dir / job.quarter
    for name, meta in entry["outputs"].items():
        path = folder / name
        if not path.exists() or path.stat().st_size != meta["bytes"] or sha256_file(path) != meta["sha256"]:
            return False
    return True


def _versions() -> dict[str, str]:
    names = ("papermill", "nbconvert", "nbformat", "pandas", "matplotlib", "weasyprint")
    return {"perfkit": __version__, "python": platform.python_version(), **{n: version(n) for n in names}}


#: Run in every kernel perfkit starts: a council's own figures and tables get alt text and captions.
KERNEL_SETUP = "--IPKernelApp.exec_lines=import perfkit.display; perfkit.display.install()"


def _kernel_manager_class(socket_dir: Path):
    """A kernel manager that talks to the kernel over Unix sockets in a private folder.

    Local IPC needs no TCP ports (so parallel jobs cannot race for one) and
    nothing is exposed on the network, which also silences ipykernel's warning
    about unencrypted TCP. The kernel's own log (not the notebook's output,
    which travels over the sockets) goes to ``kernel.log`` there, rather than
    to the user's terminal.
    """
    from jupyter_client.manager import AsyncKernelManager

    class LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(transport="ipc", ip=str(socket_dir / "kernel"), **kwargs)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw.setdefault("stderr", open(socket_dir / "kernel.log", "ab"))  # noqa: SIM115 - owned by the kernel
            await super()._async_launch_kernel(kernel_cmd, **kw)
            pid = getattr(self.provisioner, "pid", None)
            if pid:
                RUNNING_KERNELS.add(pid)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            RUNNING_KERNELS.discard(getattr(self.provisioner, "pid", None))
            await super()._async_cleanup_resources(restart=restart)

    return LocalKernelManager


#: Process ids of the kernels this process has started and not yet shut down.
RUNNING_KERNELS: set[int] = set()


def interrupt_running_kernels() -> None:
    """Send Ctrl-C to the kernels this process started.

    jupyter_client starts each kernel in a session of its own, so a Ctrl-C typed
    in the terminal does not reach it; perfkit passes it on, and the cell under
    way stops as it would in JupyterLab.
    """
    for pid in list(RUNNING_KERNELS):
        try:
            os.kill(pid, signal.SIGINT)
        except ProcessLookupError:
            RUNNING_KERNELS.discard(pid)


def _log_tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def _execute(job: Job, target: Path) -> None:
    import papermill as pm  # imported here: its start-up cost is paid only when a notebook runs
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    q = parse_quarter(job.quarter)
    # Unix socket paths are limited to about 100 characters, so not inside a deep output folder.
    with tempfile.TemporaryDirectory(prefix="perfkit-") as sockets:
        try:
            pm.execute_notebook(
                str(job.notebook), str(target),
                parameters={"quarter": job.quarter, "data_dir": str(job.data_dir)},
                kernel_name="python3", progress_bar=False, log_output=False,
                cwd=str(job.notebook.parent), kernel_manager_class=_kernel_manager_class(Path(sockets)),
                execution_timeout=job.timeout, extra_arguments=[KERNEL_SETUP],
            )
            return
        except pm.PapermillExecutionError as exc:
            error = exc
        except CellTimeoutError as exc:
            raise RunError(f"The notebook {job.notebook.name} failed for {q.label}: a cell ran for more than "
                           f"{job.timeout:g} seconds and was stopped ({exc}).") from exc
        except DeadKernelError as exc:
            raise RunError(f"The notebook {job.notebook.name} failed for {q.label}: its Python kernel stopped "
                           f"unexpectedly ({exc}). Kernel log: {_log_tail(Path(sockets) / 'kernel.log')}") from exc
    if error.ename == "KeyboardInterrupt":
        raise RunInterrupted(f"The notebook {job.notebook.name} was interrupted for {q.label}.") from error
    source = (error.source or "").strip()
    first_line = source.splitlines()[0][:60] if source else ""
    raise RunError(
        f"The notebook {job.notebook.name} failed for {q.label} in cell [{error.exec_count}] "
        f"(which starts '{first_line}'): {error.ename}: {error.evalue}."
    ) from error


#: Keys papermill and nbclient write that change from run to run. Removing them makes the
#: executed notebook depend only on its inputs, so parallel and serial runs are byte-identical.
_VOLATILE_NOTEBOOK_KEYS = ("start_time", "end_time", "duration", "output_path")


def _scrub(nb, relative_path: str) -> None:
    pm_meta = nb.metadata.get("papermill", {})
    for key in _VOLATILE_NOTEBOOK_KEYS:
        pm_meta.pop(key, None)
    pm_meta["output_path"] = relative_path  # relative to the output root, wherever that is
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)


def _write_performance_outputs(register: Register, quarter: Quarter, staging: Path) -> list[Path]:
    path = staging / "metric_status.csv"
    path.write_text(metric_status_csv(assess(register, quarter)), encoding="utf-8")
    return [path]


def _write_survey_outputs(register: Register, quarter: Quarter, staging: Path) -> list[Path]:
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
DATA_OUTPUTS: dict[str, Callable[[Register, Quarter, Path], list[Path]]] = {
    "performance": _write_performance_outputs,
    "survey": _write_survey_outputs,
}


def _header(register: Register, nb, job: Job) -> dict:
    q = parse_quarter(job.quarter)
    own = nb.metadata.get("perfkit", {})
    today = dt.date.today()
    return {
        **own,
        "council": register.council.name,
        "plan_title": register.council.plan_title,
        "report_title": own.get("title", job.name.replace("_", " ").capitalize()),
        "quarter": q.label,
        "period": f"{q.months}: the period ending {q.end.day} {q.end:%B %Y}",
        "produced": f"{today.day} {today:%B %Y}",
        "perfkit_version": __version__,
    }


_REGISTERS: dict[tuple, Register] = {}


def _register(data_dir: Path) -> Register:
    """The register, loaded once per worker process for as long as its files are unchanged."""
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(data_dir.glob("*")) if p.is_file())
    key = (str(data_dir), stamp)
    if key not in _REGISTERS:
        _REGISTERS.clear()
        _REGISTERS[key] = load_register(data_dir)
    return _REGISTERS[key]


def execute_job(job: Job) -> JobResult:
    """Run one job and publish its files atomically. Failures are returned, not raised.

    This is what every executor runs, in this process or another one; it reads
    the data folder and writes the output folder, so both must be reachable
    from wherever it runs.
    """
    import nbformat  # imported here: a run whose jobs are all fresh needs neither nbformat nor nbconvert

    from .publish import export_html, export_pdf

    started = time.perf_counter()
    quarter, stem = parse_quarter(job.quarter), job.name
    final = job.out_dir / job.quarter
    job.out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-{job.quarter}-{stem}-", dir=job.out_dir))
    timings: dict[str, float] = {}
    try:
        register = _register(job.data_dir)
        t = time.perf_counter()
        executed = staging / f"{stem}.ipynb"
        _execute(job, executed)
        timings["execute"] = time.perf_counter() - t

        nb = nbformat.read(executed, as_version=4)
        nb.metadata["perfkit"] = _header(register, nb, job)
        _scrub(nb, f"{job.quarter}/{executed.name}")
        nbformat.write(nb, executed)
        produced = [executed]
        if job.formats:
            t = time.perf_counter()
            html = export_html(nb)
            timings["html"] = time.perf_counter() - t
            if "html" in job.formats:
                (staging / f"{stem}.html").write_text(html, encoding="utf-8")
                produced.append(staging / f"{stem}.html")
            if "pdf" in job.formats:
                t = time.perf_counter()
                export_pdf(html, staging / f"{stem}.pdf")
                timings["pdf"] = time.perf_counter() - t
                produced.append(staging / f"{stem}.pdf")
        kind = _kind(job.notebook)
        if kind in DATA_OUTPUTS:
            produced += DATA_OUTPUTS[kind](register, quarter, staging)

        final.mkdir(parents=True, exist_ok=True)
        published = []
        for path in produced:
            os.replace(path, final / path.name)
            published.append(final / path.name)
        timings["total"] = time.perf_counter() - started
        return JobResult(job, published, timings["total"], timings)
    except RunInterrupted as exc:
        return JobResult(job, [], time.perf_counter() - started, timings, f"{exc} Nothing was published.",
                         interrupted=True)
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


def skipped(job: Job) -> JobResult:
    """The result of a job whose outputs are fresh."""
    return JobResult(job, skipped=True)


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
            "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
    inputs = list(register.files) + survey_files(register, quarter)
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


def clean_stale_staging(out_dir: Path) -> list[Path]:
    """Remove staging folders left by runs that were killed (their process is gone)."""
    removed = []
    if not out_dir.is_dir():
        return removed
    for path in out_dir.glob(f"{STAGING_PREFIX}*"):
        try:
            pid = int(path.name[len(STAGING_PREFIX):].split("-", 1)[0])
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
