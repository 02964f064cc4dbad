import stim

from ftq.tags import DetectorTag, postselection_mask, read_detector_tags, stage_labels


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
