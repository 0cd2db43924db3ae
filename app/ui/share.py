"""A chart on a page with what travels with it: text alternative, table, downloads, share and embed.

Downloads carry their context: CSV and Excel hold the tidy columns with source and licence
(app.exports); PNG and SVG are rendered on the server by the snapshots' renderer with the title,
source, licence, month and synthetic label drawn in, so Plotly's own "download as png" (which
draws none of them) is taken off the chart's toolbar. With ?embed=true the page shows the chart
alone, with its title, source line, month, release date, synthetic label and a link to the full view.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from html import escape
from urllib.parse import urlencode

import streamlit as st
from plotly.basedatatypes import BaseFigure

from app.exports import to_csv, to_xlsx
from app.i18n import t
from app.safe_text import md_escape
from app.settings import load_settings
from app.snapshot import ChromiumRenderer, RendererUnavailable, chromium_path, figure_image
from app.snapshot.files import SVG_DECLARATION
from app.snapshot.views import WIDTHS, ViewState, meta_of
from app.ui.chrome import embedded, show_table
from app.views.chart import Chart

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["toImage"]}
EMBED_CONFIG = {"displayModeBar": False}
EMBED_HEIGHT = {"map": 900, "trend": 640, "gauges": 1350}  # px: the iframe snippet's height per view


@st.cache_resource(show_spinner=False)
def _renderer() -> tuple[ChromiumRenderer, threading.Lock]:
    """One Chromium for the server's image downloads, opened on the first download; renders one at a time."""
    renderer = ChromiumRenderer()
    renderer.open()
    return renderer, threading.Lock()


@st.cache_data(show_spinner=False)
def _images_available() -> bool:
    try:
        chromium_path()
    except RendererUnavailable:
        return False
    return True


def permalink(state: ViewState, *, embed: bool = False) -> str:
    """The view's address: the dashboard's configured address, else the one the reader is using."""
    settings_url = load_settings().site_url
    base = settings_url or (st.context.url or "").split("?")[0].rsplit("/", 1)[0]
    query = state.query() | ({"embed": "true"} if embed else {})
    return f"{base}/{PAGE_PATHS[state.view]}?{urlencode(query, safe=',')}"


PAGE_PATHS = {"map": "map", "trend": "trends", "gauges": "gauges"}


def iframe_snippet(chart: Chart, state: ViewState) -> str:
    return (f'<iframe src="{escape(permalink(state, embed=True))}" title="{escape(chart.title)}" width="100%" '
            f'height="{EMBED_HEIGHT[state.view]}" style="border:0" loading="lazy"></iframe>')


def snapshot_command(state: ViewState) -> str:
    options = " ".join(f"--{key} {value}" for key, value in state.query().items())
    return f"pilot-tracker snapshot --view {state.view} {options} --out DIR"


def _image(chart: Chart, state: ViewState, fmt: str):
    """The download's data: a callable, so the image is rendered only when the reader asks for it."""
    def render() -> bytes:
        renderer, lock = _renderer()
        with lock:
            image = figure_image(chart.figure, meta_of(chart, state), renderer, fmt, WIDTHS[state.view])
        return image if isinstance(image, bytes) else (SVG_DECLARATION + image).encode("utf-8")
    return render


def downloads(chart: Chart, state: ViewState, key: str) -> None:
    """CSV, Excel, PNG and SVG of the chart, named for what they hold, and the share control."""
    lang, name = chart.lang, f"{state.view}-{chart.stem()}"
    row = st.container(horizontal=True, wrap=True, key=f"{key}_downloads")
    # Every file is made when asked for (a callable), not on every rerun of the page.
    row.download_button(t("common.download_csv", lang), lambda: to_csv(chart.tidy), file_name=f"{name}.csv",
                        mime="text/csv", key=f"{key}_csv", icon=":material/download:", on_click="ignore")
    row.download_button(
        t("share.download_xlsx", lang), key=f"{key}_xlsx", file_name=f"{name}.xlsx", on_click="ignore",
        icon=":material/download:", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        data=lambda: to_xlsx(chart.tidy, title=chart.title, indicator=chart.indicator, lang=lang,
                             synthetic=chart.synthetic, release_date=chart.release_date, mode=chart.mode))
    if _images_available():
        row.download_button(t("share.download_png", lang), _image(chart, state, "png"), file_name=f"{name}.png",
                            mime="image/png", key=f"{key}_png", icon=":material/image:", on_click="ignore")
        row.download_button(t("share.download_svg", lang), _image(chart, state, "svg"), file_name=f"{name}.svg",
                            mime="image/svg+xml", key=f"{key}_svg", icon=":material/image:", on_click="ignore")
    else:
        row.caption(t("share.images_unavailable", lang))
    with row.popover(t("share.label", lang), icon=":material/share:"):
        st.markdown(f"**{t('share.permalink', lang)}**")
        st.code(permalink(state), language=None, wrap_lines=True)
        st.markdown(f"**{t('share.iframe', lang)}**")
        st.code(iframe_snippet(chart, state), language="html", wrap_lines=True)
        st.markdown(f"**{t('share.snapshot', lang)}**")
        snapshot_url = load_settings().snapshot_url
        if snapshot_url:
            st.markdown(t("share.snapshot_link", lang, url=f"{snapshot_url}/{name}.html"))
        else:
            st.caption(t("share.snapshot_command", lang))
            st.code(snapshot_command(state), language="bash", wrap_lines=True)


def in_words(chart: Chart) -> None:
    """The chart's text alternative; area names come from the database, so it is escaped for Markdown."""
    st.caption(f"**{t('chart.in_words', chart.lang)}:** {md_escape(chart.description, 2000)}")


def print_table(chart: Chart) -> None:
    """The chart's table as plain HTML for the printed page only (the screen has the grid in an expander)."""
    st.html(chart.print_html)


class _Spec(BaseFigure):
    """A built figure as st.plotly_chart takes it: its own data and layout, not a copy of them.

    st.plotly_chart turns a figure into a dict with to_dict, a deep copy (6 ms for a trend of fifteen
    lines, 4 ms for a map), and then into JSON, on every rerun; given a dict, it would check it all
    again, which is slower still. A view's figures never change after they are built (app.ui.views)
    and Streamlit only reads the dict to write its JSON, so the figure's own dicts are handed over.
    This stand-in is a figure only in type: Streamlit asks it for nothing but to_dict.
    (tests/test_rerun_work.py keeps the JSON equal to Plotly's own for the figure.)"""

    def __init__(self, figure: BaseFigure):  # noqa: super().__init__ not called: nothing of a figure is needed
        object.__setattr__(self, "_spec", {"data": figure._data, "layout": figure._layout})

    def to_dict(self) -> dict:
        return self._spec


def plotly(figure, key: str, config: dict | None = None) -> None:
    st.plotly_chart(_Spec(figure), width="stretch", key=key, config=config or PLOTLY_CONFIG)


def embed_view(chart: Chart, state: ViewState, draw: Callable[[], None]) -> None:
    """The chart alone, for an iframe: title, chart, source line, month and release, label, full-view link."""
    lang = chart.lang
    st.title(md_escape(chart.title, 300))
    if chart.synthetic:
        st.warning(t("snapshot.synthetic", lang), icon=":material/science:")
    draw()
    source, licence = chart.source_licence()
    st.caption(f"{t('snapshot.source', lang)}: {source} · {t('snapshot.licence', lang)}: {licence}  \n"
               f"{chart.when_text()}")
    in_words(chart)
    st.markdown(f'<a href="{escape(permalink(state))}" target="_blank" rel="noopener">'
                f"{escape(t('snapshot.full_view', lang))}</a>", unsafe_allow_html=True)


def show_chart(chart: Chart, state: ViewState, key: str, *, draw: Callable[[], None] | None = None,
               table_expander: bool = True) -> None:
    """A chart on a page (or alone, embedded): figure, text alternative, table, downloads and share.

    draw: how the page draws the chart when it is not chart.figure as it is (the gauges: a wide and a
    narrow layout, one shown by the screen's width); table_expander: the table in an expander under the chart (pages
    that show the table themselves say False).
    """
    draw = draw or (lambda: plotly(chart.figure, key, EMBED_CONFIG if embedded() else None))
    if embedded():
        embed_view(chart, state, draw)
        return
    draw()
    in_words(chart)
    if table_expander:
        with st.expander(t("chart.table", chart.lang), icon=":material/table:"):
            show_table(chart.table, key=f"{key}_table", print_copy=False)
        print_table(chart)
    downloads(chart, state, key)
