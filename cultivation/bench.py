"""Throughput benchmark (``python -m cultivation.bench``, run by ``make bench``): kept shots per CPU-second.

On the d1=3 → D=7 end-to-end circuit at uniform p = 1e-3 (the published circuit by default; the project's
builder with ``--project``) three rates are measured in one process and printed with their ratios:

* **staged + gap**: :class:`cultivation.decoding.GapSampler`'s compiled sampler — staged sampling (only
  survivors of cultivation are simulated further), tag postselection, matching with gaps;
* **sinter collect + pymatching**: sinter's own engine with its built-in ``pymatching`` decoder on the
  pruned X/Z-split DEM, postselection mask from the tags (no gaps); rate from sinter's worker seconds;
* **stim bare**: ``compile_detector_sampler().sample(bit_packed=True)`` alone times the kept fraction — the
  limit that no sampler which also decodes can beat.

The gap decoder runs several matchings per kept shot (two boundary-forced ones and two per cross-cap edge
near the shot's detection events), so it is expected to be well below sinter's single matching.

>>> r = run_bench(shots=2000, quiet=True)
>>> sorted(r)
['circuit', 'sinter_pymatching', 'staged_gap', 'stim_bare']
"""

from __future__ import annotations

import time

import sinter
import stim

from cultivation.decoding import gap_predictor, pruned_split_dem
from cultivation.reference import RP2 as REFERENCE
from ftq.sampling import StagedCompiledSampler, make_task, sample_shots


def bench_circuit(*, project: bool = False) -> tuple[str, stim.Circuit]:
    """The d1=3 end-to-end circuit: the published file (default, when present) or the project's builder.

    >>> name, c = bench_circuit()
    >>> c.num_observables
    1
    """
    path = REFERENCE / "rp_3_sc_7_end2end_4_full_rds.stim"
    if not project and path.exists():
        return f"published {path.name}", stim.Circuit.from_file(path)
    from cultivation.protocol import build

    return "project end2end d1=3 D=7", build("end2end", d1=3, final_distance=7, noise="uniform", p=1e-3)


def run_bench(*, shots: int = 200_000, quiet: bool = False, project: bool = False) -> dict:
    """Measure the three rates (kept shots per CPU-second) and return them with the circuit's name.

    >>> run_bench(shots=1000, quiet=True)["staged_gap"] > 0
    True
    """
    name, circuit = bench_circuit(project=project)
    # staged + gap
    compiled = StagedCompiledSampler(circuit, gap_predictor(circuit), seed=1)
    compiled.sample(min(shots, 1000))  # warm-up
    t0 = time.process_time()
    st = sample_shots(compiled, shots)
    staged = (st.shots - st.discards) / (time.process_time() - t0)
    # sinter collect with its built-in pymatching on the pruned, split DEM
    task = make_task(circuit, decoder="pymatching", detector_error_model=pruned_split_dem(circuit))
    stats = sinter.collect(num_workers=1, tasks=[task], max_shots=shots, decoders=["pymatching"])
    s = stats[0]
    sinter_rate = (s.shots - s.discards) / s.seconds
    # stim bare sampling, scaled by the kept fraction measured above
    sampler = circuit.compile_detector_sampler(seed=2)
    sampler.sample(1000, bit_packed=True)
    t0 = time.process_time()
    sampler.sample(shots, bit_packed=True)
    bare = shots / (time.process_time() - t0) * (st.shots - st.discards) / st.shots
    out = {"circuit": name, "staged_gap": staged, "sinter_pymatching": sinter_rate, "stim_bare": bare}
    if not quiet:
        print(
            f"circuit: {name}, {shots:,} shots per engine, kept fraction {(st.shots - st.discards) / st.shots:.3f}"
        )
        print(f"  staged + gap decoder         : {staged:12,.0f} kept shots / CPU-s")
        print(f"  sinter collect + pymatching  : {sinter_rate:12,.0f} kept shots / worker-s (no gaps)")
        print(f"  stim bare sampling (limit)   : {bare:12,.0f} kept shots / CPU-s (no decoding)")
        print(f"  ratio staged / sinter        : {staged / sinter_rate:.2f}")
        print(f"  ratio staged / stim bare     : {staged / bare:.3f}")
    return out


if __name__ == "__main__":
    import sys

    run_bench(project="--project" in sys.argv[1:])
