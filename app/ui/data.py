"""Cached reads for the pages, keyed on the database's URL and on a fingerprint of its contents.

Every read is cached (st.cache_data) under (url, fingerprint, arguments). The fingerprint (the latest
release, app.fingerprint) is itself cached for only FINGERPRINT_TTL_S seconds, so when a load finishes
(`pilot-tracker ingest ...`, `boundaries load`) the next rerun after that asks new keys and reads
the new data, while a quiet database is read once per READ_TTL_S. A failed read stops the page with a
message in the user's language saying what happened and what to do (the database missing, unreadable,
corrupt, mid-repair after an interrupted load, a server that does not answer, a time or row limit,
a role that could write), with a button to try again; its cause goes to the server log, not to a
public page. Nothing failed is cached, so the page recovers when the database does, without a restart.
A session that may not see the internal view (app.ui.access) reads through app.views.audience.PublicSource.

Values of a few chosen areas (a trend's lines) are cached one area at a time, so adding an area reads
only that area. Boundaries are simplified once per process and database state and kept as they are
(st.cache_resource: no copy per rerun); with static serving on they are also written once to
static/geo/<hash>.json, which the browser fetches and keeps, so a map's figure names them instead of
carrying them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from datetime import date

import polars as pl
import streamlit as st

from app.db import DatabaseUnavailable, readonly_engine
from app.fingerprint import Fingerprint, data_fingerprint
from app.i18n import t
from app.settings import PROJECT_ROOT, load_settings
from app.ui.access import internal_view
from app.views.audience import PublicSource
from app.views.source import QuerySource, Source

FINGERPRINT_TTL_S = 5  # how long a finished load may stay unseen
READ_TTL_S = 600  # a bound on memory: keys of an old fingerprint are never asked again
BOUNDARY_TTL_S = 3600
PER_AREA_LIMIT = 8  # a chosen few areas (a trend's lines) are cached one by one; more (every ELY area, a level) at once
STATIC_DIR = PROJECT_ROOT / "static"  # Streamlit serves <entry script folder>/static at app/static/
GEO_FOLDER = "geo"

log = logging.getLogger(__name__)

_PLAIN = (str, int, float, bool, type(None), date)


def _plain(value) -> bool:
    return isinstance(value, _PLAIN) or (isinstance(value, tuple) and all(_plain(v) for v in value))


def tuple_key(value: tuple) -> str | bytes:
    """How the caches hash a tuple argument: by its repr, one string, when it holds only plain values
    (strings, numbers, dates, None and tuples of them), whose reprs are exact and stable. Streamlit's
    hasher otherwise walks a tuple element by element with type checks, which for a level's 309 area
    codes cost 7 ms a read (a profile of the map's indicator change). Anything else is pickled, so a
    value whose repr is abridged (a frame) can never share a key with another."""
    return repr(value) if _plain(value) else pickle.dumps(value)


TUPLE_KEYS = {tuple: tuple_key}


#: What the page says for each reason a read fails (app.db.REASONS).
REASON_TEXTS = {
    "missing": "error.db_missing", "unreadable": "error.db_unreadable", "corrupt": "error.db_corrupt",
    "interrupted_load": "error.db_interrupted_load", "unreachable": "error.db_unreachable",
    "timeout": "error.db_timeout", "too_many_rows": "error.db_too_many_rows",
    "writing_role": "error.db_writing_role", "other": "error.db_unavailable",
}


@st.cache_resource(show_spinner=False)
def _engine(url: str, timeout_s: float, connect_timeout_s: float, allow_writing_role: bool):
    return readonly_engine(url, timeout_s, connect_timeout_s=connect_timeout_s,
                           allow_writing_role=allow_writing_role)


def _reader(url: str, areas: pl.DataFrame | None = None) -> QuerySource:
    """The uncached reads over the cached engine of url."""
    settings = load_settings()
    engine = _engine(url, settings.query_timeout_s, settings.connect_timeout_s, settings.allow_writing_role)
    return QuerySource(engine, areas)


@st.cache_data(ttl=FINGERPRINT_TTL_S, show_spinner=False)
def _fingerprint(url: str) -> Fingerprint:
    return data_fingerprint(_reader(url).engine)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def _areas(url: str, fingerprint: Fingerprint) -> pl.DataFrame:
    return _reader(url).areas()


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def _meta(url: str, fingerprint: Fingerprint) -> dict[str, str]:
    return _reader(url).meta()


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def _periods(url: str, fingerprint: Fingerprint, indicator_code: str) -> list[date]:
    return _reader(url).periods(indicator_code)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def _provisional_periods(url: str, fingerprint: Fingerprint, indicator_code: str) -> list[date]:
    return _reader(url).provisional_periods(indicator_code)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False, hash_funcs=TUPLE_KEYS)
def _values(url: str, fingerprint: Fingerprint, indicator_code: str, area_codes: tuple[str, ...],
            start: date | None, end: date | None) -> pl.DataFrame:
    return _reader(url, _areas(url, fingerprint)).values(indicator_code, area_codes, start, end)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False, hash_funcs=TUPLE_KEYS)
def _memberships(url: str, fingerprint: Fingerprint, group_codes: tuple[str, ...]) -> pl.DataFrame:
    return _reader(url).memberships(group_codes)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def _releases(url: str, fingerprint: Fingerprint) -> pl.DataFrame:
    return _reader(url).releases()


@st.cache_data(ttl=READ_TTL_S, show_spinner=False, hash_funcs=TUPLE_KEYS)
def _published(url: str, fingerprint: Fingerprint, indicator_code: str, area_codes: tuple[str, ...]) -> pl.DataFrame:
    return _reader(url).published(indicator_code, area_codes)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def _published_areas(url: str, fingerprint: Fingerprint, indicator_code: str) -> list[str]:
    return _reader(url).published_areas(indicator_code)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False, hash_funcs=TUPLE_KEYS)
def _indicator_releases(url: str, fingerprint: Fingerprint, indicator_codes: tuple[str, ...]) -> pl.DataFrame:
    return _reader(url).indicator_releases(indicator_codes)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False, hash_funcs=TUPLE_KEYS)
def _revisions(url: str, fingerprint: Fingerprint, release_ids: tuple[int, ...] | None) -> pl.DataFrame:
    return _reader(url).revisions(release_ids)


@st.cache_data(ttl=READ_TTL_S, show_spinner=False)
def _release_contents(url: str, fingerprint: Fingerprint) -> pl.DataFrame:
    return _reader(url).release_contents()


@st.cache_resource(ttl=BOUNDARY_TTL_S, max_entries=32, show_spinner=False)
def _geojson(url: str, fingerprint: Fingerprint, kind: str) -> tuple[dict | None, str | None]:
    """Screen-simplified boundaries of one level (the costly part of every map), once per process and
    database state, and the address the browser fetches them from (None without static serving)."""
    shapes = _reader(url, _areas(url, fingerprint)).geojson(kind)
    return shapes, (_publish(shapes) if shapes is not None else None)


def _publish(shapes: dict) -> str | None:
    """Write the shapes to static/geo/<content hash>.json (once; every replica writes the same name)
    and return their address relative to the page; None when static serving is off or the folder is
    read-only, and the figures then carry the shapes themselves."""
    if not st.get_option("server.enableStaticServing"):
        return None
    payload = json.dumps(shapes, separators=(",", ":")).encode("utf-8")
    name = f"{hashlib.sha256(payload).hexdigest()[:20]}.json"
    target = STATIC_DIR / GEO_FOLDER / name
    try:
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            os.chmod(temporary, 0o644)  # readable by a web server in front (deploy/nginx.conf.template)
            os.replace(temporary, target)
    except OSError as exc:
        log.warning("boundaries not published to %s (%s); maps carry their shapes", target, exc)
        return None
    return f"app/static/{GEO_FOLDER}/{name}"


def _unavailable(exc: DatabaseUnavailable, lang: str):
    """The outage page: what happened and what to do, in the user's language, and a way to try again."""
    log.error("indicator database unavailable (%s): %s", exc.reason, exc)
    st.error(t(REASON_TEXTS.get(exc.reason, "error.db_unavailable"), lang), icon=":material/error:")
    st.button(t("error.retry", lang), key="retry_database", icon=":material/refresh:")  # a click reruns the page
    st.stop()


class CachedSource(Source):
    """The views' Source for a page: every read cached under this database state."""

    def __init__(self, url: str, fingerprint: Fingerprint, lang: str):
        self.url, self.fingerprint, self.lang = url, fingerprint, lang

    def _read(self, fn: Callable, *args):
        try:
            return fn(self.url, self.fingerprint, *args)
        except DatabaseUnavailable as exc:
            _unavailable(exc, self.lang)

    def areas(self) -> pl.DataFrame:
        return self._read(_areas)

    def meta(self) -> dict[str, str]:
        return self._read(_meta)

    def periods(self, indicator_code: str) -> list[date]:
        return self._read(_periods, indicator_code)

    def provisional_periods(self, indicator_code: str) -> list[date]:
        return self._read(_provisional_periods, indicator_code)

    def values(self, indicator_code: str, area_codes: Sequence[str], start: date | None = None,
               end: date | None = None) -> pl.DataFrame:
        codes = tuple(area_codes)
        if len(codes) > PER_AREA_LIMIT or len(codes) < 2:
            return self._read(_values, indicator_code, codes, start, end)
        parts = [self._read(_values, indicator_code, (code,), start, end) for code in dict.fromkeys(codes)]
        return pl.concat(parts, how="diagonal_relaxed").sort("area_code", "period")

    def memberships(self, group_codes: Sequence[str]) -> pl.DataFrame:
        return self._read(_memberships, tuple(group_codes))

    def releases(self) -> pl.DataFrame:
        return self._read(_releases)

    def geojson(self, kind: str) -> dict | None:
        return self._read(_geojson, kind)[0]

    def geojson_url(self, kind: str) -> str | None:
        return self._read(_geojson, kind)[1]

    def published(self, indicator_code: str, area_codes: Sequence[str]) -> pl.DataFrame:
        return self._read(_published, indicator_code, tuple(area_codes))

    def published_areas(self, indicator_code: str) -> list[str]:
        return self._read(_published_areas, indicator_code)

    def indicator_releases(self, indicator_codes: Sequence[str]) -> pl.DataFrame:
        return self._read(_indicator_releases, tuple(indicator_codes))

    def revisions(self, release_ids: Sequence[int] | None = None) -> pl.DataFrame:
        return self._read(_revisions, None if release_ids is None else tuple(release_ids))

    def release_contents(self) -> pl.DataFrame:
        return self._read(_release_contents)


def public() -> bool:
    """This session sees the public view (a public deployment, or an internal one before login): public
    indicators only (PublicSource), and small counts protected against subtraction (app.views.public)."""
    return not internal_view()


def source(lang: str) -> Source:
    """The cached reads of the configured database as it is now, as this session may see them."""
    url = load_settings().db_url
    try:
        fingerprint = _fingerprint(url)
    except DatabaseUnavailable as exc:
        _unavailable(exc, lang)
    cached = CachedSource(url, fingerprint, lang)
    return cached if internal_view() else PublicSource(cached)
