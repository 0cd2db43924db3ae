"""Rates per population and per labour force: sums over sums, the annual population rule, statuses."""

from datetime import date

import polars as pl
import pytest

from app.analysis.rates import annual_for_months, per_1000_inhabitants, per_labour_force, pooled_rates, rates

SCHEMA = {"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8}
M = date(2023, 6, 1)


def frame(rows):
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def by_key(result, column="value"):
    return {(r["area_code"], r["period"]): r[column] for r in result.iter_rows(named=True)}


def test_a_pooled_rate_is_the_sum_over_the_sum_not_the_mean_of_rates():
    counts = frame([("A", M, 10.0, "final"), ("B", M, 90.0, "final")])
    labour = frame([("A", M, 1000.0, "final"), ("B", M, 3000.0, "final")])
    per_area = by_key(per_labour_force(counts, labour))
    assert per_area == {("A", M): 1.0, ("B", M): 3.0}  # the mean of these would be 2.0
    pooled = pooled_rates(counts, labour, 100.0)
    assert pooled.get_column("value").to_list() == [2.5]  # 100 / 4000 * 100
    assert pooled.get_column("status").to_list() == ["final"]
    assert pooled.get_column("areas").to_list() == [2]


def test_per_1000_inhabitants_uses_the_latest_december_at_or_before_the_month():
    population = frame([("A", date(2022, 12, 1), 1000.0, "final"), ("A", date(2023, 12, 1), 2000.0, "final")])
    months = [date(2023, 1, 1), date(2023, 11, 1), date(2023, 12, 1), date(2024, 5, 1)]
    counts = frame([("A", m, 10.0, "final") for m in months])
    result = per_1000_inhabitants(counts, population)
    assert result.get_column("value").to_list() == [10.0, 10.0, 5.0, 5.0]
    assert result.get_column("denominator_period").to_list() == [
        date(2022, 12, 1), date(2022, 12, 1), date(2023, 12, 1), date(2023, 12, 1)]


def test_a_month_before_the_first_december_takes_the_nearest_available():
    population = frame([("A", date(2020, 12, 1), 4000.0, "final")])
    result = per_1000_inhabitants(frame([("A", date(2019, 1, 1), 8.0, "final")]), population)
    assert result.get_column("value").to_list() == [2.0]
    assert result.get_column("denominator_period").to_list() == [date(2020, 12, 1)]


def test_an_unknown_december_is_skipped_for_the_latest_known_one():
    population = frame([("A", date(2022, 12, 1), 1000.0, "final"), ("A", date(2023, 12, 1), None, "suppressed")])
    aligned = annual_for_months(population, frame([("A", date(2024, 2, 1), 1.0, "final")]))
    assert aligned.get_column("value").to_list() == [1000.0]
    assert aligned.get_column("denominator_period").to_list() == [date(2022, 12, 1)]


def test_populations_are_matched_per_area():
    population = frame([("A", date(2022, 12, 1), 1000.0, "final"), ("B", date(2022, 12, 1), 500.0, "final")])
    counts = frame([("A", M, 10.0, "final"), ("B", M, 10.0, "final")])
    assert by_key(per_1000_inhabitants(counts, population)) == {("A", M): 10.0, ("B", M): 20.0}


def test_statuses_follow_the_rule():
    counts = frame([("S", M, None, "suppressed"), ("N", M, 5.0, "final"), ("I", M, 5.0, "incomplete"),
                    ("P", M, 5.0, "provisional"), ("Z", M, 5.0, "final"), ("F", M, 5.0, "final")])
    labour = frame([("S", M, 100.0, "final"), ("I", M, 100.0, "final"), ("P", M, 100.0, "final"),
                    ("Z", M, 0.0, "final"), ("F", M, 100.0, "final")])
    result = per_labour_force(counts, labour)
    assert by_key(result, "status") == {("S", M): "suppressed", ("N", M): "incomplete", ("I", M): "incomplete",
                                        ("P", M): "provisional", ("Z", M): "incomplete", ("F", M): "final"}
    assert by_key(result) == {("S", M): None, ("N", M): None, ("I", M): None, ("P", M): 5.0, ("Z", M): None,
                              ("F", M): 5.0}


def test_a_suppressed_denominator_makes_the_rate_incomplete_not_zero():
    result = rates(frame([("A", M, 5.0, "final")]), frame([("A", M, None, "suppressed")]), 100.0)
    assert result.get_column("status").to_list() == ["incomplete"]
    assert result.get_column("value").to_list() == [None]


def test_a_pooled_rate_with_an_unknown_member_is_incomplete():
    counts = frame([("A", M, 10.0, "final"), ("B", M, None, "suppressed")])
    labour = frame([("A", M, 1000.0, "final"), ("B", M, 3000.0, "final")])
    pooled = pooled_rates(counts, labour, 100.0)
    assert pooled.get_column("status").to_list() == ["incomplete"]
    assert pooled.get_column("value").to_list() == [None]


def test_a_pooled_rate_missing_a_listed_area_is_incomplete_and_others_are_left_out():
    counts = frame([("A", M, 10.0, "final"), ("C", M, 50.0, "final")])
    labour = frame([("A", M, 1000.0, "final"), ("C", M, 100.0, "final")])
    assert pooled_rates(counts, labour, 100.0, areas=["A", "B"]).get_column("status").to_list() == ["incomplete"]
    only_a = pooled_rates(counts, labour, 100.0, areas=["A"])
    assert only_a.get_column("value").to_list() == [1.0]


def test_pooled_rates_per_population_over_months():
    population = frame([("A", date(2022, 12, 1), 1000.0, "final"), ("B", date(2022, 12, 1), 3000.0, "final")])
    counts = frame([("A", M, 10.0, "final"), ("B", M, 90.0, "final"),
                    ("A", date(2023, 7, 1), 20.0, "final"), ("B", date(2023, 7, 1), 20.0, "final")])
    pooled = pooled_rates(counts, population, 1000.0, annual=True)
    assert pooled.get_column("value").to_list() == pytest.approx([25.0, 10.0])
