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
    for code in reds["code"]:
        assert f"{code}: " in html, code
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
