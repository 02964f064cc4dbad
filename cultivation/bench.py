"""Throughput benchmark (``python -m cultivation.bench``, run by ``make bench``): kept shots per CPU-second.

Two circuits at uniform p = 1e-3 (the published files by default; the project's builder with ``--project``),
each measured in one process and printed with its ratio against a named baseline run in the same script:

* **d1=3 → D=7**: the project's sampler + ``gap`` decoder (:class:`ftq.sampling.StagedCompiledSampler`
  with :func:`cultivation.decoding.gap_predictor`: sampling, tag postselection, exact class weights and two
  soft outputs) against **sinter + pymatching** — what sinter's built-in ``pymatching`` does (stim's
  detector sampler, the tags' postselection mask, sinter's PyMatching decoder on the pruned X/Z-split DEM, no
  soft outputs), run in the same process. Target ratio ≥ 1.5.
* **d1=5 → D=11**: the same sampler + decoder against the **whole-circuit limit**: stim's
  ``compile_detector_sampler().sample(bit_packed=True)`` of the whole circuit alone (no postselection, no
  decoding), in attempts per CPU-second, times the kept fraction. Target ratio ≥ 1.

Every rate is CPU time of this process (so a busy machine slows all engines alike); one-time setup (DEM,
cover distances, compilation) is excluded: each engine is warmed up first.

>>> r = run_bench(shots=2000, quiet=True)
>>> sorted(r)
['d3', 'd5']
>>> sorted(r["d3"])
['circuit', 'gap_kept_per_s', 'kept_fraction', 'sinter_pymatching_kept_per_s', 'stim_bare_kept_per_s']
"""

from __future__ import annotations

import time

import numpy as np
import sinter
import stim

from cultivation.decoding import gap_predictor, pruned_split_dem
from cultivation.reference import RP2 as REFERENCE
from ftq.sampling import StagedCompiledSampler, postselection_mask_packed, sample_shots

#: the published circuit of each benchmark, and the project builder's arguments for the same protocol
CIRCUITS = {
    "d3": ("rp_3_sc_7_end2end_4_full_rds.stim", {"d1": 3, "final_distance": 7}),
    "d5": ("rp_3_rp_5_sc_11_end2end_6_full_rds.stim", {"d1": 5, "final_distance": 11}),
}


def bench_circuit(which: str = "d3", *, project: bool = False) -> tuple[str, stim.Circuit]:
    """The end-to-end circuit ``which`` (``d3`` or ``d5``): the published file (default, when present) or the
    project's builder.

    >>> name, c = bench_circuit("d3")
    >>> c.num_observables
    1
    """
    filename, kwargs = CIRCUITS[which]
    path = REFERENCE / filename
    if not project and path.exists():
        return f"published {path.name}", stim.Circuit.from_file(path)
    from cultivation.protocol import build

    name = f"project end2end d1={kwargs['d1']} D={kwargs['final_distance']}"
    return name, build("end2end", noise="uniform", p=1e-3, **kwargs)


def _gap_rate(circuit: stim.Circuit, shots: int) -> tuple[float, float]:
    """(kept shots per CPU-second, kept fraction) of the project's sampler + gap decoder, after a warm-up."""
    compiled = StagedCompiledSampler(circuit, gap_predictor(circuit), seed=1)
    compiled.sample(min(shots, 1000))  # warm-up: compiled kernels, first batch
    t0 = time.process_time()
    st = sample_shots(compiled, shots)
    kept = st.shots - st.discards
    return kept / (time.process_time() - t0), kept / st.shots


def _bare_rate(circuit: stim.Circuit, shots: int) -> float:
    """Attempts per CPU-second of stim's compiled detector sampler on the whole circuit, bit-packed."""
    sampler = circuit.compile_detector_sampler(seed=2)
    sampler.sample(1000, bit_packed=True)
    t0 = time.process_time()
    sampler.sample(shots, bit_packed=True)
    return shots / (time.process_time() - t0)


def _sinter_rate(circuit: stim.Circuit, shots: int) -> float:
    """Kept shots per CPU-second of what sinter's built-in ``pymatching`` does, in this process: stim's
    detector sampler (bit-packed), the tag postselection mask, then sinter's PyMatching decoder compiled for
    the pruned X/Z-split DEM (``compile_decoder_for_dem`` / ``decode_shots_bit_packed``); no soft outputs."""
    sampler = circuit.compile_detector_sampler(seed=3)
    decoder = sinter.BUILT_IN_SAMPLERS["pymatching"].compile_decoder_for_dem(dem=pruned_split_dem(circuit))
    mask = postselection_mask_packed(circuit)

    def run(n: int) -> int:
        dets, obs = sampler.sample(n, separate_observables=True, bit_packed=True)
        keep = ~np.any(dets[:, : len(mask)] & mask, axis=1)
        decoder.decode_shots_bit_packed(bit_packed_detection_event_data=dets[keep])
        return int(keep.sum())

    run(1000)
    t0 = time.process_time()
    kept = run(shots)
    return kept / (time.process_time() - t0)


def run_bench(*, shots: int = 1_000_000, quiet: bool = False, project: bool = False) -> dict[str, dict]:
    """Measure both benchmarks; returns per benchmark its circuit name, kept fraction and the rates.

    >>> r = run_bench(shots=1000, quiet=True)
    >>> r["d5"]["gap_kept_per_s"] > 0
    True
    """
    out: dict[str, dict] = {}
    for which in CIRCUITS:
        name, circuit = bench_circuit(which, project=project)
        gap, kept = _gap_rate(circuit, shots)
        row = {
            "circuit": name,
            "kept_fraction": kept,
            "gap_kept_per_s": gap,
            "stim_bare_kept_per_s": _bare_rate(circuit, shots) * kept,
        }
        if which == "d3":
            row["sinter_pymatching_kept_per_s"] = _sinter_rate(circuit, shots)
        out[which] = row
    if not quiet:
        for which, row in out.items():
            print(
                f"{which}: {row['circuit']}, {shots:,} shots per engine, kept fraction {row['kept_fraction']:.4f}"
            )
            print(f"  sampler + gap decoder        : {row['gap_kept_per_s']:12,.0f} kept shots / CPU-s")
            print(
                f"  stim bare, whole circuit     : {row['stim_bare_kept_per_s']:12,.0f} kept shots / CPU-s (no decoding)"
            )
            if "sinter_pymatching_kept_per_s" in row:
                rate = row["sinter_pymatching_kept_per_s"]
                print(f"  sinter + pymatching          : {rate:12,.0f} kept shots / CPU-s (no soft outputs)")
                print(f"  ratio gap / sinter+pymatching: {row['gap_kept_per_s'] / rate:.2f}  (target >= 1.5)")
            else:
                ratio = row["gap_kept_per_s"] / row["stim_bare_kept_per_s"]
                print(f"  ratio gap / whole-circuit limit: {ratio:.2f}  (target >= 1)")
    return out


if __name__ == "__main__":
    import sys

    run_bench(project="--project" in sys.argv[1:])
