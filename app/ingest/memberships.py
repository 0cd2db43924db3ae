"""Stored memberships changed by a load: a group's replaced, then the derived groups and populations rebuilt.

`ingest pilots` replaces the pilot memberships, `ingest areas` the region and ELY memberships of the
municipalities it lists; both then rebuild SSS (the country while a municipality exists), GRP_PILOT and
GRP_OTHER and the current populations of the groups by the rules of app.ingest.reference.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, delete, select, update

from app import schema
from app.areas import DERIVED_GROUPS, Membership
from app.ingest.records import LoadSummary, file_provenance
from app.ingest.reference import derived_memberships
from app.ingest.store import area_kinds, record_provenance

CLASSIFICATION_KINDS = ("region", "ely")


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


def store_group_memberships(conn: Connection, summary: LoadSummary, path: Path, source: str, old: list[Membership],
                            new: list[Membership], *, url: str | None, licence: str | None,
                            retrieved_at: datetime | None) -> None:
    """Replace old by new, rebuild what derives from them and record the file's release; counts go into summary."""
    summary.inserted, summary.removed, summary.unchanged = replace_group_memberships(conn, old, new)
    rebuild_derived(conn)
    provenance = file_provenance(path, f"{source}: {path.name}", url=url, licence=licence, retrieved_at=retrieved_at)
    record_provenance(conn, summary, provenance, len(new))
    summary.total = len(new)
