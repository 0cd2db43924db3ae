"""Areas most like a focus area before the pilots, so "areas like mine" is a stated method, not a hunch.

Method: for each chosen indicator, each area's features over the pre-pilot months (2019-01..2021-02 by
default) are the mean level and, optionally, the trend (the least-squares slope per month). Each feature
is standardised across the focus and the candidate areas with complete data (z = (x - mean) / sd, the
population sd); a feature that does not vary there is dropped and reported. The distance to the focus is
the weighted Euclidean distance sqrt(sum_f w_f * (z_f(area) - z_f(focus))^2), where both features of an
indicator take the indicator's weight; weights are equal by default and normalised to sum to 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from app.months import PILOT_START, months_between, shift_month

PRE_FIRST = date(2019, 1, 1)
PRE_LAST = shift_month(PILOT_START, -1)  # February 2021, the last month before the pilots
LEVEL, TREND = "level", "trend"
RANKING_SCHEMA = {"area_code": pl.Utf8, "distance": pl.Float64, "rank": pl.UInt32}


@dataclass(frozen=True)
class SimilarityDescription:
    """What the UI needs to say which indicators, weights, months and features were used."""
    focus: str
    indicators: tuple[str, ...]
    weights: dict[str, float]  # per indicator, summing to 1
    first: date
    last: date
    months: int
    features: tuple[str, ...]  # "indicator:level" / "indicator:trend" actually used
    dropped_features: tuple[str, ...]  # no spread across the areas compared
    candidates: int  # candidate areas offered, the focus not counted
    complete: int  # of those, with complete pre-period data
    excluded: tuple[str, ...]  # candidates lacking pre-period data


@dataclass(frozen=True)
class SimilarityResult:
    ranking: pl.DataFrame  # area_code, distance, rank (1 = most similar)
    standardised: pl.DataFrame  # area_code and one z-score column per feature used, the focus included
    description: SimilarityDescription


def feature_name(indicator: str, kind: str) -> str:
    return f"{indicator}:{kind}"


def pre_period_features(observations: Mapping[str, pl.DataFrame], first: date = PRE_FIRST, last: date = PRE_LAST,
                        trend: bool = False, min_coverage: float = 1.0) -> tuple[pl.DataFrame, list[str]]:
    """One row per area with every indicator's mean level (and slope per month) over first..last.

    An area counts as complete for an indicator when it has a value in at least min_coverage of the
    months; returns (features of the areas complete for every indicator, the other areas, sorted).
    """
    months = months_between(first, last)
    if not months:
        raise ValueError("the pre-period has no months")
    needed = math.ceil(min_coverage * len(months) - 1e-9)
    if trend:
        needed = max(needed, 2)  # a slope needs two points
    wide: pl.DataFrame | None = None
    every_area: set[str] = set()
    for indicator, frame in observations.items():
        window = (frame.filter(pl.col("period").is_between(first, last))
                  .select("area_code", "period", pl.col("value").cast(pl.Float64).fill_nan(None)))
        every_area |= set(frame.get_column("area_code").unique().to_list())
        step = ((pl.col("period").dt.year() - first.year) * 12 + pl.col("period").dt.month() - first.month)
        known = window.filter(pl.col("value").is_not_null()).with_columns(step.cast(pl.Float64).alias("t"))
        aggs = [pl.len().alias("_n"), pl.col("value").mean().alias(feature_name(indicator, LEVEL))]
        if trend:
            t_dev, v_dev = pl.col("t") - pl.col("t").mean(), pl.col("value") - pl.col("value").mean()
            aggs.append(((t_dev * v_dev).sum() / (t_dev * t_dev).sum()).alias(feature_name(indicator, TREND)))
        per_area = known.group_by("area_code").agg(aggs).filter(pl.col("_n") >= needed).drop("_n")
        wide = per_area if wide is None else wide.join(per_area, on="area_code", how="inner")
    if wide is None:
        raise ValueError("no indicator was given")
    wide = wide.sort("area_code")
    lacking = sorted(every_area - set(wide.get_column("area_code").to_list()))
    return wide, lacking


def normalised_weights(indicators: Sequence[str], weights: Mapping[str, float] | None) -> dict[str, float]:
    """Equal weights by default; given weights must be non-negative, name known indicators, not all 0."""
    if weights is None:
        return {code: 1.0 / len(indicators) for code in indicators}
    unknown = sorted(set(weights) - set(indicators))
    if unknown:
        raise ValueError(f"weights name indicators not compared: {', '.join(unknown)}")
    raw = {code: float(weights.get(code, 0.0)) for code in indicators}
    if any(w < 0 or math.isnan(w) for w in raw.values()) or sum(raw.values()) <= 0:
        raise ValueError("weights must be non-negative and not all zero")
    total = sum(raw.values())
    return {code: w / total for code, w in raw.items()}


def similar_areas(focus: str, observations: Mapping[str, pl.DataFrame], candidates: Sequence[str] | None = None,
                  weights: Mapping[str, float] | None = None, first: date = PRE_FIRST, last: date = PRE_LAST,
                  trend: bool = False, min_coverage: float = 1.0, limit: int | None = None) -> SimilarityResult:
    """Rank the candidate areas (default: every other area in the frames) by pre-period distance to focus.

    observations: indicator code -> observation frame of the areas of one level (a count, a ratio or a
    rate from rates.py: the caller decides whether size should matter).
    """
    indicators = tuple(observations)
    if not indicators:
        raise ValueError("no indicator was given")
    indicator_weights = normalised_weights(indicators, weights)
    features, lacking = pre_period_features(observations, first, last, trend, min_coverage)
    if focus not in features.get_column("area_code").to_list():
        raise ValueError(f"{focus} lacks data for the months {first.isoformat()}..{last.isoformat()}")
    offered = ([c for c in dict.fromkeys(candidates) if c != focus] if candidates is not None
               else sorted(set(lacking) | set(features.get_column("area_code").to_list()) - {focus}))
    complete_codes = set(features.get_column("area_code").to_list())
    excluded = tuple(sorted(c for c in offered if c not in complete_codes))
    pool = features.filter(pl.col("area_code").is_in([focus, *offered]))
    used, dropped = [], []
    for column in features.columns[1:]:
        spread = pool.get_column(column).std(ddof=0)
        centre = pool.get_column(column).mean()
        if spread is None or spread <= 1e-12 * max(1.0, abs(centre or 0.0)):
            dropped.append(column)
        else:
            used.append(column)
    if not used and pool.height > 1:
        raise ValueError("no feature varies across the areas compared")
    standardised = pool.select(
        "area_code", *[((pl.col(c) - pl.col(c).mean()) / pl.col(c).std(ddof=0)).alias(c) for c in used])
    focus_row = standardised.filter(pl.col("area_code") == focus).row(0, named=True)
    squared = [indicator_weights[c.rsplit(":", 1)[0]] * (pl.col(c) - focus_row[c]) ** 2 for c in used]
    squared = squared or [pl.lit(None, pl.Float64)]  # the focus alone: nothing to rank
    ranking = (standardised.filter(pl.col("area_code") != focus)
               .select("area_code", pl.sum_horizontal(squared).sqrt().alias("distance"))
               .with_columns(pl.col("distance").rank(method="min").cast(pl.UInt32).alias("rank"))
               .sort(["distance", "area_code"]))
    if limit is not None:
        ranking = ranking.head(limit)
    description = SimilarityDescription(
        focus=focus, indicators=indicators, weights=indicator_weights, first=first, last=last,
        months=len(months_between(first, last)), features=tuple(used), dropped_features=tuple(dropped),
        candidates=len(offered), complete=len(offered) - len(excluded), excluded=excluded)
    return SimilarityResult(ranking=ranking.cast(RANKING_SCHEMA), standardised=standardised,
                            description=description)
