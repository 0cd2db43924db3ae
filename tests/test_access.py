"""The internal view behind login, through Streamlit's own test facility (AppTest.user seeds st.user):
non-public indicators and provisional months only for a logged-in user on the list, in an internal
deployment; a public deployment never shows them, whatever the URL or the login says."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from app.i18n import fmt_month, t
from app.indicators import registry
from app.safe_text import md_escape
from app.ingest.store import writable_engine
from app.settings import Settings
from app.ui.access import allowed
from tests.conftest import ROOT, demo_copy

ENTRY = str(ROOT / "streamlit_app.py")
HIDDEN = "pilot_clients_with_plan"  # public = false in data/indicators.toml
OFFICIAL = {"is_logged_in": True, "email": "virkamies@tem.fi", "name": "Virkamies"}
OUTSIDER = {"is_logged_in": True, "email": "someone@example.com"}


@pytest.fixture(scope="module")
def provisional_db(demo_sqlite, tmp_path_factory) -> str:
    """The demo with December 2024 marked provisional, as a preliminary PxWeb month (2024M12*) loads."""
    url = demo_copy(demo_sqlite, tmp_path_factory.mktemp("access"), "provisional.sqlite")
    engine = writable_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE observation SET status = 'provisional' "
                          "WHERE period = '2024-12-01' AND status = 'final'"))
    engine.dispose()
    return url


def run(page: str, user: dict | None, env: dict, monkeypatch, **params) -> AppTest:
    for key in ("PILOT_TRACKER_INTERNAL", "PILOT_TRACKER_PUBLIC", "PILOT_TRACKER_INTERNAL_EMAILS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(ENTRY, default_timeout=60)
    if user is not None:
        at.user = user
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def offered(at: AppTest) -> list[str]:
    return list(at.selectbox(key="url_indicator").options)


def months(at: AppTest) -> list[str]:
    return list(at.select_slider(key="url_month").options)


DECEMBER = {lang: fmt_month(date(2024, 12, 1), lang) for lang in ("fi", "sv", "en")}


@pytest.fixture(autouse=True)
def database(provisional_db, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_DB", provisional_db)


INTERNAL = {"PILOT_TRACKER_INTERNAL": "1"}
PUBLIC = {"PILOT_TRACKER_PUBLIC": "1"}


def test_an_internal_deployment_shows_the_public_view_before_login(monkeypatch):
    at = run("pages/map.py", None, INTERNAL, monkeypatch, lang="en", indicator=HIDDEN, month="2024-12")
    assert registry()[HIDDEN].name("en") not in offered(at)
    assert at.selectbox(key="url_indicator").value != HIDDEN
    assert any("indicator=" in i.value for i in at.info)  # the short message, and the default shown
    assert at.select_slider(key="url_month").value.isoformat() == "2024-11-01"  # December is provisional
    assert DECEMBER["en"] not in months(at) and fmt_month(date(2024, 11, 1), "en") in months(at)
    captions = [c.value for c in at.sidebar.caption]
    # No [auth] in secrets here: the operator is told, and no login button leads nowhere.
    assert t("access.public_view", "en") in captions and t("access.login_missing", "en") in captions
    assert not at.sidebar.button


def test_a_logged_in_official_sees_non_public_indicators_and_provisional_months(monkeypatch):
    at = run("pages/map.py", OFFICIAL, INTERNAL, monkeypatch, lang="fi", indicator=HIDDEN, month="2024-12")
    assert at.selectbox(key="url_indicator").value == HIDDEN
    assert not at.info
    assert at.select_slider(key="url_month").value.isoformat() == "2024-12-01"
    captions = [c.value for c in at.sidebar.caption]
    assert t("access.internal_view", "fi", user=md_escape("virkamies@tem.fi", 80)) in captions
    assert [b.label for b in at.sidebar.button] == [t("access.logout", "fi")]


def test_a_login_not_on_the_list_gets_the_public_view(monkeypatch):
    env = INTERNAL | {"PILOT_TRACKER_INTERNAL_EMAILS": "@tem.fi, kirjaamo@kunta.fi"}
    at = run("pages/map.py", OUTSIDER, env, monkeypatch, lang="sv", indicator=HIDDEN)
    assert at.selectbox(key="url_indicator").value != HIDDEN
    assert DECEMBER["sv"] not in months(at)
    assert t("access.not_allowed", "sv", user=md_escape("someone@example.com", 80)) in [c.value for c in at.sidebar.caption]
    at = run("pages/map.py", OFFICIAL, env, monkeypatch, lang="sv", indicator=HIDDEN)
    assert at.selectbox(key="url_indicator").value == HIDDEN


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/map.py", "pages/trends.py", "pages/gauges.py",
                                  "pages/data.py"])
def test_a_public_deployment_never_shows_them_whatever_the_url_or_the_login(monkeypatch, page):
    at = run(page, OFFICIAL, PUBLIC, monkeypatch, lang="en", indicator=HIDDEN, month="2024-12", base="2024-12",
             internal="1", public="0", mode="index", areas="SSS,PILOT01")
    if page in ("pages/map.py", "pages/trends.py"):
        assert at.selectbox(key="url_indicator").value != HIDDEN
        assert registry()[HIDDEN].name("en") not in offered(at)
    shown_months = [o for slider in at.select_slider for o in slider.options]
    assert DECEMBER["en"] not in shown_months
    assert not at.sidebar.button  # no login offered in public
    if page == "pages/overview.py":
        assert "November 2024" in at.header[0].value  # the latest final month (a level-2 heading: WCAG heading order)


def test_the_open_development_mode_shows_everything(monkeypatch):
    at = run("pages/map.py", None, {}, monkeypatch, lang="en", indicator=HIDDEN, month="2024-12")
    assert at.selectbox(key="url_indicator").value == HIDDEN
    assert at.select_slider(key="url_month").value.isoformat() == "2024-12-01"


def test_the_list_of_internal_users():
    settings = Settings(db_url="x", access="internal", internal_emails=("@tem.fi", "kirjaamo@kunta.fi"))
    assert allowed("Virkamies@TEM.fi", settings) and allowed("kirjaamo@kunta.fi", settings)
    assert not allowed("someone@tem.fi.evil.example", settings) and not allowed(None, settings)
    assert not allowed("x@kunta.fi", settings)
    assert allowed("anyone@example.com", Settings(db_url="x", access="internal"))
