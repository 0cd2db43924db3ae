"""A pilot area against its matched comparison group: both series indexed to the base month, and the
difference in differences with the pre-period fit shown, so a reader can judge how well the group matches."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from app.charts.style import OKABE_ITO, figure_from, layout_spec
from app.charts.trends import add_events, hline, pilot_start_mark
from app.i18n import fmt_month, fmt_number, fmt_signed, plotly_separators, t
from app.months import PILOT_START
from app.safe_text import plotly_text

FIT_BAND = "rgba(0, 114, 178, 0.12)"  # the pre-period's largest deviation, drawn across the whole chart
PRE_SHADE = "rgba(120, 120, 120, 0.08)"


def _figure(traces: list[dict], shapes: list[dict], annotations: list[dict], *, lang: str, y_title: str,
            events: pl.DataFrame, height: int) -> go.Figure:
    """Both charts end alike: the pilot start marked, the events added, one hover box per month."""
    start_line, start_label = pilot_start_mark(PILOT_START, lang)
    layout = {**layout_spec(height=height), "shapes": [*shapes, start_line], "annotations": [*annotations, start_label],
              "yaxis": {"title": {"text": y_title}}, "separators": plotly_separators(lang), "hovermode": "x unified"}
    return add_events(figure_from(traces, layout), events)


def comparison_figure(series: pl.DataFrame, pilot_name: str, group_name: str, *, base: date, lang: str,
                      events: pl.DataFrame, height: int = 420) -> go.Figure:
    """series: period, pilot_index, group_index (base month = 100)."""
    periods = series.get_column("period").to_list()
    pilot_name, group_name = plotly_text(pilot_name), plotly_text(group_name)  # from the database: text, not HTML
    traces = [{"type": "scatter", "x": periods, "y": series.get_column(column).to_list(), "mode": "lines", "name": name,
               "line": {"color": colour, "width": 2.2, "dash": dash},
               "hovertemplate": f"{name}: %{{y:.1f}}<extra></extra>", "connectgaps": False}
              for column, name, colour, dash in (("pilot_index", pilot_name, OKABE_ITO[0], "solid"),
                                                 ("group_index", group_name, OKABE_ITO[1], "dash"))]
    return _figure(traces, [hline(100, {"color": "#888", "width": 1})], [], lang=lang,
                   y_title=t("matching.axis_index", lang, month=fmt_month(base, lang)), events=events, height=height)


def did_figure(series: pl.DataFrame, *, first: date, last: date, max_abs: float, lang: str, events: pl.DataFrame,
               height: int = 380) -> go.Figure:
    """series: period, did, phase. The pre-period (first..last) is shaded and the band of its largest
    deviation (± max_abs) runs across the chart: a later value outside it moved more than the fit ever did."""
    periods = series.get_column("period").to_list()
    shade = {"type": "rect", "x0": first, "x1": last, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
             "fillcolor": PRE_SHADE, "line": {"width": 0}, "layer": "below"}
    label = {"x": first, "y": 0, "yref": "paper", "yanchor": "bottom", "xanchor": "left", "showarrow": False,
             "text": t("matching.pre_period", lang), "font": {"size": 11, "color": "#333"}}
    traces = []
    if periods:
        traces.append({
            "type": "scatter", "x": [periods[0], periods[-1], periods[-1], periods[0]],
            "y": [max_abs, max_abs, -max_abs, -max_abs], "fill": "toself", "fillcolor": FIT_BAND, "line": {"width": 0},
            "mode": "lines", "hoverinfo": "skip", "name": t("matching.fit_band", lang, max_abs=fmt_number(max_abs, lang, 1))})
    values = series.get_column("did").to_list()
    traces.append({"type": "scatter", "x": periods, "y": values, "mode": "lines", "name": t("matching.did_line", lang),
                   "line": {"color": OKABE_ITO[0], "width": 2.2}, "hovertext": [fmt_signed(v, lang, 1) for v in values],
                   "hoverinfo": "text+x", "connectgaps": False})
    return _figure(traces, [shade, hline(0, {"color": "#888", "width": 1})], [label], lang=lang,
                   y_title=t("matching.axis_did", lang), events=events, height=height)
