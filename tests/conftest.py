"""Shared fixtures: the real PostgreSQL at 127.0.0.1:5432 (a database per use, dropped after),
SQLite files in tmp, the demo database, and the shared real data (skipped cleanly when absent)."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

# Plotly checks every figure the tests build (production skips it: app.charts.style.figure_from). Set
# before app is imported, and inherited by the servers the browser tests start.
os.environ.setdefault("PILOT_TRACKER_CHECK_FIGURES", "1")

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("PILOT_TRACKER_SHARED", ROOT.parent / "shared")) / "data"
DEMO_FILE = ROOT / "data" / "demo.sqlite"
PG_ADMIN_URL = os.environ.get("PILOT_TRACKER_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
hypothesis_settings.register_profile("project", database=None)  # no .hypothesis/ folder in the tree
hypothesis_settings.load_profile("project")
REQUIRE_PG = os.environ.get("PILOT_TRACKER_REQUIRE_PG") == "1"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def pytest_sessionstart(session):
    session.config._demo_sha = _sha256(DEMO_FILE)


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_demo_sha", None)
    if before is not None and _sha256(DEMO_FILE) != before:
        print("\nFAIL: data/demo.sqlite changed during the test run; the dashboard must only read it")
        session.exitstatus = 1


def shared_file(*parts: str) -> Path:
    """A file under ../shared/data; the test skips cleanly when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"shared data file not available: {path}")
    return path


@pytest.fixture(scope="session")
def pg_admin():
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means the server is not usable
        engine.dispose()
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    yield engine
    engine.dispose()


@pytest.fixture
def make_pg_database(pg_admin, monkeypatch):
    """Factory: a new empty PostgreSQL database per call, dropped at teardown.

    The test server's only role is the superuser `postgres`, which the dashboard's engine refuses
    (app.db): tests that read through it set the development override; tests/test_db_hardening.py
    reads as a SELECT-only role it creates.
    """
    monkeypatch.setenv("PILOT_TRACKER_ALLOW_WRITING_ROLE", "1")
    created: list[str] = []

    def make() -> str:
        name = f"pilot_tracker_test_{uuid.uuid4().hex[:12]}"
        with pg_admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    yield make
    with pg_admin.connect() as conn:
        for name in created:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_url(make_pg_database) -> str:
    return make_pg_database()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'indicators.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_url(request, tmp_path) -> str:
    """An empty database URL on each backend: the same code must work on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'indicators.sqlite'}"
    return request.getfixturevalue("make_pg_database")()


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory) -> str:
    """A full demo database built by the same builder as data/demo.sqlite, in a temp folder."""
    from app.ingest.demo import build_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}"
    build_demo(url)
    return url


def demo_copy(demo_url: str, folder: Path, name: str) -> str:
    """A copy of a demo database file to change for one test module: its URL."""
    import shutil

    path = folder / name
    shutil.copyfile(Path(demo_url.removeprefix("sqlite:///")), path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; Playwright never downloads a browser here. Required on CI."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    """One Playwright driver and browser for the whole session: a second sync driver cannot start
    while one runs in the same process."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def as_rendered(markdown: str) -> str:
    """A Markdown value (app.safe_text.md_escape) as the reader sees it: escapes and word joiners gone."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def run_page(page: str, **params):
    """One AppTest run of a page of the app with these URL parameters; fails on an exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
