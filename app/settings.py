"""One typed settings object, built on request (never at import) so tests can point it elsewhere."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the leaves (i18n, indicators) import settings and must not pull in SQLAlchemy
    from sqlalchemy.engine import URL

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEMO_DB_PATH = DATA_DIR / "demo.sqlite"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"
LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class Settings:
    db_url: str
    default_lang: str = "fi"
    query_timeout_s: float = 15.0
    #: open (development: everything, no login), internal (non-public indicators and provisional data
    #: after Streamlit's OIDC login, the public view before it) or public (never anything else).
    access: str = "open"
    internal_emails: tuple[str, ...] = ()  # who may see the internal view: addresses or @domains; empty = any login
    allow_writing_role: bool = False  # development only: run on PostgreSQL as a role that can write
    connect_timeout_s: float = 5.0


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def database_url(url: "str | URL") -> "URL":
    """The one parse of a database URL, for the read-only and the writable engine alike.

    A plain `postgresql://` (or `postgres://`) gets the psycopg 3 driver, the one the project installs.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def shown_url(url: "str | URL") -> str:
    """The URL as messages show it: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def resolve_db_url(environ: os._Environ | dict | None = None, secrets_path: Path = SECRETS_PATH) -> str:
    """PILOT_TRACKER_DB, else [connections.indicators] url in secrets.toml, else the demo file."""
    environ = os.environ if environ is None else environ
    url = environ.get("PILOT_TRACKER_DB", "").strip()
    if url:
        return url
    if secrets_path.is_file():
        with secrets_path.open("rb") as fh:
            secrets = tomllib.load(fh)
        url = secrets.get("connections", {}).get("indicators", {}).get("url", "")
        if url:
            return url
    return sqlite_url(DEMO_DB_PATH)


def env_flag(name: str, environ: os._Environ | dict | None = None) -> bool:
    """An on/off setting from the environment: 1, true, yes or on turn it on."""
    environ = os.environ if environ is None else environ
    return environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def access_mode(environ: os._Environ | dict | None = None) -> str:
    """PILOT_TRACKER_PUBLIC=1 wins over everything (a public deployment stays public), then
    PILOT_TRACKER_INTERNAL=1 (the internal view behind login), else open (development)."""
    if env_flag("PILOT_TRACKER_PUBLIC", environ):
        return "public"
    return "internal" if env_flag("PILOT_TRACKER_INTERNAL", environ) else "open"


def load_settings(environ: os._Environ | dict | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    lang = environ.get("PILOT_TRACKER_LANG", "fi")
    emails = environ.get("PILOT_TRACKER_INTERNAL_EMAILS", "")
    return Settings(
        db_url=resolve_db_url(environ),
        default_lang=lang if lang in LANGUAGES else "fi",
        query_timeout_s=float(environ.get("PILOT_TRACKER_QUERY_TIMEOUT", "15")),
        access=access_mode(environ),
        internal_emails=tuple(e.strip().lower() for e in emails.split(",") if e.strip()),
        allow_writing_role=env_flag("PILOT_TRACKER_ALLOW_WRITING_ROLE", environ),
        connect_timeout_s=float(environ.get("PILOT_TRACKER_CONNECT_TIMEOUT", "5")),
    )
