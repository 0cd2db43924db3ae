"""The demo is calibrated to TEM's published pilot figures (data/published_figures.csv) and stays synthetic."""

from __future__ import annotations

from datetime import date

import pytest

from app import provenance, queries
from app.db import readonly_engine
from app.indicators import registry
from app.ingest.calibration import Calibration, curve
from app.ingest.published import read_published_file
from app.settings import DATA_DIR

DEC21 = date(2021, 12, 1)


@pytest.fixture(scope="module")
def demo(demo_sqlite):
    engine = readonly_engine(demo_sqlite)
    kinds = dict(queries.areas(engine).select("code", "kind").iter_rows())

    def value(indicator: str, area: str, month: date = DEC21) -> float:
        frame = queries.indicator_values(engine, registry()[indicator], [area], kinds, month, month)
        return frame["value"].item()

    yield engine, value
    engine.dispose()


def published(indicator: str, area: str, month: date = DEC21) -> float:
    (figure,) = [f.value for f in read_published_file(DATA_DIR / "published_figures.csv", registry())
                 if (f.indicator_code, f.area_code, f.period) == (indicator, area, month)]
    return figure


def test_pilot_clients_nationally_about_the_published_234000(demo):
    _, value = demo
    assert published("pilot_clients", "GRP_PILOT") == 234_180
    assert value("pilot_clients", "GRP_PILOT") == pytest.approx(234_180, rel=0.02)


@pytest.mark.parametrize("pilot", ["PILOT01", "PILOT11", "PILOT03"])  # Helsinki, Pirkanmaa, Vantaa–Kerava
def test_published_pilot_areas_within_ten_percent(demo, pilot):
    _, value = demo
    assert value("pilot_clients", pilot) == pytest.approx(published("pilot_clients", pilot), rel=0.10)
    assert value("pilot_clients_unemployed_or_laid_off", pilot) == pytest.approx(
        published("pilot_clients_unemployed_or_laid_off", pilot), rel=0.10)


def test_about_61_percent_of_pilot_clients_unemployed_or_laid_off(demo):
    _, value = demo
    share = value("unemployed_share_of_pilot_clients", "GRP_PILOT")
    assert 59 <= share <= 63
    assert share == pytest.approx(100 * published("pilot_clients_unemployed_or_laid_off", "GRP_PILOT")
                                  / published("pilot_clients", "GRP_PILOT"), abs=1.0)
    bulletin = value("pilot_clients_unemployed", "GRP_PILOT", date(2022, 10, 1))  # the narrower definition
    assert bulletin < value("pilot_clients_unemployed_or_laid_off", "GRP_PILOT", date(2022, 10, 1))


def test_later_national_figures_are_followed_too(demo):
    _, value = demo
    for month in (date(2022, 7, 1), date(2022, 10, 1)):
        assert value("pilot_clients", "GRP_PILOT", month) == pytest.approx(published("pilot_clients", "GRP_PILOT",
                                                                                     month), rel=0.02)


def test_the_demo_stays_synthetic(demo):
    engine, _ = demo
    assert queries.meta(engine)["demo"] == "true"
    assert provenance.published_values(engine, "pilot_clients", ["GRP_PILOT"]).is_empty()  # no real figures mixed in
    sources = queries.releases(engine)["source"].to_list()
    assert set(sources) == {"Pilot Tracker demo generator (synthetic data)"}  # its two synthetic releases only


def test_curve_is_linear_between_knots_and_flat_outside():
    knots = {date(2021, 3, 1): 1.0, date(2021, 5, 1): 3.0}
    months = [date(2021, 1, 1), date(2021, 3, 1), date(2021, 4, 1), date(2021, 5, 1), date(2021, 9, 1)]
    assert curve(months, knots).tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]
    assert curve(months, {}).tolist() == [1.0] * 5
    assert Calibration({}).share_knots() == {}
