"""Fetch a PxWeb table whole: metadata, plan, paced queries within the limits, one merged JSON-stat document.

Nothing half-done: every answer is held in memory and the result returns only when every query has
succeeded; any failure raises FetchError, so the caller has nothing to write.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from app.months import month_code
from app.ingest.pxweb_api.merge import Merger, write_json_stat
from app.ingest.pxweb_api.plan import Plan, TableMeta, make_plan, parse_metadata
from app.ingest.pxweb_api.transport import Client, FetchError, Limits, TooManyValues

API_MARK = "/api/v1/"
DEFAULT_LIMITS = Limits(max_values=100_000, max_calls=10, time_window=10.0)  # when ?config is not published
Progress = Callable[[int, int], None]


@dataclass
class FetchStats:
    queries: int = 0  # data queries answered
    cells: int = 0
    calls: int = 0  # HTTP requests of any kind, repeats included
    retries: int = 0
    throttled: int = 0  # HTTP 429 answers waited for
    splits: int = 0  # HTTP 403 answers (a query over the cell limit) halved and asked again
    seconds: float = 0.0
    months: list[date] = field(default_factory=list)
    skipped_areas: list[str] = field(default_factory=list)
    skipped_contents: list[str] = field(default_factory=list)
    limits: Limits | None = None

    def summary(self) -> str:
        if not self.months:
            return f"nothing new: no data query sent ({self.calls} call(s), {self.seconds:.1f} s)"
        span = month_code(self.months[0]) + (f" … {month_code(self.months[-1])}" if len(self.months) > 1 else "")
        return (f"{len(self.months)} month(s) ({span}), {self.cells:,} cells in {self.queries:,} queries "
                f"({self.calls:,} calls), {self.retries} retries, {self.throttled} waits on HTTP 429, "
                f"{self.splits} queries halved on HTTP 403, {self.seconds:.1f} s")


@dataclass
class FetchResult:
    url: str
    title: str
    updated: str | None  # the table's `updated` time as the service gave it
    retrieved_at: datetime  # UTC
    document: dict | None  # one JSON-stat 2.0 dataset; None when there was nothing new to fetch
    stats: FetchStats

    @property
    def nothing_new(self) -> bool:
        return self.document is None

    def write(self, path: Path | str) -> Path:
        if self.document is None:
            raise ValueError("nothing was fetched, so there is no document to write")
        return write_json_stat(self.document, path)


def api_root(table_url: str) -> str:
    """https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/… -> https://pxdata.stat.fi/PxWeb/api/v1/"""
    at = table_url.lower().find(API_MARK)
    if urlsplit(table_url).scheme not in ("http", "https") or at < 0:
        raise FetchError(table_url, "not a PxWeb API v1 table URL (expected …/api/v1/LANG/…/TABLE.px, e.g. "
                                    "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px)")
    return table_url[:at + len(API_MARK)]


def read_limits(client: Client, table_url: str) -> Limits:
    """`GET {root}{lang}/?config` (where pxdata.stat.fi answers), else `{root}?config`, else the defaults."""
    root = api_root(table_url)
    lang = table_url[len(root):].split("/", 1)[0]
    for url in ([f"{root}{lang}/?config"] if lang else []) + [root + "?config"]:
        try:
            config = client.get_json(url)
        except FetchError as exc:
            if exc.status in (400, 404):
                continue
            raise
        if isinstance(config, dict):
            return Limits(_positive(config.get("maxValues"), DEFAULT_LIMITS.max_values),
                          _positive(config.get("maxCalls"), DEFAULT_LIMITS.max_calls),
                          float(_positive(config.get("timeWindow"), DEFAULT_LIMITS.time_window)))
    return DEFAULT_LIMITS


def _positive(value, default):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else default


def fetch_table(table_url: str, *, areas: Collection[str] | None = None, contents: Collection[str] | None = None,
                first: date | None = None, last: date | None = None, after: date | None = None,
                select: dict[str, Collection[str]] | None = None, client: Client | None = None,
                limits: Limits | None = None, on_progress: Progress | None = None,
                now: Callable[[], datetime] | None = None) -> FetchResult:
    """Fetch the table's cells for the known `areas` and mapped `contents` (None: all), the months from
    `first` to `last` and after `after` (the latest month already loaded), as one JSON-stat document.

    `limits` overrides the service's published ones (a plan that is too big still recovers on 403).
    """
    api_root(table_url)
    client = client or Client()
    started = client.clock()
    meta = parse_metadata(table_url, client.get_json(table_url))
    plan = make_plan(table_url, meta, areas=areas, contents=contents, first=first, last=last, after=after,
                     select=select)
    stats = FetchStats(months=plan.months, skipped_areas=plan.skipped_areas, skipped_contents=plan.skipped_contents)
    retrieved_at = (now or (lambda: datetime.now(timezone.utc)))()
    document = None
    if plan.months:
        stats.limits = limits or read_limits(client, table_url)
        client.pace(stats.limits.max_calls, stats.limits.time_window)
        document = _run(client, table_url, meta, plan, stats, on_progress)
    stats.calls, stats.retries, stats.throttled = client.counts.calls, client.counts.retries, client.counts.throttled
    stats.seconds = client.clock() - started
    updated = (document or {}).get("updated") or meta.updated
    return FetchResult(table_url, meta.title, updated, retrieved_at, document, stats)


def _run(client: Client, url: str, meta: TableMeta, plan: Plan, stats: FetchStats,
         on_progress: Progress | None) -> dict:
    limit = stats.limits.max_values
    order = plan.split_order
    pending = deque(plan.queries(limit))
    merger = Merger(url, meta, plan)
    done, total = 0, plan.cells
    if on_progress:
        on_progress(done, total)
    while pending:
        query = pending.popleft()
        if query.cells > limit:
            pending.extendleft(reversed(query.split(limit, order)))
            continue
        try:
            answer = client.post_json(url, query.body())
        except TooManyValues as exc:
            halves = query.halves(order)
            if not halves:
                raise FetchError(url, f"the service refuses even a single-cell query (HTTP 403: {exc})",
                                 status=403) from None
            stats.splits += 1
            limit = min(limit, max(h.cells for h in halves))  # later queries come sized so
            pending.extendleft(reversed(halves))
            continue
        merger.add(query, answer)
        stats.queries += 1
        stats.cells += query.cells
        done += query.cells
        if on_progress:
            on_progress(done, total)
    return merger.document()
