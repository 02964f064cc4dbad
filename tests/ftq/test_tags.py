import stim

from ftq.tags import DetectorTag, Stage, postselection_mask, read_detector_tags


def test_project_coordinates_round_trip():
    tag = DetectorTag(1.5, -0.5, 3, Stage.CHECK, True, "X")
    assert DetectorTag.from_coords(tag.coords()) == tag


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
