"""What changed since last month: the largest movers, ELY areas crossing the 40 % line, and revisions
between two releases, so a reader sees news and corrections rather than hunting for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from app.analysis.ranking import month_values

CLIENT_SHARE_LINE = 40.0  # % of an ELY area's jobseeker clients; the pilots' call (2019) says at most about this
ELY_PREFIX = "ELY"
MOVER_SCHEMA = {"area_code": pl.Utf8, "before": pl.Float64, "after": pl.Float64, "change": pl.Float64,
                "change_pct": pl.Float64, "direction": pl.Utf8, "rank": pl.UInt32}
CROSSING_SCHEMA = {"area_code": pl.Utf8, "before": pl.Float64, "after": pl.Float64, "direction": pl.Utf8}
REVISION_VALUES = {"old_value": pl.Float64, "new_value": pl.Float64, "difference": pl.Float64,
                   "old_status": pl.Utf8, "new_status": pl.Utf8}


@dataclass(frozen=True)
class Movers:
    up: pl.DataFrame  # largest rises first
    down: pl.DataFrame  # largest falls first


def _before_after(observations: pl.DataFrame, before: date, after: date,
                  areas: Sequence[str] | None) -> pl.DataFrame:
    first = month_values(observations, before).select("area_code", pl.col("value").alias("before"))
    second = month_values(observations, after).select("area_code", pl.col("value").alias("after"))
    both = first.join(second, on="area_code", how="inner").drop_nulls(["before", "after"])
    return both.filter(pl.col("area_code").is_in(list(areas))) if areas is not None else both


def largest_movers(observations: pl.DataFrame, before: date, after: date, n: int = 5, by: str = "change",
                   areas: Sequence[str] | None = None) -> Movers:
    """The n areas that rose most and the n that fell most from `before` to `after`.

    change = after - before (percentage points for a ratio); change_pct = change / before * 100 (none
    when before is 0). by: "change" or "change_pct" orders the lists. An area unknown in either month is
    left out, as is an area that did not move.
    """
    if by not in ("change", "change_pct"):
        raise ValueError("by must be 'change' or 'change_pct'")
    moved = (_before_after(observations, before, after, areas)
             .with_columns((pl.col("after") - pl.col("before")).alias("change"))
             .with_columns(pl.when(pl.col("before") != 0).then(pl.col("change") / pl.col("before").abs() * 100)
                           .otherwise(None).alias("change_pct"))
             .filter(pl.col("change") != 0))

    def side(direction: str) -> pl.DataFrame:
        rising = direction == "up"
        rows = moved.filter((pl.col("change") > 0) if rising else (pl.col("change") < 0)).drop_nulls(by)
        return (rows.sort([by, "area_code"], descending=[rising, False]).head(n)
                .with_columns(pl.lit(direction).alias("direction"),
                              pl.int_range(1, pl.len() + 1).alias("rank"))
                .select(list(MOVER_SCHEMA)).cast(MOVER_SCHEMA))

    return Movers(up=side("up"), down=side("down"))


def line_crossings(shares: pl.DataFrame, before: date, after: date, line: float = CLIENT_SHARE_LINE,
                   prefix: str = ELY_PREFIX) -> pl.DataFrame:
    """ELY areas whose share went over the line (up: at most the line, then above it) or back (down)."""
    both = _before_after(shares, before, after, None).filter(pl.col("area_code").str.starts_with(prefix))
    over_before, over_after = pl.col("before") > line, pl.col("after") > line
    return (both.with_columns(pl.when(~over_before & over_after).then(pl.lit("up"))
                              .when(over_before & ~over_after).then(pl.lit("down")).alias("direction"))
            .drop_nulls("direction").sort(["direction", "area_code"], descending=[True, False])
            .select(list(CROSSING_SCHEMA)).cast(CROSSING_SCHEMA))


def revision_keys(old: pl.DataFrame, new: pl.DataFrame) -> list[str]:
    """The shared key columns: (indicator_code,) area_code, period."""
    keys = [k for k in ("indicator_code", "area_code", "period") if k in old.columns and k in new.columns]
    if "area_code" not in keys or "period" not in keys:
        raise ValueError("both releases need area_code and period columns")
    return keys


def revisions(old: pl.DataFrame, new: pl.DataFrame, tolerance: float = 0.0) -> pl.DataFrame:
    """Rows whose value differs between an old and a new release of the same keys.

    A value repeated unchanged is not a revision (whatever its status says); a suppressed (null) value
    that became known, or a known one that became suppressed, is. A key present in only one release is
    new or dropped data, not a revision. difference = new - old, none when either is unknown.
    Other columns of each release (release_id, ...) follow with an old_/new_ prefix.
    """
    keys = revision_keys(old, new)

    def prefixed(frame: pl.DataFrame, prefix: str) -> pl.DataFrame:
        frame = frame.with_columns(pl.col("value").cast(pl.Float64).fill_nan(None))
        if "status" not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Utf8).alias("status"))
        return frame.rename({c: f"{prefix}_{c}" for c in frame.columns if c not in keys})

    joined = prefixed(old, "old").join(prefixed(new, "new"), on=keys, how="inner")
    old_value, new_value = pl.col("old_value"), pl.col("new_value")
    changed = ((old_value.is_null() != new_value.is_null())
               | (old_value.is_not_null() & new_value.is_not_null() & ((new_value - old_value).abs() > tolerance)))
    extra = [c for c in joined.columns if c not in keys and c not in REVISION_VALUES]
    return (joined.filter(changed)
            .with_columns((new_value - old_value).alias("difference"))
            .select(*keys, *REVISION_VALUES, *extra)
            .cast(REVISION_VALUES)
            .sort(keys))
