"""The benchmark runs end to end at a tiny scale and reports what the issue asks (timings printed, never asserted)."""

from __future__ import annotations

import json

import pytest

from benchmarks.__main__ import main
from benchmarks.dataset import bench_database, months_for
from benchmarks.interactions import interactions, page_paths

KEYS = ("observations", "interactions", "map_payload_bytes", "cold_start_s", "demo_build_s", "peak_rss_mb")


@pytest.fixture
def bench_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_BENCH_CACHE", str(tmp_path / "cache"))
    return tmp_path


def test_the_scaled_database_is_built_once_and_reused(bench_cache):
    first = bench_database(0.01)
    again = bench_database(0.01)
    assert first.build_s is not None and again.build_s is None  # the second call reuses the file
    assert first.observations == again.observations > 10_000
    assert len(months_for(0.01)) == 2 and len(months_for(1)) == 120 and len(months_for(10)) == 1200


def test_the_benchmark_runs_at_a_tiny_scale_and_writes_the_issues_keys(bench_cache, capsys):
    out = bench_cache / "bench.json"
    assert main(["--scale", "0.01", "--repeat", "2", "--json", str(out), "--quiet",
                 "--skip", "served", "--skip", "snapshots", "--skip", "demo"]) == 0
    report = json.loads(out.read_text())
    assert all(key in report for key in KEYS)
    rows = report["interactions"]
    assert {row["page"] for row in rows} == set(page_paths())  # every page is opened, a new one too
    assert {(row["page"], row["action"]) for row in rows} >= {("map", "change month"), ("trends", "change areas"),
                                                               ("map", "change language"), ("gauges", "open")}
    for row in rows:
        assert row["n"] == 2 and 0 < row["median_ms"] <= row["p95_ms"]
        assert row["sql_floor_ms"] >= 0
    floors = {(row["page"], row["action"]): row["sql_floor_ms"] for row in rows}
    assert floors[("trends", "open")] > 0 and floors[("map", "change month")] > 0  # the replayed SQL ran
    assert report["map_payload"]["open_bytes"] == report["map_payload_bytes"] > 1000
    assert report["map_payload"]["geometry_urls"]  # the map names its boundaries instead of carrying them
    assert "targets" in report and "interaction" in capsys.readouterr().out


def test_every_interaction_changes_something_on_its_page():
    assert len({i.name for i in interactions()}) == len(interactions())


@pytest.mark.slow
def test_the_whole_benchmark_runs_at_a_tiny_scale(bench_cache):
    """Also the served parts: a cold start through app.ui.serve, new sessions, Chromium, the demo build."""
    out = bench_cache / "bench.json"
    assert main(["--scale", "0.01", "--repeat", "2", "--json", str(out), "--quiet"]) == 0
    report = json.loads(out.read_text())
    assert report["cold_start_s"] > 0 and report["demo_build_s"]["sqlite"] > 0
    assert report["new_session_first_chart_s"]["median"] > 0 and report["peak_rss_mb"] > 50


@pytest.mark.postgres
def test_on_postgresql_the_benchmark_reads_as_a_select_only_role(pg_url, monkeypatch):
    """The dashboard refuses a writing role, so the benchmark reads the way a deployment does."""
    from sqlalchemy import text

    from app.db import readonly_engine
    from app.ingest.store import init_database
    from benchmarks.dataset import READER, reader_url

    init_database(pg_url).dispose()
    monkeypatch.delenv("PILOT_TRACKER_ALLOW_WRITING_ROLE")
    url = reader_url(pg_url)
    assert f"{READER}@" in url
    engine = readonly_engine(url, allow_writing_role=False)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM area")).scalar() > 300  # init loads the areas
    finally:
        engine.dispose()
    assert reader_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"
