"""Counts shown per 1,000 inhabitants or as a share of the labour force (`?per=`), so a large city does not
drown the rest on a map, in the compare table or in a trend.

A rate is a ratio of sums (app.analysis.rates): the count over the population at the end of the previous
year (the annual rule: a December stands for the months after it) or over the same month's labour force.
A view that shows a rate passes `rate_indicator(indicator, per)` on to the figures and exports, so the
unit, the name and the year-on-year change (in points, as for any ratio) follow from one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import polars as pl

from app.analysis.matching import group_counts
from app.analysis.rates import PER_1000, PERCENT, per_1000_inhabitants, per_labour_force, pooled_rates
from app.i18n import t
from app.indicators import Indicator
from app.settings import LANGUAGES
from app.views.source import Source

NONE, INHABITANTS, LABOUR_FORCE = "none", "inhabitants", "labour_force"
PER_CHOICES = (NONE, INHABITANTS, LABOUR_FORCE)
PER_LABELS = {NONE: "per.none", INHABITANTS: "per.inhabitants", LABOUR_FORCE: "per.labour_force"}
POPULATION = "population"
RATE_UNITS = {INHABITANTS: "per_1000", LABOUR_FORCE: "percent"}
VALUE_COLUMNS = ("area_code", "period", "value", "status")


def per_choices(indicator: Indicator) -> tuple[str, ...]:
    """What a count can be divided by; a ratio, the population, and the labour force by itself stay as they are."""
    if indicator.is_ratio or indicator.code == POPULATION:
        return (NONE,)
    if indicator.code == LABOUR_FORCE:
        return (NONE, INHABITANTS)
    return PER_CHOICES


def default_rate(source: Source, indicator: Indicator) -> str:
    """The map's and the compare table's default for a count: per 1,000 inhabitants when the database holds
    the population, else as a share of the labour force; a ratio as it is."""
    options = per_choices(indicator)
    preferred = default_count_rate(source)
    return preferred if preferred in options else next((p for p in options if p != NONE), NONE)


def default_count_rate(source: Source) -> str:
    """The rate counts are ranked and compared by unless the reader chooses: per 1,000 inhabitants when the
    database holds the population, else as a share of the labour force."""
    return INHABITANTS if source.periods(POPULATION) else LABOUR_FORCE


def effective_per(indicator: Indicator, per: str) -> str:
    """The per that applies to this indicator: `none` where the indicator cannot take the chosen one."""
    return per if per in per_choices(indicator) else NONE


def shown_name(indicator: Indicator, per: str, lang: str) -> str:
    if effective_per(indicator, per) == LABOUR_FORCE:
        return t("per.share_of_labour_force", lang, name=indicator.name(lang))
    return indicator.name(lang)


def shown_title(indicator: Indicator, per: str, lang: str) -> str:
    """A title that says the rate: "Jobseekers per 1,000 inhabitants", "… as a share of the labour force"."""
    if effective_per(indicator, per) == INHABITANTS:
        return f"{indicator.name(lang)} {t(PER_LABELS[INHABITANTS], lang)}"
    return shown_name(indicator, per, lang)


def rate_indicator(indicator: Indicator, per: str) -> Indicator:
    """The indicator as a rate, in its rate's unit and name, for figures, tables and exports.

    A share of the labour force is a ratio (its change is in percentage points); a rate per 1,000
    inhabitants keeps the count's kind, so its change from a year earlier is relative (%), not in points.
    """
    per = effective_per(indicator, per)
    if per == NONE:
        return indicator
    return replace(indicator, kind="ratio" if per == LABOUR_FORCE else indicator.kind, unit=RATE_UNITS[per],
                   names={lang: shown_name(indicator, per, lang) for lang in LANGUAGES})


def rated_values(source: Source, indicator: Indicator, area_codes: Sequence[str], per: str,
                 start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """area_code, period, value, status (and source) of the indicator, divided as `per` says.

    The population is read for every December, so a month after `start` finds the December before it.
    """
    values = source.values(indicator.code, area_codes, start, end)
    per = effective_per(indicator, per)
    if per == NONE:
        return values
    if per == INHABITANTS:
        rated = per_1000_inhabitants(values.select(VALUE_COLUMNS), source.values(POPULATION, area_codes))
    else:
        rated = per_labour_force(values.select(VALUE_COLUMNS),
                                 source.values(LABOUR_FORCE, area_codes, start, end).select(VALUE_COLUMNS))
    return rated.join(values.select("area_code", "period", "source"), on=["area_code", "period"], how="left")


def pooled_values(source: Source, indicator: Indicator, members: Sequence[str], per: str,
                  start: date | None = None) -> pl.DataFrame:
    """One series for a set of areas together (a comparison group): the sum of the counts over the sum of
    the denominators, never a mean of the members' rates. A ratio pools its numerator and denominator."""
    if indicator.is_ratio:
        counts = source.values(indicator.numerator, members, start).select(VALUE_COLUMNS)
        denominators = source.values(indicator.denominator, members, start).select(VALUE_COLUMNS)
        return pooled_rates(counts, denominators, indicator.scale, areas=members)
    per = effective_per(indicator, per)
    counts = source.values(indicator.code, members, start).select(VALUE_COLUMNS)
    if per == INHABITANTS:
        return pooled_rates(counts, source.values(POPULATION, members).select(VALUE_COLUMNS), PER_1000,
                            areas=members, annual=True)
    if per == LABOUR_FORCE:
        return pooled_rates(counts, source.values(LABOUR_FORCE, members, start).select(VALUE_COLUMNS), PERCENT,
                            areas=members)
    return group_counts(members, counts)  # a plain sum: only an index of it compares with one area


def export_code_of(indicator: Indicator, per: str) -> str:
    """What a file name says of a rate: the code, then per_inhabitants or per_labour_force."""
    return indicator.code if effective_per(indicator, per) == NONE else f"{indicator.code}-per_{per}"
