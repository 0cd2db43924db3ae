"""Bad input is refused with a message naming the file, the place and the column, a non-zero exit code,
and the database exactly as it was (SQLite: the file's sha256; both: every table's contents)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import app.ingest.store
from app.ingest.pxweb import load_pxweb
from tests.ingest_helpers import db_state, fixture_file, loaded_db, run_cli  # noqa: F401 - loaded_db is a fixture

BAD_INPUTS = [
    # command, fixture, fragments the message must hold (location, column, what is wrong)
    ("pxweb", "bad_truncated.json", ["line 156, column 4", "not valid JSON", "truncated"]),
    ("pxweb", "bad_nonnumeric.json", ["data[3].values[1]", "column 'TYOTTOMATLOPUSSA'", '"17O" is not a number']),
    ("pxweb", "bad_jsonstat_value.json", ["value[5]", "column 'TYOTTOMATLOPUSSA'", '"abc" is not a number']),
    ("pxweb", "bad_nan.json", ["line 150, column 5", "NaN is not a number"]),
    ("pxweb", "bad_month.json", ["data[1].key[1]", "column 'timeperiod_m'", "'2026M13' is not a month"]),
    ("pxweb", "bad_annual.json", ["data[0].key[1]", "column 'timeperiod_m'", "not a monthly table"]),
    ("pxweb", "bad_duplicate_rows.json", ["data[8].key", "duplicate", "KU171 / 2026M06", "first at data[7].key"]),
    ("pxweb", "bad_duplicate_key.json", ["dimension.alue_23_20260101.category.index", "duplicate key", "'KU171'"]),
    ("pxweb", "bad_jsonstat_size.json", ["dimension.alue_23_20260101.category.index", "'size' says 7"]),
    ("pxweb", "bad_latin1.json", ["line 15", "not UTF-8", "save the file as UTF-8"]),
    ("pxweb", "bad_empty.json", ["the file is empty"]),
    ("pxweb", "other_table_population.json", ["a file of another table", "ssaaty-vm01", "columns"]),
    ("pxweb", "monitoring_small.csv", ["not a JSON file", "ingest monitoring"]),
    ("monitoring", "bad_monitoring_month.csv", ["row 3", "column 'month'", "'2026-13' is not a month"]),
    ("monitoring", "bad_monitoring_value.csv", ["row 4", "column 'value'", "'n/a' is not a number"]),
    ("monitoring", "bad_monitoring_duplicate.csv", ["row 4", "duplicate", "PILOT01, month 2024-11", "row 2"]),
    ("monitoring", "bad_monitoring_missing_columns.csv", ["row 1 (header)", "column 'indicator'", "missing column"]),
    ("monitoring", "bad_monitoring_indicator.csv", ["row 2", "column 'indicator'", "'asiakkaat'"]),
    ("monitoring", "bad_empty.csv", ["the file is empty"]),
    ("monitoring", "pilots_small.csv", ["row 1 (header)", "file of another kind", "ingest pilots"]),
    ("monitoring", "pxweb_small.json", ["line 1", "JSON file", "ingest pxweb"]),
    ("pilots", "bad_pilots_latin1.csv", ["line 2", "not UTF-8"]),
    ("pilots", "bad_pilots_overlap.csv", ["row 4", "column 'valid_from'", "overlaps", "(row 2)"]),
    ("pilots", "bad_pilots_municipality.csv", ["row 3", "column 'municipality_code'", "KU999"]),
    ("pilots", "bad_pilots_inconsistent.csv", ["row 3", "column 'ely_code'", "'ELY02'"]),
    ("pilots", "monitoring_small.csv", ["row 1 (header)", "column 'pilot_code'", "ingest monitoring"]),
    ("areas", "bad_areas_unknown_ely.csv", ["row 3", "column 'ely_code'", "'ELY99'"]),
    ("areas", "bad_areas_overlap.csv", ["row 3", "column 'valid_from'", "overlaps"]),
    ("areas", "bad_areas_date.csv", ["row 3", "column 'valid_from'", "'2025-01-32' is not a date"]),
    ("areas", "bad_empty.csv", ["the file is empty"]),
]


@pytest.mark.parametrize(("command", "name", "fragments"), BAD_INPUTS, ids=[f"{c}-{n}" for c, n, _ in BAD_INPUTS])
def test_bad_input_is_refused_and_the_database_is_unchanged(loaded_db, command, name, fragments):
    path = fixture_file(name)
    before = db_state(loaded_db)
    result = run_cli("ingest", command, path, "--db", loaded_db)
    assert result.exit_code != 0
    assert result.stdout == ""
    message = result.stderr
    assert message.startswith(f"Error: {path}")  # the file comes first
    for fragment in fragments:
        assert fragment in message, message
    assert "the database is as it was" in message
    assert db_state(loaded_db) == before


def test_a_failure_while_writing_rolls_the_whole_load_back(loaded_db, monkeypatch, tmp_path):
    """Validation catches bad files before any write; this proves the writes themselves are one transaction."""
    calls = []
    real_upsert = app.ingest.store.upsert

    def failing_upsert(conn, table, rows, keys):
        calls.append(len(rows))
        if len(calls) > 1:
            raise RuntimeError("disk full")
        real_upsert(conn, table, rows, keys)

    monkeypatch.setattr(app.ingest.store, "BATCH", 5)
    monkeypatch.setattr(app.ingest.store, "upsert", failing_upsert)
    before = db_state(loaded_db)
    with pytest.raises(RuntimeError, match="disk full"):
        load_pxweb(loaded_db, _changed_copy(tmp_path))
    assert calls and calls[0] == 5  # the first chunk was written before the failure
    assert db_state(loaded_db) == before


def _changed_copy(folder: Path) -> Path:
    """pxweb_small.json with every number raised by one: every observation of it changes."""
    doc = json.loads(fixture_file("pxweb_small.json").read_text(encoding="utf-8"))
    for row in doc["data"]:
        row["values"] = [v if v == "..." else str(float(v) + 1) for v in row["values"]]
    path = folder / "pxweb_changed.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_missing_database_is_not_created(tmp_path):
    target = tmp_path / "nowhere.sqlite"
    result = run_cli("ingest", "pxweb", fixture_file("pxweb_small.json"), "--db", f"sqlite:///{target}")
    assert result.exit_code != 0
    assert "database file not found" in result.stderr and "db init" in result.stderr
    assert not target.exists()


def test_a_database_without_the_schema_is_refused(tmp_path):
    target = tmp_path / "empty.sqlite"
    target.write_bytes(b"")
    result = run_cli("ingest", "monitoring", fixture_file("monitoring_small.csv"), "--db", f"sqlite:///{target}")
    assert result.exit_code != 0
    assert "no Pilot Tracker schema" in result.stderr
    assert target.read_bytes() == b""
