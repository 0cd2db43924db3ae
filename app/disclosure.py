"""Public mode: only public indicators, and no hidden small count that a published total gives away.

Primary suppression is in the data: Statistics Finland's `...` is stored as status `suppressed` with
no value. Secondary suppression (here) closes the subtraction route. Each group (a region, an ELY
area, a pilot area, the country) gives one equation, total = sum of members. An equation with
exactly one hidden cell among its total and its members solves for that cell, so one more cell is
hidden: the smallest member still shown (ties by code), or the total when no member can be hidden.
Hiding a cell can open another equation (a municipality sits in its region, its ELY area, maybe a
pilot area and the country), so the rule runs until no equation has exactly one hidden cell.

A cell that is not in the frame counts as published elsewhere (the country total is, always); a
cell in the frame without a value and not suppressed (no data) counts as known, which is the
cautious reading. The equations hold for counts; a ratio follows its numerator with `follow_hidden`.
Secondarily hidden cells get status `suppressed`, no value, and `suppression = "secondary"`
(`"primary"` for the data's own); provisional and incomplete cells keep their status label.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import polars as pl

from app.indicators import Indicator, Registry

class NotPublic(LookupError):
    """An indicator outside public mode was asked for; the caller shows its own message or default."""


def public_indicators(reg: Registry) -> list[Indicator]:
    return [ind for ind in reg if ind.public]


def public_registry(reg: Registry) -> Registry:
    """The registry as public pages, downloads, snapshots and URL state may see it."""
    return Registry(indicators={ind.code: ind for ind in reg if ind.public}, sources=reg.sources)


def require_public(indicator: Indicator) -> Indicator:
    if not indicator.public:
        raise NotPublic(indicator.code)
    return indicator


def _groups_by_period(groups: Mapping[str, Collection[str]] | pl.DataFrame,
                      periods: list) -> dict[object, dict[str, list[str]]]:
    """period -> group -> members, from a fixed mapping or a dated frame (group_code, member_code[, period])."""
    if isinstance(groups, Mapping):
        fixed = {g: sorted(set(m)) for g, m in groups.items()}
        return {p: fixed for p in periods}
    dated = "period" in groups.columns
    result: dict[object, dict[str, list[str]]] = {p: {} for p in periods}
    for row in groups.select("group_code", "member_code", *(["period"] if dated else [])).to_dicts():
        for p in ([row["period"]] if dated else periods):
            if p in result:
                result[p].setdefault(row["group_code"], []).append(row["member_code"])
    return {p: {g: sorted(set(m)) for g, m in gs.items()} for p, gs in result.items()}


def protect_cells(values: Mapping[str, float | None], hidden: Collection[str],
                  groups: Mapping[str, Collection[str]]) -> set[str]:
    """The cells to hide besides `hidden` so that no group equation has exactly one hidden cell.

    values: every cell shown, code -> value (None: no data); hidden: the cells already hidden.
    """
    hidden_now = set(hidden)
    added: set[str] = set()
    changed = True
    while changed:
        changed = False
        for group in sorted(groups):
            members = [m for m in groups[group] if m in values and m != group]
            equation = members + ([group] if group in values else [])
            unknown = [c for c in equation if c in hidden_now]
            if len(unknown) != 1:
                continue
            candidates = [m for m in members if m not in hidden_now and values[m] is not None]
            if not candidates and group in values and group not in hidden_now and values[group] is not None:
                candidates = [group]
            if not candidates:
                continue  # nothing left to hide: the total is not in this table, and it is published elsewhere
            pick = min(candidates, key=lambda c: (abs(values[c]), c))
            hidden_now.add(pick)
            added.add(pick)
            changed = True
    return added


def secondary_suppression(frame: pl.DataFrame, groups: Mapping[str, Collection[str]] | pl.DataFrame) -> pl.DataFrame:
    """frame: area_code, period, value, status (one count indicator, or an `indicator` column).

    groups: group code -> member codes (the same every month) or a membership frame with
    group_code, member_code and optionally period (app.areas.members_in_months). Returns the frame
    with the extra cells hidden and a `suppression` column (primary, secondary or null).
    """
    keys = ["indicator"] if "indicator" in frame.columns else []
    periods = frame["period"].unique().to_list()
    by_period = _groups_by_period(groups, periods)
    hide: list[dict] = []
    for part in frame.partition_by(*keys, "period", maintain_order=True) if frame.height else []:
        rows = part.to_dicts()
        values = {r["area_code"]: r["value"] for r in rows}
        hidden = {r["area_code"] for r in rows if r["status"] == "suppressed"}
        for code in protect_cells(values, hidden, by_period.get(rows[0]["period"], {})):
            hide.append({**{k: rows[0][k] for k in keys}, "period": rows[0]["period"], "area_code": code})
    return follow_hidden(frame, pl.DataFrame(hide, schema={**{k: frame.schema[k] for k in keys},
                                                           "period": frame.schema["period"], "area_code": pl.Utf8}))


def follow_hidden(frame: pl.DataFrame, hidden: pl.DataFrame) -> pl.DataFrame:
    """Hide the cells (area_code, period[, indicator]) listed in hidden: secondary, status suppressed.

    Also how a ratio follows its numerator: pass the numerator's secondarily hidden cells.
    """
    keys = [k for k in ("indicator", "period", "area_code") if k in hidden.columns and k in frame.columns]
    marked = frame.join(hidden.select(keys).unique().with_columns(pl.lit(True).alias("_hide")),
                        on=keys, how="left")
    primary = pl.col("status") == "suppressed"
    secondary = pl.col("_hide").fill_null(False) & ~primary
    existing = pl.col("suppression") if "suppression" in frame.columns else pl.lit(None, dtype=pl.Utf8)
    return marked.with_columns(
        pl.when(secondary).then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(secondary).then(pl.lit("suppressed")).otherwise(pl.col("status")).alias("status"),
        pl.when(secondary).then(pl.lit("secondary"))
        .when(primary).then(pl.coalesce(existing, pl.lit("primary"))).otherwise(existing).alias("suppression"),
    ).drop("_hide")


def public_values(frame: pl.DataFrame, indicator: Indicator, groups: Mapping[str, Collection[str]] | pl.DataFrame,
                  numerator: pl.DataFrame | None = None) -> pl.DataFrame:
    """One indicator's cells as public mode shows them; a non-public indicator raises NotPublic.

    A count is protected by its own equations; a ratio hides every cell whose numerator count
    (numerator: area_code, period, value, status for the same cells) is hidden after protection.
    """
    require_public(indicator)
    if indicator.kind == "count":
        return secondary_suppression(frame, groups)
    hidden = pl.DataFrame(schema={"period": frame.schema["period"], "area_code": pl.Utf8})
    if numerator is not None:
        protected = secondary_suppression(numerator.select("area_code", "period", "value", "status"), groups)
        hidden = protected.filter(pl.col("status") == "suppressed").select("period", "area_code")
    return follow_hidden(frame, hidden)
