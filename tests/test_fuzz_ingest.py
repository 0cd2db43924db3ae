"""Ingestion fuzzing: hypothesis mutates valid PxWeb JSON, JSON-stat and CSV files (and writes raw bytes);
each load either succeeds or raises InputError, and a refused load leaves the database exactly as it was.

The size here is modest for `make test`; PILOT_TRACKER_FUZZ_EXAMPLES sets another (e.g. 2000).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from app.ingest.errors import InputError
from app.ingest.monitoring import load_monitoring
from app.ingest.pilots import load_pilots
from app.ingest.pxweb import load_pxweb
from app.ingest.store import init_database
from tests.ingest_helpers import db_state, fixture_file
from tests.pxweb_files import json_stat

EXAMPLES = int(os.environ.get("PILOT_TRACKER_FUZZ_EXAMPLES", "40"))
# No shrinking: a failure prints the file that failed; shrinking a load would take minutes.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["...", "2026M06", "2026M13", "KU091", "SSS", "HAKIJALOPUSSA", "\u202e", "\x1b[2J", "", "-1"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def mutate(doc, data) -> object:
    """A copy of doc with one to three places replaced, deleted or added, chosen by hypothesis."""
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        node, depth = doc, 0
        while isinstance(node, (dict, list)) and node and depth < 6:
            keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
            key = data.draw(st.sampled_from(keys))
            child = node[key]
            if not isinstance(child, (dict, list)) or not child or data.draw(st.booleans()):
                action = data.draw(st.sampled_from(["replace", "delete", "add"]))
                if action == "replace":
                    node[key] = data.draw(json_values)
                elif action == "delete":
                    del node[key]
                elif isinstance(node, dict):
                    node[data.draw(st.text(max_size=8))] = data.draw(json_values)
                else:
                    node.append(data.draw(json_values))
                break
            node, depth = child, depth + 1
    return doc


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "pristine.sqlite"
    init_database(f"sqlite:///{path}").dispose()
    return path


def attempt(load, pristine: Path, workdir: Path, name: str, content: bytes) -> None:
    """Load content as a file into a fresh copy of the database: success, or InputError and no change."""
    db = workdir / "fuzz.sqlite"
    shutil.copyfile(pristine, db)
    url = f"sqlite:///{db}"
    target = workdir / name
    target.write_bytes(content)
    before = db_state(url)
    try:
        load(url, target)
    except InputError:
        assert db_state(url) == before
    except Exception as exc:  # anything else is a finding: say which file did it
        raise AssertionError(f"{type(exc).__name__} escaped the load of {content[:300]!r}") from exc


PXWEB = json.loads(fixture_file("pxweb_small.json").read_text(encoding="utf-8"))
JSON_STAT = json_stat(["SSS", "KU091", "KU049", "ELY01"], ["2026M05", "2026M06"], ["HAKIJALOPUSSA", "TYOTOSUUS"])


@FUZZ
@given(data=st.data(), base=st.sampled_from([PXWEB, JSON_STAT]))
def test_mutated_pxweb_and_json_stat_files(pristine, tmp_path_factory, data, base):
    content = json.dumps(mutate(base, data), ensure_ascii=data.draw(st.booleans())).encode()
    attempt(load_pxweb, pristine, tmp_path_factory.mktemp("px"), "table.json", content)


def _csv_edits(text: str, data) -> bytes:
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        edit = data.draw(st.sampled_from(["insert", "delete", "line", "bytes"]))
        if edit == "insert":
            text = text[:at] + data.draw(st.text(max_size=8) | st.sampled_from(['"', ";", "\r", "\t=1+1", ",,,"])) \
                + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 20)):]
        elif edit == "line":
            lines = text.split("\n")
            text = "\n".join(lines + [data.draw(st.sampled_from(lines))])
    raw = text.encode("utf-8")
    if data.draw(st.integers(0, 9)) == 0:
        at = data.draw(st.integers(0, len(raw)))
        raw = raw[:at] + data.draw(st.binary(max_size=8)) + raw[at:]
    return raw


@FUZZ
@given(data=st.data(), which=st.sampled_from(["monitoring", "pilots"]))
def test_mutated_csv_files(pristine, tmp_path_factory, data, which):
    source = {"monitoring": "monitoring_small.csv", "pilots": "pilots_small.csv"}[which]
    text = fixture_file(source).read_text(encoding="utf-8")
    load = {"monitoring": load_monitoring, "pilots": load_pilots}[which]
    attempt(load, pristine, tmp_path_factory.mktemp("csv"), f"{which}.csv", _csv_edits(text, data))


@FUZZ
@given(content=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_arbitrary_bytes(pristine, tmp_path_factory, content):
    workdir = tmp_path_factory.mktemp("raw")
    for load, name in ((load_pxweb, "x.json"), (load_monitoring, "x.csv"), (load_pilots, "p.csv")):
        attempt(load, pristine, workdir, name, content)
