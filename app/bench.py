"""The benchmark: how long the demo build, the pages' queries and the map payload take on this machine.

Run `python -m app.bench` (or `make bench`); `--db URL` measures an existing database instead of
building one, `--json` prints the results as JSON. Timings use time.perf_counter; each measurement
runs once untimed (warm-up: connection, imports, SQLite page cache) and then --repeat times, and
reports the median and the 95th percentile (nearest rank, so with 10 runs it is the slowest).
This is a tool, not a test: nothing here fails on a slow machine.

The demo database is built through the CLI command (`pilot-tracker demo`), in-process, because only
the CLI may import app.ingest (tests/test_architecture.py).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from app import geo, queries
from app.charts.indicator_map import MAP_LEVELS, indicator_map, level_frame
from app.db import readonly_engine
from app.i18n import area_name
from app.indicators import registry
from app.settings import PROJECT_ROOT

BOUNDARY_FILE = PROJECT_ROOT.parent / "shared" / "data" / "geo" / "municipalities-2021.geojson"
BOUNDARY_YEAR = 2021


@dataclass
class Result:
    name: str
    runs_ms: list[float]
    facts: dict = field(default_factory=dict)  # rows, features, json_bytes, gzip_bytes, note

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.runs_ms)
        return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]

    def as_dict(self) -> dict:
        return {**asdict(self), "n": len(self.runs_ms), "median_ms": round(self.median_ms, 2),
                "p95_ms": round(self.p95_ms, 2)}


def measure(name: str, fn: Callable[[], object], repeat: int,
            describe: Callable[[object], dict] = lambda _: {}) -> tuple[Result, object]:
    """fn's wall time over repeat runs after one untimed warm-up run, and fn's last return value."""
    fn()
    runs, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        runs.append((time.perf_counter() - started) * 1000)
    return Result(name, runs, describe(value)), value


def _cli(*args: str) -> None:
    """Run one pilot-tracker command in this process, its output swallowed; a failure raises."""
    from app.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main.main(list(args), standalone_mode=False)


def build_demo_databases(folder: Path, repeat: int) -> tuple[str, list[Result], list[str]]:
    """Build the demo database repeat times (timed), load boundaries into the last one (timed once)."""
    runs, url = [], ""
    for i in range(repeat):
        path = folder / f"demo-{i}.sqlite"
        url = f"sqlite:///{path}"
        started = time.perf_counter()
        _cli("demo", "--db", url)
        runs.append((time.perf_counter() - started) * 1000)
        if i < repeat - 1:
            path.unlink()
    results = [Result("demo database build (pilot-tracker demo)", runs, {"note": "SQLite, 2019-01..2024-12"})]
    notes = []
    if BOUNDARY_FILE.is_file():
        started = time.perf_counter()
        try:
            _cli("boundaries", "load", str(BOUNDARY_FILE), "--year", str(BOUNDARY_YEAR), "--db", url)
        except Exception as exc:  # noqa: BLE001 - any failure only means: no map payload numbers
            notes.append(f"boundaries not loaded ({exc}); the map payload is skipped")
        else:
            elapsed = (time.perf_counter() - started) * 1000
            results.append(Result("boundary load (pilot-tracker boundaries load)", [elapsed],
                                  {"note": f"{BOUNDARY_FILE.name}, run once"}))
    else:
        notes.append(f"no boundary file at {BOUNDARY_FILE}; the map payload is skipped")
    return url, results, notes


def _rows(frame: pl.DataFrame) -> dict:
    return {"rows": frame.height}


def _latest(engine, indicator) -> date | None:
    months = queries.periods(engine, indicator)
    return months[-1] if months else None


def query_results(engine, repeat: int) -> list[Result]:
    """app.queries.indicator_values as the pages call it (uncached: what a cache miss costs)."""
    reg = registry()
    areas = queries.areas(engine)
    kinds = dict(zip(areas["code"].to_list(), areas["kind"].to_list()))

    def codes(kind: str) -> list[str]:
        return areas.filter(pl.col("kind") == kind)["code"].to_list()

    latest = _latest(engine, reg["unemployment_share"])
    latest_share = _latest(engine, reg["client_share"])
    municipalities, elys, pilots = codes("municipality"), codes("ely"), codes("pilot")
    cases = [
        ("whole country, all months, count (pilot_clients)", "pilot_clients", ["SSS"], None, None),
        ("whole country, all months, ratio (unemployment_share)", "unemployment_share", ["SSS"], None, None),
        (f"{len(municipalities)} municipalities, one month, ratio (map)", "unemployment_share", municipalities,
         latest, latest),
        (f"{len(elys)} ELY areas, one month, ratio (gauges)", "client_share", elys, latest_share, latest_share),
        (f"{len(elys)} ELY areas, all months, ratio (gauge history)", "client_share", elys, None, None),
        (f"{len(pilots)} pilot areas, all months, count (pilot_clients)", "pilot_clients", pilots, None, None),
        (f"{len(pilots)} pilot areas, all months, ratio (client_share)", "client_share", pilots, None, None),
    ]
    results = []
    for name, code, area_codes, start, end in cases:
        indicator = reg[code]
        if _latest(engine, indicator) is None:
            print(f"skipped (no {code} data in this database): {name}", file=sys.stderr)
            continue
        result, _ = measure(
            name, lambda: queries.indicator_values(engine, indicator, area_codes, kinds, start, end),
            repeat, _rows)
        results.append(result)
    return results


def _size(payload: str) -> dict:
    raw = payload.encode("utf-8")
    return {"json_bytes": len(raw), "gzip_bytes": len(gzip.compress(raw))}


def facts_text(facts: dict) -> str:
    parts = []
    if "rows" in facts:
        parts.append(f"{facts['rows']:,} rows")
    if "features" in facts:
        parts.append(f"{facts['features']} features")
    if "json_bytes" in facts:
        parts.append(f"{facts['json_bytes'] / 1024:,.0f} KiB JSON, {facts['gzip_bytes'] / 1024:,.0f} KiB gzipped")
    if "note" in facts:
        parts.append(facts["note"])
    return ", ".join(parts)


def map_results(engine, repeat: int, lang: str = "en") -> tuple[list[Result], list[str]]:
    """Screen GeoJSON per level (app.geo) and the municipality choropleth's figure JSON (app.charts.maps)."""
    stored = queries.boundaries(engine)
    if stored.is_empty():
        return [], ["map payload skipped: no boundaries in the database (the map page draws a symbol map)"]
    areas = queries.areas(engine)
    results, collections = [], {}
    for level in MAP_LEVELS:
        codes = areas.filter(pl.col("kind") == level)["code"].to_list()
        result, collections[level] = measure(
            f"screen GeoJSON, {level} level (app.geo.feature_collection)",
            lambda: geo.feature_collection(stored, codes=codes), repeat,
            lambda fc: {"features": len(fc["features"]), **_size(json.dumps(fc))})
        results.append(result)

    indicator = registry()["unemployment_share"]
    month = _latest(engine, indicator)
    if month is None:
        return results, []
    kinds = dict(zip(areas["code"].to_list(), areas["kind"].to_list()))
    pilot_members = queries.memberships(engine, ["GRP_PILOT"])["member_code"].to_list()
    for level in ("municipality", "pilot"):  # as the map page and the overview draw them
        codes = areas.filter(pl.col("kind") == level)["code"].to_list()
        names = {row["code"]: area_name(row, lang) for row in areas.filter(pl.col("kind") == level).to_dicts()}
        values = queries.indicator_values(engine, indicator, codes, kinds, month, month)
        frame = level_frame(codes, values, names)

        def figure_json(frame=frame, level=level) -> str:
            return indicator_map(frame, indicator, level, lang, shapes=collections[level],
                                 context=collections["municipality"], highlight=pilot_members).to_json()

        result, _ = measure(f"{level} map figure + to_json (app.charts.indicator_map)", figure_json, repeat, _size)
        results.append(result)
    return results, []


def environment(db_url: str) -> dict:
    return {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(), "database": db_url,
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def print_table(env: dict, sections: dict[str, list[Result]], notes: list[str], repeat: int) -> None:
    print(f"Pilot Tracker benchmark · {env['date']} · Python {env['python']} · {env['cpus']} CPU(s) · "
          f"{env['platform']}")
    print(f"database: {env['database']} · queries and map: median and p95 of {repeat} runs after a warm-up")
    width = max(len(r.name) for results in sections.values() for r in results) if sections else 40
    for title, results in sections.items():
        if not results:
            continue
        print(f"\n{title}")
        print(f"  {'measurement':<{width}}  {'n':>3}  {'median ms':>10}  {'p95 ms':>10}  result")
        for r in results:
            print(f"  {r.name:<{width}}  {len(r.runs_ms):>3}  {r.median_ms:>10.1f}  {r.p95_ms:>10.1f}  {facts_text(r.facts)}")
    for note in notes:
        print(f"note: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--db", metavar="URL",
                        help="measure this database (SQLite or PostgreSQL URL) instead of building the demo")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per query and map measurement")
    parser.add_argument("--build-repeat", type=int, default=3, help="timed demo builds (ignored with --db)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.build_repeat < 1:
        parser.error("--repeat and --build-repeat must be at least 1")

    sections: dict[str, list[Result]] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pilot-tracker-bench-") as folder:
        if args.db:
            db_url = args.db
        else:
            db_url, sections["build"], notes = build_demo_databases(Path(folder), args.build_repeat)
        engine = readonly_engine(db_url)
        try:
            sections["queries (app.queries.indicator_values)"] = query_results(engine, args.repeat)
            sections["map payload"], map_notes = map_results(engine, args.repeat)
            notes += map_notes
        finally:
            engine.dispose()
    env = environment(args.db or "demo database built in a temporary folder (SQLite)")
    if args.json:
        json.dump({"environment": env, "repeat": args.repeat, "notes": notes,
                   "results": {k: [r.as_dict() for r in v] for k, v in sections.items()}},
                  sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print_table(env, sections, notes, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
