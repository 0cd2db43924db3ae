"""Text alternatives of the charts (WCAG 1.1.1): what a chart shows in a sentence or two, in the reader's language.

The sentence names the indicator, the areas and months, and the extremes or latest values; the
table under every chart has the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

from app.charts.trends import format_display
from app.i18n import fmt_month, fmt_percent, fmt_value, t
from app.indicators import Indicator

LATEST_SHOWN = 5  # areas whose latest value a trend's sentence names


def _named(row: dict, text: str) -> str:
    return f"{row['name']} {text}"


def map_text(frame: pl.DataFrame, indicator: Indicator, level: str, month: date, lang: str) -> str:
    """frame: area_code, name, value, status for every area of the level."""
    known = frame.filter(pl.col("value").is_not_null() & (pl.col("status") != "suppressed")).sort("value", "name")
    missing = frame.height - known.height
    head = t("describe.map", lang, indicator=indicator.name(lang), level=t("level." + level, lang),
             month=fmt_month(month, lang), count=known.height)
    if known.is_empty():
        return head
    low, high = known.row(0, named=True), known.row(-1, named=True)
    value = (lambda v: fmt_value(v, indicator.unit, lang))
    text = f"{head} {t('describe.extremes', lang, high=_named(high, value(high['value'])), low=_named(low, value(low['value'])))}"
    if missing:
        text += " " + t("describe.missing", lang, count=missing)
    return text


def trend_text(frame: pl.DataFrame, names: Mapping[str, str], indicator: Indicator, mode: str, lang: str,
               y_title: str) -> str:
    """frame: area_code, period, value, status in the display mode; names: code -> name, in order."""
    known = frame.filter(pl.col("value").is_not_null())
    if known.is_empty():
        return t("describe.trend_empty", lang, indicator=indicator.name(lang))
    first, last = known["period"].min(), known["period"].max()
    latest = []
    for code in list(names)[:LATEST_SHOWN]:
        series = known.filter(pl.col("area_code") == code).sort("period")
        if series.height:
            row = series.row(-1, named=True)
            shown = format_display(row["value"], mode=mode, unit=indicator.unit, is_ratio=indicator.is_ratio, lang=lang)
            latest.append(f"{names[code]} {shown} ({fmt_month(row['period'], lang)})")
    return t("describe.trend", lang, measure=y_title, first=fmt_month(first, lang), last=fmt_month(last, lang),
             areas=", ".join(names.values()), latest="; ".join(latest))


def gauges_text(frame: pl.DataFrame, title: str, rule: float, lang: str) -> str:
    """frame: name, value (%) per ELY area."""
    known = frame.filter(pl.col("value").is_not_null()).sort("value", "name")
    if known.is_empty():
        return title
    low, high = known.row(0, named=True), known.row(-1, named=True)
    over = known.filter(pl.col("value") > rule)["name"].to_list()
    text = f"{title}. " + t("describe.extremes", lang, high=_named(high, fmt_percent(high["value"], lang)),
                             low=_named(low, fmt_percent(low["value"], lang)))
    rule_text = fmt_percent(rule, lang, 0)
    text += " " + (t("describe.over_rule", lang, rule=rule_text, areas=", ".join(over)) if over
                   else t("describe.none_over_rule", lang, rule=rule_text))
    return text
