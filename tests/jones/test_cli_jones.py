"""Tests for the `ftq jones value` and `ftq jones knot` commands (ftq/cli.py, jones section)."""

import json

import pytest
from click.testing import CliRunner

from ftq.cli import main


def run(*args):
    return CliRunner().invoke(main, ["jones", *args])


@pytest.mark.parametrize("method", ["exact", "fibonacci", "tensornet"])
def test_value_json_every_method(method):
    r = run("value", "[1,1,1]", "--method", method, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert {"re", "im", "method", "closure", "strands", "crossings", "seconds"} <= set(out)
    assert out["method"] == method and out["closure"] == "markov"
    assert (out["strands"], out["crossings"]) == (2, 3)
    # KnotInfo's 3_1: t + t^3 - t^4 at t = e^{2πi/5}
    assert abs(complex(out["re"], out["im"]) - (-0.809017 + 1.314328j)) < 1e-6
    assert ("polynomial" in out) == (method == "exact")


def test_value_plat_figure_eight():
    r = run("value", "2,2,-1,2", "--strands", "4", "--closure", "plat", "--json")
    out = json.loads(r.output)
    assert abs(out["re"] + 1.236068) < 1e-6 and abs(out["im"]) < 1e-9
    assert out["polynomial"] == "t^(-2)-t^(-1)+1-t+t^2"


def test_value_text_and_leading_minus():
    r = run("value", "--method", "fibonacci", "--", "-1,2,-1,2")
    assert r.exit_code == 0 and "V = -1.236067977" in r.output


@pytest.mark.parametrize(
    "args",
    [
        ("value", "1,0"),
        ("value", "1,a"),
        ("value", "1,2", "--closure", "plat"),
        ("value", "3", "--strands", "2"),
        ("value", "1", "--strands", "40", "--method", "fibonacci"),
        ("knot", "3_9"),
    ],
)
def test_bad_input_is_one_sentence(args):
    r = run(*args)
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in r.output


def test_knot_side_by_side():
    r = run("knot", "5_2", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    want = complex(out["knotinfo"]["re"], out["knotinfo"]["im"])
    assert abs(want - (-0.118034 - 0.812299j)) < 1e-6
    assert [m["method"] for m in out["methods"]] == ["exact", "fibonacci", "tensornet"]
    for m in out["methods"]:
        assert abs(complex(m["re"], m["im"]) - want) < 1e-9
    text = run("knot", "4_1")
    assert text.exit_code == 0 and "tensornet" in text.output and "KnotInfo" in text.output


def test_tensornet_cost_is_printed_before_the_value():
    r = run("value", "1,2,-1,2,3,3", "--method", "tensornet")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("contraction cost: 10^") and lines[1].startswith("V = ")
