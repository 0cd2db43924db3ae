"""Screen boundaries: simplification, rounding, ids, subsets, and the payload of the real 309 municipalities."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import polars as pl
import pytest
import shapely
from shapely.geometry import MultiPolygon, box

from app import geo, queries
from app.charts.maps import choropleth_map
from app.db import readonly_engine
from tests.conftest import ROOT, shared_file

PAYLOAD_LIMIT = 250_000  # bytes of fig.to_json() for the whole country


def boundary_frame(geometries: dict) -> pl.DataFrame:
    return pl.DataFrame({"area_code": list(geometries),
                         "geometry": [shapely.to_geojson(g) for g in geometries.values()]})


def wiggly_grid(n: int = 6, step: float = 0.5, points_per_edge: int = 200) -> dict:
    """An n x n tiling of detailed cells whose shared edges carry the same wiggles (a valid coverage)."""
    def edge(a, b, seed):
        t = np.linspace(0, 1, points_per_edge)
        k = 3 + seed % 7  # a smooth wiggle, zero at both ends: the edge stays a simple curve
        noise = 0.01 * np.sin(np.pi * k * t) + 0.003 * np.sin(np.pi * (5 * k + 1) * t)
        normal = np.array([-(b[1] - a[1]), b[0] - a[0]]) / step
        return np.outer(1 - t, a) + np.outer(t, b) + np.outer(noise, normal)

    def h(i, j):  # horizontal edge from vertex (i, j) to (i + 1, j)
        return edge((20 + i * step, 60 + j * step), (20 + (i + 1) * step, 60 + j * step), 1000 * i + j)

    def v(i, j):  # vertical edge from (i, j) to (i, j + 1)
        return edge((20 + i * step, 60 + j * step), (20 + i * step, 60 + (j + 1) * step), 50_000 + 1000 * i + j)

    cells = {}
    for i in range(n):
        for j in range(n):
            ring = np.vstack([h(i, j)[:-1], v(i + 1, j)[:-1], h(i, j + 1)[::-1][:-1], v(i, j)[::-1]])
            cells[f"KU{i * n + j + 100:03d}"] = shapely.Polygon(ring)
    return cells


def test_feature_collection_shape_and_ids():
    frame = boundary_frame({"KU091": box(24.8, 60.1, 25.1, 60.25), "KU049": box(24.5, 60.1, 24.8, 60.35)})
    fc = geo.feature_collection(frame)
    assert fc["type"] == "FeatureCollection"
    assert geo.feature_codes(fc) == ["KU049", "KU091"]  # sorted: stable output for caching and tests
    feature = fc["features"][0]
    assert feature["type"] == "Feature" and feature["properties"] == {}
    assert feature["geometry"]["type"] == "Polygon"
    json.dumps(fc)  # plain JSON, so st.cache_data can keep it


def test_codes_filter_and_empty_input():
    frame = boundary_frame({"KU091": box(24.8, 60.1, 25.1, 60.25), "PILOT01": box(24.8, 60.1, 25.1, 60.25)})
    assert geo.feature_codes(geo.feature_collection(frame, codes=["PILOT01"])) == ["PILOT01"]
    empty = pl.DataFrame(schema={"area_code": pl.Utf8, "geometry": pl.Utf8})
    assert geo.feature_collection(empty) == {"type": "FeatureCollection", "features": []}
    assert geo.bounds(geo.feature_collection(empty)) is None


def test_coordinates_are_rounded():
    frame = boundary_frame({"KU091": shapely.Polygon([(24.81234567, 60.1), (25.1, 60.10987654), (25.0, 60.3)])})
    coords = geo.feature_collection(frame, decimals=3)["features"][0]["geometry"]["coordinates"][0]
    assert all(round(x, 3) == x and round(y, 3) == y for x, y in coords)
    assert [24.812, 60.1] in coords
    assert "24.812," in json.dumps(coords)  # prints short, no 24.812000000000001


def test_simplification_shrinks_a_detailed_coverage_and_keeps_shared_borders():
    cells = wiggly_grid()
    frame = boundary_frame(cells)
    raw_size = len(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": c, "properties": {}, "geometry": json.loads(shapely.to_geojson(g))}
        for c, g in cells.items()]}, separators=(",", ":")))
    fc = geo.feature_collection(frame)
    size = len(json.dumps(fc, separators=(",", ":")))
    assert size < raw_size / 5, (size, raw_size)
    screen = shapely.from_geojson([json.dumps(f["geometry"]) for f in fc["features"]])
    assert len(screen) == len(cells) and shapely.is_valid(screen).all()
    assert shapely.coverage_is_valid(screen)  # neighbours still share their border: no slivers or gaps
    # A coarser tolerance gives a smaller payload.
    coarser = len(json.dumps(geo.feature_collection(frame, tolerance=0.05), separators=(",", ":")))
    assert coarser < size


def test_overlapping_levels_are_simplified_one_by_one():
    cells = wiggly_grid(n=2)
    cells["ELY01"] = shapely.union_all(list(cells.values()))
    fc = geo.feature_collection(boundary_frame(cells))
    assert len(fc["features"]) == 5


def test_tiny_islands_go_but_every_area_keeps_its_largest_part():
    archipelago = MultiPolygon([box(21.0, 60.0, 21.001, 60.0005), box(21.2, 60.1, 21.3, 60.2)])
    only_islets = MultiPolygon([box(20.0, 60.0, 20.002, 60.001), box(20.01, 60.0, 20.011, 60.001)])
    fc = geo.feature_collection(boundary_frame({"KU001": archipelago, "KU002": only_islets}), decimals=4)
    kinds = {f["id"]: f["geometry"]["type"] for f in fc["features"]}
    assert kinds == {"KU001": "Polygon", "KU002": "Polygon"}


def test_subset_outline_and_bounds():
    fc = geo.feature_collection(boundary_frame({
        "KU049": box(24.5, 60.1, 24.8, 60.35),
        "KU091": MultiPolygon([box(24.8, 60.1, 25.1, 60.25), box(24.95, 60.0, 25.0, 60.05)]),
    }))
    assert geo.feature_codes(geo.subset(fc, {"KU091", "KU999"})) == ["KU091"]
    lons, lats = geo.outline_lines(fc, {"KU091"})
    assert lons.count(None) == 2 and len(lons) == len(lats)  # two rings, each closed and ended by a gap
    assert geo.bounds(fc) == pytest.approx((24.5, 60.0, 25.1, 60.35))


def test_geo_and_maps_need_no_streamlit_and_no_database():
    code = ("import sys, app.geo, app.charts.maps; "
            "bad = [m for m in ('streamlit', 'sqlalchemy', 'app.db', 'app.queries') if m in sys.modules]; "
            "sys.exit(f'imported: {bad}' if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr or done.stdout


@pytest.fixture(scope="module")
def real_boundaries(tmp_path_factory) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The shared 2021 boundaries loaded into a fresh SQLite database: (boundaries, areas)."""
    from app.ingest.boundaries import load_boundaries
    from app.ingest.store import init_database

    path = shared_file("geo", "municipalities-2021.geojson")
    url = f"sqlite:///{tmp_path_factory.mktemp('geo') / 'geo.sqlite'}"
    init_database(url).dispose()
    load_boundaries(url, path, 2021)
    engine = readonly_engine(url)
    try:
        return queries.boundaries(engine, 2021), queries.areas(engine)
    finally:
        engine.dispose()


def test_real_municipality_map_payload_is_small(real_boundaries):
    """The whole-country choropleth, pilot outlines included, stays under 250 KB of figure JSON."""
    boundaries, areas = real_boundaries
    municipalities = areas.filter(pl.col("kind") == "municipality")
    fc = geo.feature_collection(boundaries, codes=municipalities["code"].to_list())
    assert len(fc["features"]) == 309
    values = municipalities.select(
        pl.col("code").alias("area_code"), pl.col("name_fi").alias("name"),
        pl.col("population").cast(pl.Float64).alias("value"), pl.lit("final").alias("status"),
    )
    pilots = set(pl.read_csv(ROOT / "data" / "pilot_members.csv")["municipality_code"].to_list())
    labels = {"suppressed": "Salattu", "no_data": "Ei tietoa", "status_final": "Lopullinen",
              "status_provisional": "Ennakko", "status_incomplete": "Puutteellinen",
              "status_suppressed": "Salattu", "status_missing": "Puuttuu", "highlight": "Kokeilukunta"}
    fig = choropleth_map(values, fc, value_label="Väestö", format_value=lambda v: f"{v:,.0f}", labels=labels,
                         highlight_codes=pilots)
    payload = len(fig.to_json().encode())
    print(f"\nchoropleth payload for 309 municipalities with {len(pilots)} outlined: {payload:,} bytes")
    assert payload < PAYLOAD_LIMIT


def test_real_group_levels_tile_and_stay_small(real_boundaries):
    boundaries, areas = real_boundaries
    for kind, n in (("pilot", 23), ("ely", 15), ("region", 19)):
        codes = areas.filter(pl.col("kind") == kind)["code"].to_list()
        fc = geo.feature_collection(boundaries, codes=codes)
        assert len(fc["features"]) == n
        assert len(json.dumps(fc, separators=(",", ":"))) < PAYLOAD_LIMIT
