"""Municipality boundaries in: match a file's polygons to the area table, dissolve the groups, store one year.

Contract (see docs/boundaries.md):
- the file is read by app.ingest.geofile (any vector format, any CRS, codes in any usual form);
- pilot areas, ELY areas and regions are dissolved from their member municipalities as they were on
  1 January of the year (a group with no members that day, such as a pilot starting 1.3.2021, takes
  its members on the first day of the year it has any);
- geometry is stored lightly simplified (STORE_TOLERANCE); screen simplification is app.geo's job;
- one transaction per load; loading the same file again changes nothing.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import Connection, delete, select

from app import schema
from app.areas import COUNTRY, Membership, members_on, valid_on_clause
from app.ingest.errors import InputError
from app.ingest.geofile import Layer, read_boundary_file, to_wgs84
from app.ingest.records import file_provenance
from app.ingest.store import record_release, transaction, upsert

GROUP_KINDS = ("pilot", "ely", "region")
STORE_TOLERANCE = 0.001  # degrees, ~50-110 m: invisible on a municipality map, keeps the database small
STORE_DECIMALS = 5  # ~1 m


@dataclass
class BoundaryLoad:
    """What a load did, for the CLI and for tests."""

    file: str
    year: int
    layer: str
    code_field: str
    source_crs: str
    municipalities: list[str] = field(default_factory=list)  # codes stored
    groups: dict[str, int] = field(default_factory=dict)  # kind -> number of dissolved areas stored
    unmatched: list[str] = field(default_factory=list)  # codes in the file, not in the area table
    missing: list[str] = field(default_factory=list)  # municipalities of that year absent from the file
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        names = {"pilot": "pilot areas", "ely": "ELY areas", "region": "regions"}
        groups = ", ".join(f"{self.groups[kind]} {names[kind]}" for kind in GROUP_KINDS if kind in self.groups)
        return (f"boundaries {self.year} loaded from {self.file} (layer {self.layer}, code field "
                f"'{self.code_field}', CRS {self.source_crs}): {len(self.municipalities)} municipalities"
                f"{', ' + groups if groups else ''} in {self.seconds:.1f} s")


def _polygonal(geometry):
    """The polygons of a geometry made valid (collections can appear after make_valid)."""
    geometry = shapely.make_valid(geometry)
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else None


def geometry_text(geometry) -> str:
    """Store form: simplified, rounded GeoJSON text."""
    simplified = shapely.simplify(geometry, STORE_TOLERANCE, preserve_topology=True)
    rounded = shapely.transform(simplified, lambda xy: np.round(xy, STORE_DECIMALS))
    return shapely.to_geojson(rounded if rounded.is_valid else (_polygonal(rounded) or simplified))


def _known_municipalities(conn: Connection, year: int) -> tuple[set[str], set[str]]:
    """(every municipality code in the area table, those that exist on 1 January of year)."""
    a, m = schema.area, schema.area_membership
    known = set(conn.execute(select(a.c.code).where(a.c.kind == "municipality")).scalars())
    existing = set(conn.execute(
        select(m.c.member_code).where(m.c.group_code == COUNTRY, m.c.member_code.in_(known),
                                      valid_on_clause(m, date(year, 1, 1)))
    ).scalars())
    has_lifetimes = conn.execute(select(m.c.member_code).where(m.c.group_code == COUNTRY).limit(1)).first()
    return known, existing if has_lifetimes else known


def group_members(conn: Connection, year: int) -> dict[str, tuple[str, list[str]]]:
    """group code -> (kind, member municipalities) as on 1 January, or the group's first day in the year."""
    a, m = schema.area, schema.area_membership
    rows = conn.execute(
        select(m.c.member_code, m.c.group_code, m.c.valid_from, m.c.valid_to, a.c.kind)
        .join(a, a.c.code == m.c.group_code)
        .where(a.c.kind.in_(GROUP_KINDS))
    ).all()
    first, last = date(year, 1, 1), date(year, 12, 31)
    kinds = {row.group_code: row.kind for row in rows}
    by_group: dict[str, list[Membership]] = defaultdict(list)
    for row in rows:
        by_group[row.group_code].append(Membership(row.member_code, row.group_code, row.valid_from, row.valid_to))
    result = {}
    for group, memberships in sorted(by_group.items()):
        starts = {m.valid_from for m in memberships if m.valid_from and first <= m.valid_from <= last}
        for day in sorted({first} | starts):
            members = members_on(memberships, day).get(group)
            if members:
                result[group] = (kinds[group], members)
                break
    return result


def municipality_geometries(found: Layer, geometries: np.ndarray, known: set[str],
                            warnings: list[str]) -> tuple[dict[str, object], set[str]]:
    """(code -> polygon of each matched municipality, raw codes that match none)."""
    pieces: dict[str, list] = defaultdict(list)
    unmatched: set[str] = set()
    for code, raw, geometry in zip(found.codes, found.raw, geometries):
        if code not in known:
            unmatched.add(raw)
        elif geometry is not None and not geometry.is_empty:
            pieces[code].append(geometry)
    municipalities = {}
    for code, parts in sorted(pieces.items()):
        polygon = _polygonal(parts[0] if len(parts) == 1 else shapely.union_all(parts))
        if polygon is None or polygon.is_empty:
            warnings.append(f"{code}: no polygon geometry")
        else:
            municipalities[code] = polygon
    duplicated = sorted(code for code, parts in pieces.items() if len(parts) > 1)
    if duplicated:
        warnings.append(f"several features merged for {', '.join(duplicated)}")
    return municipalities, unmatched


def dissolved_groups(groups: dict[str, tuple[str, list[str]]], municipalities: dict[str, object],
                     warnings: list[str]) -> dict[str, tuple[str, object]]:
    """group code -> (kind, union of its members' polygons); dissolved from full-resolution polygons."""
    result = {}
    for group, (kind, members) in groups.items():
        present = [municipalities[c] for c in members if c in municipalities]
        if not present:
            continue
        if len(present) < len(members):
            warnings.append(f"{group}: {len(members) - len(present)} of {len(members)} member "
                            "municipalities have no boundary; its outline is partial")
        result[group] = (kind, shapely.union_all(present))
    return result


def load_boundaries(url: str, path: Path | str, year: int, *, code_field: str | None = None,
                    layer: str | None = None, source: str | None = None, source_url: str | None = None,
                    licence: str | None = None) -> BoundaryLoad:
    """Read, reproject, match and store one year's municipality boundaries and the dissolved groups."""
    started = time.perf_counter()
    path = Path(path)
    warnings: list[str] = []
    # Refuses a database that does not exist yet, instead of creating it; shapes change no value.
    with transaction(url, changes_data=False) as conn:
        known, existing = _known_municipalities(conn, year)
        if not known:
            raise InputError(path, "the database has no municipalities; run `pilot-tracker db init` first")
        found = read_boundary_file(path, known, layer=layer, code_field=code_field)
        geometries, source_crs = to_wgs84(path, found.geometries, found.crs, warnings)
        municipalities, unmatched = municipality_geometries(found, geometries, known, warnings)
        groups = dissolved_groups(group_members(conn, year), municipalities, warnings)

        shapes = {**municipalities, **{code: shape for code, (_kind, shape) in groups.items()}}
        rows = [{"area_code": code, "year": year, "geometry": geometry_text(shape)}
                for code, shape in shapes.items()]
        b = schema.boundary
        conn.execute(delete(b).where(b.c.year == year, b.c.area_code.not_in(list(shapes))))
        upsert(conn, b, rows, ["area_code", "year"])
        record_release(conn, file_provenance(path, source or f"Municipality boundaries {year} ({path.name})",
                                             url=source_url or path.resolve().as_uri(), licence=licence), len(rows))
    group_counts = {kind: sum(1 for k, _shape in groups.values() if k == kind) for kind in GROUP_KINDS}
    return BoundaryLoad(
        file=str(path), year=year, layer=found.name, code_field=found.code_field, source_crs=source_crs,
        municipalities=sorted(municipalities), groups={k: n for k, n in group_counts.items() if n},
        unmatched=sorted(unmatched), missing=sorted(existing - set(municipalities)), warnings=warnings,
        seconds=time.perf_counter() - started,
    )
