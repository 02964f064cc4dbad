"""Stabilizer codes as checkable objects: stabilizers and one logical pair, with n, k, distance computed.

A :class:`StabilizerCode` holds its stabilizer generators and its logical X and Z as ``stim.PauliString``.
Nothing about it is typed in: ``n`` is the Pauli-string length, ``k`` comes from the GF(2) rank of the
stabilizers, the distance from a search for the lowest-weight logical operator (X-type and Z-type
separately for CSS codes). ``check()`` verifies commutation relations and sign consistency.

>>> steane = StabilizerCode.from_css(
...     n=7,
...     x_checks=[[0, 1, 2, 3], [1, 2, 4, 5], [2, 3, 5, 6]],
...     z_checks=[[0, 1, 2, 3], [1, 2, 4, 5], [2, 3, 5, 6]],
...     logical_x=range(7),
...     logical_z=range(7),
...     name="Steane",
... )
>>> steane.check()
>>> steane.n, steane.k, steane.distance(), steane.is_self_dual()
(7, 1, 3, True)
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Sequence

import numpy as np
import stim

from ftq import gf2

_CHUNK = 1 << 17


def _vectors(paulis: Sequence[stim.PauliString], n: int) -> tuple[np.ndarray, np.ndarray]:
    """X and Z parts of the Pauli strings as (len(paulis), n) uint8 matrices."""
    xs = np.zeros((len(paulis), n), dtype=np.uint8)
    zs = np.zeros((len(paulis), n), dtype=np.uint8)
    for i, p in enumerate(paulis):
        x, z = p.to_numpy()
        xs[i, : len(x)] = x
        zs[i, : len(z)] = z
    return xs, zs


def _short(p: stim.PauliString) -> str:
    """Sparse text of a Pauli string, e.g. ``+X0*Z3``."""
    sign = {1: "+", -1: "-", 1j: "+i", -1j: "-i"}[p.sign]
    terms = [f"{'_XYZ'[p[q]]}{q}" for q in range(len(p)) if p[q]]
    return sign + ("*".join(terms) if terms else "I")


def _pure_subgroup(own: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Basis of the stabilizer elements whose ``other`` part vanishes, as ``own``-part vectors.

    With rows (own_i, other_i), combinations c with c @ other = 0 give pure elements c @ own.
    """
    if own.shape[0] == 0:
        return own
    combos = gf2.nullspace(other.T)
    if combos.shape[0] == 0:
        return np.zeros((0, own.shape[1]), dtype=np.uint8)
    pure = (combos.astype(np.int64) @ own.astype(np.int64)) % 2
    reduced, _ = gf2.row_reduce(pure)
    return reduced


def _lowest_weight(
    signatures: np.ndarray, *, n: int, choices: int, syndrome_bits: int, max_weight: int
) -> tuple[int, tuple[int, ...], tuple[int, ...]] | None:
    """Search weights 1..max_weight for the first combination of elementary errors whose syndrome part is
    zero and whose coset part is not.

    ``signatures`` has one row per elementary error (qubit q, choice a) at index ``q * choices + a``; its
    first ``syndrome_bits`` columns are the stabilizer syndrome, the rest the coset (non-membership) bits.
    Returns (weight, qubits, choices) of the first hit, or None.
    """
    sig = np.packbits(signatures[:, :syndrome_bits], axis=1) if syndrome_bits else None
    cos = np.packbits(signatures[:, syndrome_bits:], axis=1)
    if cos.shape[1] == 0:
        return None
    for w in range(1, max_weight + 1):
        assignments = list(itertools.product(range(choices), repeat=w))
        combos_iter = itertools.combinations(range(n), w)
        while True:
            block = list(itertools.islice(combos_iter, _CHUNK))
            if not block:
                break
            qubits = np.array(block, dtype=np.int64)
            for assignment in assignments:
                idx = qubits * choices + np.array(assignment, dtype=np.int64)
                coset = np.bitwise_xor.reduce(cos[idx], axis=1)
                hit = coset.any(axis=1)
                if sig is not None:
                    hit &= ~np.bitwise_xor.reduce(sig[idx], axis=1).any(axis=1)
                found = np.nonzero(hit)[0]
                if found.size:
                    return w, tuple(int(q) for q in qubits[found[0]]), assignment
    return None


@dataclasses.dataclass(frozen=True)
class StabilizerCode:
    """A stabilizer code with one logical qubit's X and Z.

    >>> code = StabilizerCode(
    ...     stabilizers=(stim.PauliString("ZZ_"), stim.PauliString("_ZZ")),
    ...     logical_x=stim.PauliString("XXX"),
    ...     logical_z=stim.PauliString("Z__"),
    ...     name="repetition-3",
    ... )
    >>> code.check()
    >>> code.n, code.k, code.distance(), code.is_css()
    (3, 1, 1, True)
    """

    stabilizers: tuple[stim.PauliString, ...]
    logical_x: stim.PauliString
    logical_z: stim.PauliString
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "stabilizers", tuple(stim.PauliString(s) for s in self.stabilizers))
        object.__setattr__(self, "logical_x", stim.PauliString(self.logical_x))
        object.__setattr__(self, "logical_z", stim.PauliString(self.logical_z))
        lengths = {len(p) for p in (*self.stabilizers, self.logical_x, self.logical_z)}
        if len(lengths) != 1:
            raise ValueError(
                f"code {self.name!r}: Pauli strings have different lengths {sorted(lengths)}; "
                "all stabilizers and logicals must act on the same n qubits"
            )

    def __hash__(self) -> int:
        return hash(
            (tuple(str(s) for s in self.stabilizers), str(self.logical_x), str(self.logical_z), self.name)
        )

    @staticmethod
    def from_css(
        *,
        n: int,
        x_checks: Iterable[Iterable[int]],
        z_checks: Iterable[Iterable[int]],
        logical_x: Iterable[int],
        logical_z: Iterable[int],
        name: str = "",
    ) -> StabilizerCode:
        """A CSS code from qubit supports: X checks, Z checks, and the supports of X_L (all X), Z_L (all Z).

        >>> StabilizerCode.from_css(n=2, x_checks=[[0, 1]], z_checks=[], logical_x=[0], logical_z=[0, 1]).k
        1
        """

        def pauli(support: Iterable[int], kind: str) -> stim.PauliString:
            p = stim.PauliString(n)
            for q in support:
                if not 0 <= q < n:
                    raise ValueError(f"code {name!r}: qubit {q} is outside 0..{n - 1}")
                p[q] = kind
            return p

        stabilizers = tuple(pauli(s, "X") for s in x_checks) + tuple(pauli(s, "Z") for s in z_checks)
        return StabilizerCode(stabilizers, pauli(logical_x, "X"), pauli(logical_z, "Z"), name)

    # ------------------------------------------------------------------ sizes

    @property
    def n(self) -> int:
        """Number of physical qubits.

        >>> StabilizerCode((stim.PauliString("ZZ"),), stim.PauliString("XX"), stim.PauliString("Z_")).n
        2
        """
        return len(self.logical_x)

    def _matrices(self) -> tuple[np.ndarray, np.ndarray]:
        return _vectors(self.stabilizers, self.n)

    @property
    def k(self) -> int:
        """Number of logical qubits, n minus the GF(2) rank of the stabilizers.

        >>> StabilizerCode((stim.PauliString("ZZ"), stim.PauliString("ZZ")), stim.PauliString("XX"),
        ...                stim.PauliString("Z_")).k
        1
        """
        xs, zs = self._matrices()
        return self.n - gf2.rank(np.hstack([xs, zs]))

    # ------------------------------------------------------------------ checks

    def check(self) -> None:
        """Raise ValueError naming the failing pair unless: stabilizers commute pairwise, are independent
        of sign problems (their group does not contain -I), leave exactly one logical qubit; the logicals
        commute with every stabilizer and anticommute with each other.

        >>> bad = StabilizerCode((stim.PauliString("XX"), stim.PauliString("Z_")), stim.PauliString("XX"),
        ...                      stim.PauliString("ZZ"), name="bad")
        >>> bad.check()
        Traceback (most recent call last):
        ...
        ValueError: code 'bad': stabilizers 0 (+X0*X1) and 1 (+Z0) anticommute
        """
        s = self.stabilizers
        xs, zs = self._matrices()
        sym = (xs.astype(np.int64) @ zs.T.astype(np.int64) + zs.astype(np.int64) @ xs.T.astype(np.int64)) % 2
        bad = np.argwhere(np.triu(sym, 1))
        if bad.size:
            i, j = (int(v) for v in bad[0])
            raise ValueError(
                f"code {self.name!r}: stabilizers {i} ({_short(s[i])}) and {j} ({_short(s[j])}) anticommute"
            )
        for label, logical in (("logical X", self.logical_x), ("logical Z", self.logical_z)):
            if logical.sign not in (1, -1):
                raise ValueError(f"code {self.name!r}: {label} {_short(logical)} is not Hermitian")
            for i, stab in enumerate(s):
                if not logical.commutes(stab):
                    raise ValueError(
                        f"code {self.name!r}: {label} ({_short(logical)}) anticommutes with stabilizer {i} "
                        f"({_short(stab)})"
                    )
        if self.logical_x.commutes(self.logical_z):
            raise ValueError(
                f"code {self.name!r}: logical X ({_short(self.logical_x)}) and logical Z "
                f"({_short(self.logical_z)}) commute; they must anticommute"
            )
        for i, stab in enumerate(s):
            if stab.sign not in (1, -1):
                raise ValueError(f"code {self.name!r}: stabilizer {i} ({_short(stab)}) is not Hermitian")
        # Every GF(2) relation among the generators must multiply out to +I, else -I is in the group.
        for relation in gf2.nullspace(np.hstack([xs, zs]).T):
            members = [int(i) for i in np.nonzero(relation)[0]]
            product = stim.PauliString(self.n)
            for i in members:
                product *= s[i]
            if product.sign != 1:
                raise ValueError(
                    f"code {self.name!r}: the product of stabilizers {members} is -I, "
                    "so the signs are inconsistent"
                )
        if self.k != 1:
            raise ValueError(f"code {self.name!r}: the stabilizers leave k={self.k} logical qubits, not 1")

    # ------------------------------------------------------------------ structure

    def _css_parts(self) -> tuple[np.ndarray, np.ndarray]:
        """Bases of the X-type and Z-type stabilizer subgroups (as support vectors)."""
        xs, zs = self._matrices()
        return _pure_subgroup(xs, zs), _pure_subgroup(zs, xs)

    def is_css(self) -> bool:
        """True if the stabilizer group is generated by its X-type and Z-type elements (whatever generators
        were given).

        >>> StabilizerCode((stim.PauliString("XZ_"), stim.PauliString("ZX_")), stim.PauliString("__X"),
        ...                stim.PauliString("__Z")).is_css()
        False
        """
        hx, hz = self._css_parts()
        xs, zs = self._matrices()
        return hx.shape[0] + hz.shape[0] == gf2.rank(np.hstack([xs, zs]))

    def is_self_dual(self) -> bool:
        """True for a CSS code whose X-type and Z-type stabilizer supports span the same space.

        >>> StabilizerCode((stim.PauliString("XX"), stim.PauliString("ZZ")), stim.PauliString("X_"),
        ...                stim.PauliString("Z_")).is_self_dual()
        True
        """
        if not self.is_css():
            return False
        hx, hz = self._css_parts()
        return hx.shape == hz.shape and gf2.rank(np.vstack([hx, hz])) == hx.shape[0]

    def weight_enumerator(self, basis: str = "X") -> list[int]:
        """Coefficients A_w (index w = weight) of the weight enumerator of the X-type (``basis="X"``) or
        Z-type stabilizer subgroup, trailing zeros dropped. Enumerates all 2^r elements (r ≤ 24).

        >>> StabilizerCode((stim.PauliString("XXXX"), stim.PauliString("ZZZZ")), stim.PauliString("XX__"),
        ...                stim.PauliString("Z_Z_")).weight_enumerator("X")
        [1, 0, 0, 0, 1]
        """
        if basis not in ("X", "Z"):
            raise ValueError(f"basis={basis!r} is not 'X' or 'Z'")
        hx, hz = self._css_parts()
        h = hx if basis == "X" else hz
        if h.shape[0] > 24:
            raise ValueError(
                f"code {self.name!r}: the {basis} subgroup has 2^{h.shape[0]} elements, too many"
            )
        elements = np.zeros((1, self.n), dtype=np.uint8)
        for row in h:
            elements = np.vstack([elements, elements ^ row])
        counts = np.bincount(elements.sum(axis=1), minlength=self.n + 1)
        coefficients = [int(c) for c in counts]
        while len(coefficients) > 1 and coefficients[-1] == 0:
            coefficients.pop()
        return coefficients

    # ------------------------------------------------------------------ distance

    def minimum_weight_logical(self, *, max_weight: int = 7) -> stim.PauliString:
        """A lowest-weight Pauli that commutes with every stabilizer and is not in the stabilizer group.

        CSS codes are searched X-type and Z-type separately (a lowest-weight logical of a CSS code can be
        chosen pure), others over all X/Y/Z assignments. Raises ValueError if none has weight ≤ max_weight.

        >>> StabilizerCode((stim.PauliString("ZZ_"), stim.PauliString("_ZZ")), stim.PauliString("XXX"),
        ...                stim.PauliString("Z__")).minimum_weight_logical()
        stim.PauliString("+Z__")
        """
        n = self.n
        best: stim.PauliString | None = None
        if self.is_css():
            hx, hz = self._css_parts()
            # Z-type logicals: commute with X checks, not in the Z-check span; and symmetrically.
            for checks, span, kind in ((hx, hz, "Z"), (hz, hx, "X")):
                complement = gf2.nullspace(span) if span.shape[0] else np.eye(n, dtype=np.uint8)
                signatures = np.hstack([checks.T, complement.T]).astype(np.uint8)
                limit = max_weight if best is None else len(best.pauli_indices()) - 1
                hit = _lowest_weight(
                    signatures, n=n, choices=1, syndrome_bits=checks.shape[0], max_weight=limit
                )
                if hit is not None:
                    p = stim.PauliString(n)
                    for q in hit[1]:
                        p[q] = kind
                    best = p
        else:
            xs, zs = self._matrices()
            full = np.hstack([xs, zs])
            complement = gf2.nullspace(full)  # (rowspace)^perp: v in group  <=>  complement @ v = 0
            rows = []
            for q in range(n):
                for px, pz in ((1, 0), (1, 1), (0, 1)):  # X, Y, Z
                    syndrome = (px * zs[:, q] + pz * xs[:, q]) % 2
                    coset = (px * complement[:, q] + pz * complement[:, n + q]) % 2
                    rows.append(np.concatenate([syndrome, coset]))
            signatures = np.array(rows, dtype=np.uint8).reshape(3 * n, -1)
            hit = _lowest_weight(signatures, n=n, choices=3, syndrome_bits=xs.shape[0], max_weight=max_weight)
            if hit is not None:
                best = stim.PauliString(n)
                for q, a in zip(hit[1], hit[2], strict=True):
                    best[q] = "XYZ"[a]
        if best is None:
            raise ValueError(
                f"code {self.name!r}: no logical operator of weight <= {max_weight} "
                f"(k={self.k}); the distance is larger, raise max_weight"
            )
        return best

    def distance(self, *, max_weight: int = 7) -> int:
        """Code distance: the weight of :meth:`minimum_weight_logical`.

        >>> StabilizerCode((stim.PauliString("ZZ_"), stim.PauliString("_ZZ")), stim.PauliString("XXX"),
        ...                stim.PauliString("Z__")).distance()
        1
        """
        return len(self.minimum_weight_logical(max_weight=max_weight).pauli_indices())
