"""python -m benchmarks [--db URL] [--scale 1|10] [--json OUT]: what a user waits for, against the SQL floor.

See docs/benchmark.md. A tool, not a test: it prints what it measured and never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from app.db import readonly_engine
from app.settings import shown_url as shown
from benchmarks.timing import Result, environment, print_report, targets


def _progress(quiet: bool):
    return (lambda _: None) if quiet else (lambda text: print(f"  … {text}", file=sys.stderr, flush=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--db", metavar="URL", help="a SQLite file to measure as it is, or a PostgreSQL server "
                                                     "URL to build (once) and measure the scale's database on")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1: 309 municipalities with aggregates, every indicator, 120 months; "
                             "10: ten times the months; 0.01 for a quick check (default 1)")
    parser.add_argument("--json", metavar="OUT", type=Path, help="also write the results as JSON to OUT")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per interaction (default 20)")
    parser.add_argument("--rebuild", action="store_true", help="build the scale's database again")
    parser.add_argument("--skip", action="append", default=[], choices=("served", "snapshots", "demo"),
                        help="leave out a slow part (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.scale <= 0:
        parser.error("--repeat and --scale must be positive")
    progress = _progress(args.quiet)

    from benchmarks.interactions import interaction_results, plan_for
    from benchmarks.sizes import map_payload, snapshot_sizes
    from app.views.source import QuerySource

    measure_existing = args.db is not None and args.db.startswith("sqlite") and Path(
        args.db.removeprefix("sqlite:///")).is_file()
    if measure_existing:
        db_url, observations, build_s, series_s = args.db, None, None, None
    else:
        from benchmarks.dataset import bench_database, reader_url

        progress(f"benchmark database, scale {args.scale:g}")
        built = bench_database(args.scale, args.db, rebuild=args.rebuild)
        db_url, observations, build_s, series_s = reader_url(built.url), built.observations, built.build_s, \
            built.series_s
    os.environ["PILOT_TRACKER_DB"] = db_url
    engine = readonly_engine(db_url)
    report: dict = {"environment": environment(shown(db_url)), "scale": args.scale, "repeat": args.repeat}
    try:
        if observations is None:
            with engine.connect() as conn:
                observations = conn.exec_driver_sql("SELECT count(*) FROM observation").scalar()
        report |= {"observations": observations, "bench_build_s": round(build_s, 1) if build_s else None,
                   "series_refresh_s": series_s}
        interactions = interaction_results(engine, args.repeat, progress)
        report["interactions"] = [_interaction(r) for r in interactions]
        progress("map payload")
        payload = map_payload(plan_for(QuerySource(engine)).months)
        report["map_payload_bytes"] = payload["open_bytes"]
        report["map_payload"] = payload
        if "snapshots" not in args.skip:
            progress("snapshot sizes")
            report["snapshot_bytes"] = snapshot_sizes(engine)
    finally:
        engine.dispose()
    report["bench_process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if "served" not in args.skip:
        from benchmarks.served import served_results

        progress("served: cold start, new sessions, browser")
        report |= served_results(db_url, max(5, args.repeat // 2))
    report["peak_rss_mb"] = max(report.get("server_peak_rss_mb") or 0, report["bench_process_peak_rss_mb"])
    report["cold_start_s"] = report.get("cold_start_s")  # None: not measured (--skip served)
    report["demo_build_s"] = None
    if "demo" not in args.skip:
        progress("demo build")
        report["demo_build_s"] = _demo_build_s(args.db if args.db and not measure_existing else None)
    report["targets"] = targets(report, args.scale, db_url)
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def _interaction(result: Result) -> dict:
    floor = result.facts["sql_floor_ms"]
    return {"page": result.facts["page"], "action": result.facts["action"], "n": len(result.runs_ms),
            "median_ms": round(result.median_ms, 1), "p95_ms": round(result.p95_ms, 1), "sql_floor_ms": floor,
            "ratio": round(result.p95_ms / floor, 1) if floor > 0 else None,
            "runs_ms": [round(r, 1) for r in result.runs_ms]}


def _demo_build_s(server_url: str | None) -> dict:
    """The demo database as `pilot-tracker demo` builds it (app.ingest.demo.build_demo, then the stored series
    of app.ingest.series) into a temporary SQLite file, and on PostgreSQL."""
    import tempfile

    from app.ingest.demo import build_demo
    from app.ingest.series import refresh_area_series

    def build(url: str) -> None:
        build_demo(url)
        refresh_area_series(url)

    out = {}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        build(f"sqlite:///{Path(folder) / 'demo.sqlite'}")
        out["sqlite"] = round(time.perf_counter() - started, 2)
    if server_url is not None:
        from benchmarks.dataset import demo_postgres_url, drop_postgres_database

        url = demo_postgres_url(server_url)
        try:
            started = time.perf_counter()
            build(url)
            out["postgresql"] = round(time.perf_counter() - started, 2)
        finally:
            drop_postgres_database(url)
    return out


if __name__ == "__main__":
    sys.exit(main())
