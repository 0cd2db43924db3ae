"""Timing and reporting: median and 95th percentile over repeated runs after one untimed warm-up."""

from __future__ import annotations

import gzip
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass
class Result:
    name: str
    runs_ms: list[float]
    facts: dict = field(default_factory=dict)  # rows, features, json_bytes, gzip_bytes, note

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.runs_ms)
        return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]

    def as_dict(self) -> dict:
        return {**asdict(self), "n": len(self.runs_ms), "median_ms": round(self.median_ms, 2),
                "p95_ms": round(self.p95_ms, 2)}


def measure(name: str, fn: Callable[[], object], repeat: int,
            describe: Callable[[object], dict] = lambda _: {}) -> tuple[Result, object]:
    """fn's wall time over repeat runs after one untimed warm-up run, and fn's last return value."""
    fn()
    runs, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        runs.append((time.perf_counter() - started) * 1000)
    return Result(name, runs, describe(value)), value


def timed_once(name: str, fn: Callable[[], object], facts: dict | None = None) -> Result:
    """One timed run, for what cannot be warmed up (a build into a new file)."""
    started = time.perf_counter()
    fn()
    return Result(name, [(time.perf_counter() - started) * 1000], facts or {})


def payload_size(payload: str) -> dict:
    raw = payload.encode("utf-8")
    return {"json_bytes": len(raw), "gzip_bytes": len(gzip.compress(raw))}


def facts_text(facts: dict) -> str:
    parts = []
    if "rows" in facts:
        parts.append(f"{facts['rows']:,} rows")
    if "features" in facts:
        parts.append(f"{facts['features']} features")
    if "json_bytes" in facts:
        parts.append(f"{facts['json_bytes'] / 1024:,.0f} KiB JSON, {facts['gzip_bytes'] / 1024:,.0f} KiB gzipped")
    if "note" in facts:
        parts.append(facts["note"])
    return ", ".join(parts)


def environment(db_description: str) -> dict:
    return {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(), "database": db_description,
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def print_table(env: dict, sections: dict[str, list[Result]], notes: list[str], repeat: int) -> None:
    print(f"Pilot Tracker benchmark · {env['date']} · Python {env['python']} · {env['cpus']} CPU(s) · "
          f"{env['platform']}")
    print(f"database: {env['database']} · queries, views and map: median and p95 of {repeat} runs after a warm-up")
    width = max((len(r.name) for results in sections.values() for r in results), default=40)
    for title, results in sections.items():
        if not results:
            continue
        print(f"\n{title}")
        print(f"  {'measurement':<{width}}  {'n':>3}  {'median ms':>10}  {'p95 ms':>10}  result")
        for r in results:
            print(f"  {r.name:<{width}}  {len(r.runs_ms):>3}  {r.median_ms:>10.1f}  {r.p95_ms:>10.1f}  "
                  f"{facts_text(r.facts)}")
    for note in notes:
        print(f"note: {note}")
