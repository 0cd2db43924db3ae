"""The boundaries that ship in data/boundaries/: small, complete, attributed, and what `make` loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyogrio
import shapely
from sqlalchemy import create_engine, select

from app import schema
from tests.conftest import ROOT, shared_file

FOLDER = ROOT / "data" / "boundaries"
SHIPPED = FOLDER / "municipalities-2021.topo.json"
ATTRIBUTION = "Statistics Finland, municipal boundaries 1:4.5M 2021, CC BY 4.0"
CLI = Path(sys.executable).parent / "pilot-tracker"
MAX_BYTES = 150_000


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def stored(url: str) -> dict[str, tuple[str, object]]:
    """area code -> (kind, geometry) of the stored 2021 boundaries."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(schema.boundary.c.area_code, schema.area.c.kind, schema.boundary.c.geometry)
                                .join(schema.area, schema.area.c.code == schema.boundary.c.area_code)
                                .where(schema.boundary.c.year == 2021)).all()
    finally:
        engine.dispose()
    return {code: (kind, shapely.from_geojson(geometry)) for code, kind, geometry in rows}


def test_the_shipped_file_is_small_topojson_of_309_municipalities():
    assert SHIPPED.stat().st_size < MAX_BYTES
    topology = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert topology["type"] == "Topology"
    features = topology["objects"]["municipalities"]["geometries"]
    codes = [feature["properties"]["municipality_code"] for feature in features]
    assert len(set(codes)) == len(codes) == 309
    assert all(code.startswith("KU") and len(code) == 5 for code in codes)


def test_the_polygons_tile_without_gaps_or_overlaps_as_gdal_reads_them():
    shapes = pyogrio.read_dataframe(SHIPPED).geometry.values
    assert len(shapes) == 309 and shapely.is_valid(shapes).all()
    assert shapely.coverage_is_valid(shapes, gap_width=0.001)


def test_it_loads_into_a_fresh_database_with_every_municipality_matched(sqlite_url):
    assert cli("db", "init", "--db", sqlite_url).returncode == 0
    loaded = cli("boundaries", "load", str(SHIPPED), "--year", "2021", "--db", sqlite_url, "--licence", ATTRIBUTION)
    assert loaded.returncode == 0, loaded.stderr
    assert "309 municipalities" in loaded.stdout
    assert loaded.stderr == "", "unmatched codes, missing municipalities or warnings:\n" + loaded.stderr
    shapes = stored(sqlite_url)
    kinds = [kind for kind, _shape in shapes.values()]
    assert (kinds.count("municipality"), kinds.count("ely"), kinds.count("region")) == (309, 15, 19)
    assert all(shape.is_valid and shape.geom_type in ("Polygon", "MultiPolygon") for _kind, shape in shapes.values())
    # Neighbours share their borders, so the dissolved ELY areas hold no sliver holes between members.
    ely_holes = sum(shapely.get_num_interior_rings(shapely.get_parts(shape)).sum()
                    for kind, shape in shapes.values() if kind == "ely")
    assert ely_holes == 0


def test_the_attribution_sits_next_to_the_file():
    assert ATTRIBUTION in (FOLDER / "README.md").read_text(encoding="utf-8")


def make_dry_run(*variables: str) -> str:
    """The commands `make` would run to rebuild the demo database, without running them."""
    done = subprocess.run(["make", "--dry-run", "--always-make", "data/demo.sqlite", *variables], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_loads_the_shipped_file_with_its_attribution_and_nothing_else():
    commands = make_dry_run()
    assert f'boundaries load "data/boundaries/{SHIPPED.name}" --year 2021' in commands
    assert f'--licence "{ATTRIBUTION}"' in commands
    assert "../shared" not in commands and "boundaries fetch" not in commands
    other = make_dry_run("BOUNDARIES=elsewhere/kunnat.gpkg")
    assert 'boundaries load "elsewhere/kunnat.gpkg"' in other and ATTRIBUTION not in other
    assert "pilot-tracker boundaries load" not in make_dry_run("BOUNDARIES=")


def test_a_failed_boundary_load_fails_make_and_leaves_no_database(tmp_path):
    """No quiet fallback to the symbol map: the error shows, and the next `make` tries again."""
    broken = tmp_path / "kunnat.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    database = tmp_path / "demo.sqlite"
    installed = ".venv/bin/.installed"  # as the Makefile names it: never reinstalled here
    done = subprocess.run(
        ["make", f"--old-file={installed}", str(database), f"DEMO_DB={database}",
         f"DEMO_BOUNDARIES={tmp_path / 'demo.boundaries'}", f"BOUNDARIES={broken}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert str(broken) in done.stderr
    assert not database.exists()


def test_the_generator_reproduces_the_shipped_file(tmp_path):
    source = shared_file("geo", "municipalities-2021.geojson")
    output = tmp_path / SHIPPED.name
    done = subprocess.run([sys.executable, str(FOLDER / "generalise.py"), str(source), "--output", str(output)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert output.read_bytes() == SHIPPED.read_bytes()
