"""app.areas: code normalising, the dated membership rule in Python, SQL and polars, and members on a day."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from sqlalchemy import create_engine, insert, select

from app import schema
from app.areas import (
    MEMBERSHIP_SCHEMA,
    Membership,
    area_code,
    is_municipality,
    is_pilot,
    members_in_months,
    members_on,
    municipality_code,
    municipality_code_or_none,
    valid_on,
    valid_on_clause,
)

MOVE = date(2025, 1, 1)  # Joroinen (KU171) moved from Etelä-Savo (ELY07) to Pohjois-Savo (ELY08)
JOROINEN = [Membership("KU171", "ELY07", None, MOVE - timedelta(days=1)), Membership("KU171", "ELY08", MOVE, None)]


@pytest.mark.parametrize("raw", ["KU091", "091", "91", " ku91 ", "Ku091", 91, 91.0, np.int64(91), np.float64(91.0)])
def test_every_spelling_of_helsinki_is_ku091(raw):
    assert municipality_code(raw) == "KU091"
    assert municipality_code_or_none(raw) == "KU091"


def test_short_codes_are_padded():
    assert municipality_code("5") == municipality_code(5) == "KU005"
    assert municipality_code("KU20") == "KU020"


@pytest.mark.parametrize("raw", ["SSS", "ELY01", "1234", "KU1234", "", "KU", "-91", "9 1", "KU-91", "\u0669\u0661",
                                 91.5, float("nan"), float("inf"), -1.5, None, True, False, [91]])
def test_what_is_not_a_municipality_code_is_refused(raw):
    with pytest.raises(ValueError, match="is not a municipality code"):
        municipality_code(raw)
    assert municipality_code_or_none(raw) is None


def test_area_codes_are_stored_upper_case_with_ku_before_a_bare_number():
    assert area_code(" 091 ") == "KU091"
    assert area_code("ely01") == "ELY01"
    assert area_code("sss") == "SSS"
    assert area_code("ku091") == "KU091"
    assert area_code("9100") == "9100"  # not three digits: left for the caller to refuse


def test_kinds_by_code_shape():
    assert is_municipality("KU091") and not is_municipality("KU91") and not is_municipality("PILOT01")
    assert is_pilot("PILOT01") and not is_pilot("ELY01")


@pytest.mark.parametrize(("valid_from", "valid_to", "day", "expected"), [
    (None, None, date(1900, 1, 1), True),
    (date(2021, 3, 1), None, date(2021, 2, 28), False),
    (date(2021, 3, 1), None, date(2021, 3, 1), True),  # the first day is inside
    (None, date(2024, 12, 31), date(2024, 12, 31), True),  # so is the last
    (None, date(2024, 12, 31), date(2025, 1, 1), False),
    (date(2021, 3, 1), date(2021, 3, 1), date(2021, 3, 1), True),
    (date(2021, 3, 2), date(2021, 3, 1), date(2021, 3, 1), False),  # an empty span holds no day
])
def test_valid_on_includes_both_bounds_and_an_empty_bound_is_open(valid_from, valid_to, day, expected):
    assert valid_on(valid_from, valid_to, day) is expected
    assert Membership("KU091", "G", valid_from, valid_to).valid_on(day) is expected


def test_the_sql_rule_gives_the_same_answer_as_the_python_rule():
    memberships = [Membership("KU001", "G", None, None), Membership("KU002", "G", date(2021, 3, 1), None),
                   Membership("KU003", "G", None, date(2024, 12, 31)),
                   Membership("KU004", "G", date(2021, 3, 1), date(2024, 12, 31)),
                   Membership("KU005", "G", date(2022, 6, 15), date(2022, 6, 15))]
    engine = create_engine("sqlite://")
    m = schema.area_membership
    with engine.begin() as conn:
        m.create(conn)
        conn.execute(insert(m), [x.as_row() for x in memberships])
        bounds = {d for x in memberships for d in (x.valid_from, x.valid_to) if d is not None}
        days = sorted({d + timedelta(days=k) for d in bounds for k in (-1, 0, 1)})
        for day in days:
            in_sql = set(conn.execute(select(m.c.member_code).where(valid_on_clause(m, day))).scalars())
            in_python = {x.member_code for x in memberships if x.valid_on(day)}
            assert in_sql == in_python, day
    engine.dispose()
    assert len(days) == 9  # each of the three distinct bounds, the day before and the day after


def test_a_municipality_moving_ely_area_counts_in_each_area_only_in_its_own_months():
    frame = pl.DataFrame([m.as_row() for m in JOROINEN + [Membership("KU297", "ELY08", None, None)]],
                         schema=MEMBERSHIP_SCHEMA)
    months = [date(2024, 11, 1), date(2024, 12, 1), MOVE, date(2025, 2, 1)]
    got = members_in_months(frame, months + [MOVE])  # a month given twice is counted once
    rows = {(r["group_code"], r["member_code"], r["period"]) for r in got.iter_rows(named=True)}
    assert rows == ({("ELY07", "KU171", d) for d in months[:2]} | {("ELY08", "KU171", d) for d in months[2:]}
                    | {("ELY08", "KU297", d) for d in months})
    assert got.height == len(rows)


def test_members_in_months_of_nothing_is_an_empty_frame_with_its_columns():
    empty = pl.DataFrame(schema=MEMBERSHIP_SCHEMA)
    for frame, months in ((empty, [MOVE]), (pl.DataFrame([JOROINEN[0].as_row()], schema=MEMBERSHIP_SCHEMA), [])):
        out = members_in_months(frame, months)
        assert out.is_empty() and out.columns == ["group_code", "member_code", "period"]


def test_members_on_a_day_are_sorted_and_groups_without_members_are_left_out():
    memberships = JOROINEN + [Membership("KU090", "ELY07", None, None), Membership("KU090", "ELY07", None, None)]
    assert members_on(memberships, date(2024, 12, 31)) == {"ELY07": ["KU090", "KU171"]}
    assert members_on(memberships, MOVE) == {"ELY07": ["KU090"], "ELY08": ["KU171"]}
    assert members_on([JOROINEN[1]], date(2024, 1, 1)) == {}
