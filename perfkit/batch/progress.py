"""What `perfkit run` shows while it works: a live progress bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.text import Text

from ..terminal import plain
from .jobs import BatchSummary, Job, JobResult


class Progress:
    """Progress of a batch, for :func:`perfkit.batch.executors.run_batch`'s callbacks.

    On a terminal: a live bar of jobs done out of the total, with the notebook
    just finished. Not on a terminal (CI logs, cron): one line per job, so logs
    stay readable. ``quiet`` prints only failures and the final line;
    ``verbose`` adds skipped jobs and timings.
    """

    def __init__(self, console: Console, *, quiet: bool = False, verbose: bool = False):
        self.console = console
        self.quiet = quiet
        self.verbose = verbose
        self.live = console.is_terminal and not quiet
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Progress:
        if self.live:
            # refreshed from the callbacks, not by rich's timer thread: a process with no other
            # thread can fork its workers, which start faster (see perfkit.batch.executors)
            self._bar = RichProgress(
                TextColumn("{task.description}", markup=False),  # the description names a notebook
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
                auto_refresh=False,
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def _line(self, *parts: str | tuple[str, str]) -> None:
        """Print one line made of texts and (text, style) pairs.

        The line is assembled as rich ``Text``, never parsed as markup: notebook, folder and
        file names in it are shown as they are, brackets included (control characters are
        removed by :func:`perfkit.terminal.plain` first).
        """
        # soft_wrap: a long path stays on one line in a log (and can be copied), whatever the width
        (self._bar.console if self._bar else self.console).print(Text.assemble(*parts), highlight=False, soft_wrap=True)

    def start(self, to_run: list[Job], fresh: list[Job]) -> None:
        if not self.quiet:
            skipped = f", {len(fresh)} up to date" if fresh else ""
            self._line(f"{len(to_run)} notebook{'s' if len(to_run) != 1 else ''} to run{skipped}.")
        if self.verbose:
            for job in fresh:
                self._line((f"– {plain(job.label)}: up to date, skipped", "dim"))
        if self._bar is not None:
            self._task = self._bar.add_task("Running", total=len(to_run))
            self._bar.refresh()

    def done(self, result: JobResult) -> None:
        label = plain(result.job.label)  # notebook and folder names can hold control characters
        if self._bar is not None:
            if self._task is not None:
                self._bar.update(self._task, advance=1, description=f"Done {label}")
            self._bar.refresh()
        if result.interrupted:
            self._line((f"– {label} interrupted", "yellow"))
            return
        if not result.ok:
            self._line((f"✖ {label} failed", "red"))
            return
        if self.quiet:
            return
        timing = ""
        if self.verbose:
            timing = " (" + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()) + ")"
        self._line(("✔", "green"), f" {label} in {result.seconds:.1f} s{timing}")
        for path in result.outputs:
            if path.suffix in (".html", ".pdf"):
                self._line(f"    {plain(path)}")

    def summary(self, summary: BatchSummary) -> None:
        ran, skipped, failed = len(summary.ran), len(summary.skipped), len(summary.failed)
        for note in summary.notes:
            self.console.print(f"Note: {plain(note)}", highlight=False, markup=False)
        if failed:
            self.console.print(f"\n{failed} of {len(summary.results)} notebooks failed:", highlight=False)
            for r in summary.failed:
                if not r.not_run:
                    self.console.print(f"  - {plain(r.job.label)}: {plain(r.error)}", highlight=False, markup=False)
            not_run = [r for r in summary.failed if r.not_run]
            if not_run:
                self.console.print(
                    f"  - {len(not_run)} more not run: the run stopped because the output folder cannot take "
                    f"files ({', '.join(plain(r.job.label) for r in not_run[:5])}{', …' if len(not_run) > 5 else ''}).",
                    highlight=False,
                    markup=False,
                )
        parts = [f"{ran} run", f"{skipped} up to date"] + ([f"{failed} failed"] if failed else [])
        self.console.print("Done: " + ", ".join(parts) + ".", highlight=False)
