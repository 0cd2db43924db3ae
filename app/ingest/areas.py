"""A dated area classification (municipality -> region and ELY area, valid from/to) into the database.

The file has the format of data/area_classification.csv (read by reference.read_classification):
`municipality_code,region_code,ely_code,valid_from,valid_to`. The region and ELY memberships of
every municipality listed are replaced by the file's; municipalities not listed keep theirs. The
memberships derived from the classification (SSS = the country while a municipality exists,
GRP_PILOT / GRP_OTHER comparison groups) and the group populations are then rebuilt by the same
rules as reference.load_reference.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, delete, select, update

from app import schema
from app.areas import DERIVED_GROUPS, Membership
from app.ingest.csvfiles import parse_date, parse_municipality, read_csv_for
from app.ingest.errors import InputError
from app.ingest.records import LoadSummary, Skipped, file_provenance
from app.ingest.reference import derived_memberships
from app.ingest.store import area_kinds, record_provenance, transaction
from app.ingest.validate import Span, check_date_order, check_no_overlap
from app.settings import shown_url

CLASSIFICATION_KINDS = ("region", "ely")
SOURCE = "Area classification file"


@dataclass(frozen=True)
class ClassificationRow:
    line: int
    municipality: str
    region: str
    ely: str
    valid_from: date | None
    valid_to: date | None

    def memberships(self) -> list[Membership]:
        return [Membership(self.municipality, g, self.valid_from, self.valid_to) for g in (self.region, self.ely) if g]


def read_areas_file(path: Path) -> list[ClassificationRow]:
    """Read and check the file on its own (codes, dates, no two regions or ELY areas at once)."""
    out = []
    for row in read_csv_for(path, "areas"):
        muni = parse_municipality(path, row, "municipality_code")
        start = parse_date(path, row, "valid_from", allow_empty=True)
        end = parse_date(path, row, "valid_to", allow_empty=True)
        check_date_order(path, row, start, end)
        region, ely = row.values["region_code"].upper(), row.values["ely_code"].upper()
        if not region and not ely:
            raise InputError(path, "a row needs a region_code or an ely_code", location=row.where(),
                             column="region_code")
        out.append(ClassificationRow(row.line, muni, region, ely, start, end))
    spans = [Span((r.municipality, kind), r.valid_from, r.valid_to, r.line, f"{r.municipality} in {code}")
             for r in out for kind, code in (("region", r.region), ("ely", r.ely)) if code]
    check_no_overlap(path, spans, "a municipality is in one region and one ELY area at a time")
    return out


def check_codes(path: Path, rows: list[ClassificationRow], kinds: dict[str, str]) -> None:
    for r in rows:
        for column, code, kind in (("region_code", r.region, "region"), ("ely_code", r.ely, "ely")):
            if code and kinds.get(code) != kind:
                known = sorted(c for c, k in kinds.items() if k == kind)
                raise InputError(path, f"{code!r} is not a{'n ELY area' if kind == 'ely' else ' region'} in the "
                                       f"database (known: {known[0]} … {known[-1]})", location=f"row {r.line}",
                                 column=column)


def stored_memberships(conn: Connection) -> list[Membership]:
    m = schema.area_membership
    return [Membership(*r) for r in conn.execute(select(m.c.member_code, m.c.group_code, m.c.valid_from,
                                                        m.c.valid_to))]


def replace_group_memberships(conn: Connection, old: list[Membership], new: list[Membership]) -> tuple[int, int, int]:
    """Make the rows `old` (already in the table) into `new`; (added, removed, unchanged); no write when equal."""
    old_set, new_set = set(old), set(new)
    if old_set != new_set:
        m = schema.area_membership
        for gone in old_set - new_set:
            conn.execute(delete(m).where(
                m.c.member_code == gone.member_code, m.c.group_code == gone.group_code,
                m.c.valid_from.is_(None) if gone.valid_from is None else m.c.valid_from == gone.valid_from,
                m.c.valid_to.is_(None) if gone.valid_to is None else m.c.valid_to == gone.valid_to))
        added = sorted(new_set - old_set, key=lambda x: (x.member_code, x.group_code, x.valid_from or date.min))
        if added:
            conn.execute(m.insert(), [x.as_row() for x in added])
    return len(new_set - old_set), len(old_set - new_set), len(old_set & new_set)


def rebuild_derived(conn: Connection) -> None:
    """Bring SSS/GRP memberships and the group populations in line with the stored memberships."""
    kinds = area_kinds(conn)
    stored = stored_memberships(conn)
    old = [m for m in stored if m.group_code in DERIVED_GROUPS]
    new = derived_memberships(stored, kinds)
    replace_group_memberships(conn, old, new)
    a = schema.area
    population = {code: pop or 0 for code, pop in conn.execute(
        select(a.c.code, a.c.population).where(a.c.kind == "municipality"))}
    totals: dict[str, int] = defaultdict(int)
    for m in [x for x in stored if x.group_code not in DERIVED_GROUPS] + new:
        kind = kinds.get(m.group_code)
        if kind in ("pilot", "group") or (kind in CLASSIFICATION_KINDS and m.valid_to is None):
            totals[m.group_code] += population.get(m.member_code, 0)
    current = dict(conn.execute(select(a.c.code, a.c.population).where(
        a.c.kind.in_(("pilot", "group") + CLASSIFICATION_KINDS))).all())
    for code, before in current.items():
        if before != totals.get(code, 0):
            conn.execute(update(a).where(a.c.code == code).values(population=totals.get(code, 0)))


def load_areas(db_url: str, path: Path, *, url: str | None = None, licence: str | None = None,
               retrieved_at: datetime | None = None) -> LoadSummary:
    """Replace the region and ELY memberships of the municipalities in the file, in one transaction."""
    path = Path(path)
    rows = read_areas_file(path)
    summary = LoadSummary(file=path.name, target=shown_url(db_url), what="region/ELY memberships")
    with transaction(db_url) as conn:
        kinds = area_kinds(conn)
        check_codes(path, rows, kinds)
        unknown = sorted({r.municipality for r in rows if kinds.get(r.municipality) != "municipality"})
        rows = [r for r in rows if r.municipality not in unknown]
        listed = {r.municipality for r in rows}
        old = [m for m in stored_memberships(conn)
               if m.member_code in listed and kinds.get(m.group_code) in CLASSIFICATION_KINDS]
        new = [m for r in rows for m in r.memberships()]
        summary.inserted, summary.removed, summary.unchanged = replace_group_memberships(conn, old, new)
        rebuild_derived(conn)
        provenance = file_provenance(path, f"{SOURCE}: {path.name}", url=url, licence=licence,
                                     retrieved_at=retrieved_at)
        record_provenance(conn, summary, provenance, len(new))
    summary.total = len(new)
    if unknown:
        summary.skipped.append(Skipped("municipality codes not in the area table (add them to "
                                       "data/municipalities.csv and run `db init`)", tuple(unknown)))
    summary.notes.append(f"{len(listed)} municipalities re-classified; others keep their memberships")
    return summary
