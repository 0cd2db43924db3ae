"""Reference data from the files in data/: areas, dated memberships and indicator definitions.

Membership rules written once here:
- a municipality belongs to its region and ELY area as dated in area_classification.csv, and to
  the whole country (SSS) while it exists;
- pilot memberships are dated from pilot_members.csv;
- the comparison groups GRP_PILOT (ever a pilot member) and GRP_OTHER (never, mainland only: Åland
  has no TE office) hold for the whole time, so a trend compares the same municipalities before and
  after the pilot start.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.indicators import Registry
from app.ingest.csvfiles import parse_date, read_csv
from app.settings import DATA_DIR

COUNTRY = {"code": "SSS", "kind": "country", "name_fi": "Koko maa", "name_sv": "Hela landet", "name_en": "Whole country"}
GROUPS = (
    {"code": "GRP_PILOT", "kind": "group", "name_fi": "Kaikki kokeilukunnat",
     "name_sv": "Alla försökskommuner", "name_en": "All pilot municipalities"},
    {"code": "GRP_OTHER", "kind": "group", "name_fi": "Muut kunnat (ei kokeilussa)",
     "name_sv": "Övriga kommuner (inte i försöket)", "name_en": "All other municipalities"},
)

CLASSIFICATION_COLUMNS = ("municipality_code", "region_code", "ely_code", "valid_from", "valid_to")
PILOT_AREA_COLUMNS = ("code", "name_fi", "name_sv", "name_en", "ely_code", "start_date", "end_date")
PILOT_MEMBER_COLUMNS = ("pilot_code", "municipality_code", "valid_from", "valid_to")


@dataclass(frozen=True)
class Membership:
    member_code: str
    group_code: str
    valid_from: date | None
    valid_to: date | None

    def as_row(self) -> dict:
        return self.__dict__.copy()


def municipality_code(raw: str) -> str:
    """KU091, 091 and 91 all mean Helsinki."""
    raw = raw.strip().upper()
    if raw.startswith("KU"):
        raw = raw[2:]
    if not raw.isdigit() or len(raw) > 3:
        raise ValueError(f"{raw!r} is not a municipality code")
    return "KU" + raw.zfill(3)


def _simple_areas(path: Path, kind: str) -> list[dict]:
    return [{"code": r.values["code"], "kind": kind, **{k: r.values[k] for k in ("name_fi", "name_sv", "name_en")}}
            for r in read_csv(path, ("code", "name_fi", "name_sv", "name_en"))]


def read_classification(path: Path) -> list[Membership]:
    """A dated classification file: municipality -> region and ELY area, valid from/to (inclusive)."""
    memberships = []
    for row in read_csv(path, CLASSIFICATION_COLUMNS):
        muni = municipality_code(row.values["municipality_code"])
        start = parse_date(path, row, "valid_from", allow_empty=True)
        end = parse_date(path, row, "valid_to", allow_empty=True)
        for column in ("region_code", "ely_code"):
            group = row.values[column]
            if group:
                memberships.append(Membership(muni, group, start, end))
    return memberships


def read_pilot_members(path: Path) -> list[Membership]:
    return [
        Membership(
            municipality_code(r.values["municipality_code"]),
            r.values["pilot_code"],
            parse_date(path, r, "valid_from"),
            parse_date(path, r, "valid_to", allow_empty=True),
        )
        for r in read_csv(path, PILOT_MEMBER_COLUMNS)
    ]


@dataclass(frozen=True)
class ReferenceData:
    areas: list[dict]
    memberships: list[Membership]


def load_reference(data_dir: Path = DATA_DIR) -> ReferenceData:
    munis = read_csv(data_dir / "municipalities.csv",
                     ("code", "name_fi", "name_sv", "region_code", "ely_code", "population", "lat", "lon"))
    areas: list[dict] = []
    population = {r.values["code"]: int(r.values["population"]) for r in munis}
    for r in munis:
        v = r.values
        areas.append({"code": v["code"], "kind": "municipality", "name_fi": v["name_fi"], "name_sv": v["name_sv"],
                      "name_en": v["name_fi"], "population": population[v["code"]],
                      "lat": float(v["lat"]), "lon": float(v["lon"]), "ely_code": v["ely_code"] or None})
    classification = read_classification(data_dir / "area_classification.csv")
    pilot_members = read_pilot_members(data_dir / "pilot_members.csv")

    def population_of(group: str, members) -> int:
        return sum(population.get(m.member_code, 0) for m in members if m.group_code == group)

    for kind, fname in (("ely", "ely_areas.csv"), ("region", "regions.csv")):
        for a in _simple_areas(data_dir / fname, kind):
            a["population"] = population_of(a["code"], [m for m in classification if m.valid_to is None])
            areas.append(a)
    for r in read_csv(data_dir / "pilot_areas.csv", PILOT_AREA_COLUMNS):
        v = r.values
        areas.append({"code": v["code"], "kind": "pilot", "name_fi": v["name_fi"], "name_sv": v["name_sv"],
                      "name_en": v["name_en"], "population": population_of(v["code"], pilot_members),
                      "ely_code": v["ely_code"]})
    areas.append({**COUNTRY, "population": sum(population.values())})

    kinds = {a["code"]: a["kind"] for a in areas}
    memberships = list(classification) + pilot_members
    memberships += derived_memberships(memberships, kinds)
    pop_groups = defaultdict(int)
    for m in memberships:
        if m.group_code.startswith("GRP_"):
            pop_groups[m.group_code] += population.get(m.member_code, 0)
    areas += [{**g, "population": pop_groups[g["code"]]} for g in GROUPS]
    return ReferenceData(areas=areas, memberships=memberships)


def derived_memberships(memberships: list[Membership], kinds: dict[str, str]) -> list[Membership]:
    """SSS, GRP_PILOT and GRP_OTHER from the classification and pilot memberships (the rules above).

    kinds maps group codes to area kinds; only region and ELY memberships date a municipality's life.
    """
    lifetime: dict[str, tuple[date | None, date | None]] = {}
    mainland, ever_pilot = set(), set()
    for m in memberships:
        kind = kinds.get(m.group_code)
        if kind == "pilot":
            ever_pilot.add(m.member_code)
        if kind not in ("region", "ely"):
            continue
        if kind == "ely":
            mainland.add(m.member_code)
        if m.member_code not in lifetime:
            lifetime[m.member_code] = (m.valid_from, m.valid_to)
            continue
        start, end = lifetime[m.member_code]
        lifetime[m.member_code] = (None if start is None or m.valid_from is None else min(start, m.valid_from),
                                   None if end is None or m.valid_to is None else max(end, m.valid_to))
    derived = []
    for code, (start, end) in sorted(lifetime.items()):
        derived.append(Membership(code, "SSS", start, end))
        if code in ever_pilot:
            derived.append(Membership(code, "GRP_PILOT", start, end))
        elif code in mainland:
            derived.append(Membership(code, "GRP_OTHER", start, end))
    return derived


def indicator_rows(registry: Registry) -> list[dict]:
    return [
        {
            "code": i.code, "kind": i.kind, "unit": i.unit, "scale": i.scale,
            "numerator_code": i.numerator, "denominator_code": i.denominator,
            "source_code": i.source, "public": i.public,
            **{f"name_{lang}": i.names[lang] for lang in i.names},
            **{f"description_{lang}": i.descriptions[lang] for lang in i.descriptions},
        }
        for i in registry
    ]
