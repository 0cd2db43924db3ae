"""Counts per population or per labour force, so a large city does not drown the rest on a map or table.

Contract: a rate is the sum of the count over the sum of the denominator for the same areas and months,
times the scale (1,000 for "per 1,000 inhabitants", 100 for "percent of the labour force"); never a
mean of rates. Status: `suppressed` when the count is suppressed; else `incomplete` (and no value) when
either side is missing, null or incomplete, or the denominator is not positive; else `provisional` when
either side is; else `final`.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

PER_1000 = 1000.0
PERCENT = 100.0

RATE_SCHEMA = {
    "area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8,
    "numerator": pl.Float64, "denominator": pl.Float64, "denominator_period": pl.Date,
}
POOLED_SCHEMA = {
    "period": pl.Date, "value": pl.Float64, "status": pl.Utf8, "numerator": pl.Float64,
    "denominator": pl.Float64, "areas": pl.UInt32,
}


def _side(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    status = pl.col("status") if "status" in frame.columns else pl.lit("final")
    return frame.select("area_code", "period", pl.col("value").cast(pl.Float64).fill_nan(None).alias(name),
                        status.alias(f"{name}_status"))


def annual_for_months(annual: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """Each (area, month) of `counts` with the annual value that stands for that month.

    Rule: an annual stock (population) is stored as the December of its year and describes that year's
    end, so a month takes the latest December at or before it (2023-12 for 2024-01 .. 2024-11, and
    2024-12 itself from December 2024); a month before the area's first December takes that first
    December, the nearest available. Only rows with a value count as available. `denominator_period`
    says which December was used, so the page can name it.
    """
    keys = counts.select("area_code", "period").unique()
    known = (_side(annual, "value").filter(pl.col("value").is_not_null())
             .rename({"value_status": "status"})
             .with_columns(pl.col("period").alias("denominator_period"))
             .sort("area_code", "period"))
    if known.is_empty() or keys.is_empty():
        return keys.with_columns(pl.lit(None, pl.Float64).alias("value"), pl.lit(None, pl.Utf8).alias("status"),
                                 pl.lit(None, pl.Date).alias("denominator_period"))
    keys = keys.sort("area_code", "period")  # sorted within each area, as join_asof needs
    backward = keys.join_asof(known, on="period", by="area_code", strategy="backward", check_sortedness=False)
    first = known.group_by("area_code").agg(pl.all().sort_by("period").first()).rename(
        {"period": "first_period", "value": "first_value", "status": "first_status",
         "denominator_period": "first_denominator_period"})
    return (backward.join(first, on="area_code", how="left")
            .select("area_code", "period",
                    pl.coalesce("value", "first_value").alias("value"),
                    pl.coalesce("status", "first_status").alias("status"),
                    pl.coalesce("denominator_period", "first_denominator_period").alias("denominator_period")))


def rates(counts: pl.DataFrame, denominators: pl.DataFrame, scale: float, annual: bool = False) -> pl.DataFrame:
    """The rate per area and month: count / denominator * scale, with the status rule of this module.

    annual: the denominator is an annual stock (population) matched to months by `annual_for_months`;
    otherwise it is monthly (labour force) and matched on the same month.
    """
    numerator = _side(counts, "numerator")
    if annual:
        denominator = annual_for_months(denominators, counts).rename(
            {"value": "denominator", "status": "denominator_status"})
    else:
        denominator = _side(denominators, "denominator").with_columns(pl.col("period").alias("denominator_period"))
    joined = numerator.join(denominator, on=["area_code", "period"], how="left")
    return (_with_rate(joined, scale)
            .select(list(RATE_SCHEMA)).cast(RATE_SCHEMA).sort("area_code", "period"))


def per_1000_inhabitants(counts: pl.DataFrame, population: pl.DataFrame) -> pl.DataFrame:
    return rates(counts, population, PER_1000, annual=True)


def per_labour_force(counts: pl.DataFrame, labour_force: pl.DataFrame) -> pl.DataFrame:
    """Percent of the labour force; the labour force is monthly in the employment service statistics."""
    return rates(counts, labour_force, PERCENT)


def pooled_rates(counts: pl.DataFrame, denominators: pl.DataFrame, scale: float, areas: Sequence[str] | None = None,
                 annual: bool = False) -> pl.DataFrame:
    """One rate per month for a set of areas together: the sum of their counts over the sum of their
    denominators; any member that is unknown or incomplete on either side makes the month incomplete."""
    per_area = rates(counts, denominators, scale, annual=annual)
    if areas is not None:
        per_area = per_area.filter(pl.col("area_code").is_in(list(areas)))
    unknown = (pl.col("status").is_in(["incomplete", "suppressed"]) | pl.col("numerator").is_null()
               | pl.col("denominator").is_null())
    pooled = per_area.group_by("period").agg(
        pl.col("numerator").sum().alias("numerator"),
        pl.col("denominator").sum().alias("denominator"),
        unknown.any().alias("_incomplete"),
        (pl.col("status") == "provisional").any().alias("_provisional"),
        pl.len().alias("areas"),
    )
    missing_areas = (pl.col("areas") < len(set(areas))) if areas is not None else pl.lit(False)
    return (pooled.with_columns((pl.col("_incomplete") | missing_areas).alias("_incomplete"))
            .with_columns(
                pl.when(~pl.col("_incomplete") & (pl.col("denominator") > 0))
                .then(pl.col("numerator") / pl.col("denominator") * scale).otherwise(None).alias("value"),
                pl.when(pl.col("_incomplete")).then(pl.lit("incomplete"))
                .when(pl.col("_provisional")).then(pl.lit("provisional")).otherwise(pl.lit("final")).alias("status"))
            .select(list(POOLED_SCHEMA)).cast(POOLED_SCHEMA).sort("period"))


def _with_rate(joined: pl.DataFrame, scale: float) -> pl.DataFrame:
    unknown_side = (pl.col("numerator").is_null() | pl.col("denominator").is_null()
                    | (pl.col("numerator_status") == "incomplete") | (pl.col("denominator_status") == "incomplete")
                    | (pl.col("denominator_status") == "suppressed") | (pl.col("denominator") <= 0))
    provisional = (pl.col("numerator_status") == "provisional") | (pl.col("denominator_status") == "provisional")
    status = (pl.when(pl.col("numerator_status") == "suppressed").then(pl.lit("suppressed"))
              .when(unknown_side).then(pl.lit("incomplete"))
              .when(provisional).then(pl.lit("provisional"))
              .otherwise(pl.lit("final")))
    return joined.with_columns(status.alias("status")).with_columns(
        pl.when(pl.col("status").is_in(["final", "provisional"]))
        .then(pl.col("numerator") / pl.col("denominator") * scale).otherwise(None).alias("value"))
