"""Make the municipality boundaries that ship in data/boundaries/, so a fresh clone draws the real map.

Run by hand from the project's venv when the source changes (the output is committed):

    .venv/bin/python data/boundaries/generalise.py ../shared/data/geo/municipalities-2021.geojson

The source is Statistics Finland's 1:4.5M municipality boundaries of 2021 (CC BY 4.0), already
generalised. This script keeps them as a polygon coverage: it simplifies them together
(`shapely.coverage_simplify`, so neighbours keep one shared border and no gaps or overlaps appear) and
writes TopoJSON, which stores each shared border once as an arc on an integer grid. The result is
checked the way the project will read it (GDAL through pyogrio): every municipality present once,
every polygon valid, the polygons still a gap- and overlap-free coverage, and no vertex moved further
than the simplification tolerance allows. Same input, same bytes out.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from app.areas import municipality_code

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "municipalities-2021.topo.json"
LAYER = "municipalities"
CODE_FIELD = "municipality_code"  # a field name the boundary loader looks for first
NAME_FIELDS = ("name_fi", "name_sv")
MUNICIPALITIES_2021 = 309
TOLERANCE = 0.002  # degrees (~100-200 m): below the 1:4.5M source's own detail and the screen's 0.01
MAX_SHIFT = 0.005  # degrees a border may move from the source: half a pixel of the whole-country map
QUANTIZATION = 50_000  # grid steps across Finland: ~13 m east-west, ~23 m north-south; the source's grid is ~70 m

Point = tuple[int, int]


def read_source(path: Path) -> tuple[list[str], list[dict], np.ndarray]:
    """(KU codes, name properties, WGS84 polygons) of the source file, sorted by code."""
    frame = pyogrio.read_dataframe(path)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    field = next(c for c in frame.columns if c.lower() in (CODE_FIELD, "kunta", "natcode", "id"))
    codes = [municipality_code(raw) for raw in frame[field]]
    if len(set(codes)) != len(codes):
        sys.exit(f"{path}: municipality codes repeat; merge the features first")
    names = [{name: frame[name].iloc[i] for name in NAME_FIELDS if name in frame.columns} for i in range(len(frame))]
    order = sorted(range(len(codes)), key=codes.__getitem__)
    geometries = np.asarray(frame.geometry.values, dtype=object)[order]
    return [codes[i] for i in order], [names[i] for i in order], geometries


def generalise(geometries: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify the polygons as one coverage and orient them as RFC 7946 asks (exterior anticlockwise)."""
    if not shapely.coverage_is_valid(geometries):
        sys.exit("the source polygons overlap or leave slivers; coverage simplification needs a clean coverage")
    simplified = shapely.coverage_simplify(geometries, tolerance) if tolerance > 0 else geometries
    return np.asarray(shapely.orient_polygons(simplified, exterior_cw=False), dtype=object)


def quantizer(geometries: np.ndarray, steps: int):
    """(transform for TopoJSON, function mapping a coordinate array to grid points)."""
    x0, y0, x1, y1 = shapely.total_bounds(geometries)
    kx, ky = (x1 - x0) / (steps - 1), (y1 - y0) / (steps - 1)

    def to_grid(coords: np.ndarray) -> list[Point]:
        grid = np.round((coords - (x0, y0)) / (kx, ky)).astype(int)
        points = [tuple(p) for p in grid.tolist()]
        return [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]  # drop repeats

    return {"scale": [kx, ky], "translate": [x0, y0]}, to_grid


def polygon_rings(geometry, to_grid) -> list[list[list[Point]]]:
    """Polygons -> rings -> closed lists of grid points."""
    polygons = shapely.get_parts(geometry)
    result = []
    for polygon in polygons:
        rings = [polygon.exterior, *polygon.interiors]
        points = [to_grid(np.asarray(ring.coords)) for ring in rings]
        if any(len(ring) < 4 for ring in points):
            sys.exit("a ring collapsed on the quantization grid; raise QUANTIZATION")
        result.append(points)
    return result


def junctions(rings: list[list[Point]]) -> set[Point]:
    """Points where a border stops being shared with the same neighbour: arcs start and end there."""
    neighbours: dict[Point, frozenset] = {}
    found: set[Point] = set()
    for ring in rings:
        points = ring[:-1]
        for i, point in enumerate(points):
            pair = frozenset((points[i - 1], points[(i + 1) % len(points)]))
            if neighbours.setdefault(point, pair) != pair:
                found.add(point)
    return found


def cut(ring: list[Point], at: set[Point]) -> list[list[Point]]:
    """A closed ring as arcs between junctions; a ring without one starts at its smallest point."""
    points = ring[:-1]
    starts = [i for i, p in enumerate(points) if p in at]
    start = starts[0] if starts else min(range(len(points)), key=points.__getitem__)
    rotated = points[start:] + points[:start] + [points[start]]
    if not starts:
        return [rotated]
    arcs, current = [], [rotated[0]]
    for point in rotated[1:]:
        current.append(point)
        if point in at:
            arcs.append(current)
            current = [point]
    return arcs


class Arcs:
    """The shared arc table: each border is stored once and referenced forwards (i) or backwards (~i)."""

    def __init__(self) -> None:
        self.arcs: list[list[Point]] = []
        self.index: dict[tuple[Point, ...], int] = {}

    def ref(self, arc: list[Point]) -> int:
        key = tuple(arc)
        if key in self.index:
            return self.index[key]
        backwards = key[::-1]
        if backwards in self.index:
            return ~self.index[backwards]
        self.index[key] = len(self.arcs)
        self.arcs.append(arc)
        return self.index[key]

    def encoded(self) -> list[list[list[int]]]:
        """Delta-encoded arcs, as TopoJSON stores quantized coordinates."""
        return [[list(arc[0])] + [[b[0] - a[0], b[1] - a[1]] for a, b in zip(arc, arc[1:])] for arc in self.arcs]


def topology(codes: list[str], names: list[dict], geometries: np.ndarray, steps: int) -> dict:
    """A TopoJSON Topology with one GeometryCollection of municipality polygons."""
    transform, to_grid = quantizer(geometries, steps)
    shapes = [polygon_rings(g, to_grid) for g in geometries]
    at = junctions([ring for polygons in shapes for rings in polygons for ring in rings])
    table = Arcs()
    objects = []
    for code, properties, polygons in zip(codes, names, shapes):
        arcs = [[[table.ref(arc) for arc in cut(ring, at)] for ring in rings] for rings in polygons]
        objects.append({"type": "Polygon" if len(arcs) == 1 else "MultiPolygon",
                        "arcs": arcs[0] if len(arcs) == 1 else arcs,
                        "properties": {CODE_FIELD: code, **properties}})
    return {"type": "Topology", "transform": transform,
            "objects": {LAYER: {"type": "GeometryCollection", "geometries": objects}}, "arcs": table.encoded()}


def check(path: Path, codes: list[str], source: np.ndarray, tolerance: float) -> list[str]:
    """What is wrong with the written file when read back through GDAL, as the loader reads it."""
    frame = pyogrio.read_dataframe(path, layer=LAYER)
    read_codes = frame[CODE_FIELD].tolist()
    shapes = np.asarray(frame.geometry.values, dtype=object)
    problems = []
    if sorted(read_codes) != codes or len(codes) != MUNICIPALITIES_2021:
        problems.append(f"{len(set(read_codes))} distinct codes read back, {MUNICIPALITIES_2021} expected")
    invalid = [c for c, valid in zip(read_codes, shapely.is_valid(shapes)) if not valid]
    if invalid:
        problems.append(f"invalid polygons: {', '.join(invalid)}")
    if not shapely.coverage_is_valid(shapes, gap_width=tolerance):
        problems.append("the polygons overlap or leave gaps")
    by_code = dict(zip(read_codes, shapes))
    moved = max(shapely.hausdorff_distance(by_code[c], g) for c, g in zip(codes, source) if c in by_code)
    if moved > MAX_SHIFT:
        problems.append(f"a border moved {moved:.4f} degrees from the source")
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="2021 municipality boundaries (any vector file GDAL reads)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="coverage simplification, degrees")
    args = parser.parse_args(argv)
    codes, names, source = read_source(args.source)
    shapes = generalise(source, args.tolerance)
    text = json.dumps(topology(codes, names, shapes, QUANTIZATION), ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    problems = check(args.output, codes, source, args.tolerance)
    for problem in problems:
        print(f"{args.output}: {problem}", file=sys.stderr)
    print(f"{args.output}: {len(codes)} municipalities, {len(text) // 1024} KB"
          f"{'' if not problems else ', NOT usable'}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
