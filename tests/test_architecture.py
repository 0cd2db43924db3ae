"""Dependencies point one way (STYLE.md): pages -> app; only app/ui imports Streamlit; views and charts are
pure; charts never query; pages hold no SQL and read only through app/ui; nothing but the CLI imports
ingest; no module grows past ~300 lines without saying why at its top."""

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

APP = ROOT / "app"
DATABASE = ("sqlalchemy", "app.db", "app.queries", "app.fingerprint", "app.schema", "app.ingest")
LONG_MODULE = 300


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}  # `from app import queries`
    return names


def modules(folder: Path):
    return [p for p in folder.rglob("*.py")]


def importing(paths, prefixes: tuple[str, ...]) -> dict[str, set[str]]:
    found = {str(p.relative_to(ROOT)): {n for n in imports(p) if n.startswith(prefixes)} for p in paths}
    return {path: names for path, names in found.items() if names}


def test_only_app_ui_imports_streamlit_inside_app():
    outside_ui = [p for p in modules(APP) if "ui" != p.relative_to(APP).parts[0]]
    assert not importing(outside_ui, ("streamlit",))
    assert importing(modules(APP / "ui"), ("streamlit",))  # the scan sees what it should


def test_views_and_charts_are_pure():
    """View models and figure builders need no Streamlit; the views read only through their Source."""
    assert not importing(modules(APP / "views") + modules(APP / "charts"), ("streamlit",))
    views = [p for p in modules(APP / "views") if p.name != "source.py"]  # source.py: the plain reads
    assert not importing(views, DATABASE)


def test_charts_never_touch_the_database():
    assert not importing(modules(APP / "charts"), DATABASE + ("app.views", "app.ui"))


def test_nothing_but_the_cli_and_ingest_itself_imports_ingest():
    for path in modules(APP):
        if path.name == "cli.py" or "ingest" in path.relative_to(APP).parts:
            continue
        assert not {n for n in imports(path) if n.startswith("app.ingest")}, path


def test_db_module_has_no_writable_engine():
    source = (APP / "db.py").read_text(encoding="utf-8")
    assert "writable" not in source.replace("no writable engine", "")


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")) + [ROOT / "streamlit_app.py"],
                         ids=lambda p: p.name)
def test_pages_are_thin_and_read_only_through_app_ui(path):
    assert not importing([path], DATABASE)
    assert not importing([path], ("app.views.source",))  # pages read through the cached app.ui.data
    assert not re.search(r"\bSELECT\s+.+\s+FROM\b", path.read_text(encoding="utf-8"), re.I | re.S)


def test_the_benchmark_is_outside_the_package():
    """It drives the app as a user would: through Streamlit's test harness and wire protocol, never app.ui."""
    assert not (APP / "bench.py").exists()
    assert (ROOT / "benchmarks" / "__main__.py").is_file()
    harness = ("streamlit.testing", "streamlit.proto", "streamlit.runtime.pages_manager")
    used = importing(modules(ROOT / "benchmarks"), ("streamlit", "app.ui"))
    assert not {path: {n for n in names if not n.startswith(harness)} for path, names in used.items()
                if any(not n.startswith(harness) for n in names)}


def test_no_module_is_long_without_a_reason_at_its_top():
    """A module over LONG_MODULE lines says in its docstring why it is long (app/ingest is split on its own)."""
    long = []
    outside_ingest = [p for p in modules(APP) if p.relative_to(APP).parts[0] != "ingest"]
    for path in outside_ingest + modules(ROOT / "pages") + modules(ROOT / "benchmarks"):
        lines = path.read_text(encoding="utf-8").count("\n")
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > LONG_MODULE and "long" not in docstring.lower():
            long.append((str(path.relative_to(ROOT)), lines))
    assert not long


def test_the_served_code_calls_no_python_from_polars_worker_threads():
    """map_elements, map_batches and the like run Python on polars' worker threads, which then need the
    GIL; with several sessions' script threads waiting on those workers, fifty sessions deadlocked both
    replicas of the load test (docs/performance.md). The served code (everything outside app/ingest and
    the CLI, which run alone) uses expressions and mappings instead."""
    served = [p for p in modules(APP) if p.relative_to(APP).parts[0] not in ("ingest",) and p.name != "cli.py"]
    served += modules(ROOT / "pages")
    calls = re.compile(r"\.(map_elements|map_batches|map_rows|map_groups)\(")
    found = {str(p.relative_to(ROOT)): calls.findall(p.read_text(encoding="utf-8")) for p in served}
    assert {path: names for path, names in found.items() if names} == {}
