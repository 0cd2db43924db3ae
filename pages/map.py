"""Map: a chosen indicator and month by municipality, pilot area, ELY area or region."""

import polars as pl
import streamlit as st

from app import ui
from app.i18n import fmt_month, month_code, t

lang = ui.current_lang()
st.title(t("map.title", lang))
st.caption(t("map.intro", lang))

controls = st.columns([3, 2])
indicator = ui.indicator_choice(lang, "unemployment_share", container=controls[0])
level = ui.choice("level", ui.MAP_LEVELS, "municipality", t("map.level", lang), lambda k: t("level." + k, lang),
                  widget="radio", container=controls[1])
months = ui.periods(indicator.code)
if not months:
    st.info(t("common.no_data", lang))
    st.stop()
month = ui.month_choice("month", months, months[-1], t("common.month", lang), lang)

figure, frame, has_boundaries = ui.indicator_map(
    indicator, month, level, lang, title=f"{indicator.name(lang)}, {fmt_month(month, lang)}")
if not has_boundaries:
    st.info(t("map.no_boundaries", lang), icon=":material/location_on:")
st.plotly_chart(figure, width="stretch", key="map_chart", config={"displaylogo": False, "scrollZoom": False})
ui.source_note(indicator, lang)
export = frame.select("area_code", "name", "value", "status").with_columns(
    pl.lit(month_code(month)).alias("month"))
ui.download_csv(export, f"{indicator.code}-{level}-{month_code(month)}.csv", lang, key="map_download")
