"""Storing each summed area's series after a load, so the dashboard reads a sum instead of computing it.

`refresh_area_series(url)` computes, for every indicator with data, every group area's series (and
for a ratio every municipality's, a sum over itself) with
app.queries.indicator_values, the dashboard's own function, and replaces schema.area_series with them
in one transaction, stamped with the data_version it read (app.stored_series). All groups of an
indicator are summed in one pass; the only way the answer for several areas differs from the answer
for each alone is which months a count has (months in which some member of the areas asked has a row),
so each area's rows are cut to its own months here, and tests/test_stored_series.py compares the
result with the one-area answers for every indicator and group.

If a load commits while a refresh computes, the refresh writes nothing: the data it read is no longer
the data, and that load's own refresh follows.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl
from sqlalchemy import delete, func, inspect, select

from app import queries, schema
from app.indicators import Indicator, registry as default_registry
from app.ingest.store import analyze, bulk_insert, checkpoint, meta_value, open_writable, set_meta, use_wal
from app.stored_series import DATA_VERSION, SERIES_VERSION, as_stored, is_stored, series_stamp


WORKERS = min(4, os.cpu_count() or 1)
COVERAGE_ROWS = {"indicator_code": pl.Utf8, "release_id": pl.Int64, "first_period": pl.Date,
                 "last_period": pl.Date, "rows": pl.Int64}


@dataclass(frozen=True)
class SeriesRefresh:
    rows: int
    indicators: int
    areas: int
    seconds: float
    written: bool  # False: nothing written (already up to date, or a load committed meanwhile)
    up_to_date: bool = False  # the stored series were already those of the data

    def line(self) -> str:
        if self.up_to_date:
            return "stored series already up to date"
        if not self.written:
            return "stored series not refreshed: another load committed meanwhile; its own refresh follows"
        return (f"stored series of {self.areas} summed areas and the municipalities' ratios, {self.indicators} "
                f"indicators: {self.rows:,} rows in {self.seconds:.1f} s")


def _months_with_rows(engine, indicator: Indicator, groups: list[str]) -> pl.DataFrame:
    """(area_code, period) where some member of the group (valid then or not) has a row of the indicator:
    the months a count has when the group is asked alone (app.aggregate_sql.months_with_member_rows)."""
    o, m = schema.observation, schema.area_membership
    stmt = (select(m.c.group_code, o.c.period).distinct()
            .select_from(o.join(m, m.c.member_code == o.c.area_code))
            .where(o.c.indicator_code == indicator.code, m.c.group_code.in_(groups)))
    return queries.fetch(engine, stmt, {"area_code": pl.Utf8, "period": pl.Date})


def group_series(engine, indicator: Indicator, groups: list[str], kinds: dict[str, str]) -> pl.DataFrame:
    """Each area's series as indicator_values(engine, indicator, [area]) gives it, for all areas at once."""
    values = queries.indicator_values(engine, indicator, groups, kinds)
    if indicator.kind != "count" or values.is_empty():
        return values
    own = _months_with_rows(engine, indicator, groups).with_columns(pl.lit(True).alias("own_month"))
    values = values.join(own, on=["area_code", "period"], how="left")
    # Outside its own months a group has only what was published for it, with nothing computed beside it.
    computed_side = [c for c in values.columns
                     if c not in ("area_code", "period", "value", "status", "source", "own_month")]
    return (values.filter(pl.col("own_month").is_not_null() | (pl.col("source") == "published"))
            .with_columns(pl.when(pl.col("own_month").is_null()).then(None).otherwise(pl.col(c)).alias(c)
                          for c in computed_side)
            .drop("own_month"))


def refresh_area_series(url: str, registry=None) -> SeriesRefresh:
    """Compute every group area's series of every indicator with data, then store them in one transaction."""
    started = time.perf_counter()
    registry = registry or default_registry()
    engine = open_writable(url)  # refuses a database that does not exist or lacks the schema
    try:
        use_wal(engine)
        with engine.connect() as conn:
            version = meta_value(conn, DATA_VERSION)
            current = meta_value(conn, SERIES_VERSION)
            derived = {schema.area_series.name, schema.release_coverage.name} <= set(inspect(conn).get_table_names())
        if version is not None and current == series_stamp(version) and derived:  # nothing loaded since the last refresh
            return SeriesRefresh(0, 0, 0, time.perf_counter() - started, False, up_to_date=True)
        areas = queries.areas(engine)
        kinds = dict(zip(areas["code"].to_list(), areas["kind"].to_list()))
        groups = [code for code, kind in kinds.items() if kind != "municipality"]
        def stored_of(code: str) -> pl.DataFrame | None:
            indicator = registry[code]
            stored = [area for area, kind in kinds.items() if is_stored(indicator, kind)]
            if not stored or not queries.periods(engine, indicator):
                return None
            return as_stored(code, group_series(engine, indicator, stored, kinds))

        # Indicators side by side: the database and polars work outside the GIL for most of each one.
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            frames = [frame for frame in pool.map(stored_of, registry.codes()) if frame is not None]
        rows = pl.concat(frames) if frames else pl.DataFrame()
        o = schema.observation
        coverage = queries.fetch(engine, select(o.c.indicator_code, o.c.release_id, func.min(o.c.period),
                                                func.max(o.c.period), func.count())
                                 .group_by(o.c.indicator_code, o.c.release_id), COVERAGE_ROWS)
        with engine.begin() as conn:
            if meta_value(conn, DATA_VERSION) != version:
                return SeriesRefresh(0, len(frames), len(groups), time.perf_counter() - started, False)
            for table, frame in ((schema.area_series, rows), (schema.release_coverage, coverage)):
                table.create(conn, checkfirst=True)
                conn.execute(delete(table))
                if frame.height:  # a database without data yet (areas and indicators only) stores nothing
                    bulk_insert(conn, table, frame.columns, frame.iter_rows())
            set_meta(conn, {SERIES_VERSION: series_stamp(version or "0")} | ({} if version else {DATA_VERSION: "0"}))
            analyze(conn)  # the new rows' statistics, as a load leaves them for its own
        checkpoint(engine)
        return SeriesRefresh(rows.height, len(frames), len(groups), time.perf_counter() - started, True)
    finally:
        engine.dispose()
