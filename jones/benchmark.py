"""Invariance benchmark: families of braids whose closures are the same link (so the same exact value) but
whose circuits grow, run on a backend; error against two-qubit gate count, raw and mitigated.

Families (spec §3): ``conjugates`` (b ↦ g b g⁻¹ for random g of growing length), ``stabilisations``
(Markov moves adding strands), ``relations`` (insertions of σ_iσ_{i+1}σ_i(σ_{i+1}σ_iσ_{i+1})⁻¹ = 1) and
``rcr`` (a random layered braid R, a centre C of independent 3-strand trefoil blocks σ³, and R⁻¹:
closure(R·C·R⁻¹) = closure(C), whose value is a product of small exact values at any size — the anchor's
construction; its 15-strand, 114-crossing member is the demo braid).

Example::

    >>> b = demo_braid()
    >>> (b.strands, b.crossings)
    (15, 114)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ftq.errors import InputError
from jones.braids import Braid, random_braid
from jones.circuits import braid_runs

__all__ = [
    "FAMILIES",
    "layered_braid",
    "trefoil_centre",
    "rcr_braid",
    "demo_braid",
    "family",
    "two_qubit_count",
    "run_benchmark",
    "plot_benchmark",
    "hardware_table",
]

FAMILIES: tuple[str, ...] = ("conjugates", "stabilisations", "relations", "rcr")


def layered_braid(*, strands: int, crossings: int, seed: int) -> Braid:
    """A brickwork braid: layers of σ_1, σ_3, … then σ_2, σ_4, …, random signs, cut at ``crossings`` letters.

    Example::

        >>> layered_braid(strands=5, crossings=6, seed=0).crossings
        6
    """
    if strands < 2:
        raise InputError(f"a layered braid needs at least 2 strands, got {strands}.")
    rng = np.random.default_rng(seed)
    word: list[int] = []
    layer = 0
    while len(word) < crossings:
        for i in range(1 + layer % 2, strands, 2):
            if len(word) < crossings:
                word.append(int(i * rng.choice([-1, 1])))
        layer += 1
    return Braid(strands, tuple(word))


def trefoil_centre(*, strands: int, blocks: int) -> Braid:
    """C = σ_1³ σ_4³ σ_7³ …: ``blocks`` independent trefoil blocks on strands 3b+1…3b+3.

    Example::

        >>> trefoil_centre(strands=6, blocks=2).word
        (1, 1, 1, 4, 4, 4)
    """
    if 3 * blocks > strands:
        raise InputError(f"{blocks} blocks of 3 strands do not fit on {strands} strands.")
    return Braid(strands, tuple(g for b in range(blocks) for g in [3 * b + 1] * 3))


def rcr_braid(*, strands: int, r_crossings: int, blocks: int, seed: int) -> Braid:
    """R · C · R⁻¹ with R layered (``r_crossings`` letters) and C :func:`trefoil_centre`.

    Example::

        >>> b = rcr_braid(strands=6, r_crossings=10, blocks=2, seed=1)
        >>> b.crossings
        26
    """
    r = layered_braid(strands=strands, crossings=r_crossings, seed=seed)
    return trefoil_centre(strands=strands, blocks=blocks).conjugate(r)


def demo_braid(seed: int = 2025) -> Braid:
    """The demo braid: 15 strands, 114 crossings = R (51, layered) · 4 trefoil blocks (12) · R⁻¹ (51).

    Its exact |V| = φ^{14}·|τ(σ³)|⁴ ≈ 698, the size of the anchor's hardware demo (|J| = 698.1).

    Example::

        >>> from jones.circuits import exact_value
        >>> abs(abs(exact_value(demo_braid())) - 698.1) < 1
        True
    """
    return rcr_braid(strands=15, r_crossings=51, blocks=4, seed=seed)


def _relation_insert(braid: Braid, *, count: int, rng: np.random.Generator) -> Braid:
    word = list(braid.word)
    n = braid.strands
    for _ in range(count):
        i = int(rng.integers(1, n - 1))
        s = int(rng.choice([-1, 1]))
        pos = int(rng.integers(0, len(word) + 1))
        ins = [s * i, s * (i + 1), s * i, -s * (i + 1), -s * i, -s * (i + 1)]
        word[pos:pos] = ins
    return Braid(n, tuple(word))


def family(name: str, *, base: Braid, size: int = 4, seed: int = 0) -> list[tuple[str, Braid]]:
    """``size`` braids equivalent to ``base`` (same Markov-closure link), growing, labelled.

    Example::

        >>> [label for label, _ in family("stabilisations", base=Braid.parse("1,1,1"), size=2)]
        ['stab1', 'stab2']
    """
    rng = np.random.default_rng(seed)
    out: list[tuple[str, Braid]] = []
    if name == "conjugates":
        for k in range(1, size + 1):
            g = random_braid(strands=base.strands, crossings=3 * k, seed=seed * 1000 + k)
            out.append((f"conj{3 * k}", base.conjugate(g)))
    elif name == "stabilisations":
        b = base
        for k in range(1, size + 1):
            b = b.stabilize(sign=1 if k % 2 else -1)
            out.append((f"stab{k}", b))
    elif name == "relations":
        if base.strands < 3:
            raise InputError("the relations family needs a braid on at least 3 strands.")
        for k in range(1, size + 1):
            out.append((f"rel{k}", _relation_insert(base, count=2 * k, rng=rng)))
    elif name == "rcr":
        blocks = max(1, base.strands // 3)
        for k in range(1, size + 1):
            out.append(
                (
                    f"rcr{4 * k}",
                    rcr_braid(strands=base.strands, r_crossings=4 * k, blocks=blocks, seed=seed + k),
                )
            )
    else:
        raise InputError(f"benchmark family {name!r} is not one of {', '.join(FAMILIES)}.")
    return out


def two_qubit_count(braid: Braid) -> int:
    """ZZ gates of the Markov Hadamard test: 3 per run plus the 2(n−1) conditional CNOTs.

    Example::

        >>> two_qubit_count(Braid.parse("1,1,1"))
        5
    """
    return 3 * len(braid_runs(braid)) + 2 * (braid.strands - 1)


def run_benchmark(
    name: str,
    *,
    base: Braid,
    size: int = 4,
    backend: str = "noisy",
    shots: int = 1000,
    seed: int = 0,
    noise=None,
) -> list[dict]:
    """Run a family on a local backend: one row per braid with exact value, raw and mitigated errors.

    Errors are |V_est − V| / φ^{n−1} (additive error in units of the largest possible |V|).

    Example::

        >>> rows = run_benchmark("conjugates", base=Braid.parse("1,1,1"), size=1, backend="noiseless",
        ...                      shots=50)
        >>> sorted(rows[0])[:3]
        ['braid', 'crossings', 'exact_im']
    """
    from jones.mitigation import mitigated_estimate

    rows = []
    for k, (label, b) in enumerate(family(name, base=base, size=size, seed=seed)):
        rep = mitigated_estimate(b, backend=backend, shots=shots, seed=seed + 17 * k, noise=noise)
        norm = rep["scale"]
        row = {
            "family": name,
            "label": label,
            "braid": str(b),
            "strands": b.strands,
            "crossings": b.crossings,
            "two_qubit_gates": two_qubit_count(b),
            "exact_re": rep["exact_re"],
            "exact_im": rep["exact_im"],
            "kept_fraction": rep["kept_fraction"],
        }
        for method, m in rep["methods"].items():
            row[f"{method}_re"] = m["re"]
            row[f"{method}_im"] = m["im"]
            row[f"{method}_error"] = m["abs_error"] / norm
        rows.append(row)
    return rows


def plot_benchmark(rows: list[dict], path: str | Path) -> Path:
    """Plot normalised error against two-qubit gate count, raw and each mitigation, to a PNG.

    Example::

        >>> import tempfile, os
        >>> rows = [{"two_qubit_gates": 10, "raw_error": 0.1, "postselected_error": 0.05,
        ...          "rescaled_error": 0.02, "symmetrised_error": 0.01, "family": "x"}]
        >>> plot_benchmark(rows, os.path.join(tempfile.mkdtemp(), "b.png")).suffix
        '.png'
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    x = [r["two_qubit_gates"] for r in rows]
    for method, marker in (("raw", "o"), ("postselected", "s"), ("rescaled", "^"), ("symmetrised", "D")):
        y = [r[f"{method}_error"] for r in rows]
        ax.plot(x, y, marker=marker, linestyle="-", label=method)
    ax.set_xlabel("two-qubit gates per circuit")
    ax.set_ylabel("|V_est − V| / φ^(n−1)")
    ax.set_title(f"invariance benchmark: {rows[0]['family'] if rows else ''}")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def hardware_table(
    braids: list[tuple[str, Braid]], *, device: str = "H2-2", shots: int = 4000, optimisation_level: int = 2
) -> str:
    """A markdown table of compiled qubits, 2q/1q counts, depth and HQC (per part and for re+im).

    Example::

        >>> hardware_table([("3_1", Braid.parse("1,1,1"))], shots=100).startswith("| braid | strands")
        True
    """
    from jones.circuits import hadamard_test
    from jones.quantinuum import compile_report

    lines = [
        "| braid | strands | crossings | runs | qubits | ZZ braid | ZZ ≤ 3/run | 2q total | 1q | depth "
        f"| HQC per part ({shots} shots) | HQC re+im |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, b in braids:
        r = compile_report(
            hadamard_test(b, closure="markov", part="re"),
            device=device,
            optimisation_level=optimisation_level,
            shots=shots,
        )
        ok = "yes" if r["braid_two_qubit_gates"] <= 3 * r["runs"] else "no"
        lines.append(
            f"| {label} | {r['strands']} | {r['crossings']} | {r['runs']} | {r['qubits']} | "
            f"{r['braid_two_qubit_gates']} | {ok} | {r['two_qubit_gates']} | {r['one_qubit_gates']} | "
            f"{r['depth']} | {r['hqc']:.0f} | {2 * r['hqc']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def table_braids() -> list[tuple[str, Braid]]:
    """The braids of sweeps/jones/hardware_table.md: KnotInfo knots, layered and R·C·R⁻¹ braids, the demo.

    Example::

        >>> [label for label, _ in table_braids()][:2]
        ['3_1', '4_1']
    """
    from jones.knotinfo import knot

    out = [(name, knot(name).braid) for name in ("3_1", "4_1", "5_1", "5_2", "6_1", "7_1", "8_19", "8_20")]
    out += [
        ("layered 6×30", layered_braid(strands=6, crossings=30, seed=1)),
        ("layered 10×60", layered_braid(strands=10, crossings=60, seed=1)),
        ("R·C·R⁻¹ 9×60", rcr_braid(strands=9, r_crossings=27, blocks=2, seed=1)),
        ("R·C·R⁻¹ 12×90", rcr_braid(strands=12, r_crossings=42, blocks=2, seed=1)),
        ("demo 15×114", demo_braid()),
        ("layered 20×200", layered_braid(strands=20, crossings=200, seed=1)),
    ]
    return out


def write_hardware_table(path: str | Path = "sweeps/jones/hardware_table.md", *, shots: int = 4000) -> Path:
    """Compile :func:`table_braids` for H2-2 (offline, level 2) and write the markdown table.

    Example::

        >>> callable(write_hardware_table)
        True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    head = (
        "# Compiled Hadamard tests on Quantinuum H2-2 (offline, pytket optimisation level 2)\n\n"
        "Markov closure, one part (re or im) per circuit, on-device string sampling (Ry, measure, reset per\n"
        "label) and 2(n−1) conditional CNOTs included in the counts; HQC = 5 + C·(N1q + 10·N2q + 5·Nm)/5000\n"
        f"with C = {shots} shots and Nm = initial preparations + measurements + resets. 'ZZ braid' counts the\n"
        "ZZPhase gates of the braid runs alone (3 per run σ_i^k). Regenerate: `python -m jones.benchmark`.\n\n"
    )
    path.write_text(head + hardware_table(table_braids(), device="H2-2", shots=shots))
    return path


if __name__ == "__main__":
    print(write_hardware_table())
