"""URL fuzzing: hypothesis-made URL states against every page through Streamlit's AppTest.

Each case asserts no exception and no error box, every message short and in the user's language, a
bounded time, and that no string reaching SQL as a bound parameter is anything but a registry
indicator code or an area code of the database (or one of the schema's own words: statuses, kinds),
checked by a SQLAlchemy before_cursor_execute listener on every engine. `make test` runs a few dozen
cases (tests/test_fuzz_urls.py); the long run is a command:

    .venv/bin/python -m tests.fuzz_urls --cases 10000 [--seed 1] [--json artifacts/fuzz_urls.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, seed as with_seed, settings, strategies as st
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import schema
from app.i18n import t
from app.indicators import registry

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "streamlit_app.py"
PAGES = ["pages/overview.py", "pages/map.py", "pages/trends.py", "pages/gauges.py", "pages/area.py",
         "pages/compare.py", "pages/data.py"]
KEYS = ["lang", "indicator", "areas", "month", "level", "mode", "base", "elys", "embed", "public", "internal"]
CASE_LIMIT_S = 60.0  # a page run, on a loaded two-core machine; a cold first run per page is made before
MESSAGE_LIMIT = 500
SCHEMA_WORDS = set(schema.STATUSES) | {"municipality", "region", "ely", "pilot", "country", "group"}
GOOD = {
    "lang": ["fi", "sv", "en"], "indicator": list(registry().codes()), "level": ["municipality", "pilot", "ely", "region"],
    "mode": ["value", "index", "yoy"], "month": ["2021-03", "2024-12", "2019-01"], "base": ["2021-03"],
    "areas": ["SSS,GRP_PILOT", "PILOT01,KU091,ELY01"], "elys": ["ELY01,ELY02"],
}
HOSTILE = [
    "'; DROP TABLE observation; --", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))", "![i](http://127.0.0.1:9/x.png)", "%00", "\x00", "KU091\x00", "2021-13", "0000-00",
    "9999-99", "2021-02-30", "-1", "1e309", "NaN", "../../etc/passwd", "$\\frac{1}{0}$", ":red[x]", "\u202egnp",
    "SSS' OR '1'='1", "KU999", "PILOT99", "ELY16", "x" * 10_000, ",".join(f"KU{n:03d}" for n in range(1000)),
    ",,,,", " ", "", "ä" * 300, "\U0001f600" * 50,
]


def allowed_words(db_url: str) -> set[str]:
    from app.db import readonly_engine
    from app.queries import areas

    engine = readonly_engine(db_url)
    try:
        codes = set(areas(engine)["code"].to_list())
    finally:
        engine.dispose()
    reg = registry()
    return codes | {c for i in reg for c in (i.code, i.numerator, i.denominator) if c} | SCHEMA_WORDS


def _strings(parameters) -> Iterator[str]:
    if isinstance(parameters, dict):
        parameters = parameters.values()
    for value in parameters or ():
        if isinstance(value, (list, tuple, dict)):
            yield from _strings(value)
        elif isinstance(value, str):
            yield value


@contextmanager
def registry_guard(words: set[str]) -> Iterator[list[str]]:
    """Every bound string sent to any database in this process must be in words; offenders are collected."""
    offenders: list[str] = []

    def check(_conn, _cursor, statement, parameters, _context, executemany):
        for value in _strings(parameters if not executemany else [p for p in parameters]):
            if value not in words and not _is_timestamp(value):
                offenders.append(f"{value[:80]!r} in {statement[:80]!r}")

    event.listen(Engine, "before_cursor_execute", check)
    try:
        yield offenders
    finally:
        event.remove(Engine, "before_cursor_execute", check)


def _is_timestamp(value: str) -> bool:
    """SQLite binds dates as ISO text."""
    try:
        (datetime if len(value) > 10 else date).fromisoformat(value)
        return True
    except ValueError:
        return False


values = st.one_of(
    st.sampled_from([v for good in GOOD.values() for v in good]),
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=400),
    st.lists(st.sampled_from(["SSS", "KU091", "PILOT01", "ELY01", "KU999", "x", "<b>", "'"]), max_size=1000)
      .map(",".join),
    st.dates(min_value=date(1, 1, 1)).map(lambda d: f"{d.year}-{d.month:02d}"),
)
url_states = st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=20)), values, max_size=6)


def run_case(page: str, params: dict[str, str], offenders: list[str]) -> dict:
    """One page with one URL state; raises AssertionError on any failure."""
    from streamlit.testing.v1 import AppTest

    started = time.monotonic()
    at = AppTest.from_file(str(ENTRY), default_timeout=CASE_LIMIT_S)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    elapsed = time.monotonic() - started
    assert not at.exception, (page, params, [e.value[:300] for e in at.exception])
    assert not at.error, (page, params, [e.value[:300] for e in at.error])
    lang = params.get("lang") if params.get("lang") in ("fi", "sv", "en") else "fi"
    prefix = t("url.invalid", lang).split("{")[0]
    for message in [i.value for i in at.info] + [w.value for w in at.warning]:
        assert len(message) <= MESSAGE_LIMIT, (page, params, len(message))
    for message in (i.value for i in at.info if "=`" in i.value):
        assert message.startswith(prefix), (page, params, message[:200])
    assert elapsed < CASE_LIMIT_S, (page, params, elapsed)
    assert not offenders, (page, params, offenders[:3])
    return {"page": page, "seconds": round(elapsed, 2)}


def fuzz(cases: int, seed: int, db_url: str, report: dict) -> None:
    """Run `cases` hypothesis cases over every page; timings go into report."""
    words = allowed_words(db_url)
    os.environ["PILOT_TRACKER_DB"] = db_url
    for page in PAGES:  # warm the caches once, so a case measures a page run, not the first read of the data
        with registry_guard(words) as offenders:
            run_case(page, {"lang": "fi"}, offenders)

    @settings(max_examples=cases, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(page=st.sampled_from(PAGES), params=url_states)
    def case(page, params):
        with registry_guard(words) as offenders:
            result = run_case(page, params, offenders)
        report["cases"] += 1
        report["slowest_s"] = max(report["slowest_s"], result["seconds"])
        report["total_s"] += result["seconds"]
        if report["cases"] % 100 == 0:  # progress, for a run of hours
            print(f"{report['cases']} cases, slowest {report['slowest_s']} s", file=sys.stderr, flush=True)

    with_seed(seed)(case)()  # a seed of its own per run, so shards differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="URL fuzzing of every page through AppTest")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default=f"sqlite:///{ROOT / 'data' / 'demo.sqlite'}")
    parser.add_argument("--json", default=str(ROOT / "artifacts" / "fuzz_urls.json"))
    args = parser.parse_args(argv)
    report = {"cases": 0, "seed": args.seed, "slowest_s": 0.0, "total_s": 0.0, "failure": None}
    started = time.monotonic()
    try:
        fuzz(args.cases, args.seed, args.db, report)
    except Exception as exc:  # noqa: BLE001 - the first failing case is the report
        report["failure"] = f"{type(exc).__name__}: {str(exc)[:2000]}"
    report["wall_s"] = round(time.monotonic() - started, 1)
    report["mean_s"] = round(report["total_s"] / max(report["cases"], 1), 3)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(report, indent=1, ensure_ascii=False))
    return 0 if report["failure"] is None else 1


if __name__ == "__main__":
    sys.exit(main())
