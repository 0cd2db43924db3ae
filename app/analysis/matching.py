"""Each pilot area against a matched group of non-pilot municipalities: a descriptive comparison, not the
official impact evaluation.

Method:
1. the group: the k non-pilot municipalities nearest to the pilot area by pre-pilot similarity on levels
   and trends (similarity.py); pass size-free indicators (shares, rates from rates.py) for matching, as a
   sum of small municipalities is compared with the pilot through its index, not its size;
2. the group's series: the SUM of its members' counts, or for a ratio the sum of numerators over the sum
   of denominators; a month in which any member is unknown has no group value (a partial sum would
   fake a dip);
3. both series indexed to the base month (February 2021) = 100;
4. gap(t) = pilot index(t) - group index(t); the difference in differences is
   did(t) = gap(t) - mean(gap over the pre-period months with both values), so it is the change in the
   gap since the pre-period, in index points; before the pilots it shows how well the group fits;
5. the pre-period fit: RMSE and the largest absolute value of did over the pre-period months.
Phases: "pre" (first..last), "post" (from the pilot start, 1.3.2021), "between" (any months in between
when the pre-period is set to end earlier).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from app.aggregate import aggregate_counts, ratio_of_sums
from app.areas import is_municipality
from app.analysis.similarity import PRE_FIRST, PRE_LAST, SimilarityResult, similar_areas
from app.months import PILOT_START

BASE_MONTH = PRE_LAST  # February 2021 = 100
DEFAULT_K = 10
MATCHED = "MATCHED"  # the group's code inside this module only
SERIES_SCHEMA = {"period": pl.Date, "value": pl.Float64, "status": pl.Utf8}
# i18n keys for the UI's plain-language note; params() fills their placeholders.
METHOD_KEYS = (
    "matching.note.what_it_is", "matching.note.not_impact_evaluation", "matching.method.group",
    "matching.method.index", "matching.method.did", "matching.method.fit",
)


@dataclass(frozen=True)
class ComparisonGroup:
    pilot: str
    members: tuple[str, ...]  # nearest first
    similarity: SimilarityResult  # the ranking and which indicators, weights, months and features were used


@dataclass(frozen=True)
class PreFit:
    months: int  # pre-period months with both values
    mean_gap: float  # the pre-period mean of pilot index - group index, subtracted from every gap
    rmse: float  # of did over the pre-period
    max_abs: float  # of did over the pre-period


@dataclass(frozen=True)
class DifferenceInDifferences:
    series: pl.DataFrame  # period, pilot, group, pilot_index, group_index, gap, did, phase (pre, between, post)
    fit: PreFit
    base: date
    first: date
    last: date
    post_mean: float | None  # mean did over the months from the pilot start with both values
    method_keys: tuple[str, ...] = field(default=METHOD_KEYS)

    def params(self, group: ComparisonGroup | None = None) -> dict:
        """Placeholders for the method texts: months, fit and, given the group, its size and indicators."""
        values = {"base": self.base, "first": self.first, "last": self.last, "pre_months": self.fit.months,
                  "rmse": self.fit.rmse, "max_abs": self.fit.max_abs, "post_mean": self.post_mean}
        if group is not None:
            values |= {"k": len(group.members), "members": ", ".join(group.members),
                       "indicators": ", ".join(group.similarity.description.indicators)}
        return values


def choose_group(pilot: str, observations: Mapping[str, pl.DataFrame], candidates: Sequence[str],
                 k: int = DEFAULT_K, weights: Mapping[str, float] | None = None, trend: bool = True,
                 first: date = PRE_FIRST, last: date = PRE_LAST, min_coverage: float = 1.0) -> ComparisonGroup:
    """The k candidates nearest the pilot before the pilots; candidates are the caller's non-pilot
    municipalities (GRP_OTHER's members), and observations hold the pilot's and their series."""
    if k < 1:
        raise ValueError("a comparison group needs at least one member")
    wrong = sorted(c for c in candidates if not is_municipality(c))
    if wrong:
        raise ValueError(f"comparison candidates must be municipalities: {', '.join(wrong)}")
    result = similar_areas(pilot, observations, candidates=candidates, weights=weights, first=first, last=last,
                           trend=trend, min_coverage=min_coverage)
    members = tuple(result.ranking.head(k).get_column("area_code").to_list())
    return ComparisonGroup(pilot=pilot, members=members, similarity=result)


def _memberships(members: Sequence[str]) -> pl.DataFrame:
    return pl.DataFrame({"member_code": list(members), "group_code": [MATCHED] * len(members),
                         "valid_from": [None] * len(members), "valid_to": [None] * len(members)},
                        schema={"member_code": pl.Utf8, "group_code": pl.Utf8, "valid_from": pl.Date,
                                "valid_to": pl.Date})


def _periods(*frames: pl.DataFrame) -> list[date]:
    return sorted({p for frame in frames for p in frame.get_column("period").to_list()})


def group_counts(members: Sequence[str], counts: pl.DataFrame) -> pl.DataFrame:
    """The group's monthly sum of counts; no value in a month where a member is unknown."""
    summed = aggregate_counts(_memberships(members), counts.filter(pl.col("area_code").is_in(list(members))),
                              periods=_periods(counts))
    return (summed.with_columns(pl.when(pl.col("status") == "incomplete").then(None).otherwise(pl.col("value"))
                                .alias("value"))
            .select(list(SERIES_SCHEMA)).cast(SERIES_SCHEMA))


def group_ratio(members: Sequence[str], numerator: pl.DataFrame, denominator: pl.DataFrame,
                scale: float) -> pl.DataFrame:
    """The group's ratio of sums (never a mean of its members' ratios)."""
    periods = _periods(numerator, denominator)
    memberships = _memberships(members)
    num = aggregate_counts(memberships, numerator.filter(pl.col("area_code").is_in(list(members))), periods=periods)
    den = aggregate_counts(memberships, denominator.filter(pl.col("area_code").is_in(list(members))), periods=periods)
    return ratio_of_sums(num, den, scale).select(list(SERIES_SCHEMA)).cast(SERIES_SCHEMA)


def area_series(observations: pl.DataFrame, area: str) -> pl.DataFrame:
    """One area's monthly series in the shape group_counts returns."""
    frame = observations.filter(pl.col("area_code") == area)
    status = pl.col("status") if "status" in frame.columns else pl.lit("final")
    return frame.select("period", pl.col("value").cast(pl.Float64).fill_nan(None), status.alias("status")).cast(
        SERIES_SCHEMA).sort("period")


def difference_in_differences(pilot: pl.DataFrame, group: pl.DataFrame, base: date = BASE_MONTH,
                              first: date = PRE_FIRST, last: date = PRE_LAST) -> DifferenceInDifferences:
    """Index both series to base = 100 and measure how the gap between them moved from the pre-period
    (first..last); the module docstring defines every column. Months before first are left out."""
    joined = (pilot.select("period", pl.col("value").alias("pilot"))
              .join(group.select("period", pl.col("value").alias("group")), on="period", how="full", coalesce=True)
              .filter(pl.col("period") >= first).sort("period"))
    base_row = joined.filter(pl.col("period") == base)
    base_pilot = base_row.get_column("pilot").item() if base_row.height else None
    base_group = base_row.get_column("group").item() if base_row.height else None
    if not base_pilot or not base_group or base_pilot <= 0 or base_group <= 0:
        raise ValueError(f"both series need a positive value in the base month {base.isoformat()}")
    indexed = joined.with_columns(
        (pl.col("pilot") / base_pilot * 100).alias("pilot_index"),
        (pl.col("group") / base_group * 100).alias("group_index"),
        pl.when(pl.col("period") <= last).then(pl.lit("pre"))
        .when(pl.col("period") >= PILOT_START).then(pl.lit("post")).otherwise(pl.lit("between")).alias("phase"),
    ).with_columns((pl.col("pilot_index") - pl.col("group_index")).alias("gap"))
    pre_gaps = indexed.filter((pl.col("phase") == "pre") & pl.col("gap").is_not_null()).get_column("gap")
    if pre_gaps.is_empty():
        raise ValueError(f"no month {first.isoformat()}..{last.isoformat()} has both series")
    mean_gap = float(pre_gaps.mean())
    series = indexed.with_columns((pl.col("gap") - mean_gap).alias("did"))
    pre_did = series.filter((pl.col("phase") == "pre") & pl.col("did").is_not_null()).get_column("did")
    post_did = series.filter((pl.col("phase") == "post") & pl.col("did").is_not_null()).get_column("did")
    fit = PreFit(months=pre_did.len(), mean_gap=mean_gap,
                 rmse=math.sqrt(float((pre_did ** 2).mean())), max_abs=float(pre_did.abs().max()))
    return DifferenceInDifferences(
        series=series.select("period", "pilot", "group", "pilot_index", "group_index", "gap", "did", "phase"),
        fit=fit, base=base, first=first, last=last,
        post_mean=float(post_did.mean()) if post_did.len() else None)


@dataclass(frozen=True)
class MatchedComparison:
    group: ComparisonGroup
    pilot_series: pl.DataFrame  # period, value, status
    group_series: pl.DataFrame  # period, value, status
    did: DifferenceInDifferences


def matched_comparison(group: ComparisonGroup, counts: pl.DataFrame | None = None,
                       numerator: pl.DataFrame | None = None, denominator: pl.DataFrame | None = None,
                       scale: float = 1.0, base: date = BASE_MONTH, first: date = PRE_FIRST,
                       last: date = PRE_LAST) -> MatchedComparison:
    """The pilot and its group on one indicator: give `counts` for a count, or `numerator` and
    `denominator` (frames holding the pilot's and the members' rows) for a ratio."""
    if counts is not None:
        pilot_series = area_series(counts, group.pilot)
        series = group_counts(group.members, counts)
    elif numerator is not None and denominator is not None:
        num, den = (aggregate_counts(_memberships([group.pilot]), frame.filter(pl.col("area_code") == group.pilot),
                                     periods=_periods(frame)) for frame in (numerator, denominator))
        pilot_series = ratio_of_sums(num, den, scale).select(list(SERIES_SCHEMA)).cast(SERIES_SCHEMA)
        series = group_ratio(group.members, numerator, denominator, scale)
    else:
        raise ValueError("give counts, or numerator and denominator")
    did = difference_in_differences(pilot_series, series, base=base, first=first, last=last)
    return MatchedComparison(group=group, pilot_series=pilot_series, group_series=series, did=did)
