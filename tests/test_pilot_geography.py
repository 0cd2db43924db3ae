"""A pilot area as a geography: its members' sums before and after the pilot dates, pilot-only indicators a
structural 0 outside them; ELY areas, regions and the country keep their dated memberships."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from app import queries
from app.areas import MEMBERSHIP_SCHEMA, geography_memberships
from app.db import readonly_engine
from app.indicators import registry
from app.months import PILOT_START

PILOT = "PILOT09"
PRE = date(2019, 1, 1), date(2021, 2, 1)


def memberships(rows):
    return pl.DataFrame(rows, schema=MEMBERSHIP_SCHEMA, orient="row")


def test_the_first_members_are_opened_to_the_past_and_the_last_to_the_future():
    d = date
    out = geography_memberships(memberships([
        ("KU1", "P1", d(2021, 3, 1), d(2024, 12, 31)),  # there from the first to the last day: open both ways
        ("KU2", "P1", d(2022, 1, 1), d(2024, 12, 31)),  # joined later: keeps its start
        ("KU3", "P1", d(2021, 3, 1), d(2022, 6, 30)),  # left early: keeps its end
        ("KU4", "P2", None, d(2023, 12, 31)),  # already open to the past
        ("KU5", "P2", d(2021, 3, 1), None),  # P2 is open at both ends: nothing to extend
    ])).sort("member_code")
    assert out.rows() == [
        ("KU1", "P1", None, None),
        ("KU2", "P1", d(2022, 1, 1), None),
        ("KU3", "P1", None, d(2022, 6, 30)),
        ("KU4", "P2", None, d(2023, 12, 31)),
        ("KU5", "P2", d(2021, 3, 1), None),
    ]
    assert geography_memberships(memberships([])).is_empty()


@pytest.fixture(scope="module")
def demo(demo_sqlite):
    engine = readonly_engine(demo_sqlite)
    kinds = dict(queries.areas(engine).select("code", "kind").iter_rows())
    yield engine, kinds
    engine.dispose()


def member_codes(engine, group: str) -> list[str]:
    return sorted(set(queries.memberships(engine, [group]).get_column("member_code").to_list()))


def test_pre_pilot_values_of_a_pilot_area_equal_its_members_sums(demo):
    engine, kinds = demo
    reg = registry()
    members = member_codes(engine, PILOT)
    assert len(members) == 5
    for code in ("unemployed_jobseekers", "labour_force", "long_term_unemployed"):
        area = queries.indicator_values(engine, reg[code], [PILOT], kinds, *PRE)
        sums = (queries.observations(engine, code, members, *PRE).group_by("period")
                .agg(pl.col("value").sum().alias("sum"), pl.len().alias("n")))
        joined = area.join(sums, on="period")
        assert joined.height == 26 and (joined["n"] == 5).all()
        assert (joined["value"] == joined["sum"]).all(), code
        assert set(area["status"].to_list()) == {"final"}
    share = queries.indicator_values(engine, reg["unemployment_share"], [PILOT], kinds, *PRE)
    num = queries.observations(engine, "unemployed_jobseekers", members, *PRE).group_by("period").agg(
        pl.col("value").sum().alias("num"))
    den = queries.observations(engine, "labour_force", members, *PRE).group_by("period").agg(
        pl.col("value").sum().alias("den"))
    joined = share.join(num, on="period").join(den, on="period")
    assert joined.height == 26
    assert joined.select((pl.col("value") - pl.col("num") / pl.col("den") * 100).abs().max()).item() < 1e-9


def test_pilot_clients_are_a_structural_zero_before_the_start(demo):
    engine, kinds = demo
    clients = queries.indicator_values(engine, registry()["pilot_clients"], [PILOT], kinds)
    before = clients.filter(pl.col("period") < PILOT_START)
    assert before.height == 26
    assert before["value"].to_list() == [0.0] * 26 and set(before["status"].to_list()) == {"final"}
    assert clients.filter(pl.col("period") >= PILOT_START)["value"].min() > 0


@pytest.mark.parametrize("group", ["ELY04", "MK07", "SSS"])
def test_ely_region_and_country_aggregates_keep_their_dated_memberships(demo, group):
    """Summed by hand with the membership valid on each month's first day: the same as before the change."""
    engine, kinds = demo
    code = "unemployed_jobseekers"
    dated = queries.memberships(engine, [group])
    values = queries.indicator_values(engine, registry()[code], [group], kinds)
    rows = queries.observations(engine, code, member_codes(engine, group))
    expected = (rows.join(dated.rename({"member_code": "area_code"}), on="area_code")
                .filter((pl.col("valid_from").is_null() | (pl.col("valid_from") <= pl.col("period")))
                        & (pl.col("valid_to").is_null() | (pl.col("period") <= pl.col("valid_to"))))
                .group_by("period").agg(pl.col("value").sum().alias("expected")))
    joined = values.join(expected, on="period")
    assert joined.height == values.height == 72
    assert (joined["value"] == joined["expected"]).all()
