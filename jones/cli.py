"""The ``ftq jones`` command group: Jones polynomial at t = e^{2πi/5} (exact, tensor networks, hardware).

Registered in ``pyproject.toml`` under ``[project.entry-points."ftq.commands"]``; ``ftq`` mounts it. Imports of
the library happen inside the commands, so ``ftq --help`` stays fast.

Example::

    ftq jones value "1,1,1" --method exact
"""

from __future__ import annotations

import json
import os
import re

import click

_WORD_LIKE = re.compile(r"\[?\s*-(?!-)")  # one leading dash: a braid word (or a malformed one), not an option


class BraidCommand(click.Command):
    """A command whose one positional argument is a braid word that may start with a minus sign.

    KnotInfo's words often start with a negative generator (``-1,2,-1,2``); click would read it as an
    unknown option. Before parsing, the first argument that starts with a single dash, is not one of the
    command's options and is not an option's value, is moved behind ``--`` at the end (the braid is the only
    positional argument), so a malformed one (``-+1``) is refused by the braid parser in one sentence.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {
            name
            for p in self.params
            if isinstance(p, click.Option) and not p.is_flag and not p.count
            for name in p.opts + p.secondary_opts
        }
        known = {name for p in self.params for name in p.opts + p.secondary_opts} | {"--help"}
        rest = list(args)
        for k, arg in enumerate(rest):
            if arg == "--":
                break
            after_option = k > 0 and rest[k - 1] in takes_value
            if not after_option and arg not in known and _WORD_LIKE.match(arg):
                rest = rest[:k] + rest[k + 1 :] + ["--", arg]
                break
        return super().parse_args(ctx, rest)


def _check_seed(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """Refuse seeds numpy and the emulators cannot take, as one sentence (not a traceback)."""
    from ftq.errors import InputError

    if value is not None and not 0 <= value < 2**63:
        raise InputError(f"--seed {value} is not an integer from 0 to 2^63 - 1.")
    return value


@click.group()
def jones() -> None:
    """Jones polynomial at t = e^{2πi/5}: exact values, tensor networks, Quantinuum hardware."""


@jones.command("value", cls=BraidCommand)
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
      ftq jones value -1,2,-1,2 --method tensornet     # a leading minus is a braid word
      ftq jones value anchor --method tensornet         # the anchor's hardware braid (also: demo)
    """
    braid = _jones_braid(braid_word, strands)

    def on_cost(log10_flops: float, width: float) -> None:
        if not as_json:  # the cost is known, and shown, before contracting
            click.echo(f"contraction cost: 10^{log10_flops:.2f} flops, width {width:.0f}; contracting …")

    from jones.evaluate import evaluate

    out = evaluate(braid, closure=closure, method=method, on_cost=on_cost).to_json()
    if as_json:
        click.echo(json.dumps(out))
        return
    if "re_decimal" in out and (out["re"] is None or max(abs(out["re"]), abs(out["im"])) >= 1e9):
        shown = f"{out['re_decimal']} {'' if out['im_decimal'].startswith('-') else '+'}{out['im_decimal']}i"
    else:
        shown = f"{out['re']:+.9f} {out['im']:+.9f}i"
    line = f"V = {shown}   ({method}, {closure}, {braid.strands} strands, "
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
    from jones.evaluate import METHODS, evaluate
    from jones.knotinfo import knot

    record = knot(name)
    braid = record.braid
    listed = record.jones()
    rows = [evaluate(braid, closure="markov", method=m).to_json() for m in METHODS]
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
    """Parse BRAID; two words name braids: ``demo`` (the project's 15-strand, 114-crossing R·C·R⁻¹ braid of
    jones.benchmark) and ``anchor`` (the anchor's 15-strand, 114-crossing hardware braid, jones.reference)."""
    from jones.braids import Braid

    word = braid_word.strip().lower()
    if word == "demo":
        from jones.benchmark import demo_braid

        return demo_braid()
    if word == "anchor":
        from jones.reference import anchor_braid

        return anchor_braid()
    return Braid.parse(braid_word, strands=strands)


def _device_qubits(device: str) -> int | None:
    """The device's qubit count from pytket-quantinuum's offline machine data (None if it is not listed)."""
    from pytket.extensions.quantinuum.backends.api_wrappers import QuantinuumAPIOffline

    for machine in QuantinuumAPIOffline().get_machine_list():
        if machine.get("name") == device:
            return int(machine["n_qubits"])
    return None


@jones.command("compile", cls=BraidCommand)
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
@click.option(
    "--design",
    type=click.Choice(["part", "interleaved"]),
    default="part",
    show_default=True,
    help="One part (re), or the anchor's four parts (braid/mirror × re/im) interleaved in every shot.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def jones_compile_cmd(
    braid_word: str,
    closure: str,
    device: str,
    level: int,
    shots: int,
    strands: int | None,
    design: str,
    as_json: bool,
) -> None:
    """Compile the Hadamard test of a braid offline for Quantinuum H2 and report its cost.

    Reports qubits, 1q/2q gate counts (conditional gates included), depth and HQC for one part (re or
    im) at the given shots; the Markov closure includes on-device string sampling and conditional CNOTs.

    \b
    Examples:
      ftq jones compile "1,1,1" --device H2-1 --json
      ftq jones compile demo --device H2-2 --shots 4000   # the 15-strand, 114-crossing demo braid
      ftq jones compile anchor --device H2-2 --design interleaved --json   # the anchor's 4-part run
    """
    from jones.circuits import hadamard_test
    from jones.quantinuum import compile_report

    braid = _jones_braid(braid_word, strands)
    capacity = _device_qubits(device)
    if capacity is not None and braid.strands + 1 > capacity:
        from ftq.errors import InputError

        raise InputError(
            f"{braid.strands} strands need {braid.strands + 1} qubits but {device} has {capacity}; "
            f"use at most {capacity - 1} strands."
        )
    if design == "interleaved":
        from jones.interleaved import interleaved_compile_report, interleaved_test

        rep = interleaved_compile_report(
            interleaved_test(braid, closure=closure), device=device, optimisation_level=level, shots=shots
        )
        if as_json:
            click.echo(json.dumps(rep))
            return
        click.echo(
            f"{device} level {level}, 4 parts interleaved: {rep['qubits']} qubits, {rep['two_qubit_gates']} 2q gates "
            f"({rep['braid_two_qubit_gates']} in {rep['runs']} runs), {rep['one_qubit_gates']} 1q gates, "
            f"{rep['measurements']} measurements, {rep['resets']} resets, depth {rep['depth']}, "
            f"HQC {rep['hqc']:.1f} at {shots} shots (all four parts)"
        )
        return
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
@click.option("--seed", type=int, default=0, show_default=True, callback=_check_seed)
@click.option("--strands", type=int, default=None, help="Strand count (default: max |generator| + 1).")
@click.option("--mitigate", is_flag=True, help="Also run echo rescaling and mirror symmetrisation.")
@click.option(
    "--design",
    type=click.Choice(["part", "interleaved"]),
    default="part",
    show_default=True,
    help="Separate re/im circuits, or the four parts interleaved in every shot (shot-level conjugate trick).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def jones_estimate_cmd(
    braid_word: str,
    closure: str,
    backend: str,
    shots: int,
    seed: int,
    strands: int | None,
    mitigate: bool,
    design: str,
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
      ftq jones estimate anchor --backend noisy --shots 4000 --design interleaved --json
    """
    from jones.circuits import exact_value, shots_for_error
    from jones.mitigation import mitigated_estimate, run_parts

    braid = _jones_braid(braid_word, strands)
    if design == "interleaved":
        from jones.interleaved import interleaved_test, run_interleaved
        from jones.mitigation import interleaved_estimate

        data = run_interleaved(
            interleaved_test(braid, closure=closure), shots=shots, backend=backend, seed=seed
        )
        rep = interleaved_estimate(braid, data, closure=closure, seed=seed)
        if as_json:
            click.echo(json.dumps(rep))
            return
        click.echo(
            f"exact {rep['exact_re']:+.6f} {rep['exact_im']:+.6f}i   ({backend}, {shots} shots, four parts per "
            f"shot, kept {rep['kept_fraction']:.3f})"
        )
        for name, m in rep["methods"].items():
            click.echo(
                f"  {name:<17} {m['re']:+.6f} {m['im']:+.6f}i  rel. error {m['rel_error']:.3f} "
                f"± {m['rel_error_boot_sd']:.3f} (1σ bootstrap)"
            )
        return
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


def _echo_rows(rows: list[dict], *, as_json: bool, header: str, line: str) -> None:
    """Print ``rows`` as one JSON list, or as a table: ``header`` then ``line.format(**row)`` per row."""
    if as_json:
        click.echo(json.dumps(rows))
        return
    click.echo(header)
    for row in rows:
        click.echo(line.format(**row))


def _job_dict(job) -> dict:
    from jones.jobstore import describe_status

    return {
        "id": job.id,
        "name": job.name,
        "braid": job.braid,
        "strands": job.strands,
        "closure": job.closure,
        "part": job.part,
        "device": job.device,
        "shots": job.shots,
        "status": job.status,
        "state": describe_status(job.status),
        "handle": job.handle,
        "message": job.message,
        "hqc": job.hqc,
        "max_hqc": job.max_hqc,
        "batch": job.batch,
    }


def _echo_jobs(jobs: list[dict], *, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(jobs))
        return
    for j in jobs:
        msg = f" — {j['message']}" if j["message"] else ""
        click.echo(f"job {j['id']}: {j['part']} on {j['device']}, {j['shots']} shots: {j['state']}{msg}")


_STORE_HELP = "Job store (SQLite) path (default: $FTQ_JONES_JOBS or ~/.ftq/jones-jobs.sqlite)."


@jones.command("submit")
@click.argument("braid_word", metavar="BRAID")
@click.option("--closure", type=click.Choice(["markov", "plat"]), default="markov", show_default=True)
@click.option(
    "--device",
    default="H2-2",
    show_default=True,
    help="H2-1, H2-2, an emulator (H2-1E, H2-2E, H2-Emulator; any Quantinuum target pytket-quantinuum lists), "
    "or a local emulator: local-noiseless, local-noisy (sparse, H2-2 noise), local-pecos (Quantinuum's PECOS "
    "with H2-2's noise figures).",
)
@click.option(
    "--shots",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Shots per part (H2: ≤ 10,000).",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed (local devices), ≥ 0.", callback=_check_seed
)
@click.option("--part", type=click.Choice(["re", "im", "both"]), default="both", show_default=True)
@click.option("--strands", type=int, default=None, help="Strand count (default: max |generator| + 1).")
@click.option(
    "--max-hqc",
    type=float,
    default=None,
    help="Cost cap per part in HQC: checked offline before anything is sent, and passed to Nexus as max_cost.",
)
@click.option("--store", type=click.Path(), default=None, help=_STORE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of the jobs.")
def jones_submit_cmd(
    braid_word: str,
    closure: str,
    device: str,
    shots: int,
    seed: int,
    part: str,
    strands: int | None,
    max_hqc: float | None,
    store: str | None,
    as_json: bool,
) -> None:
    """Record the Hadamard-test jobs in the local job store, then send them (Quantinuum through qnexus).

    Everything is checked offline first (device, qubits, shots, cost against --max-hqc); jobs are written
    before sending. Real submission to Nexus needs the opt-in FTQ_JONES_NEXUS=1 (and a `qnx login`);
    otherwise, or without network, jobs stay "not sent" with a one-sentence reason and `ftq jones resend ID`
    sends them later. Local devices run at once.

    \b
    Examples:
      FTQ_JONES_NEXUS=1 ftq jones submit "1,1,1" --device H2-1E --shots 100 --max-hqc 20
      ftq jones submit "1,1,1" --device local-noisy --shots 2000 --json
      ftq jones submit "1,1,1" --device local-pecos --shots 2000   # Quantinuum's emulator, locally
    """
    from ftq.progress import BudgetLine
    from jones.jobstore import LOCAL_DEVICES, JobStore

    js = JobStore(store)
    parts = ("re", "im") if part == "both" else (part,)
    local = device in LOCAL_DEVICES  # a local emulation runs here and now: show that it is alive
    with BudgetLine(label=f"emulating {len(parts)} part(s) on {device}", budget=None,
                    enabled=False if as_json or not local else None):  # fmt: skip
        ids = js.submit(_jones_braid(braid_word, strands), closure=closure, device=device, shots=shots,
                        seed=seed, parts=parts, max_hqc=max_hqc)  # fmt: skip
    _echo_jobs([_job_dict(js.get(i)) for i in ids], as_json=as_json)


@jones.command("resend")
@click.argument("job_id", type=int)
@click.option("--store", type=click.Path(), default=None, help=_STORE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list with the job.")
def jones_resend_cmd(job_id: int, store: str | None, as_json: bool) -> None:
    """Send a stored job again: one not sent, one whose send was interrupted (looked up on Nexus by name
    first, so it is never sent twice), or one Nexus ended without results (error, cancelled, terminated,
    depleted: sent under a new name). Needs FTQ_JONES_NEXUS=1 like submit.

    \b
    Example:
      FTQ_JONES_NEXUS=1 ftq jones resend 3
    """
    from jones.jobstore import JobStore

    js = JobStore(store, create=False)
    _echo_jobs([_job_dict(js.resend(job_id))], as_json=as_json)


@jones.command("jobs")
@click.option("--store", type=click.Path(), default=None, help=_STORE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def jones_jobs_cmd(store: str | None, as_json: bool) -> None:
    """List the jobs in the local job store (read only: nothing is fetched, no store is created).

    \b
    Example:
      ftq jones jobs --json
    """
    from jones.jobstore import JobStore, default_store_path

    path = store if store is not None else default_store_path()
    jobs = [] if not os.path.lexists(path) else [_job_dict(j) for j in JobStore(path, create=False).list()]
    _echo_rows(
        jobs,
        as_json=as_json,
        header=f"{'id':>4} {'status':<10} {'device':<16} {'part':<4} {'shots':>6}  braid",
        line="{id:>4} {status:<10} {device:<16} {part:<4} {shots:>6}  {braid}",
    )
    if not as_json:
        for j in jobs:
            if j["message"]:
                click.echo(f"job {j['id']}: {j['state']} — {j['message']}")


@jones.command("results")
@click.argument("job_id", type=int)
@click.option("--store", type=click.Path(), default=None, help=_STORE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def jones_results_cmd(job_id: int, store: str | None, as_json: bool) -> None:
    """Fetch a job's state and results, and its other part's (idempotent); evaluate the part, and V once
    both parts are in. A send interrupted by a crash is settled here by looking the job up on Nexus by name.

    \b
    Example:
      ftq jones results 1 --json
    """
    from jones.circuits import combine_parts, estimate_part, exact_value, shot_values
    from jones.jobstore import JobStore

    js = JobStore(store, create=False)
    job = js.fetch(job_id)
    out: dict = {"job": _job_dict(job)}
    parts = {}
    for sib in js.batch(job.batch):
        sib = js.fetch(sib.id) if sib.id != job.id else job  # the other part is brought in too
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
    click.echo(f"job {job.id}: {out['job']['state']}{msg}")
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
@click.option("--seed", type=int, default=0, show_default=True, callback=_check_seed)
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
    from jones.benchmark import plot_benchmark, run_benchmark

    base = _jones_braid(base_word, strands)
    rows = run_benchmark(family_name, base=base, size=size, backend=backend, shots=shots, seed=seed)
    path = plot_benchmark(rows, out_path or f"sweeps/jones/benchmark_{family_name}.png")
    _echo_rows(
        rows,
        as_json=as_json,
        header=f"{'label':<8} {'2q':>5} {'raw':>8} {'postsel':>8} {'rescaled':>8} {'symm':>8}",
        line="{label:<8} {two_qubit_gates:>5} {raw_error:>8.4f} {postselected_error:>8.4f} "
        "{rescaled_error:>8.4f} {symmetrised_error:>8.4f}",
    )
    if as_json:
        return
    click.echo(f"plot: {path}")
