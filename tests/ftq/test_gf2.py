import doctest

import numpy as np
import pytest

from ftq import gf2


def random_matrices(seed: int = 5, count: int = 40):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        rows, cols = rng.integers(1, 12, size=2)
        density = rng.uniform(0.1, 0.9)
        yield (rng.random((rows, cols)) < density).astype(np.uint8)


def test_rank_of_identity_and_zero():
    assert gf2.rank(np.eye(6, dtype=np.uint8)) == 6
    assert gf2.rank(np.zeros((3, 4), dtype=np.uint8)) == 0


def test_rank_is_over_gf2_not_reals():
    # Rows sum to zero mod 2 but are independent over the reals.
    m = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]])
    assert gf2.rank(m) == 2
    assert np.linalg.matrix_rank(m) == 3


@pytest.mark.parametrize("m", list(random_matrices()))
def test_nullspace_rank_nullity(m):
    null = gf2.nullspace(m)
    assert null.shape == (m.shape[1] - gf2.rank(m), m.shape[1])
    assert not ((m.astype(int) @ null.T.astype(int)) % 2).any()
    assert gf2.rank(null) == null.shape[0]


@pytest.mark.parametrize("m", list(random_matrices(seed=9)))
def test_rank_equals_rank_of_transpose(m):
    assert gf2.rank(m) == gf2.rank(m.T)


@pytest.mark.parametrize("m", list(random_matrices(seed=11, count=15)))
def test_row_reduce_is_reduced_echelon_and_spans_the_same_space(m):
    r, pivots = gf2.row_reduce(m)
    assert pivots == sorted(pivots)
    for i, p in enumerate(pivots):
        assert r[i, p] == 1 and r[:, p].sum() == 1
        assert not r[i, :p].any()
    assert all(gf2.in_row_space(r, row) for row in m)
    assert all(gf2.in_row_space(m, row) for row in r)


def test_in_row_space_detects_outsiders():
    m = np.array([[1, 1, 0, 0], [0, 0, 1, 1]])
    assert gf2.in_row_space(m, [1, 1, 1, 1])
    assert not gf2.in_row_space(m, [1, 0, 0, 0])
    assert gf2.in_row_space(np.zeros((0, 4)), [0, 0, 0, 0])
    assert not gf2.in_row_space(np.zeros((0, 4)), [0, 1, 0, 0])


def test_rejects_non_matrix():
    with pytest.raises(ValueError, match="2-D"):
        gf2.rank(np.zeros(3))


def test_docstring_examples_run():
    import ftq.gf2 as module

    assert doctest.testmod(module).failed == 0
