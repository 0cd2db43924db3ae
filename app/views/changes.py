"""What changed since last month (app.analysis.changes), for the whole country and for one area: the largest
movers for each main indicator, ELY areas crossing the 40 % client-share line, the releases loaded since
the newest release's month began, and the revisions those releases made (from observation_revision).

A count moves in percent (a large city's hundred persons is no news), a ratio in percentage points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from app.analysis.changes import CLIENT_SHARE_LINE, largest_movers, line_crossings
from app.i18n import fmt_month, fmt_number, fmt_percent, t
from app.indicators import registry
from app.months import shift_month
from app.safe_text import md_escape
from app.views.source import Source
from app.views.tables import Table

CHANGE_INDICATORS = ("unemployed_jobseekers", "unemployment_share", "long_term_unemployed", "pilot_clients",
                     "client_share")
SHARE = "client_share"
CROSSED = {"up": "changes.crossed_up", "down": "changes.crossed_down"}
MOVERS = 3  # the largest rises and falls listed per indicator
LEVEL = "pilot"  # the country's list ranks the pilot areas


@dataclass(frozen=True)
class ChangesView:
    month: date | None
    heading: str | None
    movers: Table | None  # counts: change in persons and percent
    share_movers: Table | None  # shares: change in percentage points
    crossings: tuple[str, ...]  # sentences; empty: none crossed
    releases: Table | None
    revisions: Table | None
    revisions_export: pl.DataFrame
    movers_export: pl.DataFrame


def latest_month(source: Source) -> date | None:
    months = source.periods(CHANGE_INDICATORS[0])
    return months[-1] if len(months) >= 2 else None


def by_of(code: str) -> str:
    return "change" if registry()[code].is_ratio else "change_pct"


def new_releases(releases: pl.DataFrame, contents: pl.DataFrame) -> pl.DataFrame:
    """The data releases (those holding observations; a boundary load is none) published, or without a date
    retrieved, since the first day of the newest one's month, with the months they hold."""
    data = releases.join(contents, left_on="id", right_on="release_id", how="inner")
    if data.is_empty():
        return data
    dated = data.with_columns(pl.coalesce("published_at", "retrieved_at").alias("_when"))
    newest = dated.get_column("_when").max()
    if newest is None:
        return data.head(0)
    start = newest.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return dated.filter(pl.col("_when") >= start).drop("_when")


def _moves(source: Source, codes: Sequence[str], month: date) -> pl.DataFrame:
    """Every area's moves for every change indicator; place 1 = the largest rise, `areas` = how many moved."""
    before, frames = shift_month(month, -1), []
    for code in CHANGE_INDICATORS:
        values = source.values(code, codes, before, month)
        movers = largest_movers(values, before, month, n=len(codes), by=by_of(code))
        both = pl.concat([movers.up, movers.down]).sort(by_of(code), descending=True, nulls_last=True)
        frames.append(both.with_columns(pl.lit(code).alias("indicator"),
                                        pl.int_range(1, pl.len() + 1).cast(pl.Int64).alias("place"),
                                        pl.len().cast(pl.Int64).alias("areas")))
    return pl.concat(frames) if frames else pl.DataFrame()


def _movers_table(moves: pl.DataFrame, names: dict[str, str], lang: str, ratios: bool) -> Table | None:
    """The counts' moves (persons and percent) or the shares' (percentage points): one unit per table."""
    reg = registry()
    moves = moves.filter(pl.col("indicator").is_in([c for c in CHANGE_INDICATORS if reg[c].is_ratio == ratios]))
    if moves.is_empty():
        return None
    indicator, area = t("common.indicator", lang), t("common.area", lang)
    unit = f" ({t('unit.percent', lang)})" if ratios else ""
    before, after = t("changes.col_before", lang) + unit, t("changes.col_after", lang) + unit
    change = t("changes.col_change", lang) + (f" ({t('unit.points_short', lang)})" if ratios else "")
    change_pct, place, of = t("changes.col_change_pct", lang), t("changes.col_place", lang), t("changes.col_of", lang)
    decimals = 1 if ratios else 0
    frame = moves.select(
        pl.col("indicator").replace_strict({c: reg[c].name(lang) for c in CHANGE_INDICATORS}, default="")
        .alias(indicator),
        pl.col("area_code").replace_strict(names, default="").alias(area),
        pl.col("place").alias(place), pl.col("areas").alias(of),
        pl.col("before").alias(before), pl.col("after").alias(after), pl.col("change").alias(change),
        *([] if ratios else [pl.col("change_pct").alias(change_pct)]))
    return Table(frame, decimals={place: 0, of: 0, before: decimals, after: decimals, change: decimals,
                                  **({} if ratios else {change_pct: 1})})


def _crossings(source: Source, month: date, lang: str, elys: Sequence[str] | None) -> tuple[str, ...]:
    before, codes = shift_month(month, -1), source.codes_of_kind("ely")
    crossed = line_crossings(source.values(SHARE, codes, before, month), before, month)
    if elys is not None:
        crossed = crossed.filter(pl.col("area_code").is_in(list(elys)))
    names = {code: md_escape(name) for code, name in source.area_names(lang).items()}  # the texts are Markdown
    line = fmt_percent(CLIENT_SHARE_LINE, lang, 0)
    texts = tuple(t(CROSSED[row["direction"]], lang, area=names[row["area_code"]], line=line,
                    before=fmt_percent(row["before"], lang), after=fmt_percent(row["after"], lang))
                  for row in crossed.iter_rows(named=True))
    months = {"line": line, "before": fmt_month(before, lang), "after": fmt_month(month, lang)}
    if texts:
        return texts
    if elys is not None and len(elys) == 1:
        return (t("changes.no_crossing_area", lang, area=names[elys[0]], **months),)
    return (t("changes.no_crossings", lang, **months),)


def _releases_table(releases: pl.DataFrame, lang: str) -> Table | None:
    if releases.is_empty():
        return None
    published, rows = t("data.col_published", lang), t("changes.col_values", lang)
    first, last = t("changes.col_first_month", lang), t("changes.col_last_month", lang)
    return Table(releases.select(pl.col("source").alias(t("data.col_source", lang)),
                                 pl.col("published_at").dt.date().alias(published),
                                 pl.col("observations").alias(rows), pl.col("first_period").alias(first),
                                 pl.col("last_period").alias(last)),
                 decimals={rows: 0}, dates=(published,), months=(first, last))


def _revisions(revisions: pl.DataFrame, names: dict[str, str], lang: str) -> tuple[Table | None, pl.DataFrame]:
    if revisions.is_empty():
        return None, revisions
    reg = registry()
    with_names = revisions.with_columns(
        (pl.col("new_value") - pl.col("old_value")).alias("difference"),
        pl.col("area_code").replace_strict(names, default="").alias("area_name"),
        pl.col("indicator_code").replace_strict({i.code: i.name(lang) for i in reg}, default="")
        .alias("indicator_name"))
    month, old, new = t("common.month", lang), t("changes.col_old", lang), t("changes.col_new", lang)
    old_date, new_date = t("changes.col_old_published", lang), t("changes.col_new_published", lang)
    difference = t("changes.col_difference", lang)
    frame = with_names.select(
        pl.col("indicator_name").alias(t("common.indicator", lang)), pl.col("area_name").alias(t("common.area", lang)),
        pl.col("period").alias(month), pl.col("old_value").alias(old), pl.col("new_value").alias(new),
        pl.col("difference").alias(difference), pl.col("old_published_at").dt.date().alias(old_date),
        pl.col("new_published_at").dt.date().alias(new_date))
    export = with_names.select("indicator_code", "indicator_name", "area_code", "area_name", "period", "old_value",
                               "old_status", "old_release_id", "new_value", "new_status", "new_release_id",
                               "difference", "old_published_at", "new_published_at")
    return Table(frame, decimals={old: 1, new: 1, difference: 1}, months=(month,), dates=(old_date, new_date)), export


def changes_view(source: Source, lang: str, focus: str | None = None, members: Sequence[str] = ()) -> ChangesView:
    """The country's list (focus None: movers among the pilot areas) or one area's part of it: its own moves
    ranked among its level, its ELY area's crossing, and the revisions of it and its member municipalities."""
    month = latest_month(source)
    releases = new_releases(source.releases(), source.release_contents())
    names = source.area_names(lang)
    revisions = source.revisions(releases.get_column("id").to_list()) if releases.height else source.revisions([])
    if focus is not None:
        revisions = revisions.filter(pl.col("area_code").is_in([focus, *members]))
    revisions_table, revisions_export = _revisions(revisions, names, lang)
    if month is None:
        return ChangesView(None, None, None, None, (), _releases_table(releases, lang), revisions_table,
                           revisions_export, pl.DataFrame())
    kinds = source.area_kinds()
    level = kinds.get(focus, LEVEL) if focus else LEVEL
    moves = _moves(source, source.codes_of_kind(level), month)
    if focus is None:
        moves = moves.filter((pl.col("place") <= MOVERS) | (pl.col("place") > pl.col("areas") - MOVERS)
                             | pl.col("place").is_null())
        elys = None
    else:
        moves = moves.filter(pl.col("area_code") == focus)
        ely = focus if kinds.get(focus) == "ely" else source.areas().filter(pl.col("code") == focus)["ely_code"].item()
        elys = None if kinds.get(focus) == "country" else [ely] if ely else []
    heading = t("changes.heading", lang, before=fmt_month(shift_month(month, -1), lang), after=fmt_month(month, lang))
    return ChangesView(month, heading, _movers_table(moves, names, lang, ratios=False),
                       _movers_table(moves, names, lang, ratios=True),
                       _crossings(source, month, lang, elys) if elys != [] else (),
                       _releases_table(releases, lang), revisions_table, revisions_export, moves)


def revision_summary(view: ChangesView, lang: str) -> str:
    """One sentence for the revisions: how many values, or that there were none."""
    count = view.revisions_export.height
    if not count:
        return t("changes.no_revisions", lang)
    return t("changes.revisions_count", lang, count=fmt_number(count, lang))
