"""Rounding half away from zero, whatever kind of number the register hands over."""

import math

import numpy as np
import pytest

from perfkit.rounding import places, round_half_up


def test_numpy_decimals_as_the_register_stores_them_are_accepted():
    # 96.95 is held as 96.9499999…; Excel's ROUND, and the report, give 97.0
    assert round_half_up(96.95, np.int64(1)) == 97.0
    assert round_half_up(2.345, np.int32(2)) == 2.35
    assert round_half_up(-2.5, np.int64(0)) == -3.0


def test_numpy_values_are_accepted_and_a_missing_one_stays_missing():
    assert round_half_up(np.float64(84.25), 1) == 84.3
    assert round_half_up(np.int64(3215), 0) == 3215.0
    assert round_half_up(np.float32(0.5), np.int64(0)) == 1.0  # 0.5 is exact in float32
    assert math.isnan(round_half_up(np.float32("nan"), 1))
    assert math.isnan(round_half_up(None, 1))


def test_whole_floats_count_as_places_and_anything_else_is_refused_with_what_was_given():
    assert places(1.0) == 1 and places(np.float64(2.0)) == 2 and places(np.int16(3)) == 3
    with pytest.raises(TypeError, match=r"decimals must be a whole number of decimal places \(such as 1\), not 1.5"):
        round_half_up(84.25, 1.5)
    with pytest.raises(TypeError, match="not '1'"):
        places("1")
