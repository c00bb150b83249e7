import math

import pytest

from perfkit.data.limits import MAX_MAGNITUDE, check_magnitude, check_year
from perfkit.errors import CellError


@pytest.mark.parametrize("start", [1990, 2024, 2099])
def test_years_from_1990_91_to_2099_00_are_accepted(start):
    check_year(start)


@pytest.mark.parametrize(
    "start, suggestion",
    [
        (2204, "Did you mean 2024/25? "),  # two neighbouring digits swapped
        (2205, "Did you mean 2025/26? "),
        (1989, "Did you mean 1998/99? "),  # swaps give 9189, 1898 and 1998: only 1998 is in range
        (2100, "Did you mean 2010/11? "),  # 1200, 2010 and 2100
        (9999, ""),
        (1099, ""),  # 0199 is not a year; 1909 and 1090 are out of range
    ],
)
def test_a_year_out_of_range_is_refused_with_the_year_probably_meant(start, suggestion):
    with pytest.raises(CellError) as info:
        check_year(start)
    label = f"{start}/{(start + 1) % 100:02d}"
    assert info.value.message == f"'{label}' is outside the years perfkit accepts (1990/91 to 2099/00)."
    assert info.value.fix == f"{suggestion}Check the year for a typing slip."


@pytest.mark.parametrize("value", [0.0, -3.5, MAX_MAGNITUDE, -MAX_MAGNITUDE, 999_999_999_999_999.0])
def test_ordinary_figures_pass(value):
    check_magnitude(value, str(value))


@pytest.mark.parametrize(
    "value, words",
    [
        (math.inf, "is not a finite number"),
        (-math.inf, "is not a finite number"),
        (math.nan, "is not a finite number"),
        (math.nextafter(MAX_MAGNITUDE, math.inf), r"is beyond ±10\^15"),
        (-2e15, r"is beyond ±10\^15"),
    ],
)
def test_figures_that_cannot_be_in_a_register_are_refused(value, words):
    with pytest.raises(CellError, match=words):
        check_magnitude(value, "typed")
