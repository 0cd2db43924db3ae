"""Strict CSV reading shared by every CSV source: UTF-8 only, required columns, row numbers in errors."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.areas import municipality_code
from app.ingest.errors import InputError
from app.months import is_preliminary, parse_pxweb_month

CLASSIFICATION_COLUMNS = ("municipality_code", "region_code", "ely_code", "valid_from", "valid_to")
#: The CSV formats by the command that reads them; used to tell a user which command a file is for.
CSV_FORMATS: dict[str, tuple[str, ...]] = {
    "pilots": ("pilot_code", "name_fi", "name_sv", "name_en", "ely_code", "municipality_code",
               "valid_from", "valid_to"),
    "areas": CLASSIFICATION_COLUMNS,
    "monitoring": ("area_code", "month", "indicator", "value"),
    "published": ("period", "area_code", "indicator", "value", "source_title", "source_url", "published"),
}


@dataclass(frozen=True)
class CsvRow:
    line: int  # 1-based line number in the file, header is line 1
    values: dict[str, str]

    def where(self) -> str:
        return f"row {self.line}"


def read_text(path: Path) -> str:
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(path, "the file is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
            location=f"line {line}",
        ) from None
    return text


def read_csv(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[CsvRow]:
    text = read_text(path)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(path, "the file is empty") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(missing)}; expected columns: {', '.join(required + optional)}"
            f" (found: {', '.join(header) or 'none'})",
            location="row 1 (header)",
            column=missing[0],
        )
    rows: list[CsvRow] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        if len(values) != len(header):
            raise InputError(path, f"expected {len(header)} fields, found {len(values)}", location=f"row {line}")
        rows.append(CsvRow(line, {h: v.strip() for h, v in zip(header, values)}))
    if not rows:
        raise InputError(path, "the file has a header but no data rows")
    return rows


def parse_date(path: Path, row: CsvRow, column: str, *, allow_empty: bool = False) -> date | None:
    raw = row.values.get(column, "")
    if raw == "":
        if allow_empty:
            return None
        raise InputError(path, "a date is required (YYYY-MM-DD)", location=row.where(), column=column)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(path, f"{raw!r} is not a date (YYYY-MM-DD)", location=row.where(), column=column) from None


def parse_month(path: Path, row: CsvRow, column: str) -> date:
    """Accept 2021-03, 2021-03-01 or 2021M03; the month's first day is the period."""
    raw = row.values.get(column, "")
    month = None if is_preliminary(raw) else parse_pxweb_month(raw)
    if month is None:
        raise InputError(path, f"{raw!r} is not a month (use 2021-03, 2021-03-01 or 2021M03)", location=row.where(),
                         column=column)
    return month


def parse_municipality(path: Path, row: CsvRow, column: str, *, forms: str = "KU091, 091 or 91") -> str:
    try:
        return municipality_code(row.values.get(column, ""))
    except ValueError as exc:
        raise InputError(path, f"{exc} (use {forms})", location=row.where(), column=column) from None


def parse_number(path: Path, row: CsvRow, column: str) -> float:
    raw = row.values.get(column, "")
    try:
        return float(raw.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise InputError(path, f"{raw!r} is not a number", location=row.where(), column=column) from None


def read_csv_for(path: Path, command: str, optional: tuple[str, ...] = ()) -> list[CsvRow]:
    """read_csv with the columns of `command`'s format; a JSON file or another command's CSV is named as such."""
    text = read_text(path)
    if text.lstrip()[:1] in ("{", "["):
        raise InputError(path, f"this is a JSON file, not the CSV that `pilot-tracker ingest {command}` reads; "
                               "PxWeb tables load with `pilot-tracker ingest pxweb`", location="line 1")
    try:
        return read_csv(path, CSV_FORMATS[command], optional)
    except InputError as exc:
        if exc.location != "row 1 (header)":
            raise
        header = {h.strip() for h in re.split(r"[;,]", text.splitlines()[0])}
        for other, columns in CSV_FORMATS.items():
            if other != command and set(columns) <= header:
                raise InputError(path, f"{exc.message}. This is a file of another kind: it has the columns of "
                                       f"`pilot-tracker ingest {other}`", location=exc.location,
                                 column=exc.column) from None
        raise
