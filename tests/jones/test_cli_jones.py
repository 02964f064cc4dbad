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
        ("value", "-1,2,-1,2"),
        ("value", "-1,2,-1,2", "--method", "fibonacci"),
        ("value", "--method", "fibonacci", "-1,2,-1,2"),
        ("value", "[-1,2,-1,2]", "--json"),
        ("value", "--strands", "3", "-1,2,-1,2", "--json"),
    ],
)
def test_leading_negative_generator_works_as_typed(args):
    r = run(*args)
    assert r.exit_code == 0, r.output
    if "--json" in args:
        out = json.loads(r.output)
        assert abs(out["re"] + 1.236068) < 1e-6 and out["crossings"] == 4
    else:
        assert "V = -1.236067977" in r.output


def test_negative_option_value_is_not_taken_for_a_braid():
    r = run("value", "1", "--strands", "-3")
    assert r.exit_code == 2 and "strand count -3" in r.output


def test_compile_takes_a_leading_negative_generator():
    from jones.cli import BraidCommand, jones

    assert isinstance(jones.commands["compile"], BraidCommand)
    ctx = jones.commands["compile"].make_context("compile", ["-1,2,-1,2", "--device", "H2-2"])
    assert ctx.params["braid_word"] == "-1,2,-1,2" and ctx.params["device"] == "H2-2"


@pytest.mark.parametrize("strands", [200, 1000])
def test_exact_value_at_many_strands_is_exact(strands):
    from decimal import Decimal, localcontext

    r = run("value", "1", "--strands", str(strands), "--method", "exact", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    with localcontext() as ctx:
        ctx.prec = 40
        want = ((1 + Decimal(5).sqrt()) / 2) ** (strands - 2)  # the (n−1)-component unlink: φ^{n−2}
    assert abs(Decimal(out["re_decimal"]) - want) <= want * Decimal(10) ** -16 and out["im_decimal"] == "0"
    assert out["re"] == float(want) and out["im"] == 0.0


def test_exact_value_beyond_float_range_prints_decimals():
    r = run("value", "1", "--strands", "2000", "--method", "exact", "--json")
    out = json.loads(r.output)
    assert out["re"] is None and _decimal_exponent(out["re_decimal"]) == 417  # φ^1998 ≈ 3.6e417
    text = run("value", "1", "--strands", "2000")
    assert text.exit_code == 0 and "E+417" in text.output


def _decimal_exponent(s: str) -> int:
    from decimal import Decimal

    return Decimal(s).adjusted()


@pytest.mark.parametrize(
    "args",
    [
        ("value", "1,0"),
        ("value", "1,a"),
        ("value", "1,2", "--closure", "plat"),
        ("value", "3", "--strands", "2"),
        ("value", "1", "--strands", "40", "--method", "fibonacci"),
        ("knot", "3_9"),
        ("value", "1,,2"),
        ("value", "1_0"),
        ("value", "0"),
        ("value", "99999999999999999999999"),
        ("value", "-1,,2"),  # a leading minus still reaches the braid checks
        ("value", "5", "--strands", "3"),
        ("value", "1", "--strands", "100000"),  # predictably huge: refused before it starts
        ("value", ",".join(str(i) for _ in range(3) for i in range(1, 24)), "--method", "exact"),
        ("value", ",".join(str(i) for _ in range(8) for i in range(1, 21)), "--method", "fibonacci"),
        ("compile", "1,,2"),
        ("compile", "1", "--strands", "60", "--device", "H2-1"),  # 61 qubits on a 56-qubit device
        ("compile", "1", "--strands", "500"),  # refused before building a 501-qubit circuit
        ("estimate", "1,1,1", "--seed", "-1"),
        ("estimate", "1,1,1", "--seed", str(2**64)),
        (
            "submit",
            "1,1,1",
            "--device",
            "local-noiseless",
            "--seed",
            "-1",
            "--store",
            "/nonexistent/x.sqlite",
        ),
        ("benchmark", "--seed", "-5"),
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


def test_random_words_on_the_command_line_exit_cleanly():
    # seeded fuzz: every word either evaluates (exit 0, one JSON object) or is one "error:" sentence (exit 2)
    import random

    alphabet = list("0123456789,,--+ []_x") + ["99999999999999999999"]
    rng = random.Random(14)
    outcomes = set()
    for _ in range(60):
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
        r = run("value", word, "--json")
        assert "Traceback" not in r.output and r.exception is None or isinstance(r.exception, SystemExit), (
            word
        )
        if r.exit_code == 0:
            out = json.loads(r.output)
            assert out["method"] == "exact" and "re_decimal" in out
        else:
            assert r.exit_code == 2, (word, r.output)
            lines = [line for line in r.output.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("error: "), (word, r.output)
        outcomes.add(r.exit_code)
    assert outcomes == {0, 2}
