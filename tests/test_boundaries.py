"""Boundary loading: formats, CRSs, code forms, reports, dissolved groups, idempotence, errors, WFS fetch."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import box
from sqlalchemy import func, select

from app import schema
from app.cli import main
from app.ingest.boundaries import load_boundaries
from app.ingest.errors import InputError, NetworkError
from app.ingest.wfs import fetch_boundaries, wfs_url
from app.ingest.store import init_database, writable_engine
from tests.conftest import shared_file

FIXTURES = Path(__file__).parent / "fixtures" / "geo"
WFS_FIXTURE = FIXTURES / "wfs-kunta4500k-2021.json"
MIXED_FIXTURE = FIXTURES / "mixed-codes.geojson"
UUSIMAA = {"KU049": box(24.5, 60.1, 24.8, 60.35), "KU091": box(24.8, 60.1, 25.1, 60.25),
           "KU092": box(24.8, 60.25, 25.1, 60.4)}


@pytest.fixture
def db(any_db_url) -> str:
    init_database(any_db_url).dispose()
    return any_db_url


@pytest.fixture
def sqlite_db(sqlite_url) -> str:
    init_database(sqlite_url).dispose()
    return sqlite_url


def stored(url: str, year: int = 2021) -> dict[str, str]:
    engine = writable_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(schema.boundary.c.area_code, schema.boundary.c.geometry)
                            .where(schema.boundary.c.year == year)).all()
    engine.dispose()
    return dict(rows)


def count(url: str, table) -> int:
    engine = writable_engine(url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(table)).scalar()
    engine.dispose()
    return n


def frame(codes: list, column: str = "kunta", crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """The three Uusimaa rectangles with codes in the given form, in crs."""
    geometries = list(UUSIMAA.values())
    return gpd.GeoDataFrame({column: codes}, geometry=geometries, crs="EPSG:4326").to_crs(crs)


def test_geojson_with_codes_in_every_form(db):
    result = load_boundaries(db, MIXED_FIXTURE, 2021)
    assert result.code_field == "kuntakoodi"
    assert result.municipalities == ["KU049", "KU091", "KU092"]
    assert result.unmatched == ["999"]
    assert len(result.missing) == 309 - 3 and "KU005" in result.missing
    rows = stored(db)
    assert {"KU049", "KU091", "KU092"} <= set(rows)
    geometry = shapely.from_geojson(rows["KU091"])
    assert geometry.geom_type == "Polygon" and geometry.is_valid
    assert shapely.equals_exact(geometry.normalize(), UUSIMAA["KU091"].normalize(), tolerance=1e-6)


def test_groups_are_dissolved_with_the_year_s_membership(db):
    result = load_boundaries(db, MIXED_FIXTURE, 2021)
    rows = stored(db)
    # PILOT01-03 start on 1.3.2021 (nobody is a member on 1 January): they take their first members.
    for pilot, muni in (("PILOT01", "KU091"), ("PILOT02", "KU049"), ("PILOT03", "KU092")):
        assert shapely.from_geojson(rows[pilot]).equals(shapely.from_geojson(rows[muni]))
    union = shapely.from_geojson(rows["ELY01"])
    assert union.area == pytest.approx(sum(g.area for g in UUSIMAA.values()), rel=1e-6)
    assert "MK01" in rows and result.groups == {"pilot": 3, "ely": 1, "region": 1}
    assert any("ELY01" in w and "partial" in w for w in result.warnings)
    # In 2025 the pilots are over: no pilot outlines for that year.
    later = load_boundaries(db, MIXED_FIXTURE, 2025)
    assert "pilot" not in later.groups and "PILOT01" not in stored(db, 2025)


def test_integer_codes_in_a_geopackage(db, tmp_path):
    path = tmp_path / "munis.gpkg"
    frame([49, 91, 92], column="KUNTA").to_file(path, layer="kunnat", driver="GPKG")
    result = load_boundaries(db, path, 2021)
    assert result.municipalities == ["KU049", "KU091", "KU092"] and result.code_field == "KUNTA"


def test_etrs_tm35fin_geopackage_is_reprojected(db, tmp_path):
    path = tmp_path / "tm35.gpkg"
    projected = frame(["049", "091", "092"], crs="EPSG:3067")
    assert projected.total_bounds[1] > 6_000_000  # metres, really projected
    projected.to_file(path, driver="GPKG")
    result = load_boundaries(db, path, 2021)
    assert result.source_crs == "EPSG:3067"
    helsinki = shapely.from_geojson(stored(db)["KU091"])
    lon_min, lat_min, lon_max, lat_max = helsinki.bounds
    assert 19 < lon_min < lon_max < 32 and 59 < lat_min < lat_max < 71
    assert helsinki.bounds == pytest.approx(UUSIMAA["KU091"].bounds, abs=0.01)


def test_zipped_shapefile_in_tm35fin(sqlite_db, tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    frame(["049", "091", "092"], column="natcode", crs="EPSG:3067").to_file(folder / "kunnat.shp")
    archive = tmp_path / "kunnat.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    result = load_boundaries(sqlite_db, archive, 2021)
    assert result.municipalities == ["KU049", "KU091", "KU092"] and result.source_crs == "EPSG:3067"
    assert shapely.from_geojson(stored(sqlite_db)["KU049"]).bounds[0] == pytest.approx(24.5, abs=0.01)


def test_shapefile_without_crs_in_metres_is_taken_as_tm35fin(sqlite_db, tmp_path):
    path = tmp_path / "noprj.shp"
    frame(["049", "091", "092"], crs="EPSG:3067").to_file(path)
    path.with_suffix(".prj").unlink()
    result = load_boundaries(sqlite_db, path, 2021)
    assert result.source_crs == "EPSG:3067" and any("EPSG:3067 was assumed" in w for w in result.warnings)
    assert shapely.from_geojson(stored(sqlite_db)["KU091"]).bounds == pytest.approx(UUSIMAA["KU091"].bounds, abs=0.01)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_coordinates_of_unknown_units_are_refused(sqlite_db, tmp_path):
    path = tmp_path / "unknown.shp"
    gpd.GeoDataFrame({"kunta": ["091"]}, geometry=[box(500, 500, 600, 600)]).to_file(path)
    with pytest.raises(InputError, match="neither degrees nor ETRS-TM35FIN"):
        load_boundaries(sqlite_db, path, 2021)


def test_latitude_longitude_order_is_detected(sqlite_db, tmp_path):
    swapped = gpd.GeoDataFrame({"kunta": ["049", "091", "092"]}, crs="EPSG:4326",
                               geometry=[shapely.transform(g, lambda xy: xy[:, ::-1]) for g in UUSIMAA.values()])
    path = tmp_path / "swapped.geojson"
    swapped.to_file(path)
    result = load_boundaries(sqlite_db, path, 2021)
    assert any("swapped" in w for w in result.warnings)
    assert shapely.from_geojson(stored(sqlite_db)["KU091"]).bounds == pytest.approx(UUSIMAA["KU091"].bounds)


def test_code_field_option_and_layer_choice(sqlite_db, tmp_path):
    path = tmp_path / "two.gpkg"
    both = frame(["049", "091", "092"], column="code")
    both["old_code"] = ["092", "049", "091"]  # matches too, but is not the field the user means
    both.to_file(path, layer="munis", driver="GPKG")
    gpd.GeoDataFrame({"hva": ["X"]}, geometry=[box(24, 60, 26, 61)], crs="EPSG:4326").to_file(
        path, layer="welfare", driver="GPKG")
    auto = load_boundaries(sqlite_db, path, 2021)
    assert auto.layer == "munis" and auto.code_field == "code"
    chosen = load_boundaries(sqlite_db, path, 2021, code_field="old_code")
    assert chosen.code_field == "old_code"
    assert shapely.from_geojson(stored(sqlite_db)["KU092"]).bounds == pytest.approx(UUSIMAA["KU049"].bounds)


def test_loading_again_changes_nothing_and_stale_rows_go(db, tmp_path):
    load_boundaries(db, MIXED_FIXTURE, 2021)
    first = stored(db)
    releases = count(db, schema.release)
    load_boundaries(db, MIXED_FIXTURE, 2021)
    assert stored(db) == first and count(db, schema.release) == releases
    # A smaller file for the same year replaces the year; another year is left alone.
    load_boundaries(db, MIXED_FIXTURE, 2020)
    smaller = tmp_path / "two.geojson"
    frame(["049", "091", "092"]).iloc[:2].to_file(smaller)
    load_boundaries(db, smaller, 2021)
    assert "KU092" not in stored(db) and "PILOT03" not in stored(db)
    assert "KU092" in stored(db, 2020)


@pytest.mark.parametrize("content, message", [
    (None, "file not found"),
    ("this is not a map\n", "cannot be read as a vector file"),
    (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nimi": "Helsinki"},
         "geometry": {"type": "Point", "coordinates": [25, 60]}}]}), "no municipality code field found"),
])
def test_bad_files_say_what_is_wrong(sqlite_db, tmp_path, content, message):
    path = tmp_path / "bad.geojson"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        load_boundaries(sqlite_db, path, 2021)
    assert info.value.file == str(path)
    assert count(sqlite_db, schema.boundary) == 0


def test_a_missing_database_says_to_initialise_it_and_is_not_created(sqlite_url):
    from app.ingest.errors import DatabaseNotReady

    with pytest.raises(DatabaseNotReady, match="pilot-tracker db init"):
        load_boundaries(sqlite_url, MIXED_FIXTURE, 2021)
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_named_field_without_municipalities(sqlite_db):
    with pytest.raises(InputError, match="no municipality matched") as info:
        load_boundaries(sqlite_db, MIXED_FIXTURE, 2021, code_field="nimi")
    assert info.value.column == "nimi"
    with pytest.raises(InputError, match="no field 'nope'"):
        load_boundaries(sqlite_db, MIXED_FIXTURE, 2021, code_field="nope")


def test_a_failed_load_leaves_the_database_as_it_was(sqlite_db, tmp_path):
    load_boundaries(sqlite_db, MIXED_FIXTURE, 2021)
    before = stored(sqlite_db)
    far = tmp_path / "far.geojson"
    gpd.GeoDataFrame({"kunta": ["091"]}, geometry=[box(100, 10, 101, 11)], crs="EPSG:4326").to_file(far)
    with pytest.raises(InputError, match="lie outside Finland"):
        load_boundaries(sqlite_db, far, 2021)
    assert stored(sqlite_db) == before


def test_cli_load_reports_unmatched_and_missing(sqlite_db):
    result = CliRunner().invoke(main, ["boundaries", "load", str(MIXED_FIXTURE), "--year", "2021",
                                       "--db", sqlite_db])
    assert result.exit_code == 0, result.output
    assert "3 municipalities, 3 pilot areas, 1 ELY areas, 1 regions" in result.output
    assert "match no municipality and were skipped: 999" in result.output
    assert "306 municipalities of 2021 have no boundary" in result.output


def test_cli_load_error_is_one_clear_line(sqlite_db, tmp_path):
    path = tmp_path / "nothing.geojson"
    result = CliRunner().invoke(main, ["boundaries", "load", str(path), "--year", "2021", "--db", sqlite_db])
    assert result.exit_code == 1
    assert f"Error: {path}: file not found" in result.output and "Traceback" not in result.output


# --- fetch: never the network; a local HTTP server or a saved answer stands in for the WFS ---------------

class _WfsHandler(http.server.BaseHTTPRequestHandler):
    body = WFS_FIXTURE.read_bytes()
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).requests.append(self.path)
        if "typeNames=tilastointialueet%3Akunta4500k_2021" not in self.path:
            self.send_error(404, "no such layer")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def wfs_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WfsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _WfsHandler.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}/geoserver/tilastointialueet/wfs"
    server.shutdown()
    server.server_close()


def test_wfs_request_names_the_layer_format_and_crs():
    url = wfs_url(2021)
    assert url.startswith("https://geo.stat.fi/geoserver/tilastointialueet/wfs?")
    for part in ("service=WFS", "version=2.0.0", "request=GetFeature", "typeNames=tilastointialueet%3Akunta4500k_2021",
                 "outputFormat=application%2Fjson", "srsName=EPSG%3A4326"):
        assert part in url


def test_fetch_from_a_local_wfs(db, wfs_server):
    result = fetch_boundaries(db, 2021, base=wfs_server)
    assert result.municipalities == ["KU049", "KU091", "KU092"] and result.code_field == "kunta"
    assert len(_WfsHandler.requests) == 1 and "request=GetFeature" in _WfsHandler.requests[0]
    helsinki = shapely.from_geojson(stored(db)["KU091"])
    assert helsinki.geom_type == "MultiPolygon" and len(helsinki.geoms) == 2
    engine = writable_engine(db)
    with engine.connect() as conn:
        release = conn.execute(select(schema.release.c.source, schema.release.c.url, schema.release.c.licence)).one()
    engine.dispose()
    assert release.url.startswith(wfs_server) and "CC BY 4.0" in release.licence
    assert release.source == "Statistics Finland WFS tilastointialueet:kunta4500k_2021"


def test_fetch_of_a_year_without_a_layer(sqlite_db, wfs_server):
    with pytest.raises(NetworkError, match="HTTP 404"):
        fetch_boundaries(sqlite_db, 1999, base=wfs_server)


def test_fetch_offline_is_a_network_error_not_bad_input(sqlite_db):
    with pytest.raises(NetworkError, match="could not download.*check the network connection") as info:
        fetch_boundaries(sqlite_db, 2021, base="http://127.0.0.1:9/wfs", timeout=2)
    assert not isinstance(info.value, InputError) and info.value.url.startswith("http://127.0.0.1:9/wfs?")
    assert count(sqlite_db, schema.boundary) == 0


def test_cli_fetch_offline_says_network_problem(sqlite_db):
    result = CliRunner().invoke(main, ["boundaries", "fetch", "--year", "2021", "--db", sqlite_db,
                                       "--url", "http://127.0.0.1:9/wfs", "--timeout", "2"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: network problem: http://127.0.0.1:9/wfs?") and "Traceback" not in result.output
    assert "Nothing was loaded; the database is as it was." in result.output


def test_fetch_rejects_a_non_json_answer(sqlite_db):
    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b'<?xml version="1.0"?><ows:ExceptionReport>Unknown type</ows:ExceptionReport>'

    with pytest.raises(InputError, match="not GeoJSON: <\\?xml"):
        fetch_boundaries(sqlite_db, 2021, opener=lambda url, timeout: Answer())


def test_cli_fetch_reads_a_saved_answer(sqlite_db):
    result = CliRunner().invoke(main, ["boundaries", "fetch", "--year", "2021", "--db", sqlite_db,
                                       "--url", WFS_FIXTURE.resolve().as_uri()])
    assert result.exit_code == 0, result.output
    assert "3 municipalities" in result.output


# --- the real 2021 boundaries (shared data; skipped when absent) ------------------------------------------

@pytest.mark.parametrize("name, code_field", [("municipalities-2021.geojson", "municipality_code"),
                                              ("finland-hva-2021.topo.json", "id")])
def test_real_2021_boundaries_match_all_309(db, name, code_field):
    path = shared_file("geo", name)
    result = load_boundaries(db, path, 2021)
    assert len(result.municipalities) == 309 and result.code_field == code_field
    assert result.unmatched == [] and result.missing == []
    assert result.groups == {"pilot": 23, "ely": 15, "region": 19}
    rows = stored(db)
    assert len(rows) == 309 + 23 + 15 + 19
    assert all(shapely.from_geojson(g).is_valid for g in rows.values())


def test_makefile_command_on_a_fresh_demo_database(demo_sqlite, tmp_path):
    """The exact command `make` runs, from a project folder with a fresh demo database."""
    boundaries = shared_file("geo", "municipalities-2021.geojson")
    (tmp_path / "data").mkdir()
    shutil.copy(demo_sqlite.removeprefix("sqlite:///"), tmp_path / "data" / "demo.sqlite")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "pilot-tracker"), "boundaries", "load", str(boundaries), "--year", "2021",
         "--db", "sqlite:///data/demo.sqlite"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "309 municipalities" in done.stdout
    assert len(stored(f"sqlite:///{tmp_path / 'data' / 'demo.sqlite'}")) == 309 + 23 + 15 + 19


@pytest.mark.postgres
def test_boundaries_load_into_a_demo_database_on_postgres(pg_url):
    """The demo builder writes release #1 itself; the boundary load's release must not collide with it."""
    from datetime import date

    from app.ingest.demo import DemoSpec, build_demo

    build_demo(pg_url, DemoSpec(first_month=date(2021, 3, 1), last_month=date(2021, 3, 1)))
    load_boundaries(pg_url, MIXED_FIXTURE, 2021)
    load_boundaries(pg_url, MIXED_FIXTURE, 2021)  # again: the same release is reused
