"""Largest movers, crossings of the 40 % line and revisions between releases, on hand-made cases."""

from datetime import date

import polars as pl
import pytest

from app.analysis.changes import largest_movers, line_crossings, revisions

BEFORE, AFTER = date(2024, 4, 1), date(2024, 5, 1)
SCHEMA = {"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8}


def two_months(pairs: dict[str, tuple]):
    rows = [(a, BEFORE, b, "final") for a, (b, _) in pairs.items()] + [(a, AFTER, c, "final") for a, (_, c) in pairs.items()]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


@pytest.fixture
def moves():
    return two_months({"A": (100.0, 150.0), "B": (10.0, 30.0), "C": (200.0, 100.0), "D": (50.0, 45.0),
                       "E": (0.0, 5.0), "F": (None, 10.0), "G": (20.0, 20.0)})


def test_movers_by_absolute_change(moves):
    movers = largest_movers(moves, BEFORE, AFTER, n=2)
    assert movers.up.get_column("area_code").to_list() == ["A", "B"]
    assert movers.up.get_column("change").to_list() == [50.0, 20.0]
    assert movers.up.get_column("change_pct").to_list() == [50.0, 200.0]
    assert movers.down.get_column("area_code").to_list() == ["C", "D"]
    assert movers.down.get_column("change").to_list() == [-100.0, -5.0]
    assert movers.down.get_column("rank").to_list() == [1, 2]


def test_movers_by_relative_change_leave_out_a_start_from_zero(moves):
    movers = largest_movers(moves, BEFORE, AFTER, n=5, by="change_pct")
    assert movers.up.get_column("area_code").to_list() == ["B", "A"]
    assert movers.down.get_column("area_code").to_list() == ["C", "D"]
    assert movers.down.get_column("change_pct").to_list() == [-50.0, -10.0]


def test_unknown_and_unmoved_areas_are_not_movers(moves):
    movers = largest_movers(moves, BEFORE, AFTER, n=10)
    listed = movers.up.get_column("area_code").to_list() + movers.down.get_column("area_code").to_list()
    assert "F" not in listed and "G" not in listed
    assert "E" in listed


def test_movers_within_given_areas(moves):
    assert largest_movers(moves, BEFORE, AFTER, n=5, areas=["B", "D"]).up.get_column("area_code").to_list() == ["B"]
    with pytest.raises(ValueError):
        largest_movers(moves, BEFORE, AFTER, by="mean")


def test_ely_areas_crossing_the_40_percent_line():
    shares = two_months({"ELY01": (39.0, 41.0), "ELY02": (41.0, 40.0), "ELY03": (40.0, 40.5), "ELY04": (45.0, 50.0),
                         "ELY05": (None, 45.0), "ELY06": (30.0, 20.0), "KU091": (30.0, 50.0)})
    crossings = line_crossings(shares, BEFORE, AFTER)
    assert crossings.rows() == [("ELY01", 39.0, 41.0, "up"), ("ELY03", 40.0, 40.5, "up"), ("ELY02", 41.0, 40.0, "down")]


def releases():
    keys = ["indicator_code", "area_code", "period", "value", "status", "release_id"]
    m1, m2 = date(2024, 3, 1), date(2024, 4, 1)
    old = pl.DataFrame([
        ("jobseekers", "KU091", m1, 100.0, "final", 1),  # repeated unchanged
        ("jobseekers", "KU092", m1, 50.0, "provisional", 1),  # same value, now final: not a revision
        ("jobseekers", "KU093", m1, 10.0, "final", 1),  # 10 -> 12
        ("jobseekers", "KU094", m1, None, "suppressed", 1),  # suppressed -> 5
        ("jobseekers", "KU095", m1, 7.0, "final", 1),  # 7 -> suppressed
        ("jobseekers", "KU096", m1, 3.0, "final", 1),  # dropped from the new release
        ("unemployed_jobseekers", "KU093", m1, 10.0, "final", 1),  # same area, other indicator, unchanged
    ], schema=dict(zip(keys, [pl.Utf8, pl.Utf8, pl.Date, pl.Float64, pl.Utf8, pl.Int64])), orient="row")
    new = pl.DataFrame([
        ("jobseekers", "KU091", m1, 100.0, "final", 2),
        ("jobseekers", "KU092", m1, 50.0, "final", 2),
        ("jobseekers", "KU093", m1, 12.0, "final", 2),
        ("jobseekers", "KU094", m1, 5.0, "final", 2),
        ("jobseekers", "KU095", m1, None, "suppressed", 2),
        ("jobseekers", "KU091", m2, 101.0, "final", 2),  # new month: new data, not a revision
        ("unemployed_jobseekers", "KU093", m1, 10.0, "final", 2),
    ], schema=dict(zip(keys, [pl.Utf8, pl.Utf8, pl.Date, pl.Float64, pl.Utf8, pl.Int64])), orient="row")
    return old, new


def test_revisions_are_changed_values_only():
    old, new = releases()
    result = revisions(old, new)
    assert result.get_column("area_code").to_list() == ["KU093", "KU094", "KU095"]
    assert result.get_column("old_value").to_list() == [10.0, None, 7.0]
    assert result.get_column("new_value").to_list() == [12.0, 5.0, None]
    assert result.get_column("difference").to_list() == [2.0, None, None]
    assert result.get_column("new_status").to_list() == ["final", "final", "suppressed"]
    assert result.get_column("old_release_id").to_list() == [1, 1, 1]
    assert result.get_column("new_release_id").to_list() == [2, 2, 2]


def test_a_release_repeated_whole_has_no_revisions():
    old, _ = releases()
    assert revisions(old, old.with_columns(pl.lit(2).alias("release_id"))).is_empty()


def test_revisions_within_a_tolerance_and_without_an_indicator_column():
    old = pl.DataFrame({"area_code": ["A", "B"], "period": [BEFORE] * 2, "value": [1.0, 2.0]})
    new = pl.DataFrame({"area_code": ["A", "B"], "period": [BEFORE] * 2, "value": [1.0 + 1e-12, 2.5]})
    assert revisions(old, new).get_column("area_code").to_list() == ["A", "B"]
    assert revisions(old, new, tolerance=1e-9).get_column("area_code").to_list() == ["B"]
    with pytest.raises(ValueError):
        revisions(old.drop("period"), new)
