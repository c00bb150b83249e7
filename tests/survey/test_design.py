"""survey.toml's design keys (DESIGN §5, Designs v2): reading them, and refusing designs R would refuse."""

import shutil

import pandas as pd
import pytest

from perfkit.errors import DataValidationError
from perfkit.survey.analysis import analyse_wave
from perfkit.survey.config import WAVE_KEYS, load_wave_config
from tests.support import FIXTURES

DESIGNS = FIXTURES / "survey_design"
LABEL = "survey/wave/responses.csv"


@pytest.fixture
def wave_dir(tmp_path):
    """The stratified cluster fixture: 183 schools in 15 districts (clusters), 2 regions (strata)."""
    target = tmp_path / "wave"
    shutil.copytree(DESIGNS / "stratified_cluster", target)
    return target


def _edit_toml(folder, old, new):
    path = folder / "survey.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _edit_responses(folder, change):
    path = folder / "responses.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame)
    frame.to_csv(path, index=False)


def _problems(folder):
    with pytest.raises(DataValidationError) as info:
        analyse_wave(load_wave_config(folder))
    return info.value.problems


def test_design_keys_are_read_and_known():
    assert {"weight", "strata", "cluster", "fpc", "variance"} <= set(WAVE_KEYS)
    wave = load_wave_config(DESIGNS / "raked")
    assert (wave.weight, wave.strata, wave.cluster, wave.fpc, wave.variance) == ("pw", "stype", "", "fpc", "raked")
    assert not wave.warnings  # no key reported as unknown
    plain = load_wave_config(FIXTURES / "survey_ref" / "wave")
    assert (plain.weight, plain.strata, plain.cluster, plain.fpc, plain.variance) == ("", "", "", "", "fixed")
    assert not plain.has_design and plain.needs_population


def test_a_bad_variance_or_raked_variance_without_raking_is_named(wave_dir):
    _edit_toml(wave_dir, 'cluster = "dnum"', 'cluster = "dnum"\nvariance = "robust"')
    with pytest.raises(DataValidationError) as info:
        load_wave_config(wave_dir)
    (p,) = info.value.problems
    assert p.column == "variance" and '"robust"' in p.message and p.file.endswith("survey.toml")
    _edit_toml(wave_dir, 'variance = "robust"', 'variance = "raked"')
    with pytest.raises(DataValidationError) as info:
        load_wave_config(wave_dir)
    assert "weight_by is empty" in info.value.problems[0].message


def test_two_design_keys_naming_one_column_are_refused(wave_dir):
    _edit_toml(wave_dir, 'strata = "region"', 'strata = "dnum"')
    with pytest.raises(DataValidationError) as info:
        load_wave_config(wave_dir)
    assert "strata and cluster both name the column 'dnum'" in info.value.problems[0].message


def test_a_design_column_missing_from_the_responses_is_named(wave_dir):
    _edit_toml(wave_dir, 'weight = "pw"', 'weight = "final_weight"')
    (p,) = _problems(wave_dir)
    assert (p.file, p.row, p.column) == (LABEL, 1, "final_weight") and "(design)" in p.message


def test_non_positive_or_non_numeric_weights_are_named_by_row(wave_dir):
    def change(frame):
        frame.loc[4, "pw"] = "0"
        frame.loc[9, "pw"] = "-3.2"
        frame.loc[11, "pw"] = "n/a"

    _edit_responses(wave_dir, change)
    problems = _problems(wave_dir)
    assert [(p.file, p.row, p.column) for p in problems] == [(LABEL, 6, "pw"), (LABEL, 11, "pw"), (LABEL, 13, "pw")]
    assert "above 0" in problems[0].message and "-3.2" in problems[1].message


def test_a_stratum_with_one_cluster_is_named(wave_dir):
    # move every school of the South region but those of one district to the North
    frame = pd.read_csv(wave_dir / "responses.csv", dtype=str, keep_default_na=False)
    south = frame.loc[frame["region"] == "South", "dnum"].unique()
    lonely = south[0]
    _edit_responses(
        wave_dir, lambda f: f.__setitem__("region", f["dnum"].map(lambda d: "South" if d == lonely else "North"))
    )
    (p,) = _problems(wave_dir)
    first = int(frame.index[frame["dnum"] == lonely][0]) + 2
    assert (p.file, p.row, p.column) == (LABEL, first, "region")
    assert "'South'" in p.message and "only one cluster" in p.message and "lonely" in p.message


def test_a_cluster_split_across_strata_is_named(wave_dir):
    frame = pd.read_csv(wave_dir / "responses.csv", dtype=str, keep_default_na=False)
    district = frame["dnum"].iloc[0]
    rows = frame.index[frame["dnum"] == district]
    _edit_responses(wave_dir, lambda f: f.__setitem__("region", f["region"].where(f.index != rows[1], "Elsewhere")))
    (p,) = _problems(wave_dir)
    assert (p.file, p.row, p.column) == (LABEL, int(rows[1]) + 2, "dnum")
    assert f"cluster '{district}'" in p.message and f"row {int(rows[0]) + 2}" in p.message


def test_an_fpc_smaller_than_the_sample_is_named(wave_dir):
    _edit_toml(wave_dir, 'cluster = "dnum"', 'cluster = "dnum"\nfpc = "fpc"')
    # the North region has 9 sampled districts: a population of 8 is impossible
    _edit_responses(wave_dir, lambda f: f.__setitem__("fpc", f["region"].map({"North": "8", "South": "300"})))
    (p,) = _problems(wave_dir)
    frame = pd.read_csv(wave_dir / "responses.csv", dtype=str)
    assert (p.file, p.row, p.column) == (LABEL, int(frame.index[frame["region"] == "North"][0]) + 2, "fpc")
    assert "fewer than the 9 clusters sampled" in p.message and "'North'" in p.message


def test_an_fpc_that_varies_within_a_stratum_is_named(wave_dir):
    _edit_toml(wave_dir, 'cluster = "dnum"', 'cluster = "dnum"\nfpc = "fpc"')
    _edit_responses(wave_dir, lambda f: f.__setitem__("fpc", ["400"] * 5 + ["401"] + ["400"] * (len(f) - 6)))
    (p,) = _problems(wave_dir)
    assert (p.file, p.column) == (LABEL, "fpc") and "must be the same for every respondent of a stratum" in p.message


def test_agency_weights_need_no_population_file(wave_dir):
    assert not (wave_dir / "population.csv").exists()
    result = analyse_wave(load_wave_config(wave_dir))
    assert result.margins == {} and result.design is not None


def _analysis(folder):
    from perfkit.periods import parse_quarter
    from perfkit.survey.analysis import SurveyAnalysis
    from perfkit.survey.estimates import compare_waves

    current = analyse_wave(load_wave_config(folder))
    return SurveyAnalysis(parse_quarter("2024/25 Q2"), current, None, compare_waves(current.estimates, None))


def test_method_notes_say_which_design_was_used_in_plain_words():
    from perfkit.survey import report

    notes = str(report.method_notes(_analysis(DESIGNS / "stratified_cluster")))
    assert "final weights (pw) were used as delivered" in notes
    assert "drawn separately in 2 groups (region, the strata)" in notes
    assert "sampled in 15 clusters (dnum" in notes
    assert "svydesign(ids = ~dnum, strata = ~region, weights = ~pw)" in notes
    raked = str(report.method_notes(_analysis(DESIGNS / "raked")))
    assert "started from the survey agency's design weights (pw)" in raked
    assert "finite population correction" in raked and "allow for the weighting to the population" in raked
    assert "then rake(), with standard errors from the raked design" in raked
    # the agency's weights, not raking, are described in the weighting section
    assert "used as delivered" in str(report.weighting(_analysis(DESIGNS / "cluster")))


def test_a_wave_without_a_design_has_no_design_note():
    from perfkit.survey.report import design_note

    wave = load_wave_config(FIXTURES / "survey_ref" / "wave")
    assert design_note(wave, None) == ""


def test_perfkit_validate_reports_design_problems(tmp_path):
    from perfkit.validate import _survey_problems

    wave = tmp_path / "survey" / "2024"
    shutil.copytree(DESIGNS / "stratified_cluster", wave)
    _edit_responses(wave, lambda f: f.__setitem__("pw", ["-1", *list(f["pw"].iloc[1:])]))
    problems, names = _survey_problems(tmp_path)
    assert names == ["2024"]
    assert [(p.file, p.row, p.column) for p in problems] == [("survey/2024/responses.csv", 2, "pw")]
    clean = tmp_path / "clean"
    shutil.copytree(DESIGNS / "stratified_cluster", clean / "survey" / "2024")
    assert _survey_problems(clean)[0] == []
