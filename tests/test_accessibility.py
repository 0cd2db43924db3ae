"""Browser tier for the public: axe-core on every page in three languages and on every snapshot, the page's
language and title, no request to another host, a phone-size rendering and an A4 print of each page.

axe-core comes from the npm registry: the test setup installs it into a cache folder
($PILOT_TRACKER_NODE_CACHE, default ~/.cache/pilot-tracker/node) with `npm install axe-core` when it is
absent, and skips with the reason when npm is not there (on CI, .ci/run installs it, and a missing
axe-core fails). Screenshots, PDFs and the axe results are saved under artifacts/ for a human to look at.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from app.i18n import t
from app.settings import LANGUAGES
from tests.conftest import ROOT
from tests.test_browser import browser_db, open_page, path_of, server_url, settle  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

NODE_CACHE = Path(os.environ.get("PILOT_TRACKER_NODE_CACHE", Path.home() / ".cache" / "pilot-tracker" / "node"))
AXE_SCRIPT = NODE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts"
PAGES = {"overview": "nav.overview", "map": "nav.map", "trends": "nav.trends", "gauges": "nav.gauges",
         "area": "nav.area", "compare": "nav.compare", "data": "nav.data"}
BLOCKING = ("critical", "serious")
PHONE = {"width": 390, "height": 844}
A4_POINTS = (595.3, 841.9)
A4_CONTENT_PX = 703  # 210 mm less the 12 mm margins of app/ui/page.css, at 96 px per inch
CHART_TEXT = {"map": lambda lang: t("map.pilot_outline", lang), "trends": lambda lang: t("trends.pilot_start", lang),
              "gauges": lambda lang: {"fi": "Lappi", "sv": "Lappland", "en": "Lapland"}[lang]}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        npm = shutil.which("npm")
        if npm is None:
            reason = "npm is not installed: axe-core cannot be fetched from the npm registry (apt-get install npm)"
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
        NODE_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(NODE_CACHE), "--no-audit", "--no-fund", "axe-core"],
                       check=True, capture_output=True, timeout=600)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def run_axe(tab, axe_source: str) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA checks (and its best practices) on the page as it is now."""
    tab.add_script_tag(content=axe_source)
    return tab.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""")


def save(kind: str, name: str, content) -> Path:
    folder = ARTIFACTS / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


@pytest.fixture
def context_factory(browser, server_url):  # noqa: F811 - the fixture imported above
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=server_url, **options)
        context.set_default_timeout(30_000)
        context.requests = []
        context.on("request", lambda request: context.requests.append(request.url))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def foreign(requests: list[str]) -> list[str]:
    """Requests to any host but the local server (data: and blob: addresses load nothing)."""
    return [url for url in requests if not url.startswith(("data:", "blob:"))
            and urlparse(url).hostname not in ("127.0.0.1", "localhost")]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_passes_axe_in_its_language_and_asks_no_other_host(context_factory, axe_source, name, lang):
    context = context_factory(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    open_page(tab, f"{path_of(name)}?lang={lang}")
    tab.wait_for_timeout(500)  # the favicon and late requests
    assert tab.evaluate("document.documentElement.lang") == lang
    assert tab.title() == t("page.title", lang, page=t(PAGES[name], lang))
    violations = run_axe(tab, axe_source)
    save("axe", f"page-{name}-{lang}.json", violations)
    assert not blocking(violations), json.dumps(blocking(violations), ensure_ascii=False, indent=1)
    assert foreign(context.requests) == []


def overflowing(tab, width: int) -> list[str]:
    """Visible page elements (and chart layers) whose box reaches past width; widgets' hidden inputs excluded."""
    return tab.evaluate("""(width) => [...document.querySelectorAll(
            "[data-testid='stElementContainer'], .js-plotly-plot .main-svg, table, img, h1, h2, p")]
        .filter(e => { const s = getComputedStyle(e), r = e.getBoundingClientRect();
                       return s.display !== "none" && s.visibility !== "hidden" && r.width > 0
                              && (r.right > width + 1 || r.width > width + 1); })
        .map(e => `${e.tagName} ${e.getAttribute("data-testid") || e.className.baseVal || e.className}`
                  + ` ${Math.round(e.getBoundingClientRect().left)}-${Math.round(e.getBoundingClientRect().right)}`)""",
                        width)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_a_phone(context_factory, name):
    context = context_factory(viewport=PHONE, is_mobile=True, has_touch=True)
    tab = context.new_page()
    lang = LANGUAGES[list(PAGES).index(name) % 3]
    open_page(tab, f"{path_of(name)}?lang={lang}")
    height = tab.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    tab.set_viewport_size({"width": PHONE["width"], "height": min(int(height) + 40, 12_000)})
    tab.wait_for_timeout(500)
    save("phone", f"{name}-{lang}.png", tab.screenshot(full_page=True))
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert overflowing(tab, PHONE["width"]) == []
    charts = tab.evaluate("""() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')].map(e => {
        const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
    for i, a in enumerate(charts):  # charts side by side or stacked, never on top of each other
        for b in charts[i + 1:]:
            assert a[2] <= b[0] + 1 or b[2] <= a[0] + 1 or a[3] <= b[1] + 1 or b[3] <= a[1] + 1, (a, b)
    if name == "gauges":
        lefts = {round(c[0]) for c in charts[:15]}
        assert len(lefts) <= 2, f"gauges in {len(lefts)} columns on a phone"
    if name == "map":
        drawn = tab.evaluate("document.querySelector('.choroplethlayer').getBoundingClientRect().width")
        assert drawn >= 0.5 * PHONE["width"], f"the map is {drawn:.0f} px wide on a {PHONE['width']} px phone"


@pytest.mark.parametrize("lang", LANGUAGES)  # Swedish headings are the longest words: each language prints
@pytest.mark.parametrize("name", list(PAGES))
def test_page_prints_on_a4(context_factory, name, lang):
    import pypdf

    context = context_factory(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    open_page(tab, f"{path_of(name)}?lang={lang}")
    tab.wait_for_function("[...document.querySelectorAll('style')].some(s => s.textContent.includes('pt-print-only'))"
                          " && document.querySelectorAll('[data-testid=stSkeleton]').length === 0")
    pdf = tab.pdf(format="A4", print_background=True)
    save("print", f"{name}-{lang}.pdf", pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    for page in reader.pages:  # A4 (Chromium rounds the paper to whole pixels)
        assert abs(float(page.mediabox.width) - A4_POINTS[0]) < 2 and abs(float(page.mediabox.height) - A4_POINTS[1]) < 2
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    title = tab.locator("[data-testid='stAppViewContainer'] h1").first.inner_text().strip()
    assert title in text
    assert "Kieli · Språk · Language" not in text  # no sidebar on paper
    # Text on the page, not on its buttons (controls are not printed: app/ui/page.css).
    texts = tab.locator("[data-testid='stMain'] :is([data-testid='stMarkdownContainer'], "
                        "[data-testid='stCaptionContainer']):not(button *)").all_inner_texts()
    last = [words.split() for words in texts if words.strip()][-1]
    assert " ".join(last[:6]) in text  # the page's last lines are on paper too: nothing cut off
    if name in CHART_TEXT:  # a text drawn inside the chart (the last gauge, the map's legend, an annotation)
        assert CHART_TEXT[name](lang) in text
        assert t("chart.in_words", lang) in text
    tab.emulate_media(media="print")
    tab.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
    tab.wait_for_timeout(500)
    assert overflowing(tab, A4_CONTENT_PX) == []
    assert tab.evaluate("getComputedStyle(document.querySelector('[data-testid=stSidebar]')).display") == "none"


def test_an_embedded_chart_stands_alone(context_factory, axe_source):
    context = context_factory(viewport={"width": 700, "height": 900})
    tab = context.new_page()
    open_page(tab, "/trends?lang=sv&areas=PILOT01,SSS&embed=true")
    tab.locator(".js-plotly-plot .main-svg").first.wait_for(state="visible")
    assert tab.locator("[data-testid='stSidebarNav']").count() == 0
    assert tab.locator("[data-testid='stSelectbox'], [data-testid='stMultiSelect']").count() == 0
    link = tab.get_by_role("link", name=t("snapshot.full_view", "sv"))
    assert "embed" not in link.get_attribute("href") and "areas=PILOT01,SSS" in link.get_attribute("href")
    body = tab.locator("[data-testid='stMain']").inner_text()
    assert t("snapshot.synthetic", "sv") in body and "Licens: CC BY 4.0" in body
    violations = run_axe(tab, axe_source)
    save("axe", "embed-trends-sv.json", violations)
    assert not blocking(violations)
    assert foreign(context.requests) == []


# --- snapshots --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def snapshot_site(browser_db, tmp_path_factory):  # noqa: F811 - the fixture imported above
    """Every snapshot view in three languages, over the shipped boundaries, and the index pages."""
    from app.snapshot.views import ViewState, write_site

    out = tmp_path_factory.mktemp("site")
    states = [ViewState(view, lang, **extra) for lang in LANGUAGES
              for view, extra in (("map", {}), ("trend", {"areas": ("PILOT01", "SSS")}), ("gauges", {}),
                                  ("compare", {"areas": ("PILOT01", "PILOT05")}))]
    written, _ = write_site(browser_db, out, states=states, languages=LANGUAGES)
    sizes = {paths["html"].stem: {ext: path.stat().st_size for ext, path in paths.items()} for paths in written}
    save("snapshots", "sizes.json", sizes)
    return out, sizes


def test_the_national_map_snapshot_is_small(snapshot_site):
    _, sizes = snapshot_site
    maps = {slug: files["html"] for slug, files in sizes.items() if slug.startswith("map-")}
    assert len(maps) == 3 and all(size < 150 * 1024 for size in maps.values()), maps


@pytest.mark.parametrize("lang", LANGUAGES)
def test_snapshots_open_offline_and_pass_axe(browser, snapshot_site, axe_source, lang):
    out, _ = snapshot_site
    pages = sorted(p for p in out.glob(f"*-{lang}.html") if not p.name.startswith("index")) + \
        [out / ("index.html" if lang == "fi" else f"index-{lang}.html")]
    assert len(pages) == 5
    context = browser.new_context(viewport=PHONE, offline=True)
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url),
                                         route.continue_() if route.request.url.startswith("file:") else route.abort()))
    tab = context.new_page()
    try:
        for page in pages:
            tab.goto(page.as_uri())
            assert tab.evaluate("document.documentElement.lang") == lang
            if not page.name.startswith("index"):
                assert tab.locator("figure svg[role=img]").is_visible()
                assert tab.locator("table caption").is_visible() and tab.locator("tbody tr").count() > 0
            assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            violations = run_axe(tab, axe_source)
            save("axe", f"snapshot-{page.stem}.json", violations)
            assert not blocking(violations), (page.name, blocking(violations))
    finally:
        context.close()
    assert [url for url in requests if not url.startswith("file:")] == []
