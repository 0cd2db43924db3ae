"""docs/ingest.md stays true: every command is documented with an example, the mapping table is the
registry's, and the example files in it load."""

from __future__ import annotations

import re

import pytest

from app.cli import check, ingest as ingest_group
from app.indicators import registry
from app.ingest.csvfiles import CSV_FORMATS
from app.ingest.store import init_database
from tests.conftest import ROOT
from tests.ingest_helpers import ingest, observations

DOC = (ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


def test_every_command_is_documented_with_an_example():
    for name, command in ingest_group.commands.items():
        assert f"## `ingest {name}`" in DOC, name
        assert "Example: pilot-tracker ingest " + name in command.help, name
    assert "## `pilot-tracker check`" in DOC and "Example: pilot-tracker check" in check.help


def test_the_mapping_table_is_the_registry():
    documented = dict(re.findall(r"^\| `([A-Za-z0-9-]+)` \| `([a-z0-9_]+)` \|", DOC, re.M))
    assert documented == {code: ind.code for code, ind in registry().by_pxweb_code().items()}


def test_every_csv_format_has_an_example_block():
    headers = {block.splitlines()[0] for block in blocks("csv")}
    for command, columns in CSV_FORMATS.items():
        assert any(set(columns) <= set(h.split(",")) for h in headers), command


@pytest.mark.parametrize("command", sorted(CSV_FORMATS))
def test_the_csv_examples_load(command, tmp_path):
    (block,) = [b for b in blocks("csv") if set(CSV_FORMATS[command]) <= set(b.splitlines()[0].split(","))]
    path = tmp_path / f"{command}.csv"
    path.write_text(block, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    init_database(url).dispose()
    result = ingest(command, path, url)
    assert "inserted" in result.stdout


def test_the_json_examples_load_the_same_values(tmp_path):
    found = []
    for n, block in enumerate(blocks("json")):
        path = tmp_path / f"example{n}.json"
        path.write_text(block, encoding="utf-8")
        url = f"sqlite:///{tmp_path / f'db{n}.sqlite'}"
        init_database(url).dispose()
        ingest("pxweb", path, url)
        found.append(observations(url))
    assert len(found) == 2 and found[0] == found[1]
    assert found[0][("jobseekers", "KU020", "2026-06-01")] == (1494.0, "final")
    assert found[0][("unemployed_jobseekers", "KU020", "2026-06-01")] == (None, "suppressed")


def test_the_module_table_is_the_ingest_folder():
    section = DOC.split("## Where the code is", 1)[1]
    documented = set(re.findall(r"^\| `([a-z_]+\.py)` \|", section, re.M))
    modules = {p.name for p in (ROOT / "app" / "ingest").glob("*.py")} - {"__init__.py"}
    assert documented == modules
