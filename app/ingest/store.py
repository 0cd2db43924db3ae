"""The writable path: the engine, the one transaction of a load, releases, observation writes, schema and meta.

Contract of a load (see docs/ingest.md):
- the file is read and checked before the database is touched; the rest runs in ONE transaction
  (`transaction(url)`), so a failure at any point leaves the database exactly as it was;
- a release is identified by the file's sha256 and source: loading the same file again reuses its
  release row, and observations whose value and status are unchanged are not written again, so a
  second load of the same file changes nothing;
- an observation keeps the release that last changed its value or status;
- a load that replaces a value keeps the superseded one in `observation_revision` (old value, its
  release, new value, new release); a value repeated unchanged, or only its status changed, is not a
  revision.

Long (about 420 lines) on purpose: these are the only functions that write, and keeping the engine, the
transaction and every write together makes "nothing else writes" checkable in one file
(tests/test_architecture.py holds the rest of the rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, create_engine, delete, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite

from app import schema
from app.indicators import Registry, registry as default_registry
from app.ingest.errors import DatabaseNotReady
from app.ingest.records import LoadSummary, Observation, Provenance
from app.ingest.reference import ReferenceData, indicator_rows, load_reference
from app.settings import database_url, shown_url
from app.stored_series import DATA_VERSION

BATCH = 5000  # rows per statement
SQLITE_BUSY_TIMEOUT_MS = 60_000  # a load waits this long for another writer (or a checkpoint) to finish
PROGRESS_MIN_ROWS = 5000  # loads with more rows than this show a progress bar

ProgressFactory = Callable[[int], AbstractContextManager]


# --- engine and transaction ---------------------------------------------------------------------------

def writable_engine(url: str) -> Engine:
    """The only writable engine in the project; used by the ingestion CLI and the demo builder.

    SQLite files are switched to WAL mode (it stays with the file): a load killed at any moment
    leaves only uncommitted frames in the -wal file, which readers ignore, so the read-only
    dashboard reads the database as it was at once (a rollback journal left by a killed load would
    need a read-write open first), and readers are never blocked by a running load.
    """
    parsed = database_url(url)
    engine = create_engine(parsed)
    if parsed.get_backend_name() == "sqlite":
        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn, _record):
            dbapi_conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            dbapi_conn.execute("PRAGMA foreign_keys = ON")
    return engine


def use_wal(engine: Engine) -> None:
    """Switch a SQLite file to WAL mode before a load writes (a read-write open also rolls back a
    journal that a load killed before this change left behind)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode = WAL")


def checkpoint(engine: Engine) -> None:
    """Copy a finished load from SQLite's -wal file into the database file and empty the -wal file,
    so the file alone is the whole database again (a copy or a backup of it misses nothing)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def open_writable(url: str) -> Engine:
    """The writable engine for a load, refused unless the database exists and has the schema."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).is_file():
            raise DatabaseNotReady(f"database file not found: {database or '(none)'}; "
                                   f"create it with `pilot-tracker db init --db {url}`")
    engine = writable_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    except Exception as exc:  # noqa: BLE001 - any failure to connect is reported the same way
        engine.dispose()
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseNotReady(f"cannot open {shown_url(url)}: {first}") from exc
    missing = {t.name for t in schema.metadata.sorted_tables} - tables
    # Tables added since version 1: `db init` adds them (area_series: the series refresh creates it).
    added = {"published_value", "observation_revision", "area_series", "release_coverage"}
    if missing - added:
        engine.dispose()
        raise DatabaseNotReady(f"{shown_url(url)} has no Pilot Tracker schema (missing tables: "
                               f"{', '.join(sorted(missing))}); run `pilot-tracker db init --db URL` first")
    with engine.connect() as conn:
        lacking = sorted(missing - {"area_series", "release_coverage"}) + [f"{t}.{c}" for t, cs in missing_columns(conn).items() for c in cs]
    if lacking:
        engine.dispose()
        raise DatabaseNotReady(f"{shown_url(url)} has an older Pilot Tracker schema (lacking {', '.join(lacking)}); "
                               "run `pilot-tracker db init --db URL` once to upgrade it (it only adds)")
    return engine


@contextmanager
def transaction(url: str, changes_data: bool = True) -> Iterator[Connection]:
    """The one transaction of a load on a checked writable engine: committed at the end, rolled back on error.

    changes_data: the load changes observations or memberships, so the stored series of summed areas
    (app.stored_series) stop being used when it commits; a boundary load says False.
    """
    engine = open_writable(url)
    writes = _count_writes(engine)
    try:
        use_wal(engine)
        with engine.begin() as conn:
            yield conn
            if changes_data and writes():  # the same file loaded again writes nothing and changes nothing
                raise_data_version(conn)
            analyze(conn)  # in the same transaction: the new rows and their statistics commit together
        checkpoint(engine)
    finally:
        engine.dispose()


def _count_writes(engine: Engine) -> Callable[[], int]:
    """A counter of the rows the engine's INSERT, UPDATE and DELETE statements touch (a driver that cannot
    tell, -1, counts as one)."""
    touched = [0]

    @event.listens_for(engine, "after_cursor_execute")
    def _count(_conn, cursor, statement, _parameters, _context, _executemany):
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            touched[0] += cursor.rowcount if cursor.rowcount >= 0 else 1

    return lambda: touched[0]


def area_kinds(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(schema.area.c.code, schema.area.c.kind)).all())


@contextmanager
def load_transaction(db_url: str, path: Path,
                     what: str = "observations") -> Iterator[tuple[Connection, LoadSummary, dict[str, str]]]:
    """A source's load: its one transaction, the summary it fills and the kinds of the known area codes."""
    summary = LoadSummary(file=Path(path).name, target=shown_url(db_url), what=what)
    with transaction(db_url) as conn:
        yield conn, summary, area_kinds(conn)


# --- writes ----------------------------------------------------------------------------------------------

def upsert(conn: Connection, table: Table, rows: Sequence[dict], keys: Sequence[str]) -> None:
    """Insert rows, replacing the non-key columns of rows whose key exists: loads are idempotent."""
    if not rows:
        return
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[conn.dialect.name]
    columns = list(rows[0].keys())
    for start in range(0, len(rows), BATCH):
        stmt = insert(table)
        others = {c: stmt.excluded[c] for c in columns if c not in keys}
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=others) if others \
            else stmt.on_conflict_do_nothing(index_elements=list(keys))
        conn.execute(stmt, list(rows[start:start + BATCH]))


def record_release(conn: Connection, provenance: Provenance, row_count: int) -> tuple[int, bool]:
    """The release of this file: reused when the same bytes from the same source were loaded before.

    Ids are assigned as max+1 in this transaction (the demo builder inserts explicit ids, so a
    PostgreSQL sequence would lag behind).
    """
    r = schema.release
    existing = conn.execute(select(r.c.id).where(r.c.sha256 == provenance.sha256, r.c.source == provenance.source)
                            .order_by(r.c.id)).scalar()
    if existing is not None:
        return int(existing), True
    next_id = (conn.execute(select(func.max(r.c.id))).scalar() or 0) + 1
    conn.execute(r.insert().values(id=next_id, source=provenance.source, url=provenance.url,
                                   licence=provenance.licence, retrieved_at=provenance.retrieved_at,
                                   published_at=provenance.published_at, sha256=provenance.sha256,
                                   row_count=row_count, division=provenance.division,
                                   first_period=provenance.first_period, last_period=provenance.last_period))
    return next_id, False


def record_provenance(conn: Connection, summary: LoadSummary, provenance: Provenance, row_count: int) -> int:
    """Record (or reuse) the release of this load; its id goes into the summary and is returned.

    A load into the synthetic demo database is allowed but said in the summary: its values are invented.
    """
    summary.provenance = provenance
    summary.release_id, summary.release_reused = record_release(conn, provenance, row_count)
    if conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "demo")).scalar() == "true":
        summary.notes.append("this is the synthetic demo database: real rows now sit beside invented ones; "
                             "load real data into a database of its own (`pilot-tracker db init --db URL`)")
    return summary.release_id


def progress_bar(factory: ProgressFactory | None, total: int) -> AbstractContextManager:
    if factory is None or total <= PROGRESS_MIN_ROWS:
        return nullcontext(None)
    return factory(total)


def _existing(conn: Connection, observations: Sequence[Observation]) -> dict[tuple, tuple]:
    """key -> (value, status, release_id, the area division of that release) of the stored rows the load may touch."""
    o, r = schema.observation, schema.release
    indicators = sorted({x.indicator_code for x in observations})
    periods = sorted({x.period for x in observations})
    found: dict[tuple, tuple] = {}
    for start in range(0, len(periods), 200):
        stmt = select(o.c.indicator_code, o.c.area_code, o.c.period, o.c.value, o.c.status, o.c.release_id,
                      r.c.division).select_from(o.outerjoin(r, r.c.id == o.c.release_id)).where(
            o.c.indicator_code.in_(indicators), o.c.period.in_(periods[start:start + 200]))
        for ind, area, period, value, status, release_id, division in conn.execute(stmt):
            found[(ind, area, period)] = (value, status, release_id, division)
    return found


def revised(old_value: float | None, new_value: float | None) -> bool:
    """A revision changes the value: a number to another, or a suppressed (NULL) value to a known one or back."""
    if old_value is None or new_value is None:
        return (old_value is None) != (new_value is None)
    return float(old_value) != float(new_value)


def _revision(x: Observation, before: tuple, release_id: int) -> dict:
    old_value, old_status, old_release = before[:3]
    return {"indicator_code": x.indicator_code, "area_code": x.area_code, "period": x.period,
            "old_value": old_value, "old_status": old_status, "old_release_id": old_release,
            "new_value": x.value, "new_status": x.status, "new_release_id": release_id}


def write_observations(conn: Connection, observations: Sequence[Observation], release_id: int,
                       summary: LoadSummary, progress: ProgressFactory | None = None,
                       division: int | None = None) -> None:
    """Insert new observations and upsert changed ones; unchanged ones are not written. Counts go into summary.

    An unchanged value whose release is of another area division than this load's (`division`) is
    pointed at this release, so every row tells the division it was last published in (see docs/ingest.md).
    """
    existing = _existing(conn, observations)
    new_rows: list[Observation] = []
    changed_rows: list[Observation] = []
    revision_rows: list[dict] = []
    moved = 0
    for x in observations:
        before = existing.get(x.key)
        if before is not None and before[:2] == (x.value, x.status):
            if before[3] == division:
                continue
            moved += 1
        (new_rows if before is None else changed_rows).append(x)
        if before is not None and revised(before[0], x.value):
            revision_rows.append(_revision(x, before, release_id))
    summary.total = len(observations)
    summary.inserted, summary.updated = len(new_rows), len(changed_rows) - moved
    summary.division_moved = moved
    summary.revised = len(revision_rows)
    summary.unchanged = summary.total - summary.inserted - summary.updated
    summary.suppressed = sum(1 for x in observations if x.status == "suppressed")
    with progress_bar(progress, len(new_rows) + len(changed_rows)) as bar:
        for rows, write in ((new_rows, _insert), (changed_rows, _upsert)):
            for start in range(0, len(rows), BATCH):  # rows become dicts a batch at a time: bounded memory
                chunk = [{"indicator_code": x.indicator_code, "area_code": x.area_code, "period": x.period,
                          "value": x.value, "status": x.status, "release_id": release_id}
                         for x in rows[start:start + BATCH]]
                write(conn, chunk)
                if bar is not None:
                    bar.update(len(chunk))
    for start in range(0, len(revision_rows), BATCH):
        conn.execute(schema.observation_revision.insert(), revision_rows[start:start + BATCH])


def _insert(conn: Connection, rows: list[dict]) -> None:
    conn.execute(schema.observation.insert(), rows)


def _upsert(conn: Connection, rows: list[dict]) -> None:
    upsert(conn, schema.observation, rows, ["indicator_code", "area_code", "period"])


# --- schema, reference data, meta ---------------------------------------------------------------------

def raise_data_version(conn: Connection) -> None:
    """Mark the data as changed, in the writing transaction: stored series stop being used until refreshed."""
    set_meta(conn, {DATA_VERSION: str(int(meta_value(conn, DATA_VERSION) or 0) + 1)})


def meta_value(conn: Connection, key: str) -> str | None:
    return conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()


def set_meta(conn: Connection, values: dict[str, str]) -> None:
    upsert(conn, schema.meta, [{"key": k, "value": str(v)} for k, v in values.items()], ["key"])


def create_schema(conn: Connection) -> None:
    schema.metadata.create_all(conn)
    upgrade_schema(conn)


def missing_columns(conn: Connection) -> dict[str, list[str]]:
    """table -> columns of app.schema that an existing table lacks (a database of an older schema version)."""
    inspector = inspect(conn)
    tables = set(inspector.get_table_names())
    out = {}
    for table in schema.metadata.sorted_tables:
        if table.name in tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            lacking = [c.name for c in table.columns if c.name not in present]
            if lacking:
                out[table.name] = lacking
    return out


def upgrade_schema(conn: Connection) -> None:
    """Add the columns a newer schema version added (names are only ever added, so this is the whole upgrade)."""
    for table_name, columns in missing_columns(conn).items():
        table = schema.metadata.tables[table_name]
        for name in columns:
            column = table.c[name]
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f'ALTER TABLE "{table_name}" ADD COLUMN "{name}" {kind}')


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
    use_wal(engine)
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
    checkpoint(engine)
    return engine


# --- bulk loads (the demo builder and the benchmark's database) -----------------------------------------

OBSERVATION_COLUMNS = ("indicator_code", "area_code", "period", "value", "status", "release_id")


def bulk_insert_observations(conn: Connection, rows: Iterable[tuple]) -> int:
    """Insert new observations (tuples in OBSERVATION_COLUMNS order) the fastest way the backend has."""
    return bulk_insert(conn, schema.observation, OBSERVATION_COLUMNS, rows)


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert new rows (tuples in `columns` order) the fastest way the backend has.

    PostgreSQL gets COPY (about ten times faster than INSERTs), SQLite one prepared INSERT run over
    every row (dates as ISO text, as SQLAlchemy stores them there); both inside the caller's
    transaction. Only for rows known to be new (a fresh build, a replaced derived table).
    """
    raw = conn.connection.driver_connection
    names = ", ".join(columns)
    count = 0
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            yield tuple(v.isoformat() if isinstance(v, date) else v for v in row)

    raw.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})", counted())
    return count


def analyze(conn: Connection) -> None:
    """Fresh planner statistics after a load, so reads choose the observation and membership indexes.

    PostgreSQL leaves a freshly loaded table without statistics until autovacuum gets to it; SQLite
    has none until ANALYZE (a bounded sample here, so it stays quick on millions of rows).
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE")
    else:
        conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
        conn.exec_driver_sql("ANALYZE")
