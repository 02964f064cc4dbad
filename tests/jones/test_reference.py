from jones.circuits import exact_value
from jones.reference import ANCHOR_VALUE, anchor_braid


def test_anchor_braid_has_the_published_size():
    b = anchor_braid()
    assert (b.strands, b.crossings) == (15, 114)
    assert all(1 <= abs(g) <= 14 for g in b.word)


def test_anchor_braid_exact_value_is_the_published_one():
    # the anchor publishes J = -314.33 + 623.02i in its convention; ours is the complex conjugate
    assert abs(exact_value(anchor_braid(), closure="markov") - ANCHOR_VALUE) < 1e-6


def test_cli_evaluates_the_anchor_braid_by_name():
    import json

    from click.testing import CliRunner

    from ftq.cli import main

    r = CliRunner().invoke(main, ["jones", "value", "anchor", "--method", "tensornet", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert (out["strands"], out["crossings"]) == (15, 114)
    assert abs(complex(out["re"], out["im"]) - ANCHOR_VALUE) < 1e-6
