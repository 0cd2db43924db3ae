"""Stored boundaries -> a small Plotly-ready GeoJSON FeatureCollection (pure: no database, no Streamlit).

The stored geometry is detailed enough to print; the screen needs far less. `feature_collection`
simplifies the polygons together when they tile (shared borders stay shared, no slivers), drops
islands too small to see, rounds coordinates to SCREEN_DECIMALS and sets each feature's `id` to its
area code, which is what Plotly's choropleth matches `locations` against. Its result is a plain dict,
so the UI can cache it (st.cache_data) per level.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np
import polars as pl
import shapely

SCREEN_TOLERANCE = 0.01  # degrees; coverage simplification removes triangles of about this side length
SCREEN_DECIMALS = 3  # 0.001 degrees: ~110 m north-south, ~50 m east-west in Finland


def parse_geometries(boundaries: pl.DataFrame) -> tuple[list[str], np.ndarray]:
    """(area codes, shapely geometries) from a frame with columns area_code and geometry (GeoJSON text)."""
    codes = boundaries.get_column("area_code").to_list()
    geometries = shapely.from_geojson(boundaries.get_column("geometry").to_list()) if codes else np.array([])
    return codes, np.asarray(geometries, dtype=object)


def _drop_small_parts(geometry, min_area: float):
    """Drop polygon parts smaller than min_area but always keep the largest one."""
    if geometry is None or geometry.geom_type != "MultiPolygon":
        return geometry
    parts = shapely.get_parts(geometry)
    areas = shapely.area(parts)
    keep = parts[(areas >= min_area) | (areas == areas.max())]
    return keep[0] if len(keep) == 1 else shapely.MultiPolygon(list(keep))


def simplify_for_screen(geometries: np.ndarray, tolerance: float = SCREEN_TOLERANCE) -> np.ndarray:
    """Simplify a set of polygons: as a coverage when they tile without overlap, else one by one."""
    if len(geometries) == 0:
        return geometries
    geometries = np.asarray([_drop_small_parts(g, tolerance ** 2) for g in geometries], dtype=object)
    if shapely.coverage_is_valid(geometries):
        return np.asarray(shapely.coverage_simplify(geometries, tolerance), dtype=object)
    return np.asarray(shapely.simplify(geometries, tolerance / 2, preserve_topology=True), dtype=object)


def round_coordinates(geometries: np.ndarray, decimals: int = SCREEN_DECIMALS) -> np.ndarray:
    """Snap to a 10^-decimals grid (dropping collapsed rings), then round so JSON prints short numbers."""
    snapped = shapely.set_precision(geometries, 10.0 ** -decimals)
    return np.asarray(shapely.transform(snapped, lambda xy: np.round(xy, decimals)), dtype=object)


def feature_collection(boundaries: pl.DataFrame, *, codes: Iterable[str] | None = None,
                       tolerance: float = SCREEN_TOLERANCE, decimals: int = SCREEN_DECIMALS) -> dict:
    """A compact FeatureCollection with `id` = area code, for the areas in codes (all when None).

    Pass one level at a time (municipalities, or pilot areas, ...): polygons of one level tile the
    country and are simplified together so neighbours keep a common border.
    """
    if codes is not None:
        wanted = set(codes)
        boundaries = boundaries.filter(pl.col("area_code").is_in(sorted(wanted)))
    boundaries = boundaries.sort("area_code")
    area_codes, geometries = parse_geometries(boundaries)
    screen = round_coordinates(simplify_for_screen(geometries, tolerance), decimals)
    features = []
    for code, geometry in zip(area_codes, screen):
        if geometry is None or geometry.is_empty:
            continue
        features.append({"type": "Feature", "id": code, "properties": {},
                         "geometry": json.loads(shapely.to_geojson(geometry))})
    return {"type": "FeatureCollection", "features": features}


def feature_codes(geojson: dict) -> list[str]:
    return [f["id"] for f in geojson["features"]]


def subset(geojson: dict, codes: Iterable[str]) -> dict:
    """The features whose id is in codes (a trace carries only the features it draws)."""
    wanted = set(codes)
    return {"type": "FeatureCollection", "features": [f for f in geojson["features"] if f["id"] in wanted]}


def join_values(geojson: dict, values: pl.DataFrame, *, key: str = "area_code") -> dict:
    """The features with the matching row of values as properties (for a GeoJSON download)."""
    rows = {row[key]: row for row in values.to_dicts()}
    return {"type": "FeatureCollection", "features": [
        {**f, "properties": {**f.get("properties", {}), **rows[f["id"]]}}
        for f in geojson["features"] if f["id"] in rows
    ]}


def _rings(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def outline_lines(geojson: dict, codes: Iterable[str]) -> tuple[list[float | None], list[float | None]]:
    """Longitudes and latitudes of the outer rings of the features in codes, None between rings.

    The shape a Scattergeo line trace needs to outline areas above a choropleth.
    """
    wanted = set(codes)
    lons: list[float | None] = []
    lats: list[float | None] = []
    for feature in geojson["features"]:
        if feature["id"] not in wanted:
            continue
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            exterior = polygon[0]
            lons.extend([p[0] for p in exterior] + [None])
            lats.extend([p[1] for p in exterior] + [None])
    return lons, lats


def bounds(geojson: dict) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of all features, None when there are none."""
    coords = [point for f in geojson["features"] for ring in _rings(f["geometry"]) for point in ring]
    if not coords:
        return None
    xy = np.asarray(coords, dtype=float)
    return float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max())
