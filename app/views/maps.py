"""The map of one indicator, month and area level: the frame of every area, its figure and its export.

Pilot municipalities are outlined on the municipality map; pilot areas, which do not cover the
country, are drawn over the municipalities as pale context. Without stored boundaries the map is a
symbol map at each area's point: a municipality's own inside point, else the mean of its members'
points under the membership valid in the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from app.areas import GRP_PILOT, members_in_months
from app.charts.maps import indicator_map
from app.exports import published_decimals
from app.i18n import fmt_month, t
from app.indicators import Indicator
from app.views.chart import Chart, release_date, tidy_of
from app.views.describe import map_text
from app.views.public import rated_shown
from app.views.rates import NONE, export_code_of, rate_indicator, shown_title
from app.views.source import Source
from app.views.tables import Table, status_text

MAP_LEVELS = ("municipality", "pilot", "ely", "region")


@dataclass(frozen=True)
class MapView:
    figure: go.Figure
    frame: pl.DataFrame  # every area of the level: area_code, value, status, ..., name, lat, lon
    chart: Chart  # title, text alternative, table and tidy export (downloads, snapshots) of the same values
    has_boundaries: bool


def area_points(areas: pl.DataFrame, memberships: pl.DataFrame, month: date) -> pl.DataFrame:
    """areas: code, lat, lon (null for groups). Returns code, lat, lon for every area that can be placed."""
    own = areas.filter(pl.col("lat").is_not_null()).select("code", "lat", "lon")
    valid = members_in_months(memberships, [month])
    derived = (
        valid.join(own.rename({"code": "member_code"}), on="member_code", how="inner")
        .group_by("group_code")
        .agg(pl.col("lat").mean(), pl.col("lon").mean())
        .rename({"group_code": "code"})
    )
    return pl.concat([own, derived.filter(~pl.col("code").is_in(own["code"].to_list()))]).sort("code")


def level_frame(codes: list[str], values: pl.DataFrame, names: dict[str, str],
                points: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every area of the level, with its value (or status `missing`), name and (optional) point."""
    frame = pl.DataFrame({"area_code": codes}, schema={"area_code": pl.Utf8}).join(
        values, on="area_code", how="left").with_columns(
        pl.col("area_code").replace_strict(names, default="").alias("name"),
        pl.col("status").fill_null("missing"),
    )
    if points is not None:
        frame = frame.join(points.rename({"code": "area_code"}), on="area_code", how="left")
    return frame


def map_table(frame: pl.DataFrame, indicator: Indicator, lang: str) -> Table:
    """The map's data as a table: area, value, status; the value column says the unit."""
    value = f"{indicator.name(lang)} ({t('unit.' + indicator.unit, lang)})"
    return Table(frame.sort("name").select(
        pl.col("name").alias(t("common.area", lang)), pl.col("value").alias(value),
        status_text(lang).alias(t("common.status", lang)),
    ), decimals={value: published_decimals(indicator)})


def map_view(source: Source, indicator: Indicator, month: date, level: str, lang: str, *, height: int = 720,
             title: str | None = None, per: str = NONE, public: bool = False) -> MapView:
    """The map as the map page, the overview and snapshots show it, with the month's values for download.

    per: a count as it is, per 1,000 inhabitants or as a share of the labour force (app.views.rates);
    public: under public rules (app.views.public).
    """
    if level not in MAP_LEVELS:
        raise ValueError(f"unknown map level {level!r}")
    codes = source.codes_of_kind(level)
    points = area_points(source.areas(), source.memberships(codes if level != "municipality" else []), month)
    values = rated_shown(source, indicator, codes, per, month, month, public)
    title_text, export_code = shown_title(indicator, per, lang), export_code_of(indicator, per)
    indicator = rate_indicator(indicator, per)
    names = source.area_names(lang)
    frame = level_frame(codes, values, names, points)
    shapes = source.geojson(level)
    figure = indicator_map(
        frame, indicator, lang, shapes=shapes,
        context=source.geojson("municipality") if level == "pilot" else None,
        highlight=source.memberships([GRP_PILOT])["member_code"].to_list() if level == "municipality" else (),
        height=height, title=title, shapes_url=source.geojson_url(level),
        context_url=source.geojson_url("municipality") if level == "pilot" else None)
    synthetic = source.is_synthetic()
    chart = Chart(
        figure=figure, title=f"{title_text}, {fmt_month(month, lang)}", export_code=export_code,
        description=map_text(frame, indicator, level, month, lang), table=map_table(frame, indicator, lang),
        tidy=tidy_of(frame.with_columns(pl.lit(month).alias("period")), indicator, names, lang, synthetic=synthetic),
        indicator=indicator, scope=level, first=month, last=None, lang=lang, synthetic=synthetic,
        release_date=release_date(source.releases()))
    return MapView(figure, frame, chart, shapes is not None)
