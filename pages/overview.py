"""Overview: the latest month at a glance for ministry officials."""

import streamlit as st

from app import ui
from app.i18n import fmt_month, fmt_number, fmt_percent, fmt_signed, t
from app.summary import headline, headline_text, latest_with_data, pilot_coverage

lang = ui.current_lang()
reg = ui.indicator_registry()
st.title(t("overview.title", lang))
st.caption(t("overview.intro", lang))

clients = ui.values("pilot_clients", ["SSS"])
month = latest_with_data(clients)
if month is None:
    st.info(t("overview.no_pilot_data", lang), icon=":material/info:")
    fallback = reg["unemployment_share"]
    months = ui.periods(fallback.code)
    if months:
        st.subheader(f"{fallback.name(lang)}, {fmt_month(months[-1], lang)}")
        figure, _, _ = ui.indicator_map(fallback, months[-1], "municipality", lang, height=620)
        st.plotly_chart(figure, width="stretch", key="overview_map", config={"displaylogo": False})
    ui.release_caption(lang)
    st.stop()
share = ui.values("client_share", ["SSS"], month, month)
pilot_codes = ui.codes_of_kind("pilot")
areas_now, municipalities_now = pilot_coverage(ui.memberships(pilot_codes), month)
numbers = headline(clients, "SSS", month)
share_now = headline(share, "SSS", month)

st.subheader(t("overview.latest", lang, month=fmt_month(month, lang)))
cols = st.columns(4)
cols[0].metric(t("overview.pilot_areas", lang), fmt_number(areas_now, lang))
cols[1].metric(t("overview.member_municipalities", lang), fmt_number(municipalities_now, lang))
cols[2].metric(
    t("overview.clients", lang), headline_text(numbers, lang),
    delta=t("overview.vs_previous", lang, change=fmt_signed(numbers.change_month, lang))
    if numbers.change_month is not None else None,
    delta_color="off",
)
cols[3].metric(t("overview.share", lang), fmt_percent(share_now.latest, lang),
               help=reg["client_share"].description(lang))
for figure_status in {numbers.status, share_now.status} - {"final", None}:
    st.caption(t("overview.status_note", lang, status=t("status." + figure_status, lang)))
st.markdown(t("overview.year_change", lang, change=fmt_signed(numbers.change_year, lang),
              previous=fmt_number(numbers.year_ago, lang)) if numbers.change_year is not None
            else t("overview.no_year", lang))
if areas_now == 0:
    st.info(t("overview.pilots_ended", lang))

st.subheader(t("overview.map_title", lang))
figure, _, _ = ui.indicator_map(reg["client_share"], month, "pilot", lang, height=620)
st.plotly_chart(figure, width="stretch", key="overview_map", config={"displaylogo": False})
ui.release_caption(lang)
