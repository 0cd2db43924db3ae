"""`ingest pilots`, `ingest areas` and `ingest monitoring`: formats, derived memberships, idempotence."""

from __future__ import annotations

import csv
from pathlib import Path

from app.ingest.memberships import rebuild_derived
from app.ingest.reference import derived_memberships, load_reference
from app.ingest.store import area_kinds, writable_engine
from app.settings import DATA_DIR
from tests.ingest_helpers import db_state, fixture_file, fresh_db, ingest, observations, query  # noqa: F401


def members(db_url: str, group: str) -> set[tuple]:
    rows = query(db_url, "SELECT member_code, valid_from, valid_to FROM area_membership WHERE group_code = :g",
                 g=group)
    return {(m, str(a) if a else None, str(b) if b else None) for m, a, b in rows}


def full_registry_csv(folder: Path) -> Path:
    """The repository's pilot registry (two files) written in the one-file format of `ingest pilots`."""
    with (DATA_DIR / "pilot_areas.csv").open(encoding="utf-8") as fh:
        areas = {r["code"]: r for r in csv.DictReader(fh)}
    path = folder / "pilots_full.csv"
    with (DATA_DIR / "pilot_members.csv").open(encoding="utf-8") as fh, path.open("w", encoding="utf-8",
                                                                                    newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["pilot_code", "name_fi", "name_sv", "name_en", "ely_code", "municipality_code",
                         "valid_from", "valid_to"])
        for m in csv.DictReader(fh):
            a = areas[m["pilot_code"]]
            writer.writerow([m["pilot_code"], a["name_fi"], a["name_sv"], a["name_en"], a["ely_code"],
                             m["municipality_code"], m["valid_from"], m["valid_to"]])
    return path


def test_derived_memberships_match_the_reference_builder(fresh_db):
    """SSS and the comparison groups rebuilt from stored memberships equal those of reference.load_reference."""
    before = db_state(fresh_db)
    engine = writable_engine(fresh_db)
    with engine.begin() as conn:
        rebuild_derived(conn)
        kinds = area_kinds(conn)
    engine.dispose()
    assert db_state(fresh_db) == before
    reference = load_reference()
    expected = {m for m in reference.memberships if m.group_code in ("SSS", "GRP_PILOT", "GRP_OTHER")}
    assert set(derived_memberships(reference.memberships, kinds)) == expected


def test_the_repository_registry_in_the_pilot_format_changes_nothing(fresh_db, tmp_path):
    before = db_state(fresh_db)
    result = ingest("pilots", full_registry_csv(tmp_path), fresh_db)
    assert "inserted 0, updated 0, unchanged 107, removed 0" in result.stdout
    assert "23 pilot areas: 0 new, 0 changed, 23 unchanged" in result.stdout
    after = db_state(fresh_db)
    assert len(after["release"]) == 1  # the load is recorded
    for table in ("area", "area_membership", "observation"):
        assert after[table] == before[table], table


def test_pilot_registry_replaces_memberships_and_keeps_groups_consistent(fresh_db):
    result = ingest("pilots", fixture_file("pilots_small.csv"), fresh_db)
    assert "inserted 1, updated 0, unchanged 3, removed 104" in result.stdout
    assert "21 pilot areas in the database are not in this file" in result.stdout
    pilot_rows = query(fresh_db, "SELECT m.member_code, m.group_code FROM area_membership m JOIN area a "
                                 "ON a.code = m.group_code WHERE a.kind = 'pilot' ORDER BY 1")
    assert pilot_rows == [("KU090", "PILOT14"), ("KU091", "PILOT01"), ("KU171", "PILOT90"), ("KU260", "PILOT14")]
    assert {m for m, _, _ in members(fresh_db, "GRP_PILOT")} == {"KU090", "KU091", "KU171", "KU260"}
    other = {m for m, _, _ in members(fresh_db, "GRP_OTHER")}
    mainland = {m for (m,) in query(fresh_db, "SELECT DISTINCT member_code FROM area_membership "
                                              "WHERE group_code LIKE 'ELY%'")}
    assert other == mainland - {"KU090", "KU091", "KU171", "KU260"}
    assert "KU049" in other  # Espoo left the registry: now a comparison municipality
    assert "KU478" not in other  # Maarianhamina (Åland, no TE office) is in neither group
    assert ("KU588", None, "2025-12-31") in members(fresh_db, "GRP_OTHER")  # Pertunmaa, merged in 2026
    (pilot,) = query(fresh_db, "SELECT name_fi, ely_code, population FROM area WHERE code = 'PILOT90'")
    (joroinen,) = query(fresh_db, "SELECT population FROM area WHERE code = 'KU171'")
    assert pilot == ("Testialue", "ELY07", joroinen[0])
    (grp_pilot,) = query(fresh_db, "SELECT population FROM area WHERE code = 'GRP_PILOT'")
    (expected,) = query(fresh_db, "SELECT SUM(population) FROM area WHERE code IN ('KU090','KU091','KU171','KU260')")
    assert grp_pilot == expected

    before = db_state(fresh_db)
    again = ingest("pilots", fixture_file("pilots_small.csv"), fresh_db)
    assert "inserted 0, updated 0, unchanged 4, removed 0" in again.stdout and "reused" in again.stdout
    assert db_state(fresh_db) == before


def test_a_stale_classification_replaces_only_the_listed_municipalities(fresh_db):
    before_ely08 = query(fresh_db, "SELECT population FROM area WHERE code = 'ELY08'")[0][0]
    result = ingest("areas", fixture_file("areas_stale_2021.csv"), fresh_db)
    assert "inserted 4, updated 0, unchanged 2, removed 8" in result.stdout
    rows = query(fresh_db, "SELECT m.group_code, m.valid_from, m.valid_to FROM area_membership m JOIN area a "
                           "ON a.code = m.group_code WHERE m.member_code = 'KU171' AND a.kind IN ('ely', 'region')")
    assert sorted(rows, key=repr) == sorted([("ELY07", None, None), ("MK10", None, None)], key=repr)
    assert ("KU297", None, None) in members(fresh_db, "ELY08")  # Kuopio is not in the file: untouched
    joroinen = query(fresh_db, "SELECT population FROM area WHERE code = 'KU171'")[0][0]
    assert query(fresh_db, "SELECT population FROM area WHERE code = 'ELY08'")[0][0] == before_ely08 - joroinen

    ingest("areas", DATA_DIR / "area_classification.csv", fresh_db)  # back to the right classification
    assert ("KU171", "2025-01-01", None) in members(fresh_db, "ELY08")
    assert query(fresh_db, "SELECT population FROM area WHERE code = 'ELY08'")[0][0] == before_ely08


def test_the_repository_classification_changes_no_membership(fresh_db):
    before = db_state(fresh_db)
    result = ingest("areas", DATA_DIR / "area_classification.csv", fresh_db)
    assert "inserted 0, updated 0, unchanged 614, removed 0" in result.stdout
    assert db_state(fresh_db)["area_membership"] == before["area_membership"]


def test_unknown_municipalities_of_a_newer_division_are_skipped_and_listed(fresh_db):
    result = ingest("areas", fixture_file("areas_new_division.csv"), fresh_db)
    assert "skipped 1 municipality code not in the area table" in result.stdout and "KU199" in result.stdout
    assert not query(fresh_db, "SELECT * FROM area_membership WHERE member_code = 'KU199'")


def test_monitoring_values_statuses_and_unknown_areas(fresh_db):
    result = ingest("monitoring", fixture_file("monitoring_small.csv"), fresh_db)
    rows = observations(fresh_db)
    assert rows == {
        ("pilot_clients", "PILOT01", "2024-11-01"): (41250.0, "final"),
        ("pilot_clients", "PILOT01", "2024-12-01"): (40980.0, "provisional"),
        ("pilot_clients", "KU091", "2024-12-01"): (40980.0, "final"),
        ("pilot_clients_under30", "KU091", "2024-11-01"): (12011.0, "final"),  # area code 091
        ("client_share", "PILOT01", "2024-12-01"): (33.5, "provisional"),
        ("pilot_clients_immigrant", "KU090", "2024-12-01"): (None, "suppressed"),  # empty value
        ("pilot_clients_immigrant", "KU090", "2024-11-01"): (None, "suppressed"),  # '...'
        ("pilot_clients_under30", "KU090", "2024-12-01"): (0.0, "final"),  # a zero stays a zero
    }
    assert "skipped 2 unknown area codes (2 values): PILOT98, PILOT99" in result.stdout
    assert "inserted 8, updated 0, unchanged 0; 2 suppressed" in result.stdout
    (release,) = query(fresh_db, "SELECT source, url, licence, row_count FROM release")
    assert release == ("MEAE, monthly monitoring of the municipal employment pilots: monitoring_small.csv",
                       "https://tem.fi/tyollisyyden-kuntakokeilut", "CC BY 4.0", 8)
    before = db_state(fresh_db)
    assert "unchanged 8" in ingest("monitoring", fixture_file("monitoring_small.csv"), fresh_db).stdout
    assert db_state(fresh_db) == before
