"""Published figures beside the computed series (app.views.trends, app.charts.trends) and what the data page
and the captions say about the registry and the months shown (app.views.data), on a demo copy with TEM's
figures loaded."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import polars as pl
import pytest

from app.db import readonly_engine
from app.i18n import t
from app.indicators import registry
from app.settings import DATA_DIR
from app.views.data import coverage_text, registry_coverage
from app.views.source import QuerySource
from app.views.trends import has_data, trend_view
from tests.conftest import as_rendered
from tests.ingest_helpers import ingest

REVIEW = "Työllisyyden kuntakokeilujen tilastokatsaus joulukuun 2021 lopulta (TEM)"


@pytest.fixture(scope="module")
def source(demo_sqlite, tmp_path_factory):
    path = tmp_path_factory.mktemp("published") / "demo.sqlite"
    shutil.copy(demo_sqlite.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    ingest("published", DATA_DIR / "published_figures.csv", url)
    engine = readonly_engine(url)
    yield QuerySource(engine)
    engine.dispose()


def published_traces(view) -> list:
    return [trace for trace in view.figure.data if trace.name.endswith(t("trends.published_figure", "en"))]


def test_points_sit_beside_the_series_with_their_difference(source):
    areas = ["GRP_PILOT", "PILOT01", "PILOT03"]
    view = trend_view(source, registry()["pilot_clients"], areas, "value", "en")
    frame = view.published.frame
    month, area = t("common.month", "en"), t("common.area", "en")
    figure, series = t("trends.published_value", "en"), t("trends.published_series", "en")
    difference = t("trends.published_difference", "en")
    assert frame.height == 4 + 2 + 2  # all pilot areas: 4 months; Helsinki, Vantaa–Kerava: 2 each
    lines = source.values("pilot_clients", areas)
    for row in frame.iter_rows(named=True):
        assert row[difference] == pytest.approx(row[figure] - row[series])
    dec = frame.filter((pl.col(month) == date(2021, 12, 1)) & (pl.col(area) == "Helsinki")).row(0, named=True)
    line = lines.filter((pl.col("area_code") == "PILOT01") & (pl.col("period") == date(2021, 12, 1)))["value"].item()
    assert dec[figure] == 46115 and dec[series] == line and dec[t("trends.published_source", "en")] == REVIEW
    traces = published_traces(view)
    assert [tr.name for tr in traces] == ["All pilot municipalities: published figure", "Helsinki: published figure",
                                          "Vantaa–Kerava: published figure"]
    assert traces[0].marker.symbol == "diamond" and traces[0].marker.color == view.figure.data[0].line.color
    hover = " ".join(traces[1].hovertext)
    assert REVIEW in hover and "Series value" in hover and "Difference (published − series)" in hover
    assert any("≈" in h for h in traces[0].hovertext)  # the "about 230,000" of March 2021
    assert view.published_notes[0] == t("trends.published_note", "en")
    assert "Tampere region (Pirkanmaa)" in view.published_notes[1]


def test_a_rate_differs_in_percentage_points(source):
    view = trend_view(source, registry()["unemployed_share_of_pilot_clients"], ["GRP_PILOT", "PILOT04"], "value",
                      "en")
    (hover,) = published_traces(view)[0].hovertext
    assert "61.0%" in hover and t("unit.points", "en") in hover


def test_points_are_drawn_with_values_only(source):
    view = trend_view(source, registry()["pilot_clients"], ["GRP_PILOT"], "index", "en", base=date(2021, 3, 1))
    assert not published_traces(view) and view.published is not None
    assert view.published_notes[0] == t("trends.published_values_only", "en")


def test_areas_without_figures_get_no_points_or_table(source):
    view = trend_view(source, registry()["jobseekers"], ["ELY05"], "value", "fi")
    assert view.published is None and not published_traces(view)
    assert t("trends.published_elsewhere", "fi", areas="Koko maa") in view.published_notes


def test_published_figures_alone_are_data(tmp_path):
    from app.ingest.store import init_database

    url = f"sqlite:///{tmp_path / 'figures.sqlite'}"
    init_database(url).dispose()
    ingest("published", DATA_DIR / "published_figures.csv", url)
    engine = readonly_engine(url)
    try:
        only = QuerySource(engine)
        assert has_data(only, registry()["pilot_clients"]) and not has_data(only, registry()["vacancies"])
        view = trend_view(only, registry()["pilot_clients"], ["GRP_PILOT"], "value", "en")
        assert not view.empty and len(published_traces(view)) == 1
        assert view.published.frame[t("trends.published_series", "en")].null_count() == 4
    finally:
        engine.dispose()


def test_registry_coverage_names_what_is_still_unknown(source):
    lines = registry_coverage(source, "en")
    assert lines[0].startswith("The registry holds 23 of the 25 pilot areas and 107 of the 118 municipalities")
    assert lines[1].startswith("Still unknown: 2 pilot areas with 11 municipalities in all")
    fi = registry_coverage(source, "fi")
    assert fi[0].startswith("Rekisterissä on 23 kokeilualuetta ja 107 kuntaa.") and "25 aluetta ja 118 kuntaa" in fi[0]


def test_captions_say_which_months_and_sources_are_shown(source):
    text = coverage_text(source.indicator_releases(["jobseekers"]), "en")
    assert as_rendered(text) == "Months shown 2019-01–2024-12: Pilot Tracker demo generator (synthetic data)."
    many = pl.DataFrame({"release_id": [1, 2, 3, 4, 5], "source": list("ABCDE"),
                         "published_at": [datetime(2026, 1, 1)] * 5,
                         "first": [date(2019, m, 1) for m in range(1, 6)],
                         "last": [date(2019, m, 1) for m in range(1, 6)], "rows": [1] * 5})
    assert as_rendered(coverage_text(many, "sv")) == "Visade månader 2019-01–2019-05: A; B; C och 2 andra publiceringar."
    assert coverage_text(many.clear(), "en") is None
