"""The rules of app.aggregate with the summing done in the database: groups x months come back, not members.

Pulling every member row into Python costs in proportion to the history (309 municipalities x every
month, twice for a ratio). Here Python decides who is summed where (the `expected` (group, member,
month) of app.queries, with the dated memberships, pilot areas as places and the area divisions of
app.divisions: a few thousand rows) and sends it to the database as one JSON parameter, compressed to
each member's runs of months; one GROUP BY then sums the member rows that exist, per indicator, group
and month. What comes back is small, and only where some expected member has no row at all does
Python ask which ones. The rules are app.aggregate's, and tests/test_aggregate_sql.py checks the
answers equal the polars reference (app.queries.reference_values) for every indicator, on SQLite and
PostgreSQL:
- count: the sum of the known members; a ratio is app.aggregate.ratio_of_sums over two such sums;
- a member without a value (suppressed, or no row) makes the group `incomplete`, its sum a lower
  bound, and is listed in suppressed_members;
- pilot-scoped: a member outside every pilot that month without a row is a structural zero;
- any provisional member makes the group `provisional`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import polars as pl
from sqlalchemy import Date, Engine, String, and_, case, column, exists, func, null, select, text, values

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Join

from app import schema
from app.aggregate import AGGREGATE_SCHEMA, empty
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


CODE_WIDTH = 16  # schema.area.code is String(16): each code fits its fixed-width field
RUN_WIDTH = 2 * CODE_WIDTH + 20  # member, group, first and last month (10 characters each)


def _runs(expected: pl.DataFrame, months: list[date]) -> list[tuple[str, str, date, date]]:
    """expected (group_code, member_code, period) as (member, group, first, last): each member's runs of
    consecutive months of the list (a month the list lacks has no rows to sum anyway)."""
    index = pl.DataFrame({"period": sorted(set(months))}, schema={"period": pl.Date}).with_row_index("i")
    runs = (expected.join(index, on="period").sort("group_code", "member_code", "i")
            .with_columns((pl.col("i").cast(pl.Int64) - pl.int_range(pl.len()).over("group_code", "member_code"))
                          .alias("run"))
            .group_by("group_code", "member_code", "run")
            .agg(pl.col("period").min().alias("first"), pl.col("period").max().alias("last")))
    return [(m, g, first, last) for g, m, _, first, last in runs.iter_rows()]


def _runs_parameters(runs: list[tuple[str, str, date, date]], dialect: str) -> dict:
    """The runs as one parameter: JSON for PostgreSQL; for SQLite, fixed-width fields in one blob (its
    read-only guard refuses json_each, whose table SQLite builds by writing to its schema)."""
    if dialect == "postgresql":
        return {"runs": json.dumps([{"member_code": m, "group_code": g, "first": f.isoformat(), "last": t.isoformat()}
                                    for m, g, f, t in runs])}
    packed = "".join(f"{m:<{CODE_WIDTH}}{g:<{CODE_WIDTH}}{f.isoformat()}{t.isoformat()}" for m, g, f, t in runs)
    return {"runs": packed.encode("ascii"), "run_count": len(runs)}


def _runs_table(dialect: str):
    """The runs parameter as rows (member_code, group_code, first, last), in the database's own words."""
    if dialect == "postgresql":
        return text("SELECT * FROM jsonb_to_recordset(CAST(:runs AS jsonb)) "
                    "AS r(member_code text, group_code text, first date, last date)").columns(
            column("member_code", String), column("group_code", String), column("first", Date),
            column("last", Date)).cte("runs")
    w, n = CODE_WIDTH, RUN_WIDTH
    field = "CAST(substr(:runs, n * {n} + {at}, {size}) AS TEXT)"  # a blob: substr counts bytes, in O(1)
    member, group = (f"rtrim({field.format(n=n, at=at, size=w)})" for at in (1, w + 1))
    first, last = (field.format(n=n, at=at, size=10) for at in (2 * w + 1, 2 * w + 11))
    return text(f"SELECT {member} AS member_code, {group} AS group_code, {first} AS first, {last} AS last "
                f"FROM (WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < :run_count) "
                f"SELECT n FROM k)").columns(
        column("member_code", String), column("group_code", String), column("first", String),
        column("last", String)).cte("runs").prefix_with("MATERIALIZED")


def present_sums_statement(indicator_codes: list[str], dialect: str):
    """Per indicator, group and month, over the member rows that exist in the members' runs: the known
    sum, how many rows have a value, how many rows there are, how many are provisional, and the
    members whose row has no value (comma-separated). Driven by each member's rows through the key."""
    o, runs = schema.observation, _runs_table(dialect)
    unknown = case((o.c.value.is_(None), o.c.area_code), else_=null().cast(String))
    return (
        select(o.c.indicator_code, runs.c.group_code.label("area_code"), o.c.period,
               func.sum(o.c.value).label("value_sum"), func.count(o.c.value).label("reporting"),
               func.count().label("present"),
               func.sum(case((o.c.status == "provisional", 1), else_=0)).label("provisional"),
               func.aggregate_strings(unknown, SEPARATOR).label("unknown"))
        .select_from(MembersFirst(runs, o, and_(o.c.area_code == runs.c.member_code,
                                                o.c.indicator_code.in_(indicator_codes),
                                                o.c.period >= runs.c.first, o.c.period <= runs.c.last)))
        .group_by(o.c.indicator_code, runs.c.group_code, o.c.period)
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
    return sorted(fetch(engine, select(months.c.period).where(has_row), {"period": pl.Date})["period"].to_list())


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


def member_sums(engine: Engine, fetch: Fetch, indicators: list[Indicator], expected: pl.DataFrame,
                months: list[date], pilot_months: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
    """Each count indicator summed over `expected` (group_code, member_code, period): who is summed where.

    pilot_months: (member_code, period) of the municipalities in a pilot each month, needed for
    pilot-scoped counts. Returns indicator code -> app.aggregate's frame (AGGREGATE_SCHEMA).
    """
    if expected.is_empty():
        return {i.code: empty(AGGREGATE_SCHEMA) for i in indicators}
    counts = expected.group_by("group_code", "period").agg(pl.len().cast(pl.Int64).alias("members")).rename(
        {"group_code": "area_code"})
    stmt = present_sums_statement([i.code for i in indicators], engine.dialect.name)
    parameters = _runs_parameters(_runs(expected, months), engine.dialect.name)
    present = fetch(engine, stmt.params(**parameters), PRESENT_SCHEMA)
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
