"""Each page's view, built once per state and database state and kept for every session that asks it.

A view (figure, table, export) depends only on small values (indicator code, month, areas, mode,
language, the audience) and the database's fingerprint, so it is cached on exactly those
(st.cache_resource: the same object for every session, no copy; nothing mutates a view after it is
built). A rerun that changes nothing, or asks a state some session asked before, builds nothing; a new
state reads only what it lacks (app.ui.data caches the reads). The audience is part of every key: a
public session's view is built through app.views.audience.PublicSource, as its reads are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go
import streamlit as st

from app.indicators import registry
from app.ui.data import READ_TTL_S, CachedSource
from app.views import changes, gauges, maps, overview, trends
from app.views.audience import PublicSource
from app.views.rates import NONE
from app.views.source import Source

MAX_VIEWS = 200  # per kind of view: a few MB each kind, far below what one session's reruns cost


def _key(source: Source) -> tuple:
    """(url, fingerprint, public) of a page's source: what, besides the state, a view depends on."""
    public = isinstance(source, PublicSource)
    cached = source.inner if public else source
    if not isinstance(cached, CachedSource):
        raise TypeError(f"a cached view needs the pages' cached source, not {type(cached).__name__}")
    return cached.url, cached.fingerprint, public


def _source(url, fingerprint, public: bool, lang: str) -> Source:
    cached = CachedSource(url, fingerprint, lang)
    return PublicSource(cached) if public else cached


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _map(url, fingerprint, public, lang: str, indicator_code: str, month: date, level: str, height: int,
         title: str | None, per: str) -> maps.MapView:
    return maps.map_view(_source(url, fingerprint, public, lang), registry()[indicator_code], month, level, lang,
                         height=height, title=title, per=per)


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _trend(url, fingerprint, public, lang: str, indicator_code: str, areas: tuple[str, ...], mode: str,
           base: date | None, per: str) -> trends.TrendView:
    return trends.trend_view(_source(url, fingerprint, public, lang), registry()[indicator_code], areas, mode, lang,
                             base, per=per)


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _gauges(url, fingerprint, public, lang: str, month: date) -> gauges.GaugeView:
    return gauges.gauge_view(_source(url, fingerprint, public, lang), month, lang)


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _history(url, fingerprint, public, lang: str, ely_codes: tuple[str, ...]) -> go.Figure:
    return gauges.history_view(_source(url, fingerprint, public, lang), ely_codes, lang)


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _overview(url, fingerprint, public, lang: str) -> overview.OverviewView:
    return overview.overview_view(_source(url, fingerprint, public, lang), lang)


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False)
def _changes(url, fingerprint, public, lang: str, focus: str | None,
             members: tuple[str, ...]) -> changes.ChangesView:
    return changes.changes_view(_source(url, fingerprint, public, lang), lang, focus, members)


def map_view(source: Source, indicator, month: date, level: str, lang: str, *, height: int = 720,
             title: str | None = None, per: str = NONE) -> maps.MapView:
    if level not in maps.MAP_LEVELS:  # checked before caching, as app.views.maps does
        raise ValueError(f"unknown map level {level!r}")
    return _map(*_key(source), lang, indicator.code, month, level, height, title, per)


def trend_view(source: Source, indicator, area_codes: Sequence[str], mode: str, lang: str,
               base: date | None = None, per: str = NONE) -> trends.TrendView:
    return _trend(*_key(source), lang, indicator.code, tuple(area_codes), mode, base, per)


def gauge_view(source: Source, month: date, lang: str) -> gauges.GaugeView:
    return _gauges(*_key(source), lang, month)


def history_view(source: Source, ely_codes: Sequence[str], lang: str) -> go.Figure:
    return _history(*_key(source), lang, tuple(ely_codes))


def overview_view(source: Source, lang: str) -> overview.OverviewView:
    return _overview(*_key(source), lang)


def changes_view(source: Source, lang: str, focus: str | None = None, members: Sequence[str] = ()) -> changes.ChangesView:
    return _changes(*_key(source), lang, focus, tuple(members))
