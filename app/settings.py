"""One typed settings object, built on request (never at import) so tests can point it elsewhere.

Each setting comes from the environment, else from the `[pilot_tracker]` table of
.streamlit/secrets.toml (the deployer's settings file, not committed), else a default.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the leaves (i18n, indicators) import settings and must not pull in SQLAlchemy
    from sqlalchemy.engine import URL

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEMO_DB_PATH = DATA_DIR / "demo.sqlite"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"
LANGUAGES = ("fi", "sv", "en")
PUBLIC_ENV = "PILOT_TRACKER_PUBLIC"
TRUE_WORDS = ("1", "true", "yes", "on")
SETTINGS_TABLE = "pilot_tracker"
# The authority that supervises the accessibility of public-sector web services (law 306/2019, 9 §).
# Government proposal HE 71/2024 moved the supervision from the Regional State Administrative Agency for
# Southern Finland to Traficom from 1 January 2025; the web address has stayed the same. A deployer who
# knows better sets supervisor_fi/_sv/_en and supervisor_url (docs/deploy.md).
SUPERVISOR = {
    "fi": "Liikenne- ja viestintävirasto Traficom, saavutettavuusvalvonta "
          "(1.1.2025 asti Etelä-Suomen aluehallintovirasto)",
    "sv": "Transport- och kommunikationsverket Traficom, tillgänglighetstillsynen "
          "(till 1.1.2025 Regionförvaltningsverket i Södra Finland)",
    "en": "Finnish Transport and Communications Agency Traficom, accessibility supervision "
          "(until 1 January 2025 the Regional State Administrative Agency for Southern Finland)",
}
SUPERVISOR_URL = "https://www.saavutettavuusvaatimukset.fi"


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
    feedback: str | None = None  # accessibility feedback: an e-mail address or a web address
    supervisor: Mapping[str, str] = field(default_factory=lambda: dict(SUPERVISOR))
    supervisor_url: str = SUPERVISOR_URL
    site_url: str | None = None  # the dashboard's public address, for permalinks in snapshots
    snapshot_url: str | None = None  # where `pilot-tracker snapshot --all` output is served

    @property
    def public(self) -> bool:
        """A public deployment: public indicators only, small counts protected (app.views.public)."""
        return self.access == "public"


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


def read_secrets(secrets_path: Path = SECRETS_PATH) -> dict:
    if not secrets_path.is_file():
        return {}
    with secrets_path.open("rb") as fh:
        return tomllib.load(fh)


def resolve_db_url(environ: os._Environ | dict | None = None, secrets_path: Path = SECRETS_PATH) -> str:
    """PILOT_TRACKER_DB, else [connections.indicators] url in secrets.toml, else the demo file."""
    environ = os.environ if environ is None else environ
    url = environ.get("PILOT_TRACKER_DB", "").strip()
    if url:
        return url
    url = read_secrets(secrets_path).get("connections", {}).get("indicators", {}).get("url", "")
    return url or sqlite_url(DEMO_DB_PATH)


def is_true(value: object) -> bool:
    """1, true, yes, on (any case) or a TOML true; anything else is off."""
    return value is True or str(value).strip().lower() in TRUE_WORDS


def env_flag(name: str, environ: os._Environ | dict | None = None) -> bool:
    """An on/off setting from the environment: 1, true, yes or on turn it on."""
    environ = os.environ if environ is None else environ
    return is_true(environ.get(name, ""))


def public_mode(environ: Mapping[str, str] | None = None, secrets_path: Path = SECRETS_PATH) -> bool:
    """PILOT_TRACKER_PUBLIC=1 (or true/yes/on), else `public = true` in the settings file; a
    PILOT_TRACKER_PUBLIC that is set but off (0, no) overrides the file."""
    environ = os.environ if environ is None else environ
    if environ.get(PUBLIC_ENV, "").strip():
        return is_true(environ[PUBLIC_ENV])
    return is_true(read_secrets(secrets_path).get(SETTINGS_TABLE, {}).get("public", False))


def access_mode(environ: os._Environ | dict | None = None, secrets_path: Path = SECRETS_PATH) -> str:
    """Public mode (public_mode) wins over everything (a public deployment stays public), then
    PILOT_TRACKER_INTERNAL=1 (the internal view behind login), else open (development)."""
    if public_mode(environ, secrets_path):
        return "public"
    return "internal" if env_flag("PILOT_TRACKER_INTERNAL", environ) else "open"


def _text(environ: Mapping[str, str], table: Mapping, env_name: str, key: str) -> str | None:
    value = environ.get(env_name, "").strip() or str(table.get(key, "")).strip()
    return value or None


def load_settings(environ: os._Environ | dict | None = None, secrets_path: Path = SECRETS_PATH) -> Settings:
    environ = os.environ if environ is None else environ
    table = read_secrets(secrets_path).get(SETTINGS_TABLE, {})
    lang = environ.get("PILOT_TRACKER_LANG", "fi")
    emails = environ.get("PILOT_TRACKER_INTERNAL_EMAILS", "")
    supervisor = {code: _text(environ, table, f"PILOT_TRACKER_SUPERVISOR_{code.upper()}", f"supervisor_{code}")
                  or SUPERVISOR[code] for code in LANGUAGES}
    return Settings(
        db_url=resolve_db_url(environ, secrets_path),
        default_lang=lang if lang in LANGUAGES else "fi",
        query_timeout_s=float(environ.get("PILOT_TRACKER_QUERY_TIMEOUT", "15")),
        access=access_mode(environ, secrets_path),
        internal_emails=tuple(e.strip().lower() for e in emails.split(",") if e.strip()),
        allow_writing_role=env_flag("PILOT_TRACKER_ALLOW_WRITING_ROLE", environ),
        connect_timeout_s=float(environ.get("PILOT_TRACKER_CONNECT_TIMEOUT", "5")),
        feedback=_text(environ, table, "PILOT_TRACKER_FEEDBACK", "feedback"),
        supervisor=supervisor,
        supervisor_url=_text(environ, table, "PILOT_TRACKER_SUPERVISOR_URL", "supervisor_url") or SUPERVISOR_URL,
        site_url=(_text(environ, table, "PILOT_TRACKER_SITE_URL", "site_url") or "").rstrip("/") or None,
        snapshot_url=(_text(environ, table, "PILOT_TRACKER_SNAPSHOT_URL", "snapshot_url") or "").rstrip("/") or None,
    )
