"""PxWeb files of any size, written by code for the fault, memory and fuzz tests: real area and content
codes (the area table's municipalities, the registry's PxWeb codes), deterministic values."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from app.indicators import registry
from app.ingest.reference import load_reference


def municipality_codes() -> list[str]:
    return sorted(a["code"] for a in load_reference().areas if a["kind"] == "municipality")


def content_codes() -> list[str]:
    """The PxWeb codes of the monthly registry indicators (not the yearly population)."""
    return [code for ind in registry() if not ind.annual_stock for code in ind.pxweb_codes]


def month_codes(first: date, count: int) -> list[str]:
    return [f"{first.year + (first.month - 1 + n) // 12}M{(first.month - 1 + n) % 12 + 1:02d}" for n in range(count)]


def json_stat(areas: list[str], months: list[str], contents: list[str], seed: int = 0) -> dict:
    """A JSON-stat 2 dataset (area x month x content) with whole-number values and a few suppressed cells."""
    dims = {"Alue": areas, "Kuukausi": months, "Tiedot": contents}
    total = len(areas) * len(months) * len(contents)
    values: list = [(n * 7919 + seed * 104729) % 5000 + 5 for n in range(total)]
    for n in range(3, total, 97):
        values[n] = None
    return {
        "version": "2.0", "class": "dataset", "label": "Generated 12r5-shaped table",
        "updated": "2026-07-21T05:00:00Z", "id": list(dims), "size": [len(v) for v in dims.values()],
        "role": {"geo": ["Alue"], "time": ["Kuukausi"], "metric": ["Tiedot"]},
        "dimension": {name: {"label": name, "category": {"index": {c: i for i, c in enumerate(codes)}}}
                      for name, codes in dims.items()},
        "value": values, "status": {str(n): "..." for n in range(3, total, 97)},
    }


def write_json_stat(path: Path, months: int, areas: list[str] | None = None, contents: list[str] | None = None,
                    first: date = date(2019, 1, 1), seed: int = 0) -> Path:
    """A file of len(areas) x months x len(contents) cells; returns its path."""
    doc = json_stat(areas or municipality_codes(), month_codes(first, months), contents or content_codes(), seed)
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return path
