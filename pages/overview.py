"""Overview: the latest month at a glance for ministry officials."""

import streamlit as st

from app.i18n import t
from app.safe_text import md_escape
from app.ui import chrome, data, share
from app.ui.changes import show_changes
from app.ui.views import cached
from app.views.changes import changes_view
from app.views.overview import overview_view, pilot_links

lang = chrome.current_lang()
st.title(t("overview.title", lang))
st.caption(t("overview.intro", lang))

source = data.source(lang)
view = cached(overview_view, source, lang, public=data.public())
if view.month is None:
    st.info(t("overview.no_pilot_data", lang), icon=":material/info:")
else:
    st.header(view.heading)
    for column, metric in zip(st.columns(len(view.metrics)), view.metrics):
        column.metric(metric.label, metric.value, delta=metric.delta, delta_color="off", help=metric.help)
    for note in view.status_notes:
        st.caption(note)
    st.markdown(view.year_text)
    if view.pilots_ended:
        st.info(t("overview.pilots_ended", lang))
if view.map is not None:
    st.header(view.map_title)
    chart = view.map.chart
    share.show_chart(chart, share.ViewState("map", lang, chart.indicator.code, chart.first, level=str(chart.scope)),
                     key="overview_map")

links = pilot_links(source, lang)
if links:
    st.header(t("overview.pilot_pages", lang))
    st.caption(t("overview.pilot_pages_note", lang))
    columns = st.columns(3)
    for n, (code, name) in enumerate(links):
        columns[n % 3].page_link("pages/area.py", label=md_escape(name), icon=":material/place:",
                                 query_params={"areas": code, "lang": lang})
show_changes(cached(changes_view, source, lang), lang, key="overview")
chrome.release_caption(lang)
