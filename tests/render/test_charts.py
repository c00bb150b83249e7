"""The trend chart takes a metric's definition straight from the register."""

import numpy as np

import perfkit as pk


def test_trend_chart_accepts_the_registers_numpy_decimals(tiny_dir):
    reg = pk.load_register(tiny_dir)
    code = reg.code("a4")
    decimals = reg.metrics.loc[code, "decimals"]
    assert isinstance(decimals, np.int64)  # what the analyst trial passed, and what crashed
    hist = pk.assess_history(reg, pk.quarter_range("2024/25 Q1", "2024/25 Q2"), codes=[code])
    chart = pk.trend_chart(reg.metrics.loc[code, "title"], hist, reg.metrics.loc[code, "unit"], decimals, "A4")
    # A4 (days, lower is better, one decimal): 22.1 in Q1, 22.0 in Q2, target 20
    assert chart.alt == (
        "Line chart of Average days to process benefit claims, 2024/25 Q1 to 2024/25 Q2: it fell from "
        "22.1 days in 2024/25 Q1 to 22.0 days in 2024/25 Q2, against a target of 20.0 days."
    )
    assert chart.png.startswith(b"\x89PNG")
