"""Strict JSON reading: UTF-8, no NaN, no repeated object keys, and every error at a line or JSON location."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.ingest.csvfiles import read_text
from app.ingest.errors import InputError
from app.ingest.files import hostile_content


class _Object(dict):
    """A JSON object that remembers the first key it saw twice (json keeps only the last silently)."""

    duplicate: str | None = None


def _object_hook(pairs) -> _Object:
    obj = _Object()
    for key, value in pairs:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj


def member_path(parent: str, key: str) -> str:
    """A JSON location in the style `data[17].values[3]`, `dimension.Alue.category.index["2026M13"]`."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return key if parent == "$" else f"{parent}.{key}"
    return f"{'' if parent == '$' else parent}[{json.dumps(key, ensure_ascii=False)}]"


def _find_duplicate(node, where: str = "$") -> tuple[str, str] | None:
    if isinstance(node, _Object):
        if node.duplicate is not None:
            return where, node.duplicate
        children = ((member_path(where, k), v) for k, v in node.items())
    elif isinstance(node, list):
        children = ((f"{where}[{n}]", v) for n, v in enumerate(node))
    else:
        return None
    for child_where, child in children:
        found = _find_duplicate(child, child_where)
        if found:
            return found
    return None


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def read_json(path: Path):
    """Strict UTF-8 JSON; truncated JSON, NaN and repeated object keys are errors with a location."""
    text = read_text(path)
    stripped = text.lstrip()
    if stripped[:1] not in ("{", "["):
        raise InputError(path, "not a JSON file (it does not start with { or [); `pilot-tracker ingest pxweb` reads "
                               "PxWeb JSON or JSON-stat 2; CSV files load with `ingest pilots`, `ingest areas` "
                               "or `ingest monitoring`", location="line 1")
    constants: list[str] = []

    def reject_constant(name: str):
        constants.append(name)
        return None

    try:
        with hostile_content(path):
            doc = json.loads(text, object_pairs_hook=_object_hook, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        hint = " (the file ends too early: truncated?)" if exc.pos >= len(text.rstrip()) else ""
        raise InputError(path, f"not valid JSON: {exc.msg}{hint}",
                         location=f"line {exc.lineno}, column {exc.colno}") from None
    if constants:
        match = re.search(r"[\[:,]\s*(-?Infinity|NaN)\b", text)
        raise InputError(path, f"{constants[0]} is not a number; use a number or a suppression symbol such as "
                               "\"...\"", location=_line_col(text, match.start(1)) if match else None)
    with hostile_content(path):
        duplicate = _find_duplicate(doc)
    if duplicate:
        raise InputError(path, f"duplicate key: {duplicate[1]!r} appears twice in this JSON object "
                               "(JSON would silently keep only the last)", location=duplicate[0])
    return doc
