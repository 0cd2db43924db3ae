"""Trends: monthly values of one indicator for chosen areas, as values, an index or a change from a year earlier.

A count's change is relative (%); a ratio's change is in percentage points, since a relative change of
a rate reads as nonsense to most users.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from app.areas import COUNTRY, GRP_OTHER, GRP_PILOT, KIND_ORDER
from app.charts.trends import add_events, axis_title, display_decimals, trend_figure
from app.i18n import t
from app.indicators import Indicator
from app.views.chart import Chart, release_date, tidy_of
from app.views.describe import trend_text
from app.views.events import chart_events, events_table
from app.views.public import rated_shown
from app.views.rates import NONE, export_code_of, rate_indicator, shown_title
from app.views.source import Source
from app.views.tables import Table, status_text

MODES = ("value", "index", "yoy")
DEFAULT_AREAS = (COUNTRY, GRP_PILOT, GRP_OTHER)


@dataclass(frozen=True)
class TrendView:
    figure: go.Figure
    table: Table
    chart: Chart  # title, text alternative and tidy export (downloads, snapshots) of the same values
    empty: bool  # nothing to draw: no rows, or an index whose base month has no value
    events: Table | None = None  # the events marked on the chart, numbered as there
    published: Table | None = None  # published figures of the chosen areas, with the series' value and difference
    published_notes: tuple[str, ...] = ()  # how to read them, and where else figures were published


def apply_mode(frame: pl.DataFrame, mode: str, *, is_ratio: bool, base_month: date | None = None) -> pl.DataFrame:
    """frame: area_code, period, value, status (+ anything). Returns the same columns, value transformed."""
    if mode == "value" or frame.is_empty():
        return frame
    frame = frame.sort("area_code", "period")
    if mode == "index":
        if base_month is None:
            base_month = frame["period"].min()
        base = frame.filter(pl.col("period") == base_month).select(
            "area_code", pl.col("value").alias("_base"))
        return (
            frame.join(base, on="area_code", how="left")
            .with_columns(
                pl.when(pl.col("_base") > 0).then(pl.col("value") / pl.col("_base") * 100).otherwise(None)
                .alias("value"))
            .drop("_base")
        )
    if mode == "yoy":
        earlier = frame.select(
            "area_code", (pl.col("period").dt.offset_by("1y")).alias("period"), pl.col("value").alias("_prev"))
        joined = frame.join(earlier, on=["area_code", "period"], how="left")
        change = (pl.col("value") - pl.col("_prev")) if is_ratio else \
            pl.when(pl.col("_prev") > 0).then((pl.col("value") / pl.col("_prev") - 1) * 100).otherwise(None)
        return joined.with_columns(change.alias("value")).drop("_prev")
    raise ValueError(f"unknown mode {mode!r}")


def default_index_base(frame: pl.DataFrame) -> date | None:
    """The first month in which every chosen area has a positive value: an index needs a non-zero base
    (pilot indicators are 0 before 1.3.2021)."""
    if frame.is_empty():
        return None
    areas = frame["area_code"].n_unique()
    positive = (frame.filter(pl.col("value") > 0).group_by("period").agg(pl.col("area_code").n_unique().alias("n"))
                .filter(pl.col("n") == areas))
    return positive["period"].min() if positive.height else None


def area_label(name: str, kind: str, lang: str) -> str:
    """An area as the picker lists it: its name and kind, the kind left out when the name already says it."""
    kind_text = t("kind." + kind, lang)
    return name if name.casefold() == kind_text.casefold() else f"{name} · {kind_text}"


def area_choices(source: Source, lang: str) -> dict[str, str]:
    """code -> label for every area, the whole country first, then groups, pilots, ELY areas, regions."""
    names, kinds = source.area_names(lang), source.area_kinds()
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    codes = sorted(names, key=lambda c: (order.get(kinds[c], len(order)), names[c]))
    return {code: area_label(names[code], kinds[code], lang) for code in codes}


def index_base(source: Source, indicator: Indicator, area_codes: Sequence[str]) -> date | None:
    """The default base month of an index of these areas (see default_index_base)."""
    return default_index_base(source.values(indicator.code, area_codes))


def published_points(source: Source, indicator: Indicator, area_codes: Sequence[str],
                     values: pl.DataFrame) -> pl.DataFrame:
    """The published figures of the chosen areas with the series' value of the same month and the difference
    (published minus series; None where the series has no value)."""
    published = source.published(indicator.code, area_codes)
    series = values.select("area_code", "period", pl.col("value").alias("series_value"))
    return (published.join(series, on=["area_code", "period"], how="left")
            .with_columns((pl.col("value") - pl.col("series_value")).alias("difference")))


def published_table(points: pl.DataFrame, names: dict[str, str], indicator: Indicator, lang: str) -> Table:
    """The published figures as a table: month, area, figure, series value, difference, source, date, address."""
    month, area = t("common.month", lang), t("common.area", lang)
    figure, series = t("trends.published_value", lang), t("trends.published_series", lang)
    difference, date_col = t("trends.published_difference", lang), t("trends.published_date", lang)
    decimals = display_decimals("value", indicator.unit)
    frame = points.sort("period", "area_code").select(
        pl.col("period").alias(month), pl.col("area_code").replace_strict(names, default="").alias(area),
        pl.col("value").alias(figure), pl.col("series_value").alias(series), pl.col("difference").alias(difference),
        pl.col("source").alias(t("trends.published_source", lang)), pl.col("published_at").dt.date().alias(date_col),
        pl.col("url").alias(t("trends.published_address", lang)))
    return Table(frame, decimals={figure: decimals, series: decimals, difference: decimals}, months=(month,),
                 dates=(date_col,))


def published_notes(source: Source, indicator: Indicator, area_codes: Sequence[str], points: pl.DataFrame,
                    mode: str, lang: str) -> tuple[str, ...]:
    """How to read the published points, and the other areas with published figures of the indicator."""
    names = source.area_names(lang)
    notes = []
    if not points.is_empty():
        notes.append(t("trends.published_note" if mode == "value" else "trends.published_values_only", lang))
    elsewhere = [names.get(code, code) for code in source.published_areas(indicator.code) if code not in area_codes]
    if elsewhere:
        notes.append(t("trends.published_elsewhere", lang, areas=", ".join(elsewhere)))
    return tuple(notes)


def trend_title(indicator_name: str, names: Sequence[str], mode: str, lang: str) -> str:
    """The indicator, the display when it is not the values, and the areas: what a snapshot's heading says."""
    what = indicator_name if mode == "value" else f"{indicator_name} ({t('mode.' + mode, lang).lower()})"
    return f"{what}: {', '.join(names)}"


def trend_view(source: Source, indicator: Indicator, area_codes: Sequence[str], mode: str, lang: str,
               base: date | None = None, per: str = NONE, *, public: bool = False) -> TrendView:
    """Lines for the areas in their order, with the same values as a sortable table and a tidy export;
    published figures of the areas as marked points and a table of their own (as printed: with no `per`).

    per: a count as it is, per 1,000 inhabitants or as a share of the labour force (app.views.rates);
    public: the values under public rules, protected before the display mode is applied.
    """
    names = source.area_names(lang)
    values = rated_shown(source, indicator, area_codes, per, public=public)
    title_text, export_code = shown_title(indicator, per, lang), export_code_of(indicator, per)
    points = published_points(source, indicator, area_codes, values)
    if per != NONE:
        points = points.clear()  # a printed figure is a count or a share as printed, not a rate per inhabitant
    notes = published_notes(source, indicator, area_codes, points, mode, lang) if per == NONE else ()
    indicator = rate_indicator(indicator, per)
    shown = apply_mode(values, mode, is_ratio=indicator.is_ratio, base_month=base)
    y_title = axis_title(indicator.name(lang), mode=mode, unit=indicator.unit, is_ratio=indicator.is_ratio,
                         lang=lang, base=base)
    figure = trend_figure(shown, {c: names[c] for c in area_codes}, lang=lang, y_title=y_title, mode=mode,
                          unit=indicator.unit, is_ratio=indicator.is_ratio, published=points)
    events = chart_events(shown["period"].unique().to_list() if shown.height else [], lang)
    add_events(figure, events)
    rows = shown.with_columns(pl.col("area_code").replace_strict(names, default="").alias("name")) \
        .sort("period", "area_code")
    month, area, status = t("common.month", lang), t("common.area", lang), t("common.status", lang)
    table = Table(
        rows.select(pl.col("period").alias(month), pl.col("name").alias(area), pl.col("value").alias(y_title),
                    status_text(lang).alias(status)),
        decimals={y_title: display_decimals(mode, indicator.unit)}, months=(month,))
    empty = (shown.is_empty() or shown["value"].is_null().all()) and (points.is_empty() or mode != "value")
    published = published_table(points, names, indicator, lang) if not points.is_empty() else None
    chosen = {c: names[c] for c in area_codes}
    synthetic = source.is_synthetic()
    chart = Chart(
        figure=figure, title=trend_title(title_text, list(chosen.values()), mode, lang),
        description=trend_text(shown, chosen, indicator, mode, lang, y_title), table=table,
        tidy=tidy_of(shown, indicator, names, lang, synthetic=synthetic, mode=mode), indicator=indicator,
        scope=tuple(area_codes), first=shown["period"].min() if shown.height else None,
        last=shown["period"].max() if shown.height else None, lang=lang, mode=mode, synthetic=synthetic,
        release_date=release_date(source.releases()), export_code=export_code)
    return TrendView(figure, table, chart, empty, events_table(events, lang), published, notes)


def has_data(source: Source, indicator: Indicator) -> bool:
    """Whether the indicator has months of its own or published figures (a real database may have only those)."""
    return bool(source.periods(indicator.code)) or bool(source.published_areas(indicator.code))
