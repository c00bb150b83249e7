"""A job's key follows what its appendix reads of the register: up to its own quarter, by content, not by layout."""

import shutil

import pytest

from perfkit.batch.cache import register_digest
from perfkit.data.register import load_register
from perfkit.periods import Quarter

Q1, Q2 = Quarter(2024, 1), Quarter(2024, 2)


@pytest.fixture
def folder(tiny_dir, tmp_path):
    return shutil.copytree(tiny_dir, tmp_path / "data")


def _digests(folder):
    register = load_register(folder)
    return register_digest(register, Q1), register_digest(register, Q2)


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_same_data_gives_the_same_digest_in_another_load(folder):
    assert _digests(folder) == _digests(folder)


def test_a_figure_restated_in_q2_changes_q2_and_leaves_q1(folder):
    q1, q2 = _digests(folder)
    _edit(folder / "actuals.csv", "A1,2024/25 Q2,84.3,", "A1,2024/25 Q2,84.4,")
    after_q1, after_q2 = _digests(folder)
    assert after_q1 == q1
    assert after_q2["actuals"] != q2["actuals"] and {k: v for k, v in after_q2.items() if k != "actuals"} == {
        k: v for k, v in q2.items() if k != "actuals"
    }


def test_a_commentary_changed_in_q1_changes_q1_and_q2(folder):
    q1, q2 = _digests(folder)
    _edit(folder / "actuals.csv", "Staff shortages in the complaints team.", "Staff shortages in the complaints team!")
    after_q1, after_q2 = _digests(folder)
    assert after_q1["actuals"] != q1["actuals"] and after_q2["actuals"] != q2["actuals"]


def test_rows_in_another_order_or_a_figure_written_differently_change_nothing(folder):
    before = _digests(folder)
    path = folder / "actuals.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")
    _edit(path, "A1,2024/25 Q1,80,", "A1,2024/25 Q1,80.00,")  # the same number
    assert _digests(folder) == before


def test_a_metric_title_changed_changes_every_quarter_and_spaces_around_a_cell_do_not(folder):
    q1, q2 = _digests(folder)
    _edit(folder / "metrics.csv", "% of complaints answered within", "% of complaints resolved within")
    after_q1, after_q2 = _digests(folder)
    assert after_q1["metrics"] != q1["metrics"] and after_q2["metrics"] != q2["metrics"]
    _edit(folder / "metrics.csv", "A1,", "A1, ")  # the loader reads a cell without its surrounding spaces
    assert _digests(folder) == (after_q1, after_q2)


def test_a_target_changed_changes_the_quarters_of_its_year_and_not_an_earlier_year(folder):
    register = load_register(folder)
    earlier = register_digest(register, Quarter(2023, 2))
    q1, q2 = _digests(folder)
    _edit(folder / "targets.csv", "A1,2024/25,,95", "A1,2024/25,,96")
    register = load_register(folder)
    assert register_digest(register, Quarter(2023, 2)) == earlier
    after_q1, after_q2 = _digests(folder)
    assert after_q1["targets"] != q1["targets"] and after_q2["targets"] != q2["targets"]
    # a target set for next year is read by no appendix of this one
    with open(folder / "targets.csv", "a", encoding="utf-8") as f:
        f.write("A1,2025/26,,97\n")
    assert _digests(folder) == (after_q1, after_q2)


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("actuals.csv", "A5,2024/25 Q2,,18,36,", "A5,2024/25 Q2,,19,36,"),  # a numerator
        ("actuals.csv", "A4,2024/25 Q2,22.0,", "A4,2024/25 Q2,-0,"),  # printed as -0.0 ...
        ("metrics.csv", "days,lower,target,quarterly,2,", "days,lower,target,quarterly,1.9999999,"),  # A4 now red
    ],
    ids=["numerator", "zero-signed", "tolerance-beyond-six-figures"],
)
def test_every_change_an_appendix_can_show_changes_the_digest(folder, file, old, new):
    _, q2 = _digests(folder)
    _edit(folder / file, old, new)
    _, changed = _digests(folder)
    assert changed != q2
    if new.startswith("A4,2024/25 Q2,-0"):  # ... and -0 and 0 are told apart, as the report tells them
        _edit(folder / file, new, "A4,2024/25 Q2,0,")
        assert _digests(folder)[1] != changed
