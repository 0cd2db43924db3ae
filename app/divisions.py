"""Area divisions: which members a group sums in a month when the data is published in a year's division.

Statistics Finland publishes a table's whole history in the area division of its publication year
(2026: Pertunmaa inside Mäntyharju in every month, Joroinen and Heinävesi in their 2025 ELY areas in
every month). A release records that year (`release.division`); data published month by month has
none. The rules (written once here, on top of the dated membership rule of app.areas):
- the division of an indicator's month is the one most of its municipality rows were last published in;
- no division: every group sums its members valid on the month's first day (app.areas);
- division Y, a classification group (country, region, ELY area): the members valid on 1 January Y,
  in every month, because the published totals are made so;
- division Y, any other group (pilot areas, comparison groups): membership is about dates, so the
  month's own members; a member merged by 1 January Y (without a division: by the month) into another
  member of the same group is left out, its values being inside that member's (Pertunmaa inside
  Mäntyharju, both in Mikkeli's pilot area).
Kept apart from app.areas so the month rule stays readable on its own.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from app.areas import MEMBER_MONTH_SCHEMA, members_in_months
from app.settings import DATA_DIR

CLASSIFICATION_KINDS = ("country", "region", "ely")  # groups whose published totals follow the division
CHANGES_FILE = DATA_DIR / "municipality_changes.csv"


@dataclass(frozen=True)
class Merger:
    """A municipality merged into another on a day (its last day as itself is the day before)."""

    day: date
    municipality: str
    into: str


@lru_cache(maxsize=4)
def mergers(path: Path = CHANGES_FILE) -> tuple[Merger, ...]:
    """The mergers of the change log in data/ (checked against the classification by `db init`)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return tuple(Merger(date.fromisoformat(row["effective_date"]), row["municipality_code"], row["to_code"])
                     for row in csv.DictReader(handle) if row["change"] == "merger")


def division_start(year: int) -> date:
    return date(year, 1, 1)


def majority_division(counts: Iterable[tuple[int | None, int]]) -> int | None:
    """The division most rows carry; a tie goes to the later division (None counts as the earliest)."""
    totals: Counter = Counter()
    for division, n in counts:
        totals[division] += n
    if not totals:
        return None
    return max(totals, key=lambda d: (totals[d], -1 if d is None else d))


def members_for_months(memberships: pl.DataFrame, periods: list[date], divisions: dict[date, int | None],
                       classification_groups: set[str], merged: Iterable[Merger] = ()) -> pl.DataFrame:
    """Each (group, member, month) to sum: app.areas' month rule, or the division rules above.

    divisions maps a month to its division year (absent or None: the month's own membership). In
    either case a member of a non-classification group that had merged into another member of the same
    group by then (by the division's first day, else by the month) is left out: its values are inside
    that member's.
    """
    by_division: dict[int | None, list[date]] = {}
    for period in sorted(set(periods)):
        by_division.setdefault(divisions.get(period), []).append(period)
    merged = list(merged)
    is_classification = pl.col("group_code").is_in(sorted(classification_groups))
    frames = []
    for year, months in by_division.items():
        start = division_start(year) if year else None
        if start is None:
            fixed = members_in_months(memberships.filter(is_classification), months)
        else:
            fixed = members_in_months(memberships.filter(is_classification), [start]).drop("period").join(
                pl.DataFrame({"period": months}, schema={"period": pl.Date}), how="cross")
        own = members_in_months(memberships.filter(~is_classification), months)
        frames += [fixed.select(list(MEMBER_MONTH_SCHEMA)), _without_covered(own, merged, start)]
    frames = [f for f in frames if not f.is_empty()]
    if not frames:
        return pl.DataFrame(schema=MEMBER_MONTH_SCHEMA)
    return pl.concat([f.cast(MEMBER_MONTH_SCHEMA) for f in frames]).sort("group_code", "member_code", "period")


def _without_covered(members: pl.DataFrame, merged: list[Merger], start: date | None) -> pl.DataFrame:
    """Drop a member merged (by the division's first day, else by the month) into a member of the same group."""
    if members.is_empty() or not merged:
        return members
    covers = pl.DataFrame({"member_code": [m.municipality for m in merged], "into": [m.into for m in merged],
                           "merged_on": [m.day for m in merged]},
                          schema={"member_code": pl.Utf8, "into": pl.Utf8, "merged_on": pl.Date})
    successors = members.select("group_code", pl.col("member_code").alias("into"), "period").with_columns(
        pl.lit(True).alias("_successor_member"))
    flagged = (members.join(covers, on="member_code", how="left")
               .join(successors, on=["group_code", "into", "period"], how="left"))
    by = pl.lit(start, dtype=pl.Date) if start is not None else pl.col("period")
    covered = pl.col("_successor_member").fill_null(False) & (pl.col("merged_on") <= by)
    return flagged.filter(~covered).select(list(MEMBER_MONTH_SCHEMA))
