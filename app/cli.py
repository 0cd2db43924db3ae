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

@main.group()
def boundaries() -> None:
    """Load municipality boundaries for the map (pilot, ELY and region outlines are derived)."""


def _report_boundaries(result) -> None:
    click.echo(result.summary())
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.unmatched:
        click.echo(f"{len(result.unmatched)} code(s) in the file match no municipality and were skipped: "
                   f"{', '.join(result.unmatched)}", err=True)
    if result.missing:
        click.echo(f"{len(result.missing)} municipalities of {result.year} have no boundary in the file "
                   f"(the map shows them as missing): {', '.join(result.missing)}", err=True)


@boundaries.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--year", type=int, required=True, help="The year of the area division the boundaries show.")
@db_option
@click.option("--code-field", default=None, metavar="NAME",
              help="Field holding the municipality code (default: found automatically).")
@click.option("--layer", default=None, metavar="NAME", help="Layer to read (default: the one matching most codes).")
@click.option("--licence", default=None, metavar="TEXT", help="Licence of the file, recorded with the load.")
def boundaries_load(file: str, year: int, db_url: str | None, code_field: str | None, layer: str | None,
                    licence: str | None) -> None:
    """Load municipality boundaries from GeoJSON, TopoJSON, GeoPackage or a (zipped) Shapefile.

    Codes may be KU091, 091 or 91; other CRSs are reprojected to WGS84. Safe to run again.

    Example: pilot-tracker boundaries load ../shared/data/geo/municipalities-2021.geojson --year 2021
    """
    from app.ingest.boundaries import load_boundaries
    from app.ingest.errors import InputError

    try:
        result = load_boundaries(_db(db_url), file, year, code_field=code_field, layer=layer, licence=licence)
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    _report_boundaries(result)


@boundaries.command("fetch")
@click.option("--year", type=int, required=True, help="Year of Statistics Finland's layer kunta4500k_YEAR.")
@db_option
@click.option("--url", "base_url", default=None, metavar="BASE",
              help="WFS endpoint (default: Statistics Finland's geo.stat.fi); a file:// URL reads a saved answer.")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds to wait for the server.")
def boundaries_fetch(year: int, db_url: str | None, base_url: str | None, timeout: float) -> None:
    """Download municipality boundaries from Statistics Finland's open WFS (CC BY 4.0) and load them.

    Example: pilot-tracker boundaries fetch --year 2021 --db sqlite:///data/demo.sqlite
    """
    from app.ingest.boundaries import WFS_URL, fetch_boundaries
    from app.ingest.errors import InputError

    try:
        result = fetch_boundaries(_db(db_url), year, base=base_url or WFS_URL, timeout=timeout)
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    _report_boundaries(result)


if __name__ == "__main__":
    sys.exit(main())
