"""One gauge per ELY area: the share of jobseeker clients transferred to the pilots, against the 40 % rule."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from app.charts.style import (OKABE_ITO, RULE_RED, RULE_ZONE, SUPPRESSED_GREY, TEXT_COLOUR, figure_from,
                              layout_spec)
from app.charts.trends import trend_figure
from app.i18n import NO_VALUE, fmt_number, fmt_percent, percent_suffix, plotly_separators, t
from app.safe_text import plotly_text

CLIENT_SHARE_RULE = 40.0  # % of the TE office's jobseeker clients, from the pilots' call (2019)
GAUGE_NAME = 40  # characters of an area's name over its gauge (a gauge is a third of a page wide); the table has it all


def gauge_axis_max(frame: pl.DataFrame, rule: float = CLIENT_SHARE_RULE) -> float:
    """One scale for every gauge of a month, so that gauges side by side compare."""
    return max([rule * 1.5] + [(v or 0) * 1.1 for v in frame["value"].to_list()])


def ely_gauges(frame: pl.DataFrame, *, lang: str, rule: float = CLIENT_SHARE_RULE, columns: int = 3,
               title: str | None = None, axis_max: float | None = None) -> go.Figure:
    """frame: area_code, name, value (%), numerator, denominator, status; one gauge per row, in order.

    Built as plain JSON (figure_from): the gauges page builds one such figure per ELY area besides the
    whole, and Plotly's property checks were most of its time."""
    rows = frame.to_dicts()
    n_rows = max(1, math.ceil(len(rows) / columns))
    # Domains in pixels: each gauge's name and numbers sit above its domain, so rows get room for them.
    top, row_height, label_height, gap = (46 if title else 8), 225, 58, 0.04
    height = top + n_rows * row_height
    axis_max = axis_max or gauge_axis_max(frame, rule)
    traces = []
    for i, row in enumerate(rows):
        r, c = divmod(i, columns)
        value = row["value"]
        over = value is not None and value > rule
        ratio_text = f"{fmt_number(row['numerator'], lang)} / {fmt_number(row['denominator'], lang)}"
        y_top = 1 - (top + r * row_height + label_height) / height
        y_bottom = 1 - (top + (r + 1) * row_height - 12) / height
        traces.append({
            "type": "indicator",
            # No value (incomplete or suppressed): the gauge stays empty and shows no number, never 0 %.
            "mode": "gauge+number" if value is not None else "gauge",
            "value": value,
            "number": {"suffix": percent_suffix(lang), "valueformat": ".1f",
                       "font": {"size": 26, "color": RULE_RED if over else TEXT_COLOUR}},
            "title": {"text": f"<b>{plotly_text(row['name'], GAUGE_NAME)}</b><br>"
                              f"<span style='font-size:12px;color:#444'>"
                              f"{ratio_text if value is not None else NO_VALUE}"
                              f"{' · ' + status_word(row['status'], lang) if row['status'] != 'final' else ''}"
                              f"</span>", "font": {"size": 14}},
            "gauge": {
                "axis": {"range": [0, axis_max], "ticksuffix": "", "tickformat": ".0f"},
                "bar": {"color": SUPPRESSED_GREY if value is None else (OKABE_ITO[3] if over else OKABE_ITO[0])},
                "threshold": {"line": {"color": RULE_RED, "width": 4}, "thickness": 0.9, "value": rule},
                "steps": [{"range": [rule, axis_max], "color": RULE_ZONE}],
            },
            "domain": {"x": [c / columns + gap, (c + 1) / columns - gap], "y": [y_bottom, y_top]},
        })
    layout = {**layout_spec(height=height, title=title), "separators": plotly_separators(lang),
              "margin": {"l": 30, "r": 30, "t": top, "b": 0}}
    return figure_from(traces, layout)


def gauge_layouts(frame: pl.DataFrame, *, lang: str, rule: float = CLIENT_SHARE_RULE,
                  columns: int = 3) -> tuple[go.Figure, go.Figure]:
    """The page's gauges twice, on one scale: `columns` abreast for a wide screen, one under another
    for a phone (the page shows one of them by the screen's width).

    Two figures of every area, not one figure per area: the page sent sixteen figures on each rerun,
    and Streamlit's per-chart work was a tenth of the page's time (docs/performance.md)."""
    axis_max = gauge_axis_max(frame, rule)
    return (ely_gauges(frame, lang=lang, rule=rule, columns=columns, axis_max=axis_max),
            ely_gauges(frame, lang=lang, rule=rule, columns=1, axis_max=axis_max))


def status_word(status: str, lang: str) -> str:
    """The status in a word ("incomplete", not its explanation, which the table beside has): the longest
    explanation, in Swedish, ran past a gauge on a 390 px phone."""
    return t("status_short." + status, lang)


def share_history(frame: pl.DataFrame, names: dict[str, str], *, lang: str, y_title: str,
                  rule: float = CLIENT_SHARE_RULE) -> go.Figure:
    """The shares of the chosen areas month by month, with the rule drawn across as on the gauges."""
    fig = trend_figure(frame, names, lang=lang, y_title=y_title, mode="value", unit="percent", is_ratio=True)
    fig.add_hline(y=rule, line={"color": RULE_RED, "width": 2, "dash": "dot"},
                  annotation_text=fmt_percent(rule, lang, 0), annotation_position="top left")
    return fig


def rule_text(lang: str, rule: float = CLIENT_SHARE_RULE) -> str:
    return t("gauges.rule", lang, rule=fmt_percent(rule, lang, 0))
