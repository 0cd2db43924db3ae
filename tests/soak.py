"""Soak: scripted browsing of the real server in Chromium by several sessions at once, with the server's
memory sampled, for as long as asked (the issue's run: 30 minutes, 10 sessions).

    .venv/bin/python -m tests.soak --minutes 30 --sessions 10 [--db URL] [--json artifacts/soak.json]

Every session opens pages with random valid and hostile URL states, waits for each run to finish and
records any Streamlit exception, error box or browser dialog. The server's resident memory (VmRSS of
the streamlit process) is sampled every few seconds; growth is measured from the end of the warm-up
(the first fifth of the run, when caches fill) to the end. Traffic goes to 127.0.0.1 only, and the
run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app.server_process import free_port, memory_mb

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PAGES = ["/", "/map", "/trends", "/gauges", "/area", "/compare", "/data"]
INDICATORS = ["unemployment_share", "pilot_clients", "client_share", "jobseekers", "unemployed_jobseekers"]
AREAS = ["SSS", "GRP_PILOT", "GRP_OTHER", "PILOT01", "PILOT09", "ELY01", "ELY07", "KU091", "KU837", "MK02"]
HOSTILE = ["<script>alert(1)</script>", "'; DROP TABLE observation; --", "%00", "2021-13", "x" * 500,
           ",".join(["KU091"] * 300), "[x](javascript:alert(1))"]
SETTLE_S = 60


def random_url(rng: random.Random) -> str:
    page = rng.choice(PAGES)
    params = {"lang": rng.choice(["fi", "sv", "en"])}
    if page in ("/map", "/trends"):
        params["indicator"] = rng.choice(INDICATORS)
    if page == "/area":
        params["areas"] = rng.choice(AREAS)
    if page == "/trends":
        params["areas"] = ",".join(rng.sample(AREAS, rng.randint(1, 4)))
        params["mode"] = rng.choice(["value", "index", "yoy"])
    if page in ("/map", "/gauges"):
        params["month"] = f"{rng.randint(2019, 2024)}-{rng.randint(1, 12):02d}"
    if page == "/map":
        params["level"] = rng.choice(["municipality", "pilot", "ely", "region"])
    if rng.random() < 0.15:  # a hostile value in a random parameter
        params[rng.choice(list(params) + ["areas", "zzz"])] = rng.choice(HOSTILE)
    query = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in params.items())
    return f"{page}?{query}"


async def settle(tab) -> None:
    await tab.wait_for_selector("[data-testid='stAppViewContainer'] h1", timeout=SETTLE_S * 1000)
    deadline = time.monotonic() + SETTLE_S
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        state = await tab.evaluate(
            "() => document.querySelector(\"[data-testid='stApp']\")?.getAttribute('data-test-script-state')")
        quiet = quiet + 1 if state == "notRunning" else 0
        await asyncio.sleep(0.3)


async def session(n: int, browser, base: str, until: float, report: dict) -> None:
    rng = random.Random(n)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = await context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), asyncio.ensure_future(d.dismiss())))
    while time.monotonic() < until:
        url = random_url(rng)
        try:
            await tab.goto(base + url, timeout=SETTLE_S * 1000)
            await settle(tab)
            problems = await tab.locator("[data-testid='stException'], [data-testid='stAlertContentError']"
                                         ).all_inner_texts()
            if problems or dialogs:
                report["errors"].append({"session": n, "url": url, "problems": problems[:2], "dialogs": dialogs[:]})
                dialogs.clear()
            report["pages"] += 1
        except Exception as exc:  # noqa: BLE001 - a page that did not load is an error of the run
            report["errors"].append({"session": n, "url": url, "problems": [f"{type(exc).__name__}: {exc}"[:300]]})
        await asyncio.sleep(rng.uniform(0.5, 2.0))  # a person reads the page
    await context.close()


async def sample_memory(pid: int, until: float, samples: list, every_s: float) -> None:
    started = time.monotonic()
    while time.monotonic() < until:
        samples.append((round(time.monotonic() - started, 1), round(memory_mb(pid) or 0.0, 1)))
        await asyncio.sleep(every_s)


async def browse(base: str, pid: int, minutes: float, sessions: int) -> dict:
    from playwright.async_api import async_playwright

    report: dict = {"pages": 0, "errors": [], "samples": []}
    until = time.monotonic() + minutes * 60
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        await asyncio.gather(sample_memory(pid, until, report["samples"], max(2.0, minutes * 60 / 300)),
                             *[session(n, browser, base, until, report) for n in range(sessions)])
        await browser.close()
    return report


def summarise(report: dict, minutes: float, sessions: int) -> dict:
    samples = report.pop("samples")
    warm = [mb for at, mb in samples if at >= minutes * 60 / 5]
    baseline = warm[0] if warm else samples[0][1]
    tail = [mb for _, mb in samples[-5:]]
    final = sum(tail) / len(tail)
    return {
        "minutes": minutes, "sessions": sessions, "pages": report["pages"], "errors": len(report["errors"]),
        "error_examples": report["errors"][:10], "rss_first_mb": samples[0][1], "rss_after_warmup_mb": baseline,
        "rss_final_mb": round(final, 1), "rss_max_mb": max(mb for _, mb in samples),
        "growth_after_warmup_pct": round(100 * (final - baseline) / baseline, 1),
        "samples": samples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--db", default=f"sqlite:///{ROOT / 'data' / 'demo.sqlite'}")
    parser.add_argument("--json", default=str(ROOT / "artifacts" / "soak.json"))
    args = parser.parse_args(argv)
    port = free_port()
    env = {**os.environ, "PILOT_TRACKER_DB": args.db}
    log = Path(args.json).with_suffix(".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port",
                                   str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
                                   "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        report = asyncio.run(browse(base, server.pid, args.minutes, args.sessions))
    finally:
        server.terminate()
        server.wait(timeout=30)
    summary = summarise(report, args.minutes, args.sessions)
    Path(args.json).write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    print(json.dumps({k: v for k, v in summary.items() if k != "samples"}, indent=1, ensure_ascii=False))
    return 0 if summary["errors"] == 0 and summary["growth_after_warmup_pct"] < 20 else 1


if __name__ == "__main__":
    sys.exit(main())
