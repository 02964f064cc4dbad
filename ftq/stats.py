"""Statistics of a stim circuit, computed from the circuit itself (never typed in).

>>> import stim
>>> c = stim.Circuit("R 0 1\\nTICK\\nCX 0 1\\nTICK\\nM 0 1\\nDETECTOR(0, 0, 0, 1) rec[-1]")
>>> s = circuit_stats(c)
>>> s["two_qubit_gates"], s["peak_live_qubits"], s["postselected_detectors"]
(1, 2, 1)
"""

from __future__ import annotations

import stim

from ftq.errors import InputError
from ftq.tags import postselection_mask

#: Largest set of detection events stim's search explores for :func:`fault_distance`. Enough for the
#: circuits here: every undetected logical error of them is found below it (raising it only costs time).
FAULT_SEARCH_MAX_EVENTS = 4

_NOISE = {"DEPOLARIZE1", "DEPOLARIZE2", "X_ERROR", "Y_ERROR", "Z_ERROR", "PAULI_CHANNEL_1", "PAULI_CHANNEL_2"}
_NOISE |= {"E", "ELSE_CORRELATED_ERROR", "HERALDED_ERASE", "HERALDED_PAULI_CHANNEL_1", "I_ERROR", "II_ERROR"}
#: measurements that end a qubit's life (MR/MRX/MRY also reset it, so they count as resets)
_DEMOLITION = {"M", "MX", "MY"}


def two_qubit_gate_count(circuit: stim.Circuit) -> int:
    """Unitary two-qubit gates on qubit pairs; classically controlled (feed-forward) gates are not counted."""
    total = 0
    for inst in circuit.flattened():
        if inst.name in _NOISE or inst.name == "MPP":
            continue
        data = stim.GateData(inst.name)
        if not data.is_two_qubit_gate or not data.is_unitary:
            continue
        ts = inst.targets_copy()
        for a, b in zip(ts[::2], ts[1::2], strict=True):
            if a.is_qubit_target and b.is_qubit_target:
                total += 1
    return total


def live_qubits_per_layer(circuit: stim.Circuit) -> list[int]:
    """Number of live qubits (reset and not yet measured by a demolition measurement) in each TICK layer."""
    live: set[int] = set()
    counts: list[int] = []
    layer_live: set[int] = set()
    for inst in circuit.flattened():
        if inst.name == "TICK":
            counts.append(len(layer_live | live))
            layer_live = set()
            continue
        data = stim.GateData(inst.name)
        qubits = [t.value for t in inst.targets_copy() if t.is_qubit_target]
        if data.is_reset:
            live.update(qubits)
            layer_live.update(qubits)
        elif inst.name in _DEMOLITION:
            layer_live.update(q for q in qubits if q in live)
            live.difference_update(qubits)
    counts.append(len(layer_live | live))
    return counts


def circuit_stats(circuit: stim.Circuit) -> dict[str, int]:
    """qubits, detectors, postselected_detectors, two_qubit_gates, ticks, peak_live_qubits."""
    return {
        "qubits": circuit.num_qubits,
        "detectors": circuit.num_detectors,
        "postselected_detectors": int(postselection_mask(circuit).sum()),
        "two_qubit_gates": two_qubit_gate_count(circuit),
        "ticks": circuit.num_ticks,
        "peak_live_qubits": max(live_qubits_per_layer(circuit)),
    }


def fault_distance(circuit: stim.Circuit) -> int:
    """Fewest faults giving an undetected logical error (every detector silent), by stim's search.

    The search explores detection-event sets of up to :data:`FAULT_SEARCH_MAX_EVENTS` events, with no
    limit on edge degree, so hyperedges (undecomposed errors) count. A noiseless circuit has no faults:
    :class:`ftq.errors.InputError`.

    >>> import stim
    >>> c = stim.Circuit.generated("repetition_code:memory", distance=3, rounds=2, before_round_data_depolarization=0.01)
    >>> fault_distance(c)
    3
    """
    if circuit.detector_error_model().num_errors == 0:
        raise InputError("the fault distance needs a noisy circuit; this one has no noise")
    errors = circuit.search_for_undetectable_logical_errors(
        dont_explore_detection_event_sets_with_size_above=FAULT_SEARCH_MAX_EVENTS,
        dont_explore_edges_with_degree_above=9999,
        dont_explore_edges_increasing_symptom_degree=False,
        canonicalize_circuit_errors=True,
    )
    return len(errors)
