"""A dated area classification (municipality -> region and ELY area, valid from/to) into the database.

The file has the format of data/area_classification.csv (read by reference.read_classification):
`municipality_code,region_code,ely_code,valid_from,valid_to`. The region and ELY memberships of
every municipality listed are replaced by the file's; municipalities not listed keep theirs. What
derives from them is then rebuilt (app.ingest.memberships).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.areas import Membership
from app.ingest.csvfiles import parse_date, parse_municipality, read_csv_for
from app.ingest.errors import InputError
from app.ingest.memberships import CLASSIFICATION_KINDS, store_group_memberships, stored_memberships
from app.ingest.records import LoadSummary, Skipped
from app.ingest.store import load_transaction
from app.ingest.validate import Span, check_date_order, check_no_overlap

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


def load_areas(db_url: str, path: Path, *, url: str | None = None, licence: str | None = None,
               retrieved_at: datetime | None = None) -> LoadSummary:
    """Replace the region and ELY memberships of the municipalities in the file, in one transaction."""
    path = Path(path)
    rows = read_areas_file(path)
    with load_transaction(db_url, path, "region/ELY memberships") as (conn, summary, kinds):
        check_codes(path, rows, kinds)
        unknown = sorted({r.municipality for r in rows if kinds.get(r.municipality) != "municipality"})
        rows = [r for r in rows if r.municipality not in unknown]
        listed = {r.municipality for r in rows}
        old = [m for m in stored_memberships(conn)
               if m.member_code in listed and kinds.get(m.group_code) in CLASSIFICATION_KINDS]
        new = [m for r in rows for m in r.memberships()]
        store_group_memberships(conn, summary, path, SOURCE, old, new, url=url, licence=licence,
                                retrieved_at=retrieved_at)
    if unknown:
        summary.skipped.append(Skipped("municipality codes not in the area table (add them to "
                                       "data/municipalities.csv and run `db init`)", tuple(unknown)))
    summary.notes.append(f"{len(listed)} municipalities re-classified; others keep their memberships")
    return summary
