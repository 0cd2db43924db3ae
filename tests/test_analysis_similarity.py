"""Pre-pilot similarity on constructed cases whose nearest areas are known by hand."""

import math
from datetime import date

import polars as pl
import pytest

from app.analysis.similarity import PRE_FIRST, PRE_LAST, pre_period_features, similar_areas
from app.months import months_between

PRE = months_between(PRE_FIRST, PRE_LAST)


def flat(levels: dict[str, float], skip: dict[str, int] | None = None, slopes: dict[str, float] | None = None):
    """Monthly series over the pre-period (and one month after it, which must be ignored)."""
    rows = []
    for area, level in levels.items():
        for t, month in enumerate([*PRE, date(2021, 3, 1)]):
            if skip and skip.get(area) == t:
                continue
            slope = (slopes or {}).get(area, 0.0)
            value = level + slope * (t - (len(PRE) - 1) / 2) if month <= PRE_LAST else 1e6
            rows.append((area, month, value))
    return pl.DataFrame(rows, schema={"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64}, orient="row")


def distances(result):
    return dict(zip(result.ranking.get_column("area_code"), result.ranking.get_column("distance")))


def test_the_nearest_area_is_found():
    result = similar_areas("F", {"x": flat({"F": 100, "A": 100.5, "B": 140, "C": 50})})
    assert result.ranking.get_column("area_code").to_list() == ["A", "B", "C"]
    assert result.ranking.get_column("rank").to_list() == [1, 2, 3]


def test_standardising_makes_a_small_unit_count_as_much_as_a_large_one():
    # raw Euclidean distance would pick A (2 apart) over B (100 apart); standardised, B and C are nearer:
    # x: sd 100 / sqrt(2), so B differs by sqrt(2) sd; y: sd sqrt(0.75), so A differs by 2 / sqrt(0.75) sd.
    observations = {"x": flat({"F": 1000, "A": 1000, "B": 1100, "C": 900}),
                    "y": flat({"F": 10, "A": 12, "B": 10, "C": 10})}
    result = similar_areas("F", observations)
    assert distances(result) == pytest.approx({"B": 1.0, "C": 1.0, "A": math.sqrt(8 / 3)})
    assert result.ranking.get_column("rank").to_list() == [1, 1, 3]
    assert result.description.weights == {"x": 0.5, "y": 0.5}


def test_weights_change_the_answer():
    observations = {"x": flat({"F": 1000, "A": 1000, "B": 1100, "C": 900}),
                    "y": flat({"F": 10, "A": 12, "B": 10, "C": 10})}
    result = similar_areas("F", observations, weights={"x": 3, "y": 1})
    assert result.description.weights == {"x": 0.75, "y": 0.25}
    assert distances(result) == pytest.approx({"A": math.sqrt(4 / 3), "B": math.sqrt(1.5), "C": math.sqrt(1.5)})
    assert result.ranking.get_column("area_code").to_list()[0] == "A"


def test_the_trend_separates_areas_with_the_same_mean():
    observations = {"x": flat({"F": 100, "A": 100, "B": 101, "C": 99}, slopes={"A": 1.0})}
    levels_only = similar_areas("F", observations)
    assert levels_only.ranking.get_column("area_code").to_list()[0] == "A"
    with_trend = similar_areas("F", observations, trend=True)
    # level sd sqrt(0.5): B is sqrt(2) sd away; trend sd sqrt(0.1875): A is 1 / sqrt(0.1875) sd away
    assert distances(with_trend) == pytest.approx({"B": math.sqrt(2), "C": math.sqrt(2), "A": math.sqrt(16 / 3)})
    assert with_trend.description.features == ("x:level", "x:trend")


def test_features_are_the_mean_and_the_slope_per_month_over_the_pre_period_only():
    features, lacking = pre_period_features({"x": flat({"F": 100, "A": 50}, slopes={"A": 2.0})}, trend=True)
    rows = {r["area_code"]: r for r in features.iter_rows(named=True)}
    assert rows["A"]["x:level"] == pytest.approx(50.0)
    assert rows["A"]["x:trend"] == pytest.approx(2.0)
    assert rows["F"]["x:trend"] == pytest.approx(0.0)
    assert lacking == []


def test_a_feature_without_spread_is_dropped_and_reported():
    observations = {"x": flat({"F": 100, "A": 101, "B": 150}), "z": flat({"F": 7, "A": 7, "B": 7})}
    result = similar_areas("F", observations)
    assert result.description.dropped_features == ("z:level",)
    assert result.description.features == ("x:level",)
    assert "z:level" not in result.standardised.columns
    assert result.ranking.get_column("area_code").to_list() == ["A", "B"]


def test_areas_lacking_pre_period_data_are_excluded_and_listed():
    observations = {"x": flat({"F": 100, "A": 101, "B": 150, "D": 100}, skip={"D": 5})}
    result = similar_areas("F", observations, candidates=["A", "B", "D", "E"])
    assert result.ranking.get_column("area_code").to_list() == ["A", "B"]
    assert result.description.excluded == ("D", "E")
    assert (result.description.candidates, result.description.complete) == (4, 2)
    assert result.description.months == 26
    assert (result.description.first, result.description.last) == (date(2019, 1, 1), date(2021, 2, 1))
    lenient = similar_areas("F", observations, min_coverage=0.9)
    assert "D" in lenient.ranking.get_column("area_code").to_list()


def test_a_null_value_is_missing_data_not_zero():
    frame = flat({"F": 100, "A": 101, "B": 150}).with_columns(
        pl.when((pl.col("area_code") == "A") & (pl.col("period") == PRE[0])).then(None)
        .otherwise(pl.col("value")).alias("value"))
    result = similar_areas("F", {"x": frame})
    assert result.description.excluded == ("A",)


def test_a_focus_without_pre_period_data_is_an_error():
    with pytest.raises(ValueError, match="F lacks data"):
        similar_areas("F", {"x": flat({"F": 100, "A": 101}, skip={"F": 0})})


@pytest.mark.parametrize("weights", [{"x": -1.0}, {"x": 0.0}, {"other": 1.0}])
def test_bad_weights_are_refused(weights):
    with pytest.raises(ValueError):
        similar_areas("F", {"x": flat({"F": 100, "A": 101, "B": 120})}, weights=weights)


def test_limit_keeps_the_nearest():
    result = similar_areas("F", {"x": flat({"F": 100, "A": 101, "B": 120, "C": 90})}, limit=2)
    assert result.ranking.get_column("area_code").to_list() == ["A", "C"]
