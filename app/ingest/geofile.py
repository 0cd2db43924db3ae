"""Any vector file GDAL reads, as municipality polygons in WGS84: the layer, the code field, the coordinates.

- formats: GeoJSON, TopoJSON, GeoPackage, Shapefile and zipped Shapefile, through pyogrio;
- the municipality code field is found by name (kunta, kuntakoodi, natcode, code, id, ...) or by
  content, and codes match as `KU091`, `091`, `91` or the integer 91 (app.areas.municipality_code);
- a file in another CRS is reprojected to WGS84 (EPSG:4326); a file without CRS is taken as WGS84
  when its coordinates look like degrees, as ETRS-TM35FIN (EPSG:3067) when they look like metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio
import pyproj
import shapely

from app.areas import municipality_code_or_none
from app.ingest.errors import InputError
from app.ingest.files import MAX_GEO_BYTES, check_input_file, check_zip

#: Field names tried first, in this order (compared case-insensitively).
CODE_FIELDS = ("kunta", "kuntakoodi", "kuntanro", "kunta_koodi", "kuntatunnus", "knro", "natcode",
               "municipality_code", "municipali", "muni_code", "code", "kunta_id", "id")
WGS84 = "EPSG:4326"
TM35FIN = "EPSG:3067"

# Finland in degrees and in ETRS-TM35FIN metres, with a margin: used to recognise the units of a file.
_LONLAT_BOX = (15.0, 55.0, 36.0, 75.0)
_LATLON_BOX = (55.0, 15.0, 75.0, 36.0)  # the same in latitude/longitude order
_TM35_BOX = (-100_000.0, 6_500_000.0, 1_000_000.0, 7_900_000.0)


@dataclass(frozen=True)
class Layer:
    """The layer of municipality polygons read from a file, before matching against the area table."""

    name: str
    code_field: str
    fields: tuple[str, ...]
    codes: list[str | None]  # normalised KUxxx per feature, None when not a municipality code
    raw: list[str]
    geometries: np.ndarray
    crs: str | None


def _vsi_path(path: Path) -> str:
    return f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)


def _read_layer(path: Path, layer: str, known: set[str], code_field: str | None) -> Layer:
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
    codes = [municipality_code_or_none(v) for v in raw_values]
    crs = frame.crs.to_string() if frame.crs is not None else None
    return Layer(layer, chosen or "", tuple(columns), codes, [str(v) for v in raw_values],
                  np.asarray(frame.geometry.values, dtype=object), crs)


def _find_code_field(frame, columns: list[str], known: set[str]) -> str | None:
    """The named candidate that matches most municipalities; failing that, any field that does."""
    def matches(column: str) -> int:
        return len({municipality_code_or_none(v) for v in frame[column].tolist()} & known)

    by_name = {c.lower(): c for c in columns}
    named = [by_name[name] for name in CODE_FIELDS if name in by_name]
    scored = [(matches(c), -i, c) for i, c in enumerate(named)]
    if not scored or max(scored)[0] == 0:
        scored = [(matches(c), -i, c) for i, c in enumerate(columns)]
    best = max(scored, default=(0, 0, None))
    return best[2] if best[0] > 0 else None


def read_boundary_file(path: Path | str, known: set[str], *, layer: str | None = None,
                       code_field: str | None = None) -> Layer:
    """The layer of municipality polygons in the file; with several layers, the one matching most codes."""
    path = Path(path)
    check_input_file(path, MAX_GEO_BYTES)
    if path.suffix.lower() == ".zip":
        check_zip(path)
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
