"""Trends: monthly lines for one indicator and several areas, with the pilot start marked."""

import streamlit as st

from app.i18n import t
from app.ui import chrome, data, state, views
from app.views.rates import NONE
from app.views.trends import DEFAULT_AREAS, MODES, area_choices, has_data, index_base

lang = chrome.current_lang()
st.title(t("trends.title", lang))
st.caption(t("trends.intro", lang))


@st.fragment
def trends_and_controls() -> None:
    """Every control here changes only the chart and its tables: a change reruns this part alone."""
    source = data.source(lang)
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
        return
    if not has_data(source, indicator):
        st.info(t("common.no_data", lang))
        return
    base = None
    if mode == "index" and months:
        base = state.month_choice("base", months, index_base(source, indicator, chosen) or months[0],
                                  t("trends.base_month", lang), lang, container=base_col)

    view = views.trend_view(source, indicator, chosen, mode, lang, base, per=per)
    if view.empty:
        st.info(t("trends.nothing_to_show", lang))
    st.plotly_chart(view.figure, width="stretch", key="trend_chart", config={"displaylogo": False})
    chrome.source_note(indicator, lang)
    if view.published is not None or view.published_notes:
        st.subheader(t("trends.published_title", lang))
        for note in view.published_notes:
            st.caption(note)
        if view.published is not None:
            chrome.show_table(view.published, key="published_table")
    st.subheader(t("trends.table", lang))
    chrome.show_table(view.table, key="trend_table", height=320)
    chrome.download_csv(view.export, view.filename, lang, key="trend_download")
    if view.events is not None and view.events.frame.height:
        st.subheader(t("events.title", lang))
        chrome.show_table(view.events, key="trend_events")


trends_and_controls()
