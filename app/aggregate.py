"""Area aggregation rules, as pure functions over polars frames.

Contract:
- count: the sum over the member municipalities valid in that month (the rule of app.areas);
- ratio: sum of numerators over sum of denominators, times the indicator's scale; never a mean of rates;
- a suppressed (or missing) member makes the aggregate `incomplete`: a count keeps the sum of the known
  members as a lower bound, a ratio becomes NULL;
- a pilot-scoped indicator (pilot clients, ...) is reported only by municipalities in a pilot that month:
  for any other member a missing row is a structural zero, not a gap (`required` names who must report);
- a published aggregate (loaded from the source) is preferred to the computed one; the computed value
  stays beside it in `computed_value` for checking.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from app.areas import members_in_months

OBSERVATION_SCHEMA = {"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8}
AGGREGATE_SCHEMA = {
    "area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8,
    "members": pl.UInt32, "suppressed_members": pl.List(pl.Utf8),
}


def empty(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def _combine_status(incomplete: pl.Expr, provisional: pl.Expr) -> pl.Expr:
    return (pl.when(incomplete).then(pl.lit("incomplete"))
            .when(provisional).then(pl.lit("provisional"))
            .otherwise(pl.lit("final")))


def aggregate_counts(memberships: pl.DataFrame, member_values: pl.DataFrame,
                     periods: list[date] | None = None, required: pl.DataFrame | None = None,
                     expected: pl.DataFrame | None = None) -> pl.DataFrame:
    """Sum member municipalities into their groups under the membership valid in each month.

    required: (member_code, period) pairs that must report; when given, a member outside it without a
    row counts as 0 (a municipality outside the pilots has no pilot clients). None: every member must.
    expected: the (group_code, member_code, period) to sum, when the caller has applied an area
    division (app.divisions); None: the members valid in each month.
    """
    if periods is None:
        periods = member_values.get_column("period").unique().to_list()
    if expected is None:
        expected = members_in_months(memberships, periods)
    if expected.is_empty():
        return empty(AGGREGATE_SCHEMA)
    joined = expected.join(
        member_values.rename({"area_code": "member_code"}), on=["member_code", "period"], how="left"
    )
    if required is not None:
        must = required.select("member_code", "period").unique().with_columns(pl.lit(True).alias("_must"))
        structural_zero = pl.col("status").is_null() & pl.col("_must").is_null()
        joined = joined.join(must, on=["member_code", "period"], how="left").with_columns(
            pl.when(structural_zero).then(pl.lit(0.0)).otherwise(pl.col("value")).alias("value"),
            pl.when(structural_zero).then(pl.lit("final")).otherwise(pl.col("status")).alias("status"),
        )
    unknown = pl.col("value").is_null()  # suppressed, or no row at all
    return (
        joined.group_by("group_code", "period")
        .agg(
            pl.col("value").sum().alias("value_sum"),
            pl.col("value").is_not_null().sum().alias("reporting"),
            pl.len().alias("members"),
            pl.col("member_code").filter(unknown).sort().alias("suppressed_members"),
            (pl.col("status") == "provisional").any().alias("any_provisional"),
        )
        .with_columns(
            pl.when(pl.col("reporting") > 0).then(pl.col("value_sum")).otherwise(None).alias("value"),
            _combine_status(pl.col("suppressed_members").list.len() > 0, pl.col("any_provisional")).alias("status"),
        )
        .rename({"group_code": "area_code"})
        .select(list(AGGREGATE_SCHEMA))
        .cast(AGGREGATE_SCHEMA)
        .sort("area_code", "period")
    )


def ratio_of_sums(numerator: pl.DataFrame, denominator: pl.DataFrame, scale: float) -> pl.DataFrame:
    """Ratio of aggregated numerator and denominator; NULL when either is incomplete or missing, or the
    denominator is 0. A month where only one side has data is kept, as incomplete."""
    joined = numerator.join(denominator, on=["area_code", "period"], how="full", coalesce=True, suffix="_den")
    incomplete = (
        pl.col("status").is_null() | pl.col("status_den").is_null()
        | (pl.col("status") == "incomplete") | (pl.col("status_den") == "incomplete")
    )
    provisional = (pl.col("status") == "provisional") | (pl.col("status_den") == "provisional")
    return (
        joined.with_columns(
            pl.when(~incomplete & (pl.col("value_den") > 0))
            .then(pl.col("value") / pl.col("value_den") * scale)
            .otherwise(None)
            .alias("ratio"),
            _combine_status(incomplete, provisional).alias("ratio_status"),
            pl.concat_list(pl.col("suppressed_members").fill_null([]), pl.col("suppressed_members_den").fill_null([]))
            .list.unique().list.sort().alias("all_suppressed"),
        )
        .select(
            "area_code", "period",
            pl.col("ratio").alias("value"),
            pl.col("ratio_status").alias("status"),
            pl.coalesce("members", "members_den").alias("members"),
            pl.col("all_suppressed").alias("suppressed_members"),
            pl.col("value").alias("numerator"),
            pl.col("value_den").alias("denominator"),
        )
        .sort("area_code", "period")
    )


def prefer_published(published: pl.DataFrame, computed: pl.DataFrame) -> pl.DataFrame:
    """Published rows win; computed rows fill the rest. `computed_value` keeps the computed figure."""
    published = published.select(
        "area_code", "period", "value", "status", pl.lit("published").alias("source")
    )
    comp = computed.with_columns(pl.lit("computed").alias("source"))
    extra = [c for c in comp.columns if c not in ("area_code", "period", "value", "status", "source")]
    merged = (
        published.join(comp, on=["area_code", "period"], how="full", coalesce=True, suffix="_computed")
        .with_columns(
            pl.col("value_computed").alias("computed_value"),
            pl.when(pl.col("source").is_not_null()).then(pl.col("value")).otherwise(pl.col("value_computed"))
            .alias("value"),
            pl.when(pl.col("source").is_not_null()).then(pl.col("status")).otherwise(pl.col("status_computed"))
            .alias("status"),
            pl.coalesce("source", "source_computed").alias("source"),
        )
    )
    return merged.select("area_code", "period", "value", "status", "source", "computed_value", *extra).sort(
        "area_code", "period"
    )
