"""Helpers shared by the ingestion and check tests: fixture files, prepared databases on both backends,
CLI runs and a snapshot of the database to prove a refused load left it as it was."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from app.cli import main
from app.ingest.store import init_database
from app.settings import database_url
from tests.conftest import PG_ADMIN_URL

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
STATE_TABLES = ("observation", "observation_revision", "release", "area", "area_membership", "indicator", "meta",
                "published_value")


def keep_pilot_rows_only(conn, indicator_code: str = "pilot_clients") -> None:
    """As TEM's monitoring files have it: the indicator's rows only for municipalities in a pilot that month."""
    conn.execute(text(
        "DELETE FROM observation WHERE indicator_code = :code AND area_code NOT IN "
        "(SELECT m.member_code FROM area_membership m JOIN area a ON a.code = m.group_code "
        " WHERE a.kind = 'pilot' AND (m.valid_from IS NULL OR m.valid_from <= observation.period) "
        " AND (m.valid_to IS NULL OR observation.period <= m.valid_to))"), {"code": indicator_code})


def fixture_file(name: str) -> Path:
    return FIXTURES / name


def run_cli(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def ingest(command: str, path: Path | str, db_url: str, *extra: str, refresh: bool = False) -> Result:
    """A load through the CLI; without the refresh of the derived copies that follows it, unless asked
    (tests/test_stored_series.py covers that), so the many small loads of the suite stay quick."""
    result = run_cli("ingest", command, path, "--db", db_url, *extra, "--refresh" if refresh else "--no-refresh")
    assert result.exit_code == 0, result.output
    return result


def query(db_url: str, sql: str, **params) -> list[tuple]:
    engine = create_engine(database_url(db_url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def observations(db_url: str) -> dict[tuple, tuple]:
    """(indicator, area, period as text) -> (value, status), independent of the backend's date type."""
    rows = query(db_url, "SELECT indicator_code, area_code, period, value, status FROM observation")
    return {(ind, area, str(period)[:10]): (value, status) for ind, area, period, value, status in rows}


def db_state(db_url: str) -> dict:
    """Everything a load may touch: the SQLite file's bytes, and the sorted contents of every table."""
    state: dict = {}
    parsed = database_url(db_url)
    if parsed.get_backend_name() == "sqlite":
        state["sha256"] = hashlib.sha256(Path(parsed.database).read_bytes()).hexdigest()
    for table in STATE_TABLES:
        state[table] = sorted(query(db_url, f"SELECT * FROM {table}"), key=repr)
    return state


@pytest.fixture
def fresh_db(any_db_url) -> str:
    """An initialised database (schema, areas, memberships, indicators) on each backend."""
    init_database(any_db_url).dispose()
    return any_db_url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def loaded_db(request, tmp_path_factory) -> str:
    """One database per module and backend with the small PxWeb and monitoring fixtures loaded.

    Tests that use it must leave it as they found it (refused loads, read-only checks).
    """
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('loaded') / 'indicators.sqlite'}"
    else:
        url = pg_database(request)
    init_database(url).dispose()
    ingest("pxweb", fixture_file("pxweb_small.json"), url)
    ingest("monitoring", fixture_file("monitoring_small.csv"), url)
    return url


def pg_database(request) -> str:
    """A new PostgreSQL database for the requesting fixture's scope, dropped at its end."""
    admin = request.getfixturevalue("pg_admin")
    name = f"pilot_tracker_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    request.addfinalizer(drop)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
