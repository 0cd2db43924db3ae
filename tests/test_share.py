"""Share, embed and snapshot a view: the same data on the page, in its embed and in its snapshot files.

The snapshot command renders with Kaleido on Debian's Chromium (the `chromium` fixture skips without it).
"""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from app.cli import main
from app.exports import TIDY_SCHEMA
from app.i18n import t
from tests.conftest import ROOT, run_page
from tests.test_snapshot import assert_self_contained

TREND = {"indicator": "pilot_clients_immigrant", "areas": "PILOT20,KU009,SSS", "mode": "value"}


@pytest.fixture
def app(demo_sqlite, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_DB", demo_sqlite)
    monkeypatch.delenv("PILOT_TRACKER_SNAPSHOT_URL", raising=False)

    return run_page


@pytest.fixture(scope="module")
def snapshots(demo_sqlite, chromium, tmp_path_factory):
    """Trend, map and gauges snapshots of the demo database, written by the CLI."""
    out = tmp_path_factory.mktemp("snapshots")
    runner = CliRunner()
    commands = [
        ["--view", "trend", "--indicator", TREND["indicator"], "--areas", TREND["areas"], "--lang", "en"],
        ["--view", "map", "--indicator", "pilot_clients_immigrant", "--month", "2022-09", "--lang", "sv"],
        ["--view", "gauges", "--lang", "fi"],
        ["--view", "compare", "--areas", "PILOT05,PILOT01", "--indicator", "unemployment_share,client_share",
         "--month", "2024-06", "--lang", "fi"],
    ]
    for command in commands:
        result = runner.invoke(main, ["snapshot", *command, "--out", str(out), "--db", demo_sqlite,
                                      "--site-url", "https://seuranta.example.fi/"])
        assert result.exit_code == 0, result.output
    return out


def only(folder, pattern: str):
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def test_snapshot_files_are_complete_self_contained_and_accessible(snapshots):
    for view, lang in (("trend", "en"), ("map", "sv"), ("gauges", "fi"), ("compare", "fi")):
        html_path = only(snapshots, f"{view}-*.html")
        html = html_path.read_text(encoding="utf-8")
        assert_self_contained(html)
        assert f'<html lang="{lang}">' in html and "<caption>" in html
        assert '<th scope="col">' in html and '<th scope="row">' in html
        meta = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
        assert {"indicator", "areas", "period", "source", "licence", "release_date", "generated_at",
                "version"} <= set(meta)
        assert meta["permalink"].startswith("https://seuranta.example.fi/") and "embed" not in meta["permalink"]
        assert all(html_path.with_suffix(f".{ext}").stat().st_size > 0 for ext in ("svg", "png", "csv"))
    index = (snapshots / "index.html").read_text(encoding="utf-8")
    assert only(snapshots, "gauges-*.html").name in index and '<html lang="fi">' in index


def test_a_compare_snapshot_holds_the_compare_page_ranking(snapshots, app, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_PUBLIC", "1")
    csv = pl.read_csv(only(snapshots, "compare-*.csv"))
    meta = json.loads(only(snapshots, "compare-*.json").read_text(encoding="utf-8"))
    assert meta["indicator"] == "unemployment_share,client_share" and meta["period"] == "2024-06"
    assert "indicators=unemployment_share,client_share" in meta["permalink"]
    at = app("pages/compare.py", lang="fi", areas="PILOT05,PILOT01", indicators="unemployment_share,client_share",
             month="2024-06")
    ranks = [df.value for df in at.dataframe
             if {t("compare.col_rank", "fi"), t("compare.col_median", "fi")} <= set(df.value.columns)]
    page = sorted(rank for table in ranks for rank in table[t("compare.col_rank", "fi")].tolist())
    assert page == sorted(csv["rank"].to_list()) and len(page) == 4
    html = only(snapshots, "compare-*.html").read_text(encoding="utf-8")
    assert f'<th scope="col">{t("compare.col_rank", "fi")}</th>' in html


def test_the_command_refuses_what_it_cannot_show(demo_sqlite, tmp_path):
    runner = CliRunner()
    hidden = runner.invoke(main, ["snapshot", "--view", "map", "--indicator", "pilot_clients_with_plan",
                                  "--out", str(tmp_path), "--db", demo_sqlite])
    assert hidden.exit_code == 1 and "not public" in hidden.output
    unknown = runner.invoke(main, ["snapshot", "--view", "trend", "--areas", "KU999", "--out", str(tmp_path),
                                   "--db", demo_sqlite])
    assert unknown.exit_code == 1 and "KU999" in unknown.output
    neither = runner.invoke(main, ["snapshot", "--out", str(tmp_path), "--db", demo_sqlite])
    assert neither.exit_code == 2 and "--view or --all" in neither.output
    assert not list(tmp_path.iterdir())  # nothing half-written


def page_table(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_a_snapshot_csv_holds_the_page_data_of_the_same_view(snapshots, app, monkeypatch):
    """Snapshots follow public rules; the page in public mode shows the very same cells."""
    monkeypatch.setenv("PILOT_TRACKER_PUBLIC", "1")
    csv = pl.read_csv(only(snapshots, "trend-*.csv"), schema=TIDY_SCHEMA)
    at = app("pages/trends.py", lang="en", **TREND)
    table = page_table(at, t("common.month", "en"))
    value_column = table.columns[2]
    page_rows = {(row[t("common.area", "en")], row[t("common.month", "en")].strftime("%Y-%m"),
                  None if row[value_column] != row[value_column] else row[value_column],
                  row[t("common.status", "en")]) for _, row in table.iterrows()}
    csv_rows = {(r["area_name"], r["month"], r["value"], t("status." + r["status"], "en")) for r in csv.to_dicts()}
    assert page_rows == csv_rows
    assert (csv["status"] == "suppressed").sum() > 0  # the comparison covers hidden cells too

    map_csv = pl.read_csv(only(snapshots, "map-*.csv"), schema=TIDY_SCHEMA)
    at = app("pages/map.py", lang="sv", indicator="pilot_clients_immigrant", month="2022-09")
    table = page_table(at, t("common.status", "sv"))
    shown = {row[t("common.area", "sv")]: (None if row.iloc[1] != row.iloc[1] else row.iloc[1])
             for _, row in table.iterrows()}
    assert shown == dict(zip(map_csv["area_name"], map_csv["value"]))


def test_embed_shows_the_chart_alone_with_its_context(app):
    at = app("pages/trends.py", lang="en", embed="true", **TREND)
    assert not at.selectbox and not at.multiselect and not at.radio  # no controls
    assert not at.sidebar.get("button_group")  # no language picker
    title = at.title[0].value
    assert title.startswith(t("trends.title", "en")) is False and "Alavieska" in title
    captions = "\n".join(c.value for c in at.caption)
    assert "Source:" in captions and "Licence: CC BY 4.0" in captions and "Published:" in captions
    assert "Period: January 2019 – December 2024" in captions
    assert any(t("snapshot.synthetic", "en") in w.value for w in at.warning)
    link = next(m.value for m in at.markdown if t("snapshot.full_view", "en") in m.value)
    assert "trends?" in link and "embed" not in link and "areas=PILOT20,KU009,SSS" in link


def test_share_control_gives_permalink_iframe_and_snapshot_command(app):
    at = app("pages/trends.py", lang="fi", **TREND)
    codes = [c.value for c in at.code]
    permalink = next(c for c in codes if c.startswith(("http", "/")) and "trends?" in c)
    assert "lang=fi" in permalink and "indicator=pilot_clients_immigrant" in permalink and "embed" not in permalink
    iframe = next(c for c in codes if c.startswith("<iframe"))
    assert "embed=true" in iframe and re.search(r'title="[^"]+"', iframe)
    command = next(c for c in codes if c.startswith("pilot-tracker snapshot"))
    assert "--view trend" in command and "--areas PILOT20,KU009,SSS" in command and "--lang fi" in command


def test_share_control_links_the_published_snapshot_when_configured(app, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_SNAPSHOT_URL", "https://cdn.example.fi/seuranta")
    at = app("pages/map.py", lang="en", month="2024-12")
    links = [m.value for m in at.markdown if "cdn.example.fi" in m.value]
    assert links and "https://cdn.example.fi/seuranta/map-unemployment_share-municipality-2024-12-en.html" in links[0]


def test_every_chart_has_words_and_a_table(app):
    for page, tables in (("pages/map.py", 1), ("pages/gauges.py", 2), ("pages/overview.py", 1)):
        at = app(page, lang="en")
        words = [c.value for c in at.caption if c.value.startswith(f"**{t('chart.in_words', 'en')}:**")]
        assert words and all(len(w) > 60 for w in words), page
        assert len(at.dataframe) >= tables, page
        assert [e.label for e in at.expander].count(t("chart.table", "en")) >= 1, page


def test_the_accessibility_statement_names_the_feedback_channel_and_the_authority(app, monkeypatch):
    monkeypatch.setenv("PILOT_TRACKER_FEEDBACK", "saavutettavuus@example.fi")
    at = app("pages/data.py", lang="fi")
    text = "\n".join(m.value for m in at.markdown)
    assert "[saavutettavuus@example.fi](mailto:saavutettavuus@example.fi)" in text
    assert "Traficom" in text and "https://www.saavutettavuusvaatimukset.fi" in text
    assert "canvas" in text and "WCAG 1.3.1" in text  # the real shortcomings are listed
    monkeypatch.delenv("PILOT_TRACKER_FEEDBACK")
    at = app("pages/data.py", lang="en")
    assert "PILOT_TRACKER_FEEDBACK" in "\n".join(m.value for m in at.markdown)


def test_docs_cover_the_snapshot_command_and_the_public_settings():
    from app.cli import snapshot

    doc = (ROOT / "docs" / "public.md").read_text(encoding="utf-8")
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for option in snapshot.params:
        if option.name != "db_url":
            assert any(f"{name}" in doc for name in option.opts), option.opts
    assert "Examples:" in snapshot.help and "pilot-tracker snapshot --all" in snapshot.help
    for variable in ("PILOT_TRACKER_PUBLIC", "PILOT_TRACKER_FEEDBACK", "PILOT_TRACKER_SITE_URL",
                     "PILOT_TRACKER_SNAPSHOT_URL", "PILOT_TRACKER_SUPERVISOR_URL"):
        assert variable in deploy, variable
