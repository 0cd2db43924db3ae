"""Public mode: only public indicators; no hidden small count can be worked out from a published total."""

from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.disclosure import (
    NotPublic,
    protect_cells,
    public_indicators,
    public_registry,
    public_values,
    require_public,
    secondary_suppression,
)
from app.indicators import registry
from app.settings import load_settings, public_mode

REG = registry()
MONTH = date(2024, 12, 1)


def cells(rows: dict[str, tuple[float | None, str]], period: date = MONTH) -> pl.DataFrame:
    return pl.DataFrame({
        "area_code": list(rows), "period": [period] * len(rows),
        "value": [v for v, _ in rows.values()], "status": [s for _, s in rows.values()],
    }, schema={"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8})


def hidden(frame: pl.DataFrame) -> set[str]:
    return set(frame.filter(pl.col("status") == "suppressed")["area_code"])


def solvable(values: dict, hidden_cells: set[str], groups: dict) -> list[str]:
    """Groups whose equation (total = sum of members) has exactly one hidden cell and something left to hide."""
    bad = []
    for group, members in groups.items():
        shown = [m for m in members if m in values]
        unknown = [c for c in shown + ([group] if group in values else []) if c in hidden_cells]
        if len(unknown) == 1:
            bad.append(group)
    return bad


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), (" YES ", True), ("on", True),
                                             ("0", False), ("", False), ("no", False)])
def test_public_mode_reads_the_environment(value, expected, tmp_path):
    assert public_mode({"PILOT_TRACKER_PUBLIC": value}, tmp_path / "absent.toml") is expected


def test_public_mode_is_off_without_the_variable(tmp_path):
    assert public_mode({}, tmp_path / "absent.toml") is False


def test_public_mode_from_the_settings_file_unless_the_environment_says(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[pilot_tracker]\npublic = true\n", encoding="utf-8")
    assert public_mode({}, secrets) is True and load_settings({}, secrets).public is True
    assert public_mode({"PILOT_TRACKER_PUBLIC": "0"}, secrets) is False
    secrets.write_text('[pilot_tracker]\npublic = "no"\n', encoding="utf-8")
    assert public_mode({}, secrets) is False


def test_only_public_indicators_are_left():
    public = public_registry(REG)
    assert "pilot_clients_with_plan" in REG and "pilot_clients_with_plan" not in public
    assert "clients_with_plan_share" not in public
    assert "client_share" in public and "jobseekers" in public
    assert [i.code for i in public_indicators(REG)] == public.codes() == REG.codes(public_only=True)
    with pytest.raises(NotPublic):
        require_public(REG["clients_with_plan_share"])
    with pytest.raises(NotPublic):
        public_values(cells({"KU091": (5.0, "final")}), REG["pilot_clients_with_plan"], {})
    assert require_public(REG["jobseekers"]) is REG["jobseekers"]


def test_one_hidden_member_makes_the_smallest_shown_member_hidden_too():
    frame = cells({"ELY01": (100.0, "final"), "KU001": (None, "suppressed"), "KU002": (30.0, "final"),
                   "KU003": (62.0, "provisional"), "KU004": (8.0, "final")})
    out = secondary_suppression(frame, {"ELY01": ["KU001", "KU002", "KU003", "KU004"]})
    rows = {r["area_code"]: r for r in out.to_dicts()}
    assert hidden(out) == {"KU001", "KU004"}
    assert rows["KU004"]["value"] is None and rows["KU004"]["suppression"] == "secondary"
    assert rows["KU001"]["suppression"] == "primary"
    assert rows["KU003"]["status"] == "provisional" and rows["KU003"]["value"] == 62.0  # the label stays
    assert rows["ELY01"]["value"] == 100.0 and rows["ELY01"]["suppression"] is None


def test_two_hidden_members_need_nothing_more():
    frame = cells({"ELY01": (100.0, "final"), "KU001": (None, "suppressed"), "KU002": (None, "suppressed"),
                   "KU003": (62.0, "final")})
    assert hidden(secondary_suppression(frame, {"ELY01": ["KU001", "KU002", "KU003"]})) == {"KU001", "KU002"}


def test_a_total_published_elsewhere_still_counts():
    """The country total is always published: a table of municipalities alone must protect against it."""
    frame = cells({"KU001": (None, "suppressed"), "KU002": (30.0, "final"), "KU003": (12.0, "final")})
    assert hidden(secondary_suppression(frame, {"SSS": ["KU001", "KU002", "KU003"]})) == {"KU001", "KU003"}


def test_a_hidden_total_with_every_member_shown_hides_a_member():
    frame = cells({"PILOT01": (None, "suppressed"), "KU001": (4.0, "final"), "KU002": (3.0, "final")})
    assert hidden(secondary_suppression(frame, {"PILOT01": ["KU001", "KU002"]})) == {"PILOT01", "KU002"}


def test_suppression_chains_across_overlapping_groups():
    """KU001 is hidden. Its region hides KU002; KU002's ELY area then hides KU003; KU003's region hides KU004.

    A single pass in code order would stop after MK01 and leave KU002 solvable from ELY02's total.
    """
    groups = {
        "MK01": ["KU001", "KU002"], "MK02": ["KU003", "KU004", "KU005"], "ELY02": ["KU002", "KU003"],
        "SSS": ["KU001", "KU002", "KU003", "KU004", "KU005"],
    }
    frame = cells({"SSS": (1000.0, "final"), "MK01": (300.0, "final"), "MK02": (700.0, "final"),
                   "ELY02": (500.0, "final"),
                   "KU001": (None, "suppressed"), "KU002": (290.0, "final"), "KU003": (210.0, "final"),
                   "KU004": (90.0, "final"), "KU005": (400.0, "final")})
    out = secondary_suppression(frame, groups)
    values = dict(zip(frame["area_code"], frame["value"]))
    assert not solvable(values, hidden(out), groups)
    assert hidden(out) == {"KU001", "KU002", "KU003", "KU004"}
    assert set(out.filter(pl.col("suppression") == "secondary")["area_code"]) == {"KU002", "KU003", "KU004"}


def test_dated_memberships_apply_per_month():
    june, july = date(2024, 6, 1), date(2024, 7, 1)
    frame = pl.concat([
        cells({"KU001": (None, "suppressed"), "KU002": (20.0, "final"), "KU003": (9.0, "final")}, june),
        cells({"KU001": (None, "suppressed"), "KU002": (20.0, "final"), "KU003": (9.0, "final")}, july),
    ])
    memberships = pl.DataFrame({"group_code": ["PILOT01", "PILOT01", "PILOT01"],
                                "member_code": ["KU001", "KU002", "KU003"], "period": [june, june, july]})
    out = secondary_suppression(frame, memberships)
    in_june = set(out.filter((pl.col("period") == june) & (pl.col("status") == "suppressed"))["area_code"])
    in_july = set(out.filter((pl.col("period") == july) & (pl.col("status") == "suppressed"))["area_code"])
    assert in_june == {"KU001", "KU002"}  # KU003 joined in July: in June KU002 is the only other member
    assert in_july == {"KU001"}  # in July KU001 is not in the group at all


def test_several_indicators_are_protected_separately():
    frame = pl.concat([cells({"KU001": (None, "suppressed"), "KU002": (5.0, "final"), "KU003": (7.0, "final")})
                       .with_columns(pl.lit(code).alias("indicator")) for code in ("jobseekers", "vacancies")])
    frame = frame.with_columns(pl.when((pl.col("indicator") == "vacancies") & (pl.col("area_code") == "KU001"))
                               .then(pl.lit(3.0)).otherwise(pl.col("value")).alias("value"),
                               pl.when((pl.col("indicator") == "vacancies") & (pl.col("area_code") == "KU001"))
                               .then(pl.lit("final")).otherwise(pl.col("status")).alias("status"))
    out = secondary_suppression(frame, {"SSS": ["KU001", "KU002", "KU003"]})
    assert set(out.filter((pl.col("indicator") == "jobseekers") & (pl.col("status") == "suppressed"))["area_code"]) \
        == {"KU001", "KU002"}
    assert out.filter(pl.col("indicator") == "vacancies")["status"].to_list() == ["final"] * 3


def test_a_ratio_hides_what_its_numerator_hides():
    groups = {"SSS": ["KU001", "KU002", "KU003"]}
    numerator = cells({"KU001": (None, "suppressed"), "KU002": (4.0, "final"), "KU003": (40.0, "final")})
    ratio = cells({"KU001": (None, "suppressed"), "KU002": (8.0, "final"), "KU003": (20.0, "provisional")})
    out = public_values(ratio, REG["client_share"], groups, numerator=numerator)
    rows = {r["area_code"]: r for r in out.to_dicts()}
    assert rows["KU002"]["value"] is None and rows["KU002"]["suppression"] == "secondary"
    assert rows["KU003"]["status"] == "provisional" and rows["KU003"]["value"] == 20.0


def test_public_values_of_a_count_protects_by_subtraction():
    frame = cells({"KU001": (None, "suppressed"), "KU002": (5.0, "final"), "KU003": (7.0, "final")})
    assert hidden(public_values(frame, REG["jobseekers"], {"SSS": ["KU001", "KU002", "KU003"]})) == {"KU001", "KU002"}


def test_nothing_hidden_means_nothing_changes():
    frame = cells({"KU001": (3.0, "final"), "KU002": (5.0, "provisional")})
    out = secondary_suppression(frame, {"SSS": ["KU001", "KU002"]})
    assert out.drop("suppression").equals(frame) and out["suppression"].null_count() == 2


CODES = [f"KU{i:03d}" for i in range(1, 9)]


@given(
    values=st.lists(st.one_of(st.none(), st.integers(0, 500)), min_size=8, max_size=8),
    hidden_flags=st.lists(st.booleans(), min_size=8, max_size=8),
    groups=st.lists(st.sets(st.sampled_from(CODES), min_size=1, max_size=6), min_size=1, max_size=5),
)
def test_no_equation_is_left_with_exactly_one_hidden_cell(values, hidden_flags, groups):
    shown = {code: (None if flag else (None if v is None else float(v)))
             for code, v, flag in zip(CODES, values, hidden_flags)}
    first = {code for code, flag in zip(CODES, hidden_flags) if flag}
    group_map = {f"G{i}": sorted(members) for i, members in enumerate(groups)}
    added = protect_cells(shown, first, group_map)
    now = first | added
    assert not added & first
    for group in solvable(shown, now, group_map):
        # Only allowed when nothing could be hidden: every other member is hidden or has no value.
        assert all(m in now or shown[m] is None for m in group_map[group])
