"""Rank the areas of one level for one indicator and month, so a coordinator sees where their area stands.

Colour from `position` marks position only ("rank, not a judgement", Kolada's practice): for some
indicators a high value is good, for others bad, and the ranking does not say which.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from app.months import shift_month

POSITION_CLASSES = 5  # quintiles; class 1 holds the highest values
FOCUS_OTHERS = 8  # the compare page shows the focus area and at most eight others

RANKING_SCHEMA = {
    "area_code": pl.Utf8, "value": pl.Float64, "status": pl.Utf8, "rank": pl.UInt32, "ranked": pl.UInt32,
    "median": pl.Float64, "from_median": pl.Float64, "year_ago": pl.Float64, "change_year": pl.Float64,
    "position": pl.UInt32,
}


def month_values(observations: pl.DataFrame, month: date) -> pl.DataFrame:
    """One row per area for the month; NaN is read as unknown like null, and a duplicate area is refused."""
    rows = (observations.filter(pl.col("period") == month)
            .select("area_code", pl.col("value").cast(pl.Float64).fill_nan(None),
                    pl.col("status") if "status" in observations.columns else pl.lit(None, pl.Utf8).alias("status")))
    duplicated = rows.filter(pl.col("area_code").is_duplicated()).get_column("area_code").unique().sort().to_list()
    if duplicated:
        raise ValueError(f"more than one value for {month.isoformat()} in areas {', '.join(duplicated)}")
    return rows


def rank_areas(observations: pl.DataFrame, month: date, areas: Sequence[str] | None = None,
               classes: int = POSITION_CLASSES) -> pl.DataFrame:
    """Rank every area of a level in a month against the others.

    Contract:
    - rank 1 is the highest value; equal values share the lowest rank of their group (1, 2, 2, 4);
    - a null value (suppressed or missing) is unranked and listed last, never ranked as 0;
    - `ranked` is the number of areas with a value, `median` the median of those values, and
      `from_median` the area's value minus it;
    - `change_year` is the value minus the value twelve months earlier: persons for a count, percentage
      points for a ratio (whose values are percent);
    - `position` = floor((rank - 1) * classes / ranked) + 1, so class 1 always holds the top area.

    areas: every area of the level; one without a row for the month is listed as unknown. None: the
    areas found in the frame for that month.
    """
    if classes < 1:
        raise ValueError("classes must be at least 1")
    current = month_values(observations, month)
    if areas is not None:
        wanted = pl.DataFrame({"area_code": list(dict.fromkeys(areas))}, schema={"area_code": pl.Utf8})
        current = wanted.join(current, on="area_code", how="left")
    year_ago = month_values(observations, shift_month(month, -12)).select("area_code", pl.col("value").alias("year_ago"))
    values = current.get_column("value")
    ranked = int(values.is_not_null().sum())
    median = values.median() if ranked else None
    rank = pl.col("value").rank(method="min", descending=True).cast(pl.UInt32)
    return (
        current.join(year_ago, on="area_code", how="left")
        .with_columns(
            rank.alias("rank"),
            pl.lit(ranked, pl.UInt32).alias("ranked"),
            pl.lit(median, pl.Float64).alias("median"),
        )
        .with_columns(
            (pl.col("value") - pl.col("median")).alias("from_median"),
            (pl.col("value") - pl.col("year_ago")).alias("change_year"),
            ((pl.col("rank").cast(pl.Int64) - 1) * classes // pl.col("ranked").cast(pl.Int64) + 1)
            .cast(pl.UInt32).alias("position"),
        )
        .sort(["rank", "area_code"], nulls_last=True)
        .select(list(RANKING_SCHEMA))
        .cast(RANKING_SCHEMA)
    )


def focus_selection(focus: str, others: Sequence[str], limit: int = FOCUS_OTHERS) -> list[str]:
    """The focus area first, then up to `limit` others in the given order, none twice."""
    chosen = [code for code in dict.fromkeys(others) if code != focus]
    return [focus, *chosen[:limit]]


def focus_rows(ranking: pl.DataFrame, focus: str, others: Sequence[str], limit: int = FOCUS_OTHERS) -> pl.DataFrame:
    """The ranking's rows for the focus and its comparison areas in that order, ranks still among all
    areas of the level; an area the ranking lacks (another level) is kept with unknown values."""
    selection = focus_selection(focus, others, limit)
    order = pl.DataFrame({"area_code": selection, "order": list(range(len(selection)))},
                         schema={"area_code": pl.Utf8, "order": pl.UInt32})
    return (order.join(ranking, on="area_code", how="left")
            .with_columns((pl.col("area_code") == focus).alias("is_focus"))
            .sort("order").drop("order"))
