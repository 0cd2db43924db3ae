"""The internal view behind Streamlit's real OIDC login, in Chromium: a local OpenID Connect provider
(tests/oidc_provider.py) started by the test, the server configured through an [auth] secrets file.
Before login the public view; after it the non-public indicator and the provisional month; after
logout the public view again. A public deployment with the same login shows the public view."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.i18n import fmt_month, t
from app.indicators import registry
from app.server_process import free_port
from tests.oidc_provider import Provider
from tests.test_access import HIDDEN, provisional_db  # noqa: F401 - the fixture, shared
from tests.test_browser import settle

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def provider():
    served = Provider()
    yield served
    served.stop()


def serve(provider: Provider, db_url: str, tmp_path: Path, extra_env: dict):
    port = free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "{provider.client_id}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n')
    env = {**os.environ, "PILOT_TRACKER_DB": db_url, **extra_env}
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false", "--secrets.files", str(secrets_file)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return process, base
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "streamlit.log").read_text()
            time.sleep(0.3)


def chosen_indicator(tab) -> str:
    return tab.get_by_role("combobox", name=t("common.indicator", "en")).input_value()


def open_map(tab, base: str) -> None:
    tab.goto(f"{base}/map?lang=en&indicator={HIDDEN}&month=2024-12")
    settle(tab)


def test_login_opens_the_internal_view_and_logout_closes_it(browser, provider, provisional_db, tmp_path):
    process, base = serve(provider, provisional_db, tmp_path, {"PILOT_TRACKER_INTERNAL": "1",
                                                                "PILOT_TRACKER_INTERNAL_EMAILS": "@tem.fi"})
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    context.set_default_timeout(45_000)
    tab = context.new_page()
    hidden_name = registry()[HIDDEN].name("en")
    december = fmt_month(__import__("datetime").date(2024, 12, 1), "en")
    try:
        open_map(tab, base)
        assert chosen_indicator(tab) != hidden_name  # the public view: the URL asked in vain
        assert december not in tab.inner_text("[data-testid='stMain']")
        sidebar = tab.get_by_test_id("stSidebar")
        assert t("access.public_view", "en")[:40] in sidebar.inner_text()

        sidebar.get_by_role("button", name=t("access.login", "en")).click()  # -> provider -> callback -> app
        deadline = time.monotonic() + 45
        while not any(entry.startswith("POST /token") for entry in provider.log):
            assert time.monotonic() < deadline, provider.log
            tab.wait_for_timeout(200)
        tab.wait_for_timeout(2000)  # the callback sets the cookie and sends the browser back to the app

        open_map(tab, base)
        assert chosen_indicator(tab) == hidden_name
        assert december in tab.inner_text("[data-testid='stMain']")
        assert "virkamies" in tab.get_by_test_id("stSidebar").inner_text()

        tab.get_by_test_id("stSidebar").get_by_role("button", name=t("access.logout", "en")).click()
        tab.wait_for_timeout(1500)
        open_map(tab, base)
        assert chosen_indicator(tab) != hidden_name
    finally:
        context.close()
        process.terminate()
        process.wait(timeout=30)


def test_a_public_deployment_stays_public_with_the_same_login(browser, provider, provisional_db, tmp_path):
    process, base = serve(provider, provisional_db, tmp_path, {"PILOT_TRACKER_PUBLIC": "1",
                                                                "PILOT_TRACKER_INTERNAL": "1"})
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    tab = context.new_page()
    try:
        tab.goto(f"{base}/auth/login")  # even a hand-made login request changes nothing
        tab.wait_for_timeout(2000)
        open_map(tab, base)
        assert chosen_indicator(tab) != registry()[HIDDEN].name("en")
        assert not tab.get_by_test_id("stSidebar").get_by_role("button", name=t("access.login", "en")).count()
    finally:
        context.close()
        process.terminate()
        process.wait(timeout=30)
