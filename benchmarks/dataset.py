"""The benchmark's database: the demo's real areas and synthetic shapes at the size of the real thing.

Scale 1 is what a ministry holds: the 309 municipalities with their published aggregates (the whole
country, regions and ELY areas, as Statistics Finland publishes them), every indicator of the
registry and 120 months (2015-01..2024-12): about 1.4 million observations. Scale s multiplies the
months (scale 10: 1,200 months, the issue's "ten times the history"; scale 0.01: two months, for the
test suite). The database is built once per (scale, backend) and reused: a SQLite file under
artifacts/bench/, or a PostgreSQL database named after the scale on the server of --db.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, delete, select, text

from app import schema
from app.areas import members_on
from app.indicators import registry
from app.ingest.calibration import Calibration
from app.ingest.demo import DEMO_PUBLISHED, SUPPRESS_BELOW, demo_counts
from app.ingest.reference import load_reference
from app.ingest.store import analyze, bulk_insert_observations, create_schema, load_reference_data, \
    raise_data_version, set_meta, writable_engine
from app.months import months_between, shift_month
from app.ingest.boundaries import load_boundaries
from app.ingest.series import refresh_area_series
from app.settings import DATA_DIR, PROJECT_ROOT, database_url

CACHE_DIR = PROJECT_ROOT / "artifacts" / "bench"  # or $PILOT_TRACKER_BENCH_CACHE
LAST_MONTH = date(2024, 12, 1)
MONTHS_AT_SCALE_1 = 120
SEED = 20150101
PUBLISHED_KINDS = ("country", "region", "ely")  # the aggregates Statistics Finland publishes in 12r5
BOUNDARY_DIR = DATA_DIR / "boundaries"
BOUNDARY_SUFFIXES = (".json", ".geojson", ".topojson", ".gpkg", ".zip", ".shp")
BUILD_VERSION = "2"  # bump when the generated data changes, so cached databases are rebuilt

# Statistics Finland counts the demo does not generate, derived from one it does: (base, share).
DERIVED_COUNTS = {
    "unemployed_men": ("unemployed_jobseekers", 0.56), "unemployed_under20": ("unemployed_under25", 0.22),
    "unemployed_disabled": ("unemployed_jobseekers", 0.06),
    "unemployment_fund_members": ("unemployed_jobseekers", 0.62),
    "laid_off_full_time": ("unemployed_jobseekers", 0.08), "shortened_work_week": ("unemployed_jobseekers", 0.012),
    "in_subsidised_employment": ("jobseekers", 0.05), "in_work_training": ("jobseekers", 0.006),
    "in_work_trial": ("jobseekers", 0.011), "in_labour_market_training": ("jobseekers", 0.03),
    "in_coaching": ("jobseekers", 0.021), "in_other_services": ("jobseekers", 0.016),
}


@dataclass(frozen=True)
class BenchDatabase:
    url: str
    observations: int
    build_s: float | None  # None when an earlier build was reused
    months: int
    series_s: float | None = None  # storing the summed areas' series (app.ingest.series); None: already stored


def months_for(scale: float) -> list[date]:
    count = max(2, round(MONTHS_AT_SCALE_1 * scale))
    return months_between(shift_month(LAST_MONTH, 1 - count), LAST_MONTH)


def scale_tag(scale: float) -> str:
    return f"{scale:g}".replace(".", "_")


def bench_url(scale: float, db: str | None) -> str:
    """Where the database of this scale lives: a file under artifacts/bench, or a database beside --db's."""
    if db is None:
        folder = Path(os.environ.get("PILOT_TRACKER_BENCH_CACHE") or CACHE_DIR)
        return f"sqlite:///{folder / f'scale-{scale_tag(scale)}.sqlite'}"
    parsed = database_url(db)
    if parsed.get_backend_name() == "sqlite":
        return db
    return parsed.set(database=f"pilot_tracker_bench_{scale_tag(scale)}").render_as_string(hide_password=False)


def _counts(reference, months: list[date]) -> tuple[list[str], dict[str, np.ndarray]]:
    """Every count of the registry per municipality and month (NaN where an indicator has no value)."""
    reg = registry()
    codes, counts = demo_counts(reference, months, SEED, Calibration.from_file(registry=reg))
    rng = np.random.default_rng(SEED + 1)
    for code, (base, share) in DERIVED_COUNTS.items():
        counts[code] = np.rint(counts[base] * share * np.exp(rng.normal(0, 0.05, counts[base].shape)))
    counts["unemployed_women"] = counts["unemployed_jobseekers"] - counts["unemployed_men"]
    population = np.array([a["population"] for a in sorted(
        (a for a in reference.areas if a["kind"] == "municipality"), key=lambda a: a["code"])], dtype=float)
    december = np.array([m.month == 12 for m in months])
    counts["population"] = np.where(december[None, :], population[:, None], np.nan)  # a year-end stock
    for indicator in reg:  # a count the registry gained since: a tenth of the unemployed, so it has data
        if indicator.kind == "count" and indicator.code not in counts:
            counts[indicator.code] = np.rint(counts["unemployed_jobseekers"] * 0.1)
    return codes, counts


def _published_groups(reference, codes: list[str], months: list[date]) -> dict[str, np.ndarray]:
    """group -> (municipality x month) 0/1 weights of the country, regions and ELY areas, dated per month."""
    kinds = {a["code"]: a["kind"] for a in reference.areas}
    index = {code: i for i, code in enumerate(codes)}
    weights: dict[str, np.ndarray] = {}
    for j, month in enumerate(months):
        for group, members in members_on(reference.memberships, month).items():
            if kinds.get(group) in PUBLISHED_KINDS:
                column = weights.setdefault(group, np.zeros((len(codes), len(months))))
                column[[index[m] for m in members if m in index], j] = 1.0
    return weights


def _group_sums(weights: dict[str, np.ndarray], values: np.ndarray) -> dict[str, np.ndarray]:
    """The published totals: every member counted, suppressed or not (the publisher knows them all)."""
    empty_month = np.isnan(values).all(axis=0)
    known = np.nan_to_num(values)
    return {g: np.where(empty_month, np.nan, (known * w).sum(axis=0)) for g, w in weights.items()}


def _rows(indicator, area_codes: list[str], months: list[date], values: np.ndarray, hidden: np.ndarray):
    for i, area in enumerate(area_codes):
        for j, month in enumerate(months):
            value = values[i, j]
            if np.isnan(value):
                continue
            if hidden[i, j]:
                yield indicator, area, month, None, "suppressed", 1
            else:
                yield indicator, area, month, float(value), "final", 1


def observation_rows(reference, months: list[date]):
    """Every observation of the benchmark database, one indicator at a time (a generator: 15 M rows fit)."""
    reg = registry()
    codes, counts = _counts(reference, months)
    weights = _published_groups(reference, codes, months)
    hidden = {code: (v >= 1) & (v < SUPPRESS_BELOW) for code, v in counts.items()}
    for indicator in reg:
        if indicator.kind == "count":
            values, mask = counts[indicator.code], hidden[indicator.code]
            num = den = None
        else:
            num, den = counts[indicator.numerator], counts[indicator.denominator]
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.where(den > 0, np.round(num / den * indicator.scale, 1), np.nan)
            mask = hidden[indicator.numerator] | hidden[indicator.denominator]
        yield from _rows(indicator.code, codes, months, values, mask)
        if indicator.source != "statfin_tyonv":
            continue
        if indicator.kind == "count":
            totals = _group_sums(weights, values)
        else:
            nums, dens = _group_sums(weights, num), _group_sums(weights, den)
            with np.errstate(divide="ignore", invalid="ignore"):
                totals = {g: np.where(dens[g] > 0, np.round(nums[g] / dens[g] * indicator.scale, 1), np.nan)
                          for g in nums}
        groups = sorted(totals)
        grid = np.array([totals[g] for g in groups])
        yield from _rows(indicator.code, groups, months, grid, np.zeros(grid.shape, dtype=bool))


def _stored(url: str, scale: float) -> int | None:
    """The observation count of a finished earlier build of this scale and version, else None."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database).is_file():
        return None
    engine = create_engine(parsed)
    try:
        with engine.connect() as conn:
            meta = dict(conn.execute(select(schema.meta.c.key, schema.meta.c.value)).all())
            if meta.get("bench_build") != f"{BUILD_VERSION}:{scale:g}":
                return None
            return conn.execute(select(schema.release.c.row_count)).scalar()
    except Exception:  # noqa: BLE001 - no database, no schema, an unfinished build: build again
        return None
    finally:
        engine.dispose()


def _create_postgres_database(url: str) -> None:
    parsed = database_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": parsed.database}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def bench_database(scale: float, db: str | None = None, rebuild: bool = False) -> BenchDatabase:
    """The benchmark database of this scale, built now (timed) or reused from an earlier build."""
    url = bench_url(scale, db)
    months = months_for(scale)
    stored = None if rebuild else _stored(url, scale)
    if stored is not None:
        return BenchDatabase(url, stored, None, len(months), _refreshed_s(url))
    if database_url(url).get_backend_name() == "sqlite":
        path = Path(database_url(url).database)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    else:
        _create_postgres_database(url)
    started = time.perf_counter()
    reference = load_reference()
    engine = writable_engine(url)
    try:
        with engine.begin() as conn:
            create_schema(conn)
            for table in (schema.observation, schema.boundary, schema.release, schema.meta):
                conn.execute(delete(table))
            load_reference_data(conn, reference, registry())
            conn.execute(schema.release.insert(), [{
                "id": 1, "source": "Pilot Tracker benchmark data (synthetic)", "licence": "CC BY 4.0 (synthetic)",
                "retrieved_at": DEMO_PUBLISHED, "published_at": DEMO_PUBLISHED, "row_count": 0}])
            count = bulk_insert_observations(conn, observation_rows(reference, months))
            conn.execute(schema.release.update().values(row_count=count))
            set_meta(conn, {"schema_version": schema.SCHEMA_VERSION, "demo": "true"})
            raise_data_version(conn)
            analyze(conn)
        shipped = shipped_boundaries()
        if shipped is not None:
            load_boundaries(url, *shipped)
        with engine.begin() as conn:  # last: a build stopped half-way is never taken as finished
            set_meta(conn, {"bench_build": f"{BUILD_VERSION}:{scale:g}"})
    finally:
        engine.dispose()
    build_s = time.perf_counter() - started
    return BenchDatabase(url, count, build_s, len(months), _refreshed_s(url))


def _refreshed_s(url: str) -> float | None:
    """Store the summed areas' series as the ingestion CLI does after a load: seconds, None if already stored."""
    done = refresh_area_series(url)
    return None if done.up_to_date else round(done.seconds, 1)


def shipped_boundaries(folder: Path = BOUNDARY_DIR) -> tuple[Path, int] | None:
    """The boundary file that ships in data/boundaries/ and its year (from its name), if there is one."""
    files = sorted(p for p in folder.glob("*") if p.is_file() and p.name.lower().endswith(BOUNDARY_SUFFIXES))
    for path in files:
        year = re.search(r"(19|20)\d\d", path.name)
        if year:
            return path, int(year.group())
    return None


def demo_postgres_url(server_url: str) -> str:
    """A fresh database for timing the demo build on the server of server_url (dropped afterwards)."""
    url = database_url(server_url).set(database="pilot_tracker_bench_demo").render_as_string(hide_password=False)
    drop_postgres_database(url)
    _create_postgres_database(url)
    return url


def drop_postgres_database(url: str) -> None:
    parsed = database_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


READER = "pilot_tracker_bench_reader"


def reader_url(url: str) -> str:
    """The URL the dashboard reads a PostgreSQL benchmark database through: a SELECT-only role, as deployed.

    The dashboard refuses a role that can write (app.db, docs/deploy.md), so the benchmark measures what a
    deployment runs: the role of docs/deploy.md section 1, created here once (without a password: for a
    server that trusts local connections; elsewhere set PILOT_TRACKER_ALLOW_WRITING_ROLE=1 and the URL is
    used as given). A SQLite URL is returned as it is.
    """
    parsed = database_url(url)
    if parsed.get_backend_name() != "postgresql" or os.environ.get("PILOT_TRACKER_ALLOW_WRITING_ROLE"):
        return url
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": READER}).scalar():
                conn.execute(text(f'CREATE ROLE "{READER}" LOGIN'))
            conn.execute(text(f'GRANT CONNECT ON DATABASE "{parsed.database}" TO "{READER}"'))
            conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{READER}"'))
            conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{READER}"'))
            conn.execute(text(f'ALTER ROLE "{READER}" SET default_transaction_read_only = on'))
    finally:
        admin.dispose()
    return parsed.set(username=READER, password=None).render_as_string(hide_password=False)
