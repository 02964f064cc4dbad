import numpy as np
import pytest
import stim

# sinter's own predicate-to-mask function (private; the public name is only used inside `sinter collect`)
from sinter._collection._collection import post_selection_mask_from_predicate

from ftq.errors import InputError
from ftq.tags import (
    DetectorTag,
    apply_postselection_predicate,
    compile_predicate,
    postselection_mask,
    predicate_mask,
    read_detector_tags,
    stage_labels,
)


def test_project_coordinates_round_trip():
    tag = DetectorTag(1.5, -0.5, 3, 3, True, "X", stage_name="check")
    assert DetectorTag.from_coords(tag.coords(), stage_name="check") == tag


def test_stage_names_travel_in_instruction_tags():
    c = stim.Circuit()
    c.append("M", [0, 1])
    for k, tag in enumerate(
        [DetectorTag(0, 0, 0, 3, True, "X", "check"), DetectorTag(0, 0, 1, 7, False, "Z")]
    ):
        c.append(
            stim.CircuitInstruction(
                "DETECTOR", [stim.target_rec(k - 2)], tag.coords(), tag=tag.instruction_tag()
            )
        )
    tags = read_detector_tags(c)
    assert [(t.stage, t.stage_name, t.postselected, t.basis) for t in tags] == [
        (3, "check", True, "X"),
        (7, None, False, "Z"),
    ]
    assert stage_labels(c) == ["check", None]
    # a detector error model has no instruction tags: numbers only
    assert [t.stage_name for t in read_detector_tags(c.detector_error_model())] == [None, None]


def test_published_convention_fourth_coordinate_means_postselected(reference_dir):
    circuit = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_sc_7_end2end_4_full_rds.stim")
    mask = postselection_mask(circuit)
    assert mask.sum() == 34
    assert len(mask) == 252


def test_missing_coordinates_are_an_error():
    c = stim.Circuit("M 0\nDETECTOR rec[-1]")
    try:
        read_detector_tags(c)
    except ValueError as e:
        assert "no coordinates" in str(e)
    else:
        raise AssertionError("expected ValueError")


# --- foreign circuits: sinter's postselection predicate -------------------------------------------------


def _msc(reference_dir):
    (path,) = (reference_dir / "msc" / "circuits").glob("*.stim")
    return stim.Circuit.from_file(path)


def _errors(circuit):
    dem = circuit.detector_error_model(decompose_errors=False, approximate_disjoint_errors=True)
    return [str(i) for i in dem.flattened() if i.type == "error"]


@pytest.mark.parametrize("expr", ["True", "len(coords) == 5", "coords[2] >= 2 and index % 3 != 0", "False"])
def test_predicate_means_what_sinter_collect_means(reference_dir, expr):
    c = _msc(reference_dir)
    ours = predicate_mask(c, expr, metadata={})
    theirs = post_selection_mask_from_predicate(
        c, postselected_detectors_predicate=compile_predicate(expr), metadata={}
    )
    assert np.array_equal(np.packbits(ours, bitorder="little"), theirs)
    tagged = apply_postselection_predicate(c, expr)
    assert np.array_equal(postselection_mask(tagged), ours)
    assert _errors(tagged) == _errors(c)  # same noise, same symptoms: only the tags changed


def test_msc_circuit_without_predicate_is_refused_naming_the_option(reference_dir):
    with pytest.raises(InputError, match="--postselected-detectors-predicate") as e:
        postselection_mask(_msc(reference_dir))
    assert "(1.25, 0.25, 1.0, -1.0, -9.0)" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(InputError, match="--postselected-detectors-predicate"):
        read_detector_tags(stim.Circuit("M 0\nDETECTOR rec[-1]"))


def test_predicate_overrides_project_tags_and_keeps_stages(reference_dir):
    c = stim.Circuit.from_file(reference_dir / "rp2" / "rp_3_sc_7_end2end_4_full_rds.stim")
    tags = read_detector_tags(c)
    flipped = apply_postselection_predicate(c, "len(coords) == 3")  # the published decoded ones, inverted
    assert postselection_mask(flipped).tolist() == [not t.postselected for t in tags]
    c6 = stim.Circuit()
    c6.append("M", [0])
    tag = DetectorTag(1, 2, 3, 4, True, "Z", stage_name="check")
    c6.append(
        stim.CircuitInstruction("DETECTOR", [stim.target_rec(-1)], tag.coords(), tag=tag.instruction_tag())
    )
    (out,) = read_detector_tags(apply_postselection_predicate(c6, "coords[4] == 0"))
    assert out == DetectorTag(1, 2, 3, 4, False, "Z", stage_name="check")


def test_bad_predicates_are_one_sentence_errors():
    c = stim.Circuit("M 0\nDETECTOR(0, 0, 0) rec[-1]")
    with pytest.raises(InputError, match="not a Python expression"):
        predicate_mask(c, "coords[")
    with pytest.raises(InputError, match=r"fails on detector 0 with coords \(0.0, 0.0, 0.0\)"):
        predicate_mask(c, "coords[4] > 0")
    with pytest.raises(InputError, match="empty"):
        compile_predicate("  ")
