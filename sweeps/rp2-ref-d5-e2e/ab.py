"""Paired comparison of gap-decoder model variants on the same sampled shots of the published d=5 circuit.

Usage: python sweeps/rp2-ref-d5-e2e/ab.py run FIRST_SEED LAST_SEED [SHOTS_PER_SEED]   (appends ab.jsonl)
       python sweeps/rp2-ref-d5-e2e/ab.py report [MAX_ATTEMPTS ...]

Each seed samples SHOTS_PER_SEED attempts (whole circuit, tag postselection) and decodes the kept shots with
every variant in VARIANTS; one JSON line per (seed, variant) holds the gap histogram as sinter custom_counts.
Seeds already in ab.jsonl are skipped, so runs resume and two runs on disjoint seed ranges can share the file.
The report is ftq's: front on all rows, held-out check (front chosen on even seeds, measured on odd ones).
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

import sinter
import stim

from cultivation.decoding import GapDecoder, build_pruned_model
from cultivation.reference import RP2
from ftq.files import append_lines
from ftq.plotting import summary_lines
from ftq.sampling import StagedCircuit, _GapCounts, sample_packed

HERE = pathlib.Path(__file__).parent
OUT = HERE / "ab.jsonl"
CIRCUIT = RP2 / "rp_3_rp_5_sc_11_end2end_6_full_rds.stim"
HEADER = json.dumps({"format": "ab.py rows: seed, variant, gap histogram"})
VARIANTS = {"hyperedge": {"composites": "hyperedge"}, "drop": {"composites": "drop"}}


def done_seeds() -> set[int]:
    if not OUT.exists():
        return set()
    return {d["seed"] for d in _rows()}


def _rows() -> list[dict]:
    lines = OUT.read_text().splitlines() if OUT.exists() else []
    return [d for d in map(json.loads, lines) if "seed" in d]


def run(first: int, last: int, shots: int) -> None:
    circuit = stim.Circuit.from_file(CIRCUIT)
    staged = StagedCircuit.from_circuit(circuit)
    decoders = {name: GapDecoder(build_pruned_model(circuit, **kw)) for name, kw in VARIANTS.items()}
    for seed in range(first, last + 1):
        if seed in done_seeds():
            continue
        t0 = time.process_time()
        r = sample_packed(staged, shots=shots, seed=seed)
        t_sample = time.process_time() - t0
        lines = []
        for name, dec in decoders.items():
            t1 = time.process_time()
            _, pred, gap = dec(r.detectors)
            counts = _GapCounts()
            wrong = pred[:, 0] ^ r.observables[:, 0]
            counts.add(wrong, gap)
            c = counts.counter()
            c.update({f"S{i}": v for i, v in enumerate(r.survivors)})
            lines.append(
                json.dumps(
                    {
                        "seed": seed,
                        "variant": name,
                        "shots": shots,
                        "kept": r.kept,
                        "errors": int(wrong.sum()),
                        "decode_seconds": time.process_time() - t1,
                        "sample_seconds": t_sample,
                        "counts": dict(c),
                    }
                )
            )
        append_lines(OUT, lines, header=HEADER)
        print(f"seed {seed}: kept {r.kept}", flush=True)


def report(budgets: list[float]) -> None:
    rows: dict[str, list[sinter.TaskStats]] = {}
    secs: dict[str, float] = {}
    for d in _rows():
        rows.setdefault(d["variant"], []).append(
            (
                d["seed"],
                sinter.TaskStats(
                    strong_id=d["variant"],
                    decoder="gap",
                    json_metadata={"variant": d["variant"]},
                    shots=d["shots"],
                    errors=d["errors"],
                    discards=d["shots"] - d["kept"],
                    custom_counts=__import__("collections").Counter(d["counts"]),
                ),
            )
        )
        secs[d["variant"]] = secs.get(d["variant"], 0.0) + d["decode_seconds"]
    for name, items in rows.items():
        items.sort(key=lambda t: t[0])
        stats = [s for _, s in items]
        kept = sum(s.shots - s.discards for s in stats)
        print(f"== {name}: decode {kept / secs[name]:.0f} kept shots per CPU-second")
        for b in budgets:
            for line in summary_lines(stats, max_attempts=b, max_points=1):
                if "within" in line or "before gap cut" in line:
                    print(line)


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 1_000_000)
    else:
        report([float(v) for v in sys.argv[2:]] or [8.85, 10.7])
