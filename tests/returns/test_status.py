"""perfkit returns status: who has returned, who to chase, and what is still without an entry."""

from __future__ import annotations

import datetime as dt

import pytest

from perfkit.returns import collect_returns, make_returns, returns_status
from tests.support.returns import COLLECTED_AT, MADE_AT, Q3, SIGNED_BY, copy_fixture, fill


@pytest.fixture
def folder(tmp_path):
    folder = copy_fixture(tmp_path)
    made = {p.stem: p for p, _ in make_returns(folder, Q3, made_at=MADE_AT).made}
    fill(made["housing"], {"Metrics!K2": 50, "Metrics!K3": 29, "Metrics!K4": 130, SIGNED_BY: "Jo Bloggs"})
    collect_returns(folder, [made["housing"]], now=COLLECTED_AT)
    return folder


def test_returned_and_outstanding_services(folder):
    state = returns_status(folder, Q3, today=dt.date(2025, 1, 22))
    rows = [(s.service, s.returned_at, s.signed_off_by, s.file, s.contact, s.missing) for s in state.services]
    assert rows == [
        # CUS.03 is annual (entered when available), so it is not counted as missing.
        ("Customer Services", "", "", "", "performance@test.gov.uk", ["CUS.01", "CUS.02"]),
        # HOU.04 was left blank in Housing's return.
        (
            "Housing",
            "2025-01-22T14:30:00+00:00",
            "Jo Bloggs",
            "housing.xlsx",
            "Jo Bloggs, housing@test.gov.uk",
            ["HOU.04"],
        ),
    ]
    assert state.when() == "due in 2 days"
    assert state.summary() == (
        "2024/25 Q3: 2 services, 1 returned, 1 outstanding; deadline Friday 24 January 2025 (due in 2 days)."
    )


@pytest.mark.parametrize(
    ("today", "when"),
    [
        (dt.date(2025, 1, 24), "due today"),
        (dt.date(2025, 1, 25), "1 day past the deadline"),
        (dt.date(2025, 2, 3), "10 days past the deadline"),
    ],
)
def test_days_to_or_past_the_deadline(folder, today, when):
    assert returns_status(folder, Q3, today=today).when() == when


def test_a_return_not_signed_off(folder):
    made = {p.stem: p for p, _ in make_returns(folder, Q3, service="customer services", made_at=MADE_AT).made}
    fill(made["customer-services"], {"Metrics!K2": 96})
    collect_returns(folder, [made["customer-services"]], now=COLLECTED_AT)
    state = returns_status(folder, Q3, today=dt.date(2025, 1, 23))
    cs = state.services[0]
    assert (cs.service, cs.returned, cs.signed_off_by, cs.missing) == (
        "Customer Services",
        True,
        "",
        ["CUS.02"],
    )
    assert state.summary() == (
        "2024/25 Q3: 2 services, 2 returned (1 not signed off), 0 outstanding; deadline Friday 24 January 2025 "
        "(due in 1 day)."
    )


def test_the_default_quarter_is_the_latest_ended(folder):
    assert returns_status(folder, today=dt.date(2025, 2, 1)).quarter.label == "2024/25 Q3"
