"""Compare: a focus area and up to eight others ranked on chosen indicators, and the areas most like the focus."""

import streamlit as st

from app.analysis.ranking import FOCUS_OTHERS, focus_selection
from app.i18n import t
from app.indicators import registry
from app.safe_text import md_escape
from app.ui import chrome, data, state
from app.ui.views import cached
from app.views.compare import DEFAULT_INDICATORS, TREND_MONTHS, compare_view
from app.views.rates import PER_CHOICES, PER_LABELS, default_count_rate, rate_indicator
from app.views.similar import DEFAULT_INDICATORS as SIMILARITY_DEFAULTS, similar_view, similarity_indicators, size_free
from app.views.trends import area_choices

lang = chrome.current_lang()
source = data.source(lang)
reg = registry()
st.title(t("compare.title", lang))
st.caption(t("compare.intro", lang))

choices = area_choices(source, lang)
pilots = source.codes_of_kind("pilot")
areas = state.multi_choice("areas", list(choices), pilots[:1] or list(choices)[:1], t("compare.areas", lang),
                           choices.get, max_selections=FOCUS_OTHERS + 1)
indicators = state.multi_choice("indicators", reg.codes(), DEFAULT_INDICATORS, t("compare.indicators", lang),
                                lambda c: reg[c].name(lang), max_selections=8)
if not areas or not indicators:
    st.info(t("compare.pick", lang))
    st.stop()
controls = st.columns([3, 2])
per = state.choice("per", PER_CHOICES, default_count_rate(source), t("per.label", lang),
                   lambda p: t(PER_LABELS[p], lang), widget="radio", container=controls[1])
months = source.periods(indicators[0])
if not months:
    st.info(t("common.no_data", lang))
    st.stop()
month = state.month_choice("month", months, months[-1], t("common.month", lang), lang, container=controls[0])

view = cached(compare_view, source, indicators, areas, month, per, lang)
st.caption(t("compare.focus_note", lang, area=md_escape(choices[areas[0]]), months=TREND_MONTHS))
st.caption(t("compare.not_a_judgement", lang))
for ranking in view.rankings:
    st.markdown(f"**{ranking.title}**")
    chrome.show_table(ranking.table, key=f"compare_{ranking.indicator.code}")
    chrome.source_note(ranking.indicator, lang)
chrome.download_table(view.export, view.stem, t("compare.title", lang), lang, key="compare_download")
st.page_link("pages/area.py", label=t("compare.open_area", lang, area=choices[areas[0]]), icon=":material/place:",
             query_params={"areas": ",".join(view.areas), "lang": lang})

st.header(t("similar.title", lang))
candidates = similarity_indicators()
chosen = state.multi_choice("similar", candidates, SIMILARITY_DEFAULTS, t("similar.indicators", lang),
                            lambda c: rate_indicator(reg[c], size_free(reg[c])).name(lang), max_selections=6)
with st.expander(t("similar.weights", lang)):
    weights = state.weights_choice("weights", chosen, lambda c: reg[c].name(lang), lang)
similar = cached(similar_view, source, areas[0], chosen, lang, weights)
if similar is None:
    st.info(t("similar.none", lang))
    st.stop()
st.caption(similar.method)
if similar.excluded:
    st.caption(similar.excluded)
chrome.show_table(similar.table, key="similar_table")


def add_similar() -> None:
    """One click: the focus, then the similar areas, then the others already chosen, at most eight besides the focus."""
    st.session_state["url_areas"] = focus_selection(areas[0], [*similar.codes, *areas[1:]], FOCUS_OTHERS)


st.button(t("similar.add", lang), on_click=add_similar, icon=":material/playlist_add:", key="similar_add")
chrome.download_table(similar.export, f"similar-{areas[0]}-{lang}", t("similar.title", lang), lang,
                      key="similar_download")
