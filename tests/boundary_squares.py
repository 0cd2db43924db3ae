"""Test helper: demo database copies with and without boundaries, the boundaries loaded by the real CLI."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from app.cli import main
from app.db import readonly_engine
from app.queries import areas

HALF_SIDE = 0.04  # degrees: small enough that neighbouring squares rarely touch


def square_boundaries(db_url: str, path: Path) -> Path:
    """A boundary file with a small square around every municipality's inside point."""
    engine = readonly_engine(db_url)
    try:
        municipalities = areas(engine).filter(pl.col("kind") == "municipality").to_dicts()
    finally:
        engine.dispose()
    corners = [(-HALF_SIDE, -HALF_SIDE), (HALF_SIDE, -HALF_SIDE), (HALF_SIDE, HALF_SIDE), (-HALF_SIDE, HALF_SIDE),
               (-HALF_SIDE, -HALF_SIDE)]
    features = [{"type": "Feature", "properties": {"kunta": row["code"][2:]}, "geometry": {
        "type": "Polygon", "coordinates": [[[row["lon"] + dx, row["lat"] + dy] for dx, dy in corners]]}}
        for row in municipalities]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def copy_without_boundaries(demo_url: str, target: Path) -> str:
    shutil.copyfile(demo_url.removeprefix("sqlite:///"), target)
    with sqlite3.connect(target) as conn:
        conn.execute("DELETE FROM boundary")
    return f"sqlite:///{target}"


def load_squares(db_url: str, folder: Path) -> None:
    """`pilot-tracker boundaries load` of square_boundaries, as a user would load a file."""
    path = square_boundaries(db_url, folder / "squares.geojson")
    loaded = CliRunner().invoke(main, ["boundaries", "load", str(path), "--year", "2021", "--db", db_url])
    assert loaded.exit_code == 0, loaded.output
