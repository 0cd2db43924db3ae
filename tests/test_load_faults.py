"""Faults during loads: kill -9 and SIGTERM at random moments of a PxWeb load, on SQLite and PostgreSQL,
with small and large files. The database must be exactly as before (or, when the kill came after the
commit, exactly as after), readable at once through the dashboard's read-only engine, and a rerun must
succeed. A load competing with a running dashboard must never make a read fail.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app import schema
from app.db import DatabaseUnavailable, readonly_engine
from app.queries import meta
from app.ingest.store import init_database
from app.views.source import QuerySource
from tests.conftest import ROOT
from tests.pxweb_files import content_codes, municipality_codes, write_json_stat

RETRIEVED = "2026-07-21"  # fixed, so two loads of one file give the same release row
# The stored data; the derived copies (area_series, release_coverage) are checked by what the pages read.
DERIVED = {schema.area_series.name, schema.release_coverage.name}
TABLES = [t for t in schema.metadata.sorted_tables if t.name not in DERIVED]
# Their bookkeeping: a load may raise data_version without changing a value (a driver that cannot count
# the rows it wrote counts one), which only makes the pages compute the sums; the values read are checked.
VERSIONS = ("data_version", "series_version")


def checksum(url: str) -> str:
    """Every stored table's sorted rows, and what the pages read of summed areas, through the dashboard's
    read-only engine (a failure fails the test). A load killed after its commit but during the refresh of
    the derived copies must show the new data, not the old copies: the values read say so."""
    engine = readonly_engine(url, timeout_s=600)  # the whole table, on a busy machine: more than a page's 15 s
    digest = hashlib.sha256()
    try:
        with engine.connect() as conn:
            for table in TABLES:
                rows = sorted(repr(tuple(r)) for r in conn.execute(select(table))
                              if table is not schema.meta or r[0] not in VERSIONS)
                digest.update(f"{table.name}:{len(rows)}:{''.join(rows)}".encode())
        source = QuerySource(engine)  # and the way the pages read it
        shown = source.values("unemployment_share", ["SSS", "ELY01", "KU091"])
        digest.update(repr(shown.sort("area_code", "period").rows()).encode())
    finally:
        engine.dispose()
    return digest.hexdigest()


def load_command(url: str, path: Path, refresh: bool = False) -> list[str]:
    """The load alone (its one transaction), or with the refresh of the derived copies that follows it."""
    return [sys.executable, "-m", "app.cli", "ingest", "pxweb", str(path), "--db", url, "--retrieved-at", RETRIEVED,
            "--refresh" if refresh else "--no-refresh"]


def load(url: str, path: Path, refresh: bool = False) -> float:
    started = time.monotonic()
    done = subprocess.run(load_command(url, path, refresh), capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return time.monotonic() - started


def killed_load(url: str, path: Path, after_s: float, sig: int, refresh: bool = False) -> tuple[bool, float]:
    """Start a load, send sig after after_s seconds; (still running then, seconds it ran)."""
    started = time.monotonic()
    errors = tempfile.TemporaryFile()
    process = subprocess.Popen(load_command(url, path, refresh), cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=errors, start_new_session=True)
    while process.poll() is None and time.monotonic() - started < after_s:
        time.sleep(0.05)
    running = process.poll() is None
    ran = time.monotonic() - started
    if running:
        os.kill(process.pid, sig)
    else:
        errors.seek(0)
        assert process.returncode == 0, f"the load failed by itself: {errors.read()[-1500:].decode()}"
    process.wait(timeout=60)
    return running, ran


def killed_after_commit(url: str, path: Path) -> bool:
    """Run a load with its refresh and SIGKILL it as soon as its commit shows (meta.data_version rose):
    whether it was still running then, storing the derived copies."""
    def data_version() -> str | None:
        return meta(engine).get("data_version")

    engine = readonly_engine(url)
    try:
        before = data_version()
        process = subprocess.Popen(load_command(url, path, refresh=True), cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 600
        while data_version() == before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        running = process.poll() is None
        if running:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        return running
    finally:
        engine.dispose()


def pxweb_file(tmp_path: Path, months: int, seed: int) -> Path:
    return write_json_stat(tmp_path / f"load-{months}-{seed}.json", months, municipality_codes(), content_codes(),
                           seed=seed)


class Copies:
    """Copies of one prepared database, each a fresh start for a trial: SQLite files, PostgreSQL templates."""

    def __init__(self, backend: str, tmp_path: Path, request):
        self.backend, self.tmp_path, self.made = backend, tmp_path, []
        if backend == "sqlite":
            self.base = f"sqlite:///{tmp_path / 'base.sqlite'}"
        else:
            self.admin = request.getfixturevalue("pg_admin")
            self.base = request.getfixturevalue("make_pg_database")()

    def copy(self) -> str:
        n = len(self.made)
        if self.backend == "sqlite":  # a finished load is checkpointed: the file alone is the database
            target = self.tmp_path / f"copy{n}.sqlite"
            shutil.copyfile(self.base.removeprefix("sqlite:///"), target)
            url = f"sqlite:///{target}"
        else:
            base_name = self.base.rsplit("/", 1)[1]
            name = f"{base_name}_c{n}"
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{base_name}"'))
            url = self.base.rsplit("/", 1)[0] + f"/{name}"
        self.made.append(url)
        return url

    def drop(self) -> None:
        if self.backend == "postgresql":
            with self.admin.connect() as conn:
                for url in self.made:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))


def run_faults(backend: str, tmp_path: Path, request, months: int, trials: int, refresh_trial: bool = True) -> dict:
    """Kill loads of a months-long file at random moments, each on a fresh copy of a database with data."""
    copies = Copies(backend, tmp_path, request)
    try:
        init_database(copies.base).dispose()
        load(copies.base, pxweb_file(tmp_path, 2, seed=1))  # the database holds data before the killed load
        second = pxweb_file(tmp_path, months, seed=2)
        before = checksum(copies.base)
        reference = copies.copy()
        duration = load(reference, second)
        after = checksum(reference)
        assert after != before
        rng = random.Random(f"{backend}-{months}")
        outcome = {"mid_load": 0, "after_commit": 0, "finished_first": 0, "load_s": round(duration, 1), "kills": []}
        for trial in range(trials):
            url = copies.copy()
            sig = (signal.SIGKILL, signal.SIGTERM)[trial % 2]
            moment = rng.uniform(0.3, duration * 0.8)
            mid_load, ran = killed_load(url, second, moment, sig)
            state = checksum(url)  # readable at once through the read-only engine
            if mid_load and state == after:  # killed after its commit, while it tidied up: whole
                outcome["after_commit"] += 1
            elif mid_load:
                assert state == before, f"{signal.Signals(sig).name} at {moment:.1f} s changed the database"
                outcome["mid_load"] += 1
                outcome["kills"].append(f"{signal.Signals(sig).name}@{moment:.1f}s")
            else:  # the load had finished: it is whole; loads here run faster than the reference did
                assert state == after
                outcome["finished_first"] += 1
                duration = ran
            if backend == "sqlite":  # WAL: a kill leaves no rollback journal that would need a read-write open
                assert not Path(url.removeprefix("sqlite:///") + "-journal").exists()
        load(url, second)  # a rerun succeeds
        assert checksum(url) == after
        if refresh_trial:  # killed after the load's commit, while it stores the derived copies: new data shows
            url = copies.copy()
            outcome["during_refresh"] = killed_after_commit(url, second)
            assert checksum(url) == after, "killed while storing the derived copies"
        return outcome
    finally:
        copies.drop()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_killed_small_loads_leave_the_database_as_it_was(backend, tmp_path, request):
    outcome = run_faults(backend, tmp_path, request, months=3, trials=4)
    assert outcome["mid_load"] >= 2, outcome


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_killed_large_loads_leave_the_database_as_it_was(backend, tmp_path, request):
    outcome = run_faults(backend, tmp_path, request, months=36, trials=4, refresh_trial=False)  # 255,852 values
    print(f"{backend}: {outcome}")
    assert outcome["mid_load"] >= 2, outcome


def test_an_old_rollback_journal_is_explained_and_a_load_repairs_it(tmp_path):
    """A database killed mid-load before loads used WAL keeps a hot journal: the read-only engine says so,
    and any load (or `db init`) rolls it back."""
    path = tmp_path / "old.sqlite"
    url = f"sqlite:///{path}"
    init_database(url).dispose()
    script = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=DELETE'); "
              "c.execute('PRAGMA cache_size=-100'); c.execute('BEGIN'); "
              "[c.execute('INSERT INTO meta VALUES (?, ?)', (str(i), 'x' * 2000)) for i in range(100000)]")
    process = subprocess.Popen([sys.executable, "-c", script, str(path)])
    deadline = time.monotonic() + 30
    journal = Path(str(path) + "-journal")
    while not (journal.exists() and journal.stat().st_size > 0 and path.stat().st_size > 200_000):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.kill()
    process.wait()

    engine = readonly_engine(url)
    with pytest.raises(DatabaseUnavailable) as failed:
        meta(engine)
    assert failed.value.reason == "interrupted_load"
    init_database(url).dispose()  # a read-write open rolls the journal back, and switches to WAL
    assert meta(engine) == {"schema_version": schema.SCHEMA_VERSION, "demo": "false"}
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_reads_during_a_load_never_fail(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'busy.sqlite'}" if backend == "sqlite" else \
        request.getfixturevalue("make_pg_database")()
    init_database(url).dispose()
    load(url, pxweb_file(tmp_path, 2, seed=1))
    big = pxweb_file(tmp_path, 24, seed=3)
    engine = readonly_engine(url, timeout_s=15)
    source = QuerySource(engine)
    errors: list[str] = []
    reads = 0
    process = subprocess.Popen(load_command(url, big), cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        while process.poll() is None:
            try:
                for code in ("unemployment_share", "jobseekers"):
                    source.values(code, ["SSS", "ELY01", "KU091", "PILOT01"])
                    source.periods(code)
                reads += 1
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(f"{type(exc).__name__}: {exc}")
        assert process.returncode == 0, process.stderr.read()[-2000:]
    finally:
        if process.poll() is None:
            process.kill()
        engine.dispose()
    assert not errors, errors[:5]
    assert reads >= 5, reads
