"""`build real`: the real database in one command, re-runnable (incremental after the first run).

Steps, each a library load of its own transaction: schema and reference data (meta.demo = false), the
pilot registry from data/, municipality boundaries (Statistics Finland's WFS, else the shipped file),
the 12r5 history from 2019-01 to the table's latest month and the population (121w), both through the
PxWeb API and incremental, TEM's published pilot figures, and `check` over the result. A step that
fails stops the build with the steps before it kept; running it again continues where it stopped.
"""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, inspect, select

from app import schema
from app.indicators import Registry, registry as default_registry
from app.ingest.boundaries import load_boundaries
from app.ingest.errors import DatabaseNotReady, NetworkError
from app.ingest.fetch import fetch_pxweb
from app.ingest.pilots import load_pilots
from app.ingest.published import load_published
from app.ingest.pxweb_api import Client
from app.ingest.store import init_database, writable_engine
from app.ingest.wfs import WFS_URL, fetch_boundaries
from app.settings import DATA_DIR, shown_url

TYONV_URL = "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"
POPULATION_URL = "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/vaerak/statfin_vaerak_pxt_121w.px"
HISTORY_START = date(2019, 1, 1)
BOUNDARY_YEAR = 2021  # the area table holds the 309 municipalities of 2021
SHIPPED_BOUNDARIES = DATA_DIR / "boundaries" / "municipalities-2021.topo.json"
SHIPPED_ATTRIBUTION = "Statistics Finland, municipal boundaries 1:4.5M 2021, CC BY 4.0"
PUBLISHED_FIGURES = DATA_DIR / "published_figures.csv"
REGISTRY_COLUMNS = ("pilot_code", "name_fi", "name_sv", "name_en", "ely_code", "municipality_code",
                    "valid_from", "valid_to")


@dataclass
class RealSources:
    """Where `build real` reads from; tests point these at local servers."""

    tyonv_url: str = TYONV_URL
    population_url: str = POPULATION_URL
    wfs_url: str = WFS_URL
    first: date = HISTORY_START
    boundaries_fallback: Path = SHIPPED_BOUNDARIES
    published: Path = PUBLISHED_FIGURES
    client: Callable[[], Client] = Client


@dataclass
class Step:
    name: str
    lines: list[str] = field(default_factory=list)
    seconds: float = 0.0


def write_registry_file(folder: Path, data_dir: Path = DATA_DIR) -> Path:
    """The repository's pilot registry (data/pilot_areas.csv + pilot_members.csv) in the one-file format of
    `ingest pilots`, under a fixed name so a repeated load is recognised as the same file."""
    with (data_dir / "pilot_areas.csv").open(encoding="utf-8", newline="") as handle:
        areas = {row["code"]: row for row in csv.DictReader(handle)}
    path = Path(folder) / "pilot_registry.csv"
    with (data_dir / "pilot_members.csv").open(encoding="utf-8", newline="") as handle, \
            path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REGISTRY_COLUMNS)
        for member in csv.DictReader(handle):
            area = areas[member["pilot_code"]]
            writer.writerow([member["pilot_code"], area["name_fi"], area["name_sv"], area["name_en"],
                             area["ely_code"], member["municipality_code"], member["valid_from"], member["valid_to"]])
    return path


def _init(db_url: str, registry: Registry) -> list[str]:
    engine = writable_engine(db_url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            demo = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "demo")).scalar() \
                if "meta" in tables else None
    finally:
        engine.dispose()
    if demo == "true":
        raise DatabaseNotReady(f"{shown_url(db_url)} is the synthetic demo database; build the real data into a "
                               "database of its own (e.g. --db sqlite:///data/real.sqlite)")
    init_database(db_url, registry=registry, demo=False).dispose()
    return [f"schema version {schema.SCHEMA_VERSION}, areas, memberships and {len(list(registry))} indicators "
            "ready; meta.demo = false"]


def _boundaries(db_url: str, sources: RealSources) -> list[str]:
    engine = writable_engine(db_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(schema.boundary)
                                  .where(schema.boundary.c.year == BOUNDARY_YEAR)).scalar()
    finally:
        engine.dispose()
    if stored:
        return [f"boundaries {BOUNDARY_YEAR} already loaded ({stored} outlines); kept"]
    try:
        return [fetch_boundaries(db_url, BOUNDARY_YEAR, base=sources.wfs_url).summary()]
    except NetworkError as exc:
        loaded = load_boundaries(db_url, sources.boundaries_fallback, BOUNDARY_YEAR, licence=SHIPPED_ATTRIBUTION)
        return [f"the WFS could not be reached ({exc}); loaded the shipped file instead", loaded.summary()]


def build_real(db_url: str, sources: RealSources | None = None, *, registry: Registry | None = None,
               on_step: Callable[[Step], None] | None = None,
               on_fetch_progress: Callable[[int, int], None] | None = None, progress=None) -> list[Step]:
    """Build or bring up to date the real database at db_url; each finished step goes to on_step."""
    from app.db import readonly_engine
    from app.reconcile import run_check, summary_line

    sources = sources or RealSources()
    registry = registry or default_registry()
    steps: list[Step] = []

    def run(name: str, action: Callable[[], list[str]]) -> None:
        started = time.perf_counter()
        step = Step(name, action(), 0.0)
        step.seconds = time.perf_counter() - started
        steps.append(step)
        if on_step:
            on_step(step)

    def fetch(url: str) -> list[str]:
        load = fetch_pxweb(db_url, url, first=sources.first, incremental=True, registry=registry,
                           client=sources.client(), on_progress=on_fetch_progress, progress=progress)
        return load.lines()

    def check() -> list[str]:
        engine = readonly_engine(db_url)
        try:
            return [summary_line(run_check(engine, registry))]
        finally:
            engine.dispose()

    run("schema", lambda: _init(db_url, registry))
    with tempfile.TemporaryDirectory(prefix="pilot-tracker-registry-") as folder:
        run("pilot registry", lambda: load_pilots(db_url, write_registry_file(Path(folder))).lines())
    run("boundaries", lambda: _boundaries(db_url, sources))
    run("employment service statistics (12r5)", lambda: fetch(sources.tyonv_url))
    run("population (121w)", lambda: fetch(sources.population_url))
    run("published pilot figures", lambda: load_published(db_url, sources.published).lines())
    run("check", check)
    return steps
