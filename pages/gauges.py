"""ELY client-share gauges: share of the TE office's jobseeker clients in the pilots, against 40 %."""

import streamlit as st

from app.charts.gauges import rule_text
from app.i18n import t
from app.ui import chrome, data, state, views
from app.views.gauges import client_share

lang = chrome.current_lang()
source = data.source(lang)
indicator = client_share()
st.title(t("gauges.title", lang))
st.caption(rule_text(lang))

months = source.periods(indicator.code)
if not months:
    st.info(t("common.no_data", lang))
    st.stop()


@st.fragment
def gauges_of_a_month() -> None:
    """The month changes the gauges, the note and the table only."""
    month = state.month_choice("month", months, months[-1], t("common.month", lang), lang)
    view = views.gauge_view(data.source(lang), month, lang)
    st.plotly_chart(view.figure, width="stretch", key="gauge_chart", config={"displaylogo": False})
    st.caption(t("gauges.aland_note", lang))
    if view.over_rule:
        st.markdown(view.over_rule)
    chrome.show_table(view.table, key="gauge_table")


@st.fragment
def shares_over_time() -> None:
    """The chosen ELY areas change this chart only."""
    current = data.source(lang)
    ely_codes = current.codes_of_kind("ely")
    line_areas = state.multi_choice("elys", ely_codes, ely_codes[:5], t("trends.areas", lang),
                                    current.area_names(lang).get, max_selections=15)
    st.plotly_chart(views.history_view(current, line_areas, lang), width="stretch", key="gauge_history",
                    config={"displaylogo": False})


gauges_of_a_month()
st.subheader(t("gauges.over_time", lang))
shares_over_time()
chrome.source_note(indicator, lang)
