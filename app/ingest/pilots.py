"""The pilot registry (pilot areas and their member municipalities, dated) from one CSV file.

Format, one row per member (docs/ingest.md):
`pilot_code,name_fi,name_sv,name_en,ely_code,municipality_code,valid_from,valid_to`.
The file is the whole registry: pilot areas are upserted (kind 'pilot', population = sum of the
members'), all pilot memberships are replaced by the file's, and GRP_PILOT / GRP_OTHER are rebuilt
(ever a pilot member / mainland and never). A pilot's ely_code is its TE office's ELY area, which may
differ from a member's own (Heinävesi was in the Kitee pilot while its region was Etelä-Savo).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, select

from app import schema
from app.areas import GRP_OTHER, GRP_PILOT, PILOT_PREFIX, Membership
from app.ingest.csvfiles import parse_date, parse_municipality, read_csv_for
from app.ingest.errors import InputError
from app.ingest.memberships import store_group_memberships, stored_memberships
from app.ingest.records import LoadSummary
from app.ingest.store import load_transaction, upsert
from app.ingest.validate import Span, check_date_order, check_no_overlap
from app.settings import LANGUAGES

PILOT_CODE = re.compile(rf"^{PILOT_PREFIX}[0-9A-Z_]+$")
ATTRIBUTES = tuple(f"name_{lang}" for lang in LANGUAGES) + ("ely_code",)
SOURCE = "Pilot registry file"


@dataclass(frozen=True)
class PilotMember:
    line: int
    pilot: str
    municipality: str
    valid_from: date
    valid_to: date | None

    def membership(self) -> Membership:
        return Membership(self.municipality, self.pilot, self.valid_from, self.valid_to)


@dataclass(frozen=True)
class PilotRegistry:
    areas: dict[str, dict]  # pilot code -> names and ely_code
    first_line: dict[str, int]  # pilot code -> the row that defined it
    members: list[PilotMember]


def read_pilots_file(path: Path) -> PilotRegistry:
    """Read and check the file on its own: codes, dates, one consistent definition per pilot, no overlaps."""
    areas: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    members = []
    for row in read_csv_for(path, "pilots"):
        v = row.values
        pilot = v["pilot_code"].upper()
        if not PILOT_CODE.match(pilot):
            raise InputError(path, f"{v['pilot_code']!r} is not a pilot code (PILOT followed by digits, e.g. PILOT07)",
                             location=row.where(), column="pilot_code")
        attributes = {k: (v[k].upper() if k == "ely_code" else v[k]) for k in ATTRIBUTES}
        if pilot not in areas:
            missing = [k for k, value in attributes.items() if not value]
            if missing:
                raise InputError(path, f"the first row of {pilot} must give its {missing[0]}", location=row.where(),
                                 column=missing[0])
            areas[pilot], first_line[pilot] = attributes, row.line
        else:
            for key, value in attributes.items():
                if value and value != areas[pilot][key]:
                    raise InputError(path, f"{pilot} has {key} {areas[pilot][key]!r} on row {first_line[pilot]} but "
                                           f"{value!r} here; give a pilot's names and ELY area once, or the same on "
                                           "every row", location=row.where(), column=key)
        muni = parse_municipality(path, row, "municipality_code")
        start = parse_date(path, row, "valid_from")
        end = parse_date(path, row, "valid_to", allow_empty=True)
        check_date_order(path, row, start, end)
        members.append(PilotMember(row.line, pilot, muni, start, end))
    check_no_overlap(path, [Span((m.municipality,), m.valid_from, m.valid_to, m.line, f"{m.municipality} in {m.pilot}")
                            for m in members], "a municipality is in one pilot at a time")
    return PilotRegistry(areas, first_line, members)


def check_codes(path: Path, registry: PilotRegistry, kinds: dict[str, str]) -> None:
    for code, attributes in registry.areas.items():
        if kinds.get(code, "pilot") != "pilot":
            raise InputError(path, f"{code} is already an area of kind {kinds[code]}", location=f"row "
                             f"{registry.first_line[code]}", column="pilot_code")
        if kinds.get(attributes["ely_code"]) != "ely":
            raise InputError(path, f"{attributes['ely_code']!r} is not an ELY area in the database (ELY01 … ELY15)",
                             location=f"row {registry.first_line[code]}", column="ely_code")
    for m in registry.members:
        if kinds.get(m.municipality) != "municipality":
            raise InputError(path, f"{m.municipality} is not a municipality in the database",
                             location=f"row {m.line}", column="municipality_code")


def upsert_pilot_areas(conn: Connection, registry: PilotRegistry) -> tuple[dict[str, dict], list[dict]]:
    """Insert new and update changed pilot areas (population = sum of the members'); (stored before, file's)."""
    a = schema.area
    population = dict(conn.execute(select(a.c.code, a.c.population).where(a.c.kind == "municipality")).all())
    columns = ["code", "kind", *ATTRIBUTES, "population", "lat", "lon"]
    before = {r.code: r._asdict() for r in conn.execute(
        select(*[a.c[c] for c in columns]).where(a.c.kind == "pilot"))}
    rows = []
    for code, attributes in registry.areas.items():
        pop = sum(population.get(m.municipality) or 0 for m in registry.members if m.pilot == code)
        rows.append({"code": code, "kind": "pilot", **attributes, "population": pop, "lat": None, "lon": None})
    upsert(conn, a, [r for r in rows if before.get(r["code"]) != r], ["code"])
    return before, rows


def load_pilots(db_url: str, path: Path, *, url: str | None = None, licence: str | None = None,
                retrieved_at: datetime | None = None) -> LoadSummary:
    """Upsert the pilot areas and replace all pilot memberships with the file's, in one transaction."""
    path = Path(path)
    registry = read_pilots_file(path)
    with load_transaction(db_url, path, "pilot memberships") as (conn, summary, kinds):
        check_codes(path, registry, kinds)
        before, rows = upsert_pilot_areas(conn, registry)
        old = [m for m in stored_memberships(conn) if kinds.get(m.group_code) == "pilot"]
        new = [m.membership() for m in registry.members]
        store_group_memberships(conn, summary, path, SOURCE, old, new, url=url, licence=licence,
                                retrieved_at=retrieved_at)
    new_areas = [r for r in rows if r["code"] not in before]
    changed = [r for r in rows if r["code"] in before and before[r["code"]] != r]
    summary.notes.append(f"{len(rows)} pilot areas: {len(new_areas)} new, {len(changed)} changed, "
                         f"{len(rows) - len(new_areas) - len(changed)} unchanged; {GRP_PILOT} and {GRP_OTHER} rebuilt")
    orphans = sorted(set(before) - set(registry.areas))
    if orphans:
        summary.notes.append(f"{len(orphans)} pilot areas in the database are not in this file and have no members "
                             f"now: {', '.join(orphans)}")
    return summary
