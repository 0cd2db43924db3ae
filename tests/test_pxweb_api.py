"""The PxWeb API client against the local stand-in over real HTTP on 127.0.0.1: exact values, limits, faults."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import date, datetime, timezone

import pytest

from app.ingest.pxweb_read import read_table
from app.ingest.pxweb_api import DEFAULT_LIMITS, Client, FetchError, Limits, api_root, fetch_table, make_plan, parse_metadata
from tests.conftest import shared_file
from tests.pxweb_standin import (
    SUPPRESSED,
    FakeClock,
    export_cells,
    json_number,
    known_area_codes,
    pxweb_standin,  # noqa: F401 - the fixture
    real_12r5_table,
    small_table,
    window_peak,
)

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 never goes through a proxy


def client(clock: FakeClock | None = None, **options) -> Client:
    options.setdefault("timeout", 5.0)
    if clock is not None:
        options.update(clock=clock, sleep=clock.sleep)
    return Client(opener=NO_PROXY, **options)


def cells_of(document: dict) -> dict[tuple[str, ...], tuple[object, str | None]]:
    """(area, month, content) -> (value, status symbol) of a merged document, walked independently."""
    ids = document["id"]
    codes = [sorted(document["dimension"][d]["category"]["index"].items(), key=lambda kv: kv[1]) for d in ids]
    out, n = {}, 0

    def walk(depth: int, prefix: tuple[str, ...]) -> None:
        nonlocal n
        if depth == len(ids):
            out[prefix] = (document["value"][n], document.get("status", {}).get(str(n)))
            n += 1
            return
        for code, _ in codes[depth]:
            walk(depth + 1, prefix + (code,))

    walk(0, ())
    assert n == len(document["value"])
    return out


def expected(raw: str) -> tuple[object, str | None]:
    return (None, SUPPRESSED) if raw == SUPPRESSED else (json_number(raw), None)


def requested(call, code: str) -> list[str]:
    return call.selection.get(code, [])


# --- the hand-made table: always runs -------------------------------------------------------------

def test_small_table_fetches_every_cell_exactly(pxweb_standin):
    table = small_table()
    server = pxweb_standin([table])
    progress = []
    result = fetch_table(server.url(table), client=client(), on_progress=lambda done, total: progress.append(
        (done, total)))
    got = cells_of(result.document)
    want = {(a, m, c): expected(table.raw(a, m, c)) for a, _ in table.areas for m in table.months
            for c, _ in table.contents}
    assert got == want
    assert got[("KU092", "2026M05", "TYOTTOMATLOPUSSA")] == (None, "...")  # suppressed, not zero
    assert result.stats.months == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert result.stats.cells == len(want) == 42 and result.stats.queries == 1
    assert result.title == table.title and result.updated == table.updated and not result.nothing_new
    assert progress[0] == (0, 42) and progress[-1] == (42, 42)
    assert result.retrieved_at.tzinfo is not None


def test_filters_request_only_known_areas_and_mapped_contents(pxweb_standin):
    table = small_table()
    server = pxweb_standin([table])
    result = fetch_table(server.url(table), areas=known_area_codes(), contents={"TYOTTOMATLOPUSSA", "NOT_THERE"},
                         client=client())
    assert result.stats.skipped_areas == ["KU199", "SK011"]
    assert result.stats.skipped_contents == ["HAKIJALOPUSSA"]
    (post,) = server.log("POST")
    assert requested(post, "Alue") == ["SSS", "KU091", "KU049", "KU092", "MK01"]
    assert requested(post, "Tiedot") == ["TYOTTOMATLOPUSSA"] and post.cells == 5 * 3 * 1
    assert {k[0] for k in cells_of(result.document)} == {"SSS", "KU091", "KU049", "KU092", "MK01"}


def test_months_from_to_request_only_those_months(pxweb_standin):
    table = small_table()
    server = pxweb_standin([table])
    result = fetch_table(server.url(table), first=date(2026, 5, 1), last=date(2026, 5, 1), client=client())
    assert [requested(c, "Kuukausi") for c in server.log("POST")] == [["2026M05"]]
    assert {k[1] for k in cells_of(result.document)} == {"2026M05"}
    assert result.stats.months == [date(2026, 5, 1)]


def test_incremental_start_fetches_only_later_months(pxweb_standin):
    table = small_table()
    server = pxweb_standin([table])
    result = fetch_table(server.url(table), after=date(2026, 4, 1), client=client())
    assert [requested(c, "Kuukausi") for c in server.log("POST")] == [["2026M05", "2026M06"]]
    assert result.stats.months == [date(2026, 5, 1), date(2026, 6, 1)]
    assert cells_of(result.document)[("KU091", "2026M06", "HAKIJALOPUSSA")] == (2020, None)


def test_nothing_new_sends_no_data_query(pxweb_standin, tmp_path):
    table = small_table()
    server = pxweb_standin([table])
    result = fetch_table(server.url(table), after=date(2026, 6, 1), client=client())
    assert result.nothing_new and result.document is None and result.stats.months == []
    assert [(c.method, c.path) for c in server.calls] == [("GET", "/PxWeb/api/v1/" + table.path)]  # no ?config
    assert "nothing new" in result.stats.summary()
    with pytest.raises(ValueError):
        result.write(tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()


def test_a_plan_over_the_limit_is_split_and_no_403_is_hit(pxweb_standin):
    table = small_table()
    clock = FakeClock()
    server = pxweb_standin([table], max_values=5, clock=clock)  # one month is 14 cells: months first, then areas
    result = fetch_table(server.url(table), client=client(clock))
    posts = server.log("POST")
    assert not server.log(status=403) and all(c.cells <= 5 for c in posts)
    assert all(len(requested(c, "Kuukausi")) == 1 for c in posts)
    assert sum(c.cells for c in posts) == result.stats.cells == 42 and result.stats.splits == 0
    assert cells_of(result.document)[("KU092", "2026M05", "TYOTTOMATLOPUSSA")] == (None, "...")


def test_a_too_big_plan_recovers_by_halving_on_403(pxweb_standin):
    table = small_table()
    clock = FakeClock()
    server = pxweb_standin([table], max_values=8, advertise={"maxValues": 1000}, clock=clock)  # claims more
    result = fetch_table(server.url(table), client=client(clock))
    refused = server.log("POST", 403)
    assert refused and result.stats.splits == len(refused)
    assert all(c.cells <= 8 for c in server.log("POST", 200))
    assert cells_of(result.document) == {(a, m, c): expected(table.raw(a, m, c)) for a, _ in table.areas
                                         for m in table.months for c, _ in table.contents}


def test_429_is_waited_for_and_retried(pxweb_standin):
    table = small_table()
    clock = FakeClock()
    server = pxweb_standin([table], max_values=7, max_calls=3, time_window=1.0, clock=clock,
                           advertise={"maxCalls": 100})  # the client trusts ?config and is turned away
    result = fetch_table(server.url(table), client=client(clock))
    throttled = server.log(status=429)
    assert throttled and result.stats.throttled == len(throttled)
    assert 1.0 in clock.slept  # the Retry-After the stand-in sent
    assert window_peak(server.log(status=200), 1.0) <= 3
    assert result.stats.cells == 42 and len(cells_of(result.document)) == 42


def test_pacing_keeps_calls_within_the_limit_in_real_time(pxweb_standin):
    table = small_table()
    server = pxweb_standin([table], max_values=14, max_calls=2, time_window=0.3)  # real clock on both sides
    started = time.monotonic()
    result = fetch_table(server.url(table), client=client())
    assert result.stats.queries == 3 and len(server.calls) == 5 and not server.log(status=429)
    assert window_peak(server.calls, 0.3) <= 2
    assert time.monotonic() - started >= 0.6  # the 3rd and the 5th call each wait for a window to pass


@pytest.mark.parametrize("fault", ["drop", "timeout", "500"])
def test_a_failed_query_is_retried(pxweb_standin, fault):
    table = small_table()
    clock = FakeClock()
    server = pxweb_standin([table], max_values=7, faults={2: fault}, clock=clock)
    result = fetch_table(server.url(table), client=client(clock, timeout=1.0))
    assert [c.fault for c in server.log("POST") if c.fault] == [fault]
    assert result.stats.retries == 1 and 1.0 in clock.slept  # the first backoff
    assert cells_of(result.document) == {(a, m, c): expected(table.raw(a, m, c)) for a, _ in table.areas
                                         for m in table.months for c, _ in table.contents}


@pytest.mark.parametrize("fault, words", [("drop", "dropped mid-answer"), ("timeout", "timeout"),
                                          ("500", "HTTP 500")])
def test_a_query_that_keeps_failing_raises_fetch_error(pxweb_standin, fault, words):
    table = small_table()
    clock = FakeClock()
    server = pxweb_standin([table], always=fault, clock=clock)
    progress = []
    with pytest.raises(FetchError) as raised:
        fetch_table(server.url(table), client=client(clock, timeout=1.0, retries=2),
                    on_progress=lambda done, total: progress.append(done))
    message = str(raised.value)
    assert server.url(table) in message and words in message and "gave up after 3 attempts" in message
    assert len(server.log("POST")) == 3 and clock.slept == [1.0, 2.0]  # exponential backoff
    assert progress == [0]


def test_an_answer_that_does_not_match_its_query_is_refused(pxweb_standin):
    table = small_table()
    server = pxweb_standin([table], max_values=14, faults={3: "garbled"})
    with pytest.raises(FetchError, match="does not match it: it has 13 values for 14 cells"):
        fetch_table(server.url(table), client=client())
    assert len(server.log("POST")) == 3  # not retried: the service answered, wrongly


def test_errors_name_the_url_and_what_happened(pxweb_standin):
    table = small_table()
    server = pxweb_standin([table])
    with pytest.raises(FetchError, match="not a PxWeb API v1 table URL"):
        fetch_table("https://pxdata.stat.fi/PxWeb/pxweb/fi/StatFin/", client=client())
    missing = server.root + "fi/StatFin/none.px"
    with pytest.raises(FetchError, match="HTTP 404") as raised:
        fetch_table(missing, client=client())
    assert raised.value.url == missing and len(server.calls) == 1  # a 404 is not retried
    with pytest.raises(FetchError, match="connection was refused|network error"):
        fetch_table("http://127.0.0.1:9/PxWeb/api/v1/fi/x.px", client=client(FakeClock(), retries=1))
    with pytest.raises(FetchError, match="none of the table's 7 area codes"):
        fetch_table(server.url(table), areas={"KU999"}, client=client())


@pytest.mark.parametrize("config_at", [("fi/",), ("",), ()])
def test_limits_come_from_config_where_the_service_publishes_it(pxweb_standin, config_at):
    table = small_table()
    server = pxweb_standin([table], max_values=14, max_calls=50, config_at=config_at)
    result = fetch_table(server.url(table), client=client())
    asked = [c.path.removeprefix("/PxWeb/api/v1/") for c in server.log("GET") if "config" in c.path]
    assert asked == (["fi/?config"] if config_at == ("fi/",) else ["fi/?config", "?config"])
    if config_at:
        assert result.stats.limits == Limits(14, 50, 1.0) and result.stats.queries == 3
    else:  # neither published: the defaults, too big here, so 403s halve the queries until they fit
        assert result.stats.limits == DEFAULT_LIMITS and result.stats.splits == len(server.log("POST", 403)) > 0
        assert result.stats.cells == 42 and all(c.cells <= 14 for c in server.log("POST", 200))


def test_plan_splits_months_first_then_areas_and_covers_the_box_once():
    table = small_table()
    meta = parse_metadata("u", table.metadata())
    plan = make_plan("u", meta)
    for limit in (1, 2, 5, 14, 15, 29, 42, 1000):
        queries = plan.queries(limit)
        assert all(q.cells <= limit for q in queries)
        covered = [(a, m, c) for q in queries for a in q.values("Alue") for m in q.values("Kuukausi")
                   for c in q.values("Tiedot")]
        assert len(covered) == len(set(covered)) == 42
        if limit >= 14:  # a month fits: whole months, areas never split
            assert all(len(q.values("Alue")) == 7 for q in queries)
    assert [len(q.values("Alue")) for q in plan.queries(5)][:4] == [1, 2, 2, 2]  # balanced, not 2 + 2 + 2 + 1


def test_api_root_and_written_document(pxweb_standin, tmp_path):
    url = "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"
    assert api_root(url) == "https://pxdata.stat.fi/PxWeb/api/v1/"
    table = small_table()
    server = pxweb_standin([table])
    fixed = datetime(2026, 7, 22, 8, 0, tzinfo=timezone.utc)
    result = fetch_table(server.url(table), client=client(), now=lambda: fixed,
                         limits=Limits(max_values=20, max_calls=5, time_window=1.0))
    assert result.retrieved_at == fixed and result.stats.queries == 3  # the given limits, not ?config
    assert not [c for c in server.calls if "config" in c.path]
    path = result.write(tmp_path / "small.json")
    assert json.loads(path.read_text(encoding="utf-8")) == result.document
    assert read_table(path).format == "JSON-stat 2.0"


def test_standin_answers_pxweb_json_that_the_file_reader_reads(pxweb_standin, tmp_path):
    table = small_table()
    server = pxweb_standin([table])
    query = make_plan("u", parse_metadata("u", table.metadata())).whole.body("json")
    request = urllib.request.Request(server.url(table), data=json.dumps(query).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with NO_PROXY.open(request, timeout=5) as response:
        (tmp_path / "small-px.json").write_bytes(response.read())
    px = read_table(tmp_path / "small-px.json")
    assert px.format == "PxWeb JSON" and px.updated == table.updated
    assert {c.coords: c.raw for c in px.cells} == {(a, m, c): table.raw(a, m, c) for a, _ in table.areas
                                                   for m in table.months for c, _ in table.contents}


# --- the real 12r5 export over 90 months (skips without ../shared) ------------------------------------

def test_full_12r5_history_is_fetched_exactly(pxweb_standin):
    table, export = real_12r5_table()
    clock = FakeClock()
    server = pxweb_standin([table], max_values=5000, max_calls=10, time_window=1.0, clock=clock)
    result = fetch_table(server.url(table), client=client(clock))
    stats = result.stats
    assert len(stats.months) == 90 and stats.months[0] == date(2019, 1, 1) and stats.months[-1] == date(2026, 6, 1)
    file_cells = export_cells(export)
    got = cells_of(result.document)
    assert len(got) == 90 * len(file_cells) == stats.cells
    suppressed = 0
    for (area, month, content), cell in got.items():
        assert cell == expected(file_cells[(area, content)]), (area, month, content)
        suppressed += cell[0] is None
    assert suppressed == 90 * sum(1 for v in file_cells.values() if v == SUPPRESSED) > 0
    posts = server.log("POST")
    assert not server.log(status=403) and not server.log(status=429) and stats.splits == stats.throttled == 0
    assert all(c.cells <= 5000 for c in posts) and stats.queries == len(posts)
    assert window_peak(server.calls, 1.0) <= 10
    assert stats.retries == 0 and stats.calls == len(server.calls)
    print(f"\nfull 12r5 fetch against the stand-in: {stats.summary()}")


def test_merged_document_reads_like_the_export(pxweb_standin, tmp_path):
    table, export = real_12r5_table()
    server = pxweb_standin([table], max_values=5000, max_calls=50)
    result = fetch_table(server.url(table), first=date(2026, 6, 1), client=client())
    fetched = read_table(result.write(tmp_path / "12r5.json"))
    exported = read_table(shared_file("real", "statfin_tyonv_12r5_2026M06.json"))

    def by_area_content(px) -> dict:
        month = next(n for n, d in enumerate(px.dimensions) if "2026M06" in d.codes)
        area = next(n for n, d in enumerate(px.dimensions) if "SSS" in d.codes)
        content = 3 - month - area
        return {(c.coords[area], c.coords[content]): c.raw for c in px.cells if c.coords[month] == "2026M06"}

    want = {key: json_number(raw) for key, raw in by_area_content(exported).items()}
    assert by_area_content(fetched) == want and len(want) == 421 * 23
    assert fetched.updated == table.updated and fetched.label == table.title
