"""The shared figure style: the lean template draws what plotly_white draws, and figure_from's check."""

import json
import re
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import pytest

from app.charts import style
from app.charts.gauges import ely_gauges, gauge_layouts


def test_the_lean_template_keeps_plotly_whites_look_for_every_trace_type_drawn():
    whole = pio.templates["plotly_white"].to_plotly_json()
    lean = style.TEMPLATE.to_plotly_json()
    for kind in style.TRACE_TYPES:
        assert lean["data"].get(kind) == whole["data"].get(kind)
    kept = {k: v for k, v in whole["layout"].items() if k not in style.UNUSED_LAYOUT}
    assert lean["layout"] == kept
    assert len(json.dumps(lean)) < len(json.dumps(whole)) / 2


def test_every_trace_type_a_chart_module_draws_is_in_the_template():
    trace_types = set(go.Figure()._data_validator.class_strs_map)  # every kind of trace Plotly knows
    drawn = set()
    for module in Path(style.__file__).parent.parent.rglob("*.py"):
        text = module.read_text()
        drawn |= {name.lower() for name in re.findall(r"go\.([A-Z][a-z]+)\(", text)}
        drawn |= set(re.findall(r'"type"(?::|\] =) "([a-z]+)"', text))
    assert {"scatter", "choropleth", "scattergeo", "indicator", "table"} <= drawn & trace_types <= set(style.TRACE_TYPES)


def test_figure_from_checks_properties_where_asked(monkeypatch):
    monkeypatch.setattr(style, "CHECK_FIGURES", True)
    with pytest.raises(ValueError):
        style.figure_from([{"type": "scatter", "no_such_property": 1}], {})
    monkeypatch.setattr(style, "CHECK_FIGURES", False)
    assert style.figure_from([{"type": "scatter", "x": [1]}], {}).data[0].x == (1,)


def test_an_unchecked_figure_is_the_checked_one(monkeypatch):
    rows = pl.DataFrame({"area_code": ["ELY01", "ELY02"], "name": ["Uusimaa", "Kainuu"], "value": [35.5, None],
                         "numerator": [100, None], "denominator": [300, 200], "status": ["final", "incomplete"]})
    specs = {}
    for check in (True, False):
        monkeypatch.setattr(style, "CHECK_FIGURES", check)
        specs[check] = json.dumps(ely_gauges(rows, lang="sv", title="x").to_dict(), sort_keys=True)
    assert specs[True] == specs[False]


def test_gauges_side_by_side_share_one_scale():
    rows = pl.DataFrame({"area_code": ["ELY01", "ELY02"], "name": ["a", "b"], "value": [80.0, 10.0],
                         "numerator": [80, 10], "denominator": [100, 100], "status": ["final", "final"]})
    wide, narrow = gauge_layouts(rows, lang="en")
    assert [g.gauge.axis.range for figure in (wide, narrow) for g in figure.data] == [(0, 88.0)] * 4
    assert wide.data[0].gauge.axis.range == ely_gauges(rows, lang="en").data[0].gauge.axis.range
    # three abreast on a wide screen, one under another on a phone
    assert wide.data[0].domain.y == wide.data[1].domain.y and wide.data[0].domain.x != wide.data[1].domain.x
    assert narrow.data[0].domain.x == narrow.data[1].domain.x and narrow.data[0].domain.y != narrow.data[1].domain.y
