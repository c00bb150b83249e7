"""What the contract tests share: `perfkit run` as a user types it, the demo published once, one browser.

The demo's 2024/25 Q2 appendices are made once per test session (HTML and PDF, a real
`perfkit run` in a fresh process) and only read by the tests that look at them, so the
accessibility, PDF-page and printed-chart tests check the very same files.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

CHROMIUM = "/usr/bin/chromium"
#: Chromium as the tests start it: headless, and making no request of its own.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The rules axe-core checks: WCAG 2.0, 2.1 and 2.2, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def perfkit_run(data: Path, out: Path, *options: object, quarter: str = "2024/25 Q2") -> Path:
    """Run ``perfkit run --data DATA --quarter Q --out OUT OPTIONS --quiet``; fail the test unless it exits 0.

    Returns the quarter's output folder.
    """
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "perfkit.cli",
            "run",
            "--data",
            data,
            "--quarter",
            quarter,
            "--out",
            out,
            *options,
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out / quarter.replace("/", "-").replace(" ", "-")


@pytest.fixture(scope="session")
def demo_published(tmp_path_factory) -> Path:
    """The demo's 2024/25 Q2 folder as `perfkit run` publishes it (both appendices, HTML and PDF)."""
    return perfkit_run(ROOT / "data" / "demo", tmp_path_factory.mktemp("demo-published"))


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (its own browser download does not work offline)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
