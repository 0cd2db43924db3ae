"""What the data page and every page's captions say about the data: definitions, sources, releases."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from datetime import date

import polars as pl

from app.i18n import fmt_date, t
from app.indicators import Indicator, registry
from app.months import month_code
from app.safe_text import md_escape
from app.settings import DATA_DIR, Settings
from app.views.public import indicators as shown_indicators
from app.views.source import Source
from app.views.tables import Table

PILOT_ROUND = DATA_DIR / "pilot_round.toml"
COVERAGE_LISTED = 3  # releases named under a chart; more are counted


def indicator_table(lang: str, public: bool = False) -> Table:
    """Every indicator (in public mode: every public one) with its definition, unit, aggregation rule and source."""
    reg = registry()
    indicators = list(shown_indicators(public))

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
    division = t("data.col_division", lang)
    return Table(releases.select(
        pl.col("source").alias(t("data.col_source", lang)),
        pl.col("published_at").dt.date().alias(published),
        pl.col("retrieved_at").dt.date().alias(retrieved),
        pl.col("row_count").alias(rows),
        months_span(pl.col("first_period"), pl.col("last_period")).alias(t("data.col_months", lang)),
        pl.col("division").cast(pl.Utf8).fill_null("–").alias(division),  # a year, not a number to group
        pl.col("licence").fill_null("–").alias(t("data.col_licence", lang)),
        pl.col("sha256").fill_null("–").str.slice(0, 12).alias("SHA-256"),
    ), decimals={rows: 0}, dates=(published, retrieved))


def months_span(first: pl.Expr, last: pl.Expr) -> pl.Expr:
    """2019-01 – 2026-06 (one month alone when first is last), or – when the release holds no months."""
    first_text, last_text = first.dt.strftime("%Y-%m"), last.dt.strftime("%Y-%m")
    return (pl.when(first.is_null()).then(pl.lit("–"))
            .when(first == last).then(first_text)
            .otherwise(pl.concat_str(first_text, pl.lit(" – "), last_text)))


@dataclass(frozen=True)
class PilotRound:
    """The first round as announced: its start and how many areas and municipalities it had."""

    start: date
    areas: int
    municipalities: int


@functools.cache  # a file of the release: read once per process, not on every view
def pilot_round() -> PilotRound:
    with PILOT_ROUND.open("rb") as handle:
        doc = tomllib.load(handle)
    return PilotRound(doc["start"], int(doc["areas"]), int(doc["municipalities"]))


def registry_coverage(source: Source, lang: str) -> list[str]:
    """How much of the announced first round the loaded registry holds, and how much is still unknown."""
    kinds = source.area_kinds()
    pilots = [code for code, kind in kinds.items() if kind == "pilot"]
    members = source.memberships(pilots) if pilots else pl.DataFrame({"member_code": [], "group_code": []})
    areas, municipalities = members["group_code"].n_unique(), members["member_code"].n_unique()
    official = pilot_round()
    lines = [t("data.registry_coverage", lang, areas=areas, total_areas=official.areas,
               municipalities=municipalities, total_municipalities=official.municipalities,
               start=fmt_date(official.start, lang))]
    missing_areas, missing_municipalities = official.areas - areas, official.municipalities - municipalities
    if missing_areas > 0 or missing_municipalities > 0:
        lines.append(t("data.registry_unknown", lang, areas=max(missing_areas, 0),
                       municipalities=max(missing_municipalities, 0)))
    else:
        lines.append(t("data.registry_complete", lang))
    return lines


def coverage_text(releases: pl.DataFrame, lang: str) -> str | None:
    """Under a chart: the months its indicator has and the releases they come from (app.provenance.indicator_releases)."""
    known = releases.filter(pl.col("first").is_not_null())
    if known.is_empty():
        return None
    # A caption (Markdown): each source names a file and a table title from a file, shown as text only.
    names = list(dict.fromkeys(md_escape(source) if source else "–"
                               for source in known.sort("first")["source"].to_list()))
    shown = "; ".join(names[:COVERAGE_LISTED])
    if len(names) > COVERAGE_LISTED:
        shown = t("common.coverage_more", lang, sources=shown, n=len(names) - COVERAGE_LISTED)
    return t("common.coverage", lang, first=month_code(known["first"].min()), last=month_code(known["last"].max()),
             sources=shown)


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


def contact_link(channel: str) -> str:
    """An e-mail address or a web address as a Markdown link."""
    target = channel if "://" in channel or channel.startswith("mailto:") else \
        (f"mailto:{channel}" if "@" in channel else channel)
    return f"[{channel.removeprefix('mailto:')}]({target})"


def accessibility_contacts(settings: Settings, lang: str) -> tuple[str, str]:
    """(feedback, supervisory authority) paragraphs of the accessibility statement, from the deployer's settings."""
    feedback = t("data.accessibility_feedback", lang, channel=contact_link(settings.feedback)) if settings.feedback \
        else t("data.accessibility_no_feedback", lang)
    supervisor = t("data.accessibility_supervisor", lang, name=settings.supervisor[lang], url=settings.supervisor_url)
    return feedback, supervisor
