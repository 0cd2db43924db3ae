"""Injection in the browser: a database whose names are HTML, Markdown, links, images, direction overrides
and 100,000 characters renders every page in every language in Chromium with no dialog, no injected
element, no request to another host, and the hostile names shown as plain text."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app.ingest.store import writable_engine
from tests.conftest import demo_copy
from tests.test_browser import LANGS, screenshot, settle, streamlit_server

pytestmark = pytest.mark.browser

OTHER_HOST = "127.0.0.2"  # on this machine, but another origin: a fetched image or a followed link shows here
HOSTILE_NAMES = {
    "KU091": "<script>alert(1)</script>",
    "PILOT01": "<img src=x onerror=alert(1)>",
    "ELY01": "[x](javascript:alert(1))",
    "ELY02": f"![pixel](http://{OTHER_HOST}:9/pixel.png) Session expired: [log in again](http://{OTHER_HOST}:9/login)",
    "ELY03": f'<a href="http://{OTHER_HOST}:9/">link</a> <b>bold</b> $\\frac{{1}}{{0}}$ :red[red]',
    "KU049": "x" * 100_000,
    "KU092": "Vantaa\u202egnp.exe",
}
RELEASE_SOURCE = f"![i](http://{OTHER_HOST}:9/i.png) <img src=x onerror=alert(2)> [x](javascript:alert(3))"
PAGES = {
    "/": {}, "/map": {"level": "ely"}, "/gauges": {"month": "2024-12"}, "/data": {},
    "/trends": {"areas": "KU091,PILOT01,ELY01,ELY02,ELY03,KU049,KU092"},
    "/area": {"areas": "PILOT01"}, "/compare": {"areas": "KU091,KU049,KU092,KU020"},
}
INJECTED = "img[src='x'], [onerror], a[href^='javascript'], a[href*='127.0.0.2'], img[src*='127.0.0.2'], script"


@pytest.fixture(scope="module")
def hostile_db(demo_sqlite, tmp_path_factory) -> str:
    """The demo with hostile names written straight into the tables, as an old or tampered database has them."""
    url = demo_copy(demo_sqlite, tmp_path_factory.mktemp("hostile"), "hostile.sqlite")
    engine = writable_engine(url)
    with engine.begin() as conn:
        for code, name in HOSTILE_NAMES.items():
            conn.execute(text("UPDATE area SET name_fi = :n, name_sv = :n, name_en = :n WHERE code = :c"),
                         {"n": name, "c": code})
        conn.execute(text("UPDATE release SET source = :s"), {"s": RELEASE_SOURCE})
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def hostile_server(hostile_db, tmp_path_factory):
    env = {**os.environ, "PILOT_TRACKER_DB": hostile_db}
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with streamlit_server([sys.executable, "-m", "streamlit"], Path(__file__).resolve().parent.parent, env,
                          log) as base_url:
        yield base_url


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", list(PAGES))
def test_hostile_names_render_as_text(browser, hostile_server, path, lang):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=hostile_server)
    context.set_default_timeout(45_000)
    tab = context.new_page()
    dialogs: list[str] = []
    elsewhere: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.on("request", lambda r: elsewhere.append(r.url) if OTHER_HOST in r.url else None)
    query = "&".join(f"{k}={v}" for k, v in {"lang": lang, **PAGES[path]}.items())
    try:
        tab.goto(f"{path}?{query}")
        settle(tab)
        tab.wait_for_timeout(500)
        name = "overview" if path == "/" else path.strip("/")
        screenshot(tab, f"hostile-{name}-{lang}")
        assert not dialogs, dialogs
        injected = tab.evaluate(f"() => [...document.querySelectorAll({INJECTED!r})].filter(e => e.tagName !== 'SCRIPT' "
                                "|| e.textContent.includes('alert')).map(e => (e.parentElement || e).outerHTML.slice(0, 400))")
        assert not injected, injected
        assert not elsewhere, elsewhere  # no image fetched, no link followed
        body = tab.inner_text("body")
        assert "x" * 1000 not in body  # the 100,000-character name is cut
        assert "\u202e" not in body  # the direction override is removed
        assert not tab.locator("[data-testid='stException']").count()
        if path == "/trends":  # the names are there, as text: in the chart's legend
            legend = " ".join(tab.evaluate("() => [...document.querySelectorAll('.legendtext')].map(e => e.textContent)"))
            assert HOSTILE_NAMES["KU091"] in legend and HOSTILE_NAMES["PILOT01"] in legend, legend[:500]
        if path == "/gauges":
            titles = " ".join(tab.locator(".js-plotly-plot").all_inner_texts())
            assert "[x](javascript:alert(1))" in titles
    finally:
        context.close()
