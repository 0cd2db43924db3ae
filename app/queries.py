"""Every read of the dashboard: SQLAlchemy select() with bound parameters -> polars.DataFrame.

Identifiers (indicator and area codes) reach these functions only after the registry or the area
table has vetted them; values travel as bound parameters, never inside SQL text.

Long (about 340 lines) because every read lives here (STYLE.md), and the sums done in SQL
(indicator_values) sit beside their Python reference (reference_values), which the tests compare.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from sqlalchemy import Engine, Select, and_, func, inspect, or_, select, union
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app import aggregate_sql, schema
from app.aggregate import OBSERVATION_SCHEMA, aggregate_counts, prefer_published, ratio_of_sums
from app.areas import MEMBERSHIP_SCHEMA, PILOT_PREFIX, geography_memberships, members_in_months
from app.db import DatabaseUnavailable, TooManyRows, row_cap_of, unavailable
from app.divisions import CLASSIFICATION_KINDS, majority_division, members_for_months, mergers
from app.indicators import Indicator, registry

AREA_SCHEMA = {
    "code": pl.Utf8, "kind": pl.Utf8, "name_fi": pl.Utf8, "name_sv": pl.Utf8, "name_en": pl.Utf8,
    "population": pl.Int64, "lat": pl.Float64, "lon": pl.Float64, "ely_code": pl.Utf8,
}
REVISION_SCHEMA = {
    "indicator_code": pl.Utf8, "area_code": pl.Utf8, "period": pl.Date, "old_value": pl.Float64,
    "old_status": pl.Utf8, "old_release_id": pl.Int64, "new_value": pl.Float64, "new_status": pl.Utf8,
    "new_release_id": pl.Int64, "old_published_at": pl.Datetime, "new_published_at": pl.Datetime,
}
RELEASE_SCHEMA = {
    "id": pl.Int64, "source": pl.Utf8, "url": pl.Utf8, "licence": pl.Utf8,
    "retrieved_at": pl.Datetime, "published_at": pl.Datetime, "sha256": pl.Utf8, "row_count": pl.Int64,
    "division": pl.Int64, "first_period": pl.Date, "last_period": pl.Date,
}


def fetch(engine: Engine, stmt: Select, frame_schema: dict) -> pl.DataFrame:
    """Run one SELECT; a failure, a time limit or more rows than the cap become DatabaseUnavailable."""
    cap = row_cap_of(engine.get_execution_options())
    try:
        with engine.connect() as conn:
            rows = conn.execute(stmt).fetchmany(cap + 1)
    except (DBAPIError, SQLAlchemyError) as exc:
        raise unavailable(exc, engine) from exc
    if len(rows) > cap:
        raise TooManyRows(cap)
    return pl.DataFrame([tuple(r) for r in rows], schema=frame_schema, orient="row")


def meta(engine: Engine) -> dict[str, str]:
    frame = fetch(engine, select(schema.meta.c.key, schema.meta.c.value), {"key": pl.Utf8, "value": pl.Utf8})
    return dict(zip(frame["key"].to_list(), frame["value"].to_list()))


def areas(engine: Engine) -> pl.DataFrame:
    cols = [schema.area.c[name] for name in AREA_SCHEMA]
    return fetch(engine, select(*cols).order_by(schema.area.c.code), AREA_SCHEMA)


def memberships(engine: Engine, group_codes: list[str]) -> pl.DataFrame:
    m = schema.area_membership
    stmt = select(m.c.member_code, m.c.group_code, m.c.valid_from, m.c.valid_to).where(
        m.c.group_code.in_(group_codes)
    )
    return fetch(engine, stmt, MEMBERSHIP_SCHEMA)


def all_memberships(engine: Engine) -> pl.DataFrame:
    m = schema.area_membership
    return fetch(engine, select(m.c.member_code, m.c.group_code, m.c.valid_from, m.c.valid_to), MEMBERSHIP_SCHEMA)


def periods(engine: Engine, indicator: Indicator) -> list[date]:
    """Months with data for the indicator: its own rows, or (for a ratio) rows of its numerator or denominator.

    Read by hopping through the (indicator_code, period) index, one seek per month, rather than
    reading every row: the cost follows the number of months, not the number of observations.
    """
    codes = [c for c in (indicator.code, indicator.numerator, indicator.denominator) if c]
    hops = [_period_hops(code, n) for n, code in enumerate(codes)]
    stmt = union(*hops) if len(hops) > 1 else hops[0]
    found = fetch(engine, stmt, {"period": pl.Date})["period"]
    return sorted(set(found.drop_nulls().to_list()))


def _period_hops(code: str, n: int):
    """Each distinct month of one indicator: the first, then repeatedly the next one after it."""
    o, later = schema.observation, schema.observation.alias(f"later_{n}")
    first = select(func.min(o.c.period).label("period")).where(o.c.indicator_code == code).cte(
        f"months_{n}", recursive=True)
    following = select(func.min(later.c.period)).where(later.c.indicator_code == code,
                                                      later.c.period > first.c.period).scalar_subquery()
    hops = first.union_all(select(following).where(first.c.period.is_not(None)))
    return select(hops.c.period).where(hops.c.period.is_not(None))


def pilot_memberships(engine: Engine) -> pl.DataFrame:
    """Every municipality's dated membership of a pilot area."""
    m, a = schema.area_membership, schema.area
    stmt = select(m.c.member_code, m.c.group_code, m.c.valid_from, m.c.valid_to).join(
        a, a.c.code == m.c.group_code).where(a.c.kind == "pilot")
    return fetch(engine, stmt, MEMBERSHIP_SCHEMA)


def releases(engine: Engine) -> pl.DataFrame:
    cols = [schema.release.c[name] for name in RELEASE_SCHEMA]
    return fetch(engine, select(*cols).order_by(schema.release.c.id), RELEASE_SCHEMA)


def boundaries(engine: Engine, year: int | None = None) -> pl.DataFrame:
    """Stored boundaries for one year (the latest stored year when None)."""
    b = schema.boundary
    if year is None:
        latest = fetch(engine, select(func.max(b.c.year)), {"year": pl.Int64})["year"][0]
        if latest is None:
            return pl.DataFrame(schema={"area_code": pl.Utf8, "geometry": pl.Utf8})
        year = int(latest)
    stmt = select(b.c.area_code, b.c.geometry).where(b.c.year == year)
    return fetch(engine, stmt, {"area_code": pl.Utf8, "geometry": pl.Utf8})


def _period_filter(column, start: date | None, end: date | None):
    clauses = []
    if start is not None:
        clauses.append(column >= start)
    if end is not None:
        clauses.append(column <= end)
    return clauses


def observations(engine: Engine, indicator_code: str, area_codes: list[str],
                 start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """Stored rows as they are: municipality values and published aggregates."""
    o = schema.observation
    stmt = select(o.c.area_code, o.c.period, o.c.value, o.c.status).where(
        o.c.indicator_code == indicator_code, o.c.area_code.in_(area_codes),
        *_period_filter(o.c.period, start, end),
    )
    return fetch(engine, stmt, OBSERVATION_SCHEMA)


def member_rows(engine: Engine, indicator_code: str, group_codes: list[str], municipality_codes: list[str],
                start: date | None = None, end: date | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(memberships, member values) for summing groups; a municipality is its own single member."""
    group_members = memberships(engine, group_codes) if group_codes else pl.DataFrame(schema=MEMBERSHIP_SCHEMA)
    identity = pl.DataFrame(
        {"member_code": municipality_codes, "group_code": municipality_codes,
         "valid_from": [None] * len(municipality_codes), "valid_to": [None] * len(municipality_codes)},
        schema=MEMBERSHIP_SCHEMA,
    )
    all_members = pl.concat([group_members, identity])
    o, m = schema.observation, schema.area_membership
    member_filter = []
    if group_codes:
        member_filter.append(o.c.area_code.in_(select(m.c.member_code).where(m.c.group_code.in_(group_codes))))
    if municipality_codes:
        member_filter.append(o.c.area_code.in_(municipality_codes))
    if not member_filter:
        return all_members, pl.DataFrame(schema=OBSERVATION_SCHEMA)
    stmt = select(o.c.area_code, o.c.period, o.c.value, o.c.status).where(
        and_(o.c.indicator_code == indicator_code, or_(*member_filter), *_period_filter(o.c.period, start, end))
    )
    return all_members, fetch(engine, stmt, OBSERVATION_SCHEMA)


def member_sums(engine: Engine, indicator: Indicator, group_codes: list[str], municipality_codes: list[str],
                start: date | None = None, end: date | None = None,
                months: list[date] | None = None) -> pl.DataFrame:
    """A count summed over the members of each group (see app.aggregate for the rules).

    months: the months to aggregate (default: those with member rows); a pilot-scoped indicator
    requires rows only from municipalities in a pilot that month. A pilot area sums its members as a
    geography (app.areas.geography_memberships), also before and after the pilot dates; a pilot-scoped
    indicator is then 0 there (no member was in a pilot), a structural zero, not a gap. ELY areas,
    regions and the country keep their dated memberships. Members follow the area division the month's
    data is published in (app.divisions).
    """
    all_members, member_values = member_rows(engine, indicator.code, group_codes, municipality_codes, start, end)
    all_members = summed_memberships(all_members)
    if months is None:
        months = member_values["period"].unique().to_list()
    required = members_in_months(pilot_memberships(engine), months).select("member_code", "period") \
        if indicator.pilot_scoped else None
    expected = division_members(engine, all_members, indicator.code, months)
    return aggregate_counts(all_members, member_values, months, required, expected=expected)


def summed_memberships(memberships: pl.DataFrame) -> pl.DataFrame:
    """The memberships a sum follows: a pilot area's as a place (app.areas.geography_memberships), every
    other group's as dated."""
    pilots = pl.col("group_code").str.starts_with(PILOT_PREFIX)
    return pl.concat([memberships.filter(~pilots), geography_memberships(memberships.filter(pilots))])


def period_divisions(engine: Engine, indicator_code: str, start: date | None = None,
                     end: date | None = None) -> dict[date, int | None]:
    """month -> the area division most of the indicator's municipality rows of that month were published in."""
    o, r, a = schema.observation, schema.release, schema.area
    stmt = (select(o.c.period, r.c.division, func.count())
            .select_from(o.join(a, a.c.code == o.c.area_code).outerjoin(r, r.c.id == o.c.release_id))
            .where(o.c.indicator_code == indicator_code, a.c.kind == "municipality",
                   *_period_filter(o.c.period, start, end))
            .group_by(o.c.period, r.c.division))
    counts: dict[date, list[tuple[int | None, int]]] = {}
    for period, division, n in fetch(engine, stmt, {"period": pl.Date, "division": pl.Int64, "n": pl.Int64}).iter_rows():
        counts.setdefault(period, []).append((division, n))
    return {period: majority_division(pairs) for period, pairs in counts.items()}


def division_members(engine: Engine, memberships: pl.DataFrame, indicator_code: str,
                     months: list[date]) -> pl.DataFrame:
    """(group, member, month) to sum for the indicator's months, under the division of each month's data."""
    if not months:
        return members_in_months(memberships, months)
    divisions = period_divisions(engine, indicator_code, min(months), max(months)) if any_division(engine) else {}
    groups = sorted(set(memberships["group_code"].to_list()))
    a = schema.area
    kinds = fetch(engine, select(a.c.code).where(a.c.code.in_(groups), a.c.kind.in_(CLASSIFICATION_KINDS)),
                  {"code": pl.Utf8})
    return members_for_months(memberships, months, divisions, set(kinds["code"].to_list()), mergers())


def any_division(engine: Engine) -> bool:
    """Whether any release was published in an area division: if none was, no month has one, and the
    per-month count of rows by division (a read of every municipality row) is not needed."""
    r = schema.release
    return not fetch(engine, select(r.c.id).where(r.c.division.is_not(None)).limit(1), {"id": pl.Int64}).is_empty()


def _months_of(engine: Engine, indicator: Indicator, start: date | None, end: date | None) -> list[date]:
    return [p for p in periods(engine, indicator) if (start is None or p >= start) and (end is None or p <= end)]


def indicator_values(engine: Engine, indicator: Indicator, area_codes: list[str], kinds: dict[str, str],
                     start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """Values of one indicator for the chosen areas and months, published where present, else computed.

    kinds maps each area code to its kind (from `areas()`); unknown codes must be rejected before.
    Columns: area_code, period, value, status, source, computed_value, members, suppressed_members,
    and for ratios numerator and denominator. Python decides who is summed where, as member_sums does;
    the database sums (app.aggregate_sql). `reference_values` is the same answer summed in Python.
    """
    municipalities = [c for c in area_codes if kinds.get(c) == "municipality"]
    groups = [c for c in area_codes if kinds.get(c) != "municipality"]
    published = observations(engine, indicator.code, area_codes, start, end)
    months = _months_of(engine, indicator, start, end)
    if indicator.kind == "count":
        parts, municipalities = [indicator], []  # a municipality's own count is its row, published
        months = aggregate_sql.months_with_member_rows(engine, fetch, indicator.code, months, groups)
    else:
        reg = registry()
        parts = [reg[indicator.numerator], reg[indicator.denominator]]
    identity = pl.DataFrame({"member_code": municipalities, "group_code": municipalities,
                             "valid_from": [None] * len(municipalities), "valid_to": [None] * len(municipalities)},
                            schema=MEMBERSHIP_SCHEMA)
    group_members = memberships(engine, groups) if groups else pl.DataFrame(schema=MEMBERSHIP_SCHEMA)
    summed = summed_memberships(pl.concat([group_members, identity]))
    pilot_months = members_in_months(pilot_memberships(engine), months).select("member_code", "period") \
        if any(part.pilot_scoped for part in parts) else None
    if any_division(engine):  # each part under the divisions of its own rows, as member_sums does
        sums = {}
        for part in parts:
            expected = division_members(engine, summed, part.code, months)
            sums |= aggregate_sql.member_sums(engine, fetch, [part], expected, months, pilot_months)
    else:  # no division anywhere: both parts sum the same members, in one statement
        sums = aggregate_sql.member_sums(engine, fetch, parts, division_members(engine, summed, parts[0].code, months),
                                         months, pilot_months)
    computed = sums[indicator.code] if indicator.kind == "count" else \
        ratio_of_sums(sums[indicator.numerator], sums[indicator.denominator], indicator.scale)
    return prefer_published(published, computed)


def reference_values(engine: Engine, indicator: Indicator, area_codes: list[str], kinds: dict[str, str],
                     start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """indicator_values summed in Python (app.aggregate over every member row): the reference the SQL
    sums are tested against."""
    municipalities = [c for c in area_codes if kinds.get(c) == "municipality"]
    groups = [c for c in area_codes if kinds.get(c) != "municipality"]
    published = observations(engine, indicator.code, area_codes, start, end)
    if indicator.kind == "count":
        computed = member_sums(engine, indicator, groups, [], start, end)
    else:
        # Both parts over the same months, so a month where one part has no rows shows as incomplete.
        months = _months_of(engine, indicator, start, end)
        reg = registry()
        num = member_sums(engine, reg[indicator.numerator], groups, municipalities, start, end, months)
        den = member_sums(engine, reg[indicator.denominator], groups, municipalities, start, end, months)
        computed = ratio_of_sums(num, den, indicator.scale)
    return prefer_published(published, computed)


def provisional_periods(engine: Engine, indicator: Indicator) -> list[date]:
    """Months with a provisional value of the indicator or of its numerator or denominator."""
    o = schema.observation
    codes = [c for c in (indicator.code, indicator.numerator, indicator.denominator) if c]
    stmt = select(o.c.period).where(o.c.indicator_code.in_(codes), o.c.status == "provisional") \
        .distinct().order_by(o.c.period)
    return fetch(engine, stmt, {"period": pl.Date})["period"].to_list()


def revisions(engine: Engine, release_ids: list[int] | None = None) -> pl.DataFrame:
    """Values a later load replaced (observation_revision), with both releases' publication times.

    release_ids: only the revisions those releases made (None: all). A database made before the table
    existed has no revisions to show, not an error.
    """
    try:
        with engine.connect() as conn:
            present = inspect(conn).has_table(schema.observation_revision.name)
    except (DBAPIError, SQLAlchemyError) as exc:
        raise DatabaseUnavailable(str(getattr(exc, "orig", exc)).strip().splitlines()[0]) from exc
    if not present:
        return pl.DataFrame(schema=REVISION_SCHEMA)
    r, old, new = schema.observation_revision, schema.release.alias("old"), schema.release.alias("new")
    stmt = (select(r.c.indicator_code, r.c.area_code, r.c.period, r.c.old_value, r.c.old_status, r.c.old_release_id,
                   r.c.new_value, r.c.new_status, r.c.new_release_id, old.c.published_at, new.c.published_at)
            .outerjoin(old, old.c.id == r.c.old_release_id).join(new, new.c.id == r.c.new_release_id)
            .order_by(r.c.new_release_id.desc(), r.c.indicator_code, r.c.area_code, r.c.period))
    if release_ids is not None:
        stmt = stmt.where(r.c.new_release_id.in_(release_ids))
    return fetch(engine, stmt, REVISION_SCHEMA)


RELEASE_CONTENT_SCHEMA = {"release_id": pl.Int64, "observations": pl.Int64, "first_period": pl.Date,
                          "last_period": pl.Date}


def release_contents(engine: Engine) -> pl.DataFrame:
    """What each release still holds in `observation`: how many values and which months (a boundary load
    holds none, a release whose values were all replaced later holds none)."""
    o = schema.observation
    stmt = (select(o.c.release_id, func.count(), func.min(o.c.period), func.max(o.c.period))
            .where(o.c.release_id.is_not(None)).group_by(o.c.release_id).order_by(o.c.release_id))
    return fetch(engine, stmt, RELEASE_CONTENT_SCHEMA)
