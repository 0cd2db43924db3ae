"""What is measured: the demo build, the queries behind each page, each page's view, and the map payload.

Queries and views read through app.views.source.QuerySource, uncached: what a page costs on a cache
miss (a first visitor, or the first one after a load), without Streamlit's own rendering.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from app import geo, queries
from app.areas import COUNTRY
from app.db import readonly_engine
from app.indicators import registry
from app.ingest.boundaries import load_boundaries
from app.ingest.demo import build_demo
from app.settings import DATA_DIR
from app.views.gauges import gauge_view, history_view
from app.views.maps import MAP_LEVELS, map_view
from app.views.overview import overview_view
from app.views.source import QuerySource
from app.views.trends import DEFAULT_AREAS, trend_view
from benchmarks.timing import Result, measure, payload_size, timed_once

BOUNDARY_DIR = DATA_DIR / "boundaries"
BOUNDARY_SUFFIXES = (".json", ".geojson", ".topojson", ".gpkg", ".zip", ".shp")
LANG = "en"


def shipped_boundaries(folder: Path = BOUNDARY_DIR) -> tuple[Path, int] | None:
    """The boundary file that ships in data/boundaries/ and its year (from its name), if there is one."""
    files = sorted(p for p in folder.glob("*") if p.is_file() and p.name.lower().endswith(BOUNDARY_SUFFIXES))
    for path in files:
        year = re.search(r"(19|20)\d\d", path.name)
        if year:
            return path, int(year.group())
    return None


def build_demo_databases(folder: Path, repeat: int) -> tuple[str, list[Result], list[str]]:
    """Build the demo database repeat times (each timed); the last one gets boundaries if it has none."""
    results, url = [], ""
    for i in range(repeat):
        path = folder / f"demo-{i}.sqlite"
        url = f"sqlite:///{path}"
        results.append(timed_once("demo database build (app.ingest.demo.build_demo)",
                                  lambda url=url: build_demo(url)))
        if i < repeat - 1:
            path.unlink()
    build = [Result(results[0].name, [r.runs_ms[0] for r in results], {"note": "SQLite, 2019-01..2024-12"})]
    if _has_boundaries(url):
        return url, build, []
    shipped = shipped_boundaries()
    if shipped is None:
        return url, build, [f"no boundary file in {BOUNDARY_DIR}; the maps are symbol maps"]
    path, year = shipped
    build.append(timed_once("boundary load (app.ingest.boundaries.load_boundaries)",
                            lambda: load_boundaries(url, path, year), {"note": f"{path.name}, run once"}))
    return url, build, []


def _has_boundaries(url: str) -> bool:
    engine = readonly_engine(url)
    try:
        return not queries.boundaries(engine).is_empty()
    finally:
        engine.dispose()


def _rows(frame) -> dict:
    return {"rows": frame.height}


def _latest(source: QuerySource, code: str) -> date | None:
    months = source.periods(code)
    return months[-1] if months else None


def query_results(source: QuerySource, repeat: int, notes: list[str]) -> list[Result]:
    """app.queries.indicator_values as the pages call it."""
    municipalities, elys, pilots = (source.codes_of_kind(k) for k in ("municipality", "ely", "pilot"))
    latest, latest_share = _latest(source, "unemployment_share"), _latest(source, "client_share")
    cases = [
        ("whole country, all months, count (pilot_clients)", "pilot_clients", [COUNTRY], None, None),
        ("whole country, all months, ratio (unemployment_share)", "unemployment_share", [COUNTRY], None, None),
        (f"{len(municipalities)} municipalities, one month, ratio (map)", "unemployment_share", municipalities,
         latest, latest),
        (f"{len(elys)} ELY areas, one month, ratio (gauges)", "client_share", elys, latest_share, latest_share),
        (f"{len(elys)} ELY areas, all months, ratio (gauge history)", "client_share", elys, None, None),
        (f"{len(pilots)} pilot areas, all months, count (pilot_clients)", "pilot_clients", pilots, None, None),
        (f"{len(pilots)} pilot areas, all months, ratio (client_share)", "client_share", pilots, None, None),
    ]
    results = []
    for name, code, area_codes, start, end in cases:
        if _latest(source, code) is None:
            notes.append(f"skipped (no {code} data in this database): {name}")
            continue
        result, _ = measure(name, lambda: source.values(code, area_codes, start, end), repeat, _rows)
        results.append(result)
    return results


def view_results(source: QuerySource, repeat: int, notes: list[str]) -> list[Result]:
    """Each page's view function, uncached, with the page's default state (the latest month)."""
    reg = registry()
    month, share_month = _latest(source, "unemployment_share"), _latest(source, "client_share")
    cases = []
    if month is not None:
        cases += [("map page, municipalities (app.views.maps.map_view)",
                   lambda: map_view(source, reg["unemployment_share"], month, "municipality", LANG).figure),
                  ("trends page, default areas (app.views.trends.trend_view)",
                   lambda: trend_view(source, reg["unemployment_share"], DEFAULT_AREAS, "value", LANG).figure)]
    if share_month is not None:
        elys = source.codes_of_kind("ely")
        cases += [("overview page (app.views.overview.overview_view)", lambda: overview_view(source, LANG)),
                  ("gauges page, gauges and history (app.views.gauges)",
                   lambda: (gauge_view(source, share_month, LANG), history_view(source, elys[:5], LANG)))]
    else:
        notes.append("views of the pilot indicators skipped: no client_share data in this database")
    return [measure(name, view, repeat)[0] for name, view in cases]


class WarmSource(QuerySource):
    """Every answer kept after its first read, as the dashboard's caches are when warm."""

    def __init__(self, engine):
        super().__init__(engine)
        self._kept: dict = {}

    def _warm(self, name: str, *args):
        key = (name, *(tuple(a) if isinstance(a, (list, tuple)) else a for a in args))
        if key not in self._kept:
            self._kept[key] = getattr(super(), name)(*args)
        return self._kept[key]

    def areas(self):
        return self._warm("areas")

    def values(self, indicator_code: str, area_codes: Sequence[str], start=None, end=None):
        return self._warm("values", indicator_code, area_codes, start, end)

    def memberships(self, group_codes: Sequence[str]):
        return self._warm("memberships", group_codes)

    def geojson(self, kind: str):
        return self._warm("geojson", kind)


def map_results(engine, repeat: int) -> tuple[list[Result], list[str]]:
    """Screen GeoJSON per level (app.geo), and the map figure's JSON from warm reads (app.views.maps)."""
    stored = queries.boundaries(engine)
    if stored.is_empty():
        return [], ["map payload skipped: no boundaries in the database (the map page draws a symbol map)"]
    source = WarmSource(engine)
    results = []
    for level in MAP_LEVELS:
        codes = source.codes_of_kind(level)
        result, _ = measure(
            f"screen GeoJSON, {level} level (app.geo.feature_collection)",
            lambda: geo.feature_collection(stored, codes=codes), repeat,
            lambda fc: {"features": len(fc["features"]), **payload_size(json.dumps(fc))})
        results.append(result)
    indicator = registry()["unemployment_share"]
    month = _latest(source, indicator.code)
    if month is None:
        return results, []
    for level in ("municipality", "pilot"):  # as the map page and the overview draw them
        result, _ = measure(f"{level} map figure + to_json (app.views.maps.map_view)",
                            lambda level=level: map_view(source, indicator, month, level, LANG).figure.to_json(),
                            repeat, payload_size)
        results.append(result)
    return results, []
