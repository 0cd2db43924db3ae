"""Shared look of every figure: colour-blind safe colours (Okabe-Ito), fonts and status markers."""

from __future__ import annotations

import plotly.graph_objects as go

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


def base_layout(fig: go.Figure, *, height: int = 460, title: str | None = None) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        font={"family": FONT, "size": 13, "color": TEXT_COLOUR},
        title={"text": title, "x": 0, "xanchor": "left"} if title else None,
        legend={"orientation": "h", "y": -0.15, "x": 0},
        hoverlabel={"font": {"family": FONT}},
    )
    return fig
