"""Public mode in the views and on the pages: only public indicators, and no hidden small count that a
published total gives away by subtraction (app.views.public over app.disclosure), on the demo database."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from sqlalchemy import create_engine, text

from app.i18n import t
from app.indicators import registry
from app.views.public import group_members, indicators, protect
from app.views.source import QuerySource
from tests.conftest import run_page

REG = registry()
MONTH = date(2022, 9, 1)  # the demo month with the most suppressed cells of pilot_clients_immigrant


@pytest.fixture(scope="module")
def demo(demo_sqlite):
    engine = create_engine(demo_sqlite)
    yield QuerySource(engine)
    engine.dispose()


def solvable(frame: pl.DataFrame, members: pl.DataFrame) -> list[str]:
    """Groups with exactly one hidden cell among the shown members and the total (shown or published elsewhere)."""
    hidden = set(frame.filter(pl.col("status") == "suppressed")["area_code"])
    shown = set(frame["area_code"])
    bad = []
    for (group,), rows in members.group_by("group_code"):
        cells = [m for m in rows["member_code"] if m in shown] + ([group] if group in shown else [])
        if len([c for c in cells if c in hidden]) == 1:
            bad.append(group)
    return bad


def test_the_public_registry_leaves_out_what_is_not_public():
    assert "pilot_clients_with_plan" in indicators(public=False)
    assert "pilot_clients_with_plan" not in indicators(public=True)
    assert set(indicators(public=True).codes()) == {i.code for i in REG if i.public}


def test_a_map_of_municipalities_hides_a_second_cell_where_one_could_be_subtracted(demo):
    from app.views.maps import map_view

    indicator = REG["pilot_clients_immigrant"]
    raw = map_view(demo, indicator, MONTH, "municipality", "en").frame
    public = map_view(demo, indicator, MONTH, "municipality", "en", public=True).frame
    primary = set(raw.filter(pl.col("status") == "suppressed")["area_code"])
    hidden = set(public.filter(pl.col("status") == "suppressed")["area_code"])
    assert primary and primary < hidden  # the data's own suppression, and more
    members = group_members(demo, [MONTH])
    assert solvable(raw, members)  # without public rules, some group total gives a hidden cell away
    assert not solvable(public, members)
    assert public.filter(pl.col("status") == "suppressed")["value"].null_count() == len(hidden)  # never shown


def test_public_mode_keeps_what_needs_no_protection(demo):
    from app.views.maps import map_view

    indicator = REG["unemployment_share"]  # no suppressed cells in the demo
    raw = map_view(demo, indicator, date(2024, 12, 1), "municipality", "en").frame
    public = map_view(demo, indicator, date(2024, 12, 1), "municipality", "en", public=True).frame
    assert raw.select("area_code", "value", "status").equals(public.select("area_code", "value", "status"))


def test_a_ratio_hides_its_numerator_and_denominator_with_its_value(demo):
    frame = pl.DataFrame({"area_code": ["KU091", "KU049"], "period": [MONTH, MONTH], "value": [10.0, None],
                          "status": ["final", "suppressed"], "numerator": [5.0, 3.0], "denominator": [50.0, 30.0]})
    protected = protect(demo, REG["client_share"], frame)
    hidden = protected.filter(pl.col("status") == "suppressed")
    assert hidden["numerator"].null_count() == hidden.height and hidden["denominator"].null_count() == hidden.height


def test_a_trend_is_protected_before_its_index_is_taken(demo):
    from app.views.trends import trend_view

    areas = ["KU091", "KU092", "KU049", "MK01"]
    indicator = REG["pilot_clients_immigrant"]
    raw = trend_view(demo, indicator, areas, "value", "en").chart.tidy
    public = trend_view(demo, indicator, areas, "value", "en", public=True).chart.tidy
    assert (public["status"] == "suppressed").sum() >= (raw["status"] == "suppressed").sum()
    assert public.filter(pl.col("status") == "suppressed")["value"].null_count() == \
        (public["status"] == "suppressed").sum()


def test_non_public_indicators_raise_in_public_views(demo):
    from app.disclosure import NotPublic
    from app.views.maps import map_view

    with pytest.raises(NotPublic):
        map_view(demo, REG["clients_with_plan_share"], date(2024, 12, 1), "pilot", "en", public=True)


# --- the pages in public mode --------------------------------------------------------------------

@pytest.fixture
def public_app(demo_sqlite, monkeypatch, tmp_path):
    monkeypatch.setenv("PILOT_TRACKER_DB", demo_sqlite)
    monkeypatch.setenv("PILOT_TRACKER_PUBLIC", "1")

    return run_page


def test_a_non_public_indicator_in_the_url_gets_a_message_and_the_default(public_app):
    at = public_app("pages/map.py", lang="en", indicator="pilot_clients_with_plan")
    box = at.selectbox(key="url_indicator")
    assert box.value == "unemployment_share"
    assert "pilot_clients_with_plan" not in box.options and REG["pilot_clients_with_plan"].name("en") not in box.options
    notes = [i.value for i in at.info]
    assert any("not published in this service" in note for note in notes), notes
    assert at.query_params["indicator"] in ("unemployment_share", ["unemployment_share"])


def test_the_data_page_lists_only_public_indicators_in_public_mode(public_app):
    at = public_app("pages/data.py", lang="en")
    names = next(df.value for df in at.dataframe if t("data.col_code", "en") in df.value.columns)[
        t("data.col_code", "en")].tolist()
    assert "jobseekers" in names and "pilot_clients_with_plan" not in names


def test_public_pages_show_protected_cells_as_suppressed(public_app):
    at = public_app("pages/map.py", lang="en", indicator="pilot_clients_immigrant", month="2022-09")
    table = next(df.value for df in at.dataframe if t("common.status", "en") in df.value.columns)
    suppressed = table[table[t("common.status", "en")] == t("status.suppressed", "en")]
    assert len(suppressed) > 0 and suppressed.iloc[:, 1].isna().all()


def test_demo_has_suppressed_cells_to_protect(demo_sqlite):
    engine = create_engine(demo_sqlite)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM observation WHERE status = 'suppressed' "
                                  "AND indicator_code = 'pilot_clients_immigrant' AND period = :p"),
                             {"p": MONTH.isoformat()}).scalar()
    engine.dispose()
    assert count and count > 1  # the tests above protect something real
