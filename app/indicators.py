"""The indicator registry: declared once in data/indicators.toml, validated on load.

URL parameters and ingestion content codes name indicators only through this registry.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from app.settings import DATA_DIR, LANGUAGES

UNITS = ("persons", "vacancies", "percent")


class RegistryError(ValueError):
    """The indicator data file is inconsistent; raised at load, never at query time."""


@dataclass(frozen=True)
class Source:
    code: str
    names: dict[str, str]
    url: str
    licence: str

    def name(self, lang: str) -> str:
        return self.names[lang]


@dataclass(frozen=True)
class Indicator:
    code: str
    kind: str  # "count" | "ratio"
    unit: str
    source: str
    public: bool
    names: dict[str, str]
    descriptions: dict[str, str]
    scale: float = 1.0
    numerator: str | None = None
    denominator: str | None = None
    pxweb_codes: tuple[str, ...] = field(default_factory=tuple)
    annual_stock: bool = False  # a yearly end-of-year stock, stored as that year's December
    pilot_scoped: bool = False  # reported only by pilot municipalities; elsewhere a missing row means 0

    def name(self, lang: str) -> str:
        return self.names[lang]

    def description(self, lang: str) -> str:
        return self.descriptions[lang]

    @property
    def is_ratio(self) -> bool:
        return self.kind == "ratio"


@dataclass(frozen=True)
class Registry:
    indicators: dict[str, Indicator]
    sources: dict[str, Source]

    def __getitem__(self, code: str) -> Indicator:
        return self.indicators[code]

    def __contains__(self, code: object) -> bool:
        return code in self.indicators

    def __iter__(self):
        return iter(self.indicators.values())

    def codes(self, public_only: bool = False) -> list[str]:
        return [i.code for i in self if i.public or not public_only]

    def by_pxweb_code(self) -> dict[str, Indicator]:
        return {px: ind for ind in self for px in ind.pxweb_codes}


def _require(entry: dict, key: str, where: str):
    if key not in entry or entry[key] in ("", None):
        raise RegistryError(f"{where}: missing '{key}'")
    return entry[key]


def parse_registry(doc: dict, where: str = "indicators.toml") -> Registry:
    sources = {}
    for code, src in doc.get("sources", {}).items():
        sw = f"{where} [sources.{code}]"
        sources[code] = Source(
            code=code,
            names={lang: _require(src, f"name_{lang}", sw) for lang in LANGUAGES},
            url=_require(src, "url", sw),
            licence=_require(src, "licence", sw),
        )
    indicators: dict[str, Indicator] = {}
    for n, entry in enumerate(doc.get("indicator", []), start=1):
        iw = f"{where} indicator #{n} ({entry.get('code', '?')})"
        code = _require(entry, "code", iw)
        if code in indicators:
            raise RegistryError(f"{iw}: duplicate code")
        kind = _require(entry, "kind", iw)
        if kind not in ("count", "ratio"):
            raise RegistryError(f"{iw}: kind must be count or ratio, not {kind!r}")
        unit = _require(entry, "unit", iw)
        if unit not in UNITS:
            raise RegistryError(f"{iw}: unknown unit {unit!r}")
        source = _require(entry, "source", iw)
        if source not in sources:
            raise RegistryError(f"{iw}: unknown source {source!r}")
        ind = Indicator(
            code=code,
            kind=kind,
            unit=unit,
            source=source,
            public=bool(entry.get("public", True)),
            names={lang: _require(entry, f"name_{lang}", iw) for lang in LANGUAGES},
            descriptions={lang: _require(entry, f"description_{lang}", iw) for lang in LANGUAGES},
            scale=float(entry.get("scale", 1.0)),
            numerator=entry.get("numerator"),
            denominator=entry.get("denominator"),
            pxweb_codes=tuple(entry.get("pxweb_codes", ())),
            annual_stock=bool(entry.get("annual_stock", False)),
            pilot_scoped=entry.get("scope", "all") == "pilot",
        )
        if entry.get("scope", "all") not in ("all", "pilot"):
            raise RegistryError(f"{iw}: scope must be all or pilot, not {entry['scope']!r}")
        if ind.pilot_scoped and kind != "count":
            raise RegistryError(f"{iw}: only a count can be pilot-scoped (a ratio follows its parts)")
        if kind == "ratio" and not (ind.numerator and ind.denominator):
            raise RegistryError(f"{iw}: a ratio needs a numerator and a denominator")
        if ind.annual_stock and kind != "count":
            raise RegistryError(f"{iw}: only a count can be an annual stock")
        if kind == "count" and (ind.numerator or ind.denominator):
            raise RegistryError(f"{iw}: a count has no numerator or denominator")
        indicators[code] = ind
    for ind in indicators.values():
        for part in (ind.numerator, ind.denominator):
            if part is None:
                continue
            if part not in indicators:
                raise RegistryError(f"{where}: {ind.code} refers to unknown indicator {part!r}")
            if indicators[part].kind != "count":
                raise RegistryError(f"{where}: {ind.code}: {part!r} must be a count")
    seen: dict[str, str] = {}
    for ind in indicators.values():
        for px in ind.pxweb_codes:
            if px in seen:
                raise RegistryError(f"{where}: PxWeb code {px} mapped to both {seen[px]} and {ind.code}")
            seen[px] = ind.code
    return Registry(indicators=indicators, sources=sources)


def load_registry_file(path: Path) -> Registry:
    with path.open("rb") as fh:
        return parse_registry(tomllib.load(fh), where=path.name)


@lru_cache(maxsize=1)
def registry() -> Registry:
    return load_registry_file(DATA_DIR / "indicators.toml")
