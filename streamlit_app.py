"""Entry and router: page config, language picker, navigation to the thin pages in pages/."""

import streamlit as st

from app.i18n import t
from app.ui import chrome
from app.ui.access import access_controls

st.set_page_config(page_title="Pilot Tracker", page_icon=":material/monitoring:", layout="wide")

lang = chrome.language_picker()
pages = [
    st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:",
            url_path="overview", default=True),
    st.Page("pages/map.py", title=t("nav.map", lang), icon=":material/map:", url_path="map"),
    st.Page("pages/trends.py", title=t("nav.trends", lang), icon=":material/show_chart:", url_path="trends"),
    st.Page("pages/gauges.py", title=t("nav.gauges", lang), icon=":material/speed:", url_path="gauges"),
    st.Page("pages/area.py", title=t("nav.area", lang), icon=":material/place:", url_path="area"),
    st.Page("pages/compare.py", title=t("nav.compare", lang), icon=":material/compare_arrows:", url_path="compare"),
    st.Page("pages/data.py", title=t("nav.data", lang), icon=":material/dataset:", url_path="data"),
]
navigation = st.navigation(pages)
st.sidebar.caption(t("app.tagline", lang))
access_controls(lang)
chrome.banner(lang)
navigation.run()
