"""Exports carry their context: tidy columns, published precision, source and licence, safe CSV, XLSX."""

import io
from datetime import date, datetime, timezone

import openpyxl
import polars as pl
import pytest

from app.exports import (
    TIDY_COLUMNS,
    TIDY_SCHEMA,
    export_name,
    neutralise,
    published_decimals,
    tidy_frame,
    to_csv,
    to_xlsx,
)
from app.i18n import t
from app.indicators import registry

REG = registry()
NAMES = {"KU091": "Helsinki", "KU049": "Espoo", "SSS": "Koko maa"}


def values(value_list, statuses=None, codes=("KU091", "KU049", "SSS")):
    return pl.DataFrame({
        "area_code": list(codes), "period": [date(2024, 12, 1)] * len(codes), "value": value_list,
        "status": statuses or ["final"] * len(codes),
    }, schema={"area_code": pl.Utf8, "period": pl.Date, "value": pl.Float64, "status": pl.Utf8})


def test_tidy_frame_has_the_contract_columns_and_published_precision():
    share = tidy_frame(values([10.569888991023136, 7.25, 0.05]), REG["unemployment_share"], NAMES, "fi")
    assert tuple(share.columns) == TIDY_COLUMNS
    assert share.schema == pl.Schema(TIDY_SCHEMA)
    by_code = {r["area_code"]: r for r in share.to_dicts()}
    assert by_code["KU091"]["value"] == 10.6
    assert by_code["KU049"]["value"] == 7.3  # half away from zero, not to even
    assert by_code["SSS"]["value"] == 0.1
    helsinki = by_code["KU091"]
    assert helsinki["month"] == "2024-12"
    assert helsinki["area_name"] == "Helsinki"
    assert helsinki["indicator"] == "unemployment_share"
    assert helsinki["indicator_name"] == REG["unemployment_share"].name("fi")
    assert helsinki["unit"] == "%"
    assert helsinki["licence"] == "CC BY 4.0"
    assert helsinki["source"] == REG.sources["statfin_tyonv"].name("fi")

    persons = tidy_frame(values([1234.5, 17.49, 3.0]), REG["jobseekers"], NAMES, "sv")
    assert persons["value"].to_list() == [17.0, 1235.0, 3.0]  # sorted by area code: KU049, KU091, SSS
    assert persons["unit"].unique().to_list() == [t("unit.persons", "sv")]


def test_suppressed_and_missing_values_stay_empty_never_zero():
    frame = tidy_frame(values([12.0, 5.0, None], ["suppressed", "provisional", None]), REG["jobseekers"], NAMES, "en")
    by_code = {r["area_code"]: r for r in frame.to_dicts()}
    assert by_code["KU091"]["value"] is None and by_code["KU091"]["status"] == "suppressed"  # a stray value is dropped
    assert by_code["KU049"]["status"] == "provisional" and by_code["KU049"]["value"] == 5.0
    assert by_code["SSS"]["value"] is None and by_code["SSS"]["status"] == "missing"
    assert ",suppressed," in to_csv(frame).decode() and ",0,suppressed" not in to_csv(frame).decode()


def test_demo_exports_say_the_figures_are_synthetic():
    frame = tidy_frame(values([1.0, 2.0, 3.0]), REG["pilot_clients"], NAMES, "en", synthetic=True)
    assert all("Synthetic demo data" in s for s in frame["source"])


def test_index_and_yearly_change_have_one_decimal_and_their_own_unit():
    assert published_decimals(REG["jobseekers"]) == 0
    assert published_decimals(REG["client_share"]) == 1
    assert published_decimals(REG["jobseekers"], "index") == 1
    frame = tidy_frame(values([101.26, 99.94, 100.0]), REG["jobseekers"], NAMES, "en", mode="index")
    assert frame["value"].to_list() == [99.9, 101.3, 100.0]
    assert frame["unit"].unique().to_list() == ["index"]


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+358", "'+358"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("Helsinki", "Helsinki"),
    ("Pedersören kunta", "Pedersören kunta"),
    ("", ""),
    (None, None),
])
def test_formula_neutralising(text, expected):
    assert neutralise(text) == expected


def test_csv_neutralises_text_cells_but_keeps_negative_numbers_numbers():
    frame = pl.DataFrame({"area_name": ["=cmd|' /C calc'!A0", "Espoo"], "value": [-3.5, 2.0]})
    text = to_csv(frame).decode("utf-8")
    assert text.splitlines() == ["area_name,value", "'=cmd|' /C calc'!A0,-3.5", "Espoo,2.0"]
    back = pl.read_csv(io.BytesIO(to_csv(frame)))
    assert back.schema["value"] == pl.Float64 and back["value"].to_list() == [-3.5, 2.0]


def test_csv_reads_back_as_the_same_frame():
    frame = tidy_frame(values([10.55, None, 9.0], ["final", "suppressed", "provisional"]),
                       REG["unemployment_share"], NAMES, "sv")
    assert pl.read_csv(io.BytesIO(to_csv(frame)), schema=TIDY_SCHEMA).equals(frame)


def test_xlsx_has_numbers_as_numbers_and_an_about_sheet():
    rows = values([10.55, None, 9.0], ["final", "suppressed", "final"]).with_columns(
        pl.Series("area_code", ["KU091", "KU049", "SSS"]))
    frame = tidy_frame(rows, REG["unemployment_share"], {**NAMES, "KU049": "=1+1"}, "fi", synthetic=True)
    content = to_xlsx(frame, title="Työttömien osuus, joulukuu 2024", indicator=REG["unemployment_share"], lang="fi",
                      synthetic=True, release_date=date(2025, 1, 15),
                      generated_at=datetime(2025, 2, 1, 12, 0, tzinfo=timezone.utc))
    book = openpyxl.load_workbook(io.BytesIO(content))
    data, about = book.worksheets
    assert about.title == "Tietoja"
    header = [c.value for c in data[1]]
    assert header == list(TIDY_COLUMNS)
    value_col = header.index("value") + 1
    cells = {data.cell(r, 1).value: data.cell(r, value_col) for r in range(2, data.max_row + 1)}
    assert cells["KU091"].data_type == "n" and cells["KU091"].value == pytest.approx(10.6)
    assert cells["KU091"].number_format == "#,##0.0"
    assert cells["KU049"].value is None  # suppressed: empty, not 0
    espoo_row = next(r for r in range(2, data.max_row + 1) if data.cell(r, 1).value == "KU049")
    name_cell = data.cell(espoo_row, header.index("area_name") + 1)
    assert name_cell.value == "=1+1" and name_cell.data_type == "s"  # text, never a formula
    facts = {about.cell(r, 1).value: about.cell(r, 2).value for r in range(1, about.max_row + 1)}
    assert facts["Otsikko"] == "Työttömien osuus, joulukuu 2024"
    assert facts["Lisenssi"] == "CC BY 4.0"
    assert facts["Julkaistu"] == "2025-01-15"
    assert facts["Tiedosto luotu"] == "2025-02-01T12:00:00+00:00"
    assert "synteettisiä" in facts["Huom."]
    assert REG.sources["statfin_tyonv"].url == facts["Lähteen osoite"]


def test_xlsx_of_counts_uses_whole_numbers_and_no_synthetic_note_for_real_data():
    frame = tidy_frame(values([1234.4, 5.0, 7.0]), REG["jobseekers"], NAMES, "en")
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(frame, title="x", indicator=REG["jobseekers"], lang="en")))
    data, about = book.worksheets
    assert data.cell(2, TIDY_COLUMNS.index("value") + 1).number_format == "#,##0"
    assert "Note" not in [about.cell(r, 1).value for r in range(1, about.max_row + 1)]


def test_file_names_say_what_they_hold():
    assert export_name("pilot_clients", "ely", date(2024, 12, 1), None, "fi", "csv") == "pilot_clients-ely-2024-12-fi.csv"
    assert export_name("pilot_clients", ["PILOT01", "SSS"], date(2019, 1, 1), date(2024, 12, 1), "sv", ".xlsx") \
        == "pilot_clients-PILOT01_SSS-2019-01_2024-12-sv.xlsx"
    many = export_name("jobseekers", [f"KU{i:03d}" for i in range(7)], date(2024, 1, 1), date(2024, 1, 1), "en", "csv")
    assert many == "jobseekers-7-areas-2024-01-en.csv"
    assert "/" not in export_name("a/../b", ["../x"], date(2024, 1, 1), None, "en", "csv")
