"""The read-only engine's locks, probed as an attacker with code in the process would: PostgreSQL as
the SELECT-only role of docs/deploy.md and as roles that can write, SQLite through its raw connection.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text

from app import queries, schema
from app.db import DatabaseUnavailable, TooManyRows, WritingRole, readonly_engine
from app.db_guard import NotAReadStatement, read_only_statement
from app.ingest.store import init_database
from tests.conftest import PG_ADMIN_URL


def _meta_rows(url: str) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM meta")).scalar()
    engine.dispose()
    return count


@pytest.fixture
def reader_role(pg_url, pg_admin, monkeypatch):
    """The database initialised by its owner, and a SELECT-only role made with the docs/deploy.md recipe."""
    monkeypatch.delenv("PILOT_TRACKER_ALLOW_WRITING_ROLE", raising=False)
    init_database(pg_url).dispose()
    role = f"reader_{uuid.uuid4().hex[:8]}"
    database = pg_url.rsplit("/", 1)[1]
    owner = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        for statement in (
            f"CREATE ROLE {role} LOGIN",
            f"REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE \"{database}\" TO {role}",
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
            f"ALTER ROLE {role} SET default_transaction_read_only = on",
            f"ALTER ROLE {role} SET statement_timeout = '15s'",
        ):
            conn.execute(text(statement))
    owner.dispose()
    yield pg_url.replace("postgres@", f"{role}@", 1), role
    with pg_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))


@pytest.mark.postgres
def test_the_superuser_is_refused_unless_development_allows_it(pg_url, monkeypatch):
    init_database(pg_url).dispose()
    monkeypatch.delenv("PILOT_TRACKER_ALLOW_WRITING_ROLE")
    engine = readonly_engine(pg_url)
    with pytest.raises(WritingRole, match="superuser") as refused:
        queries.meta(engine)
    assert refused.value.reason == "writing_role"
    assert any(p.startswith("DELETE, INSERT") and p.endswith("on observation") for p in refused.value.privileges)
    engine.dispose()
    monkeypatch.setenv("PILOT_TRACKER_ALLOW_WRITING_ROLE", "1")
    engine = readonly_engine(pg_url)
    assert queries.meta(engine)["demo"] == "false"
    engine.dispose()


@pytest.mark.postgres
def test_a_role_that_owns_the_tables_is_refused(reader_role, pg_admin):
    url, role = reader_role
    owner_role = role.replace("reader", "loader")
    database = url.rsplit("/", 1)[1]
    with pg_admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner_role} LOGIN"))
    admin_db = create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}", isolation_level="AUTOCOMMIT")
    with admin_db.connect() as conn:
        conn.execute(text(f"GRANT CONNECT ON DATABASE \"{database}\" TO {owner_role}"))
        conn.execute(text(f"GRANT USAGE, CREATE ON SCHEMA public TO {owner_role}"))
        conn.execute(text(f"ALTER TABLE observation OWNER TO {owner_role}"))
    admin_db.dispose()
    engine = readonly_engine(url.replace(f"{role}@", f"{owner_role}@", 1))
    try:
        with pytest.raises(WritingRole) as refused:
            queries.meta(engine)
        privileges = refused.value.privileges
        assert "CREATE on schema public" in privileges
        assert "DELETE, INSERT, TRIGGER, TRUNCATE, UPDATE on observation" in privileges
        assert not any(p.endswith("on meta") for p in privileges)  # the rest of the tables are only readable
    finally:
        engine.dispose()
        with create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}", isolation_level="AUTOCOMMIT"
                           ).connect() as conn:
            conn.execute(text(f"REASSIGN OWNED BY {owner_role} TO postgres"))
            conn.execute(text(f"DROP OWNED BY {owner_role}"))
        with pg_admin.connect() as conn:
            conn.execute(text(f"DROP ROLE IF EXISTS {owner_role}"))


ATTACKS = [
    "COMMIT; BEGIN READ WRITE; INSERT INTO meta (key, value) VALUES ('x', 'y'); COMMIT",
    "SET default_transaction_read_only = off; INSERT INTO meta (key, value) VALUES ('x', 'y')",
    "BEGIN; SET TRANSACTION READ WRITE; DELETE FROM meta; COMMIT",
    "COPY (SELECT 1) TO PROGRAM 'touch /tmp/pilot-tracker-pwned'",
    "SELECT 1; UPDATE meta SET value = 'x'",
    "CREATE TABLE evil (x int)",
]


@pytest.mark.postgres
@pytest.mark.parametrize("attack", ATTACKS)
def test_the_select_only_role_reads_and_every_route_to_a_write_fails(reader_role, attack):
    url, _role = reader_role
    engine = readonly_engine(url)
    assert queries.meta(engine)["demo"] == "false"
    with pytest.raises(NotAReadStatement):
        with engine.connect() as conn:
            conn.exec_driver_sql(attack)
    raw = engine.raw_connection()  # the raw connection skips every check of the engine: the role holds
    try:
        raw.dbapi_connection.autocommit = True
        with pytest.raises(Exception, match="(?i)permission denied|read-only|superuser|privilege"):
            raw.cursor().execute(attack)
    finally:
        raw.cursor().execute("ROLLBACK")  # the attack may have left its own transaction open
        raw.dbapi_connection.autocommit = False
        raw.close()
    engine.dispose()
    assert _meta_rows(url) == 2


@pytest.mark.postgres
def test_no_session_setting_leaks_into_the_next_use_of_a_pooled_connection(reader_role):
    url, _role = reader_role
    engine = readonly_engine(url, timeout_s=15)
    raw = engine.raw_connection()
    pid = raw.dbapi_connection.info.backend_pid
    raw.dbapi_connection.autocommit = True
    raw.cursor().execute("SET statement_timeout = 0")
    raw.cursor().execute("SET default_transaction_read_only = off")
    raw.cursor().execute("PREPARE sneaky AS SELECT 1")
    raw.dbapi_connection.autocommit = False
    raw.close()  # back to the pool
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection.info.backend_pid == pid  # the same server session
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "15s"
        assert conn.exec_driver_sql("SHOW default_transaction_read_only").scalar() == "on"
        assert conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements WHERE name = 'sneaky'"
                                    ).scalar() == 0
    engine.dispose()


@pytest.mark.postgres
def test_a_slow_read_is_stopped_with_a_timeout_reason(reader_role):
    url, _role = reader_role
    engine = readonly_engine(url, timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable) as stopped:
        queries.fetch(engine, select(func.pg_sleep(5)), {"x": None})
    assert stopped.value.reason == "timeout" and time.monotonic() - started < 4
    assert queries.meta(engine)["demo"] == "false"  # the next read works
    engine.dispose()


def _silent_server() -> tuple[socket.socket, int]:
    """A server that accepts connections and never says a word (the 95-second blank page of the issue)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


def test_a_server_that_never_answers_is_given_up_on_within_the_connect_timeout():
    server, port = _silent_server()
    try:
        engine = readonly_engine(f"postgresql://reader@127.0.0.1:{port}/indicators", connect_timeout_s=1,
                                 allow_writing_role=False)
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable) as failed:
            queries.meta(engine)
        elapsed = time.monotonic() - started
        engine.dispose()
    finally:
        server.close()
    assert failed.value.reason == "unreachable"
    assert elapsed < 8, elapsed  # libpq tries each address once with the 1 s limit


def test_a_read_over_the_row_cap_is_refused(sqlite_url):
    init_database(sqlite_url).dispose()
    engine = readonly_engine(sqlite_url, row_cap=100)
    with pytest.raises(TooManyRows) as refused:
        queries.areas(engine)
    assert refused.value.reason == "too_many_rows"
    assert len(queries.meta(engine)) == 2  # a small read still works
    engine.dispose()


SQLITE_ESCAPES = [
    ("ATTACH DATABASE '{dir}/attached.sqlite' AS evil", "attached.sqlite"),
    ("VACUUM INTO '{dir}/copy.sqlite'", "copy.sqlite"),
    ("SELECT length(randomblob(500000000))", None),
    ("SELECT length(zeroblob(500000000))", None),
    ("CREATE TEMP TABLE t (x)", None),
    ("PRAGMA query_only = OFF", None),
    ("INSERT INTO meta (key, value) VALUES ('x', 'y')", None),
    ("SELECT load_extension('/tmp/x.so')", None),
]


@pytest.mark.parametrize("statement, created", SQLITE_ESCAPES)
def test_sqlite_refuses_attach_files_and_unbounded_allocations_even_through_the_raw_connection(
        sqlite_url, tmp_path, statement, created):
    init_database(sqlite_url).dispose()
    engine = readonly_engine(sqlite_url)
    raw = engine.raw_connection()
    try:
        with pytest.raises(sqlite3.Error, match="(?i)not authorized|authorization denied|too many attached|too big|readonly"):
            raw.dbapi_connection.execute(statement.format(dir=tmp_path)).fetchall()
    finally:
        raw.close()
        engine.dispose()
    if created:
        assert not (tmp_path / created).exists()


def test_sqlite_strings_stop_at_the_length_limit(sqlite_url):
    init_database(sqlite_url).dispose()
    engine = readonly_engine(sqlite_url)
    with engine.connect() as conn:  # printf gives NULL instead of a 500 MB string
        assert conn.exec_driver_sql("SELECT length(printf('%.*c', 500000000, 'x'))").scalar() is None
    engine.dispose()


@pytest.mark.parametrize("statement", ["SELECT 1", "  with x as (select 1) select * from x", "SHOW timezone",
                                       "/* why */ SELECT 2;", "(SELECT 1) UNION (SELECT 2)",
                                       'PRAGMA main.table_xinfo("meta")', "PRAGMA query_only"])
def test_single_reads_pass_the_statement_check(statement):
    read_only_statement(statement)


@pytest.mark.parametrize("statement", ["SELECT 1; DELETE FROM meta", "DELETE FROM meta", "-- c\nDROP TABLE x",
                                       "COPY meta TO STDOUT", "begin read write", "", "SET x = 1",
                                       "PRAGMA query_only = OFF", "PRAGMA query_only(0)", "PRAGMA journal_mode=WAL"])
def test_anything_else_is_refused_before_it_is_sent(statement):
    with pytest.raises(NotAReadStatement):
        read_only_statement(statement)
