"""Sweeps with the splitting estimator: independent subset-simulation runs per task, kept as JSON lines.

A spec with ``estimator = "splitting"`` (or ``ftq sweep run SPEC --estimator splitting``) runs, for every task
of the grid (circuit point × decoder, the sinter task of :func:`ftq.sweeps.make_tasks`), ``runs`` independent
runs of :func:`ftq.splitting.subset_simulation` with the parameters of its ``[splitting]`` table, and appends
each finished run as one line to ``splitting.jsonl`` beside the sweep's ``stats.csv``::

    {"strong_id": ..., "json_metadata": {...}, "seed": ..., "parameters": {errors, samples, p0, rho, ray,
     stop_score}, "run": SplittingRun.to_json()}

The strong id is the sinter task's, so the decoder's version is part of a task's identity, as for sampled
rows. With ``floor_weight = w > 0`` the postselected floor (:func:`ftq.enumeration.postselected_floor`, the
mode the chains cannot reach) is enumerated once per task and kept as one line
``{"strong_id": ..., "json_metadata": {...}, "floor": {"max_weight": w, "mass": ..., "by_weight": [...]}}``
(``mass`` per attempt). A rerun resumes: runs already in the file with the same strong id *and* the same
parameters count towards ``runs``; runs with other parameters are kept (and read back) but not counted.
Seeds are drawn from the OS's entropy and recorded. Lines are appended whole under the sweep's lock
(:func:`ftq.files.output_lock`, :func:`ftq.files.append_lines`), so an interrupted sweep loses only its
unfinished runs and a second sweep on the same folder is refused.

>>> import tempfile, pathlib, stim
>>> from ftq.sampling import StagedSampler
>>> from ftq.sweeps import load_spec
>>> d = pathlib.Path(tempfile.mkdtemp()) / "toy"
>>> d.mkdir()
>>> stim.Circuit("X_ERROR(0.1) 0\\nM 0\\nOBSERVABLE_INCLUDE(0) rec[-1]").to_file(d / "toy.stim")
>>> _ = (d / "toy.toml").write_text('circuit = "toy.stim"\\np = 0.1\\ndecoder = "perfectionist"\\n'
...     'estimator = "splitting"\\n[splitting]\\nruns = 2\\nerrors = 20\\nsamples = 50\\nray = [1.0]\\n')
>>> tasks = run_splitting_sweep(load_spec(d / "toy.toml"), samplers={"perfectionist": StagedSampler()},
...                             progress=False)
>>> [len(t.runs) for t in tasks], sorted(read_splitting(d / "splitting.jsonl")) == [tasks[0].strong_id]
([2], True)
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import pathlib
import secrets
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

import numpy as np
import sinter
import stim

from ftq.errors import InputError
from ftq.files import append_lines, make_folder, output_lock
from ftq.splitting import (
    FrontPoint,
    SplittingRun,
    _kept_mass,
    front,
    soft_output_count,
    soft_values,
    subset_simulation,
)
from ftq.strata import StratifiedRun, postselected_strata

#: The file of runs, beside the sweep's ``stats.csv``.
FILENAME = "splitting.jsonl"

#: Most 1 dB steps along the ray a front is drawn over (a decoder whose soft outputs are all infinite has
#: no end otherwise).
MAX_CUT = 1000


@dataclasses.dataclass(frozen=True)
class SplittingTask:
    """The runs of one task read back from ``splitting.jsonl``: its strong id and metadata, the runs (all
    parameters) and the floor line with the deepest enumeration (or None)."""

    strong_id: str
    json_metadata: dict
    runs: tuple[SplittingRun, ...]
    floor: dict | None


def _read_records(path: pathlib.Path) -> list[dict]:
    """Every line of a ``splitting.jsonl`` as a dict; :class:`InputError` naming a torn or foreign line."""
    if not path.exists():
        return []
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{str(path)!r} could not be read ({e.strerror or e}).") from None
    if data and not data.endswith(b"\n"):
        raise InputError(
            f"{str(path)!r} ends in a partial line (a write was cut short); delete its last line and run again."
        )
    out = []
    for number, line in enumerate(data.decode("utf8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            rec = None
        if not isinstance(rec, dict) or "strong_id" not in rec or not ("run" in rec or "floor" in rec):
            raise InputError(
                f"{str(path)!r} line {number} is not a splitting run or floor record; delete or repair it."
            )
        out.append(rec)
    return out


def read_splitting(path: str | os.PathLike) -> dict[str, tuple[dict, list[SplittingRun], dict | None]]:
    """The runs of a ``splitting.jsonl`` by task: ``strong_id -> (json_metadata, runs, floor or None)``.

    Runs of every parameter set are returned (each is an unbiased estimate of the same masses); the floor is
    the line enumerated deepest. :class:`InputError` for a missing file or a torn or foreign line.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "splitting.jsonl"
    >>> _ = p.write_text('{"strong_id": "a", "json_metadata": {"p": 0.1}, "floor": {"max_weight": 2, '
    ...                  '"mass": 1e-9, "by_weight": [0.0, 1e-9]}}\\n')
    >>> read_splitting(p)["a"]
    ({'p': 0.1}, [], {'max_weight': 2, 'mass': 1e-09, 'by_weight': [0.0, 1e-09]})
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise InputError(f"{str(path)!r} does not exist.")
    out: dict[str, tuple[dict, list[SplittingRun], dict | None]] = {}
    for rec in _read_records(path):
        meta, runs, floor = out.get(rec["strong_id"], (rec.get("json_metadata") or {}, [], None))
        if "run" in rec:
            try:
                run = rec["run"]
                runs.append(StratifiedRun.from_json(run) if "strata" in run else SplittingRun.from_json(run))
            except (KeyError, TypeError, ValueError) as e:
                raise InputError(f"{str(path)!r} holds a run that cannot be read ({e!r}).") from None
        if "floor" in rec and (floor is None or rec["floor"]["max_weight"] > floor["max_weight"]):
            floor = rec["floor"]
        out[rec["strong_id"]] = (meta or rec.get("json_metadata") or {}, runs, floor)
    return out


def floor_record(circuit: stim.Circuit, *, max_weight: int) -> dict:
    """The postselected floor of ``circuit`` enumerated to ``max_weight``, per attempt, as stored.

    >>> c = stim.Circuit('''
    ...     X_ERROR(0.01) 0 1
    ...     CX 0 2 1 2
    ...     M 2 0
    ...     DETECTOR(0, 0, 0, 0, 1, 1) rec[-2]
    ...     M 2
    ...     DETECTOR(0, 0, 1, 1, 0, 1) rec[-1] rec[-3]
    ...     OBSERVABLE_INCLUDE(0) rec[-2]''')
    >>> r = floor_record(c, max_weight=2)
    >>> r["max_weight"], r["mass"] > 0, len(r["by_weight"])
    (2, True, 3)
    """
    from ftq.enumeration import postselected_floor

    r = postselected_floor(circuit, max_weight=max_weight)
    scale = math.exp(r.log_no_fault)
    return {
        "max_weight": max_weight,
        "mass": scale * float(r.sum_logical.sum()),
        "by_weight": [scale * float(v) for v in r.sum_logical],
    }


def ray_cuts(runs: Sequence[SplittingRun], *, ray: Sequence[float] | None = None) -> list[tuple[float, ...]]:
    """Cuts along the ray: the first soft output's cut ``c = 0, 1, 2, …`` dB, each other one
    ``round(ray[j] / ray[0] · c)``, up to the first cut at which no level-0 shot is kept (or, when soft outputs
    are infinite, the first cut past every finite soft output; at most :data:`MAX_CUT` steps).

    >>> r = SplittingRun(10, 4, 1, (1.0, 0.5), (), np.array([[2.0, 1.0], [3.0, 2.0]]), np.array([3, 1]), 0, 0.0)
    >>> ray_cuts([r])
    [(0.0, 0.0), (1.0, 0.0), (2.0, 1.0), (3.0, 2.0), (4.0, 2.0)]
    """
    ray = np.asarray(runs[0].ray if ray is None else ray, dtype=float)
    finite = [v[np.isfinite(v)] for r in runs for v in soft_values(r)]
    top = max((float(v.max()) for v in finite if v.size), default=0.0)
    out = []
    for c in range(MAX_CUT + 1):
        cut = tuple(float(c) if j == 0 else float(round(ray[j] / ray[0] * c)) for j in range(len(ray)))
        out.append(cut)
        if sum(_kept_mass(r, cut) for r in runs) == 0 or min(cut) > top:
            break
    return out


def estimated_front(runs: Sequence, *, floor: Mapping | None = None) -> list[FrontPoint]:
    """The front of a task's runs at :func:`ray_cuts` (its ray from the first run), with the stored floor
    (``floor["mass"]``, per attempt) added at each cut in proportion to its kept shots (:func:`front`).
    When some runs are stratified (:class:`ftq.strata.StratifiedRun`) only those are used: the two kinds
    estimate the same masses with different variances and are not pooled; the floor's sets as heavy as a
    stratum are in the strata already and are not added again (:func:`floor_beyond`)."""
    stratified = [r for r in runs if isinstance(r, StratifiedRun)]
    runs = stratified or list(runs)
    return front(runs, ray_cuts(runs), floor=floor_beyond(floor, runs))


def interval_label(runs: Sequence) -> str:
    """What the intervals of :func:`estimated_front` are: Student-t over runs for the error mass, with
    Clopper-Pearson (plain runs) or Student-t (stratified runs) for the kept fraction.

    >>> interval_label([])
    '95% t + CP'
    """
    return "95% t + t, strata" if any(isinstance(r, StratifiedRun) for r in runs) else "95% t + CP"


def floor_beyond(floor: Mapping | None, runs: Sequence) -> float:
    """The stored floor's mass per attempt that the runs do not hold: all of it for plain runs, its sets
    heavier than the heaviest stratum for stratified ones (lighter floor sets lie inside the strata).

    >>> floor_beyond({"max_weight": 4, "mass": 3.0, "by_weight": [0.0, 0.0, 0.0, 1.0, 2.0]}, [])
    3.0
    """
    if not floor:
        return 0.0
    heaviest = max((max(r.weights) for r in runs if isinstance(r, StratifiedRun)), default=None)
    if heaviest is None:
        return float(floor["mass"])
    return float(sum(floor["by_weight"][heaviest + 1 :]))


def shown(points: Sequence[FrontPoint]) -> list[FrontPoint]:
    """The points of a front worth showing: something kept, and an interval with a finite, non-zero upper end.

    Past the deepest level of every run all runs estimate 0 and the t-interval collapses to [0, 0]: that is
    no evidence of a zero rate, so those cuts are left out (as are cuts that keep nothing).
    """
    return [p for p in points if p.kept_fraction > 0 and 0 < p.ler_high < math.inf]


def summary_lines(tasks: Sequence[SplittingTask], *, max_points: int = 8) -> list[str]:
    """Per task: runs and CPU time, then the front at about ``max_points`` cuts along the ray.

    >>> summary_lines([SplittingTask("a", {"p": 0.1}, (), None)])
    ['{"p": 0.1}: 0 runs, 0 s CPU time (fewer than two runs: no interval)']
    """
    from ftq.plotting import _thin
    from ftq.progress import _duration

    lines = []
    for t in tasks:
        cpu = _duration(sum(r.seconds for r in t.runs))
        floor = (
            f", floor {t.floor['mass']:.3g} per attempt (weight ≤ {t.floor['max_weight']})" if t.floor else ""
        )
        head = f"{json.dumps(t.json_metadata, sort_keys=True)}: {len(t.runs)} runs, {cpu} CPU time{floor}"
        if len(t.runs) < 2:
            lines.append(head + " (fewer than two runs: no interval)")
            continue
        lines.append(head)
        for pt in _thin(shown(estimated_front(t.runs, floor=t.floor)), max_points):
            cut = "|".join(f"{c:g}" for c in pt.cut)
            lines.append(
                f"  cut {cut} dB: {pt.attempts_per_kept:.4g} attempts/kept, LER {pt.ler:.3g} "
                f"[{pt.ler_low:.3g}, {pt.ler_high:.3g}] ({interval_label(t.runs)})"
            )
    return lines


class _Progress:
    """``splitting: done/target runs, CPU time`` on one redrawn stderr line."""

    def __init__(self, *, done: int, target: int, out: TextIO, enabled: bool):
        self.done, self.target, self.out, self.enabled = done, target, out, enabled
        self.cpu = 0.0

    def add(self, seconds: float) -> None:
        self.done += 1
        self.cpu += seconds
        self.show()

    def show(self) -> None:
        from ftq.progress import _duration

        if self.enabled:
            print(
                f"\rsplitting: {self.done}/{self.target} runs, {_duration(self.cpu)} CPU time   ",
                end="",
                file=self.out,
                flush=True,
            )

    def close(self) -> None:
        if self.enabled:
            print(file=self.out, flush=True)


#: A worker process's circuits and predictors by task, each built once.
_BUILT: dict[str, tuple[stim.Circuit, object]] = {}


def _worker_run(
    sampler: sinter.Sampler, strong_id: str, circuit_text: str, parameters: dict, seed: int
) -> dict:
    """One run in a worker process (the task's predictor built on its first run there)."""
    if strong_id not in _BUILT:
        circuit = stim.Circuit(circuit_text)
        _BUILT[strong_id] = (circuit, sampler.predictor_factory(circuit))
    circuit, predictor = _BUILT[strong_id]
    return _one_run(circuit, predictor, parameters, seed).to_json()


#: Postselected-stage strata by circuit text and heaviest weight, each listed once per process.
_STRATA: dict[tuple[str, int], list] = {}


def _one_run(
    circuit: stim.Circuit, predictor, parameters: Mapping, seed: int
) -> SplittingRun | StratifiedRun:
    """One run: plain, or (with ``strata`` in the parameters) one part per postselected-stage stratum, each
    part seeded from ``seed`` and its stratum's weight."""

    def part(stratum, part_seed: int) -> SplittingRun:
        return subset_simulation(
            circuit,
            predictor,
            errors=parameters["errors"],
            samples=parameters["samples"],
            p0=parameters["p0"],
            rho=parameters["rho"],
            ray=parameters["ray"],
            stop_score=parameters["stop_score"],
            stratum=stratum,
            seed=part_seed,
            max_attempts=int(parameters.get("max_attempts", 10**10)),
        )

    heaviest = int(parameters.get("strata", 0))
    if not heaviest:
        return part(None, seed)
    key = (str(circuit), heaviest)
    if key not in _STRATA:
        _STRATA[key] = postselected_strata(circuit, max_weight=heaviest)
    strata = _STRATA[key]
    seeds = np.random.SeedSequence(seed).spawn(len(strata))
    return StratifiedRun(
        tuple(st.weight for st in strata),
        tuple(st.mass for st in strata),
        tuple(part(st, int(s.generate_state(1)[0])) for st, s in zip(strata, seeds, strict=True)),
    )


def run_splitting_sweep(
    spec,
    *,
    samplers: Mapping[str, sinter.Sampler] | None = None,
    workers: int = 1,
    progress: bool = True,
    out: TextIO | None = None,
) -> list[SplittingTask]:
    """Run (or resume) every task of ``spec`` until it has ``spec.splitting.runs`` runs of its parameters,
    appending to :attr:`ftq.sweeps.SweepSpec.splitting_path`; returns each task's runs as read back.

    ``samplers`` by decoder name default to the registered decoders; a sampler must have a
    ``predictor_factory`` (:class:`ftq.sampling.StagedSampler`). With ``workers > 1`` runs go to that many
    spawned processes (each builds a task's predictor once). Bad input (a ray whose length is not the
    decoder's number of soft outputs, a torn file, a second sweep on the folder) raises :class:`InputError`
    before anything is written.
    """
    from ftq.decoders import load_decoder
    from ftq.sweeps import MAX_WORKERS, make_tasks

    if not 1 <= workers <= MAX_WORKERS:
        raise InputError(f"workers={workers} must lie in 1..{MAX_WORKERS}.")
    path = spec.splitting_path
    _read_records(path)  # a torn or foreign file is refused before any work
    tasks = make_tasks(spec)
    if samplers is None:
        samplers = {spec.decoder: load_decoder(spec.decoder).sampler}
    sampler = samplers.get(spec.decoder)
    if sampler is None or not callable(getattr(sampler, "predictor_factory", None)):
        raise InputError(
            f"decoder {spec.decoder!r} has no predictor for the splitting estimator "
            "(its sampler needs a predictor_factory, as ftq.sampling.StagedSampler)."
        )
    make_folder(path)
    with output_lock(spec.stats_path):  # the sweep's lock: one writer per folder
        return _run_locked(
            spec, tasks, sampler, workers=workers, progress=progress, out=sys.stderr if out is None else out
        )


def _run_locked(
    spec, tasks: list[sinter.Task], sampler, *, workers: int, progress: bool, out
) -> list[SplittingTask]:
    path = spec.splitting_path
    options = spec.splitting
    params = options.parameters()
    records = _read_records(path)  # read again under the lock
    have = {t.strong_id(): 0 for t in tasks}
    floors = set()
    for rec in records:
        sid = rec["strong_id"]
        if sid in have and "run" in rec and rec.get("parameters") == params:
            have[sid] += 1
        if "floor" in rec:
            floors.add((sid, rec["floor"].get("max_weight")))
    # the predictors are built (and the ray checked against them) before anything is written
    predictors = {}
    for t in tasks:
        width = None
        if have[t.strong_id()] < options.runs:
            predictors[t.strong_id()] = sampler.predictor_factory(t.circuit)
            width = soft_output_count(t.circuit, predictors[t.strong_id()])
        if width is not None and width != len(options.ray):
            raise InputError(
                f"splitting key 'ray' has {len(options.ray)} weights {list(options.ray)} but decoder "
                f"{spec.decoder!r} gives {width} soft output(s) on {json.dumps(t.json_metadata)}; "
                f"give {width} positive weights."
            )
    for t in tasks:
        if options.floor_weight and (t.strong_id(), options.floor_weight) not in floors:
            line = {
                "strong_id": t.strong_id(),
                "json_metadata": t.json_metadata,
                "floor": floor_record(t.circuit, max_weight=options.floor_weight),
            }
            append_lines(path, [json.dumps(line)], header=None)
    jobs = [
        (t, secrets.randbits(63)) for t in tasks for _ in range(max(0, options.runs - have[t.strong_id()]))
    ]
    bar = _Progress(
        done=sum(min(n, options.runs) for n in have.values()),
        target=options.runs * len(tasks),
        out=out,
        enabled=progress,
    )
    bar.show()

    def record(task: sinter.Task, seed: int, run: dict) -> None:
        line = {
            "strong_id": task.strong_id(),
            "json_metadata": task.json_metadata,
            "seed": seed,
            "parameters": params,
            "run": run,
        }
        append_lines(path, [json.dumps(line)], header=None)
        bar.add(float(run["seconds"]))

    from ftq.sweeps import _terminate_as_interrupt

    with _terminate_as_interrupt():
        if workers == 1 or len(jobs) <= 1:
            for task, seed in jobs:
                run = _one_run(task.circuit, predictors[task.strong_id()], params, seed)
                record(task, seed, run.to_json())
        else:
            _run_parallel(jobs, sampler, params, workers=workers, record=record)
    bar.close()
    found = read_splitting(path) if path.exists() else {}
    return [
        SplittingTask(t.strong_id(), t.json_metadata, tuple(found[t.strong_id()][1]), found[t.strong_id()][2])
        for t in tasks
        if t.strong_id() in found
    ]


def _run_parallel(jobs, sampler, params: dict, *, workers: int, record) -> None:
    """Runs in ``workers`` spawned processes; each finished run is recorded (in the order they finish)."""
    import concurrent.futures
    import multiprocessing

    from ftq.sweeps import _die_with_parent

    texts = {t.strong_id(): str(t.circuit) for t, _ in jobs}
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        futures = {
            pool.submit(_worker_run, sampler, t.strong_id(), texts[t.strong_id()], params, seed): (t, seed)
            for t, seed in jobs
        }
        for fut in concurrent.futures.as_completed(futures):
            task, seed = futures[fut]
            record(task, seed, fut.result())
    except BaseException:
        processes = list(getattr(pool, "_processes", None) or {})  # pids: unfinished runs are abandoned
        pool.shutdown(wait=False, cancel_futures=True)
        for pid in processes:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        raise
    pool.shutdown(wait=True)
