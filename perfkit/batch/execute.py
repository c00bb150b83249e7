"""Build one job: run its notebook with papermill in a staging folder and export it; publishing comes after.

:func:`build_job` is the unit of work that executors (this process, a process pool, a Dask
cluster) run. It never publishes: its files wait in ``outputs/.staging-…`` until the process
that holds the output folder's lock publishes them (:mod:`perfkit.batch.publishing`), one job
at a time, so two jobs of one quarter never race to replace its folder.

Whatever goes wrong is returned, not raised, so the other jobs of a batch go on: a failing
notebook, a kernel that dies or does not start, a full disk, even a fault in perfkit (whose
traceback is kept beside the failed notebook). :func:`execute_job` builds and publishes, for a
caller that runs one job on its own.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..appendices import appendix_for
from ..data.register import Register, load_register
from ..errors import PerfkitError, RunError, RunInterrupted
from ..hashing import sha256_file
from ..periods import long_date
from .jobs import Job, JobResult
from .kernel import KERNEL_NAME, STOP, log_tail, prestart, release_kernel, take_kernel
from .swap import STAGING_PREFIX, make_staging

__all__ = [
    "IOPUB_WAIT",
    "KERNEL_START_WAIT",
    "STAGING_PREFIX",
    "Executed",
    "build_job",
    "data_stamp",
    "execute_job",
    "execute_notebook",
    "export_job",
    "remember_register",
]

#: Seconds to wait, after a cell has finished, for the last of its output to arrive. nbclient's
#: default is 4, and papermill fails the notebook when it runs out: a large table, or a busy
#: machine, can take longer. The kernel is watched meanwhile, so a kernel that dies is still
#: noticed within a second or so.
IOPUB_WAIT = 300

#: Seconds a kernel may take to start (papermill's default is 60; a loaded machine can be slower).
KERNEL_START_WAIT = 180

#: Errors of the system that mean the output folder cannot take files: the batch stops there.
_FOLDER_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)


class _Stopped(Exception):
    """Raised before a cell would start once Ctrl-C has been pressed."""


def _refuse_when_stopped(cell, cell_index) -> None:
    if STOP.is_set():
        raise _Stopped


def _interrupted(job: Job) -> RunInterrupted:
    return RunInterrupted(
        f"The notebook {job.notebook.name} was interrupted for {job.quarter.label}.",
        notebook=job.notebook.name,
        quarter=job.quarter.label,
        ename="KeyboardInterrupt",
    )


def _execute(job: Job, target: Path, share: bool = False) -> None:
    import papermill as pm  # imported here: its start-up cost is paid only when a notebook runs

    from .engine import register_engine

    if STOP.is_set():  # Ctrl-C before this job's kernel was taken: its kernel may already have been stopped
        raise _interrupted(job)
    kernel = take_kernel(job.notebook.parent, job.kernel_group if share else None)
    succeeded = False
    try:
        if kernel.error is not None:
            raise kernel.error
        pm.execute_notebook(
            str(job.notebook),
            str(target),
            parameters={"quarter": job.quarter.slug, "data_dir": str(job.data_dir), **dict(job.parameters)},
            kernel_name=KERNEL_NAME,
            engine_name=register_engine(),  # the executed notebook is written once, as it ends
            language="python",
            progress_bar=False,
            log_output=False,
            km=kernel.manager,  # launched in the notebook's folder, perhaps before this job started
            execution_timeout=job.timeout,
            start_timeout=KERNEL_START_WAIT,
            iopub_timeout=IOPUB_WAIT,
            on_cell_execute=_refuse_when_stopped,
        )
        succeeded = True
        return
    except _Stopped:
        raise _interrupted(job) from None
    except pm.PapermillExecutionError as exc:
        error = exc
    except Exception as exc:
        if STOP.is_set():  # Ctrl-C reached a kernel as it started, say: an interruption, not a failure
            raise _interrupted(job) from exc
        problem = _not_run(job, exc, kernel.socket_dir)
        if problem is exc:
            raise
        raise problem from exc
    finally:
        release_kernel(kernel, keep=succeeded)  # a failed job's kernel is never reused
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


def _not_run(job: Job, exc: Exception, sockets: Path) -> Exception:
    """What to report for a notebook that could not be run to its end: in words when the cause is known."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    def failure(message: str) -> RunError:
        return RunError(message, notebook=job.notebook.name, quarter=job.quarter.label, ename=type(exc).__name__)

    if isinstance(exc, CellTimeoutError):
        if "IOPub" in str(exc):
            what = (
                f"a cell finished, but its output had still not all arrived {IOPUB_WAIT} seconds later, "
                "so the appendix would have been incomplete"
            )
        else:
            what = f"a cell ran for more than {job.timeout:g} seconds and was stopped" if job.timeout else str(exc)
        return failure(f"The notebook {job.notebook.name} failed for {job.quarter.label}: {what} ({exc}).")
    if isinstance(exc, DeadKernelError):
        return failure(
            f"The notebook {job.notebook.name} failed for {job.quarter.label}: its Python kernel "
            f"stopped unexpectedly ({exc}). Kernel log: {log_tail(sockets / 'kernel.log')}"
        )
    if isinstance(exc, (RuntimeError, TimeoutError)):  # jupyter_client: the kernel did not start or answer
        return failure(
            f"The notebook {job.notebook.name} could not be run for {job.quarter.label}: its Python kernel "
            f"did not start or stopped answering ({exc}). If the machine is very busy, run again later. "
            f"Kernel log: {log_tail(sockets / 'kernel.log')}"
        )
    return exc


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
        "plan_title": register.council.plan_title_for(q),
        "report_title": job.title or own.get("title", job.name.replace("_", " ").capitalize()),
        "quarter": q.label,
        "period": f"{q.months}: the period ending {long_date(q.end)}",
        "produced": long_date(today),
        "perfkit_version": __version__,
    }


#: Registers this worker process has loaded, by the content hash of their files (a long-lived Dask
#: worker serves many runs: a file's name, size and modification time can all stay the same when its
#: content changes, after a copy that keeps times or on a coarse-grained network share).
_REGISTERS: dict[tuple[str, str], Register] = {}


def _changed_sources(job: Job) -> list[str]:
    """The job's data files whose content is no longer what it was when the run was planned."""
    changed = []
    for rel, digest in job.sources.items():
        path = job.data_dir / rel
        try:
            now = sha256_file(path)
        except OSError:
            now = ""
        if now != digest:
            changed.append(rel)
    return changed


def _check_sources(job: Job, when: str) -> None:
    changed = _changed_sources(job)
    if changed:
        raise RunError(
            f"The data changed {when}: {', '.join(changed)} in {job.data_dir} is not what it was when the "
            f"run was planned, so the {job.name} appendix for {job.quarter.label} could not be trusted and was "
            "not published. Run perfkit run again once the data is saved.",
            notebook=job.notebook.name,
            quarter=job.quarter.label,
        )


def data_stamp(data_dir: Path) -> tuple[str, str]:
    """The folder and a hash of the content of its files: what a cached register depends on.

    Content, not names, sizes and times: a long-lived worker serves many runs, and a copy that
    keeps times (or a coarse network share) can change a file's content and nothing else.
    """
    h = hashlib.sha256()
    for path in sorted(p for p in data_dir.glob("*") if p.is_file()):
        h.update(path.name.encode() + b"\0" + sha256_file(path).encode())
    return str(data_dir), h.hexdigest()


def remember_register(register: Register, stamp: tuple[str, str]) -> None:
    """Keep a register the caller has loaded, so this process (and workers forked from it) need not load it again.

    ``stamp`` is :func:`data_stamp` taken *before* the register was loaded: if a file changed since,
    the stamps differ and the register is loaded afresh.
    """
    _REGISTERS.clear()
    _REGISTERS[stamp] = register


def _register(job: Job) -> Register:
    """The register for a job, loaded once per worker process for each content of the data files."""
    _check_sources(job, "after the run started")
    key = data_stamp(job.data_dir)
    if key not in _REGISTERS:
        register = load_register(job.data_dir)
        _check_sources(job, "while it was being read")  # what was loaded is what the hashes describe
        _REGISTERS.clear()
        _REGISTERS[key] = register
    return _REGISTERS[key]


def _folder_error(job: Job, exc: OSError) -> str:
    where = exc.filename or job.out_dir
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"The disk is full (or your quota is used up): the {job.name} appendix for {job.quarter.label} "
            f"could not be written ({where}). Nothing was published for it and no earlier output was changed. "
            "Free some space and run again."
        )
    return (
        f"The output folder {job.out_dir} cannot be written ({exc.strerror}: {where}): the {job.name} appendix "
        f"for {job.quarter.label} was not published and no earlier output was changed. Choose a folder you "
        "can write to with --out."
    )


class _DataFiles:
    """A job's data files and landing-page summary, made in a thread while its notebook runs in the kernel.

    They come from the register, never from the notebook, so they need not wait for it: the
    process would otherwise sit idle waiting on the kernel, then write them after the PDF. What
    the thread raised is raised again by :meth:`result`, so a failure is the job's as before.
    """

    def __init__(self, job: Job, register: Register, staging: Path):
        self._job, self._register, self._staging = job, register, staging
        self._files: list[Path] = []
        self._summary: dict = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._make, name=f"perfkit-data-{job.name}", daemon=True)
        self._thread.start()

    def _make(self) -> None:
        appendix = appendix_for(self._job.notebook)
        if appendix is None:
            return
        try:
            self._files = appendix.data_files(self._register, self._job.quarter, self._staging)
            if appendix.summary is not None:
                self._summary = appendix.summary(self._register, self._job.quarter, dict(self._job.parameters))
        except BaseException as exc:  # handed to the job in result(), where it is reported as before
            self._error = exc

    def join(self) -> None:
        self._thread.join()

    def result(self) -> tuple[list[Path], dict]:
        """The files written and the summary, once the thread is done; what it raised, raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._files, self._summary


@dataclass
class Executed:
    """A job whose notebook has run, waiting to be exported (:func:`export_job`), perhaps in another thread."""

    job: Job
    staging: Path
    started: float
    timings: dict[str, float]
    register: Register
    data: _DataFiles | None = field(default=None, repr=False)


def build_job(job: Job, prestart_next: Path | None = None) -> JobResult:
    """Run one job's notebook, export it and write its data files in a staging folder; publish nothing.

    Failures are returned, not raised. This is what every executor runs, in this process or
    another one; it reads the data folder and writes into the output folder, so both must be
    reachable from wherever it runs, at the same paths.

    Parameters
    ----------
    job
        The job.
    prestart_next
        The folder of the notebook this process will probably run next: a kernel is launched there
        once this job's notebook has run, so that it starts while this job exports.

    Returns
    -------
    JobResult
        ``staging`` is the folder holding its files (``outputs``), or for a failure the executed
        notebook (``failed_copy``) and perhaps a traceback; the publisher removes it.
    """
    executed = execute_notebook(job)
    if prestart_next is not None:
        prestart(prestart_next)
    if isinstance(executed, JobResult):
        return executed
    return export_job(executed)


def execute_notebook(job: Job, share: bool = False) -> Executed | JobResult:
    """The first half of :func:`build_job`: run the notebook into a staging folder (or the failure, returned).

    With ``share``, the caller runs the next job here too: the kernel is kept, reset, for it
    when it is of the same :attr:`~perfkit.batch.jobs.Job.kernel_group` (see
    :func:`perfkit.batch.kernel.release_kernel`), and the caller shuts down a kernel still kept
    at the end (:func:`perfkit.batch.kernel.discard_spares`).
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    staging: Path | None = None

    def run() -> Executed:
        nonlocal staging
        job.out_dir.mkdir(parents=True, exist_ok=True)
        staging = make_staging(job.out_dir, f"{job.quarter.slug}-{job.name}")
        register = _register(job)
        t = time.perf_counter()
        data = _DataFiles(job, register, staging)
        try:
            _execute(job, staging / f"{job.name}.ipynb", share)
        finally:
            data.join()  # nothing may still be writing into a staging folder that a failure removes
        timings["execute"] = time.perf_counter() - t
        return Executed(job, staging, started, timings, register, data)

    return _guarded(job, run, lambda: staging, started, timings)


def export_job(executed: Executed) -> JobResult:
    """The second half of :func:`build_job`: the appendix's header, HTML, PDF and data files (or the failure)."""
    job, staging, started, timings = executed.job, executed.staging, executed.started, executed.timings
    stem = job.name

    def run() -> JobResult:
        import nbformat  # imported here: a run whose jobs are all fresh needs neither nbformat nor nbconvert

        from ..publish.export import export_html, export_pdf

        register = executed.register
        executed_path = staging / f"{stem}.ipynb"
        nb = nbformat.read(executed_path, as_version=4)
        nb.metadata["perfkit"] = _header(register, nb, job)
        _scrub(nb, f"{job.quarter.slug}/{executed_path.name}")
        nbformat.write(nb, executed_path)
        produced = [executed_path]
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
        summary: dict = {}
        if executed.data is not None:
            files, summary = executed.data.result()
            produced += files
        _check_sources(job, "while the notebook ran")
        timings["total"] = time.perf_counter() - started
        return JobResult(job, produced, timings["total"], timings, staging=staging, summary=summary)

    return _guarded(job, run, lambda: staging, started, timings)


def _guarded(job: Job, run, staging_of, started: float, timings: dict[str, float]):
    """``run()``, or the failure it raised as a result: what went wrong stays with this job."""

    def failed(message: str, **flags) -> JobResult:
        staging = staging_of()
        notebook = staging / f"{job.name}.ipynb" if staging else None
        kept = notebook if notebook is not None and notebook.is_file() else None
        return JobResult(
            job, [], time.perf_counter() - started, timings, message, staging=staging, failed_copy=kept, **flags
        )

    try:
        return run()
    except RunInterrupted as exc:
        result = failed(f"{exc} Nothing was published.", interrupted=True)
        result.failed_copy = None  # an interruption is no fault of the notebook: no copy in failed/
        return result
    except PerfkitError as exc:
        return failed(f"{exc} No appendix was published for this notebook.")
    except OSError as exc:
        if _cannot_write(exc, job.out_dir):
            return failed(_folder_error(job, exc), fatal=True)
        return _internal(failed, exc)
    except Exception as exc:  # a fault in perfkit: the batch goes on, and the run ends with exit code 3
        return _internal(failed, exc)


def _cannot_write(exc: OSError, out_dir: Path) -> bool:
    """Whether an error of the system means files cannot be written: a full disk anywhere, or an output
    folder that refuses them."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    name = str(exc.filename or "")
    return exc.errno in _FOLDER_ERRNOS and (not name or name.startswith(str(out_dir)))


def _internal(failed, exc: BaseException) -> JobResult:
    result = failed("")
    job = result.job
    result.internal = True
    result.traceback = "".join(traceback.format_exception(exc))
    trace = job.folder / "failed" / f"{job.name}.traceback.txt"  # where publishing puts it
    result.error = (
        f"Making {job.name} for {job.quarter.label} stopped with an unexpected error "
        f"({type(exc).__name__}: {str(exc)[:300]}); the details are in {trace}. This is a fault in perfkit, not "
        "in your data as far as it can tell. No appendix was published for this notebook."
    )
    return result


def execute_job(job: Job) -> JobResult:
    """Build one job and publish its files atomically, with its manifest entry. Failures are returned, not raised.

    For a caller that runs one job on its own; a batch builds in workers and publishes here
    (see :func:`perfkit.batch.executors.run_batch`), holding the output folder's lock.
    """
    from .publishing import publish

    return publish(build_job(job))
