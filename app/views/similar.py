"""Areas most like a focus area before the pilots (app.analysis.similarity), with the indicators, weights and
months used said in words, so "areas like mine" is a stated method.

Size does not make areas alike: ratios are compared as they are and counts as a share of the labour force.
Pilot-scoped indicators are left out, as they are 0 everywhere before 1.3.2021.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from app.analysis.similarity import LEVEL, PRE_FIRST, PRE_LAST, SimilarityResult, feature_name, pre_period_features, \
    similar_areas
from app.i18n import fmt_month, fmt_number, t
from app.indicators import Indicator, registry
from app.safe_text import md_escape
from app.views.rates import LABOUR_FORCE, NONE, rate_indicator, rated_values
from app.views.source import Source
from app.views.tables import Table

DEFAULT_INDICATORS = ("unemployment_share", "long_term_unemployed", "unemployed_under25", "unemployed_over50")
SHOWN = 8  # the compare page takes the focus and at most eight others
MIN_COVERAGE = 0.9  # of the pre-period months an area needs values in (a suppressed month is no value)
LEVELS = ("municipality", "pilot", "ely", "region")  # kinds with enough areas to be alike


@dataclass(frozen=True)
class SimilarView:
    result: SimilarityResult
    codes: tuple[str, ...]  # the most similar areas, nearest first
    table: Table  # the focus first, then the similar areas, with each indicator's pre-period mean
    method: str  # which indicators, weights and months
    excluded: str | None  # candidates left out for lack of pre-period data
    export: pl.DataFrame


def similarity_indicators() -> list[str]:
    """Indicators that can describe an area before the pilots: no pilot-scoped ones, no annual stock."""
    return [i.code for i in registry() if not i.pilot_scoped and not i.annual_stock and i.code != LABOUR_FORCE]


def size_free(indicator: Indicator) -> str:
    """How an indicator is compared between areas of different size: a ratio as it is, a count per labour force."""
    return NONE if indicator.is_ratio else LABOUR_FORCE


def pre_period_values(source: Source, codes: Sequence[str], indicator_codes: Sequence[str]) -> dict[str, pl.DataFrame]:
    """indicator -> the areas' size-free values over the pre-pilot months."""
    reg = registry()
    return {code: rated_values(source, reg[code], codes, size_free(reg[code]), PRE_FIRST, PRE_LAST)
            .select("area_code", "period", "value", "status") for code in indicator_codes}


def weights_text(weights: Mapping[str, float], lang: str) -> str:
    reg = registry()
    return "; ".join(f"{rate_indicator(reg[c], size_free(reg[c])).name(lang)} ({fmt_number(w, lang, 2)})"
                     for c, w in weights.items())


def similar_view(source: Source, focus: str, indicator_codes: Sequence[str], lang: str,
                 weights: Mapping[str, float] | None = None, limit: int = SHOWN) -> SimilarView | None:
    """The areas of the focus's level nearest to it before the pilots; None when the level has no peers or
    the focus lacks pre-period data (the page says so)."""
    kind = source.area_kinds().get(focus)
    if kind not in LEVELS or not indicator_codes:
        return None
    codes = source.codes_of_kind(kind)
    observations = pre_period_values(source, codes, indicator_codes)
    try:
        result = similar_areas(focus, observations, weights=weights, limit=limit, min_coverage=MIN_COVERAGE)
    except ValueError:
        return None
    names, reg = source.area_names(lang), registry()
    similar = tuple(result.ranking.get_column("area_code").to_list())
    features, _ = pre_period_features(observations, min_coverage=MIN_COVERAGE)
    order = pl.DataFrame({"area_code": [focus, *similar], "_order": list(range(len(similar) + 1))})
    rank, area, distance = t("similar.col_rank", lang), t("common.area", lang), t("similar.col_distance", lang)
    shown = {code: f"{rate_indicator(reg[code], size_free(reg[code])).name(lang)} "
                   f"({t('unit.' + rate_indicator(reg[code], size_free(reg[code])).unit, lang)})"
             for code in indicator_codes}
    rows = (order.join(features, on="area_code", how="left").join(result.ranking, on="area_code", how="left")
            .sort("_order"))
    frame = rows.select(
        pl.col("rank").cast(pl.Int64).alias(rank),
        pl.col("area_code").replace_strict(names, default="").alias(area),
        pl.col("distance").alias(distance),
        *[pl.col(feature_name(code, LEVEL)).alias(shown[code]) for code in indicator_codes])
    table = Table(frame, decimals={rank: 0, distance: 2, **{shown[c]: 1 for c in indicator_codes}}, compact=True)
    description = result.description
    method = t("similar.method", lang, indicators=weights_text(description.weights, lang),
               first=fmt_month(description.first, lang), last=fmt_month(description.last, lang),
               months=description.months, candidates=description.candidates, complete=description.complete)
    excluded = t("similar.excluded", lang, count=len(description.excluded),
                 areas=", ".join(md_escape(names.get(c, c)) for c in description.excluded[:10])) \
        if description.excluded else None  # a caption: Markdown
    export = rows.select(
        pl.col("area_code"), pl.col("area_code").replace_strict(names, default="").alias("area_name"),
        pl.col("rank").cast(pl.Int64), pl.col("distance"),
        *[pl.col(feature_name(code, LEVEL)).alias(f"{code}_pre_mean") for code in indicator_codes],
    ).with_columns(pl.lit(f"{PRE_FIRST.isoformat()[:7]}..{PRE_LAST.isoformat()[:7]}").alias("months"))
    return SimilarView(result, similar, table, method, excluded, export)
