"""Statistics Finland PxWeb tables, in PxWeb's own JSON and in JSON-stat 2: read -> tidy -> harmonise -> load.

The area, time and content dimensions are found from the file's own metadata (PxWeb column types
d/t/c; JSON-stat roles geo/time/metric), else from the shape of their codes (2026M06 is time; SSS,
KU…, MK…, ELY…, SK… are areas; registry content codes are content), never from variable names:
Statistics Finland renames them (`Alue`, `alue_23_20260101`, `timeperiod_m`, `Kuukausi`).
Any other dimension must have a single category. Content codes map to indicators through the
registry's pxweb_codes; unmapped content codes and area codes the area table does not know are
skipped and listed in the summary.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NoReturn

from app.indicators import Registry, registry as default_registry
from app.ingest.csvfiles import read_text
from app.ingest.errors import InputError
from app.ingest.load import (
    LoadSummary,
    Observation,
    ProgressFactory,
    Provenance,
    Skipped,
    area_kinds,
    display_url,
    file_sha256,
    find_duplicates,
    open_writable,
    parse_timestamp,
    parse_value,
    record_release,
    require_indicators,
    write_observations,
)
from app.ingest.writer import utcnow

TIME_CODE = re.compile(r"^\d{4}(M\d{1,2}|Q\d|H\d|-\d{1,2}(-\d{1,2})?)?\*?$")
MONTH_CODE = re.compile(r"^(\d{4})(?:M|-)(\d{1,2})(?:-01)?\*?$")
AREA_CODE = re.compile(r"^(SSS|KU\w+|MK\w+|SK\w+|ELY\w+|\d{3})$")
ROLES = ("area", "time", "content")


@dataclass
class Dimension:
    """One variable of the table: its codes in file order and where each is first seen (for messages)."""

    code: str
    label: str
    hint: str | None  # role from the file's metadata: area, time, content or None
    where: str
    codes: list[str] = field(default_factory=list)
    locations: dict[str, str] = field(default_factory=dict)

    def add(self, code: str, where: str) -> None:
        if code not in self.locations:
            self.locations[code] = where
            self.codes.append(code)

    def describe(self) -> str:
        return f"'{self.code}'" + (f" ({self.label})" if self.label and self.label != self.code else "")


@dataclass(frozen=True)
class Cell:
    coords: tuple[str, ...]  # one code per dimension, in PxTable.dimensions order
    raw: object
    where: str


@dataclass
class PxTable:
    """A PxWeb file read into a neutral shape, before any mapping."""

    path: Path
    format: str
    label: str | None
    updated: str | None
    dimensions: list[Dimension]
    cells: list[Cell]


# --- read ---------------------------------------------------------------------------------------------

class _Object(dict):
    """A JSON object that remembers the first key it saw twice (json keeps only the last silently)."""

    duplicate: str | None = None


def _object_hook(pairs) -> _Object:
    obj = _Object()
    for key, value in pairs:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj


def member_path(parent: str, key: str) -> str:
    """A JSON location in the style `data[17].values[3]`, `dimension.Alue.category.index["2026M13"]`."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return key if parent == "$" else f"{parent}.{key}"
    return f"{'' if parent == '$' else parent}[{json.dumps(key, ensure_ascii=False)}]"


def _find_duplicate(node, where: str = "$") -> tuple[str, str] | None:
    if isinstance(node, _Object):
        if node.duplicate is not None:
            return where, node.duplicate
        children = ((member_path(where, k), v) for k, v in node.items())
    elif isinstance(node, list):
        children = ((f"{where}[{n}]", v) for n, v in enumerate(node))
    else:
        return None
    for child_where, child in children:
        found = _find_duplicate(child, child_where)
        if found:
            return found
    return None


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def read_json(path: Path):
    """Strict UTF-8 JSON; truncated JSON, NaN and repeated object keys are errors with a location."""
    text = read_text(path)
    stripped = text.lstrip()
    if stripped[:1] not in ("{", "["):
        first = stripped.splitlines()[0][:60] if stripped else ""
        raise InputError(path, f"not a JSON file (it starts with {first!r}); `pilot-tracker ingest pxweb` reads "
                               "PxWeb JSON or JSON-stat 2; CSV files load with `ingest pilots`, `ingest areas` "
                               "or `ingest monitoring`", location="line 1")
    constants: list[str] = []

    def reject_constant(name: str):
        constants.append(name)
        return None

    try:
        doc = json.loads(text, object_pairs_hook=_object_hook, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        hint = " (the file ends too early: truncated?)" if exc.pos >= len(text.rstrip()) else ""
        raise InputError(path, f"not valid JSON: {exc.msg}{hint}",
                         location=f"line {exc.lineno}, column {exc.colno}") from None
    if constants:
        match = re.search(r"[\[:,]\s*(-?Infinity|NaN)\b", text)
        raise InputError(path, f"{constants[0]} is not a number; use a number or a suppression symbol such as "
                               "\"...\"", location=_line_col(text, match.start(1)) if match else None)
    duplicate = _find_duplicate(doc)
    if duplicate:
        raise InputError(path, f"duplicate key: {duplicate[1]!r} appears twice in this JSON object "
                               "(JSON would silently keep only the last)", location=duplicate[0])
    return doc


def _fail(path: Path, message: str, where: str | None, column: str | None = None) -> NoReturn:
    raise InputError(path, message, location=where, column=column)


def _as_list(path: Path, value, where: str, what: str) -> list:
    if not isinstance(value, list):
        _fail(path, f"expected {what} (a JSON list), found {type(value).__name__}", where)
    return value


def _code_text(path: Path, value, where: str) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value).strip() == "":
        _fail(path, f"expected a code (text), found {json.dumps(value)}", where)
    return str(value).strip()


def _read_pxweb_json(path: Path, doc: dict) -> PxTable:
    columns = _as_list(path, doc.get("columns"), "columns", "the list of columns")
    dims, value_columns = [], []
    for n, col in enumerate(columns):
        where = f"columns[{n}]"
        if not isinstance(col, dict) or "code" not in col:
            _fail(path, "a column needs a 'code'", where)
        code = _code_text(path, col["code"], f"{where}.code")
        kind = col.get("type")
        if kind == "c":
            value_columns.append((code, where, str(col.get("text", ""))))
        else:
            dims.append(Dimension(code, str(col.get("text", "")), {"t": "time"}.get(kind), where))
    if not value_columns:
        _fail(path, "no value columns (type 'c'): this is not PxWeb JSON output", "columns")
    values_dim = Dimension("(value columns)", "content columns of type 'c'", "content", "columns")
    for code, where, _text in value_columns:
        values_dim.add(code, where)
    rows = _as_list(path, doc.get("data"), "data", "the data rows")
    if not rows:
        _fail(path, "the table has no data rows", "data")
    cells: list[Cell] = []
    keys = []
    for i, row in enumerate(rows):
        where = f"data[{i}]"
        if not isinstance(row, dict):
            _fail(path, "a data row must be an object with 'key' and 'values'", where)
        key = _as_list(path, row.get("key"), f"{where}.key", "the row's key")
        values = _as_list(path, row.get("values"), f"{where}.values", "the row's values")
        if len(key) != len(dims):
            _fail(path, f"the key has {len(key)} codes, the table has {len(dims)} key columns "
                        f"({', '.join(d.code for d in dims)})", f"{where}.key")
        if len(values) != len(value_columns):
            _fail(path, f"the row has {len(values)} values, the table has {len(value_columns)} value columns",
                  f"{where}.values")
        codes = tuple(_code_text(path, k, f"{where}.key[{j}]") for j, k in enumerate(key))
        for j, (dim, code) in enumerate(zip(dims, codes)):
            dim.add(code, f"{where}.key[{j}]")
        keys.append((codes, f"{where}.key"))
        for k, raw in enumerate(values):
            cells.append(Cell(codes + (value_columns[k][0],), raw, f"{where}.values[{k}]"))
    find_duplicates(path, keys, lambda codes: "the row " + " / ".join(codes))
    meta = doc.get("metadata")
    meta = meta[0] if isinstance(meta, list) and meta and isinstance(meta[0], dict) else {}
    return PxTable(path, "PxWeb JSON", meta.get("label"), meta.get("updated"), dims + [values_dim], cells)


def _category_codes(path: Path, dim_id: str, dim: dict, size: int) -> list[str]:
    where = member_path(member_path("dimension", dim_id), "category")
    category = dim.get("category") if isinstance(dim, dict) else None
    if not isinstance(category, dict):
        _fail(path, "a dimension needs a 'category'", where)
    index = category.get("index")
    if index is None:
        labels = category.get("label")
        if isinstance(labels, dict) and len(labels) == 1:
            index = list(labels)
        else:
            _fail(path, "the category has no 'index'", f"{where}.index")
    if isinstance(index, dict):
        positions = sorted(index.items(), key=lambda item: item[1] if isinstance(item[1], int) else -1)
        if [p for _, p in positions] != list(range(len(positions))):
            _fail(path, "the index positions must be 0, 1, 2, … without gaps or repeats", f"{where}.index")
        codes = [c for c, _ in positions]
    else:
        codes = [_code_text(path, c, f"{where}.index[{n}]") for n, c in enumerate(_as_list(
            path, index, f"{where}.index", "the category index"))]
        repeated = [c for c, k in Counter(codes).items() if k > 1]
        if repeated:
            _fail(path, f"duplicate key: the category {repeated[0]!r} is listed twice", f"{where}.index")
    if len(codes) != size:
        _fail(path, f"the dimension has {len(codes)} categories but 'size' says {size}", f"{where}.index")
    return [c.strip() for c in codes]


def _read_json_stat(path: Path, doc: dict, version: str) -> PxTable:
    ids = _as_list(path, doc.get("id"), "id", "the dimension ids")
    sizes = _as_list(path, doc.get("size"), "size", "the dimension sizes")
    if len(ids) != len(sizes) or not all(isinstance(s, int) and s > 0 for s in sizes):
        _fail(path, f"'size' must hold a positive count for each of the {len(ids)} dimensions", "size")
    dimension = doc.get("dimension")
    if not isinstance(dimension, dict):
        _fail(path, "the dataset has no 'dimension' object", "dimension")
    role = doc.get("role") if isinstance(doc.get("role"), dict) else {}
    hints = {}
    for name, our in (("geo", "area"), ("time", "time"), ("metric", "content")):
        for dim_id in role.get(name) or []:
            hints[dim_id] = our
    dims = []
    for n, (dim_id, size) in enumerate(zip(ids, sizes)):
        if dim_id not in dimension:
            _fail(path, f"dimension {dim_id!r} is listed in 'id' but not described", f"id[{n}]")
        entry = dimension[dim_id]
        dim = Dimension(str(dim_id), str(entry.get("label", "")) if isinstance(entry, dict) else "",
                        hints.get(dim_id), member_path("dimension", dim_id))
        for code in _category_codes(path, dim_id, entry, size):
            dim.add(code, member_path(f"{dim.where}.category.index", code))
        dims.append(dim)
    total = math.prod(sizes)
    values = doc.get("value")
    status = doc.get("status")
    if isinstance(values, list):
        if len(values) != total:
            _fail(path, f"'value' has {len(values)} entries, the dimensions need {' x '.join(map(str, sizes))} "
                        f"= {total}", "value")
        present = range(total)
    elif isinstance(values, dict):
        present = sorted({_sparse_index(path, k, total, "value") for k in values}
                         | ({_sparse_index(path, k, total, "status") for k in status}
                            if isinstance(status, dict) else set()))
    else:
        _fail(path, "the dataset has no 'value' list or object", "value")
    coords = list(itertools.product(*[d.codes for d in dims]))
    cells = []
    for n in present:
        raw = values[n] if isinstance(values, list) else values.get(str(n))
        cells.append(Cell(coords[n], raw, f"value[{n}]"))
    updated = doc.get("updated")
    return PxTable(path, f"JSON-stat {version}", doc.get("label"), updated, dims, cells)


def _sparse_index(path: Path, key: str, total: int, where: str) -> int:
    if not key.isdigit() or int(key) >= total:
        _fail(path, f"{key!r} is not a cell index below {total}", member_path(where, key))
    return int(key)


def read_table(path: Path) -> PxTable:
    """Read a PxWeb JSON or JSON-stat (2, or 1 in a bundle) file into a PxTable."""
    path = Path(path)
    doc = read_json(path)
    if not isinstance(doc, dict):
        _fail(path, "expected a JSON object at the top level", "$")
    if "columns" in doc and "data" in doc:
        return _read_pxweb_json(path, doc)
    if doc.get("class") == "dataset" or ("id" in doc and "dimension" in doc and "value" in doc):
        return _read_json_stat(path, doc, str(doc.get("version", "2.0")))
    if doc.get("class") in ("collection", "bundle"):
        _fail(path, f"a JSON-stat {doc['class']}: export a single table (dataset) from PxWeb", "class")
    bundled = [v for v in doc.values() if isinstance(v, dict) and isinstance(v.get("dimension"), dict)]
    if len(bundled) == 1 and "id" in bundled[0]["dimension"]:  # JSON-stat 1: id/size/role inside dimension
        ds = dict(bundled[0])
        ds.update(id=ds["dimension"]["id"], size=ds["dimension"].get("size"), role=ds["dimension"].get("role"))
        return _read_json_stat(path, ds, "1")
    raise InputError(path, "neither PxWeb JSON (`columns` and `data`) nor JSON-stat (`id`, `size`, `dimension`, "
                           "`value`): a file of another kind", location="$")


# --- tidy: roles of the dimensions ----------------------------------------------------------------

def _share(codes: list[str], pattern: re.Pattern) -> float:
    return sum(1 for c in codes if pattern.match(c.upper())) / max(len(codes), 1)


def assign_roles(table: PxTable, content_codes: set[str]) -> dict[str, int]:
    """Index of the area, time and content dimension; metadata hints first, then code shapes."""
    dims = table.dimensions
    roles: dict[str, int] = {}

    def take(role: str, candidates: list[int]) -> None:
        candidates = [i for i in candidates if i not in roles.values()]
        if len(candidates) > 1 and role not in roles:
            names = ", ".join(dims[i].describe() for i in candidates)
            _fail(table.path, f"two dimensions could be the {role}: {names}", "dimensions")
        if candidates and role not in roles:
            roles[role] = candidates[0]

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
            _fail(table.path, f"dimension {d.describe()} has {len(d.codes)} categories ({', '.join(d.codes[:5])}"
                              f"{', …' if len(d.codes) > 5 else ''}); Pilot Tracker reads one value per area, month "
                              f"and content: select a single category of it in PxWeb", d.where)
    return roles


def month_of(code: str) -> date | None:
    """2026M06 (also 2026-06, 2026-06-01, 2026M6) -> date(2026, 6, 1); None when not a month."""
    match = MONTH_CODE.match(code.strip().upper())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 1 <= month <= 12 else None


def area_code(code: str) -> str:
    code = code.strip().upper()
    return f"KU{code}" if re.fullmatch(r"\d{3}", code) else code


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
        _fail(path, "found no content dimension (PxWeb type 'c' columns, a JSON-stat 'metric' role, or "
                    "indicator codes such as HAKIJALOPUSSA)", "dimensions")
    content = table.dimensions[roles["content"]]
    mapped = [c for c in content.codes if c in by_code]
    if not mapped:
        _fail(path, f"a file of another table ({table.label or 'no label'}): none of its {len(content.codes)} "
                    f"content codes ({', '.join(content.codes[:4])}{', …' if len(content.codes) > 4 else ''}) is a "
                    "Pilot Tracker indicator (pxweb_codes in data/indicators.toml); `ingest pxweb` loads monthly "
                    "tables such as Statistics Finland's employment service statistics 12r5",
              content.where)
    for role, pattern in (("time", "2026M06"), ("area", "SSS, KU091, MK01, ELY01")):
        if role not in roles:
            _fail(path, f"found no {role} dimension (codes like {pattern})", "dimensions")
    time, area = table.dimensions[roles["time"]], table.dimensions[roles["area"]]
    months = {}
    for code in time.codes:
        months[code] = month_of(code)
        if months[code] is None:
            message = (f"{code!r} is a year: this is not a monthly table; Pilot Tracker stores monthly values "
                       "(time codes like 2026M06)") if re.fullmatch(r"\d{4}", code) else \
                f"{code!r} is not a month (time codes like 2026M06, months 01-12)"
            _fail(path, message, time.locations[code], time.code)
    areas = {code: area_code(code) for code in area.codes}
    ia, it, ic = roles["area"], roles["time"], roles["content"]
    observations: list[Observation] = []
    wheres: list[str] = []
    unknown_areas: Counter = Counter()
    unmapped: Counter = Counter()
    for cell in table.cells:
        try:
            value = parse_value(cell.raw)
        except ValueError:
            _fail(path, f"{json.dumps(cell.raw, ensure_ascii=False)} is not a number or a suppression symbol "
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
            _fail(path, f"{cell.raw!r} is negative (area {code}, month {cell.coords[it]})", cell.where,
                  cell.coords[ic])
        observations.append(Observation(indicator.code, code, months[cell.coords[it]], value,
                                        "suppressed" if value is None else "final"))
        wheres.append(cell.where)
    find_duplicates(path, ((o.key, w) for o, w in zip(observations, wheres)),
                    lambda key: f"indicator {key[0]}, area {key[1]}, month {key[2]:%Y-%m}")
    skipped = []
    if unknown_areas:
        skipped.append(Skipped("unknown area codes", tuple(unknown_areas), sum(unknown_areas.values())))
    if unmapped:
        skipped.append(Skipped("content codes not in the indicator registry", tuple(unmapped),
                               sum(unmapped.values())))
    indicators = sorted({o.indicator_code for o in observations})
    sources = Counter(by_code[c].source for c in mapped)
    return Harmonised(observations, skipped, indicators, sources.most_common(1)[0][0])


# --- load ------------------------------------------------------------------------------------------------

def load_pxweb(db_url: str, path: Path, *, registry: Registry | None = None, url: str | None = None,
               licence: str | None = None, retrieved_at: datetime | None = None,
               progress: ProgressFactory | None = None, now: datetime | None = None) -> LoadSummary:
    """Load one PxWeb file in one transaction; InputError (database untouched) on bad input."""
    registry = registry or default_registry()
    path = Path(path)
    table = read_table(path)
    engine = open_writable(db_url)
    summary = LoadSummary(file=path.name, target=display_url(db_url))
    try:
        with engine.begin() as conn:
            kinds = area_kinds(conn)
            result = harmonise(table, registry, kinds)
            require_indicators(conn, result.indicators)
            source = registry.sources[result.source_code]
            summary.provenance = Provenance(
                source=f"Statistics Finland PxWeb: {table.label or path.name}",
                url=url or source.url, licence=licence or source.licence,
                retrieved_at=retrieved_at or now or utcnow(),
                published_at=parse_timestamp(table.updated), sha256=file_sha256(path))
            summary.release_id, summary.release_reused = record_release(
                conn, summary.provenance, len(result.observations))
            write_observations(conn, result.observations, summary.release_id, summary, progress)
    finally:
        engine.dispose()
    summary.skipped = result.skipped
    periods = sorted({o.period for o in result.observations})
    loaded_kinds = Counter(kinds[code] for code in {o.area_code for o in result.observations})
    summary.notes.append(
        f"{table.format}; {len(periods)} month(s) ({periods[0]:%Y-%m}"
        + (f" … {periods[-1]:%Y-%m}); " if len(periods) > 1 else "); ")
        + f"{len(result.indicators)} indicators; areas: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(loaded_kinds.items())))
    if table.updated and summary.provenance.published_at is None:
        summary.notes.append(f"the file's 'updated' value {table.updated!r} is not a date; published_at left empty")
    return summary
