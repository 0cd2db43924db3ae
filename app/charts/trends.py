"""Monthly lines per area with the pilot start marked and non-final points flagged."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from app.charts.style import OKABE_ITO, STATUS_SYMBOLS, figure_from, layout_spec
from app.i18n import fmt_date, fmt_month, fmt_number, fmt_percent, fmt_signed, plotly_separators, t
from app.months import PILOT_START
from app.safe_text import plotly_text


def display_decimals(mode: str, unit: str) -> int:
    """Decimals of a value in a display mode: an index and a change get one, a percentage or a rate per
    1,000 one, a count none."""
    return 1 if mode in ("index", "yoy") or unit in ("percent", "per_1000") else 0


def format_display(value: float | None, *, mode: str, unit: str, is_ratio: bool, lang: str) -> str:
    """A value as the hover prints it in the display mode: an index, a signed change, or the value."""
    decimals = display_decimals(mode, unit)
    if mode == "index":
        return fmt_number(value, lang, decimals)
    if mode == "yoy":
        return fmt_signed(value, lang, decimals, percent=True) if not is_ratio else \
            f"{fmt_signed(value, lang, decimals)} {t('unit.points', lang)}"
    return fmt_percent(value, lang, decimals) if unit == "percent" else fmt_number(value, lang, decimals)


def axis_title(indicator_name: str, *, mode: str, unit: str, is_ratio: bool, lang: str, base: date | None) -> str:
    """The y axis title, which also heads the value column of the table under the chart."""
    if mode == "index":
        return t("trends.axis_index", lang, month=fmt_month(base, lang) if base else "")
    if mode == "yoy":
        return t("trends.axis_yoy_points" if is_ratio else "trends.axis_yoy", lang)
    return f"{indicator_name} ({t('unit.' + unit, lang)})"


PUBLISHED_SYMBOL = "diamond"


def difference_text(difference: float | None, series_value: float | None, *, is_ratio: bool, lang: str) -> str:
    """Published minus the series: percentage points for a rate, a count with its relative size for a count."""
    if is_ratio:
        return format_display(difference, mode="yoy", unit="percent", is_ratio=True, lang=lang)
    relative = f" ({fmt_signed(difference / series_value * 100, lang, 1, percent=True)})" \
        if difference is not None and series_value else ""
    return fmt_signed(difference, lang, 0) + relative


def published_hover(row: dict, name: str, *, unit: str, is_ratio: bool, lang: str) -> str:
    """A published figure's hover: its value, its source and date, and the series' value with the difference."""
    def shown(value: float | None) -> str:
        return format_display(value, mode="value", unit=unit, is_ratio=is_ratio, lang=lang)

    approx = "≈ " if row.get("approximate") else ""
    when = fmt_date(row["published_at"].date(), lang) if row.get("published_at") else "–"
    lines = [f"<b>{name}</b>", f"{fmt_month(row['period'], lang)}: {approx}{shown(row['value'])} "
             f"({t('trends.published_figure', lang)})", f"{t('trends.published_source', lang)}: {row['source']}, {when}"]
    if row.get("series_value") is None:
        lines.append(t("trends.published_no_series", lang))
    else:
        difference = difference_text(row["difference"], row["series_value"], is_ratio=is_ratio, lang=lang)
        lines.append(f"{t('trends.published_series', lang)}: {shown(row['series_value'])}; "
                     f"{t('trends.published_difference', lang)}: {difference}")
    return "<br>".join(lines)


def published_traces(published: pl.DataFrame, names: dict[str, str], *, unit: str, is_ratio: bool,
                     lang: str) -> list[dict]:
    """Published figures as marked points on their area's line (its colour, a diamond with a dark edge)."""
    traces = []
    for n, code in enumerate(names):
        rows = published.filter(pl.col("area_code") == code).sort("period").to_dicts()
        if not rows:
            continue
        traces.append({
            "type": "scatter", "x": [r["period"] for r in rows], "y": [r["value"] for r in rows], "mode": "markers",
            "name": f"{names[code]}: {t('trends.published_figure', lang)}", "legendgroup": code,
            "marker": {"symbol": PUBLISHED_SYMBOL, "size": 13, "color": OKABE_ITO[n % len(OKABE_ITO)],
                       "line": {"width": 1.5, "color": "#222"}},
            "hovertext": [published_hover(r, names[code], unit=unit, is_ratio=is_ratio, lang=lang) for r in rows],
            "hoverinfo": "text",
        })
    return traces


def vline(x, line: dict) -> dict:
    """A vertical line across the plot at x (what Figure.add_vline draws, without its per-call checks)."""
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain", "line": line}


def pilot_start_mark(when: date, lang: str) -> tuple[dict, dict]:
    """The pilots' start: a dashed line and its label at the top of the plot."""
    return (vline(when, {"color": "#444", "dash": "dash", "width": 1.5}),
            {"x": when, "y": 1, "yref": "paper", "text": t("trends.pilot_start", lang), "showarrow": False,
             "xanchor": "left", "yanchor": "top", "xshift": 4, "font": {"size": 12, "color": "#333"}})


def hline(y, line: dict) -> dict:
    return {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": "y", "line": line}


def trend_figure(frame: pl.DataFrame, names: dict[str, str], *, lang: str, y_title: str, mode: str, unit: str,
                 is_ratio: bool, pilot_start: date | None = PILOT_START, height: int = 460,
                 title: str | None = None, published: pl.DataFrame | None = None) -> go.Figure:
    """frame: area_code, period, value, status, already in the display mode; names: code -> label.

    published: figures a publisher printed (area_code, period, value, approximate, source, published_at,
    series_value, difference), drawn as marked points on their area's line; values mode only.
    """
    names = {code: plotly_text(name) for code, name in names.items()}  # names from the database: text, not HTML
    traces, shapes, annotations = [], [], []
    for n, code in enumerate(names):
        series = frame.filter(pl.col("area_code") == code).sort("period")
        if series.is_empty():
            continue
        colour = OKABE_ITO[n % len(OKABE_ITO)]
        periods = series["period"].to_list()
        values = series["value"].to_list()
        statuses = series["status"].to_list()
        status_words = {s: t("status." + s, lang) for s in set(statuses)}
        hover = [
            f"<b>{names[code]}</b><br>{fmt_month(p, lang)}: "
            f"{format_display(v, mode=mode, unit=unit, is_ratio=is_ratio, lang=lang)}"
            f"<br>{status_words[s]}"
            for p, v, s in zip(periods, values, statuses)
        ]
        traces.append({"type": "scatter", "x": periods, "y": values, "mode": "lines", "name": names[code],
                       "line": {"color": colour, "width": 2.2}, "hovertext": hover, "hoverinfo": "text",
                       "legendgroup": code, "connectgaps": False})
        for status, symbol in STATUS_SYMBOLS.items():
            flagged = [i for i, s in enumerate(statuses) if s == status]
            if not flagged:
                continue
            traces.append({
                "type": "scatter", "x": [periods[i] for i in flagged], "y": [values[i] for i in flagged],
                "mode": "markers", "name": f"{names[code]}: {t('status.' + status, lang)}",
                "marker": {"symbol": symbol, "size": 9, "color": colour, "line": {"width": 2}},
                "hovertext": [hover[i] for i in flagged], "hoverinfo": "text", "legendgroup": code,
            })
    if published is not None and not published.is_empty() and mode == "value":
        traces += published_traces(published, names, unit=unit, is_ratio=is_ratio, lang=lang)
    if pilot_start is not None and frame.height and frame["period"].min() <= pilot_start <= frame["period"].max():
        shape, annotation = pilot_start_mark(pilot_start, lang)
        shapes.append(shape)
        annotations.append(annotation)
    if mode == "index":
        shapes.append(hline(100, {"color": "#888", "width": 1}))
    if mode == "yoy":
        shapes.append(hline(0, {"color": "#888", "width": 1}))
    yaxis = {"title": {"text": y_title}, "separatethousands": True}
    if mode == "value":
        yaxis["rangemode"] = "tozero"
    ticks = _month_ticks(frame, published)
    layout = {**layout_spec(height=height, title=title), "yaxis": yaxis, "separators": plotly_separators(lang),
              "hovermode": "closest"}
    if ticks:
        layout["xaxis"] = {"tickformat": ticks}
    if shapes:
        layout["shapes"] = shapes
    if annotations:
        layout["annotations"] = annotations
    return figure_from(traces, layout)


def _month_ticks(frame: pl.DataFrame, published: pl.DataFrame | None) -> str | None:
    """Numeric month ticks (2022-07) for a span under three years: Plotly would name months in English."""
    periods = frame["period"].to_list() + ([] if published is None else published["period"].to_list())
    if not periods:
        return None
    first, last = min(periods), max(periods)
    return "%Y-%m" if (last.year - first.year) * 12 + last.month - first.month < 36 else None

EVENT_LINE = "#7a7a7a"
EVENTS_TOP_MARGIN = 44  # room above the plot for the events' numbered labels


def add_events(fig: go.Figure, events: pl.DataFrame) -> go.Figure:
    """Mark events on a time axis: a dotted line at each date and its number above the plot, the text on hover.

    events: number, date, kind, text (app.views.events); the page lists the same numbers in a table, so
    the chart needs no legend for them. Lines fall where the figure's months are: a date inside a month
    is drawn at that day.
    """
    if events.is_empty():
        return fig
    shapes, annotations = [], []
    for row in events.iter_rows(named=True):
        shapes.append(vline(row["date"], {"color": EVENT_LINE, "dash": "dot", "width": 1}))
        annotations.append({"x": row["date"], "y": 1, "yref": "paper", "yanchor": "bottom",
                            "text": f"<b>{row['number']}</b>", "hovertext": f"{row['date'].isoformat()}: {row['text']}",
                            "showarrow": False, "bordercolor": EVENT_LINE, "borderwidth": 1, "borderpad": 2,
                            "bgcolor": "#ffffff", "font": {"size": 11, "color": "#1a1a1a"}})
    # One assignment each: add_vline and add_annotation check the whole layout on every call.
    fig.layout.shapes = (*fig.layout.shapes, *shapes)
    fig.layout.annotations = (*fig.layout.annotations, *annotations)
    top = fig.layout.margin.t or 0
    fig.layout.margin.t = max(top, EVENTS_TOP_MARGIN)
    return fig
