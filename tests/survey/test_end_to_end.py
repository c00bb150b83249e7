"""`perfkit run` with a survey wave: the survey appendix and its data files (design §6), and privacy."""

import csv
import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from pypdf import PdfReader

from perfkit.survey.estimates import ESTIMATE_COLUMNS
from tests.support import FIXTURES


@pytest.fixture(scope="module")
def survey_run(tmp_path_factory):
    data = tmp_path_factory.mktemp("data") / "council"
    shutil.copytree(FIXTURES / "tiny", data)
    for name, end in (("2023", "2023-07-31"), ("2024", "2024-07-31")):
        target = data / "survey" / name
        shutil.copytree(FIXTURES / "survey_ref" / "wave", target)
        toml = (target / "survey.toml").read_text().replace("fieldwork_end = 2024-07-31", f"fieldwork_end = {end}")
        (target / "survey.toml").write_text(toml.replace('title = "Reference wave"', f'title = "Survey {name}"'))
    # the 2023 wave: the same people, one in five fewer satisfied, so the change is real
    old = pd.read_csv(data / "survey" / "2023" / "responses.csv", dtype=str, keep_default_na=False)
    flip = old.index[(old["satisfied_council"] == "Fairly satisfied")][::2]
    old.loc[flip, "satisfied_council"] = "Fairly dissatisfied"
    old.to_csv(data / "survey" / "2023" / "responses.csv", index=False)
    out = tmp_path_factory.mktemp("out")
    proc = subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "run", "--data", str(data), "--quarter", "2024/25 Q2", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return data, out / "2024-25-Q2"


def test_survey_outputs_are_published_beside_the_performance_appendix(survey_run):
    _, folder = survey_run
    names = {p.name for p in folder.iterdir()}
    assert {
        "survey_demographics.ipynb",
        "survey_demographics.html",
        "survey_demographics.pdf",
        "survey_estimates.csv",
        "survey_estimates.xlsx",
        "survey_weighting.json",
        "quarterly_performance.html",
    } <= names
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["jobs"]) == {"quarterly_performance", "survey_demographics"}
    assert "survey/2024/responses.csv" in manifest["inputs"]["files"]
    assert "survey/2023/responses.csv" in manifest["inputs"]["files"]


def test_survey_estimates_csv_follows_the_contract(survey_run):
    _, folder = survey_run
    with open(folder / "survey_estimates.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[: len(ESTIMATE_COLUMNS)] == ESTIMATE_COLUMNS
    first = rows[0]
    assert (first["wave"], first["question"], first["breakdown"], first["group"]) == (
        "2024",
        "satisfied_council",
        "All",
        "All",
    )
    # the All estimate is the R reference value (tests/reference/survey_reference.csv)
    assert float(first["pct"]) == pytest.approx(51.114193544383937, rel=1e-6)
    assert float(first["se"]) == pytest.approx(3.0255423645215558, rel=1e-6)
    assert first["significant"] == "true"  # against the 2023 wave, with a tenth of respondents less satisfied
    small = [r for r in rows if r["suppressed"] == "true"]
    assert small and all(r["pct"] == r["se"] == r["ci_low"] == r["ci_high"] == "" and int(r["n"]) < 10 for r in small)
    assert {r["significant"] for r in rows} == {"true", "false"}


def test_survey_weighting_json_has_the_contract_keys(survey_run):
    _, folder = survey_run
    d = json.loads((folder / "survey_weighting.json").read_text())
    assert {"converged", "iterations", "n", "n_effective", "design_effect", "weight_min", "weight_max"} <= set(d)
    assert d["converged"] is True and d["n"] == 400
    assert d["design_effect"] == pytest.approx(d["n"] / d["n_effective"], rel=1e-5)
    # v2: a wave without a design has no clustering, and the Kish design effect under its v2 name
    assert d["design_effect_weighting"] == d["design_effect"]
    assert set(d["design_effect_clustering"].values()) == {1.0}
    groups = d["n_effective_by_group"]
    assert all(n is None or 0 < n <= d["n"] for by in groups.values() for n in by.values())


def test_no_respondent_level_data_reaches_any_output(survey_run):
    data, folder = survey_run
    responses = pd.read_csv(data / "survey" / "2024" / "responses.csv", dtype=str, keep_default_na=False)
    ids = list(responses["respondent_id"])
    comments = [c for c in responses["comments"].unique() if c]
    texts = {
        p.name: p.read_text(encoding="utf-8")
        for p in folder.iterdir()
        if p.suffix in (".html", ".ipynb", ".csv", ".json")
    }
    texts["survey_demographics.pdf"] = "\n".join(
        pg.extract_text() for pg in PdfReader(folder / "survey_demographics.pdf").pages
    )
    for name, text in texts.items():
        assert not any(i in text for i in ids[:50] + ids[-50:]), f"a respondent id is in {name}"
        assert not any(c in text for c in comments), f"a free-text answer is in {name}"


def test_suppressed_groups_are_withheld_in_the_appendix_too(survey_run):
    _, folder = survey_run
    html = (folder / "survey_demographics.html").read_text(encoding="utf-8")
    assert "Not shown: fewer than the minimum respondents" in html
    assert "Results are not shown for" in html and "Black or Black British (ethnicity)" in html
    assert "not shown because too few people answered" in html  # the chart's alt text
    assert "<script" not in html and 'lang="en-GB"' in html
