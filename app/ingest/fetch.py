"""`fetch pxweb`: a table from Statistics Finland's PxWeb API, its new months fetched whole, stored in one transaction.

Steps: read what the database knows (area codes, the latest month already loaded from this table URL),
fetch through app.ingest.pxweb_api (nothing is written while it runs: a failure leaves the database as
it was), then map -> validate -> store the merged document like a file (app.ingest.pxweb.store_table),
in one transaction. The release records the table URL, the table's `updated` time, the retrieval time,
the months it holds and its area division: the year of `updated` (a table publishes its whole history
in the current year's division).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, func, select

from app import schema
from app.indicators import Registry, registry as default_registry
from app.ingest.errors import InputError, NetworkError
from app.ingest.pxweb import store_table
from app.ingest.pxweb_api import Client, FetchError, FetchResult, Limits, api_root, fetch_table
from app.ingest.pxweb_map import harmonise
from app.ingest.pxweb_read import table_from_document
from app.ingest.records import LoadSummary, Provenance, Skipped
from app.ingest.store import ProgressFactory, area_kinds, load_transaction, open_writable
from app.ingest.values import parse_timestamp, to_utc_naive

TABLE_AREA_KINDS = ("country", "ely", "region", "municipality")  # what Statistics Finland's tables hold
SOURCE_PREFIX = "Statistics Finland PxWeb API"


@dataclass
class FetchLoad:
    """What a fetch did: the client's result (stats, skipped codes) and the load's summary (None: nothing new)."""

    fetched: FetchResult
    after: date | None  # the latest month already loaded from the table URL, when the fetch was incremental
    summary: LoadSummary | None

    def lines(self) -> list[str]:
        stats = self.fetched.stats
        if self.summary is None:
            since = f" after {self.after:%Y-%m}, the latest month already loaded" if self.after else ""
            return [f"{self.fetched.url}: nothing new{since}; no data was asked for and nothing was written",
                    f"  {stats.summary()}"]
        return [f"fetched {stats.summary()}", *self.summary.lines(), *self.not_asked_for()]

    def not_asked_for(self) -> list[str]:
        """The table's codes left out of the queries, as `ingest pxweb` lists what it skips."""
        stats = self.fetched.stats
        return [f"  {line}" for line in (
            Skipped("unknown area codes (not asked for)", tuple(stats.skipped_areas)).line()
            if stats.skipped_areas else None,
            Skipped("content codes not in the indicator registry (not asked for)",
                    tuple(stats.skipped_contents)).line() if stats.skipped_contents else None) if line]


def latest_loaded_month(conn: Connection, table_url: str) -> date | None:
    """The latest month a release fetched from table_url holds."""
    r = schema.release
    return conn.execute(select(func.max(r.c.last_period)).where(r.c.url == table_url)).scalar()


def document_sha256(document: dict) -> str:
    """A checksum of the fetched content (not of the moment it was fetched), so a repeat fetch is recognisable."""
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def check_table_url(table_url: str) -> None:
    try:
        api_root(table_url)
    except FetchError as exc:
        raise InputError(table_url, exc.message) from None


def fetch_pxweb(db_url: str, table_url: str, *, first: date | None = None, last: date | None = None,
                incremental: bool = True, registry: Registry | None = None, client: Client | None = None,
                limits: Limits | None = None, on_progress: Callable[[int, int], None] | None = None,
                progress: ProgressFactory | None = None, licence: str | None = None) -> FetchLoad:
    """Fetch the table's months from `first` to `last` (incremental: only those after the latest loaded
    from this URL) for the known areas and mapped contents, and store them in one transaction.

    Raises NetworkError when the service cannot deliver (the database is untouched), InputError on a
    bad URL or an answer the mapping refuses, DatabaseNotReady before fetching when the database is not.
    """
    registry = registry or default_registry()
    check_table_url(table_url)
    engine = open_writable(db_url)
    try:
        with engine.connect() as conn:
            kinds = area_kinds(conn)
            after = latest_loaded_month(conn, table_url) if incremental else None
    finally:
        engine.dispose()
    areas = [code for code, kind in kinds.items() if kind in TABLE_AREA_KINDS]
    try:
        fetched = fetch_table(table_url, areas=areas, contents=sorted(registry.by_pxweb_code()), first=first,
                              last=last, after=after, client=client, limits=limits, on_progress=on_progress)
    except FetchError as exc:
        raise NetworkError(exc.url, exc.message) from None
    if fetched.nothing_new:
        return FetchLoad(fetched, after, None)
    published_at = parse_timestamp(fetched.updated)
    retrieved_at = to_utc_naive(fetched.retrieved_at)
    table = table_from_document(fetched.document, table_url)
    with load_transaction(db_url, table_url) as (conn, summary, kinds):
        result = harmonise(table, registry, kinds)
        source = registry.sources[result.source_code]
        provenance = Provenance(source=f"{SOURCE_PREFIX}: {fetched.title or table.label or table_url}",
                                url=table_url, licence=licence or source.licence, retrieved_at=retrieved_at,
                                published_at=published_at, sha256=document_sha256(fetched.document),
                                division=(published_at or retrieved_at).year)
        store_table(conn, summary, kinds, table, result, provenance, progress)
    summary.file = table_url
    return FetchLoad(fetched, after, summary)
