"""The benchmark runs end to end and measures what it says (its timings are printed, never asserted)."""

from __future__ import annotations

import json

from app.db import readonly_engine
from app.views.source import QuerySource
from benchmarks.__main__ import main
from benchmarks.cases import WarmSource, _has_boundaries, shipped_boundaries


def test_the_benchmark_measures_an_existing_database(demo_sqlite, capsys):
    assert main(["--db", demo_sqlite, "--repeat", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "build" not in report["results"]  # --db: nothing built, nothing written
    rows = {r["name"]: r["facts"]["rows"] for r in report["results"]["queries (app.queries.indicator_values)"]}
    assert rows["309 municipalities, one month, ratio (map)"] == 309
    assert rows["15 ELY areas, all months, ratio (gauge history)"] == 15 * 72
    views = report["results"]["views, uncached (app.views)"]
    assert len(views) == 4 and all(v["n"] == 1 and v["median_ms"] > 0 for v in views)
    assert bool(report["results"]["map payload"]) == _has_boundaries(demo_sqlite)


def test_the_shipped_boundary_file_is_found_with_its_year(tmp_path):
    assert shipped_boundaries(tmp_path) is None
    (tmp_path / "README.md").write_text("about the boundaries")
    (tmp_path / "municipalities-2021.topo.json").write_text("{}")
    assert shipped_boundaries(tmp_path) == (tmp_path / "municipalities-2021.topo.json", 2021)


def test_a_warm_source_answers_from_what_it_read(demo_sqlite):
    engine = readonly_engine(demo_sqlite)
    try:
        warm, cold = WarmSource(engine), QuerySource(engine)
        first = warm.values("client_share", ["ELY01", "ELY02"])
        assert warm.values("client_share", ("ELY01", "ELY02")) is first  # a list and a tuple ask the same
        assert first.equals(cold.values("client_share", ["ELY01", "ELY02"]))
        assert warm.areas() is warm.areas()
    finally:
        engine.dispose()
