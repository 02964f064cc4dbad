"""Reproduce the rare-event estimation results in this folder (single process, one part at a time).

    .venv/bin/python sweeps/rare_events/run.py headline   # d=5 cultivation-only at p = 1e-3 (published + ours)
    .venv/bin/python sweeps/rare_events/run.py d3         # d=3 validation: brute force vs enumerate vs importance
    .venv/bin/python sweeps/rare_events/run.py d5         # d=5 at higher p: enumeration series only
    .venv/bin/python sweeps/rare_events/run.py tail       # d=5 at p = 1e-3: weight-7 order by random search paths

Each part writes ``results_<part>.json`` and appends sinter rows to ``stats.csv``.
"""

from __future__ import annotations

import json
import pathlib
import platform
import sys
import time

import sinter
import stim

from cultivation.reference import RP2
from ftq.enumeration import tail_estimate
from ftq.estimation import Estimate, brute_force, enumeration_estimate, importance_estimate, scale_noise
from ftq.files import append_lines

HERE = pathlib.Path(__file__).resolve().parent
REF = RP2
PUBLISHED = {3: "rp_3_T_cult.stim", 5: "rp_3_rp_5_T_cult.stim"}


def circuit(d: int, p: float, source: str) -> stim.Circuit:
    """Published circuit rescaled from p = 1e-3 to p, or the project's own builder at p."""
    if source == "published":
        return scale_noise(stim.Circuit.from_file(REF / PUBLISHED[d]), p / 1e-3)
    from cultivation.protocol import build

    return build("cultivation", d1=d, noise="uniform", p=p)


def record(est: Estimate, *, d: int, p: float, source: str, rows: list, out: list) -> None:
    meta = {"protocol": "cultivation", "d": d, "p": p, "noise": "uniform", "circuit": source}
    rows.append(est.to_task_stats(json_metadata=meta))
    entry = {**meta, **est.to_json()}
    entry.pop("custom_counts", None)
    out.append(entry)
    print(json.dumps(entry), flush=True)


def main(part: str) -> None:
    rows: list[sinter.TaskStats] = []
    out: list[dict] = []
    t0 = time.process_time()
    if part == "headline":
        for source in ("published", "ours"):
            c = circuit(5, 1e-3, source)
            for w in (5, 6):
                record(enumeration_estimate(c, max_weight=w), d=5, p=1e-3, source=source, rows=rows, out=out)
        c = circuit(3, 1e-3, "ours")
        record(enumeration_estimate(c, max_weight=6), d=3, p=1e-3, source="ours", rows=rows, out=out)
        record(
            importance_estimate(c, shots=10**10, target_rel_error=0.1, max_seconds=300, seed=3),
            d=3,
            p=1e-3,
            source="ours",
            rows=rows,
            out=out,
        )
    elif part == "d3":
        c = circuit(3, 1e-3, "published")
        record(enumeration_estimate(c, max_weight=6), d=3, p=1e-3, source="published", rows=rows, out=out)
        record(
            importance_estimate(c, shots=10**10, target_rel_error=0.1, max_seconds=300, seed=1),
            d=3,
            p=1e-3,
            source="published",
            rows=rows,
            out=out,
        )
        for k, p in enumerate((2e-3, 3e-3, 5e-3)):
            c = circuit(3, p, "published")
            kw = {"d": 3, "p": p, "source": "published", "rows": rows, "out": out}
            record(brute_force(c, shots=10**12, target_rel_error=0.05, max_seconds=240, seed=100 + k), **kw)
            record(enumeration_estimate(c, max_weight=6), **kw)
            record(
                importance_estimate(c, shots=10**10, target_rel_error=0.1, max_seconds=120, seed=200 + k),
                **kw,
            )
    elif part == "d5":
        for p in (2e-3, 3e-3, 5e-3):
            c = circuit(5, p, "published")
            record(enumeration_estimate(c, max_weight=6), d=5, p=p, source="published", rows=rows, out=out)
    elif part == "tail":
        c = circuit(5, 1e-3, "published")
        t1 = time.process_time()
        t = tail_estimate(c, max_weight=7, paths=20_000_000, seed=2)
        out.append(
            {
                "d": 5,
                "p": 1e-3,
                "circuit": "published",
                "method": "tail_estimate",
                "paths": t.paths,
                "cpu_seconds": round(time.process_time() - t1, 1),
                "note": "sums of Π r by weight (≈ LER contributions; kept_sum = 1 + 3e-5 here)",
                "sum_logical": t.sum_logical.tolist(),
                "se_logical": t.se_logical.tolist(),
                "sum_benign": t.sum_benign.tolist(),
                "se_benign": t.se_benign.tolist(),
            }
        )
        print(json.dumps(out[-1]), flush=True)
    else:
        raise SystemExit(f"unknown part {part!r}; use headline, d3, d5 or tail")
    (HERE / f"results_{part}.json").write_text(
        json.dumps(
            {
                "part": part,
                "cpu_seconds_total": round(time.process_time() - t0, 1),
                "machine": platform.processor() or platform.machine(),
                "results": out,
            },
            indent=1,
        )
        + "\n"
    )
    if not rows:
        return
    append_lines(HERE / "stats.csv", [row.to_csv_line() for row in rows], header=sinter.CSV_HEADER)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "headline")
