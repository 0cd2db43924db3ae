"""A table as a view hands it over: real numbers and dates, so a reader can sort it, with how each reads.

Columns are already named in the user's language. The renderer (app.ui.chrome.show_table) formats
number columns with the decimals given here, month columns as months and date columns as dates;
everything else is text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from html import escape

import polars as pl

from app.i18n import NO_VALUE, fmt_date, fmt_number, t
from app.months import month_code


class _Made:
    """What was made of a table once (its printed copies), shared by every copy of a kept view: the
    per-session copies of a view (app.ui.views) carry this object over as it is."""

    __slots__ = ("copies",)

    def __init__(self):
        self.copies: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class Table:
    frame: pl.DataFrame
    decimals: Mapping[str, int] = field(default_factory=dict)  # number column -> decimals shown
    months: tuple[str, ...] = ()  # date columns that hold months (shown as 2021-03)
    dates: tuple[str, ...] = ()  # date columns shown as days
    lines: tuple[str, ...] = ()  # list columns drawn as a small trend line in each row
    shade: str | None = None  # a column of position classes (1 = highest) whose cells are coloured by class
    compact: bool = False  # narrow whole-number columns (ranks, counts of areas), so the last columns stay in view
    made: _Made = field(default_factory=_Made, compare=False, repr=False)

    def __post_init__(self):
        columns = (*self.decimals, *self.months, *self.dates, *self.lines, *([self.shade] if self.shade else []))
        unknown = [c for c in columns if c not in self.frame.columns]
        if unknown:
            raise ValueError(f"table columns not in the frame: {', '.join(unknown)}")
        text = [c for c in self.decimals if not self.frame.schema[c].is_numeric()]
        if text:
            raise ValueError(f"number columns that do not hold numbers: {', '.join(text)}")


STATUS_WORDS = ("final", "provisional", "incomplete", "suppressed", "missing")  # the [status] texts of data/i18n


def status_text(lang: str, column: str = "status") -> pl.Expr:
    """A status column (final, provisional, ...) in the user's words."""
    # A mapping, not map_elements: no Python call from polars' worker threads (app.exports.neutralised).
    words = {status: t("status." + status, lang) for status in STATUS_WORDS}
    return pl.col(column).replace_strict(words, default=pl.col(column), return_dtype=pl.Utf8)


def _cell(value, column: str, table: Table, lang: str) -> str:
    if value is None:
        return NO_VALUE
    if column in table.decimals:
        return fmt_number(value, lang, table.decimals[column])
    if column in table.months and isinstance(value, date):
        return month_code(value)
    if column in table.dates and isinstance(value, date):
        return fmt_date(value, lang)
    return str(value)


def printed_html(table: Table, caption: str, lang: str, css_class: str = "") -> str:
    """table_html, made once per table, caption and language: a page sends its tables' printed copies on
    every rerun, and a trend's table of 120 months and several areas took 3-7 ms to write."""
    key = (caption, lang, css_class)
    html = table.made.copies.get(key)
    if html is None:
        html = table.made.copies[key] = table_html(table, caption, lang, css_class)
    return html


def table_html(table: Table, caption: str, lang: str, css_class: str = "") -> str:
    """The table as plain HTML (caption, column headers with scope, numbers right-aligned): the printed
    page's copy of a table whose screen version is an interactive grid."""
    heads = "".join(f'<th scope="col">{escape(c)}</th>' for c in table.frame.columns)
    rows = []
    for row in table.frame.iter_rows():
        cells = []
        for column, value in zip(table.frame.columns, row):
            align = ' style="text-align:right"' if column in table.decimals else ""
            cells.append(f"<td{align}>{escape(_cell(value, column, table, lang))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{escape(css_class)}"><caption>{escape(caption)}</caption><thead><tr>{heads}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")
