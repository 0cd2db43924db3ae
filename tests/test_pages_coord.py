"""The area and compare pages through Streamlit's AppTest, in Finnish, Swedish and English, on the demo
database: every state in the URL, one click adds the similar areas, the overview links every pilot area."""

from __future__ import annotations

import json

import pytest

from app.i18n import t
from tests.conftest import ROOT
from tests.test_pages import LANGS, run, texts

NEW_PAGES = ["pages/area.py", "pages/compare.py"]


@pytest.fixture(autouse=True)
def demo_db(demo_sqlite, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_DB", demo_sqlite)


def param(at, name):
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


def chart_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"].get("yaxis", {}).get("title", {}).get("text", "")
            for c in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", NEW_PAGES)
def test_the_new_pages_render_in_every_language(page, lang):
    at = run(page, lang=lang, areas="PILOT09")
    assert not at.error, [e.value for e in at.error]
    assert t("demo.banner", lang) in [w.value for w in at.warning]
    assert param(at, "lang") == lang
    if page == "pages/area.py":
        names = {"fi": "Lahden seutu", "sv": "Lahtisregionen", "en": "Lahti region"}
        assert at.title[0].value == names[lang]
        shown = texts(at)
        assert t("matching.title", lang) in shown and t("changes.title", lang) in shown
        assert t("compare.not_a_judgement", lang) in shown
        assert len(at.get("plotly_chart")) == 3  # the trend, the indexed comparison, the difference in differences
    else:
        assert at.title[0].value == t("compare.title", lang)
        assert t("compare.not_a_judgement", lang) in texts(at)


def test_the_area_page_url_round_trip_restores_the_view():
    at = run("pages/area.py", lang="en", areas="PILOT09,KU398", per="labour_force", indicator="long_term_unemployed",
             outcome="unemployment_share")
    assert not at.info or all("`" not in i.value for i in at.info)  # nothing in the URL was refused
    assert at.selectbox(key="url_areas_focus").value == "PILOT09"
    assert at.radio(key="url_per").value == "labour_force"
    assert at.selectbox(key="url_indicator").value == "long_term_unemployed"
    assert at.selectbox(key="url_outcome").value == "unemployment_share"
    assert (param(at, "areas"), param(at, "per"), param(at, "indicator"), param(at, "outcome")) == \
        ("PILOT09", "labour_force", "long_term_unemployed", "unemployment_share")
    assert "as a share of the labour force" in chart_titles(at)[0]


def test_a_municipality_page_has_no_matched_group_but_the_country_line():
    at = run("pages/area.py", lang="fi", areas="KU398")
    assert at.title[0].value == "Lahti"
    assert len(at.get("plotly_chart")) == 1
    names = [trace["name"] for trace in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]
    assert "Koko maa" in names and names[0] == "Lahti"


def test_an_unknown_area_gets_a_message_and_the_default():
    at = run("pages/area.py", lang="en", areas="<script>x</script>")
    assert any("`" in i.value and "<script>" not in i.value for i in at.info)
    assert at.selectbox(key="url_areas_focus").value == "PILOT01"


def test_the_compare_url_round_trip_restores_the_view():
    at = run("pages/compare.py", lang="sv", areas="PILOT09,PILOT10,ELY04", indicators="unemployment_share,vacancies",
             month="2024-06", per="labour_force", similar="unemployment_share,long_term_unemployed",
             weights="unemployment_share:3")
    assert at.multiselect(key="url_areas").value == ["PILOT09", "PILOT10", "ELY04"]
    assert at.multiselect(key="url_indicators").value == ["unemployment_share", "vacancies"]
    assert at.select_slider(key="url_month").value.isoformat() == "2024-06-01"
    assert at.radio(key="url_per").value == "labour_force"
    assert at.number_input(key="url_weights_unemployment_share").value == 3.0
    assert param(at, "weights") == "unemployment_share:3,long_term_unemployed:1"
    assert "(0,75)" in texts(at)  # the weights as shown in the method text
    ranking_tables = [df.value for df in at.dataframe if t("compare.col_median", "sv") in df.value.columns]
    assert [len(table) for table in ranking_tables] == [3, 3]
    assert "juni 2024" in texts(at)


def test_one_click_adds_the_similar_areas_to_the_comparison():
    at = run("pages/compare.py", lang="en", areas="PILOT09")
    at.button(key="similar_add").click().run()
    chosen = at.multiselect(key="url_areas").value
    assert chosen[0] == "PILOT09" and len(chosen) == 9 and all(c.startswith("PILOT") for c in chosen)
    assert param(at, "areas") == ",".join(chosen)
    ranking = next(df.value for df in at.dataframe if t("compare.col_median", "en") in df.value.columns)
    assert len(ranking) == 9


def test_the_overview_links_every_pilot_area_and_lists_what_changed():
    at = run(lang="en")
    links = at.get("page_link")
    pilots = {link.proto.query_string.split("&")[0].removeprefix("areas=")
              for link in links if link.proto.page == "area"}
    rows = (ROOT / "data" / "pilot_areas.csv").read_text(encoding="utf-8").splitlines()[1:]
    registry = {line.split(",")[0] for line in rows if line}
    assert pilots == registry and all(code.startswith("PILOT") for code in pilots)
    shown = texts(at)
    assert t("changes.title", "en") in shown and "revised" in shown
    assert "From November 2024 to December 2024" in shown


def test_the_map_shows_counts_as_a_rate_by_default_and_ratios_as_they_are():
    at = run("pages/map.py", lang="en", indicator="jobseekers", level="pilot")
    assert at.radio(key="url_per").value == "inhabitants" and param(at, "per") == "inhabitants"
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert "Jobseekers per 1,000 inhabitants" in layout["title"]["text"]
    at = run("pages/map.py", lang="en", indicator="unemployment_share")
    assert not at.radio or all(r.key != "url_per" for r in at.radio)


def test_trends_can_show_counts_as_a_share_of_the_labour_force():
    at = run("pages/trends.py", lang="fi", indicator="unemployed_jobseekers", areas="PILOT09,KU398", per="labour_force")
    assert at.radio(key="url_per").value == "labour_force"
    assert "osuutena työvoimasta" in chart_titles(at)[0]
    events = next(df.value for df in at.dataframe if t("events.col_text", "fi") in df.value.columns)
    assert len(events) == 3


def test_the_ranking_colours_each_position_by_its_class_without_a_styler():
    """Colour marks position only: each cell a label of its class's colour (1 darkest), from the grid's own
    column type, so no pandas Styler runs on every rerun (docs/performance.md)."""
    at = run("pages/compare.py", lang="en", areas="PILOT09,PILOT01,PILOT02")
    ranking = at.dataframe[0]
    position = t("compare.col_position", "en")
    config = json.loads(ranking.proto.columns)[position]["type_config"]
    assert config["type"] == "multiselect"
    colours = {option["value"]: option["color"] for option in config["options"]}
    assert colours == {"1": "#08519c", "2": "#2171b5", "3": "#9ecae1", "4": "#c6dbef", "5": "#eff3ff"}
    cells = ranking.value[position].tolist()
    assert cells and all(list(cell) in ([str(p)] for p in range(1, 6)) for cell in cells), cells
    assert not ranking.proto.arrow_data.HasField("styler")
