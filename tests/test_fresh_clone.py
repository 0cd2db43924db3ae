"""A new user's first run: a clean clone with no ../shared beside it, `make install`, and the real map.

The clone is of the committed HEAD (uncommitted changes are not in it), made in a temporary folder
that has no `shared` sibling; `make install` there builds its own .venv (pip's cache makes it quicker)
and its demo database, and the clone's own Streamlit serves it. Chromium, with every request that
leaves this machine blocked, must then draw municipality polygons on the map page (the page asks no
other host for anything: tests/test_accessibility.py checks every page). The page is saved as
artifacts/screenshots/fresh-clone-map.png for a human to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from app.i18n import t
from tests.conftest import ROOT
from tests.test_browser import (
    CHART, CHART_MS, RENDER_MS, SCREENSHOTS, assert_choropleth_of_municipalities, assert_no_errors, heading,
    settle, streamlit_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INSTALL_TIMEOUT_S = 1200
VIEWPORT = {"width": 1400, "height": 2200}
# Variables of this test run that would point the clone at something other than its own files.
FOREIGN_ENV = ("PILOT_TRACKER_DB", "PILOT_TRACKER_LANG", "PILOT_TRACKER_SHARED", "VIRTUAL_ENV", "PYTHONPATH")


def _run(command: list[str], cwd: Path, env: dict[str, str], log: Path, timeout: float) -> None:
    with log.open("ab") as out:
        done = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"`{' '.join(command)}` failed with {done.returncode}:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A clone of HEAD after `make install`, and the environment to run it in."""
    for tool in ("git", "make"):
        if shutil.which(tool) is None:
            pytest.fail(f"`{tool}` is not installed; a new user needs it to follow the README")
    workspace = tmp_path_factory.mktemp("fresh")
    clone = workspace / "pilot-tracker"
    assert not (workspace / "shared").exists()
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(str(ROOT)))  # not this checkout's .venv/bin
    log = workspace / "install.log"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    _run(["git", "clone", "--quiet", str(ROOT), str(clone)], workspace, env, log, 300)
    cloned = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True).stdout.strip()
    assert cloned == head, f"the clone checked out {cloned}, not this checkout's HEAD {head}"
    _run(["make", "install"], clone, env, log, INSTALL_TIMEOUT_S)
    assert (clone / "data" / "demo.sqlite").is_file(), log.read_text()[-4000:]
    assert "309 municipalities" in log.read_text(), f"no boundaries loaded:\n{log.read_text()[-4000:]}"
    return clone, env


@pytest.fixture(scope="module")
def clone_url(fresh_clone, tmp_path_factory):
    clone, env = fresh_clone
    log = tmp_path_factory.mktemp("clone-server") / "streamlit.log"
    with streamlit_server([str(clone / ".venv" / "bin" / "streamlit")], clone, env, log) as base_url:
        yield base_url


def test_a_fresh_clone_draws_the_real_map_offline(browser, clone_url):
    context = browser.new_context(viewport=VIEWPORT, base_url=clone_url)
    context.set_default_timeout(RENDER_MS)
    local = urlparse(clone_url).netloc
    leaving: list[str] = []

    def only_local(route) -> None:
        if urlparse(route.request.url).netloc == local:
            route.continue_()
        else:
            leaving.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    try:
        tab.goto("/map?lang=en")
        settle(tab)
        tab.wait_for_selector(CHART, state="visible", timeout=CHART_MS)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "fresh-clone-map.png"), full_page=True)
        assert heading(tab) == t("map.title", "en")
        assert_no_errors(tab)
        assert_choropleth_of_municipalities(tab)
        no_boundaries = t("map.no_boundaries", "en").split("`")[0][:40]
        assert not tab.get_by_text(no_boundaries).count(), "the map page says it has no boundaries"
        # Requests off this machine are blocked, so the map above was drawn offline; none may be for map data
        # (plotly.js fetches a world topojson from its CDN when a geo subplot needs one).
        map_data = [url for url in leaving if "topojson" in url or "plot.ly" in url]
        assert not map_data, f"the map asked for data off this machine: {map_data[:5]}"
    finally:
        context.close()
