"""The sums done in SQL (app.aggregate_sql) equal the polars reference (app.aggregate) on real-shaped data.

Every indicator of the registry, a sample of areas of every kind, all months, one month and a range,
on the demo database in SQLite and in PostgreSQL; then the awkward cases: pilot rows only where a
pilot runs, a pilot member's row missing, provisional rows, and a municipality moving to another
ELY area on 1.1.2025.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from sqlalchemy import text

from app import queries
from app.db import readonly_engine
from app.indicators import registry
from app.ingest.demo import DemoSpec, build_demo
from app.ingest.store import writable_engine
from tests.ingest_helpers import keep_pilot_rows_only

SAMPLE = ["SSS", "GRP_PILOT", "GRP_OTHER", "PILOT01", "PILOT08", "ELY01", "ELY08", "MK01", "MK10",
          "KU091", "KU171", "KU478"]  # Helsinki; Joroinen (moves ELY area on 1.1.2025); Maarianhamina (Åland)


def kinds_of(engine) -> dict[str, str]:
    areas = queries.areas(engine)
    return dict(zip(areas["code"].to_list(), areas["kind"].to_list()))


def assert_same(sql: pl.DataFrame, reference: pl.DataFrame, what: str) -> None:
    assert sql.columns == reference.columns, what
    assert sql.height == reference.height, what
    assert sql.select(pl.exclude(pl.Float64)).equals(reference.select(pl.exclude(pl.Float64))), what
    for column in sql.select(pl.col(pl.Float64)).columns:
        left, right = sql[column].to_list(), reference[column].to_list()
        assert [v is None for v in left] == [v is None for v in right], (what, column)
        assert [v for v in left if v is not None] == pytest.approx([v for v in right if v is not None],
                                                                   rel=1e-12), (what, column)


def compare_everything(url: str, ranges) -> int:
    engine = readonly_engine(url)
    kinds, reg, compared = kinds_of(engine), registry(), 0
    try:
        for indicator in reg:
            months = queries.periods(engine, indicator)
            if not months:
                continue
            for start, end in ranges(months):
                sql = queries.indicator_values(engine, indicator, SAMPLE, kinds, start, end)
                reference = queries.reference_values(engine, indicator, SAMPLE, kinds, start, end)
                assert_same(sql, reference, f"{indicator.code} {start}..{end}")
                compared += sql.height
    finally:
        engine.dispose()
    return compared


def demo_ranges(months):
    return [(None, None), (months[-1], months[-1])]


def test_sql_sums_equal_the_reference_on_the_demo_database_in_sqlite(demo_sqlite):
    assert compare_everything(demo_sqlite, demo_ranges) > 15_000


@pytest.mark.postgres
def test_sql_sums_equal_the_reference_on_the_demo_database_in_postgres(pg_url):
    build_demo(pg_url, DemoSpec(first_month=date(2021, 1, 1), last_month=date(2022, 6, 1)))
    assert compare_everything(pg_url, demo_ranges) > 4_000


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def awkward_db(request, tmp_path) -> str:
    """A demo across 1.1.2025, with pilot rows only for pilot municipalities (one missing, some
    provisional, one suppressed) and one ELY total published."""
    url = f"sqlite:///{tmp_path / 'awkward.sqlite'}" if request.param == "sqlite" \
        else request.getfixturevalue("make_pg_database")()
    build_demo(url, DemoSpec(first_month=date(2024, 10, 1), last_month=date(2025, 2, 1)))
    engine = writable_engine(url)
    with engine.begin() as conn:
        keep_pilot_rows_only(conn)
        conn.execute(text("DELETE FROM observation WHERE indicator_code = 'pilot_clients' AND area_code = 'KU091' "
                          "AND period = :day"), {"day": date(2024, 11, 1)})
        conn.execute(text("UPDATE observation SET status = 'provisional' WHERE period = :day "
                          "AND area_code IN ('KU005', 'KU171')"), {"day": date(2025, 2, 1)})
        conn.execute(text("UPDATE observation SET value = NULL, status = 'suppressed' "
                          "WHERE indicator_code IN ('jobseekers', 'pilot_clients') AND area_code = 'KU020' "
                          "AND period = :day"), {"day": date(2024, 12, 1)})
        conn.execute(text("INSERT INTO observation (indicator_code, area_code, period, value, status, release_id) "
                          "VALUES ('jobseekers', 'ELY08', :day, 12345, 'final', 1)"), {"day": date(2025, 1, 1)})
    engine.dispose()
    return url


def test_sql_sums_equal_the_reference_in_the_awkward_cases(awkward_db):
    every_month = lambda months: [(None, None), (date(2025, 1, 1), date(2025, 1, 1))]  # noqa: E731
    assert compare_everything(awkward_db, every_month) > 500
    engine = readonly_engine(awkward_db)
    reg, kinds = registry(), kinds_of(engine)
    clients = queries.indicator_values(engine, reg["pilot_clients"], ["SSS", "ELY07", "ELY08"], kinds)
    jobseekers = queries.indicator_values(engine, reg["jobseekers"], ["ELY07", "ELY08"], kinds)
    engine.dispose()

    def row(frame, area, day):
        return frame.filter((pl.col("area_code") == area) & (pl.col("period") == day)).row(0, named=True)

    gap = row(clients, "SSS", date(2024, 11, 1))
    assert gap["status"] == "incomplete" and "KU091" in gap["suppressed_members"]  # a pilot member's row missing
    assert row(clients, "SSS", date(2024, 10, 1))["status"] == "final"  # the others are structural zeros
    assert clients.filter(pl.col("period") >= date(2025, 1, 1)).is_empty()  # the pilots ended: no month to sum
    published = row(jobseekers, "ELY08", date(2025, 1, 1))
    assert (published["source"], published["value"]) == ("published", 12345)
    assert published["computed_value"] is not None and published["computed_value"] != 12345
    moved = {day: row(jobseekers, "ELY07", day)["members"] for day in (date(2024, 12, 1), date(2025, 1, 1))}
    assert moved[date(2025, 1, 1)] == moved[date(2024, 12, 1)] - 2  # Joroinen and Heinävesi left on 1.1.2025
    assert row(jobseekers, "ELY08", date(2025, 2, 1))["status"] == "provisional"
