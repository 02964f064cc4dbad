"""Tests for jones.braids: parsing, validation, Markov moves, closures' components and plat writhe."""

import pytest

from ftq.errors import InputError
from jones.braids import Braid, random_braid


@pytest.mark.parametrize("text", ["1,-2,1", "[1,-2,1]", " [ 1, -2 , 1 ] ", "1 -2 1"])
def test_parse_formats(text):
    b = Braid.parse(text)
    assert b == Braid(3, (1, -2, 1))


def test_parse_strands_override_and_empty():
    assert Braid.parse("1", strands=5).strands == 5
    assert Braid.parse("[]", strands=2).word == ()
    assert Braid.parse("").strands == 1


@pytest.mark.parametrize(
    "text,strands,needle",
    [
        ("1,0,2", None, "0"),
        ("1,x", None, "x"),
        ("1,2.5", None, "2.5"),
        ("3", 3, "3"),
        ("1,-4", 3, "-4"),
        ("1,,2", None, "1,,2"),  # an empty generator is not skipped
        ("1,2,", None, "1,2,"),
        ("1_0", None, "1_0"),  # Python's digit separator is not a braid generator 10
        ("١", None, "١"),  # non-ASCII digits
        ("- 1", None, "- 1"),
        ("99999999999999999999999", None, "99999999999999999999999"),  # beyond int64
        ("1," + "9" * 5000, None, "out of range"),  # beyond Python's int-from-string limit: no ValueError
    ],
)
def test_parse_rejects_bad_input_with_one_sentence(text, strands, needle):
    with pytest.raises(InputError) as e:
        Braid.parse(text, strands=strands)
    msg = str(e.value)
    assert needle in msg and "\n" not in msg and msg.endswith(".")


def test_strand_count_is_bounded():
    from jones.braids import MAX_STRANDS

    assert Braid(MAX_STRANDS, ()).strands == MAX_STRANDS
    for bad in (0, -3, MAX_STRANDS + 1, 2**70):
        with pytest.raises(InputError, match="strand count"):
            Braid(bad, ())


def test_constructor_rejects_non_integers():
    with pytest.raises(InputError):
        Braid(3, (1, 1.0))  # type: ignore[arg-type]
    with pytest.raises(InputError):
        Braid(0, ())


def test_writhe_crossings_inverse_mirror():
    b = Braid.parse("1,1,-2,3,-1")
    assert b.crossings == 5
    assert b.writhe == 1
    assert b.inverse().writhe == -b.writhe
    assert b.mirror().writhe == -b.writhe
    assert b.inverse().inverse() == b
    assert (b + b.inverse()).permutation() == tuple(range(b.strands))


def test_conjugate_and_stabilize_preserve_component_count():
    b = Braid.parse("1,1,2,2")
    assert b.markov_components() == 3
    c = b.conjugate(Braid.parse("2,-1,2"))
    assert c.markov_components() == b.markov_components()
    s = b.stabilize()
    assert s.strands == b.strands + 1 and s.word[-1] == b.strands
    assert s.markov_components() == b.markov_components()
    assert b.stabilize(sign=-1).word[-1] == -b.strands
    with pytest.raises(InputError):
        b.stabilize(sign=2)


def test_permutation_is_a_bijection():
    b = random_braid(strands=7, crossings=40, seed=3)
    assert sorted(b.permutation()) == list(range(7))


def test_runs_sum_to_writhe():
    b = random_braid(strands=3, crossings=50, seed=5)
    assert sum(k for _, k in b.runs()) == b.writhe
    assert all(b.runs()[j][0] != b.runs()[j + 1][0] for j in range(len(b.runs()) - 1))


def test_plat_requires_even_strands():
    with pytest.raises(InputError, match="even"):
        Braid.parse("1,2").plat_signs()


def test_plat_writhe_of_figure_eight_is_zero():
    # the spec's 4-plat presentation of 4_1: naive sum of signs is 2, oriented writhe 0
    b = Braid.parse("2,2,-1,2", strands=4)
    assert b.writhe == 2
    assert b.plat_writhe == 0


def test_plat_components():
    assert Braid.parse("", strands=4).plat_components() == 2
    assert Braid.parse("2", strands=4).plat_components() == 1
    assert Braid.parse("2,2", strands=4).plat_components() == 2
    assert Braid.parse("2,2,2", strands=4).plat_components() == 1


def test_docstring_examples_run():
    import doctest

    import jones.braids as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_random_text_parses_to_a_braid_or_one_sentence():
    # seeded fuzz over the characters braid words are made of (and some they are not)
    import random

    alphabet = list("0123456789,,,--+ []_x.١\t") + ["99999999999999999999", "0"]
    rng = random.Random(16)
    parsed = refused = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        try:
            b = Braid.parse(text)
        except InputError as e:
            msg = str(e)
            assert "\n" not in msg and msg.endswith(".") and len(msg) < 200, text
            refused += 1
            continue
        parsed += 1
        # what was accepted is exactly the signed integers written, nothing skipped or merged
        tokens = text.strip().strip("[]").replace(",", " ").split()
        assert b.word == tuple(int(t) for t in tokens), text
        assert Braid.parse(",".join(map(str, b.word)), strands=b.strands) == b
    assert parsed > 100 and refused > 100
