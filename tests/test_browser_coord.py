"""Browser tier for the coordinators' pages: `/area?areas=PILOT09` and `/compare` in Debian's Chromium, on the
real server with the shipped boundaries (the fixtures of tests/test_browser.py). Screenshots go to
artifacts/screenshots/ for a human to look at, also at a phone's width."""

from __future__ import annotations

import pytest

from app.i18n import t
from tests.test_browser import (  # noqa: F401 - fixtures used by name
    CHART, CHART_ELEMENT, CHART_MS, RENDER_MS, assert_banner, assert_no_errors, browser_db, expect_heading,
    expect_query, heading, open_page, page, query, screenshot, server_url, settle,
)

pytestmark = pytest.mark.browser

LAHTI = {"fi": "Lahden seutu", "sv": "Lahtisregionen", "en": "Lahti region"}


@pytest.mark.parametrize("lang", ("fi", "sv", "en"))
def test_the_area_page_of_pilot09_draws_its_figures_and_charts(page, lang):
    open_page(page, f"/area?areas=PILOT09&lang={lang}")
    try:
        page.wait_for_selector(CHART, state="visible", timeout=CHART_MS)
    finally:
        screenshot(page, f"area-PILOT09-{lang}")
    assert heading(page) == LAHTI[lang]
    assert_no_errors(page)
    assert_banner(page, lang)
    assert query(page).get("areas") == "PILOT09" and query(page).get("lang") == lang
    assert page.locator(CHART_ELEMENT).count() == 3  # the trend, the indexed comparison, the difference in differences
    assert page.get_by_text(t("compare.not_a_judgement", lang)).first.is_visible()
    assert page.get_by_text(t("matching.note.not_impact_evaluation", lang)[:40]).count() >= 1
    events = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot .annotation-text')]"
                           ".map(e => e.textContent)")
    assert {"1", "2", "3"} <= set(events)  # the numbered event markers on the charts


@pytest.mark.parametrize("lang", ("fi", "sv", "en"))
def test_the_compare_page_ranks_and_adds_the_similar_areas_in_one_click(page, lang):
    open_page(page, f"/compare?lang={lang}&areas=PILOT09")
    assert heading(page) == t("compare.title", lang)
    assert_no_errors(page)
    assert_banner(page, lang)
    page.get_by_role("button", name=t("similar.add", lang)).click()
    deadline = RENDER_MS / 1000
    page.wait_for_function("() => new URLSearchParams(location.search).get('areas')?.split(',').length === 9",
                           timeout=deadline * 1000)
    settle(page)
    screenshot(page, f"compare-PILOT09-{lang}")
    chosen = query(page)["areas"].split(",")
    assert chosen[0] == "PILOT09" and len(chosen) == 9
    assert_no_errors(page)


def test_the_overview_link_opens_the_area_page(page):
    open_page(page, "/?lang=en")
    page.get_by_role("link", name=LAHTI["en"], exact=True).click()
    expect_heading(page, LAHTI["en"])
    expect_query(page, areas="PILOT09", lang="en")
    assert_no_errors(page)


@pytest.mark.parametrize("path, name", [("/area?areas=PILOT09&lang=en", "area-PILOT09-phone"),
                                        ("/compare?areas=PILOT09,PILOT15,PILOT11&lang=fi", "compare-phone")])
def test_the_new_pages_fit_a_phone(page, path, name):
    page.set_viewport_size({"width": 390, "height": 1600})
    open_page(page, path)
    screenshot(page, name)
    assert_no_errors(page)
    overflow = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow} px wider than the phone"


def test_the_area_survives_a_language_switch(page):
    from tests.test_browser import LANGUAGE_BUTTONS, PICKER_LABEL

    open_page(page, "/area?areas=KU398&lang=en&indicator=long_term_unemployed")
    picker = page.get_by_role("radiogroup", name=PICKER_LABEL)
    for lang, name in (("sv", "Lahtis"), ("fi", "Lahti")):  # the official Swedish name, then the Finnish
        picker.get_by_role("radio", name=LANGUAGE_BUTTONS[lang]).click()
        expect_heading(page, name)
        expect_query(page, lang=lang, areas="KU398", indicator="long_term_unemployed")
        assert page.get_by_text(t("area.ranks", lang)).first.is_visible()
        assert_no_errors(page)
