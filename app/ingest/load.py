"""The load step every source shares: open the target, record the release, upsert observations, summarise.

Contract of a load (see docs/ingest.md):
- the file is read and checked before the database is touched; the rest runs in ONE transaction
  (`engine.begin()`), so a failure at any point leaves the database exactly as it was;
- a release is identified by the file's sha256 and source: loading the same file again reuses its
  release row, and observations whose value and status are unchanged are not written again, so a
  second load of the same file changes nothing;
- an observation keeps the release that last changed its value or status.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, Engine, func, inspect, select
from sqlalchemy.engine import make_url

from app import schema
from app.ingest.csvfiles import CsvRow, read_csv, read_text
from app.ingest.errors import InputError
from app.ingest.reference import CLASSIFICATION_COLUMNS
from app.ingest.writer import upsert, writable_engine

PROGRESS_MIN_ROWS = 5000  # loads with more rows than this show a progress bar
WRITE_CHUNK = 5000
#: Statistics Finland's symbols for a value that is not shown ("..." small count hidden, ".." not
#: available, "." logically impossible, "-" nothing to report): stored as NULL with status suppressed,
#: never as zero. "0" is a zero.
SUPPRESSION_SYMBOLS = frozenset({"...", "..", ".", "-", "\u2013", "\u2014", "\u2026", ":", "x", "X", ""})
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

#: The CSV formats by the command that reads them; used to tell a user which command a file is for.
CSV_FORMATS: dict[str, tuple[str, ...]] = {
    "pilots": ("pilot_code", "name_fi", "name_sv", "name_en", "ely_code", "municipality_code",
               "valid_from", "valid_to"),
    "areas": CLASSIFICATION_COLUMNS,
    "monitoring": ("area_code", "month", "indicator", "value"),
}

ProgressFactory = Callable[[int], AbstractContextManager]


class DatabaseNotReady(RuntimeError):
    """The target database cannot take a load (missing file or schema); nothing was written."""


@dataclass(frozen=True)
class Observation:
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
    release_id: int | None = None
    release_reused: bool = False
    provenance: Provenance | None = None
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.file} -> {self.target}: {self.total:,} {self.what}",
               f"  inserted {self.inserted:,}, updated {self.updated:,}, unchanged {self.unchanged:,}"
               + (f"; {self.suppressed:,} suppressed (value NULL, status suppressed)" if self.what == "observations"
                  else f", removed {self.removed:,}")]
        if self.provenance is not None:
            p = self.provenance
            verb = "reused (this file was loaded before)" if self.release_reused else "recorded"
            published = p.published_at.strftime("%Y-%m-%d %H:%M UTC") if p.published_at else "not given"
            out.append(f"  release #{self.release_id} {verb}: {p.source}; published {published}; "
                       f"sha256 {p.sha256[:12]}…")
        out += [f"  {s.line()}" for s in self.skipped]
        out += [f"  note: {n}" for n in self.notes]
        return out


def format_codes(codes: Iterable[str], spell_out: int = 8) -> str:
    """Codes sorted and grouped by prefix; a long group reads `72 SK… codes (SK011 … SKJOU)`."""
    groups: dict[str, list[str]] = {}
    for code in sorted(set(codes)):
        match = re.match(r"(SSS|KU|MK|SK|ELY|PILOT|GRP)", code)
        groups.setdefault(match.group(1) if match else code, []).append(code)
    parts = []
    for prefix, members in groups.items():
        if len(members) > spell_out:
            parts.append(f"{len(members)} {prefix}… codes ({members[0]} … {members[-1]})")
        else:
            parts.extend(members)
    return ", ".join(parts)


def display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def open_writable(url: str) -> Engine:
    """The writable engine for a load, refused unless the database exists and has the schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).is_file():
            raise DatabaseNotReady(f"database file not found: {database or '(none)'}; "
                                   f"create it with `pilot-tracker db init --db {url}`")
    engine = writable_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    except Exception as exc:  # noqa: BLE001 - any failure to connect is reported the same way
        engine.dispose()
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseNotReady(f"cannot open {display_url(url)}: {first}") from exc
    missing = {t.name for t in schema.metadata.sorted_tables} - tables
    if missing:
        engine.dispose()
        raise DatabaseNotReady(f"{display_url(url)} has no Pilot Tracker schema (missing tables: "
                               f"{', '.join(sorted(missing))}); run `pilot-tracker db init --db URL` first")
    return engine


@contextmanager
def transaction(url: str) -> Iterator[Connection]:
    """The one transaction of a load on a checked writable engine: committed at the end, rolled back on error."""
    engine = open_writable(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def area_kinds(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(schema.area.c.code, schema.area.c.kind)).all())


def require_indicators(conn: Connection, codes: Iterable[str]) -> None:
    stored = set(conn.execute(select(schema.indicator.c.code)).scalars())
    missing = sorted(set(codes) - stored)
    if missing:
        raise DatabaseNotReady(f"the database lacks indicator(s) {', '.join(missing)}; "
                               "run `pilot-tracker db init --db URL` to load the indicator registry")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def to_utc_naive(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def parse_timestamp(text: str | None) -> datetime | None:
    """PxWeb's `2026-07-21T05.00.00Z` (dots in the time), ISO 8601 with colons, or a date; None if unreadable."""
    if not isinstance(text, str) or not text.strip():
        return None
    match = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2})[.:](\d{2})(?:[.:](\d{2}))?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$",
                     text.strip())
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


def record_release(conn: Connection, provenance: Provenance, row_count: int) -> tuple[int, bool]:
    """The release of this file: reused when the same bytes from the same source were loaded before.

    Ids are assigned as max+1 in this transaction (the demo builder inserts explicit ids, so a
    PostgreSQL sequence would lag behind).
    """
    r = schema.release
    existing = conn.execute(select(r.c.id).where(r.c.sha256 == provenance.sha256, r.c.source == provenance.source)
                            .order_by(r.c.id)).scalar()
    if existing is not None:
        return int(existing), True
    next_id = (conn.execute(select(func.max(r.c.id))).scalar() or 0) + 1
    conn.execute(r.insert().values(id=next_id, source=provenance.source, url=provenance.url,
                                   licence=provenance.licence, retrieved_at=provenance.retrieved_at,
                                   published_at=provenance.published_at, sha256=provenance.sha256,
                                   row_count=row_count))
    return next_id, False


def record_provenance(conn: Connection, summary: LoadSummary, provenance: Provenance, row_count: int) -> int:
    """Record (or reuse) the release of this load; its id goes into the summary and is returned.

    A load into the synthetic demo database is allowed but said in the summary: its values are invented.
    """
    summary.provenance = provenance
    summary.release_id, summary.release_reused = record_release(conn, provenance, row_count)
    if conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "demo")).scalar() == "true":
        summary.notes.append("this is the synthetic demo database: real rows now sit beside invented ones; "
                             "load real data into a database of its own (`pilot-tracker db init --db URL`)")
    return summary.release_id


def progress_bar(factory: ProgressFactory | None, total: int) -> AbstractContextManager:
    if factory is None or total <= PROGRESS_MIN_ROWS:
        return nullcontext(None)
    return factory(total)


def _existing(conn: Connection, observations: Sequence[Observation]) -> dict[tuple, tuple]:
    o = schema.observation
    indicators = sorted({x.indicator_code for x in observations})
    periods = sorted({x.period for x in observations})
    found: dict[tuple, tuple] = {}
    for start in range(0, len(periods), 200):
        stmt = select(o.c.indicator_code, o.c.area_code, o.c.period, o.c.value, o.c.status).where(
            o.c.indicator_code.in_(indicators), o.c.period.in_(periods[start:start + 200]))
        for ind, area, period, value, status in conn.execute(stmt):
            found[(ind, area, period)] = (value, status)
    return found


def write_observations(conn: Connection, observations: Sequence[Observation], release_id: int,
                       summary: LoadSummary, progress: ProgressFactory | None = None) -> None:
    """Insert new observations and upsert changed ones; unchanged ones are not written. Counts go into summary."""
    existing = _existing(conn, observations)
    new_rows: list[dict] = []
    changed_rows: list[dict] = []
    for x in observations:
        before = existing.get(x.key)
        if before == (x.value, x.status):
            continue
        row = {"indicator_code": x.indicator_code, "area_code": x.area_code, "period": x.period,
               "value": x.value, "status": x.status, "release_id": release_id}
        (new_rows if before is None else changed_rows).append(row)
    summary.total = len(observations)
    summary.inserted, summary.updated = len(new_rows), len(changed_rows)
    summary.unchanged = summary.total - summary.inserted - summary.updated
    summary.suppressed = sum(1 for x in observations if x.status == "suppressed")
    with progress_bar(progress, len(new_rows) + len(changed_rows)) as bar:
        for rows, write in ((new_rows, _insert), (changed_rows, _upsert)):
            for start in range(0, len(rows), WRITE_CHUNK):
                chunk = rows[start:start + WRITE_CHUNK]
                write(conn, chunk)
                if bar is not None:
                    bar.update(len(chunk))


def _insert(conn: Connection, rows: list[dict]) -> None:
    conn.execute(schema.observation.insert(), rows)


def _upsert(conn: Connection, rows: list[dict]) -> None:
    upsert(conn, schema.observation, rows, ["indicator_code", "area_code", "period"])


def find_duplicates(path: Path, keyed: Iterable[tuple[tuple, str]], describe: Callable[[tuple], str]) -> None:
    """Raise on the second occurrence of a key; keyed yields (key, location)."""
    first: dict[tuple, str] = {}
    for key, where in keyed:
        if key in first:
            raise InputError(path, f"duplicate: {describe(key)} appears twice (first at {first[key]})",
                             location=where)
        first[key] = where


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


def csv_provenance(path: Path, source: str, url: str | None, licence: str | None,
                   retrieved_at: datetime | None) -> Provenance:
    return Provenance(source=f"{source}: {Path(path).name}", url=url, licence=licence,
                      retrieved_at=retrieved_at or datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0),
                      published_at=None, sha256=file_sha256(path))
