"""Write perfkit's notebooks in notebooks/ from this one readable definition, without outputs.

This script is the one way perfkit's notebooks are written: change a notebook here, then run
``python scripts/make_notebooks.py``. Each notebook is written exactly as git commits it (the
nbstripout filter in .gitattributes: no outputs, no execution counts, cells numbered from 0) and
with the metadata JupyterLab writes for the project's kernel, so opening one in JupyterLab does
not mark it changed.

``--strip`` (``make strip``) rewrites only the notebooks whose cells are still this script's,
which clears their outputs and undoes metadata a JupyterLab save changed; a notebook whose cells
were edited is left alone and named, so no work is lost. ``--metadata`` (``make lab``) only sets
the kernel and language metadata, to this Python's, keeping cells and outputs. Notebooks of your
own in notebooks/ or notebooks/scratch/ are never touched.
"""

import argparse
import platform
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: The project's kernel, which `make lab` registers; perfkit's runner starts the same interpreter under
#: this name, so runs do not depend on a kernel called python3.
KERNEL = {"display_name": "Python 3 (perfkit)", "language": "python", "name": "perfkit"}
#: What ipykernel reports and JupyterLab saves. The version is this interpreter's (the project's venv,
#: which the perfkit kernel runs), so the notebooks open unchanged; git's filter strips it on commit
#: (filter.nbstripout.extrakeys), so a different Python never shows up as a change.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": platform.python_version(),
}


def params(source: str):
    return new_code_cell(source, metadata={"tags": ["parameters"]})


def notebook(cells: list, title: str) -> nbformat.NotebookNode:
    # Cell ids 0, 1, ... are what nbstripout commits; random ones would differ at every run.
    for number, cell in enumerate(cells):
        cell.id = str(number)
    return new_notebook(
        cells=cells, metadata={"kernelspec": KERNEL, "language_info": LANGUAGE_INFO, "perfkit": {"title": title}}
    )


QUARTER_PARAMETERS = (
    "# Parameters: papermill replaces these for each quarter's run.\n"
    'quarter = None  # e.g. "2024-25-Q2"; None means the latest quarter with data\n'
    'data_dir = "data/demo"  # the council\'s data folder'
)


def appendix(setup: str, module: str, title: str, sections: list[tuple[str, str, str, str]]) -> nbformat.NotebookNode:
    """An appendix notebook: parameters, one call to prepare, then per section a heading and a cell that
    binds the rows the section shows (to filter or sort in JupyterLab) and renders them."""
    cells = [params(QUARTER_PARAMETERS), new_code_cell(setup)]
    for heading, name, rows, function in sections:
        source = (
            f"{module}.{function}(rep)"
            if not rows
            else (f"{name} = rep.{rows}()  # filter or sort here\n{module}.{function}(rep, {name})")
        )
        cells += [new_markdown_cell(f"## {heading}"), new_code_cell(source)]
    return notebook(cells, title)


def quarterly() -> nbformat.NotebookNode:
    setup = (
        "import perfkit as pk\nfrom perfkit import report\n\n"
        "rep = pk.prepare(data_dir, quarter)\nreport.introduction(rep)"
    )
    return appendix(
        setup,
        "report",
        "Quarterly performance report",
        [
            ("Headline", "counts", "status_counts", "headline"),
            ("Summary", "metrics", "assessment", "narrative"),
            ("Exceptions in detail", "exceptions", "exceptions", "exceptions"),
            ("Targeted metrics by objective", "targeted", "targeted", "targeted_by_objective"),
            ("Trend monitoring", "trend", "trend", "trend_metrics"),
            ("Data notes", "notes", "data_notes", "data_notes"),
        ],
    )


def survey() -> nbformat.NotebookNode:
    setup = (
        "import perfkit as pk\nfrom perfkit import survey_report as survey\n\n"
        "rep = pk.prepare_survey(data_dir, quarter)\nsurvey.introduction(rep)"
    )
    return appendix(
        setup,
        "survey",
        "Residents' survey and demographic insight",
        [
            ("Summary", "", "", "narrative"),
            ("Key findings", "findings", "key_findings", "key_findings"),
            ("Results by group", "groups", "by_group", "by_group"),
            ("Change since the previous survey", "changes", "changes", "change"),
            ("Who responded", "profile", "sample_profile", "who_responded"),
            ("How the results are weighted", "", "", "weighting"),
            ("Notes on method", "", "", "method_notes"),
        ],
    )


def explore() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Explore one metric\n\n"
            "Set `code` to a metric's code (any case) and run all cells: its definition, every quarter's figure, "
            "target, status and commentary, and a chart. `history` is an ordinary pandas DataFrame to filter and plot."
        ),
        params('code = "SRV.01"  # the metric to explore\ndata_dir = "data/demo"'),
        new_code_cell("import perfkit as pk\n\npk.metric_profile(data_dir, code)"),
        new_code_cell(
            "register = pk.load_register(data_dir)\n"
            "history = pk.report.metric_history(register, code)  # one row per quarter, as printed\n"
            "history"
        ),
    ]
    return notebook(cells, "Metric profile")


#: perfkit's own notebooks: the only ones in notebooks/ that the tests check and `make strip` rewrites.
BUILDERS = {"quarterly_performance": quarterly, "survey_demographics": survey, "explore_metric": explore}


def cells_of(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    """What a notebook's author wrote: each cell's type, source and tags (not outputs, ids or metadata)."""
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--strip", action="store_true", help="rewrite only the notebooks whose cells are unchanged; name the others"
    )
    mode.add_argument(
        "--metadata", action="store_true", help="only set the kernel and language metadata; keep cells and outputs"
    )
    args = parser.parse_args(argv)
    NOTEBOOKS.mkdir(exist_ok=True)
    edited = []
    for name, build in BUILDERS.items():
        nb, path = build(), NOTEBOOKS / f"{name}.ipynb"
        nbformat.validate(nb)
        if (args.strip or args.metadata) and path.exists():
            on_disk = nbformat.read(path, as_version=4)
            if args.metadata:
                fresh = {key: nb.metadata[key] for key in ("kernelspec", "language_info")}
                if any(on_disk.metadata.get(key) != value for key, value in fresh.items()):
                    on_disk.metadata.update(fresh)
                    nbformat.write(on_disk, path)
                continue
            if cells_of(on_disk) != cells_of(nb):
                edited.append(path.name)
                continue
        nbformat.write(nb, path)
        if args.strip:
            print(f"notebooks/{path.name}: as scripts/make_notebooks.py writes it")
    for name in edited:
        print(
            f"notebooks/{name} was left as it is: its cells differ from scripts/make_notebooks.py. "
            f"Make the change in the script and run it, or save your version under notebooks/scratch/ "
            f"and restore perfkit's with `git checkout notebooks/{name}`.",
            file=sys.stderr,
        )
    return 1 if edited else 0


if __name__ == "__main__":
    sys.exit(main())
