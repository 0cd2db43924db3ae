"""ELY client-share gauges: share of the TE office's jobseeker clients in the pilots, against 40 %."""

import polars as pl
import streamlit as st

from app import ui
from app.charts.gauges import CLIENT_SHARE_RULE, ely_gauges, rule_text
from app.charts.trends import axis_title, trend_figure
from app.i18n import fmt_month, fmt_number, fmt_percent, t

lang = ui.current_lang()
reg = ui.indicator_registry()
indicator = reg["client_share"]
st.title(t("gauges.title", lang))
st.caption(rule_text(lang))

months = ui.periods(indicator.code)
if not months:
    st.info(t("common.no_data", lang))
    st.stop()
month = ui.month_choice("month", months, months[-1], t("common.month", lang), lang)
names = ui.area_names(lang)
ely_codes = ui.codes_of_kind("ely")

history = ui.values(indicator.code, ely_codes)  # one cached read serves the gauges and the history
current = history.filter(pl.col("period") == month).with_columns(
    pl.col("area_code").replace_strict(names, default="").alias("name"))
figure = ely_gauges(current.sort("area_code"), lang=lang,
                    title=t("gauges.chart_title", lang, month=fmt_month(month, lang)))
st.plotly_chart(figure, width="stretch", key="gauge_chart", config={"displaylogo": False})
st.caption(t("gauges.aland_note", lang))
over = current.filter(pl.col("value") > CLIENT_SHARE_RULE)["name"].to_list()
if over:
    st.markdown(t("gauges.over_rule", lang, areas=", ".join(over), rule=fmt_percent(CLIENT_SHARE_RULE, lang, 0)))

st.dataframe(
    {
        t("common.area", lang): current["name"].to_list(),
        t("gauges.share", lang): [fmt_percent(v, lang) for v in current["value"]],
        t("gauges.clients", lang): [fmt_number(v, lang) for v in current["numerator"]],
        t("gauges.jobseekers", lang): [fmt_number(v, lang) for v in current["denominator"]],
        t("common.status", lang): [t("status." + s, lang) for s in current["status"]],
    },
    hide_index=True, width="stretch", key="gauge_table",
)

st.subheader(t("gauges.over_time", lang))
line_areas = ui.multi_choice("elys", ely_codes, ely_codes[:5], t("trends.areas", lang), names.get,
                             max_selections=15)
over_time = trend_figure(history, {c: names[c] for c in line_areas}, lang=lang,
                         y_title=axis_title(indicator.name(lang), mode="value", unit=indicator.unit, is_ratio=True,
                                            lang=lang, base=None),
                         mode="value", unit=indicator.unit, is_ratio=True)
over_time.add_hline(y=CLIENT_SHARE_RULE, line={"color": "#B2182B", "width": 2, "dash": "dot"},
                    annotation_text=fmt_percent(CLIENT_SHARE_RULE, lang, 0), annotation_position="top left")
st.plotly_chart(over_time, width="stretch", key="gauge_history", config={"displaylogo": False})
ui.source_note(indicator, lang)
