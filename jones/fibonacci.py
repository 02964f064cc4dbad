"""The Fibonacci (Jones–Wenzl) representation of the braid group at t = e^{2πi/5}, and every normalisation.

This module is the single source of truth for conventions. Everything else (exact polynomials, tensor
networks, circuits) is tested against the values computed here, and these against KnotInfo.

Conventions (derived, then checked against KnotInfo — see tests/jones/test_fibonacci.py):

* Kauffman bracket ⟨crossing⟩ = A⟨0-smoothing⟩ + A⁻¹⟨∞-smoothing⟩, loop value δ = −A² − A⁻²,
  Jones polynomial V_L(t) = (−A³)^{−w} ⟨L⟩ / δ with t = A⁻⁴ (unknot → 1).
* The braid generator σ_i (KnotInfo's ``i``) maps to ρ(σ_i) = A·1 + A⁻¹·E_i, E_i the Temperley–Lieb
  generator (cap-cup on strands i, i+1, E_i² = δ E_i). With this, KnotInfo's 3_1 = closure of σ1³ has
  V = t + t³ − t⁴.
* We evaluate at the *standard* point t = e^{2πi/5}, so **A = e^{−3πi/5}** (t = A⁻⁴ = e^{12πi/5}) and
  δ = φ = (1+√5)/2. The anchor (CQCL/jones-polynomial) uses A = e^{+3πi/5}, i.e. t = e^{−2πi/5}: every
  matrix here is the complex conjugate of theirs and knot values are conjugated. Do not mix the two.
* Path (qubit) encoding: n strands ↔ labels x_0 … x_n ∈ {0 = trivial, 1 = τ}, x_0 = 0, x_1 = 1, no two
  adjacent 0s; there are F_{n+1} such strings (Fibonacci numbers, F_1 = F_2 = 1). σ_i acts on
  (x_{i−1}, x_i, x_{i+1}) and may flip only x_i. In the basis 4a + 2m + b of those three qubits:
  |010⟩ → −A⁻³ = e^{4πi/5}, |011⟩, |110⟩ → A = e^{−3πi/5}, and on {|101⟩, |111⟩} the block
  A·I + A⁻¹·(1/φ)[[1, √φ], [√φ, φ]]; the non-Fibonacci states |000⟩, |001⟩, |100⟩ are left alone.
* ``braid_unitary(b)`` is the homomorphism ρ(σ_{g1})ρ(σ_{g2})⋯ (word read left to right as a matrix
  product). A circuit applying the letters in time order implements the product in the reverse order,
  which here is the transpose (every ρ(σ_i) is symmetric): traces and cup amplitudes are identical.
* Markov closure of b ∈ B_n: V = (−A⁻³)^w · φ^{n−1} · τ, τ = Σ_s P(s) ⟨s|ρ(b)|s⟩, P(s) = φ^{x_n}/φ^n.
  Plat closure of b ∈ B_{2m}: V = (−A⁻³)^{w'} · φ^{m−1} · ⟨c|ρ(b)|c⟩ with c = (0,1,0,1,…,0) and w' the
  writhe of the *oriented* plat diagram (:meth:`jones.braids.Braid.plat_writhe`).

Example::

    >>> from jones.braids import Braid
    >>> v = markov_value(Braid.parse("1,1,1"))
    >>> round(v.real, 6), round(v.imag, 6)
    (-0.809017, 1.314328)
"""

from __future__ import annotations

import cmath
import math
from functools import lru_cache

import numpy as np

from ftq.errors import InputError
from jones.braids import Braid

__all__ = [
    "PHI",
    "A",
    "T",
    "DELTA",
    "fibonacci_number",
    "fibonacci_strings",
    "local_generator",
    "generator_power",
    "apply_braid",
    "braid_unitary",
    "writhe_phase",
    "markov_weights",
    "markov_from_tau",
    "plat_from_amplitude",
    "cup_string",
    "markov_tau",
    "markov_value",
    "plat_amplitude",
    "plat_value",
]

PHI: float = (1 + math.sqrt(5)) / 2
"""The golden ratio φ = quantum dimension of τ = loop value δ at t = e^{2πi/5}."""

A: complex = cmath.exp(-3j * math.pi / 5)
"""Kauffman variable A = e^{−3πi/5}: t = A⁻⁴ = e^{2πi/5} and δ = −A² − A⁻² = φ."""

T: complex = A**-4
"""The evaluation point t = e^{2πi/5}."""

DELTA: float = PHI

_LAMBDA: complex = -(A**-3)  # eigenvalue of ρ(σ) on the E-eigenspace: A + δ A⁻¹ = −A⁻³ = e^{4πi/5}
_MAX_DENSE_STRANDS = 26


def fibonacci_number(k: int) -> int:
    """F_k with F_1 = F_2 = 1; the n-strand representation has dimension F_{n+1}.

    Example::

        >>> fibonacci_number(16)
        987
    """
    a, b = 0, 1
    for _ in range(k):
        a, b = b, a + b
    return a


def _check_strands(strands: int) -> None:
    if not isinstance(strands, int) or strands < 1:
        raise InputError(f"strand count {strands!r} is not a positive integer.")
    if strands > _MAX_DENSE_STRANDS:
        raise InputError(
            f"{strands} strands is too many for the dense Fibonacci representation (dimension "
            f"{fibonacci_number(strands + 1)}); use at most {_MAX_DENSE_STRANDS} strands "
            "or the tensor-network method."
        )


@lru_cache(maxsize=64)
def _strings_array(strands: int) -> np.ndarray:
    """All Fibonacci strings of length strands+1 as a uint8 array, lexicographically sorted."""
    rows = np.array([[0, 1]], dtype=np.uint8)
    for _ in range(strands - 1):
        last = rows[:, -1]
        ext1 = np.concatenate([rows, np.ones((len(rows), 1), np.uint8)], axis=1)
        ext0 = np.concatenate([rows[last == 1], np.zeros((int((last == 1).sum()), 1), np.uint8)], axis=1)
        rows = np.concatenate([ext0, ext1], axis=0)
    order = np.lexsort(rows.T[::-1])
    rows = rows[order]
    rows.setflags(write=False)
    return rows


def fibonacci_strings(strands: int) -> list[tuple[int, ...]]:
    """The path basis: strings (x_0, …, x_n), x_0 = 0, x_1 = 1, no two adjacent 0s, sorted.

    Example::

        >>> fibonacci_strings(3)
        [(0, 1, 0, 1), (0, 1, 1, 0), (0, 1, 1, 1)]
    """
    _check_strands(strands)
    return [tuple(int(x) for x in row) for row in _strings_array(strands)]


def _projector_coeff(power: int) -> tuple[complex, complex]:
    """ρ(σ)^k = a_k·1 + c_k·P with P = E/φ the projector onto the E-eigenspace."""
    k = power % 10
    return A**k, _LAMBDA**k - A**k


def local_generator(power: int = 1) -> np.ndarray:
    """ρ(σ_i)^power as an 8×8 unitary on qubits (x_{i−1}, x_i, x_{i+1}), basis index 4a + 2m + b.

    Identity on the non-Fibonacci states |000⟩, |001⟩, |100⟩. ρ(σ)^10 = 1.

    Example::

        >>> U = local_generator()
        >>> bool(np.allclose(U @ U.conj().T, np.eye(8)))
        True
        >>> bool(np.allclose(np.linalg.matrix_power(U, 10), np.eye(8)))
        True
    """
    a, c = _projector_coeff(int(power))
    U = np.eye(8, dtype=complex)
    U[0b010, 0b010] = a + c  # P = 1 on |010>
    U[0b011, 0b011] = a
    U[0b110, 0b110] = a
    s = math.sqrt(PHI)
    P = np.array([[1.0, s], [s, PHI]]) / PHI**2
    block = a * np.eye(2) + c * P
    idx = [0b101, 0b111]
    U[np.ix_(idx, idx)] = block
    return U


def generator_power(power: int = 1) -> np.ndarray:
    """The same ρ(σ)^power as a 2×2×2 → 2×2×2 tensor ``G[a', m', b', a, m, b]``.

    Example::

        >>> generator_power(1).shape
        (2, 2, 2, 2, 2, 2)
    """
    return local_generator(power).reshape(2, 2, 2, 2, 2, 2)


@lru_cache(maxsize=512)
def _gate_indices(strands: int, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For σ_i: indices with (a, b) = (0, 0); with a ≠ b; and the paired (m=0, m=1) indices for a = b = 1."""
    rows = _strings_array(strands)
    a, m, b = rows[:, i - 1], rows[:, i], rows[:, i + 1]
    same0 = np.flatnonzero((a == 0) & (b == 0))
    diff = np.flatnonzero(a != b)
    both1 = (a == 1) & (b == 1)
    j0 = np.flatnonzero(both1 & (m == 0))
    # partner of each j0: same string with x_i = 1
    keys = _string_keys(strands)
    partner_keys = keys[j0] + (np.uint64(1) << np.uint64(strands - i))
    j1 = np.searchsorted(keys, partner_keys)
    return same0, diff, j0, j1


@lru_cache(maxsize=64)
def _string_keys(strands: int) -> np.ndarray:
    rows = _strings_array(strands).astype(np.uint64)
    weights = np.uint64(1) << np.arange(strands, -1, -1, dtype=np.uint64)
    return rows @ weights  # sorted, because rows are lexicographically sorted


def _apply_power(strands: int, i: int, power: int, v: np.ndarray) -> np.ndarray:
    same0, diff, j0, j1 = _gate_indices(strands, i)
    a, c = _projector_coeff(power)
    out = np.empty_like(v)
    out[same0] = (a + c) * v[same0]
    out[diff] = a * v[diff]
    s = math.sqrt(PHI)
    b00, b01, b11 = a + c / PHI**2, c * s / PHI**2, a + c / PHI
    v0, v1 = v[j0], v[j1]
    out[j0] = b00 * v0 + b01 * v1
    out[j1] = b01 * v0 + b11 * v1
    return out


def apply_braid(braid: Braid, states: np.ndarray) -> np.ndarray:
    """ρ(braid) @ states for states of shape (F_{n+1},) or (F_{n+1}, k) in the path basis.

    Example::

        >>> b = Braid.parse("1,2")
        >>> bool(np.allclose(apply_braid(b, np.eye(3)), braid_unitary(b)))
        True
    """
    _check_strands(braid.strands)
    v = np.asarray(states, dtype=complex)
    if v.shape[0] != fibonacci_number(braid.strands + 1):
        raise InputError(
            f"state has {v.shape[0]} rows but {braid.strands} strands need "
            f"{fibonacci_number(braid.strands + 1)}."
        )
    for i, k in reversed(braid.runs()):  # rightmost letter acts first on the state
        if k % 10:
            v = _apply_power(braid.strands, i, k, v)
    return v


def braid_unitary(braid: Braid) -> np.ndarray:
    """The dense F_{n+1} × F_{n+1} unitary ρ(braid) in the order of :func:`fibonacci_strings`.

    Example::

        >>> U = braid_unitary(Braid.parse("1,-2,1"))
        >>> bool(np.allclose(U @ U.conj().T, np.eye(3)))
        True
    """
    _check_strands(braid.strands)
    return apply_braid(braid, np.eye(fibonacci_number(braid.strands + 1), dtype=complex))


# --------------------------------------------------------------------------------- normalisations
def writhe_phase(writhe: int) -> complex:
    """(−A⁻³)^writhe = (−A³)^{−writhe}, the framing correction of the Kauffman bracket.

    Example::

        >>> round(abs(writhe_phase(3)), 12)
        1.0
    """
    return _LAMBDA ** (int(writhe) % 10)


def markov_weights(strands: int) -> np.ndarray:
    """P(s) = φ^{x_n} / φ^n for each Fibonacci string (sums to 1): the Markov-trace weights.

    Example::

        >>> round(float(markov_weights(5).sum()), 12)
        1.0
    """
    _check_strands(strands)
    last = _strings_array(strands)[:, -1]
    w = np.where(last == 1, PHI, 1.0) / PHI**strands
    return w


def markov_from_tau(tau: complex, *, strands: int, writhe: int) -> complex:
    """V of the Markov closure from τ = Σ_s P(s)⟨s|ρ(b)|s⟩: (−A⁻³)^w φ^{n−1} τ.

    Example::

        >>> markov_from_tau(1.0, strands=1, writhe=0)
        (1+0j)
    """
    return complex(writhe_phase(writhe) * PHI ** (strands - 1) * tau)


def plat_from_amplitude(amplitude: complex, *, strands: int, writhe: int) -> complex:
    """V of the plat closure from ⟨c|ρ(b)|c⟩: (−A⁻³)^{w'} φ^{m−1} ⟨c|ρ(b)|c⟩ with m = strands/2.

    Example::

        >>> plat_from_amplitude(1.0, strands=2, writhe=0)
        (1+0j)
    """
    if strands % 2:
        raise InputError(f"plat closure needs an even number of strands, got {strands}.")
    return complex(writhe_phase(writhe) * PHI ** (strands // 2 - 1) * amplitude)


def cup_string(strands: int) -> tuple[int, ...]:
    """The cup state c = (0, 1, 0, 1, …, 0) of the plat closure on an even number of strands.

    Example::

        >>> cup_string(4)
        (0, 1, 0, 1, 0)
    """
    if strands % 2 or strands < 2:
        raise InputError(f"plat closure needs an even number of strands ≥ 2, got {strands}.")
    return tuple(j % 2 for j in range(strands + 1))


# --------------------------------------------------------------------------------- values
def markov_tau(braid: Braid, *, chunk: int = 512) -> complex:
    """τ = Σ_s P(s)⟨s|ρ(b)|s⟩ (the normalised Markov trace), |τ| ≤ 1.

    Example::

        >>> abs(markov_tau(Braid.parse("1,-1", strands=3)) - 1) < 1e-12
        True
    """
    _check_strands(braid.strands)
    dim = fibonacci_number(braid.strands + 1)
    w = markov_weights(braid.strands)
    total = 0j
    for start in range(0, dim, chunk):
        stop = min(dim, start + chunk)
        block = np.zeros((dim, stop - start), dtype=complex)
        block[np.arange(start, stop), np.arange(stop - start)] = 1
        out = apply_braid(braid, block)
        total += complex(np.dot(w[start:stop], out[np.arange(start, stop), np.arange(stop - start)]))
    return total


def markov_value(braid: Braid) -> complex:
    """V(t = e^{2πi/5}) of the Markov (trace) closure, through the dense Fibonacci representation.

    Example::

        >>> round(markov_value(Braid.parse("1,-2,1,-2")).real, 6)
        -1.236068
    """
    return markov_from_tau(markov_tau(braid), strands=braid.strands, writhe=braid.writhe)


def plat_amplitude(braid: Braid) -> complex:
    """⟨c|ρ(b)|c⟩ for the cup state c of :func:`cup_string`.

    Example::

        >>> abs(plat_amplitude(Braid.parse("1", strands=2)))
        1.0
    """
    braid.check_plat()
    key = sum(x << (braid.strands - j) for j, x in enumerate(cup_string(braid.strands)))
    idx = int(np.searchsorted(_string_keys(braid.strands), np.uint64(key)))
    v = np.zeros(fibonacci_number(braid.strands + 1), dtype=complex)
    v[idx] = 1
    return complex(apply_braid(braid, v)[idx])


def plat_value(braid: Braid) -> complex:
    """V(t = e^{2πi/5}) of the plat closure (oriented writhe), through the Fibonacci representation.

    Example::

        >>> round(plat_value(Braid.parse("2,2,-1,2", strands=4)).real, 5)
        -1.23607
    """
    return plat_from_amplitude(plat_amplitude(braid), strands=braid.strands, writhe=braid.plat_writhe)
