"""Downloads that carry their context: a tidy frame, CSV and XLSX writers, and names that say what they hold.

The tidy columns (TIDY_COLUMNS) are the contract for every export, page download and snapshot CSV:
one row per area and month; `value` rounded to the indicator's published precision (persons and
vacancies whole numbers, percentages one decimal); `status` one of final, provisional, incomplete,
suppressed, missing (a suppressed or missing value is empty, never 0); `source` and `licence` repeat
on every row, so a CSV carries them through any parser and any copy-paste (no header comment block,
no sidecar file to lose). Demo exports say in `source` that the figures are synthetic.

CSV: UTF-8 without a byte-order mark, comma-separated, `.` as decimal separator, header row. A text
cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return)
gets a leading apostrophe; numeric columns are written as numbers, so -3.5 stays a number.
XLSX: sheet 1 the tidy data with numbers as numbers and number formats; sheet 2 "About" with the
title, definition, source, licence, release date, generation time and the synthetic-data note.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import date, datetime

import polars as pl
import xlsxwriter

from app.i18n import t
from app.indicators import Indicator, registry
from app.months import month_code

TIDY_COLUMNS = ("area_code", "area_name", "month", "indicator", "indicator_name", "value", "unit", "status",
                "source", "licence")
TIDY_SCHEMA = {"area_code": pl.Utf8, "area_name": pl.Utf8, "month": pl.Utf8, "indicator": pl.Utf8,
               "indicator_name": pl.Utf8, "value": pl.Float64, "unit": pl.Utf8, "status": pl.Utf8,
               "source": pl.Utf8, "licence": pl.Utf8}
DECIMALS = {"persons": 0, "vacancies": 0, "percent": 1}  # as Statistics Finland and TEM publish them
# Half away from zero, as statistical tables round (2.5 -> 3), not banker's rounding (2.5 -> 2).
MODE_DECIMALS = 1  # an index (base = 100) or a change from a year earlier
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SYNTHETIC_SOURCE = {
    "fi": "Synteettinen demoaineisto, ei oikeita lukuja (muoto: {source})",
    "sv": "Syntetiska demodata, inga verkliga siffror (form: {source})",
    "en": "Synthetic demo data, not real figures (shaped like: {source})",
}
ABOUT_LABELS = {
    "fi": {"title": "Otsikko", "indicator": "Indikaattori", "definition": "Määritelmä", "unit": "Yksikkö",
           "source": "Lähde", "url": "Lähteen osoite", "licence": "Lisenssi", "release": "Julkaistu",
           "generated": "Tiedosto luotu", "synthetic": "Huom.", "columns": "Sarakkeet", "sheet": "Tiedot",
           "about": "Tietoja"},
    "sv": {"title": "Rubrik", "indicator": "Indikator", "definition": "Definition", "unit": "Enhet",
           "source": "Källa", "url": "Källans adress", "licence": "Licens", "release": "Publicerad",
           "generated": "Filen skapad", "synthetic": "Obs.", "columns": "Kolumner", "sheet": "Data",
           "about": "Om"},
    "en": {"title": "Title", "indicator": "Indicator", "definition": "Definition", "unit": "Unit",
           "source": "Source", "url": "Source address", "licence": "Licence", "release": "Published",
           "generated": "File generated", "synthetic": "Note", "columns": "Columns", "sheet": "Data",
           "about": "About"},
}
SYNTHETIC_NOTE = {
    "fi": "Demoaineisto: alueet ja kokeilukunnat ovat oikeita, mutta kaikki luvut ovat synteettisiä.",
    "sv": "Demodata: områdena och försökskommunerna är verkliga, men alla siffror är syntetiska.",
    "en": "Demo data: the areas and pilot municipalities are real, but every figure is synthetic.",
}


def published_decimals(indicator: Indicator, mode: str = "value") -> int:
    """Decimals the indicator is published with; an index or a yearly change gets one."""
    return DECIMALS.get(indicator.unit, 1) if mode == "value" else MODE_DECIMALS


def unit_text(indicator: Indicator, lang: str, mode: str = "value") -> str:
    if mode == "index":
        return "index"
    if mode == "yoy":
        return t("unit.points", lang) if indicator.is_ratio else "%"
    return t(f"unit.{indicator.unit}", lang)


def source_text(indicator: Indicator, lang: str, synthetic: bool = False) -> tuple[str, str]:
    """(source, licence) as exports print them; demo data never passes for the real source."""
    source = registry().sources[indicator.source]
    name = source.name(lang)
    return (SYNTHETIC_SOURCE[lang].format(source=name) if synthetic else name), source.licence


def tidy_frame(values: pl.DataFrame, indicator: Indicator, names: Mapping[str, str], lang: str, *,
               synthetic: bool = False, mode: str = "value") -> pl.DataFrame:
    """values: area_code, period (date), value, status -> the TIDY_COLUMNS, sorted by area and month."""
    source, licence = source_text(indicator, lang, synthetic)
    decimals = published_decimals(indicator, mode)
    status = pl.col("status").fill_null("missing") if "status" in values.columns else pl.lit("final")
    frame = values.select(
        pl.col("area_code").cast(pl.Utf8),
        pl.col("period").cast(pl.Date),
        pl.col("value").cast(pl.Float64),
        status.cast(pl.Utf8).alias("status"),
    ).with_columns(
        pl.when(pl.col("status") == "suppressed").then(None).otherwise(pl.col("value").fill_nan(None))
        .round(decimals, mode="half_away_from_zero").alias("value"),
    )
    rows = [{
        "area_code": row["area_code"], "area_name": names.get(row["area_code"], row["area_code"]),
        "month": month_code(row["period"]) if row["period"] is not None else None,
        "indicator": indicator.code, "indicator_name": indicator.name(lang), "value": row["value"],
        "unit": unit_text(indicator, lang, mode), "status": row["status"], "source": source, "licence": licence,
    } for row in frame.sort("area_code", "period").to_dicts()]
    return pl.DataFrame(rows, schema=TIDY_SCHEMA)


def neutralise(text: str | None) -> str | None:
    """A leading apostrophe keeps a spreadsheet from running a text cell as a formula (CSV injection)."""
    if text and text.startswith(FORMULA_START):
        return "'" + text
    return text


def neutralised(name: str) -> pl.Expr:
    """neutralise as a polars expression. Not map_elements: a Python function called from polars' worker
    threads needs the GIL, and with other sessions' threads waiting on those workers the whole server
    deadlocked under load (fifty sessions; pola-rs/polars#26821)."""
    starts = "^[" + re.escape("".join(FORMULA_START)) + "]"
    column = pl.col(name)
    return pl.when(column.str.contains(starts)).then(pl.lit("'") + column).otherwise(column).alias(name)


def to_csv(frame: pl.DataFrame) -> bytes:
    """The frame as CSV bytes; only text columns are neutralised, numbers stay numbers."""
    safe = frame.with_columns(neutralised(name) for name, dtype in frame.schema.items() if dtype == pl.Utf8)
    return safe.write_csv(null_value="").encode("utf-8")


def _number_format(unit: str, decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def to_xlsx(frame: pl.DataFrame, *, title: str, indicator: Indicator, lang: str, synthetic: bool = False,
            release_date: date | None = None, generated_at: datetime | None = None, mode: str = "value") -> bytes:
    """Sheet 1: the tidy data (numbers as numbers); sheet 2 "About": what the numbers are and whose."""
    labels = ABOUT_LABELS[lang]
    buffer = io.BytesIO()
    book = _workbook(buffer)
    bold = book.add_format({"bold": True})
    number = book.add_format({"num_format": _number_format(indicator.unit, published_decimals(indicator, mode))})
    _write_data(book.add_worksheet(labels["sheet"]), frame, bold, {"value": number})

    about = book.add_worksheet(labels["about"])
    source = registry().sources[indicator.source]
    source_name, licence = source_text(indicator, lang, synthetic)
    lines = [
        (labels["title"], title),
        (labels["indicator"], f"{indicator.name(lang)} ({indicator.code})"),
        (labels["definition"], indicator.description(lang)),
        (labels["unit"], unit_text(indicator, lang, mode)),
        (labels["source"], source_name),
        (labels["url"], source.url),
        (labels["licence"], licence),
        (labels["release"], release_date.isoformat() if release_date else ""),
        (labels["generated"], (generated_at or datetime.now().astimezone()).isoformat(timespec="seconds")),
        (labels["columns"], ", ".join(frame.columns)),
    ]
    _write_about(about, lines, bold, SYNTHETIC_NOTE[lang] if synthetic else None, labels)
    book.close()
    return buffer.getvalue()


def _workbook(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    # No string ever becomes a formula, a URL or a number: text stays text, whatever it starts with.
    return xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})


def _write_data(sheet, frame: pl.DataFrame, bold, number_formats: dict | None = None) -> None:
    """The data sheet: a bold header, numbers as numbers (a column's format where given), empty cells for
    nulls, a frozen header and a filter."""
    number_formats = number_formats or {}
    numeric = {name for name, dtype in frame.schema.items() if dtype.is_numeric()}  # frame.schema is not free
    for col, name in enumerate(frame.columns):
        sheet.write_string(0, col, name, bold)
    for r, row in enumerate(frame.iter_rows(), start=1):
        for col, (name, value) in enumerate(zip(frame.columns, row)):
            if value is None:
                sheet.write_blank(r, col, None)
            elif name in numeric:
                sheet.write_number(r, col, value, number_formats.get(name))
            else:
                sheet.write_string(r, col, str(value))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(frame.height, 1), max(len(frame.columns) - 1, 0))
    sheet.set_column(0, len(frame.columns) - 1, 16)


def _write_about(sheet, lines: list[tuple[str, str]], bold, synthetic_note: str | None, labels: dict) -> None:
    """The "About" sheet: one label and its text per row, the synthetic-data note last where it applies."""
    if synthetic_note:
        lines = [*lines, (labels["synthetic"], synthetic_note)]
    for r, (key, text) in enumerate(lines):
        sheet.write_string(r, 0, key, bold)
        sheet.write_string(r, 1, text)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 100)


def _name_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or "x"


def export_stem(indicator_code: str, scope: str | list[str], first: date, last: date | None, lang: str) -> str:
    """{indicator}-{level or areas}-{month or first_last}-{lang}, e.g. pilot_clients-ely-2024-12-fi.

    scope is a level name or a list of area codes (more than four become `n-areas`).
    """
    if isinstance(scope, str):
        where = _name_part(scope)
    elif len(scope) > 4:
        where = f"{len(scope)}-areas"
    else:
        where = "_".join(_name_part(code) for code in scope) or "areas"
    period = month_code(first) if last is None or last == first else f"{month_code(first)}_{month_code(last)}"
    return f"{_name_part(indicator_code)}-{where}-{period}-{_name_part(lang)}"


def export_name(indicator_code: str, scope: str | list[str], first: date, last: date | None, lang: str,
                extension: str) -> str:
    """A download's file name that says what it holds: pilot_clients-PILOT01_SSS-2019-01_2024-12-fi.csv."""
    return f"{export_stem(indicator_code, scope, first, last, lang)}.{extension.lstrip('.')}"


def table_xlsx(frame: pl.DataFrame, *, title: str, lang: str, synthetic: bool = False,
               generated_at: datetime | None = None) -> bytes:
    """A table of several indicators (a ranking, a list of changes) as XLSX: sheet 1 the rows, numbers as
    numbers; sheet 2 "About" with the title, the generation time and, for demo data, the synthetic note.
    Its rows carry their own sources, as every export does (`source`, `licence` columns)."""
    labels = ABOUT_LABELS[lang]
    buffer = io.BytesIO()
    book = _workbook(buffer)
    bold = book.add_format({"bold": True})
    _write_data(book.add_worksheet(labels["sheet"]), frame, bold)
    about = book.add_worksheet(labels["about"])
    lines = [(labels["title"], title),
             (labels["generated"], (generated_at or datetime.now().astimezone()).isoformat(timespec="seconds")),
             (labels["columns"], ", ".join(frame.columns))]
    _write_about(about, lines, bold, SYNTHETIC_NOTE[lang] if synthetic else None, labels)
    book.close()
    return buffer.getvalue()
