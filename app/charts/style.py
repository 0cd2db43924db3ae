"""Shared look of every figure: colour-blind safe colours (Okabe-Ito), fonts and status markers."""

from __future__ import annotations

import os

import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
SUPPRESSED_GREY = "#9E9E9E"
NO_DATA_GREY = "#E0E0E0"
RULE_RED = "#B2182B"  # the 40 % rule: its threshold line and values over it
RULE_ZONE = "#FBE9E7"  # the part of a gauge over the rule
NOTE_BACKGROUND = "#FFF8E1"  # a notice inside a figure: dark text on pale amber, as the page banners
NOTE_BORDER = "#8a6d00"
STATUS_SYMBOLS = {"incomplete": "circle-open", "provisional": "diamond-open", "suppressed": "x-thin-open"}
TEXT_COLOUR = "#1a1a1a"
FONT = "Inter, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif"


# Plotly checks figures built with figure_from only where this is set (the test suite sets it).
CHECK_FIGURES = os.environ.get("PILOT_TRACKER_CHECK_FIGURES", "") == "1"

# The trace types the dashboard draws, and the layout parts of a template they read.
TRACE_TYPES = ("scatter", "scattergeo", "choropleth", "indicator", "table")
UNUSED_LAYOUT = ("polar", "ternary", "scene")  # polar, ternary and 3-D charts: none here


def lean_template(name: str = "plotly_white") -> go.layout.Template:
    """Plotly's template with only what our trace types use: the same look, a seventh of the bytes.

    A template travels inside every figure's JSON, on every rerun and to every browser: plotly_white's
    7 KB is mostly defaults for two dozen trace types we never draw. Built once: assigning a template by
    name makes Plotly look it up, validate and copy it for every figure (about 10 ms each).
    """
    whole = pio.templates[name].to_plotly_json()
    data = {kind: traces for kind, traces in whole["data"].items() if kind in TRACE_TYPES}
    layout = {key: value for key, value in whole["layout"].items() if key not in UNUSED_LAYOUT}
    return go.layout.Template({"data": data, "layout": layout})


TEMPLATE = lean_template()


def use_template(fig: go.Figure) -> go.Figure:
    """Put the shared template on a figure without validating it again (as Plotly does with its default)."""
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = TEMPLATE
    finally:
        layout._validate = fig._validate
    return fig


def layout_spec(*, height: int = 460, title: str | None = None) -> dict:
    """The layout every chart starts from, as plain JSON."""
    spec = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        "font": {"family": FONT, "size": 13, "color": TEXT_COLOUR},
        "legend": {"orientation": "h", "y": -0.15, "x": 0},
        "hoverlabel": {"font": {"family": FONT}},
    }
    if title:
        spec["title"] = {"text": title, "x": 0, "xanchor": "left"}
    return spec


def figure_from(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain JSON, with the shared template, checked by Plotly only where CHECK_FIGURES.

    Plotly validates every property as it is set, which was most of the cost of a small figure (the
    gauges page once built sixteen). The tests check every figure (tests/conftest.py sets the variable), so a
    served figure is one whose kind the tests have drawn; production skips the second check.
    """
    fig = go.Figure({"data": data, "layout": layout}, _validate=CHECK_FIGURES)
    return use_template(fig)
