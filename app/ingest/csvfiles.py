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
from app.ingest.files import MAX_CELLS, hostile_content, read_input_bytes
from app.months import is_preliminary, parse_pxweb_month
from app.safe_text import unsafe_char

MAX_VALUE_CHARS = 200  # a name, code or number in a CSV cell; longer values are refused
PADDING = " \u00a0"  # what is trimmed around a CSV value: spaces only (a tab is refused, never dropped)

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
    """The file as UTF-8 text: a regular file within the size limit, without NUL bytes."""
    path = Path(path)
    raw = read_input_bytes(path)
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
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise InputError(path, "contains a NUL byte: this is binary data, not a text file",
                         location=f"line {line}, column {nul - (text.rfind(chr(10), 0, nul) + 1) + 1}")
    return text


def _lines(path: Path, text: str) -> str:
    """Text with CR line ends (old Mac CSV) read as lines; a stray CR inside a line is refused by csv."""
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text


def _check_value(path: Path, line: int, column: str, value: str) -> str:
    found = unsafe_char(value)
    if found:
        raise InputError(path, f"contains a control or text-direction character ({found[1]}) at position "
                               f"{found[0] + 1}; remove it (names and codes are plain text)",
                         location=f"row {line}", column=column)
    if len(value) > MAX_VALUE_CHARS:
        raise InputError(path, f"a value of {len(value):,} characters; at most {MAX_VALUE_CHARS} are read",
                         location=f"row {line}", column=column)
    return value


def _header_text(header: list[str]) -> str:
    """The columns a CSV has, as a message may name them: known column names only, never a file's own text
    (the first line of an arbitrary file, say /etc/passwd, is not quoted back)."""
    known = {c for columns in CSV_FORMATS.values() for c in columns} | {"status"}
    named = [h for h in header if h in known]
    others = len(header) - len(named)
    parts = named + ([f"{others} other column(s)"] if others else [])
    return ", ".join(parts) or "none"


def read_csv(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[CsvRow]:
    text = _lines(path, read_text(path))
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    with hostile_content(path, "row 1 (header)"):
        try:
            header = [h.strip(PADDING).lstrip("\ufeff") for h in next(reader)]
        except StopIteration:
            raise InputError(path, "the file is empty") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(missing)}; expected columns: {', '.join(required + optional)}"
            f" (found: {_header_text(header)})",
            location="row 1 (header)",
            column=missing[0],
        )
    rows: list[CsvRow] = []
    while True:
        with hostile_content(path, f"row {reader.line_num + 1}"):
            values = next(reader, None)
        if values is None:
            break
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        if len(values) != len(header):
            raise InputError(path, f"expected {len(header)} fields, found {len(values)}", location=f"row {line}")
        if len(rows) >= MAX_CELLS:
            raise InputError(path, f"more than {MAX_CELLS:,} rows; split the file (docs/ingest.md, Limits)",
                             location=f"row {line}")
        rows.append(CsvRow(line, {h: _check_value(path, line, h, v.strip(PADDING)) for h, v in zip(header, values)}))
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
