"""Tensor-network path cost of the anchor's benchmark family (layered brickwall braids) against crossings.

The classical side of the advantage claim (issue 16, item 5): for brickwall braids (layers alternate σ_1 σ_3 …
and σ_2 σ_4 …, random signs, :func:`jones.bench.brickwall_braid`) on 10–29 strands, the contraction cost
(log10 flops, width = log2 of the largest intermediate) of the project's network (:mod:`jones.tensornet`) is
found as the cheaper of cotengra's greedy path and the time-ordered path (optionally also a time-boxed
hyper-optimiser) up to ≥ 3,000 crossings, without
contracting. The anchor's family is 5–50 layers; layers are extended here so the widest braids pass 3,000
crossings. Networks cheap enough (≤ 10^8.5 flops) are also contracted to measure this machine's flop rate.

Fits: per strand count, log10 flops = a + b·log10(crossings) over braids with ≥ 50 layers (width saturated);
and over all braids with ≥ 50 layers, log10 flops = a + b·strands + c·log10(crossings). Both are set against the anchor's
claim of a quantum advantage above ~2,800 crossings.

Run from the repository root (about 10 minutes on two shared cores)::

    .venv/bin/python sweeps/jones/brickwall_cost.py

It writes ``brickwall_cost.csv``, ``brickwall_cost.md`` and ``brickwall_cost.png`` next to itself.
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from pathlib import Path

import numpy as np

from jones.bench import brickwall_braid
from jones.tensornet import _network, time_ordered_tree

STRANDS = (10, 15, 20, 25, 29)
LAYERS = (5, 10, 20, 50, 100, 220)
ADVANTAGE_CROSSINGS = 2800
FIT_MIN_LAYERS = 50  # deeper than wide: the width has saturated (constant per strand count in the data)
CONTRACT_MAX_LOG10_FLOPS = 8.5
CONTRACT_MAX_WIDTH = 22  # 2^22 complex128 = 64 MB per intermediate
OUT = Path(__file__).resolve().parent


def path_cost(braid, *, hyper_seconds: float, seed: int) -> tuple[float, float, str, object, list]:
    """(log10 flops, width, which path, tree, arrays): cheapest of greedy, the time-ordered path and (if
    ``hyper_seconds`` > 0) a cotengra hyper-search."""
    import cotengra as ctg

    inputs, arrays, _ = _network(braid, "markov")
    symbols: dict[str, str] = {}
    for inds in inputs:
        for ix in inds:
            symbols.setdefault(ix, ctg.get_symbol(len(symbols)))
    inputs = ["".join(symbols[ix] for ix in inds) for inds in inputs]
    size = {sym: 2 for sym in symbols.values()}
    trees = {"greedy": ctg.array_contract_tree(inputs, "", size, optimize="greedy")}
    trees["time-ordered"] = time_ordered_tree(inputs, size)
    if hyper_seconds > 0:
        opt = ctg.HyperOptimizer(
            methods=["greedy"], max_repeats=128, max_time=hyper_seconds, minimize="flops", parallel=False,
            progbar=False, seed=seed,
        )  # fmt: skip
        trees["hyper"] = ctg.array_contract_tree(inputs, "", size, optimize=opt)
    which = min(trees, key=lambda k: float(trees[k].contraction_cost()))
    tree = trees[which]
    return (
        math.log10(max(float(tree.contraction_cost()), 1.0)),
        float(tree.contraction_width()),
        which,
        tree,
        arrays,
    )


def sweep(
    *, strands=STRANDS, layers=LAYERS, hyper_seconds: float = 0.0, seed: int = 2025, quiet: bool = False
) -> list[dict]:
    """One row per (strands, layers): crossings, log10 flops, width, path seconds, contraction seconds."""
    rows = []
    for n in strands:
        for L in layers:
            braid = brickwall_braid(strands=n, layers=L, seed=seed + 1000 * n + L)
            t0 = time.perf_counter()
            lf, w, which, tree, arrays = path_cost(braid, hyper_seconds=hyper_seconds, seed=seed)
            row = dict(strands=n, layers=L, crossings=braid.crossings, log10_flops=lf, width=w, path=which,
                       path_seconds=time.perf_counter() - t0, contract_seconds=None)  # fmt: skip
            if lf <= CONTRACT_MAX_LOG10_FLOPS and w <= CONTRACT_MAX_WIDTH:
                t0 = time.perf_counter()
                tree.contract(arrays)
                row["contract_seconds"] = time.perf_counter() - t0
            rows.append(row)
            if not quiet:
                print(
                    f"n={n:>2} layers={L:>3} crossings={braid.crossings:>5} log10 flops={lf:6.2f} width={w:4.0f} "
                    f"{which} path {row['path_seconds']:.1f} s"
                    + (
                        ""
                        if row["contract_seconds"] is None
                        else f", contracted {row['contract_seconds']:.3f} s"
                    ),
                    flush=True,
                )
    return rows


def fit(rows: list[dict]) -> dict:
    """Least-squares fits (see the module docstring) and their predictions at 2,800 crossings."""
    big = [r for r in rows if r["layers"] >= FIT_MIN_LAYERS]
    per_strand = {}
    for n in sorted({r["strands"] for r in big}):
        rs = [r for r in big if r["strands"] == n]
        x = np.log10([r["crossings"] for r in rs])
        y = np.array([r["log10_flops"] for r in rs])
        b, a = np.polyfit(x, y, 1)
        resid = float(np.max(np.abs(y - (a + b * x))))
        per_strand[n] = dict(
            a=float(a), b=float(b), max_resid=resid, at_advantage=float(a + b * math.log10(2800))
        )
    X = np.array([[1.0, r["strands"], math.log10(r["crossings"])] for r in big])
    y = np.array([r["log10_flops"] for r in big])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = float(np.max(np.abs(y - X @ coef)))
    timed = [r for r in rows if r["contract_seconds"]]
    rates = sorted(10 ** r["log10_flops"] / r["contract_seconds"] for r in timed if r["log10_flops"] >= 6)
    return dict(
        per_strand=per_strand,
        joint=dict(
            a=float(coef[0]), b_strands=float(coef[1]), c_log10_crossings=float(coef[2]), max_resid=resid
        ),
        flop_rate=float(np.median(rates)) if rates else None,
        rate_points=len(rates),
    )


def to_markdown(rows: list[dict], f: dict, *, hyper_seconds: float) -> str:
    j = f["joint"]
    lines = [
        "# Brickwall braids: tensor-network path cost against crossings",
        "",
        f"Generated by `.venv/bin/python sweeps/jones/brickwall_cost.py --hyper-seconds {hyper_seconds:g}` ("
        + (
            "cotengra greedy path"
            if hyper_seconds <= 0
            else f"best of greedy and a {hyper_seconds:g} s hyper-search"
        )
        + " per braid, seed 2025; path cost only (an upper bound on the best path's cost), networks ≤ 10^"
        f"{CONTRACT_MAX_LOG10_FLOPS} flops and width ≤ {CONTRACT_MAX_WIDTH} also contracted).",
        "",
        "| strands | layers | crossings | log10 flops | width | path | path s | contraction s |",
        "|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        c = "—" if r["contract_seconds"] is None else f"{r['contract_seconds']:.3f}"
        lines.append(
            f"| {r['strands']} | {r['layers']} | {r['crossings']} | {r['log10_flops']:.2f} | {r['width']:.0f} "
            f"| {r['path']} | {r['path_seconds']:.1f} | {c} |"
        )
    lines += [
        "",
        f"## Fits (braids with ≥ {FIT_MIN_LAYERS} layers)",
        "",
        "| strands | log10 flops = a + b·log10(crossings): a | b | max residual | predicted log10 flops at 2,800 |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n, p in f["per_strand"].items():
        lines.append(
            f"| {n} | {p['a']:.2f} | {p['b']:.2f} | {p['max_resid']:.2f} | {p['at_advantage']:.2f} |"
        )
    at29 = j["a"] + j["b_strands"] * 29 + j["c_log10_crossings"] * math.log10(ADVANTAGE_CROSSINGS)
    lines += [
        "",
        f"Joint fit: log10 flops = {j['a']:.2f} + {j['b_strands']:.3f}·strands + "
        f"{j['c_log10_crossings']:.2f}·log10(crossings) (max residual {j['max_resid']:.2f}); at 29 strands and "
        f"{ADVANTAGE_CROSSINGS:,} crossings: 10^{at29:.2f} flops.",
    ]
    if f["flop_rate"]:
        secs = 10**at29 / f["flop_rate"]
        lines += [
            "",
            f"Flop rate measured on the contracted networks with ≥ 10^6 flops (median of {f['rate_points']}): "
            f"{f['flop_rate']:.3g} flop/s on this machine. At that rate the fitted 29-strand, 2,800-crossing "
            f"contraction would take ~{secs:.3g} s — an extrapolation: the rate was measured on small networks "
            "(large contractions run faster per flop in BLAS, and their memory, 16 B × 2^width, may not fit).",
        ]
    lines += [
        "",
        "Widths at ≥ 50 layers, by strand count: "
        + ", ".join(
            f"{n}: "
            + "/".join(
                f"{w:.0f}"
                for w in sorted(
                    {round(r["width"]) for r in rows if r["strands"] == n and r["layers"] >= FIT_MIN_LAYERS}
                )
            )
            for n in sorted({r["strands"] for r in rows})
        )
        + " (= 2 × strands: the time-ordered, transfer-matrix contraction). Once a braid is deeper than it is wide the "
        "flops grow about linearly in crossings (slope b in the per-strand fits) and exponentially in strands.",
        "",
        "Against the anchor's claim of a quantum advantage above ~2,800 crossings (two-qubit fidelity > 99.99%): "
        f"on its widest family member (29 strands) our best path found costs 10^{at29:.1f} flops at 2,800 "
        f"crossings with a largest intermediate of 2^{max(r['width'] for r in rows):.0f} amplitudes; the anchor measured 10^21 (width 52) for "
        "30 strands × 60 layers with kahypar. These paths are upper bounds (no kahypar, no slicing here), so the "
        "classical side of the claim is not refuted by this sweep; at 10–15 strands the same 2,800 crossings are "
        f"cheap (10^{f['per_strand'][10]['at_advantage']:.1f}–10^{f['per_strand'][15]['at_advantage']:.1f} flops)."
        if 10 in f["per_strand"] and 15 in f["per_strand"]
        else "",
        "",
        "![path cost against crossings](brickwall_cost.png)",
    ]
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], f: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    cmap = plt.get_cmap("viridis")
    strands = sorted({r["strands"] for r in rows})
    for k, n in enumerate(strands):
        color = cmap(k / max(1, len(strands) - 1))
        rs = [r for r in rows if r["strands"] == n]
        x = [r["crossings"] for r in rs]
        ax1.plot(x, [r["log10_flops"] for r in rs], "o", color=color, label=f"{n} strands")
        if n in f["per_strand"]:
            p = f["per_strand"][n]
            xs = np.geomspace(min(x), 4000, 50)
            ax1.plot(xs, p["a"] + p["b"] * np.log10(xs), "-", color=color, lw=1)
        ax2.plot(x, [r["width"] for r in rs], "o-", color=color, label=f"{n} strands")
    for ax in (ax1, ax2):
        ax.axvline(ADVANTAGE_CROSSINGS, color="red", ls="--", lw=1, label="anchor's advantage claim (~2,800)")
        ax.set_xscale("log")
        ax.set_xlabel("crossings")
        ax.legend(fontsize=7)
    ax1.set(ylabel="log10 flops (cotengra path)", title="brickwall braids: contraction cost (lines: fits)")
    ax2.set(ylabel="width (log2 largest intermediate)", title="contraction width")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _row(r: dict) -> dict:
    out = dict(r)
    for k in ("strands", "layers", "crossings"):
        out[k] = int(r[k])
    for k in ("log10_flops", "width", "path_seconds"):
        out[k] = float(r[k])
    out["contract_seconds"] = float(r["contract_seconds"]) if r["contract_seconds"] else None
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--hyper-seconds", type=float, default=0.0, help="hyper-search budget per braid (0: greedy)"
    )
    ap.add_argument("--out", type=Path, default=OUT, help="output directory")
    ap.add_argument("--from-csv", type=Path, default=None, help="refit and replot a previous run's CSV")
    args = ap.parse_args(argv)
    if args.from_csv is not None:
        with args.from_csv.open() as fh:
            rows = [_row(r) for r in csv.DictReader(fh)]
    else:
        rows = sweep(hyper_seconds=args.hyper_seconds)
    f = fit(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "brickwall_cost.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (args.out / "brickwall_cost.md").write_text(to_markdown(rows, f, hyper_seconds=args.hyper_seconds))
    plot(rows, f, args.out / "brickwall_cost.png")
    print(f"wrote {args.out / 'brickwall_cost.md'}")


if __name__ == "__main__":
    main()
