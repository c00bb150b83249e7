"""A run reuses the last validation only while nothing it depends on has changed, and reports the same warnings."""

import hashlib
import json
import os
import shutil

import pytest

import perfkit as pk
import perfkit.batch.cache as cache
import perfkit.batch.executors as executors
import perfkit.survey.responses as responses
from perfkit.batch.executors import BatchSummary
from perfkit.batch.validated import RECORD_NAME, data_fingerprint, seal
from perfkit.batch.validated import validate_for_run as validate_only
from perfkit.cli import main
from perfkit.errors import DataValidationError
from tests.support import ROOT

DEMO = ROOT / "data" / "demo"
#: survey/2023/responses.csv has 1,113 lines: the header and 1,112 respondents.
RESPONDENTS_2023 = 1112


@pytest.fixture
def data(tmp_path):
    """The demo folder, with min_cell of the 2023 wave above its respondents: a warning only the survey check gives."""
    folder = tmp_path / "data"
    shutil.copytree(DEMO, folder)
    toml = folder / "survey" / "2023" / "survey.toml"
    toml.write_text(toml.read_text().replace("min_cell = 10\n", "min_cell = 5000\n"))
    return folder


@pytest.fixture(autouse=True)
def no_kernel(monkeypatch):
    """No kernel is started early for the runs here: none of them runs a notebook."""
    monkeypatch.setattr(executors, "start_early", lambda *args, **kwargs: None)


@pytest.fixture
def reads(monkeypatch):
    """Counts the survey response files read (every full validation reads each wave's)."""
    calls = []
    real = responses.read_responses

    def counted(wave):
        calls.append(wave.name)
        return real(wave)

    monkeypatch.setattr(responses, "read_responses", counted)
    return calls


def validate_for_run(data, out, force=False):
    """Validate for a run, and keep the validation as a run that went ahead does."""
    validation = validate_only(data, out, force=force)
    validation.keep(out)
    return validation.report


def no_reading(monkeypatch):
    def refuse(wave):
        raise AssertionError(f"the responses of wave {wave.name} were read")

    monkeypatch.setattr(responses, "read_responses", refuse)


# the warnings of the fixture, worked out from the files: SRV.12 has 2024/25 actuals and no 2024/25
# target (targets.csv), and the 2023 wave's min_cell of 5,000 is above its 1,112 respondents
EXPECTED = [
    ("targets.csv", "target", "SRV.12", "SRV.12 has figures for 2024/25 but no target"),
    ("survey/2023/survey.toml", "min_cell", None, f"min_cell (5,000) is more than the wave's {RESPONDENTS_2023:,}"),
]


def described(report):
    return [(p.file, p.column, p.code, p.message) for p in report.problems]


def test_the_fixture_has_the_warnings_worked_out_by_hand(data):
    report = pk.validate_folder(data)
    assert report.ok and report.waves == ["2023", "2024"]
    assert len(report.problems) == len(EXPECTED)
    for got, (file, column, code, start) in zip(described(report), EXPECTED, strict=True):
        assert got[:3] == (file, column, code) and got[3].startswith(start), got


def test_an_unchanged_folder_reuses_the_validation_without_reading_the_responses(data, tmp_path, monkeypatch, reads):
    out = tmp_path / "out"
    first = validate_for_run(data, out)
    assert sorted(reads) == ["2023", "2024"]  # the first run validates in full
    assert (out / RECORD_NAME).is_file()
    fresh = pk.validate_folder(data)
    no_reading(monkeypatch)
    again = validate_for_run(data, out)
    # the same warnings, in the same order, each field the same, as a full validation gives
    assert again.problems == first.problems == fresh.problems
    for got, (file, column, code, start) in zip(described(again), EXPECTED, strict=True):
        assert got[:3] == (file, column, code) and got[3].startswith(start), got
    assert again.waves == ["2023", "2024"]
    assert again.register is not None and again.register.council.name == first.register.council.name


@pytest.mark.parametrize(
    "change",
    [
        "actuals",  # a figure restated
        "targets",  # a target added
        "responses",  # one answer changed in the survey responses
        "sav",  # one byte of the SPSS file of the other wave
        "new file",  # a file added (a council's own notebook might read it)
        "removed file",  # the highlights removed
        "new folder",  # an empty folder under survey/
    ],
)
def test_any_change_to_the_data_folder_means_a_full_validation(data, tmp_path, reads, change):
    out = tmp_path / "out"
    validate_for_run(data, out)
    reads.clear()
    if change == "actuals":
        text = (data / "actuals.csv").read_text()
        (data / "actuals.csv").write_text(text.replace("ENV.01,2022/23 Q1,50.97", "ENV.01,2022/23 Q1,50.98", 1))
    elif change == "targets":
        with open(data / "targets.csv", "a") as f:
            f.write("SRV.12,2024/25,,90\n")
    elif change == "responses":
        path = data / "survey" / "2023" / "responses.csv"
        path.write_text(path.read_text().replace("R23-00001,55-74,Female", "R23-00001,35-54,Female", 1))
    elif change == "sav":
        path = data / "survey" / "2024" / "responses.sav"
        raw = bytearray(path.read_bytes())
        raw[-1] ^= 1
        path.write_bytes(bytes(raw))
    elif change == "new file":
        (data / "notes.txt").write_text("for the meeting")
    elif change == "removed file":
        (data / "highlights.csv").unlink()
    else:
        (data / "survey" / "2025").mkdir()
    report = validate_for_run(data, out)
    assert reads, "the data was not validated again"
    assert described(report) == described(pk.validate_folder(data))
    if change == "targets":  # the SRV.12 warning is gone: the validation was done again, not reused
        assert [p.code for p in report.problems] == [None]
    if change == "new folder":  # a wave folder without its files is an error
        assert any(p.file.startswith("survey/2025") and p.severity == "error" for p in report.problems)


def test_the_same_bytes_back_again_reuse_the_record_made_for_them(data, tmp_path, monkeypatch, reads):
    out = tmp_path / "out"
    validate_for_run(data, out)
    original = (data / "targets.csv").read_bytes()
    (data / "targets.csv").write_bytes(original + b"SRV.12,2024/25,,90\n")
    validate_for_run(data, out)  # a full validation, recorded for the edited file
    (data / "targets.csv").write_bytes(original)
    reads.clear()
    validate_for_run(data, out)
    assert reads  # the record is of the edited file: the original is validated again, whatever its times say


@pytest.mark.parametrize("broken", ["register", "survey"])
def test_invalid_data_is_reported_even_with_a_record(data, tmp_path, capsys, monkeypatch, broken):
    monkeypatch.setenv("COLUMNS", "300")  # the table of problems on one line each
    out = tmp_path / "out"
    validate_for_run(data, out)
    record = (out / RECORD_NAME).read_bytes()
    if broken == "register":  # a figure that is not a number, in the first row of figures (row 2)
        text = (data / "actuals.csv").read_text()
        (data / "actuals.csv").write_text(text.replace("ENV.01,2022/23 Q1,50.97", "ENV.01,2022/23 Q1,fifty", 1))
        where, words = ("actuals.csv", 2, "value"), "fifty"
    else:  # a weighted wave without its population shares: only the survey check finds it
        (data / "survey" / "2023" / "population.csv").unlink()
        where, words = ("survey/2023", None, None), "population.csv"
    with pytest.raises(DataValidationError) as raised:
        validate_for_run(data, out).raise_if_invalid()
    [error] = [p for p in raised.value.problems if p.severity == "error"]
    assert (error.file, error.row, error.column) == where and words in error.message
    assert (out / RECORD_NAME).read_bytes() == record  # an invalid folder is never recorded
    # and perfkit run says so, exit 2, with the record there
    code = main(["run", "--data", str(data), "--quarter", "2024/25 Q2", "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert words in err and "Nothing was run" in err


def test_a_new_perfkit_means_a_full_validation(data, tmp_path, monkeypatch, reads):
    out = tmp_path / "out"
    validate_for_run(data, out)
    reads.clear()
    monkeypatch.setattr(cache, "package_fingerprint", lambda: "9.9.9+0000000000000000")
    validate_for_run(data, out)
    assert sorted(reads) == ["2023", "2024"]


def test_force_validates_in_full(data, tmp_path, reads):
    out = tmp_path / "out"
    validate_for_run(data, out)
    reads.clear()
    validate_for_run(data, out, force=True)
    assert sorted(reads) == ["2023", "2024"]


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"depends_on": 1}', b"\xff\xfe", b"[]"])
def test_a_damaged_record_is_ignored_and_replaced(data, tmp_path, reads, damage):
    out = tmp_path / "out"
    validate_for_run(data, out)
    (out / RECORD_NAME).write_bytes(damage)
    reads.clear()
    report = validate_for_run(data, out)
    assert sorted(reads) == ["2023", "2024"]
    assert described(report) == described(pk.validate_folder(data))
    assert json.loads((out / RECORD_NAME).read_text())["waves"] == ["2023", "2024"]


def test_a_record_edited_by_hand_is_ignored(data, tmp_path, reads):
    out = tmp_path / "out"
    validate_for_run(data, out)
    path = out / RECORD_NAME
    record = json.loads(path.read_text())
    record["problems"] = []  # a record that would hide both warnings, its seal not made again
    path.write_text(json.dumps(record))
    reads.clear()
    assert described(validate_for_run(data, out)) == described(pk.validate_folder(data))
    assert reads


def test_a_record_that_lists_an_error_is_never_trusted(data, tmp_path, reads):
    out = tmp_path / "out"
    validate_for_run(data, out)
    path = out / RECORD_NAME
    record = json.loads(path.read_text())
    record["problems"][0]["severity"] = "error"
    record["seal"] = seal(record)  # sealed again: refused for what it says, not for the edit
    path.write_text(json.dumps(record))
    reads.clear()
    assert validate_for_run(data, out).ok
    assert reads


def test_a_file_saved_while_the_register_is_read_means_a_full_validation(data, tmp_path, monkeypatch, reads):
    import perfkit.data.register as register

    out = tmp_path / "out"
    validate_for_run(data, out)
    reads.clear()
    real = register.load_register

    def saved_meanwhile(folder):
        register = real(folder)
        with open(data / "targets.csv", "a") as f:
            f.write("SRV.12,2024/25,,90\n")
        return register

    monkeypatch.setattr(register, "load_register", saved_meanwhile)
    report = validate_for_run(data, out)
    assert reads
    assert [p.code for p in report.problems] == [None]  # the new target is seen


def test_a_folder_linked_from_elsewhere_is_validated_every_time(data, tmp_path, reads):
    elsewhere = tmp_path / "wave2024"
    shutil.move(data / "survey" / "2024", elsewhere)
    (data / "survey" / "2024").symlink_to(elsewhere, target_is_directory=True)
    assert data_fingerprint(data) is None
    out = tmp_path / "out"
    validate_for_run(data, out)
    reads.clear()
    validate_for_run(data, out)
    assert sorted(reads) == ["2023", "2024"]


def test_the_fingerprint_lists_every_file_and_folder_by_content(data):
    found = data_fingerprint(data)
    expected_files = sorted(p.relative_to(data).as_posix() + ("/" if p.is_dir() else "") for p in data.rglob("*"))
    assert sorted(found) == expected_files
    assert found["actuals.csv"] == hashlib.sha256((data / "actuals.csv").read_bytes()).hexdigest()
    assert found["survey/2023/"] == "folder"


def test_a_rerun_through_pk_run_does_not_read_the_responses(data, tmp_path, monkeypatch, capsys):
    """The whole run path: the second run with unchanged data still reports the warnings, from the record."""
    batches = []

    def planned_only(register, quarters, out_dir, *args, **kwargs):
        batches.append([q.label for q in quarters])
        return BatchSummary([])

    monkeypatch.setattr(executors, "run_batch", planned_only)
    argv = ["run", "--data", str(data), "--quarter", "2024/25 Q2", "--out", str(tmp_path / "out")]
    assert main(argv) == 0
    first = capsys.readouterr().out
    no_reading(monkeypatch)
    assert main(argv) == 0
    second = capsys.readouterr().out
    assert "2 warnings about the data" in first
    assert second == first
    assert batches == [["2024/25 Q2"], ["2024/25 Q2"]]


def test_perfkit_validate_always_checks_in_full_and_ignores_the_record(data, tmp_path, monkeypatch, capsys, reads):
    out = tmp_path / "out"
    validate_for_run(data, out)
    record = json.loads((out / RECORD_NAME).read_text())
    record["problems"] = []  # a record that would hide both warnings
    record["seal"] = seal(record)
    (out / RECORD_NAME).write_text(json.dumps(record))
    reads.clear()
    assert main(["validate", "--data", str(data), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [(p["file"], p["code"]) for p in shown] == [("targets.csv", "SRV.12"), ("survey/2023/survey.toml", None)]
    assert sorted(reads) == ["2023", "2024"]


def test_a_run_refused_before_it_starts_keeps_no_record(data, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    assert main(["run", "--data", str(data), "--quarter", "2030/31 Q1", "--out", str(out)]) == 2
    assert "quarters after the latest quarter with figures" in " ".join(capsys.readouterr().err.split())
    assert list(out.iterdir()) == []  # exit 2: nothing in the output folder changed


def test_an_unchanged_rerun_writes_nothing(data, tmp_path, monkeypatch):
    out = tmp_path / "out"
    validate_for_run(data, out)
    before = (out / RECORD_NAME).stat()
    monkeypatch.setattr("perfkit.batch.validated.write_atomic", lambda *a: pytest.fail("the record was written again"))
    validation = validate_only(data, out)
    validation.keep(out)
    assert validation.reused
    assert (out / RECORD_NAME).stat().st_mtime_ns == before.st_mtime_ns


@pytest.mark.parametrize("planted", ["link", "pipe"])
def test_a_link_or_pipe_planted_as_the_record_is_not_followed(data, tmp_path, reads, planted):
    out = tmp_path / "out"
    validate_for_run(data, out)
    real = (out / RECORD_NAME).read_bytes()
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(real)  # a record that would be reused, if it were read through the link
    (out / RECORD_NAME).unlink()
    if planted == "link":
        (out / RECORD_NAME).symlink_to(elsewhere)
    else:
        os.mkfifo(out / RECORD_NAME)  # reading it would wait for ever
    reads.clear()
    validate_for_run(data, out)
    assert sorted(reads) == ["2023", "2024"]
    assert elsewhere.read_bytes() == real  # not written through the link either
    assert not (out / RECORD_NAME).is_symlink() and (out / RECORD_NAME).is_file()  # replaced by a record
