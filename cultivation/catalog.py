"""The project's standard circuit set in ``circuits/``: every protocol × d1 × p, uniform noise, with a manifest.

``ftq circuits build`` writes it; a test checks that the folder holds exactly what the builders produce.

>>> [e.filename for e in standard_entries()][:1]
['rp2_cultivation_d3_uniform_p0.0005.stim']
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import stim

from cultivation.protocol import build
from ftq.files import write_text_atomic
from ftq.stats import circuit_stats

STANDARD_P = (5e-4, 1e-3, 2e-3)


@dataclasses.dataclass(frozen=True)
class Entry:
    """One standard circuit: how it is built and the file it lives in."""

    protocol: str
    d1: int
    p: float
    noise: str = "uniform"

    @property
    def final_distance(self) -> int | None:
        return 2 * self.d1 + 1 if self.protocol == "end2end" else None

    @property
    def filename(self) -> str:
        D = f"_D{self.final_distance}" if self.final_distance else ""
        return f"rp2_{self.protocol}_d{self.d1}{D}_{self.noise}_p{self.p:g}.stim"

    def build(self) -> stim.Circuit:
        return build(
            self.protocol, d1=self.d1, final_distance=self.final_distance, noise=self.noise, p=self.p
        )


def standard_entries() -> list[Entry]:
    """d1 ∈ {3, 5} × {cultivation, end2end} × p ∈ {5e-4, 1e-3, 2e-3}, uniform noise."""
    return [Entry(proto, d1, p) for d1 in (3, 5) for proto in ("cultivation", "end2end") for p in STANDARD_P]


def manifest_record(entry: Entry, circuit: stim.Circuit) -> dict:
    """What the manifest says about one file: its parameters and its statistics (computed from the circuit)."""
    return {
        "file": entry.filename,
        "protocol": entry.protocol,
        "d1": entry.d1,
        "final_distance": entry.final_distance,
        "noise": entry.noise,
        "p": entry.p,
        "proxy": "S",
        **circuit_stats(circuit),
    }


def build_catalog(out: str | Path, *, progress=None) -> list[dict]:
    """Write every standard circuit and ``manifest.json`` into ``out``; returns the manifest records."""
    out = Path(out)
    records = []
    for entry in standard_entries():
        circuit = entry.build()
        write_text_atomic(out / entry.filename, str(circuit) + "\n")
        records.append(manifest_record(entry, circuit))
        if progress is not None:
            progress(entry)
    write_text_atomic(out / "manifest.json", json.dumps(records, indent=2) + "\n")
    return records
