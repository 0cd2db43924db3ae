"""Every page through Streamlit's AppTest, in Finnish, Swedish and English, on the demo database."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from app.i18n import plain, t
from tests.conftest import ROOT

ENTRY = ROOT / "streamlit_app.py"

PAGES = ["pages/overview.py", "pages/map.py", "pages/trends.py", "pages/gauges.py", "pages/data.py"]
LANGS = ["fi", "sv", "en"]


@pytest.fixture(autouse=True)
def demo_db(demo_sqlite, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_DB", demo_sqlite)


def run(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [h.value for h in at.title] + [h.value for h in at.header]
    parts += [h.value for h in at.subheader]
    parts += [c.value for c in at.caption] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [m.label for m in at.metric]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_every_language(page, lang):
    at = run(page, lang=lang)
    assert not at.error, [e.value for e in at.error]
    assert t("demo.banner", lang) in [w.value for w in at.warning]
    assert at.session_state["lang"] == lang
    assert at.query_params["lang"] == [lang] or at.query_params["lang"] == lang


def test_overview_shows_headline_numbers():
    at = run(lang="en")
    labels = [m.label for m in at.metric]
    assert labels == [t("overview.pilot_areas", "en"), t("overview.member_municipalities", "en"),
                      t("overview.clients", "en"), t("overview.share", "en")]
    assert at.metric[0].value == "23" and at.metric[1].value == "107"
    assert "December 2024" in texts(at)


def test_language_is_kept_when_moving_between_pages():
    at = run(lang="sv")
    at.switch_page("pages/trends.py").run()
    assert at.title[0].value == t("trends.title", "sv")
    at.switch_page("pages/gauges.py").run()
    assert at.title[0].value == t("gauges.title", "sv")
    assert at.session_state["lang"] == "sv"


def test_language_picker_switches_the_text():
    at = run("pages/trends.py", lang="fi")
    assert at.title[0].value == t("trends.title", "fi")
    at.session_state["lang"] = "en"
    at.run()
    assert at.title[0].value == t("trends.title", "en")


def test_trends_url_round_trip_restores_the_view():
    at = run("pages/trends.py", lang="en", indicator="pilot_clients", areas="PILOT01,KU091,ELY01",
             mode="index", base="2021-03")
    assert not at.info, [i.value for i in at.info]
    assert at.selectbox(key="url_indicator").value == "pilot_clients"
    assert at.multiselect(key="url_areas").value == ["PILOT01", "KU091", "ELY01"]
    assert at.radio(key="url_mode").value == "index"
    assert at.select_slider(key="url_base").value.isoformat() == "2021-03-01"
    # the widgets write the state back, so the URL stays a permalink
    assert at.query_params["areas"] in ("PILOT01,KU091,ELY01", ["PILOT01,KU091,ELY01"])
    assert at.query_params["mode"] in ("index", ["index"])


def test_gauges_month_from_url():
    at = run("pages/gauges.py", lang="fi", month="2022-06")
    assert at.select_slider(key="url_month").value.isoformat() == "2022-06-01"


@pytest.mark.parametrize("params", [
    {"indicator": "'; DROP TABLE observation; --"},
    {"areas": "KU999,<script>alert(1)</script>"},
    {"mode": "../../etc/passwd"},
    {"mode": "index", "base": "2021-13"},
    {"lang": "xx"},
])
def test_hostile_url_values_give_a_message_not_an_exception(params):
    at = run(None if "lang" in params else "pages/trends.py", **params)
    assert not at.error
    messages = "\n".join(i.value for i in at.info)
    assert "`" in messages and "<script>" not in messages, messages


def test_hostile_month_on_gauges_falls_back_to_latest():
    at = run("pages/gauges.py", lang="en", month="not-a-month")
    assert at.select_slider(key="url_month").value.isoformat() == "2024-12-01"
    assert any("month" in i.value for i in at.info)


def test_database_failure_is_explained_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("PILOT_TRACKER_DB", f"sqlite:///{tmp_path / 'missing.sqlite'}")
    at = AppTest.from_file(str(ENTRY), default_timeout=30)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("error.db_missing", "en")]  # what happened and what to do


def test_pages_work_on_a_real_statistics_database_without_pilot_data(monkeypatch, tmp_path):
    """A production database loaded only with one month of 12r5: no demo banner, no crash, a useful overview."""
    from app.ingest.store import init_database
    from tests.conftest import shared_file
    from tests.ingest_helpers import run_cli

    path = shared_file("real", "statfin_tyonv_12r5_2026M06.json")
    url = f"sqlite:///{tmp_path / 'real.sqlite'}"
    init_database(url).dispose()
    assert run_cli("ingest", "pxweb", path, "--db", url).exit_code == 0
    monkeypatch.setenv("PILOT_TRACKER_DB", url)
    at = run(lang="en")
    assert not at.error and not at.warning  # not demo: no synthetic-data banner
    assert any("no pilot monitoring data" in i.value for i in at.info)
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception and not at.error, page
    at = run("pages/map.py", lang="fi", level="ely", indicator="unemployment_share")
    assert "kesäkuu 2026" in texts(at)


def test_index_of_pilot_clients_defaults_to_a_month_with_clients():
    at = run("pages/trends.py", lang="en", indicator="pilot_clients", areas="PILOT01,SSS", mode="index")
    assert at.select_slider(key="url_base").value.isoformat() == "2021-03-01"
    assert not at.info


def test_a_first_request_to_a_page_url_goes_through_the_router():
    """A fresh server whose first request is /map?lang=en must still run streamlit_app.py around the page.

    AppTest resets Streamlit's pages/ flag before every run, as a fresh server process has it, and a
    page switch before the first run is such a first request: without app.ui.chrome.ensure_router the
    page runs alone, in Finnish, without banner or language picker.
    """
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.query_params["lang"] = "en"
    at.switch_page("pages/map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == t("map.title", "en")
    assert t("demo.banner", "en") in [w.value for w in at.warning]
    assert at.session_state["lang"] == "en"
    assert [c.label for c in at.sidebar.get("button_group")] == ["Kieli · Språk · Language"]


def figure_of(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def table_of(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_symbol_map_says_once_why_it_draws_points():
    at = run("pages/map.py", lang="fi")
    notes = [a["text"].replace("<br>", " ") for a in figure_of(at)["layout"].get("annotations", [])]
    assert notes == [plain(t("map.no_boundaries", "fi"))]  # in the figure, so it travels with it
    assert not any("pilot-tracker boundaries" in i.value for i in at.info)  # and not again on the page


def test_tables_hold_numbers_so_a_column_sorts_by_value():
    at = run("pages/gauges.py", lang="en", month="2024-12")
    gauges = table_of(at, t("gauges.jobseekers", "en"))
    ranked = gauges.sort_values(t("gauges.jobseekers", "en"), ascending=False)[t("common.area", "en")].tolist()
    assert ranked.index("Uusimaa") < ranked.index("Kainuu")
    assert all(kind == "float64" for kind in gauges.dtypes.iloc[1:4].astype(str))
    # Streamlit truncates to the column's step, so the shares arrive rounded: 32.48 reads 32,5 as on the gauge.
    shares = gauges[f"{t('gauges.share', 'en')} (%)"].tolist()
    known = [v for v in shares if v == v]  # the two ELY areas without a registered pilot area have none (NaN)
    assert len(shares) - len(known) == 2
    assert known == [round(v, 1) for v in known] and any(v != int(v) for v in known)
    at = run("pages/trends.py", lang="fi", indicator="pilot_clients", areas="SSS")
    trends = table_of(at, t("common.month", "fi"))
    assert str(trends.dtypes.iloc[2]) == "float64" and "date" in str(trends.dtypes.iloc[0]).lower()
    at.switch_page("pages/data.py").run()
    assert str(table_of(at, t("data.col_rows", "fi"))[t("data.col_rows", "fi")].dtype).startswith("int")


def test_a_running_session_sees_a_finished_load_without_a_restart(demo_sqlite, tmp_path, monkeypatch):
    """The cached reads are keyed on the latest release, which every load records: no restart, no hour's wait."""
    from app.ui.data import FINGERPRINT_TTL_S
    from tests.boundary_squares import copy_without_boundaries, load_squares

    url = copy_without_boundaries(demo_sqlite, tmp_path / "live.sqlite")
    monkeypatch.setenv("PILOT_TRACKER_DB", url)
    at = run("pages/data.py", lang="en")
    releases_before = len(table_of(at, t("data.col_rows", "en")))
    at.switch_page("pages/map.py").run()
    assert {trace["type"] for trace in figure_of(at)["data"]} == {"scattergeo"}  # no boundaries: a symbol map

    load_squares(url, tmp_path)
    time.sleep(FINGERPRINT_TTL_S + 0.5)

    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "choropleth" in {trace["type"] for trace in figure_of(at)["data"]}  # the same session draws the shapes
    assert not figure_of(at)["layout"].get("annotations")
    at.switch_page("pages/data.py").run()
    assert len(table_of(at, t("data.col_rows", "en"))) == releases_before + 1
