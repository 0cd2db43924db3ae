"""`pilot-tracker check`: reconcile published aggregates with the sums of their member municipalities. Read-only.

Rules:
- each published value of a count indicator for an area of kind country, region or ely is compared
  with `queries.member_sums`: the sum over the municipalities that are members in that month under
  the stored dated classification, or, for data published in a year's area division (a table fetched
  from the API), the members of 1 January of that year (app.divisions);
- ratio indicators are not compared (their published values are rounded); their numerators and
  denominators are counts and are compared;
- a member that is suppressed or has no row makes the computed sum a lower bound: such a
  comparison is counted apart, never as a difference;
- a difference without suppressed members is explained where possible: the check looks for one or
  two municipalities whose values, over every count indicator of that area and month at once, add
  up to the differences (missing members add, extra members subtract), first among municipalities
  whose membership of the area changed within two years of the month, then among all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl
from sqlalchemy import Engine

from app import queries
from app.areas import COUNTRY
from app.divisions import members_for_months, mergers
from app.indicators import Registry

AGGREGATE_KINDS = ("country", "region", "ely")
CHANGE_WINDOW_DAYS = 731
TOLERANCE = 1e-6


@dataclass
class Comparison:
    indicator: str
    area: str
    period: date
    published: float
    computed: float | None
    suppressed_members: list[str]
    explained_by: list[str] = field(default_factory=list)  # municipalities whose values account for the difference
    explanation: str = ""
    changed_members: list[str] = field(default_factory=list)  # membership of the area changed near the period

    @property
    def difference(self) -> float | None:
        return None if self.computed is None else self.published - self.computed

    @property
    def differs(self) -> bool:
        return not self.suppressed_members and (self.difference is None or abs(self.difference) > TOLERANCE)


@dataclass
class CheckReport:
    comparisons: list[Comparison]
    ratios_not_compared: list[str]
    published_suppressed: int
    names: dict[str, str]
    kinds: dict[str, str]
    without_member_values: int = 0  # published values whose members have no values stored that month

    @property
    def exact(self) -> int:
        return sum(1 for c in self.comparisons if not c.suppressed_members and not c.differs)

    @property
    def differ(self) -> int:
        return sum(1 for c in self.comparisons if c.differs)

    @property
    def with_suppressed(self) -> int:
        return sum(1 for c in self.comparisons if c.suppressed_members)

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """area kind -> (compared, exact)."""
        out: dict[str, tuple[int, int]] = {}
        for c in self.comparisons:
            n, exact = out.get(self.kinds[c.area], (0, 0))
            out[self.kinds[c.area]] = (n + 1, exact + (not c.suppressed_members and not c.differs))
        return out


def run_check(engine: Engine, registry: Registry) -> CheckReport:
    areas = queries.areas(engine)
    kinds = dict(zip(areas["code"].to_list(), areas["kind"].to_list()))
    names = dict(zip(areas["code"].to_list(), areas["name_fi"].to_list()))
    aggregates = [code for code, kind in kinds.items() if kind in AGGREGATE_KINDS]
    comparisons: list[Comparison] = []
    published_suppressed = without_member_values = 0
    ratios = []
    for indicator in registry:
        published = queries.observations(engine, indicator.code, aggregates)
        if published.is_empty():
            continue
        if indicator.is_ratio:
            ratios.append(indicator.code)
            continue
        published_suppressed += published.filter(pl.col("value").is_null()).height
        published = published.filter(pl.col("value").is_not_null())
        if published.is_empty():
            continue
        computed = queries.member_sums(engine, indicator, sorted(set(published["area_code"])), [],
                                       published["period"].min(), published["period"].max())
        joined = published.join(computed.select("area_code", "period", pl.col("value").alias("computed"),
                                                "suppressed_members"),
                                on=["area_code", "period"], how="left")
        for row in joined.sort("area_code", "period").iter_rows(named=True):
            if row["computed"] is None and not row["suppressed_members"]:
                without_member_values += 1  # e.g. a PxWeb extract of ELY rows only: nothing to compare with
                continue
            comparisons.append(Comparison(indicator.code, row["area_code"], row["period"], row["value"],
                                          row["computed"], list(row["suppressed_members"] or [])))
    report = CheckReport(comparisons, ratios, published_suppressed, names, kinds, without_member_values)
    explain(engine, report, kinds)
    return report


# --- explanation ------------------------------------------------------------------------------------

def _changed_near(memberships: pl.DataFrame, area: str, period: date) -> list[str]:
    """Municipalities that joined or left `area` within CHANGE_WINDOW_DAYS of the period."""
    rows = memberships.filter(pl.col("group_code") == area)
    out = set()
    for member, start, end in rows.select("member_code", "valid_from", "valid_to").iter_rows():
        for moment in (start, end):
            if moment is not None and abs((moment - period).days) <= CHANGE_WINDOW_DAYS:
                out.add(member)
    return sorted(out)


def _subsets(candidates: list[int], signed: np.ndarray, target: np.ndarray) -> list[tuple[int, ...]]:
    """Index sets of one, else two, candidates whose signed values match the target on every known entry."""
    if not candidates:
        return []
    rows = signed[candidates]

    def matching(totals: np.ndarray) -> np.ndarray:
        known = ~np.isnan(totals)
        close = np.abs(np.where(known, totals, 0.0) - np.where(known, target, 0.0)) <= TOLERANCE
        return known.any(axis=-1) & close.all(axis=-1)

    singles = np.flatnonzero(matching(rows))
    if singles.size:
        return [(candidates[i],) for i in singles]
    pairs = np.argwhere(np.triu(matching(rows[:, None, :] + rows[None, :, :]), k=1))
    return [(candidates[i], candidates[j]) for i, j in pairs]


def explain(engine: Engine, report: CheckReport, kinds: dict[str, str]) -> None:
    """Fill explained_by / explanation / changed_members of differences without suppressed members."""
    to_explain: dict[tuple[str, date], dict[str, float]] = {}
    for c in report.comparisons:
        if c.differs and c.difference is not None:
            to_explain.setdefault((c.area, c.period), {})[c.indicator] = c.difference
    if not to_explain:
        return
    memberships = queries.all_memberships(engine)
    municipalities = sorted(code for code, kind in kinds.items() if kind == "municipality")
    indicators = sorted({ind for diffs in to_explain.values() for ind in diffs})
    periods = sorted({p for _, p in to_explain})
    values: dict[str, pl.DataFrame] = {
        ind: queries.observations(engine, ind, municipalities, periods[0], periods[-1]) for ind in indicators}
    findings: dict[tuple[str, date], tuple[str, list[tuple[int, ...]], list[str], list[str]]] = {}
    for (area, period), diffs in to_explain.items():
        inds = sorted(diffs)
        division = queries.period_divisions(engine, inds[0], period, period).get(period)
        expected = members_for_months(memberships.filter(pl.col("group_code").is_in([COUNTRY, area])), [period],
                                      {period: division}, {COUNTRY, area}, mergers())
        country = set(expected.filter(pl.col("group_code") == COUNTRY)["member_code"])
        members = set(expected.filter(pl.col("group_code") == area)["member_code"])
        pool = sorted(country | members)
        matrix = np.full((len(pool), len(inds)), np.nan)
        index = {code: i for i, code in enumerate(pool)}
        for j, ind in enumerate(inds):
            frame = values[ind].filter((pl.col("period") == period) & pl.col("value").is_not_null())
            for code, value in frame.select("area_code", "value").iter_rows():
                if code in index:
                    matrix[index[code], j] = value
        sign = np.array([-1.0 if code in members else 1.0 for code in pool])
        signed = matrix * sign[:, None]
        target = np.array([diffs[ind] for ind in inds])
        changed = _changed_near(memberships, area, period)
        useful = [i for i in range(len(pool)) if np.nansum(np.abs(matrix[i])) > 0]
        first = [i for i in useful if pool[i] in changed]
        matches = _subsets(first, signed, target) or _subsets(useful, signed, target)
        findings[(area, period)] = (_describe(matches, pool, members, area, report.names), matches, pool, changed)
    for c in report.comparisons:
        if (c.area, c.period) in findings:
            text, matches, pool, changed = findings[(c.area, c.period)]
            c.explanation, c.changed_members = text, changed
            c.explained_by = [pool[i] for i in matches[0]] if len(matches) == 1 else []


def _describe(matches: list[tuple[int, ...]], pool: list[str], members: set[str], area: str,
              names: dict[str, str]) -> str:
    if not matches:
        return "no municipality or pair of municipalities accounts for the difference"
    if len(matches) > 3:
        return f"{len(matches)} different municipalities or pairs could account for the difference: ambiguous"

    def one(combo: tuple[int, ...]) -> str:
        extra = [f"{pool[i]} {names.get(pool[i], '')}".strip() for i in combo if pool[i] in members]
        missing = [f"{pool[i]} {names.get(pool[i], '')}".strip() for i in combo if pool[i] not in members]
        terms = " + ".join(missing) + (f" − ({' + '.join(extra)})" if extra and missing else "")
        if extra and not missing:
            terms = f"−({' + '.join(extra)})"
        reasons = ([f"{', '.join(c.split()[0] for c in extra)} counted in {area} here but not in the published "
                    "total"] if extra else []) + \
                  ([f"{', '.join(c.split()[0] for c in missing)} in the published total but not "
                    f"{'a member' if len(missing) == 1 else 'members'} of {area} here"] if missing else [])
        return f"{terms} ({'; '.join(reasons)})"

    prefix = "difference = " if len(matches) == 1 else "difference could be "
    return prefix + " or ".join(one(combo) for combo in matches) + "; check their classification for this month"


# --- output ---------------------------------------------------------------------------------------------

def _number(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(float(x), 6)


def report_json(report: CheckReport) -> list[dict]:
    return [{"indicator": c.indicator, "area": c.area, "period": c.period.isoformat(),
             "published": _number(c.published), "computed": _number(c.computed),
             "difference": _number(c.difference), "suppressed_members": c.suppressed_members,
             "explained_by": c.explained_by, "explanation": c.explanation or None}
            for c in report.comparisons]


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.1f}"


def summary_line(report: CheckReport) -> str:
    by_kind = "; ".join(f"{kind}: {n} compared, {exact} exact" for kind, (n, exact) in sorted(report.by_kind().items()))
    return (f"{len(report.comparisons)} compared, {report.exact} exact, {report.differ} differ, "
            f"{report.with_suppressed} with suppressed members" + (f" ({by_kind})" if by_kind else ""))


def report_text(report: CheckReport, show_suppressed: bool = False) -> str:
    """Differences grouped by area and month, with their explanation once per group, then the summary."""
    shown = [c for c in report.comparisons if c.differs or (show_suppressed and c.suppressed_members)]
    lines = ["Published ELY, region and country values against the sum of their member municipalities "
             "(classification valid in each month, or of 1 January of the area division the data is published in)."]
    groups: dict[tuple[str, date], list[Comparison]] = {}
    for c in shown:
        groups.setdefault((c.area, c.period), []).append(c)
    for (area, period), items in groups.items():
        differing = [c for c in items if c.differs]
        lines += ["", f"{area} {report.names.get(area, '')}, {period:%Y-%m}: {len(differing)} differ"
                  + (f", {len(items) - len(differing)} with suppressed members" if len(items) > len(differing) else "")]
        if differing and differing[0].explanation:
            lines.append(f"  {differing[0].explanation}")
        if differing and differing[0].changed_members:
            lines.append(f"  membership of {area} changed within two years of this month: "
                         + ", ".join(f"{m} {report.names.get(m, '')}" for m in differing[0].changed_members))
        lines.append(f"  {'indicator':<28} {'published':>11} {'computed':>11} {'difference':>10}")
        for c in items:
            note = ""
            if c.suppressed_members:
                note = (f"  lower bound: {len(c.suppressed_members)} suppressed "
                        f"({', '.join(c.suppressed_members[:6])}{' …' if len(c.suppressed_members) > 6 else ''})")
            lines.append(f"  {c.indicator:<28} {_fmt(c.published):>11} {_fmt(c.computed):>11} "
                         f"{_fmt(c.difference):>10}{note}")
    explained = sum(1 for c in report.comparisons if c.differs and c.explained_by)
    lines += ["", summary_line(report)]
    if report.differ:
        lines.append(f"{explained} of the {report.differ} differences are accounted for by named municipalities")
    if report.with_suppressed and not show_suppressed:
        lines.append("comparisons with suppressed members are not differences: their computed sums are lower "
                     "bounds (--show-suppressed lists them)")
    if report.ratios_not_compared:
        lines.append(f"not compared: ratio indicators {', '.join(report.ratios_not_compared)} (published values are "
                     "rounded; their numerators and denominators are compared as counts)")
    if report.published_suppressed:
        lines.append(f"not compared: {report.published_suppressed} published values that are suppressed")
    if report.without_member_values:
        lines.append(f"not compared: {report.without_member_values} published values whose member municipalities "
                     "have no values in the database for that month")
    if not report.comparisons:
        lines.append("no published aggregates in the database (load a PxWeb table with `pilot-tracker ingest pxweb`)")
    return "\n".join(lines)
