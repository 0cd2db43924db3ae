"""The only app module that imports Streamlit: cached data access, widgets mirrored in the URL, page chrome.

Every view's state lives in st.query_params, so any view is a permalink. A URL value that the
registry or the area table does not know is never queried: the user gets a short message in their
language and the default.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import date

import polars as pl
import streamlit as st

from app import geo, queries
from app.charts.indicator_map import MAP_LEVELS, level_frame
from app.charts.indicator_map import indicator_map as charts_indicator_map
from app.db import DatabaseUnavailable, readonly_engine
from app.i18n import LANGUAGE_NAMES, area_name, fmt_date, fmt_month, month_code, parse_month_code, t
from app.indicators import Indicator, Registry, registry
from app.points import area_points
from app.settings import LANGUAGES, load_settings

LANG_KEY = "lang"
log = logging.getLogger(__name__)


# --- data, cached where Streamlit expects it -------------------------------------------------

@st.cache_resource(show_spinner=False)
def _engine(url: str, timeout_s: float):
    return readonly_engine(url, timeout_s)


def _engine_of(url: str):
    """The cached read-only engine of url: every cached read is keyed by the URL it reads from."""
    return _engine(url, load_settings().query_timeout_s)


def _url() -> str:
    return load_settings().db_url


@st.cache_data(ttl=600, show_spinner=False)
def _areas(url: str) -> pl.DataFrame:
    return queries.areas(_engine_of(url))


@st.cache_data(ttl=600, show_spinner=False)
def _meta(url: str) -> dict[str, str]:
    return queries.meta(_engine_of(url))


@st.cache_data(ttl=600, show_spinner=False)
def _periods(url: str, indicator_code: str) -> list[date]:
    return queries.periods(_engine_of(url), registry()[indicator_code])


@st.cache_data(ttl=600, show_spinner=False)
def _values(url: str, indicator_code: str, area_codes: tuple[str, ...], start: date | None,
            end: date | None) -> pl.DataFrame:
    frame = _areas(url)
    kinds = dict(zip(frame["code"].to_list(), frame["kind"].to_list()))
    return queries.indicator_values(_engine_of(url), registry()[indicator_code], list(area_codes), kinds, start, end)


@st.cache_data(ttl=600, show_spinner=False)
def _memberships(url: str, group_codes: tuple[str, ...]) -> pl.DataFrame:
    return queries.memberships(_engine_of(url), list(group_codes))


@st.cache_data(ttl=600, show_spinner=False)
def _releases(url: str) -> pl.DataFrame:
    return queries.releases(_engine_of(url))


@st.cache_data(ttl=3600, show_spinner=False)
def _boundaries(url: str) -> pl.DataFrame:
    return queries.boundaries(_engine_of(url))


@st.cache_data(ttl=3600, show_spinner=False)
def _geojson(url: str, kind: str) -> dict | None:
    """Screen-simplified boundaries of one level, cached: the costly part of every map."""
    codes = _areas(url).filter(pl.col("kind") == kind)["code"].to_list()
    collection = geo.feature_collection(_boundaries(url), codes=codes)
    return collection if collection["features"] else None


def guarded(fn: Callable, *args):
    """Run a cached read; a database failure stops the page with a message in the user's language."""
    try:
        return fn(_url(), *args)
    except DatabaseUnavailable as exc:
        # The cause (a path, a server message) goes to the server log, not to a public page.
        log.error("indicator database unavailable: %s", exc)
        st.error(t("error.db_unavailable", current_lang()), icon=":material/error:")
        st.stop()


def areas() -> pl.DataFrame:
    return guarded(_areas)


def meta() -> dict[str, str]:
    return guarded(_meta)


def periods(indicator_code: str) -> list[date]:
    return guarded(_periods, indicator_code)


def values(indicator_code: str, area_codes: Sequence[str], start: date | None = None,
           end: date | None = None) -> pl.DataFrame:
    return guarded(_values, indicator_code, tuple(area_codes), start, end)


def memberships(group_codes: Sequence[str]) -> pl.DataFrame:
    return guarded(_memberships, tuple(group_codes))


def releases() -> pl.DataFrame:
    return guarded(_releases)


def geojson(kind: str) -> dict | None:
    return guarded(_geojson, kind)


def area_names(lang: str) -> dict[str, str]:
    return {row["code"]: area_name(row, lang) for row in areas().to_dicts()}


def area_kinds() -> dict[str, str]:
    frame = areas()
    return dict(zip(frame["code"].to_list(), frame["kind"].to_list()))


def codes_of_kind(kind: str) -> list[str]:
    frame = areas()
    return frame.filter(pl.col("kind") == kind)["code"].to_list()


def indicator_registry() -> Registry:
    return registry()


# --- routing, language and chrome -----------------------------------------------------------

def ensure_router() -> None:
    """Run every page through streamlit_app.py, even when a fresh server's first request is a page URL.

    Until st.navigation has run once in a process, Streamlit treats a pages/ folder as a legacy
    multipage app and runs the page file alone (no language picker, no banner). Flip that off and
    rerun: the rerun goes through the router, which resolves the same URL path.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_lang() -> str:
    ensure_router()
    lang = st.session_state.get(LANG_KEY)
    return lang if lang in LANGUAGES else load_settings().default_lang


def language_picker() -> str:
    """The language from ?lang=, kept in session state and written back to the URL on every page."""
    if LANG_KEY not in st.session_state:
        requested = st.query_params.get(LANG_KEY)
        default = load_settings().default_lang
        st.session_state[LANG_KEY] = requested if requested in LANGUAGES else default
        if requested is not None and requested not in LANGUAGES:
            st.session_state["_lang_warning"] = requested
    st.sidebar.segmented_control(
        "Kieli · Språk · Language", options=list(LANGUAGES), format_func=LANGUAGE_NAMES.get,
        key=LANG_KEY, selection_mode="single",
    )
    if st.session_state.get(LANG_KEY) not in LANGUAGES:  # de-selecting is not a language
        st.session_state[LANG_KEY] = load_settings().default_lang
    lang = current_lang()
    st.query_params[LANG_KEY] = lang
    return lang


def chrome(lang: str) -> None:
    """What every page shows: the synthetic-data banner and a warning for a bad ?lang=."""
    bad = st.session_state.pop("_lang_warning", None)
    if bad is not None:
        url_warning("lang", bad, LANGUAGE_NAMES[lang])
    if meta().get("demo") == "true":
        st.warning(t("demo.banner", lang), icon=":material/science:")


def safe_fragment(raw: str) -> str:
    """A URL value shown back to the user: short, and without markup."""
    cleaned = re.sub(r"[^\w\-.,: ]", "?", raw)[:40]
    return cleaned + ("…" if len(raw) > 40 else "")


def url_warning(param: str, raw: str, default_text: str) -> None:
    st.info(t("url.invalid", current_lang(), param=param, value=safe_fragment(raw), default=default_text),
            icon=":material/link_off:")


# --- widgets whose state is the URL ----------------------------------------------------------

def _initial(name: str, key: str, parse: Callable[[str], object | None], default, describe: Callable) -> None:
    if key in st.session_state:
        return
    raw = st.query_params.get(name)
    value = parse(raw) if raw is not None else None
    if raw is not None and value is None:
        url_warning(name, raw, describe(default))
    st.session_state[key] = default if value is None else value


def choice(name: str, options: Sequence, default, label: str, format_func: Callable = str, *,
           widget: str = "selectbox", container=None, help: str | None = None):
    """A single choice mirrored in ?name=; unknown URL values fall back to default with a message."""
    container = container or st
    key = f"url_{name}"
    by_text = {str(o): o for o in options}
    _initial(name, key, lambda raw: by_text.get(raw), default, format_func)
    if st.session_state[key] not in options:
        st.session_state[key] = default
    if widget == "radio":
        value = container.radio(label, options, key=key, format_func=format_func, horizontal=True, help=help)
    elif widget == "segmented":
        value = container.segmented_control(label, options, key=key, format_func=format_func, help=help)
        if value is None:
            value = default
    else:
        value = container.selectbox(label, options, key=key, format_func=format_func, help=help)
    st.query_params[name] = str(value)
    return value


def month_choice(name: str, months: Sequence[date], default: date, label: str, lang: str, container=None) -> date:
    container = container or st
    key = f"url_{name}"
    available = set(months)
    _initial(name, key, lambda raw: (m if (m := parse_month_code(raw)) in available else None), default,
             lambda m: fmt_month(m, lang))
    if st.session_state[key] not in available:
        st.session_state[key] = default
    if len(months) == 1:  # a slider over one month is a dot: say which month it is instead
        value = months[0]
        container.markdown(f"**{label}:** {fmt_month(value, lang)}")
        st.query_params[name] = month_code(value)
        return value
    value = container.select_slider(label, options=list(months), key=key, format_func=lambda m: fmt_month(m, lang))
    st.query_params[name] = month_code(value)
    return value


def multi_choice(name: str, options: Sequence[str], default: Sequence[str], label: str, format_func: Callable,
                 container=None, max_selections: int | None = 8) -> list[str]:
    """Comma-separated codes in ?name=; unknown codes are dropped with a message, never queried."""
    container = container or st
    key = f"url_{name}"
    if key not in st.session_state:
        raw = st.query_params.get(name)
        chosen = list(default)
        if raw is not None:
            requested = [c.strip() for c in raw.split(",") if c.strip()]
            known = [c for c in dict.fromkeys(requested) if c in set(options)]
            unknown = [c for c in requested if c not in set(options)]
            if unknown or not known:
                url_warning(name, ",".join(unknown) or raw, ", ".join(format_func(c) for c in default))
            if known:
                chosen = known[:max_selections] if max_selections else known
        st.session_state[key] = chosen
    value = container.multiselect(label, options, key=key, format_func=format_func, max_selections=max_selections)
    st.query_params[name] = ",".join(value)
    return value


def indicator_choice(lang: str, default: str, codes: Sequence[str] | None = None, container=None,
                     name: str = "indicator") -> Indicator:
    reg = registry()
    codes = list(codes or reg.codes())
    code = choice(name, codes, default, t("common.indicator", lang), lambda c: reg[c].name(lang),
                  container=container)
    return reg[code]


def source_note(indicator: Indicator, lang: str) -> None:
    src = registry().sources[indicator.source]
    st.caption(t("common.source_note", lang, source=src.name(lang), licence=src.licence,
                 definition=indicator.description(lang)))


def release_caption(lang: str) -> None:
    frame = releases()
    if frame.is_empty():
        return
    latest = frame.sort("published_at", nulls_last=False).row(-1, named=True)
    published = latest["published_at"]
    st.caption(t("common.release", lang, source=latest["source"],
                 date=fmt_date(published.date(), lang) if published else "–"))


def download_csv(frame: pl.DataFrame, filename: str, lang: str, key: str) -> None:
    st.download_button(t("common.download_csv", lang), frame.write_csv().encode("utf-8"), file_name=filename,
                       mime="text/csv", key=key, icon=":material/download:")


# --- the map, shared by the overview and the map page ----------------------------------------

def indicator_map(indicator: Indicator, month: date, level: str, lang: str, *, height: int = 720,
                  title: str | None = None):
    """(figure, frame, has_boundaries) for one indicator, month and level, from cached reads."""
    codes = codes_of_kind(level)
    points = area_points(areas(), memberships(codes if level != "municipality" else []), month)
    frame = level_frame(codes, values(indicator.code, codes, month, month), area_names(lang), points)
    shapes = geojson(level)
    figure = charts_indicator_map(
        frame, indicator, level, lang, shapes=shapes,
        context=geojson("municipality") if level == "pilot" else None,
        highlight=memberships(["GRP_PILOT"])["member_code"].to_list(), height=height, title=title)
    return figure, frame, shapes is not None
