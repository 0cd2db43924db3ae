"""Catalogues complete in three languages; Babel formats numbers, percentages and months per locale."""

import re
import string
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.i18n import (
    babel_number,
    catalogue,
    fmt_month,
    fmt_number,
    fmt_percent,
    fmt_signed,
    fmt_value,
    percent_suffix,
    plain,
    plotly_separators,
    t,
)
from app.months import parse_month_code
from tests.conftest import ROOT

NBSP = "\u00a0"


def test_catalogues_have_the_same_keys_and_placeholders():
    fi, sv, en = catalogue("fi"), catalogue("sv"), catalogue("en")
    assert set(fi) == set(sv) == set(en)
    for key in fi:
        fields = [{f for _, f, _, _ in string.Formatter().parse(c[key]) if f} for c in (fi, sv, en)]
        assert fields[0] == fields[1] == fields[2], key
        assert all(c[key].strip() for c in (fi, sv, en)), key


def test_every_key_used_in_code_exists():
    used = set()
    for path in list((ROOT / "pages").glob("*.py")) + list((ROOT / "app").rglob("*.py")) + [ROOT / "streamlit_app.py"]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    assert used, "the scan found no keys"
    missing = sorted(k for k in used if k not in catalogue("fi"))
    assert not missing


RUN_TIME_PREFIXES = ("status.", "status_short.", "unit.", "kind.", "level.", "mode.")  # keys pages build as t("status." + s)


def test_every_catalogue_key_is_used():
    """A key no code asks for is a text no user sees: remove it, or use it."""
    sources = list((ROOT / "pages").glob("*.py")) + list((ROOT / "app").rglob("*.py")) + [ROOT / "streamlit_app.py"]
    code = "\n".join(path.read_text(encoding="utf-8") for path in sources)
    assert all(f'"{prefix}' in code for prefix in RUN_TIME_PREFIXES)
    unused = [key for key in catalogue("fi")
              if not key.startswith(RUN_TIME_PREFIXES) and f'"{key}"' not in code and f"'{key}'" not in code]
    assert not unused


def test_pages_hold_no_ui_string_literals_outside_the_catalogue():
    for path in (ROOT / "pages").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "st.title(\"" not in source and "st.header(\"" not in source and "st.markdown(\"" not in source, path


@pytest.mark.parametrize("lang, expected", [("fi", f"12{NBSP}345,6{NBSP}%"), ("sv", f"12{NBSP}345,6{NBSP}%"),
                                            ("en", "12,345.6%")])
def test_percent_formatting(lang, expected):
    assert fmt_percent(12345.6, lang) == expected


@pytest.mark.parametrize("lang, expected", [("fi", "maaliskuu 2021"), ("sv", "mars 2021"), ("en", "March 2021")])
def test_month_names(lang, expected):
    assert fmt_month(date(2021, 3, 1), lang) == expected


def test_numbers_and_missing_values():
    assert fmt_number(1234567, "fi") == f"1{NBSP}234{NBSP}567"
    assert fmt_number(1234567, "en") == "1,234,567"
    assert fmt_number(None, "fi") == "–"
    assert fmt_percent(float("nan"), "en") == "–"
    assert fmt_signed(-12.0, "fi") == "\u221212"
    assert fmt_signed(5, "en") == "+5"
    assert fmt_value(1500, "persons", "sv") == f"1{NBSP}500 personer"
    assert fmt_value(None, "persons", "sv") == "–"


@pytest.mark.parametrize("lang, separators, suffix", [("fi", f",{NBSP}", f"{NBSP}%"), ("sv", f",{NBSP}", f"{NBSP}%"),
                                                      ("en", ".,", "%")])
def test_figures_get_the_same_separators_and_percent_sign_as_the_text(lang, separators, suffix):
    """Plotly prints numbers with `separators`; they must agree with fmt_number and fmt_percent."""
    assert plotly_separators(lang) == separators
    assert percent_suffix(lang) == suffix and fmt_percent(1234.5, lang).endswith(suffix)
    assert fmt_number(1234.5, lang, 1) == f"1{separators[1]}234{separators[0]}5"


def test_plain_drops_markdown_marks_for_figures():
    assert plain("**Demo:** load with `pilot-tracker boundaries fetch`.") == \
        "Demo: load with pilot-tracker boundaries fetch."


def test_month_codes_parse_strictly():
    assert parse_month_code("2021-03") == date(2021, 3, 1)
    for bad in ("2021-13", "2021-3", "21-03", "x", "2021-03-01", ""):
        assert parse_month_code(bad) is None


def test_t_fills_parameters_and_falls_back_for_unknown_language():
    assert t("trends.axis_index", "en", month="March 2021") == "Index, March 2021 = 100"
    assert t("nav.map", "xx") == t("nav.map", "fi")


def test_keys_built_at_run_time_exist_in_every_language():
    """Pages build keys like t("status." + s): enumerate the values they can take."""
    from app.indicators import UNITS
    from app.schema import AREA_KINDS, STATUSES
    from app.views.maps import MAP_LEVELS
    from app.views.trends import MODES

    keys = [f"status.{s}" for s in STATUSES + ("missing",)] + [f"unit.{u}" for u in UNITS + ("points",)]
    keys += [f"kind.{k}" for k in AREA_KINDS] + [f"level.{lv}" for lv in MAP_LEVELS] + [f"mode.{m}" for m in MODES]
    for lang in ("fi", "sv", "en"):
        assert [k for k in keys if k not in catalogue(lang)] == [], lang


@settings(max_examples=3000, deadline=None)
@given(value=st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
                       st.integers(min_value=-10**12, max_value=10**12),
                       st.decimals(min_value=-10000, max_value=10000, places=3).map(float)),
       lang=st.sampled_from(["fi", "sv", "en"]), decimals=st.integers(min_value=0, max_value=3))
def test_fmt_number_is_babels_number(value, lang, decimals):
    """fmt_number does Babel's job faster: the same text for every number, ties and -0.0 included."""
    assert fmt_number(value, lang, decimals) == babel_number(value, lang, decimals)


def test_fmt_number_ties_and_signs():
    assert fmt_number(2.675, "en", 2) == "2.68" and fmt_number(0.125, "en", 2) == "0.12"
    assert fmt_number(-1234.5, "fi", 1) == "-1\u00a0234,5" and fmt_number(1234567, "sv") == "1\u00a0234\u00a0567"
    assert fmt_number(float("inf"), "en") == babel_number(float("inf"), "en")
