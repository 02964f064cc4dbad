"""Subset simulation (`ftq.splitting`) against plain sampling, on the same circuit, decoder and cuts.

    python sweeps/splitting/validate.py CIRCUIT --brute-shots 100000000 --runs 20 --samples 2000 --out d3.json
    python sweeps/splitting/validate.py CIRCUIT --brute-stats sweeps/rp2-ref-d5-e2e/stats.csv --decoder-version 8 ...

Plain sampling is stim's circuit sampler with the staged gap sampler (the sweeps' path), so the comparison also
checks the DEM model the splitting chains move in. Brute-force counts are kept in ``--out`` and grown in
chunks (resumable: rerun with a larger ``--brute-shots``), or read from a sweep's sinter CSV (``--brute-stats``:
the rows of one decoder version, all summed). Cuts lie on the ray ``(1, RAY2)``: boundary gap b,
cross-cap gap ``round(RAY2·b)``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time
from collections import Counter

import numpy as np
import stim

from cultivation.decoding import gap_predictor
from ftq.importance import clopper_pearson
from ftq.resources import gap_histogram_2d
from ftq.sampling import StagedCompiledSampler, sample_shots
from ftq.splitting import front, subset_simulation
from ftq.strata import StratifiedRun, postselected_strata
from ftq.sweeps import read_stats_rows

CHUNK = 10_000_000


def brute(circuit: stim.Circuit, path: pathlib.Path, shots: int) -> dict:
    data = json.loads(path.read_text()) if path.exists() else {}
    b = data.get("brute", {"shots": 0, "counts": {}, "seconds": 0.0})
    while b["shots"] < shots:
        n = min(CHUNK, shots - b["shots"])
        t0 = time.process_time()
        sampler = StagedCompiledSampler(circuit, gap_predictor(circuit), seed=10_000 + b["shots"] // CHUNK)
        stats = sample_shots(sampler, n)
        counts = Counter(b["counts"])
        counts.update({k: v for k, v in stats.custom_counts.items() if k[0] in "CE"})
        b = {
            "shots": b["shots"] + n,
            "counts": dict(counts),
            "seconds": b["seconds"] + time.process_time() - t0,
        }
        data["brute"] = b
        path.write_text(json.dumps(data))
        print(f"brute force: {b['shots']:,} attempts, {b['seconds']:.0f} CPU-s", flush=True)
    return b


def stored(path: str, version: int) -> dict:
    shots, counts = 0, Counter()
    for row in read_stats_rows(path):
        if row.json_metadata.get("decoder_version") != version:
            continue
        shots += row.shots
        counts.update({k: v for k, v in row.custom_counts.items() if k[0] in "CE"})
    if not shots:
        raise SystemExit(f"error: {path} has no rows of decoder version {version}")
    return {"shots": shots, "counts": dict(counts), "source": path}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("circuit")
    ap.add_argument("--brute-shots", type=int, default=100_000_000)
    ap.add_argument("--brute-stats", help="a sweep's stats.csv to read plain-sampling counts from")
    ap.add_argument("--decoder-version", type=int, default=8)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--errors", type=int, default=300)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--p0", type=float, default=0.1)
    ap.add_argument("--rho", type=float, default=0.15)
    ap.add_argument("--ray2", type=float, default=0.875)
    ap.add_argument(
        "--strata",
        type=int,
        default=None,
        help="run once per postselected-stage stratum of weight 0, 2..W (ftq.strata) and add them",
    )
    ap.add_argument("--floor", help="JSON from floor.py: its mass_per_attempt is added at every cut")
    ap.add_argument("--cuts", default="0:120:5", help="boundary-gap cuts start:stop:step (dB)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    circuit = stim.Circuit.from_file(a.circuit)
    out = pathlib.Path(a.out)
    if a.brute_stats:
        b = stored(a.brute_stats, a.decoder_version)
        out.write_text(json.dumps({"brute": b}))
    else:
        b = brute(circuit, out, a.brute_shots)
    g1, g2, correct, wrong = gap_histogram_2d(b["counts"])
    start, stop, step = (int(v) for v in a.cuts.split(":"))
    cuts = [(float(c), float(round(a.ray2 * c))) for c in range(start, stop, step)]
    runs = []
    t0 = time.process_time()
    strata = postselected_strata(circuit, max_weight=a.strata) if a.strata is not None else [None]
    for r in range(a.runs):
        parts = [
            subset_simulation(
                circuit,
                gap_predictor(circuit),
                errors=a.errors,
                samples=a.samples,
                p0=a.p0,
                rho=a.rho,
                ray=(1.0, a.ray2),
                stop_score=cuts[-1][0],
                seed=1000 * r + k + 1,
                stratum=st,
            )
            for k, st in enumerate(strata)
        ]
        run = (
            parts[0]
            if a.strata is None
            else StratifiedRun(
                tuple(st.weight for st in strata), tuple(st.mass for st in strata), tuple(parts)
            )
        )
        runs.append(run)
        print(f"run {r + 1}/{a.runs}: {[len(p.levels) for p in parts]} levels", flush=True)
    split_seconds = time.process_time() - t0
    rows = []
    floor = 0.0
    if a.floor:  # the floor's sets heavier than the strata (lighter ones are inside the strata already)
        by_weight = json.loads(pathlib.Path(a.floor).read_text())["mass_per_attempt_by_weight"]
        floor = sum(by_weight[(a.strata or 0) + 1 :])
    for pt in front(runs, cuts, floor=floor):
        bc, xc = pt.cut
        sel = np.ix_(g1 >= bc, g2 >= xc)
        k, e = int(correct[sel].sum() + wrong[sel].sum()), int(wrong[sel].sum())
        lo, hi = clopper_pearson(e, k)
        rows.append(
            {
                "cut": [bc, xc],
                "brute": {"kept": k, "errors": e, "ler": e / k if k else None, "cp95": [lo, hi]},
                "splitting": {
                    "attempts_per_kept": pt.attempts_per_kept,
                    "ler": pt.ler,
                    "interval": [pt.ler_low, pt.ler_high],
                },
            }
        )
        overlap = not (pt.ler_high < lo or pt.ler_low > hi)
        print(
            f"{bc:5.0f}|{xc:<4.0f} att/kept {b['shots'] / max(k, 1):6.3f} brute {e / max(k, 1):9.3g} "
            f"[{lo:9.3g}, {hi:9.3g}] ({e:6d} err)  split {pt.ler:9.3g} [{pt.ler_low:9.3g}, {pt.ler_high:9.3g}]"
            f" {'ok' if overlap else 'DISJOINT'}"
        )
    data = json.loads(out.read_text())
    data["splitting"] = {
        "runs": a.runs,
        "errors": a.errors,
        "samples": a.samples,
        "p0": a.p0,
        "rho": a.rho,
        "ray": [1.0, a.ray2],
        "cpu_seconds": split_seconds,
        "strata": a.strata,
        "floor_per_attempt": floor,
    }
    data["rows"] = rows
    out.write_text(json.dumps(data, indent=1))


if __name__ == "__main__":
    main()
