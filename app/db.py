"""Read-only database access for the dashboard: read-only is a property of the connection.

There is deliberately no writable engine here; only `app.ingest` opens one. What protects what
(docs/deploy.md): on PostgreSQL the SELECT-only role is the wall, and this engine refuses to run as a
role that can write (app.db_guard.writing_privileges) unless the development setting allows it; every
connection is opened read-only with a connect and a statement timeout, and reset on every checkout so
no session setting leaks from one use to the next. On SQLite the file is opened with `mode=ro`,
`query_only`, an authorizer that allows reads only (app.db_guard.sqlite_authorizer), size limits and
a progress handler as the time limit. On both, every statement must be a read (app.db_guard.read_only_statement)
and a read returns at most a row cap.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine, event, exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from app.db_guard import SQLITE_LIMITS, read_only_statement, sqlite_authorizer, writing_privileges
from app.settings import database_url, env_flag

ROW_CAP = 2_000_000  # rows one read may return: a bound on memory, far above any page's need
CONNECT_TIMEOUT_S = 5.0
#: Why a read failed, as the UI tells it (error.db_<reason> in data/i18n/*.toml).
REASONS = ("missing", "unreadable", "corrupt", "interrupted_load", "unreachable", "timeout", "too_many_rows",
           "writing_role", "other")


class DatabaseUnavailable(RuntimeError):
    """The indicator database cannot be opened or read; the UI shows the reason to the user."""

    def __init__(self, message: str, reason: str = "other"):
        super().__init__(message)
        self.reason = reason if reason in REASONS else "other"


class WritingRole(DatabaseUnavailable):
    """The PostgreSQL role can write: the dashboard refuses it (docs/deploy.md, the SELECT-only role)."""

    def __init__(self, privileges: list[str]):
        shown = "; ".join(privileges[:6]) + (f"; and {len(privileges) - 6} more" if len(privileges) > 6 else "")
        super().__init__(f"the database role can write ({shown}); connect as a SELECT-only role "
                         "(docs/deploy.md) or, for development only, set PILOT_TRACKER_ALLOW_WRITING_ROLE=1",
                         "writing_role")
        self.privileges = privileges


class TooManyRows(DatabaseUnavailable):
    def __init__(self, cap: int):
        super().__init__(f"the read returned more than {cap:,} rows", "too_many_rows")


def _sqlite_reason(message: str, path: Path | None) -> str:
    lowered = message.lower()
    if "interrupted" in lowered:
        return "timeout"
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return "corrupt"
    if "readonly database" in lowered and path is not None and _hot_journal(path):
        return "interrupted_load"
    if "unable to open" in lowered or "disk i/o" in lowered or "readonly database" in lowered:
        if path is not None and not path.exists():
            return "missing"
        return "unreadable"
    if "no such table" in lowered:
        return "corrupt"
    return "other"


def _postgres_reason(exc: BaseException, message: str) -> str:
    lowered = message.lower()
    name = type(exc).__name__
    if name == "QueryCanceled" or "statement timeout" in lowered or "canceling statement" in lowered:
        return "timeout"
    if name in ("OperationalError", "ConnectionTimeout") or "connection" in lowered or "timeout expired" in lowered:
        return "unreachable"
    if "does not exist" in lowered:
        return "corrupt"
    return "other"


def _hot_journal(path: Path) -> bool:
    journal = path.with_name(path.name + "-journal")
    return journal.is_file() and journal.stat().st_size > 0


def unavailable(exc: BaseException, engine: Engine | None = None) -> DatabaseUnavailable:
    """A failed read as the typed error the UI explains: its first line, and why (REASONS)."""
    if isinstance(exc, DatabaseUnavailable):
        return exc
    original = getattr(exc, "orig", None) or exc
    if isinstance(original, DatabaseUnavailable):
        return original
    message = (str(original).strip().splitlines() or [type(original).__name__])[0]
    options = engine.get_execution_options() if engine is not None else {}
    if "sqlite_path" in options or isinstance(original, sqlite3.Error):
        path = options.get("sqlite_path")
        reason = _sqlite_reason(message, Path(path) if path else None)
    else:
        reason = _postgres_reason(original, message)
    return DatabaseUnavailable(message, reason)


def row_cap_of(options: dict) -> int:
    return int(options.get("row_cap") or ROW_CAP)


def _guard_statements(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _reads_only(_conn, _cursor, statement, _parameters, _context, _executemany):
        read_only_statement(statement)


def _readonly_sqlite(url, timeout_s: float, row_cap: int) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:"):
        raise DatabaseUnavailable("an in-memory SQLite database cannot be opened read-only", "missing")
    path = Path(database).resolve()
    if not path.exists():
        raise DatabaseUnavailable(f"database file not found: {path}", "missing")
    if not path.is_file():
        raise DatabaseUnavailable(f"not a database file: {path}", "unreadable")
    # mode=ro makes SQLite refuse every write at the file level, including DDL.
    # NullPool: a connection per use, so a demo database rebuilt and moved into place is seen at once
    # (a pooled connection would keep reading the replaced file). Opening SQLite costs microseconds.
    engine = create_engine(
        f"sqlite:///file:{path}?mode=ro&uri=true",
        connect_args={"timeout": timeout_s, "check_same_thread": False},
        poolclass=NullPool,
        execution_options={"row_cap": row_cap, "sqlite_path": str(path)},
    )

    @event.listens_for(engine, "connect")
    def _locked_down(dbapi_conn, record):
        dbapi_conn.execute("PRAGMA query_only = ON")  # second lock: refuse writes even to temp objects
        for limit, value in SQLITE_LIMITS.items():
            dbapi_conn.setlimit(limit, value)  # no ATTACH (nor VACUUM INTO), no huge strings or blobs
        dbapi_conn.set_authorizer(sqlite_authorizer)  # third lock: only reads are ever prepared
        started = record.info.setdefault("statement_started", [None])

        def over_time() -> int:  # SQLite calls this every few thousand steps; non-zero interrupts the query
            return int(started[0] is not None and time.monotonic() - started[0] > timeout_s)

        dbapi_conn.set_progress_handler(over_time, 10_000)

    @event.listens_for(engine, "before_cursor_execute")
    def _start_clock(conn, _cursor, _statement, _parameters, _context, _executemany):
        conn.connection.info.setdefault("statement_started", [None])[0] = time.monotonic()

    _guard_statements(engine)
    return engine


def _session_settings(timeout_s: float) -> str:
    """What every session of the dashboard runs under; re-applied on every checkout."""
    ms = int(timeout_s * 1000)
    return (f"SET default_transaction_read_only = on; SET statement_timeout = {ms}; "
            f"SET lock_timeout = {ms}; SET idle_in_transaction_session_timeout = {max(ms * 4, 60_000)}")


def _readonly_postgres(url, timeout_s: float, row_cap: int, allow_writing_role: bool,
                       connect_timeout_s: float) -> Engine:
    ms = int(timeout_s * 1000)
    options = f"-c default_transaction_read_only=on -c statement_timeout={ms} -c lock_timeout={ms}"
    connect_args = {
        "options": options,
        "connect_timeout": max(1, round(connect_timeout_s)),  # libpq: a server that never answers
        "application_name": "pilot-tracker-dashboard",
        # A server that vanishes mid-query (no RST) is noticed within seconds, not after TCP's 15 minutes.
        "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
        "tcp_user_timeout": int((timeout_s + connect_timeout_s) * 1000),
    }
    engine = create_engine(url, connect_args=connect_args, pool_size=5, max_overflow=10,
                           pool_timeout=timeout_s, pool_recycle=1800,
                           execution_options={"row_cap": row_cap})
    reset = _session_settings(timeout_s)

    @event.listens_for(engine, "connect")
    def _refuse_a_writing_role(dbapi_conn, _record):
        if allow_writing_role:
            return
        found = writing_privileges(dbapi_conn)
        dbapi_conn.rollback()
        if found:
            dbapi_conn.close()
            raise WritingRole(found)

    @event.listens_for(engine, "checkout")
    def _reset_session(dbapi_conn, _record, _proxy):
        # Whatever the last user of this pooled connection SET (statement_timeout = 0, read-only off) is
        # undone before the next use: DISCARD ALL, then the dashboard's settings again. It doubles as the
        # liveness check: a dead connection is replaced (DisconnectionError makes the pool reconnect).
        try:
            dbapi_conn.rollback()
            dbapi_conn.autocommit = True
            try:
                dbapi_conn.execute("DISCARD ALL")
                dbapi_conn.execute(reset)
            finally:
                dbapi_conn.autocommit = False
        except Exception as exc:  # noqa: BLE001 - any failure here means the connection is unusable
            raise sa_exc.DisconnectionError(str(exc)) from exc

    @event.listens_for(engine, "begin")
    def _read_only_transaction(conn):
        # Every transaction starts read-only and takes its snapshot at once (SELECT 1): after a query
        # PostgreSQL refuses to make a transaction read-write.
        conn.connection.dbapi_connection.execute("SET TRANSACTION READ ONLY; SELECT 1")

    _guard_statements(engine)
    return engine


def readonly_engine(url: str, timeout_s: float = 15.0, *, allow_writing_role: bool | None = None,
                    connect_timeout_s: float = CONNECT_TIMEOUT_S, row_cap: int = ROW_CAP) -> Engine:
    """An engine through which every INSERT, UPDATE, DELETE and DDL fails, and every read is bounded.

    allow_writing_role: run on PostgreSQL as a role that can write (development only); None reads
    PILOT_TRACKER_ALLOW_WRITING_ROLE.
    """
    parsed = database_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _readonly_sqlite(parsed, timeout_s, row_cap)
    if backend == "postgresql":
        if allow_writing_role is None:
            allow_writing_role = env_flag("PILOT_TRACKER_ALLOW_WRITING_ROLE")
        return _readonly_postgres(parsed, timeout_s, row_cap, allow_writing_role, connect_timeout_s)
    raise DatabaseUnavailable(f"unsupported database: {backend} (use SQLite or PostgreSQL)")
