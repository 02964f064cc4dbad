import pytest
import stim

from cultivation.layout import rp_checks, surface_checks
from cultivation.schedule import schedule, syndrome_layers


@pytest.mark.parametrize("d", [3, 5, 7])
def test_rp_schedule_uses_five_layers_without_conflicts(d):
    layers = syndrome_layers(rp_checks(d))
    assert len(layers) == 5
    for layer in layers:
        qubits = [q for pair in layer for q in pair]
        assert len(qubits) == len(set(qubits))
    assert sum(len(layer) for layer in layers) == sum(len(c.data) for c in rp_checks(d))


@pytest.mark.parametrize("d", [3, 5])
def test_bulk_checks_keep_standard_order(d):
    order = {
        "X": (-0.5 - 0.5j, -0.5 + 0.5j, 0.5 - 0.5j, 0.5 + 0.5j),
        "Z": (-0.5 - 0.5j, 0.5 - 0.5j, -0.5 + 0.5j, 0.5 + 0.5j),
    }
    for check, times in schedule(rp_checks(d)).items():
        if check.wraps:
            continue
        present = [check.ancilla + off for off in order[check.basis] if check.ancilla + off in times]
        assert [times[q] for q in present] == sorted(times[q] for q in present)


@pytest.mark.parametrize("d", [3, 5])
def test_schedule_measures_the_stabilizers(d):
    # one noiseless round on a random code state: every check's measurement must be repeatable (two rounds agree)
    checks = rp_checks(d)
    index: dict[complex, int] = {}

    def q(p):
        return index.setdefault(p, len(index))

    c = stim.Circuit()
    for _ in range(2):
        c.append("R", [q(ch.ancilla) for ch in checks if ch.basis == "Z"])
        c.append("RX", [q(ch.ancilla) for ch in checks if ch.basis == "X"])
        for layer in syndrome_layers(checks):
            c.append("CX", [q(p) for pair in layer for p in pair])
        c.append("M", [q(ch.ancilla) for ch in checks if ch.basis == "Z"])
        c.append("MX", [q(ch.ancilla) for ch in checks if ch.basis == "X"])
    n = len(checks)
    for k in range(n):
        c.append("DETECTOR", [stim.target_rec(-1 - k), stim.target_rec(-1 - k - n)])
    c.detector_error_model()  # raises if any repeated check is not deterministic


def test_surface_schedule_has_four_layers():
    assert len(syndrome_layers(surface_checks(7), steps=4)) == 4
