"""Indicators and data: definitions, sources, releases, licence and the accessibility statement."""

import streamlit as st

from app import ui
from app.i18n import fmt_date, fmt_number, t

lang = ui.current_lang()
reg = ui.indicator_registry()
st.title(t("data.title", lang))

st.header(t("data.indicators", lang))
indicators = list(reg)
st.dataframe(
    {
        t("data.col_name", lang): [i.name(lang) for i in indicators],
        t("data.col_definition", lang): [i.description(lang) for i in indicators],
        t("data.col_unit", lang): [t("unit." + i.unit, lang) for i in indicators],
        t("data.col_rule", lang): [
            t("data.rule_ratio", lang, numerator=reg[i.numerator].name(lang),
              denominator=reg[i.denominator].name(lang)) if i.is_ratio else t("data.rule_count", lang)
            for i in indicators
        ],
        t("data.col_source", lang): [reg.sources[i.source].name(lang) for i in indicators],
        t("data.col_public", lang): [t("common.yes" if i.public else "common.no", lang) for i in indicators],
        t("data.col_code", lang): [i.code for i in indicators],
    },
    hide_index=True, width="stretch", key="indicator_table",
)

st.header(t("data.sources", lang))
for source in reg.sources.values():
    shown_url = source.url.replace("_", "\\_")  # markdown would read StatFin__tyonv as emphasis
    st.markdown(f"- **{source.name(lang)}** — {source.licence} — [{shown_url}]({source.url})")

st.header(t("data.releases", lang))
releases = ui.releases()
if releases.is_empty():
    st.info(t("data.no_releases", lang))
else:
    st.dataframe(
        {
            t("data.col_source", lang): releases["source"].to_list(),
            t("data.col_published", lang): [fmt_date(d.date(), lang) if d else "–" for d in releases["published_at"]],
            t("data.col_retrieved", lang): [fmt_date(d.date(), lang) if d else "–" for d in releases["retrieved_at"]],
            t("data.col_rows", lang): [fmt_number(n, lang) for n in releases["row_count"]],
            t("data.col_licence", lang): [licence or "–" for licence in releases["licence"]],
            "SHA-256": [(s or "–")[:12] for s in releases["sha256"]],
        },
        hide_index=True, width="stretch", key="release_table",
    )

st.header(t("data.registry", lang))
st.markdown(t("data.registry_partial", lang))
st.header(t("data.rules", lang))
st.markdown(t("data.rules_text", lang))
st.header(t("data.licence", lang))
st.markdown(t("data.licence_text", lang))
st.header(t("data.accessibility", lang))
st.markdown(t("data.accessibility_text", lang))
