"""Property-based tests (hypothesis) of contract v2's boundaries.

- A strict target (``>50``) is met only beyond its number, a bare one also at it, both at display precision.
- Two bands never rate a better figure worse.
- An override never hides the computed status: it stays in the table and in metric_status.csv, with the reason.
- A v1 folder's v1 columns do not change when blank v2 columns are added to its tables.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfkit.assess import assess
from perfkit.data.register import load_register
from perfkit.data.typed_cells import Tolerance
from perfkit.periods import FinancialYear, Half, parse_period
from perfkit.publish.data_files import metric_status_csv
from perfkit.rating import rate
from perfkit.rounding import round_half_up
from perfkit.statuses import group_of
from tests.support import FIXTURES
from tests.support.folders import COUNCIL, write_folder

figures = st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False)
ORDER = {"red": 0, "amber": 1, "green": 2}


@settings(max_examples=400, deadline=None)
@given(figures, figures, st.integers(0, 2), st.sampled_from(["higher", "lower"]))
def test_strict_and_non_strict_targets_at_display_precision(value, target, decimals, polarity):
    v, t = round_half_up(float(value), decimals), round_half_up(float(target), decimals)
    strict = rate(v, t, polarity, None, strict=True)
    plain = rate(v, t, polarity, None)
    # worked from §4 with the shown figures, in decimal: ">" is met only beyond the number, ">=" also at it
    shown_v, shown_t = Decimal(f"{v:.{decimals}f}"), Decimal(f"{t:.{decimals}f}")
    beyond = shown_v > shown_t if polarity == "higher" else shown_v < shown_t
    assert (strict == "green") == beyond
    assert (plain == "green") == (beyond or shown_v == shown_t)
    assert {strict, plain} <= {"green", "red"}  # no tolerance, no amber


@settings(max_examples=400, deadline=None)
@given(
    figures,
    figures,
    figures,
    st.floats(0, 0.2),
    st.floats(0, 0.2),
    st.booleans(),
    st.sampled_from(["higher", "lower"]),
)
def test_two_bands_never_rate_a_better_figure_worse(a, b, target, g, extra, strict, polarity):
    tol = Tolerance(g + extra, True, Tolerance(g, True))
    worse, better = sorted([float(a), float(b)], reverse=polarity == "lower")
    t = float(target)
    assert ORDER[rate(better, t, polarity, tol, strict=strict)] >= ORDER[rate(worse, t, polarity, tol, strict=strict)]


WORDS = ["On track", "Achieved", "On alert", "Off track", "Affected by Covid-19", "Under review", "Withdrawn"]
CLASS = {
    "On track": "on_track",
    "Achieved": "achieved",
    "On alert": "at_risk",
    "Off track": "off_track",
    "Affected by Covid-19": "paused",
    "Under review": "under_review",
    "Withdrawn": "withdrawn",
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 100),  # value
            st.integers(40, 60),  # target
            st.sampled_from(["", "2", "5%/10%"]),  # tolerance
            st.sampled_from(["", *WORDS]),  # word
        ),
        min_size=1,
        max_size=6,
    )
)
def test_an_override_never_hides_the_computed_status(rows):
    with tempfile.TemporaryDirectory() as tmp:
        metrics = [{"code": f"M{i}", "tolerance": tol} for i, (_, _, tol, _) in enumerate(rows)]
        targets = [{"code": f"M{i}", "year": "2024/25", "target": str(t)} for i, (_, t, _, _) in enumerate(rows)]
        actuals = [
            {
                "code": f"M{i}",
                "period": "2024/25 Q2",
                "value": str(v),
                "status": w,
                "status_reason": "Reason" if w else "",
            }
            for i, (v, _, _, w) in enumerate(rows)
        ]
        reg = load_register(write_folder(Path(tmp), metrics, targets, actuals, COUNCIL))
        table = assess(reg, "2024/25 Q2").set_index("code")
        written = {r["code"]: r for r in csv.DictReader(io.StringIO(metric_status_csv(table.reset_index())))}
    for i, (value, target, _, word) in enumerate(rows):
        row, out = table.loc[f"M{i}"], written[f"M{i}"]
        tol = reg.metrics.loc[f"M{i}", "tolerance"]
        computed = rate(float(value), float(target), "higher", tol)
        # the figures' verdict is always there, in the table and in the CSV
        assert row["computed_status"] == out["computed_status"] == computed
        if word and group_of(CLASS[word]) != group_of(computed):
            assert row["status"] == out["status"] == CLASS[word]
            assert out["status_reason"] == "Reason" and out["status_label"] == word
        else:
            assert row["status"] == computed  # no word, or a word that confirms
        assert (out["exception"] == "true") == (group_of(row["status"]) == "exception")


V2_COLUMNS = {
    "metrics.csv": ["tier", "start", "end", "due"],
    "actuals.csv": ["status", "status_reason", "progress", "revised_due", "action", "action_due", "for_period"],
}
TINY_CSV = {}


def _tiny_csvs(q):
    if q not in TINY_CSV:
        TINY_CSV[q] = metric_status_csv(assess(load_register(FIXTURES / "tiny"), q))
    return TINY_CSV[q]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_blank_v2_columns_change_nothing_in_a_v1_folder(data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "tiny"
        shutil.copytree(FIXTURES / "tiny", folder)
        for name, columns in V2_COLUMNS.items():
            chosen = data.draw(st.lists(st.sampled_from(columns), unique=True), label=name)
            if not chosen:
                continue
            lines = (folder / name).read_text(encoding="utf-8").splitlines()
            lines = [lines[0] + "," + ",".join(chosen)] + [line + "," * len(chosen) for line in lines[1:]]
            (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        reg = load_register(folder)
        assert not reg.v2
        for q in ("2023/24 Q2", "2024/25 Q1", "2024/25 Q2"):
            assert metric_status_csv(assess(reg, q)) == _tiny_csvs(q)


@settings(max_examples=300, deadline=None)
@given(st.integers(1900, 2200), st.integers(1, 2))
def test_every_half_and_year_round_trips_through_all_spellings(year, number):
    short = f"{(year + 1) % 100:02d}"
    halves = [
        f"{year}/{short} H{number}",
        f"{year}-{short}-H{number}",
        f"H{number} {year}/{short}",
        f"{year}/{year + 1} h{number}",
    ]
    assert {parse_period(s) for s in halves} == {Half(year, number)}
    years = [f"{year}/{short}", f"{year}-{short}", f"{year}/{year + 1}"]
    assert {parse_period(s) for s in years} == {FinancialYear(year)}
    h = Half(year, number)
    assert parse_period(h.label) == parse_period(h.slug) == h and h.previous().last_quarter.next() == h.first_quarter
