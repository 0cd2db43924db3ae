"""My area: one area's latest figures, ranks, trend against similar areas, matched comparison and news."""

import streamlit as st

from app.i18n import t
from app.indicators import registry
from app.safe_text import md_escape
from app.ui import chrome, data, share, state
from app.ui.changes import show_changes
from app.ui.views import cached
from app.views.area import area_trend, area_view
from app.views.changes import changes_view
from app.views.matched import DEFAULT_OUTCOME, matched_view, outcome_choices
from app.views.rates import PER_CHOICES, PER_LABELS, default_count_rate
from app.views.similar import DEFAULT_INDICATORS, similar_view
from app.views.trends import area_choices

lang = chrome.current_lang()
source = data.source(lang)
reg = registry()
choices = area_choices(source, lang)
pilots = source.codes_of_kind("pilot")
heading = st.empty()
kind_line = st.empty()
controls = st.columns([3, 2])
focus = state.focus_choice("areas", list(choices), pilots[0] if pilots else next(iter(choices)),
                           t("area.pick", lang), choices.get, container=controls[0])
per = state.choice("per", PER_CHOICES, default_count_rate(source), t("per.label", lang),
                   lambda p: t(PER_LABELS[p], lang), widget="radio", container=controls[1])
view = cached(area_view, source, focus, per, lang)
heading.title(md_escape(view.name))  # a name from the database: text, not Markdown
kind_line.caption(t("kind." + view.kind, lang) + (" · " + t("area.members", lang, count=len(view.members))
                                                   if view.members else ""))
if view.month is None:
    st.info(t("common.no_data", lang))
    st.stop()

st.header(view.heading)
for start in range(0, len(view.metrics), 4):
    for column, metric in zip(st.columns(4), view.metrics[start:start + 4]):
        column.metric(metric.label, metric.value, delta=metric.delta, delta_color="off")
        column.caption(metric.year)

if view.ranks is not None:
    st.header(t("area.ranks", lang))
    st.caption(t("compare.not_a_judgement", lang))
    chrome.show_table(view.ranks, key="area_ranks")
    chrome.download_table(view.ranks_export, f"area-{focus}-ranks-{view.month:%Y-%m}-{lang}",
                          t("area.ranks", lang), lang, key="area_ranks_download")

# The sections in reading order; the matched group is chosen (in its own section) before the trend draws it.
trend_box, similar_box, matched_box = st.container(), st.container(), st.container()
similar = cached(similar_view, source, focus, DEFAULT_INDICATORS, lang)
matched = None
if view.kind == "pilot":
    matched_box.header(t("matching.title", lang))
    outcome = reg[state.choice("outcome", outcome_choices(), DEFAULT_OUTCOME, t("matching.outcome", lang),
                               lambda c: reg[c].name(lang), container=matched_box)]
    matched = cached(matched_view, source, focus, outcome, lang)
    if matched is None:
        matched_box.info(t("matching.unavailable", lang))
    else:
        with matched_box:
            st.info(matched.note[0] + " " + matched.note[1], icon=":material/info:")
            share.plotly(matched.index_figure, key="matched_index", config={"displaylogo": False})
            share.plotly(matched.did_figure, key="matched_did", config={"displaylogo": False})
            st.markdown(matched.method_list)
            st.markdown(f"**{t('matching.members', lang)}**")
            chrome.show_table(matched.members, key="matched_members")
            chrome.download_table(matched.export, f"matched-{focus}-{matched.outcome.code}-{lang}",
                                  t("matching.title", lang), lang, key="matched_download")

with trend_box:
    st.header(t("area.trend", lang))
    indicator = state.indicator_choice(lang, "unemployment_share")
    trend = cached(area_trend, source, focus, indicator, per, similar.codes if similar else (),
                   matched.comparison.group.members if matched else (), lang)
    share.plotly(trend.figure, key="area_trend", config={"displaylogo": False})
    st.caption(trend.title)
    chrome.source_note(indicator, lang)
    st.markdown(f"**{t('events.title', lang)}**")
    chrome.show_table(trend.events, key="area_events")

with similar_box:
    st.header(t("similar.title", lang))
    if similar is None:
        st.info(t("similar.none", lang))
    else:
        st.caption(similar.method)
        if similar.excluded:
            st.caption(similar.excluded)
        chrome.show_table(similar.table, key="area_similar")
        st.page_link("pages/compare.py", label=t("similar.open_compare", lang), icon=":material/compare_arrows:",
                     query_params={"areas": ",".join([focus, *similar.codes]), "lang": lang})

show_changes(cached(changes_view, source, lang, focus, view.members), lang, key="area")
chrome.release_caption(lang)
