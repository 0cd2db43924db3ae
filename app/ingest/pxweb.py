"""`ingest pxweb`: a Statistics Finland PxWeb file, read -> map -> validate -> store in one transaction.

Reading is app.ingest.pxweb_read, mapping and validating app.ingest.pxweb_map, the store app.ingest.store.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

from app.indicators import Registry, registry as default_registry
from app.ingest.pxweb_map import harmonise
from app.ingest.pxweb_read import read_table
from app.ingest.records import LoadSummary, file_provenance
from app.ingest.store import ProgressFactory, load_transaction, record_provenance, write_observations
from app.ingest.validate import require_indicators
from app.ingest.values import parse_timestamp


def load_pxweb(db_url: str, path: Path, *, registry: Registry | None = None, url: str | None = None,
               licence: str | None = None, retrieved_at: datetime | None = None,
               progress: ProgressFactory | None = None) -> LoadSummary:
    """Load one PxWeb file in one transaction; InputError (database untouched) on bad input."""
    registry = registry or default_registry()
    path = Path(path)
    table = read_table(path)
    with load_transaction(db_url, path) as (conn, summary, kinds):
        result = harmonise(table, registry, kinds)
        require_indicators(conn, result.indicators)
        source = registry.sources[result.source_code]
        provenance = file_provenance(path, f"Statistics Finland PxWeb: {table.label or path.name}",
                                     url=url or source.url, licence=licence or source.licence,
                                     retrieved_at=retrieved_at, published_at=parse_timestamp(table.updated))
        release_id = record_provenance(conn, summary, provenance, len(result.observations))
        write_observations(conn, result.observations, release_id, summary, progress)
    summary.skipped = result.skipped
    periods = sorted({o.period for o in result.observations})
    loaded_kinds = Counter(kinds[code] for code in {o.area_code for o in result.observations})
    summary.notes.append(
        f"{table.format}; {len(periods)} month(s) ({periods[0]:%Y-%m}"
        + (f" … {periods[-1]:%Y-%m}); " if len(periods) > 1 else "); ")
        + f"{len(result.indicators)} indicators; areas: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(loaded_kinds.items())))
    if table.updated and summary.provenance.published_at is None:
        summary.notes.append(f"the file's 'updated' value {table.updated!r} is not a date; published_at left empty")
    return summary
