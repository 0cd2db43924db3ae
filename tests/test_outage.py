"""Outages: the database missing, unreadable, corrupt, or its PostgreSQL server stopped in the middle of a
session. Each page says what happened and what to do in the user's language, and the same session
recovers when the database is back, without a restart. The PostgreSQL server is a cluster this test
creates with initdb and starts and stops with pg_ctl in a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from app.i18n import t
from app.ingest.demo import DemoSpec, build_demo
from app.ui.data import FINGERPRINT_TTL_S
from app.server_process import free_port
from tests.conftest import ROOT

ENTRY = str(ROOT / "streamlit_app.py")
PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def page(lang: str) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def healthy(at: AppTest, lang: str) -> None:
    assert not at.exception and not errors(at), errors(at)
    assert at.title[0].value == t("overview.title", lang)


def test_missing_then_present(demo_sqlite, tmp_path, monkeypatch):
    path = tmp_path / "late.sqlite"
    monkeypatch.setenv("PILOT_TRACKER_DB", f"sqlite:///{path}")
    at = page("fi")
    assert errors(at) == [t("error.db_missing", "fi")]
    assert [b.label for b in at.button] == [t("error.retry", "fi")]
    shutil.copyfile(demo_sqlite.removeprefix("sqlite:///"), path)
    at.button(key="retry_database").click().run()  # the same session, no restart
    healthy(at, "fi")


def test_corrupt_then_restored(demo_sqlite, tmp_path, monkeypatch):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"this is not a database file at all, but it is long enough to be opened" * 100)
    monkeypatch.setenv("PILOT_TRACKER_DB", f"sqlite:///{path}")
    at = page("sv")
    assert errors(at) == [t("error.db_corrupt", "sv")]
    staged = tmp_path / "restored.sqlite"
    shutil.copyfile(demo_sqlite.removeprefix("sqlite:///"), staged)
    os.replace(staged, path)  # as a restore from backup does: the whole file at once
    time.sleep(FINGERPRINT_TTL_S + 0.5)
    at.run()
    healthy(at, "sv")


def test_truncated_database(demo_sqlite, tmp_path, monkeypatch):
    path = tmp_path / "truncated.sqlite"
    path.write_bytes(Path(demo_sqlite.removeprefix("sqlite:///")).read_bytes()[:200_000])
    monkeypatch.setenv("PILOT_TRACKER_DB", f"sqlite:///{path}")
    assert errors(page("en")) in ([t("error.db_corrupt", "en")], [t("error.db_unavailable", "en")])


def test_a_folder_where_the_file_should_be_is_unreadable(tmp_path, monkeypatch):
    (tmp_path / "folder.sqlite").mkdir()
    monkeypatch.setenv("PILOT_TRACKER_DB", f"sqlite:///{tmp_path / 'folder.sqlite'}")
    assert errors(page("en")) == [t("error.db_unreadable", "en")]


# --- PostgreSQL gone mid-session ------------------------------------------------------------------

class Cluster:
    """A PostgreSQL cluster of its own: initdb'd in a temporary folder, run as the postgres system user
    (initdb refuses root), reachable on 127.0.0.1 at a free port."""

    def __init__(self):
        self.bin = PG_BINS[-1].parent
        self.folder = Path(tempfile.mkdtemp(prefix="pilot-outage-", dir="/tmp"))
        self.data, self.port = self.folder / "data", free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/indicators"

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.as_postgres, str(self.bin / tool), *args], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"{tool}: {done.stdout}\n{done.stderr}"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster():
    if not PG_BINS:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("runuser is needed to run initdb as the postgres user")
    made = Cluster()
    try:
        made.start()
        admin = create_engine(made.url.replace("/indicators", "/postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE indicators"))
        admin.dispose()
        yield made
    finally:
        made.remove()


@pytest.mark.postgres
def test_postgres_stopped_mid_session_then_back(cluster, monkeypatch):
    build_demo(cluster.url, DemoSpec(first_month=date(2021, 1, 1), last_month=date(2021, 4, 1)))
    monkeypatch.setenv("PILOT_TRACKER_DB", cluster.url)
    monkeypatch.setenv("PILOT_TRACKER_ALLOW_WRITING_ROLE", "1")  # the cluster's only role is its superuser
    at = page("sv")
    healthy(at, "sv")

    cluster.stop()
    time.sleep(FINGERPRINT_TTL_S + 0.5)  # past the fingerprint's cache: the next run asks the server
    started = time.monotonic()
    at.run()
    assert errors(at) == [t("error.db_unreachable", "sv")]
    assert time.monotonic() - started < 30  # a clear page at once, not a page that spins for minutes

    cluster.start()
    at.button(key="retry_database").click().run()
    healthy(at, "sv")  # the same session, the same server process: recovered without a restart
