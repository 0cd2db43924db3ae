"""app.months: the month spellings of URLs and of Statistics Finland, and month arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from app.months import (
    is_preliminary,
    month_code,
    months_between,
    parse_month_code,
    parse_pxweb_month,
    pxweb_code,
    shift_month,
    year_end_of,
)


def test_url_spelling_round_trips():
    for year in (1, 999, 2021, 9999):
        for month in range(1, 13):
            period = date(year, month, 1)
            assert parse_month_code(month_code(period)) == period
    assert month_code(date(2021, 3, 1)) == "2021-03" and month_code(date(999, 12, 1)) == "0999-12"


@pytest.mark.parametrize("text", ["2021-3", "2021-13", "2021-00", "21-03", "2021-03-01", "2021M03", "2021/03",
                                  "", "march", None, 202103, "2021-0３"])
def test_what_is_not_a_url_month_is_none(text):
    assert parse_month_code(text) is None


def test_url_month_ignores_surrounding_space():
    assert parse_month_code(" 2021-03 ") == date(2021, 3, 1)


@pytest.mark.parametrize("code", ["2026M06", "2026M6", "2026m06", "2026-06", "2026-6", "2026-06-01", "2026M06*",
                                  " 2026M06 "])
def test_statistics_finland_month_spellings(code):
    assert parse_pxweb_month(code) == date(2026, 6, 1)


@pytest.mark.parametrize("code", ["2026M13", "2026M00", "2026", "2026Q2", "2026H1", "2026-06-02", "2026M06**",
                                  "26M06", "2026M006", "２０２６M06"])
def test_what_is_not_a_statistics_finland_month_is_none(code):
    assert parse_pxweb_month(code) is None


def test_preliminary_marks_and_the_pxweb_spelling():
    assert is_preliminary("2026M06*") and is_preliminary("2026M06* ") and not is_preliminary("2026M06")
    assert pxweb_code(date(2026, 6, 1)) == "2026M06"
    assert parse_pxweb_month(pxweb_code(date(2021, 3, 1))) == date(2021, 3, 1)


def test_a_year_is_its_december_only_when_it_is_a_bare_year():
    assert year_end_of("2025") == year_end_of("2025*") == year_end_of(" 2025 ") == date(2025, 12, 1)
    for code in ("2025M12", "25", "20255", "2025Q4", ""):
        assert year_end_of(code) is None


@pytest.mark.parametrize(("start", "shift", "expected"), [
    (date(2021, 1, 1), -1, date(2020, 12, 1)),
    (date(2020, 12, 1), 1, date(2021, 1, 1)),
    (date(2021, 3, 1), -12, date(2020, 3, 1)),
    (date(2021, 3, 1), 0, date(2021, 3, 1)),
    (date(2021, 3, 1), 25, date(2023, 4, 1)),
    (date(2021, 3, 1), -27, date(2018, 12, 1)),
])
def test_shift_month_crosses_years(start, shift, expected):
    assert shift_month(start, shift) == expected


def test_months_between_includes_both_ends_and_starts_at_first_days():
    assert months_between(date(2021, 1, 31), date(2021, 3, 1)) == [date(2021, 1, 1), date(2021, 2, 1),
                                                                    date(2021, 3, 1)]
    assert months_between(date(2021, 3, 15), date(2021, 3, 2)) == [date(2021, 3, 1)]
    assert months_between(date(2021, 4, 1), date(2021, 3, 1)) == []
    span = months_between(date(2019, 1, 1), date(2024, 12, 1))
    assert len(span) == 72 and span[11] == date(2019, 12, 1) and span[12] == date(2020, 1, 1)
