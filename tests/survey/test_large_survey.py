"""A survey of many questions: the generated wave reads and validates, and the appendix turns compact."""

import shutil

import pytest

from perfkit.survey import report
from perfkit.survey.analysis import survey_for_quarter
from perfkit.validate import validate_folder
from tests.support import FIXTURES
from tests.support.generate import make_survey_wave


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """45 questions (just above the 40 shown in full) and 600 respondents, with the tiny register."""
    data = tmp_path_factory.mktemp("data") / "council"
    shutil.copytree(FIXTURES / "tiny", data)
    make_survey_wave(data / "survey" / "2024", n_questions=45, n_respondents=600)
    return data, survey_for_quarter(data, "2024/25 Q2")


def test_the_generated_wave_is_valid_and_has_a_row_per_question_and_group(large):
    data, rep = large
    assert validate_folder(data).ok
    # 45 questions × (All + 4 age bands + 2 sexes + 20 wards + 3 disability answers)
    assert len(rep.estimates) == 45 * (1 + 4 + 2 + 20 + 3)


def test_key_findings_of_a_large_survey_are_a_table_without_a_chart(large):
    _, rep = large
    html = str(report.key_findings(rep))
    assert html.count("<tr") == 45 + 1  # a header row and one row per question
    assert "<img" not in html
    assert "This survey has 45 questions, so the key findings are shown without a chart" in html


def test_by_group_of_a_large_survey_lists_only_the_significant_groups(large):
    _, rep = large
    groups = rep.by_group()
    html = str(report.by_group(rep, groups))
    assert "<img" not in html
    assert "this section lists only the groups whose results differ significantly from other residents'" in html
    shown = groups[groups["significant_vs_rest"] & ~groups["suppressed"]]
    assert 0 < len(shown) < len(groups)
    assert html.count("<tr") == len(shown) + 1
    assert "Significantly higher" in html or "Significantly lower" in html
    assert "No significant difference" not in html


def test_a_selection_of_questions_is_shown_in_full_with_charts(large):
    _, rep = large
    groups = rep.by_group()
    html = str(report.by_group(rep, groups[groups["question"].isin(["q3"])]))
    assert "<h3>Benchmark question 3</h3>" in html
    assert html.count("<img") == 1
    assert html.count("<tr") == 29 + 1  # every group of the four breakdowns, with a header row
    assert "This survey has" not in html


def test_the_summary_of_a_large_survey_has_a_sentence_for_every_question(large):
    _, rep = large
    text = str(report.narrative(rep))
    assert "600 residents responded" in text
    # the generated questions have no statement, so each sentence quotes the label
    assert all(f"answered positively to “Benchmark question {i}”" in text for i in range(45))
