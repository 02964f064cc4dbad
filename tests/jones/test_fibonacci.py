"""Tests for jones.fibonacci: the representation's algebra and the normalisations, against external values."""

import cmath
import itertools
import math

import numpy as np
import pytest

from ftq.errors import InputError
from jones import fibonacci as fib
from jones.braids import Braid, random_braid

# Standard values at t = e^{2πi/5} (spec §5, computed by hand from KnotInfo's polynomials)
KNOWN = {
    "1,1,1": -0.809017 + 1.314328j,  # 3_1: t + t^3 - t^4
    "1,-2,1,-2": -1.236068,  # 4_1
    "1,1,1,1,1": -0.381966,  # 5_1
    "1,1,1,2,-1,2": -0.118034 - 0.812299j,  # 5_2
    "1,2,1,2,1,2,1,2": 1.0,  # T(3,4)
}


def test_constants():
    assert math.isclose(fib.PHI**2, fib.PHI + 1)
    assert cmath.isclose(fib.T, cmath.exp(2j * math.pi / 5))
    assert cmath.isclose(-(fib.A**2) - fib.A**-2, fib.PHI)
    assert cmath.isclose(fib.A**-4, fib.T)


@pytest.mark.parametrize("n", range(1, 12))
def test_strings_count_and_rules(n):
    strings = fib.fibonacci_strings(n)
    assert len(strings) == fib.fibonacci_number(n + 1)
    assert len(set(strings)) == len(strings)
    for s in strings:
        assert len(s) == n + 1 and s[0] == 0 and s[1] == 1
        assert all(not (s[j] == 0 and s[j + 1] == 0) for j in range(n))
    # completeness: brute force over all bit strings
    brute = [
        (0, 1) + t
        for t in itertools.product((0, 1), repeat=n - 1)
        if all(not (x == 0 and y == 0) for x, y in zip((1,) + t, t, strict=False))
    ]
    assert sorted(brute) == strings


def test_dimension_at_15_strands_matches_anchor():
    assert fib.fibonacci_number(16) == 987


@pytest.mark.parametrize("power", range(-3, 12))
def test_local_generator_unitary_and_powers(power):
    U = fib.local_generator(power)
    assert np.allclose(U @ U.conj().T, np.eye(8), atol=1e-13)
    assert np.allclose(U, np.linalg.matrix_power(fib.local_generator(1), power % 10), atol=1e-12)
    for free in (0b000, 0b001, 0b100):
        e = np.zeros(8)
        e[free] = 1
        assert np.allclose(U @ e, e)


def test_local_generator_matches_temperley_lieb_form():
    # ρ(σ) = A·1 + A⁻¹E with E² = δE on the Fibonacci states
    U = fib.local_generator(1)
    E = (U - fib.A * np.eye(8)) * fib.A
    fibo = [0b010, 0b011, 0b101, 0b110, 0b111]
    Ef = E[np.ix_(fibo, fibo)]
    assert np.allclose(Ef @ Ef, fib.PHI * Ef, atol=1e-12)
    assert np.allclose(Ef, Ef.T)
    # σ flips only the middle qubit
    for i, j in zip(*np.nonzero(np.abs(U) > 1e-12), strict=True):
        assert (i ^ j) in (0, 0b010)


def _qubit_unitary(braid: Braid) -> np.ndarray:
    """ρ(braid) assembled on all n+1 qubits from local_generator, restricted to Fibonacci strings."""
    n = braid.strands
    dim = 2 ** (n + 1)
    U = np.eye(dim, dtype=complex)
    for g in braid.word:
        i = abs(g)
        G = fib.local_generator(1 if g > 0 else -1).reshape(2, 2, 2, 2, 2, 2)
        full = np.eye(dim, dtype=complex).reshape([2] * (2 * (n + 1)))
        # apply G on qubits (i-1, i, i+1), qubit 0 most significant
        op = np.moveaxis(full, [i - 1, i, i + 1], [0, 1, 2])
        op = np.tensordot(G, op, axes=([3, 4, 5], [0, 1, 2]))
        op = np.moveaxis(op, [0, 1, 2], [i - 1, i, i + 1]).reshape(dim, dim)
        U = U @ op
    idx = [int("".join(map(str, s)), 2) for s in fib.fibonacci_strings(n)]
    return U[np.ix_(idx, idx)]


def test_path_basis_matches_qubit_encoding():
    b = random_braid(strands=5, crossings=12, seed=7)
    assert np.allclose(fib.braid_unitary(b), _qubit_unitary(b), atol=1e-12)


@pytest.mark.parametrize("n", [3, 4, 6, 9])
def test_braid_relations_and_unitarity(n):
    eye = np.eye(fib.fibonacci_number(n + 1))
    for i in range(1, n):
        s = fib.braid_unitary(Braid(n, (i,)))
        assert np.abs(s @ s.conj().T - eye).max() < 1e-13
        assert np.abs(fib.braid_unitary(Braid(n, (i, -i))) - eye).max() < 1e-13
        if i + 1 < n:
            lhs = fib.braid_unitary(Braid(n, (i, i + 1, i)))
            rhs = fib.braid_unitary(Braid(n, (i + 1, i, i + 1)))
            assert np.abs(lhs - rhs).max() < 1e-13
        for j in range(i + 2, n):
            lhs = fib.braid_unitary(Braid(n, (i, j)))
            rhs = fib.braid_unitary(Braid(n, (j, i)))
            assert np.abs(lhs - rhs).max() < 1e-13


def test_homomorphism_order():
    a, b = Braid.parse("1,2", strands=4), Braid.parse("-3,1", strands=4)
    assert np.allclose(fib.braid_unitary(a + b), fib.braid_unitary(a) @ fib.braid_unitary(b))


@pytest.mark.parametrize("word,expected", list(KNOWN.items()))
def test_markov_values_against_knotinfo(word, expected):
    assert abs(fib.markov_value(Braid.parse(word)) - expected) < 1e-6


def test_markov_value_is_invariant_under_markov_moves():
    b = Braid.parse("1,1,1,2,-1,2")
    v = fib.markov_value(b)
    for by in ["1", "2,-1", "-2,-2,1"]:
        assert abs(fib.markov_value(b.conjugate(Braid.parse(by))) - v) < 1e-12
    assert abs(fib.markov_value(b.stabilize()) - v) < 1e-12
    assert abs(fib.markov_value(b.stabilize(sign=-1).stabilize()) - v) < 1e-12


def test_unlink_and_mirror():
    for n in range(1, 7):
        v = fib.markov_value(Braid(n, ()))
        assert abs(v - fib.PHI ** (n - 1)) < 1e-12  # n-component unlink: δ^{n-1}
    b = random_braid(strands=4, crossings=15, seed=11)
    if b.markov_components() == 1:
        assert abs(fib.markov_value(b.mirror()) - fib.markov_value(b).conjugate()) < 1e-12


def test_markov_bound_and_weights():
    n = 8
    assert abs(fib.markov_weights(n).sum() - 1) < 1e-12
    b = random_braid(strands=n, crossings=60, seed=2)
    assert abs(fib.markov_tau(b)) <= 1 + 1e-12
    assert abs(fib.markov_value(b)) <= fib.PHI ** (n - 1) + 1e-9
    assert abs(fib.markov_tau(b, chunk=7) - fib.markov_tau(b)) < 1e-12


def test_plat_figure_eight_and_unlink():
    assert abs(fib.plat_value(Braid.parse("2,2,-1,2", strands=4)) - (-1.236068)) < 1e-6
    for m in range(1, 5):
        assert abs(fib.plat_value(Braid(2 * m, ())) - fib.PHI ** (m - 1)) < 1e-12


def test_plat_trefoil_two_bridge():
    # the 4-plat of σ2^3 is a trefoil; σ2^-3 its mirror (values are complex conjugates)
    v = fib.plat_value(Braid.parse("2,2,2", strands=4))
    w = fib.plat_value(Braid.parse("-2,-2,-2", strands=4))
    trefoils = {KNOWN["1,1,1"], KNOWN["1,1,1"].conjugate()}
    assert min(abs(v - t) for t in trefoils) < 1e-6
    assert abs(w - v.conjugate()) < 1e-12


def test_errors():
    with pytest.raises(InputError):
        fib.plat_value(Braid.parse("1,2"))
    with pytest.raises(InputError):
        fib.markov_value(Braid(40, ()))
    with pytest.raises(InputError):
        fib.apply_braid(Braid(3, (1,)), np.zeros(4))


def test_docstring_examples_run():
    import doctest

    import jones.fibonacci as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
