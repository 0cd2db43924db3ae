"""Browser tier: the real Streamlit server on a free port, driven through Debian's Chromium by Playwright.

Run on their own with `pytest -m browser`. Playwright never downloads a browser
here: it launches /usr/bin/chromium. Without that binary the tests skip, unless $CI is set (then they
fail, because CI must run them). Every page is saved as a full-page screenshot per language under
artifacts/screenshots/ for a human to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from app.db import readonly_engine
from app.i18n import t
from app.indicators import registry
from app.queries import areas as areas_frame_of
from app.server_process import free_port, stop, wait_until_healthy
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

BOUNDARY_FILE = ROOT / "data" / "boundaries" / "municipalities-2021.topo.json"  # the file `make` loads
BOUNDARY_ATTRIBUTION = "Statistics Finland, municipal boundaries 1:4.5M 2021, CC BY 4.0"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VENV_BIN = Path(sys.executable).parent

LANGS = ("fi", "sv", "en")
PICKER_LABEL = "Kieli · Språk · Language"
LANGUAGE_BUTTONS = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
# URL path (also the catalogue prefix of the page title) -> whether the page must draw a Plotly chart.
PAGES = {"overview": False, "map": True, "trends": True, "gauges": True, "data": False}

SERVER_START_S = 60
RENDER_MS = 30_000
CHART_MS = 45_000

APP = "[data-testid='stAppViewContainer']"
STATUS = "[data-testid='stStatusWidget']"
SCRIPT_STATE = "document.querySelector(\"[data-testid='stApp']\")?.getAttribute('data-test-script-state')"
DIALOG = "[role='dialog']"
EXCEPTION = "[data-testid='stException']"
ERROR_ALERT = "[data-testid='stAlertContentError']"
WARNING_ALERT = "[data-testid='stAlertContentWarning']"
CHART = ".js-plotly-plot .main-svg"
CHART_ELEMENT = "[data-testid='stPlotlyChart']"


# --- the server -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_db(demo_sqlite, tmp_path_factory) -> str:
    """A copy of the session's demo database with the shipped 2021 boundaries loaded, as `make` does.

    A copy, so loading boundaries does not change the database the AppTest page tests read.
    """
    source = Path(demo_sqlite.removeprefix("sqlite:///"))
    target = tmp_path_factory.mktemp("browser") / "demo.sqlite"
    shutil.copyfile(source, target)
    url = f"sqlite:///{target}"
    loaded = subprocess.run([str(VENV_BIN / "pilot-tracker"), "boundaries", "load", str(BOUNDARY_FILE),
                             "--year", "2021", "--db", url, "--licence", BOUNDARY_ATTRIBUTION],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert loaded.returncode == 0, f"loading boundaries failed:\n{loaded.stdout}\n{loaded.stderr}"
    return url


@contextmanager
def streamlit_server(streamlit: list[str], project: Path, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`streamlit run streamlit_app.py` of a project on a free local port; its base URL while it runs.

    Terminated on leaving, also after a failure.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        *streamlit, "run", "streamlit_app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        # Others edit the tree while tests run: no reruns on file changes.
        "--server.fileWatcherType", "none", "--server.runOnSave", "false",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        try:
            wait_until_healthy(base_url, process, SERVER_START_S, 0.25)
        except RuntimeError as failed:
            pytest.fail(f"{failed}:\n{log_path.read_text()[-3000:]}")
        yield base_url
    finally:
        stop(process, 10)


@pytest.fixture(scope="session")
def server_url(browser_db, tmp_path_factory) -> Iterator[str]:
    env = {**os.environ, "PILOT_TRACKER_DB": browser_db}
    env.pop("PILOT_TRACKER_LANG", None)
    log_path = tmp_path_factory.mktemp("server") / "streamlit.log"
    with streamlit_server([sys.executable, "-m", "streamlit"], ROOT, env, log_path) as base_url:
        yield base_url


# --- the browser ----------------------------------------------------------------------------

@pytest.fixture
def page(browser, server_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=server_url)
    context.set_default_timeout(RENDER_MS)
    tab = context.new_page()
    yield tab
    context.close()


# --- helpers --------------------------------------------------------------------------------

def settle(tab) -> None:
    """Wait (bounded) until a page title is on screen and the script run has ended and stayed ended.

    Streamlit shows elements while the script still runs, and a run can trigger another (st.rerun),
    so "not running" must hold for two looks a short while apart; charts then must have drawn.
    """
    tab.wait_for_selector(APP, state="visible")
    tab.wait_for_selector(f"{APP} h1", state="visible")
    deadline = time.monotonic() + RENDER_MS / 1000
    quiet = 0
    while quiet < 2:
        assert time.monotonic() < deadline, f"the script run did not finish within {RENDER_MS} ms on {tab.url}"
        quiet = quiet + 1 if tab.evaluate(f"() => {SCRIPT_STATE}") == "notRunning" else 0
        tab.wait_for_timeout(250)
    tab.wait_for_selector(STATUS, state="hidden")
    shown = tab.locator(f"{CHART_ELEMENT} >> visible=true")  # not a layout hidden at this width (the gauges)
    for index in range(shown.count()):
        shown.nth(index).locator(CHART).first.wait_for(state="visible", timeout=CHART_MS)


def open_page(tab, path: str) -> None:
    tab.goto(path)
    settle(tab)


def heading(tab) -> str:
    return tab.locator(f"{APP} h1").first.inner_text().strip()


def expect_heading(tab, text: str) -> None:
    """Wait (bounded) until the page's h1 reads text; the rerun after a click is asynchronous."""
    tab.wait_for_function(
        "([sel, text]) => { const h = document.querySelector(sel); return h && h.innerText.trim() === text; }",
        arg=[f"{APP} h1", text], timeout=RENDER_MS,
    )
    settle(tab)


def areas_frame(db_url: str):
    engine = readonly_engine(db_url)
    try:
        return areas_frame_of(engine)
    finally:
        engine.dispose()


def query(tab) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(tab.url).query).items()}


def expect_query(tab, **expected: str) -> None:
    deadline = time.monotonic() + RENDER_MS / 1000
    while {k: query(tab).get(k) for k in expected} != expected and time.monotonic() < deadline:
        tab.wait_for_timeout(100)
    assert {k: query(tab).get(k) for k in expected} == expected, tab.url


def assert_no_errors(tab) -> None:
    dialogs = [d.inner_text()[:300] for d in tab.locator(DIALOG).all() if d.is_visible()]
    assert not dialogs, f"dialog open on {tab.url}: {dialogs}"
    exceptions = [e.inner_text()[:500] for e in tab.locator(EXCEPTION).all()]
    assert not exceptions, f"Streamlit exception on {tab.url}: {exceptions}"
    errors = [e.inner_text()[:500] for e in tab.locator(ERROR_ALERT).all()]
    assert not errors, f"error message on {tab.url}: {errors}"


def plain(markdown: str) -> str:
    return markdown.replace("**", "").replace("*", "")


def assert_banner(tab, lang: str) -> None:
    banner = tab.locator(WARNING_ALERT).filter(has_text=plain(t("demo.banner", lang))[:40])
    assert banner.count() == 1, f"synthetic-data banner in {lang} missing on {tab.url}"
    assert banner.first.is_visible()


def plotly_traces(tab) -> list[dict]:
    """Type and locations of every Plotly trace on the page, read from the charts' own data."""
    return tab.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(div => (div.data || []).map(
               trace => ({type: trace.type, locations: [...(trace.locations || [])]})))"""
    )


def assert_choropleth_of_municipalities(tab) -> None:
    """The map is drawn from boundaries: choropleth traces cover the 309 municipalities, and their
    polygons are on screen (not only the symbol map's points)."""
    traces = plotly_traces(tab)
    shaded = {code for trace in traces if trace["type"].startswith("choropleth") for code in trace["locations"]
              if code.startswith("KU")}
    assert len(shaded) == 309, f"choropleth covers {len(shaded)} municipalities; traces: " \
                               f"{[(tr['type'], len(tr['locations'])) for tr in traces]}"
    assert tab.locator("path.choroplethlocation").count() >= 309


def screenshot(tab, name: str) -> Path:
    """A full-page PNG: Streamlit scrolls inside stMain, so grow the viewport to the content first."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = tab.viewport_size
    height = tab.evaluate(
        """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']
                  .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight),
                  window.innerHeight)"""
    )
    tab.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12_000)})
    tab.wait_for_timeout(300)  # let Plotly and the data grids relayout to the new size
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size(size)
    return path


# --- tests ----------------------------------------------------------------------------------

def path_of(name: str) -> str:
    """The overview is st.navigation's default page, which Streamlit serves at / only."""
    return "/" if name == "overview" else f"/{name}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_in_the_browser(page, name, lang):
    open_page(page, f"{path_of(name)}?lang={lang}")
    try:
        if PAGES[name]:
            page.wait_for_selector(CHART, state="visible", timeout=CHART_MS)
    finally:
        screenshot(page, f"{name}-{lang}")  # also of a broken page, for the report
    assert heading(page) == t(f"{name}.title", lang)
    assert_no_errors(page)
    assert_banner(page, lang)
    assert query(page).get("lang") == lang
    if name == "map":
        assert_choropleth_of_municipalities(page)


def test_language_picker_changes_text_and_url(page):
    open_page(page, "/trends")
    assert heading(page) == t("trends.title", "fi") == "Kehitys"
    picker = page.get_by_role("radiogroup", name=PICKER_LABEL)
    for lang in ("sv", "en", "fi"):
        picker.get_by_role("radio", name=LANGUAGE_BUTTONS[lang]).click()
        expect_heading(page, t("trends.title", lang))
        expect_query(page, lang=lang, areas="SSS,GRP_PILOT,GRP_OTHER")  # the chosen areas survive the switch
        assert picker.get_by_role("radio", name=LANGUAGE_BUTTONS[lang]).get_attribute("aria-checked") == "true"
        assert_banner(page, lang)
        assert_no_errors(page)


def test_language_is_kept_when_clicking_another_page(page):
    open_page(page, "/")
    page.get_by_role("radiogroup", name=PICKER_LABEL).get_by_role("radio", name="Svenska").click()
    expect_heading(page, t("overview.title", "sv"))
    for name in ("trends", "gauges", "data", "overview"):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=t(f"nav.{name}", "sv")).click()
        expect_heading(page, t(f"{name}.title", "sv"))
        expect_query(page, lang="sv")
        assert_banner(page, "sv")
        assert_no_errors(page)


def test_gauges_keep_their_own_areas_after_coming_from_trends(page, browser_db):
    """Trends and gauges both pick areas; the trends choice must not empty the gauges' history chart."""
    open_page(page, "/trends?lang=en&areas=PILOT01,SSS")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.gauges", "en")).click()
    expect_heading(page, t("gauges.title", "en"))
    assert_no_errors(page)
    assert urlparse(page.url).path == "/gauges", page.url
    names = dict(areas_frame(browser_db).select("code", "name_en").iter_rows())
    chosen = page.get_by_test_id("stMultiSelect").filter(has_text=t("trends.areas", "en")).inner_text()
    assert query(page).get("elys"), f"the gauges page lost its areas: {page.url}"
    assert names["ELY01"] in chosen, f"the gauge history shows no ELY area: {chosen!r}"


def test_trends_permalink_restores_the_view(page, browser_db):
    open_page(page, "/trends?lang=en&indicator=pilot_clients&areas=PILOT01,SSS&mode=index")
    assert heading(page) == "Trends"
    page.wait_for_selector(CHART, state="visible", timeout=CHART_MS)
    assert_no_errors(page)
    url_notes = page.locator("[data-testid='stAlertContentInfo']").all_inner_texts()
    assert not url_notes, f"the permalink was not fully understood: {url_notes}"

    assert registry()["pilot_clients"].name("en") == "Pilot clients"
    indicator_box = page.get_by_role("combobox", name=t("common.indicator", "en"))
    assert indicator_box.input_value() == "Pilot clients"
    names = dict(areas_frame(browser_db).select("code", "name_en").iter_rows())
    chosen = page.get_by_test_id("stMultiSelect").filter(has_text=t("trends.areas", "en")).inner_text()
    assert chosen.index(names["PILOT01"]) < chosen.index(names["SSS"]), chosen
    assert page.get_by_role("radio", name=t("mode.index", "en"), exact=True).is_checked()

    params = query(page)
    assert params.get("indicator") == "pilot_clients"
    assert params.get("areas") == "PILOT01,SSS"
    assert params.get("mode") == "index"
    assert params.get("lang") == "en"
