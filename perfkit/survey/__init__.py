"""Residents' survey: read a wave, weight it to the population, estimate with honest uncertainty.

The method follows R's ``survey`` package (T. Lumley) and is tested against it;
see :mod:`perfkit.survey.estimates` for the formulas.
"""

from .config import Question, WaveConfig, find_waves, load_wave_config, waves_for_quarter

# The analysis imports scipy; loaded on first use so that reading survey.toml stays cheap.
_LAZY = {
    "SurveyAnalysis": "analysis",
    "analyse_wave": "analysis",
    "survey_for_quarter": "analysis",
    "Weighting": "weighting",
    "rake": "weighting",
}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Question",
    "SurveyAnalysis",
    "WaveConfig",
    "Weighting",
    "analyse_wave",
    "find_waves",
    "load_wave_config",
    "rake",
    "survey_for_quarter",
    "waves_for_quarter",
]
