"""The "what changed since last month" section, as the overview (whole country) and an area page show it."""

from __future__ import annotations

import streamlit as st

from app.i18n import t
from app.ui.chrome import download_table, show_table
from app.views.changes import ChangesView, revision_summary


def show_changes(view: ChangesView, lang: str, key: str) -> None:
    """Movers, crossings of the 40 % line, new releases and revisions, each with its own heading."""
    st.subheader(t("changes.title", lang))
    if view.heading:
        st.caption(view.heading)
    if view.movers is not None or view.share_movers is not None:
        st.markdown(f"**{t('changes.movers', lang)}**")
        st.caption(t("changes.movers_note", lang))
        for table, part, label in ((view.movers, "counts", "changes.counts"),
                                   (view.share_movers, "shares", "changes.shares")):
            if table is not None:
                st.markdown(t(label, lang))
                show_table(table, key=f"{key}_movers_{part}")
        download_table(view.movers_export, f"changes-movers-{key}-{lang}", t("changes.movers", lang), lang,
                       key=f"{key}_movers_download")
    if view.crossings:
        st.markdown(f"**{t('changes.crossings', lang)}**")
        for sentence in view.crossings:
            st.markdown("- " + sentence)
    st.markdown(f"**{t('changes.releases', lang)}**")
    if view.releases is None:
        st.caption(t("data.no_releases", lang))
    else:
        show_table(view.releases, key=f"{key}_releases")
    st.markdown(f"**{t('changes.revisions', lang)}**")
    st.caption(revision_summary(view, lang))
    if view.revisions is not None:
        show_table(view.revisions, key=f"{key}_revisions", height=320 if view.revisions.frame.height > 8 else "auto")
        download_table(view.revisions_export, f"changes-revisions-{key}-{lang}", t("changes.revisions", lang), lang,
                       key=f"{key}_revisions_download")
