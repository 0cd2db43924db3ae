"""HTTP for the PxWeb API: paced calls, waits on 429, retries with backoff; every failure is a FetchError.

Pacing is a sliding window over the times calls *finished* (the service counts a call when it receives
it, which is never later than we see the answer), so at most max_calls fall in any time_window seconds.
Clock, sleep and opener are injectable: tests run against a local stand-in server with a fake clock.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

USER_AGENT = "pilot-tracker (PxWeb API client)"
MAX_RETRY_AFTER_S = 300.0  # a longer Retry-After than this is the service asking us to come back later


class FetchError(RuntimeError):
    """The service could not deliver the table; the fetch returned nothing, so nothing gets written."""

    def __init__(self, url: str, message: str, *, status: int | None = None):
        self.url, self.message, self.status = url, message, status
        super().__init__(f"{url}: {message}")


class TooManyValues(Exception):
    """HTTP 403 on a data query: the query selects more cells than the service's maxValues."""


@dataclass(frozen=True)
class Limits:
    """The service's published limits (`GET {api root}?config`)."""

    max_values: int
    max_calls: int
    time_window: float


@dataclass
class CallCounts:
    calls: int = 0  # every HTTP request sent, repeats included
    retries: int = 0  # repeats after a timeout, a dropped connection, a 5xx or a cut-off answer
    throttled: int = 0  # HTTP 429 answers waited for


class Client:
    """One PxWeb service session: pacing state, retry policy and counters."""

    def __init__(self, *, opener: urllib.request.OpenerDirector | None = None, timeout: float = 60.0,
                 retries: int = 4, backoff: float = 1.0, max_throttled: int = 30, pace_margin: float = 0.05,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.opener = opener or urllib.request.build_opener()
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.max_throttled, self.pace_margin = max_throttled, pace_margin
        self.clock, self.sleep = clock, sleep
        self.counts = CallCounts()
        self.max_calls: int | None = None
        self.time_window = 0.0
        self._finished: deque[float] = deque()

    def pace(self, max_calls: int, time_window: float) -> None:
        self.max_calls, self.time_window = max_calls, time_window

    def get_json(self, url: str):
        return self._call("GET", url, None)

    def post_json(self, url: str, body: dict):
        return self._call("POST", url, json.dumps(body).encode("utf-8"))

    # --- one call, repeated as the failure allows ---------------------------------------------------

    def _call(self, method: str, url: str, data: bytes | None):
        failures = throttled = 0
        while True:
            self._wait_for_slot()
            self.counts.calls += 1
            try:
                payload = self._timed_send(method, url, data)
            except urllib.error.HTTPError as exc:
                detail = _error_text(exc)
                if exc.code == 429:
                    throttled += 1
                    self.counts.throttled += 1
                    if throttled > self.max_throttled:
                        raise FetchError(url, f"the service kept answering HTTP 429 (too many calls) after "
                                              f"{self.max_throttled} waits; try again later", status=429) from None
                    self.sleep(_retry_after(exc.headers.get("Retry-After")) or self.time_window or 1.0)
                    continue
                if exc.code == 403 and method == "POST":
                    raise TooManyValues(detail) from None
                if exc.code < 500:
                    raise FetchError(url, f"the service answered HTTP {exc.code} {exc.reason}"
                                          + (f": {detail}" if detail else ""), status=exc.code) from None
                failure = f"the service answered HTTP {exc.code} {exc.reason}"
            except TimeoutError:
                failure = f"no answer within {self.timeout:g} s (timeout)"
            except http.client.IncompleteRead as exc:
                failure = f"the connection was dropped mid-answer ({len(exc.partial):,} bytes received)"
            except (http.client.HTTPException, urllib.error.URLError, OSError) as exc:
                failure = _network_text(exc)
            else:
                try:
                    return json.loads(payload)
                except ValueError:
                    failure = "the answer is not valid JSON (cut off?)"
            failures += 1
            if failures > self.retries:
                raise FetchError(url, f"{failure}; gave up after {failures} attempts. Check the network "
                                      "connection (or proxy) and try again")
            self.counts.retries += 1
            self.sleep(self.backoff * 2 ** (failures - 1))

    def _timed_send(self, method: str, url: str, data: bytes | None) -> bytes:
        try:
            return self._send(method, url, data)
        finally:
            self._finished.append(self.clock())

    def _send(self, method: str, url: str, data: bytes | None) -> bytes:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        with self.opener.open(request, timeout=self.timeout) as response:
            return response.read()

    def _wait_for_slot(self) -> None:
        """Sleep until one more call keeps at most max_calls in any time_window."""
        if not self.max_calls:
            return
        while True:
            now = self.clock()
            while self._finished and self._finished[0] <= now - self.time_window:
                self._finished.popleft()
            if len(self._finished) < self.max_calls:
                return
            self.sleep(self._finished[0] + self.time_window - now + self.pace_margin)


def _retry_after(header: str | None) -> float | None:
    """Retry-After in seconds (an integer or an HTTP date), capped; None when absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    try:
        seconds = float(header)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return None
        seconds = (moment - datetime.now(timezone.utc)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read(500).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        body = ""
    finally:
        exc.close()
    return " ".join(body.split())[:200]


def _network_text(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, TimeoutError):
        return "no answer in time (timeout)"
    if isinstance(reason, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(reason, ConnectionResetError):
        return "the connection was reset"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused"
    return f"network error: {reason}"
