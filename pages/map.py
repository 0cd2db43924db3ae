"""Map: a chosen indicator and month by municipality, pilot area, ELY area or region."""

import streamlit as st

from app.i18n import fmt_month, t
from app.ui import chrome, data, share, state
from app.ui.views import cached
from app.views.maps import MAP_LEVELS, map_view
from app.views.rates import default_rate, shown_title

lang, source, embed = chrome.chart_page("map.title", "map.intro")

controls = st.columns([3, 2])
indicator = state.indicator_choice(lang, "unemployment_share", container=controls[0])
level = state.choice("level", MAP_LEVELS, "municipality", t("map.level", lang), lambda k: t("level." + k, lang),
                     widget="radio", container=controls[1])
per = state.per_choice(indicator, default_rate(source, indicator), lang)
months = source.periods(indicator.code)
if not months:
    st.info(t("common.no_data", lang))
    st.stop()
month = state.month_choice("month", months, months[-1], t("common.month", lang), lang)

# Without boundaries the figure itself says why it draws points; the page adds no second notice.
view = cached(map_view, source, indicator, month, level, lang, per=per, public=data.public(),
                title=None if embed else f"{shown_title(indicator, per, lang)}, {fmt_month(month, lang)}")
share.show_chart(view.chart, share.ViewState("map", lang, indicator.code, month, level=level, per=per),
                 key="map_chart")
if not embed:
    chrome.source_note(indicator, lang)
