"""The committed notebooks: no outputs, a papermill parameters cell with the agreed parameters."""

import json

import pytest

from tests.support import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert {p.name for p in NOTEBOOKS} >= {"quarterly_performance.ipynb", "explore_metric.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name} has outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_one_parameters_cell_with_data_dir(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    params = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1
    source = "".join(params[0]["source"])
    assert 'data_dir = "data/demo"' in source


def test_quarterly_notebook_parameters():
    nb = json.loads((ROOT / "notebooks" / "quarterly_performance.ipynb").read_text(encoding="utf-8"))
    params = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    assert "quarter = None" in "".join(params["source"])


def test_explore_metric_runs_for_a_metric_of_the_fixture(tiny_dir, tmp_path):
    import papermill as pm

    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "explore_metric.ipynb"),
        str(out),
        parameters={"code": "A1", "data_dir": str(tiny_dir)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    import nbformat

    nb = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert "A1: % of complaints answered within 15 working days" in html
    # every quarter of A1's history, with its hand-worked status
    assert html.count("<tr>") >= 4
    assert "Rated in 2 quarters, at exception in 2." in html
