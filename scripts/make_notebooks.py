"""Write the notebooks in notebooks/ from this one readable definition, without outputs.

Edit a notebook in JupyterLab or here; either way commit it without outputs
(`make strip` clears them). Kept as a script so the committed JSON is tidy.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: The project's kernel, which `make lab` registers; perfkit's runner starts the same interpreter under
#: this name, so runs do not depend on a kernel called python3.
KERNEL = {"display_name": "Python 3 (perfkit)", "language": "python", "name": "perfkit"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}


def params(source: str):
    return new_code_cell(source, metadata={"tags": ["parameters"]})


def notebook(cells: list, title: str) -> nbformat.NotebookNode:
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


if __name__ == "__main__":
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, nb in (
        ("quarterly_performance", quarterly()),
        ("survey_demographics", survey()),
        ("explore_metric", explore()),
    ):
        nbformat.validate(nb)
        nbformat.write(nb, NOTEBOOKS / f"{name}.ipynb")
