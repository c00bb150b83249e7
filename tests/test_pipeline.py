"""Choosing the quarters of a run (pk.run and perfkit run)."""

import warnings

import pytest

import perfkit as pk
from perfkit.pipeline import select_quarters


def test_a_quarter_after_the_data_is_run_with_a_warning_naming_the_latest(tiny_dir):
    reg = pk.load_register(tiny_dir)  # latest figures: 2024/25 Q2
    with pytest.warns(UserWarning) as caught:
        chosen = select_quarters(reg, "2025/26 Q1")
    assert chosen == [pk.Quarter(2025, 1)]
    assert [str(w.message) for w in caught] == [
        "2025/26 Q1 is after the latest quarter with figures (2024/25 Q2): every metric due then will show 'no data'."
    ]
    with pytest.warns(UserWarning, match=r"^2024/25 Q3 is after the latest quarter with figures \(2024/25 Q2\)"):
        assert len(select_quarters(reg, first="2024/25 Q1", last="2024/25 Q4")) == 4


def test_quarters_with_figures_are_chosen_silently(tiny_dir):
    reg = pk.load_register(tiny_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert select_quarters(reg) == [pk.Quarter(2024, 2)]
        # tiny has figures in 2023/24 Q2, 2023/24 Q4, 2024/25 Q1 and Q2: --all runs the whole span
        assert [q.label for q in select_quarters(reg, all_quarters=True)] == [
            "2023/24 Q2",
            "2023/24 Q3",
            "2023/24 Q4",
            "2024/25 Q1",
            "2024/25 Q2",
        ]
