"""The schema, the read-only path and the demo database, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from app import queries, schema
from app.db import DatabaseUnavailable, readonly_engine
from app.db_guard import NotAReadStatement
from app.indicators import registry
from app.ingest.demo import DemoSpec, build_demo
from app.ingest.store import init_database, writable_engine
from tests.conftest import DEMO_FILE
from tests.ingest_helpers import keep_pilot_rows_only


def test_schema_creates_every_table_and_init_is_repeatable(any_db_url):
    init_database(any_db_url).dispose()
    engine = init_database(any_db_url)  # a second run changes nothing and does not fail
    tables = set(inspect(engine).get_table_names())
    assert {"area", "area_membership", "indicator", "observation", "release", "boundary", "meta"} <= tables
    columns = {c["name"] for c in inspect(engine).get_columns("observation")}
    assert columns == {"indicator_code", "area_code", "period", "value", "status", "release_id"}
    with engine.connect() as conn:
        kinds = dict(conn.execute(select(schema.area.c.kind, func.count()).group_by(schema.area.c.kind)).all())
        meta = dict(conn.execute(select(schema.meta.c.key, schema.meta.c.value)).all())
        n_indicators = conn.execute(select(func.count()).select_from(schema.indicator)).scalar()
    engine.dispose()
    assert kinds["municipality"] == 309 and kinds["ely"] == 15 and kinds["region"] == 19
    assert kinds["country"] == 1 and kinds["pilot"] == 23
    assert meta["schema_version"] == schema.SCHEMA_VERSION and meta["demo"] == "false"
    assert n_indicators == len(registry().indicators)


WRITES = [
    "INSERT INTO meta (key, value) VALUES ('x', 'y')",
    "UPDATE meta SET value = 'hacked'",
    "DELETE FROM observation",
    "CREATE TABLE evil (id INTEGER)",
    "DROP TABLE meta",
]


@pytest.mark.parametrize("statement", WRITES)
def test_every_write_through_the_readonly_engine_fails(any_db_url, statement):
    init_database(any_db_url).dispose()
    engine = readonly_engine(any_db_url)
    with pytest.raises(NotAReadStatement):  # refused before it is sent
        with engine.begin() as conn:
            conn.execute(text(statement))
    raw = engine.raw_connection()  # past the statement check, the database itself refuses
    try:
        with pytest.raises(Exception, match="(?i)read-only|readonly|not authorized"):
            raw.cursor().execute(statement)
    finally:
        raw.close()
    with engine.connect() as conn:  # reading still works and nothing changed
        assert conn.execute(text("SELECT value FROM meta WHERE key = 'demo'")).scalar() == "false"
        assert conn.execute(text("SELECT count(*) FROM meta")).scalar() == 2
    engine.dispose()


@pytest.mark.postgres
def test_postgres_session_cannot_switch_read_only_off(pg_url):
    """Even a client that switches the session default off and commits cannot write through the engine."""
    init_database(pg_url).dispose()
    engine = readonly_engine(pg_url)
    with engine.connect() as conn:
        with pytest.raises(NotAReadStatement):
            conn.exec_driver_sql("SET default_transaction_read_only = off")
        dbapi = conn.connection.dbapi_connection  # past the statement check
        dbapi.execute("SET default_transaction_read_only = off")
        dbapi.commit()
        assert conn.exec_driver_sql("SHOW default_transaction_read_only").scalar() == "off"
        conn.commit()
        with engine.begin():
            pass
        with pytest.raises(Exception, match="read-write"):  # the engine's transactions start read-only
            conn.begin()
            conn.connection.dbapi_connection.execute("SET TRANSACTION READ WRITE")
        conn.rollback()
    with engine.connect() as conn:  # the next checkout has the session reset
        assert conn.exec_driver_sql("SHOW default_transaction_read_only").scalar() == "on"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM meta")).scalar() == 2
    engine.dispose()


def test_sqlite_cannot_write_even_with_query_only_switched_off(sqlite_url):
    init_database(sqlite_url).dispose()
    engine = readonly_engine(sqlite_url)
    with engine.connect() as conn:
        with pytest.raises(NotAReadStatement):
            conn.exec_driver_sql("PRAGMA query_only = OFF")
        dbapi = conn.connection.dbapi_connection
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):  # the authorizer refuses it too
            dbapi.execute("PRAGMA query_only = OFF")
        dbapi.set_authorizer(None)  # even with the authorizer gone, mode=ro refuses the write
        dbapi.execute("PRAGMA query_only = OFF")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            dbapi.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
    engine.dispose()


def test_readonly_engine_refuses_a_missing_file(tmp_path):
    with pytest.raises(DatabaseUnavailable):
        readonly_engine(f"sqlite:///{tmp_path / 'nope.sqlite'}")


def _observations(url: str) -> list[tuple]:
    engine = readonly_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(schema.observation).order_by(
            schema.observation.c.indicator_code, schema.observation.c.area_code, schema.observation.c.period)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_two_demo_builds_give_identical_observations(demo_sqlite, tmp_path):
    second = f"sqlite:///{tmp_path / 'second.sqlite'}"
    build_demo(second)
    first_rows, second_rows = _observations(demo_sqlite), _observations(second)
    assert len(first_rows) >= 100_000
    assert first_rows == second_rows


def test_demo_is_shaped_like_the_real_series(demo_sqlite):
    engine = readonly_engine(demo_sqlite)
    reg = registry()
    kinds = dict(zip(*queries.areas(engine).select("code", "kind").to_dict(as_series=False).values()))
    assert queries.meta(engine)["demo"] == "true"

    share = queries.indicator_values(engine, reg["client_share"], ["SSS"], kinds)
    pilot_months = share.filter(pl.col("period") >= date(2021, 3, 1))
    before = share.filter(pl.col("period") < date(2021, 3, 1))
    assert before["value"].max() == 0  # nobody is a pilot client before 1.3.2021
    # about 36 % of all jobseekers at the start, 48 % in October 2022 (228,300 of 470,700, Employment Bulletin)
    assert 33 < pilot_months["value"].mean() < 48
    clients = queries.indicator_values(engine, reg["pilot_clients"], ["GRP_OTHER", "GRP_PILOT"], kinds)
    assert clients.filter(pl.col("area_code") == "GRP_OTHER")["value"].max() == 0
    start = clients.filter((pl.col("area_code") == "GRP_PILOT") & (pl.col("period") == date(2021, 3, 1)))
    assert 150_000 < start["value"][0] < 320_000  # about 230,000 clients were reported at the start

    unemployed = queries.indicator_values(engine, reg["unemployed_jobseekers"], ["SSS"], kinds)
    by_month = dict(zip(unemployed["period"].to_list(), unemployed["value"].to_list()))
    assert by_month[date(2020, 4, 1)] > 1.3 * by_month[date(2019, 4, 1)]  # the spring 2020 shock
    young = queries.indicator_values(engine, reg["unemployed_under25"], ["SSS"], kinds)
    young_by_month = dict(zip(young["period"].to_list(), young["value"].to_list()))
    assert young_by_month[date(2019, 6, 1)] > 1.2 * young_by_month[date(2019, 4, 1)]  # the summer peak

    with engine.connect() as conn:
        suppressed = conn.execute(text(
            "SELECT count(*) FROM observation WHERE status = 'suppressed' AND value IS NULL")).scalar()
        small = conn.execute(text(
            "SELECT count(*) FROM observation o JOIN indicator i ON i.code = o.indicator_code "
            "WHERE i.kind = 'count' AND o.value BETWEEN 1 AND 4")).scalar()
    engine.dispose()
    assert suppressed > 0 and small == 0  # counts 1-4 are never shown


def test_shorter_demo_spec_builds_fewer_months(tmp_path):
    url = f"sqlite:///{tmp_path / 'short.sqlite'}"
    build_demo(url, DemoSpec(first_month=date(2021, 1, 1), last_month=date(2021, 3, 1)))
    engine = readonly_engine(url)
    assert queries.periods(engine, registry()["jobseekers"]) == [date(2021, 1, 1), date(2021, 2, 1), date(2021, 3, 1)]
    engine.dispose()


@pytest.mark.postgres
def test_demo_builds_and_reads_on_postgres(pg_url):
    spec = DemoSpec(first_month=date(2021, 2, 1), last_month=date(2021, 4, 1))
    rows = build_demo(pg_url, spec)
    engine = readonly_engine(pg_url)
    reg = registry()
    kinds = dict(zip(*queries.areas(engine).select("code", "kind").to_dict(as_series=False).values()))
    out = queries.indicator_values(engine, reg["client_share"], ["ELY01", "PILOT01", "KU091"], kinds)
    engine.dispose()
    assert rows == _stored_observations(pg_url)
    assert 309 * 3 * 18 < rows <= 309 * 3 * 24  # every count; ratios only where the denominator > 0
    assert out.filter(pl.col("period") == date(2021, 3, 1))["value"].min() > 0


def _stored_observations(url: str) -> int:
    engine = writable_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(schema.observation)).scalar()
    engine.dispose()
    return stored


def test_demo_file_is_only_read_by_the_dashboard_code():
    if not DEMO_FILE.is_file():
        pytest.skip("data/demo.sqlite has not been built (make install builds it)")
    before = hashlib.sha256(DEMO_FILE.read_bytes()).hexdigest()
    engine = readonly_engine(f"sqlite:///{DEMO_FILE}")
    reg = registry()
    kinds = dict(zip(*queries.areas(engine).select("code", "kind").to_dict(as_series=False).values()))
    for code in ("pilot_clients", "client_share"):
        queries.indicator_values(engine, reg[code], ["SSS", "ELY01", "KU091"], kinds)
    with pytest.raises((DBAPIError, NotAReadStatement)):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM meta"))
    engine.dispose()
    assert hashlib.sha256(Path(DEMO_FILE).read_bytes()).hexdigest() == before


def test_real_shaped_pilot_data_aggregates_without_zero_rows_or_stored_ratios(tmp_path):
    """TEM's files carry pilot clients for pilot municipalities only, and no ratio rows: a municipality
    outside the pilots is a structural zero, so ELY and country shares are still computed."""
    url = f"sqlite:///{tmp_path / 'shaped.sqlite'}"
    build_demo(url, DemoSpec(first_month=date(2021, 1, 1), last_month=date(2021, 4, 1)))
    engine = writable_engine(url)
    with engine.begin() as conn:
        keep_pilot_rows_only(conn)
        conn.execute(text("DELETE FROM observation WHERE indicator_code = 'client_share'"))
        left = conn.execute(text(
            "SELECT count(DISTINCT area_code) FROM observation WHERE indicator_code = 'pilot_clients'")).scalar()
    engine.dispose()
    assert left == 107

    reader = readonly_engine(url)
    reg = registry()
    kinds = dict(zip(*queries.areas(reader).select("code", "kind").to_dict(as_series=False).values()))
    assert queries.periods(reader, reg["client_share"])[0] == date(2021, 1, 1)  # from its parts
    share = queries.indicator_values(reader, reg["client_share"], ["SSS", "ELY01", "ELY06", "KU005"], kinds)
    clients = queries.indicator_values(reader, reg["pilot_clients"], ["SSS", "GRP_OTHER"], kinds)
    reader.dispose()

    march = share.filter(pl.col("period") == date(2021, 3, 1))
    by_area = dict(zip(march["area_code"].to_list(), march["value"].to_list()))
    assert by_area["SSS"] > 20 and by_area["ELY01"] > 20  # computed, not NULL
    assert by_area["ELY06"] == 0 and by_area["KU005"] == 0  # no pilot there: 0 %, not a gap
    assert set(march["status"].to_list()) <= {"final", "incomplete"}
    january = share.filter(pl.col("period") == date(2021, 1, 1))
    assert january["value"].to_list() == [0.0] * 4  # before the pilots: nobody transferred
    other = clients.filter(pl.col("area_code") == "GRP_OTHER")
    assert other["value"].to_list() == [0.0] * other.height and set(other["status"]) == {"final"}


def test_a_second_db_init_keeps_memberships_loaded_since(any_db_url):
    from app.ingest.store import writable_engine as writable

    init_database(any_db_url).dispose()
    engine = writable(any_db_url)
    m = schema.area_membership
    with engine.begin() as conn:  # as `ingest areas` would: Joroinen moves again
        conn.execute(m.delete().where(m.c.member_code == "KU171", m.c.group_code == "ELY08"))
    init_database(any_db_url).dispose()
    with engine.connect() as conn:
        rows = conn.execute(select(m.c.group_code).where(m.c.member_code == "KU171")).scalars().all()
    engine.dispose()
    assert "ELY08" not in rows and "ELY07" in rows


def test_a_sqlite_read_that_runs_too_long_is_stopped(sqlite_url):
    init_database(sqlite_url).dispose()
    engine = readonly_engine(sqlite_url, timeout_s=0.2)
    endless = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
               "SELECT count(*) FROM n WHERE i > 0")
    with pytest.raises(DBAPIError, match="interrupted"):
        with engine.connect() as conn:
            conn.exec_driver_sql(endless).scalar()
    with engine.connect() as conn:  # the next read on the engine works normally
        assert conn.execute(text("SELECT count(*) FROM meta")).scalar() == 2
    engine.dispose()
