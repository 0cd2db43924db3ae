"""Trend and gauge figures: the pilot start, flagged statuses, the 40 % rule, locale formatting."""

from datetime import date

import polars as pl

from app.charts.gauges import ely_gauges
from app.charts.trends import trend_figure
from app.i18n import t


def frame():
    periods = [date(2021, 1, 1), date(2021, 2, 1), date(2021, 3, 1), date(2021, 4, 1)]
    return pl.DataFrame({
        "area_code": ["SSS"] * 4 + ["PILOT01"] * 4,
        "period": periods * 2,
        "value": [10.0, 11.0, 12.0, 13.0, 5.0, None, 7.0, 8.0],
        "status": ["final", "final", "provisional", "final", "final", "incomplete", "final", "final"],
    })


def test_trend_marks_the_pilot_start_and_flags_non_final_points():
    fig = trend_figure(frame(), {"SSS": "Koko maa", "PILOT01": "Helsinki"}, lang="fi", y_title="y",
                       mode="value", unit="persons", is_ratio=False)
    assert any(shape.x0 == date(2021, 3, 1) for shape in fig.layout.shapes)
    assert any(a.text == t("trends.pilot_start", "fi") for a in fig.layout.annotations)
    names = [trace.name for trace in fig.data]
    assert f"Koko maa: {t('status.provisional', 'fi')}" in names
    assert f"Helsinki: {t('status.incomplete', 'fi')}" in names
    helsinki = next(tr for tr in fig.data if tr.name == "Helsinki")
    assert helsinki.y[1] is None  # a gap, not a zero
    assert "maaliskuu 2021" in " ".join(next(tr for tr in fig.data if tr.name == "Koko maa").hovertext)


def test_trend_without_the_pilot_start_in_range_has_no_marker():
    early = frame().with_columns(pl.col("period").dt.offset_by("-2y"))
    fig = trend_figure(early, {"SSS": "x"}, lang="en", y_title="y", mode="value", unit="persons", is_ratio=False)
    assert not fig.layout.shapes


def test_gauges_one_per_area_with_the_40_percent_threshold_and_numbers():
    rows = pl.DataFrame({"area_code": ["ELY01", "ELY02"], "name": ["Uusimaa", "Varsinais-Suomi"],
                         "value": [46.4, None], "numerator": [77461.0, None], "denominator": [166819.0, 43714.0],
                         "status": ["final", "incomplete"]})
    fig = ely_gauges(rows, lang="sv", title="x")
    assert len(fig.data) == 2
    assert all(g.gauge.threshold.value == 40.0 for g in fig.data)
    assert "77\u00a0461 / 166\u00a0819" in fig.data[0].title.text
    assert "ofullständig</span>" in fig.data[1].title.text  # the word; its explanation is in the table
    assert fig.data[0].number.font.color != fig.data[1].number.font.color  # over the rule is flagged
    tops = [g.domain.y[1] for g in fig.data]
    assert max(tops) < 1.0  # room for the title above the first row


def test_a_gauge_without_a_value_shows_no_number_and_not_zero():
    rows = pl.DataFrame({"area_code": ["ELY01"], "name": ["Uusimaa"], "value": [None], "numerator": [None],
                         "denominator": [1000.0], "status": ["incomplete"]}, schema_overrides={"value": pl.Float64,
                                                                                               "numerator": pl.Float64})
    gauge = ely_gauges(rows, lang="fi").data[0]
    assert gauge.mode == "gauge" and gauge.value is None
    assert "–" in gauge.title.text and "puutteellinen</span>" in gauge.title.text


def test_a_long_area_name_is_cut_over_its_gauge():
    long_name = "Ylä" * 70  # 210 characters: would run over the gauges beside it
    rows = pl.DataFrame({"area_code": ["ELY01"], "name": [long_name], "value": [30.0], "numerator": [3.0],
                         "denominator": [10.0], "status": ["final"]})
    title = ely_gauges(rows, lang="fi").data[0].title.text
    shown = title.split("</b>")[0].removeprefix("<b>")
    assert len(shown) == 40 and shown.endswith("…") and shown.startswith("YläYlä")
