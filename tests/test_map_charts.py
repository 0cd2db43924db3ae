"""Map figures: suppressed is never zero, missing is its own grey, status in the hover, pilots outlined,
all text from the caller, and the figures render offline (the browser test)."""

from __future__ import annotations


import plotly.graph_objects as go
import polars as pl
import pytest
import shapely
from shapely.geometry import box

from app import geo
from app.charts.maps import LABEL_KEYS, SYMBOL_LABEL_KEYS, choropleth_map, nice_ticks, symbol_map
from app.charts.style import NO_DATA_GREY, SUPPRESSED_GREY

LABELS = {
    "suppressed": "Salattu (pieni luku)", "no_data": "Ei tietoa", "status_final": "Lopullinen tieto",
    "status_provisional": "Ennakkotieto", "status_incomplete": "Puutteellinen: osa kunnista salattu",
    "status_suppressed": "Pieni luku suojattu", "status_missing": "Tieto puuttuu", "highlight": "Kokeilukunta",
    "no_boundaries_note": "Kuntarajoja ei ole ladattu: kunnat näkyvät pisteinä.",
}
CELLS = {f"KU{100 + i:03d}": box(21 + i % 3, 60 + i // 3, 22 + i % 3, 61 + i // 3) for i in range(7)}
ROWS = [  # area_code, name, value, status, lat, lon
    ("KU100", "Alpha", 12.5, "final", 60.5, 21.5),
    ("KU101", "Beta", 0.0, "final", 60.5, 22.5),  # a real zero stays a coloured zero
    ("KU102", "Gamma", None, "suppressed", 60.5, 23.5),
    ("KU103", "Delta", 7.25, "incomplete", 61.5, 21.5),
    ("KU104", "Epsilon", None, "missing", 61.5, 22.5),
    ("KU105", "Zeta", 3.0, "provisional", 61.5, 23.5),
    # KU106 has a boundary but no row at all
]


def fi_number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


@pytest.fixture
def geojson() -> dict:
    frame = pl.DataFrame({"area_code": list(CELLS), "geometry": [shapely.to_geojson(g) for g in CELLS.values()]})
    return geo.feature_collection(frame)


@pytest.fixture
def values() -> pl.DataFrame:
    return pl.DataFrame(ROWS, schema={"area_code": pl.Utf8, "name": pl.Utf8, "value": pl.Float64,
                                      "status": pl.Utf8, "lat": pl.Float64, "lon": pl.Float64}, orient="row")


def trace(fig: go.Figure, meta: str):
    found = [t for t in fig.data if t.meta == meta]
    assert len(found) == 1, [t.meta for t in fig.data]
    return found[0]


def choropleth(values, geojson, **kwargs) -> go.Figure:
    return choropleth_map(values, geojson, value_label="Työttömyysaste", format_value=fi_number, labels=LABELS,
                          **kwargs)


def test_suppressed_areas_are_grey_and_never_zero(values, geojson):
    fig = choropleth(values, geojson)
    main = trace(fig, "values")
    assert "KU102" not in main.locations
    assert dict(zip(main.locations, main.z)) == {"KU100": 12.5, "KU101": 0.0, "KU103": 7.25, "KU105": 3.0}
    suppressed = trace(fig, "suppressed")
    assert list(suppressed.locations) == ["KU102"]
    assert suppressed.name == LABELS["suppressed"] and suppressed.showlegend
    assert {c[1] for c in suppressed.colorscale} == {SUPPRESSED_GREY} and suppressed.showscale is False
    assert geo.feature_codes(suppressed.geojson) == ["KU102"]  # each trace carries only its own features


def test_a_suppressed_row_with_a_value_still_hides_it(values, geojson):
    leaky = values.with_columns(pl.when(pl.col("area_code") == "KU102").then(99.0).otherwise(pl.col("value"))
                                .alias("value"))
    fig = choropleth(leaky, geojson)
    assert "KU102" not in trace(fig, "values").locations
    assert all("99" not in "".join(map(str, row)) for row in trace(fig, "suppressed").customdata)


def test_missing_and_rowless_areas_are_no_data(values, geojson):
    fig = choropleth(values, geojson)
    no_data = trace(fig, "no_data")
    assert list(no_data.locations) == ["KU104", "KU106"]
    assert no_data.name == LABELS["no_data"] and no_data.showlegend
    assert {c[1] for c in no_data.colorscale} == {NO_DATA_GREY}
    assert NO_DATA_GREY != SUPPRESSED_GREY


def test_hover_has_name_value_unit_and_status(values, geojson):
    fig = choropleth(values.with_columns(pl.lit("%").alias("unit")), geojson)
    main = trace(fig, "values")
    hover = {loc: data for loc, data in zip(main.locations, main.customdata)}
    assert hover["KU100"][0] == "Alpha" and hover["KU100"][1] == "12,5\u00a0%"
    assert LABELS["status_incomplete"] in hover["KU103"][2]  # incomplete: coloured, flagged in the hover
    assert LABELS["status_provisional"] in hover["KU105"][2]
    assert "customdata[2]" in main.hovertemplate
    suppressed = trace(fig, "suppressed").customdata[0]
    assert list(suppressed[:2]) == ["Gamma", LABELS["suppressed"]] and LABELS["status_suppressed"] in suppressed[2]
    assert LABELS["status_missing"] in trace(fig, "no_data").customdata[0][2]


def test_pilot_outline_is_a_dark_line_trace_with_a_legend_entry(values, geojson):
    fig = choropleth(values, geojson, highlight_codes={"KU100", "KU103", "KU999"})
    outline = trace(fig, "highlight")
    assert outline.type == "scattergeo" and outline.mode == "lines"
    assert outline.name == LABELS["highlight"] and outline.showlegend and outline.hoverinfo == "skip"
    assert list(outline.lon).count(None) == 2  # two outlined areas; the unknown code is ignored
    assert outline.line.width >= 2


def test_first_trace_is_scattergeo_so_plotly_fetches_no_world_map(values, geojson):
    """plotly.js downloads world topojson when the first geo trace has a locationmode (every choropleth)."""
    for highlight in (set(), {"KU100"}):
        fig = choropleth(values, geojson, highlight_codes=highlight)
        assert fig.data[0].type == "scattergeo" and fig.data[0].locationmode is None
        assert fig.data[0].hoverinfo == "skip"
    assert fig.layout.geo.visible is False


def test_the_map_frame_takes_the_areas_own_shape(values, geojson):
    """Lon/lat ranges around the areas and the projection centred on them (not fitbounds' square frame)."""
    from app import geo

    fig = choropleth(values, geojson)
    box = geo.bounds(geojson)
    lon, lat = fig.layout.geo.lonaxis.range, fig.layout.geo.lataxis.range
    assert fig.layout.geo.fitbounds is False
    assert lon[0] < box[0] < box[2] < lon[1] and lat[0] < box[1] < box[3] < lat[1]
    assert fig.layout.geo.projection.rotation.lon == (box[0] + box[2]) / 2


def test_colour_scale_ticks_use_the_callers_format(values, geojson):
    fig = choropleth(values, geojson)
    bar = trace(fig, "values").colorbar
    assert bar.title.text == "Työttömyysaste"
    assert list(bar.tickvals) == [0, 2.5, 5, 7.5, 10, 12.5]
    assert list(bar.ticktext) == ["0,0", "2,5", "5,0", "7,5", "10,0", "12,5"]
    main = trace(fig, "values")
    assert (main.zmin, main.zmax) == (0.0, 12.5)  # the scale spans the drawn values


def test_all_suppressed_month_has_no_colour_trace(values, geojson):
    hidden = values.with_columns(pl.lit(None, pl.Float64).alias("value"), pl.lit("suppressed").alias("status"))
    fig = choropleth(hidden, geojson)
    assert [t.meta for t in fig.data] == ["anchor", "suppressed", "no_data"]
    assert 0 not in [z for t in fig.data if t.type == "choropleth" and t.meta == "values" for z in t.z]


def test_labels_are_required(values, geojson):
    with pytest.raises(ValueError, match="map labels missing: no_data"):
        choropleth_map(values, geojson, value_label="x", format_value=str,
                       labels={k: k for k in LABEL_KEYS if k != "no_data"})
    with pytest.raises(ValueError, match="no_boundaries_note"):
        symbol_map(values, value_label="x", format_value=str, labels={k: k for k in LABEL_KEYS})


def test_symbol_map(values):
    fig = symbol_map(values.vstack(pl.DataFrame([("KU106", "Eta", 1.0, "final", None, None)],
                                                schema=values.schema, orient="row")),
                     value_label="Työttömyysaste", format_value=fi_number, labels=LABELS,
                     highlight_codes={"KU100"})
    assert all(t.type == "scattergeo" for t in fig.data)
    main = trace(fig, "values")
    assert sorted(zip(main.lon, main.lat)) == [(21.5, 60.5), (21.5, 61.5), (22.5, 60.5), (23.5, 61.5)]
    assert "KU106" not in str(main.customdata)  # no inside point: not drawn
    assert 0 in list(main.marker.color)  # the real zero
    suppressed = trace(fig, "suppressed")
    assert (suppressed.lon, suppressed.lat) == ((23.5,), (60.5,))
    assert suppressed.marker.color == SUPPRESSED_GREY and suppressed.name == LABELS["suppressed"]
    assert LABELS["status_suppressed"] in suppressed.customdata[0][2]
    assert trace(fig, "no_data").marker.symbol == "circle-open"
    ring = trace(fig, "highlight")
    assert ring.name == LABELS["highlight"] and ring.lon == (21.5,)
    notes = [a.text.replace("<br>", " ") for a in fig.layout.annotations]
    assert notes == [LABELS["no_boundaries_note"]]
    assert set(SYMBOL_LABEL_KEYS) <= set(LABELS)


@pytest.mark.parametrize("title", [None, "Työttömyysaste, joulukuu 2024"])
@pytest.mark.parametrize("words", [3, 40])
def test_symbol_map_note_has_a_band_of_its_own_below_the_title(values, title, words):
    """The note sits between the title and the plot: the top margin holds both, the title is pinned above;
    a long note is wrapped (Plotly would let it run off the figure) and its band grows with it."""
    from app.charts.maps import NOTE_WIDTH, note_band

    labels = {**LABELS, "no_boundaries_note": " ".join(["rajat"] * words)}
    fig = symbol_map(values, value_label="x", format_value=fi_number, labels=labels, title=title)
    note = fig.layout.annotations[0]
    assert (note.yref, note.y, note.yanchor) == ("paper", 1, "bottom")  # grows upwards from the plot's top
    lines = note.text.split("<br>")
    assert all(len(line) <= NOTE_WIDTH for line in lines) and len(lines) == (1 if words == 3 else 3)
    title_band = fig.layout.margin.t - note_band(len(lines))
    if title is None:
        assert fig.layout.title.text is None and title_band < 20
    else:
        assert fig.layout.title.text == title and title_band >= 40
        assert (fig.layout.title.yref, fig.layout.title.y, fig.layout.title.yanchor) == ("container", 1, "top")


def test_indicator_map_takes_its_texts_from_the_catalogue_without_markdown(values, geojson):
    from app.charts.maps import indicator_map
    from app.i18n import t
    from app.indicators import registry

    indicator = registry()["unemployment_share"]
    fig = indicator_map(values, indicator, "sv", shapes=None, highlight={"KU100"})
    note = fig.layout.annotations[0].text.replace("<br>", " ")
    assert "`" not in note and note == t("map.no_boundaries", "sv").replace("`", "")
    assert trace(fig, "highlight").name == t("map.pilot_outline", "sv")
    choropleth_fig = indicator_map(values, indicator, "en", shapes=geojson)
    assert trace(choropleth_fig, "values").colorbar.title.text == indicator.name("en")
    assert not choropleth_fig.layout.annotations


def test_marker_area_follows_the_value(values):
    main = trace(symbol_map(values, value_label="x", format_value=fi_number, labels=LABELS), "values")
    size = dict(zip((row[0] for row in main.customdata), main.marker.size))
    assert size["Alpha"] > size["Delta"] > size["Zeta"] > size["Beta"]


@pytest.mark.parametrize("low, high, ticks", [(0, 12.5, [0, 2.5, 5, 7.5, 10, 12.5]), (3, 3, [3]),
                                              (1234, 98765, [20000, 40000, 60000, 80000])])
def test_nice_ticks(low, high, ticks):
    assert nice_ticks(low, high) == ticks


@pytest.mark.browser
def test_maps_render_offline_in_chromium(values, geojson, tmp_path, browser):
    """Both maps draw in a browser that may fetch nothing but the page itself."""
    pages = {
        "choropleth": choropleth(values, geojson, highlight_codes={"KU100"}),
        "symbols": symbol_map(values, value_label="x", format_value=fi_number, labels=LABELS),
    }
    for name, fig in pages.items():
        path = tmp_path / f"{name}.html"
        fig.write_html(path, include_plotlyjs=True, full_html=True)
        page = browser.new_page()
        outside: list[str] = []
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        def only_local(route, outside=outside):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_local)
        page.goto(path.as_uri())
        page.wait_for_selector(".geolayer", timeout=15_000)
        page.wait_for_timeout(500)
        assert outside == [] and errors == [], (name, outside, errors)
        if name == "choropleth":
            assert page.locator("path.choroplethlocation").count() == len(CELLS)
        else:
            assert page.locator(".scattergeo .point").count() >= 5
        page.close()


def test_context_layer_sits_under_the_values_without_hover_or_legend():
    from app.charts.maps import choropleth_map

    square = lambda x: {"type": "Polygon", "coordinates": [[[x, 60], [x + 1, 60], [x + 1, 61], [x, 61], [x, 60]]]}
    pilots = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "PILOT01", "properties": {},
                                                          "geometry": square(24)}]}
    municipalities = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": code, "properties": {}, "geometry": square(x)}
        for code, x in (("KU091", 24), ("KU049", 26))]}
    values = pl.DataFrame({"area_code": ["PILOT01"], "name": ["Helsinki"], "value": [40.0], "status": ["final"]})
    labels = {k: k for k in ("suppressed", "no_data", "status_final", "status_provisional", "status_incomplete",
                             "status_suppressed", "status_missing")}
    fig = choropleth_map(values, pilots, value_label="v", format_value=str, labels=labels, context=municipalities)
    metas = [trace.meta for trace in fig.data]
    assert fig.data[0].type == "scattergeo"  # still first: keeps plotly.js offline
    assert metas.index("context") < metas.index("values")
    context = fig.data[metas.index("context")]
    assert context.hoverinfo == "skip" and context.showlegend is False
    assert "no_data" not in metas  # KU049 is context, not an area without data
