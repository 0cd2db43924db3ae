"""`pilot-tracker build real` end to end against local stand-ins for Statistics Finland's PxWeb API and WFS:
the whole database in one command, re-runnable without a change, the shipped boundaries when the WFS is away."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import geopandas as gpd
import pytest

from app.ingest.real import SHIPPED_BOUNDARIES
from tests.conftest import as_rendered
from tests.ingest_helpers import db_state, query, run_cli
from tests.pxweb_standin import PxWebStandIn, real_12r5_table, small_table
from tests.pxweb_standin_tables import real_121w_table


class WfsStandIn:
    """Answers every GET with the shipped 2021 boundaries as GeoJSON, like a WFS GetFeature; logs the queries."""

    def __init__(self) -> None:
        frame = gpd.read_file(SHIPPED_BOUNDARIES)
        self.body = json.dumps(json.loads(frame.to_json())).encode("utf-8")
        self.requests: list[str] = []

    def __enter__(self) -> WfsStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                standin.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(standin.body)))
                self.end_headers()
                self.wfile.write(standin.body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/geoserver/wfs"


def build(db_url: str, tyonv: str, population: str, wfs: str):
    return run_cli("build", "real", "--db", db_url, "--tyonv-url", tyonv, "--population-url", population,
                   "--wfs-url", wfs, "--timeout", "5")


@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    """(database URL, first run's output, second run's output, database state after each run)."""
    tyonv, _ = real_12r5_table()
    population, _ = real_121w_table()
    url = f"sqlite:///{tmp_path_factory.mktemp('real') / 'real.sqlite'}"
    with PxWebStandIn([tyonv, population], max_values=100_000, max_calls=20, time_window=1.0) as api, WfsStandIn() as wfs:
        first = build(url, api.url(tyonv), api.url(population), wfs.url)
        assert first.exit_code == 0, first.output
        state = db_state(url)
        second = build(url, api.url(tyonv), api.url(population), wfs.url)
        assert second.exit_code == 0, second.output
        yield url, first.output, second.output, state, db_state(url), wfs.requests


def test_build_real_makes_the_whole_database(real_db):
    url, output, *_ = real_db
    for step in ("[schema]", "[pilot registry]", "[boundaries]", "[employment service statistics (12r5)]",
                 "[population (121w)]", "[published pilot figures]", "[check]"):
        assert step in output
    assert query(url, "SELECT value FROM meta WHERE key = 'demo'") == [("false",)]
    assert "90 month(s) (2019-01 … 2026-06)" in output and "7 month(s) (2019-12 … 2025-12)" in output
    assert " 0 differ" in output  # the check over the fetched history
    sources = [s for (s,) in query(url, "SELECT source FROM release ORDER BY id")]
    assert sources[0].startswith("Pilot registry file") and sources[1].startswith("Statistics Finland WFS")
    assert sources[2].startswith("Statistics Finland PxWeb API: Työttömät työnhakijat")
    assert sources[3].startswith("Statistics Finland PxWeb API: Väestönmuutokset")
    assert len(sources) == 4 + 8  # and one release per published source
    assert query(url, "SELECT count(DISTINCT area_code) FROM boundary WHERE year = 2021") == [(309 + 23 + 15 + 19,)]
    assert query(url, "SELECT count(*) FROM published_value") == [(30,)]
    assert query(url, "SELECT count(DISTINCT period) FROM observation WHERE indicator_code = 'population'") == [(7,)]
    assert query(url, "SELECT count(*) FROM area WHERE kind = 'pilot'") == [(23,)]


def test_a_second_run_changes_nothing(real_db):
    _, _, second, before, after, wfs_requests = real_db
    assert after == before
    assert second.count("nothing new after") == 2 and "already loaded" in second
    assert "inserted 0, updated 0, unchanged 30, removed 0" in second
    assert len(wfs_requests) == 1  # the boundaries were asked for once


def test_the_shipped_boundaries_when_the_wfs_cannot_be_reached(tmp_path):
    tyonv, population = small_table(), real_121w_table()[0]
    url = f"sqlite:///{tmp_path / 'real.sqlite'}"
    with PxWebStandIn([tyonv, population], max_values=100_000) as api:
        result = build(url, api.url(tyonv), api.url(population), "http://127.0.0.1:9/geoserver/wfs")
    assert result.exit_code == 0, result.output
    assert "the WFS could not be reached" in result.output and "loaded the shipped file instead" in result.output
    (licence,) = query(url, "SELECT licence FROM release WHERE source LIKE 'Municipality boundaries%'")
    assert licence == ("Statistics Finland, municipal boundaries 1:4.5M 2021, CC BY 4.0",)


def test_the_demo_database_is_refused(demo_sqlite, tmp_path):
    demo_copy = tmp_path / "demo.sqlite"
    demo_copy.write_bytes(open(demo_sqlite.removeprefix("sqlite:///"), "rb").read())
    url = f"sqlite:///{demo_copy}"
    before = db_state(url)
    result = run_cli("build", "real", "--db", url)
    assert result.exit_code == 1 and "synthetic demo database" in result.output
    assert db_state(url) == before


def test_a_network_failure_stops_the_build_and_a_rerun_continues(tmp_path):
    tyonv, population = small_table(), real_121w_table()[0]
    url = f"sqlite:///{tmp_path / 'real.sqlite'}"
    with PxWebStandIn([tyonv, population], max_values=100_000, always="500") as api:
        failed = run_cli("build", "real", "--db", url, "--tyonv-url", api.url(tyonv), "--population-url",
                         api.url(population), "--wfs-url", "http://127.0.0.1:9/wfs", "--retries", "0")
    assert failed.exit_code == 1 and "network problem" in failed.output and "HTTP 500" in failed.output
    assert query(url, "SELECT count(*) FROM observation") == [(0,)]  # the failed fetch wrote nothing
    with PxWebStandIn([tyonv, population], max_values=100_000) as api:
        again = build(url, api.url(tyonv), api.url(population), "http://127.0.0.1:9/wfs")
    assert again.exit_code == 0, again.output
    assert query(url, "SELECT count(DISTINCT period) FROM observation WHERE indicator_code = 'jobseekers'") == [(3,)]


def app(url: str, monkeypatch, page: str | None = None, **params):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("PILOT_TRACKER_DB", url)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_dashboard_serves_the_real_database_without_the_demo_banner(real_db, monkeypatch):
    from app.i18n import t

    url = real_db[0]
    for page in (None, "pages/map.py", "pages/trends.py", "pages/gauges.py", "pages/data.py"):
        at = app(url, monkeypatch, page, lang="en")
        assert not at.error, (page, [e.value for e in at.error])
        assert t("demo.banner", "en") not in [w.value for w in at.warning], page
    at = app(url, monkeypatch, "pages/trends.py", lang="en", indicator="unemployed_jobseekers", areas="SSS")
    captions = [as_rendered(c.value) for c in at.caption]
    assert any(c.startswith("Months shown 2019-01–2026-06: Statistics Finland PxWeb API: Työttömät") for c in captions)
    at = app(url, monkeypatch, "pages/data.py", lang="en")
    text = "\n".join(m.value for m in at.markdown)
    assert "The registry holds 23 of the 25 pilot areas and 107 of the 118 municipalities" in text
    assert "Still unknown: 2 pilot areas with 11 municipalities in all" in text
    releases = next(df.value for df in at.dataframe if t("data.col_months", "en") in df.value.columns)
    assert "2019-01 – 2026-06" in releases[t("data.col_months", "en")].tolist()
    assert "2026" in releases[t("data.col_division", "en")].tolist()


def test_trends_show_the_published_points_with_their_source(real_db, monkeypatch):
    url = real_db[0]
    at = app(url, monkeypatch, "pages/trends.py", lang="en", indicator="pilot_clients", areas="GRP_PILOT,PILOT01")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    points = [trace for trace in spec["data"] if trace["name"].endswith(": published figure")]
    assert [p["name"] for p in points] == ["All pilot municipalities: published figure", "Helsinki: published figure"]
    assert all(p["marker"]["symbol"] == "diamond" for p in points)
    hover = " ".join(points[0]["hovertext"])
    assert "Työllisyyden kuntakokeilujen tilastokatsaus joulukuun 2021 lopulta (TEM)" in hover
    assert "The series has no value for this month." in hover  # a real database without monitoring data
    table = next(df.value for df in at.dataframe if "Series value" in df.value.columns)
    assert 234180.0 in table["Published figure"].tolist() and "Source" in table.columns
    assert any("also published for" in c.value and "Vantaa–Kerava" in c.value for c in at.caption)
    at = app(url, monkeypatch, "pages/trends.py", lang="en", indicator="unemployed_jobseekers", areas="SSS,KU091")
    table = next(df.value for df in at.dataframe if "Series value" in df.value.columns)
    series = dict(zip(zip(table["Area"], table["Month"].astype(str).str[:7]), table["Series value"]))
    published = dict(zip(zip(table["Area"], table["Month"].astype(str).str[:7]), table["Published figure"]))
    assert published[("Whole country", "2022-10")] == 232400 and series[("Whole country", "2022-10")] > 0
    differences = dict(zip(zip(table["Area"], table["Month"].astype(str).str[:7]),
                           table["Difference (published − series)"]))
    assert differences[("Helsinki", "2022-10")] == published[("Helsinki", "2022-10")] - series[("Helsinki", "2022-10")]


def test_the_real_databases_stored_series_are_the_computed_ones(real_db):
    """Published ELY and country totals, suppressed cells and area divisions: the stored copy of every
    kind of summed area (and the municipalities' ratios) is what the dashboard computes."""
    from tests.test_stored_series import _compare, _some_of_each_kind

    url, output, *_ = real_db
    assert "stored series of" in output
    assert _compare(url, _some_of_each_kind) > 50
