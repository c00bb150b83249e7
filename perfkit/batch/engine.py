"""The papermill engine perfkit runs notebooks with: nbclient's, writing the executed notebook once, as it ends.

papermill writes the whole executed notebook to its output path as each cell starts and again
as it completes, so that someone watching the file sees it fill in. perfkit's output path is
a staging folder that nobody reads until the job has ended, so those writes only cost time,
and more the larger the register: a 5,000-metric quarterly appendix (400 KB, eleven charts)
was serialised, validated and written 41 times, half a second in all.

The engine keeps the notebook in memory and writes it when execution ends, however it ends:
papermill's engine does that in a ``finally`` block, so a failing cell, a cell that runs past
its timeout, a kernel that dies and Ctrl-C all still leave the notebook as far as it got, which
a failed job keeps in ``failed/`` for the council to read.
"""

from __future__ import annotations

from typing import Any

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

__all__ = ["ENGINE_NAME", "register_engine"]

#: The name perfkit's engine is registered under with papermill.
ENGINE_NAME = "perfkit"


class _WriteAtEnd(NotebookExecutionManager):
    """papermill's execution manager, but the notebook is written only by :meth:`notebook_complete`."""

    _ended = False

    def save(self, **kwargs: Any) -> None:
        if self._ended:
            super().save(**kwargs)

    def notebook_complete(self, **kwargs: Any) -> None:
        self._ended = True  # papermill calls this once, however execution ended: the one write
        super().notebook_complete(**kwargs)


class WriteAtEndEngine(NBClientEngine):
    """nbclient's engine with :class:`_WriteAtEnd` in place of papermill's execution manager."""

    @classmethod
    def execute_notebook(
        cls,
        nb: Any,
        kernel_name: str,
        output_path: str | None = None,
        progress_bar: bool = True,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        **kwargs: Any,
    ) -> Any:
        # papermill's Engine.execute_notebook, with the one manager changed
        nb_man = _WriteAtEnd(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


def register_engine() -> str:
    """Register the engine with papermill in this process (a pool or Dask worker too) and return its name."""
    papermill_engines.register(ENGINE_NAME, WriteAtEndEngine)
    return ENGINE_NAME
