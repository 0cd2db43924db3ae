"""The synthetic demo database: real areas and pilot memberships, invented monthly values.

Deterministic (seeded, no clock), shaped like the real series: scaled by population, seasonal
(young jobseekers peak in summer), the spring 2020 layoff shock, about two jobseekers per unemployed
jobseeker, pilot clients only in pilot municipalities from 1.3.2021, and small counts (1-4)
suppressed as Statistics Finland does. The same builder makes the test fixtures.

Calibrated to TEM's published pilot figures (app.ingest.calibration): about 234,000 pilot clients in
December 2021, the published areas at their figures, about 61 % of clients unemployed or laid off.

Two releases, as a month of real loads would leave them: the first holds every month but the last;
the second adds the last month and revises the month before for a few municipalities, written through
the store's own path (app.ingest.store.write_observations), so the revisions land in
observation_revision as a real load's would. Population is an annual stock stored as each December.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import delete

from app import schema
from app.areas import is_pilot
from app.indicators import Registry, registry as default_registry
from app.ingest.calibration import Calibration, calibrated_clients, unemployed_shares
from app.ingest.reference import ReferenceData, load_reference
from app.ingest.records import LoadSummary, Observation
from app.ingest.store import (
    OBSERVATION_COLUMNS,
    analyze,
    raise_data_version,
    bulk_insert_observations,
    create_schema,
    load_reference_data,
    set_meta,
    use_wal,
    writable_engine,
    write_observations,
)
from app.months import months_between
from app.settings import database_url

SEED = 20210301
LAID_OFF_SHARE = 0.1  # of the unemployed or laid off: the Employment Bulletin's "unemployed" leaves them out
SUPPRESS_BELOW = 5  # counts 1..4 are suppressed; 0 is shown
DEMO_SOURCE = "Pilot Tracker demo generator (synthetic data)"
DEMO_PUBLISHED = datetime(2025, 1, 15, 8, 0, 0)  # the second (latest) release
DEMO_FIRST_PUBLISHED = datetime(2024, 12, 16, 8, 0, 0)  # the first release: every month but the last
REVISED_SHARE = 0.08  # of municipalities whose previous month the second release revises
REVISED_INDICATORS = ("jobseekers", "unemployed_jobseekers", "long_term_unemployed", "pilot_clients")

DEMO_INDICATORS = (
    "jobseekers", "unemployed_jobseekers", "labour_force", "unemployment_share", "unemployed_under25",
    "unemployed_over50", "unemployed_foreign", "long_term_unemployed", "vacancies", "new_vacancies",
    "pilot_clients", "pilot_clients_under30", "pilot_clients_immigrant", "client_share",
    "pilot_clients_with_plan", "clients_with_plan_share", "clients_in_services", "activation_base",
    "activation_rate", "exits_to_open_market", "population", "pilot_clients_unemployed_or_laid_off",
    "pilot_clients_unemployed", "unemployed_share_of_pilot_clients", "unemployed_share_of_jobseekers",
)


@dataclass(frozen=True)
class DemoSpec:
    first_month: date = date(2019, 1, 1)
    last_month: date = date(2024, 12, 1)
    seed: int = SEED


def _knots(months: list[date], knots: dict[str, float]) -> np.ndarray:
    """Piecewise-linear curve over months, flat before the first and after the last knot."""
    x = np.array([m.year * 12 + m.month - 1 for m in months], dtype=float)
    kx = np.array([int(k[:4]) * 12 + int(k[5:7]) - 1 for k in knots], dtype=float)
    return np.interp(x, kx, np.array(list(knots.values()), dtype=float))


UNEMPLOYMENT_SEASON = np.array([1.10, 1.08, 1.04, 0.98, 0.95, 1.04, 1.09, 0.98, 0.93, 0.93, 0.97, 1.05])
YOUNG_SEASON = np.array([0.95, 0.92, 0.90, 0.92, 1.05, 1.38, 1.30, 0.95, 0.82, 0.85, 0.90, 0.96])
VACANCY_SEASON = np.array([0.95, 1.05, 1.20, 1.25, 1.18, 1.00, 0.80, 0.90, 1.00, 0.98, 0.90, 0.80])
SHOCK = {"2019-01": 1.0, "2020-02": 1.0, "2020-03": 1.18, "2020-04": 1.62, "2020-05": 1.55, "2020-07": 1.40,
         "2020-10": 1.26, "2021-01": 1.25, "2021-06": 1.12, "2021-12": 1.03, "2022-06": 0.94,
         "2022-12": 0.95, "2023-06": 1.00, "2023-12": 1.07, "2024-12": 1.18}
LONG_TERM = {"2019-01": 0.25, "2020-03": 0.24, "2020-05": 0.17, "2021-03": 0.30, "2021-09": 0.36,
             "2022-06": 0.34, "2023-06": 0.28, "2024-12": 0.30}
VACANCY_LEVEL = {"2019-01": 1.0, "2020-03": 0.95, "2020-05": 0.62, "2020-10": 0.85, "2021-06": 1.10,
                 "2022-06": 1.22, "2023-06": 1.00, "2024-12": 0.82}
PLAN_SHARE = {"2021-03": 0.52, "2022-06": 0.86, "2024-12": 0.88}


def demo_counts(reference: ReferenceData, months: list[date], seed: int,
            calibration: Calibration) -> tuple[list[str], dict[str, np.ndarray]]:
    """Arrays (municipality x month) of every count indicator, before rounding and suppression."""
    rng = np.random.default_rng(seed)
    munis = sorted((a for a in reference.areas if a["kind"] == "municipality"), key=lambda a: a["code"])
    codes = [a["code"] for a in munis]
    pop = np.array([a["population"] for a in munis], dtype=float)
    lat = np.array([a["lat"] for a in munis])
    lon = np.array([a["lon"] for a in munis])
    n, t = len(munis), len(months)
    month_idx = np.array([m.month - 1 for m in months])

    def noise(scale: float) -> np.ndarray:
        return np.exp(rng.normal(0.0, scale, size=(n, t)))

    lf_ratio = np.clip(rng.normal(0.49, 0.025, n), 0.40, 0.56)
    base_u = 0.088 + 0.02 * (lon > 27.0) + 0.015 * (lat > 64.0) + 0.012 * (pop > 100_000)
    base_u = np.clip(base_u + rng.normal(0, 0.015, n), 0.035, 0.19)
    foreign = np.clip(0.025 + 0.09 * (pop > 200_000) + 0.04 * (pop > 50_000) + rng.normal(0, 0.012, n), 0.003, 0.25)
    young = np.clip(rng.normal(0.115, 0.012, n), 0.07, 0.16)

    labour_force = (pop * lf_ratio)[:, None] * _knots(months, {"2019-01": 1.0, "2024-12": 1.01})[None, :]
    unemployed = (labour_force * base_u[:, None] * UNEMPLOYMENT_SEASON[month_idx][None, :]
                  * _knots(months, SHOCK)[None, :] * noise(0.03))
    jobseekers = unemployed * np.clip(rng.normal(2.05, 0.08, n), 1.8, 2.35)[:, None] * noise(0.01)
    under25 = unemployed * young[:, None] * YOUNG_SEASON[month_idx][None, :] * noise(0.05)
    over50 = unemployed * np.clip(rng.normal(0.36, 0.03, n), 0.25, 0.5)[:, None] * noise(0.03)
    foreign_unemployed = unemployed * foreign[:, None] * noise(0.05)
    long_term = unemployed * _knots(months, LONG_TERM)[None, :] * noise(0.04)
    vacancies = (labour_force * 0.011 * VACANCY_SEASON[month_idx][None, :]
                 * _knots(months, VACANCY_LEVEL)[None, :] * noise(0.12))
    new_vacancies = vacancies * 0.75 * noise(0.10)

    # Pilot clients: members only, from the member's start; calibrated to the published figures.
    in_pilot = np.zeros((n, t), dtype=bool)
    index = {c: i for i, c in enumerate(codes)}
    pilot_of: list[str | None] = [None] * n
    for m in reference.memberships:
        if is_pilot(m.group_code) and m.member_code in index:
            in_pilot[index[m.member_code]] |= np.array([m.valid_on(month) for month in months])
            pilot_of[index[m.member_code]] = m.group_code
    pilot_weight = np.clip(1.0 + 1.2 * foreign + rng.normal(0, 0.05, n), 0.7, 1.6)[:, None] * noise(0.02)
    raw_clients = jobseekers * pilot_weight * in_pilot
    clients = calibrated_clients(raw_clients, pilot_of, months, calibration)
    clients_unemployed = clients * unemployed_shares(clients, pilot_of, months, calibration) * noise(0.005)
    clients_under30 = clients * np.clip(0.27 + 0.8 * (young[:, None] - 0.115), 0.15, 0.4) * noise(0.03)
    clients_immigrant = clients * np.clip(foreign[:, None] * 1.7, 0.01, 0.5) * noise(0.03)
    with_plan = clients * np.clip(_knots(months, PLAN_SHARE)[None, :] * noise(0.03), 0, 0.98)
    in_services = clients * 0.30 * np.where(np.isin(month_idx, [5, 6]), 0.82, 1.0)[None, :] * noise(0.05)
    activation_base = clients * 0.62 * noise(0.02) + in_services
    exits = clients * 0.028 * VACANCY_SEASON[month_idx][None, :] * noise(0.10)

    counts = {
        "labour_force": labour_force, "unemployed_jobseekers": unemployed, "jobseekers": jobseekers,
        "unemployed_under25": under25, "unemployed_over50": over50, "unemployed_foreign": foreign_unemployed,
        "long_term_unemployed": long_term, "vacancies": vacancies, "new_vacancies": new_vacancies,
        "pilot_clients": clients, "pilot_clients_under30": clients_under30,
        "pilot_clients_immigrant": clients_immigrant, "pilot_clients_with_plan": with_plan,
        "clients_in_services": in_services, "activation_base": activation_base, "exits_to_open_market": exits,
        "pilot_clients_unemployed_or_laid_off": clients_unemployed,
        "pilot_clients_unemployed": clients_unemployed * (1 - LAID_OFF_SHARE) * noise(0.01),
    }
    counts["population"] = _population(pop, months, seed)
    return codes, {k: np.rint(v) for k, v in counts.items()}


def _population(pop: np.ndarray, months: list[date], seed: int) -> np.ndarray:
    """Year-end populations (NaN in other months): the real 31.12.2020 figure, drifting a little a year."""
    growth = np.clip(np.random.default_rng(seed + 2).normal(-0.006, 0.006, pop.size) + 0.01 * (pop > 50_000),
                     -0.03, 0.03)
    years = np.array([m.year - 2020 if m.month == 12 else np.nan for m in months], dtype=float)
    return pop[:, None] * (1.0 + growth[:, None]) ** years[None, :]


def _revised(counts: dict[str, np.ndarray], month: int, seed: int) -> dict[str, np.ndarray]:
    """The counts as the second release prints them: a few municipalities' month `month` corrected."""
    rng = np.random.default_rng(seed + 1)
    chosen = rng.random(next(iter(counts.values())).shape[0]) < REVISED_SHARE
    revised = {code: values.copy() for code, values in counts.items()}
    for code in REVISED_INDICATORS:
        factor = 1.0 + rng.normal(0.0, 0.02, int(chosen.sum()))
        revised[code][chosen, month] = np.rint(counts[code][chosen, month] * factor)
    return revised


def demo_observations(reference: ReferenceData, registry: Registry, spec: DemoSpec = DemoSpec(),
                      release_id: int = 1) -> list[dict]:
    """Every observation of the demo as the latest release has it (revisions applied)."""
    first, second = demo_releases(reference, registry, spec)
    latest = {(r["indicator_code"], r["area_code"], r["period"]): r for r in first}
    latest |= {(r["indicator_code"], r["area_code"], r["period"]): r for r in second}
    return [{**row, "release_id": release_id} for row in latest.values()]


def demo_releases(reference: ReferenceData, registry: Registry,
                  spec: DemoSpec = DemoSpec()) -> tuple[list[dict], list[dict]]:
    """(release 1: every month but the last; release 2: the last two months, the earlier one revised).

    A one-month spec has one release and an empty second one.
    """
    months = months_between(spec.first_month, spec.last_month)
    codes, counts = demo_counts(reference, months, spec.seed, Calibration.from_file(registry=registry))
    if len(months) < 2:
        return _rows(codes, months, counts, registry, 1, range(len(months))), []
    cut = len(months) - 1
    revised = _revised(counts, cut - 1, spec.seed)
    return (_rows(codes, months, counts, registry, 1, range(cut)),
            _rows(codes, months, revised, registry, 2, range(cut - 1, len(months))))


def _rows(codes: list[str], months: list[date], counts: dict[str, np.ndarray], registry: Registry,
          release_id: int, month_indexes: range) -> list[dict]:
    rows: list[dict] = []

    def emit(indicator: str, values: np.ndarray, suppressed: np.ndarray) -> None:
        for i, code in enumerate(codes):
            for j in month_indexes:
                month = months[j]
                if np.isnan(values[i, j]):
                    continue
                hidden = bool(suppressed[i, j])
                rows.append({"indicator_code": indicator, "area_code": code, "period": month,
                             "value": None if hidden else float(values[i, j]),
                             "status": "suppressed" if hidden else "final", "release_id": release_id})

    hidden = {code: (v >= 1) & (v < SUPPRESS_BELOW) for code, v in counts.items()}
    for code in DEMO_INDICATORS:
        ind = registry[code]
        if ind.kind == "count":
            emit(code, counts[code], hidden[code])
            continue
        num, den = counts[ind.numerator], counts[ind.denominator]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(den > 0, np.round(num / den * ind.scale, 1), np.nan)
        emit(code, ratio, hidden[ind.numerator] | hidden[ind.denominator])
    return rows


def build_demo(url: str, spec: DemoSpec = DemoSpec(), registry: Registry | None = None,
               reference: ReferenceData | None = None) -> int:
    """Build the demo database at url; a SQLite file is built aside and moved into place whole."""
    registry = registry or default_registry()
    reference = reference or load_reference()
    parsed = database_url(url)
    target = None
    if parsed.get_backend_name() == "sqlite":
        target = Path(parsed.database).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".sqlite", dir=target.parent)
        os.close(fd)
        os.unlink(tmp)
        url = f"sqlite:///{tmp}"
    first, second = demo_releases(reference, registry, spec)
    engine = writable_engine(url)
    try:
        use_wal(engine)
        with engine.begin() as conn:
            create_schema(conn)
            for table in (schema.observation_revision, schema.observation, schema.release):
                conn.execute(delete(table))
            load_reference_data(conn, reference, registry)
            published = (DEMO_FIRST_PUBLISHED, DEMO_PUBLISHED) if second else (DEMO_PUBLISHED,)
            conn.execute(schema.release.insert(), [{
                "id": n, "source": DEMO_SOURCE, "url": None, "licence": "CC BY 4.0 (synthetic values)",
                "retrieved_at": moment, "published_at": moment, "sha256": None, "row_count": len(rows)}
                for n, (moment, rows) in enumerate(zip(published, (first, second)), start=1)])
            bulk_insert_observations(conn, (tuple(row[c] for c in OBSERVATION_COLUMNS) for row in first))
            summary = LoadSummary(file="demo", target="demo")
            write_observations(conn, [Observation(r["indicator_code"], r["area_code"], r["period"], r["value"],
                                                  r["status"]) for r in second], 2, summary)
            set_meta(conn, {"schema_version": schema.SCHEMA_VERSION, "demo": "true",
                            "demo_seed": str(spec.seed)})
            raise_data_version(conn)
            analyze(conn)
    finally:
        engine.dispose()
    if target is not None:
        for sidecar in ("-wal", "-shm"):  # the old file's WAL must never be read as the new file's
            target.with_name(target.name + sidecar).unlink(missing_ok=True)
        os.replace(url.removeprefix("sqlite:///"), target)
    return len(first) + summary.inserted
