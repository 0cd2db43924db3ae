"""Areas: their codes, the special groups, code normalising and dated membership, written once.

Codes: `SSS` the whole country, `KU091` a municipality (Statistics Finland's three digits), `MK01` a
region, `ELY01` an ELY area, `PILOT01` a pilot area, `GRP_*` a comparison group of municipalities.

Membership rule: a member belongs to a group in a month when the membership is valid on the month's
first day (`valid_from <= day <= valid_to`, an empty bound is open). Municipalities merge and move
between ELY areas, so every aggregate asks for the membership of its own month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from numbers import Integral, Real

import polars as pl

COUNTRY = "SSS"
GRP_PILOT = "GRP_PILOT"  # every municipality that was ever a pilot member
GRP_OTHER = "GRP_OTHER"  # every mainland municipality that never was (Åland has no TE office)
COMPARISON_GROUPS = (GRP_PILOT, GRP_OTHER)
DERIVED_GROUPS = (COUNTRY, *COMPARISON_GROUPS)  # rebuilt from the classification and the pilot registry
KIND_ORDER = ("country", "group", "pilot", "ely", "region", "municipality")  # how pickers list areas

PILOT_PREFIX = "PILOT"
MUNICIPALITY = re.compile(r"^KU\d{3}$")

MEMBERSHIP_SCHEMA = {"member_code": pl.Utf8, "group_code": pl.Utf8, "valid_from": pl.Date, "valid_to": pl.Date}
MEMBER_MONTH_SCHEMA = {"group_code": pl.Utf8, "member_code": pl.Utf8, "period": pl.Date}


@dataclass(frozen=True)
class Membership:
    member_code: str
    group_code: str
    valid_from: date | None
    valid_to: date | None

    def as_row(self) -> dict:
        return self.__dict__.copy()

    def valid_on(self, day: date) -> bool:
        return valid_on(self.valid_from, self.valid_to, day)


def is_pilot(code: str) -> bool:
    return code.startswith(PILOT_PREFIX)


def is_municipality(code: str) -> bool:
    return bool(MUNICIPALITY.match(code))


def municipality_code(raw: object) -> str:
    """KU091, 091, 91, the integer 91 and the float 91.0 all mean Helsinki: KU091.

    Raises ValueError for anything that is not a municipality code; callers turn it into their own
    message (an input error with file, row and column).
    """
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"{raw!r} is not a municipality code")
    if isinstance(raw, Integral):
        raw = str(int(raw))
    elif isinstance(raw, Real):
        if raw != raw or raw in (float("inf"), float("-inf")) or raw != int(raw):
            raise ValueError(f"{raw!r} is not a municipality code")
        raw = str(int(raw))
    text = str(raw).strip().upper()
    digits = text[2:] if text.startswith("KU") else text
    if not digits.isdigit() or not digits.isascii() or len(digits) > 3:
        raise ValueError(f"{raw!r} is not a municipality code")
    return "KU" + digits.zfill(3)


def municipality_code_or_none(raw: object) -> str | None:
    try:
        return municipality_code(raw)
    except ValueError:
        return None


def area_code(raw: str) -> str:
    """An area code as stored: upper case, a bare three-digit municipality number prefixed with KU."""
    code = raw.strip().upper()
    return f"KU{code}" if re.fullmatch(r"\d{3}", code) else code


def valid_on(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def valid_on_clause(table, day: date):
    """The same rule as a SQL condition on a table with valid_from and valid_to columns."""
    return ((table.c.valid_from.is_(None) | (table.c.valid_from <= day))
            & (table.c.valid_to.is_(None) | (table.c.valid_to >= day)))


def members_in_months(memberships: pl.DataFrame, periods: list[date]) -> pl.DataFrame:
    """Each (group, member, month) for which the membership is valid on the month's first day."""
    if memberships.is_empty() or not periods:
        return pl.DataFrame(schema=MEMBER_MONTH_SCHEMA)
    months = pl.DataFrame({"period": sorted(set(periods))}, schema={"period": pl.Date})
    return (
        memberships.join(months, how="cross")
        .filter((pl.col("valid_from").is_null() | (pl.col("valid_from") <= pl.col("period")))
                & (pl.col("valid_to").is_null() | (pl.col("period") <= pl.col("valid_to"))))
        .select("group_code", "member_code", "period")
    )


def members_on(memberships: list[Membership], day: date) -> dict[str, list[str]]:
    """group code -> its members on day, sorted."""
    groups: dict[str, list[str]] = {}
    for m in memberships:
        if m.valid_on(day):
            groups.setdefault(m.group_code, []).append(m.member_code)
    return {g: sorted(set(members)) for g, members in groups.items()}


def geography_memberships(memberships: pl.DataFrame) -> pl.DataFrame:
    """A dated group as a place: its first members also before its first day, its last also after its last.

    A pilot area ran 1.3.2021-31.12.2024, but as a geography it has values for every month its members
    have data, so its trend shows the years before the start. Per group: a membership that starts on the
    group's earliest day is opened to the past, one that ends on its latest day to the future; members
    who joined or left in between keep their dates. A group with an open bound already is left open.
    """
    if memberships.is_empty():
        return memberships
    bounds = memberships.group_by("group_code").agg(
        pl.when(pl.col("valid_from").is_null().any()).then(None).otherwise(pl.col("valid_from").min()).alias("_first"),
        pl.when(pl.col("valid_to").is_null().any()).then(None).otherwise(pl.col("valid_to").max()).alias("_last"),
    )
    return (memberships.join(bounds, on="group_code", how="left")
            .with_columns(
                pl.when(pl.col("valid_from") == pl.col("_first")).then(None).otherwise(pl.col("valid_from"))
                .alias("valid_from"),
                pl.when(pl.col("valid_to") == pl.col("_last")).then(None).otherwise(pl.col("valid_to"))
                .alias("valid_to"))
            .select(list(MEMBERSHIP_SCHEMA)).cast(MEMBERSHIP_SCHEMA))
