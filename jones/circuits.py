"""Qubit circuits for the Jones polynomial at t = e^{2πi/5}: 3-ZZ runs and control-free Hadamard tests.

Encoding (spec §5): n strands → n+1 qubits, qubit j holds the Fibonacci label x_j. A run σ_i^k acts on
qubits (i−1, i, i+1) as ρ(σ_i)^k of :func:`jones.fibonacci.local_generator` — the single source of the
convention (standard t = e^{2πi/5}); it is compiled to exactly three arbitrary-angle ZZ gates,
``ZZ(m,b)·ZZ(a,m)·ZZ(m,b)`` with single-qubit gates on the middle qubit between them and Rz on the outer
qubits, fitted by least squares using the freedom on the non-Fibonacci states |000⟩, |001⟩, |100⟩ (any
phase allowed there).

Hadamard test without a controlled braid (spec §5): the register starts in |0…0⟩; H on qubit 1 (then S†
for the imaginary part) and CNOT 1→j for every j ≥ 2 with s_j = 1 prepare (|0…0⟩ + |s⟩)/√2; the braid;
the CNOTs again; an Rz cancelling the known phase of the all-zero reference branch; H on qubit 1;
measure all. Shot value v = [q0 = 0 and q2…qn = 0]·(−1)^{q1}, E[v] = Re (Im) ⟨s|ρ(b)|s⟩. The Markov
closure samples s per shot with P(s) = φ^{x_n}/φ^n (DQC1); the plat closure uses the cup string.

Example::

    >>> from jones.braids import Braid
    >>> t = hadamard_test(Braid.parse("1,1,1"), closure="markov", part="re")
    >>> t.two_qubit_gates_braid
    3
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ftq.errors import InputError
from jones.braids import Braid
from jones.fibonacci import (
    PHI,
    cup_string,
    local_generator,
    markov_from_tau,
    markov_tau,
    plat_amplitude,
    plat_from_amplitude,
)

__all__ = [
    "VALID_LOCAL",
    "FREE_LOCAL",
    "LocalGate",
    "RunFit",
    "fit_zz_ansatz",
    "run_fit",
    "braid_runs",
    "HadamardTest",
    "hadamard_test",
    "sample_markov_strings",
    "is_fibonacci",
    "shot_values",
    "PartEstimate",
    "estimate_part",
    "JonesEstimate",
    "combine_parts",
    "exact_value",
    "value_scale",
    "shots_for_error",
    "echo_runs",
    "runs_braid",
]

VALID_LOCAL: tuple[int, ...] = (0b010, 0b011, 0b101, 0b110, 0b111)
"""Local basis states (4a+2m+b) that occur inside Fibonacci strings: the run must equal ρ(σ)^k there."""

FREE_LOCAL: tuple[int, ...] = (0b000, 0b001, 0b100)
"""Local non-Fibonacci states: the run may give them any phase but must not move them."""

CLOSURES = ("markov", "plat")
PARTS = ("re", "im")

_IDX = np.arange(8)
_A, _M, _B = (_IDX >> 2) & 1, (_IDX >> 1) & 1, _IDX & 1
_ZA, _ZM, _ZB = 1 - 2 * _A, 1 - 2 * _M, 1 - 2 * _B


def _rz(t: float) -> np.ndarray:
    """pytket Rz(t) = exp(−iπt Z/2) (angles in half-turns)."""
    return np.diag([np.exp(-0.5j * np.pi * t), np.exp(0.5j * np.pi * t)])


def _ry(t: float) -> np.ndarray:
    c, s = math.cos(math.pi * t / 2), math.sin(math.pi * t / 2)
    return np.array([[c, -s], [s, c]], dtype=complex)


def _on(local: int, u: np.ndarray) -> np.ndarray:
    """A 2×2 gate on local qubit 0 (a), 1 (m) or 2 (b) as an 8×8 matrix."""
    mats = [np.eye(2), np.eye(2), np.eye(2)]
    mats[local] = u
    return np.kron(np.kron(mats[0], mats[1]), mats[2])


@dataclass(frozen=True)
class LocalGate:
    """One gate of a fitted run: ``kind`` "U" (Rz·Ry·Rz), "ZZ" or "RZ"; local ``qubits`` (0=a, 1=m, 2=b).

    Example::

        >>> g = LocalGate("ZZ", (1, 2), (0.25,))
        >>> g.matrix().shape
        (8, 8)
    """

    kind: str
    qubits: tuple[int, ...]
    params: tuple[float, ...]

    def matrix(self) -> np.ndarray:
        """The 8×8 matrix of the gate on the three run qubits (basis 4a+2m+b).

        Example::

            >>> bool(np.allclose(LocalGate("RZ", (0,), (0.0,)).matrix(), np.eye(8)))
            True
        """
        if self.kind == "U":
            a, b, c = self.params
            return _on(self.qubits[0], _rz(a) @ _ry(b) @ _rz(c))
        if self.kind == "RZ":
            return _on(self.qubits[0], _rz(self.params[0]))
        if self.kind == "ZZ":
            zz = {(0, 1): _ZA * _ZM, (1, 2): _ZM * _ZB}[self.qubits]
            return np.diag(np.exp(-0.5j * np.pi * self.params[0] * zz))
        raise ValueError(f"unknown gate kind {self.kind!r}")

    @property
    def is_two_qubit(self) -> bool:
        """True for ZZ gates.

        Example::

            >>> LocalGate("ZZ", (0, 1), (0.1,)).is_two_qubit
            True
        """
        return self.kind == "ZZ"


def _ansatz_gates(x: np.ndarray) -> tuple[list[LocalGate], float]:
    """The 3-ZZ ansatz from 18 parameters (half-turns); returns gates in time order and the global phase."""
    g: list[LocalGate] = []
    zz_qubits = [(1, 2), (0, 1), (1, 2)]
    for layer in range(4):
        g.append(LocalGate("U", (1,), tuple(float(v) for v in x[3 * layer : 3 * layer + 3])))
        if layer < 3:
            g.append(LocalGate("ZZ", zz_qubits[layer], (float(x[12 + layer]),)))
    g.append(LocalGate("RZ", (0,), (float(x[15]),)))
    g.append(LocalGate("RZ", (2,), (float(x[16]),)))
    return g, float(x[17])


def _ansatz_matrix(x: np.ndarray) -> np.ndarray:
    gates, phase = _ansatz_gates(x)
    m = np.eye(8, dtype=complex)
    for gate in gates:
        m = gate.matrix() @ m
    return np.exp(1j * np.pi * phase) * m


def _residual(x: np.ndarray, target: np.ndarray) -> np.ndarray:
    m = _ansatz_matrix(x)
    r = [(m[:, list(VALID_LOCAL)] - target[:, list(VALID_LOCAL)]).ravel()]
    for f in FREE_LOCAL:
        r.append(np.delete(m[:, f], f))
    r = np.concatenate(r)
    return np.concatenate([r.real, r.imag])


@dataclass(frozen=True)
class RunFit:
    """A fitted 3-ZZ circuit for one 8×8 target: gates in time order, global phase (half-turns), residual.

    Example::

        >>> fit = run_fit(1)
        >>> fit.residual < 1e-10 and fit.two_qubit_gates == 3
        True
    """

    power: int
    gates: tuple[LocalGate, ...]
    phase: float
    residual: float

    def matrix(self) -> np.ndarray:
        """The 8×8 unitary of the fitted circuit, global phase included.

        Example::

            >>> m = run_fit(2).matrix()
            >>> bool(np.allclose(m @ m.conj().T, np.eye(8)))
            True
        """
        m = np.eye(8, dtype=complex)
        for gate in self.gates:
            m = gate.matrix() @ m
        return np.exp(1j * np.pi * self.phase) * m

    @property
    def two_qubit_gates(self) -> int:
        """Number of ZZ gates (3).

        Example::

            >>> run_fit(3).two_qubit_gates
            3
        """
        return sum(g.is_two_qubit for g in self.gates)

    @property
    def reference_phase(self) -> float:
        """Phase (radians) the run gives the local all-zero state |000⟩ (the Hadamard-test reference branch).

        Example::

            >>> isinstance(run_fit(1).reference_phase, float)
            True
        """
        return float(np.angle(self.matrix()[0, 0]))

    def add_to(self, circ, qubits: tuple[int, int, int]) -> None:
        """Append the run to a pytket ``Circuit`` on qubits (a, m, b) = (i−1, i, i+1).

        Example::

            >>> from pytket import Circuit
            >>> c = Circuit(3); run_fit(1).add_to(c, (0, 1, 2)); c.n_2qb_gates()
            3
        """
        for g in self.gates:
            q = [qubits[k] for k in g.qubits]
            if g.kind == "U":
                a, b, c = g.params
                circ.Rz(c, q[0])
                circ.Ry(b, q[0])
                circ.Rz(a, q[0])
            elif g.kind == "RZ":
                circ.Rz(g.params[0], q[0])
            else:
                circ.ZZPhase(g.params[0], q[0], q[1])
        circ.add_phase(self.phase)


def fit_zz_ansatz(target: np.ndarray, *, seed: int = 0, restarts: int = 40, tol: float = 1e-10) -> RunFit:
    """Fit the 3-ZZ ansatz to an 8×8 unitary on the Fibonacci local states (free phases elsewhere).

    Raises ``ValueError`` if no restart reaches ``tol`` (Frobenius norm of the residual).

    Example::

        >>> fit = fit_zz_ansatz(local_generator(1))
        >>> bool(np.allclose(fit.matrix()[:, [2, 3, 5, 6, 7]], local_generator(1)[:, [2, 3, 5, 6, 7]]))
        True
    """
    from scipy.optimize import least_squares

    target = np.asarray(target, dtype=complex)
    if target.shape != (8, 8):
        raise InputError(f"run target has shape {target.shape}; it must be 8×8.")
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray] | None = None
    for _ in range(restarts):
        x0 = rng.uniform(-1, 1, 18)
        sol = least_squares(_residual, x0, args=(target,), xtol=1e-15, ftol=1e-15, gtol=1e-15)
        cost = float(np.linalg.norm(_residual(sol.x, target)))
        if best is None or cost < best[0]:
            best = (cost, sol.x)
        if cost < tol:
            break
    assert best is not None
    if best[0] >= tol:
        raise ValueError(f"3-ZZ ansatz fit did not converge: residual {best[0]:.2e} ≥ {tol:.0e}")
    gates, phase = _ansatz_gates(best[1])
    return RunFit(power=0, gates=tuple(gates), phase=phase, residual=best[0])


@lru_cache(maxsize=16)
def run_fit(power: int) -> RunFit:
    """The cached 3-ZZ circuit for ρ(σ_i)^power (power taken mod 10, must not be 0 mod 10).

    Example::

        >>> run_fit(11).power
        1
    """
    k = int(power) % 10
    if k == 0:
        raise InputError("a run σ^k with k ≡ 0 (mod 10) is the identity and needs no circuit.")
    fit = fit_zz_ansatz(local_generator(k), seed=k)
    return RunFit(power=k, gates=fit.gates, phase=fit.phase, residual=fit.residual)


def braid_runs(braid: Braid) -> list[tuple[int, int]]:
    """Runs (generator i, power k mod 10) in time order, merging letters across commuting generators.

    A letter σ_i joins the latest run on i if every later run is on a generator j with |i − j| ≥ 2; runs
    that reach k ≡ 0 (mod 10) are dropped. The product is unchanged because far generators commute.

    Example::

        >>> braid_runs(Braid.parse("1,3,1,-2"))
        [(1, 2), (3, 1), (2, 9)]
    """
    runs: list[list[int]] = []
    for g in braid.word:
        i, s = abs(g), (1 if g > 0 else -1)
        target = None
        for r in range(len(runs) - 1, -1, -1):
            if runs[r][0] == i:
                target = r
                break
            if abs(runs[r][0] - i) < 2:
                break
        if target is None:
            runs.append([i, s])
        else:
            runs[target][1] += s
            if runs[target][1] % 10 == 0:
                del runs[target]
    return [(i, k % 10) for i, k in runs if k % 10]


def is_fibonacci(bits: np.ndarray) -> np.ndarray:
    """Row-wise test that strings (shots × (n+1)) have x_0 = 0, x_1 = 1 and no two adjacent 0s.

    Example::

        >>> is_fibonacci(np.array([[0, 1, 0, 1], [0, 1, 0, 0]])).tolist()
        [True, False]
    """
    bits = np.asarray(bits, dtype=np.uint8)
    ok = (bits[:, 0] == 0) & (bits[:, 1] == 1)
    if bits.shape[1] > 2:
        ok &= ~np.any((bits[:, 1:-1] == 0) & (bits[:, 2:] == 0), axis=1)
    return ok


def _chain_probabilities(strands: int) -> np.ndarray:
    """p[j] = P(x_j = 1 | x_{j−1} = 1) for the Markov-trace weights φ^{x_n}/φ^n (x_j = 1 forced after a 0)."""
    n = strands
    g1, g0 = PHI, 1.0  # completion weights given x_n = 1 / 0
    p = np.ones(n + 1)
    for j in range(n, 1, -1):
        p[j] = g1 / (g1 + g0)
        g1, g0 = g1 + g0, g1  # weights given x_{j-1}
    return p


def sample_markov_strings(strands: int, shots: int, *, rng: np.random.Generator) -> np.ndarray:
    """Sample Fibonacci strings s with P(s) = φ^{x_n}/φ^n, as a (shots, strands+1) uint8 array.

    Example::

        >>> s = sample_markov_strings(4, 5, rng=np.random.default_rng(0))
        >>> s.shape, bool(is_fibonacci(s).all())
        ((5, 5), True)
    """
    if strands < 1:
        raise InputError(f"strand count {strands!r} is not a positive integer.")
    p = _chain_probabilities(strands)
    out = np.zeros((shots, strands + 1), dtype=np.uint8)
    if strands >= 1:
        out[:, 1] = 1
    u = rng.random((shots, strands + 1))
    for j in range(2, strands + 1):
        prev = out[:, j - 1] == 1
        out[:, j] = np.where(prev, u[:, j] < p[j], 1)
    return out


@dataclass(frozen=True)
class HadamardTest:
    """A control-free Hadamard test of one part (re/im) of ⟨s|ρ(b)|s⟩ on ``strands + 1`` qubits.

    ``string`` is fixed for the plat closure (cup state) and None for the Markov closure (sampled per shot).
    ``reference_phase`` (radians) is the phase of the all-zero branch, cancelled by the final Rz.

    Example::

        >>> t = hadamard_test(Braid.parse("2,2,-1,2", strands=4), closure="plat", part="im")
        >>> t.string
        (0, 1, 0, 1, 0)
    """

    braid: Braid
    closure: str
    part: str
    runs: tuple[tuple[int, int], ...]
    reference_phase: float
    string: tuple[int, ...] | None

    @property
    def n_qubits(self) -> int:
        """strands + 1.

        Example::

            >>> hadamard_test(Braid.parse("1,1,1"), closure="markov", part="re").n_qubits
            3
        """
        return self.braid.strands + 1

    @property
    def two_qubit_gates_braid(self) -> int:
        """ZZ gates of the braid part alone (3 per run).

        Example::

            >>> hadamard_test(Braid.parse("1,2,1"), closure="markov", part="re").two_qubit_gates_braid
            9
        """
        return 3 * len(self.runs)

    def rz_angle(self) -> float:
        """Half-turn angle of the Rz on qubit 1 that cancels the reference-branch phase.

        Example::

            >>> t = hadamard_test(Braid.parse("1"), closure="markov", part="re")
            >>> abs(t.rz_angle() - t.reference_phase / math.pi) < 1e-12
            True
        """
        return self.reference_phase / math.pi

    def to_pytket(
        self,
        *,
        string: tuple[int, ...] | None = None,
        sampler: str = "device",
        measure: bool = True,
        sample: bool = True,
    ):
        """The pytket ``Circuit`` (registers ``s`` = string bits, ``m`` = final measurement).

        With a fixed ``string`` (or the plat cup string) the CNOTs are plain gates and ``s`` is set by
        SetBits. For the Markov closure without a string, ``sampler="device"`` samples s on the device with
        quantum coin flips (Ry, measure, reset per label; no RNG needed) and the CNOTs are conditional on
        the recorded bits. ``measure=False`` drops all classical parts (for unitary checks).
        ``sample=False`` (Markov, no fixed string) leaves out the sampler: the CNOTs are conditional on an
        ``s`` register recorded earlier in the same shot (the interleaved design, :mod:`jones.interleaved`).

        Example::

            >>> c = hadamard_test(Braid.parse("1,1,1"), closure="markov", part="re").to_pytket()
            >>> c.n_qubits, c.n_2qb_gates() >= 3
            (3, True)
        """
        from pytket import Bit, Circuit

        n = self.braid.strands
        nq = n + 1
        fixed = string if string is not None else self.string
        circ = Circuit(nq)
        if measure:
            circ.add_c_register("s", nq)
            circ.add_c_register("m", nq)
        if fixed is None and measure and sample:
            if sampler != "device":
                raise InputError(f"sampler {sampler!r} is not 'device'; pass a fixed string instead.")
            p = _chain_probabilities(n)
            circ.add_c_setbits([False, True], [Bit("s", 0), Bit("s", 1)])
            for j in range(2, nq):
                theta = 2 / math.pi * math.asin(math.sqrt(p[j]))
                circ.Ry(theta, j, condition_bits=[Bit("s", j - 1)], condition_value=1)
                circ.Measure(circ.qubits[j], Bit("s", j))
                circ.Reset(circ.qubits[j])
                circ.add_c_setbits([True], [Bit("s", j)], condition_bits=[Bit("s", j - 1)], condition_value=0)
        elif fixed is not None:
            if len(fixed) != nq:
                raise InputError(f"string {fixed} has {len(fixed)} labels; {n} strands need {nq}.")
            if measure:
                circ.add_c_setbits([bool(x) for x in fixed], [Bit("s", j) for j in range(nq)])
        circ.H(1)
        if self.part == "im":
            circ.Sdg(1)

        def fan() -> None:
            for j in range(2, nq):
                if fixed is not None:
                    if fixed[j]:
                        circ.CX(1, j)
                elif measure:
                    circ.CX(1, j, condition_bits=[Bit("s", j)], condition_value=1)
                else:
                    circ.CX(1, j)

        fan()
        for i, k in self.runs:
            run_fit(k).add_to(circ, (i - 1, i, i + 1))
        fan()
        circ.Rz(self.rz_angle(), 1)
        circ.H(1)
        if measure:
            for j in range(nq):
                circ.Measure(circ.qubits[j], Bit("m", j))
        return circ


def hadamard_test(
    braid: Braid,
    *,
    closure: str = "markov",
    part: str = "re",
    runs: tuple[tuple[int, int], ...] | None = None,
) -> HadamardTest:
    """Build the Hadamard test of ``part`` ("re"/"im") for the ``closure`` ("markov"/"plat") of ``braid``.

    ``runs`` overrides the merged runs of :func:`braid_runs` (executed as given, nothing cancelled); the
    caller guarantees their product equals ρ(braid) — used for echo reference circuits.

    Example::

        >>> hadamard_test(Braid.parse("1,-2,1,-2"), closure="markov", part="im").runs
        ((1, 1), (2, 9), (1, 1), (2, 9))
    """
    if closure not in CLOSURES:
        raise InputError(f"closure {closure!r} is not one of {', '.join(CLOSURES)}.")
    if part not in PARTS:
        raise InputError(f"part {part!r} is not one of {', '.join(PARTS)}.")
    if braid.strands < 2:
        raise InputError(f"braid has {braid.strands} strand; the circuits need at least 2.")
    string = None
    if closure == "plat":
        braid.check_plat()
        string = cup_string(braid.strands)
    runs = tuple(braid_runs(braid)) if runs is None else tuple((int(i), int(k) % 10) for i, k in runs)
    if any(k == 0 or not 1 <= i < braid.strands for i, k in runs):
        raise InputError(f"runs {runs} need generators 1…{braid.strands - 1} and powers ≢ 0 (mod 10).")
    phase = sum(run_fit(k).reference_phase for _, k in runs)
    return HadamardTest(braid, closure, part, runs, float(phase), string)


def shot_values(strings: np.ndarray, outcomes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-shot values v ∈ {−1, 0, 1} and the leakage mask (True = inferred strings are Fibonacci).

    ``strings`` are the recorded s (shots × (n+1)), ``outcomes`` the measured m. The inferred output string
    is (m_0, 1, m_2 ⊕ s_2, …); a shot is kept if both s and it are valid Fibonacci strings.

    Example::

        >>> v, keep = shot_values(np.array([[0, 1, 1], [0, 1, 1]]), np.array([[0, 1, 0], [0, 0, 1]]))
        >>> v.tolist(), keep.tolist()
        ([-1, 0], [True, True])
    """
    s = np.asarray(strings, dtype=np.uint8)
    m = np.asarray(outcomes, dtype=np.uint8)
    rest_zero = (m[:, 0] == 0) & ~np.any(m[:, 2:], axis=1)
    v = np.where(rest_zero, 1 - 2 * m[:, 1].astype(int), 0)
    inferred = s.copy()
    inferred[:, 0] = m[:, 0]
    inferred[:, 2:] ^= m[:, 2:]
    keep = is_fibonacci(s) & is_fibonacci(inferred)
    return v, keep


@dataclass(frozen=True)
class PartEstimate:
    """Mean of shot values with standard error; ``shots`` used (after postselection) and ``total`` taken.

    Example::

        >>> estimate_part(np.array([1, -1, 1, 1])).mean
        0.5
    """

    mean: float
    stderr: float
    shots: int
    total: int


def estimate_part(values: np.ndarray, keep: np.ndarray | None = None) -> PartEstimate:
    """Sample mean and standard error of the shot values (optionally only the kept shots).

    Example::

        >>> e = estimate_part(np.array([1, 1, -1, 0]), np.array([True, True, True, False]))
        >>> round(e.mean, 4), e.shots, e.total
        (0.3333, 3, 4)
    """
    v = np.asarray(values, dtype=float)
    total = len(v)
    if keep is not None:
        v = v[np.asarray(keep, dtype=bool)]
    n = len(v)
    if n == 0:
        return PartEstimate(0.0, float("inf"), 0, total)
    sd = float(v.std(ddof=1)) if n > 1 else 1.0
    return PartEstimate(float(v.mean()), sd / math.sqrt(n), n, total)


def value_scale(braid: Braid, *, closure: str) -> complex:
    """The factor c with V = c · ⟨s|ρ(b)|s⟩ (plat) or V = c · τ (Markov); |c| = φ^{n−1} or φ^{m−1}.

    Example::

        >>> round(abs(value_scale(Braid.parse("1,1,1"), closure="markov")), 6)
        1.618034
    """
    if closure == "markov":
        return markov_from_tau(1.0, strands=braid.strands, writhe=braid.writhe)
    if closure == "plat":
        return plat_from_amplitude(1.0, strands=braid.strands, writhe=braid.plat_writhe)
    raise InputError(f"closure {closure!r} is not one of {', '.join(CLOSURES)}.")


@dataclass(frozen=True)
class JonesEstimate:
    """Estimated V with standard errors of its real and imaginary parts, and the raw τ parts.

    Example::

        >>> e = combine_parts(Braid.parse("1,1,1"), re=PartEstimate(1, 0.1, 100, 100),
        ...                   im=PartEstimate(0, 0.1, 100, 100), closure="markov")
        >>> round(abs(e.value), 6)
        1.618034
    """

    value: complex
    stderr_re: float
    stderr_im: float
    tau: complex
    tau_stderr_re: float
    tau_stderr_im: float


def combine_parts(braid: Braid, *, re: PartEstimate, im: PartEstimate, closure: str) -> JonesEstimate:
    """V = c·(re + i·im) with errors propagated from the two independent parts.

    Example::

        >>> e = combine_parts(Braid.parse("1,-1"), re=PartEstimate(1, 0, 9, 9), im=PartEstimate(0, 0, 9, 9),
        ...                   closure="markov")
        >>> round(e.value.real, 6)
        1.618034
    """
    c = value_scale(braid, closure=closure)
    tau = complex(re.mean, im.mean)
    v = c * tau
    sr, si = re.stderr, im.stderr
    err_re = math.sqrt((c.real * sr) ** 2 + (c.imag * si) ** 2)
    err_im = math.sqrt((c.imag * sr) ** 2 + (c.real * si) ** 2)
    return JonesEstimate(complex(v), err_re, err_im, tau, sr, si)


def exact_value(braid: Braid, *, closure: str = "markov") -> complex:
    """Exact V at t = e^{2πi/5} for the closure (dense Fibonacci representation).

    Example::

        >>> round(exact_value(Braid.parse("1,1,1")).imag, 6)
        1.314328
    """
    if closure == "markov":
        return markov_from_tau(markov_tau(braid), strands=braid.strands, writhe=braid.writhe)
    if closure == "plat":
        return plat_from_amplitude(plat_amplitude(braid), strands=braid.strands, writhe=braid.plat_writhe)
    raise InputError(f"closure {closure!r} is not one of {', '.join(CLOSURES)}.")


def shots_for_error(epsilon: float, *, braid: Braid, closure: str = "markov", z: float = 1.96) -> int:
    """Shots per part so that each of Re V, Im V has additive error ≤ ε at confidence z (|v| ≤ 1 per shot).

    N = ⌈(z·|c|/ε)²⌉ with |c| = φ^{n−1} (Markov) or φ^{m−1} (plat): shot values have variance ≤ 1.

    Example::

        >>> shots_for_error(0.1, braid=Braid.parse("1,1,1"))
        1006
    """
    if not epsilon > 0:
        raise InputError(f"additive error {epsilon!r} must be positive.")
    c = abs(value_scale(braid, closure=closure))
    return int(math.ceil((z * c / epsilon) ** 2))


def runs_braid(strands: int, runs: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> Braid:
    """The braid word whose product is the given runs (σ_i^k written as k letters i, or 10−k letters −i).

    Example::

        >>> runs_braid(3, [(1, 2), (2, 9)]).word
        (1, 1, -2)
    """
    word: list[int] = []
    for i, k in runs:
        k = int(k) % 10
        word += [int(i)] * k if k <= 5 else [-int(i)] * (10 - k)
    return Braid(strands, tuple(word))


def echo_runs(runs: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """An echo with as many runs: the first ⌈N/2⌉ runs, then their inverses in reverse order (N even) or
    all but the middle one (N odd). The product is the identity (N even) or a conjugate of the middle run.

    Example::

        >>> echo_runs([(1, 1), (2, 3), (1, 4)])
        ((1, 1), (2, 3), (1, 9))
    """
    runs = [(int(i), int(k) % 10) for i, k in runs]
    n = len(runs)
    half = (n + 1) // 2
    first = runs[:half]
    back = [(i, (10 - k) % 10) for i, k in reversed(runs[: n // 2])]
    if n % 2:
        back = [(i, (10 - k) % 10) for i, k in reversed(runs[: half - 1])]
    return tuple(first + back)
