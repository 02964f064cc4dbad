import numpy as np
import pytest

from cultivation.codes import rp_code, srp_code
from cultivation.tgate import check_operator_action, mixed_t_pattern


def test_mixed_pattern_satisfies_the_parity_condition():
    code = srp_code(3)
    b = set(mixed_t_pattern(code))
    for s in code.stabilizers:
        xs, zs = s.to_numpy()
        if xs.any() and not zs.any():
            support = set(np.nonzero(xs)[0])
            assert len(support & b) % 2 == (len(support) // 2) % 2


def test_real_t_check_on_srp3_is_logical_h_xy():
    code = srp_code(3)
    action = check_operator_action(code, t_dagger_on=mixed_t_pattern(code))
    assert action.leakage < 1e-12
    assert action.is_h_xy


def test_uniform_t_check_leaves_the_srp3_code_space():
    action = check_operator_action(srp_code(3), t_dagger_on=[])
    assert action.leakage > 0.5
    assert not action.is_h_xy


def test_non_self_dual_code_is_rejected():
    with pytest.raises(ValueError, match="not self-dual"):
        mixed_t_pattern(rp_code(3))
