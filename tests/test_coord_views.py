"""The coordinators' views composed from the demo database (no Streamlit): rates, the compare ranking,
similar areas, the matched comparison, what changed, and events on the charts."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from app.analysis.ranking import rank_areas
from app.areas import GRP_OTHER, GRP_PILOT
from app.charts.trends import add_events, trend_figure
from app.db import readonly_engine
from app.i18n import t
from app.indicators import registry
from app.views.rates import INHABITANTS, LABOUR_FORCE, NONE, default_rate, rate_indicator, rated_values
from app.views.source import QuerySource

MONTH = date(2024, 12, 1)
FOCUS = "PILOT09"


@pytest.fixture(scope="module")
def demo(demo_sqlite):
    source = QuerySource(readonly_engine(demo_sqlite))
    yield source
    source.engine.dispose()


def reg(code):
    return registry()[code]


def test_a_rate_per_1000_inhabitants_takes_the_december_before(demo):
    june = date(2024, 6, 1)
    values = rated_values(demo, reg("jobseekers"), ["KU398", "PILOT09"], INHABITANTS, june, june)
    counts = demo.values("jobseekers", ["KU398", "PILOT09"], date(2024, 6, 1), date(2024, 6, 1))
    population = demo.values("population", ["KU398", "PILOT09"], date(2023, 12, 1), date(2023, 12, 1))
    for code in ("KU398", "PILOT09"):
        count = counts.filter(pl.col("area_code") == code)["value"].item()
        people = population.filter(pl.col("area_code") == code)["value"].item()
        rate = values.filter(pl.col("area_code") == code)
        assert rate["value"].item() == pytest.approx(count / people * 1000)
        assert rate["denominator_period"].item() == date(2023, 12, 1)


def test_a_share_of_the_labour_force_is_a_ratio_of_sums(demo):
    rate = rated_values(demo, reg("unemployed_jobseekers"), ["PILOT09"], LABOUR_FORCE, MONTH, MONTH)
    share = demo.values("unemployment_share", ["PILOT09"], MONTH, MONTH)
    assert rate["value"].item() == pytest.approx(share["value"].item())


def test_counts_default_to_a_rate_and_ratios_stay_as_they_are(demo):
    assert default_rate(demo, reg("jobseekers")) == INHABITANTS  # the demo holds the population
    assert default_rate(demo, reg("unemployment_share")) == NONE
    assert default_rate(demo, reg("labour_force")) == INHABITANTS
    per_1000 = rate_indicator(reg("jobseekers"), INHABITANTS)
    assert (per_1000.unit, per_1000.kind) == ("per_1000", "count")  # a yearly change in percent
    share = rate_indicator(reg("jobseekers"), LABOUR_FORCE)
    assert (share.unit, share.kind) == ("percent", "ratio") and "labour force" in share.name("en")
    assert rate_indicator(reg("client_share"), INHABITANTS) is reg("client_share")


def test_the_compare_ranking_ranks_each_area_among_all_of_its_level(demo):
    from app.views.compare import TREND_MONTHS, compare_view

    view = compare_view(demo, ["unemployment_share", "jobseekers"], [FOCUS, "PILOT10", "KU398"], MONTH,
                        INHABITANTS, "en")
    assert view.areas == (FOCUS, "PILOT10", "KU398")
    share = view.rankings[0].table.frame
    assert share.columns[0] == t("common.area", "en") and share.height == 3
    pilots = demo.values("unemployment_share", demo.codes_of_kind("pilot"), MONTH, MONTH)
    expected = rank_areas(pilots, MONTH).filter(pl.col("area_code") == FOCUS).row(0, named=True)
    row = share.row(0, named=True)
    assert row[t("compare.col_rank", "en")] == expected["rank"]
    assert row[t("compare.col_of", "en")] == pilots["value"].is_not_null().sum() == len(demo.codes_of_kind("pilot"))
    assert row[t("compare.col_median", "en")] == pytest.approx(pilots["value"].median())
    municipality = share.row(2, named=True)  # ranked among the 309 municipalities, not the pilot areas
    assert municipality[t("compare.col_of", "en")] == 309
    trend = share[t("compare.col_trend", "en", months=TREND_MONTHS)]
    assert all(len(line) == TREND_MONTHS for line in trend.to_list())
    export = view.export
    assert set(export["indicator"].to_list()) == {"unemployment_share", "jobseekers"}
    assert export.filter(pl.col("indicator") == "jobseekers")["unit"].unique().to_list() == \
        [t("unit.per_1000", "en")]
    assert view.rankings[1].table.shade == t("compare.col_position", "en")


def test_similar_areas_are_of_the_same_level_nearest_first_and_say_how(demo):
    from app.views.similar import DEFAULT_INDICATORS, similar_view

    view = similar_view(demo, FOCUS, DEFAULT_INDICATORS, "en")
    assert view is not None and FOCUS not in view.codes and len(view.codes) == 8
    assert all(code.startswith("PILOT") for code in view.codes)
    distances = view.result.ranking["distance"].to_list()
    assert distances == sorted(distances)
    assert "January 2019" in view.method and "February 2021" in view.method and "26 months" in view.method
    assert "(0.25)" in view.method  # equal weights, shown
    weighted = similar_view(demo, FOCUS, DEFAULT_INDICATORS, "en",
                            weights=dict.fromkeys(DEFAULT_INDICATORS, 1.0) | {"unemployment_share": 3.0})
    assert "(0.50)" in weighted.method
    assert similar_view(demo, "SSS", DEFAULT_INDICATORS, "en") is None  # the country has no peers


def test_the_matched_group_is_of_non_pilot_municipalities_indexed_to_february_2021(demo):
    from app.views.matched import matched_view

    view = matched_view(demo, FOCUS, reg("unemployed_jobseekers"), "en")
    assert view is not None
    members = view.comparison.group.members
    others = set(demo.memberships([GRP_OTHER])["member_code"].to_list())
    pilots = set(demo.memberships([GRP_PILOT])["member_code"].to_list())
    assert len(members) == 10 and set(members) <= others and not set(members) & pilots
    base = view.comparison.did.series.filter(pl.col("period") == date(2021, 2, 1)).row(0, named=True)
    assert base["pilot_index"] == pytest.approx(100) and base["group_index"] == pytest.approx(100)
    assert view.comparison.did.fit.months == 26
    assert "not" in view.note[1] and "impact evaluation" in view.note[1]
    assert any("Karstula" in text or members[0] in text or "municipalities" in text for text in view.method)
    shapes = view.did_figure.to_dict()["layout"]["shapes"]
    assert any(s.get("type") == "rect" for s in shapes)  # the pre-period is shaded
    ratio = matched_view(demo, FOCUS, reg("unemployment_share"), "fi")
    assert ratio is not None and ratio.comparison.group.members == members


def test_what_changed_lists_the_newest_release_and_its_revisions(demo):
    from app.views.changes import changes_view, new_releases

    view = changes_view(demo, "en")
    assert view.month == MONTH
    releases = view.releases.frame
    assert releases.height == 1  # the December release, not the one of mid-December before it
    assert view.revisions_export.height == demo.revisions([2]).height > 0
    movers = view.movers.frame
    assert set(movers[t("common.area", "en")].to_list()) <= set(demo.area_names("en").values())
    assert movers[t("changes.col_place", "en")].min() == 1
    assert view.crossings  # a sentence either way
    boundary_only = pl.DataFrame({"id": [1, 2], "source": ["data", "boundaries"],
                                  "published_at": [datetime(2025, 1, 15), None],
                                  "retrieved_at": [datetime(2025, 1, 15), datetime(2026, 11, 1)]})
    contents = pl.DataFrame({"release_id": [1], "observations": [10], "first_period": [MONTH],
                             "last_period": [MONTH]})
    assert new_releases(boundary_only, contents)["id"].to_list() == [1]


def test_an_areas_part_of_what_changed_is_its_own(demo):
    from app.views.changes import changes_view

    members = demo.memberships(["ELY04"])["member_code"].unique().to_list()
    view = changes_view(demo, "en", "ELY04", members)
    areas = set(view.movers.frame[t("common.area", "en")].to_list())
    assert areas == {demo.area_names("en")["ELY04"]}
    assert len(view.crossings) == 1 and demo.area_names("en")["ELY04"] in view.crossings[0]
    revised = set(view.revisions_export["area_code"].to_list())
    assert revised <= {"ELY04", *members}


def test_the_area_view_has_headlines_ranks_and_a_trend(demo):
    from app.views.area import MAIN_INDICATORS, area_trend, area_view

    view = area_view(demo, FOCUS, INHABITANTS, "en")
    assert view.month == MONTH and len(view.metrics) == len(MAIN_INDICATORS)
    assert view.metrics[0].delta.endswith(t("area.vs_month", "en", change="").strip())
    ranks = view.ranks.frame
    assert ranks.height == len(MAIN_INDICATORS) and (ranks[t("compare.col_of", "en")] <= len(demo.codes_of_kind("pilot"))).all()
    assert len(view.members) == 5
    trend = area_trend(demo, FOCUS, reg("unemployment_share"), NONE, ["PILOT15", "PILOT11"], ["KU005", "KU010"], "en")
    names = [trace["name"] for trace in trend.figure.to_dict()["data"]]
    assert names[:3] == ["Lahti region", "Jyväskylä region", "Tampere region (Pirkanmaa)"]
    assert t("matching.group_name", "en", k=2) in names
    assert trend.events.frame.height == 3
    country = area_view(demo, "SSS", INHABITANTS, "fi")
    assert country.ranks is None and country.metrics


def test_events_are_numbered_on_the_chart_and_in_the_table():
    from app.views.events import chart_events, events_table

    events = chart_events([date(2019, 1, 1), date(2024, 12, 1)], "sv")
    assert events["number"].to_list() == [1, 2, 3]
    assert events["date"].to_list() == [date(2021, 3, 1), date(2022, 8, 1), date(2024, 12, 31)]
    frame = pl.DataFrame({"area_code": ["A"] * 2, "period": [date(2021, 1, 1), date(2023, 1, 1)],
                          "value": [1.0, 2.0], "status": ["final"] * 2})
    fig = add_events(trend_figure(frame, {"A": "A"}, lang="sv", y_title="y", mode="value", unit="persons",
                                  is_ratio=False), events)
    labels = [a["text"] for a in fig.to_dict()["layout"]["annotations"]]
    assert {"<b>1</b>", "<b>2</b>", "<b>3</b>"} <= set(labels)
    table = events_table(events, "sv").frame
    assert table[t("events.col_kind", "sv")].to_list() == [t("event_kind.pilot", "sv"), t("event_kind.decision", "sv"),
                                                          t("event_kind.pilot", "sv")]
    assert chart_events([], "fi").is_empty()
