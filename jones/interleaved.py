"""The anchor's hardware design: four Hadamard tests interleaved in every shot (spec §5).

The anchor ran its 15-strand braid on H2-2 with all four parts — braid Re, braid Im, mirror Re, mirror Im
— in one circuit: the four Markov Hadamard tests of :mod:`jones.circuits` one after another on the same
n+1 qubits, every qubit measured and reset between them. As in the anchor's run, one Markov string s is
sampled per shot (on the device, register ``s``) and shared by the four parts, each of which writes its
own measurement register ``<tag>_m`` (tags ``bre``, ``bim``, ``mre``, ``mim``). One shot therefore yields
all four parts for the same s, and the analysis combines them shot by shot
(:func:`jones.mitigation.interleaved_estimate`).

:func:`simulate_circuit` is a small dense state-vector simulator of pytket circuits with mid-circuit
measurement, reset, SetBits and classically conditioned gates (a few qubits only): it runs the design
itself, not a per-part stand-in, so tests can check that the registers, resets and conditions are wired
right. :func:`run_interleaved` produces interleaved shots for the local backends: the sparse emulator of
:mod:`jones.quantinuum` runs the four parts on the same per-shot strings (every qubit is reset between
parts and its Pauli noise acts within a part, so four runs on shared strings, zipped shot by shot, have
the design's distribution), ``dense``
runs the circuit itself noiselessly, ``pecos`` runs the compiled design on Quantinuum's PECOS emulator.

Example::

    >>> from jones.braids import Braid
    >>> t = interleaved_test(Braid.parse("1,1,1"))
    >>> [p.part for p in t.parts], t.two_qubit_gates_braid
    (['re', 'im', 're', 'im'], 12)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ftq.errors import InputError
from jones.braids import Braid
from jones.circuits import HadamardTest, hadamard_test, sample_markov_strings
from jones.quantinuum import NoiseModel, ShotData, run_local

__all__ = [
    "TAGS",
    "InterleavedTest",
    "interleaved_test",
    "InterleavedShots",
    "simulate_circuit",
    "run_interleaved",
    "interleaved_compile_report",
]

TAGS: tuple[str, ...] = ("bre", "bim", "mre", "mim")
"""Part tags in circuit order: braid re, braid im, mirror re, mirror im."""

LOCAL_BACKENDS: tuple[str, ...] = ("noiseless", "noisy", "dense", "pecos")


@dataclass(frozen=True)
class InterleavedTest:
    """The four Hadamard tests (braid re/im, mirror re/im) of one braid, run in this order in every shot.

    Example::

        >>> t = interleaved_test(Braid.parse("1,2"))
        >>> t.n_qubits, t.parts[2].braid.word
        (4, (-1, -2))
    """

    braid: Braid
    closure: str
    parts: tuple[HadamardTest, HadamardTest, HadamardTest, HadamardTest]

    @property
    def n_qubits(self) -> int:
        """strands + 1 (the parts share the qubits).

        Example::

            >>> interleaved_test(Braid.parse("1,1,1")).n_qubits
            3
        """
        return self.braid.strands + 1

    @property
    def two_qubit_gates_braid(self) -> int:
        """ZZ gates of the four braid parts (3 per run in each part).

        Example::

            >>> interleaved_test(Braid.parse("1,2,1")).two_qubit_gates_braid
            36
        """
        return sum(p.two_qubit_gates_braid for p in self.parts)

    def to_pytket(self):
        """One pytket ``Circuit``: the string sampler (Markov; register ``s``) once, then the four parts in
        order, each measured into ``<tag>_m`` for the tags in :data:`TAGS`, every qubit reset between parts.

        Example::

            >>> c = interleaved_test(Braid.parse("1,1,1")).to_pytket()
            >>> sorted(r.name for r in c.c_registers), c.n_qubits
            (['bim_m', 'bre_m', 'mim_m', 'mre_m', 's'], 3)
        """
        from pytket import Bit, Circuit

        nq = self.n_qubits
        circ = Circuit(nq)
        for k, (tag, test) in enumerate(zip(TAGS, self.parts, strict=True)):
            part = test.to_pytket(sample=(k == 0))
            part.rename_units({Bit("m", j): Bit(f"{tag}_m", j) for j in range(nq)})
            if k:
                for q in circ.qubits:
                    circ.Reset(q)
            for b in part.bits:
                if b not in circ.bits:
                    circ.add_bit(b)
            circ.append(part)
        return circ


def interleaved_test(braid: Braid, *, closure: str = "markov") -> InterleavedTest:
    """Build the four-part interleaved design for ``braid`` (its mirror image gives the last two parts).

    Example::

        >>> interleaved_test(Braid.parse("1,1,1")).parts[3].braid.word
        (-1, -1, -1)
    """
    mirror = braid.mirror()
    parts = (
        hadamard_test(braid, closure=closure, part="re"),
        hadamard_test(braid, closure=closure, part="im"),
        hadamard_test(mirror, closure=closure, part="re"),
        hadamard_test(mirror, closure=closure, part="im"),
    )
    return InterleavedTest(braid, closure, parts)


@dataclass(frozen=True)
class InterleavedShots:
    """Per-shot data of the interleaved design: the shared recorded ``strings`` (shots × (n+1)) and
    ``outcomes[k]``, the measurement of part ``TAGS[k]``; row i of every array comes from the same shot.

    Example::

        >>> z = np.zeros((2, 3), np.uint8)
        >>> InterleavedShots(z, (z, z, z, z)).part(3).shots
        2
    """

    strings: np.ndarray
    outcomes: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    def __post_init__(self) -> None:
        if len(self.outcomes) != len(TAGS):
            raise InputError(
                f"interleaved shots need {len(TAGS)} parts ({', '.join(TAGS)}), got {len(self.outcomes)}."
            )
        shapes = {np.shape(o) for o in self.outcomes} | {np.shape(self.strings)}
        if len(shapes) != 1:
            raise InputError(f"interleaved registers have shapes {sorted(shapes)}; they must be equal.")

    @property
    def shots(self) -> int:
        """Number of shots (each with all four parts).

        Example::

            >>> z = np.zeros((5, 3), np.uint8)
            >>> InterleavedShots(z, (z, z, z, z)).shots
            5
        """
        return int(self.strings.shape[0])

    def part(self, k: int) -> ShotData:
        """Part ``TAGS[k]`` as :class:`ShotData` (the shared strings and its outcomes).

        Example::

            >>> z = np.zeros((1, 3), np.uint8)
            >>> InterleavedShots(z, (z, z, z, z)).part(0).outcomes.shape
            (1, 3)
        """
        return ShotData(self.strings, self.outcomes[k])

    def to_json(self) -> dict:
        """Registers as lists of bit strings (qubit 0 first), for storage.

        Example::

            >>> z = np.zeros((1, 3), np.uint8)
            >>> InterleavedShots(z, (z, z, z, z)).to_json()["bre_m"]
            ['000']
        """

        def rows(a: np.ndarray) -> list[str]:
            return ["".join(map(str, r)) for r in np.asarray(a).tolist()]

        out = {"s": rows(self.strings)}
        for tag, o in zip(TAGS, self.outcomes, strict=True):
            out[f"{tag}_m"] = rows(o)
        return out

    @staticmethod
    def from_json(data: dict) -> InterleavedShots:
        """Inverse of :meth:`to_json`.

        Example::

            >>> z = np.zeros((1, 3), np.uint8)
            >>> InterleavedShots.from_json(InterleavedShots(z, (z, z, z, z)).to_json()).shots
            1
        """

        def arr(rows: list[str]) -> np.ndarray:
            return np.array([[int(c) for c in r] for r in rows], dtype=np.uint8)

        return InterleavedShots(arr(data["s"]), tuple(arr(data[f"{t}_m"]) for t in TAGS))  # type: ignore[arg-type]

    @staticmethod
    def concat(chunks: list[InterleavedShots]) -> InterleavedShots:
        """Shots of several runs, in order.

        Example::

            >>> z = np.zeros((2, 3), np.uint8)
            >>> s = InterleavedShots(z, (z, z, z, z))
            >>> InterleavedShots.concat([s, s]).shots
            4
        """
        if not chunks:
            raise InputError("no interleaved chunks to concatenate.")
        return InterleavedShots(
            np.concatenate([c.strings for c in chunks]),
            tuple(np.concatenate([c.outcomes[k] for c in chunks]) for k in range(len(TAGS))),  # type: ignore[arg-type]
        )


# ------------------------------------------------------------------------------- dense simulator
def _apply(state: np.ndarray, u: np.ndarray, qubits: list[int], nq: int) -> np.ndarray:
    """Apply a 2^k × 2^k unitary (pytket's big-endian order over ``qubits``) to a (2,)*nq state tensor."""
    k = len(qubits)
    t = np.tensordot(u.reshape((2,) * (2 * k)), state, axes=(list(range(k, 2 * k)), qubits))
    return np.moveaxis(t, list(range(k)), qubits)


def simulate_circuit(circuit, *, shots: int, seed: int = 0, max_qubits: int = 10) -> dict[str, np.ndarray]:
    """Run a pytket circuit shot by shot on a dense state vector: unitary gates, ``Measure`` (collapse),
    ``Reset``, ``SetBits`` and ``Conditional`` gates. Returns each classical register as a
    (shots × width) uint8 array. Global phase is ignored. Refuses circuits above ``max_qubits``.

    Example::

        >>> from pytket import Circuit
        >>> c = Circuit(1, 1).X(0).Measure(0, 0)
        >>> simulate_circuit(c, shots=3)["c"].tolist()
        [[1], [1], [1]]
    """
    from pytket import OpType

    nq = circuit.n_qubits
    if nq > max_qubits:
        raise InputError(f"the dense simulator takes at most {max_qubits} qubits; the circuit has {nq}.")
    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise InputError(f"shots {shots!r} must be a positive integer.")
    qindex = {q: i for i, q in enumerate(circuit.qubits)}
    regs: dict[str, int] = {}
    for b in circuit.bits:
        regs[b.reg_name] = max(regs.get(b.reg_name, 0), b.index[0] + 1)
    out = {name: np.zeros((shots, w), dtype=np.uint8) for name, w in regs.items()}
    rng = np.random.default_rng(seed)
    program = []
    for cmd in circuit.get_commands():
        op, args = cmd.op, list(cmd.args)
        cond: tuple[list, int] | None = None
        if op.type == OpType.Conditional:
            w = op.width
            cond = (args[:w], op.value)
            args = args[w:]
            op = op.op
        if op.type == OpType.Measure:
            program.append(("measure", qindex[args[0]], args[1], cond))
        elif op.type == OpType.Reset:
            program.append(("reset", qindex[args[0]], None, cond))
        elif op.type == OpType.SetBits:
            program.append(("setbits", list(op.values), args, cond))
        elif op.type == OpType.Barrier:
            continue
        else:
            program.append(("gate", op.get_unitary(), [qindex[a] for a in args], cond))
    for shot in range(shots):
        bits: dict = {}
        state = np.zeros((2,) * nq, dtype=complex)
        state[(0,) * nq] = 1.0
        for kind, a, b, cond in program:
            if cond is not None:
                cbits, value = cond
                got = sum(bits.get(cb, 0) << i for i, cb in enumerate(cbits))
                if got != value:
                    continue
            if kind == "gate":
                state = _apply(state, a, b, nq)
            elif kind == "setbits":
                for v, cb in zip(a, b, strict=True):
                    bits[cb] = int(v)
            else:
                p1 = float(np.sum(np.abs(np.take(state, 1, axis=a)) ** 2))
                r = int(rng.random() < p1)
                keep = np.take(state, r, axis=a) / math.sqrt(p1 if r else 1 - p1)
                state = np.zeros_like(state)
                idx = [slice(None)] * nq
                idx[a] = 0 if kind == "reset" else r
                state[tuple(idx)] = keep
                if kind == "measure":
                    bits[b] = r
        for cb, v in bits.items():
            out[cb.reg_name][shot, cb.index[0]] = v
    return out


def _split(registers: dict[str, np.ndarray], nq: int) -> InterleavedShots:
    """Interleaved shots from the registers ``s`` and ``<tag>_m`` of a run of the design."""
    return InterleavedShots(
        registers["s"][:, :nq].astype(np.uint8),
        tuple(registers[f"{t}_m"][:, :nq].astype(np.uint8) for t in TAGS),  # type: ignore[arg-type]
    )


def run_interleaved(
    test: InterleavedTest,
    *,
    shots: int,
    backend: str = "noiseless",
    noise: NoiseModel | None = None,
    seed: int = 0,
    pecos_params: dict[str, float] | None = None,
    pecos_noisy: bool = True,
    device: str = "H2-2",
) -> InterleavedShots:
    """Interleaved shots of the design on a local backend.

    ``noiseless``/``noisy``: one Markov string per shot (readout flips of its sampled bits when noisy),
    then the sparse emulator (:func:`jones.quantinuum.run_local`) runs each part on those strings with its
    own seed stream (``noisy`` default: ``device``'s rates); ``dense``: :func:`simulate_circuit` on the
    uncompiled design (noiseless, ≤ 10 qubits); ``pecos``: the design compiled for ``device`` on PECOS with
    ``pecos_params`` (default: the device's figures, :func:`jones.pecos_emulator.hseries_params`), or
    noiseless if ``pecos_noisy`` is False.

    Example::

        >>> s = run_interleaved(interleaved_test(Braid.parse("1,1,1")), shots=4, backend="dense", seed=1)
        >>> s.shots, s.outcomes[1].shape
        (4, (4, 3))
    """
    if backend not in LOCAL_BACKENDS:
        raise InputError(f"backend {backend!r} is not one of {', '.join(LOCAL_BACKENDS)}.")
    if backend in ("noiseless", "noisy"):
        if backend == "noisy" and noise is None:
            noise = NoiseModel.from_device(device)
        rng = np.random.default_rng(seed)
        nq = test.n_qubits
        first = test.parts[0]
        if first.string is not None:
            strings = np.tile(np.array(first.string, dtype=np.uint8), (shots, 1))
        else:
            strings = sample_markov_strings(test.braid.strands, shots, rng=rng)
            if backend == "noisy" and noise is not None and nq > 2:  # readout flips of the sampled bits
                strings[:, 2:] ^= (rng.random((shots, nq - 2)) < noise.p_meas).astype(np.uint8)
        outs = tuple(
            run_local(
                p, shots=shots, backend=backend, noise=noise, seed=seed * 7919 + k + 1, strings=strings
            ).outcomes
            for k, p in enumerate(test.parts)
        )
        return InterleavedShots(strings, outs)  # type: ignore[arg-type]
    if backend == "dense":
        return _split(simulate_circuit(test.to_pytket(), shots=shots, seed=seed), test.n_qubits)
    from jones.pecos_emulator import run_pecos_circuit
    from jones.quantinuum import compile_circuit

    compiled = compile_circuit(test.to_pytket(), device=device, optimisation_level=2)
    return _split(
        run_pecos_circuit(
            compiled, shots=shots, params=pecos_params, noisy=pecos_noisy, device=device, seed=seed
        ),
        test.n_qubits,
    )


def interleaved_compile_report(
    test: InterleavedTest, *, device: str = "H2-1", optimisation_level: int = 2, shots: int = 4000
) -> dict:
    """Compile the four-part design offline: qubits, gate counts (conditional gates included), measurements
    and resets, depth, HQC at ``shots`` (each shot runs all four parts), and the ZZ count of the braid runs
    (all 2q gates less the conditional fan-out CNOTs, two per qubit j ≥ 2 per part, as
    :func:`jones.quantinuum.compile_report` counts them).

    Example::

        >>> r = interleaved_compile_report(interleaved_test(Braid.parse("1,1,1")), shots=100)
        >>> r["parts"], r["runs"], r["braid_two_qubit_gates"]
        (4, 4, 12)
    """
    from jones.quantinuum import circuit_hqc, compile_circuit, gate_counts

    compiled = compile_circuit(test.to_pytket(), device=device, optimisation_level=optimisation_level)
    counts = gate_counts(compiled)
    # as in compile_report: 2q gates minus the (conditional) fan-out CNOTs, 2 per qubit j ≥ 2 per part
    fixed = test.parts[0].string  # plat: plain CNOTs to the cup string's 1-labels only
    per_part = max(0, test.n_qubits - 2) if fixed is None else sum(fixed[2:])
    fanout = len(test.parts) * 2 * per_part
    return {
        "device": device,
        "design": "interleaved",
        "closure": test.closure,
        "parts": len(test.parts),
        "strands": test.braid.strands,
        "crossings": test.braid.crossings,
        "runs": sum(len(p.runs) for p in test.parts),
        **counts,
        "braid_two_qubit_gates": max(0, counts["two_qubit_gates"] - fanout),
        "hqc": circuit_hqc(compiled, shots=shots),
        "shots": shots,
        "optimisation_level": optimisation_level,
    }
