"""Area divisions (app.divisions) on constructed memberships with known answers, and the aggregates that use them."""

from __future__ import annotations

from datetime import date

import polars as pl

from app.aggregate import aggregate_counts
from app.areas import MEMBERSHIP_SCHEMA
from app.divisions import Merger, majority_division, members_for_months, mergers

JAN19, DEC25, JAN26 = date(2019, 1, 1), date(2025, 12, 1), date(2026, 1, 1)
MEMBERSHIPS = pl.DataFrame([
    # Joroinen: ELY07 until 2024, ELY08 from 2025; Pertunmaa merged into Mäntyharju on 2026-01-01.
    ("KU171", "ELY07", None, date(2024, 12, 31)), ("KU171", "ELY08", date(2025, 1, 1), None),
    ("KU588", "ELY07", None, date(2025, 12, 31)), ("KU507", "ELY07", None, None),
    ("KU171", "SSS", None, None), ("KU588", "SSS", None, date(2025, 12, 31)), ("KU507", "SSS", None, None),
    ("KU588", "PILOT12", date(2021, 3, 1), date(2024, 12, 31)), ("KU507", "PILOT12", date(2021, 3, 1), date(2024, 12, 31)),
    ("KU588", "PILOTX", date(2021, 3, 1), date(2024, 12, 31)),  # a group holding Pertunmaa but not Mäntyharju
], schema=MEMBERSHIP_SCHEMA, orient="row")
CLASSIFICATION = {"ELY07", "ELY08", "SSS"}
PERTUNMAA = (Merger(JAN26, "KU588", "KU507"),)


def members(frame: pl.DataFrame, group: str, period: date) -> list[str]:
    return sorted(frame.filter((pl.col("group_code") == group) & (pl.col("period") == period))["member_code"])


def test_without_a_division_each_month_has_its_own_members():
    frame = members_for_months(MEMBERSHIPS, [JAN19, DEC25], {}, CLASSIFICATION, PERTUNMAA)
    assert members(frame, "ELY07", JAN19) == ["KU171", "KU507", "KU588"]
    assert members(frame, "ELY07", DEC25) == ["KU507", "KU588"] and members(frame, "ELY08", DEC25) == ["KU171"]


def test_a_division_applies_its_first_of_january_to_every_month_of_classification_groups():
    pilot_month = date(2022, 6, 1)
    frame = members_for_months(MEMBERSHIPS, [JAN19, pilot_month], {JAN19: 2026, pilot_month: 2026}, CLASSIFICATION,
                               PERTUNMAA)
    assert members(frame, "ELY07", JAN19) == ["KU507"]  # Joroinen in ELY08 and Pertunmaa inside Mäntyharju
    assert members(frame, "ELY08", JAN19) == ["KU171"] and members(frame, "SSS", JAN19) == ["KU171", "KU507"]
    assert members(frame, "PILOT12", pilot_month) == ["KU507"]  # Pertunmaa's values are inside Mäntyharju's
    assert members(frame, "PILOTX", pilot_month) == ["KU588"]  # not separable: stays, and its gap shows
    assert members(frame, "PILOT12", JAN19) == []  # pilot membership stays about dates


def test_a_division_before_the_merger_keeps_both():
    frame = members_for_months(MEMBERSHIPS, [JAN19], {JAN19: 2025}, CLASSIFICATION, PERTUNMAA)
    assert members(frame, "ELY07", JAN19) == ["KU507", "KU588"] and members(frame, "ELY08", JAN19) == ["KU171"]


def test_sums_under_a_division_count_merged_values_once():
    values = pl.DataFrame({"area_code": ["KU507", "KU588", "KU171"], "period": [date(2022, 6, 1)] * 3,
                           "value": [150.0, 50.0, 70.0], "status": ["final"] * 3})  # KU588: a stale own row
    june = date(2022, 6, 1)
    own = aggregate_counts(MEMBERSHIPS, values, [june])
    assert own.filter(pl.col("area_code") == "PILOT12")["value"].item() == 200.0  # month rule: both rows
    expected = members_for_months(MEMBERSHIPS, [june], {june: 2026}, CLASSIFICATION, PERTUNMAA)
    divided = aggregate_counts(MEMBERSHIPS, values, [june], expected=expected)
    assert divided.filter(pl.col("area_code") == "PILOT12")["value"].item() == 150.0
    assert divided.filter(pl.col("area_code") == "ELY07")["value"].item() == 150.0
    assert divided.filter(pl.col("area_code") == "ELY08")["value"].item() == 70.0
    assert divided.filter(pl.col("area_code") == "PILOT12")["status"].item() == "final"


def test_the_majority_of_rows_decides_a_months_division():
    assert majority_division([(2026, 300), (None, 2)]) == 2026
    assert majority_division([(None, 300), (2026, 2)]) is None
    assert majority_division([(2025, 5), (2026, 5)]) == 2026 and majority_division([]) is None


def test_the_change_log_holds_the_pertunmaa_merger():
    assert Merger(JAN26, "KU588", "KU507") in mergers()
    assert all(m.municipality.startswith("KU") and m.into.startswith("KU") for m in mergers())


def test_a_merged_member_is_covered_by_its_successor_after_the_merger_without_a_division():
    """Pilot areas are geographies (open memberships): in a month after the merger Mäntyharju holds Pertunmaa."""
    open_pilot = pl.DataFrame([("KU588", "PILOT12", None, None), ("KU507", "PILOT12", None, None)],
                              schema=MEMBERSHIP_SCHEMA, orient="row")
    march26, june25 = date(2026, 3, 1), date(2025, 6, 1)
    frame = members_for_months(open_pilot, [march26, june25], {}, CLASSIFICATION, PERTUNMAA)
    assert members(frame, "PILOT12", march26) == ["KU507"]
    assert members(frame, "PILOT12", june25) == ["KU507", "KU588"]
