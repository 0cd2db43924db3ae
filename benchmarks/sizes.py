"""Bytes: the map figure a page sends, its boundaries, and the files of a static snapshot.

The map figure is measured as Streamlit sends it (the plotly_chart element's JSON spec, from an
AppTest run of the page); the snapshots are written with app.snapshot, as the public site holds
them, when Debian's Chromium is there to draw their images.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from datetime import date
from pathlib import Path

from app.exports import tidy_frame
from app.indicators import registry
from app.months import month_code
from app.views.maps import map_view
from app.views.source import QuerySource
from app.views.trends import DEFAULT_AREAS, trend_view
from benchmarks.interactions import LANG, MAP_INDICATOR, keep_router_flag_cleared, new_session


def _gzip(raw: bytes) -> int:
    return len(gzip.compress(raw, 6))


def map_payload(months: list[date]) -> dict:
    """The map page's figure spec as sent, on opening and after the month changes."""
    keep_router_flag_cleared()
    at = new_session("map", lang=LANG).run()
    opened = at.get("plotly_chart")[0].proto.spec.encode()
    at.select_slider(key="url_month").set_value(months[-2] if len(months) > 1 else months[-1]).run()
    changed = at.get("plotly_chart")[0].proto.spec.encode()
    spec = json.loads(opened)
    urls = sorted({t["geojson"] for t in spec["data"] if isinstance(t.get("geojson"), str)})
    return {"open_bytes": len(opened), "open_gzip_bytes": _gzip(opened),
            "month_change_bytes": len(changed), "month_change_gzip_bytes": _gzip(changed),
            "geometry_urls": urls}


def geometry_bytes(url_paths: list[str], static_dir: Path) -> dict[str, int]:
    """The boundary files a map fetches once (served by the app's static folder, or nginx)."""
    out = {}
    for path in url_paths:
        file = static_dir / path.split("/app/static/", 1)[-1]
        if file.is_file():
            raw = file.read_bytes()
            out[file.name] = len(raw)
            out[file.name + " (gzip)"] = _gzip(raw)
    return out


def snapshot_sizes(engine) -> dict[str, dict[str, int]] | str:
    """The five files of a map snapshot and a trend snapshot, in bytes; a reason when they cannot be drawn."""
    from app.snapshot import ChromiumRenderer, RendererUnavailable
    from app.snapshot.files import SnapshotMeta, snapshot_slug, write_snapshot

    source = QuerySource(engine)
    reg = registry()
    indicator = reg[MAP_INDICATOR]
    month = source.periods(indicator.code)[-1]
    names = source.area_names(LANG)
    map_ = map_view(source, indicator, month, "municipality", LANG)
    trend = trend_view(source, indicator, DEFAULT_AREAS, "value", LANG)
    trend_values = source.values(indicator.code, DEFAULT_AREAS)
    first, last = month_code(trend_values["period"].min()), month_code(trend_values["period"].max())
    src = reg.sources[indicator.source]
    cases = [("map", "municipality", month_code(month), map_.figure, map_.frame.with_columns()),
             ("trend", list(DEFAULT_AREAS), f"{first}/{last}", trend.figure, trend_values)]
    sizes: dict[str, dict[str, int]] = {}
    try:
        with ChromiumRenderer() as renderer, tempfile.TemporaryDirectory() as folder:
            for view, scope, period, figure, values in cases:
                if "period" not in values.columns:
                    values = values.with_columns(period=month)
                meta = SnapshotMeta(
                    slug=snapshot_slug(view, indicator.code, scope, period, LANG), view=view,
                    title=indicator.name(LANG), description=indicator.name(LANG), indicator=indicator.code,
                    areas=tuple(scope) if isinstance(scope, list) else (scope,), period=period,
                    source=src.name(LANG), source_url=src.url, licence=src.licence, release_date=None,
                    version="bench", synthetic=True, lang=LANG)
                frame = tidy_frame(values, indicator, names, LANG, synthetic=True)
                paths = write_snapshot(Path(folder), meta, figure, frame, renderer)
                sizes[view] = {ext: path.stat().st_size for ext, path in paths.items()}
    except RendererUnavailable as exc:
        return str(exc)
    return sizes
