"""`pilot-tracker ingest pxweb`: the real 12r5 file and small hand-made PxWeb JSON / JSON-stat 2 fixtures."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, text

from app.indicators import registry
from app.settings import database_url
from app.ingest.records import format_codes
from app.ingest.values import parse_timestamp, parse_value
from app.ingest.pxweb_read import PxTable, read_table
from app.ingest.pxweb_map import assign_roles
from tests.conftest import shared_file
from tests.ingest_helpers import db_state, fixture_file, fresh_db, ingest, observations, query  # noqa: F401

REAL_12R5 = ("real", "statfin_tyonv_12r5_2026M06.json")


def test_real_12r5_loads_values_suppression_and_provenance(fresh_db):
    path = shared_file(*REAL_12R5)
    result = ingest("pxweb", path, fresh_db)
    rows = observations(fresh_db)
    assert rows[("jobseekers", "KU020", "2026-06-01")] == (1494.0, "final")
    assert rows[("jobseekers", "SSS", "2026-06-01")] == (542318.0, "final")
    assert rows[("in_work_trial", "KU020", "2026-06-01")] == (None, "suppressed")  # '...' in the file
    assert rows[("in_work_training", "KU020", "2026-06-01")] == (0.0, "final")  # '0' is a zero
    assert rows[("unemployment_share", "SSS", "2026-06-01")] == (12.8, "final")
    # Published aggregates are stored under their own codes.
    assert {area for (_, area, _) in rows} >= {"SSS", "MK01", "MK21", "ELY01", "ELY15"}

    # Independently of the loader: every '...' of a known area in a mapped column, and nothing else, is suppressed.
    doc = json.loads(path.read_text(encoding="utf-8"))
    known = {code for (code,) in query(fresh_db, "SELECT code FROM area")}
    codes = [c["code"] for c in doc["columns"] if c["type"] == "c"]
    mapped = registry().by_pxweb_code()
    expected_suppressed = {(mapped[codes[k]].code, row["key"][0]) for row in doc["data"] if row["key"][0] in known
                           for k, v in enumerate(row["values"]) if v == "..." and codes[k] in mapped}
    suppressed = {(ind, area) for (ind, area, _), (value, status) in rows.items() if status == "suppressed"}
    assert suppressed == expected_suppressed and len(suppressed) > 100
    assert all(value is None for value, status in rows.values() if status == "suppressed")
    assert len(rows) == 343 * 23  # 308 municipalities + 19 regions + 15 ELY areas + the country, 23 contents

    out = result.stdout
    assert "inserted 7,889, updated 0, unchanged 0" in out and f"{len(suppressed):,} suppressed" in out
    assert "unknown area codes" in out
    for code in ("ELY16", "ELY80", "ELYJO", "KU199", "KUJOU", "MK91", "MKJO", "71 SK… codes"):
        assert code in out
    assert "writing" in result.stderr  # the progress bar of a load over 5,000 rows
    assert "demo database" not in out

    (release,) = query(fresh_db, "SELECT id, source, url, licence, retrieved_at, published_at, sha256, row_count "
                                 "FROM release")
    rid, source, url, licence, retrieved, published, sha, count = release
    assert source.startswith("Statistics Finland PxWeb: Työttömät työnhakijat eri ryhmissä")
    assert url == registry().sources["statfin_tyonv"].url and licence == "CC BY 4.0"
    assert str(published)[:19] == "2026-07-21 05:00:00"
    assert retrieved is not None
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest() and count == len(rows)
    assert query(fresh_db, "SELECT DISTINCT release_id FROM observation") == [(rid,)]


def test_loading_the_real_file_twice_changes_nothing(fresh_db):
    path = shared_file(*REAL_12R5)
    ingest("pxweb", path, fresh_db)
    before = db_state(fresh_db)
    again = ingest("pxweb", path, fresh_db)
    assert "inserted 0, updated 0, unchanged 7,889" in again.stdout
    assert "reused" in again.stdout
    assert db_state(fresh_db) == before


def test_provenance_options_are_recorded(fresh_db):
    ingest("pxweb", fixture_file("pxweb_small.json"), fresh_db, "--url", "https://example.org/12r5.json",
           "--licence", "CC BY 4.0 (test)", "--retrieved-at", "2026-07-22T08:30:00")
    (row,) = query(fresh_db, "SELECT url, licence, retrieved_at, published_at, row_count FROM release")
    assert row[:2] == ("https://example.org/12r5.json", "CC BY 4.0 (test)")
    assert str(row[2])[:19] == "2026-07-22 08:30:00" and str(row[3])[:19] == "2026-07-21 05:00:00"
    assert row[4] == 36


EXPECTED_SMALL = {
    ("jobseekers", "SSS", "2026-06-01"): (542318.0, "final"),
    ("jobseekers", "ELY08", "2026-05-01"): (23300.0, "final"),
    ("unemployed_jobseekers", "KU171", "2026-05-01"): (165.0, "final"),
    ("unemployed_jobseekers", "KU020", "2026-06-01"): (None, "suppressed"),
    ("unemployment_share", "KU297", "2026-06-01"): (12.0, "final"),
    ("unemployment_share", "MK11", "2026-05-01"): (12.4, "final"),
}


@pytest.mark.parametrize("name", ["pxweb_small.json", "jsonstat_small.json", "jsonstat_sparse.json"])
def test_small_fixture_values(tmp_path, name):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    from app.ingest.store import init_database

    init_database(url).dispose()
    result = ingest("pxweb", fixture_file(name), url)
    rows = observations(url)
    assert len(rows) == 6 * 2 * 3  # six known areas, two months, three mapped contents
    for key, value in EXPECTED_SMALL.items():
        assert rows[key] == value, key
    assert "skipped 2 unknown area codes (12 values): ELY16, KUJOU" in result.stdout
    assert "skipped 1 content code not in the indicator registry (16 values): UUSISARAKE" in result.stdout


def test_json_stat_loads_the_same_observations_as_pxweb_json(fresh_db):
    ingest("pxweb", fixture_file("pxweb_small.json"), fresh_db)
    from_pxweb = observations(fresh_db)
    for name in ("jsonstat_small.json", "jsonstat_sparse.json"):
        result = ingest("pxweb", fixture_file(name), fresh_db)
        assert "inserted 0, updated 0, unchanged 36" in result.stdout, name
        assert observations(fresh_db) == from_pxweb
    assert len(query(fresh_db, "SELECT id FROM release")) == 3  # three files, three releases


def test_a_changed_value_is_an_update_and_takes_the_new_release(fresh_db, tmp_path):
    ingest("pxweb", fixture_file("pxweb_small.json"), fresh_db)
    doc = json.loads(fixture_file("pxweb_small.json").read_text(encoding="utf-8"))
    doc["data"][7]["values"][0] = "297"  # KU171 2026M06 jobseekers, 296 before
    doc["data"][10]["values"][1] = "1013"  # KU020 2026M06 unemployed, suppressed before
    changed = tmp_path / "pxweb_revised.json"
    changed.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = ingest("pxweb", changed, fresh_db)
    assert "inserted 0, updated 2, unchanged 34" in result.stdout
    rows = query(fresh_db, "SELECT area_code, indicator_code, value, status, release_id FROM observation "
                           "WHERE release_id = 2 ORDER BY area_code")
    assert rows == [("KU020", "unemployed_jobseekers", 1013.0, "final", 2), ("KU171", "jobseekers", 297.0, "final", 2)]


def test_a_preliminary_month_is_provisional_and_unknown_areas_only_are_refused(tmp_path):
    from app.ingest.errors import InputError
    from app.ingest.pxweb_map import harmonise

    doc = json.loads(fixture_file("pxweb_small.json").read_text(encoding="utf-8"))
    for row in doc["data"]:
        row["key"][1] = row["key"][1].replace("2026M06", "2026M06*")
    path = tmp_path / "preliminary.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    kinds = {"SSS": "country", "KU020": "municipality"}
    result = harmonise(read_table(path), registry(), kinds)
    statuses = {(o.area_code, o.period, o.indicator_code): o.status for o in result.observations}
    assert statuses[("KU020", date(2026, 6, 1), "jobseekers")] == "provisional"
    assert statuses[("KU020", date(2026, 5, 1), "jobseekers")] == "final"
    assert statuses[("KU020", date(2026, 6, 1), "unemployed_jobseekers")] == "suppressed"
    with pytest.raises(InputError, match="nothing to load: none of the file's 8 area codes"):
        harmonise(read_table(path), registry(), {"KU999": "municipality"})


def test_json_stat_1_bundle_and_symbols_inside_value(tmp_path):
    from app.ingest.pxweb_map import harmonise

    v2 = json.loads(fixture_file("jsonstat_small.json").read_text(encoding="utf-8"))
    dataset = {"label": v2["label"], "updated": v2["updated"], "value": [
        "..." if v is None else v for v in v2["value"]],
        "dimension": {**v2["dimension"], "id": v2["id"], "size": v2["size"], "role": v2["role"]}}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"dataset": dataset}, ensure_ascii=False), encoding="utf-8")
    kinds = {"SSS": "country", "KU020": "municipality", "KU171": "municipality"}
    table = read_table(path)
    assert table.format == "JSON-stat 1"
    got = {(o.indicator_code, o.area_code, o.period): (o.value, o.status)
           for o in harmonise(table, registry(), kinds).observations}
    assert got[("unemployed_jobseekers", "KU020", date(2026, 6, 1))] == (None, "suppressed")
    assert got[("unemployed_jobseekers", "KU171", date(2026, 5, 1))] == (165.0, "final")
    assert len(got) == 3 * 2 * 3


def test_loads_into_the_demo_database(demo_sqlite, tmp_path):
    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_sqlite.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    result = ingest("pxweb", fixture_file("pxweb_small.json"), url)
    assert "this is the synthetic demo database" in result.stdout
    ids = [r[0] for r in query(url, "SELECT id FROM release ORDER BY id")]
    assert ids == [1, 2, 3]  # the demo's two synthetic releases stay; the file's is the next
    assert observations(url)[("jobseekers", "ELY08", "2026-06-01")] == (23456.0, "final")


def test_release_ids_follow_explicit_ids_on_both_backends(fresh_db):
    """The demo builder inserts release id 1 explicitly; a PostgreSQL sequence would not know it."""
    engine = create_engine(database_url(fresh_db))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO release (id, source) VALUES (1, 'demo')"))
    engine.dispose()
    ingest("pxweb", fixture_file("pxweb_small.json"), fresh_db)
    assert [r[0] for r in query(fresh_db, "SELECT id FROM release ORDER BY id")] == [1, 2]


# --- pure parts ------------------------------------------------------------------------------------------

def test_roles_come_from_metadata_and_code_shapes_not_names():
    table = read_table(fixture_file("jsonstat_sparse.json"))  # no metric role: content found by its codes
    roles = assign_roles(table, set(registry().by_pxweb_code()))
    assert {role: table.dimensions[i].code for role, i in roles.items()} == {
        "area": "alue_23_20260101", "time": "timeperiod_m", "content": "Tiedot"}
    renamed = read_table(fixture_file("pxweb_small.json"))
    for dim in renamed.dimensions:
        dim.code = dim.code[::-1]  # any names at all
    roles = assign_roles(renamed, set(registry().by_pxweb_code()))
    assert renamed.dimensions[roles["area"]].codes[:2] == ["SSS", "ELY08"]
    assert renamed.dimensions[roles["time"]].codes == ["2026M05", "2026M06"]


def test_content_as_a_plain_dimension_of_pxweb_json(tmp_path):
    """A `Tiedot` key column of type d holding content codes, with one value column."""
    doc = {"columns": [{"code": "Tiedot", "text": "Tiedot", "type": "d"},
                       {"code": "Alue", "text": "Alue", "type": "d"},
                       {"code": "Kuukausi", "text": "Kuukausi", "type": "t"},
                       {"code": "arvo", "text": "Arvo", "type": "c"}],
           "data": [{"key": ["HAKIJALOPUSSA", "KU020", "2026M06"], "values": ["1494"]},
                    {"key": ["TYOTTOMATLOPUSSA", "KU020", "2026M06"], "values": ["..."]}],
           "metadata": [{"updated": "2026-07-21T05.00.00Z", "label": "testi"}]}
    path = tmp_path / "tiedot.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    table = read_table(path)
    roles = assign_roles(table, set(registry().by_pxweb_code()))
    assert table.dimensions[roles["content"]].code == "Tiedot"
    assert table.dimensions[roles["area"]].code == "Alue"


def test_a_total_category_sss_of_another_dimension_is_not_taken_for_the_area(tmp_path):
    """Statistics Finland codes the total of many classifications SSS too (Sukupuoli: SSS = total)."""
    from app.ingest.pxweb_map import harmonise

    doc = json.loads(fixture_file("pxweb_small.json").read_text(encoding="utf-8"))
    doc["columns"].insert(0, {"code": "Sukupuoli", "text": "Sukupuoli", "type": "d"})
    for row in doc["data"]:
        row["key"].insert(0, "SSS")
    path = tmp_path / "with_sex_total.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    table = read_table(path)
    roles = assign_roles(table, set(registry().by_pxweb_code()))
    assert table.dimensions[roles["area"]].code == "Alue"
    kinds = {"SSS": "country", "KU020": "municipality"}
    got = {(o.area_code, o.indicator_code, o.period): o.value for o in harmonise(table, registry(), kinds).observations}
    assert got[("KU020", "jobseekers", date(2026, 6, 1))] == 1494.0


def test_an_extra_dimension_with_several_categories_is_refused(tmp_path):
    doc = json.loads(fixture_file("jsonstat_small.json").read_text(encoding="utf-8"))
    doc["id"].insert(0, "Sukupuoli")
    doc["size"].insert(0, 2)
    doc["dimension"]["Sukupuoli"] = {"label": "Sukupuoli", "category": {"index": ["1", "2"]}}
    doc["value"] = doc["value"] * 2
    path = tmp_path / "by_sex.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    from app.ingest.errors import InputError
    from app.ingest.pxweb_map import harmonise

    with pytest.raises(InputError, match="'Sukupuoli'.*2 categories.*select a single category"):
        harmonise(read_table(path), registry(), {"SSS": "country"})


def test_values_and_suppression_symbols():
    assert parse_value("0") == 0.0 and parse_value(0) == 0.0
    assert parse_value(" 1494 ") == 1494.0 and parse_value("12.8") == 12.8
    for symbol in ("...", "..", ".", "-", "…", None):
        assert parse_value(symbol) is None
    for bad in ("nan", "inf", "1_000", "12,8", "17O", True, [1], float("nan")):
        with pytest.raises(ValueError):
            parse_value(bad)


def test_published_timestamps():
    assert parse_timestamp("2026-07-21T05.00.00Z") == datetime(2026, 7, 21, 5, 0, 0)
    assert parse_timestamp("2026-07-21T05:00:00Z") == datetime(2026, 7, 21, 5, 0, 0)
    assert parse_timestamp("2026-07-21T08:00:00+03:00") == datetime(2026, 7, 21, 5, 0, 0)
    assert parse_timestamp("2026-07-21") == datetime(2026, 7, 21)
    assert parse_timestamp("soon") is None and parse_timestamp(None) is None


def test_skipped_codes_are_grouped():
    codes = ["ELY16", "KUJOU"] + [f"SK{n:03d}" for n in range(1, 12)]
    assert format_codes(codes) == "ELY16, KUJOU, 11 SK… codes (SK001 … SK011)"
    assert format_codes(["MKJO", "ELY80"]) == "ELY80, MKJO"


def test_px_table_keeps_json_locations():
    table: PxTable = read_table(fixture_file("pxweb_small.json"))
    assert table.cells[0].where == "data[0].values[0]"
    assert table.dimensions[1].locations["2026M06"] == "data[1].key[1]"
    assert table.label.startswith("Työttömät työnhakijat") and table.updated == "2026-07-21T05.00.00Z"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_real_population_table_loads_its_end_of_year_population(backend, request, tmp_path):
    """121w is annual: its population stock (ssaaty-vaesto) is stored as December; flows are skipped."""
    from datetime import date

    from sqlalchemy import select

    from app import schema
    from app.ingest.store import init_database, writable_engine
    from tests.conftest import shared_file
    from tests.ingest_helpers import run_cli

    path = shared_file("real", "statfin_vaerak_121w_2025.json")
    url = f"sqlite:///{tmp_path / 'pop.sqlite'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    init_database(url).dispose()
    first = run_cli("ingest", "pxweb", path, "--db", url)
    assert first.exit_code == 0, first.stderr
    assert "content codes not in the indicator registry" in first.stdout and "ssaaty-vm01" in first.stdout
    engine = writable_engine(url)
    o = schema.observation
    with engine.connect() as conn:
        rows = dict(conn.execute(select(o.c.area_code, o.c.value).where(
            o.c.indicator_code == "population", o.c.period == date(2025, 12, 1))).all())
        other = conn.execute(select(o.c.indicator_code).where(o.c.indicator_code != "population")).all()
    engine.dispose()
    assert rows["SSS"] == 5652881 and rows["KU020"] == 16429 and rows["KU005"] == 8982
    assert "KU588" not in rows  # Pertunmaa merged into Mäntyharju in 2026
    assert not other
    again = run_cli("ingest", "pxweb", path, "--db", url)
    assert again.exit_code == 0
