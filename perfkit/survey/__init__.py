"""Residents' survey: read a wave, weight it to the population, estimate with honest uncertainty.

The method follows R's ``survey`` package (T. Lumley) and is tested against it;
see :mod:`perfkit.survey.estimates` for the formulas.
"""

from .analysis import SurveyAnalysis, analyse_wave, survey_for_quarter
from .config import Question, WaveConfig, find_waves, load_wave_config, waves_for_quarter
from .weighting import Weighting, rake

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
