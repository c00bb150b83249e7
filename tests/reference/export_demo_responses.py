"""Export the demo wave's responses.sav, with its value labels, as CSV for survey_design_reference.R.

The R used for the reference values has no package to read SPSS files, so it reads this CSV:

    python tests/reference/export_demo_responses.py   # then Rscript tests/reference/survey_design_reference.R

Value labels are applied by pyreadstat as perfkit applies them (perfkit.survey.responses); the test
compares perfkit reading the .sav itself against R's values.
"""

from pathlib import Path

import pyreadstat

ROOT = Path(__file__).resolve().parent.parent.parent
frame, _ = pyreadstat.read_sav(
    str(ROOT / "data" / "demo" / "survey" / "2024" / "responses.sav"), apply_value_formats=True
)
columns = ["respondent_id", "age_band", "sex", "ward", "disability", "ethnicity"]
columns += ["satisfied_council", "value_for_money", "satisfied_area", "safe_after_dark", "informed"]
text = frame[columns].astype(object)
text.where(text.notna(), "").astype(str).to_csv(
    ROOT / "tests" / "fixtures" / "survey_design" / "demo_responses.csv", index=False
)
