"""A point for every area, for the symbol map: a municipality's own inside point, else the mean of its
members' points under the membership valid in the month."""

from __future__ import annotations

from datetime import date

import polars as pl

from app.aggregate import expected_members


def area_points(areas: pl.DataFrame, memberships: pl.DataFrame, month: date) -> pl.DataFrame:
    """areas: code, lat, lon (null for groups). Returns code, lat, lon for every area that can be placed."""
    own = areas.filter(pl.col("lat").is_not_null()).select("code", "lat", "lon")
    valid = expected_members(memberships, [month])
    derived = (
        valid.join(own.rename({"code": "member_code"}), on="member_code", how="inner")
        .group_by("group_code")
        .agg(pl.col("lat").mean(), pl.col("lon").mean())
        .rename({"group_code": "code"})
    )
    return pl.concat([own, derived.filter(~pl.col("code").is_in(own["code"].to_list()))]).sort("code")
