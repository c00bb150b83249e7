"""Choosing the quarters of a run (pk.run and perfkit run), and how often a run loads the register."""

import shutil
import warnings

import pytest

import perfkit as pk
import perfkit.batch.execute
import perfkit.data.register
from perfkit.data.register import load_register
from perfkit.errors import PeriodError
from perfkit.pipeline import MAX_QUARTERS_AHEAD, run, select_quarters
from tests.support.notebooks import write_notebook


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
        # tiny has figures in 2023/24 Q2, 2023/24 Q4, 2024/25 Q1 and Q2: --all runs those, not the gap
        # (a typo'd or restated old figure must not plan every quarter in between)
        assert [q.label for q in select_quarters(reg, all_quarters=True)] == [
            "2023/24 Q2",
            "2023/24 Q4",
            "2024/25 Q1",
            "2024/25 Q2",
        ]


@pytest.fixture
def register(tiny_dir):
    return load_register(tiny_dir)  # actuals in 2023/24 Q2 and Q4, 2024/25 Q1 and Q2: Q3 is a gap


def labels(quarters):
    return [q.label for q in quarters]


def test_the_default_is_the_latest_quarter_and_a_range_is_every_quarter(register):
    assert labels(select_quarters(register)) == ["2024/25 Q2"]
    assert labels(select_quarters(register, first="2023/24 Q4", last="2024/25 Q2")) == [
        "2023/24 Q4",
        "2024/25 Q1",
        "2024/25 Q2",
    ]


def test_quarters_ahead_of_the_data(register):
    with pytest.warns(UserWarning):
        assert labels(select_quarters(register, "2025/26 Q2")) == ["2025/26 Q2"]  # four ahead
    assert MAX_QUARTERS_AHEAD == 4
    with pytest.raises(PeriodError) as info:
        select_quarters(register, first="2024/25 Q1", last="2034/35 Q1")
    assert info.value.message == (
        "2034/35 Q1 is 39 quarters after the latest quarter with figures (2024/25 Q2): "
        "a run reports at most 4 quarters ahead of the data."
    )


@pytest.mark.parametrize("given", ["2204/05 Q1", "Q4 9999/00", "1900/01 Q1"])
def test_an_implausible_year_is_refused_before_anything_is_planned(register, given):
    with pytest.raises(PeriodError, match="is outside the years perfkit accepts"):
        select_quarters(register, given)
    with pytest.raises(PeriodError, match="is outside the years perfkit accepts"):
        select_quarters(register, first="2024/25 Q1", last=given)


def test_a_run_loads_the_register_once_in_this_process(tiny_dir, tmp_path, monkeypatch):
    """Validation loads it; the job run here uses that load (its kernel, another process, loads its own)."""
    data = tmp_path / "data"
    shutil.copytree(tiny_dir, data)
    nb = tmp_path / "briefing.ipynb"
    write_notebook(nb, parameters="quarter = None\ndata_dir = None")
    loads = []

    def counted(folder):
        loads.append(folder)
        return load_register(folder)

    monkeypatch.setattr(perfkit.data.register, "load_register", counted)  # as validation loads it
    monkeypatch.setattr(perfkit.batch.execute, "load_register", counted)
    summary = run(data, "2024/25 Q2", out=tmp_path / "out", formats=(), notebooks=[nb])
    assert len(summary.ran) == 1 and not summary.failed
    assert len(loads) == 1
