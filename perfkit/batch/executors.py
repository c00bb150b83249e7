"""Run many jobs: skip the fresh ones, run the rest here, in parallel processes, or on a Dask cluster.

Every executor runs the same picklable :func:`perfkit.batch.execute.build_job` (a run in
this process its two halves, exporting one job while the next notebook runs; a pool worker
both, its exporters warmed while its first notebook runs), so outputs are identical whichever
runs them. This process, holding the output folder's
lock, publishes each job as its result arrives (:mod:`perfkit.batch.publishing`), so a
run that is killed keeps every job published before the kill, manifest included.
Results are returned in plan order whatever order they finish in.

:func:`perfkit.run` (``pk.run``) validates the data and chooses the quarters before it
calls :func:`run_batch`; :class:`BatchSummary` is what both return.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.util
import os
import queue
import signal
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from ..appendices import NOTEBOOK_DIR
from ..errors import PerfkitError
from ..periods import Quarter
from .execute import Executed, build_job, execute_notebook, export_job
from .jobs import (
    AUTO_MAX_JOBS,
    EXECUTORS,
    FORMATS,
    BatchSummary,
    Job,
    JobResult,
    check_jobs,
    plan_jobs,
    skipped,
    usable_cpus,
)
from .kernel import STOP, discard_spares, expect, interrupt_running_kernels, kill_running_kernels, prestart
from .lock import output_lock
from .manifest import QuarterManifest, read_manifest, staleness
from .publishing import publish
from .swap import current_folder, recover

if TYPE_CHECKING:
    from ..data.register import Register

# BatchSummary, EXECUTORS and the --jobs helpers live in perfkit.batch.jobs, which an unchanged rerun can
# import without this module's process pools and notebook tools; they stay importable from here.
__all__ = ["AUTO_MAX_JOBS", "EXECUTORS", "BatchSummary", "check_jobs", "run_batch", "start_early", "usable_cpus"]


def _workers(jobs: int | str, units: int) -> int:
    """How many notebooks run at once: ``jobs``, or for ``"auto"`` one per usable CPU, at most
    :data:`AUTO_MAX_JOBS` and never more than there are units of work to share out."""
    if jobs == "auto":
        return max(1, min(usable_cpus(), AUTO_MAX_JOBS, units))
    assert isinstance(jobs, int)
    return jobs


def _units(jobs: list[Job]) -> list[list[Job]]:
    """The jobs as they are shared out: a kernel group's jobs together, in plan order; any other job alone.

    A quarter's objective updates run one after the other in one kernel (DESIGN.md §6), so they
    go to one process together rather than each starting a kernel of its own.
    """
    units: list[list[Job]] = []
    groups: dict[tuple, list[Job]] = {}
    for job in jobs:
        group = job.kernel_group
        if group is None:
            units.append([job])
        elif group in groups:
            groups[group].append(job)
        else:
            groups[group] = [job]
            units.append(groups[group])
    return units


def start_early(
    out_dir: Path, data_dir: Path, notebooks: list[Path] | None, *, force: bool, jobs: int | str, single: bool = False
) -> None:
    """Launch the first notebook's kernel while the data is validated, when a notebook will probably run here.

    Only for a run in this process, where that kernel will be used: ``jobs`` 1, or ``"auto"`` on one
    CPU or for work that is ``single`` (one quarter's objective updates share one kernel). Whether
    anything will run is known only once the data is read; this guess (``force``, a folder with no
    manifest yet, or data saved since the oldest manifest) costs nothing when wrong but a kernel
    shut down unused at the end of the run (:func:`perfkit.batch.kernel.discard_spares`).
    """
    if jobs != 1 and not (jobs == "auto" and (single or usable_cpus() == 1)):
        return
    folder = notebooks[0].parent if notebooks else NOTEBOOK_DIR
    if force or _probably_stale(out_dir, data_dir):
        prestart(folder)


def _probably_stale(out_dir: Path, data_dir: Path) -> bool:
    try:
        manifests = [p.stat().st_mtime for p in out_dir.glob("*/manifest.json")]
        if not manifests:
            return True
        oldest = min(manifests)
        return any(p.stat().st_mtime > oldest for p in data_dir.rglob("*") if p.is_file())
    except OSError:
        return False


def _warm_up() -> None:
    """Import the exporters and lay out a one-line PDF, so the first appendix's export does not pay for it."""
    import nbformat  # noqa: F401

    from ..publish.export import warm_up

    warm_up()


def _import_for_notebooks() -> None:
    """Import, in this thread, what running a notebook needs, before another thread starts loading the exporters.

    Two threads importing the same packages at once can meet one of them half made: CPython breaks
    the import cycle within jupyter_client by handing one thread the module before it is complete,
    and that job failed with "cannot import name 'AsyncKernelManager' from partially initialized
    module 'jupyter_client.manager'". The notebook's side is needed first anyway.
    """
    import jupyter_client.manager  # noqa: F401
    import papermill  # noqa: F401


class _Exporter:
    """One thread that exports executed notebooks in the order given, while the next notebook runs.

    The notebook runs in its kernel, another process, so exporting here meanwhile uses the second
    CPU rather than waiting. The thread is a daemon: a second Ctrl-C leaves at once, as before.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread, which prepares the exporters while the first notebook runs."""
        if self._thread is None:
            _import_for_notebooks()
            self._thread = threading.Thread(target=self._work, name="perfkit-export", daemon=True)
            self._thread.start()

    def submit(self, executed: Executed) -> Future:
        future: Future = Future()
        self.start()
        self._queue.put((executed, future))
        return future

    def _work(self) -> None:
        try:
            _warm_up()
        except Exception:  # the first export then pays for it, and reports any real problem
            pass
        while (item := self._queue.get()) is not None:
            executed, future = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(export_job(executed))
                except BaseException as exc:  # export_job returns its failures; this is a fault beyond it
                    future.set_exception(exc)

    def close(self) -> None:
        """Finish the exports under way and end the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None


def _serial(jobs: list[Job]) -> Iterator[JobResult]:
    """One notebook runs at a time; the next one's kernel starts, and the one before exports, while it runs.

    A quarter's objective updates run one after the other in one kernel (see
    :func:`perfkit.batch.kernel.release_kernel`). Results come out in plan order.
    """
    exporter = _Exporter()
    exports: deque[tuple[Job, Future]] = deque()

    def finished(block: bool) -> Iterator[JobResult]:
        while exports and (block or exports[0][1].done()):
            job, future = exports.popleft()
            yield _result(future, job)

    expect([(job.notebook.parent, job.kernel_group) for job in jobs])
    if jobs and jobs[0].formats:
        exporter.start()
    try:
        for job in jobs:
            executed = execute_notebook(job, share=True)
            if isinstance(executed, JobResult):
                yield from finished(block=True)  # the jobs before it are published first, as before
                yield executed
                continue
            exports.append((job, exporter.submit(executed)))
            yield from finished(block=False)
        yield from finished(block=True)
    finally:
        exporter.close()
        discard_spares()


#: Imported once by the forkserver, so each worker starts with them already loaded.
_PRELOAD = ["perfkit.batch.execute", "perfkit.publish.export", "nbconvert", "weasyprint", "papermill"]


def _expected_seconds(job: Job) -> float:
    """How long a job took last time (from its quarter's manifest), or a guess by kind."""
    manifest = job.folder / "manifest.json"
    try:
        return float(json.loads(manifest.read_text(encoding="utf-8"))["jobs"][job.name]["timings_seconds"]["total"])
    except (OSError, KeyError, ValueError, TypeError, RecursionError):  # a damaged manifest, whose jobs run again
        return 5.0 if job.name == "survey_demographics" else 4.0


def _worker_interrupt(signum, frame) -> None:
    interrupt_running_kernels()


#: A pool worker's warm-up of the exporters, started as the worker starts (see :func:`_init_worker`).
_WARMING: list[threading.Thread] = []


def _warm_up_quietly() -> None:
    try:
        _warm_up()
    except Exception:  # the first export then pays for it, and reports any real problem
        pass


def _end_with_parent() -> None:
    """Wait for the run's own process to end; if the worker is still there, kill its kernels and end too.

    A run killed outright (SIGKILL, the out-of-memory killer) cannot shut its pool down: its
    workers would wait for work for ever, each with a kernel, holding the terminal's output open.
    An orderly end shuts the pool down first, so this never fires then.
    """
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    multiprocessing.connection.wait([parent.sentinel])
    kill_running_kernels()
    os._exit(1)


def _init_worker(warm: bool = False) -> None:
    threading.Thread(target=_end_with_parent, name="perfkit-end-with-parent", daemon=True).start()
    # Ctrl-C reaches the workers with the parent; each passes it on to its kernel, whose cell
    # stops, so the job returns "interrupted" rather than the worker dying with its kernel orphaned.
    signal.signal(signal.SIGINT, _worker_interrupt)
    # a kernel launched ahead that no job took is shut down as the worker ends
    multiprocessing.util.Finalize(None, discard_spares, exitpriority=10)
    if warm:
        # A worker waits while its first notebook runs in the kernel: it imports the exporters and lays
        # out a one-line PDF meanwhile, as a run in one process does, rather than at its first export.
        _import_for_notebooks()
        thread = threading.Thread(target=_warm_up_quietly, name="perfkit-warm-up", daemon=True)
        thread.start()
        _WARMING[:] = [thread]


def _await_warm_up() -> None:
    """Wait for the worker's warm-up to finish: two threads never lay out PDFs at once."""
    while _WARMING:
        _WARMING.pop().join()


def _pool_unit(unit: list[Job], prestart_next: Path | None) -> list[JobResult]:
    """A unit of :func:`_units` in a pool worker: one job, or a kernel group's jobs in one kernel as a run here does."""
    if len(unit) == 1:
        return [_pool_job(unit[0], prestart_next)]
    _await_warm_up()  # before the group's own export thread starts
    return list(_serial(unit))


def _pool_job(job: Job, prestart_next: Path | None) -> JobResult:
    """:func:`~perfkit.batch.execute.build_job` in a pool worker: its export waits for the worker's warm-up.

    The warm-up has usually finished while the notebook ran; two threads never lay out PDFs at once.
    """
    executed = execute_notebook(job)
    if prestart_next is not None:
        prestart(prestart_next)  # the next job's kernel starts while this one exports
    if isinstance(executed, JobResult):
        return executed
    _await_warm_up()
    return export_job(executed)


def _with_next(units: list[list[Job]], workers: int) -> list[tuple[list[Job], Path | None]]:
    """Each unit with the folder of the job its worker will probably run next, for a kernel launched ahead.

    Workers take units in order, so the unit ``workers`` places later is about the one this worker
    takes after; the last ``workers`` units have none, so no kernel is left waiting at the end.
    """
    return [
        (unit, units[i + workers][0].notebook.parent if i + workers < len(units) else None)
        for i, unit in enumerate(units)
    ]


def _context():
    """How to start workers: fork a single-threaded parent (instant, nothing to import again);
    otherwise a forkserver with perfkit, nbconvert and WeasyPrint preloaded (a parent with threads
    must not be forked)."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _result(future, job: Job) -> JobResult:
    """A finished job's result; a worker that died running it (out of memory, say) fails that job only."""
    try:
        return future.result()
    except Exception as exc:  # execute_job returns its own failures: this is the worker process itself
        return JobResult(
            job,
            error=f"The process making {job.name} for {job.quarter.label} stopped before it finished "
            f"({type(exc).__name__}: {exc}); it may have run out of memory. No appendix was published for "
            "this notebook.",
        )


def _unit_results(future, unit: list[Job]) -> list[JobResult]:
    """A finished unit's results; a worker that died running it fails each of its jobs."""
    try:
        return future.result()
    except Exception:
        return [_result(future, job) for job in unit]


def _processes(units: list[list[Job]], workers: int) -> Iterator[JobResult]:
    context = _context()
    warm = any(job.formats for unit in units for job in unit)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(warm,))
    try:
        # Longest first packs the workers best; results are put back in plan order by the caller.
        ordered = sorted(units, key=lambda unit: sum(_expected_seconds(job) for job in unit), reverse=True)
        futures = {pool.submit(_pool_unit, unit, after): unit for unit, after in _with_next(ordered, workers)}
        for future in as_completed(futures):
            yield from _unit_results(future, futures[future])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(jobs: list[Job], workers: int, scheduler: str | None) -> Iterator[JobResult]:
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as exc:  # an optional extra
        raise PerfkitError("Running on Dask needs the dask extra: pip install -e '.[dask]'.") from exc
    cluster = None
    stack = ExitStack()
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise PerfkitError(
                f"Cannot reach the Dask scheduler at {scheduler} ({exc}). Start it with "
                "`dask scheduler` and check the address."
            ) from exc
    else:
        # workers keep their scratch space in a folder of this run's own: in the shared default
        # (/tmp/dask-scratch-space) a worker starting for one user's run can purge another's
        scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="perfkit-dask-"))
        try:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                local_directory=scratch,
            )
        except Exception as exc:
            stack.close()
            raise PerfkitError(
                f"A Dask cluster could not be started on this machine ({type(exc).__name__}: {exc}). Nothing was "
                "run. Run without --executor dask, or start one yourself and give its address with --scheduler."
            ) from exc
        client = Client(cluster)
    try:
        # pure=False: a task is never taken from an earlier run's results on a long-lived cluster
        # a local cluster's workers launch the next job's kernel ahead; a long-lived one's do not, since
        # this run cannot tell how many workers it has, and a kernel left waiting would outlive the run
        singles = [[job] for job in jobs]
        hints = _with_next(singles, workers) if cluster is not None else [(unit, None) for unit in singles]
        futures = {client.submit(build_job, unit[0], after, pure=False): unit[0] for unit, after in hints}
        for future in dask_completed(list(futures)):
            yield _result(future, futures[future])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        stack.close()


def _orphans(register: Register, quarter: Quarter, manifest: QuarterManifest, planned: list[Job]) -> list[str]:
    """Notes on perfkit appendices published for a quarter earlier that no longer apply to it."""
    from .freshness import in_force, orphan_reason

    names = {j.name for j in planned if j.quarter == quarter}
    objectives = in_force(register)
    notes = []
    for name, entry in manifest.jobs.items():
        reason = orphan_reason(entry, register.data_dir, objectives) if name not in names else ""
        if reason:
            notes.append(
                f"{quarter.label}: the {name} appendix published earlier is now stale: {reason}. Its files are "
                f"kept in {quarter.slug}/; delete them if they should no longer be published."
            )
    return notes


def run_batch(
    register: Register,
    quarters: list[Quarter],
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    *,
    notebooks: list[Path] | None = None,
    jobs: int | str = "auto",
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    timeout: float | None = None,
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
    on_start: Callable[[list[Job], list[Job]], None] | None = None,
    on_done: Callable[[JobResult], None] | None = None,
    objectives: dict[Quarter, list[str]] | None = None,
) -> BatchSummary:
    """Plan, skip what is fresh, run the rest, and publish each job, with its manifest entry, as it finishes.

    Parameters
    ----------
    register
        The validated register.
    quarters
        The quarters to report.
    out_dir
        The output root.
    formats
        Appendix formats.
    notebooks
        A council's own notebooks in place of perfkit's.
    jobs
        How many notebooks run at once (processes here, or workers of a local Dask cluster), or
        ``"auto"``: one per usable CPU, at most :data:`AUTO_MAX_JOBS`, and one when the work cannot
        be shared out (a single notebook, or one quarter's objective updates, which share a kernel).
    force
        Run every job, fresh or not.
    executor
        ``local`` (this machine) or ``dask``.
    scheduler
        The address of an existing Dask scheduler (implies ``executor="dask"``).
    timeout
        Seconds any one cell may run before the job fails.
    wait
        When another run is publishing into ``out_dir``: wait for it, rather than fail at once.
    on_wait
        Called with a message when the run has to wait for another.
    on_start, on_done
        Callbacks for progress: the jobs to run and to skip; each result as it is published.
    objectives
        Make these objectives' updates in each quarter instead of the appendices
        (see :func:`perfkit.objective.resolve_objectives`).

    Whatever the jobs did, ``out_dir/index.html`` is rewritten at the end from every
    quarter's manifest (:mod:`perfkit.publish.landing`), unless the run stopped because the
    output folder cannot take files.

    Raises
    ------
    UsageError
        Two notebooks would publish files of the same name; nothing was run.
    OutputFolderError
        Another run holds the output folder, or it cannot be written; nothing was run.
    """
    planned = plan_jobs(register, quarters, out_dir, formats, notebooks, timeout, objectives)
    out_dir = out_dir.resolve()
    with output_lock(out_dir, wait=wait, on_wait=on_wait), ExitStack() as cleanup:
        recover(out_dir)  # what killed runs left: folders moved aside go back, staging goes
        cleanup.callback(recover, out_dir)  # and what this run leaves, whatever way it ends
        manifests = {q: read_manifest(current_folder(out_dir, q.slug)) for q in quarters}
        stale = {j for j in planned if force or staleness(j, manifests[j.quarter].jobs.get(j.name))}
        to_run = [j for j in planned if j in stale]
        fresh = [j for j in planned if j not in stale]
        notes = []
        for q in quarters:
            if manifests[q].problem:
                notes.append(f"{q.label}: {manifests[q].problem}; its appendices are made again and it is rewritten.")
            if notebooks is None and objectives is None:
                notes += _orphans(register, q, manifests[q], planned)
        if on_start:
            on_start(to_run, fresh)
        STOP.clear()  # a Ctrl-C that stopped an earlier run in this process (a notebook's pk.run) is over
        results: dict[Job, JobResult] = {j: skipped(j) for j in fresh}
        requested = check_jobs(jobs)
        units = _units(to_run)
        workers = _workers(requested, len(units))
        if scheduler or executor == "dask":
            stream = _dask(to_run, _workers(requested, len(to_run)), scheduler)
        elif workers > 1 and len(units) > 1:
            stream = _processes(units, workers)
        else:
            stream = _serial(to_run)
        interrupted = _InterruptFlag()
        try:
            with interrupted:
                for built in stream:
                    result = publish(built)
                    results[result.job] = result
                    if on_done:
                        on_done(result)
                    if result.fatal:
                        break  # every job after it would fail the same way
                    if interrupted.is_set():
                        break
        finally:
            if hasattr(stream, "close"):
                stream.close()  # shuts a pool or cluster down, cancelling jobs not yet started
        if not any(r.fatal for r in results.values()):  # nothing more is written to a full or read-only folder
            notes += _write_index(out_dir, register.council.name)
        if interrupted.is_set():
            raise KeyboardInterrupt
        for job in planned:
            if job not in results:
                results[job] = JobResult(
                    job,
                    error="Not published: the run stopped because the output folder cannot take files (see above).",
                    not_run=True,
                )
    return BatchSummary([results[j] for j in planned], notes)


def _write_index(out_dir: Path, council: str) -> list[str]:
    """Rewrite the landing page; a failure to write it is a note, since every report is already published."""
    from ..publish.landing import write_index

    try:
        write_index(out_dir, council)
    except OSError as exc:
        return [f"The list of reports, {out_dir / 'index.html'}, could not be rewritten ({exc.strerror or exc})."]
    return []


class _InterruptFlag:
    """Turn the first Ctrl-C into a request to stop after the job under way; a second one stops at once.

    The kernels this process started are sent Ctrl-C (they run in sessions of their own, so the
    terminal's does not reach them); their cells stop, and the job under way ends promptly and
    reports itself interrupted. Raising KeyboardInterrupt inside the notebook client's event loop
    instead can leave it waiting for a kernel that never answers.
    """

    def __init__(self):
        self._event = threading.Event()
        self._previous = None

    def is_set(self) -> bool:
        return self._event.is_set()

    def _handle(self, signum, frame) -> None:
        if self._event.is_set():
            raise KeyboardInterrupt
        self._event.set()
        interrupt_running_kernels()

    def __enter__(self) -> _InterruptFlag:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
