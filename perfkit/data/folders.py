"""Finding a council's data folder from what the user typed.

Apart from :mod:`perfkit.data.register` (which needs pandas) so that a run can find its
folders, and see that nothing has changed, before anything heavy is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError

__all__ = ["find_data_dir"]


def find_data_dir(data_dir: str | Path) -> Path:
    """Resolve a data folder given relative to the project or the current folder.

    A notebook opened in JupyterLab runs in ``notebooks/``, where the default
    ``data/demo`` does not exist; the parents of the current folder are tried too.

    Raises
    ------
    UsageError
        When the folder cannot be found.

    Examples
    --------
    >>> find_data_dir(tiny_dir) == tiny_dir.resolve()
    True
    """
    path = Path(data_dir).expanduser()
    if path.is_dir():
        return path.resolve()
    if not path.is_absolute():
        for parent in Path.cwd().resolve().parents:
            candidate = parent / path
            if candidate.is_dir():
                return candidate
    if os.path.lexists(path):
        raise UsageError(
            f"The data folder '{data_dir}' is a file, not a folder. Give --data the folder that holds "
            "metrics.csv, targets.csv and actuals.csv (or register.xlsx)."
        )
    raise UsageError(f"The data folder '{data_dir}' does not exist. Check the path given with --data.")
