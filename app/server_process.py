"""Watching a served dashboard process from outside: a free port, "is it up", wait for it, its memory, stop it.

deploy/start.py, the benchmarks and the browser tests all start servers (`python -m app.ui.serve` or
nginx); they share these so that "the server is up" and "stopped" mean the same everywhere. No
Streamlit import: the benchmarks may use it (tests/test_architecture.py).
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(base_url: str) -> bool:
    """Streamlit's (or nginx's proxied) health check answers "ok"."""
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().decode().strip() == "ok"
    except OSError:
        return False


def wait_until_healthy(base_url: str, process: subprocess.Popen, timeout_s: float = 120,
                       poll_s: float = 0.05) -> None:
    """Block until the server answers; fail at once when its process has died instead of waiting out the timeout."""
    deadline = time.monotonic() + timeout_s
    while not healthy(base_url):
        if process.poll() is not None:
            raise RuntimeError(f"{base_url}: the server process exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{base_url} did not answer within {timeout_s} s")
        time.sleep(poll_s)


def stop(process: subprocess.Popen, timeout_s: float = 15) -> None:
    """Terminate politely, then kill: a stuck server (it has happened, see docs/reliability.md) must not hang the caller."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout_s)


def memory_mb(pid: int, peak: bool = False) -> float | None:
    """A process's resident memory now (VmRSS), or its peak (VmHWM), from /proc; None if it is gone."""
    field = "VmHWM:" if peak else "VmRSS:"
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
