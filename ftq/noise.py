"""Noise models, applied in one place to a finished noiseless stim circuit.

Circuits are built noiselessly (with meaning attached) and noise is added afterwards by :func:`apply_noise`
from a named model (:data:`MODELS`):

``uniform`` (the "uniform depolarizing" model of both RP² and MSC, spec §4), with one parameter ``p``:
    * ``DEPOLARIZE2(p)`` after every two-qubit gate (every qubit pair of CX, CZ, SWAP, ...);
    * ``DEPOLARIZE1(p)`` after every one-qubit gate, including Paulis and the S / S_DAG proxy of T;
    * ``X_ERROR(p)`` after ``R`` / ``RY``, ``Z_ERROR(p)`` after ``RX``;
    * a flip of probability ``p`` before every measurement, written as ``X_ERROR(p)`` before ``M`` / ``MY``
      and ``Z_ERROR(p)`` before ``MX`` (the published RP² files do the same); ``MR``-type gates get both
      the flip before and the reset error after; two-qubit measurements (``MXX``, ...) get a result flip
      argument;
    * ``DEPOLARIZE1(p)`` on every *live* qubit that is idle in a layer.

``si1000`` (MSC's superconducting-inspired model, from Gidney et al. arXiv:2108.10457 as used in
arXiv:2409.17595): ``DEPOLARIZE1(p/10)`` after one-qubit gates and on idle live qubits, ``DEPOLARIZE2(p)``
after two-qubit gates, a ``5p`` flip before every measurement and ``DEPOLARIZE1(p)`` on the measured qubit
after it, a ``2p`` flip after every reset, and an extra ``DEPOLARIZE1(2p)`` on qubits idle in a layer that
contains a (noisy) measurement or reset. MSC applies it to a Z-basis-only gate set; here X- and Y-basis
resets and measurements get the same probabilities with the matching flip (Z_ERROR for the X basis).

``none``: the circuit is returned unchanged (a copy).

Layers and idling. A *layer* is what lies between two TICKs (the start and end of the circuit, and the
start and end of a REPEAT body, also end a layer). A qubit is *live* from the moment it is reset (or first
acted on by a gate) until it is measured by a demolition measurement (M, MX, MY; MR-type and two-qubit
measurements keep it live). A live qubit that was live when the layer began, is still live when it ends,
and is touched by no noisy operation of the layer is *idle* and receives idle noise. Reset and measure
layers are layers like any other. A layer containing no noisy operation at all (only annotations such as
DETECTOR / OBSERVABLE_INCLUDE, or only noiseless operations such as the final MPP) is not a time step and
gets no idle noise; an *empty* layer (two TICKs in a row) is an explicit wait, and every live qubit idles in
it. An ``I`` gate is another way to write a wait: it is a one-qubit gate and gets one-qubit gate noise.

Noiseless operations (no noise, and they do not count as activity for idling, so a live qubit they touch
still idles; resets and measurements among them still start and end liveness):
    * any instruction whose stim tag contains the token ``noiseless`` (tags are comma separated, e.g.
      ``CX[noiseless] 0 1`` or ``S[proxy,noiseless] 4``);
    * classically controlled Paulis (feed-forward), i.e. every target pair of a two-qubit gate that
      involves a measurement-record or sweep-bit target, e.g. ``CX rec[-1] 3``;
    * ``MPP`` (the final noiseless readout) and annotations.

REPEAT blocks are supported: each body is noised once, starting from the set of live qubits at its entry;
if the body changes that set, the first iteration is unrolled (once is enough: a body maps the live set S
to (S - measured) | revived, so the set is the same at every later entry).

The input must be noiseless: a circuit that already holds noise channels or measurement flip arguments is
rejected (use :func:`strip_noise` first).

>>> import stim
>>> c = stim.Circuit("R 0 1\\nTICK\\nH 0\\nTICK\\nCX 0 1\\nTICK\\nM 0 1")
>>> print(apply_noise(c, model="uniform", p=0.001))
R 0 1
X_ERROR(0.001) 0 1
TICK
H 0
DEPOLARIZE1(0.001) 0 1
TICK
CX 0 1
DEPOLARIZE2(0.001) 0 1
TICK
X_ERROR(0.001) 0 1
M 0 1
"""

from __future__ import annotations

import collections
import dataclasses
import math
import numbers

import stim

from ftq.errors import InputError

MODELS: tuple[str, ...] = ("none", "uniform", "si1000")
"""Names accepted by :func:`apply_noise`'s ``model`` argument."""

NOISELESS_TAG = "noiseless"
"""The tag token that marks an instruction as noiseless (``CX[noiseless] 0 1``)."""

_ANNOTATIONS = frozenset({"DETECTOR", "OBSERVABLE_INCLUDE", "QUBIT_COORDS", "SHIFT_COORDS", "MPAD"})
_ALWAYS_NOISELESS = frozenset({"MPP"})
# The flip channel that corrupts a reset or a demolition measurement in each basis.
_FLIP_FOR_BASIS = {"X": "Z_ERROR", "Y": "X_ERROR", "Z": "X_ERROR"}
_BASIS_OF = {
    "R": "Z",
    "RX": "X",
    "RY": "Y",
    "M": "Z",
    "MX": "X",
    "MY": "Y",
    "MR": "Z",
    "MRX": "X",
    "MRY": "Y",
}


@dataclasses.dataclass(frozen=True)
class _Rates:
    gate1: float
    gate2: float
    idle: float
    reset: float
    measure: float
    after_measure: float
    idle_during_collapse: float


def _rates(model: str, p: float) -> _Rates:
    if model == "uniform":
        return _Rates(gate1=p, gate2=p, idle=p, reset=p, measure=p, after_measure=0, idle_during_collapse=0)
    return _Rates(
        gate1=p / 10,
        gate2=p,
        idle=p / 10,
        reset=2 * p,
        measure=5 * p,
        after_measure=p,
        idle_during_collapse=2 * p,
    )


def validate_noise(*, model: str, p: float) -> None:
    """Raise :class:`~ftq.errors.InputError` unless ``model`` is known and ``p`` is valid for it.

    ``p`` must lie in (0, 0.5) (``si1000``: in (0, 0.1), since its measurement flip is 5p);
    ``none`` also accepts p = 0.

    >>> validate_noise(model="uniform", p=1e-3)
    >>> validate_noise(model="uniform", p=0.7)
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: noise strength p=0.7 is outside the valid range (0, 0.5) for model 'uniform'.
    """
    if model not in MODELS:
        raise InputError(f"unknown noise model {model!r}; valid models are {', '.join(MODELS)}.")
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not math.isfinite(p):
        raise InputError(f"noise strength p={p!r} is not a finite number; it must lie in (0, 0.5).")
    if model == "none":
        if not 0 <= p < 0.5:
            raise InputError(f"noise strength p={p} is outside the valid range [0, 0.5) for model 'none'.")
        return
    high = 0.1 if model == "si1000" else 0.5
    if not 0 < p < high:
        raise InputError(f"noise strength p={p} is outside the valid range (0, {high}) for model {model!r}.")


def is_noiseless_instruction(instruction: stim.CircuitInstruction) -> bool:
    """True if the instruction's tag carries the ``noiseless`` token.

    >>> is_noiseless_instruction(stim.CircuitInstruction("CX[noiseless] 0 1"))
    True
    """
    return NOISELESS_TAG in (part.strip() for part in instruction.tag.split(","))


def _is_noise_channel(gate: stim.GateData) -> bool:
    """Pure noise channels (DEPOLARIZE1, X_ERROR, HERALDED_ERASE, ...), not measurements or resets."""
    return gate.is_noisy_gate and (not gate.produces_measurements or gate.name.startswith("HERALDED_"))


def _is_pair_measure(gate: stim.GateData) -> bool:
    return gate.produces_measurements and gate.is_two_qubit_gate


def _is_classical(target: stim.GateTarget) -> bool:
    return target.is_measurement_record_target or target.is_sweep_bit_target


class _Noiser:
    """Walks a circuit layer by layer, tracking live qubits, and writes the noisy circuit."""

    def __init__(self, rates: _Rates):
        self.rates = rates

    def noisy(self, circuit: stim.Circuit, live: frozenset[int]) -> tuple[stim.Circuit, frozenset[int]]:
        """The noisy version of ``circuit`` (a whole circuit or a REPEAT body) and the live set after it."""
        out = stim.Circuit()
        layer: list[stim.CircuitInstruction] = []
        opened_by_tick = False
        for item in circuit:
            if isinstance(item, stim.CircuitRepeatBlock):
                live = self._flush(layer, live, out, wait=False)
                layer, opened_by_tick = [], False
                live = self._repeat(item, live, out)
            elif item.name == "TICK":
                live = self._flush(layer, live, out, wait=opened_by_tick and not layer)
                out.append(item)
                layer, opened_by_tick = [], True
            else:
                layer.append(item)
        live = self._flush(layer, live, out, wait=False)
        return out, live

    def _repeat(
        self, block: stim.CircuitRepeatBlock, live: frozenset[int], out: stim.Circuit
    ) -> frozenset[int]:
        body, after = self.noisy(block.body_copy(), live)
        if after == live:
            out.append(stim.CircuitRepeatBlock(block.repeat_count, body, tag=block.tag))
            return after
        # A body acts on the live set as S -> (S - killed) | revived, which is idempotent: after one unrolled
        # iteration the live set is the same at every later entry.
        body2, after2 = self.noisy(block.body_copy(), after)
        assert after2 == after
        out += body
        if block.repeat_count > 1:
            out.append(stim.CircuitRepeatBlock(block.repeat_count - 1, body2, tag=block.tag))
        return after2

    def _flush(
        self, layer: list[stim.CircuitInstruction], live: frozenset[int], out: stim.Circuit, *, wait: bool
    ) -> frozenset[int]:
        r = self.rates
        live_at_start = live
        now = set(live)
        active: set[int] = set()
        collapses = False
        for ins in layer:
            gate = stim.gate_data(ins.name)
            targets = ins.targets_copy()
            qubits = [t.value for t in targets if not _is_classical(t) and not t.is_combiner]
            if ins.name in _ANNOTATIONS:
                out.append(ins)
                continue
            if _is_noise_channel(gate):
                raise InputError(
                    f"the circuit already contains the noise channel {ins.name}; apply_noise needs a "
                    "noiseless circuit (use strip_noise first)."
                )
            if gate.produces_measurements and ins.gate_args_copy():
                raise InputError(
                    f"the measurement {ins} already has a flip probability; apply_noise needs a "
                    "noiseless circuit (use strip_noise first)."
                )
            if is_noiseless_instruction(ins) or ins.name in _ALWAYS_NOISELESS:
                out.append(ins)
                self._update_liveness(ins.name, gate, qubits, now)
                continue
            if gate.is_unitary and gate.is_two_qubit_gate:
                pairs = [targets[k : k + 2] for k in range(0, len(targets), 2)]
                quantum = [
                    t.value for a, b in pairs if not (_is_classical(a) or _is_classical(b)) for t in (a, b)
                ]
                out.append(ins)
                if quantum:
                    out.append("DEPOLARIZE2", quantum, r.gate2)
                active.update(quantum)
                now.update(quantum)
            elif gate.is_unitary and gate.is_single_qubit_gate:
                out.append(ins)
                out.append("DEPOLARIZE1", qubits, r.gate1)
                active.update(qubits)
                now.update(qubits)
            elif _is_pair_measure(gate):
                out.append(stim.CircuitInstruction(ins.name, targets, [r.measure], tag=ins.tag))
                if r.after_measure:
                    out.append("DEPOLARIZE2", qubits, r.after_measure)
                active.update(qubits)
                now.update(qubits)
                collapses = True
            elif ins.name in _BASIS_OF:
                flip = _FLIP_FOR_BASIS[_BASIS_OF[ins.name]]
                if gate.produces_measurements:
                    out.append(flip, qubits, r.measure)
                out.append(ins)
                if gate.produces_measurements and not gate.is_reset and r.after_measure:
                    out.append("DEPOLARIZE1", qubits, r.after_measure)
                if gate.is_reset:
                    out.append(flip, qubits, r.reset)
                active.update(qubits)
                self._update_liveness(ins.name, gate, qubits, now)
                collapses = True
            else:
                raise InputError(
                    f"apply_noise has no rule for the instruction {ins}; tag it [noiseless] or rewrite it "
                    "with supported gates."
                )
        if active or wait:
            idle = sorted((live_at_start & now) - active)
            if idle:
                out.append("DEPOLARIZE1", idle, r.idle)
                if collapses and r.idle_during_collapse:
                    out.append("DEPOLARIZE1", idle, r.idle_during_collapse)
        return frozenset(now)

    @staticmethod
    def _update_liveness(name: str, gate: stim.GateData, qubits: list[int], now: set[int]) -> None:
        if gate.is_reset:
            now.update(qubits)
        elif gate.produces_measurements and name in _BASIS_OF:
            now.difference_update(qubits)


def apply_noise(circuit: stim.Circuit, *, model: str, p: float) -> stim.Circuit:
    """The circuit with noise model ``model`` of strength ``p`` applied (see the module docstring).

    >>> c = stim.Circuit("RX 0\\nR 1 2\\nTICK\\nCX 0 1\\nTICK\\nM 1\\nTICK\\nCX rec[-1] 2\\nMX 0")
    >>> c.append("TICK")
    >>> c.append("MPP", [stim.target_z(2)])
    >>> print(apply_noise(c, model="uniform", p=0.01))
    RX 0
    Z_ERROR(0.01) 0
    R 1 2
    X_ERROR(0.01) 1 2
    TICK
    CX 0 1
    DEPOLARIZE2(0.01) 0 1
    DEPOLARIZE1(0.01) 2
    TICK
    X_ERROR(0.01) 1
    M 1
    DEPOLARIZE1(0.01) 0 2
    TICK
    CX rec[-1] 2
    Z_ERROR(0.01) 0
    MX 0
    DEPOLARIZE1(0.01) 2
    TICK
    MPP Z2
    """
    validate_noise(model=model, p=p)
    if model == "none":
        return circuit.copy()
    noisy, _ = _Noiser(_rates(model, float(p))).noisy(circuit, frozenset())
    return noisy


def strip_noise(circuit: stim.Circuit) -> stim.Circuit:
    """The circuit without its noise channels and measurement flip probabilities (REPEAT bodies included).

    Heralded noise channels write measurement results, so removing them would shift the record; they are
    rejected.

    >>> print(strip_noise(stim.Circuit("R 0\\nX_ERROR(0.1) 0\\nTICK\\nM(0.2) 0")))
    R 0
    TICK
    M 0
    """
    out = stim.Circuit()
    for item in circuit:
        if isinstance(item, stim.CircuitRepeatBlock):
            out.append(
                stim.CircuitRepeatBlock(item.repeat_count, strip_noise(item.body_copy()), tag=item.tag)
            )
            continue
        gate = stim.gate_data(item.name)
        if _is_noise_channel(gate):
            if gate.produces_measurements:
                raise InputError(
                    f"cannot strip the heralded noise channel {item.name}: it writes measurement results."
                )
            continue
        if gate.produces_measurements and item.name not in _ANNOTATIONS and item.gate_args_copy():
            out.append(stim.CircuitInstruction(item.name, item.targets_copy(), [], tag=item.tag))
        else:
            out.append(item)
    return out


def noise_layers(circuit: stim.Circuit) -> list[collections.Counter]:
    """Per layer (TICK to TICK, REPEAT blocks flattened), the noise it holds.

    Each layer is a Counter of ``(channel, probability, qubits)``, ``qubits`` being one qubit, or a sorted
    pair for two-qubit channels.

    Measurement flip arguments (``M(0.01) 3``) appear as ``("M", 0.01, 3)``. Use it to compare the noise of
    two circuits with the same schedule layer by layer.

    >>> noise_layers(stim.Circuit("R 0 1\\nX_ERROR(0.1) 0\\nTICK\\nCX 0 1\\nDEPOLARIZE2(0.2) 0 1"))
    [Counter({('X_ERROR', 0.1, 0): 1}), Counter({('DEPOLARIZE2', 0.2, (0, 1)): 1})]
    """
    layers: list[collections.Counter] = [collections.Counter()]
    for ins in circuit.flattened():
        if ins.name == "TICK":
            layers.append(collections.Counter())
            continue
        gate = stim.gate_data(ins.name)
        args = ins.gate_args_copy()
        if (
            ins.name in _ANNOTATIONS
            or not args
            or not (_is_noise_channel(gate) or gate.produces_measurements)
        ):
            continue
        arg = args[0] if len(args) == 1 else tuple(args)
        qubits = [t.value for t in ins.targets_copy() if not t.is_combiner]
        if gate.is_two_qubit_gate:
            for k in range(0, len(qubits), 2):
                layers[-1][(ins.name, arg, tuple(sorted(qubits[k : k + 2])))] += 1
        else:
            for q in qubits:
                layers[-1][(ins.name, arg, q)] += 1
    return layers
