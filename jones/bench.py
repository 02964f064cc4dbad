"""Benchmark: tensor-network contraction vs the dense Fibonacci representation as braids grow.

For random braids (uniform letters ±σ_i, fixed seeds) over a grid of strands × crossings, measures in one
process the wall time and peak traced memory (``tracemalloc``; numpy buffers are traced) of

* **dense**: the Markov trace through :func:`jones.fibonacci.markov_tau` (dimension F_{n+1}, time ∝ F_{n+1}²
  × runs), run only when its estimated time is under a budget (in practice up to ~20 strands);
* **tensornet**: :func:`jones.tensornet.evaluate` — cotengra path search (timed, memory not traced), cost
  report, then the contraction (timed and traced) unless the path exceeds a flops/width cap.

Both values are compared where both exist. Writes ``sweeps/jones/tensornet_scaling.md`` (the table) and
``sweeps/jones/tensornet_scaling.png`` (time and contraction cost). Run with ``python -m jones.bench``
(``--quick`` for a small grid).

Example::

    >>> rows = run(strands=(4,), crossings=(10,), quiet=True)
    >>> rows[0]["tn_contracted"] and rows[0]["dense_seconds"] is not None
    True
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import numpy as np

from jones.braids import Braid, random_braid
from jones.fibonacci import fibonacci_number, markov_from_tau, markov_tau
from jones.tensornet import evaluate, make_optimizer

__all__ = ["run", "to_markdown", "plot", "main"]

STRANDS = (4, 8, 12, 16, 20, 30, 40)
CROSSINGS = (10, 30, 100, 300, 1000, 2000)
DENSE_NS_PER_ELEMENT = 15.0  # measured order of magnitude for one gate on one matrix element
OUT_DIR = Path(__file__).resolve().parents[1] / "sweeps" / "jones"


def _dense_estimate(strands: int, runs: int) -> float:
    d = fibonacci_number(strands + 1)
    return d * d * max(runs, 1) * DENSE_NS_PER_ELEMENT * 1e-9


def run(
    *,
    strands: tuple[int, ...] = STRANDS,
    crossings: tuple[int, ...] = CROSSINGS,
    dense_budget_seconds: float = 20.0,
    dense_max_strands: int = 20,
    max_log10_flops: float = 9.5,
    max_width: float = 24.0,
    max_repeats: int = 8,
    seed: int = 2025,
    quiet: bool = False,
) -> list[dict]:
    """Measure every (strands, crossings) cell; returns one dict per cell.

    Example::

        >>> r = run(strands=(6,), crossings=(20,), quiet=True)[0]
        >>> r["abs_diff"] < 1e-9
        True
    """
    rows = []
    opt = make_optimizer(max_repeats=max_repeats, seed=seed)
    evaluate(
        random_braid(strands=3, crossings=5, seed=0), optimizer=opt
    )  # warm-up: imports, first-call costs
    markov_tau(random_braid(strands=3, crossings=5, seed=0))
    if not quiet:
        print(
            f"{'n':>3} {'L':>5} {'dim':>9} {'dense s':>8} {'dense MB':>8} {'lg flops':>8} {'width':>5} "
            f"{'TN s':>7} {'TN MB':>7} {'t ratio':>7} {'m ratio':>7} {'|Δ|':>8}",
            flush=True,
        )
    for n in strands:
        for L in crossings:
            braid = random_braid(strands=n, crossings=L, seed=seed + 1000 * n + L)
            runs = len(braid.runs())
            row: dict = dict(strands=n, crossings=L, runs=runs, dim=fibonacci_number(n + 1))
            # --- dense baseline
            dense_value = None
            row["dense_seconds"] = row["dense_peak_mb"] = None
            if n <= dense_max_strands and _dense_estimate(n, runs) <= dense_budget_seconds:
                tracemalloc.start()
                t0 = time.perf_counter()
                tau = markov_tau(braid)
                row["dense_seconds"] = time.perf_counter() - t0
                row["dense_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
                dense_value = markov_from_tau(tau, strands=n, writhe=braid.writhe)
            # --- tensor network: memory traced from the cost report (after path search) to the end
            started: list[bool] = []

            def on_cost(log10_flops: float, width: float, started: list = started) -> None:
                tracemalloc.start()
                started.append(True)

            t0 = time.perf_counter()
            r = evaluate(
                braid, optimizer=opt, max_log10_flops=max_log10_flops, max_width=max_width, on_cost=on_cost
            )
            tn_seconds = time.perf_counter() - t0
            tn_peak = tracemalloc.get_traced_memory()[1] / 2**20 if started else None
            tracemalloc.stop()
            contracted = r.contracted
            if not contracted:
                tn_peak = None
            row.update(
                tn_log10_flops=r.log10_flops,
                tn_width=r.width,
                tn_tensors=r.num_tensors,
                tn_path_seconds=r.seconds_path,
                tn_contract_seconds=r.seconds_contract if contracted else None,
                tn_seconds=tn_seconds if contracted else None,
                tn_peak_mb=tn_peak,
                tn_contracted=contracted,
            )
            if contracted and dense_value is not None:
                row["time_ratio"] = tn_seconds / row["dense_seconds"]
                row["mem_ratio"] = tn_peak / row["dense_peak_mb"] if row["dense_peak_mb"] else None
                row["abs_diff"] = abs(r.value - dense_value)
            else:
                row["time_ratio"] = row["mem_ratio"] = row["abs_diff"] = None
            rows.append(row)
            if not quiet:
                print(_text_line(row), flush=True)
    return rows


def _fmt(x, spec: str, none: str = "—") -> str:
    return none if x is None else format(x, spec)


def _text_line(r: dict) -> str:
    return (
        f"{r['strands']:>3} {r['crossings']:>5} {r['dim']:>9} {_fmt(r['dense_seconds'], '8.3f'):>8} "
        f"{_fmt(r['dense_peak_mb'], '8.2f'):>8} {r['tn_log10_flops']:>8.2f} {r['tn_width']:>5.0f} "
        f"{_fmt(r['tn_seconds'], '7.3f'):>7} {_fmt(r['tn_peak_mb'], '7.2f'):>7} "
        f"{_fmt(r['time_ratio'], '7.3f'):>7} {_fmt(r['mem_ratio'], '7.3f'):>7} {_fmt(r['abs_diff'], '8.1e'):>8}"
    )


def brickwall_braid(*, strands: int, layers: int, seed: int) -> Braid:
    """Brickwall braid: layers alternate σ_1 σ_3 σ_5 … and σ_2 σ_4 …, each letter with a random sign.

    Example::

        >>> brickwall_braid(strands=5, layers=2, seed=0).crossings
        4
    """
    rng = np.random.default_rng(seed)
    word: list[int] = []
    for layer in range(layers):
        for i in range(1 + layer % 2, strands, 2):
            word.append(int(i * rng.choice([-1, 1])))
    return Braid(strands, tuple(word))


def anchor_scale_rows(
    *, max_log10_flops: float = 9.5, max_width: float = 24.0, max_repeats: int = 4, seed: int = 2025
) -> list[dict]:
    """TN cost (and value when under the caps) of the anchor-scale braids: the 15-strand 114-crossing demo
    braid of :mod:`jones.benchmark` (if available), brickwall 20 × 40 and 30 × 60 layers.

    Example::

        >>> rows = anchor_scale_rows(max_log10_flops=0.0)
        >>> all(not r["contracted"] for r in rows)
        True
    """
    cases: list[tuple[str, Braid]] = []
    try:
        from jones.benchmark import demo_braid

        cases.append(("demo R·C·R⁻¹ 15×114 (jones.benchmark)", demo_braid()))
    except ImportError:  # pragma: no cover - the hardware package is optional here
        pass
    cases += [
        ("brickwall 15 × 16 layers", brickwall_braid(strands=15, layers=16, seed=seed)),
        ("brickwall 20 × 40 layers", brickwall_braid(strands=20, layers=40, seed=seed)),
        ("brickwall 30 × 60 layers", brickwall_braid(strands=30, layers=60, seed=seed)),
    ]
    opt = make_optimizer(max_repeats=max_repeats, seed=seed)
    evaluate(random_braid(strands=3, crossings=5, seed=0), optimizer=opt)  # warm-up
    rows = []
    for name, braid in cases:
        t0 = time.perf_counter()
        r = evaluate(braid, optimizer=opt, max_log10_flops=max_log10_flops, max_width=max_width)
        elapsed = time.perf_counter() - t0
        dense = None
        if braid.strands <= 16 and r.contracted:
            dense = markov_from_tau(markov_tau(braid), strands=braid.strands, writhe=braid.writhe)
        rows.append(
            dict(
                name=name,
                strands=braid.strands,
                crossings=braid.crossings,
                log10_flops=r.log10_flops,
                width=r.width,
                path_seconds=r.seconds_path,
                seconds=elapsed if r.contracted else None,
                contracted=r.contracted,
                value=r.value,
                abs_diff_dense=None if dense is None else abs(dense - r.value),
            )
        )
    return rows


PAPER_SECONDS = 0.08
"""The anchor's tensor network on its 15-strand, 114-crossing braid: 0.08 s (jones/reference/README.md)."""
PAPER_LOG10_FLOPS = 7.95


def paper_recipe_network(braid: Braid) -> tuple[list[tuple[str, ...]], list[np.ndarray]]:
    """The anchor's network recipe (spec §5): one rank-6 tensor per crossing, trace by reindexing, constraints.

    Each letter σ_i^{±1} is the full 8×8 ρ(σ_i)^{±1} on wires (x_{i−1}, x_i, x_{i+1}) as a rank-6 tensor with
    new indices on all three wires (no runs merged, no hyperindices); each wire's last index is renamed to
    its first (the Markov trace); x_0 = 0, x_1 = 1, no two adjacent 0s and the weight φ^{x_n} are small
    tensors. Its contraction is Σ_s φ^{x_n}⟨s|ρ(b)|s⟩ (transposed order; ρ(σ_i) is symmetric).

    Example::

        >>> inputs, arrays = paper_recipe_network(Braid.parse("1,1,1"))
        >>> sorted({a.ndim for a in arrays})
        [1, 2, 6]
    """
    from jones.fibonacci import PHI, local_generator

    n = braid.strands
    seg = [0] * (n + 1)
    inputs: list[tuple[str, ...]] = []
    arrays: list[np.ndarray] = []
    gates = {s: local_generator(s).reshape((2,) * 6) for s in (1, -1)}
    for g in braid.word:
        i = abs(g)
        wires = (i - 1, i, i + 1)
        ins = tuple(f"x{j}_{seg[j]}" for j in wires)
        for j in wires:
            seg[j] += 1
        outs = tuple(f"x{j}_{seg[j]}" for j in wires)
        inputs.append(outs + ins)
        arrays.append(gates[1 if g > 0 else -1])
    last = {f"x{j}_{seg[j]}": f"x{j}_0" for j in range(n + 1) if seg[j]}
    inputs = [tuple(last.get(ix, ix) for ix in inds) for inds in inputs]
    inputs += [("x0_0",), ("x1_0",)] + [(f"x{j}_0", f"x{j + 1}_0") for j in range(1, n)] + [(f"x{n}_0",)]
    no00 = np.array([[0.0, 1.0], [1.0, 1.0]])
    arrays += [np.array([1.0, 0.0]), np.array([0.0, 1.0])] + [no00] * (n - 1) + [np.array([1.0, PHI])]
    return inputs, arrays


def paper_speed(
    *,
    braid: Braid | None = None,
    reference: complex | None = None,
    repeats: int = 7,
    search_seconds: float = 10.0,
    seed: int = 2025,
) -> dict:
    """Ours vs the anchor's recipe on the anchor's braid (or ``braid``, whose exact V is ``reference``),
    measured in this process on this machine.

    The recipe network (:func:`paper_recipe_network`) gets a cotengra ``HyperOptimizer`` path (greedy and
    label-propagation trials, ``search_seconds`` budget; the anchor used kahypar, not installed here); its
    contraction is timed alone (median of ``repeats``). Ours is :func:`jones.tensornet.evaluate` end to end
    (network, cached path, contraction, normalisation): first call, then the median of ``repeats`` calls.
    Ratios: ours / recipe contraction, and ours / the published 0.08 s.

    Example::

        >>> from jones.exact import jones_value
        >>> small = Braid.parse("1,-2,1,-2,3,-2")
        >>> r = paper_speed(braid=small, reference=jones_value(small), repeats=1, search_seconds=0.1)
        >>> r["recipe_abs_diff"] < 1e-9 and r["ours_abs_diff"] < 1e-9
        True
    """
    import math
    import statistics

    import cotengra as ctg

    from jones.fibonacci import PHI, markov_from_tau
    from jones.reference import ANCHOR_VALUE, anchor_braid

    if braid is None:
        braid, reference = anchor_braid(), ANCHOR_VALUE
    inputs, arrays = paper_recipe_network(braid)
    size = {ix: 2 for inds in inputs for ix in inds}
    t0 = time.perf_counter()
    opt = ctg.HyperOptimizer(
        max_time=search_seconds, max_repeats=256, minimize="flops", parallel=False, progbar=False, seed=seed
    )
    tree = ctg.array_contract_tree(inputs, (), size, optimize=opt)
    recipe_search = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        scalar = complex(tree.contract(arrays))
        times.append(time.perf_counter() - t0)
    recipe_value = markov_from_tau(scalar / PHI**braid.strands, strands=braid.strands, writhe=braid.writhe)
    t0 = time.perf_counter()
    first = evaluate(braid)
    ours_first = time.perf_counter() - t0
    ours = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = evaluate(braid)
        ours.append(time.perf_counter() - t0)
    recipe_seconds, ours_seconds = statistics.median(times), statistics.median(ours)
    return dict(
        strands=braid.strands,
        crossings=braid.crossings,
        recipe_log10_flops=math.log10(float(tree.contraction_cost())),
        recipe_width=float(tree.contraction_width()),
        recipe_search_seconds=recipe_search,
        recipe_seconds=recipe_seconds,
        recipe_abs_diff=abs(recipe_value - reference),
        ours_log10_flops=first.log10_flops,
        ours_width=first.width,
        ours_first_seconds=ours_first,
        ours_seconds=ours_seconds,
        ours_abs_diff=abs(r.value - reference),
        ratio_to_recipe=ours_seconds / recipe_seconds,
        ratio_to_paper=ours_seconds / PAPER_SECONDS,
        repeats=repeats,
    )


def paper_markdown(r: dict) -> str:
    """Markdown for :func:`paper_speed`.

    Example::

        >>> r = paper_speed(braid=Braid.parse("1,1,1"), reference=-0.809017 + 1.314328j, search_seconds=0.1)
        >>> "ours / published" in paper_markdown(r)
        True
    """
    return (
        f"### The anchor's braid ({r['strands']} strands, {r['crossings']} crossings): our tensor network vs "
        "the anchor's recipe\n\n"
        "| network | log10 flops | width | path search s | contraction / call s | abs diff vs published V |\n"
        "|---|---:|---:|---:|---:|---:|\n"
        f"| anchor's recipe, rebuilt here (rank-6 per crossing) | {r['recipe_log10_flops']:.2f} | "
        f"{r['recipe_width']:.0f} | {r['recipe_search_seconds']:.2f} | {r['recipe_seconds']:.4f} | "
        f"{r['recipe_abs_diff']:.1e} |\n"
        f"| anchor's published figure | {PAPER_LOG10_FLOPS} | 18 | — | {PAPER_SECONDS} | — |\n"
        f"| ours (jones.tensornet.evaluate, end to end) | {r['ours_log10_flops']:.2f} | {r['ours_width']:.0f} | "
        f"first call {r['ours_first_seconds']:.3f} | {r['ours_seconds']:.4f} | {r['ours_abs_diff']:.1e} |\n\n"
        f"Ratios (median of {r['repeats']}, same process): ours / recipe contraction = "
        f"{r['ratio_to_recipe']:.3f}, ours / published {PAPER_SECONDS} s = {r['ratio_to_paper']:.3f}.\n"
    )


def anchor_markdown(rows: list[dict]) -> str:
    """Markdown table of :func:`anchor_scale_rows`.

    Example::

        >>> "brickwall" in anchor_markdown(anchor_scale_rows(max_log10_flops=0.0))
        True
    """
    lines = [
        "### Anchor-scale braids (tensor network)",
        "",
        "| braid | strands | crossings | log10 flops | width | path s | total s | V(e^{2πi/5}) | abs diff vs dense |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        v = r["value"]
        vs = "not contracted (over cap)" if v is None else f"{v.real:.6g}{v.imag:+.6g}i"
        lines.append(
            f"| {r['name']} | {r['strands']} | {r['crossings']} | {r['log10_flops']:.2f} | {r['width']:.0f} "
            f"| {r['path_seconds']:.2f} | {_fmt(r['seconds'], '.3f')} | {vs} | {_fmt(r['abs_diff_dense'], '.1e')} |"
        )
    return "\n".join(lines) + "\n"


def to_markdown(rows: list[dict], *, title: str = "Tensor network vs dense Fibonacci") -> str:
    """The table as GitHub markdown ('—' = not run: dense over budget, or contraction over the cap).

    Example::

        >>> md = to_markdown(run(strands=(4,), crossings=(10,), quiet=True))
        >>> md.count("|") > 10
        True
    """
    head = (
        "| strands | crossings | dim F(n+1) | dense s | dense MB | TN log10 flops | TN width | TN path s "
        "| TN contract s | TN total s | TN MB | time TN/dense | mem TN/dense | abs diff |"
    )
    sep = "|" + "---:|" * 14
    lines = [f"### {title}", "", head, sep]
    for r in rows:
        cells = [
            str(r["strands"]),
            str(r["crossings"]),
            str(r["dim"]),
            _fmt(r["dense_seconds"], ".3f"),
            _fmt(r["dense_peak_mb"], ".2f"),
            f"{r['tn_log10_flops']:.2f}",
            f"{r['tn_width']:.0f}",
            f"{r['tn_path_seconds']:.2f}",
            _fmt(r["tn_contract_seconds"], ".3f"),
            _fmt(r["tn_seconds"], ".3f"),
            _fmt(r["tn_peak_mb"], ".2f"),
            _fmt(r["time_ratio"], ".3g"),
            _fmt(r["mem_ratio"], ".3g"),
            _fmt(r["abs_diff"], ".1e"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], path: Path) -> None:
    """Two panels: wall time vs crossings (TN solid, dense dashed) and TN contraction cost vs crossings.

    Example::

        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "x.png"
        >>> plot(run(strands=(4,), crossings=(10, 20), quiet=True), p); p.exists()
        True
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    strands = sorted({r["strands"] for r in rows})
    cmap = plt.get_cmap("viridis")
    for k, n in enumerate(strands):
        color = cmap(k / max(1, len(strands) - 1))
        rs = [r for r in rows if r["strands"] == n]
        tn = [(r["crossings"], r["tn_seconds"]) for r in rs if r["tn_seconds"] is not None]
        de = [(r["crossings"], r["dense_seconds"]) for r in rs if r["dense_seconds"] is not None]
        if tn:
            ax1.plot(*zip(*tn, strict=True), "o-", color=color, label=f"TN n={n}")
        if de:
            ax1.plot(*zip(*de, strict=True), "s--", color=color, label=f"dense n={n}")
        ax2.plot(
            [r["crossings"] for r in rs], [r["tn_log10_flops"] for r in rs], "o-", color=color, label=f"n={n}"
        )
        skipped = [(r["crossings"], r["tn_log10_flops"]) for r in rs if not r["tn_contracted"]]
        if skipped:
            ax2.plot(*zip(*skipped, strict=True), "x", color="red", ms=9)
    ax1.set(
        xscale="log", yscale="log", xlabel="crossings", ylabel="wall time (s)", title="time to V(e^{2πi/5})"
    )
    ax1.legend(fontsize=7, ncol=2)
    ax2.set(
        xscale="log", xlabel="crossings", ylabel="log10 flops (cotengra path)", title="TN contraction cost"
    )
    ax2.legend(fontsize=7, title="strands (x = not contracted)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m jones.bench``: run the grid, print the table, write markdown and plot.

    Example::

        >>> import contextlib, io, tempfile
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     main(["--quick", "--out", tempfile.mkdtemp()])
    """
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="small grid, no anchor comparison (seconds); files only with --out",
    )
    ap.add_argument("--out", type=Path, default=None, help=f"output directory (default {OUT_DIR})")
    args = ap.parse_args(argv)
    params = dict(dense_budget_seconds=20.0, max_log10_flops=9.5, max_width=24.0, max_repeats=4, seed=2025)
    paper = None if args.quick else paper_speed(repeats=7, search_seconds=10.0)
    if paper is not None:
        print(paper_markdown(paper), flush=True)
    t0 = time.perf_counter()
    if args.quick:
        rows = run(strands=(4, 8), crossings=(10, 30), **params)
    else:
        rows = run(**params)
    anchor = (
        [] if args.quick else anchor_scale_rows(**{k: params[k] for k in ("max_log10_flops", "max_width")})
    )
    total = time.perf_counter() - t0
    md = ("" if paper is None else paper_markdown(paper) + "\n") + to_markdown(rows)
    md += (
        f"\nRandom braids (uniform ±σ_i, seed {params['seed']}), one process; total benchmark time {total:.0f} s. "
        f"Dense = chunked Markov trace in the Fibonacci path basis (dimension F(n+1)), run when its estimated "
        f"time ≤ {params['dense_budget_seconds']:.0f} s. TN = quimb network (one rank-≤4 tensor per run of "
        f"equal generators) + cotengra greedy hyper-search ({params['max_repeats']} trials), contracted when "
        f"log10 flops ≤ {params['max_log10_flops']} and width ≤ {params['max_width']:.0f}; TN total s = path "
        f"search + contraction. Memory = peak tracemalloc (TN: contraction only). log10 flops = cotengra "
        f"contraction cost, width = log2 of the largest intermediate. Ratios = TN / dense in the same process.\n"
    )
    if anchor:
        md += "\n" + anchor_markdown(anchor)
        md += (
            "\nSpec §5 measured the anchor's own braids with one rank-6 tensor per crossing: the 15×114 demo at "
            "10^7.95 flops (width 18), brickwall 20 × 40 at 10^14.7 (width 42), 30 × 60 at 10^21 (width 52); "
            "our brickwalls use random signs and our own seeds, so only the orders of magnitude compare.\n"
        )
        print(anchor_markdown(anchor))
    out = args.out if args.out is not None else (None if args.quick else OUT_DIR)
    if out is None:
        print(f"total {total:.0f} s (quick run: no files written)")
        return
    out.mkdir(parents=True, exist_ok=True)
    (out / "tensornet_scaling.md").write_text(md)
    plot(rows, out / "tensornet_scaling.png")
    print(f"wrote {out / 'tensornet_scaling.md'} and {out / 'tensornet_scaling.png'} ({total:.0f} s)")


if __name__ == "__main__":
    main()
