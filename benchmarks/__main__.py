"""python -m benchmarks: measure the demo database built here, or an existing database with --db."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from app.db import readonly_engine
from app.views.source import QuerySource
from benchmarks.cases import build_demo_databases, map_results, query_results, view_results
from benchmarks.timing import Result, environment, print_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="How long the demo build, the pages' queries, their views "
                                                 "and the map payload take on this machine.")
    parser.add_argument("--db", metavar="URL",
                        help="measure this database (SQLite or PostgreSQL URL) instead of building the demo")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per query, view and map measurement")
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
            source = QuerySource(engine)
            sections["queries (app.queries.indicator_values)"] = query_results(source, args.repeat, notes)
            sections["views, uncached (app.views)"] = view_results(source, args.repeat, notes)
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
