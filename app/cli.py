"""The command layer: each command is a few lines over a library function (library first, CLI second).

Long (over 400 lines) on purpose: it is the one module outside app/ingest that may import the ingest
library (tests/test_architecture.py), so every command lives here; each stays a few lines.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from datetime import date

import click

from app.settings import DEMO_DB_PATH, resolve_db_url, sqlite_url

db_option = click.option(
    "--db", "db_url", default=None, metavar="URL",
    help="SQLAlchemy URL of the indicator database (default: $PILOT_TRACKER_DB, "
         ".streamlit/secrets.toml, else the demo file data/demo.sqlite).",
)


UNCHANGED = "Nothing was loaded; the database is as it was."


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
    _refresh_series(url)


def _refresh_series(url: str) -> None:
    """After a load: store the summed areas' series, so the dashboard reads them (app.ingest.series)."""
    from app.ingest.series import refresh_area_series

    with _refused_loads():
        click.echo(refresh_area_series(url).line())


@main.group()
def db() -> None:
    """Create and inspect the database schema."""


@db.command("init")
@db_option
def db_init(db_url: str | None) -> None:
    """Create the schema and load areas, dated memberships and indicators; safe to run again.

    Areas and memberships are seeded into an empty database only, so a second run keeps what
    `ingest pilots` and `ingest areas` loaded; indicators always follow data/indicators.toml.

    Example: pilot-tracker db init --db postgresql://loader@dbhost/indicators
    """
    from app.ingest.store import init_database

    url = _db(db_url)
    init_database(url).dispose()
    click.echo(f"schema and reference data ready in {url}")


@db.command("refresh")
@db_option
def db_refresh(db_url: str | None) -> None:
    """Store every summed area's series again (every load does this itself when it has committed).

    Example: pilot-tracker db refresh --db postgresql://loader@dbhost/indicators
    """
    _refresh_series(_db(db_url))


# --- ingestion: the only commands that load data -----------------------------------------------

def provenance_options(command):
    """--url, --licence and --retrieved-at: the provenance recorded in the load's release row."""
    command = click.option("--retrieved-at", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S",
                                                                    "%Y-%m-%d %H:%M:%S"]),
                           default=None, help="When the file was downloaded, UTC (default: now).")(command)
    command = click.option("--licence", default=None, help="Licence of the data (default: the source's, CC BY 4.0).")(
        command)
    return click.option("--url", default=None, help="Where the file came from (default: the source's URL).")(command)


def _progress(total: int):
    return click.progressbar(length=total, label="writing", file=sys.stderr, show_pos=True)


@contextmanager
def _refused_loads():
    """A bad file, an unready database, a failed download or a refused write: a message on stderr, exit code 1."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.ingest.errors import DatabaseNotReady, InputError, NetworkError
    from app.safe_text import visible

    try:
        yield
    except (InputError, DatabaseNotReady) as exc:
        raise click.ClickException(visible(f"{exc}\n{UNCHANGED}")) from exc
    except NetworkError as exc:
        raise click.ClickException(visible(f"network problem: {exc}\n{UNCHANGED}")) from exc
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise click.ClickException(visible(f"the database refused the load ({first}); it was rolled back, "
                                           "the database is as it was.")) from exc


def _run_load(load, *args, refresh: bool = True, **kwargs) -> None:
    """Run a library load, print its summary, then store the summed areas' series (unless told not to)."""
    started = time.perf_counter()
    with _refused_loads():
        summary = load(*args, **kwargs)
    from app.safe_text import visible

    for line in summary.lines():
        click.echo(visible(line))  # codes from the file: an escape sequence in one must not drive the terminal
    click.echo(f"  done in {time.perf_counter() - started:.1f} s")
    if refresh:
        _refresh_series(args[0])


@main.group()
def ingest() -> None:
    """Load real data: Statistics Finland PxWeb tables, the pilot registry, area classifications, monitoring.

    Each load is checked before it writes, runs in one transaction and records its release (source,
    URL, licence, dates, sha256). Loading the same file again changes nothing. Formats: docs/ingest.md.
    """


REFRESH_OPTION = click.option(
    "--refresh/--no-refresh", default=True, show_default=True,
    help="Store the summed areas' series after the load (with --no-refresh, run `db refresh` after the last of "
         "several loads; until then the dashboard computes the sums itself).")


def ingest_command(name: str, *, progress: bool = False, options: tuple = ()):
    """`ingest NAME FILE` with --db and the provenance options (and any `options` of the command's own); the
    decorated function names the library load."""
    def register(loader_of):
        def command(file: str, db_url: str | None, refresh: bool, **provenance) -> None:
            extra = {"progress": _progress} if progress else {}
            _run_load(loader_of(), _db(db_url), file, refresh=refresh, **provenance, **extra)

        command.__doc__ = loader_of.__doc__
        command.__name__ = loader_of.__name__
        for decorate in (*options, REFRESH_OPTION, provenance_options, db_option,
                         click.argument("file", type=click.Path(dir_okay=False)), ingest.command(name)):
            command = decorate(command)
        return command

    return register


def _division(value: str) -> str | int:
    if value in ("auto", "none"):
        return value
    if value.isdigit() and len(value) == 4:
        return int(value)
    raise click.BadParameter(f"{value!r}: use auto, none or a year such as 2026")


DIVISION_OPTION = click.option(
    "--division", default="auto", show_default=True, metavar="auto|none|YEAR", type=_division,
    help="The area division the file is published in: auto (the year of its 'updated' date when it holds "
         "months of earlier years: a table's history), none (month by month: each month's own), or a year.")


@ingest_command("pxweb", progress=True, options=(DIVISION_OPTION,))
def ingest_pxweb():
    """Load a Statistics Finland PxWeb table (PxWeb JSON or JSON-stat 2), e.g. table 12r5.

    Example: pilot-tracker ingest pxweb statfin_tyonv_12r5_2026M06.json --db sqlite:///indicators.sqlite
    """
    from app.ingest.pxweb import load_pxweb

    return load_pxweb


@ingest_command("pilots")
def ingest_pilots():
    """Load the pilot registry: pilot areas and their dated member municipalities (replaces all pilot memberships).

    Columns: pilot_code,name_fi,name_sv,name_en,ely_code,municipality_code,valid_from,valid_to

    Example: pilot-tracker ingest pilots pilots.csv --db postgresql://loader@dbhost/indicators
    """
    from app.ingest.pilots import load_pilots

    return load_pilots


@ingest_command("areas")
def ingest_areas():
    """Load a dated classification: the region and ELY area of each listed municipality, valid from/to.

    Columns: municipality_code,region_code,ely_code,valid_from,valid_to

    Example: pilot-tracker ingest areas area_classification_2026.csv --db sqlite:///indicators.sqlite
    """
    from app.ingest.areas import load_areas

    return load_areas


@ingest_command("monitoring", progress=True)
def ingest_monitoring():
    """Load pilot monitoring data, one value per row (municipality or pilot area, month, indicator).

    Columns: area_code,month,indicator,value[,status]

    Example: pilot-tracker ingest monitoring tem_monitoring_2024-12.csv --db sqlite:///indicators.sqlite
    """
    from app.ingest.monitoring import load_monitoring

    return load_monitoring


@ingest_command("published")
def ingest_published():
    """Load figures published about the pilots (TEM's reviews, the Employment Bulletin), one release per source.

    Columns: period,area_code,indicator,value,source_title,source_url,published[,unit,approximate]
    (data/published_figures.csv). GRP_PILOT stands for all pilot areas. The figures are kept apart from
    the computed values and drawn beside them on the trends page.

    Example: pilot-tracker ingest published data/published_figures.csv --db sqlite:///indicators.sqlite
    """
    from app.ingest.published import load_published

    return load_published


# --- fetching from Statistics Finland's PxWeb API ------------------------------------------------------

def _month_option(value: str | None) -> date | None:
    from app.months import parse_month_code

    if value is None:
        return None
    month = parse_month_code(value)
    if month is None:
        raise click.BadParameter(f"{value!r} is not a month (YYYY-MM, e.g. 2019-01)")
    return month


class _FetchProgress:
    """The client's (done, total) cells as a progress bar on stderr, made when the total is known."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="fetching cells", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def client_options(command):
    """--timeout and --retries of the PxWeb API client."""
    command = click.option("--retries", type=click.IntRange(0, 10), default=4, show_default=True,
                           help="Tries after a timeout or a dropped connection (waits 1, 2, 4, 8 s).")(command)
    return click.option("--timeout", type=float, default=60.0, show_default=True,
                        help="Seconds to wait for each answer.")(command)


def _client(timeout: float, retries: int):
    from app.ingest.pxweb_api import Client

    return Client(timeout=timeout, retries=retries)


@main.group()
def fetch() -> None:
    """Fetch real data from Statistics Finland's PxWeb API into the database (incremental)."""


@fetch.command("pxweb")
@click.argument("table_url")
@click.option("--from", "first", default=None, metavar="YYYY-MM",
              help="First month (default: the month after the latest already loaded from TABLE_URL, else all).")
@click.option("--to", "last", default=None, metavar="YYYY-MM", help="Last month (default: the table's latest).")
@db_option
@click.option("--licence", default=None, help="Licence of the data (default: the source's, CC BY 4.0).")
@client_options
@REFRESH_OPTION
def fetch_pxweb_command(table_url: str, first: str | None, last: str | None, db_url: str | None,
                        licence: str | None, timeout: float, retries: int, refresh: bool) -> None:
    """Fetch a table from the PxWeb API (within its cell and call limits) and load it in one transaction.

    Without --from only the months after the latest month already loaded from TABLE_URL are fetched;
    when there is none, no data is asked for. The release records TABLE_URL, the table's updated time,
    the retrieval time and the area division it is published in. Network failures leave the database
    as it was.

    Example: pilot-tracker fetch pxweb https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px --from 2019-01 --db sqlite:///indicators.sqlite
    """
    from app.ingest.fetch import fetch_pxweb

    started = time.perf_counter()
    bar = _FetchProgress()
    try:
        with _refused_loads():
            load = fetch_pxweb(_db(db_url), table_url, first=_month_option(first), last=_month_option(last),
                               incremental=first is None, client=_client(timeout, retries), on_progress=bar,
                               progress=_progress, licence=licence)
    finally:
        bar.close()
    for line in load.lines():
        click.echo(line)
    click.echo(f"  done in {time.perf_counter() - started:.1f} s")
    if refresh:
        _refresh_series(_db(db_url))


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print every comparison as a JSON list.")
@click.option("--show-suppressed", is_flag=True,
              help="Also list comparisons with suppressed members (their computed sums are lower bounds).")
@click.option("--strict", is_flag=True, help="Exit with status 1 when a comparison without suppressed members differs.")
def check(db_url: str | None, as_json: bool, show_suppressed: bool, strict: bool) -> None:
    """Compare published ELY, region and country values with the sum of their member municipalities.

    Members are taken under the classification valid in each month; a difference without suppressed
    members is explained where possible by municipalities that moved. Read-only.

    Example: pilot-tracker check --db sqlite:///indicators.sqlite --json
    """
    import json

    from app.db import DatabaseUnavailable, readonly_engine
    from app.indicators import registry
    from app.reconcile import report_json, report_text, run_check

    try:
        engine = readonly_engine(_db(db_url))
        try:
            report = run_check(engine, registry())
        finally:
            engine.dispose()
    except DatabaseUnavailable as exc:
        raise click.ClickException(f"cannot read the database: {exc}") from exc
    if as_json:
        click.echo(json.dumps(report_json(report), ensure_ascii=False, indent=1))
    else:
        click.echo(report_text(report, show_suppressed=show_suppressed))
    if strict and report.differ:
        sys.exit(1)


# --- the real database in one command ---------------------------------------------------------------

@main.group()
def build() -> None:
    """Build a database in one command."""


@build.command("real")
@db_option
@click.option("--tyonv-url", envvar="PILOT_TRACKER_TYONV_URL", default=None, metavar="URL",
              help="PxWeb API URL of table 12r5 (default: Statistics Finland's; env PILOT_TRACKER_TYONV_URL).")
@click.option("--population-url", envvar="PILOT_TRACKER_POPULATION_URL", default=None, metavar="URL",
              help="PxWeb API URL of table 121w (default: Statistics Finland's; env PILOT_TRACKER_POPULATION_URL).")
@click.option("--wfs-url", envvar="PILOT_TRACKER_WFS_URL", default=None, metavar="BASE",
              help="WFS endpoint for the boundaries (default: geo.stat.fi; env PILOT_TRACKER_WFS_URL); when it "
                   "cannot be reached the shipped boundary file is loaded.")
@click.option("--from", "first", default="2019-01", show_default=True, metavar="YYYY-MM",
              help="First month of the history on the first run.")
@client_options
def build_real_command(db_url: str | None, tyonv_url: str | None, population_url: str | None,
                       wfs_url: str | None, first: str, timeout: float, retries: int) -> None:
    """Build the real database: schema, areas, pilot registry, boundaries, the 12r5 history from 2019-01 to the
    latest month, population (121w) and TEM's published pilot figures, then check it.

    Needs the network (Statistics Finland's PxWeb API and WFS). Run it again to bring the database up to
    date: only new months are fetched. meta.demo is false, so the dashboard shows no synthetic banner;
    serve it with PILOT_TRACKER_DB=URL.

    Example: pilot-tracker build real --db sqlite:///data/real.sqlite
    """
    from app.ingest.real import RealSources, build_real

    url = _db(db_url)
    defaults = RealSources()
    sources = RealSources(tyonv_url=tyonv_url or defaults.tyonv_url,
                          population_url=population_url or defaults.population_url,
                          wfs_url=wfs_url or defaults.wfs_url, first=_month_option(first),
                          client=lambda: _client(timeout, retries))
    started = time.perf_counter()
    bar = _FetchProgress()

    def report(step) -> None:
        bar.close()
        click.echo(f"[{step.name}] ({step.seconds:.1f} s)")
        for line in step.lines:
            click.echo(f"  {line}")

    try:
        with _refused_loads():
            build_real(url, sources, on_step=report, on_fetch_progress=bar, progress=_progress)
    finally:
        bar.close()
    _refresh_series(url)
    click.echo(f"real database ready in {time.perf_counter() - started:.1f} s: serve it with "
               f"PILOT_TRACKER_DB={url} streamlit run streamlit_app.py")


# --- boundaries for the map ------------------------------------------------------------------------

@main.group()
def boundaries() -> None:
    """Load municipality boundaries for the map (pilot, ELY and region outlines are derived)."""


def _report_boundaries(result) -> None:
    from app.safe_text import visible

    click.echo(visible(result.summary()))
    for warning in result.warnings:
        click.echo(visible(f"warning: {warning}"), err=True)
    if result.unmatched:
        click.echo(visible(f"{len(result.unmatched)} code(s) in the file match no municipality and were skipped: "
                           f"{', '.join(result.unmatched)}"), err=True)
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

    with _refused_loads():
        result = load_boundaries(_db(db_url), file, year, code_field=code_field, layer=layer, licence=licence)
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
    from app.ingest.wfs import WFS_URL, fetch_boundaries

    with _refused_loads():
        result = fetch_boundaries(_db(db_url), year, base=base_url or WFS_URL, timeout=timeout)
    _report_boundaries(result)


# --- static snapshots for the public ------------------------------------------------------------

def _snapshot_month(name: str, help_text: str):
    return click.option(name, default=None, metavar="YYYY-MM", callback=lambda ctx, param, value: _month_option(value),
                        help=help_text)


@main.command()
@click.option("--view", type=click.Choice(["map", "trend", "gauges", "compare"]), default=None,
              help="The view to snapshot (its state as in the page's URL: the options below).")
@click.option("--indicator", default=None,
              help="Indicator code (default: the page's); for compare, comma-separated codes.")
@_snapshot_month("--month", "Month shown by a map or the gauges (default: the latest with data).")
@click.option("--areas", default=None, metavar="CODES", help="Comma-separated area codes of a trend, e.g. PILOT01,SSS.")
@click.option("--level", default="municipality", show_default=True,
              type=click.Choice(["municipality", "pilot", "ely", "region"]), help="Area level of a map.")
@click.option("--mode", default="value", show_default=True, type=click.Choice(["value", "index", "yoy"]),
              help="What a trend shows: values, an index or the change from a year earlier.")
@_snapshot_month("--base", "Base month of an index (default: the first month with a value for every area).")
@click.option("--per", default=None, type=click.Choice(["none", "inhabitants", "labour_force"]),
              help="A count as it is, per 1,000 inhabitants or as a share of the labour force (map, trend; "
                   "default: the page's).")
@click.option("--lang", default="fi", show_default=True, type=click.Choice(["fi", "sv", "en"]))
@click.option("--all", "all_views", is_flag=True,
              help="The standard set for the latest month in fi, sv and en: the national map, each pilot "
                   "area's trend, the ELY gauges, each pilot area's compare table; and the index pages.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder to write into (created if needed).")
@click.option("--site-url", default=None, metavar="URL",
              help="The dashboard's public address, for each snapshot's link to the full view "
                   "(default: $PILOT_TRACKER_SITE_URL or the settings file; none: no link).")
@db_option
def snapshot(view, indicator, month, areas, level, mode, base, per, lang, all_views, out_dir, site_url,
             db_url) -> None:
    """Write static snapshots: self-contained HTML, SVG, PNG, CSV and JSON per view, under public rules.

    The HTML needs no network and no JavaScript; an index page per language lists the folder's
    snapshots, so the folder can be served as it is by any web server or CDN.

    \b
    Examples:
      pilot-tracker snapshot --view trend --areas PILOT01,SSS --lang sv --out public/
      pilot-tracker snapshot --all --out public/
    """
    from app.db import DatabaseUnavailable
    from app.settings import LANGUAGES, load_settings
    from app.snapshot import RendererUnavailable
    from app.snapshot.views import SnapshotError, ViewState, write_site

    if all_views == (view is not None):
        raise click.UsageError("give either --view or --all")
    settings = load_settings()
    states = None if all_views else [ViewState(
        view, lang, indicator=None if view == "compare" else indicator, month=month, level=level, mode=mode,
        base=base, per=per, areas=tuple(a.strip().upper() for a in (areas or "").split(",") if a.strip()),
        indicators=tuple(c.strip() for c in (indicator or "").split(",") if c.strip()) if view == "compare" else ())]

    def report(meta, paths) -> None:
        click.echo(f"{meta.slug}: " + ", ".join(f"{ext} {p.stat().st_size / 1024:.0f} KB" for ext, p in paths.items()))

    started = time.perf_counter()
    try:
        written, indexes = write_site(_db(db_url), out_dir, states=states, languages=LANGUAGES,
                                      default_lang=settings.default_lang, site_url=site_url or settings.site_url,
                                      progress=report)
    except (SnapshotError, RendererUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    except DatabaseUnavailable as exc:
        raise click.ClickException(f"cannot read the database: {exc}") from exc
    click.echo(f"{len(written)} snapshot(s) and {len(indexes)} index page(s) in {out_dir} "
               f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
