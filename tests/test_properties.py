"""Property-based tests: the hand-typed-cell parsers never fail in any way but a clear message."""

from hypothesis import given, settings
from hypothesis import strategies as st

from perfkit.data.typed_cells import parse_number, parse_tolerance
from perfkit.errors import CellError, PeriodError
from perfkit.periods import parse_quarter

# Text biased towards what people type in period and number cells.
typed = st.text(alphabet=st.sampled_from(list("0123456789/-_ Qq.,%£()eE+naN\t\u00a0–")) | st.characters(), max_size=24)


@settings(max_examples=500, deadline=None)
@given(typed)
def test_period_parser_either_parses_canonically_or_explains(text):
    try:
        q = parse_quarter(text)
    except PeriodError as exc:
        assert str(exc)
    else:
        assert parse_quarter(q.label) == q and parse_quarter(q.slug) == q


@settings(max_examples=500, deadline=None)
@given(typed)
def test_number_parser_either_parses_or_explains(text):
    try:
        value = parse_number(text)
    except CellError as exc:
        assert exc.message and exc.fix
    else:
        assert value == value  # never NaN


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1900, max_value=2200), st.integers(min_value=1, max_value=4))
def test_every_real_quarter_round_trips_through_all_spellings(year, number):
    short = f"{(year + 1) % 100:02d}"
    spellings = [
        f"{year}/{short} Q{number}",
        f"{year}-{short}-Q{number}",
        f"Q{number} {year}/{short}",
        f"{year}/{year + 1} Q{number}",
    ]
    parsed = {parse_quarter(s) for s in spellings}
    assert len(parsed) == 1
    (q,) = parsed
    assert (q.start_year, q.number) == (year, number)
    assert q.previous().next() == q


@settings(max_examples=300, deadline=None)
@given(typed)
def test_tolerance_parser_either_parses_or_explains(text):
    try:
        tol = parse_tolerance(text)
    except CellError as exc:
        assert exc.message and exc.fix
    else:
        assert tol is None or tol.amount >= 0
