"""What the pages hand to st.plotly_chart: a kept figure's dict, made once, and the same JSON as the figure's."""

from __future__ import annotations

import json

import plotly.io as pio

from app.charts.style import figure_from, layout_spec
from app.i18n import plotly_separators
from app.ui import share
from tests.test_pages import run


def _figure():
    return figure_from([{"type": "scatter", "x": [1, 2, 3], "y": [4, 5, 6], "name": "a"}], layout_spec(title="t"))


def test_a_sent_figure_is_the_figure_as_plotly_serialises_it():
    figure = _figure()
    sent = share._sendable(figure)
    assert pio.to_json(sent.to_dict(), validate=False) == pio.to_json(figure, validate=False)


def test_a_figure_is_turned_into_a_dict_once(monkeypatch):
    figure = _figure()
    calls = []
    original = type(figure).to_dict
    monkeypatch.setattr(type(figure), "to_dict", lambda self: calls.append(1) or original(self))
    first, second = share._sendable(figure), share._sendable(figure)
    assert first.to_dict() is second.to_dict()
    assert len(calls) == 1


def test_the_page_sends_the_views_figure(demo_sqlite, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_DB", demo_sqlite)
    at = run("pages/trends.py", lang="fi")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"] and spec["data"][0]["type"] == "scatter"
    assert spec["layout"]["separators"] == plotly_separators("fi")  # the Finnish figure, through the kept dict
    again = json.loads(at.run().get("plotly_chart")[0].proto.spec)
    assert again == spec
