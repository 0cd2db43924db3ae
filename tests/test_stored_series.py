"""Stored series of summed areas (app.stored_series, app.ingest.series): the same answer the dashboard
computes, used only while no load has committed since they were stored, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from sqlalchemy import create_engine, select

from app import provenance, queries, schema, stored_series
from app.db import readonly_engine
from app.indicators import registry
from app.ingest import series
from app.ingest.demo import DemoSpec, build_demo
from app.ingest.series import refresh_area_series
from app.ingest.store import transaction, upsert
from app.settings import database_url
from app.views.source import QuerySource
from tests.ingest_helpers import fixture_file, ingest, run_cli

SHORT = DemoSpec(first_month=date(2020, 10, 1), last_month=date(2021, 5, 1))  # across the pilots' start


def _groups(engine) -> tuple[list[str], dict[str, str]]:
    areas = queries.areas(engine)
    kinds = dict(zip(areas["code"].to_list(), areas["kind"].to_list()))
    return [c for c, k in kinds.items() if k != "municipality"], kinds


def _compare(url: str, groups_of=lambda groups: groups) -> int:
    """Every stored series of these groups equals indicator_values for that group alone; the count compared."""
    engine = readonly_engine(url)
    try:
        assert stored_series.up_to_date(engine)
        groups, kinds = _groups(engine)
        compared = 0
        for code in registry().codes():
            indicator = registry()[code]
            if not queries.periods(engine, indicator):
                continue
            municipalities = [c for c, k in kinds.items() if k == "municipality"][:6]
            for group in groups_of(groups) + (municipalities if indicator.kind == "ratio" else []):
                live = queries.indicator_values(engine, indicator, [group], kinds)
                stored = stored_series.stored_values(engine, indicator, [group])
                if stored is None:  # nothing stored for the area: nothing to compute either
                    assert live.is_empty(), (code, group, live)
                else:
                    assert stored.equals(live), (code, group, live, stored)
                compared += 1
        return compared
    finally:
        engine.dispose()


def _some_of_each_kind(groups: list[str]) -> list[str]:
    picked, seen = [], {}
    for code in groups:
        kind = code.rstrip("0123456789")
        if seen.get(kind, 0) < 2:
            picked.append(code)
            seen[kind] = seen.get(kind, 0) + 1
    return picked


def test_stored_series_are_the_computed_ones_on_the_demo(any_db_url):
    build_demo(any_db_url, spec=SHORT)
    done = refresh_area_series(any_db_url)
    assert done.written and done.rows > 0
    assert _compare(any_db_url, _some_of_each_kind) > 100
    engine = readonly_engine(any_db_url)
    try:
        for codes in (["jobseekers"], ["unemployed_jobseekers", "labour_force"], ["pilot_clients", "jobseekers"]):
            stored = stored_series.stored_coverage(engine, codes)
            assert stored is not None and stored.equals(provenance.indicator_releases(engine, codes))
    finally:
        engine.dispose()


def test_stored_series_are_the_computed_ones_on_real_shaped_loads(any_db_url):
    """Monitoring rows only for pilot municipalities, suppressed cells: every group and indicator."""
    from app.ingest.store import init_database

    init_database(any_db_url).dispose()
    ingest("pxweb", fixture_file("pxweb_small.json"), any_db_url, refresh=True)  # as the CLI does by default
    ingest("monitoring", fixture_file("monitoring_small.csv"), any_db_url, refresh=True)
    assert _compare(any_db_url, _some_of_each_kind) > 0


def test_a_load_stops_the_stored_series_until_they_are_refreshed(sqlite_url):
    build_demo(sqlite_url, spec=SHORT)
    refresh_area_series(sqlite_url)
    reader = readonly_engine(sqlite_url)
    source = QuerySource(reader)
    month, before = date(2021, 5, 1), None
    try:
        before = source.values("jobseekers", ["SSS"]).filter(pl.col("period") == month)["value"][0]
        with transaction(sqlite_url) as conn:  # a load: one municipality's jobseekers change
            o = schema.observation
            upsert(conn, o, [{"indicator_code": "jobseekers", "area_code": "KU091", "period": month,
                              "value": 1.0e6, "status": "final", "release_id": None}],
                   ["indicator_code", "area_code", "period"])
        assert not stored_series.up_to_date(reader)
        assert stored_series.stored_values(reader, registry()["jobseekers"], ["SSS"]) is None
        after = source.values("jobseekers", ["SSS"]).filter(pl.col("period") == month)["value"][0]
        assert after > before + 9.0e5  # computed from the new rows, not read from the old copy
        assert refresh_area_series(sqlite_url).written
        assert stored_series.stored_values(reader, registry()["jobseekers"], ["SSS"]) \
            .filter(pl.col("period") == month)["value"][0] == after
        assert refresh_area_series(sqlite_url).up_to_date  # nothing loaded since: nothing to do
    finally:
        reader.dispose()


def test_a_refresh_that_sees_a_load_commit_meanwhile_writes_nothing(sqlite_url, monkeypatch):
    build_demo(sqlite_url, spec=SHORT)
    computed = series.group_series

    def load_meanwhile(*args, **kwargs):
        with transaction(sqlite_url) as conn:  # another load commits while the refresh computes
            upsert(conn, schema.meta, [{"key": "note", "value": "x"}], ["key"])
        monkeypatch.setattr(series, "group_series", computed)
        return computed(*args, **kwargs)

    monkeypatch.setattr(series, "group_series", load_meanwhile)
    done = refresh_area_series(sqlite_url)
    assert not done.written and not done.up_to_date
    engine = create_engine(database_url(sqlite_url))
    with engine.connect() as conn:
        assert conn.execute(select(schema.area_series.c.area_code).limit(1)).first() is None
    engine.dispose()
    assert not stored_series.up_to_date(readonly_engine(sqlite_url))
    assert refresh_area_series(sqlite_url).written


def test_the_refresh_command_says_what_it_did(sqlite_url):
    build_demo(sqlite_url, spec=SHORT)
    first = run_cli("db", "refresh", "--db", sqlite_url)
    assert first.exit_code == 0 and "summed areas" in first.output
    again = run_cli("db", "refresh", "--db", sqlite_url)
    assert "already up to date" in again.output
    missing = run_cli("db", "refresh", "--db", f"{sqlite_url}.missing")
    assert missing.exit_code == 1 and "not found" in missing.output


@pytest.mark.parametrize("area", ["SSS", "ELY01"])
def test_a_month_range_of_a_stored_series_is_the_computed_range(sqlite_url, area):
    build_demo(sqlite_url, spec=SHORT)
    refresh_area_series(sqlite_url)
    engine = readonly_engine(sqlite_url)
    _, kinds = _groups(engine)
    for code in ("jobseekers", "unemployment_share"):
        live = queries.indicator_values(engine, registry()[code], [area], kinds, date(2021, 1, 1), date(2021, 3, 1))
        assert stored_series.stored_values(engine, registry()[code], [area], date(2021, 1, 1),
                                           date(2021, 3, 1)).equals(live)
    engine.dispose()


def test_several_summed_areas_are_read_at_once_and_beside_computed_municipalities(sqlite_url):
    build_demo(sqlite_url, spec=SHORT)
    refresh_area_series(sqlite_url)
    engine = readonly_engine(sqlite_url)
    try:
        _, kinds = _groups(engine)
        asked = ["KU091", "ELY01", "SSS", "PILOT01"]
        read = QuerySource(engine).values("unemployment_share", asked)
        alone = pl.concat([queries.indicator_values(engine, registry()["unemployment_share"], [code], kinds)
                           for code in asked], how="diagonal_relaxed").sort("area_code", "period")
        assert read.equals(alone)
    finally:
        engine.dispose()


def test_a_database_from_before_stored_series_is_computed(sqlite_url):
    build_demo(sqlite_url, spec=SHORT)
    engine = create_engine(database_url(sqlite_url))
    with engine.begin() as conn:
        schema.area_series.drop(conn)
    engine.dispose()
    reader = readonly_engine(sqlite_url)
    try:
        assert stored_series.stored_values(reader, registry()["jobseekers"], ["SSS"]) is None
        assert QuerySource(reader).values("jobseekers", ["SSS"]).height > 0
    finally:
        reader.dispose()


def test_a_copy_stored_in_another_layout_is_not_read_but_refreshed(sqlite_url):
    build_demo(sqlite_url, spec=SHORT)
    refresh_area_series(sqlite_url)
    engine = create_engine(database_url(sqlite_url))
    with engine.begin() as conn:
        version = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "data_version")).scalar()
        upsert(conn, schema.meta, [{"key": "series_version", "value": f"{version}/1"}], ["key"])
    engine.dispose()
    assert not stored_series.up_to_date(readonly_engine(sqlite_url))
    again = refresh_area_series(sqlite_url)
    assert again.written and stored_series.up_to_date(readonly_engine(sqlite_url))
