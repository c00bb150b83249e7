"""Seeded generators for the large synthetic inputs of the benchmarks (never committed as data).

python tests/support/generate.py register 5000 /tmp/register-5000
python tests/support/generate.py survey 1000 /tmp/survey-1000/2024    # 1,000 questions, 2,000 respondents
python tests/support/generate.py actuals 1000000 /tmp/actuals-1m
python tests/support/generate.py workbook 50 /tmp/formatted-workbook
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

OBJECTIVES = [
    "A great place to work",
    "A great place to access good public services",
    "A great place to live well",
    "A great place that cares for the environment",
]
SERVICES = [
    "Customer Services",
    "Revenues and Benefits",
    "Housing",
    "Planning",
    "Streetscene",
    "Leisure",
    "Human Resources",
    "Finance",
    "Environmental Health",
    "Community Safety",
]


def make_register(
    folder: Path,
    n_metrics: int,
    n_quarters: int = 12,
    seed: int = 1,
    n_services: int | None = None,
    v2: bool = False,
) -> Path:
    """A register of ``n_metrics`` metrics over ``n_quarters`` quarters ending 2024/25 Q2.

    About 80% targeted (of which ~10% annual and ~5% cumulative), 20% trend; targets
    set so that most are on target and about one in twelve is an exception. With
    ``n_services``, the metrics are dealt in turn to that many services (``Service 001`` …)
    instead of the ten named ones. With ``v2``, contract v2 is used throughout (see :func:`add_v2`).
    """
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    codes = [f"M{i:05d}" for i in range(n_metrics)]
    kind = np.where(rng.random(n_metrics) < 0.8, "target", "trend")
    polarity = np.where(rng.random(n_metrics) < 0.75, "higher", "lower")
    polarity = np.where((kind == "trend") & (rng.random(n_metrics) < 0.3), "none", polarity)
    frequency = np.where(rng.random(n_metrics) < 0.1, "annual", "quarterly")
    cumulative = np.where((frequency == "quarterly") & (rng.random(n_metrics) < 0.05), "yes", "no")
    unit = rng.choice(["percent", "number", "days"], size=n_metrics, p=[0.6, 0.3, 0.1])
    base = np.where(unit == "percent", rng.uniform(60, 95, n_metrics), rng.uniform(10, 500, n_metrics))
    metrics = pd.DataFrame(
        {
            "code": codes,
            "title": [f"Benchmark metric {i} ({u})" for i, u in enumerate(unit)],
            "objective": rng.choice(OBJECTIVES, size=n_metrics),
            "service": rng.choice(SERVICES, size=n_metrics)
            if n_services is None
            else [f"Service {i % n_services + 1:03d}" for i in range(n_metrics)],
            "owner": "Service manager",
            "unit": unit,
            "polarity": polarity,
            "kind": kind,
            "frequency": frequency,
            "tolerance": np.where(rng.random(n_metrics) < 0.5, "5%", ""),
            "decimals": 1,
            "cumulative": cumulative,
        }
    )
    metrics.to_csv(folder / "metrics.csv", index=False)
    last = 2024 * 4 + 1  # 2024/25 Q2
    quarters = range(last - n_quarters + 1, last + 1)
    rows = []
    for i, code in enumerate(codes):
        for t, idx in enumerate(quarters):
            if frequency[i] == "annual" and idx % 4 != 3:
                continue
            value = base[i] * (1 + 0.01 * t) + rng.normal(0, base[i] * 0.03)
            label = f"{idx // 4}/{(idx // 4 + 1) % 100:02d} Q{idx % 4 + 1}"
            comment = "Below target: the service has an improvement plan." if rng.random() < 0.05 else ""
            rows.append((code, label, round(value, 2), comment))
    pd.DataFrame(rows, columns=["code", "period", "value", "commentary"]).to_csv(folder / "actuals.csv", index=False)
    years = sorted({idx // 4 for idx in quarters})
    target_rows = []
    for i, code in enumerate(codes):
        if kind[i] != "target":
            continue
        shift = rng.normal(-0.06, 0.04)  # most metrics beat their target
        sign = 1 if polarity[i] == "higher" else -1
        for y in years:
            target_rows.append((code, f"{y}/{(y + 1) % 100:02d}", "", round(base[i] * (1 + sign * shift), 1)))
    pd.DataFrame(target_rows, columns=["code", "year", "quarter", "target"]).to_csv(folder / "targets.csv", index=False)
    (folder / "council.toml").write_text(
        'name = "Benchmark Borough Council"\nplan_title = "Benchmark Plan"\n'
        "objectives = [" + ", ".join(f'"{o}"' for o in OBJECTIVES) + "]\n",
        encoding="utf-8",
    )
    if v2:
        add_v2(folder, seed)
    return folder


V2_COUNCIL = """
[statuses]
"On track" = "on_track"
"Achieved" = "achieved"
"On alert" = "at_risk"
"Off track" = "off_track"
"Affected by Covid-19" = "paused"
"Awaiting update" = "no_update"

[labels]
green = "On track"

[rag]
tolerance = "5%/10%"

[tiers]
plan = "Council Plan targets"
service = "Performance indicators"
"""


def add_v2(folder: Path, seed: int = 1) -> Path:
    """Turn a generated register into one that uses contract v2 everywhere.

    One metric in ten becomes a milestone (a status every quarter, some with progress
    and a revised due date), half the metrics are service indicators, one targeted
    metric in twenty gets a status word overriding its figures (with a reason) and
    one in twenty a strict target (``>``), the annual metrics' figures become outturns
    of the previous year (``for_period``), a tenth of metrics end a year before the
    last quarter, and there is a highlight per service and quarter.
    """
    rng = np.random.default_rng(seed + 1)
    metrics = pd.read_csv(folder / "metrics.csv", dtype=str, keep_default_na=False)
    actuals = pd.read_csv(folder / "actuals.csv", dtype=str, keep_default_na=False)
    targets = pd.read_csv(folder / "targets.csv", dtype=str, keep_default_na=False)
    n = len(metrics)
    milestone = rng.random(n) < 0.1
    metrics["kind"] = np.where(milestone, "milestone", metrics["kind"])
    metrics["unit"] = np.where(milestone, "", metrics["unit"])
    metrics["polarity"] = np.where(milestone, "", metrics["polarity"])
    metrics["tolerance"] = np.where(milestone, "", metrics["tolerance"])
    metrics["tier"] = np.where(rng.random(n) < 0.5, "plan", "service")
    metrics["due"] = np.where(milestone, rng.choice(["2023/24 Q4", "2024/25 Q4", "Dec 2025"], size=n), "")
    ends = ~milestone & (metrics["frequency"] == "quarterly") & (rng.random(n) < 0.1)
    metrics["end"] = np.where(ends, "2023/24 Q4", "")
    metrics.to_csv(folder / "metrics.csv", index=False)
    kind = dict(zip(metrics["code"], metrics["kind"], strict=True))
    frequency = dict(zip(metrics["code"], metrics["frequency"], strict=True))
    ended = set(metrics.loc[ends, "code"])
    words = ["On track", "On track", "On track", "On alert", "Off track", "Achieved", "Affected by Covid-19"]
    rows = []
    for rec in actuals.to_dict("records"):
        code, period = rec["code"], rec["period"]
        start = int(period[:4])
        out = {**rec, "status": "", "status_reason": "", "progress": "", "revised_due": "", "for_period": ""}
        out.update(action="", action_due="")
        if code in ended and start >= 2024:
            continue
        if kind[code] == "milestone":
            out.update(value="", status=words[int(rng.integers(len(words)))])
            if rng.random() < 0.3:
                out["progress"] = str(int(rng.integers(0, 101)))
            if rng.random() < 0.05:
                out["revised_due"] = "2025/26 Q4"
        elif frequency[code] == "annual":
            out["for_period"] = f"{start - 1}/{start % 100:02d}"  # last year's outturn, reported in Q4
        elif kind[code] == "target" and rng.random() < 0.05:
            out.update(status="Affected by Covid-19", status_reason="Covid-19 closures")
        if kind[code] == "target" and rng.random() < 0.05:
            out.update(action="Improvement plan agreed", action_due="Mar 2025")
        rows.append(out)
    pd.DataFrame(rows).to_csv(folder / "actuals.csv", index=False)
    annual = {c for c, f in frequency.items() if f == "annual"}
    targets = targets.loc[~targets["code"].isin({c for c, k in kind.items() if k == "milestone"})].copy()
    strict = targets["code"].isin(set(metrics.loc[rng.random(n) < 0.05, "code"])) & ~targets["code"].isin(annual)
    higher = dict(zip(metrics["code"], metrics["polarity"], strict=True))
    targets["target"] = [
        (">" if higher[c] == "higher" else "<") + t if s else t
        for c, t, s in zip(targets["code"], targets["target"], strict.tolist(), strict=True)
    ]
    # outturns of the previous year need that year's target
    first = int(targets["year"].str[:4].astype(int).min())
    extra = targets.loc[targets["year"].str.startswith(str(first)) & targets["code"].isin(annual)].copy()
    extra["year"] = f"{first - 1}/{first % 100:02d}"
    pd.concat([targets, extra]).to_csv(folder / "targets.csv", index=False)
    quarters = sorted(set(actuals["period"]))
    highlights = [
        {"period": q, "service": s, "kind": "achievement" if i % 2 else "challenge", "text": f"{s} highlight for {q}"}
        for q in quarters
        for i, s in enumerate(SERVICES)
    ]
    pd.DataFrame(highlights).to_csv(folder / "highlights.csv", index=False)
    with open(folder / "council.toml", "a", encoding="utf-8") as f:
        f.write(V2_COUNCIL)
    return folder


#: A small contract v2 register shaped like a Council Plan: every figure chosen so the report can be worked by hand.
PLAN_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "plan"


def make_plan_register(folder: Path) -> Path:
    """A copy of ``tests/fixtures/plan``, the small v2 register the plan-shaped appendix is tested on.

    Two objectives, their strategies and tactics, milestones (on track with a revised due date,
    past due, overdue, achieved previously), an override with its reason, a half-yearly figure,
    a strict target, a year's outturn published later, a final outturn of the previous plan,
    remedial actions (two set in Q1 and due by the end of Q2) and two service indicators;
    ``[[plans]]``, ``[report]``, ``[tiers]`` and a two-band ``[rag]`` tolerance. The quarter
    reported is 2024/25 Q2; tests/test_plan_appendix.py works out what each figure gives.
    A copy, so a test may change a file without touching the fixture.
    """
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for name in ("metrics.csv", "targets.csv", "actuals.csv", "council.toml"):
        shutil.copyfile(PLAN_FIXTURE / name, folder / name)
    return folder


def make_million_actuals(folder: Path, rows: int = 1_000_000, n_quarters: int = 48, seed: int = 1) -> int:
    """A register with at least ``rows`` actuals rows (48 quarters of enough metrics); returns the row count.

    The shape is :func:`make_register`'s (about 10% annual metrics, reported once a year),
    so about 44 rows per metric.
    """
    per_metric = 0.9 * n_quarters + 0.1 * (n_quarters // 4)
    n_metrics = int(rows / per_metric * 1.01) + 1
    make_register(folder, n_metrics, n_quarters=n_quarters, seed=seed)
    with open(folder / "actuals.csv", "rb") as f:
        count = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b"")) - 1
    if count < rows:
        raise RuntimeError(f"generated {count:,} actuals rows, fewer than {rows:,}")
    return count


def format_to_last_row(path: Path, sheet: str, last: int = 1_048_576) -> None:
    """Give a workbook sheet formatted, empty rows down to Excel's last row, as formatting whole columns can.

    Each added row holds six empty cells with a style, as Excel writes rows formatted cell by cell,
    and the sheet's dimension says ``A1:F1048576``: the worst case for a reader that trusts it.
    """
    import io
    import re
    import zipfile

    import openpyxl

    index = openpyxl.load_workbook(path, read_only=True).sheetnames.index(sheet) + 1
    target = f"xl/worksheets/sheet{index}.xml"
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == target:
                text = data.decode()
                text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:F{last}"/>', text)
                first = int(re.findall(r'<row r="(\d+)"', text)[-1]) + 1
                rows = "".join(
                    f'<row r="{r}" spans="1:6">' + "".join(f'<c r="{c}{r}" s="0"/>' for c in "ABCDEF") + "</row>"
                    for r in range(first, last + 1)
                )
                data = text.replace("</sheetData>", rows + "</sheetData>").encode()
            out.writestr(item, data)


def make_formatted_workbook(folder: Path, n_metrics: int = 50) -> Path:
    """A register in ``register.xlsx`` whose actuals sheet is formatted down to row 1,048,576."""
    make_register(folder, n_metrics)
    book = folder / "register.xlsx"
    with pd.ExcelWriter(book) as xl:
        for name in ("metrics", "targets", "actuals"):
            frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
            for col in ("value", "target", "decimals"):  # Excel keeps numbers as numbers
                if col in frame:
                    frame[col] = pd.to_numeric(frame[col].replace("", None))
            frame.to_excel(xl, sheet_name=name, index=False)
            (folder / f"{name}.csv").unlink()
    format_to_last_row(book, "actuals")
    return book


SURVEY_CATEGORIES = {
    "age_band": ["16-34", "35-54", "55-74", "75+"],
    "sex": ["Female", "Male"],
    "ward": [f"Ward {i:02d}" for i in range(20)],
    "disability": ["Yes", "No", "Prefer not to say"],
    "ethnicity": [
        "White British",
        "White other",
        "Asian or Asian British",
        "Black or Black British",
        "Mixed or multiple",
        "Other ethnic group",
    ],
}
ANSWERS = [
    "Very satisfied",
    "Fairly satisfied",
    "Neither satisfied nor dissatisfied",
    "Fairly dissatisfied",
    "Very dissatisfied",
    "Don't know",
    "",
]


def make_survey(n: int, seed: int = 1, n_questions: int = 10) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """``n`` respondents with 3 raking variables, 5 breakdowns and ``n_questions`` questions, and population margins.

    Columns are text, as read from a file; each distinct answer is one Python string shared by its rows.
    """
    rng = np.random.default_rng(seed)
    data = {"respondent_id": pd.array(np.char.add("R", np.arange(n).astype(str)), dtype="str")}
    for var, cats in SURVEY_CATEGORIES.items():
        p = np.linspace(2, 1, len(cats))
        data[var] = pd.Series(np.array(cats, dtype=object)[rng.choice(len(cats), size=n, p=p / p.sum())], dtype="str")
    for i in range(n_questions):
        p = np.array([0.15, 0.3, 0.2, 0.12, 0.08, 0.1, 0.05])
        data[f"q{i}"] = pd.Series(np.array(ANSWERS, dtype=object)[rng.choice(len(ANSWERS), size=n, p=p)], dtype="str")
    margins = {
        v: pd.Series(np.full(len(SURVEY_CATEGORIES[v]), 1 / len(SURVEY_CATEGORIES[v])), index=SURVEY_CATEGORIES[v])
        for v in ("age_band", "sex", "ward")
    }
    return pd.DataFrame(data), margins


def make_design_survey(n: int, seed: int = 1, n_questions: int = 10) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """:func:`make_survey` with a sampling design: strata (the ward), households of 1 to 4 respondents
    as clusters within wards, a design weight per household, and each ward's population in households (fpc).
    """
    frame, margins = make_survey(n, seed=seed, n_questions=n_questions)
    rng = np.random.default_rng(seed + 1)
    frame = frame.sort_values("ward", kind="stable").reset_index(drop=True)
    size = rng.integers(1, 5, size=n)  # household sizes drawn in turn until every respondent has one
    starts = np.cumsum(size)
    household = np.searchsorted(starts, np.arange(n), side="right")
    # a household never spans two wards: start a new one where the ward changes
    ward_change = np.r_[False, frame["ward"].to_numpy()[1:] != frame["ward"].to_numpy()[:-1]]
    household = household + np.cumsum(ward_change)
    _, household = np.unique(household, return_inverse=True)
    frame["household_id"] = pd.Series(np.char.add("H", household.astype(str)), dtype="str")
    per_household = rng.uniform(0.5, 3.0, size=household.max() + 1)
    frame["design_weight"] = pd.Series(np.round(per_household[household], 4).astype(str), dtype="str")
    households_in_ward = frame.groupby("ward")["household_id"].transform("nunique")
    frame["ward_households"] = (households_in_ward * 20).astype(str).astype("str")
    return frame, margins


def make_survey_wave(
    folder: Path,
    n_questions: int,
    n_respondents: int,
    breakdowns: tuple[str, ...] = ("age_band", "sex", "ward", "disability"),
    seed: int = 1,
) -> Path:
    """A wave folder (``survey.toml``, ``responses.csv``, ``population.csv``) of ``n_questions`` questions.

    Raked by age band, sex and ward; answers drawn as in :func:`make_survey`. Written as
    files so that the whole path (reading, validation, weighting, estimates) is measured.
    """
    frame, margins = make_survey(n_respondents, seed=seed, n_questions=n_questions)
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "responses.csv", index=False)
    pd.DataFrame(
        [(v, c, s) for v, m in margins.items() for c, s in m.items()], columns=["variable", "category", "share"]
    ).to_csv(folder / "population.csv", index=False)
    lines = [
        f'title = "Benchmark survey, {n_questions} questions"',
        "fieldwork_end = 2024-07-31",
        'id = "respondent_id"',
        'weight_by = ["age_band", "sex", "ward"]',
        "breakdowns = [" + ", ".join(f'"{b}"' for b in breakdowns) + "]",
        "min_cell = 10",
        "",
    ]
    for i in range(n_questions):
        lines += [
            f"[questions.q{i}]",
            f'label = "Benchmark question {i}"',
            'positive = ["Very satisfied", "Fairly satisfied"]',
            'exclude = ["Don\'t know"]',
            "",
        ]
    (folder / "survey.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


if __name__ == "__main__":
    what, size, target = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    if what == "register":
        make_register(target, size)
    elif what == "survey":
        make_survey_wave(target, size, 2000)
    elif what == "actuals":
        make_million_actuals(target, size)
    elif what == "workbook":
        make_formatted_workbook(target, size)
    else:
        raise SystemExit("usage: generate.py register|survey|actuals|workbook N FOLDER")
