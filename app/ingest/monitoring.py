"""TEM's monthly pilot monitoring data (one value per row) into observations.

Format (docs/ingest.md): `area_code,month,indicator,value[,status]`. area_code is a municipality
(KU091, 091, 91) or a pilot area (PILOT01); month is 2026-06, 2026-06-01 or 2026M06; indicator is a
registry code; status is final (default), provisional or suppressed. An empty value or a
suppression symbol ("...") is a suppressed value: NULL with status suppressed, never zero. Area codes
the database does not know (e.g. a pilot missing from the registry) are skipped and listed.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from pathlib import Path

from app.indicators import Registry, registry as default_registry
from app.ingest.csvfiles import CsvRow, parse_month, parse_municipality, parse_number, read_csv_for
from app.ingest.errors import InputError
from app.ingest.records import LoadSummary, Observation, Skipped, file_provenance
from app.ingest.store import ProgressFactory, load_transaction, record_provenance, write_observations
from app.ingest.validate import describe_observation, find_duplicates, require_indicators
from app.ingest.values import SUPPRESSION_SYMBOLS

STATUSES = ("final", "provisional", "suppressed")
SOURCE_CODE = "tem_monitoring"


def _area(path: Path, row: CsvRow) -> str:
    raw = row.values["area_code"].strip().upper()
    if raw.isdigit() or raw.startswith("KU"):
        return parse_municipality(path, row, "area_code", forms="KU091, 091, 91 or a pilot code such as PILOT01")
    if not raw:
        raise InputError(path, "an area code is required", location=row.where(), column="area_code")
    return raw


def _value_and_status(path: Path, row: CsvRow) -> tuple[float | None, str]:
    raw = row.values["value"].strip()
    status = row.values.get("status", "").strip().lower()
    if status and status not in STATUSES:
        raise InputError(path, f"{status!r} is not a status (use {', '.join(STATUSES)} or leave it empty)",
                         location=row.where(), column="status")
    if raw in SUPPRESSION_SYMBOLS:
        if status not in ("", "suppressed"):
            raise InputError(path, f"the value is empty or suppressed ({raw or 'empty'}) but the status says {status}",
                             location=row.where(), column="value")
        return None, "suppressed"
    value = parse_number(path, row, "value")
    if not math.isfinite(value) or value < 0:
        raise InputError(path, f"{raw!r} is not a count or share (a finite number, 0 or more)", location=row.where(),
                         column="value")
    if status == "suppressed":
        raise InputError(path, "status suppressed with a value: leave the value empty or write ...",
                         location=row.where(), column="status")
    return value, status or "final"


def read_monitoring_file(path: Path, registry: Registry) -> list[tuple[Observation, str]]:
    """Observations with their row, checked on their own (no duplicates, known indicators, months)."""
    out = []
    for row in read_csv_for(path, "monitoring", optional=("status",)):
        indicator = row.values["indicator"].strip()
        if indicator not in registry:
            raise InputError(path, f"{indicator!r} is not an indicator of the registry (data/indicators.toml), e.g. "
                                   f"{', '.join(registry.codes()[:3])}", location=row.where(), column="indicator")
        value, status = _value_and_status(path, row)
        out.append((Observation(indicator, _area(path, row), parse_month(path, row, "month"), value, status),
                    row.where()))
    find_duplicates(path, ((o.key, where) for o, where in out), describe_observation)
    return out


def load_monitoring(db_url: str, path: Path, *, registry: Registry | None = None, url: str | None = None,
                    licence: str | None = None, retrieved_at: datetime | None = None,
                    progress: ProgressFactory | None = None) -> LoadSummary:
    """Load one monitoring file in one transaction; unknown areas are skipped, anything else wrong is an error."""
    registry = registry or default_registry()
    path = Path(path)
    rows = read_monitoring_file(path, registry)
    source = registry.sources[SOURCE_CODE]
    with load_transaction(db_url, path) as (conn, summary, kinds):
        unknown: Counter = Counter()
        observations = []
        for obs, where in rows:
            if kinds.get(obs.area_code) == "group":
                raise InputError(path, f"{obs.area_code} is a comparison group: its values are always computed",
                                 location=where, column="area_code")
            if obs.area_code not in kinds:
                unknown[obs.area_code] += 1
                continue
            observations.append(obs)
        require_indicators(conn, {o.indicator_code for o in observations})
        provenance = file_provenance(path, f"{source.names['en']}: {path.name}", url=url or source.url,
                                     licence=licence or source.licence, retrieved_at=retrieved_at)
        release_id = record_provenance(conn, summary, provenance, len(observations))
        write_observations(conn, observations, release_id, summary, progress)
    if unknown:
        summary.skipped.append(Skipped("unknown area codes", tuple(unknown), sum(unknown.values())))
    return summary
