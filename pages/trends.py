"""Trends: monthly lines for one indicator and several areas, with the pilot start marked."""

import streamlit as st

from app.i18n import t
from app.ui import chrome, data, share, state
from app.ui.views import cached
from app.views.rates import NONE
from app.views.trends import DEFAULT_AREAS, MODES, area_choices, has_data, index_base, trend_view

lang, source, embed = chrome.chart_page("trends.title", "trends.intro")

choices = area_choices(source, lang)
controls = st.columns([2, 3])
indicator = state.indicator_choice(lang, "unemployment_share", container=controls[0])
chosen = state.multi_choice("areas", list(choices), DEFAULT_AREAS, t("trends.areas", lang), choices.get,
                            container=controls[1])
months = source.periods(indicator.code)
mode_col, base_col = st.columns([2, 3])
mode = state.choice("mode", MODES, "value", t("trends.mode", lang), lambda m: t("mode." + m, lang),
                    widget="radio", container=mode_col)
per = state.per_choice(indicator, NONE, lang, container=mode_col)
if not chosen:
    st.info(t("trends.pick_areas", lang))
    st.stop()
if not has_data(source, indicator):
    st.info(t("common.no_data", lang))
    st.stop()
base = None
if mode == "index" and months:
    base = state.month_choice("base", months, index_base(source, indicator, chosen) or months[0],
                              t("trends.base_month", lang), lang, container=base_col)

view = cached(trend_view, source, indicator, chosen, mode, lang, base, per=per, public=data.public())
if view.empty:
    st.info(t("trends.nothing_to_show", lang))
view_state = share.ViewState("trend", lang, indicator.code, areas=tuple(chosen), mode=mode, base=base, per=per)
share.show_chart(view.chart, view_state, key="trend_chart", table_expander=False)
if embed:
    st.stop()
chrome.source_note(indicator, lang)
if view.published is not None or view.published_notes:
    st.header(t("trends.published_title", lang))
    for note in view.published_notes:
        st.caption(note)
    if view.published is not None:
        chrome.show_table(view.published, key="published_table", caption=t("trends.published_title", lang))
st.header(t("trends.table", lang))
chrome.show_table(view.table, key="trend_table", height=320, caption=view.chart.title)
if view.events is not None and view.events.frame.height:
    st.header(t("events.title", lang))
    chrome.show_table(view.events, key="trend_events", caption=t("events.title", lang))
