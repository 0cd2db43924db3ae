"""URL fuzzing at a modest size in every test run; the 10,000-case run is `python -m tests.fuzz_urls`."""

from __future__ import annotations

import pytest

from tests.fuzz_urls import allowed_words, fuzz, registry_guard, run_case

CASES = 12  # a few seconds each through AppTest


def test_hypothesis_url_states_on_every_page(demo_sqlite, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_DB", demo_sqlite)
    report = {"cases": 0, "slowest_s": 0.0, "total_s": 0.0}
    fuzz(CASES, seed=0, db_url=demo_sqlite, report=report)
    assert report["cases"] == CASES


def test_the_registry_guard_catches_an_identifier_that_is_not_in_the_registry(demo_sqlite, monkeypatch):
    """The guard itself can fail: a code the area table does not know, bound as a parameter, is caught."""
    from app.db import readonly_engine
    from app.queries import observations

    monkeypatch.setenv("PILOT_TRACKER_DB", demo_sqlite)
    engine = readonly_engine(demo_sqlite)
    with registry_guard(allowed_words(demo_sqlite)) as offenders:
        observations(engine, "jobseekers", ["KU091", "KU999' OR 1=1"])
    engine.dispose()
    assert offenders and "KU999" in offenders[0]


@pytest.mark.parametrize("page", ["pages/trends.py", "pages/map.py"])
def test_a_thousand_areas_and_sql_in_the_url_are_a_short_message(demo_sqlite, monkeypatch, page):
    monkeypatch.setenv("PILOT_TRACKER_DB", demo_sqlite)
    params = {"lang": "sv", "areas": ",".join(f"KU{n:03d}" for n in range(1000)),
              "indicator": "x'; DROP TABLE observation; --", "month": "2021-13"}
    with registry_guard(allowed_words(demo_sqlite)) as offenders:
        run_case(page, params, offenders)
