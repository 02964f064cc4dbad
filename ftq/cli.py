"""The ``ftq`` command line: the application shell.

This is the one module of the kit allowed to import ``cultivation`` and ``jones``; it does so lazily,
inside commands, so ``ftq --help`` stays fast.

Examples::

    ftq circuit --d1 3 --protocol cultivation --p 0.001 --json
    ftq jones value "1,1,1" --method exact
"""

from __future__ import annotations

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
