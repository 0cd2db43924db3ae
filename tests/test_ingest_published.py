"""`pilot-tracker ingest published`: TEM's published pilot figures, one release per source, kept apart from
the observations; bad rows refused with the database unchanged."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.settings import DATA_DIR
from tests.ingest_helpers import db_state, fresh_db, ingest, query, run_cli  # noqa: F401

FIGURES = DATA_DIR / "published_figures.csv"


def rows_of(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def published(db_url: str) -> dict[tuple, tuple]:
    rows = query(db_url, "SELECT p.indicator_code, p.area_code, p.period, p.value, p.approximate, r.source, r.url, "
                         "r.published_at FROM published_value p JOIN release r ON r.id = p.release_id")
    return {(ind, area, str(period)[:7], source): (value, bool(approx), url, str(pub)[:10])
            for ind, area, period, value, approx, source, url, pub in rows}


def test_the_figures_load_with_their_sources(fresh_db):
    result = ingest("published", FIGURES, fresh_db)
    assert "30 published figures" in result.output and "inserted 30" in result.output
    stored = published(fresh_db)
    source = "Työllisyyden kuntakokeilujen tilastokatsaus joulukuun 2021 lopulta (TEM)"
    assert stored[("pilot_clients", "GRP_PILOT", "2021-12", source)] == (
        234180.0, False, "https://tem.fi/-/tyollisyyden-kuntakokeilujen-tilastokatsaus-joulukuun-2021-lopulta",
        "2022-02-02")
    assert stored[("pilot_clients_unemployed_or_laid_off", "PILOT01", "2021-12", source)][0] == 28781.0
    about = [k for k, v in stored.items() if v[1]]
    assert [k[:3] for k in about] == [("pilot_clients", "GRP_PILOT", "2021-03")]  # "about 230,000"
    # the two definitions stay two indicators
    assert ("pilot_clients_unemployed", "GRP_PILOT", "2022-10", "Työllisyyskatsaus lokakuu 2022 (TEM)") in stored
    assert not [k for k in stored if k[0] == "pilot_clients_unemployed" and "tilastokatsaus" in k[3]]
    sources = {row["source_title"] for row in rows_of(FIGURES)}
    assert len(query(fresh_db, "SELECT id FROM release")) == len(sources) == 8
    assert query(fresh_db, "SELECT count(*) FROM observation") == [(0,)]  # never mixed into the observations


def test_loading_again_changes_nothing(fresh_db):
    ingest("published", FIGURES, fresh_db)
    before = db_state(fresh_db)
    again = ingest("published", FIGURES, fresh_db)
    assert "inserted 0, updated 0, unchanged 30, removed 0" in again.output
    assert db_state(fresh_db) == before


def test_a_corrected_figure_takes_a_new_release_of_its_source(fresh_db, tmp_path):
    ingest("published", FIGURES, fresh_db)
    rows = rows_of(FIGURES)
    target = next(r for r in rows if r["area_code"] == "PILOT03" and r["indicator"] == "pilot_clients")
    target["value"] = "22270"
    result = ingest("published", write(tmp_path / "fixed.csv", rows), fresh_db)
    assert "inserted 0, updated 1, unchanged 29, removed 0" in result.output
    stored = published(fresh_db)
    assert len(stored) == 30
    assert stored[("pilot_clients", "PILOT03", "2021-12", target["source_title"])][0] == 22270.0
    assert len(query(fresh_db, "SELECT id FROM release")) == 9  # the source's corrected release is added
    assert query(fresh_db, "SELECT count(DISTINCT release_id) FROM published_value") == [(8,)]


@pytest.mark.parametrize("change, words", [
    ({"area_code": "GRP_PILOT", "period": "2019-06"}, "GRP_PILOT stands for all pilot areas"),
    ({"unit": "percent"}, "is not the unit of pilot_clients"),
    ({"indicator": "pilot_clients_unemployed_or_lai"}, "is not an indicator of the registry"),
    ({"value": "-5"}, "is not a published count or share"),
    ({"source_url": ""}, "every figure needs its source"),
    ({"published": "2.2.2022"}, "is not a date"),
])
def test_bad_rows_are_refused_and_nothing_changes(fresh_db, tmp_path, change, words):
    rows = rows_of(FIGURES)
    rows[1].update(change)
    before = db_state(fresh_db)
    result = run_cli("ingest", "published", write(tmp_path / "bad.csv", rows), "--db", fresh_db)
    assert result.exit_code == 1 and words in result.output and "row 3" in result.output
    assert db_state(fresh_db) == before


def test_unknown_areas_are_skipped_and_listed(fresh_db, tmp_path):
    rows = rows_of(FIGURES)
    rows[0].update(area_code="PILOT77")
    result = ingest("published", write(tmp_path / "unknown.csv", rows), fresh_db)
    assert "skipped 1 unknown area code (1 values): PILOT77" in result.output
    assert len(published(fresh_db)) == 29
