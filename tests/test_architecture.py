"""Dependencies point one way (STYLE.md): pages -> app; charts never query; only ui imports Streamlit;
nothing but the CLI imports ingest; pages hold no SQL."""

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

APP = ROOT / "app"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules(folder: Path):
    return [p for p in folder.rglob("*.py")]


def test_only_ui_imports_streamlit_inside_app():
    offenders = [p.relative_to(ROOT) for p in modules(APP)
                 if any(n.split(".")[0] == "streamlit" for n in imports(p)) and p.name != "ui.py"]
    assert not offenders


def test_charts_never_touch_the_database():
    for path in modules(APP / "charts"):
        bad = {n for n in imports(path) if n.startswith(("app.db", "app.queries", "sqlalchemy", "app.ingest"))}
        assert not bad, (path, bad)


def test_nothing_but_the_cli_and_ingest_itself_imports_ingest():
    for path in modules(APP):
        if path.name == "cli.py" or "ingest" in path.relative_to(APP).parts:
            continue
        assert not {n for n in imports(path) if n.startswith("app.ingest")}, path


def test_db_module_has_no_writable_engine():
    source = (APP / "db.py").read_text(encoding="utf-8")
    assert "writable" not in source.replace("no writable engine", "")


def test_pages_are_thin_and_hold_no_sql():
    for path in (ROOT / "pages").glob("*.py"):
        names = imports(path)
        assert not {n for n in names if n.startswith(("sqlalchemy", "app.db", "app.queries", "app.ingest"))}, path
        assert not re.search(r"\bSELECT\s+.+\s+FROM\b", path.read_text(encoding="utf-8"), re.I | re.S), path
