"""Client shares by ELY area: the share of the TE office's jobseeker clients in the pilots, against the 40 % rule.

Both views read the same values (every ELY area, every month), so the dashboard reads them once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from app.charts.gauges import CLIENT_SHARE_RULE, ely_gauges, share_history
from app.charts.trends import axis_title
from app.i18n import fmt_month, fmt_percent, t
from app.indicators import Indicator, registry
from app.safe_text import md_escape
from app.views.source import Source
from app.views.tables import Table, status_text

SHARE = "client_share"


@dataclass(frozen=True)
class GaugeView:
    figure: go.Figure
    over_rule: str | None  # the areas over the rule, as a sentence; None when there are none
    table: Table


def client_share() -> Indicator:
    return registry()[SHARE]


def _ely_values(source: Source) -> pl.DataFrame:
    return source.values(SHARE, source.codes_of_kind("ely"))


def gauge_view(source: Source, month: date, lang: str) -> GaugeView:
    """One gauge per ELY area in the month, the areas over the rule, and the numbers as a table."""
    names = source.area_names(lang)
    current = _ely_values(source).filter(pl.col("period") == month).sort("area_code").with_columns(
        pl.col("area_code").replace_strict(names, default="").alias("name"))
    figure = ely_gauges(current, lang=lang, title=t("gauges.chart_title", lang, month=fmt_month(month, lang)))
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
    return GaugeView(figure, over_rule, table)


def history_view(source: Source, ely_codes: Sequence[str], lang: str) -> go.Figure:
    """The chosen ELY areas' shares month by month, with the rule across."""
    names = source.area_names(lang)
    indicator = client_share()
    y_title = axis_title(indicator.name(lang), mode="value", unit=indicator.unit, is_ratio=True, lang=lang,
                         base=None)
    return share_history(_ely_values(source), {c: names[c] for c in ely_codes}, lang=lang, y_title=y_title)
