"""Looking up one published estimate by question and group, as people type them."""

import pytest

import perfkit as pk
from perfkit.errors import UnknownNameError
from tests.support import ROOT


@pytest.fixture(scope="module")
def srv():
    return pk.prepare_survey(ROOT / "data" / "demo", "2024/25 Q2")


# hyphen-minus, en dash (as Word types it), em dash, Unicode hyphen, minus sign
@pytest.mark.parametrize("group", ["16-34", "16\u201334", "16\u201434", "16\u201034", "16\u221234"])
def test_a_group_matches_whatever_dash_is_typed(srv, group):
    row = srv.estimate("satisfied_council", group)
    assert row[["breakdown", "group"]].values.tolist() == [["age_band", "16-34"]]
    assert row["n"].tolist() == [129]  # 16-34s in the 2024 wave who answered, "Don't know" left out


def test_a_question_matches_by_key_or_label_in_any_case(srv):
    by_key = srv.estimate("SATISFIED_COUNCIL", "all")
    by_label = srv.estimate("satisfied with the way the council runs things")
    assert by_key.equals(by_label)
    assert by_key[["breakdown", "group"]].values.tolist() == [["All", "All"]]


def test_an_unknown_name_says_what_was_meant(srv):
    with pytest.raises(UnknownNameError) as err:
        srv.estimate("satisfied_council", "16 to 34")
    assert str(err.value) == "There is no survey group '16 to 34'. Did you mean 16-34?"
    with pytest.raises(UnknownNameError) as err:
        srv.estimate("satisfied_counsil")
    # both keys share "satisfied_" with the typo: difflib's similarity is 0.94 and 0.65, over the 0.6 cut-off
    assert str(err.value) == (
        "There is no survey question 'satisfied_counsil'. Did you mean satisfied_council or satisfied_area?"
    )
    # "age" is too short beside "age_band" for a suggestion (similarity 2×3/11 = 0.55), so every breakdown is listed
    with pytest.raises(UnknownNameError) as err:
        srv.estimate("satisfied_council", "16-34", breakdown="age")
    assert str(err.value) == (
        "There is no survey breakdown 'age'. Known: All, age_band, sex, ward, disability, ethnicity."
    )
