"""Translations and locale-correct formatting for Finnish, Swedish and English.

Catalogues are data (data/i18n/<lang>.toml); numbers, percentages and months go through Babel so
Finnish and Swedish get `12 345,6 %` and month names in the right case ("maaliskuu 2021").
"""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol, parse_pattern

from app.safe_text import shown
from app.settings import DATA_DIR, LANGUAGES

LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
NO_VALUE = "–"


def _flatten(doc: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


def load_catalogue(path: Path) -> dict[str, str]:
    with path.open("rb") as fh:
        return _flatten(tomllib.load(fh))


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    return load_catalogue(DATA_DIR / "i18n" / f"{lang}.toml")


def t(key: str, lang: str, **params) -> str:
    """The text for key in lang; a missing key shows itself (and a test keeps catalogues complete)."""
    text = catalogue(lang if lang in LANGUAGES else "fi").get(key, key)
    return text.format(**params) if params else text


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@lru_cache(maxsize=None)
def _number_format(lang: str, decimals: int) -> tuple:
    """Babel's parsed pattern and locale, once: format_decimal parses both on every call (3x the cost)."""
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else "")), Locale.parse(LOCALES[lang])


@lru_cache(maxsize=None)
def _separators(lang: str) -> tuple[str, str]:
    return get_group_symbol(LOCALES[lang]), get_decimal_symbol(LOCALES[lang])


def warm_locales() -> None:
    """Load Babel's data for every language now, not in the first session to ask for each: the first
    number or month in a language took 5-18 ms (a profile of the overview's first Swedish run). A server
    calls it once, at its first script run (app.ui.head)."""
    for lang in LOCALES:
        _separators(lang)
        _number_format(lang, 0)
        fmt_month(date(2021, 3, 1), lang)


def babel_number(value: float, lang: str, decimals: int = 0) -> str:
    """The number as Babel formats it: the reference fmt_number is tested against."""
    pattern, locale = _number_format(lang, decimals)
    return pattern.apply(value, locale)


def fmt_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """Babel's "#,##0.0…" for the language, done by the decimal module: a map's hovers, a table's cells
    and a trend's hover texts format thousands of numbers, and Babel's general pattern engine took
    three times as long. Same rounding (the shortest decimal form, then half to even) and the same
    symbols; tests/test_i18n.py compares the two."""
    if _is_missing(value):
        return NO_VALUE
    if not math.isfinite(value):
        return babel_number(value, lang, decimals)
    rounded = Decimal(repr(float(value))).quantize(_STEPS[decimals] if decimals < len(_STEPS) else
                                                   Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    group, decimal = _separators(lang)
    return format(rounded, ",f").replace(",", "\x00").replace(".", decimal).replace("\x00", group)


_STEPS = tuple(Decimal(1).scaleb(-d) for d in range(6))


def percent_suffix(lang: str) -> str:
    """What follows a percentage: Finnish and Swedish put a no-break space before the sign, English none."""
    return "%" if lang == "en" else "\u00a0%"


def plotly_separators(lang: str) -> str:
    """Plotly's `separators` (decimal sign, then thousands sign), so figures print numbers as fmt_number does."""
    return get_decimal_symbol(LOCALES[lang]) + get_group_symbol(LOCALES[lang])


def fmt_percent(value: float | None, lang: str, decimals: int = 1) -> str:
    """value is already in percent (12.3 -> '12,3 %' in fi/sv, '12.3%' in en)."""
    if _is_missing(value):
        return NO_VALUE
    return fmt_number(value, lang, decimals) + percent_suffix(lang)


def fmt_signed(value: float | None, lang: str, decimals: int = 0, percent: bool = False) -> str:
    if _is_missing(value):
        return NO_VALUE
    body = fmt_percent(abs(value), lang, decimals) if percent else fmt_number(abs(value), lang, decimals)
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "\u00b1")
    return sign + body


@lru_cache(maxsize=4096)
def fmt_month(period: date, lang: str) -> str:
    """A month's name and year; a chart names the same months again and again, so each is formatted once."""
    return format_date(period, "LLLL y", locale=LOCALES[lang])


def fmt_date(day: date, lang: str) -> str:
    return format_date(day, "d.M.y" if lang in ("fi", "sv") else "d MMMM y", locale=LOCALES[lang])


def fmt_value(value: float | None, unit: str, lang: str) -> str:
    """A value with its unit, as hover text and tables show it."""
    if unit == "percent":
        return fmt_percent(value, lang)
    if _is_missing(value):
        return NO_VALUE
    decimals = 1 if unit == "per_1000" else 0  # a rate per 1,000 inhabitants reads with one decimal
    return f"{fmt_number(value, lang, decimals)} {t('unit.' + unit, lang)}"


def plain(text: str) -> str:
    """A catalogue text without its Markdown marks, for places that print text as it is (figures, CSV)."""
    return re.sub(r"\*\*|`", "", text)


def area_name(row: dict, lang: str) -> str:
    """The area's name in lang (else Finnish, else its code), without control characters and cut at 200."""
    return shown(row.get(f"name_{lang}") or row.get("name_fi") or row.get("code", ""))
