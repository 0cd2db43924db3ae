"""A snapshot's file set: <slug>.html, .svg, .png, .csv and .json, and the index pages over a folder of them.

The caller (the CLI's `snapshot` command, an embed) builds the figure with the pages' chart
functions and the tidy frame with app.exports.tidy_frame, both under public rules; this module
draws the credits in, renders, and writes. All five files state the same generation time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import metadata
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from app.exports import export_stem, to_csv
from app.i18n import fmt_date, t
from app.months import parse_month_code
from app.snapshot.html import period_text, generated_stamp, index_name, index_page, page
from app.snapshot.render import ChromiumRenderer, with_credits, without_title
from app.snapshot.svg import accessible_svg, inline_svg

EXTENSIONS = ("html", "svg", "png", "csv", "json")
PNG_SCALE = 2  # sharp on high-density screens and in print
SVG_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class SnapshotMeta:
    """What a snapshot shows and whose it is; `description` is the chart's text alternative."""

    slug: str
    view: str
    title: str
    description: str
    indicator: str
    areas: tuple[str, ...]
    period: str  # 2024-12, or 2019-01/2024-12 for a range
    source: str
    source_url: str
    licence: str
    release_date: date | None
    version: str
    synthetic: bool
    lang: str
    permalink: str | None = None
    extra: dict = field(default_factory=dict)  # level, mode, ...: the view's state, kept in the JSON

    def as_json(self, generated_at: datetime) -> dict:
        return {
            "slug": self.slug, "view": self.view, "title": self.title, "description": self.description,
            "indicator": self.indicator, "areas": list(self.areas), "period": self.period,
            "source": self.source, "source_url": self.source_url, "licence": self.licence,
            "release_date": self.release_date.isoformat() if self.release_date else None,
            "generated_at": generated_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "version": self.version, "lang": self.lang, "synthetic": self.synthetic,
            "permalink": self.permalink, "files": {ext: f"{self.slug}.{ext}" for ext in EXTENSIONS},
            **({"state": self.extra} if self.extra else {}),
        }


def app_version() -> str:
    try:
        return metadata.version("pilot-tracker")
    except metadata.PackageNotFoundError:
        return "unknown"


def snapshot_slug(view: str, indicator: str, scope: str | list[str], period: str, lang: str) -> str:
    """map-unemployment_share-municipality-2024-12-fi: the view, then what an export's name says."""
    first, _, last = period.partition("/")
    first_month, last_month = parse_month_code(first), parse_month_code(last) if last else None
    if first_month is None:
        raise ValueError(f"period must be YYYY-MM or YYYY-MM/YYYY-MM, not {period!r}")
    return f"{view}-{export_stem(indicator, scope, first_month, last_month, lang)}"


def credit_lines(meta: SnapshotMeta) -> list[str]:
    """What the image itself must say: source and licence, the month, the release date."""
    lang = meta.lang
    when = f"{t('snapshot.period' if '/' in meta.period else 'snapshot.month', lang)}: {period_text(meta.period, lang)}"
    if meta.release_date:
        when += f" · {t('snapshot.published', lang)}: {fmt_date(meta.release_date, lang)}"
    return [f"{t('snapshot.source', lang)}: {meta.source} · {t('snapshot.licence', lang)}: {meta.licence}", when]


def export_figure(figure: go.Figure, meta: SnapshotMeta, width: int) -> go.Figure:
    """The figure as images show it: title, source, licence, month and the synthetic label drawn in."""
    return with_credits(figure, title=meta.title, credits=credit_lines(meta),
                        warning=t("snapshot.synthetic", meta.lang) if meta.synthetic else None, width=width)


def figure_image(figure: go.Figure, meta: SnapshotMeta, renderer: ChromiumRenderer, fmt: str,
                 width: int = 800) -> bytes | str:
    """The credited figure as a PNG (bytes) or an accessible SVG (text): what image downloads hold."""
    drawn = export_figure(figure, meta, width)
    height = int(drawn.layout.height)
    if fmt == "png":
        return renderer.render(drawn, "png", width, height, scale=PNG_SCALE)
    return accessible_svg(renderer.render(drawn, "svg", width, height), title=meta.title,
                          description=meta.description, id_prefix=meta.slug)


def write_snapshot(out_dir: Path, meta: SnapshotMeta, figure: go.Figure, frame: pl.DataFrame,
                   renderer: ChromiumRenderer, *, width: int = 800, now: datetime | None = None) -> dict[str, Path]:
    """Write the five files of one snapshot; frame is the tidy table (app.exports.TIDY_COLUMNS) shown."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    generated_at = generated_stamp(now)
    svg = figure_image(figure, meta, renderer, "svg", width)
    png = figure_image(figure, meta, renderer, "png", width)
    plain = without_title(figure, width)  # the page says title and credits in text, once
    inline = accessible_svg(renderer.render(plain, "svg", width, int(plain.layout.height)), title=meta.title,
                            description=meta.description, id_prefix=meta.slug)
    paths = {ext: out_dir / f"{meta.slug}.{ext}" for ext in EXTENSIONS}
    paths["svg"].write_text(SVG_DECLARATION + svg, encoding="utf-8")
    paths["png"].write_bytes(png)
    paths["csv"].write_bytes(to_csv(frame))
    paths["json"].write_text(json.dumps(meta.as_json(generated_at), ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
    paths["html"].write_text(page(meta, svg=inline_svg(inline), frame=frame, generated_at=generated_at),
                             encoding="utf-8")
    return paths


def read_metadata(out_dir: Path) -> list[dict]:
    """The metadata of every snapshot in a folder (the JSON files that name their own slug)."""
    entries = []
    for path in sorted(Path(out_dir).glob("*.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(entry, dict) and entry.get("slug") == path.stem and "lang" in entry:
            entries.append(entry)
    return entries


def write_index(out_dir: Path, languages: tuple[str, ...] = ("fi", "sv", "en"), default_lang: str = "fi") -> list[Path]:
    """index.html (default language) and index-<lang>.html listing the folder's snapshots per language."""
    entries = read_metadata(out_dir)
    written = []
    for lang in languages:
        path = Path(out_dir) / index_name(lang, default_lang)
        path.write_text(index_page([e for e in entries if e["lang"] == lang], lang=lang,
                                   languages=list(languages), default_lang=default_lang), encoding="utf-8")
        written.append(path)
    return written
