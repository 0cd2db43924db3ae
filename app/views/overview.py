"""The overview: the latest month's headline numbers for the whole country, and the pilot areas' map.

Without pilot monitoring data (a database of Statistics Finland tables only) the overview has no
headline and shows the latest unemployment map instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from app.areas import COUNTRY, members_in_months
from app.i18n import fmt_month, fmt_number, fmt_percent, fmt_signed, t
from app.indicators import registry
from app.months import shift_month
from app.views.maps import MapView, map_view
from app.views.source import Source

CLIENTS, SHARE, FALLBACK = "pilot_clients", "client_share", "unemployment_share"
MAP_HEIGHT = 620


@dataclass(frozen=True)
class Headline:
    latest: float | None
    previous: float | None
    year_ago: float | None
    status: str | None

    @property
    def change_month(self) -> float | None:
        return None if self.latest is None or self.previous is None else self.latest - self.previous

    @property
    def change_year(self) -> float | None:
        return None if self.latest is None or self.year_ago is None else self.latest - self.year_ago


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    delta: str | None = None
    help: str | None = None


@dataclass(frozen=True)
class OverviewView:
    month: date | None  # the latest month with pilot clients; None when the database has no pilot data
    heading: str | None
    metrics: tuple[Metric, ...]
    status_notes: tuple[str, ...]  # headline numbers that are not final (incomplete, provisional)
    year_text: str | None  # how the client count changed from a year earlier
    pilots_ended: bool
    map_title: str | None
    map: MapView | None


def headline_text(figure: Headline, lang: str) -> str:
    """The headline count; an incomplete one is a lower bound and says so with ≥."""
    text = fmt_number(figure.latest, lang)
    return f"\u2265\u00a0{text}" if figure.status == "incomplete" and figure.latest is not None else text


def headline(frame: pl.DataFrame, area_code: str, month: date) -> Headline:
    def get(period: date) -> dict | None:
        row = frame.filter((pl.col("area_code") == area_code) & (pl.col("period") == period))
        return row.row(0, named=True) if row.height else None

    now = get(month)
    prev, year = get(shift_month(month, -1)), get(shift_month(month, -12))
    return Headline(
        latest=now["value"] if now else None,
        previous=prev["value"] if prev else None,
        year_ago=year["value"] if year else None,
        status=now["status"] if now else None,
    )


def pilot_coverage(pilot_memberships: pl.DataFrame, month: date) -> tuple[int, int]:
    """(pilot areas, member municipalities) with a membership valid in month."""
    valid = members_in_months(pilot_memberships, [month])
    return valid["group_code"].n_unique(), valid["member_code"].n_unique()


def latest_with_data(frame: pl.DataFrame) -> date | None:
    known = frame.filter(pl.col("value").is_not_null())
    return known["period"].max() if known.height else None


def _without_pilot_data(source: Source, lang: str, public: bool) -> OverviewView:
    fallback = registry()[FALLBACK]
    months = source.periods(fallback.code)
    if not months:
        return OverviewView(None, None, (), (), None, False, None, None)
    return OverviewView(None, None, (), (), None, False, f"{fallback.name(lang)}, {fmt_month(months[-1], lang)}",
                        map_view(source, fallback, months[-1], "municipality", lang, height=MAP_HEIGHT,
                                 public=public))


def overview_view(source: Source, lang: str, *, public: bool = False) -> OverviewView:
    """The headline numbers (the whole country) and the pilot areas' map; public: the map under public rules."""
    clients = source.values(CLIENTS, [COUNTRY])
    month = latest_with_data(clients)
    if month is None:
        return _without_pilot_data(source, lang, public)
    reg = registry()
    areas_now, municipalities_now = pilot_coverage(source.memberships(source.codes_of_kind("pilot")), month)
    numbers = headline(clients, COUNTRY, month)
    share = headline(source.values(SHARE, [COUNTRY], month, month), COUNTRY, month)
    metrics = (
        Metric(t("overview.pilot_areas", lang), fmt_number(areas_now, lang)),
        Metric(t("overview.member_municipalities", lang), fmt_number(municipalities_now, lang)),
        Metric(t("overview.clients", lang), headline_text(numbers, lang),
               delta=t("overview.vs_previous", lang, change=fmt_signed(numbers.change_month, lang))
               if numbers.change_month is not None else None),
        Metric(t("overview.share", lang), fmt_percent(share.latest, lang), help=reg[SHARE].description(lang)),
    )
    notes = tuple(t("overview.status_note", lang, status=t("status." + status, lang))
                  for status in sorted({numbers.status, share.status} - {"final", None}))
    year_text = t("overview.year_change", lang, change=fmt_signed(numbers.change_year, lang),
                  previous=fmt_number(numbers.year_ago, lang)) if numbers.change_year is not None \
        else t("overview.no_year", lang)
    return OverviewView(
        month=month, heading=t("overview.latest", lang, month=fmt_month(month, lang)), metrics=metrics,
        status_notes=notes, year_text=year_text, pilots_ended=areas_now == 0,
        map_title=t("overview.map_title", lang),
        map=map_view(source, reg[SHARE], month, "pilot", lang, height=MAP_HEIGHT, public=public))


def pilot_links(source: Source, lang: str) -> list[tuple[str, str]]:
    """(code, name) of every pilot area, by name: the overview links each to its area page."""
    names = source.area_names(lang)
    return sorted(((code, names[code]) for code in source.codes_of_kind("pilot")), key=lambda pair: pair[1])
