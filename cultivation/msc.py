"""The magic-state-cultivation (MSC) baseline: published points read from the reference statistics.

``emulated-historical-stats.csv`` (:data:`cultivation.reference.MSC`, see its README) rows of
"2024 This Work (d1=…)" at the same noise model and strength give MSC's (LER, attempts, volume) points.
Those rows are in the *T convention* (T = 2 × S-proxy), so they are halved here to the S-proxy convention
every RP² number in this project uses.
"""

from __future__ import annotations

import csv
import json
import math
import pathlib
import sys

from cultivation.reference import MSC
from ftq.errors import InputError
from ftq.plotting import ParetoSeries, SeriesPoint


def load_msc_baseline(
    msc_dir: str | pathlib.Path = MSC, *, noise: str = "uniform", p: float = 1e-3
) -> list[ParetoSeries]:
    """MSC's published (attempts, LER, volume) points, converted to the S-proxy convention (÷2).

    >>> series = load_msc_baseline()
    >>> series[0].label, series[0].volume_formula
    ('MSC d1=3 (published)', 'MSC formula')
    """
    path = pathlib.Path(msc_dir) / "emulated-historical-stats.csv"
    if not path.is_file():
        raise InputError(f"MSC baseline file {str(path)!r} does not exist.")
    csv.field_size_limit(sys.maxsize)
    groups: dict[str, list[SeriesPoint]] = {}
    with open(path, encoding="utf8") as f:
        for row in csv.DictReader(f, skipinitialspace=True):
            try:
                meta = json.loads(row["json_metadata"])
                shots, errors, discards = int(row["shots"]), int(row["errors"]), int(row["discards"])
            except (KeyError, ValueError, TypeError):
                raise InputError(f"MSC baseline file {str(path)!r} has a malformed row.") from None
            c = str(meta.get("c", ""))
            if not c.startswith("2024 This Work") or "v" not in meta:
                continue
            if meta.get("noise") != noise or not math.isclose(float(meta.get("p", -1)), p):
                continue
            kept = shots - discards
            if kept <= 0:
                continue
            ler = errors / kept / 2  # T convention -> S-proxy
            lo, hi = _poisson_band(errors, kept)
            d1 = meta.get("d1", "?")
            groups.setdefault(f"MSC d1={d1} (published)", []).append(
                SeriesPoint(shots / kept, ler, lo / 2, hi / 2, float(meta["v"]))
            )
    return [ParetoSeries(k, sorted(v), volume_formula="MSC formula") for k, v in sorted(groups.items())]


def _poisson_band(errors: int, kept: int) -> tuple[float, float]:
    """A rough ±2σ band for a rate of errors/kept (for published points without raw histograms)."""
    if kept <= 0:
        return 0.0, 1.0
    s = math.sqrt(max(errors, 1))
    return max(0.0, (errors - 2 * s) / kept), (errors + 2 * s) / kept
