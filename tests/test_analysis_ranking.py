"""Ranks, medians, positions and the focus selection on hand-made data with known answers."""

from datetime import date

import polars as pl
import pytest

from app.analysis.ranking import focus_rows, focus_selection, rank_areas

MONTH = date(2022, 3, 1)
YEAR_AGO = date(2021, 3, 1)


def frame(rows):
    return pl.DataFrame(rows, schema={"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64,
                                      "status": pl.Utf8}, orient="row")


@pytest.fixture
def observations():
    return frame([
        ("A", MONTH, 10.0, "final"), ("B", MONTH, 20.0, "final"), ("C", MONTH, 20.0, "final"),
        ("D", MONTH, None, "suppressed"), ("E", MONTH, 5.0, "provisional"),
        ("A", YEAR_AGO, 8.0, "final"), ("B", YEAR_AGO, 25.0, "final"), ("E", YEAR_AGO, None, "suppressed"),
    ])


def test_ties_share_the_min_rank_and_nulls_are_unranked_and_last(observations):
    ranking = rank_areas(observations, MONTH, areas=["A", "B", "C", "D", "E", "F"])
    assert ranking.get_column("area_code").to_list() == ["B", "C", "A", "E", "D", "F"]
    assert ranking.get_column("rank").to_list() == [1, 1, 3, 4, None, None]
    assert set(ranking.get_column("ranked").to_list()) == {4}


def test_median_of_ranked_values_and_difference_from_it(observations):
    ranking = rank_areas(observations, MONTH, areas=["A", "B", "C", "D", "E"])
    assert set(ranking.get_column("median").to_list()) == {15.0}  # median of 20, 20, 10, 5
    by_area = dict(zip(ranking.get_column("area_code"), ranking.get_column("from_median")))
    assert by_area == {"B": 5.0, "C": 5.0, "A": -5.0, "E": -10.0, "D": None}


def test_median_of_an_odd_number_of_values():
    ranking = rank_areas(frame([("A", MONTH, 1.0, "final"), ("B", MONTH, 3.0, "final"),
                                ("C", MONTH, 2.0, "final")]), MONTH)
    assert set(ranking.get_column("median").to_list()) == {2.0}


def test_change_from_a_year_earlier(observations):
    ranking = rank_areas(observations, MONTH)
    by_area = dict(zip(ranking.get_column("area_code"), ranking.get_column("change_year")))
    assert by_area == {"A": 2.0, "B": -5.0, "C": None, "E": None, "D": None}


def test_change_of_a_ratio_is_in_percentage_points():
    shares = frame([("ELY01", MONTH, 42.5, "final"), ("ELY01", YEAR_AGO, 40.0, "final")])
    assert rank_areas(shares, MONTH).get_column("change_year").to_list() == [2.5]


def test_zero_is_a_value_and_null_is_not():
    ranking = rank_areas(frame([("A", MONTH, 0.0, "final"), ("B", MONTH, None, "suppressed"),
                                ("C", MONTH, float("nan"), "final"), ("D", MONTH, 3.0, "final")]), MONTH)
    assert ranking.get_column("area_code").to_list() == ["D", "A", "B", "C"]
    assert ranking.get_column("rank").to_list() == [1, 2, None, None]
    assert set(ranking.get_column("ranked").to_list()) == {2}


def test_position_classes_are_quintiles_of_the_rank_with_the_top_in_class_one():
    rows = [(f"K{i:02d}", MONTH, float(100 - i), "final") for i in range(10)]
    ranking = rank_areas(frame(rows), MONTH)
    assert ranking.get_column("position").to_list() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    thirds = rank_areas(frame(rows[:3]), MONTH, classes=3)
    assert thirds.get_column("position").to_list() == [1, 2, 3]


def test_position_with_few_areas_still_starts_at_one(observations):
    ranking = rank_areas(observations, MONTH)
    assert ranking.get_column("position").to_list() == [1, 1, 3, 4, None]


def test_a_duplicated_area_is_refused():
    with pytest.raises(ValueError, match="A"):
        rank_areas(frame([("A", MONTH, 1.0, "final"), ("A", MONTH, 2.0, "final")]), MONTH)


def test_focus_selection_puts_the_focus_first_and_keeps_eight_others():
    others = ["K1", "FOCUS", "K2", "K1"] + [f"X{i}" for i in range(10)]
    assert focus_selection("FOCUS", others) == ["FOCUS", "K1", "K2", "X0", "X1", "X2", "X3", "X4", "X5"]
    assert focus_selection("FOCUS", []) == ["FOCUS"]


def test_focus_rows_keep_ranks_among_all_areas(observations):
    ranking = rank_areas(observations, MONTH)
    rows = focus_rows(ranking, "E", ["B", "OTHER_LEVEL"])
    assert rows.get_column("area_code").to_list() == ["E", "B", "OTHER_LEVEL"]
    assert rows.get_column("rank").to_list() == [4, 1, None]
    assert rows.get_column("is_focus").to_list() == [True, False, False]
