"""Entry and router: page config, language picker, navigation to the thin pages in pages/."""

import streamlit as st

from app.i18n import t
from app.ui import chrome, head
from app.ui.access import access_controls

# url path -> (title key, icon); Streamlit's own Material icons are bundled, only a page_icon is fetched.
PAGES = {
    "overview": ("nav.overview", ":material/dashboard:"),
    "map": ("nav.map", ":material/map:"),
    "trends": ("nav.trends", ":material/show_chart:"),
    "gauges": ("nav.gauges", ":material/speed:"),
    "area": ("nav.area", ":material/place:"),
    "compare": ("nav.compare", ":material/compare_arrows:"),
    "data": ("nav.data", ":material/dataset:"),
}

head.configure()
embed = chrome.embedded()
lang = chrome.url_lang() if embed else chrome.language_picker()
pages = [st.Page(f"pages/{name}.py", title=t(key, lang), icon=icon, url_path=name, default=name == "overview")
         for name, (key, icon) in PAGES.items()]
# An embed (?embed=true) is the chart alone: no navigation, no language picker, no login, no banner.
navigation = st.navigation(pages, position="hidden" if embed else "sidebar")
head.title(head.page_title(PAGES.get(navigation.url_path, PAGES["overview"])[0], lang))
head.head(lang)
if not embed:
    st.sidebar.caption(t("app.tagline", lang))
    access_controls(lang)
    chrome.banner(lang)
navigation.run()
