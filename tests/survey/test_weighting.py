import numpy as np
import pandas as pd
import pytest

from perfkit.errors import DataValidationError
from perfkit.survey.weighting import rake


def _sample():
    # 10 respondents: 7 women, 3 men; 6 old, 4 young, crossed unevenly
    return pd.DataFrame(
        {
            "sex": ["F"] * 7 + ["M"] * 3,
            "age": ["old", "old", "old", "old", "old", "young", "young", "old", "young", "young"],
        }
    )


MARGINS = {"sex": pd.Series({"F": 0.5, "M": 0.5}), "age": pd.Series({"young": 0.4, "old": 0.6})}


def test_one_margin_is_post_stratification_worked_by_hand():
    # women are 7/10 of the sample but half the population: weight 0.5/0.7, men 0.5/0.3
    result = rake(_sample(), MARGINS, ["sex"])
    assert result.weights[:7] == pytest.approx([5 / 7] * 7)
    assert result.weights[7:] == pytest.approx([5 / 3] * 3)
    assert result.iterations == 1 and result.converged


def test_raking_reproduces_every_margin_and_reports_mean_one_weights():
    frame = _sample()
    result = rake(frame, MARGINS, ["sex", "age"])
    w = result.weights
    assert w.mean() == pytest.approx(1.0, abs=1e-12)
    for var, margin in MARGINS.items():
        for cat, share in margin.items():
            assert w[(frame[var] == cat).to_numpy()].sum() / w.sum() == pytest.approx(share, abs=1e-8)
    assert result.converged and result.iterations > 1


def test_diagnostics_are_kish():
    result = rake(_sample(), MARGINS, ["sex"])
    w = result.weights
    # Kish: n_eff = (Σw)² / Σw² ; here Σw = 10, Σw² = 7·(5/7)² + 3·(5/3)² = 25/7 + 25/3
    n_eff = 100 / (25 / 7 + 25 / 3)
    d = result.diagnostics()
    assert d["n"] == 10
    assert d["n_effective"] == pytest.approx(n_eff, rel=1e-6)
    assert d["design_effect"] == pytest.approx(10 / n_eff, rel=1e-6)
    assert (d["weight_min"], d["weight_max"]) == (pytest.approx(5 / 7, rel=1e-6), pytest.approx(5 / 3, rel=1e-6))
    assert set(d) == {"converged", "iterations", "n", "n_effective", "design_effect", "weight_min", "weight_max"}
    assert w.sum() == pytest.approx(10)


def test_a_category_without_respondents_cannot_be_fitted_and_says_which():
    margins = {"sex": pd.Series({"F": 0.5, "M": 0.45, "Other": 0.05})}
    with pytest.raises(DataValidationError) as info:
        rake(_sample(), margins, ["sex"])
    (p,) = info.value.problems
    assert p.column == "sex"
    assert "will not fit: no respondent is in 'Other', which is 5.0% of the population" in p.message


def test_an_answer_without_a_margin_is_named():
    frame = _sample()
    frame.loc[0, "sex"] = "Prefer not to say"
    with pytest.raises(DataValidationError, match="'Prefer not to say'"):
        rake(frame, MARGINS, ["sex"])


def test_trimming_caps_weights_and_rakes_again():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"g": rng.choice(["a", "b", "c"], size=400, p=[0.9, 0.08, 0.02]), "h": rng.choice(["x", "y"], size=400)}
    )
    margins = {"g": pd.Series({"a": 0.5, "b": 0.3, "c": 0.2}), "h": pd.Series({"x": 0.5, "y": 0.5})}
    untrimmed = rake(frame, margins, ["g", "h"])
    assert untrimmed.weights.max() > 5
    trimmed = rake(frame, margins, ["g", "h"], trim=(0.3, 5.0))
    assert trimmed.weights.max() <= 5.0 * (1 + 1e-6)
    assert trimmed.weights.min() >= 0.3 * (1 - 1e-6)
    # the cap and the margins conflict here (c needs weight ~10): reported as not converged, never hidden
    assert trimmed.converged is False


def test_trimming_that_the_margins_allow_converges_with_margins_exact():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "g": rng.choice(["a", "b", "c"], size=600, p=[0.6, 0.3, 0.1]),
            "h": rng.choice(["x", "y"], size=600, p=[0.8, 0.2]),
        }
    )
    margins = {"g": pd.Series({"a": 0.4, "b": 0.35, "c": 0.25}), "h": pd.Series({"x": 0.5, "y": 0.5})}
    assert rake(frame, margins, ["g", "h"]).weights.max() > 4.9
    result = rake(frame, margins, ["g", "h"], trim=(0.2, 3.0))
    assert result.converged and result.weights.max() <= 3.0 * (1 + 1e-6)
    w = result.weights
    for var, margin in margins.items():
        for cat, share in margin.items():
            assert w[(frame[var] == cat).to_numpy()].sum() / w.sum() == pytest.approx(share, abs=1e-8)
