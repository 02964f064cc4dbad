"""The postselected-stage floor of a circuit (`ftq.enumeration.postselected_floor`), weight by weight, as JSON.

python sweeps/splitting/floor.py CIRCUIT --max-weight 5 --out floor.json
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import time

import stim

from ftq.enumeration import postselected_floor


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("circuit")
    ap.add_argument("--max-weight", type=int, default=5)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    t0 = time.process_time()
    r = postselected_floor(stim.Circuit.from_file(a.circuit), max_weight=a.max_weight)
    scale = math.exp(r.log_no_fault)
    out = {
        "circuit": a.circuit,
        "max_weight": a.max_weight,
        "mechanisms": r.num_mechanisms,
        "counts_logical": r.counts_logical.tolist(),
        "mass_per_attempt_by_weight": (scale * r.sum_logical).tolist(),
        "mass_per_attempt": scale * float(r.sum_logical.sum()),
        "composite_logical_bound_per_attempt": scale * r.composite_logical_bound,
        "cpu_seconds": time.process_time() - t0,
    }
    pathlib.Path(a.out).write_text(json.dumps(out, indent=1))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
