"""Appendix sections: a large register keeps every exception and stays short."""

import re

import pytest

from perfkit import report
from perfkit.narrative import count_phrase, number_word
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


# --- the print shape of a large register (issue 18): every exception once, the rest counted ---------


@pytest.fixture(scope="module")
def large_v2(tmp_path_factory):
    """Just over LIST_LIMIT, contract v2: milestones, overrides, strategies absent, highlights per service."""
    folder = make_register(tmp_path_factory.mktemp("reg") / "v2", report.LIST_LIMIT + 60, n_quarters=4, seed=5, v2=True)
    return report.prepare(folder, "2024/25 Q2")


def _codes_in_exceptions(html):
    """Each code a row or a detailed section of the exceptions listing starts with."""
    detailed = re.findall(r'<h3 id="exc-([^"]+)">', html)
    rows = re.findall(r'<tr><th scope="row"><span class="code">([^<]+)</span>', html)
    return detailed + rows


@pytest.mark.parametrize("which", ["large", "large_v2"])
def test_a_large_register_lists_every_exception_exactly_once(which, request):
    rep = request.getfixturevalue(which)
    assert rep.large
    html = report.exceptions(rep)
    codes = _codes_in_exceptions(html)
    wanted = rep.table.loc[rep.table["exception"] & ~rep.table["final_outturn"], "code"]
    assert sorted(codes) == sorted(wanted) and len(codes) == len(set(codes))
    # the further exceptions are in one table per objective, captions counting their rows
    further = rep.exceptions().iloc[report.MAX_DETAILED_EXCEPTIONS :]
    for obj, n in further.groupby("objective").size().items():
        assert f"Further exceptions: {obj}, 2024/25 Q2 ({count_phrase(n, 'metric')})" in html


def test_further_exceptions_are_short_rows_with_the_commentary_under_the_name(large):
    # seed 3: one figure in twenty has commentary; each such exception shows it in its own row, under its name
    html = report.exceptions(large)
    further = html[html.index("<h3>Further exceptions</h3>") :]
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', further)
    assert set(headers) == {"Metric, with its commentary and remedial action", "Value", "Target"}
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", further)
    table = large.table.set_index("code")
    commented = 0
    for row in rows:
        code = re.match(r'<span class="code">([^<]+)</span>', row).group(1)
        text = table.loc[code, "commentary"]
        assert (text in row) if text else ('class="period-label"' not in row), code
        commented += bool(text)
    assert commented > 0
    # with no commentary anywhere, the heading says "Metric" and the note says why
    bare = report.QuarterReport(large.register, large.quarter, large.table.assign(commentary=""))
    further = report.exceptions(bare)
    further = further[further.index("<h3>Further exceptions</h3>") :]
    assert "None of them has commentary." in further and "commentary and remedial action" not in further


def _improved(table):
    """Green metrics that improved: on the previous period, or on last year where that cannot be compared."""
    green = table.loc[(table["kind"] == "target") & (table["status"] == "green")]
    on_previous = green["vs_previous"] != "n/a"
    improved = green["vs_previous"].where(on_previous, green["vs_last_year"]) == "improved"
    earlier = green["previous_value"].where(on_previous, green["last_year_value"])
    return green.assign(change=(green["value"] - earlier).abs() / earlier.abs()).loc[improved]


def test_a_large_register_lists_the_ten_largest_improvements_per_objective_and_counts_the_rest(large):
    from perfkit.achievements import TOP_PER_OBJECTIVE

    html = report.key_achievements(large)
    improved = _improved(large.table)
    sections = re.split(r"<h3>", html)[1:]
    assert [s[: s.index("</h3>")] for s in sections] == large.register.objective_order()
    for section in sections:
        obj = section[: section.index("</h3>")]
        mine = improved.loc[improved["objective"] == obj].sort_values("change", ascending=False, kind="stable")
        listed = re.findall(r"\(([^()<]+)\)</span></strong>", section)
        assert listed == list(mine["code"][:TOP_PER_OBJECTIVE])
        more = len(mine) - TOP_PER_OBJECTIVE
        assert more > 0
        assert f"And {more:,} more metrics on target improved on their earlier figure" in section


def test_a_large_register_lists_highlights_and_milestones_in_full_and_caps_exceptions_in_challenges(large_v2):
    from perfkit.achievements import TOP_PER_OBJECTIVE

    rep = large_v2
    q = rep.quarter
    h = rep.register.highlights
    html = report.key_challenges(rep)
    for text in h.loc[(h["period_index"] == q.index) & (h["kind"] == "challenge"), "text"]:
        assert text in html
    past_due = rep.table.loc[(rep.table["kind"] == "milestone") & rep.table["past_due"] & ~rep.table["exception"]]
    for code in past_due["code"]:
        assert f"({code})" in html
    exc = rep.counted().loc[lambda t: t["exception"] & (t["kind"] != "milestone") & t["value"].notna()]
    for obj, sub in exc.groupby("objective"):
        section = html[html.index(f"<h3>{obj}</h3>") :]
        section = section[: section.index("<h3>", 4)] if "<h3>" in section[4:] else section
        listed = {c for c in sub["code"] if f"({c})</span></strong>" in section}
        assert len(listed) == min(len(sub), TOP_PER_OBJECTIVE)
        if len(sub) > TOP_PER_OBJECTIVE:
            more = len(sub) - TOP_PER_OBJECTIVE
            assert f"And {report.count_phrase(more, 'more metric')} at exception" in section


def test_the_exceptions_furthest_from_target_are_kept_worked_by_hand(tiny_dir, monkeypatch):
    # tiny is 12 metrics: with LIST_LIMIT at 5 it prints as a large register. "A green place" has two
    # exceptions: A11 at 110 against 120 misses by 10/120 = 8.3%, A12 at 76 against 80 by 4/80 = 5%.
    import perfkit.achievements as ach

    monkeypatch.setattr(report, "LIST_LIMIT", 5)
    monkeypatch.setattr(ach, "TOP_PER_OBJECTIVE", 1)
    rep = report.prepare(tiny_dir, "2024/25 Q2")
    shown, more = ach.largest(rep.challenges(), 1)
    assert shown["code"].tolist() == ["A1", "A11"] and more == {"A green place": 1}
    html = report.key_challenges(rep)
    green_place = html[html.index("<h3>A green place</h3>") :]
    assert "(A11)" in green_place and "(A12)" not in green_place
    assert "And one more metric at exception, each listed under Exceptions in detail" in green_place


@pytest.mark.parametrize("tier", ["plan", "service"])
def test_a_large_plan_counts_what_other_sections_list(large_v2, monkeypatch, tier):
    import perfkit.achievements

    monkeypatch.setattr(perfkit.achievements, "TOP_PER_OBJECTIVE", 2)  # seed 5 has one to four per objective
    rep = large_v2
    if tier == "plan":
        html, plan = report.plan_by_objective(rep), rep.plan()
        heading = lambda obj: f'<h2 id="objective-{report._slug(obj)}">'  # noqa: E731
    else:  # the service indicators are printed the same way, an objective a level-3 heading
        html, plan = report.service_indicators(rep), rep.service_indicators()
        heading = lambda obj: f"<h3>{obj}</h3>"  # noqa: E731
    noted = ["no_data", "no_target", "not_due", "no_update"]
    wanted = plan.loc[plan["group"].isin(["within_tolerance", "other"]) & ~plan["status"].isin(noted)]
    # of the metrics within tolerance on their figures, each objective lists the two furthest from target
    amber = wanted.loc[(wanted["status"] == "amber") & wanted["computed_status"].isin(["", "amber"])]
    amber = amber.assign(gap=(amber["value"] - amber["target"]).abs() / amber["target"].abs())
    left = []
    for _, sub in amber.groupby("objective"):
        left += list(sub.sort_values("gap", ascending=False, kind="stable").index[2:])
    assert left or tier == "service"
    wanted = wanted.drop(index=left)
    listed = re.findall(r'<th scope="row"><span class="code">([^<]+)</span>', html)
    listed += re.findall(r'<td><span class="code">([^<]+)</span></td><th scope="row">', html)  # milestones
    assert sorted(listed) == sorted(wanted["code"])
    # each objective's note: its exceptions (listed elsewhere), then what is counted; with the listed rows, all of it
    for obj, sub in plan.groupby("objective"):
        section = html[html.index(heading(obj)) :]
        note = re.search(r'<p class="note">(.*?)</p>', section).group(1)
        exceptions = int(sub["exception"].sum())
        verb = "is" if exceptions == 1 else "are"
        lead = f"{count_phrase(exceptions, 'metric')} at exception {verb} listed under Exceptions in detail."
        assert note.startswith(lead[0].upper() + lead[1:]) if exceptions else "at exception" not in note
        on_track = int((sub["group"] == "on_track").sum())
        assert f"Counted here rather than listed: {number_word(on_track)} on track" in note
        more = len([i for i in left if plan.loc[i, "objective"] == obj])
        word = rep.register.council.vocabulary.group_word("within_tolerance").lower()
        assert (f"{number_word(more)} more {word}" in note) == (more > 0)


def test_data_notes_of_a_large_register_say_what_is_left_to_the_spreadsheets(large, tiny_dir):
    html = report.data_notes(large)
    assert "<h3>What this appendix counts rather than lists</h3>" in html
    assert "With 800 metrics (more than 500)" in html and "metric_status.xlsx" in html
    small = report.prepare(tiny_dir, "2024/25 Q2")
    assert "counts rather than lists" not in report.data_notes(small)


def test_a_small_register_prints_every_achievement_and_challenge(tiny_dir):
    rep = report.prepare(tiny_dir, "2024/25 Q2")
    assert not rep.large
    achievements, challenges = report.key_achievements(rep), report.key_challenges(rep)
    assert "(A2)" in achievements and "(A10)" in achievements and "more metric" not in achievements
    assert all(f"({c})" in challenges for c in ("A1", "A11", "A12")) and "With " not in challenges
