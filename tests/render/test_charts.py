"""The trend chart takes a metric's definition straight from the register."""

import numpy as np
import pytest

import perfkit as pk


def test_trend_chart_accepts_the_registers_numpy_decimals(tiny_dir):
    reg = pk.load_register(tiny_dir)
    code = reg.code("a4")
    decimals = reg.metrics.loc[code, "decimals"]
    assert isinstance(decimals, np.int64)  # what the analyst trial passed, and what crashed
    hist = pk.assess_history(reg, pk.quarter_range("2024/25 Q1", "2024/25 Q2"), codes=[code])
    chart = pk.trend_chart(reg.metrics.loc[code, "title"], hist, reg.metrics.loc[code, "unit"], decimals, "A4")
    # A4 (days, lower is better, one decimal): 22.1 in Q1, 22.0 in Q2, target 20, tolerance 2 days: the
    # band within tolerance is above 20 up to 22 days
    assert chart.alt == (
        "Line chart of Average days to process benefit claims, 2024/25 Q1 to 2024/25 Q2: it fell from "
        "22.1 days in 2024/25 Q1 to 22.0 days in 2024/25 Q2, against a target of 20.0 days. The shaded band "
        "is the tolerance: a figure above 20.0 days up to 22.0 days is within tolerance."
    )
    assert chart.png.startswith(b"\x89PNG")
    assert chart.svg.startswith("<?xml")


def test_figure_shows_a_seaborn_grid_with_its_alt_text_once():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    import perfkit as pk

    data = pd.DataFrame(
        {"quarter": ["Q1", "Q2", "Q1", "Q2"], "red": [3, 5, 1, 0], "tier": ["plan"] * 2 + ["service"] * 2}
    )
    grid = sns.catplot(data, x="quarter", y="red", col="tier", kind="bar")
    assert plt.fignum_exists(grid.figure.number)
    chart = pk.figure(grid, alt="Exceptions by quarter: plan 3 then 5; service 1 then 0.", caption="Exceptions")
    # closed in pyplot, so Jupyter does not show it a second time without its text
    assert not plt.fignum_exists(grid.figure.number)
    html = chart._repr_html_()
    assert 'alt="Exceptions by quarter: plan 3 then 5; service 1 then 0."' in html
    assert "<figcaption>Exceptions</figcaption>" in html and chart.png.startswith(b"\x89PNG")
    # an Axes works as well as a figure
    _fig, ax = plt.subplots()
    assert pk.figure(ax, alt="Empty axes.").alt == "Empty axes."


@pytest.mark.parametrize("alt", ["", "   ", None])
def test_figure_refuses_a_chart_without_alt_text(alt):
    from matplotlib.figure import Figure

    import perfkit as pk

    with pytest.raises(pk.PerfkitError, match="needs alternative text"):
        pk.figure(Figure(), alt=alt)


def test_figure_refuses_what_is_not_a_figure():
    import perfkit as pk

    with pytest.raises(pk.PerfkitError, match="not DataFrame"):
        pk.figure(__import__("pandas").DataFrame(), alt="A table.")
