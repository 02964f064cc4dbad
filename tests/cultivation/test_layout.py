import pytest

from cultivation.layout import check_basis, rp_checks, rp_logicals, surface_checks


def test_check_colouring():
    assert check_basis(-0.5 - 0.5j) == "X"
    assert check_basis(0.5 - 0.5j) == "Z"


@pytest.mark.parametrize("d", [3, 5])
def test_logical_weights(d):
    logicals = rp_logicals(d)
    assert len(logicals["X"]) == d and len(logicals["Z"]) == d
    assert len(logicals["Y"]) == 2 * d - 1
    assert logicals["Y"][0j] == "Y"


@pytest.mark.parametrize("D", [3, 7, 11])
def test_surface_code_check_count(D):
    checks = surface_checks(D)
    assert len(checks) == D * D - 1
    assert sum(c.basis == "X" for c in checks) == (D * D - 1) // 2


@pytest.mark.parametrize("bad", [2, 1, 4, "3"])
def test_bad_distance_is_rejected(bad):
    with pytest.raises(ValueError, match="odd integer"):
        rp_checks(bad)
