import pytest

from perfkit.data.typed_cells import Tolerance, parse_number, parse_tolerance, parse_yes_no
from perfkit.errors import CellError
from perfkit.rounding import round_half_up


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12", 12.0),
        (" -3.5 ", -3.5),
        ("1,234.5", 1234.5),
        ("95%", 95.0),
        ("£1,200", 1200.0),
        ("(4)", -4.0),
        (".5", 0.5),
        ("1e3", 1000.0),
    ],
)
def test_numbers_as_people_type_them(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text, words", [("12,5", "decimal point"), ("twelve", "not a number"), ("inf", "not")])
def test_numbers_that_are_refused(text, words):
    with pytest.raises(CellError, match=words):
        parse_number(text)


def test_tolerance_is_an_amount_or_a_share_of_the_target():
    assert parse_tolerance("2") == Tolerance(2.0, False)
    assert parse_tolerance("5%") == Tolerance(0.05, True)
    assert parse_tolerance("5%").width(95) == pytest.approx(4.75)
    assert parse_tolerance("5%").width(-40) == pytest.approx(2.0)
    assert parse_tolerance(" ") is None
    with pytest.raises(CellError, match="not a tolerance"):
        parse_tolerance("about 2")


def test_yes_no():
    assert parse_yes_no("Yes") is True
    assert parse_yes_no("") is False
    with pytest.raises(CellError):
        parse_yes_no("maybe")


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (96.96, 1, 97.0),
        (96.95, 1, 97.0),
        (96.94, 1, 96.9),
        (2.675, 2, 2.68),
        (-2.5, 0, -3.0),
        (0.5, 0, 1.0),
        (84.25, 1, 84.3),
        (12.0, 0, 12.0),
    ],
)
def test_rounding_is_half_away_from_zero_like_excel(value, decimals, expected):
    # Python's round() gives 96.9 for 96.95 and 2.67 for 2.675; Excel's ROUND gives 97.0 and 2.68.
    assert round_half_up(value, decimals) == expected
