"""Reads about provenance: the figures publishers printed (published_value) and which releases an indicator's
rows come from, with their months. Kept beside app.queries (which holds every other read) to keep both short;
the same rules apply: select() with bound parameters -> polars.DataFrame, through app.queries.fetch.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from sqlalchemy import Engine, func, select

from app import schema
from app.queries import _period_filter, fetch

PUBLISHED_SCHEMA = {
    "area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "approximate": pl.Boolean,
    "source": pl.Utf8, "url": pl.Utf8, "published_at": pl.Datetime, "release_id": pl.Int64,
}


def published_values(engine: Engine, indicator_code: str, area_codes: list[str], start: date | None = None,
                     end: date | None = None) -> pl.DataFrame:
    """Figures a publisher printed (TEM's reviews, the Employment Bulletin), with their source; kept apart
    from the observations, so a view can draw them beside the computed series."""
    p, r = schema.published_value, schema.release
    stmt = (select(p.c.area_code, p.c.period, p.c.value, p.c.approximate, r.c.source, r.c.url, r.c.published_at,
                   p.c.release_id)
            .select_from(p.join(r, r.c.id == p.c.release_id))
            .where(p.c.indicator_code == indicator_code, p.c.area_code.in_(area_codes),
                   *_period_filter(p.c.period, start, end))
            .order_by(p.c.period, p.c.area_code, p.c.release_id))
    return fetch(engine, stmt, PUBLISHED_SCHEMA)


def published_areas(engine: Engine, indicator_code: str) -> list[str]:
    """Areas with a published figure of the indicator (a series may have figures but no computed values)."""
    p = schema.published_value
    stmt = select(p.c.area_code).where(p.c.indicator_code == indicator_code).distinct().order_by(p.c.area_code)
    return fetch(engine, stmt, {"area_code": pl.Utf8})["area_code"].to_list()


COVERAGE_SCHEMA = {"release_id": pl.Int64, "source": pl.Utf8, "published_at": pl.Datetime, "first": pl.Date,
                   "last": pl.Date, "rows": pl.Int64}


def indicator_releases(engine: Engine, indicator_codes: list[str]) -> pl.DataFrame:
    """Which releases the stored rows of these indicators come from, with the months each covers: what a
    page says about the sources and months it shows."""
    o, r = schema.observation, schema.release
    # Counted per release first, then joined: a join per row first took twice as long.
    per_release = (select(o.c.release_id, func.min(o.c.period).label("first"), func.max(o.c.period).label("last"),
                          func.count().label("rows"))
                   .where(o.c.indicator_code.in_(indicator_codes)).group_by(o.c.release_id).subquery())
    stmt = (select(per_release.c.release_id, r.c.source, r.c.published_at, per_release.c.first, per_release.c.last,
                   per_release.c.rows)
            .select_from(per_release.outerjoin(r, r.c.id == per_release.c.release_id))
            .order_by(per_release.c.first))
    return fetch(engine, stmt, COVERAGE_SCHEMA)
