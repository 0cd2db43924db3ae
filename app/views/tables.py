"""A table as a view hands it over: real numbers and dates, so a reader can sort it, with how each reads.

Columns are already named in the user's language. The renderer (app.ui.chrome.show_table) formats
number columns with the decimals given here, month columns as months and date columns as dates;
everything else is text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from app.i18n import t


@dataclass(frozen=True)
class Table:
    frame: pl.DataFrame
    decimals: Mapping[str, int] = field(default_factory=dict)  # number column -> decimals shown
    months: tuple[str, ...] = ()  # date columns that hold months (shown as 2021-03)
    dates: tuple[str, ...] = ()  # date columns shown as days
    lines: tuple[str, ...] = ()  # list columns drawn as a small trend line in each row
    shade: str | None = None  # a column of position classes (1 = highest) whose cells are coloured by class
    compact: bool = False  # narrow whole-number columns (ranks, counts of areas), so the last columns stay in view

    def __post_init__(self):
        columns = (*self.decimals, *self.months, *self.dates, *self.lines, *([self.shade] if self.shade else []))
        unknown = [c for c in columns if c not in self.frame.columns]
        if unknown:
            raise ValueError(f"table columns not in the frame: {', '.join(unknown)}")
        text = [c for c in self.decimals if not self.frame.schema[c].is_numeric()]
        if text:
            raise ValueError(f"number columns that do not hold numbers: {', '.join(text)}")


def status_text(lang: str, column: str = "status") -> pl.Expr:
    """A status column (final, provisional, ...) in the user's words."""
    return pl.col(column).map_elements(lambda status: t("status." + status, lang), return_dtype=pl.Utf8)
