"""Static snapshots: self-contained accessible HTML, images with their credits drawn in, the data as shown.

The figures come from the pages' chart functions; the images are rendered by Kaleido on Debian's
Chromium (the `chromium` fixture skips without it, and fails on CI).
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from app import geo
from app.charts.gauges import ely_gauges
from app.charts.maps import indicator_map
from app.charts.trends import trend_figure
from app.exports import TIDY_SCHEMA, tidy_frame
from app.indicators import registry
from app.views.maps import level_frame
from app.snapshot import (
    ChromiumRenderer,
    RendererUnavailable,
    SnapshotMeta,
    chromium_path,
    export_figure,
    snapshot_slug,
    write_index,
    write_snapshot,
)
from app.snapshot.svg import accessible_svg, compact_polyline
from tests.conftest import ROOT, shared_file

REG = registry()
EVIL = "<img src=x onerror=alert(1)>"
NOW = datetime(2025, 2, 3, 10, 30, tzinfo=timezone.utc)
JSON_KEYS = {"indicator", "areas", "period", "source", "licence", "release_date", "generated_at", "version", "lang",
             "synthetic"}
MAP_LIMIT = 150 * 1024
EXTERNAL_URL = r"url\(\s*(?!['\"]?#)"  # url(...) to anything but a #fragment of the page


def meta_for(view, indicator_code, areas, period, lang, title, *, synthetic=True, scope=None) -> SnapshotMeta:
    indicator = REG[indicator_code]
    source = REG.sources[indicator.source]
    return SnapshotMeta(
        slug=snapshot_slug(view, indicator_code, scope or list(areas), period, lang), view=view, title=title,
        description=f"{indicator.name(lang)}: {', '.join(areas)}", indicator=indicator_code, areas=tuple(areas),
        period=period, source=source.name(lang), source_url=source.url, licence=source.licence,
        release_date=date(2025, 1, 15), version="0.1.0", synthetic=synthetic, lang=lang,
        permalink="/trends?lang=fi", extra={"mode": "value"})


@pytest.fixture(scope="module")
def renderer(chromium):
    with ChromiumRenderer(browser=str(chromium)) as opened:
        yield opened


@pytest.fixture(scope="module")
def trend(renderer, tmp_path_factory):
    periods = [date(2021, m, 1) for m in range(1, 7)]
    values = pl.DataFrame({"area_code": ["SSS"] * 6 + ["PILOT01"] * 6, "period": periods * 2,
                           "value": [100.0, 101.4, 99.2, 98.0, 97.5, 96.1, 10.0, 10.5, None, 11.0, 12.0, 12.5],
                           "status": ["final"] * 5 + ["provisional"] + ["final", "final", "suppressed"] + ["final"] * 3})
    names = {"SSS": "Koko maa", "PILOT01": EVIL}
    figure = trend_figure(values, names, lang="fi", y_title="henkilöä", mode="value", unit="persons", is_ratio=False)
    frame = tidy_frame(values, REG["jobseekers"], names, "fi", synthetic=True)
    meta = meta_for("trend", "jobseekers", ["PILOT01", "SSS"], "2021-01/2021-06", "fi", f"Työnhakijat: {EVIL}")
    out = tmp_path_factory.mktemp("trend")
    return {"paths": write_snapshot(out, meta, figure, frame, renderer, now=NOW), "meta": meta, "frame": frame,
            "figure": figure, "out": out}


@pytest.fixture(scope="module")
def gauges(renderer, trend):
    rows = pl.DataFrame({"area_code": ["ELY01", "ELY02", "ELY03"], "name": ["Uusimaa", "Varsinais-Suomi", EVIL],
                         "value": [46.4, None, 12.0], "numerator": [77461.0, None, 120.0],
                         "denominator": [166819.0, 43714.0, 1000.0], "status": ["final", "suppressed", "provisional"],
                         "period": [date(2024, 6, 1)] * 3})
    figure = ely_gauges(rows, lang="en")
    frame = tidy_frame(rows, REG["client_share"], dict(zip(rows["area_code"], rows["name"])), "en")
    meta = meta_for("gauges", "client_share", ["ELY01", "ELY02", "ELY03"], "2024-06", "en", "Client shares, June 2024",
                    synthetic=False, scope="ely")
    return {"paths": write_snapshot(trend["out"], meta, figure, frame, renderer, width=700, now=NOW), "meta": meta,
            "frame": frame, "figure": figure, "out": trend["out"]}


class References(HTMLParser):
    """Every address an HTML page would load (not the plain links a reader may follow)."""

    LOADING = ("src", "srcset", "data", "poster", "href", "xlink:href", "background", "action", "formaction")

    def __init__(self):
        super().__init__()
        self.loads, self.links, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if tag == "a" and name == "href":
                self.links.append(value)
            elif name in self.LOADING and value and not value.startswith("#"):
                self.loads.append((tag, name, value))
            elif name == "style" and re.search(EXTERNAL_URL, value or ""):
                self.loads.append((tag, name, value))


def assert_self_contained(html: str) -> None:
    parser = References()
    parser.feed(html)
    assert parser.loads == []
    assert "script" not in parser.tags and "iframe" not in parser.tags and "link" not in parser.tags
    assert "@import" not in html and not re.search(EXTERNAL_URL, html)
    external_links = [link for link in parser.links if re.match(r"(https?:)?//", link)]
    # Any address of another host is a plain link's target, nothing else (no xmlns, no text URL to fetch).
    assert len(re.findall(r"(?:https?:)?//[\w.-]+", html)) == len(external_links)
    assert all(not re.match(r"(https?:)?//", link) or link.startswith("https://") for link in parser.links)


@pytest.mark.parametrize("which", ["trend", "gauges"])
def test_snapshot_page_is_self_contained_and_accessible(which, request):
    snapshot = request.getfixturevalue(which)
    html = snapshot["paths"]["html"].read_text(encoding="utf-8")
    meta = snapshot["meta"]
    assert_self_contained(html)
    assert re.search(rf'<html lang="{meta.lang}">', html)
    assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="[^"]+-title [^"]+-desc"', html)
    assert f'<title id="{meta.slug}-title">' in html and "<figcaption>" in html
    assert "CC BY 4.0" in html and meta.source in html
    assert '<time datetime="2025-02-03T10:30:00+00:00">' in html
    assert ("Synteettinen demoaineisto" in html) is meta.synthetic  # the trend is demo data, the gauges are not
    assert html.count("<tr>") == snapshot["frame"].height + 1


def test_texts_from_data_are_escaped(trend, gauges):
    for snapshot in (trend, gauges):
        for ext in ("html", "svg"):
            text = snapshot["paths"][ext].read_text(encoding="utf-8")
            assert "<img" not in text
            assert "&lt;img src=x onerror=alert(1)&gt;" in text
    table_row = '<th scope="row">&lt;img src=x onerror=alert(1)&gt;</th>'
    assert table_row in trend["paths"]["html"].read_text(encoding="utf-8")


def test_snapshot_csv_equals_the_frame_shown(trend, gauges):
    for snapshot in (trend, gauges):
        back = pl.read_csv(snapshot["paths"]["csv"], schema=TIDY_SCHEMA)
        assert back.equals(snapshot["frame"])
        assert next(csv.reader(io.StringIO(snapshot["paths"]["csv"].read_text(encoding="utf-8"))))[0] == "area_code"


def svg_text(path: Path) -> str:
    return " ".join(" ".join(ET.fromstring(path.read_bytes()).itertext()).split())


def test_exported_svg_carries_title_source_licence_month_and_synthetic_label(trend, gauges):
    text = svg_text(trend["paths"]["svg"])
    for expected in ("Työnhakijat: <img src=x onerror=alert(1)>", trend["meta"].source, "Lisenssi: CC BY 4.0",
                     "Ajanjakso: tammikuu 2021 – kesäkuu 2021", "Julkaistu: 15.1.2025",
                     "Synteettinen demoaineisto: luvut eivät ole oikeita."):
        assert expected in text
    text = svg_text(gauges["paths"]["svg"])
    assert "Data month: June 2024" in text and "Licence: CC BY 4.0" in text and "Synthetic" not in text
    root = ET.fromstring(gauges["paths"]["svg"].read_bytes())
    assert root.get("role") == "img" and root[0].tag.endswith("title") and root[1].tag.endswith("desc")


def dark_rows(png: bytes, rows: int) -> int:
    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    return int((grey[:rows] < 110).sum())


def test_exported_png_is_the_credited_figure(trend, renderer):
    figure, meta = trend["figure"], trend["meta"]
    drawn = export_figure(figure, meta, 800)
    assert meta.source in drawn.layout.title.text and "CC BY 4.0" in drawn.layout.title.text
    png = trend["paths"]["png"].read_bytes()
    image = Image.open(io.BytesIO(png))
    assert image.size == (1600, 2 * int(drawn.layout.height))  # rendered from the credited figure, at scale 2
    header = 2 * (int(drawn.layout.margin.t) - 20)
    blank = go.Figure(drawn).update_layout(title_text="")  # the same layout without the header's texts
    plain = renderer.render(blank, "png", 800, int(drawn.layout.height), scale=2)
    assert dark_rows(png, header) > 2000  # the title and credit lines are drawn in the header band
    assert dark_rows(plain, header) == 0


def test_metadata_json_has_the_contract_keys(trend):
    meta = json.loads(trend["paths"]["json"].read_text(encoding="utf-8"))
    assert JSON_KEYS <= set(meta)
    assert meta["indicator"] == "jobseekers" and meta["areas"] == ["PILOT01", "SSS"]
    assert meta["period"] == "2021-01/2021-06" and meta["lang"] == "fi" and meta["synthetic"] is True
    assert meta["release_date"] == "2025-01-15" and meta["generated_at"] == "2025-02-03T10:30:00Z"
    assert meta["licence"] == "CC BY 4.0" and meta["files"]["png"] == f"{trend['meta'].slug}.png"
    assert all(trend["paths"][ext].is_file() for ext in ("html", "svg", "png", "csv", "json"))


def test_index_pages_link_each_snapshot_in_its_language(trend, gauges):
    written = write_index(trend["out"])
    assert [p.name for p in written] == ["index.html", "index-sv.html", "index-en.html"]
    finnish = (trend["out"] / "index.html").read_text(encoding="utf-8")
    english = (trend["out"] / "index-en.html").read_text(encoding="utf-8")
    assert '<html lang="fi">' in finnish and '<html lang="en">' in english
    assert f'href="{trend["meta"].slug}.html"' in finnish and trend["meta"].slug not in english
    assert f'href="{gauges["meta"].slug}.html"' in english and "&lt;img" in finnish and "<img" not in finnish
    assert 'href="index-sv.html"' in english and 'href="index.html"' in english
    assert "Synteettinen" in finnish and "Synthetic" not in english  # only the demo snapshot is synthetic
    for page in (finnish, english):
        assert_self_contained(page)


def test_the_national_map_snapshot_is_under_150_kb(renderer, tmp_path):
    collection = json.loads(shared_file("geo", "municipalities-2021.geojson").read_text(encoding="utf-8"))
    boundaries = pl.DataFrame({
        "area_code": ["KU" + f["properties"]["municipality_code"].zfill(3) for f in collection["features"]],
        "geometry": [json.dumps(f["geometry"]) for f in collection["features"]],
    })
    municipalities = pl.read_csv(ROOT / "data" / "municipalities.csv")
    names = dict(zip(municipalities["code"], municipalities["name_sv"]))
    codes = sorted(names)
    values = pl.DataFrame({"area_code": codes, "value": [5 + (int(c[2:]) * 37 % 150) / 10 for c in codes],
                           "status": ["suppressed" if c == "KU005" else "final" for c in codes]})
    values = values.with_columns(pl.when(pl.col("status") == "suppressed").then(None).otherwise(pl.col("value"))
                                 .alias("value"), pl.lit(date(2024, 12, 1)).alias("period"))
    pilots = pl.read_csv(ROOT / "data" / "pilot_members.csv")["municipality_code"].to_list()
    indicator = REG["unemployment_share"]
    shapes = geo.feature_collection(boundaries, codes=codes)
    figure = indicator_map(level_frame(codes, values, names), indicator, "sv", shapes=shapes, highlight=pilots)
    meta = meta_for("map", indicator.code, codes, "2024-12", "sv", "Arbetslösas andel, december 2024",
                    scope="municipality")
    paths = write_snapshot(tmp_path, meta, figure, tidy_frame(values, indicator, names, "sv", synthetic=True),
                           renderer, width=640)
    html = paths["html"].read_text(encoding="utf-8")
    sizes = {ext: path.stat().st_size for ext, path in paths.items()}
    print(f"national map snapshot sizes (bytes): {sizes}")
    assert sizes["html"] < MAP_LIMIT
    assert html.count('class="choroplethlocation"') >= 300  # every municipality is drawn, not dropped
    assert_self_contained(html)


def absolute_points(d: str) -> list[tuple[float, float]]:
    """Points of a path of M, l (relative, implicit repeats) and Z, as the compacted paths are written."""
    current, start, command = (0.0, 0.0), (0.0, 0.0), "M"
    numbers = re.findall(r"[MlZ]|-?(?:\d+\.?\d*|\.\d+)", d)
    result, i = [], 0
    while i < len(numbers):
        token = numbers[i]
        if token in ("M", "l", "Z"):
            command = token
            if token == "Z":
                current = start
            i += 1
            continue
        x, y = float(numbers[i]), float(numbers[i + 1])
        i += 2
        current = (x, y) if command == "M" else (current[0] + x, current[1] + y)
        if command == "M":
            start = current
        result.append(current)
    return result


@given(st.lists(st.lists(st.tuples(st.floats(-50, 900), st.floats(-50, 900)), min_size=2, max_size=12),
                min_size=1, max_size=4))
def test_compacted_paths_keep_every_point_within_a_tenth_of_a_pixel(rings):
    d = "".join("M" + "L".join(f"{x!r},{y!r}" for x, y in ring) + "Z" for ring in rings)
    compact = compact_polyline(d)
    original = [point for ring in rings for point in ring]
    kept = absolute_points(compact)
    assert len(kept) <= len(original)
    for x, y in original:  # every original point is within 0.05 px of a kept one (repeats are dropped)
        assert min(abs(x - kx) + abs(y - ky) for kx, ky in kept) <= 0.1 + 1e-6


def test_svg_cleaning_removes_anything_that_runs_or_loads():
    dirty = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
             '<script>alert(2)</script><a xlink:href="https://evil.example/"><text>x</text></a>'
             '<image href="http://evil.example/p.png"/><rect style="fill: url(https://evil.example/#g)"/>'
             '<rect style="fill: url(\'#local\'); opacity: 1; stroke: rgb(255, 255, 255)"/>'
             '<path d="M1.04,2.06L3.5,4.25L3.5,4.25Z"/><foreignObject><p>x</p></foreignObject></svg>')
    clean = accessible_svg(dirty, title="T <b>", description="D", id_prefix="c")
    assert "alert" not in clean and "evil" not in clean and "foreignObject" not in clean
    assert "url('#local')" in clean and "stroke:#ffffff" in clean and "opacity:1" not in clean
    assert 'd="M1,2.1l2.5,2.1Z"' in clean or 'd="M1,2.1l2.5,2.2Z"' in clean
    assert '<title id="c-title">T &lt;b&gt;</title>' in clean and 'role="img"' in clean


def test_chromium_is_found_by_setting_or_path_and_never_downloaded(monkeypatch, tmp_path):
    assert chromium_path({"PILOT_TRACKER_CHROMIUM": "/opt/chromium"}) == "/opt/chromium"
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RendererUnavailable, match="apt-get install chromium"):
        chromium_path({})


@pytest.mark.browser
def test_snapshot_opens_offline_with_chart_and_table_and_fits_a_phone(trend, browser):
    """Chromium with every network request refused: the page still shows its chart and table."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, offline=True)
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                         if route.request.url.startswith("file:") else route.abort()))
    tab = context.new_page()
    tab.goto(trend["paths"]["html"].as_uri())
    assert tab.locator("figure svg[role=img]").is_visible()
    assert tab.locator("table caption").is_visible()
    assert tab.locator("tbody tr").count() == trend["frame"].height
    assert [u for u in requests if not u.startswith("file:")] == []
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
