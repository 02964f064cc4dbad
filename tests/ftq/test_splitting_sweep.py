"""Tests of sweeps with the splitting estimator: the [splitting] table, runs appended to splitting.jsonl and
resumed, the floor line, the reader, and the sweep run / plot commands."""

import json
import pathlib

import pytest
import stim

from ftq.errors import InputError
from ftq.sampling import StagedSampler
from ftq.sweeps import parse_spec
from tests.toy import TOY

SAMPLERS = {"perfectionist": StagedSampler()}
BASE = {"circuit": "a.stim", "p": 0.01, "decoder": "perfectionist", "estimator": "splitting"}
# a tiny run: 20 level-0 errors, 50 samples per level; the toy's decoder has one (infinite) soft output
FAST = "[splitting]\nruns = {runs}\nerrors = 20\nsamples = {samples}\nray = [1.0]\n"

# A postselected detector that does not see q0 and q1 flipping together, while q0 flips the observable:
# the postselected floor is P(q0 and q1) = 0.05² per attempt, at weight 2.
FLOOR = stim.Circuit("""
    X_ERROR(0.05) 0 1
    CX 0 2 1 2
    M 2 0
    DETECTOR(0, 0, 0, 0, 1, 1) rec[-2]
    X_ERROR(0.1) 3
    M 3
    OBSERVABLE_INCLUDE(0) rec[-2] rec[-1]
""")


def _sweep(tmp_path: pathlib.Path, extra: str, *, circuit: stim.Circuit = TOY, decoder="perfectionist"):
    d = tmp_path / "toy"
    d.mkdir(exist_ok=True)
    circuit.to_file(d / "toy.stim")
    (d / "toy.toml").write_text(
        f'circuit = "toy.stim"\np = 0.01\ndecoder = "{decoder}"\nestimator = "splitting"\n' + extra
    )
    return d / "toy.toml"


def _lines(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize(
    "table, fragment",
    [
        ({"colour": 1}, "unknown splitting key 'colour'"),
        ({"runs": 1}, "splitting key 'runs' has value 1; it must be an integer ≥ 2"),
        ({"runs": 2.5}, "'runs' has value 2.5"),
        ({"runs": True}, "'runs' has value True"),
        ({"errors": 0}, "'errors' has value 0"),
        ({"samples": 1}, "'samples' has value 1"),
        ({"p0": 1.0}, "'p0' has value 1.0; it must be a number in (0, 1)"),
        ({"rho": 0}, "'rho' has value 0; it must be a number in (0, 1]"),
        ({"ray": []}, "'ray' has value []"),
        (
            {"ray": [1.0, -0.5]},
            "'ray' has value [1.0, -0.5]; it must be a non-empty list of positive numbers",
        ),
        ({"ray": 1.0}, "'ray' has value 1.0"),
        ({"stop_score": -3}, "'stop_score' has value -3"),
        ({"floor_weight": 8}, "'floor_weight' has value 8; it must be an integer in 0..7"),
    ],
)
def test_bad_splitting_tables_give_one_sentence(table, fragment):
    with pytest.raises(InputError) as e:
        parse_spec(BASE | {"splitting": table}, name="x")
    assert fragment in str(e.value)
    assert "\n" not in str(e.value)


def test_estimator_key_and_max_shots():
    with pytest.raises(
        InputError, match="'estimator' has value 'bogus'; it must be one of sampling, splitting"
    ):
        parse_spec(BASE | {"estimator": "bogus"}, name="x")
    with pytest.raises(InputError, match="wrong type"):
        parse_spec(BASE | {"splitting": 3}, name="x")
    spec = parse_spec(BASE | {"splitting": {"runs": 5, "ray": [2]}}, name="x")  # no max_shots: not used
    assert spec.splitting.runs == 5 and spec.splitting.ray == (2.0,) and spec.splitting.errors == 300
    with pytest.raises(InputError, match="needs 'max_shots'"):
        spec.with_estimator("sampling")
    with pytest.raises(InputError, match="needs 'max_shots'"):
        parse_spec(BASE | {"estimator": "sampling"}, name="x")
    assert spec.with_estimator(runs=7).splitting.runs == 7
    with pytest.raises(InputError, match="runs=1"):
        spec.with_estimator(runs=1)
