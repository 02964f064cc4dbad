"""What the gap decoder gets wrong at high soft outputs on the published d=5 end-to-end circuit.

Samples the circuit's DEM with the fired mechanisms recorded (:mod:`ftq.traced`), decodes the kept shots with the
``gap`` decoder, and writes every wrong kept shot with boundary gap >= 50 dB and cross-cap gap >= 30 dB to
``failures_v<decoder_version>.json``: its soft outputs, detection events, and the mechanisms that fired (detectors, how many of them
postselected, observable flip, probability, time coordinates). Also computes the total probability of pairs of
postselection-pruned mechanisms whose postselected detectors cancel (invisible to postselection, absent from the
decoder's model).

    python sweeps/rp2-ref-d5-e2e/failures.py [attempts] [seed]
"""

import collections
import itertools
import json
import pathlib
import sys

import numpy as np
import stim

from cultivation.decoders import GAP_VERSION
from cultivation.decoding import GapDecoder
from cultivation.reference import RP2
from ftq.tags import postselection_mask
from ftq.traced import Mechanisms, trace_failures

HERE = pathlib.Path(__file__).resolve().parent


def main(attempts: int, seed: int) -> None:
    circuit = stim.Circuit.from_file(RP2 / "rp_3_rp_5_sc_11_end2end_6_full_rds.stim")
    post = postselection_mask(circuit)
    coords = circuit.get_detector_coordinates()
    mech = Mechanisms.from_circuit(circuit)
    run = trace_failures(
        circuit,
        GapDecoder.from_circuit(circuit),
        shots=attempts,
        seed=seed,
        select=lambda g: (g[:, 0] >= 50) & (g[:, 1] >= 30),
    )
    failures = []
    for f in run.failures:
        faults = []
        for i in f.mechanisms.tolist():
            dets = mech.detectors[i].indices.tolist()
            faults.append(
                {
                    "detectors": len(dets),
                    "postselected": int(post[dets].sum()),
                    "observable": int(mech.observables[i].nnz % 2),
                    "p": float(mech.probabilities[i]),
                    "t": sorted({coords[d][2] for d in dets}),
                }
            )
        failures.append(
            {
                "gaps_db": [round(float(g), 1) for g in f.soft_outputs],
                "events": int(f.detectors.sum()),
                "faults": faults,
                "faults_pruned": sum(1 for x in faults if x["postselected"]),
            }
        )
    # pairs of pruned mechanisms whose postselected detectors are the same set: they pass postselection together
    groups = collections.defaultdict(list)
    for i in range(len(mech.probabilities)):
        dets = mech.detectors[i].indices
        ps = frozenset(d for d in dets.tolist() if post[d])
        if ps:
            groups[ps].append(float(mech.probabilities[i]))
    pair_mass = sum(a * b for ps in groups.values() for a, b in itertools.combinations(ps, 2))
    out = {
        "attempts": run.shots,
        "kept": run.kept,
        "kept_errors": run.kept_errors,
        "failures_at_50_30_dB": len(failures),
        "with_two_or_more_pruned_faults": sum(1 for f in failures if f["faults_pruned"] >= 2),
        "cancelling_pruned_pairs_probability_per_attempt": pair_mass,
        "median_events_of_failures": float(np.median([f["events"] for f in failures])) if failures else None,
        "failures": failures,
    }
    (HERE / f"failures_v{GAP_VERSION}.json").write_text(json.dumps(out, indent=1))
    print({k: v for k, v in out.items() if k != "failures"})


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 16_000_000, int(sys.argv[2]) if len(sys.argv) > 2 else 1)
