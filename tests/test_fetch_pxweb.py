"""`pilot-tracker fetch pxweb` against the local PxWeb stand-in over HTTP: exact values, incremental runs,
limits, a connection dropped mid-fetch (the database as it was) and the release's provenance."""

from __future__ import annotations

import urllib.request
from datetime import date

import pytest

from app.ingest.errors import NetworkError
from app.ingest.fetch import fetch_pxweb
from app.ingest.pxweb_api import Client
from tests.ingest_helpers import db_state, fresh_db, observations, query, run_cli  # noqa: F401
from tests.pxweb_standin import FakeClock, pxweb_standin, small_table  # noqa: F401

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
INDICATOR = {"HAKIJALOPUSSA": "jobseekers", "TYOTTOMATLOPUSSA": "unemployed_jobseekers"}


def client(clock: FakeClock | None = None, **options) -> Client:
    options.setdefault("timeout", 5.0)
    if clock is not None:
        options.update(clock=clock, sleep=clock.sleep)
    return Client(opener=NO_PROXY, **options)


def expected_small(table, months=None) -> dict[tuple, tuple]:
    """(indicator, area, YYYY-MM-01) -> (value, status) for the areas Pilot Tracker knows."""
    out = {}
    for area, _ in table.areas:
        if area in ("KU199", "SK011"):
            continue
        for month in months or table.months:
            for content, _ in table.contents:
                raw = table.raw(area, month, content)
                key = (INDICATOR[content], area, f"{month[:4]}-{month[5:]}-01")
                out[key] = (None, "suppressed") if raw == "..." else (float(raw), "final")
    return out


def fetch_cli(url: str, db_url: str, *extra: str):
    """A fetch through the CLI, without the stored series' refresh (tests/test_fetch_history.py runs it)."""
    return run_cli("fetch", "pxweb", url, "--db", db_url, "--timeout", "2", "--no-refresh", *extra)


def test_fetch_stores_every_value_and_records_the_release(fresh_db, pxweb_standin):
    table = small_table()
    server = pxweb_standin([table])
    result = fetch_cli(server.url(table), fresh_db)
    assert result.exit_code == 0, result.output
    assert observations(fresh_db) == expected_small(table)
    assert observations(fresh_db)[("unemployed_jobseekers", "KU092", "2026-05-01")] == (None, "suppressed")
    (release,) = query(fresh_db, "SELECT url, published_at, retrieved_at, division, first_period, last_period, "
                                 "row_count, source FROM release")
    assert release[0] == server.url(table) and str(release[1])[:19] == "2026-07-21 05:00:00"
    assert release[2] is not None and release[3] == 2026
    assert (str(release[4])[:10], str(release[5])[:10]) == ("2026-04-01", "2026-06-01")
    assert release[6] == len(expected_small(table)) and table.title in release[7]
    out = result.output
    assert "3 month(s) (2026-04 … 2026-06), 30 cells in 1 queries" in out and "0 retries" in out
    assert "skipped 2 unknown area codes (not asked for): KU199, SK011" in out
    (post,) = server.log("POST")
    assert "KU199" not in post.selection["Alue"] and "SK011" not in post.selection["Alue"]


def test_a_second_fetch_is_incremental_and_then_asks_for_nothing(fresh_db, pxweb_standin):
    table = small_table()
    server = pxweb_standin([table])
    assert fetch_cli(server.url(table), fresh_db, "--to", "2026-05").exit_code == 0
    assert observations(fresh_db) == expected_small(table, ["2026M04", "2026M05"])
    second = fetch_cli(server.url(table), fresh_db)
    assert second.exit_code == 0, second.output
    assert [c.selection["Kuukausi"] for c in server.log("POST")] == [["2026M04", "2026M05"], ["2026M06"]]
    assert observations(fresh_db) == expected_small(table)
    before, posts = db_state(fresh_db), len(server.log("POST"))
    third = fetch_cli(server.url(table), fresh_db)
    assert third.exit_code == 0 and "nothing new after 2026-06" in third.output
    assert "no data was asked for and nothing was written" in third.output
    assert len(server.log("POST")) == posts and db_state(fresh_db) == before
    again = fetch_cli(server.url(table), fresh_db, "--from", "2026-06")  # --from: fetch it again, nothing changes
    assert again.exit_code == 0 and "inserted 0, updated 0, unchanged 10" in again.output
    assert "release #2 reused" in again.output


def test_403_and_429_are_handled_and_values_stay_exact(fresh_db, pxweb_standin):
    table = small_table()
    clock = FakeClock()
    server = pxweb_standin([table], max_values=8, max_calls=3, time_window=1.0, clock=clock,
                           advertise={"maxValues": 1000, "maxCalls": 100})  # claims more than it allows
    load = fetch_pxweb(fresh_db, server.url(table), client=client(clock))
    assert server.log(status=403) and server.log(status=429)
    assert load.fetched.stats.splits == len(server.log(status=403))
    assert load.fetched.stats.throttled == len(server.log(status=429))
    assert observations(fresh_db) == expected_small(table)


@pytest.mark.parametrize("fault", ["drop", "timeout", "500"])
def test_a_connection_lost_mid_fetch_leaves_the_database_as_it_was(fresh_db, pxweb_standin, fault):
    table = small_table()
    server = pxweb_standin([table], max_values=10, faults={3: fault}, hang=3.0)
    fetch_cli(server.url(table), fresh_db, "--to", "2026-04")  # query 1; the next run's 2nd query (3) fails
    before = db_state(fresh_db)
    result = fetch_cli(server.url(table), fresh_db, "--retries", "0")
    assert result.exit_code == 1
    assert "network problem" in result.output and server.url(table) in result.output
    assert "gave up after 1 attempts" in result.output and "the database is as it was" in result.output
    assert [c.fault for c in server.log("POST")] == [None, None, fault]  # one query answered before it
    assert db_state(fresh_db) == before


def test_network_failure_is_a_network_error_not_bad_input(fresh_db, pxweb_standin):
    table = small_table()
    clock = FakeClock()
    server = pxweb_standin([table], always="drop", clock=clock)
    before = db_state(fresh_db)
    with pytest.raises(NetworkError, match="dropped mid-answer"):
        fetch_pxweb(fresh_db, server.url(table), client=client(clock, retries=2))
    assert clock.slept == [1.0, 2.0] and db_state(fresh_db) == before
    refused = run_cli("fetch", "pxweb", "https://pxdata.stat.fi/PxWeb/pxweb/fi/StatFin/", "--db", fresh_db)
    assert refused.exit_code == 1 and "not a PxWeb API v1 table URL" in refused.output
    assert "network problem" not in refused.output
    missing = fetch_cli(server.root + "fi/StatFin/nothing.px", fresh_db)
    assert missing.exit_code == 1 and "network problem" in missing.output and "HTTP 404" in missing.output


def test_a_database_without_the_schema_is_refused_before_fetching(tmp_path, pxweb_standin):
    table = small_table()
    server = pxweb_standin([table])
    result = fetch_cli(server.url(table), f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert result.exit_code == 1 and "db init" in result.output and not server.calls


def test_unchanged_values_take_the_release_of_another_division(fresh_db, pxweb_standin, tmp_path):
    """A month first loaded month by month, then fetched in a year's division: every row tells the division."""
    table = small_table()
    server = pxweb_standin([table])
    load = fetch_pxweb(fresh_db, server.url(table), first=date(2026, 6, 1), incremental=False, client=client())
    load.fetched.write(tmp_path / "june.json")
    run_cli("ingest", "pxweb", tmp_path / "june.json", "--db", fresh_db, "--division", "none")
    assert query(fresh_db, "SELECT DISTINCT release_id FROM observation") == [(2,)]
    again = fetch_cli(server.url(table), fresh_db, "--from", "2026-06")
    assert "inserted 0, updated 0, unchanged 10" in again.output
    assert "10 unchanged values now carry this release: it is published in the area division of 2026" in again.output
    assert query(fresh_db, "SELECT DISTINCT release_id FROM observation") == [(1,)]
