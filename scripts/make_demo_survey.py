"""Generate the synthetic residents' survey waves of the Demo District Council.

Respondents skew old and female, as postal and online council surveys do, so
raw shares differ from weighted ones. Answers depend on age and sex through a
logistic model; the 2024 wave is less satisfied with the council than 2023.
One ethnic group is small enough to be suppressed. Seeded.

    python scripts/make_demo_survey.py              # data/demo/survey/2023 and 2024
    python scripts/make_demo_survey.py --fixture    # tests/fixtures/survey_ref (R reference data)
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

AGE = {"16-34": 0.27, "35-54": 0.32, "55-74": 0.28, "75+": 0.13}
SEX = {"Female": 0.51, "Male": 0.49}
WARD = {
    "Ashover": 0.12,
    "Clay Cross North": 0.19,
    "Dronfield South": 0.21,
    "Eckington": 0.17,
    "Killamarsh East": 0.16,
    "Wingerworth": 0.15,
}
ETHNICITY = {
    "White British": 0.905,
    "White other": 0.035,
    "Asian or Asian British": 0.028,
    "Mixed or multiple": 0.017,
    "Black or Black British": 0.008,
    "Other ethnic group": 0.007,
}
# how much more likely each group is to respond than average
AGE_RESPONSE = {"16-34": 0.45, "35-54": 0.85, "55-74": 1.35, "75+": 1.5}
SEX_RESPONSE = {"Female": 1.2, "Male": 0.8}

SATISFACTION = [
    "Very satisfied",
    "Fairly satisfied",
    "Neither satisfied nor dissatisfied",
    "Fairly dissatisfied",
    "Very dissatisfied",
    "Don't know",
]
AGREEMENT = [
    "Strongly agree",
    "Tend to agree",
    "Neither agree nor disagree",
    "Tend to disagree",
    "Strongly disagree",
    "Don't know",
]
SAFETY = ["Very safe", "Fairly safe", "Neither safe nor unsafe", "Fairly unsafe", "Very unsafe", "Don't know"]
INFORMED = [
    "Very well informed",
    "Fairly well informed",
    "Not very well informed",
    "Not well informed at all",
    "Don't know",
]

# question: (scale, positive answers, base logit, age effects, female effect, change per wave year)
QUESTIONS = {
    "satisfied_council": (SATISFACTION, 2, 0.0, {"16-34": -0.55, "35-54": -0.2, "55-74": 0.2, "75+": 0.6}, 0.1),
    "value_for_money": (AGREEMENT, 2, -0.35, {"16-34": -0.4, "35-54": -0.25, "55-74": 0.15, "75+": 0.5}, 0.0),
    "satisfied_area": (SATISFACTION, 2, 1.35, {"16-34": -0.3, "35-54": 0.0, "55-74": 0.2, "75+": 0.3}, 0.05),
    "safe_after_dark": (SAFETY, 2, 0.9, {"16-34": 0.2, "35-54": 0.2, "55-74": -0.1, "75+": -0.6}, -0.55),
    "informed": (INFORMED, 2, -0.1, {"16-34": -0.7, "35-54": -0.2, "55-74": 0.3, "75+": 0.55}, 0.05),
}
# shift of the base logit by wave: the 2024 wave is less satisfied with the council
WAVE_SHIFT = {"2023": {"satisfied_council": -0.02, "value_for_money": 0.1}, "2024": {"satisfied_council": -0.12}}

COMMENTS = [
    "Bins are collected on time.",
    "The park needs more benches.",
    "Potholes on my road.",
    "Staff were helpful when I called.",
    "",
    "",
    "",
]


def _pick(rng: np.random.Generator, shares: dict[str, float], weights: np.ndarray | None = None, n: int = 1):
    cats = list(shares)
    p = np.array([shares[c] for c in cats], dtype=float)
    return rng.choice(cats, size=n, p=p / p.sum())


def make_wave(rng: np.random.Generator, n: int, wave: str) -> pd.DataFrame:
    """Respondents of one wave, drawn with age and sex response bias."""
    pool = 8 * n
    age = _pick(rng, AGE, n=pool)
    sex = _pick(rng, SEX, n=pool)
    propensity = np.array([AGE_RESPONSE[a] for a in age]) * np.array([SEX_RESPONSE[s] for s in sex])
    chosen = rng.choice(pool, size=n, replace=False, p=propensity / propensity.sum())
    age, sex = age[chosen], sex[chosen]
    ward = _pick(rng, WARD, n=n)
    ethnicity = _pick(rng, ETHNICITY, n=n)
    disabled_p = np.array([{"16-34": 0.1, "35-54": 0.16, "55-74": 0.27, "75+": 0.42}[a] for a in age])
    u = rng.random(n)
    disability = np.where(u < 0.02, "Prefer not to say", np.where(u < 0.02 + disabled_p, "Yes", "No"))
    frame = pd.DataFrame(
        {
            "respondent_id": [f"R{wave[-2:]}-{i:05d}" for i in range(1, n + 1)],
            "age_band": age,
            "sex": sex,
            "ward": ward,
            "disability": disability,
            "ethnicity": ethnicity,
        }
    )
    for key, (scale, npos, base, age_fx, female_fx) in QUESTIONS.items():
        logit = base + WAVE_SHIFT.get(wave, {}).get(key, 0.0) + np.array([age_fx[a] for a in age])
        logit = logit + np.where(sex == "Female", female_fx, 0.0) + rng.normal(0, 0.3, n)
        p_pos = 1 / (1 + np.exp(-logit))
        dont_know = scale[-1] == "Don't know"
        r = rng.random(n)
        answers = np.empty(n, dtype=object)
        positive = r < p_pos
        # within positive and negative, spread over the scale points
        answers[positive] = np.where(rng.random(positive.sum()) < 0.35, scale[0], scale[1])
        neg_points = scale[npos:-1] if dont_know else scale[npos:]
        answers[~positive] = rng.choice(neg_points, size=(~positive).sum(), p=_neg_weights(len(neg_points)))
        if dont_know:
            answers[rng.random(n) < 0.04] = scale[-1]
        answers[rng.random(n) < 0.025] = ""  # did not answer
        frame[key] = answers
    frame["comments"] = rng.choice(COMMENTS, size=n)
    return frame


def _neg_weights(k: int) -> np.ndarray:
    w = np.linspace(1.6, 0.6, k)
    return w / w.sum()


def write_population(folder: Path) -> None:
    with open(folder / "population.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["variable", "category", "share"])
        for var, shares in (("age_band", AGE), ("sex", SEX), ("ward", WARD)):
            for cat, share in shares.items():
                w.writerow([var, cat, share])


def survey_toml(title: str, end: str, min_cell: int = 10) -> str:
    return f'''title = "{title}"
fieldwork_end = {end}
id = "respondent_id"
weight_by = ["age_band", "sex", "ward"]
breakdowns = ["age_band", "sex", "ward", "disability", "ethnicity"]
min_cell = {min_cell}
population_source = "Census 2021"

[questions.satisfied_council]
label = "Satisfied with the way the council runs things"
statement = "are satisfied with the way the council runs things"
positive = ["Very satisfied", "Fairly satisfied"]
exclude = ["Don't know"]

[questions.value_for_money]
label = "Agree the council provides value for money"
statement = "agree that the council provides value for money"
positive = ["Strongly agree", "Tend to agree"]
exclude = ["Don't know"]

[questions.satisfied_area]
label = "Satisfied with the local area as a place to live"
statement = "are satisfied with their local area as a place to live"
positive = ["Very satisfied", "Fairly satisfied"]
exclude = ["Don't know"]

[questions.safe_after_dark]
label = "Feel safe outside in their local area after dark"
statement = "feel safe outside in their local area after dark"
positive = ["Very safe", "Fairly safe"]
exclude = ["Don't know"]

[questions.informed]
label = "Feel well informed about council services"
statement = "feel well informed about council services"
positive = ["Very well informed", "Fairly well informed"]
exclude = ["Don't know"]
'''


def write_sav(frame: pd.DataFrame, path: Path) -> None:
    """Write responses as SPSS delivers them: numeric codes with value labels."""
    import pyreadstat

    coded = frame.copy()
    labels = {}
    for col in frame.columns:
        if col in ("respondent_id", "comments"):
            continue
        cats = sorted(c for c in frame[col].unique() if c != "")
        mapping = {c: i + 1 for i, c in enumerate(cats)}
        coded[col] = frame[col].map(mapping).astype(float)  # blank answers become system-missing
        labels[col] = {float(v): k for k, v in mapping.items()}
    pyreadstat.write_sav(coded, str(path), variable_value_labels=labels)


def write_demo() -> None:
    base = ROOT / "data" / "demo" / "survey"
    for wave, n, seed, end, fmt in (
        ("2023", 1112, 2023, "2023-07-31", "csv"),
        ("2024", 1099, 2024, "2024-07-31", "sav"),
    ):
        folder = base / wave
        folder.mkdir(parents=True, exist_ok=True)
        frame = make_wave(np.random.default_rng(seed), n, wave)
        (folder / "survey.toml").write_text(survey_toml(f"Residents' Survey {wave}", end), encoding="utf-8")
        write_population(folder)
        if fmt == "sav":
            write_sav(frame, folder / "responses.sav")
        else:
            frame.to_csv(folder / "responses.csv", index=False)


def write_fixture() -> None:
    folder = ROOT / "tests" / "fixtures" / "survey_ref" / "wave"
    folder.mkdir(parents=True, exist_ok=True)
    frame = make_wave(np.random.default_rng(7), 400, "2024")
    (folder / "survey.toml").write_text(survey_toml("Reference wave", "2024-07-31"), encoding="utf-8")
    write_population(folder)
    frame.to_csv(folder / "responses.csv", index=False)
    write_sav(frame, folder.parent / "responses.sav")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixture", action="store_true", help="write the R reference fixture instead")
    args = parser.parse_args()
    write_fixture() if args.fixture else write_demo()
