"""The tables the PxWeb stand-in serves, and their answers in json-stat2 and PxWeb's own json.

The real 12r5 export is served over 2019M01..2026M06, every month with the file's June 2026 values, so a
fetched value can be checked exactly against the file; the hand-made table needs no shared data.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.months import months_between, pxweb_code
from tests.conftest import shared_file

SUPPRESSED = "..."


@dataclass
class StandInTable:
    """A table: area x time x content, each cell a raw string as in PxWeb files ('...' when suppressed)."""

    path: str  # below the API root, e.g. "fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"
    title: str
    areas: list[tuple[str, str]]  # (code, text)
    months: list[str]
    contents: list[tuple[str, str]]
    raw: Callable[[str, str, str], str]  # (area, month, content) -> '123', '12.8' or '...'
    updated: str = "2026-07-21T05:00:00Z"
    source: str = "KEHA-keskus, Työnvälitystilasto"
    variable_codes: tuple[str, str, str] = ("Alue", "Kuukausi", "Tiedot")

    def metadata(self) -> dict:
        area, time, content = self.variable_codes
        return {"title": self.title, "variables": [
            {"code": area, "text": "Alue", "values": [c for c, _ in self.areas],
             "valueTexts": [t for _, t in self.areas]},
            {"code": time, "text": "Kuukausi", "values": self.months, "valueTexts": self.months, "time": True},
            {"code": content, "text": "Tiedot", "values": [c for c, _ in self.contents],
             "valueTexts": [t for _, t in self.contents]}]}


def json_number(raw: str):
    return None if raw == SUPPRESSED else float(raw) if "." in raw else int(raw)


def real_12r5_table(first: date = date(2019, 1, 1), last: date = date(2026, 6, 1)) -> tuple[StandInTable, dict]:
    """The real export served over many months; also returns the export itself. Skips without ../shared."""
    export = json.loads(shared_file("real", "statfin_tyonv_12r5_2026M06.json").read_text(encoding="utf-8"))
    contents = [(c["code"], c["text"]) for c in export["columns"] if c["type"] == "c"]
    index = {code: n for n, (code, _) in enumerate(contents)}
    rows = {row["key"][0]: row["values"] for row in export["data"]}
    areas = [(code, "KOKO MAA" if code == "SSS" else code) for code in rows]
    meta = export["metadata"][0]
    table = StandInTable("fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px", meta["label"], areas,
                         [pxweb_code(m) for m in months_between(first, last)], contents,
                         lambda area, month, content: rows[area][index[content]], source=meta["source"])
    return table, export


def real_121w_table(years: range = range(2019, 2026)) -> tuple[StandInTable, dict]:
    """The real population export (2026 division) served as a yearly table, every year with the 2025 values."""
    export = json.loads(shared_file("real", "statfin_vaerak_121w_2025.json").read_text(encoding="utf-8"))
    contents = [(c["code"], c["text"]) for c in export["columns"] if c["type"] == "c"]
    index = {code: n for n, (code, _) in enumerate(contents)}
    rows = {row["key"][1]: row["values"] for row in export["data"]}
    meta = export["metadata"][0]
    table = StandInTable("fi/StatFin/vaerak/statfin_vaerak_pxt_121w.px", meta["label"],
                         [(code, code) for code in rows], [str(y) for y in years], contents,
                         lambda area, year, content: rows[area][index[content]], updated="2026-05-27T05:00:00Z",
                         source=meta["source"], variable_codes=("Alue", "Vuosi", "Tiedot"))
    return table, export


SMALL_VALUES = {  # area -> (jobseekers, unemployed) in 2026M04; later months add 10 and 5 per month
    "SSS": ("5000", "3000"), "KU091": ("2000", "1200"), "KU049": ("900", "500"), "KU092": ("700", "400"),
    "KU199": ("12", SUPPRESSED), "MK01": ("3600", "2100"), "SK011": ("3600", "2100"),
}


def small_table() -> StandInTable:
    """Hand-made: 7 areas (KU199 and the sub-region SK011 unknown to Pilot Tracker), 3 months, 2 contents."""
    months = ["2026M04", "2026M05", "2026M06"]
    contents = [("HAKIJALOPUSSA", "Työnhakijoita laskentapäivänä (lkm.)"),
                ("TYOTTOMATLOPUSSA", "Työttömät työnhakijat laskentapäivänä (lkm.)")]

    def raw(area: str, month: str, content: str) -> str:
        if (area, month, content) == ("KU092", "2026M05", "TYOTTOMATLOPUSSA"):
            return SUPPRESSED
        base = SMALL_VALUES[area][0 if content == "HAKIJALOPUSSA" else 1]
        step = months.index(month) * (10 if content == "HAKIJALOPUSSA" else 5)
        return base if base == SUPPRESSED else str(int(base) + step)

    areas = [(c, {"SSS": "KOKO MAA", "KU091": "Helsinki", "KU049": "Espoo", "KU092": "Vantaa",
                  "KU199": "Tuntematon", "MK01": "Uusimaa", "SK011": "Helsingin sk"}[c]) for c in SMALL_VALUES]
    return StandInTable("fi/StatFin/tyonv/small_pxt_test.px", "Hand-made test table", areas, months, contents, raw)


def json_stat2(table: StandInTable, selection: dict) -> dict:
    area, time, content = table.variable_codes
    areas, months, contents = selection[area], selection[time], selection[content]
    values, status = [], {}
    for a in areas:
        for m in months:
            for c in contents:
                raw = table.raw(a, m, c)
                if raw == SUPPRESSED:
                    status[str(len(values))] = SUPPRESSED
                values.append(json_number(raw))
    texts = {area: dict(table.areas), time: {m: m for m in table.months}, content: dict(table.contents)}
    dimension = {code: {"label": {area: "Alue", time: "Kuukausi", content: "Tiedot"}[code], "category": {
        "index": {v: n for n, v in enumerate(selection[code])},
        "label": {v: texts[code][v] for v in selection[code]}}} for code in (area, time, content)}
    dimension[content]["category"]["unit"] = {c: {"base": "lkm.", "decimals": 0} for c in contents}
    doc = {"version": "2.0", "class": "dataset", "label": table.title, "source": table.source,
           "updated": table.updated, "role": {"time": [time], "metric": [content]},
           "id": [area, time, content], "size": [len(areas), len(months), len(contents)],
           "dimension": dimension, "value": values}
    if status:
        doc["status"] = status
    return doc


def pxweb_json(table: StandInTable, selection: dict) -> dict:
    area, time, content = table.variable_codes
    texts = dict(table.contents)
    return {"columns": [{"code": area, "text": "Alue", "type": "d"}, {"code": time, "text": "Kuukausi", "type": "t"}]
            + [{"code": c, "text": texts[c], "type": "c"} for c in selection[content]],
            "data": [{"key": [a, m], "values": [table.raw(a, m, c) for c in selection[content]]}
                     for a in selection[area] for m in selection[time]],
            "metadata": [{"updated": table.updated, "label": table.title, "source": table.source}]}


def export_cells(export: dict) -> dict[tuple[str, str], str]:
    """(area, content) -> raw string of the export file (its only month)."""
    codes = [c["code"] for c in export["columns"] if c["type"] == "c"]
    return {(row["key"][0], codes[k]): v for row in export["data"] for k, v in enumerate(row["values"])}


def known_area_codes() -> set[str]:
    """The areas Pilot Tracker knows, from its own data files: the country, municipalities, regions, ELY areas."""
    data = Path(__file__).resolve().parent.parent / "data"
    codes = {"SSS"}
    for name in ("municipalities.csv", "regions.csv", "ely_areas.csv"):
        with (data / name).open(encoding="utf-8") as handle:
            codes |= {row["code"] for row in csv.DictReader(handle)}
    return codes
