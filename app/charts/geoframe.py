"""How a map sits in its figure so it reads on a 390 px phone as on a wide screen.

The frame takes the areas' own shape (lon/lat ranges around them, the projection centred on them):
Plotly's fitbounds keeps a near-square frame, in which tall Finland got a third of a phone's width.
The colour bar lies under the map, so the map, not the bar, gets the width; its title is centred over
a bar of fixed length, so it is wrapped to fit.
"""

from __future__ import annotations

import textwrap

BOX_PAD = 0.02  # of the areas' extent, around them
COLORBAR_Y, COLORBAR_PX, COLORBAR_TITLE_CHARS = -0.06, 300, 40  # under the legend, which sits under the map
BOTTOM_MARGIN = 120  # px for the legend and the colour bar (a title of two lines, its ticks) under the map


def colour_bar(value_label: str, ticks: list[float], tick_text: list[str]) -> dict:
    title = "<br>".join(textwrap.wrap(value_label, COLORBAR_TITLE_CHARS)) or value_label
    return {"title": {"text": title, "side": "top"}, "tickvals": ticks, "ticktext": tick_text, "thickness": 12,
            "lenmode": "pixels", "len": COLORBAR_PX, "orientation": "h", "x": 0, "xanchor": "left",
            "y": COLORBAR_Y, "yanchor": "top"}


def geo_frame(box: tuple[float, float, float, float] | None) -> tuple[dict, dict]:
    """(layout.geo properties, layout.margin properties) that frame the areas; box: min lon, min lat, max
    lon, max lat of the areas; None: Plotly fits the locations itself."""
    if box is None:
        return {"fitbounds": "locations"}, {}
    pad_lon, pad_lat = (box[2] - box[0]) * BOX_PAD or 0.1, (box[3] - box[1]) * BOX_PAD or 0.1
    return ({"fitbounds": False, "lonaxis": {"range": [box[0] - pad_lon, box[2] + pad_lon]},
             "lataxis": {"range": [box[1] - pad_lat, box[3] + pad_lat]},
             "projection": {"rotation": {"lon": (box[0] + box[2]) / 2, "lat": (box[1] + box[3]) / 2}}},
            {"b": BOTTOM_MARGIN})
