"""perfkit's own notebooks: written only by scripts/make_notebooks.py, committed as git's nbstripout
filter commits them (no outputs, no execution counts), with a papermill parameters cell and the
metadata JupyterLab writes for the project's kernel.

Only the notebooks the script writes are checked: a notebook an analyst saves in notebooks/ or
notebooks/scratch/ is theirs, and never fails the suite.
"""

import copy
import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbstripout import strip_output

import perfkit as pk
from perfkit.batch.kernel import KERNEL_NAME, kernel_manager_class
from tests.support import FIXTURES, ROOT


def _load_script():
    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "scripts" / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_notebooks = _load_script()


def perfkit_notebooks(folder):
    """The notebooks of a notebooks/ folder that the suite checks: the ones make_notebooks.py writes."""
    return [folder / f"{name}.ipynb" for name in make_notebooks.BUILDERS]


def output_problems(path):
    """The code cells of a notebook file that carry outputs or an execution count."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}, cell {number}: has outputs"
        for number, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell["outputs"] or cell["execution_count"] is not None)
    ]


def parameters_problems(path):
    """What is wrong with a notebook's papermill parameters cell: there must be one, setting data_dir."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    params = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    if len(params) != 1:
        return [f"{path.name}: {len(params)} cells tagged 'parameters', not 1"]
    return [] if 'data_dir = "data/demo"' in "".join(params[0]["source"]) else [f"{path.name}: no data_dir"]


def without_version(nb):
    """A notebook without language_info.version, which git's filter strips and `make lab` sets."""
    nb = copy.deepcopy(nb)
    nb.metadata.get("language_info", {}).pop("version", None)
    return nb


NOTEBOOKS = perfkit_notebooks(ROOT / "notebooks")
NAMES = list(make_notebooks.BUILDERS)


def test_the_script_writes_perfkits_notebooks():
    assert set(NAMES) >= {
        "quarterly_performance",
        "survey_demographics",
        "objective_update",
        "explore_metric",
        "explore_register",
        "explore_survey",
    }
    assert all(path.is_file() for path in NOTEBOOKS)


@pytest.mark.parametrize("name", NAMES)
def test_committed_exactly_as_the_script_writes_it(name):
    committed = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    generated = make_notebooks.BUILDERS[name]()
    assert without_version(committed) == without_version(generated), (
        f"notebooks/{name}.ipynb differs from what scripts/make_notebooks.py writes: make the change in the "
        "script and run it (`make strip` restores the notebook if you did not mean to change it)"
    )


@pytest.mark.parametrize("name", NAMES)
def test_written_as_git_commits_it(name):
    # nbstripout, the clean filter .gitattributes names, numbers cell ids from 0 and drops outputs and
    # counts: the script's notebooks must come through it unchanged, or every run would show a change.
    generated = make_notebooks.BUILDERS[name]()
    assert [cell.id for cell in generated.cells] == [str(n) for n in range(len(generated.cells))]
    assert strip_output(copy.deepcopy(generated), keep_output=False, keep_count=False, keep_id=False) == generated


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    assert output_problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_one_parameters_cell_with_data_dir(path):
    assert parameters_problems(path) == []


def test_quarterly_notebook_parameters():
    nb = json.loads((ROOT / "notebooks" / "quarterly_performance.ipynb").read_text(encoding="utf-8"))
    params = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    assert "quarter = None" in "".join(params["source"])


def _analyst_notebook(path):
    """An analyst's notebook as JupyterLab saves it: outputs, counts, no parameters cell."""
    cell = nbformat.v4.new_code_cell("1 + 1", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    return path


@pytest.fixture
def notebooks_copy(tmp_path, monkeypatch):
    """A copy of notebooks/ that make_notebooks.py writes to."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for path in NOTEBOOKS:
        (folder / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(make_notebooks, "NOTEBOOKS", folder)
    return folder


def test_an_analysts_notebook_never_fails_the_suite_or_is_stripped(notebooks_copy):
    mine = [
        _analyst_notebook(notebooks_copy / "my_analysis.ipynb"),
        _analyst_notebook(notebooks_copy / "scratch" / "sandbox.ipynb"),
    ]
    before = [path.read_bytes() for path in mine]
    # the checks themselves would object to these notebooks...
    assert all(output_problems(path) and parameters_problems(path) for path in mine)
    # ...but the suite checks only perfkit's, and perfkit's pass
    checked = perfkit_notebooks(notebooks_copy)
    assert not set(mine) & set(checked)
    assert [p for path in checked for p in output_problems(path) + parameters_problems(path)] == []
    # `make strip` leaves them as they were
    assert make_notebooks.main(["--strip"]) == 0
    assert [path.read_bytes() for path in mine] == before


def _as_lab_saved_it(path, source_edit=None):
    """Run and save a notebook as JupyterLab on another kernel would: outputs, counts, its metadata."""
    nb = nbformat.read(path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.execution_count = 1
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    nb.metadata.kernelspec = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata.language_info["version"] = "3.12.3"
    if source_edit:
        code.source += source_edit
    nbformat.write(nb, path)


def test_strip_restores_unedited_notebooks_and_keeps_edited_ones(notebooks_copy, capsys):
    _as_lab_saved_it(notebooks_copy / "explore_metric.ipynb")
    _as_lab_saved_it(notebooks_copy / "quarterly_performance.ipynb", source_edit="\nprint('my change')")
    edited = (notebooks_copy / "quarterly_performance.ipynb").read_bytes()

    assert make_notebooks.main(["--strip"]) == 1
    restored = nbformat.read(notebooks_copy / "explore_metric.ipynb", as_version=4)
    assert restored == make_notebooks.explore()
    assert (
        restored.metadata.kernelspec.name == "perfkit"
        and output_problems(notebooks_copy / "explore_metric.ipynb") == []
    )
    assert (notebooks_copy / "quarterly_performance.ipynb").read_bytes() == edited
    assert "notebooks/quarterly_performance.ipynb was left as it is" in capsys.readouterr().err


def test_metadata_mode_sets_only_the_kernel_and_language(notebooks_copy):
    path = notebooks_copy / "explore_metric.ipynb"
    _as_lab_saved_it(path, source_edit="\n# mine")
    cells = nbformat.read(path, as_version=4).cells

    assert make_notebooks.main(["--metadata"]) == 0
    nb = nbformat.read(path, as_version=4)
    assert nb.cells == cells  # outputs and the edit kept
    assert nb.metadata.kernelspec == make_notebooks.KERNEL
    assert nb.metadata.language_info == make_notebooks.LANGUAGE_INFO


def test_the_kernel_is_the_one_make_lab_registers_and_perfkit_runs(tmp_path):
    spec = kernel_manager_class(tmp_path)().kernel_spec
    assert make_notebooks.KERNEL == {"name": KERNEL_NAME, "display_name": spec.display_name, "language": "python"}
    install = re.search(
        r'ipykernel install --sys-prefix --name (\S+) --display-name "([^"]+)"', (ROOT / "Makefile").read_text()
    )
    assert install and install.groups() == ("perfkit", "Python 3 (perfkit)") == (KERNEL_NAME, spec.display_name)


def test_explore_metric_runs_for_a_metric_of_the_fixture(tiny_dir, tmp_path):
    import papermill as pm

    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "explore_metric.ipynb"),
        str(out),
        parameters={"code": "A1", "data_dir": str(tiny_dir)},
        kernel_name=KERNEL_NAME,
        progress_bar=False,
        cwd=str(tmp_path),
        kernel_manager_class=kernel_manager_class(tmp_path),
    )
    nb = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert "A1: % of complaints answered within 15 working days" in html
    # every quarter of A1's history, with its hand-worked status
    assert html.count("<tr>") >= 4
    assert "Rated in 2 quarters, at exception in 2." in html
    # The kernel reported its language as JupyterLab will save it: the script writes the same, so
    # opening a notebook in JupyterLab does not mark it changed.
    assert nb.metadata.language_info == make_notebooks.LANGUAGE_INFO


# --- the explore notebooks, run top to bottom as papermill runs them -------------------------------


def _execute(name, tmp_path, **parameters):
    import papermill as pm

    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / f"{name}.ipynb"),
        str(out),
        parameters={key: str(v) if isinstance(v, Path) else v for key, v in parameters.items()},
        kernel_name=KERNEL_NAME,
        progress_bar=False,
        cwd=str(tmp_path),
        kernel_manager_class=kernel_manager_class(tmp_path),
    )
    return nbformat.read(out, as_version=4)


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def figures(nb):
    """Each figure's alt text; fails on an image shown without one (a bare matplotlib PNG output)."""
    bare = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
    assert not bare, "a figure was shown without alt text: show it with pk.figure(fig, alt=...)"
    html = [o.get("data", {}).get("text/html", "") for o in _outputs(nb)]
    images = [tag for h in html for tag in re.findall(r"<img [^>]*>", h)]
    alts = [html_unescape(m.group(1)) for tag in images if (m := re.search(r'alt="([^"]*)"', tag))]
    assert len(alts) == len(images), "every image has an alt attribute"
    return alts


def html_unescape(text):
    import html

    return html.unescape(text)


def _text(nb):
    return "".join(
        o.get("text", "") + o.get("data", {}).get("text/markdown", "") + o.get("data", {}).get("text/html", "")
        for o in _outputs(nb)
    )


def test_explore_register_runs_on_the_demo_and_every_figure_has_alt_text(tmp_path):
    nb = _execute("explore_register", tmp_path, data_dir=ROOT / "data" / "demo")
    alts = figures(nb)
    # status mix, small multiples, persistent exceptions, completeness (and milestones when the demo has them)
    assert len(alts) >= 4
    assert alts[0].startswith("Stacked bars of metrics by status for each quarter from 2022/23 Q3 to 2024/25 Q2")
    # the demo's targeted metrics at exception in 2024/25 Q2, as the quarterly appendix lists them (the
    # small multiples chart figures, so the overdue milestone ENV.M2, also an exception, is not among them)
    demo = pk.prepare(ROOT / "data" / "demo")
    exceptions = demo.exceptions()
    red = exceptions.loc[exceptions["kind"] == "target", "code"].tolist()
    assert red == ["SRV.01", "SRV.02", "LIV.03"]
    assert red and all(code in alts[1] for code in red)
    assert any(a.startswith("Grid of the % of due metrics with a figure, by service") for a in alts)


def test_explore_register_says_so_when_a_register_has_no_milestones(tmp_path, tiny_dir):
    nb = _execute("explore_register", tmp_path, data_dir=tiny_dir, quarter="2024-25-Q2", last=2)
    assert "There are no milestones in 2024/25 Q2" in _text(nb)
    alts = figures(nb)
    assert not any("milestones" in a for a in alts)
    # tiny's exceptions in Q2 are A1, A11 and A12 (tests/test_assess.py); A1 and A12 were also red before
    assert "3 at exception: A1, A11, A12" in alts[1]
    assert "A1 (2 quarters in a row)" in alts[2]


def test_explore_register_shows_milestones_and_both_tiers_of_a_v2_register(tmp_path):
    nb = _execute("explore_register", tmp_path, data_dir=FIXTURES / "returns_v2")
    alts = figures(nb)
    # the fixture's tiers, as its council.toml names them
    assert "(Council Plan targets, Service indicators)" in alts[0] or "Service indicators" in alts[0]
    # MS.01 is 40% done and MS.02 has no figure, neither past its due date (2025-03-31)
    milestones = next(a for a in alts if a.startswith("Bar chart of the 2 milestones of 2024/25 Q2"))
    assert "1 25-49%, 1 no figure" in milestones and "None is past due" in milestones


def test_explore_survey_runs_on_the_demo_with_alt_text_and_no_respondent_data(tmp_path):
    nb = _execute("explore_survey", tmp_path, data_dir=ROOT / "data" / "demo", quarter="2024-25-Q2")
    alts = figures(nb)
    assert len(alts) == 5  # by group, against the rest, change, weights, suppression
    # 16-34s satisfied with the council: 37.6%, significantly below the rest (tests/test_api.py works it out)
    assert "lowest: 16-34 37.6%" in alts[0]
    assert "age_band: 16-34 37.6% (-10.2)" in alts[1]
    assert "Satisfied with the way the council runs things: 52.9% to 47.8% (significant)" in alts[2]
    assert alts[3].startswith("Histogram of the 1,099 final weights")
    assert "[c] marks the 10 results withheld because fewer than 10 answered" in alts[4]
    # only estimates: no table in the outputs has a row per respondent
    tables = [
        h for o in _outputs(nb) for h in re.findall(r"<table.*?</table>", o.get("data", {}).get("text/html", ""), re.S)
    ]
    assert tables and max(t.count("<tr") for t in tables) < 100


def test_the_readme_exploring_example_runs_and_shows_a_chart_with_alt_text(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Exploring in JupyterLab\n", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(code.strip().splitlines()) == 5
    monkeypatch.chdir(ROOT)
    *body, last = code.strip().splitlines()
    namespace: dict = {}
    exec("\n".join(body), namespace)
    chart = eval(last, namespace)
    assert chart.alt.startswith("Stacked bars") and 'alt="Stacked bars' in chart._repr_html_()
    assert chart.png.startswith(b"\x89PNG")
