"""A local stand-in for Statistics Finland's PxWeb API v1, so the client is tested over real HTTP on 127.0.0.1.

Serves `GET {root}?config`, `GET table` (metadata) and `POST table` (json-stat2, or PxWeb's own `json`),
enforces a cell limit (403) and a call limit (429 with Retry-After) like the real service, logs every
call, and injects faults on the Nth data query: a connection dropped mid-answer, a hang (timeout), a 500,
an answer one value short.
Tables (tests/pxweb_standin_tables.py): the real 12r5 export over 90 months and a tiny hand-made one.
Use as a context manager or through the `pxweb_standin` fixture.
"""

from __future__ import annotations

import json
import math
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from tests.pxweb_standin_tables import (  # noqa: F401 - the tables are part of the stand-in's interface
    SUPPRESSED,
    StandInTable,
    export_cells,
    json_number,
    json_stat2,
    known_area_codes,
    pxweb_json,
    real_12r5_table,
    small_table,
)

ROOT_PATH = "/PxWeb/api/v1/"
FAULTS = ("drop", "timeout", "500", "garbled")


@dataclass(frozen=True)
class Call:
    time: float
    method: str
    path: str
    status: int
    cells: int = 0
    selection: dict = field(default_factory=dict)
    fault: str | None = None


class PxWebStandIn:
    """The server: tables, enforced limits, an optional different advertised ?config, faults, a call log."""

    def __init__(self, tables: list[StandInTable], *, max_values: int = 5000, max_calls: int = 10,
                 time_window: float = 1.0, advertise: dict | None = None, faults: dict[int, str] | None = None,
                 always: str | None = None, hang: float = 5.0, clock: Callable[[], float] | None = None,
                 config_at: tuple[str, ...] = ("", "fi/")):
        self.tables = {ROOT_PATH + t.path: t for t in tables}
        self.max_values, self.max_calls, self.time_window = max_values, max_calls, time_window
        self.advertise = advertise or {}
        self.config_paths = {ROOT_PATH + lang for lang in config_at}  # pxdata.stat.fi answers at …/v1/fi/?config
        self.faults, self.always, self.hang = dict(faults or {}), always, hang  # faults: data query number -> kind
        self.clock = clock or time.monotonic
        self.calls: list[Call] = []
        self.posts = 0
        self._accepted: deque[float] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> PxWebStandIn:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # a client that hung up is part of the test
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{ROOT_PATH}"

    def url(self, table: StandInTable) -> str:
        return self.root + table.path

    def log(self, method: str | None = None, status: int | None = None) -> list[Call]:
        return [c for c in self.calls if (method is None or c.method == method)
                and (status is None or c.status == status)]

    def config(self) -> dict:
        return {"apiVersion": "1.1.0", "languages": ["fi", "sv", "en"], "defaultLanguage": "fi",
                "maxValues": self.max_values, "maxCalls": self.max_calls, "timeWindow": self.time_window,
                "CORS": True, **self.advertise}

    # --- one request -------------------------------------------------------------------------------

    def admit(self) -> tuple[float, int | None]:
        """The call limit: (now, None) when admitted, else (now, seconds until a slot frees)."""
        with self._lock:
            now = self.clock()
            while self._accepted and self._accepted[0] <= now - self.time_window:
                self._accepted.popleft()
            if len(self._accepted) >= self.max_calls:
                return now, max(1, math.ceil(self._accepted[0] + self.time_window - now))
            self._accepted.append(now)
            return now, None

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def next_fault(self) -> str | None:
        with self._lock:
            self.posts += 1
            return self.faults.get(self.posts, self.always)

    def answer(self, table: StandInTable, body: dict) -> tuple[int, dict | str, int, dict]:
        """(status, payload, cells, selection) for a data query."""
        area, time, content = table.variable_codes
        known = {area: [c for c, _ in table.areas], time: table.months, content: [c for c, _ in table.contents]}
        query = body.get("query") if isinstance(body, dict) else None
        if not isinstance(query, list):
            return 400, "a query needs 'query': [...]", 0, {}
        selection = {}
        for item in query:
            code, values = item.get("code"), item.get("selection", {}).get("values")
            if code not in known or item["selection"].get("filter") != "item" or not isinstance(values, list):
                return 400, f"bad query item {item}", 0, {}
            if not values or not set(values) <= set(known[code]) or len(set(values)) != len(values):
                return 400, f"unknown or repeated values for {code}", 0, {}
            selection[code] = [v for v in known[code] if v in set(values)]  # answered in table order
        if set(selection) != set(known):
            return 400, f"variables {sorted(set(known) - set(selection))} cannot be eliminated", 0, selection
        cells = math.prod(len(v) for v in selection.values())
        if cells > self.max_values:
            return 403, f"Too many values selected: {cells} > {self.max_values}", cells, selection
        fmt = (body.get("response") or {}).get("format", "json")
        if fmt == "json-stat2":
            return 200, json_stat2(table, selection), cells, selection
        if fmt == "json":
            return 200, pxweb_json(table, selection), cells, selection
        return 400, f"format {fmt!r} not supported here", cells, selection


def _handler(standin: PxWebStandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            now, wait = standin.admit()
            if wait is not None:
                return self._reply(429, "Too many calls", now, wait=wait)
            if parts.path in standin.config_paths and parts.query == "config":
                return self._reply(200, standin.config(), now)
            table = standin.tables.get(parts.path)
            if table is None:
                return self._reply(404, "no such table", now)
            return self._reply(200, table.metadata(), now)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw_body = self.rfile.read(length)
            now, wait = standin.admit()
            if wait is not None:
                return self._reply(429, "Too many calls", now, wait=wait)
            table = standin.tables.get(urlsplit(self.path).path)
            if table is None:
                return self._reply(404, "no such table", now)
            fault = standin.next_fault()
            try:
                body = json.loads(raw_body)
            except ValueError:
                return self._reply(400, "the body is not JSON", now)
            status, payload, cells, selection = standin.answer(table, body)
            if fault == "timeout":
                standin.record(Call(now, "POST", self.path, 0, cells, selection, fault))
                standin._stop.wait(standin.hang)  # hang past the client's timeout, then give up
                return None
            if fault == "garbled" and status == 200 and "value" in payload:
                payload["value"] = payload["value"][:-1]  # a dataset one value short of its size
            if fault == "500":
                return self._reply(500, "Internal Server Error", now, cells, selection, fault)
            return self._reply(status, payload, now, cells, selection, fault if status == 200 else None)

        def _reply(self, status: int, payload, now: float, cells: int = 0, selection: dict | None = None,
                   fault: str | None = None, wait: int | None = None) -> None:
            body = (json.dumps(payload, ensure_ascii=False) if isinstance(payload, dict) else payload).encode()
            standin.record(Call(now, self.command, self.path, status, cells, selection or {}, fault))
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8" if isinstance(payload, dict)
                             else "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if wait is not None:
                self.send_header("Retry-After", str(wait))
            self.end_headers()
            if fault == "drop":  # half the promised body, then the connection goes away
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


def window_peak(calls: list[Call], window: float) -> int:
    """The most calls that fall in any (t - window, t]: what the service's call limit sees."""
    times = sorted(c.time for c in calls)
    return max((sum(1 for s in times[:n + 1] if s > t - window) for n, t in enumerate(times)), default=0)


class FakeClock:
    """Time that moves only when the client sleeps: pacing and waits cost no real time in tests."""

    def __init__(self, start: float = 1000.0):
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)


@pytest.fixture
def pxweb_standin():
    """Factory: a started stand-in per call (tables and limits as PxWebStandIn takes them), stopped after."""
    started: list[PxWebStandIn] = []

    def start(tables: list[StandInTable], **options) -> PxWebStandIn:
        server = PxWebStandIn(tables, **options).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)
