"""A return filled in and saved again by LibreOffice Calc is collected exactly as one saved by Excel.

LibreOffice rewrites the whole file (its own styles, shared strings, number formats), which is
what happens when a service opens a return in LibreOffice and saves it. ``make test`` installs
LibreOffice first (``make system-deps``); without it this test fails and says so.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile

from perfkit.returns import collect_returns, make_returns
from tests.support.returns import (
    COLLECTED_AT,
    CUSTOMER,
    EXPECTED,
    EXPECTED_HIGHLIGHTS,
    HOUSING,
    MADE_AT,
    Q3,
    copy_fixture,
    fill,
)


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice is needed to test returns saved by it: run `make system-deps` (it says what to install)."
    return found


def _save_with_libreoffice(paths, out, profile) -> list:
    out.mkdir()
    proc = subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation={profile.as_uri()}",  # a profile of its own: no clash with a running LibreOffice
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [out / p.name for p in paths]


def test_returns_saved_by_libreoffice_are_collected_the_same(tmp_path):
    folder = copy_fixture(tmp_path)
    made = {p.stem: p for p, _ in make_returns(folder, Q3, made_at=MADE_AT).made}
    fill(made["customer-services"], CUSTOMER, formats={"Metrics!K2": "0%"})
    fill(made["housing"], HOUSING)
    saved = _save_with_libreoffice(
        [made["customer-services"], made["housing"]], tmp_path / "saved", tmp_path / "profile"
    )
    for path in saved:  # LibreOffice's files now, not openpyxl's
        with zipfile.ZipFile(path) as z:
            assert b"<Application>LibreOffice" in z.read("docProps/app.xml")
    done = collect_returns(folder, saved, now=COLLECTED_AT)
    assert done.summary() == "2 workbooks read: 9 entries written, 0 unchanged, 0 conflicts, 0 refused."
    assert (folder / "actuals.csv").read_bytes() == EXPECTED
    assert (folder / "highlights.csv").read_bytes() == EXPECTED_HIGHLIGHTS


def test_a_blank_return_saved_by_libreoffice_keeps_its_fingerprint(tmp_path):
    folder = copy_fixture(tmp_path)
    made = {p.stem: p for p, _ in make_returns(folder, Q3, made_at=MADE_AT).made}
    [saved] = _save_with_libreoffice([made["housing"]], tmp_path / "saved", tmp_path / "profile")
    done = collect_returns(folder, [saved], now=COLLECTED_AT)
    assert done.lines() == ["housing.xlsx: Nothing is entered in this workbook, so it is not counted as returned."]
    assert done.exit_code == 0
