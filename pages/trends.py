"""Trends: monthly lines for one indicator and several areas, with the pilot start marked."""

import polars as pl
import streamlit as st

from app import ui
from app.charts.trends import axis_title, format_display, trend_figure
from app.i18n import fmt_month, month_code, t
from app.series import MODES, apply_mode, default_index_base

lang = ui.current_lang()
st.title(t("trends.title", lang))
st.caption(t("trends.intro", lang))

names = ui.area_names(lang)
kinds = ui.area_kinds()
order = {k: i for i, k in enumerate(("country", "group", "pilot", "ely", "region", "municipality"))}
options = sorted(names, key=lambda c: (order.get(kinds[c], 9), names[c]))

controls = st.columns([2, 3])
indicator = ui.indicator_choice(lang, "unemployment_share", container=controls[0])
chosen = ui.multi_choice("areas", options, ["SSS", "GRP_PILOT", "GRP_OTHER"], t("trends.areas", lang),
                         lambda c: f"{names[c]} · {t('kind.' + kinds[c], lang)}", container=controls[1])
months = ui.periods(indicator.code)
mode_col, base_col = st.columns([2, 3])
mode = ui.choice("mode", MODES, "value", t("trends.mode", lang), lambda m: t("mode." + m, lang),
                 widget="radio", container=mode_col)
if not chosen:
    st.info(t("trends.pick_areas", lang))
    st.stop()
if not months:
    st.info(t("common.no_data", lang))
    st.stop()

frame = ui.values(indicator.code, chosen)
base = None
if mode == "index":
    base = ui.month_choice("base", months, default_index_base(frame) or months[0], t("trends.base_month", lang),
                           lang, container=base_col)
shown = apply_mode(frame, mode, is_ratio=indicator.is_ratio, base_month=base)
y_title = axis_title(indicator.name(lang), mode=mode, unit=indicator.unit, is_ratio=indicator.is_ratio,
                     lang=lang, base=base)
figure = trend_figure(shown, {c: names[c] for c in chosen}, lang=lang, y_title=y_title, mode=mode,
                      unit=indicator.unit, is_ratio=indicator.is_ratio)
if shown.is_empty() or shown["value"].is_null().all():
    st.info(t("trends.nothing_to_show", lang))
st.plotly_chart(figure, width="stretch", key="trend_chart", config={"displaylogo": False})
ui.source_note(indicator, lang)

st.subheader(t("trends.table", lang))
table = shown.with_columns(
    pl.col("area_code").replace_strict(names, default="").alias("name"),
).sort("period", "area_code")
st.dataframe(
    {
        t("common.month", lang): [fmt_month(p, lang) for p in table["period"]],
        t("common.area", lang): table["name"].to_list(),
        y_title: [format_display(v, mode=mode, unit=indicator.unit, is_ratio=indicator.is_ratio, lang=lang)
                  for v in table["value"]],
        t("common.status", lang): [t("status." + s, lang) for s in table["status"]],
    },
    hide_index=True, width="stretch", height=320, key="trend_table",
)
export = table.select(
    "area_code", "name", pl.col("period").map_elements(month_code, return_dtype=pl.Utf8).alias("month"),
    "value", "status", "source",
)
ui.download_csv(export, f"{indicator.code}-{mode}.csv", lang, key="trend_download")
