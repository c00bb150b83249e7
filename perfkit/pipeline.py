"""The whole run from Python: validate the data, choose the quarters, run the batch.

:func:`run` is the Python twin of ``perfkit run``, as ``papermill.execute_notebook``
is papermill's: the command line only parses its options and prints.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .data.folders import find_data_dir
from .data.limits import check_year
from .errors import CellError, PerfkitError, PeriodError, UsageError
from .periods import Quarter, parse_quarter, quarter_range, warn_if_after

if TYPE_CHECKING:  # the register (pandas) is loaded only when a run has to plan
    from .batch.validated import RunValidation
    from .data.register import Register

__all__ = ["MAX_QUARTERS_AHEAD", "QuarterSource", "resolve_out", "run", "select_quarters"]

#: A run may report this many quarters after the latest with figures (each with "no data"), no more.
MAX_QUARTERS_AHEAD = 4


def _plausible(text: object) -> Quarter:
    """A quarter given on the command line, refused when its year is outside 1990/91 to 2099/00."""
    quarter = parse_quarter(text)
    try:
        check_year(quarter.start_year)
    except CellError as exc:
        raise PeriodError(exc.message, exc.fix) from exc
    return quarter


def resolve_out(out: str | Path, data_dir: str | Path) -> Path:
    """The output folder: a relative ``out`` is taken from the same folder as a relative ``data_dir``.

    In JupyterLab the kernel runs in ``notebooks/``; the data folder is found in a parent
    (the project root), and ``outputs`` must land there too, not in ``notebooks/outputs``.
    """
    out_path = Path(out).expanduser()
    data_path = Path(data_dir).expanduser()
    if out_path.is_absolute() or data_path.is_absolute() or data_path.is_dir():
        return out_path.resolve()
    found = find_data_dir(data_path)
    root = found
    for _ in data_path.parts:
        root = root.parent
    return (root / out_path).resolve()


class QuarterSource(Protocol):
    """What choosing the quarters asks of a register (a :class:`~perfkit.data.register.Register`,
    or what the record of an earlier run says of it: :class:`perfkit.batch.rerun.RecordedRegister`)."""

    def quarters_with_data(self) -> list[Quarter]: ...

    def latest_quarter(self) -> Quarter: ...


def select_quarters(
    register: QuarterSource,
    quarter: str | Quarter | None = None,
    *,
    first: object = None,
    last: object = None,
    all_quarters: bool = False,
) -> list[Quarter]:
    """The quarters a run reports: one, a range, every quarter with actuals, or (by default) the latest.

    A quarter after the data's latest is allowed (a report can be made before every figure is in),
    with a warning, since every metric would show "no data"; a quarter more than
    :data:`MAX_QUARTERS_AHEAD` quarters after it, or in a year outside 1990/91 to 2099/00, is a
    typing slip and refused. ``all_quarters`` means the quarters that have actuals, not every
    quarter between the first and the last.

    Raises
    ------
    PeriodError
        For a quarter that cannot be understood or is implausible.
    """
    if (first is None) != (last is None):
        raise PerfkitError("A range needs both ends: give --from and --to (or first= and last=).")
    if first is not None:
        chosen = quarter_range(_plausible(first), _plausible(last))
    elif all_quarters:
        chosen = register.quarters_with_data()
    elif quarter not in (None, ""):
        chosen = [_plausible(quarter)]
    else:
        chosen = [register.latest_quarter()]
    latest = register.latest_quarter()
    ahead = max((q.index for q in chosen), default=latest.index) - latest.index
    if ahead > MAX_QUARTERS_AHEAD:
        raise PeriodError(
            f"{max(chosen).label} is {ahead} quarters after the latest quarter with figures ({latest.label}): "
            f"a run reports at most {MAX_QUARTERS_AHEAD} quarters ahead of the data.",
            "Check the quarter for a typing slip.",
        )
    warn_if_after(chosen, latest, stacklevel=2)
    return chosen


def _discard_spares_after(run: Callable) -> Callable:
    """A kernel started early (:func:`perfkit.batch.executors.start_early`) that no job took is shut
    down however the run ends: the data may fail, or nothing be stale."""

    @functools.wraps(run)
    def wrapper(*args, **kwargs):
        try:
            return run(*args, **kwargs)
        finally:
            kernel = sys.modules.get("perfkit.batch.kernel")  # not imported: no kernel was started
            if kernel is not None:
                kernel.discard_spares()

    return wrapper


@_discard_spares_after
def run(
    data_dir: str | Path = "data/demo",
    quarter: str | Quarter | None = None,
    *,
    first: object = None,
    last: object = None,
    all_quarters: bool = False,
    out: str | Path = "outputs",
    formats: tuple[str, ...] = ("html", "pdf"),
    notebooks: Sequence[str | Path] | None = None,
    jobs: int | str = "auto",
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    timeout: float | None = None,
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
    on_validated: Callable | None = None,
    on_start: Callable | None = None,
    on_done: Callable | None = None,
    objective: str | Sequence[str] | None = None,
):
    """Validate the data and publish the appendices of one or more quarters, as ``perfkit run`` does.

    Parameters
    ----------
    data_dir
        The council's data folder; a relative path is also looked for in the parent folders.
    quarter
        The quarter to report (default: the latest with figures).
    first, last
        A range of quarters instead.
    all_quarters
        Every quarter with figures instead.
    out
        The output root; relative to the same folder as ``data_dir``.
    formats
        ``html`` and/or ``pdf``.
    notebooks
        A council's own notebooks to run instead of perfkit's appendices.
    jobs
        How many notebooks run at once, or ``"auto"`` (the default): one per usable CPU, at most
        four, and one when the work cannot be shared out (see :func:`perfkit.batch.executors.run_batch`).
    force
        Run even the jobs whose outputs are fresh, and validate the data in full. Without it, the
        validation recorded in ``out`` by the last run is reused when no data file, and nothing
        of perfkit, has changed since (see :mod:`perfkit.batch.validated`); and a rerun with the
        same arguments whose outputs are all up to date is decided from that record without
        loading the register (see :mod:`perfkit.batch.rerun`): the same summary and warnings.
    executor, scheduler
        ``local`` or ``dask``, and an existing Dask scheduler's address.
    timeout
        Seconds any one cell may run before its notebook fails.
    wait
        When another run is publishing into ``out``: wait for it to finish (``True``), or stop at
        once with :class:`~perfkit.errors.OutputFolderError` (the default).
    on_wait
        Called with a message when the run has to wait for another.
    on_validated
        Called with the :class:`~perfkit.validate.ValidationReport` once the data has passed (to show
        warnings); on an unchanged rerun, its ``register`` is loaded when first asked for.
    on_start, on_done
        Progress callbacks (see :func:`perfkit.batch.executors.run_batch`).
    objective
        Make one objective's update for scrutiny instead of the appendices: an objective's
        name in any case or its slug, several of them, or ``"all"`` (every objective of each
        quarter's plan). Each quarter whose plan lacks a named objective is skipped with a
        :class:`UserWarning`; it publishes ``objective-<slug>.{ipynb,html,pdf}``.

    Returns
    -------
    BatchSummary
        ``ran``, ``skipped`` and ``failed`` job results, each with its published ``outputs``.

    Raises
    ------
    DataValidationError
        When the data has errors: nothing is run and no output changes.
    UsageError
        When two notebooks would publish files of the same name, or ``objective`` is given with
        ``notebooks``: nothing is run.
    UnknownObjectiveError
        When no quarter's plan has a named objective (a :class:`UsageError`, listing the objectives).
    OutputFolderError
        When another run is publishing into ``out`` (and ``wait`` is false), or ``out`` cannot be
        written: nothing is run and no output changes.

    Examples
    --------
    Publishing starts a Jupyter kernel for each notebook, about six seconds for this one, so
    these two lines are not run with the other examples (``tests/test_api.py`` runs the
    README's ``pk.run`` in full):

    >>> summary = pk.run(tiny_dir, "2024/25 Q2", out=tmp, formats=("html",))   # doctest: +SKIP
    >>> [p.name for p in summary.ran[0].outputs]                               # doctest: +SKIP
    ['quarterly_performance.ipynb', 'quarterly_performance.html', 'metric_status.csv', 'metric_status.xlsx']

    Mistakes are caught before anything runs:

    >>> pk.run(tiny_dir, first="2024/25 Q1")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: A range needs both ends: give --from and --to (or first= and last=).
    """
    from .batch.jobs import check_jobs
    from .batch.rerun import recorded_rerun, remember, request_key

    folder = find_data_dir(data_dir)
    out_dir = resolve_out(out, data_dir)
    own = [Path(p).resolve() for p in notebooks] if notebooks else None
    jobs = check_jobs(jobs)
    # "auto" runs one notebook, or one quarter's objective updates (they share a kernel), here: its kernel
    # starts meanwhile
    one_quarter = first is None and last is None and not all_quarters
    single = one_quarter and (objective is not None or (own is not None and len(own) == 1))
    request = request_key(quarter, first, last, all_quarters, formats, own, objective, timeout)
    # an unchanged rerun: the record of the last run vouches for the validation and the plan, so
    # nothing heavy is loaded unless a job turns out not to be fresh (perfkit.batch.rerun)
    rerun = None if force or scheduler or executor == "dask" else recorded_rerun(folder, out_dir, request)
    if rerun is None:
        validation, register = _validated(folder, out_dir, own, force=force, jobs=jobs, single=single)
        facts: QuarterSource = register
    else:
        validation, facts = rerun.validation, rerun.register
    report = validation.report
    if on_validated:
        on_validated(report)
    quarters = select_quarters(facts, quarter, first=first, last=last, all_quarters=all_quarters)
    chosen = None
    notes: list[str] = []
    if objective is not None:
        if own:
            raise UsageError(
                "Give --objective or --notebook, not both: an objective's update is perfkit's own notebook."
            )
        names = [objective] if isinstance(objective, str) else list(objective)
        if rerun is not None:
            chosen, notes = rerun.objectives, rerun.notes
        else:
            from .objective import resolve_objectives

            chosen, notes = resolve_objectives(register, names, quarters)
        for note in notes:
            warnings.warn(note, UserWarning, stacklevel=2)
    summary = rerun.summary(quarters, on_start) if rerun is not None else None
    if summary is not None:
        return summary  # every job up to date, checked under the lock; nothing was written
    if rerun is not None:  # something is not fresh: the full path from here, with the register loaded now
        validation, register = _validated(folder, out_dir, own, force=force, jobs=jobs, single=single)
    from .batch.executors import run_batch

    summary = run_batch(
        register,
        quarters,
        out_dir,
        tuple(formats),
        notebooks=own,
        jobs=jobs,
        force=force,
        executor=executor,
        scheduler=scheduler,
        timeout=timeout,
        wait=wait,
        on_wait=on_wait,
        on_start=on_start,
        on_done=on_done,
        objectives=chosen,
    )
    if not any(r.fatal for r in summary.results):  # nothing more is written to a full or read-only folder
        # the run went ahead: the next may reuse this validation, and this plan for the same arguments
        remember(validation, out_dir, request, register, quarters, summary, chosen, notes)
    return summary


def _validated(
    folder: Path, out_dir: Path, own: list[Path] | None, *, force: bool, jobs: int | str, single: bool
) -> tuple[RunValidation, Register]:
    """The data validated (or the validation reused) and the register loaded, for a run that plans."""
    from .batch.execute import data_stamp, remember_register
    from .batch.executors import start_early
    from .batch.validated import validate_for_run

    start_early(out_dir, folder, own, force=force, jobs=jobs, single=single)  # a kernel starts meanwhile
    stamp = data_stamp(folder)  # before loading: a file changed meanwhile makes the jobs load it afresh
    validation = validate_for_run(folder, out_dir, force=force)  # reused when no data file has changed
    register = validation.report.raise_if_invalid()
    remember_register(register, stamp)  # the jobs run here (or in forked workers) use this load
    return validation, register
