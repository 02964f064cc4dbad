import functools

import numpy as np
import pytest
import stim

from cultivation.protocol import PROTOCOLS, build, build_noiseless
from cultivation.stages import PROXIES, Stage
from ftq.enumeration import silent_floor
from ftq.errors import InputError
from ftq.stats import circuit_stats
from ftq.tags import read_detector_tags

CASES = [(p, d1) for d1 in (3, 5) for p in PROTOCOLS]


@functools.cache
def noiseless(protocol: str, d1: int, proxy: str = "S") -> stim.Circuit:
    return build_noiseless(protocol, d1=d1, proxy=proxy)


def measurement_flows(circuit: stim.Circuit) -> list[stim.Flow]:
    """'1 -> rec[...]' for every detector and observable: the parity must be +1 (0) with sign."""
    total = circuit.num_measurements
    seen = 0
    groups: list[list[int]] = []
    obs: dict[int, list[int]] = {}
    for inst in circuit.flattened():
        if inst.name in ("DETECTOR", "OBSERVABLE_INCLUDE"):
            ids = [seen + t.value for t in inst.targets_copy()]
            if inst.name == "DETECTOR":
                groups.append(ids)
            else:
                obs.setdefault(int(inst.gate_args_copy()[0]), []).extend(ids)
        else:
            one = stim.Circuit()
            one.append(inst)
            seen += one.num_measurements
    assert seen == total
    groups += list(obs.values())
    return [stim.Flow("1 -> " + " xor ".join(f"rec[{i - total}]" for i in g)) for g in groups]


@pytest.mark.parametrize("protocol, d1", CASES)
@pytest.mark.parametrize("proxy", PROXIES)
def test_flows_hold_with_signs_for_every_proxy(protocol, d1, proxy):
    c = noiseless(protocol, d1, proxy)
    c.detector_error_model()  # raises if a detector or the observable is not deterministic
    flows = measurement_flows(c)
    assert len(flows) == c.num_detectors + c.num_observables
    assert c.has_all_flows(flows, unsigned=False)


@pytest.mark.parametrize("protocol, d1", CASES)
def test_postselection_follows_stage(protocol, d1):
    tags = read_detector_tags(noiseless(protocol, d1))
    decoded = {Stage.EXPAND, Stage.SURFACE}
    for t in tags:
        if t.stage in decoded:
            assert not t.postselected
        elif t.stage == Stage.READOUT:
            assert t.postselected == (protocol == "cultivation")
        else:
            assert t.postselected
    assert {t.basis for t in tags} <= {"X", "Z"}


@pytest.mark.parametrize("d1, expected", [(3, 3), (5, 5)])
def test_fault_distance_of_cultivation(d1, expected):
    # d1 = 3 reaches 3. d1 = 5 reaches 5 with our morph assignment and spine tree (the published d = 5 circuit: 4).
    c = build("cultivation", d1=d1, noise="uniform", p=1e-3)
    err = c.search_for_undetectable_logical_errors(
        dont_explore_detection_event_sets_with_size_above=4,
        dont_explore_edges_with_degree_above=9999,
        dont_explore_edges_increasing_symptom_degree=False,
        canonicalize_circuit_errors=True,
    )
    assert len(err) == expected


# Published statistics (computed from cultivation/reference/rp2 by ftq.stats) against ours. Every difference is
# listed with its reason; equality is asserted for everything else.
REFERENCE = {
    ("cultivation", 3): "rp_3_T_cult.stim",
    ("end2end", 3): "rp_3_sc_7_end2end_4_full_rds.stim",
    ("cultivation", 5): "rp_3_rp_5_T_cult.stim",
    ("end2end", 5): "rp_3_rp_5_sc_11_end2end_6_full_rds.stim",
}
DIFFERENCES = {
    # published files carry gate-free layers (d=3: 2, d=5: 3, e.g. after the injection round's feed-forward)
    ("cultivation", 3): {"ticks": -2},
    # and the morph back runs inside the growth / expansion round in both, but published spends a layer on
    # resetting the new qubits and one on measuring the extras; we reset them beside the first morph-back CX
    # layer (ancillas beside the Bell CX) and measure the extras beside a syndrome CX layer: 2 layers per round
    ("end2end", 3): {"ticks": -2 - 2},
    ("cultivation", 5): {"ticks": -3 - 2},
    ("end2end", 5): {"ticks": -3 - 2 - 2},
}


@pytest.mark.parametrize("protocol, d1", CASES)
def test_statistics_match_published(protocol, d1, reference_dir):
    ours = circuit_stats(noiseless(protocol, d1))
    pub = circuit_stats(stim.Circuit.from_file(reference_dir / "rp2" / REFERENCE[(protocol, d1)]))
    for key in ("detectors", "postselected_detectors", "two_qubit_gates", "peak_live_qubits"):
        assert ours[key] == pub[key], key
    for key, delta in DIFFERENCES[(protocol, d1)].items():
        assert ours[key] - pub[key] == delta, key


def test_silent_floor_of_end2end_d3_is_below_published(reference_dir):
    # Logical errors of 3 faults with every detector silent pass any gap cut. Running the morph back inside the
    # expansion round (fewer idle layers on the RP-3 data) took ours from 1.44e-6 to 5.9e-7; published: 1.00e-6.
    ours = silent_floor(build("end2end", d1=3, noise="uniform", p=1e-3), max_weight=3)
    pub = silent_floor(
        stim.Circuit.from_file(reference_dir / "rp2" / REFERENCE[("end2end", 3)]), max_weight=3
    )
    assert ours.fault_distance == pub.fault_distance == 3
    assert ours.ler < 0.75 * pub.ler


def test_kept_fraction_d3_cultivation_matches_published():
    # published: 51.4% kept at p = 1e-3 with sinter's perfectionist decoder. 2e5 shots: sigma is 0.11%,
    # the tolerance is 1%.
    import sinter

    c = build("cultivation", d1=3, noise="uniform", p=1e-3)
    (stats,) = sinter.collect(
        num_workers=1,
        tasks=[sinter.Task(circuit=c, json_metadata={"d1": 3})],
        decoders=["perfectionist"],
        max_shots=200_000,
        max_batch_size=50_000,
    )
    kept = 1 - stats.discards / stats.shots
    assert stats.shots >= 200_000
    assert abs(kept - 0.514) < 0.01


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(protocol="cultivation", d1=4), "d1=4"),
        (dict(protocol="cultivation", d1=7), "d1=7"),
        (dict(protocol="end2end", d1=3, final_distance=5), "D=5"),
        (dict(protocol="end2end", d1=3, final_distance=8), "D=8"),
        (dict(protocol="nope", d1=3), "'nope'"),
        (dict(protocol="cultivation", d1=3, proxy="T"), "'T'"),
        (dict(protocol="cultivation", d1=3, noise="loud"), "loud"),
        (dict(protocol="cultivation", d1=3, p=0.7), "0.7"),
    ],
)
def test_bad_input_names_the_value(kwargs, words):
    protocol = kwargs.pop("protocol")
    with pytest.raises(InputError, match=words.replace("(", r"\(")):
        build(protocol, **kwargs)


def test_larger_final_distance_builds():
    c = build_noiseless("end2end", d1=3, final_distance=9)
    c.detector_error_model()
    assert np.isclose(max(t.x for t in read_detector_tags(c)), 4.5)
