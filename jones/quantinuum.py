"""Quantinuum H2: offline compilation, HQC cost, and a local noiseless / noisy emulator of the Hadamard tests.

Compilation uses pytket-quantinuum's ``QuantinuumBackend(device, api_handler=QuantinuumAPIOffline())``: no
credentials, the machine data (gate set, noise figures) ship with the package. Cost in H-series quantum
credits: HQC = 5 + C·(N1q + 10·N2q + 5·Nm)/5000, C = shots, Nm = state preparations (one per qubit at the
start, plus resets) and measurements.

The local emulator simulates the circuit of :class:`jones.circuits.HadamardTest` gate by gate — the same
three-ZZ runs, CNOTs and Hadamards that pytket compiles — on a sparse state vector (the ideal state stays
in the Fibonacci subspace plus the all-zero reference, ≤ F_{n+1} + 1 amplitudes). Noise is stochastic Pauli
noise at H2-like rates: depolarising after each ZZ/CNOT (p2) and each non-virtual 1q gate (p1; Rz is
virtual), Z memory errors per qubit per idle two-qubit layer (p_mem), X after initialisation and bit flips
at readout (SPAM). An error inside a fused run is carried to the run's end exactly (W P W†).

Example::

    >>> from jones.braids import Braid
    >>> from jones.circuits import hadamard_test
    >>> rep = compile_report(hadamard_test(Braid.parse("1,1,1"), closure="markov", part="re"), device="H2-1")
    >>> rep["qubits"]
    3
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ftq.errors import InputError
from jones.circuits import HadamardTest, run_fit, sample_markov_strings

__all__ = [
    "DEVICES",
    "BACKENDS",
    "offline_backend",
    "compile_circuit",
    "gate_counts",
    "hqc",
    "check_fits",
    "circuit_hqc",
    "compile_report",
    "NoiseModel",
    "ShotData",
    "run_local",
]

DEVICES: tuple[str, ...] = ("H2-1", "H2-2")
BACKENDS: tuple[str, ...] = ("noiseless", "noisy")


def _machine(device: str) -> str:
    """The machine a device name is compiled for: itself, or an emulator's parent (``H2-1E`` → ``H2-1``)."""
    if device in DEVICES:
        return device
    from jones.nexus import target, targets

    if device not in targets():
        raise InputError(
            f"device {device!r} is not one of {', '.join(DEVICES)} or another Quantinuum target "
            f"({', '.join(sorted(set(targets()) - set(DEVICES)))})."
        )
    return target(device).parent


@lru_cache(maxsize=4)
def offline_backend(device: str = "H2-1"):
    """``QuantinuumBackend(machine, api_handler=QuantinuumAPIOffline())`` — works without credentials.

    An emulator name (``H2-1E``, ``H2-Emulator``) gives its parent machine's backend.

    Example::

        >>> offline_backend("H2-2").backend_info.n_nodes >= 16
        True
        >>> offline_backend("H2-1E").backend_info.device_name
        'H2-1'
    """
    machine = _machine(device)
    from pytket.extensions.quantinuum import QuantinuumAPIOffline, QuantinuumBackend

    return QuantinuumBackend(machine, api_handler=QuantinuumAPIOffline())


def check_fits(circuit, *, device: str) -> None:
    """Refuse a circuit with more qubits than the device (or its emulator's parent) has.

    Example::

        >>> from pytket import Circuit
        >>> check_fits(Circuit(61), device="H2-1")
        Traceback (most recent call last):
        ...
        ftq.errors.InputError: the circuit needs 61 qubits but H2-1 has 56 (at most 55 strands).
    """
    backend = offline_backend(device)
    have = backend.backend_info.n_nodes
    if circuit.n_qubits > have:
        raise InputError(
            f"the circuit needs {circuit.n_qubits} qubits but {device} has {have} (at most {have - 1} strands)."
        )


def compile_circuit(circuit, *, device: str = "H2-1", optimisation_level: int = 2):
    """Compile a pytket circuit to the device's native gates (PhasedX, Rz, ZZPhase, ZZMax) offline.

    Example::

        >>> from pytket import Circuit
        >>> c = compile_circuit(Circuit(2).CX(0, 1).measure_all(), device="H2-1")
        >>> c.n_2qb_gates()
        1
    """
    if optimisation_level not in (0, 1, 2, 3):
        raise InputError(f"optimisation level {optimisation_level!r} is not 0, 1, 2 or 3.")
    check_fits(circuit, device=device)
    return offline_backend(device).get_compiled_circuit(circuit, optimisation_level=optimisation_level)


_ONE_Q = {"PhasedX", "Rz", "Rx", "Ry", "U1", "U2", "U3", "TK1", "H", "X", "Y", "Z", "S", "Sdg", "T", "Tdg"}
_TWO_Q = {"ZZPhase", "ZZMax", "TK2", "CX", "CZ"}


def gate_counts(circuit) -> dict[str, int]:
    """1q / 2q gate, measurement, reset counts (conditional gates included) and depth of a pytket circuit.

    Example::

        >>> from pytket import Circuit
        >>> gate_counts(Circuit(2).H(0).CX(0, 1))["two_qubit_gates"]
        1
    """
    n1 = n2 = nm = nr = 0
    for cmd in circuit.get_commands():
        op = cmd.op
        name = op.type.name
        if name == "Conditional":
            op = op.op
            name = op.type.name
        if name in _TWO_Q:
            n2 += 1
        elif name in _ONE_Q:
            n1 += 1
        elif name == "Measure":
            nm += 1
        elif name == "Reset":
            nr += 1
    return {
        "qubits": circuit.n_qubits,
        "one_qubit_gates": n1,
        "two_qubit_gates": n2,
        "measurements": nm,
        "resets": nr,
        "depth": circuit.depth(),
    }


def hqc(*, one_qubit_gates: int, two_qubit_gates: int, prep_measure: int, shots: int) -> float:
    """H-series quantum credits: 5 + shots·(N1q + 10·N2q + 5·Nm)/5000.

    Example::

        >>> hqc(one_qubit_gates=0, two_qubit_gates=100, prep_measure=0, shots=5000)
        1005.0
    """
    if shots < 1:
        raise InputError(f"shots {shots!r} must be a positive integer.")
    return 5 + shots * (one_qubit_gates + 10 * two_qubit_gates + 5 * prep_measure) / 5000


def circuit_hqc(compiled, *, shots: int) -> float:
    """HQC of a compiled circuit at ``shots`` (state preparations: one per qubit, plus measurements, resets).

    Example::

        >>> from pytket import Circuit
        >>> circuit_hqc(compile_circuit(Circuit(2).CX(0, 1).measure_all()), shots=100)
        5.64
    """
    c = gate_counts(compiled)
    return hqc(
        one_qubit_gates=c["one_qubit_gates"],
        two_qubit_gates=c["two_qubit_gates"],
        prep_measure=c["qubits"] + c["measurements"] + c["resets"],
        shots=shots,
    )


def compile_report(
    test: HadamardTest, *, device: str = "H2-1", optimisation_level: int = 2, shots: int = 1000
) -> dict:
    """Compile one part of a Hadamard test offline and report qubits, gate counts, depth and HQC.

    The Markov closure uses the single circuit with on-device string sampling and conditional CNOTs
    (all conditional gates counted, an upper bound on what a shot executes).

    Example::

        >>> from jones.braids import Braid
        >>> from jones.circuits import hadamard_test
        >>> r = compile_report(hadamard_test(Braid.parse("1,2,1"), closure="markov", part="re"))
        >>> r["braid_two_qubit_gates"] <= 9
        True
    """
    compiled = compile_circuit(test.to_pytket(), device=device, optimisation_level=optimisation_level)
    counts = gate_counts(compiled)
    braid_only = compile_circuit(
        test.to_pytket(string=tuple([0] + [1] * test.braid.strands), measure=False),
        device=device,
        optimisation_level=optimisation_level,
    )
    prep_measure = counts["qubits"] + counts["measurements"] + counts["resets"]
    fanout = 2 * sum(1 for _ in range(2, test.n_qubits))
    return {
        "device": device,
        "closure": test.closure,
        "part": test.part,
        "strands": test.braid.strands,
        "crossings": test.braid.crossings,
        "runs": len(test.runs),
        **counts,
        "braid_two_qubit_gates": max(0, braid_only.n_2qb_gates() - fanout),
        "hqc": hqc(
            one_qubit_gates=counts["one_qubit_gates"],
            two_qubit_gates=counts["two_qubit_gates"],
            prep_measure=prep_measure,
            shots=shots,
        ),
        "shots": shots,
        "optimisation_level": optimisation_level,
    }


# ------------------------------------------------------------------------------------------ noise
@dataclass(frozen=True)
class NoiseModel:
    """Stochastic Pauli noise: p1 (1q depolarising), p2 (2q depolarising), p_meas (readout flip),
    p_init (X after preparation), p_mem (Z per qubit per idle two-qubit layer).

    Example::

        >>> NoiseModel.from_device("H2-2").p2
        0.00083
    """

    p1: float = 3e-5
    p2: float = 1e-3
    p_meas: float = 1e-3
    p_init: float = 1e-3
    p_mem: float = 1.2e-4

    def __post_init__(self) -> None:
        for name in ("p1", "p2", "p_meas", "p_init", "p_mem"):
            p = getattr(self, name)
            if not 0 <= p < 0.5:
                raise InputError(f"noise rate {name}={p!r} is outside [0, 0.5).")

    @staticmethod
    def from_device(device: str = "H2-2", *, scale: float = 1.0) -> NoiseModel:
        """Rates from the offline device data shipped with pytket-quantinuum, optionally scaled.

        Example::

            >>> NoiseModel.from_device("H2-1", scale=2).p2 > NoiseModel.from_device("H2-1").p2
            True
        """
        spec = offline_backend(device).backend_info.misc["noise_specs"]
        spam = spec["spam_error"]
        p_meas = 0.5 * (spam["p_meas_0"] + spam["p_meas_1"])
        return NoiseModel(
            p1=scale * spec["1q_gate_error"]["p1"],
            p2=scale * spec["2q_gate_error"]["p2"],
            p_meas=scale * p_meas,
            p_init=scale * p_meas,
            p_mem=scale * spec["memory_error"]["memory_error"],
        )


# ------------------------------------------------------------------------------------------ sparse state
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)
_PAULIS = (np.eye(2, dtype=complex), _X, _Y, _Z)
_H = np.array([[1, 1], [1, -1]], dtype=complex) / math.sqrt(2)


_STRUCT: dict[int, tuple] = {}


def _structure(mat: np.ndarray) -> tuple | None:
    """CSC nonzero structure of a small matrix (None if diagonal), cached for long-lived matrices."""
    hit = _STRUCT.get(id(mat))
    if hit is not None and hit[0] is mat:
        return hit[1]
    nz = np.abs(mat) > 1e-13
    if not np.any(nz & ~np.eye(len(mat), dtype=bool)):
        out = None
    else:
        csc_rows = [np.flatnonzero(nz[:, c]) for c in range(len(mat))]
        ncol = np.array([len(r) for r in csc_rows])
        ptr = np.concatenate([[0], np.cumsum(ncol)])
        rows_flat = np.concatenate(csc_rows)
        cols_flat = np.concatenate([[c] * len(r) for c, r in enumerate(csc_rows)]).astype(np.int64)
        out = (ncol, ptr, rows_flat, cols_flat)
    if len(_STRUCT) > 256:
        _STRUCT.clear()
    _STRUCT[id(mat)] = (mat, out)
    return out


class _State:
    """Sparse state: integer keys (qubit j ↔ bit nq−1−j) and complex amplitudes."""

    def __init__(self, nq: int, keys: np.ndarray, amps: np.ndarray) -> None:
        self.nq = nq
        self.keys = keys.astype(np.int64)
        self.amps = amps.astype(complex)

    def bit(self, q: int) -> int:
        return 1 << (self.nq - 1 - q)

    def flip(self, q: int) -> None:
        self.keys = self.keys ^ self.bit(q)

    def local_index(self, qubits: tuple[int, ...]) -> tuple[np.ndarray, int, list[int]]:
        k = len(qubits)
        bits = [self.bit(q) for q in qubits]
        local = np.zeros(len(self.keys), dtype=np.int64)
        for t, b in enumerate(bits):
            local |= ((self.keys & b) != 0).astype(np.int64) << (k - 1 - t)
        offs = [sum(bits[t] for t in range(k) if (r >> (k - 1 - t)) & 1) for r in range(2**k)]
        return local, sum(bits), offs

    def apply(self, qubits: tuple[int, ...], mat: np.ndarray) -> None:
        """Apply a 2^k × 2^k matrix on ``qubits``; amplitudes may carry a trailing batch axis."""
        local, mask, offs = self.local_index(qubits)
        struct = _structure(mat)
        if struct is None:  # diagonal: no new keys
            d = np.diag(mat)[local]
            self.amps = self.amps * (d[:, None] if self.amps.ndim == 2 else d)
            return
        ncol, ptr, rows_flat, cols_flat = struct
        counts = ncol[local]
        src = np.repeat(np.arange(len(local)), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        entry = ptr[local][src] + (np.arange(len(src)) - first)
        rows = rows_flat[entry]
        vals = mat[rows, cols_flat[entry]]
        keys = (self.keys[src] & ~mask) | np.asarray(offs, dtype=np.int64)[rows]
        amps = self.amps[src] * (vals[:, None] if self.amps.ndim == 2 else vals)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        starts = np.concatenate([[0], np.flatnonzero(np.diff(keys)) + 1])
        new = np.add.reduceat(amps[order], starts, axis=0)
        mag = np.abs(new) if new.ndim == 1 else np.abs(new).max(axis=1)
        keep = mag > 1e-14
        self.keys, self.amps = keys[starts][keep], new[keep]

    def cx(self, control: int, target: int) -> None:
        on = (self.keys & self.bit(control)) != 0
        self.keys = np.where(on, self.keys ^ self.bit(target), self.keys)

    def pauli(self, q: int, which: int) -> None:
        if which == 0:
            return
        if which in (1, 2):
            if which == 2:
                on = (self.keys & self.bit(q)) != 0
                self.amps = self.amps * np.where(on, -1j, 1j)  # Y|0⟩ = i|1⟩, Y|1⟩ = −i|0⟩
            self.flip(q)
        else:
            on = (self.keys & self.bit(q)) != 0
            self.amps = np.where(on, -self.amps, self.amps)


# ------------------------------------------------------------------------------------------ program
@dataclass
class _Step:
    kind: str  # "u" (matrix on qubits), "cx", "phase" (virtual Rz, no noise)
    qubits: tuple[int, ...]
    mat: np.ndarray | None = None
    layers: int = 0  # two-qubit layers the step occupies (for memory noise)
    sites: list | None = None  # (kind, global qubits, W or None) applied after the step


@lru_cache(maxsize=16)
def _run_block(power: int) -> tuple[np.ndarray, tuple]:
    """Fused run matrix and its noise sites (kind, local qubits, W = product of the later gates)."""
    fit = run_fit(power)
    gates = fit.gates
    full = fit.matrix()
    sites = []
    for idx, g in enumerate(gates):
        later = np.eye(8, dtype=complex)
        for h in gates[idx + 1 :]:
            later = h.matrix() @ later
        if g.kind == "ZZ":
            sites.append(("2q", g.qubits, later))
            idle = ({0, 1, 2} - set(g.qubits)).pop()
            sites.append(("mem", (idle,), later))
        elif g.kind == "U":
            sites.append(("1q", g.qubits, later))
    return full, tuple(sites)


def _program(test: HadamardTest, string: np.ndarray) -> list[_Step]:
    nq = test.n_qubits
    steps: list[_Step] = [_Step("u", (1,), _H, 0, [("1q", (1,), None)])]
    if test.part == "im":
        steps.append(_Step("phase", (1,), np.diag([1, -1j])))
    fan = [_Step("cx", (1, j), None, 1, [("2q", (1, j), None)]) for j in range(2, nq) if string[j]]
    steps += fan
    for i, k in test.runs:
        mat, sites = _run_block(k)
        q = (i - 1, i, i + 1)
        steps.append(
            _Step("u", q, mat, 3, [(kind, tuple(q[t] for t in loc), w, q) for kind, loc, w in sites])
        )
    steps += [_Step("cx", s.qubits, None, 1, list(s.sites or [])) for s in fan]
    a = test.rz_angle()
    steps.append(_Step("phase", (1,), np.diag([np.exp(-0.5j * np.pi * a), np.exp(0.5j * np.pi * a)])))
    steps.append(_Step("u", (1,), _H, 0, [("1q", (1,), None)]))
    return steps


def _embed_pauli(
    block_qubits: tuple[int, ...], qubits: tuple[int, ...], paulis: tuple[int, ...]
) -> np.ndarray:
    mats = [np.eye(2, dtype=complex) for _ in block_qubits]
    for q, p in zip(qubits, paulis, strict=True):
        mats[block_qubits.index(q)] = _PAULIS[p]
    out = mats[0]
    for m in mats[1:]:
        out = np.kron(out, m)
    return out


def _sites(steps: list[_Step], nq: int, noise: NoiseModel) -> list[tuple]:
    """All error locations of a program: (step, when, kind, qubits, W, block, probability).

    ``when`` is -1 (after initialisation), 0 (before the step: memory), 1 (after the step), 2 (at the end).
    """
    out: list[tuple] = [(-1, -1, "init", (q,), None, None, noise.p_init) for q in range(nq)]
    clock = [0] * nq
    for idx, step in enumerate(steps):
        if step.layers:
            start = max(clock[q] for q in step.qubits)
            for q in step.qubits:
                idle = start - clock[q]
                if idle:
                    out.append((idx, 0, "mem", (q,), None, None, 1 - (1 - noise.p_mem) ** idle))
                clock[q] = start + step.layers
        for site in step.sites or []:
            kind, qs, w = site[0], site[1], site[2]
            block = site[3] if len(site) > 3 else None
            p = {"1q": noise.p1, "2q": noise.p2, "mem": noise.p_mem}[kind]
            out.append((idx, 1, kind, qs, w, block, p))
    end = max(clock)
    for q in range(nq):
        if end - clock[q]:
            out.append((len(steps), 2, "mem", (q,), None, None, 1 - (1 - noise.p_mem) ** (end - clock[q])))
    return out


def _apply_error(st: _State, site: tuple, rng: np.random.Generator) -> None:
    _, _, kind, qs, w, block, _ = site
    if kind == "mem":
        paulis: tuple[int, ...] = (3,)
    elif kind == "init":
        paulis = (1,)
    elif kind == "1q":
        paulis = (int(rng.integers(1, 4)),)
    else:
        r = int(rng.integers(1, 16))
        paulis = (r // 4, r % 4)
    if w is None:
        for q, pp in zip(qs, paulis, strict=True):
            st.pauli(q, pp)
    else:
        st.apply(block, w @ _embed_pauli(block, qs, paulis) @ w.conj().T)


def _simulate(
    test: HadamardTest, steps: list[_Step], errors: list[tuple], rng: np.random.Generator
) -> _State:
    """Final sparse state of one shot from |0…0⟩ with the given (already drawn) error events."""
    st = _State(test.n_qubits, np.array([0], dtype=np.int64), np.array([1.0 + 0j]))
    by_step: dict[tuple[int, int], list[tuple]] = {}
    for e in errors:
        by_step.setdefault((e[0], e[1]), []).append(e)
    for e in by_step.get((-1, -1), []):
        _apply_error(st, e, rng)
    for idx, step in enumerate(steps):
        for e in by_step.get((idx, 0), []):
            _apply_error(st, e, rng)
        if step.kind == "cx":
            st.cx(*step.qubits)
        else:
            st.apply(step.qubits, step.mat)
        for e in by_step.get((idx, 1), []):
            _apply_error(st, e, rng)
    for e in by_step.get((len(steps), 2), []):
        _apply_error(st, e, rng)
    return st


def _ideal_batch(test: HadamardTest, strings: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Noise-free outcome distributions for many strings at once (the braid runs are applied to a batch).

    The Clifford preparation H(1), [S†(1)], CNOT fan-out is written down directly as (|0…0⟩ + c|s⟩)/√2.
    """
    nq = test.n_qubits
    weights = 1 << np.arange(nq - 1, -1, -1)
    skeys = strings.astype(np.int64) @ weights
    keys = np.unique(np.concatenate([[0], skeys]))
    amps = np.zeros((len(keys), len(strings)), dtype=complex)
    amps[0, :] = 1 / math.sqrt(2)
    c = -1j if test.part == "im" else 1.0
    amps[np.searchsorted(keys, skeys), np.arange(len(strings))] = c / math.sqrt(2)
    st = _State(nq, keys, amps)
    for i, k in test.runs:
        st.apply((i - 1, i, i + 1), _run_block(k)[0])
    a = test.rz_angle()
    rz = np.diag([np.exp(-0.5j * np.pi * a), np.exp(0.5j * np.pi * a)])
    out = []
    for b in range(len(strings)):
        col = st.amps[:, b]
        nzr = np.abs(col) > 1e-14
        one = _State(nq, st.keys[nzr], col[nzr])
        for j in range(2, nq):
            if strings[b, j]:
                one.cx(1, j)
        one.apply((1,), rz)
        one.apply((1,), _H)
        p = np.abs(one.amps) ** 2
        out.append((one.keys, p / p.sum()))
    return out


def _bits(keys: np.ndarray, nq: int) -> np.ndarray:
    shifts = np.arange(nq - 1, -1, -1)
    return ((keys[:, None] >> shifts[None, :]) & 1).astype(np.uint8)


@dataclass(frozen=True)
class ShotData:
    """Per-shot recorded strings ``s`` and measured outcomes ``m`` (arrays shots × (strands+1)).

    Example::

        >>> ShotData(np.zeros((2, 3), np.uint8), np.zeros((2, 3), np.uint8)).shots
        2
    """

    strings: np.ndarray
    outcomes: np.ndarray

    @property
    def shots(self) -> int:
        """Number of shots.

        Example::

            >>> ShotData(np.zeros((1, 3), np.uint8), np.zeros((1, 3), np.uint8)).shots
            1
        """
        return int(self.strings.shape[0])


def run_local(
    test: HadamardTest,
    *,
    shots: int,
    backend: str = "noiseless",
    noise: NoiseModel | None = None,
    seed: int = 0,
    strings: np.ndarray | None = None,
) -> ShotData:
    """Run a Hadamard test on the local emulator: ``backend`` "noiseless" or "noisy" (default H2-2 rates).

    Markov strings are sampled per shot (with readout flips of the sampled bits when noisy, as on the
    device sampler); the plat closure uses the cup string. ``strings`` (shots × (strands+1)) gives the
    recorded Markov strings instead, used as they are (the interleaved design shares one per shot).

    Example::

        >>> from jones.braids import Braid
        >>> from jones.circuits import hadamard_test
        >>> d = run_local(hadamard_test(Braid.parse("1,1,1"), part="re"), shots=10, seed=1)
        >>> d.outcomes.shape
        (10, 3)
    """
    if backend not in BACKENDS:
        raise InputError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}.")
    if not isinstance(shots, int) or shots < 1:
        raise InputError(f"shots {shots!r} must be a positive integer.")
    if backend == "noisy" and noise is None:
        noise = NoiseModel.from_device("H2-2")
    if backend == "noiseless":
        noise = None
    rng = np.random.default_rng(seed)
    nq = test.n_qubits
    if strings is not None:
        strings = np.asarray(strings, dtype=np.uint8).copy()
        if strings.shape != (shots, nq):
            raise InputError(
                f"strings have shape {strings.shape}; {shots} shots on {nq} qubits need {(shots, nq)}."
            )
    elif test.string is not None:
        strings = np.tile(np.array(test.string, dtype=np.uint8), (shots, 1))
    else:
        strings = sample_markov_strings(test.braid.strands, shots, rng=rng)
        if noise is not None and nq > 2:
            flips = rng.random((shots, nq - 2)) < noise.p_meas
            strings[:, 2:] ^= flips.astype(np.uint8)
    outcomes = np.zeros((shots, nq), dtype=np.uint8)
    programs: dict[bytes, tuple[list[_Step], list[tuple], np.ndarray]] = {}
    fired_all: list[np.ndarray] = []
    for shot in range(shots):
        s = strings[shot]
        tag = s.tobytes()
        if tag not in programs:
            steps = _program(test, s)
            sites = _sites(steps, nq, noise) if noise is not None else []
            programs[tag] = (steps, sites, np.array([x[-1] for x in sites]))
        probs = programs[tag][2]
        fired_all.append(np.flatnonzero(rng.random(len(probs)) < probs) if len(probs) else np.zeros(0, int))
    clean = sorted({strings[i].tobytes() for i in range(shots) if len(fired_all[i]) == 0})
    ideal: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
    for start in range(0, len(clean), 256):
        chunk = clean[start : start + 256]
        arr = np.array([np.frombuffer(t, dtype=np.uint8) for t in chunk])
        for tag, dist in zip(chunk, _ideal_batch(test, arr), strict=True):
            ideal[tag] = dist
    for shot in range(shots):
        tag = strings[shot].tobytes()
        if len(fired_all[shot]) == 0:
            keys, p = ideal[tag]
        else:
            steps, sites, _ = programs[tag]
            st = _simulate(test, steps, [sites[i] for i in fired_all[shot]], rng)
            p = np.abs(st.amps) ** 2
            keys, p = st.keys, p / p.sum()
        k = keys[rng.choice(len(keys), p=p)]
        outcomes[shot] = _bits(np.array([k]), nq)[0]
    if noise is not None:
        outcomes ^= (rng.random(outcomes.shape) < noise.p_meas).astype(np.uint8)
    return ShotData(strings, outcomes)
