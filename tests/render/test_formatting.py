"""Numbers as the report prints them, from plain or numpy values."""

import numpy as np

from perfkit.render.formatting import format_value


def test_a_metric_row_of_the_register_can_be_passed_as_it_is(tiny_dir):
    import perfkit as pk

    m = pk.load_register(tiny_dir).metrics.loc["A4"]  # days, one decimal, held as numpy.int64
    assert isinstance(m["decimals"], np.integer)
    assert format_value(np.float64(22.05), m["unit"], m["decimals"]) == "22.1 days"  # half away from zero
    assert format_value(1, "days", np.int64(0)) == "1 day"


def test_numpy_numbers_and_missing_values():
    assert format_value(np.int64(1200), "currency", np.int64(0)) == "£1,200"
    assert format_value(np.float64(-3.25), "currency", np.int64(1)) == "-£3.3"
    assert format_value(np.float32("nan"), "percent", 1) == "–"
    assert format_value(None, "percent", 1) == "–"
