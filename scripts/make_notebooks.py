"""Write the notebooks in notebooks/ from this one readable definition, without outputs.

Edit a notebook in JupyterLab or here; either way commit it without outputs
(`make strip` clears them). Kept as a script so the committed JSON is tidy.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL = {"display_name": "Python 3 (perfkit)", "language": "python", "name": "python3"}


def params(source: str):
    return new_code_cell(source, metadata={"tags": ["parameters"]})


QUARTER_PARAMETERS = (
    "# Parameters: papermill replaces these for each quarter's run.\n"
    "quarter = None  # e.g. \"2024-25-Q2\"; None means the latest quarter with data\n"
    "data_dir = \"data/demo\"  # the council's data folder"
)


def appendix(module: str, alias: str, title: str, sections: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """An appendix notebook: parameters, one call to prepare, then a heading and one call per section."""
    cells = [
        params(QUARTER_PARAMETERS),
        new_code_cell(f"from {module} import {alias}\n\nrep = {alias}.prepare(data_dir, quarter)\n"
                      f"{alias}.introduction(rep)"),
    ]
    for heading, function in sections:
        cells += [new_markdown_cell(f"## {heading}"), new_code_cell(f"{alias}.{function}(rep)")]
    return new_notebook(cells=cells, metadata={
        "kernelspec": KERNEL,
        "language_info": {"name": "python"},
        "perfkit": {"title": title},
    })


def quarterly() -> nbformat.NotebookNode:
    return appendix("perfkit", "report", "Quarterly performance report", [
        ("Headline", "headline"),
        ("Summary", "narrative"),
        ("Exceptions in detail", "exceptions"),
        ("Targeted metrics by objective", "targeted_by_objective"),
        ("Trend monitoring", "trend_metrics"),
        ("Data notes", "data_notes"),
    ])


def survey() -> nbformat.NotebookNode:
    return appendix("perfkit.survey", "sections", "Residents' survey and demographic insight", [
        ("Summary", "narrative"),
        ("Key findings", "key_findings"),
        ("Results by group", "by_group"),
        ("Change since the previous survey", "change"),
        ("Who responded", "who_responded"),
        ("How the results are weighted", "weighting"),
        ("Notes on method", "method_notes"),
    ])


def explore() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Explore one metric\n\n"
            "Set `code` to a metric's code and run all cells: its definition, every quarter's figure, target, "
            "status and commentary, and a chart. The tables below are ordinary pandas DataFrames to filter and plot."
        ),
        params("code = \"SRV.01\"  # the metric to explore\ndata_dir = \"data/demo\""),
        new_code_cell("from perfkit import report\n\nreport.metric_profile(data_dir, code)"),
        new_code_cell(
            "from perfkit.register import load_register\n\n"
            "register = load_register(data_dir)\n"
            "register.actuals.loc[register.actuals[\"code\"] == code]"
        ),
        new_code_cell("register.targets.loc[register.targets[\"code\"] == code]"),
    ]
    return new_notebook(cells=cells, metadata={
        "kernelspec": KERNEL,
        "language_info": {"name": "python"},
        "perfkit": {"title": "Metric profile"},
    })


if __name__ == "__main__":
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, nb in (("quarterly_performance", quarterly()), ("survey_demographics", survey()),
                     ("explore_metric", explore())):
        nbformat.validate(nb)
        nbformat.write(nb, NOTEBOOKS / f"{name}.ipynb")
