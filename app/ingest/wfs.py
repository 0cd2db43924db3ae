"""Statistics Finland's open WFS: download a year's municipality boundaries, then load them as a file.

A failure to download (no connection, timeout, an HTTP error) is a NetworkError: worth trying again
later or from another machine; an answer that is not GeoJSON is an InputError, like a bad file.
"""

from __future__ import annotations

import json
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from app.ingest.boundaries import BoundaryLoad, load_boundaries
from app.ingest.errors import InputError, NetworkError

WFS_URL = "https://geo.stat.fi/geoserver/tilastointialueet/wfs"
WFS_LAYER = "tilastointialueet:kunta4500k_{year}"
WFS_LICENCE = "CC BY 4.0 (Statistics Finland)"
FETCH_TIMEOUT_S = 60.0
OFFLINE_HINT = ("check the network connection (or proxy), or download the file on another machine "
                "and use `pilot-tracker boundaries load FILE --year YEAR`")

Opener = Callable[..., object]


def wfs_url(year: int, base: str = WFS_URL) -> str:
    """The GetFeature request for the 1:4.5M municipality layer of a year, as GeoJSON in WGS84."""
    params = {"service": "WFS", "version": "2.0.0", "request": "GetFeature",
              "typeNames": WFS_LAYER.format(year=year), "outputFormat": "application/json",
              "srsName": "EPSG:4326"}
    if urllib.parse.urlsplit(base).scheme == "file":
        return base  # a saved GetFeature answer, read as it is
    return f"{base}{'&' if '?' in base else '?'}{urllib.parse.urlencode(params)}"


def download(url: str, target: Path, *, opener: Opener = urllib.request.urlopen,
             timeout: float = FETCH_TIMEOUT_S) -> None:
    """Save the GeoJSON answer at url to target; NetworkError when it cannot be fetched, InputError when it is bad."""
    try:
        with opener(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise NetworkError(url, f"the server answered HTTP {exc.code} {exc.reason}; the layer may not exist for "
                                "that year") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise NetworkError(url, f"could not download: {getattr(exc, 'reason', exc)}; {OFFLINE_HINT}") from None
    head = body[:2000].lstrip()
    if not head.startswith(b"{"):
        text = re.sub(r"\s+", " ", head[:300].decode("utf-8", "replace"))
        raise InputError(url, f"the answer is not GeoJSON: {text}")
    try:
        json.loads(body)
    except ValueError as exc:
        raise InputError(url, f"the answer is not valid JSON ({exc}); the download may have been cut off") from None
    target.write_bytes(body)


def fetch_boundaries(url: str, year: int, *, base: str = WFS_URL, opener: Opener = urllib.request.urlopen,
                     timeout: float = FETCH_TIMEOUT_S) -> BoundaryLoad:
    """Download a year's municipality boundaries from Statistics Finland's WFS and load them."""
    request_url = wfs_url(year, base)
    with tempfile.TemporaryDirectory(prefix="pilot-tracker-wfs-") as folder:
        target = Path(folder) / f"kunta4500k_{year}.geojson"
        download(request_url, target, opener=opener, timeout=timeout)
        return load_boundaries(url, target, year, source=f"Statistics Finland WFS {WFS_LAYER.format(year=year)}",
                               source_url=request_url, licence=WFS_LICENCE)
