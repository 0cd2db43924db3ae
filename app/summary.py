"""Headline numbers of the overview, computed from frames so they can be tested without a page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from app.aggregate import expected_members
from app.i18n import fmt_number
from app.series import shift_month, value_on


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


def headline_text(figure: Headline, lang: str) -> str:
    """The headline count; an incomplete one is a lower bound and says so with ≥."""
    text = fmt_number(figure.latest, lang)
    return f"\u2265\u00a0{text}" if figure.status == "incomplete" and figure.latest is not None else text


def headline(frame: pl.DataFrame, area_code: str, month: date) -> Headline:
    def get(period: date) -> dict | None:
        return value_on(frame, area_code, period)

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
    valid = expected_members(pilot_memberships, [month])
    return valid["group_code"].n_unique(), valid["member_code"].n_unique()


def latest_with_data(frame: pl.DataFrame) -> date | None:
    known = frame.filter(pl.col("value").is_not_null())
    return known["period"].max() if known.height else None
