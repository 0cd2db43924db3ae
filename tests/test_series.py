"""Display modes and headline numbers, on small hand-made series."""

from datetime import date

import polars as pl
import pytest

from app.aggregate import MEMBERSHIP_SCHEMA
from app.series import apply_mode, shift_month
from app.summary import headline, pilot_coverage


def series(values, area="A", start=date(2020, 1, 1)):
    periods = [shift_month(start, i) for i in range(len(values))]
    return pl.DataFrame({"area_code": [area] * len(values), "period": periods, "value": values,
                         "status": ["final"] * len(values)})


def test_index_sets_the_base_month_to_100():
    out = apply_mode(series([50.0, 75.0, 100.0]), "index", is_ratio=False, base_month=date(2020, 2, 1))
    assert out["value"].to_list() == pytest.approx([200 / 3, 100.0, 400 / 3])


def test_year_on_year_is_relative_for_counts_and_points_for_ratios():
    values = [100.0] * 12 + [110.0]
    counts = apply_mode(series(values), "yoy", is_ratio=False)
    assert counts["value"][12] == pytest.approx(10.0) and counts["value"][0] is None
    rates = apply_mode(series([10.0] * 12 + [12.5]), "yoy", is_ratio=True)
    assert rates["value"][12] == pytest.approx(2.5)


def test_headline_changes():
    frame = series([float(v) for v in range(100, 114)], area="SSS")
    h = headline(frame, "SSS", date(2021, 2, 1))
    assert (h.latest, h.change_month, h.change_year) == (113.0, 1.0, 12.0)


def test_pilot_coverage_counts_valid_memberships_only():
    m = pl.DataFrame([("KU1", "P1", date(2021, 3, 1), date(2024, 12, 31)), ("KU2", "P1", date(2021, 3, 1), None),
                      ("KU3", "P2", date(2021, 3, 1), date(2021, 12, 31))], schema=MEMBERSHIP_SCHEMA, orient="row")
    assert pilot_coverage(m, date(2022, 1, 1)) == (1, 2)
    assert pilot_coverage(m, date(2021, 1, 1)) == (0, 0)


def test_area_points_use_own_point_or_mean_of_members_valid_that_month():
    from app.points import area_points

    areas = pl.DataFrame({"code": ["KU1", "KU2", "KU3", "P1"], "lat": [60.0, 62.0, 64.0, None],
                          "lon": [24.0, 26.0, 28.0, None]})
    m = pl.DataFrame([("KU1", "P1", None, None), ("KU2", "P1", None, date(2020, 12, 31)),
                      ("KU3", "P1", date(2021, 1, 1), None)], schema=MEMBERSHIP_SCHEMA, orient="row")
    points = area_points(areas, m, date(2021, 6, 1))
    p1 = points.filter(pl.col("code") == "P1").row(0, named=True)
    assert (p1["lat"], p1["lon"]) == (62.0, 26.0)  # KU1 and KU3, not KU2
    assert points.height == 4


def test_default_index_base_is_the_first_month_all_areas_are_positive():
    from app.series import default_index_base

    a = series([0.0, 0.0, 5.0, 6.0], area="A")
    b = series([0.0, 3.0, 0.0, 7.0], area="B")
    assert default_index_base(pl.concat([a, b])) == date(2020, 4, 1)
    assert default_index_base(series([0.0, 0.0])) is None


def test_an_incomplete_headline_is_a_lower_bound():
    from app.summary import Headline, headline_text

    assert headline_text(Headline(1234.0, None, None, "incomplete"), "en") == "\u2265\u00a01,234"
    assert headline_text(Headline(1234.0, None, None, "final"), "en") == "1,234"
