"""What a view reads, and the plain way to read it: the one seam between view models and storage.

A view function takes a `Source` and plain inputs (indicator, month, area codes, lang) and returns
frames and figures. The dashboard passes `app.ui.data.CachedSource` (every read cached by Streamlit
and keyed on the database's fingerprint); the benchmark passes `QuerySource`, which reads through
`app.queries` each time. So a view is composed once, whoever asks for it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import date

import polars as pl
from sqlalchemy import Engine

from app import geo, provenance, queries, stored_series
from app.i18n import area_name
from app.indicators import registry


class Source(ABC):
    """The reads the views need; the area helpers below are derived from `areas()` for every source."""

    @abstractmethod
    def areas(self) -> pl.DataFrame:
        """Every area: code, kind, name_fi, name_sv, name_en, population, lat, lon, ely_code."""

    @abstractmethod
    def meta(self) -> dict[str, str]:
        """The database's meta table (`demo` = "true" for the synthetic demo database)."""

    @abstractmethod
    def periods(self, indicator_code: str) -> list[date]:
        """The months with data for the indicator, in order."""

    @abstractmethod
    def values(self, indicator_code: str, area_codes: Sequence[str], start: date | None = None,
               end: date | None = None) -> pl.DataFrame:
        """app.queries.indicator_values for vetted area codes."""

    @abstractmethod
    def memberships(self, group_codes: Sequence[str]) -> pl.DataFrame:
        """Dated memberships (member_code, group_code, valid_from, valid_to) of the groups."""

    @abstractmethod
    def releases(self) -> pl.DataFrame:
        """Every loaded release, oldest first."""

    @abstractmethod
    def geojson(self, kind: str) -> dict | None:
        """Screen boundaries of one area kind (app.geo.feature_collection), None when none are stored."""

    def geojson_url(self, kind: str) -> str | None:
        """Where a browser can fetch geojson(kind), if this source serves it; None: figures carry the shapes."""
        return None

    def published(self, indicator_code: str, area_codes: Sequence[str]) -> pl.DataFrame:
        """Figures a publisher printed for the indicator and areas (app.provenance.published_values); none by default."""
        return pl.DataFrame(schema=provenance.PUBLISHED_SCHEMA)

    def published_areas(self, indicator_code: str) -> list[str]:
        """The areas with a published figure of the indicator; none by default."""
        return []

    def indicator_releases(self, indicator_codes: Sequence[str]) -> pl.DataFrame:
        """The releases the indicators' rows come from, with their months (app.provenance.indicator_releases)."""
        return pl.DataFrame(schema=provenance.COVERAGE_SCHEMA)

    def provisional_periods(self, indicator_code: str) -> list[date]:
        """Months in which the indicator (or a part of it) has a provisional value; a public view hides them."""
        raise NotImplementedError(f"{type(self).__name__} cannot tell provisional months")

    @abstractmethod
    def revisions(self, release_ids: Sequence[int] | None = None) -> pl.DataFrame:
        """Values later loads replaced (app.queries.revisions), those of the given releases or all."""

    @abstractmethod
    def release_contents(self) -> pl.DataFrame:
        """Per release: the observations it still holds and their first and last month."""

    def area_names(self, lang: str) -> dict[str, str]:
        return {row["code"]: area_name(row, lang) for row in self.areas().to_dicts()}

    def area_kinds(self) -> dict[str, str]:
        frame = self.areas()
        return dict(zip(frame["code"].to_list(), frame["kind"].to_list()))

    def codes_of_kind(self, kind: str) -> list[str]:
        return self.areas().filter(pl.col("kind") == kind)["code"].to_list()

    def is_synthetic(self) -> bool:
        """The demo database's figures are synthetic, and everything showing them says so."""
        return self.meta().get("demo") == "true"


class QuerySource(Source):
    """Reads straight from the database, uncached: what a cache miss costs, and what tools outside Streamlit use.

    areas: an areas frame already read (the cached source passes its own), so values() does not read it again.
    """

    def __init__(self, engine: Engine, areas: pl.DataFrame | None = None):
        self.engine = engine
        self._areas = areas

    def areas(self) -> pl.DataFrame:
        return self._areas if self._areas is not None else queries.areas(self.engine)

    def meta(self) -> dict[str, str]:
        return queries.meta(self.engine)

    def periods(self, indicator_code: str) -> list[date]:
        return queries.periods(self.engine, registry()[indicator_code])

    def provisional_periods(self, indicator_code: str) -> list[date]:
        return queries.provisional_periods(self.engine, registry()[indicator_code])

    def values(self, indicator_code: str, area_codes: Sequence[str], start: date | None = None,
               end: date | None = None) -> pl.DataFrame:
        indicator, kinds, codes = registry()[indicator_code], self.area_kinds(), list(dict.fromkeys(area_codes))
        # Summed areas (and a municipality's ratio) from their stored series when those are up to date
        # (app.stored_series): each as if asked alone, as the pages ask a chosen few; otherwise computed below.
        groups = [c for c in codes if stored_series.is_stored(indicator, kinds.get(c))]
        stored = stored_series.stored_values(self.engine, indicator, groups, start, end) if groups else None
        if stored is not None:
            rest = [c for c in codes if c not in groups]
            if not rest:
                return stored
            live = queries.indicator_values(self.engine, indicator, rest, kinds, start, end)
            return pl.concat([live, stored], how="diagonal_relaxed").sort("area_code", "period")
        return queries.indicator_values(self.engine, indicator, list(area_codes), kinds, start, end)

    def memberships(self, group_codes: Sequence[str]) -> pl.DataFrame:
        return queries.memberships(self.engine, list(group_codes))

    def releases(self) -> pl.DataFrame:
        return queries.releases(self.engine)

    def geojson(self, kind: str) -> dict | None:
        collection = geo.feature_collection(queries.boundaries(self.engine), codes=self.codes_of_kind(kind))
        return collection if collection["features"] else None

    def published(self, indicator_code: str, area_codes: Sequence[str]) -> pl.DataFrame:
        return provenance.published_values(self.engine, indicator_code, list(area_codes))

    def published_areas(self, indicator_code: str) -> list[str]:
        return provenance.published_areas(self.engine, indicator_code)

    def indicator_releases(self, indicator_codes: Sequence[str]) -> pl.DataFrame:
        stored = stored_series.stored_coverage(self.engine, indicator_codes)  # when up to date
        return stored if stored is not None else provenance.indicator_releases(self.engine, list(indicator_codes))

    def revisions(self, release_ids: Sequence[int] | None = None) -> pl.DataFrame:
        return queries.revisions(self.engine, None if release_ids is None else list(release_ids))

    def release_contents(self) -> pl.DataFrame:
        return queries.release_contents(self.engine)
