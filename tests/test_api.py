"""The public API: the names `import perfkit as pk` offers, what importing it costs, and the README's Python."""

import ast
import inspect
import os
import re
import shutil
import subprocess
import sys

import pytest

import perfkit as pk
from tests.support import ROOT

#: Every public name, written out: adding or removing one is a decision, not a side effect.
PUBLIC = [
    "ALL_STATUSES",
    "STATUSES",
    "BatchSummary",
    "CellError",
    "DataValidationError",
    "OutputFolderError",
    "PerfkitError",
    "PeriodError",
    "Problem",
    "Quarter",
    "QuarterReport",
    "RakingError",
    "Register",
    "RunError",
    "RunInterrupted",
    "SurveyAnalysis",
    "UnknownNameError",
    "UnknownObjectiveError",
    "UsageError",
    "ValidationReport",
    "__version__",
    "assess",
    "assess_history",
    "draft_narrative",
    "figure",
    "latest_quarter",
    "load_register",
    "metric_profile",
    "parse_quarter",
    "parse_year",
    "prepare",
    "prepare_survey",
    "quarter_range",
    "report",
    "run",
    "survey_report",
    "trend_chart",
    "validate_folder",
]

#: The public names that are modules of sections; every other name is a class, a function or a value.
MODULES = {"report": "perfkit.report", "survey_report": "perfkit.survey.report"}


def test_the_public_names_are_exactly_these():
    assert pk.__all__ == PUBLIC
    assert dir(pk) == sorted(PUBLIC)


def _fresh_python(code: str) -> str:
    """What ``code`` prints in a new interpreter that imports this perfkit (nothing loaded by other tests)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_import_perfkit_loads_none_of_the_heavy_libraries():
    heavy = ["pandas", "papermill", "nbconvert", "scipy", "matplotlib"]
    printed = _fresh_python(f"import perfkit, sys; print(' '.join(m for m in {heavy!r} if m in sys.modules))")
    assert printed.split() == []


RESOLVE = """
import importlib, pkgutil, sys, types
import perfkit as pk
pk.prepare  # imports perfkit.assess, which used to bind that module over the function pk.assess
for module in pkgutil.walk_packages(pk.__path__, "perfkit."):
    importlib.import_module(module.name)
for name in pk.__all__:
    value = getattr(pk, name)
    print(name, type(value).__name__, getattr(value, "__name__", ""))
"""


def test_every_public_name_resolves_even_after_every_module_is_imported():
    resolved = {line.split(" ", 1)[0]: line.split(" ")[1:] for line in _fresh_python(RESOLVE).splitlines()}
    assert list(resolved) == PUBLIC
    for name, (kind, *qualname) in resolved.items():
        if name in MODULES:
            assert (kind, qualname) == ("module", [MODULES[name]]), name
        else:
            assert kind != "module", f"pk.{name} is a module"
    assert resolved["assess"] == ["function", "assess"]
    assert resolved["prepare_survey"] == ["function", "prepare"]
    assert resolved["Quarter"] == ["type", "Quarter"]
    assert resolved["STATUSES"][0] == resolved["ALL_STATUSES"][0] == "dict"
    with pytest.raises(AttributeError, match="no attribute 'asess'"):
        pk.asess  # noqa: B018


def test_every_public_name_has_examples_that_run():
    for name in PUBLIC:
        # values have no docstring: the package's examples show them
        if name in ("ALL_STATUSES", "STATUSES", "__version__"):
            assert f"pk.{name}" in pk.__doc__, name
            continue
        doc = inspect.getdoc(getattr(pk, name)) or ""
        assert re.search(r"^Examples\n--------\n", doc, re.MULTILINE), f"{name} has no Examples section"
        assert ">>> " in doc, name
    # Only pk.run's publishing lines are skipped (a kernel takes seconds); the README test runs it.
    skipped = {
        str(p.relative_to(ROOT)) for p in (ROOT / "perfkit").rglob("*.py") if "doctest: +SKIP" in p.read_text("utf-8")
    }
    assert skipped == {os.path.join("perfkit", "pipeline.py")}


def _readme_cells() -> list[str]:
    """The python blocks of the README's "From Python" section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## From Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


def _run_like_jupyter(cells: list[str]) -> list[object]:
    """Run each cell in one namespace and keep what its last line shows, as JupyterLab does."""
    namespace: dict = {}
    shown = []
    for cell in cells:
        tree = ast.parse(cell)
        *body, last = tree.body
        exec(compile(ast.Module(body, type_ignores=[]), "<README>", "exec"), namespace)
        assert isinstance(last, ast.Expr), f"a README cell should end with what it shows:\n{cell}"
        shown.append(eval(compile(ast.Expression(last.value), "<README>", "eval"), namespace))
    return shown


def test_the_readme_python_section_runs_on_the_demo_and_shows_the_right_answers(tmp_path, monkeypatch):
    # A copy of the project as an analyst has it, working in notebooks/ as JupyterLab does.
    shutil.copytree(ROOT / "data" / "demo", tmp_path / "data" / "demo")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    cells = _readme_cells()
    assert len(cells) == 7
    quarter, exceptions, by_service, history, chart, estimate, published = _run_like_jupyter(cells)

    # The latest quarter in data/demo/actuals.csv is 2024/25 Q2.
    assert quarter == "2024/25 Q2"

    # (a) At exception in 2024/25 Q2 (the exception group, design §4/§6), from actuals.csv and targets.csv:
    # SRV.01 97/115 = 84.3% and SRV.02 30/36 = 83.3% against 95% (5% tolerance: amber down to 90.25),
    # both also red in Q1 (82/100 = 82.0%, 31/38 = 81.6%), so persistent and first; LIV.03 35 days against
    # 28 (10%: amber up to 30.8), amber in Q1 (29). LIV.02's 33 against its Q2 target of 35 (no tolerance)
    # is red on the figures, but its row says "Affected by cost of living" with a reason: an override to
    # paused (the "other" group), so not an exception. ENV.M2 is overdue (due 2024/25 Q1, "At risk" in Q1,
    # no row in Q2): an exception with no figure and no commentary, after LIV.03 in the plan's order.
    assert exceptions["code"].tolist() == ["SRV.01", "SRV.02", "LIV.03", "ENV.M2"]
    assert exceptions["service"].tolist() == [
        "Customer Services",
        "Customer Services",
        "Housing Management",
        "Climate Change",
    ]
    assert exceptions["owner"].tolist() == [
        "Customer Services Manager",
        "Customer Services Manager",
        "Housing Management Manager",
        "Climate Change Officer",
    ]
    assert exceptions["commentary"].iloc[3] == ""
    assert exceptions["commentary"].iloc[0].startswith("The two complaints officer posts were filled in August;")
    assert exceptions["commentary"].iloc[2].startswith("Eleven empty homes needed major works")

    # (b) In the exception group from 2023/24 Q3 to 2024/25 Q2: WRK.01 in 23/24 Q3 (2.59 days against 2.20,
    # 10%) and Q4 (2.53); ENV.01 in 23/24 Q3 (46.2% against 50.0%, 5%) and Q4 (44.3%); LIV.03 in 23/24 Q4
    # (32 against 28) and 24/25 Q2; SRV.01 and SRV.02 in 24/25 Q1 and Q2; LIV.06 in 24/25 Q1 (18 against 22,
    # tolerance 3); ENV.07 in 24/25 Q1 (144 against 150, no tolerance); the milestone ENV.M2 in 24/25 Q2
    # (due June 2024, "At risk" in Q1, no update in Q2: overdue). Not LIV.02 in 24/25 Q2 (overridden, above);
    # and none of the other v2 metrics: SRV.14 is at worst 73.0 against 80 (8.75% short, within the 10% band),
    # LIV.11 41 against 45 (10%: 40.5), LIV.01 50.0 against >50 (amber, tolerance 5), WRK.08 67 and 69
    # against 66 and 68, and the other milestones are on track, at risk, paused, achieved or without update.
    assert by_service.to_dict() == {
        "Customer Services": 4,
        "Human Resources": 2,
        "Streetscene": 2,
        "Housing Management": 2,
        "Private Sector Housing": 1,
        "Parks and Open Spaces": 1,
        "Climate Change": 1,
    }
    assert by_service.iloc[0] == 4 and by_service.index[0] == "Customer Services"

    # (c) SRV.01's last four quarters: 91.2, 92.5 (within 5% of 95), then 82.0 and 84.3 (exceptions).
    assert history["quarter"].tolist() == ["2023/24 Q3", "2023/24 Q4", "2024/25 Q1", "2024/25 Q2"]
    assert history["value"].tolist() == [91.2, 92.5, 82.0, 84.3]
    assert history["target"].tolist() == [95.0] * 4
    # shown in the council's words: council.toml's [labels] amber = "Close to target", red = "Off target"
    assert history["status"].tolist() == ["▲ Close to target"] * 2 + ["✖ Off target"] * 2
    assert history["compared with previous"].tolist() == ["Worsened", "Improved", "Worsened", "Improved"]
    assert chart.png.startswith(b"\x89PNG")
    assert "it rose from 82.0% in 2024/25 Q1 to 84.3% in 2024/25 Q2, against a target of 95.0%" in chart.alt

    # (d) 16-34s satisfied with the council, 2024 wave: 129 of them answered (not "Don't know"). The share and
    # interval were worked out apart from perfkit: weights raked to the age, sex and ward margins of
    # population.csv, the weighted share in the domain, its linearised standard error, and a logit interval
    # with Student's t on 128 degrees of freedom.
    assert estimate["n"].tolist() == [129]
    assert estimate["pct"].iloc[0] == pytest.approx(37.631316, abs=1e-5)
    assert estimate["ci_low"].iloc[0] == pytest.approx(29.556396, abs=1e-5)
    assert estimate["ci_high"].iloc[0] == pytest.approx(46.457417, abs=1e-5)

    # (e) 2024/25 Q1 is published in the project's outputs/, not in notebooks/outputs/. The 2023 survey
    # wave (fieldwork ended 31 July 2023) applies to Q1, so both appendices run.
    folder = tmp_path / "outputs" / "2024-25-Q1"
    assert published == [
        "quarterly_performance.ipynb",
        "quarterly_performance.html",
        "quarterly_performance.pdf",
        "metric_status.csv",
        "metric_status.xlsx",
        "survey_demographics.ipynb",
        "survey_demographics.html",
        "survey_demographics.pdf",
        "survey_estimates.csv",
        "survey_estimates.xlsx",
        "survey_weighting.json",
    ]
    assert all((folder / name).is_file() for name in published)
    assert not (tmp_path / "notebooks" / "outputs").exists()
