"""The drafted survey paragraphs, from a hand-built set of results."""

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd

from perfkit.survey.config import Question, WaveConfig
from perfkit.survey.narrative import draft_survey_narrative


def _wave(name, title, min_cell=10):
    q = Question(
        "satisfied_council",
        "Satisfied with the way the council runs things",
        ("Very satisfied",),
        ("Don't know",),
        "are satisfied with the way the council runs things",
    )
    return WaveConfig(
        name,
        None,
        title,
        dt.date(int(name), 7, 31),
        "id",
        ("age_band", "sex"),
        ("age_band",),
        min_cell,
        (q,),
        population_source="Census 2021",
    )


def _row(breakdown, group, n, pct, lo, hi, **kw):
    base = {
        "question": "satisfied_council",
        "label": "Satisfied with the way the council runs things",
        "breakdown": breakdown,
        "group": group,
        "n": n,
        "pct": pct,
        "ci_low": lo,
        "ci_high": hi,
        "suppressed": n < 10,
        "significant_vs_rest": False,
        "significant_vs_previous": False,
        "previous_pct": np.nan,
        "change": np.nan,
    }
    return {**base, **kw}


def _analysis(rows, previous=True):
    cur = SimpleNamespace(wave=_wave("2024", "Residents' Survey 2024"), weighting=SimpleNamespace(n=1099))
    prev = SimpleNamespace(wave=_wave("2023", "Residents' Survey 2023")) if previous else None
    return SimpleNamespace(current=cur, previous=prev, estimates=pd.DataFrame(rows))


def test_the_issue_example_sentence():
    rows = [
        _row("All", "All", 1040, 47.2, 43.7, 50.7, previous_pct=52.4, change=-5.2, significant_vs_previous=True),
        _row("age_band", "16-34", 129, 37.6, 29.6, 46.5, significant_vs_rest=True),
        _row("age_band", "75+", 207, 57.7, 50.7, 64.4, significant_vs_rest=True),
        _row("age_band", "Other", 4, np.nan, np.nan, np.nan),
    ]
    intro, findings, groups, suppression = draft_survey_narrative(_analysis(rows))
    assert intro.startswith(
        "1,099 residents responded to the Residents' Survey 2024, whose fieldwork ended on "
        "31 July 2024. Results are weighted to the population by age band and sex (Census 2021)"
    )
    assert intro.endswith("Changes are compared with the Residents' Survey 2023.")
    # ± is half the interval: (50.7 - 43.7) / 2 = 3.5
    assert findings == (
        "47% (±3.5 points) are satisfied with the way the council runs things, down from 52% in "
        "2023, a statistically significant fall."
    )
    assert groups == (
        "Groups whose results differ significantly from other residents (95% level): Satisfied with "
        "the way the council runs things: by age band, 16-34 lower (38%) and 75+ higher (58%)."
    )
    assert suppression.startswith(
        "Results are not shown for one group with fewer than 10 respondents answering: Other (age band)."
    )


def test_a_change_that_is_not_significant_says_so_and_no_groups_differ():
    rows = [_row("All", "All", 500, 60.0, 55.0, 65.0, previous_pct=58.0, change=2.0)]
    paras = draft_survey_narrative(_analysis(rows))
    assert paras[1] == (
        "60% (±5.0 points) are satisfied with the way the council runs things, compared with 58% in "
        "2023; the difference is not statistically significant."
    )
    assert paras[2] == "No group's results differ significantly from those of other residents."
    assert len(paras) == 3  # no suppression note when nothing is suppressed


def test_first_wave_has_no_comparison():
    rows = [_row("All", "All", 500, 60.0, 55.0, 65.0)]
    paras = draft_survey_narrative(_analysis(rows, previous=False))
    assert paras[1] == "60% (±5.0 points) are satisfied with the way the council runs things."
    assert "compared with the" not in paras[0]


def test_suppressed_results_are_never_quoted():
    rows = [
        _row("All", "All", 500, 60.0, 55.0, 65.0),
        _row("age_band", "Tiny", 3, np.nan, np.nan, np.nan, significant_vs_rest=False),
    ]
    text = " ".join(draft_survey_narrative(_analysis(rows)))
    assert "Tiny (age band)" in text and "Tiny lower" not in text and "Tiny higher" not in text
