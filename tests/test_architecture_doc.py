"""The decoder example of docs/architecture.md runs as written and plugs into the kit's sampling."""

import pathlib
import re
import types

import stim

from ftq.decoders import Decoder
from ftq.sampling import make_task, sample_decoded

DOC = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text()


def test_the_documented_decoder_module_samples():
    (code,) = [c for c in re.findall(r"```python\n(.*?)```", DOC, flags=re.S) if "def parity()" in c]
    module = types.ModuleType("parity_example")
    exec(re.sub(r"(?m)^   ", "", code), module.__dict__)
    sampler = module.parity()
    assert sampler.decoder_version == module.VERSION
    c = stim.Circuit("X_ERROR(0.2) 0\nM 0\nDETECTOR(0, 0, 0) rec[-1]\nOBSERVABLE_INCLUDE(0) rec[-1]")
    # the detector sees exactly the observable's flip: predicting the parity never errs
    r = sample_decoded(c, Decoder("parity", sampler, sampler.decoder_version), shots=2000, seed=1)
    assert (r.shots, r.kept, r.errors) == (2000, 2000, 0)
    stats = sampler.compiled_sampler_for_task(make_task(c, decoder="parity")).sample(500)
    assert stats.errors == 0 and stats.discards == 0
