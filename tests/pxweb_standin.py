"""A local stand-in for Statistics Finland's PxWeb API v1, so the client is tested over real HTTP on 127.0.0.1.

Serves `GET {root}?config`, `GET table` (metadata) and `POST table` (json-stat2, or PxWeb's own `json`),
enforces a cell limit (403) and a call limit (429 with Retry-After) like the real service, logs every
call, and injects faults on the Nth data query: a connection dropped mid-answer, a hang (timeout), a 500,
an answer one value short.
Tables: the real 12r5 export over 2019M01..2026M06 (every month carries the file's June 2026 values), and
a tiny hand-made table that needs no shared data. Use as a context manager or through `pxweb_standin`.
"""

from __future__ import annotations

import csv
import json
import math
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.months import months_between, pxweb_code
from tests.conftest import shared_file

ROOT_PATH = "/PxWeb/api/v1/"
SUPPRESSED = "..."
FAULTS = ("drop", "timeout", "500", "garbled")


@dataclass
class StandInTable:
    """A table: area x time x content, each cell a raw string as in PxWeb files ('...' when suppressed)."""

    path: str  # below the API root, e.g. "fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"
    title: str
    areas: list[tuple[str, str]]  # (code, text)
    months: list[str]
    contents: list[tuple[str, str]]
    raw: Callable[[str, str, str], str]  # (area, month, content) -> '123', '12.8' or '...'
    updated: str = "2026-07-21T05:00:00Z"
    source: str = "KEHA-keskus, Työnvälitystilasto"
    variable_codes: tuple[str, str, str] = ("Alue", "Kuukausi", "Tiedot")

    def metadata(self) -> dict:
        area, time, content = self.variable_codes
        return {"title": self.title, "variables": [
            {"code": area, "text": "Alue", "values": [c for c, _ in self.areas],
             "valueTexts": [t for _, t in self.areas]},
            {"code": time, "text": "Kuukausi", "values": self.months, "valueTexts": self.months, "time": True},
            {"code": content, "text": "Tiedot", "values": [c for c, _ in self.contents],
             "valueTexts": [t for _, t in self.contents]}]}


def json_number(raw: str):
    return None if raw == SUPPRESSED else float(raw) if "." in raw else int(raw)


def real_12r5_table(first: date = date(2019, 1, 1), last: date = date(2026, 6, 1)) -> tuple[StandInTable, dict]:
    """The real export served over many months; also returns the export itself. Skips without ../shared."""
    export = json.loads(shared_file("real", "statfin_tyonv_12r5_2026M06.json").read_text(encoding="utf-8"))
    contents = [(c["code"], c["text"]) for c in export["columns"] if c["type"] == "c"]
    index = {code: n for n, (code, _) in enumerate(contents)}
    rows = {row["key"][0]: row["values"] for row in export["data"]}
    areas = [(code, "KOKO MAA" if code == "SSS" else code) for code in rows]
    meta = export["metadata"][0]
    table = StandInTable("fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px", meta["label"], areas,
                         [pxweb_code(m) for m in months_between(first, last)], contents,
                         lambda area, month, content: rows[area][index[content]], source=meta["source"])
    return table, export


SMALL_VALUES = {  # area -> (jobseekers, unemployed) in 2026M04; later months add 10 and 5 per month
    "SSS": ("5000", "3000"), "KU091": ("2000", "1200"), "KU049": ("900", "500"), "KU092": ("700", "400"),
    "KU199": ("12", SUPPRESSED), "MK01": ("3600", "2100"), "SK011": ("3600", "2100"),
}


def small_table() -> StandInTable:
    """Hand-made: 7 areas (KU199 and the sub-region SK011 unknown to Pilot Tracker), 3 months, 2 contents."""
    months = ["2026M04", "2026M05", "2026M06"]
    contents = [("HAKIJALOPUSSA", "Työnhakijoita laskentapäivänä (lkm.)"),
                ("TYOTTOMATLOPUSSA", "Työttömät työnhakijat laskentapäivänä (lkm.)")]

    def raw(area: str, month: str, content: str) -> str:
        if (area, month, content) == ("KU092", "2026M05", "TYOTTOMATLOPUSSA"):
            return SUPPRESSED
        base = SMALL_VALUES[area][0 if content == "HAKIJALOPUSSA" else 1]
        step = months.index(month) * (10 if content == "HAKIJALOPUSSA" else 5)
        return base if base == SUPPRESSED else str(int(base) + step)

    areas = [(c, {"SSS": "KOKO MAA", "KU091": "Helsinki", "KU049": "Espoo", "KU092": "Vantaa",
                  "KU199": "Tuntematon", "MK01": "Uusimaa", "SK011": "Helsingin sk"}[c]) for c in SMALL_VALUES]
    return StandInTable("fi/StatFin/tyonv/small_pxt_test.px", "Hand-made test table", areas, months, contents, raw)


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
            return 200, _json_stat2(table, selection), cells, selection
        if fmt == "json":
            return 200, _pxweb_json(table, selection), cells, selection
        return 400, f"format {fmt!r} not supported here", cells, selection


def _json_stat2(table: StandInTable, selection: dict) -> dict:
    area, time, content = table.variable_codes
    areas, months, contents = selection[area], selection[time], selection[content]
    values, status = [], {}
    for a in areas:
        for m in months:
            for c in contents:
                raw = table.raw(a, m, c)
                if raw == SUPPRESSED:
                    status[str(len(values))] = SUPPRESSED
                values.append(json_number(raw))
    texts = {area: dict(table.areas), time: {m: m for m in table.months}, content: dict(table.contents)}
    dimension = {code: {"label": {area: "Alue", time: "Kuukausi", content: "Tiedot"}[code], "category": {
        "index": {v: n for n, v in enumerate(selection[code])},
        "label": {v: texts[code][v] for v in selection[code]}}} for code in (area, time, content)}
    dimension[content]["category"]["unit"] = {c: {"base": "lkm.", "decimals": 0} for c in contents}
    doc = {"version": "2.0", "class": "dataset", "label": table.title, "source": table.source,
           "updated": table.updated, "role": {"time": [time], "metric": [content]},
           "id": [area, time, content], "size": [len(areas), len(months), len(contents)],
           "dimension": dimension, "value": values}
    if status:
        doc["status"] = status
    return doc


def _pxweb_json(table: StandInTable, selection: dict) -> dict:
    area, time, content = table.variable_codes
    texts = dict(table.contents)
    return {"columns": [{"code": area, "text": "Alue", "type": "d"}, {"code": time, "text": "Kuukausi", "type": "t"}]
            + [{"code": c, "text": texts[c], "type": "c"} for c in selection[content]],
            "data": [{"key": [a, m], "values": [table.raw(a, m, c) for c in selection[content]]}
                     for a in selection[area] for m in selection[time]],
            "metadata": [{"updated": table.updated, "label": table.title, "source": table.source}]}


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


def export_cells(export: dict) -> dict[tuple[str, str], str]:
    """(area, content) -> raw string of the export file (its only month)."""
    codes = [c["code"] for c in export["columns"] if c["type"] == "c"]
    return {(row["key"][0], codes[k]): v for row in export["data"] for k, v in enumerate(row["values"])}


def known_area_codes() -> set[str]:
    """The areas Pilot Tracker knows, from its own data files: the country, municipalities, regions, ELY areas."""
    data = Path(__file__).resolve().parent.parent / "data"
    codes = {"SSS"}
    for name in ("municipalities.csv", "regions.csv", "ely_areas.csv"):
        with (data / name).open(encoding="utf-8") as handle:
            codes |= {row["code"] for row in csv.DictReader(handle)}
    return codes
