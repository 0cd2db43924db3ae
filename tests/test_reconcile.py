"""`pilot-tracker check`: published aggregates against member sums under the dated classification."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from app import schema
from app.ingest.store import writable_engine
from tests.conftest import shared_file
from tests.ingest_helpers import db_state, fixture_file, fresh_db, ingest, run_cli  # noqa: F401

JUNE = date(2026, 6, 1)
COUNTS = ("jobseekers", "unemployed_jobseekers")


def synthetic_values(code: str) -> dict[str, float]:
    n = int(code[2:])
    return {"jobseekers": 1000.0 + 7 * n, "unemployed_jobseekers": 500.0 + 3 * n}


@pytest.fixture
def synthetic_db(fresh_db) -> str:
    """Municipal values for June 2026 and published ELY rows: exact, stale, from the wrong area, suppressed."""
    engine = writable_engine(fresh_db)
    m = schema.area_membership
    with engine.begin() as conn:
        rows = conn.execute(select(m.c.member_code, m.c.group_code, m.c.valid_from, m.c.valid_to)).all()
        valid = [(mc, g) for mc, g, a, b in rows if (a is None or a <= JUNE) and (b is None or b >= JUNE)]
        municipalities = sorted({mc for mc, g in valid if g == "SSS"})
        members = {ely: sorted(mc for mc, g in valid if g == ely) for ely in ("ELY05", "ELY07", "ELY08", "ELY09")}
        observations = []

        def add(indicator, area, value, status="final"):
            observations.append({"indicator_code": indicator, "area_code": area, "period": JUNE, "value": value,
                                 "status": status})

        suppressed = members["ELY09"][0]
        for code in municipalities:
            for indicator, value in synthetic_values(code).items():
                hidden = code == suppressed and indicator == "unemployed_jobseekers"
                add(indicator, code, None if hidden else value, "suppressed" if hidden else "final")
        for indicator in COUNTS:
            def total(codes):
                return sum(synthetic_values(c)[indicator] for c in codes)

            add(indicator, "ELY07", total(members["ELY07"]))  # exact
            add(indicator, "ELY08", total(c for c in members["ELY08"] if c != "KU171"))  # as before the 2025 move
            add(indicator, "ELY05", total(members["ELY05"] + ["KU297"]))  # Kuopio counted in Pirkanmaa
            add(indicator, "ELY09", total(members["ELY09"]))  # one member suppressed for unemployed
        add("unemployment_share", "ELY07", 11.1)  # a ratio: not compared
        add("labour_force", "ELY07", None, "suppressed")  # a suppressed published value: not compared
        conn.execute(schema.observation.insert(), observations)
    engine.dispose()
    return fresh_db


def by_key(entries: list[dict]) -> dict[tuple[str, str], dict]:
    return {(e["indicator"], e["area"]): e for e in entries}


def test_check_compares_explains_and_counts(synthetic_db):
    result = run_cli("check", "--db", synthetic_db, "--json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert len(entries) == 8
    assert {"indicator", "area", "period", "published", "computed", "difference",
            "suppressed_members"} <= set(entries[0])
    found = by_key(entries)
    exact = found[("jobseekers", "ELY07")]
    assert exact["difference"] == 0 and exact["suppressed_members"] == [] and exact["period"] == "2026-06-01"
    assert exact["published"] == exact["computed"]

    stale = found[("jobseekers", "ELY08")]
    assert stale["difference"] == -synthetic_values("KU171")["jobseekers"]
    assert stale["explained_by"] == ["KU171"] and "counted in ELY08 here" in stale["explanation"]

    wrong_area = found[("unemployed_jobseekers", "ELY05")]
    assert wrong_area["difference"] == synthetic_values("KU297")["unemployed_jobseekers"]
    assert wrong_area["explained_by"] == ["KU297"]

    hidden = found[("unemployed_jobseekers", "ELY09")]
    assert len(hidden["suppressed_members"]) == 1 and hidden["difference"] > 0  # a lower bound, not a difference
    assert found[("jobseekers", "ELY09")]["difference"] == 0

    text = run_cli("check", "--db", synthetic_db).stdout
    assert "8 compared, 3 exact, 4 differ, 1 with suppressed members" in text
    assert "ELY08 Pohjois-Savo, 2026-06: 2 differ" in text
    assert "difference = −(KU171 Joroinen)" in text
    assert "membership of ELY08 changed within two years of this month: KU171 Joroinen" in text
    assert "difference = KU297 Kuopio" in text
    assert "not compared: ratio indicators unemployment_share" in text
    assert "not compared: 1 published values that are suppressed" in text
    assert "ELY09" not in text  # suppressed members are not shown as differences by default
    assert "ELY09" in run_cli("check", "--db", synthetic_db, "--show-suppressed").stdout


def test_check_is_read_only_and_strict_mode_fails_on_differences(synthetic_db):
    before = db_state(synthetic_db)
    assert run_cli("check", "--db", synthetic_db, "--strict").exit_code == 1
    assert db_state(synthetic_db) == before


def test_check_on_a_database_without_published_aggregates(fresh_db):
    ingest("monitoring", fixture_file("monitoring_small.csv"), fresh_db)
    result = run_cli("check", "--db", fresh_db, "--strict")
    assert result.exit_code == 0
    assert "0 compared, 0 exact, 0 differ, 0 with suppressed members" in result.stdout
    assert "no published aggregates" in result.stdout


def test_published_rows_without_any_member_values_are_not_called_differences(fresh_db, tmp_path):
    doc = json.loads(fixture_file("pxweb_small.json").read_text(encoding="utf-8"))
    doc["data"] = [row for row in doc["data"] if not row["key"][0].startswith("KU")]  # aggregates only
    path = tmp_path / "aggregates_only.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    ingest("pxweb", path, fresh_db)
    result = run_cli("check", "--db", fresh_db, "--strict")
    assert result.exit_code == 0
    assert "0 compared, 0 exact, 0 differ" in result.stdout
    # SSS, ELY08 and MK11 x 2 months x 2 counts; the ratio is not compared
    assert "not compared: 12 published values whose member municipalities have no values" in result.stdout


def test_check_reports_a_missing_database(tmp_path):
    result = run_cli("check", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert result.exit_code != 0 and "cannot read the database" in result.stderr


def test_real_12r5_published_totals_match_the_dated_classification(fresh_db):
    ingest("pxweb", shared_file("real", "statfin_tyonv_12r5_2026M06.json"), fresh_db)
    before = db_state(fresh_db)
    entries = json.loads(run_cli("check", "--db", fresh_db, "--json").stdout)
    assert db_state(fresh_db) == before
    ely = [e for e in entries if e["area"].startswith("ELY")]
    assert len(ely) == 15 * 22  # 15 ELY areas x 22 count indicators
    clean = [e for e in entries if not e["suppressed_members"]]
    assert clean and all(e["difference"] == 0 for e in clean)
    jobseekers = {e["area"]: e for e in ely if e["indicator"] == "jobseekers"}
    assert len(jobseekers) == 15
    assert all(e["difference"] == 0 and not e["suppressed_members"] for e in jobseekers.values())
    assert jobseekers["ELY08"]["published"] == 23456
    text = run_cli("check", "--db", fresh_db).stdout
    assert "768 compared, 383 exact, 0 differ, 385 with suppressed members" in text
    assert "ely: 330 compared, 168 exact" in text


def test_real_12r5_with_a_stale_classification_names_joroinen_and_heinavesi(fresh_db):
    ingest("areas", fixture_file("areas_stale_2021.csv"), fresh_db)
    ingest("pxweb", shared_file("real", "statfin_tyonv_12r5_2026M06.json"), fresh_db)
    entries = json.loads(run_cli("check", "--db", fresh_db, "--json").stdout)
    differing = [e for e in entries if not e["suppressed_members"] and e["difference"] != 0]
    assert {e["area"] for e in differing} == {"ELY07", "ELY08", "ELY09", "MK10", "MK11", "MK12"}
    expected = {"ELY07": ["KU090", "KU171"], "ELY08": ["KU171"], "ELY09": ["KU090"],
                "MK10": ["KU090", "KU171"], "MK11": ["KU171"], "MK12": ["KU090"]}
    for e in differing:
        assert e["explained_by"] == expected[e["area"]], e
    jobseekers = by_key(entries)
    assert jobseekers[("jobseekers", "ELY08")]["difference"] == 296  # Joroinen's jobseekers in June 2026
    assert jobseekers[("jobseekers", "ELY09")]["difference"] == 245  # Heinävesi's
    assert jobseekers[("jobseekers", "ELY07")]["difference"] == -541
    text = run_cli("check", "--db", fresh_db).stdout
    assert "KU171 Joroinen" in text and "KU090 Heinävesi" in text
