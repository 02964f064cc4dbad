import pytest
import stim

from cultivation.codes import morphed_logicals, rp_code, srp_code
from cultivation.layout import rp_checks
from ftq import gf2


@pytest.mark.parametrize("d", [3, 5])
def test_rp_code_parameters(d):
    code = rp_code(d)
    code.check()
    assert (code.n, code.k, code.distance()) == (d * d, 1, d)


def test_rp7_has_n_k():
    code = rp_code(7)
    code.check()
    assert (code.n, code.k) == (49, 1)


@pytest.mark.parametrize("d", [3, 5, 7])
def test_every_rp_qubit_in_two_x_and_two_z_checks(d):
    counts: dict[tuple[complex, str], int] = {}
    for c in rp_checks(d):
        for q in c.data:
            counts[(q, c.basis)] = counts.get((q, c.basis), 0) + 1
    assert len(counts) == 2 * d * d
    assert set(counts.values()) == {2}


@pytest.mark.parametrize("d", [3, 5, 7])
def test_rp_checks_per_type_and_corner_checks(d):
    checks = rp_checks(d)
    r = (d - 1) // 2
    assert sum(c.basis == "X" for c in checks) == (d * d + 1) // 2
    assert sum(c.basis == "Z" for c in checks) == (d * d + 1) // 2
    weight2 = {(c.basis, frozenset(c.data)) for c in checks if len(c.data) == 2}
    assert weight2 == {
        ("X", frozenset({complex(-r, -r), complex(r, r)})),
        ("Z", frozenset({complex(r, -r), complex(-r, r)})),
    }


@pytest.mark.parametrize("d, n, dist", [(3, 15, 3), (5, 35, 5)])
def test_srp_codes_are_self_dual_with_transversal_logicals(d, n, dist):
    code = srp_code(d)
    code.check()
    assert (code.n, code.k, code.distance()) == (n, 1, dist)
    assert code.is_self_dual()
    # the morph maps RP's X_L and Z_L onto X^n and Z^n up to stabilizers
    images = morphed_logicals(d)
    for basis, image in images.items():
        target = stim.PauliString(basis * n)
        diff = image * target
        xs, zs = diff.to_numpy()
        stab = [s.to_numpy()[0 if basis == "X" else 1] for s in code.stabilizers]
        pure = xs if basis == "X" else zs
        assert not (zs if basis == "X" else xs).any()
        assert gf2.in_row_space(stab, pure)


def test_srp3_weight_enumerator_matches_published():
    assert srp_code(3).weight_enumerator("X") == [1, 0, 0, 0, 9, 0, 40, 0, 51, 0, 24, 0, 3]


@pytest.mark.parametrize("d", [3, 5])
def test_srp_is_not_doubly_even(d):
    # some X stabilizer has weight 2 mod 4, so transversal T everywhere is not a logical gate
    enum = srp_code(d).weight_enumerator("X")
    assert any(c for w, c in enumerate(enum) if w % 4 == 2)
