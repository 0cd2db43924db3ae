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

from datetime import date

import polars as pl
from sqlalchemy import Engine, inspect, select

from app import schema
from app.indicators import Indicator
from app.queries import fetch

DATA_VERSION = "data_version"  # raised by every load's transaction
SERIES_VERSION = "series_version"  # the data_version the stored series were computed from

VALUE_COLUMNS = {"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8,
                 "source": pl.Utf8, "computed_value": pl.Float64, "members": pl.UInt32,
                 "suppressed_members": pl.List(pl.Utf8)}
RATIO_COLUMNS = {"numerator": pl.Float64, "denominator": pl.Float64}
STORED_SCHEMA = {"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8,
                 "source": pl.Utf8, "computed_value": pl.Float64, "members": pl.Int64,
                 "suppressed_members": pl.Utf8, "numerator": pl.Float64, "denominator": pl.Float64}
SEPARATOR = ","  # area codes never hold a comma (app.areas)


def up_to_date(engine: Engine) -> bool:
    """Whether the stored series were computed from the data as it is now."""
    m = schema.meta
    versions = fetch(engine, select(m.c.key, m.c.value).where(m.c.key.in_([DATA_VERSION, SERIES_VERSION])),
                     {"key": pl.Utf8, "value": pl.Utf8})
    found = dict(zip(versions["key"].to_list(), versions["value"].to_list()))
    return DATA_VERSION in found and found.get(SERIES_VERSION) == found[DATA_VERSION]


def stored_values(engine: Engine, indicator: Indicator, area_code: str, start: date | None = None,
                  end: date | None = None) -> pl.DataFrame | None:
    """indicator_values(engine, indicator, [area_code], ...) from the stored copy, or None when there is no
    up-to-date copy (the caller computes it)."""
    if not up_to_date(engine):
        return None
    s = schema.area_series
    stmt = select(*(s.c[name] for name in STORED_SCHEMA)).where(
        s.c.indicator_code == indicator.code, s.c.area_code == area_code)
    if start is not None:
        stmt = stmt.where(s.c.period >= start)
    if end is not None:
        stmt = stmt.where(s.c.period <= end)
    rows = fetch(engine, stmt.order_by(s.c.period), STORED_SCHEMA)
    columns = VALUE_COLUMNS | (RATIO_COLUMNS if indicator.kind == "ratio" else {})
    members = pl.col("suppressed_members")
    return rows.with_columns(
        pl.when(members == "").then(pl.lit([], dtype=pl.List(pl.Utf8))).otherwise(members.str.split(SEPARATOR))
        .alias("suppressed_members"),
    ).select(list(columns)).cast(columns)


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


def has_table(engine: Engine) -> bool:
    with engine.connect() as conn:
        return inspect(conn).has_table(schema.area_series.name)
