"""What a load passes from its source to the store and back to the user: observations, provenance, summary."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from app.areas import COUNTRY, PILOT_PREFIX
from app.ingest.values import utcnow
from app.safe_text import clip, without_unsafe

CODE_PREFIX = re.compile(rf"({COUNTRY}|KU|MK|SK|ELY|{PILOT_PREFIX}|GRP)")


@dataclass(frozen=True)
class Observation:
    """One value of the long format every source tidies to."""

    indicator_code: str
    area_code: str
    period: date
    value: float | None
    status: str

    @property
    def key(self) -> tuple[str, str, date]:
        return (self.indicator_code, self.area_code, self.period)


@dataclass(frozen=True)
class Provenance:
    source: str
    url: str | None
    licence: str | None
    retrieved_at: datetime | None
    published_at: datetime | None
    sha256: str
    division: int | None = None  # the year of the area division the data is published in; None: its own month's
    first_period: date | None = None  # the months the release holds
    last_period: date | None = None

    def covering(self, periods: Iterable[date]) -> Provenance:
        """The same provenance with the months it holds."""
        months = sorted(set(periods))
        return replace(self, first_period=months[0], last_period=months[-1]) if months else self


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def file_provenance(path: Path, source: str, *, url: str | None, licence: str | None,
                    retrieved_at: datetime | None = None, published_at: datetime | None = None) -> Provenance:
    """The provenance of a file as loaded now; the checksum makes a second load of it recognisable."""
    # The source names a file and a table title from the file: stored and shown as plain, short text.
    return Provenance(source=clip(without_unsafe(source), 300), url=url, licence=licence,
                      retrieved_at=retrieved_at or utcnow(),
                      published_at=published_at, sha256=file_sha256(path))


@dataclass(frozen=True)
class Skipped:
    """Entries of the file left out on purpose, grouped by reason, listed in the summary."""

    reason: str  # e.g. "unknown area codes"
    codes: tuple[str, ...]
    values: int = 0  # how many values (or rows) the skipped codes held

    def line(self) -> str:
        held = f" ({self.values:,} values)" if self.values else ""
        reason = self.reason if len(self.codes) > 1 else self.reason.replace("codes", "code", 1)
        return f"skipped {len(self.codes)} {reason}{held}: {format_codes(self.codes)}"


@dataclass
class LoadSummary:
    file: str
    target: str
    what: str = "observations"
    total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    suppressed: int = 0
    revised: int = 0  # replaced values kept in observation_revision
    release_id: int | None = None
    release_reused: bool = False
    division_moved: int = 0  # unchanged values that now carry this release because its area division differs
    provenance: Provenance | None = None
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.file} -> {self.target}: {self.total:,} {self.what}",
               f"  inserted {self.inserted:,}, updated {self.updated:,}, unchanged {self.unchanged:,}"
               + (f"; {self.suppressed:,} suppressed (value NULL, status suppressed)" if self.what == "observations"
                  else f", removed {self.removed:,}")]
        if self.revised:
            out.append(f"  revised {self.revised:,} values (the superseded values are kept in observation_revision)")
        if self.provenance is not None:
            p = self.provenance
            verb = "reused (this file was loaded before)" if self.release_reused else "recorded"
            published = p.published_at.strftime("%Y-%m-%d %H:%M UTC") if p.published_at else "not given"
            out.append(f"  release #{self.release_id} {verb}: {p.source}; published {published}; "
                       f"sha256 {p.sha256[:12]}…")
        if self.division_moved:
            out.append(f"  {self.division_moved:,} unchanged values now carry this release: it is published in "
                       f"{division_text(self.provenance.division if self.provenance else None)}")
        out += [f"  {s.line()}" for s in self.skipped]
        out += [f"  note: {n}" for n in self.notes]
        return out


def division_text(division: int | None) -> str:
    return f"the area division of {division}" if division else "the area division of each month"


def format_codes(codes: Iterable[str], spell_out: int = 8) -> str:
    """Codes sorted and grouped by prefix; a long group reads `72 SK… codes (SK011 … SKJOU)`."""
    groups: dict[str, list[str]] = {}
    for code in sorted(set(codes)):
        match = CODE_PREFIX.match(code)
        groups.setdefault(match.group(1) if match else code, []).append(code)
    parts = []
    for prefix, members in groups.items():
        if len(members) > spell_out:
            parts.append(f"{len(members)} {prefix}… codes ({members[0]} … {members[-1]})")
        else:
            parts.extend(members)
    return ", ".join(parts)
