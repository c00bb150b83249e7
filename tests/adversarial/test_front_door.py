"""The front door (issue 12): on a fresh machine `make test` alone gets what it needs, or says what to run.

System packages are never uninstalled here (the machine is shared): scripts/system_deps.py is
given stand-ins for dpkg-query and apt-get, and `make` is given package names that do not exist.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from tests.support import ROOT

SCRIPT = ROOT / "scripts" / "system_deps.py"


def _script_module():
    spec = importlib.util.spec_from_file_location("system_deps", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tools(tmp_path):
    """Stand-ins for dpkg-query (answers from a list of installed packages) and apt-get (records its calls)."""
    installed = tmp_path / "installed.txt"
    calls = tmp_path / "apt-calls.txt"
    dpkg = tmp_path / "dpkg-query"
    dpkg.write_text(
        "#!/bin/sh\n"
        '# called as: dpkg-query -W -f=${Status} PACKAGE\npkg="$3"\n'
        f'if grep -qx "$pkg" "{installed}"; then printf "install ok installed"; exit 0; fi\n'
        'echo "dpkg-query: no packages found matching $pkg" >&2; exit 1\n'
    )
    apt = tmp_path / "apt-get"
    apt.write_text(
        "#!/bin/sh\n"
        f'echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> "{calls}"\n'
        'if [ "$1" = install ] && [ -z "$APT_FAILS" ]; then\n'
        f'  for a in "$@"; do case "$a" in -*|install) ;; *) echo "$a" >> "{installed}";; esac; done\n'
        "fi\n"
        'if [ -n "$APT_FAILS" ]; then exit 100; fi\n'
    )
    for tool in (dpkg, apt):
        tool.chmod(0o755)
    installed.write_text("libpango-1.0-0\n")

    class Tools:
        args = ("--dpkg-query", str(dpkg), "--apt-get", str(apt))

        @staticmethod
        def calls() -> list[str]:
            return calls.read_text().splitlines() if calls.exists() else []

        @staticmethod
        def installed() -> list[str]:
            return installed.read_text().splitlines()

    return Tools


def _run(module, monkeypatch, capsys, uid, argv):
    monkeypatch.setattr(os, "geteuid", lambda: uid)
    code = module.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_nothing_is_done_when_every_package_is_there(tools, monkeypatch, capsys):
    code, out, err = _run(_script_module(), monkeypatch, capsys, 0, [*tools.args, "libpango-1.0-0"])
    assert (code, out, err, tools.calls()) == (0, "", "", [])


def test_as_root_what_is_missing_is_installed_with_apt_get(tools, monkeypatch, capsys):
    code, out, err = _run(
        _script_module(), monkeypatch, capsys, 0, [*tools.args, "libpango-1.0-0", "chromium", "fonts-dejavu-core"]
    )
    assert code == 0, err
    assert out == "Installing the system packages perfkit needs: chromium fonts-dejavu-core\n"
    assert tools.calls() == [
        "DEBIAN_FRONTEND=noninteractive update -qq",
        "DEBIAN_FRONTEND=noninteractive install -y -qq --no-install-recommends chromium fonts-dejavu-core",
    ]
    assert tools.installed() == ["libpango-1.0-0", "chromium", "fonts-dejavu-core"]


def test_as_root_a_failed_install_stops_with_the_command_to_run(tools, monkeypatch, capsys):
    monkeypatch.setenv("APT_FAILS", "1")
    code, _, err = _run(_script_module(), monkeypatch, capsys, 0, [*tools.args, "chromium"])
    assert code == 1
    assert err == (
        "apt-get could not install chromium. Check the network and the package sources, then run:\n"
        "    apt-get update && apt-get install -y --no-install-recommends chromium\n"
    )
    assert tools.calls() == ["DEBIAN_FRONTEND=noninteractive update -qq"]  # stopped at the first failure


def test_as_another_user_it_stops_at_once_with_the_one_command_to_run(tools, monkeypatch, capsys):
    code, out, err = _run(_script_module(), monkeypatch, capsys, 1000, [*tools.args, "chromium", "libharfbuzz0b"])
    assert (code, out, tools.calls()) == (1, "", [])
    assert err == (
        "perfkit needs these system packages, which pip cannot install: chromium libharfbuzz0b\n"
        "Install them with this one command, then run make again:\n"
        "    sudo apt-get install -y --no-install-recommends chromium libharfbuzz0b\n"
    )


def test_install_never_only_checks_even_as_root(tools, monkeypatch, capsys):
    code, _, err = _run(_script_module(), monkeypatch, capsys, 0, [*tools.args, "--install", "never", "chromium"])
    assert (code, tools.calls()) == (1, [])
    assert err.splitlines()[-1] == "    apt-get install -y --no-install-recommends chromium"


def test_without_dpkg_what_is_missing_is_named(tmp_path, monkeypatch, capsys):
    code, _, err = _run(
        _script_module(),
        monkeypatch,
        capsys,
        1000,
        ["--dpkg-query", str(tmp_path / "no-dpkg"), "perfkit-no-such-package"],
    )
    assert code == 1
    assert err.startswith("perfkit needs perfkit-no-such-package, which pip cannot install.")


def _make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *args, f"PYTHON={sys.executable}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_test_checks_the_system_packages_first():
    lines = _make("-n", "test", "VENV=/nonexistent-venv").stdout.splitlines()
    assert "scripts/system_deps.py --install auto" in lines[0]
    assert lines[0].split()[-6:] == [
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz0b",
        "fonts-dejavu-core",
        "chromium",
        "libreoffice-calc-nogui",
    ]
    assert lines[-1] == "/nonexistent-venv/bin/python -m pytest"


def test_make_report_checks_what_the_pdf_needs_but_not_the_browser():
    lines = _make("-n", "report", "VENV=/nonexistent-venv").stdout.splitlines()
    assert lines[0].split()[-4:] == ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "fonts-dejavu-core"]
    assert "chromium" not in lines[0] and "libreoffice" not in lines[0]


def test_make_stops_at_once_when_a_package_is_missing():
    proc = _make("system-deps", "TEST_PACKAGES=perfkit-no-such-package", "SYSTEM_INSTALL=never")
    assert proc.returncode == 2  # make's status when a recipe fails
    assert "perfkit-no-such-package" in proc.stderr
    assert "Error 1" in proc.stderr


@pytest.fixture
def fake_make(tmp_path):
    """A `make` on the PATH that prints what it is told to, so .ci/run's own logic is tested alone."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    make = bin_dir / "make"
    make.write_text(
        f'#!/bin/sh\necho "make $*" >> "{tmp_path}/make-calls"\nprintf "%b\\n" "$FAKE_OUTPUT"\nexit "$FAKE_STATUS"\n'
    )
    make.chmod(0o755)

    def run(output: str, status: int) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "FAKE_OUTPUT": output,
            "FAKE_STATUS": str(status),
        }
        proc = subprocess.run(["bash", ROOT / ".ci" / "run"], capture_output=True, text=True, env=env, timeout=60)
        proc.calls = (tmp_path / "make-calls").read_text().splitlines()
        return proc

    return run


def test_ci_only_runs_make_test_and_passes_when_tests_passed(fake_make):
    proc = fake_make("==== 412 passed in 183.2s ====", 0)
    assert (proc.returncode, proc.calls) == (0, ["make test"])


def test_ci_fails_when_no_test_ran(fake_make):
    proc = fake_make("==== no tests ran in 0.1s ====", 0)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "CI: no test ran"


def test_ci_fails_when_make_test_fails(fake_make):
    proc = fake_make("==== 3 failed, 409 passed ====", 2)
    assert proc.returncode == 2


def test_ci_installs_nothing_itself():
    code = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in code if "apt-get" in line or "dpkg" in line or "pip " in line]


def test_pdf_pages_render_with_no_system_tool_on_the_path(tmp_path, monkeypatch):
    """The page images come from PDFium, a wheel: no pdftoppm (poppler-utils) needed."""
    from perfkit.publish.export import export_html, export_pdf
    from tests.contract.test_pdf_pages import DPI, _pages

    nb = new_notebook(
        cells=[new_markdown_cell("## One"), new_markdown_cell("Text.")],
        metadata={"perfkit": {"council": "Test Council", "report_title": "Pages", "quarter": "2024/25 Q2"}},
    )
    pdf = tmp_path / "pages.pdf"
    export_pdf(export_html(nb), pdf)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    pages = _pages(pdf)
    assert len(pages) == 1
    width, height = pages[0].size
    # A4 is 210 x 297 mm; at DPI dots per inch (25.4 mm)
    assert (abs(width - 210 / 25.4 * DPI) <= 1, abs(height - 297 / 25.4 * DPI) <= 1) == (True, True)
    assert pages[0].mode == "L"


def test_no_test_or_script_calls_pdftoppm():
    this = Path(__file__).resolve()
    sources = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("scripts/*"), ROOT / "Makefile", ROOT / ".ci" / "run"]
    assert [p for p in sources if p.resolve() != this and "pdftoppm" in p.read_text(errors="replace")] == []
