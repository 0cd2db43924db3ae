"""Event annotations (pilot start and end, decisions, reforms, data breaks) kept as data in
data/events.csv, so trend and comparison charts mark what happened when and the table lists it.

File: UTF-8 CSV with columns date, kind, text_fi, text_sv, text_en and optional end_date, source_url.
A date is YYYY-MM-DD, or YYYY-MM when only the month is certain (then it stands for the month's first
day and `precision` is "month").
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from app.months import first_of, shift_month
from app.settings import DATA_DIR, LANGUAGES

EVENTS_FILE = DATA_DIR / "events.csv"
KINDS = ("pilot", "decision", "reform", "data_break")
REQUIRED = ("date", "kind", *(f"text_{lang}" for lang in LANGUAGES))
OPTIONAL = ("end_date", "source_url")
DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
EVENT_SCHEMA = {"date": pl.Date, "end_date": pl.Date, "precision": pl.Utf8, "kind": pl.Utf8, "text": pl.Utf8,
                "source_url": pl.Utf8}


class EventsError(ValueError):
    """A bad events file, named by file, row and column so whoever edits it can fix it."""

    def __init__(self, file: Path | str, row: int, column: str | None, message: str):
        self.file, self.row, self.column, self.message = str(file), row, column, message
        where = f"{self.file}, row {row}" + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Event:
    day: date
    kind: str
    texts: dict[str, str]
    end_day: date | None = None
    source_url: str | None = None
    precision: str = "day"  # "month" when only the month is certain

    def text(self, lang: str) -> str:
        return self.texts[lang if lang in LANGUAGES else "fi"]


def parse_event_date(raw: str) -> tuple[date, str] | None:
    """2021-03-01 -> (that day, "day"); 2022-08 -> (2022-08-01, "month"); anything else -> None."""
    raw = raw.strip()
    for pattern, precision in ((DAY, "day"), (MONTH, "month")):
        match = pattern.match(raw)
        if match:
            parts = [int(p) for p in match.groups()] + ([] if precision == "day" else [1])
            try:
                return date(*parts), precision
            except ValueError:
                return None
    return None


def load_events(path: Path | str = EVENTS_FILE) -> tuple[Event, ...]:
    """Every event in the file, in date order; raises EventsError for the first bad cell."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise EventsError(path, 1, missing[0], "a required column is missing (header: "
                                  + ", ".join(REQUIRED + OPTIONAL) + ")")
            events = [_event(path, reader.line_num, row) for row in reader]  # line_num: the file's line
    except UnicodeDecodeError as exc:
        raise EventsError(path, 0, None, f"the file is not UTF-8 ({exc.reason})") from None
    return tuple(sorted(events, key=lambda e: (e.day, KINDS.index(e.kind))))


def _event(path: Path, line: int, row: dict) -> Event:
    if None in row or any(v is None for v in row.values()):
        raise EventsError(path, line, None, "the row does not have as many fields as the header")
    values = {k: (v or "").strip() for k, v in row.items()}
    parsed = parse_event_date(values["date"])
    if parsed is None:
        raise EventsError(path, line, "date", f"{values['date']!r} is not a date (YYYY-MM-DD or YYYY-MM)")
    day, precision = parsed
    if values["kind"] not in KINDS:
        raise EventsError(path, line, "kind", f"{values['kind']!r} is not one of {', '.join(KINDS)}")
    for lang in LANGUAGES:
        if not values[f"text_{lang}"]:
            raise EventsError(path, line, f"text_{lang}", "the text is empty")
    end_day = None
    if values.get("end_date"):
        end = parse_event_date(values["end_date"])
        if end is None:
            raise EventsError(path, line, "end_date", f"{values['end_date']!r} is not a date (YYYY-MM-DD or YYYY-MM)")
        end_day = end[0]
        if end_day < day:
            raise EventsError(path, line, "end_date", "the end is before the date")
    url = values.get("source_url") or None
    if url and not url.startswith(("https://", "http://")):
        raise EventsError(path, line, "source_url", f"{url!r} is not a web address")
    return Event(day=day, kind=values["kind"], texts={lang: values[f"text_{lang}"] for lang in LANGUAGES},
                 end_day=end_day, source_url=url, precision=precision)


def events_between(first: date, last: date, lang: str, events: tuple[Event, ...] | None = None) -> pl.DataFrame:
    """The events that fall in (or span into) the months first..last, both whole months, in lang."""
    events = load_events() if events is None else events
    start, stop = first_of(first), shift_month(first_of(last), 1)
    rows = [{"date": e.day, "end_date": e.end_day, "precision": e.precision, "kind": e.kind,
             "text": e.text(lang), "source_url": e.source_url}
            for e in events if e.day < stop and (e.end_day or e.day) >= start]
    return pl.DataFrame(rows, schema=EVENT_SCHEMA)
