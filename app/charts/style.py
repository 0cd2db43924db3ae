"""Shared look of every figure: colour-blind safe colours (Okabe-Ito), fonts and status markers."""

from __future__ import annotations

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


# Built once: assigning a template by name makes Plotly look it up, validate and copy it for every
# figure (about 10 ms each, most of a small chart's build). This one is plotly's own, already valid.
TEMPLATE = go.layout.Template(pio.templates["plotly_white"])


def use_template(fig: go.Figure) -> go.Figure:
    """Put the shared template on a figure without validating it again (as Plotly does with its default)."""
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = TEMPLATE
    finally:
        layout._validate = fig._validate
    return fig


def base_layout(fig: go.Figure, *, height: int = 460, title: str | None = None) -> go.Figure:
    use_template(fig)
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        font={"family": FONT, "size": 13, "color": TEXT_COLOUR},
        title={"text": title, "x": 0, "xanchor": "left"} if title else None,
        legend={"orientation": "h", "y": -0.15, "x": 0},
        hoverlabel={"font": {"family": FONT}},
    )
    return fig
