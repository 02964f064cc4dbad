"""The RP² sweep family: the builder's validation is the sweeps' validation; task ids of stored sweeps hold."""

import json
import pathlib

import pytest
import sinter

from cultivation.protocol import validate
from ftq.errors import InputError
from ftq.sweeps import load_spec, make_tasks, parse_spec

ROOT = pathlib.Path(__file__).resolve().parents[2]
B = {"builder": "cultivation.sweeps:rp2", "p": 0.001, "decoder": "gap", "max_shots": 10}


@pytest.mark.parametrize(
    "params",
    [
        {"protocol": "end2end", "d1": 4},
        {"protocol": "end2end", "d1": 7},
        {"protocol": "end2end", "d1": 3, "D": 5},
        {"protocol": "end2end", "d1": 3, "D": 8},
        {"protocol": "cultivation", "d1": 3, "D": 7},
        {"protocol": "teleport", "d1": 3},
    ],
)
def test_sweep_refuses_exactly_what_the_builder_refuses(params):
    with pytest.raises(InputError) as builder_error:
        validate(params["protocol"], d1=params["d1"], final_distance=params.get("D"))
    with pytest.raises(InputError) as sweep_error:
        parse_spec(B | params, name="x")
    assert str(sweep_error.value) == str(builder_error.value)
    assert "\n" not in str(sweep_error.value)


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"protocol": "end2end", "d1": 3, "colour": 1}, "unknown sweep key 'colour'"),
        ({"protocol": "end2end", "d1": "3"}, "not an integer"),
        ({"protocol": "end2end", "d1": []}, "empty list"),
        ({"protocol": "end2end"}, "needs 'protocol' and 'd1'"),
    ],
)
def test_bad_domain_parameters_give_one_sentence(params, fragment):
    with pytest.raises(InputError, match=fragment):
        parse_spec(B | params, name="x")


def test_grid_order_and_metadata_keys():
    spec = parse_spec(B | {"protocol": "end2end", "d1": [3, 5], "D": [11, 13], "p": [0.001, 0.002]}, name="x")
    pts = spec.points()
    assert [(m["d1"], m["D"], m["p"]) for m in pts][:3] == [(3, 11, 0.001), (3, 11, 0.002), (3, 13, 0.001)]
    assert list(pts[0]) == ["protocol", "d1", "D", "noise", "p", "decoder", "decoder_version"]


# sweeps with a spec and at least one stored row (a sweep being rerun may hold its header only)
STORED = sorted(
    p.parent.name
    for p in (ROOT / "sweeps").glob("*/stats.csv")
    if list(p.parent.glob("*.toml")) and len(p.read_text().splitlines()) > 1
)


@pytest.mark.parametrize("name", STORED)
def test_stored_sweeps_keep_their_task_ids(name):
    # every stored row is a task of today's spec: same circuit, DEM, mask and metadata layout, so the same
    # strong id once the row's own decoder version (which may be older than today's) is put in
    (toml,) = (ROOT / "sweeps" / name).glob("*.toml")
    spec = load_spec(toml)
    tasks = {_without_version(t.json_metadata): t for t in make_tasks(spec)}
    rows = sinter.read_stats_from_csv_files(spec.stats_path)
    for row in rows:
        task = tasks[_without_version(row.json_metadata)]
        meta = dict(task.json_metadata)  # today's key order (the CSV stores its keys sorted)
        if "decoder_version" in row.json_metadata:
            meta["decoder_version"] = row.json_metadata["decoder_version"]
        again = sinter.Task(
            circuit=task.circuit,
            decoder=task.decoder,
            detector_error_model=task.detector_error_model,
            postselection_mask=task.postselection_mask,
            json_metadata=meta,
        )
        assert again.strong_id() == row.strong_id


def _without_version(meta: dict) -> str:
    return json.dumps({k: v for k, v in meta.items() if k != "decoder_version"}, sort_keys=True)
