"""Client shares by ELY area: the share of the TE office's jobseeker clients in the pilots, against the 40 % rule.

Both views read the same values (every ELY area, every month), so the dashboard reads them once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from app.charts.gauges import CLIENT_SHARE_RULE, ely_gauges, gauge_layouts, share_history
from app.charts.trends import axis_title
from app.i18n import fmt_month, fmt_percent, t
from app.indicators import Indicator, registry
from app.safe_text import md_escape
from app.views.chart import Chart, release_date, tidy_of
from app.views.data import pilot_round
from app.views.describe import gauges_text, trend_text
from app.views.public import shown
from app.views.source import Source
from app.views.tables import Table, status_text

SHARE = "client_share"


@dataclass(frozen=True)
class GaugeView:
    figure: go.Figure  # every ELY area's gauge in one figure: images and snapshots
    over_rule: str | None  # the areas over the rule, as a sentence; None when there are none
    table: Table
    chart: Chart
    wide: go.Figure  # every ELY area's gauge, three abreast, without the title the page has above it
    narrow: go.Figure  # the same gauges one under another, for a phone
    unregistered: str | None = None  # ELY areas shown without a share because the registry lacks their pilots


def client_share() -> Indicator:
    return registry()[SHARE]


def unregistered_elys(source: Source) -> list[str]:
    """ELY areas none of whose pilot areas is in the registry, while the registry still lacks some of the
    round's pilot areas: a transferred count of 0 there means "not known", not "none"."""
    areas = source.areas()
    pilots = areas.filter(pl.col("kind") == "pilot")
    if pilots.height >= pilot_round().areas:
        return []
    return sorted(set(source.codes_of_kind("ely")) - set(pilots["ely_code"].drop_nulls().to_list()))


def _ely_values(source: Source, public: bool = False) -> pl.DataFrame:
    values = shown(source, client_share(), source.values(SHARE, source.codes_of_kind("ely")), public)
    unknown = unregistered_elys(source)
    if not unknown or values.is_empty():
        return values
    # Data honesty: an unknown share is never drawn as 0 %. A real count there (monitoring data) stays.
    not_known = pl.col("area_code").is_in(unknown) & (pl.col("numerator").fill_null(0) == 0)
    return values.with_columns(pl.when(not_known).then(None).otherwise(pl.col("value")).alias("value"),
                               pl.when(not_known).then(pl.lit("incomplete")).otherwise(pl.col("status"))
                               .alias("status"))


def gauge_view(source: Source, month: date, lang: str, *, public: bool = False) -> GaugeView:
    """One gauge per ELY area in the month, the areas over the rule, and the numbers as a table."""
    names = source.area_names(lang)
    current = _ely_values(source, public).filter(pl.col("period") == month).sort("area_code").with_columns(
        pl.col("area_code").replace_strict(names, default="").alias("name"))
    title = t("gauges.chart_title", lang, month=fmt_month(month, lang))
    figure = ely_gauges(current, lang=lang, title=title)
    over = current.filter(pl.col("value") > CLIENT_SHARE_RULE)["name"].to_list()
    over_rule = t("gauges.over_rule", lang, areas=", ".join(md_escape(name) for name in over),  # Markdown: names as text
                  rule=fmt_percent(CLIENT_SHARE_RULE, lang, 0)) \
        if over else None
    share = f"{t('gauges.share', lang)} ({t('unit.percent', lang)})"
    clients, jobseekers = t("gauges.clients", lang), t("gauges.jobseekers", lang)
    table = Table(current.select(
        pl.col("name").alias(t("common.area", lang)), pl.col("value").alias(share),
        pl.col("numerator").alias(clients), pl.col("denominator").alias(jobseekers),
        status_text(lang).alias(t("common.status", lang)),
    ), decimals={share: 1, clients: 0, jobseekers: 0})
    synthetic = source.is_synthetic()
    chart = Chart(figure=figure, title=title, description=gauges_text(current, title, CLIENT_SHARE_RULE, lang),
                  table=table, tidy=tidy_of(current, client_share(), names, lang, synthetic=synthetic),
                  indicator=client_share(), scope="ely", first=month, last=None, lang=lang, synthetic=synthetic,
                  release_date=release_date(source.releases()))
    wide, narrow = gauge_layouts(current, lang=lang)
    unknown = unregistered_elys(source)
    unregistered = t("gauges.unregistered", lang, areas=", ".join(md_escape(names[c]) for c in unknown),
                     total=pilot_round().areas) if unknown else None
    return GaugeView(figure, over_rule, table, chart, wide, narrow, unregistered)


def history_chart(source: Source, ely_codes: Sequence[str], lang: str, *, public: bool = False) -> Chart:
    """The chosen ELY areas' shares month by month, with the rule across, and the same values as a table."""
    names = source.area_names(lang)
    indicator = client_share()
    y_title = axis_title(indicator.name(lang), mode="value", unit=indicator.unit, is_ratio=True, lang=lang,
                         base=None)
    chosen = {c: names[c] for c in ely_codes}
    values = _ely_values(source, public).filter(pl.col("area_code").is_in(list(ely_codes)))
    figure = share_history(values, chosen, lang=lang, y_title=y_title)
    rows = values.with_columns(pl.col("area_code").replace_strict(names, default="").alias("name")) \
        .sort("period", "area_code")
    month, area, status = t("common.month", lang), t("common.area", lang), t("common.status", lang)
    table = Table(rows.select(pl.col("period").alias(month), pl.col("name").alias(area),
                              pl.col("value").alias(y_title), status_text(lang).alias(status)),
                  decimals={y_title: 1}, months=(month,))
    synthetic = source.is_synthetic()
    return Chart(figure=figure, title=f"{t('gauges.over_time', lang)}: {', '.join(chosen.values())}",
                 description=trend_text(values, chosen, indicator, "value", lang, y_title), table=table,
                 tidy=tidy_of(values, indicator, names, lang, synthetic=synthetic), indicator=indicator,
                 scope=tuple(ely_codes), first=values["period"].min() if values.height else None,
                 last=values["period"].max() if values.height else None, lang=lang, synthetic=synthetic,
                 release_date=release_date(source.releases()))


def history_view(source: Source, ely_codes: Sequence[str], lang: str) -> go.Figure:
    """The history chart's figure alone (the benchmark measures it)."""
    return history_chart(source, ely_codes, lang).figure
