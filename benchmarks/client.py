"""A minimal Streamlit client speaking the browser's websocket protocol, for timing what a user waits for.

It does what the browser does on the wire, without drawing: opens /_stcore/stream, asks for a page
with its query string (a BackMsg `rerun_script`), reads the ForwardMsgs until the script run has
finished, and changes a widget by sending that widget's new value, as a fragment rerun when the
widget sits in a fragment. Enough to time a page's first chart, an interaction, and many sessions
at once (benchmarks.load); the browser's own drawing is measured separately with Chromium.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
import concurrent.futures
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode, urlparse

from websockets.asyncio.client import connect

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

WIDGETS = ("selectbox", "select_slider", "slider", "multiselect", "radio", "button_group")
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
RUN_TIMEOUT_S = 120


@dataclass
class Widget:
    kind: str
    id: str
    options: list[str]
    fragment_id: str


@dataclass
class Run:
    """One script run as the client saw it."""

    seconds: float  # from the request to the end of the run
    first_chart_s: float | None  # from the request to the first chart's message
    received_bytes: int
    chart_bytes: list[int] = field(default_factory=list)  # the JSON spec of each chart sent
    errors: list[str] = field(default_factory=list)  # exceptions and error boxes the run showed
    reruns: int = 0  # runs that ended early for another (st.rerun)
    page_load_s: float | None = None  # open(): from requesting the page's HTML to the end of the run


class Session:
    """One browser tab's session: open a page, then change its widgets."""

    def __init__(self, base_url: str):
        parsed = urlparse(base_url)
        self.http_url = f"http://{parsed.netloc}{parsed.path.rstrip('/')}"
        self.ws_url = f"ws://{parsed.netloc}{parsed.path.rstrip('/')}/_stcore/stream"
        self.widgets: dict[str, Widget] = {}
        self._socket = None
        self._page = ""
        self._query = ""

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    async def open(self, page: str = "", **query: str) -> Run:
        """Load the page as a browser does (its HTML first, keeping the cookies a proxy sets, such as a
        sticky-session cookie), then connect the websocket and run the page with its query string."""
        self._page, self._query = page, urlencode(query)
        started = time.perf_counter()
        cookies = await asyncio.to_thread(self._fetch_page)
        headers = {"Cookie": cookies} if cookies else {}
        # No keepalive pings: a browser's websocket sends none, and under load a late pong would make this
        # client, not the server, drop the session (websockets closes after 20 s without one).
        self._socket = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None, ping_interval=None,
                                     open_timeout=RUN_TIMEOUT_S, compression="deflate", additional_headers=headers)
        run = await self._run()
        run.page_load_s = time.perf_counter() - started
        return run

    async def goto(self, page: str, **query: str) -> Run:
        """Move this session to another page, as the page links in the sidebar do."""
        self._page, self._query, self.widgets = page, urlencode(query), {}
        return await self._run()

    def _fetch_page(self) -> str:
        request = urllib.request.Request(f"{self.http_url}/{self._page}?{self._query}")
        with urllib.request.urlopen(request, timeout=RUN_TIMEOUT_S) as response:
            response.read()
            return "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or [])

    async def change(self, key: str, choose: Callable[[Widget], Sequence[str] | str]) -> Run:
        """Give the widget with this key the value choose(widget) returns (its options' labels)."""
        widget = self.widgets[key]
        value = choose(widget)
        message = BackMsg()
        state = message.rerun_script.widget_states.widgets.add()
        state.id = widget.id
        if widget.kind in ("selectbox", "radio"):
            state.string_value = value
        else:
            state.string_array_value.data.extend([value] if isinstance(value, str) else list(value))
        return await self._run(message, widget.fragment_id)

    async def _run(self, message: BackMsg | None = None, fragment_id: str = "") -> Run:
        message = message or BackMsg()
        message.rerun_script.query_string = self._query
        message.rerun_script.page_name = self._page
        if fragment_id:
            message.rerun_script.fragment_id = fragment_id
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        run = Run(0.0, None, 0)
        while True:
            raw = await asyncio.wait_for(self._socket.recv(), RUN_TIMEOUT_S)
            run.received_bytes += len(raw)
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "delta":
                self._read_delta(forward.delta, run, started)
            elif kind == "script_finished":
                if forward.script_finished in DONE:
                    run.seconds = time.perf_counter() - started
                    if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        run.errors.append("compile error")
                    return run
                run.reruns += 1
            elif kind == "page_info_changed":
                self._query = forward.page_info_changed.query_string

    def _read_delta(self, delta, run: Run, started: float) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "plotly_chart":
            run.chart_bytes.append(len(element.plotly_chart.spec.encode()))
            if run.first_chart_s is None:
                run.first_chart_s = time.perf_counter() - started
        elif kind == "exception":
            run.errors.append(element.exception.message or element.exception.type)
        elif kind == "alert" and element.alert.format == element.alert.ERROR:
            run.errors.append(element.alert.body)
        elif kind in WIDGETS:
            proto = getattr(element, kind)
            key = proto.id.rsplit("-", 1)[-1]
            options = [o.content for o in proto.options] if kind == "button_group" else list(proto.options)
            self.widgets[key] = Widget(kind, proto.id, options, delta.fragment_id)


def widget_option(index: int) -> Callable[[Widget], str]:
    """The option at index (negative counts from the end) of a single-choice widget."""
    return lambda widget: widget.options[index]


T = TypeVar("T")


def off_loop(work: Callable[..., T], *args: Any) -> T:
    """Calls `work` where no asyncio loop is running: in this thread if none is, else in a fresh thread.

    Playwright's sync API keeps a loop running in the thread that started it (pytest's browser
    fixture does, for the whole session), and both `asyncio.run` and a second `sync_playwright`
    refuse to start inside a running loop.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work(*args)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work, *args).result()


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """`asyncio.run` of the coroutine `make()` returns, safe to call while a Playwright sync session is open."""
    return off_loop(lambda: asyncio.run(make()))
