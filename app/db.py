"""Read-only database access for the dashboard: read-only is a property of the connection.

There is deliberately no writable engine here; only `app.ingest` opens one.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from app.settings import database_url


class DatabaseUnavailable(RuntimeError):
    """The indicator database cannot be opened or read; the UI shows this to the user."""


def _readonly_sqlite(url, timeout_s: float) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:"):
        raise DatabaseUnavailable("an in-memory SQLite database cannot be opened read-only")
    path = Path(database).resolve()
    if not path.is_file():
        raise DatabaseUnavailable(f"database file not found: {path}")
    # mode=ro makes SQLite refuse every write at the file level, including DDL.
    # NullPool: a connection per use, so a demo database rebuilt and moved into place is seen at once
    # (a pooled connection would keep reading the replaced file). Opening SQLite costs microseconds.
    engine = create_engine(
        f"sqlite:///file:{path}?mode=ro&uri=true",
        connect_args={"timeout": timeout_s, "check_same_thread": False},
        poolclass=NullPool,
    )

    @event.listens_for(engine, "connect")
    def _query_only(dbapi_conn, record):
        dbapi_conn.execute("PRAGMA query_only = ON")  # second lock: refuse writes even to temp objects
        started = record.info.setdefault("statement_started", [None])

        def over_time() -> int:  # SQLite calls this every few thousand steps; non-zero interrupts the query
            return int(started[0] is not None and time.monotonic() - started[0] > timeout_s)

        dbapi_conn.set_progress_handler(over_time, 10_000)

    @event.listens_for(engine, "before_cursor_execute")
    def _start_clock(conn, _cursor, _statement, _parameters, _context, _executemany):
        conn.connection.info.setdefault("statement_started", [None])[0] = time.monotonic()

    return engine


def _readonly_postgres(url, timeout_s: float) -> Engine:
    options = (
        "-c default_transaction_read_only=on "
        f"-c statement_timeout={int(timeout_s * 1000)}"
    )
    engine = create_engine(url, connect_args={"options": options}, pool_pre_ping=True)

    @event.listens_for(engine, "begin")
    def _read_only_transaction(conn):
        # Every transaction starts read-only and takes its snapshot at once (SELECT 1): after a query
        # PostgreSQL refuses to make a transaction read-write, so even a session whose default was
        # switched off cannot write through this engine.
        conn.exec_driver_sql("SET TRANSACTION READ ONLY; SELECT 1")

    return engine


def readonly_engine(url: str, timeout_s: float = 15.0) -> Engine:
    """An engine through which every INSERT, UPDATE, DELETE and DDL fails."""
    parsed = database_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _readonly_sqlite(parsed, timeout_s)
    if backend == "postgresql":
        return _readonly_postgres(parsed, timeout_s)
    raise DatabaseUnavailable(f"unsupported database: {backend} (use SQLite or PostgreSQL)")
