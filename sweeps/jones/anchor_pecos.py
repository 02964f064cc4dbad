"""The anchor's braid, four-part interleaved design, on Quantinuum's PECOS emulator with H2-2's figures.

Compiles the interleaved design (jones.interleaved) of the anchor's 15-strand, 114-crossing braid for H2-2
offline (optimisation level 2) once, then runs it on PECOS (state vector, ``GenericErrorModel`` with
:func:`jones.pecos_emulator.hseries_params` of H2-2) in chunks of ``--chunk`` shots, chunk c with seed
``--seed`` + c. Every finished chunk is appended as one JSON line (registers as bit strings, seconds) to
``--out``; a rerun skips the chunks already there, so an interruption loses at most one chunk.

Run (4,000 shots: 42 min wall here, 2 min compile + 39 min emulation, sharing 2 cores)::

    nice -n 5 .venv/bin/python sweeps/jones/anchor_pecos.py --shots 4000 --chunk 250 --seed 2025
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=4000)
    ap.add_argument("--chunk", type=int, default=250)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--device", default="H2-2")
    ap.add_argument("--braid", default="anchor", help="'anchor' or a braid word (for quick checks)")
    ap.add_argument("--out", type=Path, default=HERE / "anchor_pecos.jsonl")
    a = ap.parse_args(argv)

    from jones.braids import Braid
    from jones.interleaved import InterleavedShots, _split, interleaved_test
    from jones.pecos_emulator import hseries_params, run_pecos_circuit
    from jones.quantinuum import compile_circuit
    from jones.reference import anchor_braid

    braid = anchor_braid() if a.braid == "anchor" else Braid.parse(a.braid)
    test = interleaved_test(braid)
    done: set[int] = set()
    if a.out.exists():
        for line in a.out.read_text().splitlines():
            if line.strip():
                rec = json.loads(line)
                if (
                    rec["braid"] == str(braid)
                    and rec["seed_base"] == a.seed
                    and rec["chunk_shots"] == a.chunk
                ):
                    done.add(rec["chunk"])
    n_chunks = -(-a.shots // a.chunk)
    todo = [c for c in range(n_chunks) if c not in done]
    print(f"{len(done)} chunks done, {len(todo)} to run", flush=True)
    if not todo:
        return
    t0 = time.perf_counter()
    compiled = compile_circuit(test.to_pytket(), device=a.device, optimisation_level=2)
    print(f"compiled in {time.perf_counter() - t0:.1f} s: {compiled.n_2qb_gates()} 2q gates", flush=True)
    params = hseries_params(a.device)
    for c in todo:
        shots = min(a.chunk, a.shots - c * a.chunk)
        t = time.perf_counter()
        regs = run_pecos_circuit(compiled, shots=shots, params=params, device=a.device, seed=a.seed + c)
        data: InterleavedShots = _split(regs, test.n_qubits)
        rec = {
            "braid": str(braid),
            "device": a.device,
            "params": params,
            "seed_base": a.seed,
            "chunk_shots": a.chunk,
            "chunk": c,
            "seed": a.seed + c,
            "shots": shots,
            "seconds": round(time.perf_counter() - t, 2),
            "registers": data.to_json(),
        }
        with a.out.open("a") as f:
            f.write(json.dumps(rec) + "\n")
        print(f"chunk {c}: {shots} shots in {rec['seconds']} s", flush=True)


if __name__ == "__main__":
    main()
