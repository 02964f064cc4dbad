"""The ``ftq`` command line: the kit's own commands, plus every command a domain registers.

The kit's commands work on any tag-carrying circuit: ``sample`` (one circuit, one registered decoder),
``sweep run`` / ``sweep compact`` (TOML sweeps, :mod:`ftq.sweeps`) and ``estimate`` (rare-event
estimation, :mod:`ftq.estimation`). Domains add theirs through the ``ftq.commands`` entry points in
``pyproject.toml`` (a click command or group each, mounted under the entry-point name, loaded only when
used); this module imports no domain. Bad input raises :class:`ftq.errors.InputError` in the library and
ends here as one sentence and exit status 2.

Examples::

    ftq sample cultivation/reference/rp2/rp_3_T_cult.stim --shots 100000 --json
    ftq circuit --d1 3 --protocol cultivation --p 0.001 --json      # registered by cultivation
    ftq jones value "1,1,1" --method exact                          # registered by jones
"""

from __future__ import annotations

import json
import os
import pathlib
import sys
from importlib.metadata import entry_points

import click

from ftq.decoders import decoder_names
from ftq.errors import InputError
from ftq.params import POSITIVE, SECONDS, SEED, SHOTS

#: The entry-point group domains register their commands under.
COMMANDS_GROUP = "ftq.commands"


class _Group(click.Group):
    """The top-level group: mounts registered commands lazily and turns bad input into one sentence."""

    def _registered(self) -> dict:
        return {ep.name: ep for ep in entry_points(group=COMMANDS_GROUP)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._registered()))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in self._registered():
            command = self._registered()[name].load()
        return command

    def invoke(self, ctx: click.Context):
        """The error policy's boundary: bad input of any kind ends as one ``error:`` line.

        :class:`InputError` from the library and click's refusals of an option (out of range, wrong type,
        missing file) exit with status 2; an unexpected exception is a bug: one line naming it, status 1
        (``FTQ_TRACEBACK=1`` shows the traceback).
        """
        try:
            return super().invoke(ctx)
        except InputError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(2)
        except click.UsageError as e:
            click.echo(f"error: {e.format_message()}", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as e:  # noqa: BLE001 - the boundary: a bug, reported in one line
            if os.environ.get("FTQ_TRACEBACK"):
                raise
            first = str(e).splitlines()[0] if str(e) else ""
            click.echo(
                f"error: internal error ({type(e).__name__}: {first[:200]}); "
                "please report it (FTQ_TRACEBACK=1 shows where).",
                err=True,
            )
            sys.exit(1)


#: sinter's postselection predicate, shared by the commands that read a circuit (overrides the tags).
predicate_option = click.option(
    "--postselected-detectors-predicate",
    "predicate",
    default=None,
    metavar="EXPR",
    help="Postselect the detectors where this Python expression in index, coords (and metadata) is true, as "
    "sinter collect --postselected_detectors_predicate; overrides the detector tags (the default).",
)


@click.group(cls=_Group)
@click.version_option(package_name="ftq")
def main() -> None:
    """ftq — fault-tolerance resource simulator.

    \b
    Magic-state cultivation on RP² (circuits, sweeps, estimates) and the
    Jones polynomial at the fifth root of unity (exact, tensor networks, hardware).
    """


# --- sampling and sweeps (sample, sweep) -------------------------------------------------------------


@main.command("sample")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--shots", type=SHOTS, default=100_000, show_default=True, help="Number of shots (attempts).")
@click.option(
    "--decoder",
    type=click.Choice(decoder_names()),
    default="gap",
    show_default=True,
    help="A registered decoder, e.g. gap: match the decoded detectors; perfectionist: discard on any event.",
)
@click.option("--seed", type=SEED, default=None, help="Simulator seed (default: random).")
@predicate_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def sample_cmd(file, shots, decoder, seed, predicate, as_json) -> None:
    """Sample one circuit: staged sampling, postselection from detector tags, then decoding.

    Reported kept shots and errors are before any gap cut.

    \b
    Example:
        ftq sample cultivation/reference/rp2/rp_3_T_cult.stim --shots 100000 --json
    """
    from ftq.decoders import load_decoder
    from ftq.files import read_tagged_circuit
    from ftq.sampling import sample_decoded

    circuit = read_tagged_circuit(file, postselected_detectors_predicate=predicate)
    from ftq.progress import ProgressLine

    line = ProgressLine(total=shots, unit="shots", label="sampling", enabled=None if not as_json else False)
    out = sample_decoded(circuit, load_decoder(decoder), shots=shots, seed=seed, on_shots=line.update)
    line.close()
    if as_json:
        click.echo(json.dumps(out.to_json()))
    else:
        for k, v in out.to_json().items():
            click.echo(f"{k}: {v}")


@main.group(cls=click.Group)
def sweep() -> None:
    """Sweeps described by TOML files; results append to sweeps/<name>/stats.csv (sinter CSV)."""


@sweep.command("run")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "--workers", type=click.IntRange(1, 1024), default=1, show_default=True, help="Local worker processes."
)
@click.option(
    "--scheduler", default=None, help="Dask scheduler address (tcp://host:port) to run on a cluster."
)
@click.option(
    "--estimator",
    type=click.Choice(["sampling", "splitting"]),
    default=None,
    help="Override the spec's estimator: sampling (stats.csv) or splitting (subset simulation runs, "
    "splitting.jsonl).",
)
@click.option(
    "--runs",
    type=click.IntRange(min=2),
    default=None,
    help="Splitting: target number of independent runs per task (overrides [splitting] runs).",
)
def sweep_run_cmd(spec, workers, scheduler, estimator, runs) -> None:
    """Run (or resume) a sweep; shots already in stats.csv (splitting: runs already in splitting.jsonl with
    the same parameters) count towards its targets.

    \b
    Example:
        ftq sweep run sweeps/rp2-d3-e2e/rp2-d3-e2e.toml --workers 2
        ftq sweep run sweeps/rp2-ref-d5-e2e/rp2-ref-d5-e2e.toml --estimator splitting --runs 20 --workers 2
    """
    from ftq.sweeps import check_scheduler_address, load_spec, run_sweep

    if scheduler is not None:
        check_scheduler_address(scheduler)
    s = load_spec(spec).with_estimator(estimator, runs=runs)
    if s.estimator == "splitting":
        from ftq.splitting_sweep import run_splitting_sweep, summary_lines

        if scheduler is not None:
            raise InputError("the splitting estimator runs on this machine only; drop --scheduler.")
        tasks = run_splitting_sweep(s, workers=workers)
        for line in summary_lines(tasks):
            click.echo(line)
        click.echo(f"results: {s.splitting_path}")
        return
    if runs is not None:
        raise InputError(f"--runs {runs} applies to the splitting estimator only; add --estimator splitting.")
    stats = run_sweep(s, workers=workers, scheduler=scheduler)
    for st in stats:
        kept = st.shots - st.discards
        click.echo(
            f"{json.dumps(st.json_metadata, sort_keys=True)}: shots={st.shots} kept={kept} errors={st.errors}"
        )
    click.echo(f"results: {s.stats_path}")


@sweep.command("compact")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option(
    "--keep-first",
    type=click.IntRange(0, None),
    default=0,
    show_default=True,
    help="Rows of each task kept as they are (e.g. those a front's thresholds were chosen on).",
)
def sweep_compact_cmd(source, keep_first) -> None:
    """Merge a sweep's stats.csv into two rows per task (halves kept apart for the held-out check).

    SOURCE is a sweep spec (.toml) or a sinter stats CSV. Sweeps append one row per sampled batch; the
    two-gap histograms make that file grow quickly. Do not run it while the sweep is running.

    \b
    Example:
        ftq sweep compact sweeps/rp2-d3-e2e/rp2-d3-e2e.toml
    """
    from ftq.sweeps import compact_stats_csv, load_spec

    src = pathlib.Path(source)
    path = load_spec(src).stats_path if src.suffix == ".toml" else src
    if not path.is_file():
        raise InputError(f"{str(path)!r} does not exist.")
    before, after = compact_stats_csv(path, keep_first=keep_first)
    click.echo(f"{path}: {before} rows -> {after} rows")


# --- rare-event estimation (estimate) ----------------------------------------------------------------


@main.command("estimate")
@click.argument("circuit_file", metavar="CIRCUIT.stim", type=click.Path(dir_okay=False))
@click.option(
    "--method",
    type=click.Choice(["combined", "enumerate", "importance", "brute"]),
    default="combined",
    show_default=True,
    help="combined: exact enumeration to W, stratified sampling above, extrapolated tail, one interval; "
    "enumerate: exact sum over undetected error sets of ≤ W faults; importance: sampling stratified by "
    "fault count; brute: plain stim sampling.",
)
@click.option(
    "--target-rel-error", type=POSITIVE, default=0.3, show_default=True, help="Sampling stops here."
)
@click.option(
    "--max-weight",
    type=click.IntRange(1, 12),
    default=None,
    help="Enumeration depth W (default: 5; combined: chosen from the target).",
)
@click.option(
    "--tail-orders",
    type=click.IntRange(0, 12),
    default=0,
    show_default=True,
    help="Estimate weights W+1… by random search paths.",
)
@click.option(
    "--tail-paths", type=SHOTS, default=2_000_000, show_default=True, help="Paths for --tail-orders."
)
@click.option("--shots", type=SHOTS, default=None, help="Sampling budget (default: until the target is met).")
@click.option(
    "--max-seconds",
    type=SECONDS,
    default=None,
    help="CPU-time budget (default: combined 600 s, sampling 1200 s).",
)
@click.option(
    "--scale-noise", type=POSITIVE, default=1.0, show_default=True, help="Multiply all noise by this."
)
@click.option("--seed", type=SEED, default=None, help="Sampling seed (default: random).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None, help="Append a sinter row.")
@predicate_option
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
    predicate,
    as_json,
) -> None:
    """Estimate the logical error rate among kept shots of a postselection-only circuit.

    Every interval accounts for all probability: what a method did not resolve widens its upper end (a
    rigorous bound, or for the combined method's extrapolated tail, a bound under the assumption it prints).

    \b
    Example:
        ftq estimate cultivation/reference/rp2/rp_3_rp_5_T_cult.stim --target-rel-error 0.3 --json
        ftq estimate cultivation/reference/rp2/rp_3_rp_5_T_cult.stim --method enumerate --max-weight 6 --json
        ftq estimate cultivation/reference/rp2/rp_3_T_cult.stim --method importance --scale-noise 3 --seed 1
    """
    import sinter

    from ftq.estimation import estimate
    from ftq.estimation import scale_noise as rescale
    from ftq.files import append_lines, check_writable, read_tagged_circuit
    from ftq.sweeps import check_stats_csv, check_stats_header

    if csv_path:  # refused before the work, not after it
        check_writable(csv_path)
        if check_stats_header(pathlib.Path(csv_path)):
            check_stats_csv(pathlib.Path(csv_path), appending=True)  # no torn row to append after
    path = pathlib.Path(circuit_file)
    circuit = read_tagged_circuit(path, postselected_detectors_predicate=predicate)
    if scale_noise != 1.0:
        circuit = rescale(circuit, scale_noise)
    from ftq.progress import BudgetLine

    if max_seconds is None:
        max_seconds = 600.0 if method == "combined" else 1200.0
    budget = None if method == "enumerate" else max_seconds
    with BudgetLine(label=f"estimate ({method})", budget=budget, enabled=False if as_json else None):
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
        row = result.to_task_stats(json_metadata={"circuit": path.name, "noise_scale": scale_noise})
        append_lines(csv_path, [row.to_csv_line()], header=sinter.CSV_HEADER)
    payload = result.to_json()
    payload["circuit"] = path.name
    payload["noise_scale"] = scale_noise
    if predicate is not None:
        payload["postselected_detectors_predicate"] = predicate
    payload.pop("custom_counts", None)
    if as_json:
        click.echo(json.dumps(payload))
    else:
        click.echo(
            f"{method}: LER {result.ler:.4g}  [{result.ler_low:.4g}, {result.ler_high:.4g}]  "
            f"kept {result.kept_fraction:.4g}  cpu {result.cpu_seconds:.1f}s"
        )
        for name, part in payload.get("parts", {}).items():
            click.echo(
                f"  {name} (faults {part['weights']}): {part['ler']:.4g}  "
                f"[{part['ler_low']:.4g}, {part['ler_high']:.4g}]  {part['method']}"
            )
        if "dominant_uncertainty" in payload:
            click.echo(f"  widest range: {payload['dominant_uncertainty']}")


if __name__ == "__main__":
    main()
