"""Months, the period of every observation: one date (the first day) per month, and its spellings.

A month is stored and passed as `date(year, month, 1)`. URLs spell it `2021-03`; Statistics Finland
spells it `2021M03` (also `2021M3`, `2021-03-01`, with a `*` for preliminary figures).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

# re.ASCII: a month is spelled with the digits 0-9 only (Python's \d also matches e.g. full-width digits).
PXWEB_MONTH = re.compile(r"^(\d{4})(?:M|-)(\d{1,2})(?:-01)?\*?$", re.ASCII)
URL_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
YEAR = re.compile(r"^\d{4}\*?$", re.ASCII)
PILOT_START = date(2021, 3, 1)  # law 1269/2020: the pilots ran 1.3.2021-31.12.2024
PILOT_END = date(2024, 12, 1)  # the last month of the pilots


def first_of(day: date) -> date:
    return date(day.year, day.month, 1)


def month_code(period: date) -> str:
    """The month as URLs spell it: 2021-03."""
    return f"{period.year:04d}-{period.month:02d}"


def pxweb_code(period: date) -> str:
    """The month as Statistics Finland's tables spell it: 2021M03."""
    return f"{period.year:04d}M{period.month:02d}"


def parse_month_code(text: str | None) -> date | None:
    """2021-03 -> date(2021, 3, 1); anything else (also 2021-3 or 2021-13) -> None."""
    if not isinstance(text, str):
        return None
    match = URL_MONTH.fullmatch(text.strip())
    if not match:
        return None
    month = int(match.group(2))
    return date(int(match.group(1)), month, 1) if 1 <= month <= 12 else None


def parse_pxweb_month(code: str) -> date | None:
    """2026M06 (also 2026-06, 2026-06-01, 2026M6, 2026M06*) -> date(2026, 6, 1); None when not a month."""
    match = PXWEB_MONTH.match(code.strip().upper())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 1 <= month <= 12 else None


def is_preliminary(code: str) -> bool:
    """Statistics Finland marks preliminary periods with a trailing star (2026M06*)."""
    return code.strip().endswith("*")


def year_end_of(code: str) -> date | None:
    """2025 -> date(2025, 12, 1): a yearly end-of-year stock describes the end of that December."""
    code = code.strip()
    return date(int(code.rstrip("*")), 12, 1) if YEAR.fullmatch(code) else None


def shift_month(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from first to last, both included; empty when last is before first."""
    return list(iter_months(first, last))


def iter_months(first: date, last: date) -> Iterator[date]:
    current, last = first_of(first), first_of(last)
    while current <= last:
        yield current
        current = shift_month(current, 1)
