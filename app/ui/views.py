"""Each page's view, built once per state and database state and kept for every session that asks it.

A view (figures, tables, exports) depends only on small values (indicator, month, areas, mode,
language, the audience) and the database's fingerprint, so it is cached on exactly those with
st.cache_resource: the same object for every session and no copy, because nothing mutates a view
after it is built (app.ui.share hands a figure's own dicts to st.plotly_chart, which only writes them
out as JSON; a table's printed copy is made once and shared, app.views.tables). A rerun that changes
nothing, or asks for a state another session asked for before, builds nothing; a new state reads only
what it lacks, since app.ui.data caches the reads. Profiles showed building the Plotly figures as most
of a rerun (the gauges' then 16 figures: 0.3 s of 0.57 s), which is why the figures, not only the data,
are kept.

Every session gets its own polars frames: the kept view holds them in one contiguous chunk, and each
call hands out clones (which share the column buffers, so cost nothing). Fifty sessions through nginx
deadlocked both replicas when two script threads converted the same kept frame (st.dataframe calls
to_pandas) while others ran polars queries: polars guards a frame's chunks with a lock that, shared
between threads, can wait on the GIL (pola-rs/polars#27396).

The audience is part of every key: a public session's view is built through
app.views.audience.PublicSource, as its reads are. Pages call `cached(view_function, source, ...)`
with the same arguments they would pass to the view function.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

import polars as pl
import streamlit as st

from app.indicators import Indicator, registry
from app.ui.data import READ_TTL_S, TUPLE_KEYS, CachedSource
from app.views.audience import PublicSource
from app.views.source import Source

MAX_VIEWS = 300  # per process: a view is tens to hundreds of KB, so at most some tens of MB
T = TypeVar("T")


class _IndicatorKey(NamedTuple):
    code: str


class _MappingKey(NamedTuple):
    items: tuple


def _freeze(value: Any) -> Any:
    """A hashable, small stand-in for an argument: an indicator by its code, sequences as tuples."""
    if isinstance(value, Indicator) and registry().indicators.get(value.code) == value:
        return _IndicatorKey(value.code)
    if isinstance(value, Mapping):
        return _MappingKey(tuple(sorted((k, _freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, _IndicatorKey):
        return registry()[value.code]
    if isinstance(value, _MappingKey):
        return {k: _thaw(v) for k, v in value.items}
    if isinstance(value, tuple):
        return tuple(_thaw(v) for v in value)
    return value


def _audience(source: Source) -> tuple[CachedSource, bool]:
    public = isinstance(source, PublicSource)
    inner = source.inner if public else source
    if not isinstance(inner, CachedSource):
        raise TypeError(f"a cached view needs the pages' cached source, not {type(inner).__name__}")
    return inner, public


_VIEWS: dict[str, Callable] = {}


def _frames(value: Any, each: Callable[[pl.DataFrame], pl.DataFrame]) -> Any:
    """value with each polars frame in it (in dataclasses, tuples, lists, dicts) replaced by each(frame)."""
    if isinstance(value, pl.DataFrame):
        return each(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _frames(getattr(value, f.name), each) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, (tuple, list)) and not hasattr(value, "_fields"):
        return type(value)(_frames(v, each) for v in value)
    if isinstance(value, dict):
        return {k: _frames(v, each) for k, v in value.items()}
    return value


@st.cache_resource(ttl=READ_TTL_S, max_entries=MAX_VIEWS, show_spinner=False, hash_funcs=TUPLE_KEYS)
def _built(name: str, url: str, fingerprint, public: bool, lang: str, args: tuple, kwargs: tuple) -> Any:
    inner = CachedSource(url, fingerprint, lang)
    source = PublicSource(inner) if public else inner
    view = _VIEWS[name](source, *_thaw(args), **{k: _thaw(v) for k, v in kwargs})
    return _frames(view, pl.DataFrame.rechunk)


def cached(view: Callable[..., T], source: Source, *args: Any, **kwargs: Any) -> T:
    """view(source, *args, **kwargs), built once per (database state, audience, language, arguments)."""
    name = f"{view.__module__}.{view.__qualname__}#{id(view)}"  # a replaced function gets entries of its own
    _VIEWS[name] = view
    inner, public = _audience(source)
    kept = _built(name, inner.url, inner.fingerprint, public, inner.lang, _freeze(args),
                  tuple(sorted((k, _freeze(v)) for k, v in kwargs.items())))
    return _frames(kept, pl.DataFrame.clone)
