"""Each page's view, built once per state and database state and kept for every session that asks it.

A view (figure, table, export) depends only on small values (indicator code, month, areas, mode,
language) and the database's fingerprint, so it is cached on exactly those (st.cache_resource: the
same object for every session, no copy; nothing mutates a view after it is built). A rerun that
changes nothing, or changes only what another cached view already holds (back to the previous
month), builds nothing; a new state reads only what it lacks (app.ui.data caches the reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go
import streamlit as st

from app.indicators import registry
from app.ui.data import READ_TTL_S, CachedSource
from app.views import gauges, maps, overview, trends

MAX_VIEWS = 200  # per kind of view: a few MB each kind, far below what one session's reruns cost


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _map(url, fingerprint, lang: str, indicator_code: str, month: date, level: str, height: int,
         title: str | None) -> maps.MapView:
    return maps.map_view(CachedSource(url, fingerprint, lang), registry()[indicator_code], month, level, lang,
                         height=height, title=title)


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _trend(url, fingerprint, lang: str, indicator_code: str, areas: tuple[str, ...], mode: str,
           base: date | None) -> trends.TrendView:
    return trends.trend_view(CachedSource(url, fingerprint, lang), registry()[indicator_code], areas, mode, lang,
                             base)


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _gauges(url, fingerprint, lang: str, month: date) -> gauges.GaugeView:
    return gauges.gauge_view(CachedSource(url, fingerprint, lang), month, lang)


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _history(url, fingerprint, lang: str, ely_codes: tuple[str, ...]) -> go.Figure:
    return gauges.history_view(CachedSource(url, fingerprint, lang), ely_codes, lang)


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _overview(url, fingerprint, lang: str) -> overview.OverviewView:
    return overview.overview_view(CachedSource(url, fingerprint, lang), lang)


def map_view(source: CachedSource, indicator, month: date, level: str, lang: str, *, height: int = 720,
             title: str | None = None) -> maps.MapView:
    if level not in maps.MAP_LEVELS:  # checked before caching, as app.views.maps does
        raise ValueError(f"unknown map level {level!r}")
    return _map(source.url, source.fingerprint, lang, indicator.code, month, level, height, title)


def trend_view(source: CachedSource, indicator, area_codes: Sequence[str], mode: str, lang: str,
               base: date | None = None) -> trends.TrendView:
    return _trend(source.url, source.fingerprint, lang, indicator.code, tuple(area_codes), mode, base)


def gauge_view(source: CachedSource, month: date, lang: str) -> gauges.GaugeView:
    return _gauges(source.url, source.fingerprint, lang, month)


def history_view(source: CachedSource, ely_codes: Sequence[str], lang: str) -> go.Figure:
    return _history(source.url, source.fingerprint, lang, tuple(ely_codes))


def overview_view(source: CachedSource, lang: str) -> overview.OverviewView:
    return _overview(source.url, source.fingerprint, lang)
