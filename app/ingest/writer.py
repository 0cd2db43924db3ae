"""The writable path: an explicit engine, schema creation and idempotent upserts, one transaction per load."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, Table, create_engine, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from app import schema
from app.indicators import Registry, registry as default_registry
from app.ingest.reference import ReferenceData, indicator_rows, load_reference

BATCH = 5000


def writable_engine(url: str) -> Engine:
    """The only writable engine in the project; used by the ingestion CLI and the demo builder."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed)

        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn, _record):
            dbapi_conn.execute("PRAGMA foreign_keys = ON")

        return engine
    return create_engine(parsed)


def upsert(conn: Connection, table: Table, rows: Sequence[dict], keys: Sequence[str]) -> None:
    """Insert rows, replacing the non-key columns of rows whose key exists: loads are idempotent."""
    if not rows:
        return
    dialect = conn.dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect]
    columns = list(rows[0].keys())
    for start in range(0, len(rows), BATCH):
        stmt = insert(table)
        others = {c: stmt.excluded[c] for c in columns if c not in keys}
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=others) if others \
            else stmt.on_conflict_do_nothing(index_elements=list(keys))
        conn.execute(stmt, list(rows[start:start + BATCH]))


def set_meta(conn: Connection, values: dict[str, str]) -> None:
    upsert(conn, schema.meta, [{"key": k, "value": str(v)} for k, v in values.items()], ["key"])


def create_schema(conn: Connection) -> None:
    schema.metadata.create_all(conn)


def replace_memberships(conn: Connection, memberships: Iterable) -> None:
    """Memberships have no natural key (a municipality can join a group twice), so they are replaced whole."""
    conn.execute(delete(schema.area_membership))
    rows = [m.as_row() for m in memberships]
    for start in range(0, len(rows), BATCH):
        conn.execute(schema.area_membership.insert(), rows[start:start + BATCH])


def load_reference_data(conn: Connection, reference: ReferenceData, registry: Registry) -> None:
    columns = [c.name for c in schema.area.columns]
    areas = [{c: a.get(c) for c in columns} for a in reference.areas]
    upsert(conn, schema.area, areas, ["code"])
    replace_memberships(conn, reference.memberships)
    upsert(conn, schema.indicator, indicator_rows(registry), ["code"])


def init_database(url: str, *, reference: ReferenceData | None = None, registry: Registry | None = None,
                  demo: bool | None = None) -> Engine:
    """Create the schema and seed the reference data; safe to run again (`pilot-tracker db init`).

    Areas and memberships are seeded only into an empty database: a second run must not undo what
    `ingest pilots` or `ingest areas` loaded since. The indicator registry file is always the truth.
    """
    engine = writable_engine(url)
    registry = registry or default_registry()
    with engine.begin() as conn:
        create_schema(conn)
        if conn.execute(select(schema.area.c.code).limit(1)).first() is None:
            load_reference_data(conn, reference or load_reference(), registry)
        else:
            upsert(conn, schema.indicator, indicator_rows(registry), ["code"])
        existing = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "demo")).scalar()
        values = {"schema_version": schema.SCHEMA_VERSION}
        if demo is not None or existing is None:
            values["demo"] = "true" if demo else "false"
        set_meta(conn, values)
    return engine


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
