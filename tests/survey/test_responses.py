"""Reading survey waves: survey.toml, responses in three formats, population margins, wave choice."""

import datetime as dt
import shutil

import pandas as pd
import pytest

from perfkit.errors import DataValidationError
from perfkit.periods import parse_quarter
from perfkit.survey.config import find_waves, load_wave_config, waves_for_quarter
from perfkit.survey.responses import read_population, read_responses
from tests.support import FIXTURES

WAVE = FIXTURES / "survey_ref" / "wave"


@pytest.fixture
def wave_dir(tmp_path):
    target = tmp_path / "survey" / "2024"
    shutil.copytree(WAVE, target)
    return target


def _problems(fn, *args):
    with pytest.raises(DataValidationError) as info:
        fn(*args)
    return info.value.problems


def test_survey_toml_is_read(wave_dir):
    w = load_wave_config(wave_dir)
    assert (w.title, w.fieldwork_end, w.id, w.min_cell) == ("Reference wave", dt.date(2024, 7, 31), "respondent_id", 10)
    assert w.weight_by == ("age_band", "sex", "ward")
    assert [q.key for q in w.questions][:2] == ["satisfied_council", "value_for_money"]
    assert w.questions[0].exclude == ("Don't know",)
    assert w.population_source == "Census 2021"


def test_malformed_survey_toml_is_explained(wave_dir):
    (wave_dir / "survey.toml").write_text('title = "Unclosed\nfieldwork_end = 2024-07-31\n')
    (p,) = _problems(load_wave_config, wave_dir)
    assert p.file == "survey/2024/survey.toml" and "not valid TOML" in p.message


def test_missing_keys_in_survey_toml_are_all_named(wave_dir):
    (wave_dir / "survey.toml").write_text('title = "A wave"\nfieldwork_end = "July"\n')
    cols = {p.column for p in _problems(load_wave_config, wave_dir)}
    assert {"fieldwork_end", "id", "questions"} <= cols


def test_a_question_or_breakdown_missing_from_the_responses_is_named(wave_dir):
    text = (wave_dir / "survey.toml").read_text().replace('"ethnicity"]', '"ethnic_group"]')
    (wave_dir / "survey.toml").write_text(text)
    (p,) = _problems(read_responses, load_wave_config(wave_dir))
    assert (p.column, p.row) == ("ethnic_group", 1)
    assert "'ethnicity' may be meant" in p.fix


def test_duplicate_respondent_ids_are_named_with_their_rows(wave_dir):
    frame = pd.read_csv(wave_dir / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[5, "respondent_id"] = frame.loc[2, "respondent_id"]
    frame.to_csv(wave_dir / "responses.csv", index=False)
    (p,) = _problems(read_responses, load_wave_config(wave_dir))
    assert (p.row, p.column) == (7, "respondent_id") and "first on row 4" in p.message


def test_free_text_columns_are_dropped_on_reading(wave_dir):
    responses = read_responses(load_wave_config(wave_dir))
    assert "comments" not in responses.columns


def test_population_counts_are_normalised_and_bad_shares_refused(wave_dir):
    pop = pd.read_csv(wave_dir / "population.csv")
    pop["share"] = (pop["share"] * 123456).round()
    pop.to_csv(wave_dir / "population.csv", index=False)
    margins = read_population(load_wave_config(wave_dir))
    assert margins["sex"].sum() == pytest.approx(1.0)
    assert margins["sex"]["Female"] == pytest.approx(0.51, abs=1e-5)
    bad = pd.read_csv(WAVE / "population.csv")
    bad.loc[bad["variable"] == "ward", "share"] *= 0.9
    bad.to_csv(wave_dir / "population.csv", index=False)
    (p,) = _problems(read_population, load_wave_config(wave_dir))
    assert p.column == "share" and "The shares for ward add up to 0.900, not 1." == p.message


def test_xlsx_responses_give_the_same_table(wave_dir):
    frame = pd.read_csv(wave_dir / "responses.csv", dtype=str, keep_default_na=False)
    csv_table = read_responses(load_wave_config(wave_dir))
    (wave_dir / "responses.csv").unlink()
    frame.to_excel(wave_dir / "responses.xlsx", index=False)
    pd.testing.assert_frame_equal(read_responses(load_wave_config(wave_dir)), csv_table)


def test_a_quarter_uses_the_latest_wave_finished_by_its_end(tmp_path):
    for name, end in (("2023", "2023-07-31"), ("2024", "2024-07-31")):
        target = tmp_path / "survey" / name
        shutil.copytree(WAVE, target)
        toml = (target / "survey.toml").read_text().replace("fieldwork_end = 2024-07-31", f"fieldwork_end = {end}")
        (target / "survey.toml").write_text(toml)
    waves = find_waves(tmp_path)
    names = lambda q: tuple(w.name if w else None for w in waves_for_quarter(waves, parse_quarter(q)))  # noqa: E731
    assert names("2024/25 Q2") == ("2024", "2023")  # ends 30 Sep 2024, after the 2024 fieldwork
    assert names("2024/25 Q1") == ("2023", None)  # ends 30 Jun 2024, before it
    assert names("2023/24 Q1") == (None, None)  # before any wave
    assert names("2023/24 Q2") == ("2023", None)  # ends 30 Sep 2023
