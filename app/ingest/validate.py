"""Checks a load makes before it writes: duplicate keys, overlapping dates, date order, known indicators."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, select

from app import schema
from app.ingest.csvfiles import CsvRow
from app.ingest.errors import DatabaseNotReady, InputError


def find_duplicates(path: Path, keyed: Iterable[tuple[tuple, str]], describe: Callable[[tuple], str]) -> None:
    """Raise on the second occurrence of a key; keyed yields (key, location)."""
    first: dict[tuple, str] = {}
    for key, where in keyed:
        if key in first:
            raise InputError(path, f"duplicate: {describe(key)} appears twice (first at {first[key]})",
                             location=where)
        first[key] = where


def describe_observation(key: tuple) -> str:
    return f"indicator {key[0]}, area {key[1]}, month {key[2]:%Y-%m}"


@dataclass(frozen=True)
class Span:
    """A dated assignment read from a CSV row, for the one-at-a-time check."""

    key: tuple  # what may not overlap, e.g. (municipality, "region")
    valid_from: date | None
    valid_to: date | None
    line: int
    label: str  # e.g. "KU171 in MK10"

    def text(self) -> str:
        return f"{self.label} from {self.valid_from or 'the start'} to {self.valid_to or 'now'} (row {self.line})"


def check_no_overlap(path: Path, spans: Iterable[Span], rule: str) -> None:
    """Raise at the later of two spans with the same key whose dates overlap (both ends inclusive)."""
    by_key: dict[tuple, list[Span]] = {}
    for span in spans:
        by_key.setdefault(span.key, []).append(span)
    for items in by_key.values():
        items.sort(key=lambda s: (s.valid_from or date.min, s.line))
        for before, after in zip(items, items[1:]):
            if before.valid_to is None or (after.valid_from or date.min) <= before.valid_to:
                raise InputError(path, f"{after.text()} overlaps {before.text()}: {rule}",
                                 location=f"row {after.line}", column="valid_from")


def check_date_order(path: Path, row: CsvRow, start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise InputError(path, f"valid_to {end} is before valid_from {start}", location=row.where(),
                         column="valid_to")


def require_indicators(conn: Connection, codes: Iterable[str]) -> None:
    stored = set(conn.execute(select(schema.indicator.c.code)).scalars())
    missing = sorted(set(codes) - stored)
    if missing:
        raise DatabaseNotReady(f"the database lacks indicator(s) {', '.join(missing)}; "
                               "run `pilot-tracker db init --db URL` to load the indicator registry")
