"""Values as source files spell them: numbers, Statistics Finland's suppression symbols, timestamps."""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone

#: Statistics Finland's symbols for a value that is not shown ("..." small count hidden, ".." not
#: available, "." logically impossible, "-" nothing to report): stored as NULL with status suppressed,
#: never as zero. "0" is a zero.
SUPPRESSION_SYMBOLS = frozenset({"...", "..", ".", "-", "\u2013", "\u2014", "\u2026", ":", "x", "X", ""})
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2})[.:](\d{2})(?:[.:](\d{2}))?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$")


def parse_value(raw: object) -> float | None:
    """A number, or None for a suppression symbol; ValueError for anything else (nan and inf included)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            raise ValueError
        return float(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if text in SUPPRESSION_SYMBOLS:
            return None
        if NUMBER.match(text):
            return float(text)
    raise ValueError


def utcnow() -> datetime:
    """Now, as the database stores moments: UTC without a zone, whole seconds."""
    return to_utc_naive(datetime.now(timezone.utc))


def to_utc_naive(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def parse_timestamp(text: str | None) -> datetime | None:
    """PxWeb's `2026-07-21T05.00.00Z` (dots in the time), ISO 8601 with colons, or a date; None if unreadable."""
    if not isinstance(text, str) or not text.strip():
        return None
    match = TIMESTAMP.match(text.strip())
    if not match:
        return None
    day, hh, mm, ss, _fraction, zone = match.groups()
    iso = f"{day}T{hh or '00'}:{mm or '00'}:{ss or '00'}"
    if zone and zone != "Z":
        iso += zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    try:
        return to_utc_naive(datetime.fromisoformat(iso))
    except ValueError:
        return None
