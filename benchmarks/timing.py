"""Timing and reporting: runs, median and 95th percentile, the targets of the issue, a printed table."""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from dataclasses import dataclass, field

P95_MS_SQLITE, P95_MS_POSTGRES, FLOOR_RATIO = 100.0, 250.0, 3.0
MAP_BYTES, FIRST_CHART_S, COLD_START_S, DEMO_BUILD_S = 150_000, 1.5, 2.0, 20.0


@dataclass
class Result:
    name: str
    runs_ms: list[float]
    facts: dict = field(default_factory=dict)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def p95_ms(self) -> float:
        return percentile(self.runs_ms, 95)


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: with 20 runs the 95th percentile is the second slowest."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)]


def environment(db_description: str) -> dict:
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(), "database": db_description,
            "load_average_1min": round(load, 2) if load is not None else None,
            "date": time.strftime("%Y-%m-%d %H:%M")}


def targets(report: dict, scale: float, db_url: str) -> dict[str, bool | None]:
    """Each target of the issue, met (True), missed (False) or not measured (None)."""
    postgres = db_url.startswith("postgres")
    limit = P95_MS_POSTGRES if postgres else P95_MS_SQLITE
    rows = report.get("interactions", [])
    first = report.get("browser_first_chart_s") or {}
    demo = report.get("demo_build_s") or {}
    return {
        f"p95 per interaction <= {limit:g} ms": all(r["p95_ms"] <= limit for r in rows) if rows else None,
        f"p95 <= {FLOOR_RATIO:g} x SQL floor": all(r["p95_ms"] <= FLOOR_RATIO * r["sql_floor_ms"] for r in rows)
        if rows else None,
        f"map figure <= {MAP_BYTES // 1000} KB": (report["map_payload_bytes"] <= MAP_BYTES
                                                  if report.get("map_payload_bytes") else None),
        f"new session's first chart <= {FIRST_CHART_S:g} s (browser)": (first["median"] <= FIRST_CHART_S
                                                                        if first else None),
        f"cold start <= {COLD_START_S:g} s": (report["cold_start_s"] <= COLD_START_S
                                              if report.get("cold_start_s") is not None else None),
        f"demo build <= {DEMO_BUILD_S:g} s": (max(demo.values()) <= DEMO_BUILD_S if demo else None),
    }


def print_report(report: dict) -> None:
    env = report["environment"]
    print(f"Pilot Tracker benchmark · {env['date']} · Python {env['python']} · {env['cpus']} CPU(s) · "
          f"load {env['load_average_1min']} · {env['platform']}")
    print(f"database: {env['database']} · scale {report['scale']:g} · {report['observations']:,} observations")
    print(f"\n{'interaction':<28} {'n':>3} {'median ms':>10} {'p95 ms':>9} {'SQL floor ms':>13} {'p95/floor':>9}")
    for row in report.get("interactions", []):
        ratio = f"{row['ratio']:.1f}" if row["ratio"] is not None else "–"
        print(f"{row['page'] + ': ' + row['action']:<28} {row['n']:>3} {row['median_ms']:>10.1f} "
              f"{row['p95_ms']:>9.1f} {row['sql_floor_ms']:>13.1f} {ratio:>9}")
    payload = report.get("map_payload", {})
    if payload:
        print(f"\nmap figure sent: {payload['open_bytes']:,} bytes on opening ({payload['open_gzip_bytes']:,} gzipped), "
              f"{payload['month_change_bytes']:,} after a month change")
    for key in ("geometry_bytes", "snapshot_bytes", "server_ready_s", "cold_start_s", "cold_first_chart_s",
                "new_session_first_chart_s", "browser_first_chart_s", "browser_returning_first_chart_s",
                "server_peak_rss_mb", "bench_process_peak_rss_mb", "demo_build_s", "bench_build_s"):
        if report.get(key) is not None:
            print(f"{key}: {report[key]}")
    print("\ntargets:")
    for name, met in report.get("targets", {}).items():
        print(f"  {'met' if met else ('MISSED' if met is False else 'not measured'):<12} {name}")
