"""A cheap fingerprint of the database's contents, so cached reads can tell that a load has finished.

Every load (`pilot-tracker ingest ...`, `boundaries load`, `demo`) records a release in the same
transaction as its rows, so the latest release (its id and when it was retrieved) changes when a load
commits. Loading the very same file again reuses its release and changes nothing visible, except
where another file overwrote those rows in between: that case waits for the caches' time limit.
The query reads one row through the release table's primary key.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, select

from app import schema
from app.queries import fetch

Fingerprint = tuple[int, str] | None


def data_fingerprint(engine: Engine) -> Fingerprint:
    """(latest release id, its retrieval time in ISO format), or None for a database without releases."""
    r = schema.release
    stmt = select(r.c.id, r.c.retrieved_at).order_by(r.c.id.desc()).limit(1)
    latest = fetch(engine, stmt, {"id": pl.Int64, "retrieved_at": pl.Datetime})
    if latest.is_empty():
        return None
    release_id, retrieved = latest.row(0)
    return int(release_id), retrieved.isoformat() if retrieved is not None else ""
