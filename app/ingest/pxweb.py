"""`ingest pxweb`: a Statistics Finland PxWeb file, read -> map -> validate -> store in one transaction.

Reading is app.ingest.pxweb_read, mapping and validating app.ingest.pxweb_map, the store app.ingest.store.
`store_table` is shared with `fetch pxweb` (app.ingest.fetch), which stores a table the API client fetched.

Area division: a table publishes its whole history in the area division of its publication year
(docs/ingest.md). A file is recorded as published in that division when it holds months of an earlier
year than its `updated` date (a history, `--division auto`), else as month by month (no division:
each month's own membership, which is the same thing for a month of the publication year).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from app.indicators import Registry, registry as default_registry
from app.ingest.pxweb_map import Harmonised, harmonise
from app.ingest.pxweb_read import PxTable, read_table
from app.ingest.records import LoadSummary, Provenance, file_provenance
from app.ingest.store import ProgressFactory, load_transaction, record_provenance, write_observations
from app.ingest.validate import require_indicators
from app.ingest.values import parse_timestamp

DIVISION_CHOICES = ("auto", "none")  # or a year


def file_division(choice: str | int | None, result: Harmonised, published_at: datetime | None) -> int | None:
    """The area division a file is recorded in: a year given, none, or auto (see the module docstring)."""
    if choice in (None, "none"):
        return None
    if choice != "auto":
        return int(choice)
    if published_at is None or not result.observations:
        return None
    earliest = min(o.period for o in result.observations)
    return published_at.year if earliest.year < published_at.year else None


def store_table(conn: Connection, summary: LoadSummary, kinds: dict[str, str], table: PxTable, result: Harmonised,
                provenance: Provenance, progress: ProgressFactory | None = None) -> None:
    """Record the release of a mapped table (with the months it holds) and write its observations."""
    require_indicators(conn, result.indicators)
    provenance = provenance.covering(o.period for o in result.observations)
    release_id = record_provenance(conn, summary, provenance, len(result.observations))
    write_observations(conn, result.observations, release_id, summary, progress, division=provenance.division)
    summary.skipped = result.skipped
    periods = sorted({o.period for o in result.observations})
    loaded_kinds = Counter(kinds[code] for code in {o.area_code for o in result.observations})
    summary.notes.append(
        f"{table.format}; {len(periods)} month(s) ({periods[0]:%Y-%m}"
        + (f" … {periods[-1]:%Y-%m}); " if len(periods) > 1 else "); ")
        + f"{len(result.indicators)} indicators; areas: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(loaded_kinds.items())))
    if provenance.division:
        summary.notes.append(f"published in the area division of {provenance.division}: ELY, region and country "
                             f"sums of these months use the memberships of 1 January {provenance.division}")


def load_pxweb(db_url: str, path: Path, *, registry: Registry | None = None, url: str | None = None,
               licence: str | None = None, retrieved_at: datetime | None = None,
               progress: ProgressFactory | None = None, division: str | int | None = "auto") -> LoadSummary:
    """Load one PxWeb file in one transaction; InputError (database untouched) on bad input."""
    registry = registry or default_registry()
    path = Path(path)
    table = read_table(path)
    with load_transaction(db_url, path) as (conn, summary, kinds):
        published_at = parse_timestamp(table.updated)
        result = harmonise(table, registry, kinds)
        source = registry.sources[result.source_code]
        provenance = file_provenance(path, f"Statistics Finland PxWeb: {table.label or path.name}",
                                     url=url or source.url, licence=licence or source.licence,
                                     retrieved_at=retrieved_at, published_at=published_at)
        provenance = replace(provenance, division=file_division(division, result, published_at))
        store_table(conn, summary, kinds, table, result, provenance, progress)
    if table.updated and summary.provenance.published_at is None:
        summary.notes.append(f"the file's 'updated' value {table.updated!r} is not a date; published_at left empty")
    return summary

