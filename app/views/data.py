"""What the data page and every page's captions say about the data: definitions, sources, releases."""

from __future__ import annotations

import polars as pl

from app.i18n import fmt_date, t
from app.indicators import Indicator, registry
from app.views.tables import Table


def indicator_table(lang: str) -> Table:
    """Every indicator with its definition, unit, aggregation rule and source."""
    reg = registry()
    indicators = list(reg)

    def rule(i: Indicator) -> str:
        if not i.is_ratio:
            return t("data.rule_count", lang)
        return t("data.rule_ratio", lang, numerator=reg[i.numerator].name(lang),
                 denominator=reg[i.denominator].name(lang))

    return Table(pl.DataFrame({
        t("data.col_name", lang): [i.name(lang) for i in indicators],
        t("data.col_definition", lang): [i.description(lang) for i in indicators],
        t("data.col_unit", lang): [t("unit." + i.unit, lang) for i in indicators],
        t("data.col_rule", lang): [rule(i) for i in indicators],
        t("data.col_source", lang): [reg.sources[i.source].name(lang) for i in indicators],
        t("data.col_public", lang): [t("common.yes" if i.public else "common.no", lang) for i in indicators],
        t("data.col_code", lang): [i.code for i in indicators],
    }, schema_overrides={t("data.col_code", lang): pl.Utf8}))


def sources_markdown(lang: str) -> str:
    """A Markdown list of the sources: name, licence and link."""
    lines = []
    for source in registry().sources.values():
        shown_url = source.url.replace("_", "\\_")  # Markdown would read StatFin__tyonv as emphasis
        lines.append(f"- **{source.name(lang)}** — {source.licence} — [{shown_url}]({source.url})")
    return "\n".join(lines)


def release_table(releases: pl.DataFrame, lang: str) -> Table:
    """The loaded releases, oldest first; dates as dates and row counts as numbers, so both sort."""
    rows = t("data.col_rows", lang)
    published, retrieved = t("data.col_published", lang), t("data.col_retrieved", lang)
    return Table(releases.select(
        pl.col("source").alias(t("data.col_source", lang)),
        pl.col("published_at").dt.date().alias(published),
        pl.col("retrieved_at").dt.date().alias(retrieved),
        pl.col("row_count").alias(rows),
        pl.col("licence").fill_null("–").alias(t("data.col_licence", lang)),
        pl.col("sha256").fill_null("–").str.slice(0, 12).alias("SHA-256"),
    ), decimals={rows: 0}, dates=(published, retrieved))


def latest_release_text(releases: pl.DataFrame, lang: str) -> str | None:
    """The most recently published release: where the page's newest figures come from."""
    if releases.is_empty():
        return None
    latest = releases.sort("published_at", nulls_last=False).row(-1, named=True)
    published = latest["published_at"]
    return t("common.release", lang, source=latest["source"],
             date=fmt_date(published.date(), lang) if published else "–")


def source_note(indicator: Indicator, lang: str) -> str:
    """Under a chart: where the indicator comes from, its licence and its definition."""
    src = registry().sources[indicator.source]
    return t("common.source_note", lang, source=src.name(lang), licence=src.licence,
             definition=indicator.description(lang))
