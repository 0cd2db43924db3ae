"""Public rules applied to a view's cells: only public indicators, and no hidden count found by subtraction.

Each group (the country, the comparison groups, pilot areas, ELY areas, regions) gives the equation
total = sum of its member municipalities under the membership valid in the month; app.disclosure
hides one more cell wherever an equation would have exactly one hidden cell. The rule runs over every
area of the view's months, not only the cells the view shows, because every page and Statistics
Finland publish the others: so a cell is hidden on every page alike, and a total is not hidden for
a member that its other members' own suppression already protects. A ratio hides what its numerator
count hides. A hidden cell loses its value and its numerator and denominator, so a table with both
never gives it away.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from app.areas import members_in_months
from app.disclosure import NotPublic, follow_hidden, public_registry, public_values
from app.indicators import Indicator, Registry, registry
from app.views.rates import rated_values
from app.views.source import Source

GROUP_KINDS = ("country", "group", "pilot", "ely", "region")
SHADOW_COLUMNS = ("numerator", "denominator", "computed_value")  # hidden with the value


def indicators(public: bool) -> Registry:
    """The registry a page, a download, a snapshot or a URL may use."""
    return public_registry(registry()) if public else registry()


def group_members(source: Source, periods: list) -> pl.DataFrame:
    """group_code, member_code, period: every group's municipalities in each month."""
    groups = [code for kind in GROUP_KINDS for code in source.codes_of_kind(kind)]
    return members_in_months(source.memberships(groups), periods)


def protect(source: Source, indicator: Indicator, values: pl.DataFrame) -> pl.DataFrame:
    """values (area_code, period, value, status, ...) as public mode may show them.

    Raises NotPublic for an indicator that is not public; callers check first with `indicators()`.
    """
    if values.is_empty():
        if not indicator.public:
            raise NotPublic(indicator.code)
        return values
    periods = values["period"].unique().sort().to_list()
    codes = source.areas()["code"].to_list()

    def every_area(code: str) -> pl.DataFrame:
        return source.values(code, codes, periods[0], periods[-1]).filter(pl.col("period").is_in(periods))

    numerator = every_area(indicator.numerator) if indicator.is_ratio else None
    universe = public_values(every_area(indicator.code).select("area_code", "period", "value", "status"), indicator,
                             group_members(source, periods), numerator=numerator)
    protected = follow_hidden(values, universe.filter(pl.col("status") == "suppressed").select("period", "area_code"))
    hidden = pl.col("status") == "suppressed"
    return protected.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col(name)).alias(name)
        for name in SHADOW_COLUMNS if name in protected.columns
    ).drop("suppression")


def shown(source: Source, indicator: Indicator, values: pl.DataFrame, public: bool) -> pl.DataFrame:
    """The cells as a view shows them: protected in public mode, as read otherwise."""
    return protect(source, indicator, values) if public else values


def rated_shown(source: Source, indicator: Indicator, area_codes: Sequence[str], per: str,
                start: date | None = None, end: date | None = None, public: bool = False) -> pl.DataFrame:
    """app.views.rates.rated_values, with the cells public rules hide in the counts hidden in the rates too."""
    values = rated_values(source, indicator, area_codes, per, start, end)
    if not public:
        return values
    counts = protect(source, indicator, source.values(indicator.code, area_codes, start, end))
    hidden = counts.filter(pl.col("status") == "suppressed").select("period", "area_code")
    rated = follow_hidden(values, hidden)
    return rated.with_columns(
        pl.when(pl.col("status") == "suppressed").then(None).otherwise(pl.col(name)).alias(name)
        for name in SHADOW_COLUMNS if name in rated.columns).drop("suppression")
