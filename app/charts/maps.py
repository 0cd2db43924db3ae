"""Maps of one indicator by area: a choropleth over stored boundaries, or a symbol map without them.

Pure figure builders (frame in, Figure out): no database, no Streamlit. `choropleth_map` and
`symbol_map` take every text from the caller (`labels`, `format_value`); `indicator_map` is the one
place that fills them from the catalogues for an indicator, so every map of the dashboard and the
benchmark is drawn the same way.

Contract for values (polars): area_code, name (in the user's language), value (float or null),
status ('final', 'provisional', 'incomplete', 'suppressed' or 'missing'), optional unit (text shown
after the value); symbol_map also needs lat and lon.
- a suppressed area is drawn in its own grey trace with a legend entry, never as zero and never in
  the colour scale; an area without a value (or in the geojson but not in values) in a lighter grey;
- an incomplete aggregate keeps its colour and says so in the hover;
- highlight_codes (the pilot municipalities) get a thick dark outline, with a legend entry when
  labels has "highlight".

Offline: both maps use Plotly's `geo` subplot with the base map hidden, so nothing is fetched from a
tile server. plotly.js fetches its world topojson for a geo subplot when the *first* trace on it has a
`locationmode` (every choropleth has one); the first trace here is therefore always a Scattergeo
(the outline, or an invisible anchor point), so a figure written to HTML draws without a network.
tests/test_map_charts.py pins this order.

Long (about 320 lines) because both map kinds share the partition, hover, legend and outline rules,
written here once.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Collection, Mapping

import plotly.graph_objects as go
import polars as pl
from plotly.colors import sequential

from app import geo
from app.charts.geoframe import colour_bar, geo_frame
from app.charts.style import (NO_DATA_GREY, NOTE_BACKGROUND, NOTE_BORDER, SUPPRESSED_GREY, TEXT_COLOUR, figure_from,
                              layout_spec)
from app.i18n import fmt_value, plain, t
from app.indicators import Indicator
from app.safe_text import plotly_text

#: Keys every caller passes in `labels` (texts in the user's language).
LABEL_KEYS = ("suppressed", "no_data", "status_final", "status_provisional", "status_incomplete",
              "status_suppressed", "status_missing")
#: symbol_map also shows why there is no choropleth.
SYMBOL_LABEL_KEYS = LABEL_KEYS + ("no_boundaries_note",)

# Viridis: perceptually uniform and colour-blind safe; no grey in it, unlike Cividis. Spelled out, as
# Plotly's check would spell the name, so a checked and an unchecked figure are the same JSON.
COLORSCALE = [[i / (len(sequential.Viridis) - 1), colour] for i, colour in enumerate(sequential.Viridis)]
OUTLINE_COLOUR = "#1a1a1a"
OUTLINE_WIDTH = 2.2
BORDER_COLOUR = "#ffffff"
CONTEXT_FILL = "#F3F3F3"
CONTEXT_BORDER = "#D4D4D4"
NO_DATA_BORDER = "#8a8a8a"  # keeps light-grey areas visible against the white page (3:1)
COLOURED_STATUSES = ("final", "provisional", "incomplete")
HOVER = "<b>%{customdata[0]}</b><br>%{customdata[1]}%{customdata[2]}<extra></extra>"
MARKER_SMALLEST, MARKER_LARGEST = 4.0, 22.0  # symbol map marker diameters in pixels
NOTE_LINE_HEIGHT, NOTE_PADDING = 18, 26  # pixels of the symbol map's note band, below the title
NOTE_WIDTH = 100  # characters per line: Plotly does not wrap text, so the note is wrapped here


def _check_labels(labels: Mapping[str, str], keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if k not in labels]
    if missing:
        raise ValueError(f"map labels missing: {', '.join(missing)}")


def _unit_of(row: dict) -> str:
    unit = row.get("unit")
    return f"\u00a0{unit}" if unit else ""


def _hover_rows(rows: list[dict], format_value: Callable[[float], str], labels: Mapping[str, str]) -> list[list]:
    """customdata per area: name, value text (or why there is none), status line."""
    data = []
    for row in rows:
        status = row["status"] or "missing"
        if status == "suppressed":
            value_text = labels["suppressed"]
        elif row["value"] is None:
            value_text = labels["no_data"]
        else:
            value_text = format_value(row["value"]) + _unit_of(row)
        status_text = labels.get(f"status_{status}", "")
        data.append([plotly_text(row["name"]), value_text, f"<br><i>{status_text}</i>" if status_text else ""])
    return data


def _partition(values: pl.DataFrame) -> tuple[list[dict], list[dict], list[dict]]:
    """(coloured, suppressed, no data) rows; a suppressed row never keeps a value."""
    coloured, suppressed, no_data = [], [], []
    for row in values.to_dicts():
        value = row.get("value")
        if value is not None and isinstance(value, float) and math.isnan(value):
            row["value"] = value = None
        if row["status"] == "suppressed":
            suppressed.append({**row, "value": None})
        elif value is None or row["status"] not in COLOURED_STATUSES:
            no_data.append(row)
        else:
            coloured.append(row)
    return coloured, suppressed, no_data


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About count round tick values within [low, high] (so the colour bar can use format_value's locale)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high <= low:
        return [low]
    magnitude = 10 ** math.floor(math.log10((high - low) / max(count - 1, 1)))

    def ticks_for(step: float) -> list[float]:
        first = math.ceil(low / step - 1e-9)
        last = math.floor(high / step + 1e-9)
        return [round(i * step, 10) for i in range(first, last + 1)]

    options = [ticks_for(m * magnitude) for m in (1, 2, 2.5, 5, 10)]
    return min(reversed(options), key=lambda ticks: abs(len(ticks) - count))


def _colorbar(value_label: str, low: float, high: float, format_value: Callable[[float], str]) -> dict:
    ticks = nice_ticks(low, high)
    return colour_bar(value_label, ticks, [format_value(t) for t in ticks])


def geo_layout(*, height: int, title: str | None, box: tuple[float, float, float, float] | None = None) -> dict:
    layout = layout_spec(height=height, title=title)
    geo_part, margin = geo_frame(box)  # app.charts.geoframe: the areas' own shape, so a phone's width is used
    # Equal-area, so a big northern municipality looks no bigger than it is; no base map, nothing to fetch.
    projection = {"type": "azimuthal equal area", **geo_part.pop("projection", {})}
    layout["geo"] = {"visible": False, "projection": projection, "bgcolor": "rgba(0,0,0,0)", **geo_part}
    layout["legend"] = {**layout["legend"], "y": 0, "x": 0, "yanchor": "top"}
    layout["dragmode"] = "pan"
    layout["margin"] = {**layout["margin"], "l": 0, "r": 0, **margin}
    return layout


def choropleth_map(values: pl.DataFrame, geojson: dict, *, value_label: str,
                   format_value: Callable[[float], str], labels: Mapping[str, str],
                   highlight_codes: Collection[str] = frozenset(), height: int = 720,
                   title: str | None = None, context: dict | None = None, geojson_url: str | None = None,
                   context_url: str | None = None) -> go.Figure:
    """Areas coloured by value (the scale spans the drawn values); suppressed and missing areas in greys.

    geojson: a FeatureCollection with `id` = area code (app.geo.feature_collection).
    context: another level's features drawn underneath in a pale fill without hover or legend (the
    municipalities under a map of pilot areas), so areas outside the level are not read as "no data".
    geojson_url / context_url: where the browser can fetch the same features (the dashboard serves
    them once per process). Given, the traces name the URL instead of carrying the shapes, and the
    highlighted areas get their dark outline as their own border: the figure then holds only what
    changes with the month (values, hover texts), a tenth of its size. Without them (snapshots,
    embeds) every trace carries its own features and the figure needs no network.
    """
    _check_labels(labels, LABEL_KEYS)
    coloured, suppressed, no_data = _partition(values)
    feature_ids = set(geo.feature_codes(geojson))
    drawn = {r["area_code"] for r in coloured + suppressed + no_data}
    no_data += [{"area_code": code, "name": code, "value": None, "status": "missing"}
                for code in sorted(feature_ids - drawn)]
    coloured, suppressed, no_data = ([r for r in rows if r["area_code"] in feature_ids]
                                     for rows in (coloured, suppressed, no_data))
    outlined = sorted(set(highlight_codes) & feature_ids)
    by_url = geojson_url is not None

    def shapes(rows: list[dict]):
        return geojson_url if by_url else geo.subset(geojson, [r["area_code"] for r in rows])

    def border(rows: list[dict], colour: str) -> tuple[list[dict], dict]:
        """The rows (outlined ones last, so their border is drawn over their neighbours') and their line."""
        if not (by_url and outlined):
            return rows, {"color": colour, "width": 0.5}
        rows = sorted(rows, key=lambda r: r["area_code"] in outlined)
        marked = [r["area_code"] in outlined for r in rows]
        return rows, {"color": [OUTLINE_COLOUR if m else colour for m in marked],
                      "width": [OUTLINE_WIDTH if m else 0.5 for m in marked]}

    traces = []
    # First trace: a Scattergeo, so plotly.js does not fetch its world map (see module docstring).
    if outlined and not by_url:
        lons, lats = geo.outline_lines(geojson, outlined)
        traces.append({"type": "scattergeo", "lon": lons, "lat": lats, "mode": "lines",
                       "line": {"color": OUTLINE_COLOUR, "width": OUTLINE_WIDTH}, "name": labels.get("highlight", ""),
                       "showlegend": "highlight" in labels, "hoverinfo": "skip", "meta": "highlight"})
    else:
        box = geo.bounds(geojson)
        if box is not None:
            traces.append({"type": "scattergeo", "lon": [(box[0] + box[2]) / 2], "lat": [(box[1] + box[3]) / 2],
                           "mode": "markers", "marker": {"size": 1, "opacity": 0}, "hoverinfo": "skip",
                           "showlegend": False, "meta": "anchor"})
        if outlined:  # the outlines are borders of the areas below: this entry only names them
            traces.append({"type": "scattergeo", "lon": [None], "lat": [None], "mode": "lines",
                           "line": {"color": OUTLINE_COLOUR, "width": OUTLINE_WIDTH},
                           "name": labels.get("highlight", ""), "showlegend": "highlight" in labels,
                           "hoverinfo": "skip", "meta": "highlight"})

    areas = []  # the choropleth traces
    if context is not None and context["features"]:
        areas.append({"geojson": context_url or context, "locations": geo.feature_codes(context),
                      "z": [0] * len(context["features"]), "colorscale": [[0, CONTEXT_FILL], [1, CONTEXT_FILL]],
                      "zmin": 0, "zmax": 1, "showscale": False,
                      "marker": {"line": {"color": CONTEXT_BORDER, "width": 0.4}}, "hoverinfo": "skip",
                      "showlegend": False, "meta": "context"})
    if coloured:
        coloured, line = border(coloured, BORDER_COLOUR)
        z = [r["value"] for r in coloured]
        low, high = min(z), max(z)
        areas.append({"geojson": shapes(coloured), "locations": [r["area_code"] for r in coloured], "z": z,
                      "zmin": low, "zmax": high, "colorscale": COLORSCALE,
                      "colorbar": _colorbar(value_label, low, high, format_value), "marker": {"line": line},
                      "customdata": _hover_rows(coloured, format_value, labels), "hovertemplate": HOVER,
                      "name": value_label, "showlegend": False, "meta": "values"})
    for rows, fill, colour, key in ((suppressed, SUPPRESSED_GREY, BORDER_COLOUR, "suppressed"),
                                    (no_data, NO_DATA_GREY, NO_DATA_BORDER, "no_data")):
        if not rows:
            continue
        rows, line = border(rows, colour)
        areas.append({"geojson": shapes(rows), "locations": [r["area_code"] for r in rows], "z": [1] * len(rows),
                      "colorscale": [[0, fill], [1, fill]], "zmin": 0, "zmax": 1, "showscale": False,
                      "marker": {"line": line}, "customdata": _hover_rows(rows, format_value, labels),
                      "hovertemplate": HOVER, "name": labels[key], "showlegend": True, "meta": key})
    for trace in areas:
        trace["type"] = "choropleth"
        if by_url:
            trace["featureidkey"] = "id"
    return figure_from(traces + areas, geo_layout(height=height, title=title, box=geo.bounds(geojson)))


def _marker_sizes(values: list[float]) -> list[float]:
    """Marker area proportional to |value| (diameter to its square root)."""
    top = max((abs(v) for v in values), default=0.0)
    if top == 0:
        return [MARKER_SMALLEST] * len(values)
    return [MARKER_SMALLEST + (MARKER_LARGEST - MARKER_SMALLEST) * math.sqrt(abs(v) / top) for v in values]


def symbol_map(values: pl.DataFrame, *, value_label: str, format_value: Callable[[float], str],
               labels: Mapping[str, str], highlight_codes: Collection[str] = frozenset(), height: int = 720,
               title: str | None = None) -> go.Figure:
    """The map without stored boundaries: a marker per area at its inside point (lat, lon), sized and
    coloured by value, with the caller's note (labels['no_boundaries_note']) between title and map, so
    the figure explains itself wherever it is shown."""
    _check_labels(labels, SYMBOL_LABEL_KEYS)
    placed = values.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    coloured, suppressed, no_data = _partition(placed)
    coloured.sort(key=lambda r: -abs(r["value"]))  # big markers first, so small ones stay visible on top
    traces = []
    if coloured:
        z = [r["value"] for r in coloured]
        low, high = min(z), max(z)
        traces.append({
            "type": "scattergeo", "lon": [r["lon"] for r in coloured], "lat": [r["lat"] for r in coloured],
            "mode": "markers",
            "marker": {"size": _marker_sizes(z), "color": z, "cmin": low, "cmax": high, "colorscale": COLORSCALE,
                       "opacity": 0.85, "line": {"color": BORDER_COLOUR, "width": 0.6},
                       "colorbar": _colorbar(value_label, low, high, format_value)},
            "customdata": _hover_rows(coloured, format_value, labels), "hovertemplate": HOVER,
            "name": value_label, "showlegend": False, "meta": "values"})
    for rows, marker, key in (
        (suppressed, {"size": 8, "color": SUPPRESSED_GREY, "symbol": "circle",
                      "line": {"color": BORDER_COLOUR, "width": 0.6}}, "suppressed"),
        (no_data, {"size": 8, "color": NO_DATA_BORDER, "symbol": "circle-open", "line": {"width": 1.2}},
         "no_data"),
    ):
        if rows:
            traces.append({"type": "scattergeo", "lon": [r["lon"] for r in rows], "lat": [r["lat"] for r in rows],
                           "mode": "markers", "marker": marker, "customdata": _hover_rows(rows, format_value, labels),
                           "hovertemplate": HOVER, "name": labels[key], "showlegend": True, "meta": key})
    highlighted = placed.filter(pl.col("area_code").is_in(sorted(set(highlight_codes)))).to_dicts()
    if highlighted:
        sizes = dict(zip((r["area_code"] for r in coloured), _marker_sizes([r["value"] for r in coloured])))
        traces.append({
            "type": "scattergeo", "lon": [r["lon"] for r in highlighted], "lat": [r["lat"] for r in highlighted],
            "mode": "markers",
            "marker": {"size": [sizes.get(r["area_code"], 8) + 5 for r in highlighted], "symbol": "circle-open",
                       "color": OUTLINE_COLOUR, "line": {"width": 2}},
            "name": labels.get("highlight", ""), "showlegend": "highlight" in labels, "hoverinfo": "skip",
            "meta": "highlight"})
    layout = geo_layout(height=height, title=title, box=(placed["lon"].min(), placed["lat"].min(), placed["lon"].max(),
                                                         placed["lat"].max()) if placed.height else None)
    # The note sits in a band of its own between the title and the plot, so the two never overlap.
    title_band = layout["margin"]["t"] if title else 8
    lines = textwrap.wrap(labels["no_boundaries_note"], NOTE_WIDTH)
    layout["annotations"] = [{"text": "<br>".join(lines), "xref": "paper", "yref": "paper", "x": 0, "y": 1, "yshift": 8,
                              "xanchor": "left", "yanchor": "bottom", "showarrow": False, "align": "left",
                              "font": {"size": 13, "color": TEXT_COLOUR}, "bgcolor": NOTE_BACKGROUND,
                              "bordercolor": NOTE_BORDER, "borderpad": 6}]
    layout["margin"]["t"] = title_band + note_band(len(lines))
    if title:
        layout["title"] |= {"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 12}}
    return figure_from(traces, layout)


def note_band(lines: int) -> int:
    """Pixels the symbol map's note of so many lines takes above the plot."""
    return NOTE_PADDING + NOTE_LINE_HEIGHT * lines


def map_labels(lang: str) -> dict[str, str]:
    """Every text the map builders print, from the catalogue; figures print text as is, without Markdown."""
    labels = {f"status_{s}": t(f"status.{s}", lang)
              for s in ("final", "provisional", "incomplete", "suppressed", "missing")}
    return {**labels, "suppressed": t("map.suppressed", lang), "no_data": t("map.no_data", lang),
            "no_boundaries_note": plain(t("map.no_boundaries", lang)), "highlight": t("map.pilot_outline", lang)}


def indicator_map(frame: pl.DataFrame, indicator: Indicator, lang: str, *, shapes: dict | None,
                  context: dict | None = None, highlight: Collection[str] = (), height: int = 720,
                  title: str | None = None, shapes_url: str | None = None,
                  context_url: str | None = None) -> go.Figure:
    """A choropleth over shapes, or a symbol map at the frame's points when there are no shapes.

    context: municipalities drawn pale under a level that does not cover the country (pilot areas);
    highlight: areas to outline (the pilot municipalities on the municipality map); shapes_url and
    context_url: where the browser fetches the same shapes (choropleth_map).
    """
    options = dict(value_label=indicator.name(lang), labels=map_labels(lang), highlight_codes=highlight,
                   format_value=lambda v: fmt_value(v, indicator.unit, lang), height=height, title=title)
    if shapes is not None:
        return choropleth_map(frame, shapes, context=context, geojson_url=shapes_url,
                              context_url=context_url if context is not None else None, **options)
    return symbol_map(frame, **options)
