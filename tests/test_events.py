"""The event annotations file: the events the issue asks for, a strict loader, the month-range lookup."""

from datetime import date

import pytest

from app.events import EVENTS_FILE, KINDS, EventsError, events_between, load_events
from app.settings import LANGUAGES

HEADER = "date,kind,text_fi,text_sv,text_en,end_date,source_url\n"
GOOD = "2021-03-01,pilot,alku,början,start,,\n"


def write(tmp_path, body, header=HEADER):
    path = tmp_path / "events.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_the_shipped_file_has_the_events_the_issue_names():
    events = load_events(EVENTS_FILE)
    by_kind_day = {(e.kind, e.day) for e in events}
    assert ("pilot", date(2021, 3, 1)) in by_kind_day
    assert ("pilot", date(2024, 12, 31)) in by_kind_day
    assert ("reform", date(2025, 1, 1)) in by_kind_day
    assert ("data_break", date(2025, 1, 1)) in by_kind_day
    decisions = [e for e in events if e.kind == "decision"]
    assert decisions and all(e.day.year == 2022 for e in decisions)
    assert "1269/2020" in next(e for e in events if e.day == date(2021, 3, 1)).text("en")
    assert all(e.kind in KINDS and all(e.text(lang) for lang in LANGUAGES) for e in events)
    assert [e.day for e in events] == sorted(e.day for e in events)


def test_a_month_precision_date_and_an_end_date(tmp_path):
    path = write(tmp_path, "2022-08,decision,jatko,förlängning,extension,,https://example.org/he\n"
                           "2023-05-01,data_break,katko,brott,break,2023-06-30,\n")
    first, second = load_events(path)
    assert (first.day, first.precision, first.source_url) == (date(2022, 8, 1), "month", "https://example.org/he")
    assert (second.end_day, second.precision) == (date(2023, 6, 30), "day")


@pytest.mark.parametrize("body, row, column, words", [
    (GOOD + "2021-13-01,pilot,a,b,c,,\n", 3, "date", "not a date"),
    (GOOD + "1.3.2021,pilot,a,b,c,,\n", 3, "date", "not a date"),
    ("2021-03-01,meeting,a,b,c,,\n", 2, "kind", "not one of"),
    ("2021-03-01,pilot,a,,c,,\n", 2, "text_sv", "empty"),
    ("2021-03-01,pilot,a,b,c,2021-02-01,\n", 2, "end_date", "before"),
    ("2021-03-01,pilot,a,b,c,soon,\n", 2, "end_date", "not a date"),
    ("2021-03-01,pilot,a,b,c,,www.example.org\n", 2, "source_url", "web address"),
    (GOOD + "\n\n2021-03-01,pilot,a,b,c,,,extra\n", 5, None, "fields"),
])
def test_a_bad_cell_is_named_by_file_row_and_column(tmp_path, body, row, column, words):
    path = write(tmp_path, body)
    with pytest.raises(EventsError) as caught:
        load_events(path)
    error = caught.value
    assert (error.row, error.column) == (row, column)
    assert str(path) in str(error) and f"row {row}" in str(error) and words in str(error)
    if column:
        assert f"column '{column}'" in str(error)


def test_a_missing_column_is_named(tmp_path):
    path = write(tmp_path, "2021-03-01,pilot,a,b\n", header="date,kind,text_fi,text_sv\n")
    with pytest.raises(EventsError, match="row 1, column 'text_en'"):
        load_events(path)


def test_events_between_months_in_a_language(tmp_path):
    path = write(tmp_path, "2021-03-01,pilot,alku,början,start,,\n"
                           "2022-08,decision,jatko,förlängning,extension,,\n"
                           "2022-08-31,reform,uudistus,reform,reform,,\n"
                           "2019-06-01,data_break,katko,brott,break,2021-01-31,\n"
                           "2025-01-01,reform,myöhemmin,senare,later,,\n")
    events = load_events(path)
    window = events_between(date(2021, 1, 1), date(2022, 8, 1), "sv", events)
    assert window.get_column("text").to_list() == ["brott", "början", "förlängning", "reform"]
    assert window.get_column("kind").to_list() == ["data_break", "pilot", "decision", "reform"]
    assert events_between(date(2021, 2, 1), date(2021, 2, 1), "en", events).is_empty()
    assert events_between(date(2025, 1, 1), date(2025, 1, 1), "fi", events).get_column("text").to_list() == ["myöhemmin"]


def test_events_between_reads_the_shipped_file_by_default():
    texts = events_between(date(2021, 3, 1), date(2021, 3, 1), "fi").get_column("text").to_list()
    assert len(texts) == 1 and "1269/2020" in texts[0]
