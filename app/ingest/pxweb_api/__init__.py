"""A client for the PxWeb API v1 as Statistics Finland serves it (pxdata.stat.fi): whole tables, within the limits.

`fetch_table(TABLE_URL, areas=…, contents=…, first=…, last=…, after=…)` reads the metadata, plans queries
under the service's cell limit, paces them under its call limit, waits on 429, retries network failures
and returns one JSON-stat 2.0 document with FetchStats, or raises FetchError and returns nothing.
"""

from app.ingest.pxweb_api.fetch import (
    DEFAULT_LIMITS,
    FetchResult,
    FetchStats,
    api_root,
    fetch_table,
    read_limits,
)
from app.ingest.pxweb_api.merge import write_json_stat
from app.ingest.pxweb_api.plan import Plan, Query, TableMeta, make_plan, parse_metadata, period_of
from app.ingest.pxweb_api.transport import Client, FetchError, Limits

__all__ = [
    "DEFAULT_LIMITS", "Client", "FetchError", "FetchResult", "FetchStats", "Limits", "Plan", "Query", "TableMeta",
    "api_root", "fetch_table", "make_plan", "parse_metadata", "period_of", "read_limits", "write_json_stat",
]
