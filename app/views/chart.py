"""A chart as every consumer needs it: the figure with its title, text alternative, table and tidy export.

The pages draw it (with downloads and the share control), embeds show it alone, and snapshots write it
to files; all three take the same Chart from the same view function, so a snapshot's CSV is the
page's data for the same view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from app.exports import export_stem, source_text, tidy_frame
from app.i18n import fmt_date, fmt_month, t
from app.indicators import Indicator, registry
from app.months import month_code
from app.views.tables import Table, printed_html


@dataclass(frozen=True)
class Chart:
    figure: go.Figure
    title: str
    description: str  # the text alternative: what the chart shows, in a sentence or two
    table: Table  # the chart's data as the page's table shows it
    tidy: pl.DataFrame  # the chart's data as downloads and snapshots hold it (app.exports.TIDY_COLUMNS)
    indicator: Indicator
    scope: str | tuple[str, ...]  # a level name or the area codes: what file names say
    first: date | None  # the first month shown (None: no data)
    last: date | None  # the last month shown, for a range
    lang: str
    mode: str = "value"
    synthetic: bool = False
    release_date: date | None = None
    export_code: str = ""  # what file names call the indicator (a rate says per what); default its code
    sources: tuple[str, str] | None = None  # (source, licence) of a chart of several indicators; default its own

    @property
    def print_html(self) -> str:
        """The table as plain HTML for the printed page, made when a page first shows it (the trends page
        prints its own table instead) and kept with the table for every copy of the view."""
        caption = t("snapshot.table_caption", self.lang, title=self.title)
        return printed_html(self.table, caption, self.lang, "pt-print-only")

    @property
    def period(self) -> str:
        """2024-12, or 2019-01/2024-12 for a range (the snapshot metadata's `period`)."""
        if self.first is None:
            return ""
        if self.last is None or self.last == self.first:
            return month_code(self.first)
        return f"{month_code(self.first)}/{month_code(self.last)}"

    def stem(self) -> str:
        """What a download's file name says: indicator-scope-period-lang."""
        scope = self.scope if isinstance(self.scope, str) else list(self.scope)
        return export_stem(self.export_code or self.indicator.code, scope, self.first or date.today(), self.last,
                           self.lang)

    def source_licence(self) -> tuple[str, str]:
        return self.sources or source_text(self.indicator, self.lang)

    def source_url(self) -> str:
        return registry().sources[self.indicator.source].url

    def when_text(self) -> str:
        """The data month (or period) and the release date, as the embed and the image credits say them."""
        if self.first is None:
            return ""
        months = fmt_month(self.first, self.lang) if self.last in (None, self.first) else \
            f"{fmt_month(self.first, self.lang)} – {fmt_month(self.last, self.lang)}"
        key = "snapshot.month" if self.last in (None, self.first) else "snapshot.period"
        text = f"{t(key, self.lang)}: {months}"
        if self.release_date:
            text += f" · {t('snapshot.published', self.lang)}: {fmt_date(self.release_date, self.lang)}"
        return text


def tidy_of(values: pl.DataFrame, indicator: Indicator, names: Mapping[str, str], lang: str, *,
            synthetic: bool, mode: str = "value") -> pl.DataFrame:
    """values: area_code, period, value, status (+ anything) -> the tidy export of exactly those cells."""
    return tidy_frame(values.select("area_code", "period", "value", "status"), indicator, names, lang,
                      synthetic=synthetic, mode=mode)


def release_date(releases: pl.DataFrame) -> date | None:
    """The newest publication date among the loaded releases: the data's release date."""
    if releases.is_empty() or releases["published_at"].null_count() == releases.height:
        return None
    return releases["published_at"].max().date()
