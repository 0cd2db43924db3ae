"""data/ read into areas and memberships: the change log agrees with the dated classification, and the
names of the whole country and the comparison groups come from data/special_areas.csv."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from app.areas import DERIVED_GROUPS
from app.ingest.errors import InputError
from app.ingest.reference import load_reference
from app.settings import DATA_DIR


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A copy of the repository's data files that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("*.sqlite*", "i18n", "boundaries*"))
    return target


def edit(path: Path, change) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(change(lines)), encoding="utf-8")


def test_special_area_names_come_from_the_data_file():
    with (DATA_DIR / "special_areas.csv").open(encoding="utf-8") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    assert set(rows) == set(DERIVED_GROUPS)
    areas = {a["code"]: a for a in load_reference().areas}
    for code, row in rows.items():
        assert {k: areas[code][k] for k in row} == row


def test_renaming_a_group_in_the_file_renames_it(data_dir):
    edit(data_dir / "special_areas.csv", lambda lines: [l.replace("All other municipalities", "Others")
                                                         for l in lines])
    assert {a["code"]: a["name_en"] for a in load_reference(data_dir).areas}["GRP_OTHER"] == "Others"


@pytest.mark.parametrize(("change", "message"), [
    (lambda lines: lines[:-1], "names missing for GRP_OTHER"),
    (lambda lines: [l.replace("GRP_PILOT,group", "GRP_PILOT,country") for l in lines], "row 3"),
    (lambda lines: lines + [lines[1]], "repeats one"),
])
def test_a_broken_special_areas_file_is_refused(data_dir, change, message):
    edit(data_dir / "special_areas.csv", change)
    with pytest.raises(InputError, match=message) as info:
        load_reference(data_dir)
    assert info.value.file.endswith("special_areas.csv")


def test_a_classification_date_missing_from_the_change_log_is_refused(data_dir):
    edit(data_dir / "municipality_changes.csv", lambda lines: [l for l in lines if "Joroinen" not in l])
    with pytest.raises(InputError, match="KU171 in (MK10|ELY07) ends before 2025-01-01, but no change of KU171"):
        load_reference(data_dir)


def test_a_move_the_classification_lacks_is_refused_at_its_row(data_dir):
    edit(data_dir / "municipality_changes.csv",
         lambda lines: lines + ["2023-01-01,KU091,Helsinki,region,MK01,MK02,invented\n"])
    with pytest.raises(InputError, match="KU091 moves from MK01 to MK02 on 2023-01-01") as info:
        load_reference(data_dir)
    assert info.value.location == "row 10" and info.value.column == "effective_date"


def test_a_merger_of_a_municipality_that_still_exists_is_refused(data_dir):
    edit(data_dir / "municipality_changes.csv",
         lambda lines: lines + ["2023-01-01,KU005,Alajärvi,merger,KU005,KU009,invented\n"])
    with pytest.raises(InputError, match="KU005 merges into KU009 on 2023-01-01, but the classification still lists"):
        load_reference(data_dir)


def test_a_moved_date_in_the_classification_is_refused(data_dir):
    edit(data_dir / "area_classification.csv", lambda lines: [l.replace("2024-12-31", "2024-11-30")
                                                              if l.startswith("KU171") else l for l in lines])
    with pytest.raises(InputError, match="KU171"):
        load_reference(data_dir)
