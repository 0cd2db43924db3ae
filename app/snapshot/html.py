"""The snapshot page and the index page: static HTML that needs no network and no JavaScript.

Everything is inline (CSS, the chart as SVG); the only addresses are plain links (the source's home
page, the sibling files). Every text from data goes through html.escape. The page reads on a 390 px
phone (the chart scales, a wide table scrolls in its own focusable region) and prints on A4 (no
download links, table headers repeat on each page, rows are not split).
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

import polars as pl

from app.i18n import fmt_date, fmt_month, fmt_number, fmt_percent, t
from app.months import parse_month_code

CSS = """
:root{color:#1a1a1a;background:#fff;font-family:Inter,"Segoe UI","DejaVu Sans",Arial,sans-serif;line-height:1.45}
body{margin:0 auto;max-width:960px;padding:16px}
h1{font-size:1.45rem;margin:.2em 0 .4em}
a{color:#0b5394}
a:focus,[tabindex]:focus{outline:3px solid #1a1a1a;outline-offset:2px}
.synthetic{border:2px solid #8b1a1a;background:#fff4f4;color:#8b1a1a;font-weight:700;padding:.5em .75em}
figure{margin:0 0 1rem}
figure svg{display:block;max-width:100%;height:auto}
figcaption,.meta{color:#333;font-size:.95rem}
.table-wrap{overflow-x:auto;margin:1rem 0}
table{border-collapse:collapse;font-size:.95rem;min-width:60%}
caption{text-align:left;font-weight:700;padding:.4em 0}
th,td{border-bottom:1px solid #767676;padding:.3em .6em;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.meta dt{font-weight:700;float:left;clear:left;margin-right:.4em}
.meta dd{margin:0 0 .2em}
.files{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4em 1.2em}
ul.snapshots{padding-left:1.2em}
ul.snapshots li{margin:.3em 0}
@media (max-width:480px){body{padding:10px}h1{font-size:1.2rem}table{font-size:.85rem}}
@media print{
@page{size:A4;margin:14mm}
body{max-width:none;padding:0;font-size:10pt}
.files,.no-print{display:none}
figure{break-inside:avoid}
figure svg{max-height:160mm;width:auto;max-width:100%}
.table-wrap{overflow:visible}
thead{display:table-header-group}
tr{break-inside:avoid}
a{color:#1a1a1a}
}
""".strip()


def period_text(period: str, lang: str) -> str:
    """2024-12 -> 'joulukuu 2024'; 2019-01/2024-12 -> 'tammikuu 2019 – joulukuu 2024'."""
    months = [parse_month_code(p) for p in period.split("/")]
    if not all(months):
        return period
    return " – ".join(fmt_month(m, lang) for m in months)


def value_text(value: float | None, unit: str, lang: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return fmt_percent(value, lang, 1)
    if unit == "index":
        return fmt_number(value, lang, 1)
    decimals = 0 if float(value).is_integer() else 1
    return f"{fmt_number(value, lang, decimals)}\u00a0{unit}"


def data_table(frame: pl.DataFrame, *, caption: str, lang: str) -> str:
    """One row per area and month: area as the row header, the month (when several), value, status."""
    several_months = frame["month"].n_unique() > 1
    heads = [t("common.area", lang)] + ([t("common.month", lang)] if several_months else []) + [
        t("snapshot.value", lang), t("common.status", lang)]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
    rows = []
    for row in frame.iter_rows(named=True):
        cells = [f'<th scope="row">{escape(row["area_name"] or row["area_code"])}</th>']
        if several_months:
            month = parse_month_code(row["month"] or "")
            cells.append(f"<td>{escape(fmt_month(month, lang) if month else str(row['month']))}</td>")
        cells.append(f'<td class="num">{escape(value_text(row["value"], row["unit"], lang))}</td>')
        cells.append(f"<td>{escape(t('status.' + (row['status'] or 'missing'), lang))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="table-wrap" role="region" tabindex="0" aria-label="{escape(caption)}">'
            f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _meta_list(meta, generated_at: datetime) -> str:
    lang = meta.lang
    source = escape(meta.source)
    if meta.source_url.startswith(("https://", "http://")):
        source = f'<a href="{escape(meta.source_url)}">{source}</a>'
    items = [
        (t("snapshot.source", lang), source),
        (t("snapshot.licence", lang), escape(meta.licence)),
        (t("snapshot.period" if "/" in meta.period else "snapshot.month", lang), escape(period_text(meta.period, lang))),
    ]
    if meta.release_date:
        items.append((t("snapshot.published", lang), escape(fmt_date(meta.release_date, lang))))
    items.append((t("snapshot.generated", lang),
                  f'<time datetime="{generated_at.isoformat(timespec="seconds")}">'
                  f"{escape(fmt_date(generated_at.date(), lang))} {generated_at:%H:%M} UTC</time>"))
    items.append((t("snapshot.version", lang), escape(meta.version)))
    return '<dl class="meta">' + "".join(f"<dt>{k}:</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def page(meta, *, svg: str, frame: pl.DataFrame, generated_at: datetime) -> str:
    """The self-contained snapshot page (meta: app.snapshot.files.SnapshotMeta)."""
    lang = meta.lang
    warning = f'<p class="synthetic" role="note">{escape(t("snapshot.synthetic", lang))}</p>' if meta.synthetic else ""
    full_view = (f'<p class="no-print"><a href="{escape(meta.permalink)}">{escape(t("snapshot.full_view", lang))}</a></p>'
                 if meta.permalink else "")
    files = "".join(f'<li><a href="{escape(meta.slug)}.{ext}">{label}</a></li>'
                    for ext, label in (("csv", "CSV"), ("png", "PNG"), ("svg", "SVG"), ("json", "JSON")))
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(meta.title)} – Pilot Tracker</title>
<style>{CSS}</style>
</head>
<body>
<main>
{warning}
<h1>{escape(meta.title)}</h1>
<figure>
{svg}
<figcaption>{escape(meta.description)}</figcaption>
</figure>
{data_table(frame, caption=t("snapshot.table_caption", lang, title=meta.title), lang=lang)}
<h2>{escape(t("snapshot.about", lang))}</h2>
{_meta_list(meta, generated_at)}
<nav aria-label="{escape(t('snapshot.downloads', lang))}"><p>{escape(t("snapshot.downloads", lang))}:</p><ul class="files">{files}</ul></nav>
{full_view}
</main>
</body>
</html>
"""


def index_name(lang: str, default_lang: str = "fi") -> str:
    return "index.html" if lang == default_lang else f"index-{lang}.html"


def index_page(entries: list[dict], *, lang: str, languages: list[str], default_lang: str = "fi") -> str:
    """A list of the snapshots in one language (entries: their metadata JSON), with links to the others."""
    items = "".join(
        f'<li><a href="{escape(e["slug"])}.html">{escape(e["title"])}</a>'
        f'{" – " + escape(e["description"]) if e.get("description") else ""}</li>'
        for e in sorted(entries, key=lambda e: (e.get("view", ""), e["title"])))
    body = f'<ul class="snapshots">{items}</ul>' if entries else f"<p>{escape(t('snapshot.no_snapshots', lang))}</p>"
    others = "".join(f'<li><a href="{index_name(other, default_lang)}" lang="{other}" hreflang="{other}">'
                     f"{escape(LANGUAGE_LABELS[other])}</a></li>" for other in languages if other != lang)
    warning = (f'<p class="synthetic" role="note">{escape(t("snapshot.synthetic", lang))}</p>'
               if any(e.get("synthetic") for e in entries) else "")
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(t("snapshot.index_title", lang))}</title>
<style>{CSS}</style>
</head>
<body>
<main>
{warning}
<h1>{escape(t("snapshot.index_title", lang))}</h1>
<p>{escape(t("snapshot.index_intro", lang))}</p>
{body}
<nav aria-label="{escape(t('snapshot.languages', lang))}"><ul class="files">{others}</ul></nav>
</main>
</body>
</html>
"""


LANGUAGE_LABELS = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


def generated_stamp(now: datetime | None = None) -> datetime:
    """The generation time as every file of a snapshot states it: UTC, whole seconds."""
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
