"""Indicators and data: definitions, sources, releases, licence and the accessibility statement."""

import streamlit as st

from app.i18n import t
from app.settings import load_settings
from app.ui import chrome, data
from app.views.data import accessibility_contacts, indicator_table, registry_coverage, release_table, sources_markdown

lang = chrome.current_lang()
st.title(t("data.title", lang))

st.header(t("data.indicators", lang))
chrome.show_table(indicator_table(lang, public=data.public()), key="indicator_table",
                  caption=t("data.indicators", lang))

st.header(t("data.sources", lang))
st.markdown(sources_markdown(lang))

st.header(t("data.releases", lang))
releases = data.source(lang).releases()
if releases.is_empty():
    st.info(t("data.no_releases", lang))
else:
    chrome.show_table(release_table(releases, lang), key="release_table", caption=t("data.releases", lang))

st.header(t("data.registry", lang))
for line in registry_coverage(data.source(lang), lang):
    st.markdown(line)
st.markdown(t("data.registry_partial", lang))
st.header(t("data.rules", lang))
st.markdown(t("data.rules_text", lang))
st.header(t("data.licence", lang))
st.markdown(t("data.licence_text", lang))

st.header(t("data.accessibility", lang))
st.markdown(t("data.accessibility_text", lang))
st.subheader(t("data.accessibility_shortcomings_title", lang))
st.markdown(t("data.accessibility_shortcomings", lang))
feedback, supervisor = accessibility_contacts(load_settings(), lang)
st.subheader(t("data.accessibility_feedback_title", lang))
st.markdown(feedback)
st.subheader(t("data.accessibility_supervisor_title", lang))
st.markdown(supervisor)
