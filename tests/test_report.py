"""Appendix sections: a large register keeps every exception and stays short."""

import re

import pytest

from perfkit import report
from tests.support.generate import make_register  # the seeded generator the benchmarks use too


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    folder = make_register(tmp_path_factory.mktemp("reg") / "large", 800, n_quarters=4, seed=3)
    return report.prepare(folder, "2024/25 Q2")


def test_a_large_register_lists_every_exception_but_charts_only_the_first_ten(large):
    table = large.table
    reds = table.loc[table["status"] == "red"]
    assert large.large and len(reds) > report.MAX_DETAILED_EXCEPTIONS
    html = report.exceptions(large)
    text = re.sub(r"<[^>]+>", "", html)  # a code is marked up so that it never breaks across lines
    for code in reds["code"]:
        assert f"{code}: " in text, code
    assert html.count("<figure") == report.MAX_DETAILED_EXCEPTIONS
    persistent = reds.loc[reds["persistent_exception"], "code"]
    first_sections = re.findall(r'<h3 id="exc-([^"]+)">', html)
    # persistent exceptions come first among the detailed ones
    n = min(len(persistent), report.MAX_DETAILED_EXCEPTIONS)
    assert set(first_sections[:n]) <= set(persistent)
    assert f"the other {len(reds) - report.MAX_DETAILED_EXCEPTIONS:,} are listed" in html


def test_a_large_register_counts_on_target_metrics_by_service(large):
    table = large.table
    html = report.targeted_by_objective(large)
    green = table.loc[table["status"] == "green"]
    assert not any(f">{code}<" in html or f"{code}: " in html for code in green["code"])
    service_tables = [t for t in html.split("<table")[1:] if "<caption>Targeted metrics by service and status" in t]
    assert len(service_tables) == 4  # one per objective
    # the first number in each service row is its count on target; together they are every green metric
    on_target = [
        int(c.replace(",", ""))
        for t in service_tables
        for c in re.findall(r'<tr><th scope="row">[^<]*</th><td class="num">([\d,]+)</td>', t)
    ]
    assert sum(on_target) == len(green)
    for code in table.loc[(table["status"] == "amber"), "code"]:
        assert f"{code}: " in html
    assert "metric_status.csv" in html


def test_a_small_register_lists_every_metric(tiny_dir):
    rep = report.prepare(tiny_dir, "2024/25 Q2")
    assert not rep.large
    html = report.targeted_by_objective(rep)
    for code in rep.table.loc[rep.table["kind"] == "target", "code"]:
        assert f"<td>{code}</td>" in html


def test_prepare_warns_when_the_quarter_is_after_the_data(tiny_dir):
    # tiny's latest figures are for 2024/25 Q2; 2024/25 Q3 has none, so every due metric would be "no data"
    with pytest.warns(UserWarning) as caught:
        rep = report.prepare(tiny_dir, "2024/25 Q3")
    assert [str(w.message) for w in caught] == [
        "2024/25 Q3 is after the latest quarter with figures (2024/25 Q2): every metric due then will show 'no data'."
    ]
    assert caught[0].filename == __file__  # points at the caller's line, not at perfkit
    # A1-A5, A7, A8, A10 and A11 are quarterly (A9 too, a trend metric): no data; A6 and A12 are annual: not due
    assert rep.table["status"].value_counts().to_dict() == {"no_data": 10, "not_due": 2}


def test_prepare_is_silent_for_the_latest_quarter_and_earlier_ones(tiny_dir):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert report.prepare(tiny_dir).quarter.label == "2024/25 Q2"
        report.prepare(tiny_dir, "2023/24 Q2")


def test_metric_codes_match_in_any_case_and_a_typo_gets_did_you_mean(tiny_dir):
    from perfkit.errors import UnknownNameError

    rep = report.prepare(tiny_dir, "2024/25 Q2")
    assert rep.history([" a11 "], last=2)["code"].tolist() == ["A11", "A11"]
    assert report.metric_history(rep.register, "a12")["quarter"].iloc[-1] == "2024/25 Q2"
    assert report.metric_profile(rep.register, "a12").startswith("<h2>A12: % of residents satisfied with parks</h2>")
    # difflib's similarity of "a13": to "a1" and "a3" 2×2/5 = 0.8; to "a10", "a11", "a12" 2×2/6 = 0.67,
    # a tie that goes to the last name; at most three are suggested, in the register's order
    with pytest.raises(UnknownNameError) as err:
        rep.history(["A13"])
    assert str(err.value) == "There is no metric code 'A13'. Did you mean A1, A3 or A12?"
    with pytest.raises(UnknownNameError, match=r"There is no metric code 'B7'\. Known: A1, A2, .*, A10, …"):
        report.metric_profile(tiny_dir, "B7")
    with pytest.raises(UnknownNameError, match=r"^There is no metric code 'srv\.01'\. Known: A1, "):
        report.metric_history(rep.register, "srv.01")


def test_a_large_register_lists_in_the_plan_what_is_not_on_track_and_every_commentary(large):
    table = large.table
    html = report.plan_by_objective(large)
    listed = set(re.findall(r'<span class="code">([^<]+)</span>', html))
    # on target (or not due) with no commentary: counted, not listed; a trend metric only when it worsened
    wanted = table.loc[
        (table["commentary"] != "")
        | ~table["status"].isin(["green", "trend", "not_due"])
        | ((table["status"] == "trend") & (table["vs_previous"] == "worsened"))
    ]
    assert listed == set(wanted["code"])
    assert len(listed) < len(table)
    for text in set(wanted["commentary"]) - {""}:
        assert text in html
    # the notes under each heading count the rest: together, every metric not listed
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    counts = re.findall(r'<p class="note">(\S+) other metrics? ', html)
    rest = sum(int(n.replace(",", "")) if n[0].isdigit() else words.index(n.lower()) + 1 for n in counts)
    assert rest == len(table) - len(listed)
