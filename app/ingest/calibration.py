"""The demo's calibration to TEM's published pilot figures (data/published_figures.csv).

Pilot clients: in December 2021 each pilot area with a published count gets it and the other areas share
the rest of the national figure; the national total then follows the published national figures of other
months (linear between them, flat outside). Clients unemployed or laid off: the published national share
over time, each published area at its own December 2021 share and the other areas at the share that makes
the national December 2021 figure. The values stay synthetic; only their level is borrowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from app.areas import GRP_PILOT
from app.indicators import Registry, registry as default_registry
from app.ingest.published import read_published_file
from app.settings import DATA_DIR

PUBLISHED_FIGURES = DATA_DIR / "published_figures.csv"
CALIBRATION_MONTH = date(2021, 12, 1)  # the month of TEM's first statistical review of the pilots
DEFAULT_SHARE = 0.61  # of clients unemployed or laid off, when no figures are published
CLIENTS, UNEMPLOYED = "pilot_clients", "pilot_clients_unemployed_or_laid_off"


@dataclass(frozen=True)
class Calibration:
    """Published figures as {(indicator, area): {month: value}}."""

    figures: dict[tuple[str, str], dict[date, float]]

    @classmethod
    def from_file(cls, path: Path = PUBLISHED_FIGURES, registry: Registry | None = None) -> Calibration:
        figures: dict[tuple[str, str], dict[date, float]] = {}
        for f in read_published_file(path, registry or default_registry()):
            figures.setdefault((f.indicator_code, f.area_code), {})[f.period] = f.value
        return cls(figures)

    def at(self, indicator: str, area: str, month: date = CALIBRATION_MONTH) -> float | None:
        return self.figures.get((indicator, area), {}).get(month)

    def share_knots(self) -> dict[date, float]:
        """The national share of clients unemployed or laid off, in the months both figures were published."""
        clients, unemployed = self.figures.get((CLIENTS, GRP_PILOT), {}), self.figures.get((UNEMPLOYED, GRP_PILOT), {})
        return {m: unemployed[m] / clients[m] for m in sorted(set(clients) & set(unemployed)) if clients[m]}


def curve(months: list[date], knots: dict[date, float]) -> np.ndarray:
    """Linear between the knots, flat before the first and after the last; ones without knots."""
    if not knots:
        return np.ones(len(months))
    index = lambda d: d.year * 12 + d.month - 1  # noqa: E731
    xs = sorted(knots)
    return np.interp([index(m) for m in months], [index(x) for x in xs], [knots[x] for x in xs])


def _area_factors(values: np.ndarray, areas: np.ndarray, target, national: float | None) -> np.ndarray:
    """Per member: the factor that brings its area to target(area), the others together to the national rest."""
    factor = np.zeros(len(areas))
    published = {code: target(code) for code in set(areas) - {""} if target(code)}
    for code, value in published.items():
        total = values[areas == code].sum()
        factor[areas == code] = value / total if total > 0 else 0.0
    rest = np.isin(areas, list(published), invert=True) & (areas != "")
    if national and values[rest].sum() > 0:
        factor[rest] = max(national - sum(published.values()), 0.0) / values[rest].sum()
    else:
        factor[rest] = np.median([factor[areas == c][0] for c in published]) if published else 1.0
    return factor


def calibrated_clients(raw: np.ndarray, pilot_of: list[str | None], months: list[date],
                       calibration: Calibration) -> np.ndarray:
    """raw: municipality x month client counts before scaling; pilot_of: each municipality's pilot area."""
    if CALIBRATION_MONTH not in months:
        return raw
    at = months.index(CALIBRATION_MONTH)
    areas = np.array([p or "" for p in pilot_of])
    clients = raw * _area_factors(raw[:, at], areas, lambda c: calibration.at(CLIENTS, c),
                                  calibration.at(CLIENTS, GRP_PILOT))[:, None]
    totals = clients.sum(axis=0)
    national = {m: v / totals[months.index(m)] for m, v in calibration.figures.get((CLIENTS, GRP_PILOT), {}).items()
                if m in months and totals[months.index(m)] > 0}
    return clients * curve(months, national)[None, :]


def unemployed_shares(clients: np.ndarray, pilot_of: list[str | None], months: list[date],
                      calibration: Calibration) -> np.ndarray:
    """municipality x month share of clients unemployed or laid off."""
    knots = calibration.share_knots()
    if not knots:
        return np.full(clients.shape, DEFAULT_SHARE)
    national = curve(months, knots)
    if CALIBRATION_MONTH not in months:
        return np.tile(national, (len(pilot_of), 1))
    at = months.index(CALIBRATION_MONTH)
    areas = np.array([p or "" for p in pilot_of])
    unemployed_now = clients[:, at] * national[at]
    factor = _area_factors(unemployed_now, areas, lambda c: calibration.at(UNEMPLOYED, c),
                           calibration.at(UNEMPLOYED, GRP_PILOT))
    return np.clip(factor[:, None] * national[None, :], 0.0, 0.95)
