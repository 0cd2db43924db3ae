"""The compare page's ranking: a focus area and up to eight others, each ranked among all areas of its level
for the chosen indicators and month, with the median, the change from a year earlier and a small trend.

Counts are ranked as rates (`per`) so that size does not decide the rank. The position class (fifths,
app.analysis.ranking) colours the cells: position only, "rank, not a judgement" (Kolada's practice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from app.analysis.ranking import FOCUS_OTHERS, focus_rows, focus_selection, rank_areas
from app.charts.trends import display_decimals
from app.exports import published_decimals, source_text
from app.i18n import fmt_month, t
from app.indicators import Indicator, registry
from app.months import month_code, shift_month
from app.views.public import rated_shown
from app.views.rates import rate_indicator, shown_title
from app.views.source import Source
from app.views.tables import Table
from app.views.trends import area_label

DEFAULT_INDICATORS = ("unemployment_share", "unemployed_jobseekers", "long_term_unemployed", "client_share")
TREND_MONTHS = 24  # the small line in each row: the two years up to the month


@dataclass(frozen=True)
class IndicatorRanking:
    indicator: Indicator  # as shown: a count divided as `per` says is a ratio in its rate's unit
    table: Table
    title: str  # the indicator, its unit and the month


@dataclass(frozen=True)
class CompareView:
    month: date
    areas: tuple[str, ...]  # the focus first
    rankings: tuple[IndicatorRanking, ...]
    export: pl.DataFrame  # one row per indicator and area, stable English column names
    stem: str


def level_ranking(source: Source, indicator: Indicator, kind: str, month: date, per: str,
                  public: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the ranking of every area of the kind in the month, their values over the trend months and a year back);
    public: under public rules (app.views.public), as snapshots always are."""
    codes = source.codes_of_kind(kind)
    first = shift_month(month, -max(TREND_MONTHS - 1, 12))
    values = rated_shown(source, indicator, codes, per, first, month, public)
    return rank_areas(values, month, areas=codes), values


def _ranked_rows(source: Source, indicator: Indicator, chosen: Sequence[str], month: date, per: str,
                 public: bool = False) -> pl.DataFrame:
    kinds = source.area_kinds()
    rankings, trends = [], []
    for kind in dict.fromkeys(kinds[c] for c in chosen):
        ranking, values = level_ranking(source, indicator, kind, month, per, public)
        rankings.append(ranking)
        window = values.filter(pl.col("area_code").is_in(list(chosen))
                               & (pl.col("period") > shift_month(month, -TREND_MONTHS)) & (pl.col("period") <= month))
        trends.append(window.sort("period").group_by("area_code", maintain_order=True)
                      .agg(pl.col("value").alias("trend")))
    rows = focus_rows(pl.concat(rankings), chosen[0], chosen[1:])
    return rows.join(pl.concat(trends), on="area_code", how="left")


def compare_view(source: Source, indicator_codes: Sequence[str], areas: Sequence[str], month: date, per: str,
                 lang: str, *, public: bool = False) -> CompareView:
    """One ranking table per indicator, rows in the order chosen (the focus first)."""
    chosen = focus_selection(areas[0], areas[1:], FOCUS_OTHERS)
    names, kinds, reg = source.area_names(lang), source.area_kinds(), registry()
    synthetic = source.meta().get("demo") == "true"
    rankings, exports = [], []
    for code in indicator_codes:
        shown = rate_indicator(reg[code], per)
        rows = _ranked_rows(source, reg[code], chosen, month, per, public)
        labels = {c: area_label(names[c], kinds[c], lang) for c in chosen}
        title = f"{shown_title(reg[code], per, lang)} ({t('unit.' + shown.unit, lang)}), {fmt_month(month, lang)}" \
            if shown.unit == "percent" else f"{shown_title(reg[code], per, lang)}, {fmt_month(month, lang)}"
        rankings.append(IndicatorRanking(shown, _table(rows, shown, labels, lang), title))
        exports.append(_export(rows, shown, names, kinds, month, lang, synthetic))
    stem = f"compare-{'_'.join(chosen[:3])}{'-more' if len(chosen) > 3 else ''}-{month_code(month)}-{lang}"
    return CompareView(month, tuple(chosen), tuple(rankings), pl.concat(exports) if exports else pl.DataFrame(), stem)


def _table(rows: pl.DataFrame, indicator: Indicator, labels: dict[str, str], lang: str) -> Table:
    decimals = display_decimals("value", indicator.unit)
    change = t("compare.col_change_year", lang)  # in the title's unit; a share's in percentage points
    if indicator.unit == "percent":
        change += f" ({t('unit.points_short', lang)})"
    area, value = t("common.area", lang), t("compare.col_value", lang)
    rank, ranked, median = t("compare.col_rank", lang), t("compare.col_of", lang), t("compare.col_median", lang)
    from_median = t("compare.col_from_median", lang)
    position, trend = t("compare.col_position", lang), t("compare.col_trend", lang, months=TREND_MONTHS)
    frame = rows.select(
        pl.col("area_code").replace_strict(labels, default="").alias(area),
        pl.col("value").alias(value), pl.col("rank").cast(pl.Int64).alias(rank),
        pl.col("ranked").cast(pl.Int64).alias(ranked), pl.col("median").alias(median),
        pl.col("from_median").alias(from_median), pl.col("change_year").alias(change),
        pl.col("position").cast(pl.Int64).alias(position), pl.col("trend").alias(trend))
    return Table(frame, decimals={value: decimals, rank: 0, ranked: 0, median: decimals, from_median: decimals,
                                  change: decimals, position: 0}, lines=(trend,), shade=position, compact=True)


def _export(rows: pl.DataFrame, indicator: Indicator, names: dict[str, str], kinds: dict[str, str], month: date,
            lang: str, synthetic: bool) -> pl.DataFrame:
    source, licence = source_text(indicator, lang, synthetic)
    decimals = published_decimals(indicator)
    rounded = [pl.col(c).round(decimals) for c in ("value", "median", "from_median", "year_ago", "change_year")]
    return rows.select(
        "area_code", pl.col("area_code").replace_strict(names, default="").alias("area_name"),
        pl.col("area_code").replace_strict(kinds, default="").alias("level"),
        pl.lit(month_code(month)).alias("month"), pl.lit(indicator.code).alias("indicator"),
        pl.lit(indicator.name(lang)).alias("indicator_name"), pl.lit(t("unit." + indicator.unit, lang)).alias("unit"),
        *rounded, pl.col("rank").cast(pl.Int64), pl.col("ranked").cast(pl.Int64), pl.col("position").cast(pl.Int64),
        pl.col("status").fill_null("missing"), pl.lit(source).alias("source"), pl.lit(licence).alias("licence"))
