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


def _samplers() -> dict:
    from cultivation.decoding import samplers

    return samplers()


def _builder():
    try:
        from cultivation.protocol import build
    except ImportError:
        return None
    return build


def _layout_resolver(spec):
    """json_metadata -> StageLayout for the tasks of a sweep spec (None when the circuit cannot be built)."""
    from ftq.resources import StageLayout
    from ftq.sweeps import build_circuits

    try:
        circuits = build_circuits(spec, builder=_builder())
    except InputError:
        return None
    table = {}
    for meta, circuit in circuits:
        try:
            layout = StageLayout.from_circuit(circuit, tau=dict(spec.stage_tau) or None)
        except ValueError as e:
            raise InputError(f"sweep {spec.name!r}: {e}.") from None
        table[_circuit_key(meta)] = layout
    return lambda meta: table.get(_circuit_key(meta))


def _circuit_key(meta: dict) -> str:
    """A task's metadata without the decoder's version: rows of an older decoder ran the same circuit."""
    return json.dumps({k: v for k, v in meta.items() if k != "decoder_version"}, sort_keys=True)


@main.command("sample")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--shots", type=int, default=100_000, show_default=True, help="Number of shots (attempts).")
@click.option(
    "--decoder",
    type=click.Choice(["gap", "perfectionist"]),
    default="gap",
    show_default=True,
    help="gap: match the decoded detectors; perfectionist: discard on any detection event.",
)
@click.option("--seed", type=int, default=None, help="Simulator seed (default: random).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def sample_cmd(file, shots, decoder, seed, as_json) -> None:
    """Sample one circuit: staged sampling, postselection from detector tags, then decoding.

    Reported kept shots and errors are before any gap cut.

    \b
    Example:
        ftq sample ../shared/reference/rp2/rp_3_T_cult.stim --shots 100000 --json
    """
    import time

    import stim

    from ftq.sampling import StagedSampler, perfectionist_predictor, sample_shots

    if shots < 1:
        raise InputError(f"--shots {shots} must be a positive integer.")
    try:
        circuit = stim.Circuit.from_file(file)
    except (OSError, ValueError) as e:
        raise InputError(
            f"{file!r} could not be read as a stim circuit ({str(e).splitlines()[0]})."
        ) from None
    try:
        from ftq.tags import read_detector_tags

        read_detector_tags(circuit)
    except ValueError as e:
        raise InputError(f"{file!r} has detectors without stage tags ({e}).") from None
    if decoder == "gap":
        from cultivation.decoding import gap_predictor

        sampler = StagedSampler(gap_predictor)
    else:
        sampler = StagedSampler(perfectionist_predictor)
    from ftq.sampling import StagedCompiledSampler

    t0 = time.process_time()
    compiled = StagedCompiledSampler(circuit, sampler.predictor_factory(circuit), seed=seed)
    stats = sample_shots(compiled, shots)
    seconds = time.process_time() - t0
    kept = stats.shots - stats.discards
    out = {
        "shots": stats.shots,
        "kept": kept,
        "errors": stats.errors,
        "ler": stats.errors / kept if kept else None,
        "seconds": round(seconds, 3),
        "kept_shots_per_second": round(kept / seconds, 1) if seconds > 0 else None,
    }
    if as_json:
        click.echo(json.dumps(out))
    else:
        for k, v in out.items():
            click.echo(f"{k}: {v}")


@main.group(cls=_Group)
def sweep() -> None:
    """Sweeps described by TOML files; results append to sweeps/<name>/stats.csv (sinter CSV)."""


@sweep.command("run")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--workers", type=int, default=1, show_default=True, help="Local worker processes.")
@click.option(
    "--scheduler", default=None, help="Dask scheduler address (tcp://host:port) to run on a cluster."
)
def sweep_run_cmd(spec, workers, scheduler) -> None:
    """Run (or resume) a sweep; shots already in stats.csv count towards its targets.

    \b
    Example:
        ftq sweep run sweeps/rp2-d3-e2e/rp2-d3-e2e.toml --workers 2
    """
    from ftq.sweeps import load_spec, run_sweep

    s = load_spec(spec)
    stats = run_sweep(s, samplers=_samplers(), builder=_builder(), workers=workers, scheduler=scheduler)
    for st in stats:
        kept = st.shots - st.discards
        click.echo(
            f"{json.dumps(st.json_metadata, sort_keys=True)}: shots={st.shots} kept={kept} errors={st.errors}"
        )
    click.echo(f"results: {s.stats_path}")


@sweep.command("compact")
@click.argument("source", type=click.Path(dir_okay=False))
def sweep_compact_cmd(source) -> None:
    """Merge a sweep's stats.csv into two rows per task (halves kept apart for the held-out check).

    SOURCE is a sweep spec (.toml) or a sinter stats CSV. Sweeps append one row per sampled batch; the
    two-gap histograms make that file grow quickly. Do not run it while the sweep is running.

    \b
    Example:
        ftq sweep compact sweeps/rp2-d3-e2e/rp2-d3-e2e.toml
    """
    import pathlib

    from ftq.sweeps import compact_stats_csv, load_spec

    src = pathlib.Path(source)
    path = load_spec(src).stats_path if src.suffix == ".toml" else src
    if not path.is_file():
        raise InputError(f"{str(path)!r} does not exist.")
    before, after = compact_stats_csv(path)
    click.echo(f"{path}: {before} rows -> {after} rows")


@main.command("plot")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Output .png or .svg.")
@click.option("--msc", type=click.Path(file_okay=False), default=None, help="MSC reference folder.")
@click.option(
    "--max-attempts",
    type=click.FloatRange(min=1.0),
    default=None,
    help="Also name the best Pareto point within this many attempts per kept shot.",
)
def plot_cmd(source, out, msc, max_attempts) -> None:
    """Plot LER vs attempts per kept shot and vs volume (RP² formula), beside the MSC baseline (S-proxy).

    SOURCE is a sweep spec (.toml) or a sinter stats CSV. Also prints, per task, kept shots and LER before
    the gap cut, stage survival, and the Pareto points with both volume formulas named.

    \b
    Example:
        ftq plot sweeps/rp2-d3-e2e/rp2-d3-e2e.toml --out sweeps/rp2-d3-e2e/pareto.png
        ftq plot sweeps/rp2-d3-e2e/rp2-d3-e2e.toml --max-attempts 2.5
    """
    import pathlib

    from ftq.plotting import load_msc_baseline, plot_pareto, series_from_stats, summary_lines
    from ftq.sweeps import load_spec, read_stats_rows

    src = pathlib.Path(source)
    resolver = None
    if src.suffix == ".toml":
        spec = load_spec(src)
        csv_path = spec.stats_path
        if not csv_path.exists():
            raise InputError(f"sweep {spec.name!r} has no results yet ({str(csv_path)!r}); run it first.")
        resolver = _layout_resolver(spec)
    else:
        csv_path = src
        if not csv_path.is_file():
            raise InputError(f"{source!r} does not exist.")
        for toml in sorted(csv_path.parent.glob("*.toml")):
            try:
                resolver = _layout_resolver(load_spec(toml))
                break
            except InputError:
                continue
    stats = read_stats_rows(csv_path)
    if not stats:
        raise InputError(f"{str(csv_path)!r} holds no statistics rows.")
    series = series_from_stats(stats, layout_for=resolver)
    ref = (
        pathlib.Path(msc)
        if msc
        else pathlib.Path(__file__).resolve().parents[2] / "shared" / "reference" / "msc"
    )
    baseline = load_msc_baseline(ref) if ref.exists() else []
    target = pathlib.Path(out) if out else csv_path.parent / "pareto.png"
    plot_pareto(series, msc=baseline, out=target)
    for line in summary_lines(stats, layout_for=resolver, max_attempts=max_attempts):
        click.echo(line)
    click.echo(f"wrote {target}")


# --- rare-event estimation (estimate) ----------------------------------------------------------------


@main.command("estimate")
@click.argument("circuit_file", metavar="CIRCUIT.stim", type=click.Path(dir_okay=False))
@click.option(
    "--method",
    type=click.Choice(["enumerate", "importance", "brute"]),
    default="enumerate",
    show_default=True,
    help="enumerate: exact sum over undetected error sets of ≤ W faults; importance: sampling stratified by "
    "fault count; brute: plain stim sampling.",
)
@click.option("--target-rel-error", type=float, default=0.3, show_default=True, help="Sampling stops here.")
@click.option("--max-weight", type=int, default=5, show_default=True, help="Enumeration depth W.")
@click.option(
    "--tail-orders",
    type=int,
    default=0,
    show_default=True,
    help="Estimate weights W+1… by random search paths.",
)
@click.option("--tail-paths", type=int, default=2_000_000, show_default=True, help="Paths for --tail-orders.")
@click.option("--shots", type=int, default=None, help="Sampling budget (default: until the target is met).")
@click.option(
    "--max-seconds", type=float, default=1200.0, show_default=True, help="CPU-time budget (sampling)."
)
@click.option("--scale-noise", type=float, default=1.0, show_default=True, help="Multiply all noise by this.")
@click.option("--seed", type=int, default=None, help="Sampling seed (default: random).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None, help="Append a sinter row.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def estimate_cmd(
    circuit_file,
    method,
    target_rel_error,
    max_weight,
    tail_orders,
    tail_paths,
    shots,
    max_seconds,
    scale_noise,
    seed,
    csv_path,
    as_json,
) -> None:
    """Estimate the logical error rate among kept shots of a postselection-only circuit.

    \b
    Example:
        ftq estimate ../shared/reference/rp2/rp_3_rp_5_T_cult.stim --method enumerate --max-weight 6 --json
        ftq estimate ../shared/reference/rp2/rp_3_T_cult.stim --method importance --scale-noise 3 --seed 1
    """
    import pathlib

    import sinter
    import stim

    from ftq.estimation import estimate
    from ftq.estimation import scale_noise as rescale

    path = pathlib.Path(circuit_file)
    if not path.is_file():
        raise InputError(f"circuit file {circuit_file!r} does not exist; pass a .stim file")
    try:
        circuit = stim.Circuit.from_file(str(path))
    except ValueError as e:
        raise InputError(f"circuit file {circuit_file!r} is not a valid stim circuit ({e})") from e
    if scale_noise != 1.0:
        circuit = rescale(circuit, scale_noise)
    result = estimate(
        circuit,
        method=method,
        target_rel_error=target_rel_error,
        max_weight=max_weight,
        shots=shots,
        max_seconds=max_seconds,
        tail_orders=tail_orders,
        tail_paths=tail_paths,
        seed=seed,
    )
    if csv_path:
        out = pathlib.Path(csv_path)
        row = result.to_task_stats(json_metadata={"circuit": path.name, "noise_scale": scale_noise})
        new = not out.exists() or out.stat().st_size == 0
        with out.open("a") as f:
            if new:
                f.write(sinter.CSV_HEADER + "\n")
            f.write(row.to_csv_line() + "\n")
    payload = result.to_json()
    payload["circuit"] = path.name
    payload["noise_scale"] = scale_noise
    payload.pop("custom_counts", None)
    if as_json:
        click.echo(json.dumps(payload))
    else:
        click.echo(
            f"{method}: LER {result.ler:.4g}  [{result.ler_low:.4g}, {result.ler_high:.4g}]  "
            f"kept {result.kept_fraction:.4g}  cpu {result.cpu_seconds:.1f}s"
        )


# --- jones commands ----------------------------------------------------------------------------------


@main.group(cls=_Group)
def jones() -> None:
    """Jones polynomial at t = e^{2πi/5}: exact values, tensor networks, Quantinuum hardware."""


def _jones_evaluate(braid, closure: str, method: str, on_cost=None) -> dict:
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

        r = evaluate(braid, closure=closure, on_cost=on_cost)
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

    def on_cost(log10_flops: float, width: float) -> None:
        if not as_json:  # the cost is known, and shown, before contracting
            click.echo(f"contraction cost: 10^{log10_flops:.2f} flops, width {width:.0f}; contracting …")

    out = _jones_evaluate(braid, closure, method, on_cost=on_cost)
    if as_json:
        click.echo(json.dumps(out))
        return
    line = f"V = {out['re']:+.9f} {out['im']:+.9f}i   ({method}, {closure}, {braid.strands} strands, "
    line += f"{braid.crossings} crossings, {out['seconds']:.3f} s)"
    click.echo(line)
    if "polynomial" in out:
        click.echo(f"V(t) = {out['polynomial']}")


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


# --- jones hardware commands (compile, estimate, submit, jobs, results, benchmark) ---------------------


def _jones_braid(braid_word: str, strands: int | None):
    """Parse BRAID; the word ``demo`` is the 15-strand, 114-crossing demo braid of jones.benchmark."""
    from jones.braids import Braid

    if braid_word.strip().lower() == "demo":
        from jones.benchmark import demo_braid

        return demo_braid()
    return Braid.parse(braid_word, strands=strands)


@jones.command("compile")
@click.argument("braid_word", metavar="BRAID")
@click.option("--closure", type=click.Choice(["markov", "plat"]), default="markov", show_default=True)
@click.option("--device", type=click.Choice(["H2-1", "H2-2"]), default="H2-1", show_default=True)
@click.option(
    "--level", type=click.IntRange(0, 3), default=2, show_default=True, help="pytket optimisation level."
)
@click.option(
    "--shots", type=click.IntRange(min=1), default=4000, show_default=True, help="Shots for the HQC."
)
@click.option("--strands", type=int, default=None, help="Strand count (default: max |generator| + 1).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def jones_compile_cmd(
    braid_word: str, closure: str, device: str, level: int, shots: int, strands: int | None, as_json: bool
) -> None:
    """Compile the Hadamard test of a braid offline for Quantinuum H2 and report its cost.

    Reports qubits, 1q/2q gate counts (conditional gates included), depth and HQC for one part (re or
    im) at the given shots; the Markov closure includes on-device string sampling and conditional CNOTs.

    \b
    Examples:
      ftq jones compile "1,1,1" --device H2-1 --json
      ftq jones compile demo --device H2-2 --shots 4000   # the 15-strand, 114-crossing demo braid
    """
    import json

    from jones.circuits import hadamard_test
    from jones.quantinuum import compile_report

    braid = _jones_braid(braid_word, strands)
    rep = compile_report(
        hadamard_test(braid, closure=closure, part="re"), device=device, optimisation_level=level, shots=shots
    )
    if as_json:
        click.echo(json.dumps(rep))
        return
    click.echo(
        f"{device} level {level}: {rep['qubits']} qubits, {rep['two_qubit_gates']} 2q gates "
        f"({rep['braid_two_qubit_gates']} in {rep['runs']} runs), {rep['one_qubit_gates']} 1q gates, "
        f"depth {rep['depth']}, HQC {rep['hqc']:.1f} per part at {shots} shots"
    )


@jones.command("estimate")
@click.argument("braid_word", metavar="BRAID")
@click.option("--closure", type=click.Choice(["markov", "plat"]), default="markov", show_default=True)
@click.option("--backend", type=click.Choice(["noiseless", "noisy"]), default="noiseless", show_default=True)
@click.option("--shots", type=click.IntRange(min=1), default=2000, show_default=True, help="Shots per part.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--strands", type=int, default=None, help="Strand count (default: max |generator| + 1).")
@click.option("--mitigate", is_flag=True, help="Also run echo rescaling and mirror symmetrisation.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def jones_estimate_cmd(
    braid_word: str,
    closure: str,
    backend: str,
    shots: int,
    seed: int,
    strands: int | None,
    mitigate: bool,
    as_json: bool,
) -> None:
    """Estimate V(e^{2πi/5}) with the Hadamard-test circuits on the local emulator.

    re/im are the leakage-postselected estimate (raw_* before postselection); the noisy backend uses
    H2-2's published noise figures. --mitigate adds the other mitigations side by side.

    \b
    Examples:
      ftq jones estimate "1,1,1" --shots 4000 --seed 1 --json
      ftq jones estimate "[2,2,-1,2]" --strands 4 --closure plat --backend noisy --mitigate
      ftq jones estimate demo --backend noisy --shots 4000 --mitigate   # 15 strands, 114 crossings
    """
    import json

    from jones.circuits import exact_value, shots_for_error
    from jones.mitigation import mitigated_estimate, run_parts

    braid = _jones_braid(braid_word, strands)
    exact = exact_value(braid, closure=closure)
    r = run_parts(braid, closure=closure, backend=backend, shots=shots, seed=seed)
    est, raw = r["postselected"], r["raw"]
    out = {
        "re": est.value.real,
        "im": est.value.imag,
        "stderr_re": est.stderr_re,
        "stderr_im": est.stderr_im,
        "exact_re": exact.real,
        "exact_im": exact.imag,
        "shots": shots,
        "raw_re": raw.value.real,
        "raw_im": raw.value.imag,
        "kept_fraction": r["kept"],
        "shots_for_error_0.1": shots_for_error(0.1, braid=braid, closure=closure),
    }
    if mitigate:
        out["mitigated"] = mitigated_estimate(
            braid, closure=closure, backend=backend, shots=shots, seed=seed, target=r
        )["methods"]
    if as_json:
        click.echo(json.dumps(out))
        return
    click.echo(
        f"V ≈ {out['re']:+.6f} ± {out['stderr_re']:.6f}  {out['im']:+.6f}i ± {out['stderr_im']:.6f}i   "
        f"exact {exact.real:+.6f} {exact.imag:+.6f}i   ({backend}, {shots} shots per part, "
        f"kept {out['kept_fraction']:.3f})"
    )
    for name, m in out.get("mitigated", {}).items():
        click.echo(
            f"  {name:<13} {m['re']:+.6f} {m['im']:+.6f}i  |Δ| = {m['abs_error']:.4f}  ({m['shots']} shots)"
        )


def _job_dict(job) -> dict:
    return {
        "id": job.id,
        "braid": job.braid,
        "strands": job.strands,
        "closure": job.closure,
        "part": job.part,
        "device": job.device,
        "shots": job.shots,
        "status": job.status,
        "handle": job.handle,
        "message": job.message,
        "batch": job.batch,
    }


@jones.command("submit")
@click.argument("braid_word", metavar="BRAID")
@click.option("--closure", type=click.Choice(["markov", "plat"]), default="markov", show_default=True)
@click.option(
    "--device",
    type=click.Choice(["H2-1", "H2-2", "local-noiseless", "local-noisy"]),
    default="H2-2",
    show_default=True,
)
@click.option("--shots", type=click.IntRange(min=1), default=1000, show_default=True, help="Shots per part.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed (local devices).")
@click.option("--part", type=click.Choice(["re", "im", "both"]), default="both", show_default=True)
@click.option("--strands", type=int, default=None, help="Strand count (default: max |generator| + 1).")
@click.option("--store", type=click.Path(dir_okay=False), default=None, help="Job store (SQLite) path.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of the jobs.")
def jones_submit_cmd(
    braid_word: str,
    closure: str,
    device: str,
    shots: int,
    seed: int,
    part: str,
    strands: int | None,
    store: str | None,
    as_json: bool,
) -> None:
    """Record the Hadamard-test jobs in the local job store, then send them (H2 through qnexus).

    Jobs are written before sending; without credentials or network they stay "not sent" with a
    one-sentence reason. Local devices run at once. Store: --store, $FTQ_JONES_JOBS or ~/.ftq/.

    \b
    Examples:
      ftq jones submit "1,1,1" --device H2-2 --shots 500
      ftq jones submit "1,1,1" --device local-noisy --shots 2000 --json
    """
    import json

    from jones.jobstore import JobStore

    js = JobStore(store)
    parts = ("re", "im") if part == "both" else (part,)
    ids = js.submit(_jones_braid(braid_word, strands), closure=closure, device=device, shots=shots, seed=seed,
                    parts=parts)  # fmt: skip
    jobs = [_job_dict(js.get(i)) for i in ids]
    if as_json:
        click.echo(json.dumps(jobs))
        return
    for j in jobs:
        msg = f" — {j['message']}" if j["message"] else ""
        click.echo(f"job {j['id']}: {j['part']} on {j['device']}, {j['shots']} shots: {j['status']}{msg}")


@jones.command("jobs")
@click.option("--store", type=click.Path(dir_okay=False), default=None, help="Job store (SQLite) path.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def jones_jobs_cmd(store: str | None, as_json: bool) -> None:
    """List the jobs in the local job store.

    \b
    Example:
      ftq jones jobs --json
    """
    import json

    from jones.jobstore import JobStore

    jobs = [_job_dict(j) for j in JobStore(store).list()]
    if as_json:
        click.echo(json.dumps(jobs))
        return
    click.echo(f"{'id':>4} {'status':<10} {'device':<16} {'part':<4} {'shots':>6}  braid")
    for j in jobs:
        click.echo(
            f"{j['id']:>4} {j['status']:<10} {j['device']:<16} {j['part']:<4} {j['shots']:>6}  {j['braid']}"
        )


@jones.command("results")
@click.argument("job_id", type=int)
@click.option("--store", type=click.Path(dir_okay=False), default=None, help="Job store (SQLite) path.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def jones_results_cmd(job_id: int, store: str | None, as_json: bool) -> None:
    """Fetch a job's results (idempotent) and evaluate: the part, and V once both parts are in.

    \b
    Example:
      ftq jones results 1 --json
    """
    import json

    from jones.circuits import combine_parts, estimate_part, exact_value, shot_values
    from jones.jobstore import JobStore

    js = JobStore(store)
    job = js.fetch(job_id)
    out: dict = {"job": _job_dict(job)}
    parts = {}
    for sib in js.batch(job.batch):
        sib = js.get(sib.id) if sib.id != job.id else job
        if sib.results is not None:
            v, keep = shot_values(*sib.shot_arrays())
            parts[sib.part] = (estimate_part(v), estimate_part(v, keep))
    if job.part in parts:
        raw, post = parts[job.part]
        out["part"] = {"part": job.part, "raw": raw.mean, "postselected": post.mean, "stderr": post.stderr,
                       "kept_fraction": post.shots / max(post.total, 1)}  # fmt: skip
    braid = job.braid_obj
    if "re" in parts and "im" in parts:
        est = combine_parts(braid, re=parts["re"][1], im=parts["im"][1], closure=job.closure)
        exact = exact_value(braid, closure=job.closure)
        out["value"] = {"re": est.value.real, "im": est.value.imag, "stderr_re": est.stderr_re,
                        "stderr_im": est.stderr_im, "exact_re": exact.real, "exact_im": exact.imag}  # fmt: skip
    if as_json:
        click.echo(json.dumps(out))
        return
    msg = f" — {job.message}" if job.message else ""
    click.echo(f"job {job.id}: {job.status}{msg}")
    if "part" in out:
        p = out["part"]
        click.echo(f"  {p['part']}: {p['postselected']:+.6f} ± {p['stderr']:.6f} (raw {p['raw']:+.6f})")
    if "value" in out:
        v = out["value"]
        click.echo(f"  V ≈ {v['re']:+.6f} {v['im']:+.6f}i   exact {v['exact_re']:+.6f} {v['exact_im']:+.6f}i")


@jones.command("benchmark")
@click.option(
    "--family",
    "family_name",
    type=click.Choice(["conjugates", "stabilisations", "relations", "rcr"]),
    default="conjugates",
    show_default=True,
)
@click.option("--base", "base_word", default="1,1,1", show_default=True, help="Base braid of the family.")
@click.option("--strands", type=int, default=None, help="Strand count of the base (default: from the word).")
@click.option(
    "--size", type=click.IntRange(1, 50), default=4, show_default=True, help="Members of the family."
)
@click.option("--backend", type=click.Choice(["noiseless", "noisy"]), default="noisy", show_default=True)
@click.option("--shots", type=click.IntRange(min=1), default=1000, show_default=True, help="Shots per part.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None, help="PNG plot path.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of rows.")
def jones_benchmark_cmd(
    family_name: str,
    base_word: str,
    strands: int | None,
    size: int,
    backend: str,
    shots: int,
    seed: int,
    out_path: str | None,
    as_json: bool,
) -> None:
    """Invariance benchmark: equivalent braids (same exact value), error vs 2q gates, raw and mitigated.

    Errors are |V_est − V|/φ^{n−1}. The plot goes to --out (default sweeps/jones/benchmark_FAMILY.png).

    \b
    Example:
      ftq jones benchmark --family conjugates --base "1,1,1" --strands 4 --size 4 --shots 1000
    """
    import json

    from jones.benchmark import plot_benchmark, run_benchmark

    base = _jones_braid(base_word, strands)
    rows = run_benchmark(family_name, base=base, size=size, backend=backend, shots=shots, seed=seed)
    path = plot_benchmark(rows, out_path or f"sweeps/jones/benchmark_{family_name}.png")
    if as_json:
        click.echo(json.dumps(rows))
        return
    click.echo(f"{'label':<8} {'2q':>5} {'raw':>8} {'postsel':>8} {'rescaled':>8} {'symm':>8}")
    for r in rows:
        click.echo(
            f"{r['label']:<8} {r['two_qubit_gates']:>5} {r['raw_error']:>8.4f} {r['postselected_error']:>8.4f} "
            f"{r['rescaled_error']:>8.4f} {r['symmetrised_error']:>8.4f}"
        )
    click.echo(f"plot: {path}")


if __name__ == "__main__":
    main()
