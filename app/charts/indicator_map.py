"""The map of one indicator, month and level as every view draws it: page, overview, benchmark, snapshot.

Data in (a frame of the level's areas, boundaries or none), figure out; the texts come from the
catalogues. Pilot municipalities are outlined on the municipality map; pilot areas, which do not cover
the country, are drawn over the municipalities as pale context.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from app.charts.maps import choropleth_map, symbol_map
from app.i18n import fmt_value, t
from app.indicators import Indicator

MAP_LEVELS = ("municipality", "pilot", "ely", "region")


def map_labels(lang: str) -> dict[str, str]:
    labels = {f"status_{s}": t(f"status.{s}", lang)
              for s in ("final", "provisional", "incomplete", "suppressed", "missing")}
    return {**labels, "suppressed": t("map.suppressed", lang), "no_data": t("map.no_data", lang),
            "no_boundaries_note": t("map.no_boundaries", lang), "highlight": t("map.pilot_outline", lang)}


def level_frame(codes: list[str], values: pl.DataFrame, names: dict[str, str],
                points: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every area of the level, with its value (or status `missing`), name and (optional) point."""
    frame = pl.DataFrame({"area_code": codes}, schema={"area_code": pl.Utf8}).join(
        values, on="area_code", how="left").with_columns(
        pl.col("area_code").replace_strict(names, default="").alias("name"),
        pl.col("status").fill_null("missing"),
    )
    if points is not None:
        frame = frame.join(points.rename({"code": "area_code"}), on="area_code", how="left")
    return frame


def indicator_map(frame: pl.DataFrame, indicator: Indicator, level: str, lang: str, *,
                  shapes: dict | None, context: dict | None = None, highlight: list[str] = (),
                  height: int = 720, title: str | None = None) -> go.Figure:
    """A choropleth over shapes, or a symbol map at the frame's points when there are no shapes."""
    options = dict(value_label=indicator.name(lang), labels=map_labels(lang),
                   highlight_codes=highlight if level == "municipality" else (),
                   format_value=lambda v: fmt_value(v, indicator.unit, lang), height=height, title=title)
    if shapes is not None:
        return choropleth_map(frame, shapes, context=context if level == "pilot" else None, **options)
    return symbol_map(frame, **options)
