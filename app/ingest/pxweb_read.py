"""PxWeb output read into a neutral table: PxWeb's own JSON (`columns` + `data`) and JSON-stat (2, or 1 in a bundle).

Reading is strict and keeps a JSON location for every code and value (`data[17].values[3]`,
`dimension.Alue.category.index["2026M13"]`, `value[5]`), so later checks can name the place.
Nothing here knows about indicators or areas: app.ingest.pxweb_map maps the table to them.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from app.ingest.errors import InputError
from app.ingest.files import MAX_CELLS, MB, MAX_TEXT_BYTES, hostile_content
from app.ingest.jsonfiles import member_path, read_json
from app.ingest.validate import find_duplicates
from app.safe_text import clip, unsafe_char, without_unsafe

MAX_CODE_CHARS = 64


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


class LazyCells(Sequence):
    """The cells of a table, each made when asked: a file of millions of values keeps its raw values
    and codes, not millions of Cell objects (and a JSON-stat cube is never expanded to its declared size)."""

    def __init__(self, count: int, make: Callable[[int], Cell]):
        self._count, self._make = count, make

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, n):
        if isinstance(n, slice):
            return [self._make(i) for i in range(*n.indices(self._count))]
        if n < 0:
            n += self._count
        if not 0 <= n < self._count:
            raise IndexError(n)
        return self._make(n)

    def __iter__(self):
        return (self._make(n) for n in range(self._count))


@dataclass
class PxTable:
    """A PxWeb file read into a neutral shape, before any mapping."""

    path: Path
    format: str
    label: str | None
    updated: str | None
    dimensions: list[Dimension]
    cells: Sequence[Cell]


def fail(path: Path, message: str, where: str | None, column: str | None = None) -> NoReturn:
    raise InputError(path, message, location=where, column=column)


def _as_list(path: Path, value, where: str, what: str) -> list:
    if not isinstance(value, list):
        fail(path, f"expected {what} (a JSON list), found {type(value).__name__}", where)
    return value


def _code_text(path: Path, value, where: str) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value).strip() == "":
        fail(path, f"expected a code (text), found {clip(json.dumps(value), 60)}", where)
    code = str(value).strip()
    found = unsafe_char(code)
    if found:
        fail(path, f"a code contains a control or text-direction character ({found[1]})", where)
    if len(code) > MAX_CODE_CHARS:
        fail(path, f"a code of {len(code):,} characters; codes have at most {MAX_CODE_CHARS}", where)
    return code


def _label(value) -> str:
    """A label from the file's metadata as stored and shown: plain text, unsafe characters removed, short."""
    return clip(without_unsafe(str(value)).strip(), 200) if value not in (None, "") else ""


def _too_many(path: Path, cells: int, where: str) -> None:
    if cells > MAX_CELLS:
        fail(path, f"the table has {cells:,} values; a load reads at most {MAX_CELLS:,} values from one file "
                   f"(and files of at most {MAX_TEXT_BYTES // MB} MB): fetch or export it in parts, e.g. by "
                   "months (docs/ingest.md, Limits)", where)


def _read_pxweb_json(path: Path, doc: dict) -> PxTable:
    columns = _as_list(path, doc.get("columns"), "columns", "the list of columns")
    dims, value_columns = [], []
    for n, col in enumerate(columns):
        where = f"columns[{n}]"
        if not isinstance(col, dict) or "code" not in col:
            fail(path, "a column needs a 'code'", where)
        code = _code_text(path, col["code"], f"{where}.code")
        kind = col.get("type")
        if kind is not None and not isinstance(kind, str):
            fail(path, f"a column's type is {clip(json.dumps(kind), 40)}; PxWeb writes \"d\", \"t\" or \"c\"",
                 f"{where}.type")
        if kind == "c":
            value_columns.append((code, where, _label(col.get("text"))))
        else:
            dims.append(Dimension(code, _label(col.get("text")), {"t": "time"}.get(kind), where))
    if not value_columns:
        fail(path, "no value columns (type 'c'): this is not PxWeb JSON output", "columns")
    values_dim = Dimension("(value columns)", "content columns of type 'c'", "content", "columns")
    for code, where, _text in value_columns:
        values_dim.add(code, where)
    rows = _as_list(path, doc.get("data"), "data", "the data rows")
    if not rows:
        fail(path, "the table has no data rows", "data")
    _too_many(path, len(rows) * len(value_columns), "data")
    row_codes: list[tuple[str, ...]] = []
    keys = []
    for i, row in enumerate(rows):
        where = f"data[{i}]"
        if not isinstance(row, dict):
            fail(path, "a data row must be an object with 'key' and 'values'", where)
        key = _as_list(path, row.get("key"), f"{where}.key", "the row's key")
        values = _as_list(path, row.get("values"), f"{where}.values", "the row's values")
        if len(key) != len(dims):
            fail(path, f"the key has {len(key)} codes, the table has {len(dims)} key columns "
                        f"({', '.join(d.code for d in dims)})", f"{where}.key")
        if len(values) != len(value_columns):
            fail(path, f"the row has {len(values)} values, the table has {len(value_columns)} value columns",
                  f"{where}.values")
        codes = tuple(_code_text(path, k, f"{where}.key[{j}]") for j, k in enumerate(key))
        for j, (dim, code) in enumerate(zip(dims, codes)):
            dim.add(code, f"{where}.key[{j}]")
        keys.append((codes, f"{where}.key"))
        row_codes.append(codes)
    find_duplicates(path, keys, lambda codes: "the row " + " / ".join(codes))
    width = len(value_columns)

    def cell(n: int) -> Cell:
        i, k = divmod(n, width)
        return Cell(row_codes[i] + (value_columns[k][0],), rows[i]["values"][k], f"data[{i}].values[{k}]")

    cells = LazyCells(len(rows) * width, cell)
    meta = doc.get("metadata")
    meta = meta[0] if isinstance(meta, list) and meta and isinstance(meta[0], dict) else {}
    return PxTable(path, "PxWeb JSON", _label(meta.get("label")) or None, meta.get("updated"), dims + [values_dim],
                   cells)


def _category_codes(path: Path, dim_id: str, dim: dict, size: int) -> list[str]:
    where = member_path(member_path("dimension", dim_id), "category")
    category = dim.get("category") if isinstance(dim, dict) else None
    if not isinstance(category, dict):
        fail(path, "a dimension needs a 'category'", where)
    index = category.get("index")
    if index is None:
        labels = category.get("label")
        if isinstance(labels, dict) and len(labels) == 1:
            index = list(labels)
        else:
            fail(path, "the category has no 'index'", f"{where}.index")
    if isinstance(index, dict):
        positions = sorted(index.items(), key=lambda item: item[1] if isinstance(item[1], int) else -1)
        if [p for _, p in positions] != list(range(len(positions))):
            fail(path, "the index positions must be 0, 1, 2, … without gaps or repeats", f"{where}.index")
        codes = [_code_text(path, c, member_path(f"{where}.index", c)) for c, _ in positions]
    else:
        codes = [_code_text(path, c, f"{where}.index[{n}]") for n, c in enumerate(_as_list(
            path, index, f"{where}.index", "the category index"))]
        repeated = [c for c, k in Counter(codes).items() if k > 1]
        if repeated:
            fail(path, f"duplicate key: the category {repeated[0]!r} is listed twice", f"{where}.index")
    if len(codes) != size:
        fail(path, f"the dimension has {len(codes)} categories but 'size' says {size}", f"{where}.index")
    return [c.strip() for c in codes]


def _read_json_stat(path: Path, doc: dict, version: str) -> PxTable:
    ids = [_code_text(path, i, f"id[{n}]") for n, i in enumerate(_as_list(path, doc.get("id"), "id",
                                                                            "the dimension ids"))]
    sizes = _as_list(path, doc.get("size"), "size", "the dimension sizes")
    if len(ids) != len(sizes) or not all(isinstance(s, int) and s > 0 for s in sizes):
        fail(path, f"'size' must hold a positive count for each of the {len(ids)} dimensions", "size")
    dimension = doc.get("dimension")
    if not isinstance(dimension, dict):
        fail(path, "the dataset has no 'dimension' object", "dimension")
    role = doc.get("role") if isinstance(doc.get("role"), dict) else {}
    hints = {}
    for name, our in (("geo", "area"), ("time", "time"), ("metric", "content")):
        listed = role.get(name)
        for dim_id in listed if isinstance(listed, list) else []:
            if isinstance(dim_id, str):
                hints[dim_id] = our
    dims = []
    for n, (dim_id, size) in enumerate(zip(ids, sizes)):
        if dim_id not in dimension:
            fail(path, f"dimension {dim_id!r} is listed in 'id' but not described", f"id[{n}]")
        entry = dimension[dim_id]
        dim = Dimension(dim_id, _label(entry.get("label")) if isinstance(entry, dict) else "", hints.get(dim_id),
                        member_path("dimension", dim_id))
        for code in _category_codes(path, dim_id, entry, size):
            dim.add(code, member_path(f"{dim.where}.category.index", code))
        dims.append(dim)
    total = math.prod(sizes)
    values = doc.get("value")
    status = doc.get("status")
    if isinstance(values, list):
        _too_many(path, len(values), "value")
        if len(values) != total:
            fail(path, f"'value' has {len(values)} entries, the dimensions need {' x '.join(map(str, sizes))} "
                        f"= {total}", "value")
        present = range(total)
    elif isinstance(values, dict):
        _too_many(path, len(values) + (len(status) if isinstance(status, dict) else 0), "value")
        present = sorted({_sparse_index(path, k, total, "value") for k in values}
                         | ({_sparse_index(path, k, total, "status") for k in status}
                            if isinstance(status, dict) else set()))
    else:
        fail(path, "the dataset has no 'value' list or object", "value")
    strides = [math.prod(sizes[i + 1:]) for i in range(len(sizes))]

    def cell(i: int) -> Cell:
        n = present[i]
        coords = tuple(d.codes[(n // stride) % size] for d, stride, size in zip(dims, strides, sizes))
        return Cell(coords, values[n] if isinstance(values, list) else values.get(str(n)), f"value[{n}]")

    cells = LazyCells(len(present), cell)
    updated = doc.get("updated")
    return PxTable(path, f"JSON-stat {clip(version, 10)}", _label(doc.get("label")) or None, updated, dims, cells)


def _sparse_index(path: Path, key: str, total: int, where: str) -> int:
    if not key.isdigit() or int(key) >= total:
        fail(path, f"{key!r} is not a cell index below {total}", member_path(where, key))
    return int(key)


def read_table(path: Path) -> PxTable:
    """Read a PxWeb JSON or JSON-stat (2, or 1 in a bundle) file into a PxTable."""
    path = Path(path)
    with hostile_content(path):
        return table_from_document(read_json(path), path)


def table_from_document(doc: object, path: Path | str) -> PxTable:
    """A parsed PxWeb JSON or JSON-stat document (a file's, or one the API client merged) into a PxTable;
    path names it in messages."""
    path = Path(path)
    if not isinstance(doc, dict):
        fail(path, "expected a JSON object at the top level", "$")
    if "columns" in doc and "data" in doc:
        return _read_pxweb_json(path, doc)
    if doc.get("class") == "dataset" or ("id" in doc and "dimension" in doc and "value" in doc):
        return _read_json_stat(path, doc, str(doc.get("version", "2.0")))
    if doc.get("class") in ("collection", "bundle"):
        fail(path, f"a JSON-stat {doc['class']}: export a single table (dataset) from PxWeb", "class")
    bundled = [v for v in doc.values() if isinstance(v, dict) and isinstance(v.get("dimension"), dict)]
    if len(bundled) == 1 and "id" in bundled[0]["dimension"]:  # JSON-stat 1: id/size/role inside dimension
        ds = dict(bundled[0])
        ds.update(id=ds["dimension"]["id"], size=ds["dimension"].get("size"), role=ds["dimension"].get("role"))
        return _read_json_stat(path, ds, "1")
    raise InputError(path, "neither PxWeb JSON (`columns` and `data`) nor JSON-stat (`id`, `size`, `dimension`, "
                           "`value`): a file of another kind", location="$")
