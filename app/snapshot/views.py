"""Which view a snapshot shows: a page's URL state, checked, composed by the pages' own view functions.

A snapshot always follows public rules (only public indicators, small counts protected by
app.views.public), whatever the dashboard's own setting. A state names its view (map, trend, gauges)
and the same parameters the page reads from its URL; anything the registry, the area table or the
months with data do not know is refused with a message that says what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from app.areas import COUNTRY
from app.months import month_code
from app.snapshot.files import SnapshotMeta, app_version, snapshot_slug, write_snapshot
from app.snapshot.render import ChromiumRenderer
from app.views.chart import Chart
from app.views.gauges import SHARE, gauge_view
from app.views.maps import MAP_LEVELS, map_view
from app.views.public import indicators
from app.views.rates import NONE, PER_CHOICES
from app.views.source import Source
from app.views.trends import DEFAULT_AREAS, MODES, index_base, trend_view

PAGES = {"map": "map", "trend": "trends", "gauges": "gauges"}  # view -> the page's URL path
VIEWS = tuple(PAGES)
DEFAULT_INDICATOR = {"map": "unemployment_share", "trend": "unemployment_share", "gauges": SHARE}
WIDTHS = {"map": 640, "trend": 800, "gauges": 800}  # px: the national map stays under 150 KB at 640
MAX_AREAS = 8  # as the trends page allows


class MemoSource(Source):
    """A source that reads each thing once: `--all` composes dozens of views of the same indicators, and
    public rules read every area of the months shown for each of them."""

    def __init__(self, source: Source):
        self._source, self._memo = source, {}

    def _once(self, *key):
        if key not in self._memo:
            self._memo[key] = getattr(self._source, key[0])(*key[1:])
        return self._memo[key]

    def areas(self):
        return self._once("areas")

    def meta(self):
        return self._once("meta")

    def periods(self, indicator_code):
        return self._once("periods", indicator_code)

    def values(self, indicator_code, area_codes, start=None, end=None):
        return self._once("values", indicator_code, tuple(area_codes), start, end)

    def memberships(self, group_codes):
        return self._once("memberships", tuple(group_codes))

    def releases(self):
        return self._once("releases")

    def geojson(self, kind):
        return self._once("geojson", kind)

    def provisional_periods(self, indicator_code):
        return self._once("provisional_periods", indicator_code)

    def published(self, indicator_code, area_codes):
        return self._once("published", indicator_code, tuple(area_codes))

    def published_areas(self, indicator_code):
        return self._once("published_areas", indicator_code)

    def indicator_releases(self, indicator_codes):
        return self._once("indicator_releases", tuple(indicator_codes))

    def revisions(self, release_ids=None):
        return self._once("revisions", None if release_ids is None else tuple(release_ids))

    def release_contents(self):
        return self._once("release_contents")


class SnapshotError(ValueError):
    """A state that cannot be shown; the message says what to change."""


@dataclass(frozen=True)
class ViewState:
    view: str
    lang: str
    indicator: str | None = None
    month: date | None = None
    areas: tuple[str, ...] = ()
    level: str = "municipality"
    mode: str = "value"
    base: date | None = None
    per: str = NONE  # a count as it is, per 1,000 inhabitants or as a share of the labour force

    def query(self) -> dict[str, str]:
        """The page's URL parameters for this state: a permalink's query."""
        params = {"lang": self.lang, "indicator": self.indicator or ""}
        if self.view in ("map", "gauges") and self.month:
            params["month"] = month_code(self.month)
        if self.view == "map":
            params["level"] = self.level
        if self.view == "trend":
            params |= {"areas": ",".join(self.areas), "mode": self.mode}
            if self.base:
                params["base"] = month_code(self.base)
        if self.view in ("map", "trend") and self.per != NONE:
            params["per"] = self.per
        return {k: v for k, v in params.items() if v}

    def permalink(self, site_url: str | None) -> str | None:
        if not site_url:
            return None
        return f"{site_url.rstrip('/')}/{PAGES[self.view]}?{urlencode(self.query(), safe=',')}"


def _month(months: list[date], wanted: date | None, what: str) -> date:
    if not months:
        raise SnapshotError(f"there is no data for {what}")
    if wanted is None:
        return months[-1]
    if wanted not in months:
        raise SnapshotError(f"{month_code(wanted)} has no data for {what}; months with data: "
                            f"{month_code(months[0])} to {month_code(months[-1])}")
    return wanted


def resolve(source: Source, state: ViewState) -> ViewState:
    """The state with the page's defaults filled in, checked under public rules."""
    if state.view not in VIEWS:
        raise SnapshotError(f"unknown view {state.view!r}; choose one of {', '.join(VIEWS)}")
    public = indicators(public=True)
    code = state.indicator or DEFAULT_INDICATOR[state.view]
    if state.view == "gauges" and code != SHARE:
        raise SnapshotError(f"the gauges show {SHARE} only")
    if code not in public:
        raise SnapshotError(f"indicator {code!r} is not public (snapshots show public indicators only): "
                            f"{', '.join(public.codes())}")
    months = source.periods(code)
    if state.view == "trend":
        known = set(source.area_kinds())
        areas = state.areas or DEFAULT_AREAS
        unknown = [a for a in areas if a not in known]
        if unknown:
            raise SnapshotError(f"unknown area code(s): {', '.join(unknown)}")
        if len(areas) > MAX_AREAS:
            raise SnapshotError(f"at most {MAX_AREAS} areas in one trend")
        if state.mode not in MODES:
            raise SnapshotError(f"unknown mode {state.mode!r}; choose one of {', '.join(MODES)}")
        areas = tuple(dict.fromkeys(areas))
        base = None
        if state.mode == "index":  # as the page: the first month in which every area has a value
            base = _month(months, state.base or index_base(source, public[code], areas) or months[0], code)
        return replace(state, indicator=code, areas=areas, base=base, month=None)
    if state.per not in PER_CHOICES:
        raise SnapshotError(f"unknown per {state.per!r}; choose one of {', '.join(PER_CHOICES)}")
    if state.view == "map" and state.level not in MAP_LEVELS:
        raise SnapshotError(f"unknown level {state.level!r}; choose one of {', '.join(MAP_LEVELS)}")
    return replace(state, indicator=code, month=_month(months, state.month, code), areas=())


def chart_of(source: Source, state: ViewState) -> Chart:
    """The chart of a resolved state, from the pages' view functions, under public rules."""
    indicator = indicators(public=True)[state.indicator]
    if state.view == "map":
        return map_view(source, indicator, state.month, state.level, state.lang, per=state.per, public=True).chart
    if state.view == "trend":
        return trend_view(source, indicator, list(state.areas), state.mode, state.lang, state.base, per=state.per,
                          public=True).chart
    return gauge_view(source, state.month, state.lang, public=True).chart


def meta_of(chart: Chart, state: ViewState, *, site_url: str | None = None) -> SnapshotMeta:
    scope = chart.scope if isinstance(chart.scope, str) else list(chart.scope)
    source, licence = chart.source_licence()
    extra = {k: v for k, v in state.query().items() if k not in ("lang", "indicator")}
    return SnapshotMeta(
        slug=snapshot_slug(state.view, chart.indicator.code, scope, chart.period, state.lang), view=state.view,
        title=chart.title, description=chart.description, indicator=chart.indicator.code,
        areas=tuple(chart.tidy["area_code"].unique(maintain_order=True).to_list()), period=chart.period,
        source=source, source_url=chart.source_url(), licence=licence, release_date=chart.release_date,
        version=app_version(), synthetic=chart.synthetic, lang=state.lang, permalink=state.permalink(site_url),
        extra=extra)


def standard_states(source: Source, languages: Iterable[str]) -> list[ViewState]:
    """The set `snapshot --all` writes for the latest month: the national map, each pilot area's trend
    (with the whole country beside it) and the ELY gauges, in each language."""
    pilots = source.codes_of_kind("pilot")
    states = []
    for lang in languages:
        states.append(ViewState("map", lang))
        states += [ViewState("trend", lang, areas=(pilot, COUNTRY)) for pilot in pilots]
        states.append(ViewState("gauges", lang))
    return states


def write_views(out_dir: Path, source: Source, states: Iterable[ViewState], renderer: ChromiumRenderer, *,
                site_url: str | None = None, progress: Callable[[SnapshotMeta, dict], None] | None = None
                ) -> list[dict[str, Path]]:
    """Resolve, compose and write each state's five files; progress(meta, paths) after each."""
    written = []
    source = source if isinstance(source, MemoSource) else MemoSource(source)
    for state in states:
        resolved = resolve(source, state)
        chart = chart_of(source, resolved)
        meta = meta_of(chart, resolved, site_url=site_url)
        paths = write_snapshot(out_dir, meta, chart.figure, chart.tidy, renderer, width=WIDTHS[state.view])
        written.append(paths)
        if progress:
            progress(meta, paths)
    return written


def write_site(db_url: str, out_dir: Path, *, states: list[ViewState] | None = None, languages: tuple[str, ...],
               default_lang: str = "fi", site_url: str | None = None,
               progress: Callable[[SnapshotMeta, dict], None] | None = None) -> tuple[list[dict], list[Path]]:
    """Snapshots of the states (None: the standard set in every language) and the folder's index pages.

    Reads the database read-only; renders with one Chromium for all. Raises SnapshotError,
    RendererUnavailable or DatabaseUnavailable with a message for the user.
    """
    from app.db import readonly_engine
    from app.snapshot.files import write_index
    from app.views.audience import PublicSource
    from app.views.source import QuerySource

    engine = readonly_engine(db_url)
    try:
        source = MemoSource(PublicSource(QuerySource(engine)))
        chosen = states if states is not None else standard_states(source, languages)
        with ChromiumRenderer() as renderer:
            written = write_views(Path(out_dir), source, chosen, renderer, site_url=site_url, progress=progress)
    finally:
        engine.dispose()
    return written, write_index(Path(out_dir), languages, default_lang)
