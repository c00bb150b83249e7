"""Reading and checking contract v2 (design §3): every new column and rule, and the messages about them.

Each case writes a small folder and names the problems §3 says it must give: file,
row (as in Excel: the header is row 1), column, metric code, severity, and words
the message or fix must contain.
"""

from __future__ import annotations

import datetime as dt

import pytest

from perfkit.data.register import load_register
from perfkit.periods import FinancialYear, Half, parse_quarter
from perfkit.validate import validate_folder
from tests.support.folders import COUNCIL, write_folder


def m(code="M1", **kw):
    return {"code": code, **kw}


def t(year="2024/25", target="50", quarter="", code="M1"):
    return {"code": code, "year": year, "quarter": quarter, "target": target}


def a(period="2024/25 Q2", value="", code="M1", **kw):
    return {"code": code, "period": period, "value": value, **kw}


def problems(tmp_path, metrics, targets=(), actuals=(), council=COUNCIL, highlights=None):
    folder = write_folder(tmp_path / "d", list(metrics), list(targets), list(actuals), council, highlights)
    return validate_folder(folder).problems


def only(found, severity="error"):
    return [p for p in found if p.severity == severity]


# (id, metrics, targets, actuals, expected (file, row, column, code), words in the message or fix)
ERRORS = [
    (
        "a value on a milestone row",
        [m(kind="milestone")],
        [],
        [a(value="50", status="On track")],
        ("actuals.csv", 2, "value", "M1"),
        ["milestone", "progress"],
    ),
    (
        "a milestone row without a status",
        [m(kind="milestone")],
        [],
        [a(commentary="Going well")],
        ("actuals.csv", 2, "status", "M1"),
        ["needs the status", "On track, Achieved"],
    ),
    (
        "a word not in [statuses] lists the vocabulary",
        [m(kind="milestone")],
        [],
        [a(status="Green")],
        ("actuals.csv", 2, "status", "M1"),
        ["'Green'", "On track, Achieved, Achieved previously, On alert"],
    ),
    (
        "a word on a trend metric",
        [m(kind="trend")],
        [],
        [a(value="5", status="On track")],
        ("actuals.csv", 2, "status", "M1"),
        ["trend", "commentary"],
    ),
    (
        "an override without a reason",
        [m()],
        [t()],
        [a(value="40", status="Affected by Covid-19")],
        ("actuals.csv", 2, "status_reason", "M1"),
        ["overrides", "Exception", "Not stated in the published report"],
    ),
    (
        "a target on a milestone",
        [m(kind="milestone")],
        [t()],
        [a(status="On track")],
        ("targets.csv", 2, "target", "M1"),
        ["milestone"],
    ),
    (
        ">50 on a lower-is-better metric",
        [m(polarity="lower")],
        [t(target=">50")],
        [a(value="40")],
        ("targets.csv", 2, "target", "M1"),
        ["higher is better", "polarity is lower"],
    ),
    (
        "<20 on a higher-is-better metric",
        [m()],
        [t(target="<=20")],
        [a(value="40")],
        ("targets.csv", 2, "target", "M1"),
        ["lower is better"],
    ),
    (
        "a half-yearly row in Q1 without for_period",
        [m(frequency="half-yearly")],
        [t()],
        [a(period="2024/25 Q1", value="5")],
        ("actuals.csv", 2, "for_period", "M1"),
        ["Q2 (for H1)", "2023/24 H2"],
    ),
    (
        "a half-yearly row in Q3 without for_period",
        [m(frequency="half-yearly")],
        [t()],
        [a(period="2024/25 Q3", value="5")],
        ("actuals.csv", 2, "for_period", "M1"),
        ["2024/25 H1"],
    ),
    (
        "for_period after the period",
        [m(frequency="annual")],
        [t()],
        [a(period="2024/25 Q2", value="5", for_period="2025/26")],
        ("actuals.csv", 2, "for_period", "M1"),
        ["after"],
    ),
    (
        "a second figure for the same for_period",
        [m(frequency="annual")],
        [t()],
        [
            a(period="2025/26 Q1", value="5", for_period="2024/25"),
            a(period="2025/26 Q2", value="6", for_period="2024/25"),
        ],
        ("actuals.csv", 3, "for_period", "M1"),
        ["already has a figure for 2024/25 (row 2)"],
    ),
    (
        "a quarterly row restating an earlier quarter already given",
        [m()],
        [t()],
        [a(period="2024/25 Q1", value="5"), a(period="2024/25 Q2", value="6", for_period="Q1 2024/25")],
        ("actuals.csv", 3, "for_period", "M1"),
        ["2024/25 Q1"],
    ),
    (
        "end before start",
        [m(start="2024/25 Q3", end="2024/25 Q1")],
        [t()],
        [a(value="5")],
        ("metrics.csv", 2, "end", "M1"),
        ["before it starts"],
    ),
    (
        "a progress above 100",
        [m(kind="milestone")],
        [],
        [a(status="On track", progress="120")],
        ("actuals.csv", 2, "progress", "M1"),
        ["between 0 and 100"],
    ),
    (
        "a revised due date that is not one",
        [m(kind="milestone")],
        [],
        [a(status="On track", revised_due="soon")],
        ("actuals.csv", 2, "revised_due", "M1"),
        ["'soon'", "31/12/2022", "2020/21 H1", "2020/21"],
    ),
    (
        "a due date that does not exist",
        [m(kind="milestone", due="31/02/2023")],
        [],
        [a(status="On track")],
        ("metrics.csv", 2, "due", "M1"),
        ["'31/02/2023'"],
    ),
    (
        "a green band wider than the amber",
        [m(tolerance="10%/5%")],
        [t()],
        [a(value="5")],
        ("metrics.csv", 2, "tolerance", "M1"),
        ["5%/10%"],
    ),
    (
        "an unknown tier",
        [m(tier="corporate")],
        [t()],
        [a(value="5")],
        ("metrics.csv", 2, "tier", "M1"),
        ["Did you mean 'plan'?"],
    ),
    (
        "a target quarter H3",
        [m(frequency="half-yearly")],
        [t(quarter="H3")],
        [a(value="5")],
        ("targets.csv", 2, "quarter", "M1"),
        ["'H3'", "H1 or H2"],
    ),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_v2_errors(case, tmp_path):
    _, metrics, targets, actuals, where, words = case
    found = only(problems(tmp_path, metrics, targets, actuals))
    hits = [p for p in found if (p.file, p.row, p.column, p.code) == where]
    assert len(hits) == 1, found
    text = hits[0].message + " " + hits[0].fix
    for w in words:
        assert w in text, (w, text)


WARNINGS = [
    (
        "a row outside start-end names the metric",
        [m(start="2024/25 Q1")],
        [t()],
        [a(period="2023/24 Q4", value="5")],
        ("actuals.csv", 2, "period", "M1"),
        ["M1 belongs to the plan from 2024/25 Q1", "for_period"],
    ),
    (
        "due on a target metric is not used",
        [m(due="2024/25 Q4")],
        [t()],
        [a(value="5")],
        ("metrics.csv", 2, "due", "M1"),
        ["milestones"],
    ),
    (
        "progress on a target metric is not used",
        [m()],
        [t()],
        [a(value="5", progress="50")],
        ("actuals.csv", 2, "progress", "M1"),
        ["milestones"],
    ),
    (
        "a reason without a word",
        [m()],
        [t()],
        [a(value="5", status_reason="Covid")],
        ("actuals.csv", 2, "status_reason", "M1"),
        ["no status word"],
    ),
    (
        "an action date without an action",
        [m()],
        [t()],
        [a(value="5", action_due="2024/25 Q3")],
        ("actuals.csv", 2, "action_due", "M1"),
        ["no action"],
    ),
    (
        "an H1 target on a quarterly metric",
        [m()],
        [t(quarter="H1"), t()],
        [a(value="5")],
        ("targets.csv", 2, "quarter", "M1"),
        ["for_period"],
    ),
]


@pytest.mark.parametrize("case", WARNINGS, ids=[c[0] for c in WARNINGS])
def test_v2_warnings_do_not_stop_loading(case, tmp_path):
    _, metrics, targets, actuals, where, words = case
    found = problems(tmp_path, metrics, targets, actuals)
    assert not only(found), only(found)
    hits = [p for p in only(found, "warning") if (p.file, p.row, p.column, p.code) == where]
    assert len(hits) == 1, found
    for w in words:
        assert w in hits[0].message + " " + hits[0].fix


def test_what_v2_reads_into_the_register(tmp_path):
    folder = write_folder(
        tmp_path / "r",
        [
            m("MS", kind="milestone", unit="", polarity="", frequency="", due="Dec 2022", tier="service"),
            m("HY", frequency="Half Yearly", start="2020/21", end="2023/24 Q4", tolerance="5%/10%"),
        ],
        [t("2020/21", ">=50", "H1", "HY"), t("2020/21", "≥ 55", "", "HY")],
        [
            a("2020/21 Q2", code="MS", status=" on  TRACK ", progress="40", revised_due="2023-03-31"),
            a("2020/21 Q2", "52", code="HY", action="Recover", action_due="Mar 2021"),
            a("2021/22 Q1", "54", code="HY", for_period="2020-21-H2"),
        ],
    )
    reg = load_register(folder)
    assert reg.v2
    ms, hy = reg.metrics.loc["MS"], reg.metrics.loc["HY"]
    assert (ms["kind"], ms["unit"], ms["polarity"], ms["tier"], ms["due"]) == (
        "milestone",
        "",
        "",
        "service",
        dt.date(2022, 12, 31),
    )
    # a year as start means its first quarter, as end its last
    assert (hy["frequency"], hy["start"], hy["end"]) == (
        "half-yearly",
        parse_quarter("2020/21 Q1"),
        parse_quarter("2023/24 Q4"),
    )
    assert (hy["tolerance"].green.amount, hy["tolerance"].amount) == (0.05, 0.1)
    targets = reg.targets.set_index(["quarter", "half"])
    assert targets.loc[(0, 1), ["target", "comparison"]].tolist() == [50.0, ">="]
    assert targets.loc[(0, 0), ["target", "comparison"]].tolist() == [55.0, ">="]
    acts = reg.actuals.set_index(["code", "period"])
    row = acts.loc[("MS", "2020/21 Q2")]
    assert (row["status"], row["status_word"], row["progress"], row["revised_due"]) == (
        "on_track",
        "On track",
        40.0,
        dt.date(2023, 3, 31),
    )
    assert acts.loc[("HY", "2020/21 Q2"), "for_period"] == Half(2020, 1)  # the default: Q2 measures H1
    assert acts.loc[("HY", "2020/21 Q2"), "action_due"] == dt.date(2021, 3, 31)
    assert acts.loc[("HY", "2021/22 Q1"), "for_period"] == Half(2020, 2)


def test_a_v1_folder_is_not_v2_and_blank_v2_columns_keep_it_so(tiny_dir, tmp_path):
    assert not load_register(tiny_dir).v2
    folder = write_folder(tmp_path / "v1", [m()], [t()], [a(value="55")], council='name = "C"\n')
    reg = load_register(folder)  # the v2 columns are in the header, all blank
    assert not reg.v2 and reg.actuals.loc[0, "for_period"] == parse_quarter("2024/25 Q2")


def test_a_year_for_period_is_a_financial_year(tmp_path):
    folder = write_folder(
        tmp_path / "y", [m(frequency="annual")], [t()], [a("2025/26 Q1", "5", for_period="2024/2025")]
    )
    assert load_register(folder).actuals.loc[0, "for_period"] == FinancialYear(2024)


def test_a_later_outturn_needs_a_target_for_the_year_it_measures_not_the_year_it_is_published(tmp_path):
    # The latest year with figures is 2024/25. L1's only 2024/25 row is the 2023/24 outturn, judged
    # against 2023/24's target (§4 "Later outturns"): nothing to warn about. Q1's 2024/25 Q2 figure
    # measures 2024/25, which has no target: the warning, as in v1.
    annual = {"frequency": "annual"}
    found = problems(
        tmp_path,
        [m("L1", **annual), m("Q1")],
        [t("2023/24", code="L1"), t("2023/24", code="Q1")],
        [a("2024/25 Q2", "41", "L1", for_period="2023/24"), a("2024/25 Q2", "60", "Q1")],
    )
    warned = [(p.code, p.column) for p in only(found, "warning") if "no target" in p.message]
    assert warned == [("Q1", "target")]
    assert not only(found)


# --- messages (issue 13, points 8, 11, 12, 13, 14) -----------------------------------------------------


def test_every_row_message_names_the_metric_code(tmp_path):
    found = only(
        problems(
            tmp_path,
            [m("P1", polarity="none"), m("F1")],
            [t(code="F1")],
            [
                a("2024/25 Q1", "", "F1", numerator="5", denominator="0"),
                a("2024/25 Q2", "60", "F1", numerator="1", denominator="2"),
            ],
        )
    )
    by_column = {(p.file, p.column): p for p in found}
    # the three kinds of message that lacked the code: a target without a direction, a zero denominator,
    # a value that disagrees with its numerator and denominator
    assert by_column[("metrics.csv", "polarity")].code == "P1"
    assert by_column[("actuals.csv", "denominator")].code == "F1"
    assert by_column[("actuals.csv", "value")].code == "F1"
    assert str(by_column[("actuals.csv", "value")]).startswith("actuals.csv, row 3, column 'value', F1: ")
    assert all(p.code for p in found if p.row is not None)


def test_a_unit_written_percent_sign_is_one_message_with_the_fix(tmp_path):
    # 18 / 36 read as a plain ratio (0.5) would disagree with 50: that second message must not appear
    found = only(problems(tmp_path, [m(unit="%")], [t()], [a(value="50", numerator="18", denominator="36")]))
    (p,) = found
    assert (p.file, p.row, p.column, p.code) == ("metrics.csv", 2, "unit", "M1")
    assert "'%' is not one of percent, number, days, currency, ratio, score" in p.message
    assert "Did you mean 'percent'?" in p.fix


@pytest.mark.parametrize(
    "column, written, echoed, forms",
    [
        ("period", "2020/21 H1", "'2020/21 H1'", ["'2024/25 Q2'", "for_period"]),
        ("period", "2024 Q3", "'2024 Q3'", ["'2024-25-Q2'"]),
        ("period", "Q5 2024/25", "'Q5 2024/25'", ["'2024/25 Q2'"]),
        ("for_period", "2020/21 H3", "'2020/21 H3'", ["'2020-21-H1'", "H1 2020/21"]),
        ("for_period", "FY2020", "'FY2020'", ["'2020/21 H1'", "'2020/21'", "'2024/25 Q2'"]),
        ("for_period", "2020/22", "'2020/22'", ["2020/21"]),
    ],
)
def test_period_errors_echo_the_text_and_the_accepted_forms(tmp_path, column, written, echoed, forms):
    row = a("2024/25 Q2", "5") | {column: written}
    found = only(problems(tmp_path, [m(frequency="annual")], [t()], [row]))
    (p,) = [p for p in found if p.column == column]
    text = p.message + " " + p.fix
    assert echoed in text
    for form in forms:
        assert form in text, (form, text)


def test_a_year_error_in_targets_gives_the_forms(tmp_path):
    (p,) = only(problems(tmp_path, [m()], [t(year="2024")], [a(value="5")]))
    assert "'2024'" in p.message and "'2020/21', '2020-21' or '2020/2021'" in p.fix


def test_an_objective_council_toml_does_not_list_is_a_warning_naming_both(tmp_path):
    found = problems(tmp_path, [m(objective="Customer"), m("M2", objective="Customer")], [t()], [a(value="5")])
    (p,) = [p for p in found if p.column == "objective"]
    assert (p.severity, p.file, p.row, p.code) == ("warning", "metrics.csv", 2, "M1")
    assert "'Customer' (2 metrics" in p.message and "(Customers)" in p.message
    assert "Did you mean 'Customers'?" in p.fix


def test_no_fix_advises_losing_what_was_written(tmp_path):
    found = problems(
        tmp_path,
        [m("A"), m("B", kind="milestone"), m("C", unit="%")],
        [t(code="A")],
        [
            a("2024/25 Q1", "n/a", "A"),
            a("2024/25 Q2", "51", "A", numerator="1", denominator="2", status="On track"),
            a("2024/25 Q3", "", "A", numerator="1", denominator="0"),
            a("2024/25 Q2", "12", "B", status="On track"),
            a("2024/25 Q4", "approx 12", "A"),
        ],
    )
    assert len(found) >= 5
    for p in found:
        fix = p.fix.lower()
        assert "leave the value blank" not in fix and "leave numerator and denominator blank" not in fix, p
        assert "or leave it blank" not in fix, p


# --- council.toml -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "toml, column, words",
    [
        ('[statuses]\n"On track" = "green"\n', "[statuses] On track", ["'green' is not a status class", "on_track"]),
        ('[statuses]\n"On track" = "on_track"\n"on  TRACK" = "on_track"\n', "[statuses] on  TRACK", ["twice"]),
        ('[labels]\ngren = "x"\n', "[labels] gren", ["Did you mean 'green'?", "achieved_previously"]),
        ('[rag]\ntolerance = "five"\n', "[rag] tolerance", ["'five'"]),
        ('[rag]\ncumulative_trend = "yes"\n', "[rag] cumulative_trend", ['"previous"']),
        ('[tiers]\ncorporate = "x"\n', "[tiers] corporate", ["plan and service"]),
        ('[[plans]]\ntitle = "A"\nfrom = "2024/25 Q3"\nto = "2024/25 Q1"\n', "[[plans]] 1 to", ["before it starts"]),
        ('[[plans]]\ntitle = "A"\nfrom = "2024/25"\nto = "2024/25 Q4"\n', "[[plans]] 1 from", ["'2024/25'"]),
        (
            '[[plans]]\ntitle = "A"\nfrom = "2020/21 Q1"\nto = "2023/24 Q4"\n'
            '[[plans]]\ntitle = "B"\nfrom = "2023/24 Q4"\nto = "2026/27 Q4"\n',
            "plans",
            ["'A' (2020/21 Q1 to 2023/24 Q4) and 'B' (2023/24 Q4 to 2026/27 Q4) overlap"],
        ),
    ],
)
def test_council_toml_errors(tmp_path, toml, column, words):
    found = only(problems(tmp_path, [m()], [t()], [a(value="5")], council='name = "C"\n' + toml))
    (p,) = found
    assert (p.file, p.column) == ("council.toml", column)
    for w in words:
        assert w in p.message + " " + p.fix


def test_council_toml_v2_keys_are_read(tmp_path):
    toml = (
        'name = "C"\n[rag]\ntolerance = "5%/10%"\ncumulative_trend = "previous"\n'
        '[tiers]\nplan = "Council Plan targets"\nservice = "Performance indicators (KPIs)"\n'
        '[report]\nauthor = "Kath Drury"\ncontact = "As above"\n'
        '[labels]\nred = "Off track"\n'
    )
    reg = load_register(write_folder(tmp_path / "c", [m()], [t()], [a(value="5")], toml))
    c = reg.council
    assert c.v2 and reg.v2
    assert (c.tolerance.green.amount, c.tolerance.amount, c.cumulative_trend) == (0.05, 0.1, "previous")
    assert c.tier_label("service") == "Performance indicators (KPIs)"
    assert (c.report.author, c.report.contact, c.report.classification) == (
        "Kath Drury",
        "As above",
        "This report is public",
    )
    assert c.vocabulary.label("red") == "Off track" and c.vocabulary.label("amber") == "Within tolerance"
    assert reg.metrics.loc["M1", "tolerance"] == c.tolerance  # a blank tolerance takes [rag] tolerance


def test_an_unknown_council_toml_setting_is_a_warning(tmp_path):
    (p,) = problems(tmp_path, [m()], [t()], [a(value="5")], 'name = "C"\n[status]\n"On track" = "on_track"\n')
    assert (p.severity, p.column) == ("warning", "status") and "Did you mean 'statuses'?" in p.fix


# --- highlights.csv -----------------------------------------------------------------------------------


def test_highlights_are_read_and_take_their_metrics_objective(tmp_path):
    folder = write_folder(
        tmp_path / "h",
        [m(objective="Customers")],
        [t()],
        [a(value="5")],
        highlights=[
            {
                "period": "2023/24 Q3",
                "service": "Customer Services",
                "kind": "Achievement",
                "text": "Ofsted rating kept",
            },
            {"period": "Q3 2023/24", "service": "Finance", "kind": "challenge", "text": "Budget", "code": "M1"},
        ],
    )
    reg = load_register(folder)
    assert reg.v2
    assert reg.highlights[["period", "kind", "objective", "code"]].values.tolist() == [
        ["2023/24 Q3", "achievement", "", ""],
        ["2023/24 Q3", "challenge", "Customers", "M1"],
    ]


def test_highlights_are_validated_like_the_other_tables(tmp_path):
    rows = [
        {"period": "2023/24", "service": "Housing", "kind": "achievement", "text": "x"},
        {"period": "2023/24 Q3", "service": "", "kind": "win", "text": ""},
        {"period": "2023/24 Q3", "service": "Housing", "kind": "update", "text": "x", "code": "ZZ"},
        {"period": "2023/24 Q3", "service": "Housing", "kind": "update", "text": "x", "objective": "Elsewhere"},
    ]
    found = problems(tmp_path, [m()], [t()], [a(value="5")], highlights=rows)
    where = {(p.severity, p.row, p.column) for p in found if p.file == "highlights.csv"}
    assert where == {
        ("error", 2, "period"),
        ("error", 3, "service"),
        ("error", 3, "kind"),
        ("error", 3, "text"),
        ("error", 4, "code"),
        ("warning", 5, "objective"),
    }
    (kind,) = [p for p in found if p.column == "kind"]
    assert "achievement, challenge, update" in kind.message
