"""The rules of app.aggregate with the summing done in the database: groups x months come back, not members.

Pulling every member row into Python costs in proportion to the history (309 municipalities x every
month, twice for a ratio). Here one GROUP BY over the membership join sums the member rows that
exist, per indicator, group and month; what is left for Python is small: the members each group
expects in each month (from the dated memberships, a few hundred rows) and, only where some
expected member has no row at all, which ones. The rules are app.aggregate's, and
tests/test_aggregate_sql.py checks the answers equal the polars reference (app.queries.reference_values)
for every indicator, on SQLite and PostgreSQL:
- the members of a group in a month are those valid on its first day (app.areas); a municipality
  asked for itself is its own single member;
- count: the sum of the known members; a ratio is app.aggregate.ratio_of_sums over two such sums;
- a member without a value (suppressed, or no row) makes the group `incomplete`, its sum a lower
  bound, and is listed in suppressed_members;
- pilot-scoped: a member outside every pilot that month without a row is a structural zero;
- any provisional member makes the group `provisional`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl
from sqlalchemy import Date, Engine, String, and_, case, column, exists, func, null, or_, select, union_all, values

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Join

from app import schema
from app.aggregate import AGGREGATE_SCHEMA, empty
from app.areas import MEMBERSHIP_SCHEMA, members_in_months
from app.indicators import Indicator

PRESENT_SCHEMA = {"indicator_code": pl.Utf8, "area_code": pl.Utf8, "period": pl.Date, "value_sum": pl.Float64,
                  "reporting": pl.Int64, "present": pl.Int64, "provisional": pl.Int64, "unknown": pl.Utf8}
SEPARATOR = ","  # area codes never hold a comma (app.areas)
Fetch = Callable[[Engine, object, dict], pl.DataFrame]


class MembersFirst(Join):
    """An inner join whose left side (the few members) drives it: each member's rows are then read in
    key order. SQLite, given bound periods, would rather scan every area's rows and probe the members
    (twice the work over the whole history); its CROSS JOIN keeps the order. Other databases plan
    the plain join well."""

    inherit_cache = True


@compiles(MembersFirst, "sqlite")
def _members_first_sqlite(join, compiler, **kw):
    kw["asfrom"] = True
    left, right = join.left._compiler_dispatch(compiler, **kw), join.right._compiler_dispatch(compiler, **kw)
    kw.pop("asfrom")
    return f"{left} CROSS JOIN {right} ON {join.onclause._compiler_dispatch(compiler, **kw)}"


def _valid_in(table, day):
    """app.areas' membership rule with the day a column (each row's month), not a constant."""
    return and_(or_(table.c.valid_from.is_(None), table.c.valid_from <= day),
                or_(table.c.valid_to.is_(None), table.c.valid_to >= day))


def _members_cte(group_codes: list[str], municipality_codes: list[str]):
    """(member_code, group_code, valid_from, valid_to) of the groups, and each municipality as its own group."""
    m, a = schema.area_membership, schema.area
    parts = []
    if group_codes:
        parts.append(select(m.c.member_code, m.c.group_code, m.c.valid_from, m.c.valid_to)
                     .where(m.c.group_code.in_(group_codes)))
    if municipality_codes:
        parts.append(select(a.c.code.label("member_code"), a.c.code.label("group_code"),
                            null().cast(Date).label("valid_from"), null().cast(Date).label("valid_to"))
                     .where(a.c.code.in_(municipality_codes)))
    return (union_all(*parts) if len(parts) > 1 else parts[0]).cte("members").prefix_with("MATERIALIZED")


def present_sums_statement(indicator_codes: list[str], group_codes: list[str], municipality_codes: list[str],
                           first: date, last: date):
    """Per indicator, group and month, over the member rows that exist: the known sum, how many rows
    have a value, how many rows there are, how many are provisional, and the members whose row has
    no value (comma-separated). Driven by each member's rows through the observation key."""
    o = schema.observation
    members = _members_cte(group_codes, municipality_codes)
    unknown = case((o.c.value.is_(None), o.c.area_code), else_=null().cast(String))
    return (
        select(o.c.indicator_code, members.c.group_code.label("area_code"), o.c.period,
               func.sum(o.c.value).label("value_sum"), func.count(o.c.value).label("reporting"),
               func.count().label("present"),
               func.sum(case((o.c.status == "provisional", 1), else_=0)).label("provisional"),
               func.aggregate_strings(unknown, SEPARATOR).label("unknown"))
        .select_from(MembersFirst(members, o, and_(o.c.area_code == members.c.member_code,
                                                   o.c.indicator_code.in_(indicator_codes),
                                                   o.c.period >= first, o.c.period <= last,
                                                   _valid_in(members, o.c.period))))
        .group_by(o.c.indicator_code, members.c.group_code, o.c.period)
    )


def months_with_member_rows(engine: Engine, fetch: Fetch, indicator_code: str, candidates: list[date],
                            group_codes: list[str]) -> list[date]:
    """The candidate months in which some member of the groups has a row (whether valid then or not),
    as app.aggregate takes the months of the member values it is given. One probe per month."""
    if not candidates or not group_codes:
        return []
    o, m = schema.observation, schema.area_membership
    months = values(column("period", Date), name="candidate_months").data([(p,) for p in sorted(set(candidates))]) \
        .cte("candidate_months")
    has_row = exists().where(o.c.indicator_code == indicator_code, o.c.period == months.c.period,
                             o.c.area_code.in_(select(m.c.member_code).where(m.c.group_code.in_(group_codes))))
    found = fetch(engine, select(months.c.period).where(has_row), {"period": pl.Date})["period"].to_list()
    return sorted(found)


def _expected(memberships: pl.DataFrame, municipality_codes: list[str], months: list[date]) -> pl.DataFrame:
    identity = pl.DataFrame({"member_code": municipality_codes, "group_code": municipality_codes,
                             "valid_from": [None] * len(municipality_codes),
                             "valid_to": [None] * len(municipality_codes)}, schema=MEMBERSHIP_SCHEMA)
    return members_in_months(pl.concat([memberships.select(list(MEMBERSHIP_SCHEMA)), identity]), months)


def _rows_of(engine: Engine, fetch: Fetch, indicator_code: str, pairs: pl.DataFrame) -> pl.DataFrame:
    """Which of these (member_code, period) pairs have a row of the indicator."""
    o = schema.observation
    stmt = select(o.c.area_code, o.c.period).where(
        o.c.indicator_code == indicator_code, o.c.area_code.in_(pairs["member_code"].unique().to_list()),
        o.c.period.in_(pairs["period"].unique().to_list()))
    rows = fetch(engine, stmt, {"member_code": pl.Utf8, "period": pl.Date})
    return pairs.join(rows.unique().with_columns(pl.lit(True).alias("has_row")), on=["member_code", "period"],
                      how="left").with_columns(pl.col("has_row").fill_null(False))


def _missing(engine: Engine, fetch: Fetch, indicator: Indicator, expected: pl.DataFrame, short: pl.DataFrame,
             pilot_months: pl.DataFrame | None) -> pl.DataFrame:
    """Per group and month with fewer rows than members: the structural zeros and the unknown members.

    Only the groups and months where rows are missing are looked at (usually none).
    """
    if short.is_empty():
        return pl.DataFrame(schema={"area_code": pl.Utf8, "period": pl.Date, "zeros": pl.Int64,
                                    "missing": pl.List(pl.Utf8)})
    candidates = expected.join(short.select(pl.col("area_code").alias("group_code"), "period"),
                               on=["group_code", "period"], how="semi")
    checked = _rows_of(engine, fetch, indicator.code, candidates.select("member_code", "period").unique())
    absent = candidates.join(checked.filter(~pl.col("has_row")).select("member_code", "period"),
                             on=["member_code", "period"], how="semi")
    if pilot_months is not None:
        absent = absent.join(pilot_months.unique().with_columns(pl.lit(True).alias("must")),
                             on=["member_code", "period"], how="left")
    else:
        absent = absent.with_columns(pl.lit(True).alias("must"))
    return absent.group_by("group_code", "period").agg(
        pl.col("must").is_null().sum().cast(pl.Int64).alias("zeros"),
        pl.col("member_code").filter(pl.col("must").is_not_null()).alias("missing"),
    ).rename({"group_code": "area_code"})


def member_sums(engine: Engine, fetch: Fetch, indicators: list[Indicator], memberships: pl.DataFrame,
                municipality_codes: list[str], months: list[date],
                pilot_months: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
    """Each count indicator summed over the members of each group in the months (see the module rules).

    memberships: the dated memberships of the groups asked (app.queries.memberships); pilot_months:
    (member_code, period) of the municipalities in a pilot each month, needed for pilot-scoped counts.
    Returns indicator code -> app.aggregate's frame (AGGREGATE_SCHEMA).
    """
    group_codes = sorted(set(memberships["group_code"].to_list()))
    if not months or not (group_codes or municipality_codes):
        return {i.code: empty(AGGREGATE_SCHEMA) for i in indicators}
    expected = _expected(memberships, municipality_codes, months)
    if expected.is_empty():
        return {i.code: empty(AGGREGATE_SCHEMA) for i in indicators}
    counts = expected.group_by("group_code", "period").agg(pl.len().cast(pl.Int64).alias("members")).rename(
        {"group_code": "area_code"})
    stmt = present_sums_statement([i.code for i in indicators], group_codes, municipality_codes, min(months),
                                  max(months))
    present = fetch(engine, stmt, PRESENT_SCHEMA)
    out = {}
    for indicator in indicators:
        sums = counts.join(present.filter(pl.col("indicator_code") == indicator.code).drop("indicator_code"),
                           on=["area_code", "period"], how="left").with_columns(
            pl.col("present", "reporting", "provisional").fill_null(0))
        short = sums.filter(pl.col("present") < pl.col("members")).select("area_code", "period")
        missing = _missing(engine, fetch, indicator, expected, short,
                           pilot_months if indicator.pilot_scoped else None)
        out[indicator.code] = _as_aggregate(sums.join(missing, on=["area_code", "period"], how="left"))
    return out


def _as_aggregate(sums: pl.DataFrame) -> pl.DataFrame:
    """Counts, sums and member lists in app.aggregate's shape (AGGREGATE_SCHEMA), sorted by area and month."""
    suppressed = pl.concat_list(
        pl.col("unknown").fill_null("").str.split(SEPARATOR).list.eval(pl.element().filter(pl.element() != "")),
        pl.col("missing").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))),
    ).list.sort()
    reporting = pl.col("reporting") + pl.col("zeros").fill_null(0)
    return (
        sums.with_columns(
            pl.when(reporting > 0).then(pl.col("value_sum").fill_null(0.0)).otherwise(None).alias("value"),
            suppressed.alias("suppressed_members"),
        )
        .with_columns(
            pl.when(pl.col("suppressed_members").list.len() > 0).then(pl.lit("incomplete"))
            .when(pl.col("provisional") > 0).then(pl.lit("provisional"))
            .otherwise(pl.lit("final")).alias("status"))
        .select(list(AGGREGATE_SCHEMA))
        .cast(AGGREGATE_SCHEMA)
        .sort("area_code", "period")
    )
