"""A pilot area against a matched group of non-pilot municipalities (app.analysis.matching): the group, the
method, both series indexed to February 2021 = 100, and the difference in differences with its pre-period fit.

A descriptive comparison, not the official impact evaluation; the page says so in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from app.analysis.matching import BASE_MONTH, DEFAULT_K, METHOD_KEYS, MatchedComparison, choose_group, \
    matched_comparison
from app.areas import GRP_OTHER
from app.charts.compare import comparison_figure, did_figure
from app.i18n import fmt_month, fmt_number, fmt_signed, t
from app.indicators import Indicator, registry
from app.views.events import chart_events, events_table
from app.views.rates import VALUE_COLUMNS
from app.views.similar import MIN_COVERAGE, pre_period_values, weights_text
from app.views.source import Source
from app.views.tables import Table

MATCH_INDICATORS = ("unemployment_share", "long_term_unemployed", "unemployed_under25")
DEFAULT_OUTCOME = "unemployed_jobseekers"


@dataclass(frozen=True)
class MatchedView:
    comparison: MatchedComparison
    outcome: Indicator
    index_figure: go.Figure
    did_figure: go.Figure
    note: tuple[str, str]  # what it is; what it is not
    method: tuple[str, ...]  # the group, the index, the difference in differences, the fit
    members: Table  # the group's municipalities, nearest first, with their distance
    events: Table
    export: pl.DataFrame  # period, both series, both indexes, gap, did, phase

    @property
    def method_list(self) -> str:
        """The method texts as a Markdown list."""
        return "\n".join(f"- {text}" for text in self.method)


def outcome_choices() -> list[str]:
    """Indicators a pilot and its group can be compared on: known before the pilots (not pilot-scoped),
    monthly (not an annual stock)."""
    return [i.code for i in registry() if not i.pilot_scoped and not i.annual_stock]


def _params(comparison: MatchedComparison, names: dict[str, str], lang: str) -> dict:
    """The method texts' placeholders in the reader's words and number format."""
    did, group = comparison.did, comparison.group
    return {"base": fmt_month(did.base, lang), "first": fmt_month(did.first, lang), "last": fmt_month(did.last, lang),
            "pre_months": did.fit.months, "rmse": fmt_number(did.fit.rmse, lang, 1),
            "max_abs": fmt_number(did.fit.max_abs, lang, 1), "post_mean": fmt_signed(did.post_mean, lang, 1),
            "k": len(group.members), "members": ", ".join(names.get(c, c) for c in group.members),
            "indicators": weights_text(group.similarity.description.weights, lang)}


def matched_view(source: Source, pilot: str, outcome: Indicator, lang: str, k: int = DEFAULT_K) -> MatchedView | None:
    """The pilot's matched comparison on one outcome; None when the pilot or its candidates lack the
    pre-period data or the outcome has no positive value in the base month (the page says so)."""
    candidates = sorted(set(source.memberships([GRP_OTHER]).get_column("member_code").to_list()))
    if not candidates:
        return None
    try:
        group = choose_group(pilot, pre_period_values(source, [pilot, *candidates], MATCH_INDICATORS), candidates,
                             k=k, min_coverage=MIN_COVERAGE)
        codes = [pilot, *group.members]
        if outcome.is_ratio:
            numerator = source.values(outcome.numerator, codes).select(VALUE_COLUMNS)
            denominator = source.values(outcome.denominator, codes).select(VALUE_COLUMNS)
            comparison = matched_comparison(group, numerator=numerator, denominator=denominator, scale=outcome.scale)
        else:
            comparison = matched_comparison(group, counts=source.values(outcome.code, codes).select(VALUE_COLUMNS))
    except ValueError:
        return None
    names = source.area_names(lang)
    params = _params(comparison, names, lang)
    series = comparison.did.series
    events = chart_events(series.get_column("period").to_list(), lang)
    group_name = t("matching.group_name", lang, k=len(group.members))
    index_fig = comparison_figure(series, names[pilot], group_name, base=BASE_MONTH, lang=lang, events=events)
    did_fig = did_figure(series, first=comparison.did.first, last=comparison.did.last,
                         max_abs=comparison.did.fit.max_abs, lang=lang, events=events)
    rank, area, distance = t("similar.col_rank", lang), t("common.area", lang), t("similar.col_distance", lang)
    ranking = group.similarity.ranking.filter(pl.col("area_code").is_in(list(group.members)))
    members = Table(ranking.select(pl.col("rank").cast(pl.Int64).alias(rank),
                                   pl.col("area_code").replace_strict(names, default="").alias(area),
                                   pl.col("distance").alias(distance)), decimals={rank: 0, distance: 2})
    export = series.with_columns(pl.lit(pilot).alias("pilot_code"), pl.lit(outcome.code).alias("indicator"),
                                 pl.lit(",".join(group.members)).alias("group_members"))
    return MatchedView(
        comparison=comparison, outcome=outcome, index_figure=index_fig, did_figure=did_fig,
        note=(t(METHOD_KEYS[0], lang, **params), t(METHOD_KEYS[1], lang, **params)),
        method=tuple(t(key, lang, **params) for key in METHOD_KEYS[2:]), members=members,
        events=events_table(events, lang), export=export)
