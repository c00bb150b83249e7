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


def quarterly() -> nbformat.NotebookNode:
    cells = [
        params(
            "# Parameters: papermill replaces these for each quarter's run.\n"
            "quarter = None  # e.g. \"2024-25-Q2\"; None means the latest quarter with data\n"
            "data_dir = \"data/demo\"  # the council's data folder"
        ),
        new_code_cell(
            "from perfkit import report\n\n"
            "rep = report.prepare(data_dir, quarter)\n"
            "report.introduction(rep)"
        ),
        new_markdown_cell("## Headline"),
        new_code_cell("report.headline(rep)"),
        new_markdown_cell("## Summary"),
        new_code_cell("report.narrative(rep)"),
        new_markdown_cell("## Exceptions in detail"),
        new_code_cell("report.exceptions(rep)"),
        new_markdown_cell("## Targeted metrics by objective"),
        new_code_cell("report.targeted_by_objective(rep)"),
        new_markdown_cell("## Trend monitoring"),
        new_code_cell("report.trend_metrics(rep)"),
        new_markdown_cell("## Data notes"),
        new_code_cell("report.data_notes(rep)"),
    ]
    return new_notebook(cells=cells, metadata={
        "kernelspec": KERNEL,
        "language_info": {"name": "python"},
        "perfkit": {"title": "Quarterly performance report"},
    })


def survey() -> nbformat.NotebookNode:
    cells = [
        params(
            "# Parameters: papermill replaces these for each quarter's run.\n"
            "quarter = None  # e.g. \"2024-25-Q2\"; None means the latest quarter with data\n"
            "data_dir = \"data/demo\"  # the council's data folder"
        ),
        new_code_cell(
            "from perfkit.survey import sections\n\n"
            "rep = sections.prepare(data_dir, quarter)\n"
            "sections.introduction(rep)"
        ),
        new_markdown_cell("## Summary"),
        new_code_cell("sections.narrative(rep)"),
        new_markdown_cell("## Key findings"),
        new_code_cell("sections.key_findings(rep)"),
        new_markdown_cell("## Results by group"),
        new_code_cell("sections.by_group(rep)"),
        new_markdown_cell("## Change since the previous survey"),
        new_code_cell("sections.change(rep)"),
        new_markdown_cell("## Who responded"),
        new_code_cell("sections.who_responded(rep)"),
        new_markdown_cell("## How the results are weighted"),
        new_code_cell("sections.weighting(rep)"),
        new_markdown_cell("## Notes on method"),
        new_code_cell("sections.method_notes(rep)"),
    ]
    return new_notebook(cells=cells, metadata={
        "kernelspec": KERNEL,
        "language_info": {"name": "python"},
        "perfkit": {"title": "Residents' survey and demographic insight"},
    })


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
