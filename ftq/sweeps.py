"""Sweeps: a TOML file names a grid of circuits and how long to sample them; results append to sinter CSV.

A sweep spec (``sweeps/<name>/<name>.toml``)::

    name = "rp2-d3-e2e"            # optional, default: the file's stem
    builder = "cultivation.sweeps:rp2"   # circuits from a builder (module:function, see CircuitFamily) ...
    protocol = "end2end"           # ... with the builder's own parameters (here protocol, d1, D), each a
    d1 = 3                         #     value or a list of values; the builder validates them
    D = 7
    noise = "uniform"              # a model of ftq.noise
    p = [0.001]                    # float or list, each in (0, 0.5)
    decoder = "gap"                # a registered decoder (ftq.decoders)
    max_shots = 1_000_000
    max_errors = 100
    # circuit = "../../cultivation/reference/rp2/rp_3_T_cult.stim"   # ... or a fixed circuit file (relative
    #                                      # to the spec); then noise / p (and protocol) are labels
    # stage_tau = { "0" = 1.0, "2" = 1.5, "t=2" = 1.5 }   # τ per stage segment for the volume, for circuits
    #                                                   # whose tags carry stage numbers, not stage kinds
    # postselected_detectors_predicate = "True"   # which detectors discard the shot, as sinter collect's
    #                                   # --postselected_detectors_predicate (index, coords, metadata); overrides tags
    # estimator = "splitting"        # default "sampling"; "splitting": independent subset-simulation runs per
    #                                # task into splitting.jsonl (ftq.splitting_sweep); max_shots/max_errors unused
    # [splitting]                    # its parameters, each optional (defaults shown)
    # runs = 20                      # target number of independent runs per task (≥ 2)
    # errors = 300                   # level-0 seeds (wrong kept shots) per run
    # samples = 4000                 # chain states per level
    # p0 = 0.1                       # conditional fraction per level, in (0, 1)
    # rho = 0.15                     # prior-refresh probability of a chain step, in (0, 1]
    # ray = [1.0, 0.875]             # one positive weight per soft output of the decoder
    # stop_score = 100.0             # no level beyond this score
    # strata = 0                     # 2..4: one run per postselected-stage stratum of weight 0, 2..strata
    #                                # (ftq.strata), added with their exact probabilities
    # max_attempts = 100_000_000     # with strata: most level-0 attempts per stratum (one that cannot fail: 0)
    # floor_weight = 0               # 1..7: enumerate the postselected floor to this weight, once per task

Results go to ``stats.csv`` beside the spec when the spec sits in a folder called ``<name>``, else to
``<spec folder>/<name>/stats.csv``. ``run_sweep`` uses sinter's ``save_resume_filepath``: rows already in the
file count towards ``max_shots``/``max_errors``, so an interrupted run resumes without losing or double
counting shots. With a Dask scheduler address the same tasks run on a Dask cluster in chunks; each finished
chunk is appended as one sinter CSV row under the same strong id, so both engines resume each other's work.
With ``estimator = "splitting"`` (or ``ftq sweep run SPEC --estimator splitting --runs N``) each task gets
``runs`` independent runs of :func:`ftq.splitting.subset_simulation` instead, one JSON line each in
``splitting.jsonl`` beside ``stats.csv``; runs of the same parameters already there count towards ``runs``.

Validation is strict and happens before anything touches the disk: unknown keys, wrong types and
impossible values raise :class:`ftq.errors.InputError` with one sentence.

>>> spec = parse_spec({"circuit": "c.stim", "p": 0.001, "decoder": "perfectionist", "max_shots": 9}, name="x")
>>> spec.points()
[{'circuit': 'c.stim', 'noise': 'uniform', 'p': 0.001, 'decoder': 'perfectionist'}]
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import functools
import importlib
import math
import operator
import os
import pathlib
import signal
import sys
import threading
import time
import tomllib
from collections.abc import Mapping
from typing import Protocol

import sinter
import stim

from ftq.decoders import decoder_names, load_decoder
from ftq.errors import InputError
from ftq.files import append_lines, make_folder, output_lock, write_text_atomic
from ftq.sampling import make_task, sample_shots

#: The keys the kit reads; a spec with a ``builder`` passes every other key to it as a domain parameter.
KEYS = {
    "name": str,
    "description": str,
    "builder": str,
    "protocol": str,
    "noise": str,
    "p": (float, int, list),
    "decoder": str,
    "max_shots": int,
    "max_errors": int,
    "circuit": str,
    "stage_tau": dict,
    "postselected_detectors_predicate": str,
    "estimator": str,
    "splitting": dict,
}

#: The estimators a sweep may use: plain sampling into ``stats.csv``, or subset simulation into
#: ``splitting.jsonl`` (:mod:`ftq.splitting_sweep`).
ESTIMATORS = ("sampling", "splitting")


@dataclasses.dataclass(frozen=True)
class SplittingOptions:
    """The ``[splitting]`` table of a spec: how many independent runs per task and each run's parameters
    (:func:`ftq.splitting.subset_simulation`), the heaviest postselected-stage stratum run apart (``strata``:
    0 = none, else one run per stratum of weight 0, 2..strata, :mod:`ftq.strata`), and the weight to which the
    postselected floor is enumerated (0: none).

    >>> SplittingOptions().parameters()["ray"]
    [1.0, 0.875]
    """

    runs: int = 20
    errors: int = 300
    samples: int = 4000
    p0: float = 0.1
    rho: float = 0.15
    ray: tuple[float, ...] = (1.0, 0.875)
    stop_score: float = 100.0
    max_attempts: int = 100_000_000
    strata: int = 0
    floor_weight: int = 0

    def parameters(self) -> dict:
        """The parameters of one run, as recorded with it (runs count towards a target only when these match)."""
        return {
            "errors": self.errors,
            "samples": self.samples,
            "p0": self.p0,
            "rho": self.rho,
            "ray": list(self.ray),
            "stop_score": self.stop_score,
            **({"strata": self.strata, "max_attempts": self.max_attempts} if self.strata else {}),
        }


#: Each ``[splitting]`` key: (types, check, the valid range in words).
_SPLITTING_KEYS = {
    "runs": (int, lambda v: v >= 2, "an integer ≥ 2"),
    "errors": (int, lambda v: v >= 1, "an integer ≥ 1"),
    "samples": (int, lambda v: v >= 2, "an integer ≥ 2"),
    "p0": ((int, float), lambda v: 0 < v < 1, "a number in (0, 1)"),
    "rho": ((int, float), lambda v: 0 < v <= 1, "a number in (0, 1]"),
    "ray": (
        list,
        lambda v: (
            len(v) >= 1
            and all(not isinstance(x, bool) and isinstance(x, (int, float)) and 0 < x < math.inf for x in v)
        ),
        "a non-empty list of positive numbers",
    ),
    "stop_score": ((int, float), lambda v: v > 0, "a positive number"),
    "max_attempts": (int, lambda v: v >= 1, "an integer ≥ 1"),
    "strata": (int, lambda v: v in (0, 2, 3, 4), "0 (no strata), 2, 3 or 4"),
    "floor_weight": (int, lambda v: 0 <= v <= 7, "an integer in 0..7"),
}


def parse_splitting(table: Mapping[str, object], *, runs: int | None = None) -> SplittingOptions:
    """Validate a spec's ``[splitting]`` table; ``runs`` (from the command line) overrides its ``runs``.

    >>> parse_splitting({"runs": 4, "ray": [1.0]}).ray
    (1.0,)
    >>> parse_splitting({"p0": 1.5})
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: splitting key 'p0' has value 1.5; it must be a number in (0, 1).
    """
    for key, value in table.items():
        if key not in _SPLITTING_KEYS:
            raise InputError(
                f"unknown splitting key {key!r}; valid keys are {', '.join(sorted(_SPLITTING_KEYS))}."
            )
        types, ok, words = _SPLITTING_KEYS[key]
        if isinstance(value, bool) or not isinstance(value, types) or not ok(value):
            raise InputError(f"splitting key {key!r} has value {value!r}; it must be {words}.")
    values = dict(table)
    if runs is not None:
        types, ok, words = _SPLITTING_KEYS["runs"]
        if isinstance(runs, bool) or not isinstance(runs, int) or not ok(runs):
            raise InputError(f"runs={runs!r} must be {words}.")
        values["runs"] = runs
    if "ray" in values:
        values["ray"] = tuple(float(v) for v in values["ray"])
    for key in ("p0", "rho", "stop_score"):
        if key in values:
            values[key] = float(values[key])
    return SplittingOptions(**values)


#: Most local worker processes a run may ask for (each costs hundreds of MB).
MAX_WORKERS = 1024


def check_scheduler_address(address: str) -> None:
    """Raise :class:`InputError` unless ``address`` reads as a Dask scheduler address ``scheme://host:port``.

    >>> check_scheduler_address("tcp://127.0.0.1:8786")
    >>> check_scheduler_address("garbage")
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: Dask scheduler address 'garbage' is not of the form tcp://host:port.
    """
    import re

    m = re.fullmatch(r"(tcp|tls|ws|wss|ucx|inproc)://(\S+)", address)
    port = re.fullmatch(r"([^\s/]+|\[[0-9a-fA-F:]+\]):(\d{1,5})", m.group(2)) if m else None
    if m is None or (m.group(1) != "inproc" and (port is None or not 0 < int(port.group(2)) < 65536)):
        raise InputError(f"Dask scheduler address {address!r} is not of the form tcp://host:port.")


class CircuitFamily(Protocol):
    """What a sweep ``builder = "module:function"`` returns: the domain's grid of circuits.

    ``points(params)`` validates the spec's domain parameters (the keys the kit does not read, each a value
    or a list) and returns one metadata dict per circuit, in grid order (these dicts open every task's
    ``json_metadata``, so their keys and order are part of the tasks' strong ids); bad values raise
    :class:`ftq.errors.InputError`. ``build(point, noise=, p=)`` builds the circuit of one such dict.
    """

    def points(self, params: Mapping[str, object]) -> list[dict]: ...

    def build(self, point: Mapping[str, object], *, noise: str, p: float) -> stim.Circuit: ...


def load_family(ref: str) -> CircuitFamily:
    """Call the ``module:function`` named by a spec's ``builder`` and return the family it builds.

    >>> load_family("nowhere:rp2")
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: sweep builder 'nowhere:rp2' cannot be loaded (No module named 'nowhere'); write it as module:function.
    """
    module, _, name = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), name)()
    except (ImportError, AttributeError, TypeError, ValueError) as e:
        raise InputError(
            f"sweep builder {ref!r} cannot be loaded ({e}); write it as module:function."
        ) from None


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """A validated sweep specification."""

    name: str
    protocol: str | None
    builder: str | None
    params: tuple[tuple[str, object], ...]
    noise: str
    p: tuple[float, ...]
    decoder: str
    max_shots: int | None
    max_errors: int | None
    circuit: pathlib.Path | None
    spec_path: pathlib.Path | None = None
    stage_tau: tuple[tuple[str, float], ...] = ()
    postselected_detectors_predicate: str | None = None
    estimator: str = "sampling"
    splitting: SplittingOptions = SplittingOptions()

    def points(self) -> list[dict]:
        """The grid: one json_metadata dict per task.

        >>> parse_spec({"circuit": "a.stim", "p": 0.001, "decoder": "perfectionist", "max_shots": 5}, name="x").points()[0]["circuit"]
        'a.stim'
        """
        version = load_decoder(self.decoder).metadata()
        if self.postselected_detectors_predicate is not None:
            version = version | {"postselected_detectors_predicate": self.postselected_detectors_predicate}
        if self.circuit is not None:
            label = {"protocol": self.protocol} if self.protocol else {}
            return [
                {"circuit": self.circuit.name, "noise": self.noise, "p": p, "decoder": self.decoder}
                | label
                | version
                for p in self.p
            ]
        return [
            dict(point) | {"noise": self.noise, "p": p, "decoder": self.decoder} | version
            for point in self.family().points(dict(self.params))
            for p in self.p
        ]

    def family(self) -> CircuitFamily:
        """The circuit family named by ``builder`` (:func:`load_family`)."""
        if self.builder is None:
            raise InputError(f"sweep {self.name!r} has a fixed circuit, not a builder.")
        return load_family(self.builder)

    @property
    def stats_path(self) -> pathlib.Path:
        """Where results are appended."""
        base = self.spec_path.parent if self.spec_path is not None else pathlib.Path("sweeps")
        if base.name == self.name:
            return base / "stats.csv"
        return base / self.name / "stats.csv"

    @property
    def splitting_path(self) -> pathlib.Path:
        """Where splitting runs are appended: ``splitting.jsonl`` beside :attr:`stats_path`."""
        return self.stats_path.parent / "splitting.jsonl"

    def with_estimator(self, estimator: str | None = None, *, runs: int | None = None) -> SweepSpec:
        """This spec with the command line's ``--estimator`` / ``--runs`` in place of its own keys.

        >>> spec = parse_spec({"circuit": "c.stim", "p": 0.001, "decoder": "perfectionist", "max_shots": 9}, name="x")
        >>> s = spec.with_estimator("splitting", runs=3)
        >>> s.estimator, s.splitting.runs
        ('splitting', 3)
        """
        estimator = self.estimator if estimator is None else estimator
        if estimator not in ESTIMATORS:
            raise InputError(f"estimator {estimator!r} is not one of {', '.join(ESTIMATORS)}.")
        options = self.splitting
        if runs is not None:
            options = dataclasses.replace(options, runs=parse_splitting({}, runs=runs).runs)
        if estimator == "sampling" and self.max_shots is None:
            raise InputError("a sampling sweep needs 'max_shots' (a positive integer).")
        return dataclasses.replace(self, estimator=estimator, splitting=options)


def parse_spec(data: dict, *, name: str, base_dir: pathlib.Path | None = None) -> SweepSpec:
    """Validate a spec dict (as read from TOML) and return a :class:`SweepSpec`.

    >>> parse_spec({"circuit": "c.stim", "d1": 4, "p": 0.001, "max_shots": 10}, name="x")
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: unknown sweep key 'd1'; valid keys are builder, circuit, ... (and, with a builder, its parameters).
    """
    builder = data.get("builder")
    for key, value in data.items():
        if key not in KEYS:
            if builder is not None:
                continue  # a domain parameter: the builder's points() validates it
            raise InputError(
                f"unknown sweep key {key!r}; valid keys are {', '.join(sorted(KEYS))} "
                "(and, with a builder, its parameters)."
            )
        want = KEYS[key]
        if isinstance(value, bool) or not isinstance(value, want):
            raise InputError(
                f"sweep key {key!r} has value {value!r} of the wrong type; see the sweep spec format."
            )
    name = data.get("name", name)
    if not name or not all(ch.isalnum() or ch in "-_." for ch in name) or name.startswith("."):
        raise InputError(
            f"sweep name {name!r} must be non-empty and use only letters, digits, '-', '_' and '.'."
        )
    protocol = data.get("protocol")
    circuit = data.get("circuit")
    if (builder is None) == (circuit is None):
        raise InputError(
            "a sweep needs either 'builder' (module:function) or 'circuit' (a .stim file), not both."
        )
    circuit_path = None
    if circuit is not None:
        circuit_path = pathlib.Path(circuit)
        if base_dir is not None and not circuit_path.is_absolute():
            circuit_path = base_dir / circuit_path
        if base_dir is not None and not circuit_path.is_file():
            raise InputError(f"sweep circuit file {str(circuit_path)!r} does not exist.")
    params = tuple(
        (k, v) for k, v in data.items() if k not in KEYS or (builder is not None and k == "protocol")
    )
    if builder is not None:
        load_family(builder).points(dict(params))  # validates the domain parameters now
        protocol = None
    noise = data.get("noise", "uniform")
    ps_raw = data.get("p")
    if ps_raw is None:
        raise InputError("a sweep needs 'p' (noise strength, a number in (0, 0.5) or a list of them).")
    ps = ps_raw if isinstance(ps_raw, list) else [ps_raw]
    if not ps:
        raise InputError("sweep key 'p' is an empty list; give at least one noise strength in (0, 0.5).")
    from ftq.noise import validate_noise

    for p in ps:
        if isinstance(p, bool) or not isinstance(p, (int, float)):
            raise InputError(f"sweep key 'p' has value {p!r}, which is not a number in (0, 0.5).")
        validate_noise(model=noise, p=float(p))
    if circuit is not None and len(ps) != 1:
        raise InputError(
            "a sweep with a fixed 'circuit' takes a single 'p' (the circuit's own noise strength)."
        )
    decoder = data.get("decoder")
    if decoder is None:
        raise InputError(
            f"a sweep needs 'decoder', one of the registered decoders: {', '.join(decoder_names())}."
        )
    if decoder not in decoder_names():
        raise InputError(
            f"unknown decoder {decoder!r}; registered decoders are {', '.join(decoder_names())}."
        )
    estimator = data.get("estimator", "sampling")
    if estimator not in ESTIMATORS:
        raise InputError(
            f"sweep key 'estimator' has value {estimator!r}; it must be one of {', '.join(ESTIMATORS)}."
        )
    splitting = parse_splitting(data.get("splitting", {}))
    if "max_shots" not in data and estimator == "sampling":
        raise InputError("a sweep needs 'max_shots' (a positive integer).")
    max_shots = data.get("max_shots")
    if max_shots is not None and max_shots < 1:
        raise InputError(f"max_shots={max_shots} must be a positive integer.")
    max_errors = data.get("max_errors")
    if max_errors is not None and max_errors < 1:
        raise InputError(f"max_errors={max_errors} must be a positive integer.")
    predicate = data.get("postselected_detectors_predicate")
    if predicate is not None:
        from ftq.tags import compile_predicate

        compile_predicate(predicate)  # a syntax error is refused now, before anything runs
    stage_tau = data.get("stage_tau", {})
    for label, tau in stage_tau.items():
        if isinstance(tau, bool) or not isinstance(tau, (int, float)) or not 0 <= tau <= 100:
            raise InputError(f"stage_tau[{label!r}] = {tau!r} must be a number of rounds in [0, 100].")
    return SweepSpec(
        name=name,
        protocol=protocol,
        builder=builder,
        params=params,
        noise=noise,
        p=tuple(float(p) for p in ps),
        decoder=decoder,
        max_shots=max_shots,
        max_errors=max_errors,
        circuit=circuit_path,
        stage_tau=tuple((str(k), float(v)) for k, v in stage_tau.items()),
        postselected_detectors_predicate=predicate,
        estimator=estimator,
        splitting=splitting,
    )


def load_spec(path: str | pathlib.Path) -> SweepSpec:
    """Read and validate a TOML sweep spec file.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "s.toml").write_text('circuit = "c.stim"\\np = 0.001\\ndecoder = "perfectionist"\\nmax_shots = 10\\n')
    >>> (d / "c.stim").touch()
    >>> load_spec(d / "s.toml").name
    's'
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise InputError(f"sweep spec {str(path)!r} does not exist.")
    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"sweep spec {str(path)!r} is not valid TOML ({e}).") from None
    spec = parse_spec(data, name=path.stem, base_dir=path.parent)
    return dataclasses.replace(spec, spec_path=path)


def build_circuits(spec: SweepSpec) -> list[tuple[dict, stim.Circuit]]:
    """The circuit of every grid point: the fixed file, or the builder's ``build(point, noise=, p=)``.

    >>> spec = parse_spec({"builder": "cultivation.sweeps:rp2", "protocol": "cultivation", "d1": 3, "p": 0.001,
    ...                    "decoder": "perfectionist", "max_shots": 1}, name="x")
    >>> [(m["D"], c.num_detectors) for m, c in build_circuits(spec)]
    [(None, 44)]
    """
    out = []
    if spec.circuit is not None:
        try:
            circuit = stim.Circuit.from_file(str(spec.circuit))
        except (OSError, ValueError) as e:
            raise InputError(
                f"sweep circuit {str(spec.circuit)!r} could not be read as a stim circuit ({e})."
            ) from None
        out = [(m, circuit) for m in spec.points()]
    else:
        family = spec.family()
        for m in spec.points():
            out.append((m, family.build(m, noise=m["noise"], p=m["p"])))
    if spec.postselected_detectors_predicate is not None:
        from ftq.tags import apply_postselection_predicate

        expr = spec.postselected_detectors_predicate
        out = [(m, apply_postselection_predicate(c, expr, metadata=m)) for m, c in out]
    for m, c in out:
        label = (
            f"sweep circuit {str(spec.circuit)!r}"
            if spec.circuit is not None
            else f"the circuit of sweep point {m}"
        )
        check_sampleable(c, label=label)
    return out


def check_sampleable(circuit: stim.Circuit, *, label: str) -> None:
    """Raise :class:`InputError` unless ``circuit`` has an observable and every detector carries its tag.

    Without an ``OBSERVABLE_INCLUDE`` there is no logical error to count (a run would report LER 0); without
    tags the postselected detectors cannot be told from the decoded ones.

    >>> check_sampleable(stim.Circuit("M 0\\nDETECTOR(0, 0, 0, 0, 1, 1) rec[-1]"), label="c.stim")
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: c.stim has no OBSERVABLE_INCLUDE, so it has no logical error to count; add the logical observable.
    """
    from ftq.tags import read_detector_tags

    if circuit.num_observables == 0:
        raise InputError(
            f"{label} has no OBSERVABLE_INCLUDE, so it has no logical error to count; add the logical observable."
        )
    try:
        read_detector_tags(circuit)
    except ValueError as e:
        raise InputError(
            f"{label} has detectors without tags ({e}); each DETECTOR needs coordinates "
            "(x, y, t, stage, postselected, basis)."
        ) from None


def make_tasks(spec: SweepSpec) -> list[sinter.Task]:
    """sinter tasks of a spec: tag postselection, explicit DEM (stable strong ids across engines).

    >>> spec = parse_spec({"builder": "cultivation.sweeps:rp2", "protocol": "cultivation", "d1": 3, "p": 0.001,
    ...                    "decoder": "gap", "max_shots": 1}, name="x")
    >>> make_tasks(spec)[0].json_metadata["decoder_version"] == load_decoder("gap").version
    True
    """
    tasks = []
    for meta, circuit in build_circuits(spec):
        dem = circuit.detector_error_model(decompose_errors=False, approximate_disjoint_errors=True)
        tasks.append(make_task(circuit, decoder=spec.decoder, json_metadata=meta, detector_error_model=dem))
    return tasks


def check_stats_header(path: pathlib.Path, *, appending: bool = True) -> bool:
    """Check only the header of a sinter CSV: True if it is sinter's, False if the file is missing or empty.

    Raises :class:`InputError` for a file that is not a sinter CSV, and, with ``appending=True``, for one
    without the ``custom_counts`` column (rows appended to it would lose their histograms).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> check_stats_header(p)
    False
    >>> _ = p.write_text("my notes\\n")
    >>> check_stats_header(p)
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: ... is not a sinter statistics CSV (its header is not sinter's).
    """
    path = pathlib.Path(path)
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return False
    try:
        with open(path, encoding="utf8") as f:
            first = f.readline()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{str(path)!r} could not be read ({e}).") from None
    header = [h.strip() for h in first.split(",")]
    want = [h.strip() for h in sinter.CSV_HEADER.split(",")]
    if header[: len(want) - 1] != want[: len(want) - 1]:
        raise InputError(f"{str(path)!r} is not a sinter statistics CSV (its header is not sinter's).")
    if appending and header != want:
        raise InputError(
            f"{str(path)!r} has no {want[-1]!r} column, so rows appended to it would lose their histograms; "
            "write to a new file."
        )
    return True


def check_stats_csv(path: pathlib.Path, *, appending: bool = False) -> list[sinter.TaskStats]:
    """Read an existing sinter CSV, or raise one clear sentence if it is corrupt or not a sinter CSV.

    With ``appending=True`` (a run is about to add rows) the header must be sinter's whole header: a file
    without the ``custom_counts`` column would silently drop every new row's histograms.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "stats.csv"
    >>> _ = p.write_text("a,b\\n1,2\\n")
    >>> check_stats_csv(p)
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: ... is not a sinter statistics CSV (its header is not sinter's).
    """
    csv.field_size_limit(sys.maxsize)
    if not pathlib.Path(path).exists():
        raise InputError(f"{str(path)!r} does not exist.")
    if not check_stats_header(path, appending=appending):
        raise InputError(f"{str(path)!r} is not a sinter statistics CSV (its header is not sinter's).")
    _check_whole_rows(pathlib.Path(path))
    try:
        return sinter.read_stats_from_csv_files(path)
    except Exception as e:  # noqa: BLE001 - any parse failure is a corrupt file
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"{str(path)!r} is a corrupt sinter CSV ({msg[:200]}).") from None


def _check_whole_rows(path: pathlib.Path) -> None:
    """Refuse a CSV with a torn row: every row has the header's number of fields and the file ends a line.

    Writers here append whole lines under a lock, so a torn row means a crash mid-write or another writer;
    sinter's reader would take it as a row with empty fields.
    """
    with open(path, "rb") as f:
        f.seek(0, 2)
        if f.tell() and (f.seek(-1, 2), f.read(1))[1] != b"\n":
            raise InputError(
                f"{str(path)!r} ends in a partial row (a write was cut short); delete its last line and run again."
            )
    with open(path, encoding="utf8", newline="") as f:
        records = csv.reader(f)
        width = len(next(records, []))
        for line, rec in enumerate(records, start=2):
            if rec and len(rec) != width:
                raise InputError(
                    f"{str(path)!r} row {line} has {len(rec)} fields where the header has {width} "
                    "(a torn or edited row); delete or repair it and run again."
                )


def read_stats_rows(path: str | pathlib.Path) -> list[sinter.TaskStats]:
    """Every row of a sinter CSV as written, not merged by task (sinter's reader adds rows of one task).

    Rows are independent batches, so they can be split into halves: thresholds chosen on one half and
    evaluated on the other (:func:`ftq.resources.holdout_points`).

    >>> import tempfile, pathlib, sinter
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "stats.csv"
    >>> row = sinter.TaskStats(strong_id="a", decoder="gap", json_metadata={"p": 0.001}, shots=10, errors=1)
    >>> _ = p.write_text(sinter.CSV_HEADER + "\\n" + row.to_csv_line() + "\\n" + row.to_csv_line() + "\\n")
    >>> [r.shots for r in read_stats_rows(p)], sum(r.shots for r in check_stats_csv(p))
    ([10, 10], 20)
    """
    import collections
    import json

    path = pathlib.Path(path)
    check_stats_csv(path)
    rows = []
    with open(path, encoding="utf8", newline="") as f:
        for rec in csv.DictReader(f, skipinitialspace=True):
            rec = {k.strip(): (v or "").strip() for k, v in rec.items() if k is not None}
            counts = json.loads(rec["custom_counts"]) if rec.get("custom_counts") else {}
            rows.append(
                sinter.TaskStats(
                    strong_id=rec["strong_id"],
                    decoder=rec["decoder"],
                    json_metadata=json.loads(rec["json_metadata"]) if rec.get("json_metadata") else None,
                    shots=int(rec["shots"]),
                    errors=int(rec["errors"]),
                    discards=int(rec["discards"]),
                    seconds=float(rec["seconds"]),
                    custom_counts=collections.Counter(counts),
                )
            )
    return rows


def compact_stats_csv(path: str | pathlib.Path, *, halves: int = 2, keep_first: int = 0) -> tuple[int, int]:
    """Merge the rows of each task into ``halves`` rows (row k goes to half k mod ``halves``), atomically;
    the first ``keep_first`` rows of each task stay as they are (e.g. the rows a front's thresholds were chosen
    on, so that the later ones stay fresh draws for them).

    Sweeps append one row per sampled batch; with two-dimensional gap histograms the file grows by the
    whole histogram per row. Two rows per task keep the file small and still allow a held-out check.
    Returns (rows before, rows after). It holds the same lock as a sweep run (:func:`ftq.files.output_lock`):
    while a run writes to the file, compacting is refused, and a run is refused while compacting.

    >>> import tempfile, pathlib, sinter
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "stats.csv"
    >>> row = sinter.TaskStats(strong_id="a", decoder="gap", json_metadata={"p": 0.001}, shots=10, errors=1)
    >>> _ = p.write_text(sinter.CSV_HEADER + "\\n" + "\\n".join([row.to_csv_line()] * 5) + "\\n")
    >>> compact_stats_csv(p), [r.shots for r in read_stats_rows(p)]
    ((5, 2), [30, 20])
    >>> _ = p.write_text(sinter.CSV_HEADER + "\\n" + "\\n".join([row.to_csv_line()] * 5) + "\\n")
    >>> compact_stats_csv(p, keep_first=2), [r.shots for r in read_stats_rows(p)]
    ((5, 4), [10, 10, 20, 10])
    """
    if halves < 1:
        raise InputError(f"halves must be at least 1, got {halves}.")
    if keep_first < 0:
        raise InputError(f"keep_first must be at least 0, got {keep_first}.")
    with output_lock(path):
        return _compact_locked(pathlib.Path(path), halves, keep_first)


def _compact_locked(path: pathlib.Path, halves: int, keep_first: int = 0) -> tuple[int, int]:
    rows = read_stats_rows(path)
    groups: dict[str, list[sinter.TaskStats]] = {}
    for r in rows:
        groups.setdefault(r.strong_id, []).append(r)
    out = []
    for members in groups.values():
        out += members[:keep_first]
        rest = members[keep_first:]
        for h in range(halves):
            part = rest[h::halves]
            if part:
                out.append(functools.reduce(operator.add, part))
    write_text_atomic(path, sinter.CSV_HEADER + "\n" + "".join(r.to_csv_line() + "\n" for r in out))
    return len(rows), len(out)


class _ProgressPrinter:
    """Prints shots done / target with an ETA from the observed rate that accounts for ``max_errors``.

    A task stops at ``max_shots`` or at ``max_errors``, whichever comes first; once a task has seen errors,
    its remaining shots are estimated as ``min(max_shots - shots, (max_errors - errors) · shots / errors)``.

    >>> import io
    >>> p = _ProgressPrinter(total_shots=10**12, done=0, out=io.StringIO(), max_shots=10**12, max_errors=100,
    ...                      tasks={"a": (10_000, 10)})
    >>> p.remaining_shots()
    90000
    """

    def __init__(
        self,
        *,
        total_shots: int,
        done: int,
        out=sys.stderr,
        max_shots: int | None = None,
        max_errors: int | None = None,
        tasks: Mapping[str, tuple[int, int]] | None = None,
    ):
        self.total = max(1, total_shots)
        self.done = done
        self.start = time.monotonic()
        self.start_done = done
        self.out = out
        self.max_shots = max_shots
        self.max_errors = max_errors
        self.tasks = {sid: list(v) for sid, v in (tasks or {}).items()}

    def __call__(self, progress: sinter.Progress) -> None:
        for s in progress.new_stats:
            self.add(s.strong_id, s.shots, s.errors)
        self.show()

    def add(self, strong_id: str, shots: int, errors: int) -> None:
        self.done += shots
        if strong_id in self.tasks:
            self.tasks[strong_id][0] += shots
            self.tasks[strong_id][1] += errors

    def remaining_shots(self) -> int:
        """Shots still to sample, over every task, with the error target taken into account."""
        if self.max_shots is None or not self.tasks:
            return max(0, self.total - self.done)
        left = 0
        for shots, errors in self.tasks.values():
            rest = max(0, self.max_shots - shots)
            if self.max_errors is not None:
                if errors >= self.max_errors:
                    rest = 0
                elif errors > 0:
                    rest = min(rest, math.ceil((self.max_errors - errors) * shots / errors))
            left += rest
        return left

    def show(self) -> None:
        elapsed = time.monotonic() - self.start
        new = self.done - self.start_done
        frac = min(1.0, self.done / self.total)
        eta = self.remaining_shots() * elapsed / new if new > 0 else math.inf
        eta_s = "?" if not math.isfinite(eta) else f"{max(0.0, eta):.0f}s"
        bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
        print(
            f"\r[{bar}] {self.done:,}/{self.total:,} shots (max) ETA {eta_s}   ",
            end="",
            file=self.out,
            flush=True,
        )


def _existing(path: pathlib.Path, *, appending: bool = False) -> dict[str, sinter.TaskStats]:
    if not path.exists():
        return {}
    out: dict[str, sinter.TaskStats] = {}
    for s in check_stats_csv(path, appending=appending):
        out[s.strong_id] = out[s.strong_id] + s if s.strong_id in out else s
    return out


def run_sweep(
    spec: SweepSpec,
    *,
    samplers: Mapping[str, sinter.Sampler] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
) -> list[sinter.TaskStats]:
    """Sample every grid point until ``max_shots`` or ``max_errors``, appending to the sweep's stats.csv.

    ``samplers`` by decoder name default to the registered decoders (:mod:`ftq.decoders`).

    >>> import tempfile, pathlib, stim
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> c = stim.Circuit("X_ERROR(0.1) 0\\nM 0\\nDETECTOR(0, 0, 0, 1) rec[-1]\\nOBSERVABLE_INCLUDE(0) rec[-1]")
    >>> c.to_file(d / "c.stim")
    >>> _ = (d / "s.toml").write_text('circuit = "c.stim"\\np = 0.1\\ndecoder = "perfectionist"\\nmax_shots = 500\\n')
    >>> stats = run_sweep(load_spec(d / "s.toml"), progress=False)
    >>> stats[0].shots >= 500
    True
    """
    if spec.estimator != "sampling":
        raise InputError(
            f"sweep {spec.name!r} uses the {spec.estimator} estimator; run it with "
            "ftq.splitting_sweep.run_splitting_sweep (ftq sweep run does)."
        )
    if not 1 <= workers <= MAX_WORKERS:
        raise InputError(f"workers={workers} must lie in 1..{MAX_WORKERS}.")
    if scheduler is not None:
        check_scheduler_address(scheduler)
    path = spec.stats_path
    if path.exists():
        _existing(path, appending=True)  # validates an existing CSV before anything is written
    tasks = make_tasks(spec)
    if samplers is None:
        samplers = {spec.decoder: load_decoder(spec.decoder).sampler}
    if spec.decoder not in samplers:
        raise InputError(f"decoder {spec.decoder!r} has no sampler here; available: {', '.join(samplers)}.")
    make_folder(path)
    with output_lock(path):  # one run per stats.csv; a second one is refused
        return _run_locked(
            spec, tasks=tasks, samplers=samplers, workers=workers, scheduler=scheduler, progress=progress
        )


def _run_locked(spec: SweepSpec, *, tasks, samplers, workers, scheduler, progress) -> list[sinter.TaskStats]:
    path = spec.stats_path
    existing = _existing(path, appending=True)  # read again under the lock: another run may have added rows
    done = sum(min(existing[t.strong_id()].shots, spec.max_shots) for t in tasks if t.strong_id() in existing)
    prior = {
        t.strong_id(): (existing[t.strong_id()].shots, existing[t.strong_id()].errors)
        if t.strong_id() in existing
        else (0, 0)
        for t in tasks
    }
    printer = (
        _ProgressPrinter(
            total_shots=spec.max_shots * len(tasks),
            done=done,
            max_shots=spec.max_shots,
            max_errors=spec.max_errors,
            tasks=prior,
        )
        if progress
        else None
    )
    if scheduler is not None:
        _run_dask(
            tasks,
            spec=spec,
            samplers=samplers,
            path=path,
            existing=existing,
            scheduler=scheduler,
            printer=printer,
        )
    else:
        with _terminate_as_interrupt():
            _collect_local(tasks, spec=spec, samplers=samplers, path=path, workers=workers, printer=printer)
    if printer is not None:
        print(file=sys.stderr)
    final = _existing(path)
    return [final[t.strong_id()] for t in tasks if t.strong_id() in final]


@contextlib.contextmanager
def _terminate_as_interrupt():
    """Turn SIGTERM into KeyboardInterrupt while sampling, so sinter stops its worker processes.

    Without it, ``kill`` stops the sweep but leaves its workers sampling for nobody. Rows already
    appended to the CSV stay; the interrupted batch is lost, and a rerun resumes from the file.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class DieWithParent(sinter.Sampler):
    """A sampler that, once unpickled in a sinter worker process, ends that process when its parent dies.

    sinter starts its workers with ``spawn`` and sends each one the samplers; unpickling one here makes the
    kernel kill the worker when the process that built this sampler dies (Linux ``PR_SET_PDEATHSIG``; a
    watchdog thread elsewhere), so ``kill -9`` of ``ftq sweep run`` leaves no worker sampling for nobody.

    >>> from ftq.sampling import perfectionist_sampler
    >>> DieWithParent(perfectionist_sampler()).parent_pid == os.getpid()
    True
    """

    def __init__(self, inner: sinter.Sampler):
        self.inner = inner
        self.parent_pid = os.getpid()

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if os.getpid() != self.parent_pid:
            _die_with_parent(self.parent_pid)

    def compiled_sampler_for_task(self, task: sinter.Task) -> sinter.CompiledSampler:
        return self.inner.compiled_sampler_for_task(task)


def _die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` (its parent) ends; end now if it already has."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="ftq-die-with-parent").start()


def _collect_local(tasks, *, spec: SweepSpec, samplers, path, workers: int, printer) -> None:
    """sinter's own engine on this machine, resuming from and appending to ``path``."""
    sinter.collect(
        num_workers=workers,
        tasks=tasks,
        save_resume_filepath=path,
        max_shots=spec.max_shots,
        max_errors=spec.max_errors,
        custom_decoders={name: DieWithParent(s) for name, s in samplers.items()},
        progress_callback=printer,
        # no CPU pinning: sinter pins worker i to CPU i, so two sweeps run side by side (or a sweep
        # beside any other job) would share CPU 0 while CPU 1 idles
        allowed_cpu_affinity_ids=[],
    )


def _sample_chunk(sampler: sinter.Sampler, task: sinter.Task, shots: int) -> sinter.AnonTaskStats:
    """Run on a Dask worker: compile the task and sample one chunk."""
    return sample_shots(sampler.compiled_sampler_for_task(task), shots)


def _run_dask(
    tasks: list[sinter.Task],
    *,
    spec: SweepSpec,
    samplers: Mapping[str, sinter.Sampler],
    path: pathlib.Path,
    existing: dict[str, sinter.TaskStats],
    scheduler: str,
    printer: _ProgressPrinter | None,
) -> None:
    """Same tasks on a Dask cluster: chunks are submitted per task until its targets are met."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError as e:  # pragma: no cover
        raise InputError(f"a Dask scheduler needs dask.distributed, which is not importable ({e}).") from None
    try:
        client = Client(scheduler, timeout="5s")
    except (OSError, ValueError, TypeError) as e:
        raise InputError(f"could not reach the Dask scheduler at {scheduler!r} ({e}).") from None
    sampler = samplers[spec.decoder]
    with client:
        state = {}
        for t in tasks:
            prior = existing.get(t.strong_id())
            state[t.strong_id()] = [prior.shots if prior else 0, prior.errors if prior else 0, 0]
        chunk = max(1, min(spec.max_shots // 8, 100_000))
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        futures = as_completed()
        by_future = {}

        def want_more(sid: str) -> int:
            shots, errors, pending = state[sid]
            if spec.max_errors is not None and errors >= spec.max_errors:
                return 0
            return max(0, spec.max_shots - shots - pending)

        def submit(t: sinter.Task) -> None:
            sid = t.strong_id()
            n = min(chunk, want_more(sid))
            if n <= 0:
                return
            fut = client.submit(_sample_chunk, sampler, t, n, pure=False)
            state[sid][2] += n
            by_future[fut.key] = (t, n)
            futures.add(fut)

        for t in tasks:
            for _ in range(2 * n_workers):
                submit(t)
        for fut in futures:
            t, n = by_future.pop(fut.key)
            sid = t.strong_id()
            anon = fut.result()
            state[sid][0] += anon.shots
            state[sid][1] += anon.errors
            state[sid][2] -= n
            row = sinter.TaskStats(
                strong_id=sid,
                decoder=t.decoder,
                json_metadata=t.json_metadata,
                shots=anon.shots,
                errors=anon.errors,
                discards=anon.discards,
                seconds=anon.seconds,
                custom_counts=anon.custom_counts,
            )
            append_lines(path, [row.to_csv_line()], header=sinter.CSV_HEADER)
            if printer is not None:
                printer.add(sid, anon.shots, anon.errors)
                printer.show()
            submit(t)
