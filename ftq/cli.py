"""The ``ftq`` command line: the application shell.

This is the one module of the kit allowed to import ``cultivation`` and ``jones``; it does so lazily,
inside commands, so ``ftq --help`` stays fast.

Examples::

    ftq circuit --d1 3 --protocol cultivation --p 0.001 --json
    ftq jones value "1,1,1" --method exact
"""

from __future__ import annotations

import json
import sys

import click

from ftq.errors import InputError


class _Group(click.Group):
    """A click group that turns bad user input into one sentence and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InputError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(package_name="ftq")
def main() -> None:
    """ftq — fault-tolerance resource simulator.

    \b
    Magic-state cultivation on RP² (circuits, sweeps, estimates) and the
    Jones polynomial at the fifth root of unity (exact, tensor networks, hardware).
    """


# --- cultivation commands (circuit, circuits, demo) -------------------------------------------------


_PROTOCOL_HELP = (
    "cultivation: stop after the last check (noiseless Y_L readout); end2end: expand into a surface code."
)


def _check_noise(noise: str, p: float) -> None:
    from ftq.noise import validate_noise

    validate_noise(model=noise, p=p)


@main.command("circuit")
@click.option("--d1", type=int, default=3, show_default=True, help="Cultivation distance: 3 or 5.")
@click.option(
    "--protocol",
    type=click.Choice(["cultivation", "end2end"]),
    default="cultivation",
    show_default=True,
    help=_PROTOCOL_HELP,
)
@click.option("--final-distance", type=int, default=None, help="Surface-code distance D >= 2*d1+1 (end2end).")
@click.option("--noise", default="uniform", show_default=True, help="Noise model: uniform, si1000 or none.")
@click.option(
    "--p", "p", type=float, default=1e-3, show_default=True, help="Physical error rate, in (0, 0.5)."
)
@click.option("--proxy", default="S", show_default=True, help="Clifford stand-in for T: I, S, Z or S_DAG.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write here instead of stdout.")
@click.option("--json", "as_json", is_flag=True, help="Print the circuit's statistics as JSON instead.")
@click.option("--fault-distance", is_flag=True, help="With --json: also search the circuit's fault distance.")
def circuit_cmd(d1, protocol, final_distance, noise, p, proxy, out, as_json, fault_distance) -> None:
    """Build an RP² cultivation circuit (stim format).

    \b
    Examples:
      ftq circuit --d1 3 --protocol cultivation --p 0.001 --out rp3.stim
      ftq circuit --d1 5 --protocol end2end --final-distance 11 --json --fault-distance
    """
    from cultivation.protocol import build, validate
    from ftq.files import write_text_atomic
    from ftq.stats import circuit_stats

    validate(protocol, d1=d1, final_distance=final_distance, proxy=proxy)
    if noise != "none":
        _check_noise(noise, p)
    c = build(
        protocol,
        d1=d1,
        final_distance=final_distance,
        noise=noise,
        p=p if noise != "none" else 0.0,
        proxy=proxy,
    )
    if as_json:
        stats = circuit_stats(c)
        if fault_distance:
            stats["fault_distance"] = _fault_distance(c)
        text = json.dumps(stats)
    else:
        text = str(c)
    if out:
        write_text_atomic(out, text + "\n")
    else:
        click.echo(text)


def _fault_distance(circuit) -> int:
    """Fewest faults giving an undetected logical error (every detector must stay silent)."""
    if circuit.detector_error_model().num_errors == 0:
        raise InputError("the fault distance needs a noisy circuit; choose a noise model other than 'none'")
    errors = circuit.search_for_undetectable_logical_errors(
        dont_explore_detection_event_sets_with_size_above=4,
        dont_explore_edges_with_degree_above=9999,
        dont_explore_edges_increasing_symptom_degree=False,
        canonicalize_circuit_errors=True,
    )
    return len(errors)


@main.group("circuits", cls=_Group)
def circuits_group() -> None:
    """The standard circuit set in circuits/ (generated, with a manifest of statistics)."""


@circuits_group.command("build")
@click.option("--out", type=click.Path(file_okay=False), default="circuits", show_default=True)
def circuits_build_cmd(out: str) -> None:
    """Regenerate every standard circuit and circuits/manifest.json.

    \b
    Example:
      ftq circuits build --out circuits
    """
    from cultivation.catalog import build_catalog, standard_entries

    n = len(standard_entries())
    with click.progressbar(length=n, label="building circuits", file=sys.stderr) as bar:
        records = build_catalog(out, progress=lambda _e: bar.update(1))
    click.echo(f"wrote {len(records)} circuits and manifest.json to {out}")


@main.command("demo")
@click.option("--shots", type=click.IntRange(min=1000), default=400_000, show_default=True)
@click.option("--seed", type=int, default=2025, show_default=True)
def demo_cmd(shots: int, seed: int) -> None:
    """Build the d=3 RP² cultivation circuit at p=1e-3, sample it, print kept fraction and logical error rate.

    \b
    Example:
      ftq demo --shots 100000
    """
    from cultivation.protocol import build
    from ftq.stats import circuit_stats
    from ftq.tags import postselection_mask

    c = build("cultivation", d1=3, noise="uniform", p=1e-3)
    stats = circuit_stats(c)
    click.echo(
        f"RP² cultivation d1=3, uniform p=1e-3 (S-proxy): {stats['qubits']} qubits, {stats['detectors']} detectors, "
        f"{stats['two_qubit_gates']} two-qubit gates"
    )
    mask = postselection_mask(c)
    sampler = c.compile_detector_sampler(seed=seed)
    kept = errors = 0
    chunk = 50_000
    with click.progressbar(length=shots, label="sampling", file=sys.stderr) as bar:
        done = 0
        while done < shots:
            n = min(chunk, shots - done)
            det, obs = sampler.sample(n, separate_observables=True)
            keep = ~det[:, mask].any(axis=1)
            kept += int(keep.sum())
            errors += int(obs[keep, 0].sum())
            done += n
            bar.update(n)
    import sinter

    fit = sinter.fit_binomial(num_shots=max(kept, 1), num_hits=errors, max_likelihood_factor=1000)
    lo, hi = fit.low, fit.high
    click.echo(f"kept {kept}/{shots} = {kept / shots:.2%} (published: 51.4%)")
    click.echo(
        f"logical errors {errors} in {kept} kept shots: LER {errors / max(kept, 1):.2e}, interval "
        f"[{lo:.1e}, {hi:.1e}] (likelihood ratio <= 1000) (published: 8.3e-7 from 2e9 shots)"
    )


# --- sampling, sweeps and plots (sample, sweep, plot) ------------------------------------------------

# --- rare-event estimation (estimate) ----------------------------------------------------------------

# --- jones commands ----------------------------------------------------------------------------------


@main.group(cls=_Group)
def jones() -> None:
    """Jones polynomial at t = e^{2πi/5}: exact values, tensor networks, Quantinuum hardware."""


def _jones_evaluate(braid, closure: str, method: str) -> dict:
    """Evaluate one closed braid by one method; the dict printed by `ftq jones value --json`."""
    import time

    t0 = time.perf_counter()
    extra: dict = {}
    if method == "exact":
        from jones.exact import jones_polynomial

        poly = jones_polynomial(braid, closure=closure)
        value = poly()
        extra["polynomial"] = str(poly)
    elif method == "fibonacci":
        from jones.fibonacci import markov_value, plat_value

        value = markov_value(braid) if closure == "markov" else plat_value(braid)
    else:
        from jones.tensornet import evaluate

        r = evaluate(braid, closure=closure)
        value = r.value
        extra.update(log10_flops=round(r.log10_flops, 3), width=r.width)
    out = {
        "re": value.real,
        "im": value.imag,
        "method": method,
        "closure": closure,
        "strands": braid.strands,
        "crossings": braid.crossings,
        "seconds": round(time.perf_counter() - t0, 6),
    }
    out.update(extra)
    return out


@jones.command("value")
@click.argument("braid_word", metavar="BRAID")
@click.option("--closure", type=click.Choice(["markov", "plat"]), default="markov", show_default=True)
@click.option(
    "--method", type=click.Choice(["exact", "fibonacci", "tensornet"]), default="exact", show_default=True
)
@click.option("--strands", type=int, default=None, help="Strand count (default: max |generator| + 1).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def jones_value_cmd(braid_word: str, closure: str, method: str, strands: int | None, as_json: bool) -> None:
    """V(t) at t = e^{2πi/5} of a closed braid (KnotInfo convention: σ_i = i, σ_i⁻¹ = -i).

    \b
    Examples:
      ftq jones value "1,1,1" --method exact          # trefoil: -0.809017+1.314328i
      ftq jones value "[2,2,-1,2]" --strands 4 --closure plat --json
      ftq jones value --method tensornet -- -1,2,-1,2  # a leading minus needs `--` or [...]
    """
    import json

    from jones.braids import Braid

    braid = Braid.parse(braid_word, strands=strands)
    out = _jones_evaluate(braid, closure, method)
    if as_json:
        click.echo(json.dumps(out))
        return
    line = f"V = {out['re']:+.9f} {out['im']:+.9f}i   ({method}, {closure}, {braid.strands} strands, "
    line += f"{braid.crossings} crossings, {out['seconds']:.3f} s)"
    click.echo(line)
    if "polynomial" in out:
        click.echo(f"V(t) = {out['polynomial']}")
    if "log10_flops" in out:
        click.echo(f"contraction cost: 10^{out['log10_flops']} flops, width {out['width']}")


@jones.command("knot")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def jones_knot_cmd(name: str, as_json: bool) -> None:
    """Look a knot up in KnotInfo and evaluate its braid every way, side by side.

    \b
    Example:
      ftq jones knot 4_1
    """
    import json

    from jones.knotinfo import knot

    record = knot(name)
    braid = record.braid
    listed = record.jones()
    rows = [_jones_evaluate(braid, "markov", m) for m in ("exact", "fibonacci", "tensornet")]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "name": record.name,
                    "braid": str(braid),
                    "knotinfo_polynomial": str(record.jones),
                    "knotinfo": {"re": listed.real, "im": listed.imag},
                    "methods": rows,
                }
            )
        )
        return
    click.echo(f"{record.name}: braid {braid} ({braid.strands} strands, {braid.crossings} crossings)")
    click.echo(f"KnotInfo V(t) = {record.jones}")
    click.echo(f"{'method':<10} {'Re V':>14} {'Im V':>14} {'|Δ| vs KnotInfo':>16} {'seconds':>9}")
    click.echo(f"{'knotinfo':<10} {listed.real:>14.9f} {listed.imag:>14.9f} {'':>16} {'':>9}")
    for r in rows:
        err = abs(complex(r["re"], r["im"]) - listed)
        click.echo(f"{r['method']:<10} {r['re']:>14.9f} {r['im']:>14.9f} {err:>16.2e} {r['seconds']:>9.4f}")


if __name__ == "__main__":
    main()
