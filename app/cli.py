"""The command layer: each command is a few lines over a library function (library first, CLI second)."""

from __future__ import annotations

import sys
import time

import click

from app.settings import DEMO_DB_PATH, resolve_db_url, sqlite_url

db_option = click.option(
    "--db", "db_url", default=None, metavar="URL",
    help="SQLAlchemy URL of the indicator database (default: $PILOT_TRACKER_DB, "
         ".streamlit/secrets.toml, else the demo file data/demo.sqlite).",
)


def _db(db_url: str | None) -> str:
    return db_url or resolve_db_url()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Pilot Tracker: load and check the indicator database of the municipal employment pilots."""


@main.command()
@click.option("--db", "db_url", default=None, metavar="URL",
              help="Where to build (default: sqlite:///data/demo.sqlite).")
def demo(db_url: str | None) -> None:
    """Build the synthetic demo database from the real areas and pilot memberships.

    Example: pilot-tracker demo --db sqlite:///data/demo.sqlite
    """
    from app.ingest.demo import build_demo

    started = time.perf_counter()
    url = db_url or sqlite_url(DEMO_DB_PATH)
    rows = build_demo(url)
    click.echo(f"demo database built at {url}: {rows:,} observations in {time.perf_counter() - started:.1f} s")


@main.group()
def db() -> None:
    """Create and inspect the database schema."""


@db.command("init")
@db_option
def db_init(db_url: str | None) -> None:
    """Create the schema and load areas, dated memberships and indicators; safe to run again.

    Example: pilot-tracker db init --db postgresql://loader@dbhost/indicators
    """
    from app.ingest.writer import init_database

    url = _db(db_url)
    init_database(url).dispose()
    click.echo(f"schema and reference data ready in {url}")


# --- ingestion commands (issue: real data in) are registered below ---------------------------

# --- boundary commands (issue: dashboard pages, map) are registered below ---------------------


if __name__ == "__main__":
    sys.exit(main())
