"""The events of data/events.csv within a chart's months, numbered: the chart marks them, the table lists them."""

from __future__ import annotations

from datetime import date

import polars as pl

from app.events import events_between
from app.i18n import t
from app.views.tables import Table

EVENT_KIND_KEYS = {"pilot": "event_kind.pilot", "decision": "event_kind.decision", "reform": "event_kind.reform",
                   "data_break": "event_kind.data_break"}
NUMBERED_SCHEMA = {"number": pl.UInt32, "date": pl.Date, "kind": pl.Utf8, "text": pl.Utf8, "source_url": pl.Utf8}


def chart_events(periods: list[date] | pl.Series, lang: str) -> pl.DataFrame:
    """number, date, kind, text, source_url of the events in the months first..last of a chart's periods."""
    periods = list(periods)
    if not periods:
        return pl.DataFrame(schema=NUMBERED_SCHEMA)
    events = events_between(min(periods), max(periods), lang)
    return events.with_row_index("number", offset=1).select(list(NUMBERED_SCHEMA)).cast(NUMBERED_SCHEMA)


def events_table(events: pl.DataFrame, lang: str) -> Table:
    """The chart's events as a table, numbered as on the chart, the kind in the reader's language."""
    number, day = t("events.col_number", lang), t("events.col_date", lang)
    kinds = {kind: t(key, lang) for kind, key in EVENT_KIND_KEYS.items()}
    frame = events.select(
        pl.col("number").alias(number),
        pl.col("date").alias(day),
        pl.col("kind").replace_strict(kinds, default=None).alias(t("events.col_kind", lang)),
        pl.col("text").alias(t("events.col_text", lang)),
    )
    return Table(frame, decimals={number: 0}, dates=(day,))
