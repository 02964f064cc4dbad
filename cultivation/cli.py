"""The cultivation commands of ``ftq``: ``circuit``, ``circuits build``, ``demo`` and ``plot``.

Registered in ``pyproject.toml`` under ``[project.entry-points."ftq.commands"]``; ``ftq`` mounts each under
its entry-point name. Library imports happen inside the commands, so ``ftq --help`` stays fast.

Example::

    ftq circuit --d1 3 --protocol cultivation --p 0.001 --json
"""

from __future__ import annotations

import json
import pathlib
import sys

import click

from ftq.errors import InputError
from ftq.params import INT64_MAX, SEED, FiniteFloatRange

_PROTOCOL_HELP = (
    "cultivation: stop after the last check (noiseless Y_L readout); end2end: expand into a surface code."
)


@click.command("circuit")
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
@click.pass_context
def circuit_cmd(ctx, d1, protocol, final_distance, noise, p, proxy, out, as_json, fault_distance) -> None:
    """Build an RP² cultivation circuit (stim format).

    \b
    Examples:
      ftq circuit --d1 3 --protocol cultivation --p 0.001 --out rp3.stim
      ftq circuit --d1 5 --protocol end2end --final-distance 11 --json --fault-distance
    """
    from cultivation.protocol import build, validate
    from ftq.files import check_writable, write_text_atomic
    from ftq.noise import validate_noise
    from ftq.stats import circuit_stats
    from ftq.stats import fault_distance as search_fault_distance

    validate(protocol, d1=d1, final_distance=final_distance, proxy=proxy)
    p_given = ctx.get_parameter_source("p") is not click.core.ParameterSource.DEFAULT
    if noise == "none" and p_given:
        raise InputError(
            f"noise model 'none' takes no strength, but p={p} was given; drop it or choose uniform"
        )
    if noise != "none":
        validate_noise(model=noise, p=p)
    elif fault_distance:
        raise InputError("the fault distance needs a noisy circuit; choose a noise model other than 'none'")
    if fault_distance and not as_json:
        raise InputError("the fault distance is reported in the JSON statistics; add --json to search it")
    if out:
        check_writable(out)
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
            stats["fault_distance"] = search_fault_distance(c)
        text = json.dumps(stats)
    else:
        text = str(c)
    if out:
        write_text_atomic(out, text + "\n")
    else:
        click.echo(text)


@click.group("circuits")
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
    from ftq.files import check_writable

    check_writable(out, folder=True)
    n = len(standard_entries())
    with click.progressbar(length=n, label="building circuits", file=sys.stderr) as bar:
        records = build_catalog(out, progress=lambda _e: bar.update(1))
    click.echo(f"wrote {len(records)} circuits and manifest.json to {out}")


@click.command("demo")
@click.option(
    "--shots",
    type=click.IntRange(1000, INT64_MAX),
    default=200_000,
    show_default=True,
    help="Shots for the kept fraction.",
)
@click.option("--seed", type=SEED, default=2025, show_default=True)
@click.option(
    "--max-weight", type=click.IntRange(1, 7), default=6, show_default=True, help="Enumeration depth."
)
@click.option(
    "--out", type=click.Path(dir_okay=False), default="demo.png", show_default=True, help="Plot file."
)
def demo_cmd(shots: int, seed: int, max_weight: int, out: str) -> None:
    """The d1=3 RP² cultivation circuit at p=1e-3: statistics, kept fraction, exact LER, a plot.

    \b
    Example:
      ftq demo --shots 100000 --out demo.png
    """
    from cultivation.demo import run_demo
    from ftq.files import check_writable

    check_writable(out)
    bar = click.progressbar(length=shots, label="      shots", file=sys.stderr)

    def step(message: str) -> None:
        if bar.pos:
            bar.render_finish()
        click.echo(message, err=True)

    result = run_demo(
        shots=shots, seed=seed, max_weight=max_weight, out=out, on_step=step, on_shots=bar.update
    )
    for line in result.lines():
        click.echo(line)


def _layout_resolver(spec, predicate=None):
    """json_metadata -> StageLayout for the tasks of a sweep spec (None when the circuit cannot be built).

    ``predicate`` (sinter's postselection predicate) replaces the spec's own, if given.
    """
    import dataclasses

    from cultivation.volume import stage_layout
    from ftq.sweeps import build_circuits

    if predicate is not None:
        from ftq.tags import compile_predicate

        compile_predicate(predicate)
        spec = dataclasses.replace(spec, postselected_detectors_predicate=predicate)

    try:
        circuits = build_circuits(spec)
    except InputError:
        return None
    table = {}
    for meta, circuit in circuits:
        try:
            layout = stage_layout(circuit, tau=dict(spec.stage_tau) or None)
        except ValueError as e:
            raise InputError(f"sweep {spec.name!r}: {e}.") from None
        table[_circuit_key(meta)] = layout
    return lambda meta: table.get(_circuit_key(meta))


def _circuit_key(meta: dict) -> str:
    """A task's metadata without the decoder's version (rows of an older decoder ran the same circuit) and
    without the postselection predicate (``plot --postselected-detectors-predicate`` may replace it)."""
    drop = ("decoder_version", "postselected_detectors_predicate")
    return json.dumps({k: v for k, v in meta.items() if k not in drop}, sort_keys=True)


@click.command("plot")
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Output .png or .svg.")
@click.option(
    "--msc",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="MSC reference folder (default: the bundled one).",
)
@click.option(
    "--max-attempts",
    type=FiniteFloatRange(min=1.0),
    default=None,
    help="Also name the best Pareto point within this many attempts per kept shot.",
)
@click.option(
    "--postselected-detectors-predicate",
    "predicate",
    default=None,
    metavar="EXPR",
    help="Postselect the detectors where this Python expression in index, coords (and metadata) is true, as "
    "sinter collect --postselected_detectors_predicate, when laying out the sweep's circuits (overrides the "
    "spec's key and the detector tags).",
)
@click.option(
    "--decoder-version",
    type=click.IntRange(min=0),
    default=None,
    help="Only rows of this decoder version (rows that name no version are kept); default: every version.",
)
def plot_cmd(sources, out, msc, max_attempts, predicate, decoder_version) -> None:
    """Plot LER vs attempts per kept shot and vs volume (RP² formula), beside the MSC baseline (S-proxy).

    Each SOURCE is a sweep spec (.toml) or a sinter stats CSV; several are drawn in one figure (then --out is
    needed). Also prints, per task, kept shots and LER before the gap cut, stage survival, and the Pareto
    points with both volume formulas named. A sweep of a published circuit also draws the authors' own front
    on it, from their gap histogram. When the source's folder holds a splitting.jsonl (ftq sweep run
    --estimator splitting), each task's estimated front is drawn too, as points with 95% error bars.

    \b
    Example:
        ftq plot sweeps/rp2-d3-e2e/rp2-d3-e2e.toml --out sweeps/rp2-d3-e2e/pareto.png
        ftq plot sweeps/rp2-d3-e2e/rp2-d3-e2e.toml --max-attempts 2.5
        ftq plot sweeps/rp2-ref-d5-e2e/*.toml sweeps/rp2-d5-e2e/*.toml --decoder-version 8 --out d5.png
    """
    from cultivation.msc import load_msc_baseline
    from cultivation.reference import MSC
    from ftq.files import check_writable
    from ftq.plotting import plot_pareto

    if len(sources) > 1 and not out:
        raise InputError(f"{len(sources)} sources are drawn in one figure: name it with --out FILE.")
    if out:
        check_writable(out)
    series, extra, csv_path = [], [], None
    for source in sources:
        csv_path, s, published = _plot_source(source, predicate, max_attempts, decoder_version)
        series += s
        if published and all(e.label != published.label for e in extra):  # one front per published circuit
            extra.append(published)
    baseline = load_msc_baseline(pathlib.Path(msc) if msc else MSC)
    target = pathlib.Path(out) if out else csv_path.parent / "pareto.png"
    plot_pareto(series, msc=baseline + extra, out=target)
    click.echo(f"wrote {target}")


def _plot_source(
    source: str, predicate: str | None, max_attempts: float | None, decoder_version: int | None
) -> tuple:
    """One source of ``ftq plot``: its stats CSV, its series, the published front on its circuit (or None);
    prints its summary lines."""
    from ftq.plotting import series_from_splitting, series_from_stats, summary_lines
    from ftq.splitting_sweep import SplittingTask, read_splitting
    from ftq.splitting_sweep import summary_lines as splitting_summary_lines
    from ftq.sweeps import load_spec, read_stats_rows

    src = pathlib.Path(source)
    resolver = None
    spec = None
    if src.suffix == ".toml":
        spec = load_spec(src)
        if spec.circuit is not None:  # rows of a circuit without an observable would plot as LER 0
            from ftq.files import read_tagged_circuit

            expr = predicate if predicate is not None else spec.postselected_detectors_predicate
            read_tagged_circuit(
                spec.circuit,
                postselected_detectors_predicate=expr,
                label=f"sweep circuit {str(spec.circuit)!r}",
            )
        csv_path = spec.stats_path
        if not csv_path.exists() and not spec.splitting_path.exists():
            raise InputError(f"sweep {spec.name!r} has no results yet ({str(csv_path)!r}); run it first.")
        resolver = _layout_resolver(spec, predicate)
    else:
        csv_path = src
        if not csv_path.is_file():
            raise InputError(f"{source!r} does not exist.")
        if csv_path.name == "splitting.jsonl":  # the runs themselves: the sampled rows beside them, if any
            csv_path = csv_path.parent / "stats.csv"
        for toml in sorted(csv_path.parent.glob("*.toml")):
            try:
                resolver = _layout_resolver(load_spec(toml), predicate)
                break
            except InputError:
                continue
    split_path = csv_path.parent / "splitting.jsonl"
    split = read_splitting(split_path) if split_path.exists() else {}
    stats = read_stats_rows(csv_path) if csv_path.exists() or not split else []
    if not stats and not split:
        raise InputError(f"{str(csv_path)!r} holds no statistics rows.")
    if decoder_version is not None:
        metas = [r.json_metadata for r in stats] + [meta for meta, _, _ in split.values()]
        versions = {m.get("decoder_version") for m in metas if isinstance(m, dict)}

        def keep(meta) -> bool:
            return (
                not isinstance(meta, dict) or meta.get("decoder_version", decoder_version) == decoder_version
            )

        stats = [r for r in stats if keep(r.json_metadata)]
        split = {sid: task for sid, task in split.items() if keep(task[0])}
        if not stats and not split:
            named = sorted(v for v in versions if v is not None)
            raise InputError(
                f"{str(csv_path)!r} has no rows of decoder version {decoder_version}; it has versions {named}."
            )
    series = series_from_stats(stats, layout_for=resolver) + series_from_splitting(split)
    if split:
        for line in splitting_summary_lines(
            [SplittingTask(sid, meta, tuple(runs), floor) for sid, (meta, runs, floor) in split.items()]
        ):
            click.echo(line)
    # a published circuit: the authors' own front on it, from their histogram, drawn beside ours
    published = None
    if spec is not None and spec.circuit is not None:
        from cultivation.published import published_series

        published = published_series(spec.circuit.name)
    for line in summary_lines(stats, layout_for=resolver, max_attempts=max_attempts):
        click.echo(line)
    if published is not None and max_attempts is not None:
        within = [p for p in published.points if p.attempts_per_kept <= max_attempts]
        if within:
            b = min(within, key=lambda p: p.ler)
            click.echo(
                f"  {published.label}, best within {max_attempts:g} attempts/kept: LER {b.ler:.3g} "
                f"[{b.ler_low:.2g}, {b.ler_high:.2g}] (binomial, likelihood ratio 1000) at "
                f"{b.attempts_per_kept:.3f} attempts/kept"
            )
    return csv_path, series, published
