"""Map: a chosen indicator and month by municipality, pilot area, ELY area or region."""

import streamlit as st

from app.i18n import fmt_month, t
from app.ui import chrome, data, state, views
from app.views.maps import MAP_LEVELS
from app.views.rates import default_rate, shown_title

lang = chrome.current_lang()
st.title(t("map.title", lang))
st.caption(t("map.intro", lang))


@st.fragment
def map_and_controls() -> None:
    """Every control here changes only the map: a change reruns this part, not the page and its router."""
    source = data.source(lang)
    controls = st.columns([3, 2])
    indicator = state.indicator_choice(lang, "unemployment_share", container=controls[0])
    level = state.choice("level", MAP_LEVELS, "municipality", t("map.level", lang),
                         lambda k: t("level." + k, lang), widget="radio", container=controls[1])
    per = state.per_choice(indicator, default_rate(source, indicator), lang)
    months = source.periods(indicator.code)
    if not months:
        st.info(t("common.no_data", lang))
        return
    month = state.month_choice("month", months, months[-1], t("common.month", lang), lang)
    # Without boundaries the figure itself says why it draws points; the page adds no second notice.
    view = views.map_view(source, indicator, month, level, lang, per=per,
                          title=f"{shown_title(indicator, per, lang)}, {fmt_month(month, lang)}")
    st.plotly_chart(view.figure, width="stretch", key="map_chart", config={"displaylogo": False, "scrollZoom": False})
    chrome.source_note(indicator, lang)
    chrome.download_csv(view.export, view.filename, lang, key="map_download")


map_and_controls()
