"""Reference data from the files in data/: areas, dated memberships and indicator definitions.

Membership rules written once here:
- a municipality belongs to its region and ELY area as dated in area_classification.csv, and to
  the whole country (SSS) while it exists;
- pilot memberships are dated from pilot_members.csv;
- the comparison groups GRP_PILOT (ever a pilot member) and GRP_OTHER (never, mainland only: Åland
  has no TE office) hold for the whole time, so a trend compares the same municipalities before and
  after the pilot start;
- municipality_changes.csv is the readable log of the dated classification: every date at which a
  membership begins or ends is a change listed there, and every change there is in the classification
  (check_changes), so the two files cannot drift apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app.areas import COMPARISON_GROUPS, COUNTRY, DERIVED_GROUPS, GRP_OTHER, GRP_PILOT, Membership
from app.indicators import Registry
from app.ingest.csvfiles import CLASSIFICATION_COLUMNS, parse_date, parse_municipality, read_csv
from app.ingest.errors import InputError
from app.settings import DATA_DIR

NAME_COLUMNS = ("name_fi", "name_sv", "name_en")
SPECIAL_AREA_COLUMNS = ("code", "kind", *NAME_COLUMNS)
SPECIAL_AREA_KINDS = {COUNTRY: "country", GRP_PILOT: "group", GRP_OTHER: "group"}
PILOT_AREA_COLUMNS = ("code", *NAME_COLUMNS, "ely_code", "start_date", "end_date")
PILOT_MEMBER_COLUMNS = ("pilot_code", "municipality_code", "valid_from", "valid_to")
CHANGE_COLUMNS = ("effective_date", "municipality_code", "change", "from_code", "to_code")
CHANGE_KINDS = ("region", "merger")


@dataclass(frozen=True)
class MunicipalityChange:
    """One line of the change log: a move to another region (and ELY area), or a merger into another."""

    line: int
    day: date
    municipality: str
    change: str
    from_code: str
    to_code: str


@dataclass(frozen=True)
class ReferenceData:
    areas: list[dict]
    memberships: list[Membership]


def _simple_areas(path: Path, kind: str) -> list[dict]:
    return [{"code": r.values["code"], "kind": kind, **{k: r.values[k] for k in NAME_COLUMNS}}
            for r in read_csv(path, ("code", *NAME_COLUMNS))]


def read_special_areas(path: Path) -> list[dict]:
    """The whole country and the comparison groups with their names; exactly the codes app.areas derives."""
    rows = read_csv(path, SPECIAL_AREA_COLUMNS)
    seen = set()
    for row in rows:
        code, kind = row.values["code"], row.values["kind"]
        if SPECIAL_AREA_KINDS.get(code) != kind or code in seen:
            raise InputError(path, f"{code} of kind {kind!r} is not one of the derived areas, or repeats one "
                                   f"({', '.join(f'{c} {k}' for c, k in SPECIAL_AREA_KINDS.items())})",
                             location=row.where(), column="code")
        seen.add(code)
    missing = [code for code in DERIVED_GROUPS if code not in seen]
    if missing:
        raise InputError(path, f"names missing for {', '.join(missing)}", column="code")
    return [{k: r.values[k] for k in SPECIAL_AREA_COLUMNS} for r in rows]


def read_classification(path: Path) -> list[Membership]:
    """A dated classification file: municipality -> region and ELY area, valid from/to (inclusive)."""
    memberships = []
    for row in read_csv(path, CLASSIFICATION_COLUMNS):
        muni = parse_municipality(path, row, "municipality_code")
        start = parse_date(path, row, "valid_from", allow_empty=True)
        end = parse_date(path, row, "valid_to", allow_empty=True)
        for column in ("region_code", "ely_code"):
            group = row.values[column]
            if group:
                memberships.append(Membership(muni, group, start, end))
    return memberships


def read_pilot_members(path: Path) -> list[Membership]:
    return [
        Membership(parse_municipality(path, r, "municipality_code"), r.values["pilot_code"], parse_date(path, r, "valid_from"),
                   parse_date(path, r, "valid_to", allow_empty=True))
        for r in read_csv(path, PILOT_MEMBER_COLUMNS)
    ]


def read_changes(path: Path) -> list[MunicipalityChange]:
    changes = []
    for row in read_csv(path, CHANGE_COLUMNS, optional=("name_fi", "note")):
        if row.values["change"] not in CHANGE_KINDS:
            raise InputError(path, f"{row.values['change']!r} is not a change ({' or '.join(CHANGE_KINDS)})",
                             location=row.where(), column="change")
        to_code = parse_municipality(path, row, "to_code") if row.values["change"] == "merger" else row.values["to_code"]
        changes.append(MunicipalityChange(row.line, parse_date(path, row, "effective_date"),
                                          parse_municipality(path, row, "municipality_code"), row.values["change"],
                                          row.values["from_code"], to_code))
    return changes


def check_changes(path: Path, changes: list[MunicipalityChange], classification: list[Membership]) -> None:
    """Raise unless the change log (path) and the dated classification tell the same story.

    A region change on day D: the membership of from_code ends on D-1 and that of to_code begins on D.
    A merger on day D: no membership of the municipality is valid on D, and the one it joins exists.
    Every membership that begins or ends is explained by a change of that municipality on that day.
    """
    bounded = {(m.member_code, m.group_code, m.valid_from, m.valid_to) for m in classification}
    members = {m.member_code for m in classification}
    for c in changes:
        before = c.day - timedelta(days=1)
        if c.change == "region":
            ends = any(k[0] == c.municipality and k[1] == c.from_code and k[3] == before for k in bounded)
            begins = any(k[0] == c.municipality and k[1] == c.to_code and k[2] == c.day for k in bounded)
            if not (ends and begins):
                raise InputError(path, f"{c.municipality} moves from {c.from_code} to {c.to_code} on {c.day}, but the "
                                       f"classification has no membership of {c.from_code} ending {before} and of "
                                       f"{c.to_code} beginning {c.day}", location=f"row {c.line}",
                                 column="effective_date")
        elif any(m.member_code == c.municipality and m.valid_on(c.day) for m in classification) \
                or c.to_code not in members:
            raise InputError(path, f"{c.municipality} merges into {c.to_code} on {c.day}, but the classification "
                                   f"still lists {c.municipality} that day or lacks {c.to_code}",
                             location=f"row {c.line}", column="effective_date")
    listed = {(c.municipality, c.day) for c in changes}
    for m in classification:
        for day, verb in ((m.valid_from, "begins"), (m.valid_to and m.valid_to + timedelta(days=1), "ends")):
            if day is not None and (m.member_code, day) not in listed:
                raise InputError(path, f"the classification's membership of {m.member_code} in {m.group_code} "
                                       f"{verb} {'on' if verb == 'begins' else 'before'} {day}, but no change of "
                                       f"{m.member_code} on {day} is listed", column="effective_date")


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
    check_changes(data_dir / "municipality_changes.csv", read_changes(data_dir / "municipality_changes.csv"),
                  classification)
    pilot_members = read_pilot_members(data_dir / "pilot_members.csv")

    def population_of(group: str, members) -> int:
        return sum(population.get(m.member_code, 0) for m in members if m.group_code == group)

    for kind, fname in (("ely", "ely_areas.csv"), ("region", "regions.csv")):
        for a in _simple_areas(data_dir / fname, kind):
            a["population"] = population_of(a["code"], [m for m in classification if m.valid_to is None])
            areas.append(a)
    for r in read_csv(data_dir / "pilot_areas.csv", PILOT_AREA_COLUMNS):
        v = r.values
        areas.append({"code": v["code"], "kind": "pilot", **{k: v[k] for k in NAME_COLUMNS},
                      "population": population_of(v["code"], pilot_members), "ely_code": v["ely_code"]})

    kinds = {a["code"]: a["kind"] for a in areas}
    memberships = list(classification) + pilot_members
    memberships += derived_memberships(memberships, kinds)
    group_population = defaultdict(int, {COUNTRY: sum(population.values())})
    for m in memberships:
        if m.group_code in COMPARISON_GROUPS:
            group_population[m.group_code] += population.get(m.member_code, 0)
    areas += [{**a, "population": group_population[a["code"]]}
              for a in read_special_areas(data_dir / "special_areas.csv")]
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
        derived.append(Membership(code, COUNTRY, start, end))
        if code in ever_pilot:
            derived.append(Membership(code, GRP_PILOT, start, end))
        elif code in mainland:
            derived.append(Membership(code, GRP_OTHER, start, end))
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
