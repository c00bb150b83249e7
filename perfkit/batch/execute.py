"""Execute one job: run its notebook with papermill in a staging folder, export it, publish atomically.

A job that fails publishes nothing, keeps its executed notebook in
``outputs/<slug>/failed/`` and returns its error rather than raising it, so
the other jobs of a batch go on. :func:`execute_job` is the unit of work that
executors (this process, a process pool, a Dask cluster) run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
import traceback
from pathlib import Path

from .. import __version__
from ..appendices import appendix_for
from ..data.register import Register, load_register
from ..errors import PerfkitError, RunError, RunInterrupted
from .jobs import Job, JobResult
from .kernel import KERNEL_NAME, KERNEL_SETUP, kernel_manager_class, log_tail

__all__ = ["STAGING_PREFIX", "data_stamp", "execute_job", "remember_register"]

STAGING_PREFIX = ".staging-"


def _execute(job: Job, target: Path) -> None:
    import papermill as pm  # imported here: its start-up cost is paid only when a notebook runs
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    # Unix socket paths are limited to about 100 characters, so not inside a deep output folder.
    with tempfile.TemporaryDirectory(prefix="perfkit-") as sockets:
        try:
            pm.execute_notebook(
                str(job.notebook),
                str(target),
                parameters={"quarter": job.quarter.slug, "data_dir": str(job.data_dir)},
                kernel_name=KERNEL_NAME,
                language="python",
                progress_bar=False,
                log_output=False,
                cwd=str(job.notebook.parent),
                kernel_manager_class=kernel_manager_class(Path(sockets)),
                execution_timeout=job.timeout,
                extra_arguments=[KERNEL_SETUP],
            )
            return
        except pm.PapermillExecutionError as exc:
            error = exc
        except CellTimeoutError as exc:
            # Without --timeout this is nbclient's own wait for a cell's output (a very large output, say).
            waited = f"ran for more than {job.timeout:g} seconds" if job.timeout else "took too long to send its output"
            raise RunError(
                f"The notebook {job.notebook.name} failed for {job.quarter.label}: a cell {waited} and was "
                f"stopped ({exc}).",
                notebook=job.notebook.name,
                quarter=job.quarter.label,
                ename="CellTimeoutError",
            ) from exc
        except DeadKernelError as exc:
            raise RunError(
                f"The notebook {job.notebook.name} failed for {job.quarter.label}: its Python kernel "
                f"stopped unexpectedly ({exc}). Kernel log: {log_tail(Path(sockets) / 'kernel.log')}",
                notebook=job.notebook.name,
                quarter=job.quarter.label,
                ename="DeadKernelError",
            ) from exc
    if error.ename == "KeyboardInterrupt":
        raise RunInterrupted(
            f"The notebook {job.notebook.name} was interrupted for {job.quarter.label}.",
            notebook=job.notebook.name,
            quarter=job.quarter.label,
            cell=error.exec_count,
            ename=error.ename,
        ) from error
    source = (error.source or "").strip()
    first_line = source.splitlines()[0][:60] if source else ""
    raise RunError(
        f"The notebook {job.notebook.name} failed for {job.quarter.label} in cell [{error.exec_count}] "
        f"(which starts '{first_line}'): {error.ename}: {error.evalue}.",
        notebook=job.notebook.name,
        quarter=job.quarter.label,
        cell=error.exec_count,
        ename=error.ename,
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


def _header(register: Register, nb, job: Job) -> dict:
    """The masthead of the published appendix, made here from the job's one Quarter."""
    q = job.quarter
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


def data_stamp(data_dir: Path) -> tuple:
    """The names, times and sizes of a data folder's files: what the cached register depends on."""
    return (
        str(data_dir),
        tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(data_dir.glob("*")) if p.is_file()),
    )


def remember_register(register: Register, stamp: tuple) -> None:
    """Keep a register the caller has loaded, so this process (and workers forked from it) need not load it again.

    ``stamp`` is :func:`data_stamp` taken *before* the register was loaded: if a file changed since,
    the stamps differ and the register is loaded afresh.
    """
    _REGISTERS.clear()
    _REGISTERS[stamp] = register


def _register(data_dir: Path) -> Register:
    """The register, loaded once per worker process for as long as its files are unchanged."""
    key = data_stamp(data_dir)
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

    from ..publish.export import export_html, export_pdf

    started = time.perf_counter()
    stem, final = job.name, job.folder
    job.out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-{job.quarter.slug}-{stem}-", dir=job.out_dir)
    )
    timings: dict[str, float] = {}
    try:
        register = _register(job.data_dir)
        t = time.perf_counter()
        executed = staging / f"{stem}.ipynb"
        _execute(job, executed)
        timings["execute"] = time.perf_counter() - t

        nb = nbformat.read(executed, as_version=4)
        nb.metadata["perfkit"] = _header(register, nb, job)
        _scrub(nb, f"{job.quarter.slug}/{executed.name}")
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
        appendix = appendix_for(job.notebook)
        if appendix is not None:
            produced += appendix.data_files(register, job.quarter, staging)

        final.mkdir(parents=True, exist_ok=True)
        published = []
        for path in produced:
            os.replace(path, final / path.name)
            published.append(final / path.name)
        timings["total"] = time.perf_counter() - started
        return JobResult(job, published, timings["total"], timings)
    except RunInterrupted as exc:
        return JobResult(
            job, [], time.perf_counter() - started, timings, f"{exc} Nothing was published.", interrupted=True
        )
    except Exception as exc:
        # Keep the executed notebook, error and all, for debugging; publish nothing else. Anything unexpected
        # (a library failing on a huge appendix, say) fails this job only: the batch's other jobs still run.
        kept = ""
        failed = final / "failed"
        if (staging / f"{stem}.ipynb").exists():
            failed.mkdir(parents=True, exist_ok=True)
            os.replace(staging / f"{stem}.ipynb", failed / f"{stem}.ipynb")
            kept = f" The executed notebook, with the error, is kept at {failed / f'{stem}.ipynb'}."
        if isinstance(exc, PerfkitError):
            message = str(exc)
        else:
            failed.mkdir(parents=True, exist_ok=True)
            log = failed / f"{stem}.traceback.txt"
            log.write_text(traceback.format_exc(), encoding="utf-8")
            message = (
                f"Making {stem} for {job.quarter.label} stopped with an unexpected error "
                f"({type(exc).__name__}: {str(exc)[:300]}); the details are in {log}."
            )
        return JobResult(
            job,
            [],
            time.perf_counter() - started,
            timings,
            f"{message}{kept} No appendix was published for this notebook.",
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
