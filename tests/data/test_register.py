import shutil

import pandas as pd
import pytest

from perfkit.assess import assess
from perfkit.data.register import load_register
from perfkit.errors import DataValidationError


def _copy(tiny_dir, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(tiny_dir, target)
    return target


def test_register_from_csv_has_typed_columns(tiny_dir):
    reg = load_register(tiny_dir)
    assert reg.council.name == "Tiny Test Council"
    assert reg.council.objectives == ("Good services", "A green place")
    assert len(reg.metrics) == 12
    assert reg.metrics.loc["A10", "cumulative"] is True or reg.metrics.loc["A10", "cumulative"] == True  # noqa: E712
    assert reg.metrics.loc["A6", "decimals"] == 0
    a5 = reg.actuals.set_index(["code", "period"]).loc[("A5", "2024/25 Q2")]
    assert a5["value"] == 50.0  # 100 * 18 / 36
    assert reg.latest_quarter().label == "2024/25 Q2"


def test_register_from_xlsx_gives_the_same_assessment(tiny_dir, tmp_path):
    data = _copy(tiny_dir, tmp_path)
    with pd.ExcelWriter(data / "register.xlsx") as xl:
        for name in ("metrics", "targets", "actuals"):
            frame = pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False)
            # Excel stores numbers as numbers: write numeric columns as numbers
            for col in ("value", "numerator", "denominator", "target", "decimals"):
                if col in frame:
                    frame[col] = pd.to_numeric(frame[col].replace("", None))
            frame.to_excel(xl, sheet_name=name, index=False)
            (data / f"{name}.csv").unlink()
    from_xlsx = assess(load_register(data), "2024/25 Q2")
    from_csv = assess(load_register(tiny_dir), "2024/25 Q2")
    cols = ["code", "value", "target", "status", "vs_previous", "vs_last_year", "persistent_exception", "commentary"]
    pd.testing.assert_frame_equal(from_xlsx[cols], from_csv[cols])


def test_windows_1252_file_with_crlf_and_spaces_is_read(tiny_dir, tmp_path):
    data = _copy(tiny_dir, tmp_path)
    text = (data / "actuals.csv").read_text(encoding="utf-8")
    text = text.replace("Staff shortages", "Staff shortages – café closed").replace("\n", "\r\n")
    text = text.replace("A2,2024/25 Q2,96.96", " A2 , Q2 2024/25 , 96.96 ")
    (data / "actuals.csv").write_bytes(text.encode("cp1252"))
    reg = load_register(data)
    comments = reg.actuals.set_index(["code", "period"])["commentary"]
    assert comments[("A1", "2024/25 Q1")] == "Staff shortages – café closed in the complaints team."
    assert reg.actuals.set_index(["code", "period"]).loc[("A2", "2024/25 Q2"), "value"] == 96.96


def test_utf8_bom_is_read(tiny_dir, tmp_path):
    data = _copy(tiny_dir, tmp_path)
    raw = (data / "metrics.csv").read_bytes()
    (data / "metrics.csv").write_bytes(b"\xef\xbb\xbf" + raw)
    assert "code" in load_register(data).metrics.columns


def _problems(data):
    with pytest.raises(DataValidationError) as info:
        load_register(data)
    return info.value.problems


def test_every_problem_is_reported_with_file_row_and_column(tiny_dir, tmp_path):
    data = _copy(tiny_dir, tmp_path)
    with open(data / "actuals.csv", "a", encoding="utf-8") as f:
        f.write("A1,2024/25 Q2,85,,,duplicate\n")  # row 25: duplicate period
        f.write("ZZ9,2024/25 Q2,85,,,\n")  # row 26: unknown code
        f.write("A2,2024 Q3,85,,,\n")  # row 27: impossible period
        f.write("A3,2024/25 Q3,12.5.1,,,\n")  # row 28: not a number
        f.write("A5,2024/25 Q3,,18,0,\n")  # row 29: zero denominator
        f.write("A5,2024/25 Q4,60,18,36,\n")  # row 30: 60 != 50.0
    problems = [p for p in _problems(data) if p.severity == "error"]
    where = {(p.file, p.row, p.column) for p in problems}
    assert ("actuals.csv", 25, "period") in where
    assert ("actuals.csv", 26, "code") in where
    assert ("actuals.csv", 27, "period") in where
    assert ("actuals.csv", 28, "value") in where
    assert ("actuals.csv", 29, "denominator") in where
    assert ("actuals.csv", 30, "value") in where
    assert len(problems) == 6
    text = str(DataValidationError(problems))
    assert "actuals.csv, row 30, column 'value', A5: The value 60 does not match numerator / denominator" in text


def test_metric_definition_problems(tiny_dir, tmp_path):
    data = _copy(tiny_dir, tmp_path)
    lines = (data / "metrics.csv").read_text().splitlines()
    lines[2] = lines[2].replace(",higher,target,", ",none,target,")  # row 3: target without direction
    lines[3] = lines[3].replace(",percent,", ",percentage,")  # row 4: unknown unit
    lines[4] = lines[4].replace(",2,1,no", ",two,1,no")  # row 5: tolerance not a number
    lines.append(lines[1])  # row 14: duplicate code
    (data / "metrics.csv").write_text("\n".join(lines) + "\n")
    where = {(p.row, p.column) for p in _problems(data) if p.severity == "error"}
    assert where == {(3, "polarity"), (4, "unit"), (5, "tolerance"), (14, "code")}


def test_missing_required_column_suggests_the_close_name(tiny_dir, tmp_path):
    data = _copy(tiny_dir, tmp_path)
    text = (data / "targets.csv").read_text().replace("code,year,quarter,target", "code,year,quarter,targt")
    (data / "targets.csv").write_text(text)
    (p,) = [p for p in _problems(data) if p.severity == "error"]
    assert (p.file, p.row, p.column) == ("targets.csv", 1, "target")
    assert "'targt' may be meant" in p.fix


def test_missing_table_is_named(tiny_dir, tmp_path):
    data = _copy(tiny_dir, tmp_path)
    (data / "targets.csv").unlink()
    (p,) = _problems(data)
    assert "targets" in p.message and "register.xlsx" in p.fix


def test_warnings_do_not_stop_loading(tiny_dir):
    reg = load_register(tiny_dir)
    assert [(w.column, "A8" in w.message) for w in reg.warnings] == [("target", True)]
