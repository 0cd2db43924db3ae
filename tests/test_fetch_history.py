"""The real 12r5 history 2019-01..2026-06 fetched from the stand-in through the CLI: every value exact, the
table's 2026 area division recorded, `check` without a single unexplained difference in any month."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from app.indicators import registry
from app.ingest.store import init_database
from tests.ingest_helpers import observations, pg_database, query, run_cli
from tests.pxweb_standin import SUPPRESSED, PxWebStandIn, export_cells, real_12r5_table

MONTHS = 90


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres,
                                                                                       pytest.mark.slow])])
def fetched(request, tmp_path_factory):
    """(database URL, export, CLI output, stand-in) after one full fetch."""
    table, export = real_12r5_table()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('history') / 'real.sqlite'}"
    else:
        url = pg_database(request)
    init_database(url).dispose()
    # The test server's only role is the superuser, which the dashboard's engine refuses (app.db).
    with pytest.MonkeyPatch.context() as patch, \
            PxWebStandIn([table], max_values=100_000, max_calls=10, time_window=1.0) as server:
        patch.setenv("PILOT_TRACKER_ALLOW_WRITING_ROLE", "1")
        result = run_cli("fetch", "pxweb", server.url(table), "--db", url)
        assert result.exit_code == 0, result.output
        again = run_cli("fetch", "pxweb", server.url(table), "--db", url)
        yield url, export, result.output, again.output, server


def test_every_value_of_the_history_is_stored_exactly(fetched):
    url, export, output, _, _ = fetched
    by_code = registry().by_pxweb_code()
    cells = export_cells(export)
    stored = observations(url)
    known = {area for _ind, area, _period in stored}
    expected = {}
    for (area, content), raw in cells.items():
        if area not in known or content not in by_code:
            continue
        for year in range(2019, 2027):
            for month in range(1, 13 if year < 2026 else 7):
                key = (by_code[content].code, area, f"{year}-{month:02d}-01")
                expected[key] = (None, "suppressed") if raw == SUPPRESSED else (float(raw), "final")
    assert stored == expected
    assert len({p for _i, _a, p in stored}) == MONTHS and len(known) == 343
    assert f"{MONTHS} month(s) (2019-01 … 2026-06)" in output and "0 retries" in output
    assert "published in the area division of 2026" in output


def test_the_release_records_url_updated_retrieval_and_division(fetched):
    url, _, _, _, server = fetched
    (release,) = query(url, "SELECT url, published_at, retrieved_at, division, first_period, last_period FROM release")
    assert release[0].endswith("statfin_tyonv_pxt_12r5.px") and release[0].startswith(server.root)
    assert str(release[1])[:10] == "2026-07-21" and release[2] is not None and release[3] == 2026
    assert (str(release[4])[:10], str(release[5])[:10]) == ("2019-01-01", "2026-06-01")


def test_a_second_run_asks_for_no_data(fetched):
    _, _, _, again, server = fetched
    assert "nothing new after 2026-06" in again
    assert [c.method for c in server.calls][-1] == "GET"  # the second run's only call: the metadata


def test_check_finds_no_unexplained_difference_in_any_month(fetched):
    url = fetched[0]
    result = run_cli("check", "--db", url, "--json", "--strict")
    assert result.exit_code == 0, result.output[-2000:]
    comparisons = json.loads(result.output)
    assert not [c for c in comparisons if not c["suppressed_members"] and c["difference"] != 0]
    ely = [c for c in comparisons if c["area"].startswith("ELY")]
    exact_months = Counter(c["period"][:7] for c in ely if not c["suppressed_members"] and c["difference"] == 0)
    assert len(exact_months) == MONTHS  # every month, 2019-01 … 2026-06, has exact ELY totals
    for month in ("2019-01", "2020-12", "2024-12", "2025-01", "2026-06"):
        assert exact_months[month] > 0
    moved = {c["area"] for c in ely if c["period"] == "2019-01-01" and c["indicator"] == "jobseekers"
             and not c["suppressed_members"]}
    assert {"ELY07", "ELY08", "ELY09"} <= moved  # the areas Joroinen and Heinävesi moved between: exact too
    text = run_cli("check", "--db", url).output
    assert " 0 differ" in text


def test_dashboard_sums_follow_the_division(fetched):
    """Pertunmaa (merged into Mäntyharju in the 2026 division) leaves no gap in the pilot and comparison groups."""
    from app import queries
    from app.db import readonly_engine

    engine = readonly_engine(fetched[0])
    try:
        kinds = dict(queries.areas(engine).select("code", "kind").iter_rows())
        frame = queries.indicator_values(engine, registry()["jobseekers"], ["GRP_PILOT", "PILOT12", "ELY07", "SSS"],
                                         kinds)
    finally:
        engine.dispose()
    pilot = frame.filter(frame["area_code"] == "PILOT12")
    # A pilot area is a place: every month 2019-01 … 2026-06, with Pertunmaa inside Mäntyharju and no gap.
    assert pilot.height == MONTHS and set(pilot["status"]) == {"final"}
    group = frame.filter(frame["area_code"] == "GRP_PILOT")
    assert group.height == MONTHS and "KU588" not in set(group["suppressed_members"].explode().drop_nulls())
    ely = frame.filter(frame["area_code"] == "ELY07")
    assert (ely["value"] == ely["computed_value"]).all()  # published ELY totals equal the division's sums
