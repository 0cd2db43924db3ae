"""The matched comparison group and the difference in differences on series with a known effect."""

import math
from datetime import date

import numpy as np
import polars as pl
import pytest

from app.analysis.matching import (
    area_series, choose_group, difference_in_differences, group_counts, group_ratio, matched_comparison,
)
from app.months import months_between

MONTHS = months_between(date(2019, 1, 1), date(2023, 12, 1))
BASE = MONTHS.index(date(2021, 2, 1))
POST = [i for i, m in enumerate(MONTHS) if m >= date(2021, 3, 1)]
PRE = [i for i, m in enumerate(MONTHS) if m <= date(2021, 2, 1)]
SCHEMA = {"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8}


def series(area, values, months=MONTHS):
    return pl.DataFrame({"area_code": [area] * len(months), "period": months, "value": values,
                         "status": ["final"] * len(months)}, schema=SCHEMA)


def seasonal(level, i):
    return level + 0.1 * level * math.sin(i * math.pi / 6) + level * 0.004 * i


def test_a_known_effect_is_recovered():
    group = [seasonal(1000, i) for i in range(len(MONTHS))]
    effect = 7.5  # index points from March 2021 on
    # the pilot's pre-period index wanders around the group's by known gaps (0 in the base month)
    gaps = [0.0 if i == BASE else 1.3 * math.cos(i) for i in PRE]
    mean_gap = sum(gaps) / len(gaps)
    gap = {i: g for i, g in zip(PRE, gaps)} | {i: mean_gap + effect for i in POST}
    pilot = [400 * (group[i] / group[BASE] + gap[i] / 100) for i in range(len(MONTHS))]
    did = difference_in_differences(area_series(series("P", pilot), "P"), area_series(series("G", group), "G"))
    post = did.series.filter(pl.col("phase") == "post").get_column("did").to_numpy()
    assert len(post) == len(POST)
    assert np.max(np.abs(post - effect)) < 1e-9
    assert did.post_mean == pytest.approx(effect, abs=1e-9)
    residuals = np.array(gaps) - mean_gap
    assert did.fit.months == len(PRE)
    assert did.fit.mean_gap == pytest.approx(mean_gap, abs=1e-9)
    assert did.fit.rmse == pytest.approx(math.sqrt(np.mean(residuals ** 2)), abs=1e-9)
    assert did.fit.max_abs == pytest.approx(np.max(np.abs(residuals)), abs=1e-9)
    base_row = did.series.filter(pl.col("period") == date(2021, 2, 1)).row(0, named=True)
    assert base_row["pilot_index"] == pytest.approx(100.0) and base_row["group_index"] == pytest.approx(100.0)


def test_no_effect_gives_zero():
    group = [seasonal(800, i) for i in range(len(MONTHS))]
    pilot = [3.7 * v for v in group]  # the same path at another size
    did = difference_in_differences(area_series(series("P", pilot), "P"), area_series(series("G", group), "G"))
    assert np.max(np.abs(did.series.get_column("did").to_numpy())) < 1e-9
    assert did.fit.rmse < 1e-9 and did.fit.max_abs < 1e-9
    assert abs(did.post_mean) < 1e-9


def test_months_before_the_pre_period_are_left_out_and_a_missing_month_stays_missing():
    months = months_between(date(2018, 1, 1), date(2021, 6, 1))
    group = [100.0] * len(months)
    pilot = [50.0] * len(months)
    pilot[months.index(date(2021, 4, 1))] = None
    did = difference_in_differences(area_series(series("P", pilot, months), "P"),
                                    area_series(series("G", group, months), "G"))
    assert did.series.get_column("period").min() == date(2019, 1, 1)
    assert did.series.filter(pl.col("period") == date(2021, 4, 1)).get_column("did").to_list() == [None]


def test_a_missing_base_month_is_an_error():
    months = [m for m in MONTHS if m != date(2021, 2, 1)]
    with pytest.raises(ValueError, match="2021-02-01"):
        difference_in_differences(area_series(series("P", [1.0] * len(months), months), "P"),
                                  area_series(series("G", [1.0] * len(months), months), "G"))


def test_the_group_is_the_sum_of_its_members_and_unknown_when_one_is():
    m1, m2 = date(2021, 1, 1), date(2021, 2, 1)
    counts = pl.DataFrame([("KU001", m1, 10.0, "final"), ("KU002", m1, 5.0, "provisional"), ("KU003", m1, 99.0, "final"),
                           ("KU001", m2, 12.0, "final"), ("KU002", m2, None, "suppressed")],
                          schema=SCHEMA, orient="row")
    result = group_counts(["KU001", "KU002"], counts)
    assert result.get_column("value").to_list() == [15.0, None]
    assert result.get_column("status").to_list() == ["provisional", "incomplete"]


def test_the_group_ratio_is_a_ratio_of_sums():
    m = date(2021, 1, 1)
    numerator = pl.DataFrame([("KU001", m, 10.0, "final"), ("KU002", m, 90.0, "final")], schema=SCHEMA, orient="row")
    denominator = pl.DataFrame([("KU001", m, 1000.0, "final"), ("KU002", m, 3000.0, "final")],
                               schema=SCHEMA, orient="row")
    result = group_ratio(["KU001", "KU002"], numerator, denominator, 100.0)
    assert result.get_column("value").to_list() == [2.5]  # the mean of 1 % and 3 % would be 2 %


def pre_rows(levels, slopes=None):
    rows = []
    for area, level in levels.items():
        for t, month in enumerate(MONTHS):
            rows.append((area, month, level + (slopes or {}).get(area, 0.0) * t, "final"))
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def test_the_group_holds_the_k_nearest_candidates():
    # pre-period means 10.25, 10.45, 9.375, 10.2125, 6.25; slopes 0.02, 0.02, -0.05, 0.025, 0.02 per month:
    # standardised, KU001 is nearest (only its level differs, by 0.13 sd), then KU003 (0.02 sd, 0.18 sd)
    shares = pre_rows({"PILOT09": 10.0, "KU001": 10.2, "KU002": 10.0, "KU003": 9.9, "KU004": 6.0},
                      slopes={"PILOT09": 0.02, "KU001": 0.02, "KU002": -0.05, "KU003": 0.025, "KU004": 0.02})
    group = choose_group("PILOT09", {"unemployment_share": shares}, ["KU001", "KU002", "KU003", "KU004"], k=2)
    assert group.members == ("KU001", "KU003")
    levels_only = choose_group("PILOT09", {"unemployment_share": shares}, ["KU001", "KU002", "KU003", "KU004"],
                               k=2, trend=False)
    assert levels_only.members == ("KU003", "KU001")
    assert group.similarity.description.features == ("unemployment_share:level", "unemployment_share:trend")


def test_candidates_must_be_municipalities():
    with pytest.raises(ValueError, match="PILOT02"):
        choose_group("PILOT09", {"x": pre_rows({"PILOT09": 1.0, "PILOT02": 2.0})}, ["PILOT02"])


def test_matched_comparison_of_counts_from_members_sums():
    members = {"KU001": 300.0, "KU002": 700.0}
    rows = []
    for i, month in enumerate(MONTHS):
        total = 0.0
        for code, level in members.items():
            value = seasonal(level, i)
            total += value
            rows.append((code, month, value, "final"))
        rows.append(("PILOT09", month, 2 * total * (1.1 if month >= date(2021, 3, 1) else 1.0), "final"))
    counts = pl.DataFrame(rows, schema=SCHEMA, orient="row")
    group = choose_group("PILOT09", {"share": pre_rows({"PILOT09": 5.0, "KU001": 5.1, "KU002": 4.8, "KU009": 9.0})},
                         ["KU001", "KU002", "KU009"], k=2)
    assert set(group.members) == {"KU001", "KU002"}
    result = matched_comparison(group, counts=counts)
    # pilot = 2 x the group before, 2.2 x after: did(t) = 10 x group(t) / group(Feb 2021), 0 before
    did = result.did.series
    expected = did.select(pl.when(pl.col("phase") == "post").then(10 * pl.col("group_index") / 100)
                          .otherwise(0.0)).to_series().to_numpy()
    assert np.max(np.abs(did.get_column("did").to_numpy() - expected)) < 1e-9
    assert result.group_series.filter(pl.col("period") == MONTHS[0]).get_column("value").item() == pytest.approx(
        seasonal(300, 0) + seasonal(700, 0))
    assert result.did.params(group)["k"] == 2


def test_matched_comparison_of_a_ratio():
    rows_num, rows_den = [], []
    for i, month in enumerate(MONTHS):
        for code, (num, den) in {"PILOT09": (50.0, 1000.0), "KU001": (10.0, 1000.0), "KU002": (90.0, 1000.0)}.items():
            rows_num.append((code, month, num * (1 + 0.01 * i), "final"))
            rows_den.append((code, month, den, "final"))
    numerator = pl.DataFrame(rows_num, schema=SCHEMA, orient="row")
    denominator = pl.DataFrame(rows_den, schema=SCHEMA, orient="row")
    group = choose_group("PILOT09", {"x": pre_rows({"PILOT09": 1.0, "KU001": 1.1, "KU002": 0.9})},
                         ["KU001", "KU002"], k=2, trend=False)
    result = matched_comparison(group, numerator=numerator, denominator=denominator, scale=100.0)
    assert result.group_series.get_column("value").to_list()[0] == pytest.approx(5.0)  # (10 + 90) / 2000 * 100
    assert result.pilot_series.get_column("value").to_list()[0] == pytest.approx(5.0)
    assert np.max(np.abs(result.did.series.get_column("did").to_numpy())) < 1e-9
    with pytest.raises(ValueError):
        matched_comparison(group, numerator=numerator)


def test_a_shorter_pre_period_leaves_the_months_before_the_start_out_of_both_phases():
    group = [seasonal(1000, i) for i in range(len(MONTHS))]
    pilot = [2 * v + (50.0 if MONTHS[i] >= date(2020, 3, 1) else 0.0) for i, v in enumerate(group)]
    did = difference_in_differences(area_series(series("P", pilot), "P"), area_series(series("G", group), "G"),
                                    base=date(2020, 2, 1), last=date(2020, 2, 1))
    phases = dict(zip(did.series.get_column("period"), did.series.get_column("phase")))
    assert (phases[date(2020, 2, 1)], phases[date(2020, 3, 1)], phases[date(2021, 3, 1)]) == ("pre", "between", "post")
    assert did.fit.months == 14
