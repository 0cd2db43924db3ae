"""The compare page's ranking as a snapshot: each indicator's value, rank and median for the chosen areas.

The rows come from app.views.compare.compare_view (the page's own function) under public rules; the
picture is the same numbers as a Plotly table, so the snapshot has an SVG and a PNG like every other,
while its HTML page carries them as an accessible table.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from app.charts.style import FONT, TEXT_COLOUR
from app.exports import published_decimals, source_text
from app.i18n import fmt_month, fmt_number, t
from app.indicators import registry
from app.views.chart import Chart, release_date
from app.views.compare import compare_view
from app.views.rates import rate_indicator
from app.views.source import Source
from app.views.tables import Table

HEADER_FILL, ROW_FILLS = "#E8EEF4", ("#FFFFFF", "#F5F5F5")
ROW_PX, TOP_PX = 46, 70  # a row may wrap to two lines


def _number(value, decimals: int, lang: str) -> str:
    return "–" if value is None else fmt_number(value, lang, decimals)


def compare_chart(source: Source, indicators: list[str], areas: list[str], month, per: str, lang: str) -> Chart:
    """The ranking of the areas (the focus first) on each indicator, as a Chart whose tidy frame is the export."""
    view = compare_view(source, indicators, areas, month, per, lang, public=True)
    export, reg = view.export, registry()
    names = source.area_names(lang)
    heads = [t("common.indicator", lang), t("common.area", lang), t("compare.col_value", lang),
             t("compare.col_rank", lang), t("compare.col_median", lang), t("compare.col_change_year", lang)]
    decimals = {code: published_decimals(rate_indicator(reg[code], per)) for code in indicators}
    rows = export.to_dicts()
    cells = [
        [r["indicator_name"] for r in rows], [names.get(r["area_code"], r["area_code"]) for r in rows],
        [f"{_number(r['value'], decimals[r['indicator']], lang)} {r['unit']}".strip() for r in rows],
        [f"{r['rank']} / {r['ranked']}" if r["rank"] is not None else "–" for r in rows],
        [_number(r["median"], decimals[r["indicator"]], lang) for r in rows],
        [_number(r["change_year"], decimals[r["indicator"]], lang) for r in rows],
    ]
    figure = go.Figure(go.Table(
        columnwidth=[3, 3, 2, 1.2, 1.5, 1.5],
        header={"values": [f"<b>{h}</b>" for h in heads], "fill_color": HEADER_FILL, "align": "left",
                "font": {"family": FONT, "color": TEXT_COLOUR, "size": 12}},
        cells={"values": cells, "align": ["left", "left", "right", "right", "right", "right"], "height": ROW_PX - 2,
               "fill_color": [[ROW_FILLS[i % 2] for i in range(len(rows))]],
               "font": {"family": FONT, "color": TEXT_COLOUR, "size": 12}}))
    figure.update_layout(height=TOP_PX + ROW_PX * (len(rows) + 1), margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         font={"family": FONT, "color": TEXT_COLOUR})
    focus = names.get(view.areas[0], view.areas[0])
    title = f"{t('compare.title', lang)}: {', '.join(names.get(c, c) for c in view.areas)}, {fmt_month(month, lang)}"
    ranks = "; ".join(f"{r['indicator_name']}: {cells[3][i]} ({cells[2][i]})"
                      for i, r in enumerate(rows) if r["area_code"] == view.areas[0])
    table = Table(pl.DataFrame({h: column for h, column in zip(heads, cells)}))
    return Chart(figure=figure, title=title, description=f"{focus}, {fmt_month(month, lang)}: {ranks}.", table=table,
                 tidy=export, indicator=reg[indicators[0]], scope=tuple(view.areas), first=month, last=None,
                 lang=lang, synthetic=source.is_synthetic(), release_date=release_date(source.releases()),
                 export_code="ranking", sources=_sources(indicators, lang))


def _sources(indicators: list[str], lang: str) -> tuple[str, str]:
    """Every source and licence of the indicators compared, each once."""
    reg = registry()
    pairs = [source_text(reg[code], lang) for code in indicators]
    return "; ".join(dict.fromkeys(s for s, _ in pairs)), "; ".join(dict.fromkeys(licence for _, licence in pairs))
