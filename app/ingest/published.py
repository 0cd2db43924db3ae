"""`ingest published`: figures a publisher printed about the pilots (TEM's reviews, the Employment Bulletin).

Format (docs/ingest.md, data/published_figures.csv): `period,area_code,indicator,value,source_title,
source_url,published` (+ optional `unit`, `approximate`, `area_name`). Each distinct source (title, URL,
publication date) is a release. The values go to `published_value`, apart from the observations: they
are drawn beside the computed series and compared with it, never merged into it.

`GRP_PILOT` stands for "all pilot areas": during the pilots (2021-03 … 2024-12) the comparison group of
municipalities ever in a pilot is exactly the municipalities of the pilot areas of that month, so a
figure for all pilot areas is a figure for GRP_PILOT; outside those months the group is only a
comparison group, and such a row is refused.

A source's values are replaced by the file's: loading the same file again changes nothing, a corrected
value takes a new release of that source and its old values go.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, delete, select

from app import schema
from app.areas import GRP_PILOT, area_code
from app.indicators import Registry, registry as default_registry
from app.ingest.csvfiles import CsvRow, parse_date, parse_month, parse_number, read_csv_for
from app.ingest.errors import InputError
from app.ingest.records import LoadSummary, Provenance, Skipped
from app.ingest.store import load_transaction, record_provenance, upsert
from app.ingest.validate import find_duplicates, require_indicators
from app.ingest.values import utcnow
from app.months import PILOT_END, PILOT_START

OPTIONAL = ("unit", "approximate", "area_name")
UNITS = {"persons": ("persons",), "vacancies": ("vacancies",), "percent": ("percent", "%")}
TRUE, FALSE = ("true", "yes", "1"), ("false", "no", "0", "")


@dataclass(frozen=True)
class PublishedFigure:
    indicator_code: str
    area_code: str
    period: date
    value: float
    approximate: bool
    source: tuple[str, str, date]  # title, URL, publication date
    where: str

    @property
    def key(self) -> tuple[str, str, date]:
        return (self.indicator_code, self.area_code, self.period)


def _figure(path: Path, row: CsvRow, registry: Registry) -> PublishedFigure:
    v = row.values
    indicator = v["indicator"]
    if indicator not in registry:
        raise InputError(path, f"{indicator!r} is not an indicator of the registry (data/indicators.toml)",
                         location=row.where(), column="indicator")
    value = parse_number(path, row, "value")
    if not math.isfinite(value) or value < 0:
        raise InputError(path, f"{v['value']!r} is not a published count or share", location=row.where(),
                         column="value")
    unit = v.get("unit", "").strip().lower()
    if unit and unit not in UNITS[registry[indicator].unit]:
        raise InputError(path, f"the unit {unit!r} is not the unit of {indicator} ({registry[indicator].unit}): a "
                               "figure of another definition needs an indicator of its own",
                         location=row.where(), column="unit")
    approximate = v.get("approximate", "").strip().lower()
    if approximate not in TRUE + FALSE:
        raise InputError(path, f"{approximate!r} is not true or false", location=row.where(), column="approximate")
    period = parse_month(path, row, "period")
    area = area_code(v["area_code"])
    if area == GRP_PILOT and not PILOT_START <= period <= PILOT_END:
        raise InputError(path, f"{GRP_PILOT} stands for all pilot areas, which exist only from {PILOT_START:%Y-%m} "
                               f"to {PILOT_END:%Y-%m}", location=row.where(), column="period")
    for column in ("source_title", "source_url"):
        if not v[column]:
            raise InputError(path, "every figure needs its source", location=row.where(), column=column)
    return PublishedFigure(indicator, area, period, value, approximate in TRUE,
                           (v["source_title"], v["source_url"], parse_date(path, row, "published")), row.where())


def read_published_file(path: Path, registry: Registry) -> list[PublishedFigure]:
    figures = [_figure(path, row, registry) for row in read_csv_for(path, "published", optional=OPTIONAL)]
    find_duplicates(path, ((f.key + f.source, f.where) for f in figures),
                    lambda key: f"the figure {key[0]} / {key[1]} / {key[2]:%Y-%m} of one source")
    return figures


def _source_sha(figures: list[PublishedFigure]) -> str:
    text = "\n".join(f"{f.indicator_code},{f.area_code},{f.period},{f.value!r},{f.approximate}"
                     for f in sorted(figures, key=lambda f: f.key))
    return hashlib.sha256(f"{figures[0].source}\n{text}".encode("utf-8")).hexdigest()


def _store_source(conn: Connection, summary: LoadSummary, figures: list[PublishedFigure],
                  licence: str | None, retrieved_at: datetime | None) -> int:
    """Record the source's release and make its stored values the file's; returns the release id."""
    title, url, published = figures[0].source
    provenance = Provenance(source=title, url=url, licence=licence, retrieved_at=retrieved_at or utcnow(),
                            published_at=datetime(published.year, published.month, published.day),
                            sha256=_source_sha(figures)).covering(f.period for f in figures)
    release_id = record_provenance(conn, summary, provenance, len(figures))
    r, p = schema.release, schema.published_value
    same_source = select(r.c.id).where(r.c.source == title, r.c.url == url,
                                       r.c.published_at == provenance.published_at)
    stored = {(ind, area, period): (value, approx, rid) for ind, area, period, value, approx, rid in conn.execute(
        select(p.c.indicator_code, p.c.area_code, p.c.period, p.c.value, p.c.approximate, p.c.release_id)
        .where(p.c.release_id.in_(same_source)))}
    rows = []
    for f in figures:
        before = stored.pop(f.key, None)
        if before == (f.value, f.approximate, release_id):
            summary.unchanged += 1
            continue
        summary.inserted += before is None
        summary.updated += before is not None and before[:2] != (f.value, f.approximate)
        summary.unchanged += before is not None and before[:2] == (f.value, f.approximate)  # a new release of it
        rows.append({"indicator_code": f.indicator_code, "area_code": f.area_code, "period": f.period,
                     "release_id": release_id, "value": f.value, "approximate": f.approximate})
    conn.execute(delete(p).where(p.c.release_id.in_(same_source), p.c.release_id != release_id))
    summary.removed += len(stored)
    upsert(conn, p, rows, ["indicator_code", "area_code", "period", "release_id"])
    return release_id


def load_published(db_url: str, path: Path, *, registry: Registry | None = None, url: str | None = None,
                   licence: str | None = None, retrieved_at: datetime | None = None) -> LoadSummary:
    """Load published figures, one release per source, in one transaction (see the module docstring).

    `url` is not used: every row names its own source address.
    """
    registry = registry or default_registry()
    path = Path(path)
    figures = read_published_file(path, registry)
    with load_transaction(db_url, path, "published figures") as (conn, summary, kinds):
        unknown = sorted({f.area_code for f in figures if f.area_code not in kinds})
        known = [f for f in figures if f.area_code in kinds]
        require_indicators(conn, {f.indicator_code for f in known})
        by_source: dict[tuple, list[PublishedFigure]] = {}
        for f in known:
            by_source.setdefault(f.source, []).append(f)
        releases = [_store_source(conn, summary, group, licence, retrieved_at) for group in by_source.values()]
    summary.total = len(known)
    summary.notes = list(dict.fromkeys(summary.notes))  # each source's release said the same about a demo database
    summary.provenance = None  # several releases: listed in the note below
    summary.notes.append(f"{len(by_source)} sources, each its own release: #"
                         + ", #".join(str(r) for r in releases))
    if unknown:
        summary.skipped.append(Skipped("unknown area codes", tuple(unknown),
                                       sum(1 for f in figures if f.area_code in unknown)))
    return summary
