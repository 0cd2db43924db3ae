"""Revisions: a load that replaces a value keeps the superseded one in observation_revision, dated by both
releases; a repeated value, or only a changed status, is not a revision. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from sqlalchemy import create_engine, text

from app import queries
from app.db import readonly_engine
from app.ingest.store import revised
from app.settings import database_url
from tests.ingest_helpers import fresh_db, ingest, query  # noqa: F401

HEADER = "area_code,month,indicator,value,status\n"


def monitoring_file(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def revision_rows(url: str) -> list[tuple]:
    return query(url, "SELECT indicator_code, area_code, period, old_value, old_status, old_release_id, "
                      "new_value, new_status, new_release_id FROM observation_revision ORDER BY id")


def test_a_second_release_that_changes_a_value_is_a_revision_and_a_repeat_is_not(fresh_db, tmp_path):
    first = monitoring_file(tmp_path, "first.csv", [
        "KU091,2024-11,pilot_clients,41250,provisional",  # revised below
        "KU049,2024-11,pilot_clients,9000,final",  # repeated unchanged
        "KU092,2024-11,pilot_clients,15000,provisional",  # only its status changes
        "KU090,2024-11,pilot_clients_immigrant,...,suppressed",  # becomes known
    ])
    second = monitoring_file(tmp_path, "second.csv", [
        "KU091,2024-11,pilot_clients,41302,final",
        "KU049,2024-11,pilot_clients,9000,final",
        "KU092,2024-11,pilot_clients,15000,final",
        "KU090,2024-11,pilot_clients_immigrant,7,final",
        "KU091,2024-12,pilot_clients,40980,provisional",  # new data, not a revision
    ])
    ingest("monitoring", first, fresh_db)
    assert revision_rows(fresh_db) == []
    result = ingest("monitoring", second, fresh_db)
    assert "revised 2 values" in result.stdout
    rows = [(ind, area, str(period)[:10], *rest) for ind, area, period, *rest in revision_rows(fresh_db)]
    assert sorted(rows) == [
        ("pilot_clients", "KU091", "2024-11-01", 41250.0, "provisional", 1, 41302.0, "final", 2),
        ("pilot_clients_immigrant", "KU090", "2024-11-01", None, "suppressed", 1, 7.0, "final", 2),
    ]
    # the observation now holds the new value from the new release
    stored = query(fresh_db, "SELECT value, release_id FROM observation WHERE area_code = 'KU091' "
                             "AND indicator_code = 'pilot_clients' AND period = :p", p=date(2024, 11, 1))
    assert stored == [(41302.0, 2)]

    again = ingest("monitoring", second, fresh_db)  # the same file again: nothing changes, nothing is revised
    assert "revised" not in again.stdout and len(revision_rows(fresh_db)) == 2
    back = monitoring_file(tmp_path, "third.csv", ["KU091,2024-11,pilot_clients,41250,final"])
    ingest("monitoring", back, fresh_db)  # a third release puts the old figure back: that is a revision too
    last = revision_rows(fresh_db)[-1]
    assert (last[3], last[5], last[6], last[8]) == (41302.0, 2, 41250.0, 3)


def test_the_dashboard_reads_revisions_with_both_release_dates(fresh_db, tmp_path):
    ingest("monitoring", monitoring_file(tmp_path, "a.csv", ["KU091,2024-11,pilot_clients,100,final"]), fresh_db)
    ingest("monitoring", monitoring_file(tmp_path, "b.csv", ["KU091,2024-11,pilot_clients,120,final"]), fresh_db)
    engine = readonly_engine(fresh_db)
    try:
        frame = queries.revisions(engine)
        only_first = queries.revisions(engine, [1])
        contents = queries.release_contents(engine)
    finally:
        engine.dispose()
    row = frame.row(0, named=True)
    assert (row["old_value"], row["new_value"], row["old_release_id"], row["new_release_id"]) == (100.0, 120.0, 1, 2)
    assert row["new_published_at"] is None or row["new_published_at"] >= row["old_published_at"]
    assert only_first.is_empty()
    # release 1's only value was replaced: it holds nothing now; release 2 holds November
    assert contents.select("release_id", "observations").rows() == [(2, 1)]


def test_a_database_made_before_the_table_existed_has_no_revisions(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(database_url(url))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"))
    engine.dispose()
    reader = readonly_engine(url)
    try:
        assert queries.revisions(reader).is_empty()
    finally:
        reader.dispose()


def test_what_counts_as_a_revision():
    assert revised(1.0, 2.0) and revised(None, 0.0) and revised(3.0, None)
    assert not revised(2.0, 2.0) and not revised(None, None) and not revised(5, 5.0)


def test_the_demo_keeps_its_revisions_from_its_second_release(demo_sqlite):
    engine = readonly_engine(demo_sqlite)
    try:
        frame = queries.revisions(engine)
        releases = queries.releases(engine)
    finally:
        engine.dispose()
    assert releases.get_column("id").to_list() == [1, 2]
    assert frame.height > 50
    assert set(frame.get_column("old_release_id").to_list()) == {1}
    assert set(frame.get_column("new_release_id").to_list()) == {2}
    assert frame.get_column("period").unique().to_list() == [date(2024, 11, 1)]
    changed = frame.filter(pl.col("old_value").is_not_null() & pl.col("new_value").is_not_null())
    assert (changed.get_column("old_value") != changed.get_column("new_value")).all()
