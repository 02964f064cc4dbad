import doctest
import time

import numpy as np
import pytest
import stim

from ftq import gf2
from ftq.codes import StabilizerCode

# ---------------------------------------------------------------- codes built from textbook definitions


def steane() -> StabilizerCode:
    hamming = [[0, 1, 2, 3], [1, 2, 4, 5], [2, 3, 5, 6]]
    return StabilizerCode.from_css(
        n=7, x_checks=hamming, z_checks=hamming, logical_x=range(7), logical_z=range(7), name="Steane"
    )


def shor() -> StabilizerCode:
    z_checks = [[b + i, b + i + 1] for b in (0, 3, 6) for i in (0, 1)]
    x_checks = [range(0, 6), range(3, 9)]
    return StabilizerCode.from_css(
        n=9, x_checks=x_checks, z_checks=z_checks, logical_x=range(9), logical_z=range(9), name="Shor"
    )


def five_qubit() -> StabilizerCode:
    stabilizers = tuple(stim.PauliString("XZZXI"[-k:] + "XZZXI"[:-k]) for k in range(4))
    return StabilizerCode(stabilizers, stim.PauliString("XXXXX"), stim.PauliString("ZZZZZ"), "[[5,1,3]]")


def rotated_surface(width: int, height: int) -> StabilizerCode:
    """Rotated surface code on a width x height grid: X checks on plaquettes with (i + j) even, weight-2 X
    checks on the top/bottom edges, weight-2 Z checks on the left/right edges."""

    def index(i: int, j: int) -> int:
        return j * width + i

    x_checks, z_checks = [], []
    for j in range(-1, height):
        for i in range(-1, width):
            corners = [(a, b) for a in (i, i + 1) for b in (j, j + 1) if 0 <= a < width and 0 <= b < height]
            is_x = (i + j) % 2 == 0
            if len(corners) == 4 or (len(corners) == 2 and is_x == (j in (-1, height - 1))):
                (x_checks if is_x else z_checks).append([index(a, b) for a, b in corners])
    return StabilizerCode.from_css(
        n=width * height,
        x_checks=x_checks,
        z_checks=z_checks,
        logical_x=[index(0, j) for j in range(height)],
        logical_z=[index(i, 0) for i in range(width)],
        name=f"rotated surface {width}x{height}",
    )


def conjugated(code: StabilizerCode, seed: int) -> StabilizerCode:
    """The same code after a random single-qubit Clifford on every qubit (weights unchanged, CSS lost)."""
    rng = np.random.default_rng(seed)
    circuit = stim.Circuit()
    for q in range(code.n):
        for gate in rng.choice(["H", "S", "H_YZ", "I"], size=3):
            circuit.append(str(gate), [q])
    return StabilizerCode(
        tuple(s.after(circuit) for s in code.stabilizers),
        code.logical_x.after(circuit),
        code.logical_z.after(circuit),
        f"{code.name} conjugated",
    )


KNOWN = [  # (builder, n, k, d) from the literature
    (steane, 7, 1, 3),
    (shor, 9, 1, 3),
    (five_qubit, 5, 1, 3),
    (lambda: rotated_surface(3, 3), 9, 1, 3),
    (lambda: rotated_surface(5, 5), 25, 1, 5),
    (lambda: rotated_surface(3, 5), 15, 1, 3),
]


@pytest.mark.parametrize(("build", "n", "k", "d"), KNOWN)
def test_known_codes_parameters(build, n, k, d):
    code = build()
    code.check()
    assert (code.n, code.k, code.distance()) == (n, k, d)


@pytest.mark.parametrize(("build", "n", "k", "d"), KNOWN)
def test_minimum_weight_logical_is_a_nontrivial_logical(build, n, k, d):
    code = build()
    op = code.minimum_weight_logical()
    assert len(op.pauli_indices()) == d
    assert all(op.commutes(s) for s in code.stabilizers)
    # Not in the stabilizer group: appending it to the generators raises the GF(2) rank.
    xs = np.array([s.to_numpy()[0] for s in code.stabilizers], dtype=np.uint8)
    zs = np.array([s.to_numpy()[1] for s in code.stabilizers], dtype=np.uint8)
    full = np.hstack([xs, zs])
    ox, oz = op.to_numpy()
    assert gf2.rank(np.vstack([full, np.concatenate([ox, oz])])) == gf2.rank(full) + 1


@pytest.mark.parametrize(
    "build", [steane, shor, lambda: rotated_surface(3, 3), lambda: rotated_surface(3, 5)]
)
@pytest.mark.parametrize("seed", [1, 2])
def test_general_search_agrees_with_css_search(build, seed):
    code = build()
    twisted = conjugated(code, seed)
    twisted.check()
    assert not twisted.is_css()  # so the general (X/Y/Z) search runs
    assert twisted.distance() == code.distance()


def test_css_detection_ignores_generator_choice():
    code = steane()
    s = list(code.stabilizers)
    s[3] = s[0] * s[3]  # mixed X/Z generator, same group
    mixed = StabilizerCode(tuple(s), code.logical_x, code.logical_z, "Steane, mixed generators")
    mixed.check()
    assert mixed.is_css() and mixed.is_self_dual()
    assert mixed.distance() == 3
    assert mixed.weight_enumerator("X") == code.weight_enumerator("X")


def test_css_and_self_duality():
    assert steane().is_css() and steane().is_self_dual()
    assert shor().is_css() and not shor().is_self_dual()
    assert rotated_surface(3, 3).is_css() and not rotated_surface(3, 3).is_self_dual()
    assert not five_qubit().is_css() and not five_qubit().is_self_dual()


def test_k_counts_dependent_generators_once():
    code = steane()
    redundant = StabilizerCode(
        (*code.stabilizers, code.stabilizers[0] * code.stabilizers[1]), code.logical_x, code.logical_z
    )
    assert redundant.k == 1
    redundant.check()


# ---------------------------------------------------------------- weight enumerators (derived by hand)


def test_steane_enumerators():
    # The [7,4] Hamming code's dual (simplex code) has 7 words of weight 4.
    assert steane().weight_enumerator("X") == [1, 0, 0, 0, 7]
    assert steane().weight_enumerator("Z") == [1, 0, 0, 0, 7]


def test_shor_enumerators():
    # X part: {I, X0..5, X3..8, X0..2 X6..8}; Z part: (1 + 3x^2)^3 over the three blocks.
    assert shor().weight_enumerator("X") == [1, 0, 0, 0, 0, 0, 3]
    assert shor().weight_enumerator("Z") == [1, 0, 9, 0, 27, 0, 27]


def test_surface_enumerator_counts_the_group():
    code = rotated_surface(3, 3)
    wx = code.weight_enumerator("X")
    assert sum(wx) == 2 ** ((code.n - code.k) // 2)
    assert wx[0] == 1 and wx[1] == 0 and wx[2] == 2  # the two weight-2 edge checks
    with pytest.raises(ValueError, match="basis"):
        code.weight_enumerator("Y")


# ---------------------------------------------------------------- check() failures name the culprit


def test_check_names_anticommuting_stabilizers():
    code = StabilizerCode(
        (stim.PauliString("XX_"), stim.PauliString("_ZZ"), stim.PauliString("Z_Z")),
        stim.PauliString("XXX"),
        stim.PauliString("ZZZ"),
        "bad",
    )
    with pytest.raises(ValueError, match=r"stabilizers 0 \(\+X0\*X1\) and 1 \(\+Z1\*Z2\) anticommute"):
        code.check()


def test_check_names_logical_that_anticommutes_with_a_stabilizer():
    code = steane()
    bad = StabilizerCode(code.stabilizers, stim.PauliString("X______"), code.logical_z, "bad")
    with pytest.raises(ValueError, match=r"logical X \(\+X0\) anticommutes with stabilizer 3"):
        bad.check()


def test_check_requires_anticommuting_logicals():
    code = steane()
    bad = StabilizerCode(code.stabilizers, code.logical_x, code.stabilizers[3], "bad")
    with pytest.raises(ValueError, match="commute; they must anticommute"):
        bad.check()


def test_check_rejects_inconsistent_signs():
    code = StabilizerCode(
        (stim.PauliString("+ZZ"), stim.PauliString("-ZZ")),
        stim.PauliString("XX"),
        stim.PauliString("Z_"),
        "bad",
    )
    with pytest.raises(ValueError, match="is -I"):
        code.check()


def test_check_rejects_wrong_k():
    code = steane()
    bad = StabilizerCode(code.stabilizers[1:], code.logical_x, code.logical_z, "bad")
    assert bad.k == 2
    with pytest.raises(ValueError, match="k=2"):
        bad.check()


def test_mismatched_lengths_rejected():
    with pytest.raises(ValueError, match="different lengths"):
        StabilizerCode((stim.PauliString("ZZZ"),), stim.PauliString("XX"), stim.PauliString("ZZ"))


def test_from_css_rejects_qubit_out_of_range():
    with pytest.raises(ValueError, match="qubit 5"):
        StabilizerCode.from_css(n=3, x_checks=[[0, 5]], z_checks=[], logical_x=[0], logical_z=[0])


def test_code_is_hashable_and_comparable():
    assert steane() == steane()
    assert hash(steane()) == hash(steane())
    assert steane() != shor()


# ---------------------------------------------------------------- distance search limits and speed


def test_distance_beyond_max_weight_raises():
    with pytest.raises(ValueError, match="max_weight"):
        rotated_surface(5, 5).distance(max_weight=4)


def test_distance_n35_d5_is_fast():
    code = rotated_surface(5, 7)  # [[35, 1, 5]], the size of SRP-5
    start = time.perf_counter()
    d = code.distance()
    elapsed = time.perf_counter() - start
    assert (code.n, code.k, d) == (35, 1, 5)
    assert elapsed < 10, f"distance search took {elapsed:.1f} s"


def test_docstring_examples_run():
    import ftq.codes as module

    assert doctest.testmod(module).failed == 0


# ---------------------------------------------------------------- SRP codes read off the published circuits


def _srp_state_group(reference_dir, name: str, n: int) -> tuple[list[int], list[stim.PauliString]]:
    """Simulate the noiseless published circuit up to its first transversal S / S_DAG on n qubits (the start
    of the logical check) and return those qubits and the stabilizer group of their (pure) state."""
    from ftq.noise import strip_noise

    circuit = strip_noise(stim.Circuit.from_file(reference_dir / "rp2" / name)).flattened()
    sim = stim.TableauSimulator()
    for ins in circuit:
        if ins.name in ("S", "S_DAG") and len(ins.targets_copy()) == n:
            qubits = [t.value for t in ins.targets_copy()]
            break
        sim.do(ins)
    else:
        raise AssertionError(f"no transversal S on {n} qubits in {name}")
    stabs = sim.canonical_stabilizers()
    xs = np.array([s.to_numpy()[0] for s in stabs], dtype=np.uint8)
    zs = np.array([s.to_numpy()[1] for s in stabs], dtype=np.uint8)
    outside = [q for q in range(len(stabs[0])) if q not in set(qubits)]
    group = []
    for combo in gf2.nullspace(np.hstack([xs[:, outside], zs[:, outside]]).T):
        p = stim.PauliString(len(stabs[0]))
        for i in np.nonzero(combo)[0]:
            p *= stabs[i]
        x, z = p.to_numpy()
        group.append(stim.PauliString.from_numpy(xs=x[qubits], zs=z[qubits]))
    return qubits, group


@pytest.mark.parametrize(
    ("name", "n", "d", "enumerator"),
    [
        ("rp_3_T_cult.stim", 15, 3, [1, 0, 0, 0, 9, 0, 40, 0, 51, 0, 24, 0, 3]),  # spec §2
        ("rp_3_rp_5_T_cult.stim", 35, 5, None),
    ],
)
def test_srp_code_of_published_circuit_matches_spec(reference_dir, name, n, d, enumerator):
    """Spec §2: SRP-d = [[d^2 + 2d, 1, d]], self-dual CSS, X_L = X^n, Z_L = Z^n, the checked state is a Y_L
    eigenstate. The code is read off the published circuit's state just before the transversal S check."""
    _, group = _srp_state_group(reference_dir, name, n)
    assert len(group) == n  # the n qubits are in a pure state
    xl, zl, yl = (stim.PauliString(c * n) for c in "XZY")
    # The state is a Y_L eigenstate: Y^n is in its group.
    rows = np.array([np.concatenate(g.to_numpy()) for g in group], dtype=np.uint8)
    assert gf2.in_row_space(rows, np.concatenate(yl.to_numpy()))
    # Code stabilizers: the elements that commute with X_L (Y_L anticommutes with it, n being odd).
    anticommutes = np.array([[0 if g.commutes(xl) else 1 for g in group]], dtype=np.uint8)
    stabilizers = []
    for combo in gf2.nullspace(anticommutes):
        p = stim.PauliString(n)
        for i in np.nonzero(combo)[0]:
            p *= group[i]
        stabilizers.append(p)
    code = StabilizerCode(tuple(stabilizers), xl, zl, f"SRP from {name}")
    code.check()
    assert (code.n, code.k, code.distance()) == (n, 1, d)
    assert code.is_css() and code.is_self_dual()
    wx = code.weight_enumerator("X")
    assert wx == code.weight_enumerator("Z")
    assert sum(wx) == 2 ** ((n - 1) // 2)
    assert any(w % 4 == 2 and a for w, a in enumerate(wx))  # not doubly even
    if enumerator is not None:
        assert wx == enumerator
