"""What every page puts in the browser's head: its own title in its language, the shipped icon, the page's
`lang`, and the phone and print styles.

Nothing here asks another host for anything: the icon is a file of the project (Streamlit fetches a
`:material/...` page icon from a Google fonts host), the styles are inline. Streamlit has no API for
`<html lang>`; a small script sets it, and gives each Plotly layer a viewBox so the print styles can
scale a chart to the paper's width (Plotly draws in pixels of the screen's width).
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from app.i18n import t, warm_locales

ICON = Path(__file__).with_name("icon.png")
CSS = Path(__file__).with_name("page.css")
STYLES = f"<style>{CSS.read_text(encoding='utf-8')}</style>"  # read once per process, sent on every rerun
SCRIPT = """<script>
(() => {
  document.documentElement.lang = %s;
  if (window.__pilotTrackerPrintFit) return;
  window.__pilotTrackerPrintFit = true;
  const fit = () => document.querySelectorAll(".js-plotly-plot .main-svg").forEach((svg) => {
    const w = svg.getAttribute("width"), h = svg.getAttribute("height");
    if (!w || !h) return;
    if (svg.getAttribute("viewBox") !== `0 0 ${w} ${h}`) svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    const box = svg.closest(".svg-container");
    if (box) box.style.setProperty("--pt-ratio", `${w} / ${h}`);
  });
  new MutationObserver(fit).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                    attributeFilter: ["width", "height"]});
  fit();
})();
</script>"""


def page_title(page_key: str, lang: str) -> str:
    """The browser's title of a page: its name in the reader's language, then the service."""
    return t("page.title", lang, page=t(page_key, lang))


def configure() -> None:
    """The shipped icon and the wide layout, before st.navigation: once a page icon is set, the browser
    no longer takes the current page's `:material/...` icon as its icon (which it fetches from Google)."""
    st.set_page_config(page_icon=str(ICON), layout="wide")
    _locales_loaded()


@st.cache_resource(show_spinner=False)
def _locales_loaded() -> bool:
    """Babel's data for every language, loaded once per process by its first script run (about 20 ms),
    not by the first session in each language (5-18 ms of that session's rerun). Loading it in a thread
    beside the server's start instead delayed the server's readiness by 0.2 s (imports contend)."""
    warm_locales()
    return True


def title(text: str) -> None:
    """The browser's title for the page that runs (set after st.navigation has chosen it)."""
    st.set_page_config(page_title=text)


def head(lang: str) -> None:
    """The page's language and the phone and print styles."""
    st.html(STYLES)
    st.html(SCRIPT % json.dumps(lang), unsafe_allow_javascript=True)
