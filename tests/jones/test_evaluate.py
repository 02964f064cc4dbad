import pytest

from ftq.errors import InputError
from jones.braids import Braid
from jones.evaluate import METHODS, evaluate


@pytest.mark.parametrize(("word", "closure", "strands"), [("1,1,1", "markov", None), ("2,2,-1,2", "plat", 4)])
def test_every_method_gives_the_same_value(word, closure, strands):
    braid = Braid.parse(word, strands=strands)
    values = [evaluate(braid, closure=closure, method=m).value for m in METHODS]
    assert max(abs(v - values[0]) for v in values) < 1e-9


def test_method_facts_and_json():
    braid = Braid.parse("1,1,1")
    seen = []
    tn = evaluate(braid, closure="markov", method="tensornet", on_cost=lambda f, w: seen.append((f, w)))
    assert seen and tn.log10_flops == seen[0][0]
    assert set(tn.to_json()) >= {"re", "im", "log10_flops", "width"} and "polynomial" not in tn.to_json()
    assert evaluate(braid, closure="markov", method="exact").to_json()["polynomial"] == "t+t^3-t^4"


def test_unknown_method_is_one_sentence():
    with pytest.raises(InputError, match="'dense' is unknown"):
        evaluate(Braid.parse("1"), closure="markov", method="dense")
