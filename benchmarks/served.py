"""What a served app costs: the cold start to the first chart, a new session's first chart, and memory.

The server is started as production starts it (`python -m app.ui.serve`, .streamlit/config.toml),
on a free loopback port, and spoken to through benchmarks.client (the browser's websocket
protocol) and, when Debian's Chromium is there, through a real browser that draws the chart.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.settings import PROJECT_ROOT
from app.server_process import free_port, memory_mb, stop, wait_until_healthy
from benchmarks.client import Session, off_loop, run_async

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg"
START_TIMEOUT_S = 120


@contextmanager
def served(db_url: str, port: int | None = None, log_path: Path | None = None,
           extra: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """The app served on a free loopback port: (base URL, process, the time it was started)."""
    port = port or free_port()
    env = {**os.environ, "PILOT_TRACKER_DB": db_url}
    launcher = ["-m", "app.ui.serve"] if (PROJECT_ROOT / "app" / "ui" / "serve.py").is_file() else \
        ["-m", "streamlit", "run", "streamlit_app.py"]  # a tree from before the launcher
    command = [sys.executable, *launcher, "--server.port", str(port), "--server.address", "127.0.0.1", *extra]
    log = open(log_path or os.devnull, "wb")  # noqa: SIM115 - closed below
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}", process, started
    finally:
        stop(process)
        log.close()


async def _first_chart(base_url: str, page: str, lang: str) -> tuple[float, list[int], list[str]]:
    async with Session(base_url) as session:
        run = await session.open(page, lang=lang)
        return run.first_chart_s or run.seconds, run.chart_bytes, run.errors


def browser_first_chart_s(base_url: str, page: str, lang: str, repeat: int) -> tuple[list[float], list[float]]:
    """Seconds from navigating a tab to the page until its chart is drawn (Chromium): in a fresh browser
    profile each time (a first visit: Streamlit's 5 MB of JavaScript fetched and compiled again), and in
    new tabs of one profile that has been there before (a returning visitor: the files from its cache)."""
    from playwright.sync_api import sync_playwright

    def drawn_s(context) -> float:
        tab = context.new_page()
        started = time.perf_counter()
        tab.goto(f"{base_url}/{page}?lang={lang}")
        tab.wait_for_selector(CHART, state="visible", timeout=60_000)
        elapsed = time.perf_counter() - started
        tab.close()
        return elapsed

    viewport = {"width": 1400, "height": 1000}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            first_visits = []
            for _ in range(repeat + 1):  # the first also warms the server's side of a browser's first visit
                context = browser.new_context(viewport=viewport)
                first_visits.append(drawn_s(context))
                context.close()
            returning = browser.new_context(viewport=viewport)
            drawn_s(returning)  # fills this profile's cache
            returns = [drawn_s(returning) for _ in range(repeat)]
            returning.close()
        finally:
            browser.close()
    return first_visits[1:], returns


def served_results(db_url: str, repeat: int, page: str = "map", lang: str = "en") -> dict:
    """Cold start to the first chart, then new sessions on the warm server, then the server's peak memory."""
    out: dict = {}
    with served(db_url) as (base_url, process, started):
        wait_until_healthy(base_url, process, START_TIMEOUT_S, 0.02)
        out["server_ready_s"] = round(time.perf_counter() - started, 3)
        first, chart_bytes, errors = run_async(lambda: _first_chart(base_url, page, lang))
        out["cold_start_s"] = round(time.perf_counter() - started, 3)
        out["cold_first_chart_s"] = round(first, 3)
        if errors:
            raise RuntimeError(f"the first {page} page failed: {errors}")
        sessions = [run_async(lambda: _first_chart(base_url, page, lang))[0] for _ in range(repeat)]
        out["new_session_first_chart_s"] = {"median": round(statistics.median(sessions), 3),
                                            "p95": round(sorted(sessions)[max(0, -(-len(sessions) * 95 // 100) - 1)], 3)}
        out["map_figure_bytes_sent"] = max(chart_bytes) if chart_bytes else None
        if CHROMIUM.exists():
            drawn, returning = off_loop(browser_first_chart_s, base_url, page, lang, max(3, repeat // 3))
            out["browser_first_chart_s"] = {"median": round(statistics.median(drawn), 3), "max": round(max(drawn), 3)}
            out["browser_returning_first_chart_s"] = {"median": round(statistics.median(returning), 3),
                                                      "max": round(max(returning), 3)}
        out["server_peak_rss_mb"] = round(memory_mb(process.pid, peak=True) or 0, 1)
    return out
