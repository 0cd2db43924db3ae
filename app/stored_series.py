"""Reading the stored series of summed areas (schema.area_series), when they are up to date.

A summed area's series costs a GROUP BY over its members' whole history on every new question (tens
of milliseconds at real size, seconds at ten times that on PostgreSQL). The ingestion CLI stores each
group area's series after a load (app.ingest.series), computed by the same app.queries.indicator_values
for that area alone, so the answer read here is the one the dashboard would compute: tests compare
them for every indicator and group. The copy is used only while meta's series_version equals its
data_version, which every load raises in its own transaction: a load that has committed but not yet
refreshed the copy, or a refresh that was killed, leaves the dashboard computing the sums itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl
from sqlalchemy import Engine, func, inspect, literal_column, select

from app import schema
from app.indicators import Indicator
from app.db import DatabaseUnavailable
from app.provenance import COVERAGE_SCHEMA
from app.queries import fetch

DATA_VERSION = "data_version"  # raised by every load's transaction
SERIES_VERSION = "series_version"  # "{data_version}/{FORMAT}": the data and the layout they were stored from
FORMAT = "2"  # 2: municipalities' ratios stored too; a copy of another layout is never read, but refreshed

VALUE_COLUMNS = {"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8,
                 "source": pl.Utf8, "computed_value": pl.Float64, "members": pl.UInt32,
                 "suppressed_members": pl.List(pl.Utf8)}
RATIO_COLUMNS = {"numerator": pl.Float64, "denominator": pl.Float64}
STORED_SCHEMA = {"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8,
                 "source": pl.Utf8, "computed_value": pl.Float64, "members": pl.Int64,
                 "suppressed_members": pl.Utf8, "numerator": pl.Float64, "denominator": pl.Float64}
SEPARATOR = ","  # area codes never hold a comma (app.areas)


def is_stored(indicator: Indicator, kind: str | None) -> bool:
    """Whether an area of this kind has the indicator's series stored: every summed area does, and a
    municipality for a ratio (a count of a municipality is its own row, nothing to sum)."""
    return kind is not None and (kind != "municipality" or indicator.kind == "ratio")


def _constant(text: str):
    """A constant of this module written into the SQL, not bound: only area and indicator codes, vetted by
    the registry, are bound parameters (tests/test_fuzz_urls.py watches every statement)."""
    return literal_column("'" + text.replace("'", "''") + "'")


def _version(key: str):
    m = schema.meta
    return select(m.c.value).where(m.c.key == _constant(key)).scalar_subquery()


def series_stamp(data_version: str) -> str:
    return f"{data_version}/{FORMAT}"


def _current():
    """SQL: the stored copy is of the data as it is now, in this layout."""
    return _version(SERIES_VERSION) == _version(DATA_VERSION).concat(_constant(f"/{FORMAT}"))


def up_to_date(engine: Engine) -> bool:
    """Whether the stored series were computed from the data as it is now."""
    return bool(fetch(engine, select(_current().label("current")),
                      {"current": pl.Boolean})["current"].fill_null(False).any())


def stored_values(engine: Engine, indicator: Indicator, area_codes: Sequence[str], start: date | None = None,
                  end: date | None = None) -> pl.DataFrame | None:
    """The stored series of these summed areas (indicator_values' frame, each area as if asked alone), or
    None when there are none to use: not up to date, or none stored (the caller computes them).

    One statement: the version check is part of the read, so an out-of-date copy returns no rows. When
    the copy is up to date every group area's rows are in it, so some rows mean all of them.
    """
    s = schema.area_series
    stmt = select(*(s.c[name] for name in STORED_SCHEMA)).where(
        s.c.indicator_code == indicator.code, s.c.area_code.in_(list(area_codes)), _current())
    if start is not None:
        stmt = stmt.where(s.c.period >= start)
    if end is not None:
        stmt = stmt.where(s.c.period <= end)
    try:
        rows = fetch(engine, stmt.order_by(s.c.area_code, s.c.period), STORED_SCHEMA)
    except DatabaseUnavailable:
        if not _has_table(engine, schema.area_series.name):  # from before stored series: compute, as always
            return None
        raise
    if rows.is_empty():
        return None
    columns = VALUE_COLUMNS | (RATIO_COLUMNS if indicator.kind == "ratio" else {})
    members = pl.col("suppressed_members")
    return rows.with_columns(
        pl.when(members == "").then(pl.lit([], dtype=pl.List(pl.Utf8))).otherwise(members.str.split(SEPARATOR))
        .alias("suppressed_members"),
    ).select(list(columns)).cast(columns)


def stored_coverage(engine: Engine, indicator_codes: Sequence[str]) -> pl.DataFrame | None:
    """app.provenance.indicator_releases from the stored release_coverage, or None when there is no
    up-to-date copy to use."""
    c, r = schema.release_coverage, schema.release
    stmt = (select(c.c.release_id, r.c.source, r.c.published_at, func.min(c.c.first_period),
                   func.max(c.c.last_period), func.sum(c.c.rows))
            .select_from(c.outerjoin(r, r.c.id == c.c.release_id))
            .where(c.c.indicator_code.in_(list(indicator_codes)), _current())
            .group_by(c.c.release_id, r.c.source, r.c.published_at)
            .order_by(func.min(c.c.first_period)))
    try:
        rows = fetch(engine, stmt, COVERAGE_SCHEMA)
    except DatabaseUnavailable:
        if not _has_table(engine, schema.release_coverage.name):
            return None
        raise
    return None if rows.is_empty() else rows


def as_stored(indicator_code: str, values: pl.DataFrame) -> pl.DataFrame:
    """indicator_values' frame as area_series rows."""
    for name, dtype in RATIO_COLUMNS.items():
        if name not in values.columns:
            values = values.with_columns(pl.lit(None, dtype=dtype).alias(name))
    return values.with_columns(
        pl.lit(indicator_code).alias("indicator_code"),
        pl.col("members").cast(pl.Int64),
        pl.col("suppressed_members").list.join(SEPARATOR).alias("suppressed_members"),
    ).select("indicator_code", *STORED_SCHEMA)


def _has_table(engine: Engine, name: str) -> bool:
    with engine.connect() as conn:
        return inspect(conn).has_table(name)
