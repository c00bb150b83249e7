"""The papermill engine perfkit runs notebooks with: nbclient's, writing the executed notebook once, as it ends.

papermill's engine writes the whole executed notebook to its output path as each cell starts
and again as it completes, so that someone watching the file sees it fill in. perfkit's output
path is a staging folder that nobody reads until the job has ended, so those writes only cost
time, and more the larger the register: a 5,000-metric quarterly appendix (400 KB, eleven
charts) was serialised, validated and written 41 times, half a second in all.

This engine writes nothing while the notebook runs. However execution ends, the notebook is
then written once, as far as it got: papermill itself writes it when the engine returns (a
success) or, with the error shown, when a cell failed; when an exception leaves the engine
instead (a cell past its timeout, a kernel that dies, Ctrl-C) papermill would not, so the
engine writes it then. A failed job keeps that notebook in ``failed/`` for the council to read.
"""

from __future__ import annotations

from typing import Any

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

__all__ = ["ENGINE_NAME", "register_engine"]

#: The name perfkit's engine is registered under with papermill.
ENGINE_NAME = "perfkit"


class _Unwritten(NotebookExecutionManager):
    """papermill's execution manager, but the notebook is written only once :attr:`write` is set."""

    write = False

    def save(self, **kwargs: Any) -> None:
        if self.write:
            super().save(**kwargs)


class WriteOnceEngine(NBClientEngine):
    """nbclient's engine with :class:`_Unwritten` in place of papermill's execution manager."""

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
        # papermill's Engine.execute_notebook, with its manager changed and the one write on the way out
        nb_man = _Unwritten(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        except BaseException:
            nb_man.write = True  # papermill writes the notebook when the engine returns; it will not now
            raise
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()  # which writes, when told to
        return nb_man.nb


def register_engine() -> str:
    """Register the engine with papermill in this process (a pool or Dask worker too) and return its name."""
    papermill_engines.register(ENGINE_NAME, WriteOnceEngine)
    return ENGINE_NAME
