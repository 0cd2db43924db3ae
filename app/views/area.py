"""One area's landing page (`/area?areas=PILOT09`): the latest month's headline figures with the change from
the month and the year before, its rank among the areas of its level for each main indicator, and its trend
against its most similar areas and its comparison group (a pilot's matched group, else the whole country).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from app.areas import COUNTRY, geography_memberships, members_in_months
from app.charts.trends import add_events, axis_title, display_decimals, trend_figure
from app.exports import published_decimals, source_text
from app.i18n import fmt_month, fmt_number, fmt_percent, fmt_signed, t
from app.indicators import Indicator, registry
from app.months import month_code, shift_month
from app.safe_text import md_escape
from app.views.compare import level_ranking
from app.views.events import chart_events, events_table
from app.views.overview import headline
from app.views.rates import pooled_values, rate_indicator, rated_values
from app.views.source import Source
from app.views.tables import Table

MAIN_INDICATORS = ("unemployment_share", "unemployed_jobseekers", "long_term_unemployed", "unemployed_under25",
                   "vacancies", "pilot_clients", "client_share")
TREND_SIMILAR = 3  # similar areas drawn with the focus
GROUP_CODE = "MATCHED"  # the comparison group's line inside this view only
RANKED_KINDS = ("municipality", "pilot", "ely", "region")


@dataclass(frozen=True)
class AreaMetric:
    label: str
    value: str
    delta: str | None  # the change from the month before
    year: str  # the change from a year before, in words


@dataclass(frozen=True)
class AreaView:
    code: str
    name: str
    kind: str
    month: date | None  # the latest month with data
    heading: str | None
    metrics: tuple[AreaMetric, ...]
    members: tuple[str, ...]  # member municipalities in the latest month (pilot, ELY area, region)
    ranks: Table | None  # None for the whole country and the comparison groups: nothing of their level to rank
    ranks_export: pl.DataFrame


@dataclass(frozen=True)
class AreaTrend:
    figure: go.Figure
    title: str
    events: Table


def _change_text(value: float | None, indicator: Indicator, lang: str) -> str:
    if value is None:
        return "–"
    if indicator.is_ratio:
        return f"{fmt_signed(value, lang, 1)} {t('unit.points_short', lang)}"
    return fmt_signed(value, lang)


def _metric(source: Source, indicator: Indicator, code: str, month: date, lang: str) -> AreaMetric:
    """The value as a number (a share with its % sign; the unit of a count is in its name), and its changes."""
    figures = headline(source.values(indicator.code, [code], shift_month(month, -12), month), code, month)
    delta = t("area.vs_month", lang, change=_change_text(figures.change_month, indicator, lang)) \
        if figures.change_month is not None else None
    value = fmt_percent(figures.latest, lang) if indicator.unit == "percent" else fmt_number(figures.latest, lang)
    return AreaMetric(indicator.name(lang), value, delta,
                      t("area.vs_year", lang, change=_change_text(figures.change_year, indicator, lang)))


def _ranks(source: Source, code: str, kind: str, month: date, per: str, lang: str,
           synthetic: bool) -> tuple[Table, pl.DataFrame]:
    reg = registry()
    rows, exports = [], []
    for indicator_code in MAIN_INDICATORS:
        shown = rate_indicator(reg[indicator_code], per)
        ranking, _ = level_ranking(source, reg[indicator_code], kind, month, per)
        row = ranking.filter(pl.col("area_code") == code).with_columns(
            pl.lit(shown.name(lang)).alias("name"), pl.lit(t("unit." + shown.unit, lang)).alias("unit"),
            pl.lit(display_decimals("value", shown.unit)).alias("decimals"))
        rows.append(row)
        source_name, licence = source_text(shown, lang, synthetic)
        decimals = published_decimals(shown)
        exports.append(row.select(
            "area_code", pl.lit(month_code(month)).alias("month"), pl.lit(indicator_code).alias("indicator"),
            pl.col("name").alias("indicator_name"), "unit",
            *[pl.col(c).round(decimals) for c in ("value", "median", "from_median", "change_year")],
            pl.col("rank").cast(pl.Int64), pl.col("ranked").cast(pl.Int64), pl.col("position").cast(pl.Int64),
            pl.col("status").fill_null("missing"), pl.lit(source_name).alias("source"),
            pl.lit(licence).alias("licence")))
    frame = pl.concat(rows)
    indicator, value = t("common.indicator", lang), t("compare.col_value", lang)
    rank, ranked, median = t("compare.col_rank", lang), t("compare.col_of", lang), t("compare.col_median", lang)
    from_median, change = t("compare.col_from_median", lang), t("compare.col_change_year", lang)
    position = t("compare.col_position", lang)
    table = Table(frame.select(
        (pl.col("name") + " (" + pl.col("unit") + ")").alias(indicator), pl.col("value").round(1).alias(value),
        pl.col("rank").cast(pl.Int64).alias(rank), pl.col("ranked").cast(pl.Int64).alias(ranked),
        pl.col("median").round(1).alias(median), pl.col("from_median").round(1).alias(from_median),
        pl.col("change_year").round(1).alias(change), pl.col("position").cast(pl.Int64).alias(position)),
        decimals={value: 1, rank: 0, ranked: 0, median: 1, from_median: 1, change: 1, position: 0}, shade=position,
        compact=True)
    return table, pl.concat(exports)


def area_view(source: Source, code: str, per: str, lang: str) -> AreaView:
    """The headline figures and ranks of one area in the latest month with data."""
    names, kinds = source.area_names(lang), source.area_kinds()
    kind, reg = kinds[code], registry()
    months = source.periods(MAIN_INDICATORS[1])
    memberships = source.memberships([code])
    if kind == "pilot":
        memberships = geography_memberships(memberships)  # a pilot area as a place, also after the pilots
    members = members_in_months(memberships, months[-1:]).get_column("member_code").to_list() \
        if months and kind not in ("municipality", "country") else []
    if not months:
        return AreaView(code, names[code], kind, None, None, (), tuple(sorted(members)), None, pl.DataFrame())
    month = months[-1]
    metrics = tuple(_metric(source, reg[c], code, month, lang) for c in MAIN_INDICATORS if source.periods(c))
    ranks, export = (None, pl.DataFrame())
    if kind in RANKED_KINDS:
        ranks, export = _ranks(source, code, kind, month, per, lang, source.meta().get("demo") == "true")
    return AreaView(code, names[code], kind, month, t("area.latest", lang, month=fmt_month(month, lang)), metrics,
                    tuple(sorted(members)), ranks, export)


def area_trend(source: Source, code: str, indicator: Indicator, per: str, similar: Sequence[str],
               group: Sequence[str], lang: str) -> AreaTrend:
    """The area against its most similar areas and its comparison group: a pilot's matched group (pooled:
    sums of numerators over sums of denominators), else the whole country."""
    names = source.area_names(lang)
    shown = rate_indicator(indicator, per)
    lines = [code, *similar[:TREND_SIMILAR]]
    if not group and code != COUNTRY:
        lines.append(COUNTRY)
    frame = rated_values(source, indicator, lines, per).select("area_code", "period", "value", "status")
    labels = {c: names[c] for c in lines}
    if group:
        pooled = pooled_values(source, indicator, group, per).select(
            pl.lit(GROUP_CODE).alias("area_code"), "period", "value", "status")
        frame = pl.concat([frame, pooled])
        labels[GROUP_CODE] = t("matching.group_name", lang, k=len(group))
    y_title = axis_title(shown.name(lang), mode="value", unit=shown.unit, is_ratio=shown.is_ratio, lang=lang, base=None)
    figure = trend_figure(frame, labels, lang=lang, y_title=y_title, mode="value", unit=shown.unit,
                          is_ratio=shown.is_ratio, height=440)
    events = chart_events(frame.get_column("period").unique().to_list(), lang)
    add_events(figure, events)
    return AreaTrend(figure, t("area.trend_title", lang, indicator=shown.name(lang), area=md_escape(names[code])),
                     events_table(events, lang))
