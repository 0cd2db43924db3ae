"""What frames every page: the router's guard, the language, the demo banner, captions, downloads, tables."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app.exports import table_xlsx, to_csv
from app.i18n import LANGUAGE_NAMES, NO_VALUE, t
from app.indicators import Indicator
from app.safe_text import md_escape
from app.settings import LANGUAGES, load_settings
from app.ui.data import source
from app.views.data import coverage_text, latest_release_text
from app.views.data import source_note as source_note_text
from app.views.tables import Table, printed_html

LANG_KEY = "lang"
PICKER_LABEL = "Kieli · Språk · Language"
# Numbers in tables follow the reader's browser locale: Streamlit's fixed (printf) formats can group
# thousands but never write a decimal comma, and `12,3` is how a Finnish or Swedish reader reads it.
NUMBER_FORMAT = "localized"
MONTH_FORMAT = "YYYY-MM"  # as in URLs and CSV files: sorts, and reads the same in every language


def ensure_router() -> None:
    """Run every page through streamlit_app.py, even when a fresh server's first request is a page URL.

    Streamlit treats a pages/ folder next to the entry script as a legacy multipage app until some
    session has called st.navigation ("As soon as any session of your app executes the st.navigation
    command, your app will ignore the pages/ directory"). Until then a first request to /map runs
    pages/map.py alone: no language picker, no banner, ?lang= ignored. There is no supported switch
    (streamlit 1.67: the flag is set from `pages/` existing when the first session starts; no config
    option covers it; st.navigation may only be called from the entry script), and the project keeps
    pages/. So: clear the flag as st.navigation itself does and rerun; the rerun goes through the
    router, which resolves the same URL path. It costs one aborted run, once per server process.
    tests/test_pages.py::test_a_first_request_to_a_page_url_goes_through_the_router covers it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", None):
        PagesManager.uses_pages_directory = False
        st.rerun()


def embedded() -> bool:
    """?embed=true: the chart alone, for an iframe. Streamlit keeps `embed` out of st.query_params (it
    is Streamlit's own parameter: no toolbar, no padding), so it is read from the request's query."""
    ctx = get_script_run_ctx()
    values = parse_qs(ctx.query_string if ctx is not None else "").get("embed", [])
    return any(value.strip().lower() == "true" for value in values)


def url_lang() -> str:
    """The language from ?lang= without the picker (an embed has no sidebar); kept for the session."""
    if st.session_state.get(LANG_KEY) not in LANGUAGES:
        requested = st.query_params.get(LANG_KEY)
        st.session_state[LANG_KEY] = requested if requested in LANGUAGES else load_settings().default_lang
    return st.session_state[LANG_KEY]


def current_lang() -> str:
    ensure_router()
    lang = st.session_state.get(LANG_KEY)
    return lang if lang in LANGUAGES else load_settings().default_lang


def chart_page(title_key: str, intro_key: str | None = None, caption: str | None = None):
    """A chart page's first lines: (language, cached source, embedded?), with the page's title and its
    caption (the text of intro_key, or caption) shown unless the page is embedded."""
    lang = current_lang()
    page_source = source(lang)
    embed = embedded()
    if not embed:
        st.title(t(title_key, lang))
        st.caption(t(intro_key, lang) if intro_key else caption or "")
    return lang, page_source, embed


def language_picker() -> str:
    """The language from ?lang=, kept in session state and written back to the URL on every page."""
    if LANG_KEY not in st.session_state:
        requested = st.query_params.get(LANG_KEY)
        default = load_settings().default_lang
        st.session_state[LANG_KEY] = requested if requested in LANGUAGES else default
        if requested is not None and requested not in LANGUAGES:
            st.session_state["_lang_warning"] = requested
    st.sidebar.segmented_control(PICKER_LABEL, options=list(LANGUAGES), format_func=LANGUAGE_NAMES.get,
                                 key=LANG_KEY, selection_mode="single")
    if st.session_state.get(LANG_KEY) not in LANGUAGES:  # de-selecting is not a language
        st.session_state[LANG_KEY] = load_settings().default_lang
    lang = current_lang()
    st.query_params[LANG_KEY] = lang
    return lang


def banner(lang: str) -> None:
    """What every page shows first: the synthetic-data banner and a warning for a bad ?lang=."""
    bad = st.session_state.pop("_lang_warning", None)
    if bad is not None:
        url_warning("lang", bad, LANGUAGE_NAMES[lang])
    if source(lang).meta().get("demo") == "true":
        st.warning(t("demo.banner", lang), icon=":material/science:")


def safe_fragment(raw: str) -> str:
    """A URL value shown back to the user: short, and without markup."""
    cleaned = re.sub(r"[^\w\-.,: ]", "?", raw)[:40]
    return cleaned + ("…" if len(raw) > 40 else "")


def url_warning(param: str, raw: str, default_text: str, key: str = "url.invalid") -> None:
    """A URL value not understood (or, key public.not_public, hidden in the public view): the message quotes
    it cut short and without markup; the default named (area names come from the database) is escaped,
    so neither is read as Markdown."""
    st.info(t(key, current_lang(), param=md_escape(param, 40), value=safe_fragment(raw),
              default=md_escape(default_text, 300)), icon=":material/link_off:")


def source_note(indicator: Indicator, lang: str) -> None:
    """Under a chart: the indicator's source and definition, then the months shown and their releases."""
    st.caption(source_note_text(indicator, lang))
    parts = [code for code in (indicator.code, indicator.numerator, indicator.denominator) if code]
    months = coverage_text(source(lang).indicator_releases(parts), lang)
    if months:
        st.caption(months)


def release_caption(lang: str) -> None:
    """The latest release under a page; its source names a file and a table title, shown as text only."""
    releases = source(lang).releases()
    escaped = pl.Series("source", [md_escape(text) if text is not None else None for text in releases["source"]],
                        dtype=pl.Utf8)
    text = latest_release_text(releases.with_columns(escaped), lang)
    if text:
        st.caption(text)


# Position classes 1 (highest values) .. 5: one blue hue, darker for higher, so colour says where an area
# stands and nothing about good or bad ("rank, not a judgement"). The grid writes white on the two dark
# classes (7.9:1 and 5.1:1) and dark text on the light ones (#3182bd, used until now, gave white 4.2:1).
POSITION_COLOURS = {1: "#08519c", 2: "#2171b5", 3: "#9ecae1", 4: "#c6dbef", 5: "#eff3ff"}


def _position_column(label: str) -> st.column_config.Column:
    """Each position as a label in its class's colour. A grid's own coloured labels, not a pandas Styler:
    styling the cells took 10-50 ms of every rerun of the area and compare pages (a profile)."""
    return st.column_config.MultiselectColumn(label, options=[str(p) for p in POSITION_COLOURS],
                                              color=list(POSITION_COLOURS.values()), width="small")


def show_table(table: Table, key: str, height: int | str = "auto", *, print_copy: bool = True,
               caption: str = "") -> None:
    """A view's table with its numbers and dates as such, so sorting a column sorts by value.

    print_copy: also the table as plain HTML for the printed page, where the grid shows only its visible rows.
    """
    config = {column: st.column_config.NumberColumn(column, format=NUMBER_FORMAT, step=10.0 ** -decimals,
                                                    width="small" if table.compact and not decimals else None)
              for column, decimals in table.decimals.items()}
    config |= {column: st.column_config.DateColumn(column, format=MONTH_FORMAT) for column in table.months}
    config |= {column: st.column_config.DateColumn(column, format="localized") for column in table.dates}
    config |= {column: st.column_config.LineChartColumn(column) for column in table.lines}
    # `step` sets the decimals shown but truncates (32.48 would read 32,4): hand over rounded values.
    shown = table.frame.with_columns(pl.col(column).round(decimals) for column, decimals in table.decimals.items())
    if table.shade:
        config[table.shade] = _position_column(table.shade)
        position = pl.col(table.shade)
        shown = shown.with_columns(pl.when(position.is_null()).then(None)
                                   .otherwise(pl.concat_list(position.cast(pl.Int64).cast(pl.Utf8))).alias(table.shade))
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch", height=height, key=key,
                 placeholder=NO_VALUE)
    if print_copy:
        st.html(printed_html(table, caption, current_lang(), "pt-print-only"))


def download_table(frame: pl.DataFrame, stem: str, title: str, lang: str, key: str) -> None:
    """A table's CSV and XLSX downloads side by side; the XLSX says on its About sheet what it holds."""
    synthetic = source(lang).meta().get("demo") == "true"
    left, right = st.columns(2, gap="small", width=460)
    # Made when asked for (callables), not on every rerun: an XLSX of a ranking took 40 ms to write.
    left.download_button(t("common.download_csv", lang), lambda: to_csv(frame), file_name=f"{stem}.csv",
                         mime="text/csv", key=f"{key}_csv", icon=":material/download:", on_click="ignore")
    right.download_button(t("common.download_xlsx", lang),
                          lambda: table_xlsx(frame, title=title, lang=lang, synthetic=synthetic),
                          file_name=f"{stem}.xlsx", key=f"{key}_xlsx", icon=":material/download:", on_click="ignore",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
