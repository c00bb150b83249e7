"""A v1 folder's v1 outputs are unchanged by contract v2.

``tests/data/golden_v1`` holds ``metric_status.csv`` and the drafted narrative of
every quarter of the v1 demo (``data/demo`` as it was before v2, kept as
``tests/fixtures/demo_v1``) and ``tests/fixtures/tiny`` as main produced them
before v2 (see its README). v2 appends columns: the first twelve must be byte for
byte the same, and the wording word for word.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from perfkit.assess import assess
from perfkit.data.register import load_register
from perfkit.narrative import draft_narrative
from perfkit.periods import parse_quarter
from perfkit.publish.data_files import METRIC_STATUS_V1_COLUMNS, metric_status_csv
from tests.support import FIXTURES, ROOT

GOLDEN = ROOT / "tests" / "data" / "golden_v1"
FOLDERS = {"demo": FIXTURES / "demo_v1", "tiny": FIXTURES / "tiny"}
FILES = sorted((name, path.stem) for name in FOLDERS for path in (GOLDEN / name).glob("*.csv"))


def _v1_columns(text: str) -> str:
    """The CSV text with only its first twelve columns, written as metric_status.csv writes them."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in csv.reader(io.StringIO(text)):
        writer.writerow(row[: len(METRIC_STATUS_V1_COLUMNS)])
    return buf.getvalue()


@pytest.fixture(scope="module")
def registers():
    return {name: load_register(path) for name, path in FOLDERS.items()}


def test_every_quarter_with_figures_has_a_golden_file():
    assert len([f for f in FILES if f[0] == "demo"]) == 10 and len([f for f in FILES if f[0] == "tiny"]) == 5


@pytest.mark.parametrize("name, slug", FILES)
def test_v1_columns_are_byte_for_byte_unchanged(registers, name, slug):
    reg = registers[name]
    assert not reg.v2
    text = metric_status_csv(assess(reg, parse_quarter(slug)))
    golden = (GOLDEN / name / f"{slug}.csv").read_bytes().decode("utf-8")
    assert text.splitlines()[0].split(",")[:12] == METRIC_STATUS_V1_COLUMNS
    assert _v1_columns(text) == golden


@pytest.mark.parametrize("name", FOLDERS)
def test_v1_wording_is_unchanged(registers, name):
    reg = registers[name]
    golden = json.loads((GOLDEN / name / "narrative.json").read_text(encoding="utf-8"))
    for slug, expected in golden.items():
        q = parse_quarter(slug)
        table = assess(reg, q)
        assert draft_narrative(table, q) == expected["all"], slug
        for objective, paragraphs in expected.items():
            if objective != "all":
                assert draft_narrative(table.loc[table["objective"] == objective], q) == paragraphs, (slug, objective)
