"""ELY client-share gauges: share of the TE office's jobseeker clients in the pilots, against 40 %."""

import streamlit as st

from app.charts.gauges import rule_text
from app.i18n import t
from app.ui import chrome, data, share, state
from app.ui.views import cached
from app.views.gauges import client_share, gauge_view, history_chart

lang = chrome.current_lang()
lang, source, embed = chrome.chart_page("gauges.title", caption=rule_text(lang))
indicator = client_share()

months = source.periods(indicator.code)
if not months:
    st.info(t("common.no_data", lang))
    st.stop()
month = state.month_choice("month", months, months[-1], t("common.month", lang), lang)
ely_codes = source.codes_of_kind("ely")
view = cached(gauge_view, source, month, lang, public=data.public())


def draw_gauges() -> None:
    """Every ELY area's gauge: three abreast on a wide screen, one under another on a phone (the page's
    styles, app/ui/page.css, show one of the two by the screen's width)."""
    share.plotly(view.wide, key="gauges_wide", config={"displayModeBar": False})
    share.plotly(view.narrow, key="gauges_narrow", config={"displayModeBar": False})


share.show_chart(view.chart, share.ViewState("gauges", lang, indicator.code, month), key="gauge_chart",
                 draw=draw_gauges, table_expander=False)
if embed:
    st.stop()
st.caption(t("gauges.aland_note", lang))
if view.over_rule:
    st.markdown(view.over_rule)
if view.unregistered:
    st.caption(view.unregistered)
chrome.show_table(view.table, key="gauge_table", caption=view.chart.title)

st.header(t("gauges.over_time", lang))
line_areas = state.multi_choice("elys", ely_codes, ely_codes[:5], t("trends.areas", lang),
                                source.area_names(lang).get, max_selections=15)
history = cached(history_chart, source, line_areas, lang, public=data.public())
# Its share control names the same lines on the trends page, which embeds and snapshots them.
share.show_chart(history, share.ViewState("trend", lang, indicator.code, areas=tuple(line_areas)), key="gauge_history")
chrome.source_note(indicator, lang)
