"""A PxWeb table (as app.ingest.pxweb_read reads it) mapped to indicators, areas and months, and validated.

The area, time and content dimensions are found from the file's own metadata (PxWeb column types
d/t/c; JSON-stat roles geo/time/metric), else from the shape of their codes (2026M06 is time; SSS,
KU…, MK…, ELY…, SK… are areas; registry content codes are content), never from variable names:
Statistics Finland renames them (`Alue`, `alue_23_20260101`, `timeperiod_m`, `Kuukausi`).
Any other dimension must have a single category. Content codes map to indicators through the
registry's pxweb_codes; unmapped content codes and area codes the area table does not know are
skipped and listed in the summary. A time code marked preliminary (`2026M06*`) gives status provisional.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass

from app.areas import COUNTRY, area_code
from app.indicators import Registry
from app.ingest.pxweb_read import PxTable, fail
from app.ingest.records import Observation, Skipped
from app.ingest.validate import describe_observation
from app.ingest.values import parse_value
from app.months import is_preliminary, parse_pxweb_month, year_end_of

TIME_CODE = re.compile(r"^\d{4}(M\d{1,2}|Q\d|H\d|-\d{1,2}(-\d{1,2})?)?\*?$")
AREA_CODE = re.compile(rf"^({COUNTRY}|KU\w+|MK\w+|SK\w+|ELY\w+|\d{{3}})$")
ROLES = ("area", "time", "content")


# --- tidy: roles of the dimensions ----------------------------------------------------------------

def _share(codes: list[str], pattern: re.Pattern) -> float:
    return sum(1 for c in codes if pattern.match(c.upper())) / max(len(codes), 1)


def assign_roles(table: PxTable, content_codes: set[str]) -> dict[str, int]:
    """Index of the area, time and content dimension; metadata hints first, then code shapes."""
    dims = table.dimensions
    roles: dict[str, int] = {}

    def take(role: str, candidates: list[int]) -> None:
        """The best candidate: most codes of the role's shape; `SSS` alone is also the total of other
        classifications (a `Sukupuoli` dimension with the single category SSS), so it scores nothing."""
        candidates = [i for i in candidates if i not in roles.values()]
        if not candidates or role in roles:
            return
        shape = {"area": AREA_CODE, "time": TIME_CODE}.get(role)

        def score(i: int) -> int:
            return len(dims[i].codes) if shape is None else sum(
                1 for c in dims[i].codes if c.upper() != COUNTRY and shape.match(c.upper()))

        best = max(score(i) for i in candidates)
        top = [i for i in candidates if score(i) == best]
        if len(top) > 1 and len({tuple(dims[i].codes) for i in top}) > 1:
            names = ", ".join(dims[i].describe() for i in top)
            fail(table.path, f"two dimensions could be the {role}: {names}", "dimensions")
        roles[role] = top[0]

    free = [i for i, d in enumerate(dims) if d.hint is None]
    # Content given as its own dimension (e.g. `Tiedot`) wins over a single PxWeb value column.
    hits = [i for i in range(len(dims)) if set(dims[i].codes) & content_codes]
    take("content", [i for i in hits if dims[i].hint in (None, "content")] if len(hits) > 1 else hits)
    for role in ROLES:
        take(role, [i for i, d in enumerate(dims) if d.hint == role])
    take("time", [i for i in free if _share(dims[i].codes, TIME_CODE) == 1.0])
    take("area", [i for i in free if _share(dims[i].codes, AREA_CODE) >= 0.5])
    rest = [i for i in range(len(dims)) if i not in roles.values()]
    if "content" not in roles:
        several = [i for i in rest if len(dims[i].codes) > 1]
        take("content", several if several else rest[-1:])
    for i in range(len(dims)):
        if i not in roles.values() and len(dims[i].codes) > 1:
            d = dims[i]
            fail(table.path, f"dimension {d.describe()} has {len(d.codes)} categories ({', '.join(d.codes[:5])}"
                              f"{', …' if len(d.codes) > 5 else ''}); Pilot Tracker reads one value per area, month "
                              f"and content: select a single category of it in PxWeb", d.where)
    return roles


# --- harmonise and validate --------------------------------------------------------------------------

@dataclass
class Harmonised:
    observations: list[Observation]
    skipped: list[Skipped]
    indicators: list[str]
    source_code: str


def harmonise(table: PxTable, registry: Registry, known_areas: dict[str, str]) -> Harmonised:
    """Map content, area and time codes; validate every value; raise InputError on the first problem."""
    path = table.path
    by_code = registry.by_pxweb_code()
    roles = assign_roles(table, set(by_code))
    if "content" not in roles:
        fail(path, "found no content dimension (PxWeb type 'c' columns, a JSON-stat 'metric' role, or "
                    "indicator codes such as HAKIJALOPUSSA)", "dimensions")
    content = table.dimensions[roles["content"]]
    mapped = [c for c in content.codes if c in by_code]
    if not mapped:
        fail(path, f"a file of another table ({table.label or 'no label'}): none of its {len(content.codes)} "
                    f"content codes ({', '.join(content.codes[:4])}{', …' if len(content.codes) > 4 else ''}) is a "
                    "Pilot Tracker indicator (pxweb_codes in data/indicators.toml); `ingest pxweb` loads monthly "
                    "tables such as Statistics Finland's employment service statistics 12r5",
              content.where)
    for role, pattern in (("time", "2026M06"), ("area", "SSS, KU091, MK01, ELY01")):
        if role not in roles:
            fail(path, f"found no {role} dimension (codes like {pattern})", "dimensions")
    time, area = table.dimensions[roles["time"]], table.dimensions[roles["area"]]
    annual = all(by_code[c].annual_stock for c in mapped)
    months = {}
    for code in time.codes:
        months[code] = parse_pxweb_month(code) or (year_end_of(code) if annual else None)
        if months[code] is None:
            message = (f"{code!r} is a year: this is not a monthly table; Pilot Tracker stores monthly values "
                       "(time codes like 2026M06) and yearly values only for end-of-year stocks such as the "
                       "population") if re.fullmatch(r"\d{4}", code) else \
                f"{code!r} is not a month (time codes like 2026M06, months 01-12)"
            fail(path, message, time.locations[code], time.code)
    areas = {code: area_code(code) for code in area.codes}
    ia, it, ic = roles["area"], roles["time"], roles["content"]
    observations: list[Observation] = []
    first_cell: dict[tuple, int] = {}  # observation key -> index of its cell, to name both places of a repeat
    unknown_areas: Counter = Counter()
    unmapped: Counter = Counter()
    for n, cell in enumerate(table.cells):
        try:
            value = parse_value(cell.raw)
        except ValueError:
            fail(path, f"{json.dumps(cell.raw, ensure_ascii=False)} is not a number or a suppression symbol "
                        f"(\"...\", \"..\", \".\", \"-\") (area {cell.coords[ia]}, month {cell.coords[it]})",
                  cell.where, cell.coords[ic])
        code = areas[cell.coords[ia]]
        indicator = by_code.get(cell.coords[ic])
        if indicator is None:
            unmapped[cell.coords[ic]] += 1
            continue
        if code not in known_areas:
            unknown_areas[code] += 1
            continue
        if value is not None and value < 0:
            fail(path, f"{cell.raw!r} is negative (area {code}, month {cell.coords[it]})", cell.where,
                  cell.coords[ic])
        status = "suppressed" if value is None else "provisional" if is_preliminary(cell.coords[it]) else "final"
        observation = Observation(indicator.code, code, months[cell.coords[it]], value, status)
        if observation.key in first_cell:
            fail(path, f"duplicate: {describe_observation(observation.key)} appears twice (first at "
                       f"{table.cells[first_cell[observation.key]].where})", cell.where)
        first_cell[observation.key] = n
        observations.append(observation)
    if not observations:
        fail(path, f"nothing to load: none of the file's {len(area.codes)} area codes ({', '.join(area.codes[:4])}"
                   f"{', …' if len(area.codes) > 4 else ''}) is in the area table; is this a table of another "
                   "area division?", area.where, area.code)
    skipped = []
    if unknown_areas:
        skipped.append(Skipped("unknown area codes", tuple(unknown_areas), sum(unknown_areas.values())))
    if unmapped:
        skipped.append(Skipped("content codes not in the indicator registry", tuple(unmapped),
                               sum(unmapped.values())))
    indicators = sorted({o.indicator_code for o in observations})
    sources = Counter(by_code[c].source for c in mapped)
    return Harmonised(observations, skipped, indicators, sources.most_common(1)[0][0])
