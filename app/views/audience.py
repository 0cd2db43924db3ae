"""What a public view reads: public indicators only, and no month that holds provisional figures.

A Source wrapped in PublicSource is what every page of a public deployment (and of an internal one
before login) reads, so no page, chart, table or download can show more: asking for a non-public
indicator raises NotPublic, and a month with any provisional value for the indicator (or, for a
ratio, for its numerator or denominator) is neither offered nor returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from app.disclosure import NotPublic
from app.indicators import Registry, registry as default_registry
from app.views.source import Source


class PublicSource(Source):
    """Another Source as the public may see it."""

    def __init__(self, inner: Source, registry: Registry | None = None):
        self.inner = inner
        self.registry = registry or default_registry()

    def _public(self, indicator_code: str) -> None:
        indicator = self.registry.indicators.get(indicator_code)
        if indicator is None or not indicator.public:
            raise NotPublic(indicator_code)

    def _hidden_months(self, indicator_code: str) -> set[date]:
        return set(self.inner.provisional_periods(indicator_code))

    def areas(self) -> pl.DataFrame:
        return self.inner.areas()

    def meta(self) -> dict[str, str]:
        return self.inner.meta()

    def periods(self, indicator_code: str) -> list[date]:
        self._public(indicator_code)
        hidden = self._hidden_months(indicator_code)
        return [m for m in self.inner.periods(indicator_code) if m not in hidden]

    def provisional_periods(self, indicator_code: str) -> list[date]:
        return []  # none is shown

    def values(self, indicator_code: str, area_codes: Sequence[str], start: date | None = None,
               end: date | None = None) -> pl.DataFrame:
        self._public(indicator_code)
        frame = self.inner.values(indicator_code, area_codes, start, end)
        hidden = sorted(self._hidden_months(indicator_code))
        if hidden:
            frame = frame.filter(~pl.col("period").is_in(pl.Series(hidden, dtype=pl.Date).implode()))
        return frame.filter(pl.col("status").fill_null("") != "provisional")

    def memberships(self, group_codes: Sequence[str]) -> pl.DataFrame:
        return self.inner.memberships(group_codes)

    def releases(self) -> pl.DataFrame:
        return self.inner.releases()

    def geojson(self, kind: str) -> dict | None:
        return self.inner.geojson(kind)

    def geojson_url(self, kind: str) -> str | None:
        return self.inner.geojson_url(kind)

    def revisions(self, release_ids: Sequence[int] | None = None) -> pl.DataFrame:
        """Revised values of public indicators, outside the months that hold provisional values."""
        frame = self.inner.revisions(release_ids)
        public = [code for code, ind in self.registry.indicators.items() if ind.public]
        frame = frame.filter(pl.col("indicator_code").is_in(public))
        hidden = {m for code in frame["indicator_code"].unique().to_list() for m in self._hidden_months(code)}
        if hidden:
            frame = frame.filter(~pl.col("period").is_in(pl.Series(sorted(hidden), dtype=pl.Date).implode()))
        return frame

    def release_contents(self) -> pl.DataFrame:
        return self.inner.release_contents()

    def published(self, indicator_code: str, area_codes: Sequence[str]) -> pl.DataFrame:
        """Printed figures are public once printed, but only beside an indicator the public may see."""
        self._public(indicator_code)
        return self.inner.published(indicator_code, area_codes)

    def published_areas(self, indicator_code: str) -> list[str]:
        self._public(indicator_code)
        return self.inner.published_areas(indicator_code)

    def indicator_releases(self, indicator_codes: Sequence[str]) -> pl.DataFrame:
        public = [c for c in indicator_codes if (i := self.registry.indicators.get(c)) is not None and i.public]
        return self.inner.indicator_releases(public)
