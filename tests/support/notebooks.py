"""Small notebooks written for a test, in the shape papermill runs: a parameters cell, then the cells under test."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

#: The parameters cell of perfkit's quarterly notebooks, which papermill replaces.
PARAMETERS = 'quarter = None\ndata_dir = "data/demo"'

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def write_notebook(path: Path, *cells: str | nbformat.NotebookNode, parameters: str = PARAMETERS) -> Path:
    """Write a notebook at ``path`` (its folder made): a ``parameters`` cell, then ``cells``.

    A cell given as text is a code cell; a cell made with nbformat is written as it is.
    """
    body = [new_code_cell(c) if isinstance(c, str) else c for c in cells]
    nb = new_notebook(
        cells=[new_code_cell(parameters, metadata={"tags": ["parameters"]}), *body], metadata={"kernelspec": KERNELSPEC}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
