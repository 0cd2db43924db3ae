"""What to ask a PxWeb table for: the metadata read, the caller's filters applied, the queries sized to the limit.

Roles of the variables come from the metadata (`time: true`) and from the codes (the caller's area and
content codes, else the shape of area codes), never from variable names: Statistics Finland renames them.
Queries split months first, then areas, then contents, so a query holds whole months where it can.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date

from app.areas import COUNTRY, area_code
from app.months import parse_pxweb_month, year_end_of
from app.ingest.pxweb_api.transport import FetchError

AREA_SHAPE = re.compile(rf"^({COUNTRY}|KU\w+|MK\w+|SK\w+|ELY\w+|\d{{3}})$")


@dataclass(frozen=True)
class Variable:
    code: str
    text: str
    values: tuple[str, ...]
    texts: tuple[str, ...]
    time: bool = False
    elimination: bool = False

    def text_of(self, value: str) -> str:
        return dict(zip(self.values, self.texts)).get(value, value)


@dataclass(frozen=True)
class TableMeta:
    title: str
    variables: tuple[Variable, ...]
    updated: str | None = None

    def variable(self, code: str) -> Variable:
        return next(v for v in self.variables if v.code == code)


def parse_metadata(url: str, doc) -> TableMeta:
    """`GET TABLE_URL`: {"title", "variables": [{"code", "text", "values", "valueTexts", "time"?, "elimination"?}]}."""
    if not isinstance(doc, dict) or not isinstance(doc.get("variables"), list) or not doc["variables"]:
        raise FetchError(url, "the answer is not PxWeb table metadata (no 'variables'); is this the URL of a "
                              "table (ending in .px), not of a folder?")
    variables = []
    for n, var in enumerate(doc["variables"]):
        values = var.get("values") if isinstance(var, dict) else None
        if not isinstance(values, list) or not values or not isinstance(var.get("code"), str):
            raise FetchError(url, f"variable {n} of the metadata has no code or no values")
        texts = var.get("valueTexts") if isinstance(var.get("valueTexts"), list) else values
        variables.append(Variable(var["code"], str(var.get("text", var["code"])), tuple(map(str, values)),
                                  tuple(map(str, texts)), bool(var.get("time")), bool(var.get("elimination"))))
    return TableMeta(str(doc.get("title", "")), tuple(variables), doc.get("updated"))


def period_of(code: str) -> date | None:
    """The month a time code stands for; a year (2025) is its December, as for end-of-year stocks."""
    return parse_pxweb_month(code) or year_end_of(code)


@dataclass(frozen=True)
class Query:
    """One data query: the values selected for each queried variable, in the metadata's order."""

    selection: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def cells(self) -> int:
        return math.prod(len(values) for _, values in self.selection)

    def values(self, code: str) -> tuple[str, ...]:
        return dict(self.selection)[code]

    def replace(self, code: str, values: tuple[str, ...]) -> Query:
        return Query(tuple((c, values if c == code else v) for c, v in self.selection))

    def body(self, response_format: str = "json-stat2") -> dict:
        return {"query": [{"code": code, "selection": {"filter": "item", "values": list(values)}}
                          for code, values in self.selection],
                "response": {"format": response_format}}

    def split(self, limit: int, order: Iterable[str]) -> list[Query]:
        """Queries of at most `limit` cells covering this one: chunks along the first variable in `order`
        whose chunks fit, each variable before it taken one value at a time."""
        order = list(order)
        if self.cells <= limit or not order:
            return [self]
        code, rest = order[0], order[1:]
        values = self.values(code)
        others = self.cells // len(values)
        if others > limit:
            return [q for v in values for q in self.replace(code, (v,)).split(limit, rest)]
        return [self.replace(code, chunk) for chunk in chunks(values, max(1, limit // others))]

    def halves(self, order: Iterable[str]) -> list[Query]:
        """Two queries along the first variable in `order` with more than one value; [] for a single cell."""
        for code in order:
            values = self.values(code)
            if len(values) > 1:
                middle = len(values) // 2
                return [self.replace(code, values[:middle]), self.replace(code, values[middle:])]
        return []


def chunks(values: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    """Balanced chunks of at most `size`: 343 areas by 217 are 171 + 172, not 217 + 126."""
    count = -(-len(values) // size)
    return [values[i * len(values) // count:(i + 1) * len(values) // count] for i in range(count)]


@dataclass
class Plan:
    """The whole request: roles, the selection (one box of cells), the months, what the filters left out."""

    time: str
    area: str | None
    content: str | None
    selection: dict[str, tuple[str, ...]]
    months: list[date]
    skipped_areas: list[str] = field(default_factory=list)
    skipped_contents: list[str] = field(default_factory=list)

    @property
    def whole(self) -> Query:
        return Query(tuple(self.selection.items()))

    @property
    def cells(self) -> int:
        return self.whole.cells if self.months else 0

    @property
    def split_order(self) -> list[str]:
        """Months first, then areas, then contents, then anything else."""
        first = [c for c in (self.time, self.area, self.content) if c]
        return first + [c for c in self.selection if c not in first]

    def queries(self, max_values: int) -> list[Query]:
        return self.whole.split(max_values, self.split_order) if self.months else []


def make_plan(url: str, meta: TableMeta, *, areas: Collection[str] | None = None,
              contents: Collection[str] | None = None, first: date | None = None, last: date | None = None,
              after: date | None = None, select: dict[str, Collection[str]] | None = None) -> Plan:
    """Apply the filters: areas and contents the caller knows, months from first to last and after `after`."""
    select = {code: set(values) for code, values in (select or {}).items()}
    known = {area_code(a) for a in areas} if areas is not None else None
    wanted = set(contents) if contents is not None else None
    time = _time_variable(url, meta)
    months = {code: period_of(code) for code in time.values}
    kept = tuple(c for c, p in months.items() if (first is None or p >= first) and (last is None or p <= last)
                 and (after is None or p > after))
    others = [v for v in meta.variables if v is not time and v.code not in select]
    content = _best(others, lambda v: len(set(v.values) & wanted)) if wanted else None
    if wanted and content is None:
        raise FetchError(url, "a table of another kind: none of its variables holds the content codes "
                              f"Pilot Tracker maps ({', '.join(sorted(wanted)[:4])}, …)")
    rest = [v for v in others if v is not content]
    area = (_best(rest, lambda v: len({area_code(c) for c in v.values} & known)) if known else None) or \
        _best(rest, lambda v: sum(1 for c in v.values if c != COUNTRY and AREA_SHAPE.match(c.upper())))
    if content is None:
        remaining = [v for v in rest if v is not area]
        content = remaining[-1] if remaining else None  # PxWeb lists the content variable last
    selection: dict[str, tuple[str, ...]] = {}
    skipped_areas: list[str] = []
    skipped_contents: list[str] = []
    for var in meta.variables:
        if var is time:
            chosen = kept
        elif var.code in select:
            chosen = tuple(v for v in var.values if v in select[var.code])
            if not chosen:
                raise FetchError(url, f"none of {sorted(select[var.code])} is a value of variable {var.code!r}")
        elif var is area and known is not None:
            chosen = tuple(c for c in var.values if area_code(c) in known)
            skipped_areas = [c for c in var.values if area_code(c) not in known]
            if not chosen:
                raise FetchError(url, f"none of the table's {len(var.values)} area codes is an area Pilot Tracker "
                                      "knows; is this a table of another area division?")
        elif var is content and wanted is not None:
            chosen = tuple(c for c in var.values if c in wanted)
            skipped_contents = [c for c in var.values if c not in wanted]
        elif var is area or var is content or len(var.values) == 1:
            chosen = var.values
        elif var.elimination:
            continue  # left out of the query: PxWeb answers with the variable's total
        else:
            raise FetchError(url, f"variable {var.code!r} ({var.text}) has {len(var.values)} values and cannot be "
                                  "left out; Pilot Tracker reads one value per area, month and content: choose one "
                                  f"of {', '.join(var.values[:5])}{', …' if len(var.values) > 5 else ''}")
        selection[var.code] = chosen
    return Plan(time.code, area.code if area else None, content.code if content else None, selection,
                sorted({months[c] for c in kept}), skipped_areas, skipped_contents)


def _time_variable(url: str, meta: TableMeta) -> Variable:
    marked = [v for v in meta.variables if v.time]
    shaped = [v for v in meta.variables if all(period_of(c) for c in v.values)]
    time = (marked or shaped or [None])[0]
    if time is None:
        raise FetchError(url, "the table has no time variable (`time: true`, codes like 2026M06)")
    bad = [c for c in time.values if period_of(c) is None]
    if bad:
        raise FetchError(url, f"{bad[0]!r} is neither a month (2026M06) nor a year: not a monthly or yearly table")
    return time


def _best(candidates: list[Variable], score) -> Variable | None:
    scored = [(score(v), n, v) for n, v in enumerate(candidates)]
    best = max(scored, key=lambda item: (item[0], -item[1]), default=None)
    return best[2] if best and best[0] > 0 else None
