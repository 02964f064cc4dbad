"""Tests for jones.knotinfo: parsing KnotInfo text; every knot up to 10 crossings through every evaluator."""

from fractions import Fraction

import pytest

from ftq.errors import InputError
from jones import exact, fibonacci, tensornet
from jones.knotinfo import knot, knots, links, parse_braids, parse_polynomial


def test_parse_polynomial_formats():
    p = parse_polynomial("7 + t^(-2) - 3/t - 11*t + 15*t^2 - t^9")
    assert p.as_dict() == {
        Fraction(0): 7,
        Fraction(-2): 1,
        Fraction(-1): -3,
        Fraction(1): -11,
        Fraction(2): 15,
        Fraction(9): -1,
    }
    assert parse_polynomial("t+ t^3-t^4").as_dict() == {1: 1, 3: 1, 4: -1}
    assert parse_polynomial("2/t^3").as_dict() == {-3: 2}
    assert parse_polynomial("-t^(1/2)-t^(5/2)").as_dict() == {Fraction(1, 2): -1, Fraction(5, 2): -1}
    assert parse_polynomial("1").as_dict() == {0: 1}


@pytest.mark.parametrize("bad", ["", "t^", "3t", "x+1", "1++t"])
def test_parse_polynomial_rejects(bad):
    with pytest.raises(InputError):
        parse_polynomial(bad)


def test_parse_polynomial_matches_knotinfo_vectors():
    # KnotInfo also lists [min exponent, max exponent, coefficients…] for the knots up to 11 crossings
    from database_knotinfo import link_list

    rows = {r["name"]: r for r in link_list()}
    checked = 0
    for k in knots(max_crossings=11):
        text = rows[k.name]["jones_polynomial_vector"].strip()
        if not text.startswith("["):
            continue
        lo, _, *coeffs = (int(x) for x in text.strip("[]").split(","))
        assert k.jones.as_dict() == {Fraction(lo + j): c for j, c in enumerate(coeffs) if c}, k.name
        checked += 1
    assert checked > 500


def test_parse_braids_multiple():
    bs = parse_braids("[[1,1,2,-1],[1,-2,1,-2]]")
    assert [b.word for b in bs] == [(1, 1, 2, -1), (1, -2, 1, -2)]


def test_lookup_and_errors():
    k = knot("3_1")
    assert k.crossing_number == 3 and k.braid.word == (1, 1, 1)
    assert knot(" 12a_1 ").crossing_number == 12
    with pytest.raises(InputError, match="not in KnotInfo"):
        knot("3_7")


def test_knot_counts():
    # 1 unknot + 1 + 1 + 2 + 3 + 7 + 21 + 49 + 165 knots up to 10 crossings
    assert len(knots(max_crossings=10)) == 250
    assert len(knots(min_crossings=11, max_crossings=11)) == 552


KNOTS_10 = knots(max_crossings=10)


def test_every_knot_up_to_10_crossings_exact_polynomial():
    for k in KNOTS_10:
        for b in k.braids:
            assert exact.jones_polynomial(b) == k.jones, k.name


def test_every_knot_up_to_10_crossings_value_through_every_evaluator():
    opt = tensornet.make_optimizer(max_repeats=2)
    for k in KNOTS_10:
        want = k.jones()  # KnotInfo's polynomial at t = e^{2πi/5}
        for b in k.braids:
            assert abs(exact.jones_value(b) - want) < 1e-9, k.name
            assert abs(fibonacci.markov_value(b) - want) < 1e-9, k.name
            assert abs(tensornet.evaluate(b, optimizer=opt).value - want) < 1e-9, k.name


def test_linkinfo_polynomials_in_x_and_braid_format():
    assert parse_polynomial("-x^(-9)-x^(-5) + x^(-3)-x^(-1)", variable="x").as_dict() == {
        Fraction(-9, 2): -1,
        Fraction(-5, 2): -1,
        Fraction(-3, 2): 1,
        Fraction(-1, 2): -1,
    }
    with pytest.raises(InputError):
        parse_polynomial("t", variable="q")
    (b,) = parse_braids("{3, {-2, -2, -1, 2, -1}}")
    assert b.strands == 3 and b.word == (-2, -2, -1, 2, -1)
    rec = knot("L2a1{1}")
    assert rec.braid.word == (1, 1) and rec.jones.as_dict() == {Fraction(1, 2): -1, Fraction(5, 2): -1}


def test_every_linkinfo_link_up_to_9_crossings_through_every_evaluator():
    # oriented multi-component links: half-integer powers and the sign of even-component links
    opt = tensornet.make_optimizer(max_repeats=2)
    sample = links(max_crossings=9)
    assert len(sample) > 300
    assert any(not k.jones.is_integral for k in sample)
    for k in sample:
        assert exact.jones_polynomial(k.braid) == k.jones, k.name
        want = k.jones()
        assert abs(fibonacci.markov_value(k.braid) - want) < 1e-9, k.name
        assert abs(tensornet.evaluate(k.braid, optimizer=opt).value - want) < 1e-9, k.name


@pytest.mark.slow
def test_every_linkinfo_link_exact_and_fibonacci():
    all_links = links(max_crossings=11)
    assert len(all_links) > 4000
    for k in all_links:
        assert exact.jones_polynomial(k.braid) == k.jones, k.name
        assert abs(fibonacci.markov_value(k.braid) - k.jones()) < 1e-9, k.name


@pytest.mark.slow
def test_sample_of_11_to_13_crossing_knots_through_every_evaluator():
    opt = tensornet.make_optimizer(max_repeats=4)
    sample = knots(min_crossings=11, max_crossings=13)[::97]
    assert len(sample) > 100
    for k in sample:
        for b in k.braids:
            assert exact.jones_polynomial(b) == k.jones, k.name
            want = k.jones()
            assert abs(fibonacci.markov_value(b) - want) < 1e-9, k.name
            assert abs(tensornet.evaluate(b, optimizer=opt).value - want) < 1e-9, k.name


def test_docstring_examples_run():
    import doctest

    import jones.knotinfo as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_single_lookup_reads_one_row_and_matches_the_full_table():
    from jones import knotinfo

    knotinfo._table.cache_clear()
    knotinfo._lookup.cache_clear()
    assert str(knot("3_1").jones) == "t+t^3-t^4"
    assert knotinfo._table.cache_info().currsize == 0  # no full parse for one knot
    full = knotinfo._table()
    names = list(full)
    for name in names[:: len(names) // 20] + names[-2:]:
        assert knotinfo._lookup(name, link=False) == full[name], name
    all_links = knotinfo._link_table()
    link_names = list(all_links)
    for name in link_names[:: len(link_names) // 15]:
        assert knot(name) == all_links[name], name


@pytest.mark.parametrize("bad", ["3_99", "3_1|", "", "3", "L2a1{9}", "../3_1"])
def test_unknown_names_are_one_sentence(bad):
    with pytest.raises(InputError, match="not in KnotInfo"):
        knot(bad)
