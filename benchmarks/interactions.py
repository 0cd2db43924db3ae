"""Each page's typical interactions, timed as server reruns (AppTest), against the bare SQL of their data.

An interaction is a page and an action (open the page, change the month, the indicator, the areas,
the language, ...). Its timed runs each ask something new where the page allows it (another month,
another indicator, one more area), so a run pays for the data it shows, as the first user asking
it would; the language and the level have few values, so their later runs are answered from the
caches, as they are on a server. The SQL floor is the time of the SQL statements the same view
issues on a cache miss, run bare (execute and fetch, nothing else): what no amount of Python can
save. AppTest runs the page in this process, as a warm server runs it, without the network.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, event

from app.indicators import registry
from app.settings import LANGUAGES, PROJECT_ROOT
from app.views.gauges import SHARE, gauge_view, history_view
from app.views.maps import MAP_LEVELS, map_view
from app.views.overview import overview_view
from app.views.source import QuerySource
from app.views.trends import DEFAULT_AREAS, area_choices, trend_view
from benchmarks.timing import Result

ENTRY = PROJECT_ROOT / "streamlit_app.py"
PAGES = PROJECT_ROOT / "pages"
LANG = "en"
MAP_INDICATOR = TREND_INDICATOR = "unemployment_share"


@dataclass(frozen=True)
class Interaction:
    page: str  # the page's URL path
    action: str
    act: Callable  # (AppTest, run index, Plan) -> None: what the user changes before the timed run
    data: Callable  # (QuerySource, run index, Plan) -> object: the views the changed page computes

    @property
    def name(self) -> str:
        return f"{self.page}: {self.action}"


@dataclass(frozen=True)
class Plan:
    """What the runs choose from: months, indicators and areas of this database."""

    months: list[date]
    share_months: list[date]
    indicators: list[str]
    extra_areas: list[str]
    elys: list[str]

    def month(self, i: int) -> date:
        return self.months[-2 - i % (len(self.months) - 1)] if len(self.months) > 1 else self.months[0]

    def share_month(self, i: int) -> date:
        months = self.share_months
        return months[-2 - i % (len(months) - 1)] if len(months) > 1 else months[0]

    def indicator(self, i: int) -> str:
        others = [c for c in self.indicators if c != MAP_INDICATOR]
        return others[i % len(others)]

    def areas(self, i: int) -> list[str]:
        return [*DEFAULT_AREAS, self.extra_areas[i % len(self.extra_areas)]]

    def lang(self, i: int) -> str:
        others = [lang for lang in LANGUAGES if lang != LANG]
        return others[i % len(others)] if i % 3 != 2 else LANG

    def ely_choice(self, i: int) -> list[str]:
        return self.elys[: 2 + i % (len(self.elys) - 1)]


def plan_for(source: QuerySource) -> Plan:
    reg = registry()
    with_data = [code for code in reg.codes() if source.periods(code)]
    kinds = source.area_kinds()
    extra = [c for c in area_choices(source, LANG) if kinds[c] in ("pilot", "ely", "region") and c not in DEFAULT_AREAS]
    return Plan(source.periods(MAP_INDICATOR), source.periods(SHARE) or source.periods(MAP_INDICATOR), with_data,
                extra, source.codes_of_kind("ely"))


# --- what each action changes, and the views it needs ---------------------------------------------

def _map_data(source, indicator: str, month: date, level: str = "municipality", lang: str = LANG):
    return map_view(source, registry()[indicator], month, level, lang)


def _trend_data(source, indicator: str, areas, lang: str = LANG, mode: str = "value"):
    return trend_view(source, registry()[indicator], areas, mode, lang)


def _gauge_data(source, month: date, elys, lang: str = LANG):
    return gauge_view(source, month, lang), history_view(source, elys, lang)


def _set(kind: str, key: str, value_of: Callable) -> Callable:
    return lambda at, i, plan: getattr(at, kind)(key=key).set_value(value_of(i, plan))


INTERACTIONS = [
    Interaction("map", "open", lambda at, i, plan: None,
                lambda s, i, plan: _map_data(s, MAP_INDICATOR, plan.months[-1])),
    Interaction("map", "change month", _set("select_slider", "url_month", lambda i, plan: plan.month(i)),
                lambda s, i, plan: _map_data(s, MAP_INDICATOR, plan.month(i))),
    Interaction("map", "change indicator", _set("selectbox", "url_indicator", lambda i, plan: plan.indicator(i)),
                lambda s, i, plan: _map_data(s, plan.indicator(i), s.periods(plan.indicator(i))[-1])),
    Interaction("map", "change level", _set("radio", "url_level", lambda i, plan: MAP_LEVELS[1 + i % 3]),
                lambda s, i, plan: _map_data(s, MAP_INDICATOR, plan.months[-1], MAP_LEVELS[1 + i % 3])),
    Interaction("map", "change language", _set("button_group", "lang", lambda i, plan: plan.lang(i)),
                lambda s, i, plan: _map_data(s, MAP_INDICATOR, plan.months[-1], lang=plan.lang(i))),
    Interaction("trends", "open", lambda at, i, plan: None,
                lambda s, i, plan: _trend_data(s, TREND_INDICATOR, DEFAULT_AREAS)),
    Interaction("trends", "change indicator", _set("selectbox", "url_indicator", lambda i, plan: plan.indicator(i)),
                lambda s, i, plan: _trend_data(s, plan.indicator(i), DEFAULT_AREAS)),
    Interaction("trends", "change areas", _set("multiselect", "url_areas", lambda i, plan: plan.areas(i)),
                lambda s, i, plan: _trend_data(s, TREND_INDICATOR, plan.areas(i))),
    Interaction("trends", "change mode", _set("radio", "url_mode", lambda i, plan: ("yoy", "value")[i % 2]),
                lambda s, i, plan: _trend_data(s, TREND_INDICATOR, DEFAULT_AREAS, mode=("yoy", "value")[i % 2])),
    Interaction("trends", "change language", _set("button_group", "lang", lambda i, plan: plan.lang(i)),
                lambda s, i, plan: _trend_data(s, TREND_INDICATOR, DEFAULT_AREAS, lang=plan.lang(i))),
    Interaction("gauges", "open", lambda at, i, plan: None,
                lambda s, i, plan: _gauge_data(s, plan.share_months[-1], plan.elys[:5])),
    Interaction("gauges", "change month", _set("select_slider", "url_month", lambda i, plan: plan.share_month(i)),
                lambda s, i, plan: _gauge_data(s, plan.share_month(i), plan.elys[:5])),
    Interaction("gauges", "change areas", _set("multiselect", "url_elys", lambda i, plan: plan.ely_choice(i)),
                lambda s, i, plan: _gauge_data(s, plan.share_months[-1], plan.ely_choice(i))),
    Interaction("overview", "open", lambda at, i, plan: None, lambda s, i, plan: overview_view(s, LANG)),
    Interaction("overview", "change language", _set("button_group", "lang", lambda i, plan: plan.lang(i)),
                lambda s, i, plan: overview_view(s, plan.lang(i))),
    Interaction("data", "open", lambda at, i, plan: None, lambda s, i, plan: s.releases()),
]


def page_paths() -> dict[str, Path]:
    """URL path -> page script; a page added later (a compare page) is measured when it is opened."""
    return {("overview" if p.stem == "overview" else p.stem): p for p in sorted(PAGES.glob("*.py"))}


def interactions() -> list[Interaction]:
    known = {i.page for i in INTERACTIONS}
    extra = [Interaction(page, "open", lambda at, i, plan: None, lambda s, i, plan: None)
             for page in page_paths() if page not in known]
    return INTERACTIONS + extra


# --- AppTest ---------------------------------------------------------------------------------------

def keep_router_flag_cleared() -> None:
    """AppTest sets Streamlit's legacy pages/ flag before every run, as on a fresh server; a server
    clears it for good at its first session (app.ui.serve even before it). Keep it cleared here too, so
    every timed run is a run of a warm server, not a server's first request."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__
    if getattr(original, "_bench_patched", False):
        return

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    init._bench_patched = True
    PagesManager.__init__ = init


_COMPONENTS: list = []  # Streamlit's registry of installed components, found once as a server finds it


def new_session(page: str, **query: str):
    """A new visitor's session. Each AppTest scans the installed packages for Streamlit components on
    its first run (about 0.3 s); a server does that once at start, so the sessions here share one scan."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ENTRY), default_timeout=300)
    if _COMPONENTS:
        at._bidi_component_manager = _COMPONENTS[0]
    else:
        at.run = _remembering_components(at)
    for key, value in query.items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(str(page_paths()[page].relative_to(PROJECT_ROOT)))
    return at


def _remembering_components(at):
    first_run = at.run

    def run(*args, **kwargs):
        result = first_run(*args, **kwargs)
        if not _COMPONENTS and at._bidi_component_manager is not None:
            _COMPONENTS.append(at._bidi_component_manager)
        return result
    return run


def _checked(at, name: str):
    if at.exception:
        raise RuntimeError(f"{name}: the page failed: {[e.value for e in at.exception]}")
    return at


def time_interaction(interaction: Interaction, plan: Plan, repeat: int) -> list[float]:
    """Milliseconds of each timed run, after one untimed run that opens the page (or a first session)."""
    runs = []
    if interaction.action == "open":
        _checked(new_session(interaction.page, lang=LANG).run(), interaction.name)
        for _ in range(repeat):
            at = new_session(interaction.page, lang=LANG)
            started = time.perf_counter()
            at.run()
            runs.append((time.perf_counter() - started) * 1000)
            _checked(at, interaction.name)
        return runs
    at = _checked(new_session(interaction.page, lang=LANG).run(), interaction.name)
    for i in range(repeat):
        interaction.act(at, i, plan)
        started = time.perf_counter()
        at.run()
        runs.append((time.perf_counter() - started) * 1000)
        _checked(at, interaction.name)
    return runs


# --- the SQL floor -----------------------------------------------------------------------------------

class StatementLog:
    """Every statement an engine runs while recording: (SQL text, parameters)."""

    def __init__(self, engine: Engine):
        self.engine, self.statements, self.recording = engine, [], False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, _executemany):
        if self.recording:
            self.statements.append((statement, parameters))

    def capture(self, fn: Callable[[], object]) -> list[tuple]:
        self.statements, self.recording = [], True
        try:
            fn()
        finally:
            self.recording = False
        return self.statements

    def replay_ms(self, statements: list[tuple]) -> float:
        """Wall time of running the statements bare on one connection: execute, fetch every row."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")  # the connection is open before the clock starts
            started = time.perf_counter()
            for statement, parameters in statements:
                conn.exec_driver_sql(statement, parameters).fetchall()
            return (time.perf_counter() - started) * 1000


def sql_floor_ms(log: StatementLog, interaction: Interaction, plan: Plan, runs: int, replays: int = 3) -> float:
    """The median over the interaction's states (up to three) of the best of a few bare replays."""
    floors = []
    for i in range(min(runs, 3)):
        statements = log.capture(lambda: interaction.data(QuerySource(log.engine), i, plan))
        floors.append(min(log.replay_ms(statements) for _ in range(replays)))
    floors.sort()
    return floors[len(floors) // 2]


def interaction_results(engine: Engine, repeat: int, progress: Callable[[str], None] = lambda _: None) -> list[Result]:
    keep_router_flag_cleared()
    source = QuerySource(engine)
    plan = plan_for(source)
    log = StatementLog(engine)
    results = []
    for interaction in interactions():
        progress(interaction.name)
        runs = time_interaction(interaction, plan, repeat)
        floor = sql_floor_ms(log, interaction, plan, repeat)
        results.append(Result(interaction.name, runs, {"page": interaction.page, "action": interaction.action,
                                                       "sql_floor_ms": round(floor, 2)}))
    return results
