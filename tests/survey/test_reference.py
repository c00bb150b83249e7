"""perfkit's survey method against R's survey package.

Reference values were produced by tests/reference/survey_reference.R (R 4.2.2,
survey 4.1.1) from tests/fixtures/survey_ref/ and are stored as CSV, so CI
needs no R. Tolerances are those of the issue: 1e-6 relative on % and SE,
1e-4 percentage points on the CI bounds.
"""

import dataclasses
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from perfkit.survey.config import load_wave_config
from perfkit.survey.estimates import estimate_wave
from perfkit.survey.responses import read_population, read_responses
from perfkit.survey.weighting import rake
from tests.support import FIXTURES, ROOT

REF = ROOT / "tests" / "reference"
WAVE = FIXTURES / "survey_ref" / "wave"


@pytest.fixture(scope="module")
def wave():
    return load_wave_config(WAVE)


@pytest.fixture(scope="module")
def weighted(wave):
    responses = read_responses(wave)
    margins = read_population(wave)
    return responses, margins, rake(responses, margins, list(wave.weight_by))


@pytest.fixture(scope="module")
def reference():
    return pd.read_csv(REF / "survey_reference.csv", keep_default_na=True)


def _ours(wave, responses, margins, weights):
    # min_cell = 1 so that small groups can be compared with R too; suppression is tested separately
    frame, _ = estimate_wave(responses, weights, dataclasses.replace(wave, min_cell=1), margins)
    return frame


def test_raked_weights_match_r_rake(weighted):
    responses, _, result = weighted
    ref = pd.read_csv(REF / "survey_reference_weights.csv")
    assert list(ref["respondent_id"]) == list(responses["respondent_id"])
    rel = np.abs(result.weights - ref["weight"].to_numpy()) / ref["weight"].to_numpy()
    assert rel.max() < 1e-6, rel.max()
    assert result.converged


def test_estimates_match_r_svymean_and_svyciprop(wave, weighted, reference):
    responses, margins, result = weighted
    ours = _ours(wave, responses, margins, result.weights)
    merged = reference.merge(ours, on=["question", "breakdown", "group"], suffixes=("_r", ""), validate="1:1")
    assert len(merged) == len(reference) == len(ours)
    assert (merged["n_r"] == merged["n"]).all()
    ok = merged["pct_r"].notna()
    rel = lambda a, b: (np.abs(a - b) / np.abs(b)).max()  # noqa: E731
    assert rel(merged.loc[ok, "pct"], merged.loc[ok, "pct_r"]) < 1e-6
    assert rel(merged.loc[ok, "se"], merged.loc[ok, "se_r"]) < 1e-6
    finite = ok & merged["ci_high_r"].notna()
    assert (merged.loc[finite, "ci_low"] - merged.loc[finite, "ci_low_r"]).abs().max() < 1e-4
    assert (merged.loc[finite, "ci_high"] - merged.loc[finite, "ci_high_r"]).abs().max() < 1e-4
    # small groups are included: the fixture has groups of 2 and 3 respondents
    assert (merged.loc[finite, "n"] < 10).any()


def test_group_against_rest_matches_r_svyttest(wave, weighted, reference):
    responses, margins, result = weighted
    ours = _ours(wave, responses, margins, result.weights)
    merged = reference.merge(ours, on=["question", "breakdown", "group"], suffixes=("_r", ""))
    ok = merged["p_vs_rest_r"].notna() & (merged["n"] >= 3)
    rel = (merged.loc[ok, "p_vs_rest"] - merged.loc[ok, "p_vs_rest_r"]).abs() / merged.loc[ok, "p_vs_rest_r"]
    assert ok.sum() > 80 and rel.max() < 1e-6


def test_dont_know_and_blank_answers_are_outside_the_base(wave, weighted, reference):
    responses, _, _ = weighted
    answers = responses["satisfied_council"]
    expected = int((~answers.isin(["", "Don't know"])).sum())
    assert (answers == "Don't know").sum() > 0 and (answers == "").sum() > 0
    row = reference.query("question == 'satisfied_council' and breakdown == 'All'").iloc[0]
    assert row["n"] == expected


def test_groups_below_min_cell_are_suppressed_everywhere_in_the_table(wave, weighted, reference):
    responses, margins, result = weighted
    frame, _ = estimate_wave(responses, result.weights, wave, margins)
    small = frame["n"] < wave.min_cell
    assert small.any()
    assert frame.loc[small, ["pct", "se", "ci_low", "ci_high", "p_vs_rest"]].isna().all().all()
    assert frame.loc[small, "suppressed"].all() and not frame.loc[~small, "suppressed"].any()
    assert not frame.loc[small, "significant_vs_rest"].any()


def test_sav_with_value_labels_gives_identical_results_to_csv(wave, tmp_path):
    sav_wave = tmp_path / "wave"
    shutil.copytree(WAVE, sav_wave)
    (sav_wave / "responses.csv").unlink()
    shutil.copy(FIXTURES / "survey_ref" / "responses.sav", sav_wave / "responses.sav")
    results = []
    for folder in (WAVE, sav_wave):
        w = load_wave_config(folder)
        responses = read_responses(w)
        margins = read_population(w)
        weights = rake(responses, margins, list(w.weight_by)).weights
        results.append((responses, estimate_wave(responses, weights, w, margins)[0]))
    assert results[1][1]["wave"].iloc[0] == "wave"
    pd.testing.assert_frame_equal(results[0][0], results[1][0])
    pd.testing.assert_frame_equal(results[0][1], results[1][1])


def test_r_script_uses_the_questions_of_the_fixture(wave):
    script = (REF / "survey_reference.R").read_text()
    keys = re.findall(r"^\s+(\w+)\s*= list\(pos = c\(([^)]*)\)", script, re.MULTILINE)
    assert [k for k, _ in keys] == [q.key for q in wave.questions]
    for (key, pos), q in zip(keys, wave.questions, strict=True):
        assert re.findall(r'"([^"]+)"', pos) == list(q.positive), key


def test_standard_errors_allowing_for_raking_match_r_rake_design(wave, weighted, reference):
    responses, margins, result = weighted
    ours = _ours(wave, responses, margins, result.weights)
    merged = reference.merge(ours, on=["question", "breakdown", "group"], suffixes=("_r", ""))
    ok = merged["se_raked_r"].notna() & (merged["se_raked_r"] > 0)
    rel = (merged.loc[ok, "se_raked"] - merged.loc[ok, "se_raked_r"]).abs() / merged.loc[ok, "se_raked_r"]
    assert ok.sum() > 90 and rel.max() < 1e-6
    # raking to age, sex and ward removes the variation they explain: the All SEs shrink
    all_rows = merged[merged["breakdown"] == "All"]
    assert (all_rows["se_raked"] != all_rows["se"]).all()
