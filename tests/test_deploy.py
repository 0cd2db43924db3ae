"""The scale-out deployment (docs/deploy.md): nginx in front of two replicas, one killed, new sessions still work.

Starts deploy/start.py's cluster on loopback ports (Debian's nginx, two `python -m app.ui.serve`
replicas on a copy of the demo database with boundaries), drives Chromium through nginx, stops the
replica that served the first session, and opens new sessions. Also: the static snapshot site and the
maps' boundaries come from nginx with cache headers, Streamlit's JavaScript compressed, and a fresh
replica's first request to a page URL runs its script once.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest

from benchmarks.client import Session, run_async
from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def cluster(demo_sqlite, tmp_path_factory, chromium):
    if shutil.which("nginx") is None:
        pytest.skip("nginx not installed (apt-get install nginx); .ci/run installs it")
    from app.ingest.boundaries import load_boundaries

    folder = tmp_path_factory.mktemp("deploy")
    shutil.copyfile(demo_sqlite.removeprefix("sqlite:///"), folder / "demo.sqlite")
    db = f"sqlite:///{folder / 'demo.sqlite'}"
    load_boundaries(db, ROOT / "data" / "boundaries" / "municipalities-2021.topo.json", 2021)
    # nginx's workers run as an unprivileged user: what they read and write must be open to them,
    # unlike pytest's own temporary folders (mode 0700), as on a server (docs/deploy.md).
    shared = Path(tempfile.mkdtemp(prefix="pilot-tracker-deploy-"))
    shared.chmod(0o755)
    snapshots = shared / "snapshots"
    snapshots.mkdir(mode=0o755)
    (snapshots / "index.html").write_text("<!doctype html><title>Pilot Tracker snapshots</title>", encoding="utf-8")
    (snapshots / "index.html").chmod(0o644)
    sys.path.insert(0, str(ROOT / "deploy"))
    from start import start

    running = start(db, replicas=2, run_dir=shared / "run", snapshots=snapshots)
    try:
        yield running
    finally:
        running.stop()
        shutil.rmtree(shared, ignore_errors=True)


def headers(url: str, **sent: str) -> dict[str, str]:
    request = urllib.request.Request(url, headers=sent)
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return {k.lower(): v for k, v in response.headers.items()}


def replica_of(context, base_url: str) -> int:
    """The replica port nginx sends this browser's requests to (its sticky cookie decides)."""
    answer = context.request.get(f"{base_url}/_stcore/health")
    assert answer.ok
    return int(answer.headers["x-replica"].rsplit(":", 1)[1])


def open_page(browser, base_url: str, path: str, shot: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    tab = context.new_page()
    tab.goto(f"{base_url}/{path}")
    tab.wait_for_selector(CHART, state="visible", timeout=90_000)
    assert tab.locator("[data-testid='stException']").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"deploy-{shot}.png"), full_page=True)
    return context, tab


def test_a_fresh_replica_runs_a_page_url_once(cluster):
    port = next(iter(cluster.replicas))

    async def first_request():
        async with Session(f"http://127.0.0.1:{port}") as session:
            return await session.open("map", lang="en")

    run = run_async(first_request)
    assert run.errors == [] and run.chart_bytes
    assert run.reruns == 0  # app.ui.serve cleared Streamlit's pages/ flag before the first session


def test_nginx_serves_the_static_parts_with_cache_headers(cluster):
    snapshot = headers(f"{cluster.url}/snapshots/")
    assert "max-age=3600" in snapshot["cache-control"]
    bundle = next((Path(__import__("streamlit").__file__).parent / "static" / "static" / "js").glob("PlotlyChart*.js"))
    script = headers(f"{cluster.url}/static/js/{bundle.name}", **{"Accept-Encoding": "gzip"})
    assert script["content-encoding"] == "gzip" and "immutable" in script["cache-control"]
    assert "x-replica" not in script  # nginx answered itself, no replica was asked


def test_new_sessions_work_after_the_replica_of_a_session_is_killed(cluster, browser):
    first, tab = open_page(browser, cluster.url, "map?lang=en", "map-before")
    served = replica_of(first, cluster.url)
    assert served in cluster.replicas
    geometry = tab.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)"
                            ".filter(n => n.includes('/app/static/geo/'))")
    assert geometry  # the browser fetched the boundaries once, from nginx
    assert "immutable" in headers(geometry[0])["cache-control"]

    cluster.stop_replica(served)
    survivor = next(iter(cluster.replicas))
    second, _ = open_page(browser, cluster.url, "trends?lang=sv", "trends-after")
    assert replica_of(second, cluster.url) == survivor
    tab.reload()  # the first visitor's cookie points at the dead replica: nginx moves it on
    tab.wait_for_selector(CHART, state="visible", timeout=90_000)
    assert tab.locator("[data-testid='stException']").count() == 0
    third, _ = open_page(browser, cluster.url, "gauges?lang=fi", "gauges-after")
    for context in (first, second, third):
        context.close()
