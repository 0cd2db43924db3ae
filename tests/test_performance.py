"""What makes the pages fast, kept so: small map figures, views built once per state, reads only of what
is new, formatting as Babel does it, and the production server settings (docs/performance.md)."""

from __future__ import annotations

import json
import tomllib
from datetime import date

import plotly.io as pio
import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from app import queries
from app.areas import GRP_PILOT
from app.charts.style import figure_from
from app.db import readonly_engine
from app.i18n import LOCALES, fmt_number
from app.ui import data as ui_data
from tests.conftest import ROOT

ENTRY = ROOT / "streamlit_app.py"
MAP_FIGURE_LIMIT = 150_000  # bytes of a map's figure as sent (the target)


@pytest.fixture
def boundaries_db(demo_sqlite, tmp_path, monkeypatch):
    """The session's demo database with the shipped boundaries, as `make` builds it."""
    import shutil

    from app.ingest.boundaries import load_boundaries

    target = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_sqlite.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    load_boundaries(url, ROOT / "data" / "boundaries" / "municipalities-2021.topo.json", 2021)
    monkeypatch.setenv("PILOT_TRACKER_DB", url)
    return url


def run(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def spec_of(at: AppTest) -> str:
    return at.get("plotly_chart")[0].proto.spec


def test_the_map_names_its_boundaries_and_sends_only_what_the_month_changes(boundaries_db):
    at = run("pages/map.py", lang="fi")
    opened = spec_of(at)
    figure = json.loads(opened)
    urls = {trace["geojson"] for trace in figure["data"] if trace["type"] == "choropleth"}
    assert len(urls) == 1 and next(iter(urls)).startswith("app/static/geo/")
    served = ui_data.STATIC_DIR / next(iter(urls)).removeprefix("app/static/")
    assert len(json.loads(served.read_bytes())["features"]) == 309  # every municipality, fetched once
    assert len(opened.encode()) < MAP_FIGURE_LIMIT and '"coordinates"' not in opened
    assert figure["data"][0]["type"] == "scattergeo"  # still first: plotly.js fetches no world map
    outline = next(trace for trace in figure["data"] if trace.get("meta") == "highlight")
    assert outline["showlegend"] and outline["lon"] == [None]  # the legend entry; the outline is each border
    widths = [w for trace in figure["data"] if trace["type"] == "choropleth"
              for w in (trace["marker"]["line"]["width"] if isinstance(trace["marker"]["line"]["width"], list) else [])]
    engine = readonly_engine(boundaries_db)
    pilot_municipalities = queries.memberships(engine, [GRP_PILOT])["member_code"].n_unique()
    engine.dispose()
    assert widths.count(2.2) == pilot_municipalities  # each pilot municipality's own border is its outline

    at.select_slider(key="url_month").set_value(date(2023, 6, 1)).run()
    changed = spec_of(at)
    assert changed != opened and len(changed.encode()) < MAP_FIGURE_LIMIT
    assert {t["geojson"] for t in json.loads(changed)["data"] if t["type"] == "choropleth"} == urls


def test_a_view_is_built_once_per_state_and_a_new_area_reads_only_that_area(boundaries_db, monkeypatch):
    from app.views import trends

    built = []
    original = trends.trend_view
    monkeypatch.setattr(trends, "trend_view", lambda *a, **k: built.append(a[2]) or original(*a, **k))
    statements = []
    engine = ui_data._reader(boundaries_db).engine  # the dashboard's own cached engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        at = run("pages/trends.py", lang="en", indicator="jobseekers", areas="SSS,GRP_PILOT")
        at.run()  # nothing changed: nothing is built again
        assert len(built) == 1
        statements.clear()
        at.multiselect(key="url_areas").set_value(["SSS", "GRP_PILOT", "ELY05"]).run()
        assert len(built) == 2
        member_reads = [s for s in statements if "GROUP BY" in s]
        assert len(member_reads) == 1  # ELY05 only: SSS and GRP_PILOT were read before
        at.multiselect(key="url_areas").set_value(["SSS", "GRP_PILOT"]).run()
        assert len(built) == 2  # a state asked before: the view kept from then
        at.button_group(key="lang").set_value("sv").run()
        assert len(built) == 3  # the language is part of the state
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_a_public_session_never_gets_an_internal_sessions_view(boundaries_db, monkeypatch):
    from app.ui.views import cached
    from app.views.audience import PublicSource

    sources = []
    view = lambda source, lang: sources.append(type(source).__name__) or object()  # noqa: E731

    inner = ui_data.CachedSource(boundaries_db, ("fingerprint", 1), "en")
    first = cached(view, inner, "en")
    assert cached(view, inner, "en") is first and sources == ["CachedSource"]
    public = cached(view, PublicSource(inner), "en")
    assert public is not first and sources == ["CachedSource", "PublicSource"]
    with pytest.raises(TypeError):
        cached(view, object(), "en")


def test_the_shared_template_is_plotly_whites_look():
    whole = pio.templates["plotly_white"].to_plotly_json()["layout"]
    layout = figure_from([], {}).to_dict()["layout"]["template"]["layout"]
    assert layout["plot_bgcolor"] == "white" and layout["xaxis"] == whole["xaxis"]


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.sampled_from(sorted(LOCALES)),
       st.integers(min_value=0, max_value=2))
def test_numbers_read_exactly_as_babel_writes_them(value, lang, decimals):
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    assert fmt_number(value, lang, decimals) == format_decimal(value, format=pattern, locale=LOCALES[lang])


def test_the_server_runs_as_production_needs():
    whole = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    config = whole["server"]
    assert config["fileWatcherType"] == "none" and config["runOnSave"] is False
    assert whole["runner"]["postScriptGC"] is False  # a full collection after each run held the GIL 120 ms
    assert config["enableStaticServing"] is True  # the map's boundaries are fetched from app/static/
    assert "static/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
