"""Figures to SVG and PNG with Plotly's own static export (Kaleido 1.x) driving Debian's Chromium.

Why Kaleido: it runs the same plotly.js the pages run, so a snapshot looks like the page and needs
no second drawing code. Kaleido 1.x needs a Chrome or Chromium; this module points it at the
system's (PILOT_TRACKER_CHROMIUM, else BROWSER_PATH, else `chromium` on PATH, i.e. Debian's
/usr/bin/chromium) and never downloads one. It also loads plotly.js from the installed plotly
package and turns MathJax off, because Kaleido's defaults fetch both from a CDN, which fails
offline. plotly's own `Figure.to_image` cannot turn MathJax off, so Kaleido is called directly.

One renderer keeps one browser for many figures (a `snapshot --all` run renders hundreds); the
browser lives in a private event-loop thread, so callers need no asyncio and may have their own loop.
"""

from __future__ import annotations

import asyncio
import html
import os
import shutil
import textwrap
import threading
from collections.abc import Mapping
from pathlib import Path

import plotly
import plotly.graph_objects as go

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
HEADER_PAD = 12  # px around the header block
TITLE_SIZE = 17
TITLE_LINE, LINE = 18, 23  # px: the title's first line; each further line (plotly spaces them by the title font)
NOTE_CHAR = 6.4  # px per character of a 12 px credit line, to wrap before the figure's edge
WARNING_COLOUR = "#8B1A1A"  # dark red on white: 8.6:1
NOTE_COLOUR = "#333333"


class RendererUnavailable(RuntimeError):
    """No usable Chromium or Kaleido here; the message says what to install (never a downloaded browser)."""


def chromium_path(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    for key in ("PILOT_TRACKER_CHROMIUM", "BROWSER_PATH"):
        if environ.get(key):
            return environ[key]
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise RendererUnavailable("Static images need Chromium: install the system package (apt-get install chromium) "
                              "or set PILOT_TRACKER_CHROMIUM to its path.")


class ChromiumRenderer:
    """`with ChromiumRenderer() as r: r.render(fig, "svg", 800, 500)`: one browser, many figures."""

    def __init__(self, browser: str | None = None, timeout: float = 90.0):
        self.browser = browser or chromium_path()
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None

    def __enter__(self) -> ChromiumRenderer:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self) -> None:
        if not PLOTLY_JS.is_file():
            raise RendererUnavailable(f"plotly.js is missing from the plotly package ({PLOTLY_JS})")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chromium-renderer", daemon=True)
        self._thread.start()
        try:
            self._kaleido = self._call(self._start())
        except Exception:
            self._stop_loop()
            raise

    async def _start(self):
        import kaleido

        browser = kaleido.Kaleido(n=1, timeout=self.timeout, mathjax=False, plotlyjs=str(PLOTLY_JS),
                                  path=self.browser)
        await browser.open()
        return browser

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def render(self, figure: go.Figure, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
        if self._kaleido is None:
            raise RuntimeError("open the renderer first (use it as a context manager)")
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        return self._call(self._kaleido.calc_fig(figure, opts=opts))

    def close(self) -> None:
        if self._kaleido is not None:
            try:
                self._call(self._kaleido.close())
            finally:
                self._kaleido = None
                self._stop_loop()

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()
            self._loop = self._thread = None


def _escape(text: str) -> str:
    """plotly reads <b>, <br> and entities in texts; a name like <img ...> must stay text."""
    return html.escape(text, quote=False)


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(20, int((width - 2 * HEADER_PAD) / NOTE_CHAR))) or [""]


def _header_room(figure: go.Figure, header: int) -> tuple[int, int]:
    """(top margin, height) that give the header its room above the figure's unchanged plot area."""
    had_title = bool(figure.layout.title and figure.layout.title.text)
    old_top = figure.layout.margin.t if figure.layout.margin.t is not None else 100  # plotly's default
    top = max(old_top - 40, 10) if had_title else old_top  # the old title's room is given to the header
    return top + header, (figure.layout.height or 450) - old_top + top + header


def without_title(figure: go.Figure, width: int) -> go.Figure:
    """A copy for a page that says title and credits in its own text: the chart alone."""
    copy = go.Figure(figure)
    top, height = _header_room(figure, 0)
    copy.update_layout(title={"text": ""}, margin={"t": top}, height=height, width=width)
    return copy


def with_credits(figure: go.Figure, *, title: str, credits: list[str], warning: str | None,
                 width: int) -> go.Figure:
    """A copy of the figure with a header drawn in: title, credit lines (source, licence, month), warning.

    The header is the layout title, anchored to the top of the whole image (container coordinates),
    and the figure grows by its height, so the plot area, legends and gauge domains keep their size
    and nothing overlaps whatever the chart puts below or beside its plot.
    """
    copy = go.Figure(figure)
    notes = [line for credit in credits for line in wrap(credit, width)]
    warnings = wrap(warning, width) if warning else []
    parts = [f"<b>{_escape(title)}</b>"]
    parts += [f"<span style='font-size:12px;color:{NOTE_COLOUR}'>{_escape(n)}</span>" for n in notes]
    parts += [f"<span style='font-size:12px;color:{WARNING_COLOUR}'><b>{_escape(w)}</b></span>" for w in warnings]
    top, height = _header_room(figure, 2 * HEADER_PAD + TITLE_LINE + LINE * (len(notes) + len(warnings)))
    copy.update_layout(
        # plotly anchors a multi-line title by its first baseline: the pad leaves room for that line.
        title={"text": "<br>".join(parts), "x": 0, "xref": "container", "xanchor": "left", "y": 1,
               "yref": "container", "yanchor": "top", "pad": {"l": HEADER_PAD, "t": HEADER_PAD + TITLE_LINE},
               "font": {"size": TITLE_SIZE, "color": "#1a1a1a"}, "automargin": False},
        margin={"t": top}, height=height, width=width,
    )
    return copy
