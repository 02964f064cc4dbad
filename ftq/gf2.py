"""Linear algebra over GF(2) on numpy arrays of 0/1 (any integer or bool dtype; results are uint8).

>>> import numpy as np
>>> m = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]])
>>> rank(m), nullspace(m).tolist()
(2, [[1, 1, 1]])
"""

from __future__ import annotations

import numpy as np


def _as_matrix(matrix: np.ndarray | list) -> np.ndarray:
    m = np.array(matrix, dtype=np.uint8) & 1
    if m.ndim != 2:
        raise ValueError(f"expected a 2-D 0/1 matrix, got an array of shape {m.shape}")
    return m


def row_reduce(matrix: np.ndarray | list) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form over GF(2) and the pivot columns; zero rows are dropped.

    >>> r, pivots = row_reduce([[0, 1, 1], [1, 1, 0], [1, 0, 1]])
    >>> r.tolist(), pivots
    ([[1, 0, 1], [0, 1, 1]], [0, 1])
    """
    m = _as_matrix(matrix).copy()
    rows, cols = m.shape
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        if r == rows:
            break
        hits = np.nonzero(m[r:, c])[0]
        if hits.size == 0:
            continue
        p = r + hits[0]
        if p != r:
            m[[r, p]] = m[[p, r]]
        others = np.nonzero(m[:, c])[0]
        others = others[others != r]
        m[others] ^= m[r]
        pivots.append(c)
        r += 1
    return m[:r], pivots


def rank(matrix: np.ndarray | list) -> int:
    """Rank over GF(2).

    >>> rank([[1, 1], [1, 1]])
    1
    """
    return len(row_reduce(matrix)[1])


def nullspace(matrix: np.ndarray | list) -> np.ndarray:
    """A basis (as rows) of the right null space {x : matrix @ x = 0 mod 2}.

    >>> nullspace([[1, 1, 0, 0], [0, 0, 1, 1]]).tolist()
    [[1, 1, 0, 0], [0, 0, 1, 1]]
    """
    m = _as_matrix(matrix)
    cols = m.shape[1]
    r, pivots = row_reduce(m)
    free = [c for c in range(cols) if c not in set(pivots)]
    basis = np.zeros((len(free), cols), dtype=np.uint8)
    for i, f in enumerate(free):
        basis[i, f] = 1
        for row, p in enumerate(pivots):
            basis[i, p] = r[row, f]
    return basis


def in_row_space(matrix: np.ndarray | list, vector: np.ndarray | list) -> bool:
    """True if ``vector`` is a GF(2) combination of the rows of ``matrix``.

    >>> in_row_space([[1, 1, 0], [0, 1, 1]], [1, 0, 1])
    True
    """
    m = _as_matrix(matrix)
    v = _as_matrix([vector])
    if m.shape[0] == 0:
        return not v.any()
    return rank(np.vstack([m, v])) == rank(m)


def solve(matrix: np.ndarray | list, rhs: np.ndarray | list) -> np.ndarray | None:
    """One solution x of matrix @ x = rhs (mod 2), or None if there is none.

    >>> solve([[1, 1, 0], [0, 1, 1]], [1, 0]).tolist()
    [1, 0, 0]
    """
    m = _as_matrix(matrix)
    b = _as_matrix(np.asarray(rhs).reshape(-1, 1))
    r, pivots = row_reduce(np.concatenate([m, b], axis=1))
    cols = m.shape[1]
    if cols in pivots:
        return None
    x = np.zeros(cols, dtype=np.uint8)
    for row, p in enumerate(pivots):
        x[p] = r[row, cols]
    return x
