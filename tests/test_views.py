"""The pure view models: display modes and headline numbers on hand-made series, then every view
composed from the demo database through QuerySource (no Streamlit)."""

from datetime import date

import polars as pl
import pytest

from app.areas import COUNTRY, GRP_OTHER, GRP_PILOT, MEMBERSHIP_SCHEMA
from app.exports import TIDY_COLUMNS
from app.i18n import t
from app.months import shift_month
from app.views.overview import headline, pilot_coverage
from app.views.trends import apply_mode


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
    from app.views.maps import area_points

    areas = pl.DataFrame({"code": ["KU1", "KU2", "KU3", "P1"], "lat": [60.0, 62.0, 64.0, None],
                          "lon": [24.0, 26.0, 28.0, None]})
    m = pl.DataFrame([("KU1", "P1", None, None), ("KU2", "P1", None, date(2020, 12, 31)),
                      ("KU3", "P1", date(2021, 1, 1), None)], schema=MEMBERSHIP_SCHEMA, orient="row")
    points = area_points(areas, m, date(2021, 6, 1))
    p1 = points.filter(pl.col("code") == "P1").row(0, named=True)
    assert (p1["lat"], p1["lon"]) == (62.0, 26.0)  # KU1 and KU3, not KU2
    assert points.height == 4


def test_default_index_base_is_the_first_month_all_areas_are_positive():
    from app.views.trends import default_index_base

    a = series([0.0, 0.0, 5.0, 6.0], area="A")
    b = series([0.0, 3.0, 0.0, 7.0], area="B")
    assert default_index_base(pl.concat([a, b])) == date(2020, 4, 1)
    assert default_index_base(series([0.0, 0.0])) is None


def test_an_incomplete_headline_is_a_lower_bound():
    from app.views.overview import Headline, headline_text

    assert headline_text(Headline(1234.0, None, None, "incomplete"), "en") == "\u2265\u00a01,234"
    assert headline_text(Headline(1234.0, None, None, "final"), "en") == "1,234"


def test_the_area_picker_names_the_kind_only_when_the_name_does_not_say_it():
    from app.i18n import t
    from app.views.trends import area_label

    assert area_label("Whole country", "country", "en") == "Whole country"
    assert area_label("Koko maa", "country", "fi") == "Koko maa"
    assert area_label("All pilot municipalities", "group", "en") == \
        f"All pilot municipalities · {t('kind.group', 'en')}"
    assert area_label("Uusimaa", "region", "sv") == f"Uusimaa · {t('kind.region', 'sv')}"


# --- views composed from the demo database ---------------------------------------------------

def reader(url):
    from app.db import readonly_engine
    from app.views.source import QuerySource

    return QuerySource(readonly_engine(url))


@pytest.fixture(scope="module")
def demo(demo_sqlite, tmp_path_factory):
    """The demo database without boundaries: every map is a symbol map."""
    from tests.boundary_squares import copy_without_boundaries

    source = reader(copy_without_boundaries(demo_sqlite, tmp_path_factory.mktemp("plain") / "demo.sqlite"))
    yield source
    source.engine.dispose()


@pytest.fixture(scope="module")
def shaped(demo_sqlite, tmp_path_factory):
    """The demo database with a square boundary around every municipality, loaded by the CLI."""
    from tests.boundary_squares import copy_without_boundaries, load_squares

    folder = tmp_path_factory.mktemp("shaped")
    url = copy_without_boundaries(demo_sqlite, folder / "demo.sqlite")
    load_squares(url, folder)
    source = reader(url)
    yield source
    source.engine.dispose()


def reg(code):
    from app.indicators import registry

    return registry()[code]


def test_area_choices_list_the_whole_country_first_and_every_area_once(demo):
    from app.views.trends import area_choices

    choices = area_choices(demo, "fi")
    codes = list(choices)
    assert codes[0] == COUNTRY and set(codes[1:3]) == {GRP_PILOT, GRP_OTHER}
    assert len(codes) == demo.areas().height
    assert choices[COUNTRY] == "Koko maa"  # not "Koko maa · koko maa"
    kinds = demo.area_kinds()
    assert [kinds[c] for c in codes].index("municipality") > [kinds[c] for c in codes].index("region")


def test_map_view_of_municipalities_without_boundaries_draws_ringed_points(demo):
    from app.views.maps import map_view

    month = date(2024, 12, 1)
    view = map_view(demo, reg("unemployment_share"), month, "municipality", "fi", title="t")
    assert not view.has_boundaries and demo.geojson("municipality") is None
    assert view.frame.height == len(demo.codes_of_kind("municipality")) == 309
    assert view.frame["lat"].null_count() == 0
    metas = [trace.meta for trace in view.figure.data]
    assert "values" in metas and "highlight" in metas  # pilot municipalities ringed
    assert all(trace.type == "scattergeo" for trace in view.figure.data)
    assert tuple(view.chart.tidy.columns) == TIDY_COLUMNS and view.chart.tidy.height == 309
    assert set(view.chart.tidy["month"]) == {"2024-12"} and set(view.chart.tidy["unit"]) == {"%"}
    assert view.chart.stem() == "unemployment_share-municipality-2024-12-fi"
    assert view.chart.table.frame.height == 309  # the map's data as a table, for the page and the reader
    assert view.chart.description.startswith("Työttömien osuus työvoimasta, joulukuu 2024")
    assert "Suurin:" in view.chart.description and "Pienin:" in view.chart.description


def test_map_view_of_pilot_areas_places_each_at_its_members_and_rings_nothing(demo):
    from app.views.maps import map_view

    view = map_view(demo, reg("client_share"), date(2022, 6, 1), "pilot", "en")
    assert view.frame.height == 23 and view.frame["lat"].null_count() == 0
    assert "highlight" not in [trace.meta for trace in view.figure.data]
    with pytest.raises(ValueError, match="map level"):
        map_view(demo, reg("client_share"), date(2022, 6, 1), "country", "en")


def test_map_views_over_boundaries_outline_pilots_and_draw_pilot_areas_over_municipalities(shaped):
    from app.views.maps import map_view

    municipalities = map_view(shaped, reg("unemployment_share"), date(2024, 12, 1), "municipality", "fi")
    assert municipalities.has_boundaries
    metas = [trace.meta for trace in municipalities.figure.data]
    assert metas[0] == "highlight" and "values" in metas and "context" not in metas
    assert len(trace_of(municipalities.figure, "values").locations) == 309
    pilots = map_view(shaped, reg("client_share"), date(2022, 6, 1), "pilot", "fi")
    metas = [trace.meta for trace in pilots.figure.data]
    assert metas[:2] == ["anchor", "context"] and "highlight" not in metas
    assert len(trace_of(pilots.figure, "context").locations) == 309
    assert not pilots.figure.layout.annotations  # the note is for symbol maps only


def trace_of(figure, meta):
    return next(trace for trace in figure.data if trace.meta == meta)


def test_trend_view_table_holds_numbers_and_months(demo):
    from app.views.trends import trend_view

    view = trend_view(demo, reg("unemployment_share"), [COUNTRY, "KU091"], "value", "en")
    frame = view.table.frame
    value_column = frame.columns[2]
    assert frame.schema[value_column] == pl.Float64 and view.table.decimals == {value_column: 1}
    assert frame.schema[frame.columns[0]] == pl.Date and view.table.months == (frame.columns[0],)
    assert frame.height == view.chart.tidy.height == 2 * 72
    assert tuple(view.chart.tidy.columns) == TIDY_COLUMNS and view.chart.period == "2019-01/2024-12"
    assert "Whole country" in view.chart.description and "(December 2024)" in view.chart.description
    assert not view.empty and [trace.name for trace in view.figure.data][:2] == ["Whole country", "Helsinki"]
    counts = trend_view(demo, reg("pilot_clients"), ["PILOT01"], "index", "en", base=date(2021, 3, 1))
    assert counts.table.decimals == {counts.table.frame.columns[2]: 1}
    assert counts.table.frame.filter(pl.col(counts.table.frame.columns[0]) == date(2021, 3, 1))[
        counts.table.frame.columns[2]].to_list() == [100.0]


def test_gauge_table_sorts_jobseekers_as_numbers(demo):
    from app.views.gauges import gauge_view, history_view

    view = gauge_view(demo, date(2024, 12, 1), "en")
    frame = view.table.frame
    assert frame.height == 15 and len(view.figure.data) == 15
    jobseekers = [c for c in frame.columns if c == "Jobseekers"][0]
    assert frame.schema[jobseekers].is_numeric() and view.table.decimals[jobseekers] == 0
    ranked = frame.sort(jobseekers, descending=True)["Area"].to_list()
    assert ranked[0] == "Uusimaa" and ranked.index("Uusimaa") < ranked.index("Kainuu")
    over = frame.filter(pl.col("Share (%)") > 40)["Area"].to_list()
    assert over and view.over_rule == f"Above 40%: {', '.join(over)}."
    history = history_view(demo, ["ELY02", "ELY01"], "en")
    names = demo.area_names("en")
    assert [trace.name for trace in history.data if trace.mode == "lines"] == [names["ELY02"], names["ELY01"]]
    assert any(shape.y0 == 40.0 for shape in history.layout.shapes)  # the rule across


def test_overview_view_of_the_demo(demo):
    from app.views.overview import overview_view

    view = overview_view(demo, "en")
    assert view.month == date(2024, 12, 1) and view.heading == "Situation: December 2024"
    assert [m.value for m in view.metrics[:2]] == ["23", "107"]
    assert view.metrics[2].delta and view.year_text and not view.pilots_ended
    assert view.map is not None and view.map.frame.height == 23


def test_data_tables_hold_numbers_and_dates(demo):
    from app.i18n import t
    from app.indicators import registry
    from app.views.data import indicator_table, latest_release_text, release_table

    releases = demo.releases()
    table = release_table(releases, "fi")
    rows = t("data.col_rows", "fi")
    assert table.frame.height == releases.height and table.decimals == {rows: 0}
    assert table.frame[rows].to_list() == releases["row_count"].to_list()
    assert [table.frame.schema[c] for c in table.dates] == [pl.Date, pl.Date]
    assert latest_release_text(releases, "en").startswith("Data: ")
    assert indicator_table("sv").frame.height == len(list(registry()))


def test_an_ely_area_without_a_registered_pilot_shows_no_share_not_zero(demo):
    """The registry holds 23 of the 25 pilot areas; Kaakkois-Suomi and Pohjois-Savo have none of them, so
    their transferred count of 0 is unknown, never a 0 % gauge."""
    from app.views.gauges import history_chart, gauge_view, unregistered_elys

    assert unregistered_elys(demo) == ["ELY06", "ELY08"]
    view = gauge_view(demo, date(2024, 12, 1), "en")
    names = demo.area_names("en")
    rows = {row["Area"]: row for row in view.table.frame.to_dicts()}
    for code in ("ELY06", "ELY08"):
        assert rows[names[code]]["Share (%)"] is None
        assert rows[names[code]]["Status"] == t("status.incomplete", "en")
    assert rows[names["ELY01"]]["Share (%)"] > 0
    assert names["ELY06"] in view.unregistered and "25" in view.unregistered
    gauge = next(g for g in view.figure.data if names["ELY08"] in g.title.text)
    assert gauge.value is None and gauge.mode == "gauge"  # empty, no number
    history = history_chart(demo, ["ELY08"], "en")
    assert history.tidy["value"].drop_nulls().is_empty()
