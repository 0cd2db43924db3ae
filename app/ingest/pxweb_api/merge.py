"""The answers to many queries merged into one JSON-stat 2.0 dataset, as if the table had been asked at once.

Each answer must match its query exactly (same variables, the queried codes, a value per cell), and
every cell of the plan must be filled once; anything else is a FetchError, never a partial document.
Suppressed cells stay `null` with their status symbol (`"..."`), never zero.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import tempfile
from pathlib import Path

from app.ingest.pxweb_api.plan import Plan, Query, TableMeta
from app.ingest.pxweb_api.transport import FetchError


class Merger:
    """Collects the answers of a plan's queries into one value list in the plan's cell order."""

    def __init__(self, url: str, meta: TableMeta, plan: Plan):
        self.url, self.meta, self.plan = url, meta, plan
        self.ids: list[str] | None = None
        self.positions = {code: {c: n for n, c in enumerate(values)} for code, values in plan.selection.items()}
        self.labels: dict[str, dict[str, str]] = {code: {} for code in plan.selection}
        self.entries: dict[str, dict] = {}
        self.head: dict = {}
        self.updated: str | None = None
        total = plan.cells
        self.values: list = [None] * total
        self.status: dict[str, str] = {}
        self.filled = bytearray(total)

    def add(self, query: Query, answer) -> None:
        """Place one answer's cells; FetchError when it does not answer the query."""
        if not isinstance(answer, dict) or not isinstance(answer.get("dimension"), dict):
            self._refuse(query, "it is not a JSON-stat 2 dataset")
        ids, sizes = answer.get("id"), answer.get("size")
        if not isinstance(ids, list) or not isinstance(sizes, list) or len(ids) != len(sizes):
            self._refuse(query, "'id' and 'size' are missing or differ in length")
        if set(ids) != set(dict(query.selection)) or (self.ids is not None and ids != self.ids):
            self._refuse(query, f"it has the variables {ids}, the query asked for {list(dict(query.selection))}")
        if self.ids is None:
            self._start(answer, ids)
        strides = [math.prod(len(self.plan.selection[c]) for c in ids[n + 1:]) for n in range(len(ids))]
        offsets = []
        for dim_id, size, stride in zip(ids, sizes, strides):
            codes = _category_codes(answer["dimension"].get(dim_id))
            if codes is None or len(codes) != size or sorted(codes) != sorted(query.values(dim_id)):
                self._refuse(query, f"its codes of {dim_id!r} are not the ones asked for")
            self._keep_category_texts(dim_id, answer["dimension"][dim_id]["category"], codes)
            offsets.append([self.positions[dim_id][c] * stride for c in codes])
        values = answer.get("value")
        if not isinstance(values, list) or len(values) != query.cells:
            self._refuse(query, f"it has {len(values) if isinstance(values, list) else 'no'} values for "
                                f"{query.cells:,} cells")
        status = _status_map(answer.get("status"), len(values))
        for n, index in enumerate(map(sum, itertools.product(*offsets))):
            if self.filled[index]:
                self._refuse(query, "it repeats a cell an earlier answer gave")
            self.filled[index] = 1
            self.values[index] = values[n]
            if n in status:
                self.status[str(index)] = status[n]
        updated = answer.get("updated")
        if isinstance(updated, str) and (self.updated is None or updated > self.updated):
            self.updated = updated

    def document(self) -> dict:
        """The merged dataset; FetchError if any cell of the plan is still missing."""
        missing = len(self.filled) - sum(self.filled)
        if missing or self.ids is None:
            raise FetchError(self.url, f"{missing:,} of {len(self.filled):,} cells were never answered")
        dimension = {}
        for dim_id in self.ids:
            var = self.meta.variable(dim_id)
            codes = self.plan.selection[dim_id]
            entry = dict(self.entries.get(dim_id, {}))
            category = dict(entry.get("category", {}))
            category["index"] = {c: n for n, c in enumerate(codes)}
            category["label"] = {c: self.labels[dim_id].get(c, var.text_of(c)) for c in codes}
            entry.update(label=entry.get("label", var.text), category=category)
            dimension[dim_id] = entry
        doc = {"version": "2.0", "class": "dataset", **self.head, "id": list(self.ids),
               "size": [len(self.plan.selection[d]) for d in self.ids], "dimension": dimension,
               "value": self.values}
        if self.status:
            doc["status"] = self.status
        if self.updated:
            doc["updated"] = self.updated
        return doc

    def _start(self, answer: dict, ids: list[str]) -> None:
        self.ids = list(ids)
        for key in ("label", "source", "note", "href"):
            if key in answer:
                self.head[key] = answer[key]
        self.head.setdefault("label", self.meta.title)
        role = {k: list(v) for k, v in answer.get("role", {}).items() if isinstance(v, list)} \
            if isinstance(answer.get("role"), dict) else {}
        for name, code in (("time", self.plan.time), ("geo", self.plan.area), ("metric", self.plan.content)):
            if code in ids and not any(code in v for v in role.values()):
                role.setdefault(name, []).append(code)
        self.head["role"] = role
        for dim_id in ids:
            entry = answer["dimension"].get(dim_id)
            if isinstance(entry, dict):
                self.entries[dim_id] = {k: v for k, v in entry.items() if k != "category"}

    def _keep_category_texts(self, dim_id: str, category: dict, codes: list[str]) -> None:
        """Labels and per-code extras (a metric's `unit`) of this answer's codes, for the merged dimension."""
        for key, value in category.items():
            if key == "label" and isinstance(value, dict):
                self.labels[dim_id].update({c: str(value[c]) for c in codes if c in value})
            elif key not in ("index", "label"):
                extras = self.entries.setdefault(dim_id, {}).setdefault("category", {})
                if isinstance(value, dict) and isinstance(extras.get(key, {}), dict):
                    extras.setdefault(key, {}).update(value)
                else:
                    extras.setdefault(key, value)

    def _refuse(self, query: Query, why: str):
        raise FetchError(self.url, f"the answer to a query of {query.cells:,} cells does not match it: {why}")


def _category_codes(entry) -> list[str] | None:
    category = entry.get("category") if isinstance(entry, dict) else None
    index = category.get("index") if isinstance(category, dict) else None
    if isinstance(index, dict):
        return [c for c, _ in sorted(index.items(), key=lambda item: item[1])]
    if isinstance(index, list):
        return [str(c) for c in index]
    labels = category.get("label") if isinstance(category, dict) else None
    return list(labels) if isinstance(labels, dict) and len(labels) == 1 else None


def _status_map(status, count: int) -> dict[int, str]:
    """JSON-stat status as {cell: symbol}: an object, a list per cell, or one string for every cell."""
    if isinstance(status, dict):
        return {int(k): str(v) for k, v in status.items() if str(k).isdigit()}
    if isinstance(status, list):
        return {n: str(v) for n, v in enumerate(status) if v is not None}
    if isinstance(status, str):
        return dict.fromkeys(range(count), status)
    return {}


def write_json_stat(document: dict, path: Path | str) -> Path:
    """Write the document whole or not at all: a temp file beside the target, then an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
