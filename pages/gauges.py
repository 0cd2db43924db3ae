"""ELY client-share gauges: share of the TE office's jobseeker clients in the pilots, against 40 %."""

import streamlit as st

from app.charts.gauges import rule_text
from app.i18n import t
from app.ui import chrome, data, state
from app.views.gauges import client_share, gauge_view, history_view

lang = chrome.current_lang()
source = data.source(lang)
indicator = client_share()
st.title(t("gauges.title", lang))
st.caption(rule_text(lang))

months = source.periods(indicator.code)
if not months:
    st.info(t("common.no_data", lang))
    st.stop()
month = state.month_choice("month", months, months[-1], t("common.month", lang), lang)

view = gauge_view(source, month, lang)
st.plotly_chart(view.figure, width="stretch", key="gauge_chart", config={"displaylogo": False})
st.caption(t("gauges.aland_note", lang))
if view.over_rule:
    st.markdown(view.over_rule)
chrome.show_table(view.table, key="gauge_table")

st.subheader(t("gauges.over_time", lang))
ely_codes = source.codes_of_kind("ely")
line_areas = state.multi_choice("elys", ely_codes, ely_codes[:5], t("trends.areas", lang),
                                source.area_names(lang).get, max_selections=15)
st.plotly_chart(history_view(source, line_areas, lang), width="stretch", key="gauge_history",
                config={"displaylogo": False})
chrome.source_note(indicator, lang)
