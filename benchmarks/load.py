"""python -m benchmarks.load: many people using the dashboard at once, through the deployment of docs/deploy.md.

Starts the cluster of deploy/start.py (nginx and --replicas Streamlit processes, on the benchmark
database of --scale or on --db) unless --url names a running one, then runs --sessions sessions
at once, each through benchmarks.client (the browser's protocol, without drawing): open the map,
change the month, the indicator and the level, go to the trends and change the areas and the mode,
go to the gauges and change the month, with a few seconds of reading between steps. Reports each
step's response time (request to the end of the script run: median, p95, max), the errors, and the
memory of every server process before and after. The browser's own drawing is not in these numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.client import Session, Widget, run_async
from app.server_process import memory_mb
from benchmarks.timing import environment, percentile

ROOT = Path(__file__).resolve().parent.parent


def _option(index: int):
    return lambda widget: widget.options[index % len(widget.options)]


def _areas(rng: random.Random):
    def choose(widget: Widget) -> list[str]:
        return [widget.options[0], *rng.sample(widget.options[1:40], 3)]
    return choose


async def one_user(base_url: str, user: int, think_s: tuple[float, float], log: list[dict]) -> None:
    """One person's visit: every step timed and checked; a failure is recorded, never raised."""
    rng = random.Random(user)
    lang = ("fi", "sv", "en")[user % 3]

    async def step(name: str, action) -> None:
        await asyncio.sleep(rng.uniform(*think_s))
        started = time.perf_counter()
        try:
            run = await action()
            log.append({"user": user, "step": name, "s": run.seconds, "errors": run.errors,
                        "bytes": run.received_bytes})
        except Exception as exc:  # noqa: BLE001 - a timeout or a dropped connection is the result
            log.append({"user": user, "step": name, "s": time.perf_counter() - started,
                        "errors": [f"{type(exc).__name__}: {exc}"], "bytes": 0})
            raise

    session = Session(base_url)
    try:
        await step("open map", lambda: session.open("map", lang=lang))
        await step("change month", lambda: session.change("url_month", _option(-2 - rng.randrange(12))))
        await step("change month", lambda: session.change("url_month", _option(-2 - rng.randrange(60))))
        await step("change indicator", lambda: session.change("url_indicator", _option(rng.randrange(34))))
        await step("change level", lambda: session.change("url_level", _option(1 + rng.randrange(3))))
        await step("go to trends", lambda: session.goto("trends", lang=lang))
        await step("change areas", lambda: session.change("url_areas", _areas(rng)))
        await step("change mode", lambda: session.change("url_mode", _option(2)))
        await step("go to gauges", lambda: session.goto("gauges", lang=lang))
        await step("change month", lambda: session.change("url_month", _option(-2 - rng.randrange(24))))
    except Exception:  # noqa: BLE001 - already logged by step()
        pass
    finally:
        await session.close()


async def crowd(base_url: str, sessions: int, ramp_s: float, think_s: tuple[float, float]) -> tuple[list[dict], float]:
    log: list[dict] = []

    async def later(user: int) -> None:
        await asyncio.sleep(ramp_s * user / max(sessions, 1))
        await one_user(base_url, user, think_s, log)

    started = time.perf_counter()
    await asyncio.gather(*(later(u) for u in range(sessions)))
    return log, time.perf_counter() - started


def summary(log: list[dict]) -> dict:
    times = [row["s"] * 1000 for row in log]
    by_step: dict[str, list[float]] = {}
    for row in log:
        by_step.setdefault(row["step"], []).append(row["s"] * 1000)
    return {
        "steps": len(log), "errors": sum(1 for row in log if row["errors"]),
        "error_samples": [row["errors"][0] for row in log if row["errors"]][:5],
        "median_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(percentile(times, 95), 1) if times else None,
        "max_ms": round(max(times), 1) if times else None,
        "by_step": {step: {"n": len(v), "median_ms": round(statistics.median(v), 1),
                           "p95_ms": round(percentile(v, 95), 1)} for step, v in by_step.items()},
    }


def memory(pids: dict[str, int]) -> dict[str, dict]:
    return {name: {"rss_mb": round(memory_mb(pid) or 0, 1), "peak_mb": round(memory_mb(pid, peak=True) or 0, 1)}
            for name, pid in pids.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--url", help="a running deployment to load instead of starting one")
    parser.add_argument("--db", help="the database the started replicas read (default: the benchmark's scale)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds over which the sessions arrive")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
                        help="seconds a user reads between two steps (uniform)")
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "deploy"))
    from start import start  # deploy/start.py: the cluster of docs/deploy.md

    cluster = None
    try:
        if args.url:
            base_url, pids = args.url, {}
        else:
            from benchmarks.dataset import bench_database, reader_url

            db = reader_url(args.db or bench_database(args.scale).url)
            run_dir = Path(tempfile.mkdtemp(prefix="pilot-tracker-load-"))
            cluster = start(db, replicas=args.replicas, run_dir=run_dir, snapshots=run_dir)
            base_url = cluster.url
            pids = {"nginx": cluster.nginx.pid, **{f"replica {p}": proc.pid for p, proc in cluster.replicas.items()}}
            run_async(lambda: crowd(base_url, args.replicas, 0, (0, 0)))  # each replica's caches warm, as in service
        before = memory(pids)
        log, wall_s = run_async(lambda: crowd(base_url, args.sessions, args.ramp, tuple(args.think)))
        after = memory(pids)
    finally:
        if cluster is not None:
            cluster.stop()
    report = {"environment": environment(base_url), "sessions": args.sessions, "replicas": args.replicas,
              "think_s": list(args.think), "ramp_s": args.ramp, "wall_s": round(wall_s, 1), **summary(log),
              "memory_before": before, "memory_after": after}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
