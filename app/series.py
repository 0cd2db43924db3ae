"""Display modes of a monthly series: values, an index (chosen month = 100) or change from a year earlier.

A count's change is relative (%); a ratio's change is in percentage points, since a relative change of
a rate reads as nonsense to most users.
"""

from __future__ import annotations

from datetime import date

import polars as pl

MODES = ("value", "index", "yoy")


def apply_mode(frame: pl.DataFrame, mode: str, *, is_ratio: bool, base_month: date | None = None) -> pl.DataFrame:
    """frame: area_code, period, value, status (+ anything). Returns the same columns, value transformed."""
    if mode == "value" or frame.is_empty():
        return frame
    frame = frame.sort("area_code", "period")
    if mode == "index":
        if base_month is None:
            base_month = frame["period"].min()
        base = frame.filter(pl.col("period") == base_month).select(
            "area_code", pl.col("value").alias("_base"))
        return (
            frame.join(base, on="area_code", how="left")
            .with_columns(
                pl.when(pl.col("_base") > 0).then(pl.col("value") / pl.col("_base") * 100).otherwise(None)
                .alias("value"))
            .drop("_base")
        )
    if mode == "yoy":
        earlier = frame.select(
            "area_code", (pl.col("period").dt.offset_by("1y")).alias("period"), pl.col("value").alias("_prev"))
        joined = frame.join(earlier, on=["area_code", "period"], how="left")
        change = (pl.col("value") - pl.col("_prev")) if is_ratio else \
            pl.when(pl.col("_prev") > 0).then((pl.col("value") / pl.col("_prev") - 1) * 100).otherwise(None)
        return joined.with_columns(change.alias("value")).drop("_prev")
    raise ValueError(f"unknown mode {mode!r}")


def default_index_base(frame: pl.DataFrame) -> date | None:
    """The first month in which every chosen area has a positive value: an index needs a non-zero base
    (pilot indicators are 0 before 1.3.2021)."""
    if frame.is_empty():
        return None
    areas = frame["area_code"].n_unique()
    positive = (frame.filter(pl.col("value") > 0).group_by("period").agg(pl.col("area_code").n_unique().alias("n"))
                .filter(pl.col("n") == areas))
    return positive["period"].min() if positive.height else None


def value_on(frame: pl.DataFrame, area_code: str, period: date) -> dict | None:
    row = frame.filter((pl.col("area_code") == area_code) & (pl.col("period") == period))
    return row.row(0, named=True) if row.height else None


def shift_month(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
