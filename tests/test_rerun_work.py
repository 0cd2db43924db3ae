"""What a rerun does not make again: a kept figure's dict for st.plotly_chart (the same JSON as the
figure's) and a kept table's printed copy, shared by the copies of a kept view every session gets."""

from __future__ import annotations

import json

import plotly.io as pio
import pytest
import polars as pl

from app.charts.style import figure_from, layout_spec
from app.i18n import plotly_separators
from app.ui import share
from app.ui.views import _frames
from app.views import tables
from app.views.tables import Table, printed_html
from tests.test_pages import run


def _figure():
    return figure_from([{"type": "scatter", "x": [1, 2, 3], "y": [4, 5, 6], "name": "a"}], layout_spec(title="t"))


def test_a_sent_figure_is_the_figure_as_plotly_serialises_it():
    figure = _figure()
    figure.add_hline(y=5)  # a figure changed after it was built sends the change
    assert pio.to_json(share._Spec(figure).to_dict(), validate=False) == pio.to_json(figure, validate=False)


def test_sending_a_figure_copies_nothing(monkeypatch):
    figure = _figure()
    monkeypatch.setattr(type(figure), "to_dict", lambda self: pytest.fail("the figure was copied"))
    assert share._Spec(figure).to_dict()["data"][0]["x"] == [1, 2, 3]


def test_the_page_sends_the_views_figure(demo_sqlite, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_DB", demo_sqlite)
    at = run("pages/trends.py", lang="fi")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"] and spec["data"][0]["type"] == "scatter"
    assert spec["layout"]["separators"] == plotly_separators("fi")  # the Finnish figure, through the kept dict
    again = json.loads(at.run().get("plotly_chart")[0].proto.spec)
    assert again == spec


def test_a_kept_tables_printed_copy_is_written_once_for_every_copy_of_it(monkeypatch):
    kept = Table(pl.DataFrame({"Area": ["a", "b"], "Value": [1.25, 2.5]}), decimals={"Value": 1})
    calls = []
    original = tables.table_html
    monkeypatch.setattr(tables, "table_html", lambda *args: calls.append(args) or original(*args))
    first = printed_html(_frames(kept, pl.DataFrame.clone), "Caption", "fi")
    second = printed_html(_frames(kept, pl.DataFrame.clone), "Caption", "fi")
    assert first == second and "1,2" in first and len(calls) == 1
    printed_html(kept, "Caption", "sv")  # another language is another copy
    assert len(calls) == 2


def test_every_kind_of_page_figure_is_sent_as_plotly_writes_it(demo_sqlite):
    from app.db import readonly_engine
    from app.indicators import registry
    from app.views.gauges import client_share, gauge_view, history_chart
    from app.views.maps import map_view
    from app.views.source import QuerySource
    from app.views.trends import DEFAULT_AREAS, trend_view

    source = QuerySource(readonly_engine(demo_sqlite))
    indicator = registry()["unemployment_share"]
    month = source.periods(indicator.code)[-1]
    gauges = gauge_view(source, source.periods(client_share().code)[-1], "en")
    figures = [map_view(source, indicator, month, "municipality", "fi").figure,
               map_view(source, indicator, month, "pilot", "fi").figure,
               trend_view(source, indicator, DEFAULT_AREAS, "index", "sv").chart.figure,
               gauges.wide, gauges.narrow, history_chart(source, source.codes_of_kind("ely")[:4], "en").figure]
    for figure in figures:
        assert pio.to_json(share._Spec(figure).to_dict(), validate=False) == pio.to_json(figure, validate=False)


def test_a_tuple_cache_key_is_its_repr_only_when_that_is_exact():
    from datetime import date

    from app.ui.data import tuple_key

    codes = tuple(f"{n:03d}" for n in range(309))
    assert tuple_key(codes) == repr(codes)
    assert tuple_key(("a", (1, 2.5, None), date(2021, 3, 1))) == repr(("a", (1, 2.5, None), date(2021, 3, 1)))
    long_a = pl.DataFrame({"x": list(range(100))})
    long_b = long_a.with_columns(pl.when(pl.col("x") == 50).then(-1).otherwise(pl.col("x")).alias("x"))
    assert repr((long_a,)) == repr((long_b,))  # a frame's repr is abridged ...
    assert tuple_key((long_a,)) != tuple_key((long_b,))  # ... so its key is not its repr
