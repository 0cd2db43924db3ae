"""Municipality boundaries in: read any vector file, reproject to WGS84, match codes, dissolve groups, store.

Contract (see docs/boundaries.md):
- any file GDAL reads through pyogrio (GeoJSON, TopoJSON, GeoPackage, Shapefile, zipped Shapefile);
  a file in another CRS is reprojected to WGS84 (EPSG:4326); a file without CRS is taken as WGS84
  when its coordinates look like degrees, as ETRS-TM35FIN (EPSG:3067) when they look like metres;
- the municipality code field is found by name (kunta, kuntakoodi, natcode, code, id, ...) or by
  content, and codes match as `KU091`, `091`, `91` or the integer 91;
- pilot areas, ELY areas and regions are dissolved from their member municipalities as they were on
  1 January of the year (a group with no members that day, such as a pilot starting 1.3.2021, takes
  its members on the first day of the year it has any);
- geometry is stored lightly simplified (STORE_TOLERANCE); screen simplification is app.geo's job;
- one transaction per load; loading the same file again changes nothing.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyogrio
import pyproj
import shapely
from sqlalchemy import Connection, delete, inspect, select
from sqlalchemy.engine import make_url

from app import schema
from app.ingest.errors import InputError
from app.ingest.reference import municipality_code
from app.ingest.load import Provenance, file_sha256, open_writable, record_release
from app.ingest.writer import upsert, utcnow

#: Field names tried first, in this order (compared case-insensitively).
CODE_FIELDS = ("kunta", "kuntakoodi", "kuntanro", "kunta_koodi", "kuntatunnus", "knro", "natcode",
               "municipality_code", "municipali", "muni_code", "code", "kunta_id", "id")
GROUP_KINDS = ("pilot", "ely", "region")
STORE_TOLERANCE = 0.001  # degrees, ~50-110 m: invisible on a municipality map, keeps the database small
STORE_DECIMALS = 5  # ~1 m
WGS84 = "EPSG:4326"
TM35FIN = "EPSG:3067"

WFS_URL = "https://geo.stat.fi/geoserver/tilastointialueet/wfs"
WFS_LAYER = "tilastointialueet:kunta4500k_{year}"
WFS_LICENCE = "CC BY 4.0 (Statistics Finland)"
FETCH_TIMEOUT_S = 60.0

# Finland in degrees and in ETRS-TM35FIN metres, with a margin: used to recognise the units of a file.
_LONLAT_BOX = (15.0, 55.0, 36.0, 75.0)
_LATLON_BOX = (55.0, 15.0, 75.0, 36.0)  # the same in latitude/longitude order
_TM35_BOX = (-100_000.0, 6_500_000.0, 1_000_000.0, 7_900_000.0)


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


@dataclass(frozen=True)
class _Layer:
    name: str
    code_field: str
    fields: tuple[str, ...]
    codes: list[str | None]  # normalised KUxxx per feature, None when not a municipality code
    raw: list[str]
    geometries: np.ndarray
    crs: str | None


def normalise_code(raw) -> str | None:
    """'KU091', '091', '91', 91 and 91.0 -> 'KU091'; anything else -> None."""
    if raw is None:
        return None
    if isinstance(raw, (int, np.integer)):
        raw = str(int(raw))
    elif isinstance(raw, (float, np.floating)):
        if not np.isfinite(raw) or raw != int(raw):
            return None
        raw = str(int(raw))
    try:
        return municipality_code(str(raw))
    except ValueError:
        return None


def _vsi_path(path: Path) -> str:
    return f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)


def _read_layer(path: Path, layer: str, known: set[str], code_field: str | None) -> _Layer:
    try:
        frame = pyogrio.read_dataframe(_vsi_path(path), layer=layer)
    except Exception as exc:  # noqa: BLE001 - GDAL reports many kinds of failure; all mean "unreadable"
        raise InputError(path, f"layer '{layer}' cannot be read: {exc}") from None
    columns = [c for c in frame.columns if c != "geometry"]
    if code_field is not None:
        chosen = next((c for c in columns if c.lower() == code_field.lower()), None)
    else:
        chosen = _find_code_field(frame, columns, known)
    raw_values = frame[chosen].tolist() if chosen else []
    codes = [normalise_code(v) for v in raw_values]
    crs = frame.crs.to_string() if frame.crs is not None else None
    return _Layer(layer, chosen or "", tuple(columns), codes, [str(v) for v in raw_values],
                  np.asarray(frame.geometry.values, dtype=object), crs)


def _find_code_field(frame, columns: list[str], known: set[str]) -> str | None:
    """The named candidate that matches most municipalities; failing that, any field that does."""
    def matches(column: str) -> int:
        return len({normalise_code(v) for v in frame[column].tolist()} & known)

    by_name = {c.lower(): c for c in columns}
    named = [by_name[name] for name in CODE_FIELDS if name in by_name]
    scored = [(matches(c), -i, c) for i, c in enumerate(named)]
    if not scored or max(scored)[0] == 0:
        scored = [(matches(c), -i, c) for i, c in enumerate(columns)]
    best = max(scored, default=(0, 0, None))
    return best[2] if best[0] > 0 else None


def read_boundary_file(path: Path | str, known: set[str], *, layer: str | None = None,
                       code_field: str | None = None) -> _Layer:
    """The layer of municipality polygons in the file; with several layers, the one matching most codes."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        layers = [str(name) for name, _type in pyogrio.list_layers(_vsi_path(path))]
    except Exception as exc:  # noqa: BLE001
        raise InputError(path, "cannot be read as a vector file (GeoJSON, TopoJSON, GeoPackage, Shapefile or "
                               f"zipped Shapefile): {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") \
            from None
    if not layers:
        raise InputError(path, "the file has no layers")
    if layer is not None and layer not in layers:
        raise InputError(path, f"no layer '{layer}' (layers: {', '.join(layers)})")
    candidates = [_read_layer(path, name, known, code_field) for name in ([layer] if layer else layers)]
    if code_field is not None:
        candidates = [c for c in candidates if c.code_field] or candidates
    best = max(candidates, key=lambda c: (len(set(c.codes) & known), bool(c.code_field)))
    if not best.code_field:
        fields = ", ".join(sorted({f for c in candidates for f in c.fields})) or "none"
        if code_field is not None:
            raise InputError(path, f"no field '{code_field}' (fields: {fields})", column=code_field)
        raise InputError(path, "no municipality code field found (tried "
                               f"{', '.join(CODE_FIELDS)} and every other field; fields: {fields}); "
                               "name the field with --code-field")
    if not set(best.codes) & known:
        sample = ", ".join(sorted(set(best.raw))[:5])
        raise InputError(path, f"no municipality matched: field '{best.code_field}' holds e.g. {sample}; "
                               "expected codes like KU091, 091 or 91", column=best.code_field)
    return best


def _inside(bounds: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    return bool(bounds[0] >= box[0] and bounds[1] >= box[1] and bounds[2] <= box[2] and bounds[3] <= box[3])


def to_wgs84(path: Path, geometries: np.ndarray, crs: str | None, warnings: list[str]) -> tuple[np.ndarray, str]:
    """Geometries in WGS84 lon/lat; the CRS they came in, as text."""
    bounds = shapely.total_bounds(geometries)
    if crs is None:
        if _inside(bounds, _LONLAT_BOX) or _inside(bounds, _LATLON_BOX):
            crs = WGS84
        elif _inside(bounds, _TM35_BOX):
            crs = TM35FIN
            warnings.append("the file declares no CRS; its coordinates look like ETRS-TM35FIN metres, "
                            "so EPSG:3067 was assumed")
        else:
            raise InputError(path, "the file declares no coordinate reference system and its coordinates "
                                   f"({', '.join(f'{b:.0f}' for b in bounds)}) are neither degrees nor "
                                   "ETRS-TM35FIN metres; save it with a CRS (e.g. as GeoPackage)")
    source = pyproj.CRS.from_user_input(crs)
    if not source.equals(pyproj.CRS.from_epsg(4326), ignore_axis_order=True):
        transformer = pyproj.Transformer.from_crs(source, 4326, always_xy=True)
        geometries = shapely.transform(geometries, lambda xy: np.column_stack(transformer.transform(xy[:, 0],
                                                                                                   xy[:, 1])))
        bounds = shapely.total_bounds(geometries)
    # Some WFS servers answer EPSG:4326 in lat/lon order; Finland's lat and lon ranges do not overlap.
    if _inside(bounds, _LATLON_BOX):
        geometries = shapely.transform(geometries, lambda xy: xy[:, ::-1])
        warnings.append("coordinates were in latitude/longitude order and were swapped")
        bounds = shapely.total_bounds(geometries)
    if not _inside(bounds, _LONLAT_BOX):
        raise InputError(path, f"after reprojection from {source.to_string()} the boundaries lie outside Finland "
                               f"(lon/lat {', '.join(f'{b:.2f}' for b in bounds)}); check the file's CRS")
    return geometries, source.to_string()


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
    jan1 = date(year, 1, 1)
    existing = set(conn.execute(
        select(m.c.member_code).where(
            m.c.group_code == "SSS", m.c.member_code.in_(known),
            (m.c.valid_from.is_(None)) | (m.c.valid_from <= jan1),
            (m.c.valid_to.is_(None)) | (m.c.valid_to >= jan1),
        )
    ).scalars())
    has_lifetimes = conn.execute(select(m.c.member_code).where(m.c.group_code == "SSS").limit(1)).first()
    return known, existing if has_lifetimes else known


def group_members(conn: Connection, year: int) -> dict[str, tuple[str, list[str]]]:
    """group code -> (kind, member municipalities) as on 1 January, or the group's first day in the year."""
    a, m = schema.area, schema.area_membership
    rows = conn.execute(
        select(m.c.group_code, a.c.kind, m.c.member_code, m.c.valid_from, m.c.valid_to)
        .join(a, a.c.code == m.c.group_code)
        .where(a.c.kind.in_(GROUP_KINDS))
    ).all()
    first, last = date(year, 1, 1), date(year, 12, 31)
    by_group: dict[str, list] = defaultdict(list)
    for row in rows:
        by_group[row.group_code].append(row)

    def valid(row, day: date) -> bool:
        return (row.valid_from is None or row.valid_from <= day) and (row.valid_to is None or day <= row.valid_to)

    result = {}
    for group, memberships in sorted(by_group.items()):
        days = sorted({first} | {r.valid_from for r in memberships if r.valid_from and first <= r.valid_from <= last})
        day = next((d for d in days if any(valid(r, d) for r in memberships)), None)
        if day is not None:
            result[group] = (memberships[0].kind, sorted({r.member_code for r in memberships if valid(r, day)}))
    return result


def municipality_geometries(found: _Layer, geometries: np.ndarray, known: set[str],
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


def _check_schema(conn: Connection, url: str) -> None:
    if not inspect(conn).has_table(schema.boundary.name):
        shown = make_url(url).render_as_string(hide_password=True)
        raise InputError(shown, f"the database has no tables yet; run `pilot-tracker db init --db {shown}` first")


def load_boundaries(url: str, path: Path | str, year: int, *, code_field: str | None = None,
                    layer: str | None = None, source: str | None = None, source_url: str | None = None,
                    licence: str | None = None) -> BoundaryLoad:
    """Read, reproject, match and store one year's municipality boundaries and the dissolved groups."""
    started = time.perf_counter()
    path = Path(path)
    warnings: list[str] = []
    engine = open_writable(url)  # refuses a database that does not exist yet, instead of creating it
    try:
        with engine.begin() as conn:
            _check_schema(conn, url)
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
            record_release(conn, Provenance(
                source=source or f"Municipality boundaries {year} ({path.name})",
                url=source_url or path.resolve().as_uri(), licence=licence, retrieved_at=utcnow(),
                published_at=None, sha256=file_sha256(path)), len(rows))
    finally:
        engine.dispose()
    group_counts = {kind: sum(1 for k, _shape in groups.values() if k == kind) for kind in GROUP_KINDS}
    return BoundaryLoad(
        file=str(path), year=year, layer=found.name, code_field=found.code_field, source_crs=source_crs,
        municipalities=sorted(municipalities), groups={k: n for k, n in group_counts.items() if n},
        unmatched=sorted(unmatched), missing=sorted(existing - set(municipalities)), warnings=warnings,
        seconds=time.perf_counter() - started,
    )


# --- Statistics Finland's open WFS -------------------------------------------------------------------

Opener = Callable[..., object]


def wfs_url(year: int, base: str = WFS_URL) -> str:
    """The GetFeature request for the 1:4.5M municipality layer of a year, as GeoJSON in WGS84."""
    params = {"service": "WFS", "version": "2.0.0", "request": "GetFeature",
              "typeNames": WFS_LAYER.format(year=year), "outputFormat": "application/json",
              "srsName": "EPSG:4326"}
    if urllib.parse.urlsplit(base).scheme == "file":
        return base  # a saved GetFeature answer, read as it is
    return f"{base}{'&' if '?' in base else '?'}{urllib.parse.urlencode(params)}"


def download(url: str, target: Path, *, opener: Opener = urllib.request.urlopen,
             timeout: float = FETCH_TIMEOUT_S) -> None:
    """Save the answer at url to target; any failure is an InputError that says what to do."""
    offline_hint = ("check the network connection (or proxy), or download the file on another machine "
                    "and use `pilot-tracker boundaries load FILE --year YEAR`")
    try:
        with opener(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise InputError(url, f"the server answered HTTP {exc.code} {exc.reason}; the layer may not exist for "
                              "that year") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(url, f"could not download: {reason}; {offline_hint}") from None
    head = body[:2000].lstrip()
    if not head.startswith(b"{"):
        text = re.sub(r"\s+", " ", head[:300].decode("utf-8", "replace"))
        raise InputError(url, f"the answer is not GeoJSON: {text}")
    try:
        json.loads(body)
    except ValueError as exc:
        raise InputError(url, f"the answer is not valid JSON ({exc}); the download may have been cut off") from None
    target.write_bytes(body)


def fetch_boundaries(url: str, year: int, *, base: str = WFS_URL, opener: Opener = urllib.request.urlopen,
                     timeout: float = FETCH_TIMEOUT_S) -> BoundaryLoad:
    """Download a year's municipality boundaries from Statistics Finland's WFS and load them."""
    request_url = wfs_url(year, base)
    with tempfile.TemporaryDirectory(prefix="pilot-tracker-wfs-") as folder:
        target = Path(folder) / f"kunta4500k_{year}.geojson"
        download(request_url, target, opener=opener, timeout=timeout)
        return load_boundaries(url, target, year, source=f"Statistics Finland WFS {WFS_LAYER.format(year=year)}",
                               source_url=request_url, licence=WFS_LICENCE)
