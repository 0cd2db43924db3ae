"""Text from files and the database shown safely: on a terminal, in Streamlit's Markdown, in Plotly.

Characters that change how text around them is shown (C0 and C1 controls, terminal escapes,
bidirectional overrides and isolates, zero-width and line-separator characters) are refused or
removed at load (app.ingest) and made visible wherever text reaches a terminal.
"""

from __future__ import annotations

import html
import re

#: C0 controls, DEL, C1 controls, zero-width characters, bidi marks, embeddings, overrides and isolates,
#: line and paragraph separators, the byte-order mark.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&^])")
SHORT = 200  # characters of a name shown before it is cut


def unsafe_char(text: str) -> tuple[int, str] | None:
    """Position (0-based) and code point (U+XXXX) of the first unsafe character, or None."""
    match = UNSAFE.search(text)
    return (match.start(), f"U+{ord(match.group()):04X}") if match else None


def visible(text: str) -> str:
    """For a terminal: every unsafe character but the line break as an escape (`\\x1b`, `\\u202e`), so none acts."""
    escape = lambda m: m.group().encode("unicode_escape").decode("ascii")  # noqa: E731
    return "\n".join(UNSAFE.sub(escape, line) for line in text.split("\n"))


def without_unsafe(text: str) -> str:
    return UNSAFE.sub("", text)


def clip(text: str, limit: int = SHORT) -> str:
    """At most limit characters; a cut text ends with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(text: object, limit: int = SHORT) -> str:
    """A name as any page shows it: unsafe characters removed, at most limit characters."""
    return clip(without_unsafe(str(text)), limit)


#: GitHub-flavoured Markdown links bare URLs, www. names and e-mail addresses after parsing, so escapes do
#: not stop it; a word joiner (U+2060, invisible) inside each keeps them text.
_AUTOLINK = re.compile(r"://|(?i:www)\.|@")


def md_escape(text: object, limit: int = SHORT) -> str:
    """For Streamlit Markdown (st.markdown, st.caption, st.info, labels): a value read as text only, never
    as a link, an image, HTML, LaTeX, a colour or an icon directive."""
    plain = shown(text, limit).replace("\n", " ")
    plain = _AUTOLINK.sub(lambda m: m.group()[0] + "\u2060" + m.group()[1:], plain)
    return _MARKDOWN.sub(r"\\\1", plain)


def plotly_text(text: object, limit: int = SHORT) -> str:
    """For Plotly titles, legends and hover text, which read a subset of HTML (<a href>, <b>, <span style>)."""
    return html.escape(shown(text, limit), quote=False)
