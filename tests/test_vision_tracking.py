"""vision.tracking: an alignment kept up to date through a drifting camera must follow a growing zoom
and pan step by step, and must not follow what no camera does (a rotation, a jump past the bound),
nor hide a changed part of the layout."""

import cv2
import numpy as np

from genbench.vision.tracking import CameraTracker, keep_out


def _scene():
    img = np.full((200, 256, 3), (228, 233, 242), np.uint8)
    for x in range(16, 256, 40):
        cv2.line(img, (x, 10), (x, 190), (30, 30, 40), 2)
    for y in range(20, 200, 40):
        cv2.line(img, (10, y), (246, y), (30, 30, 40), 2)
    cv2.rectangle(img, (60, 70), (90, 100), (40, 90, 220), -1)
    cv2.circle(img, (180, 130), 14, (30, 150, 60), -1)
    return img


def _matrix(img, zoom=1.0, dx=0.0, dy=0.0, angle=0.0):
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, zoom)
    m[:, 2] += (dx, dy)
    return m


def _camera(img, **motion):
    h, w = img.shape[:2]
    return cv2.warpAffine(img, _matrix(img, **motion), (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def _corner_error(warp, m, w=256, h=200):
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], np.float64)
    return float(np.abs(corners @ np.asarray(warp, np.float64).T - corners @ m.T).max())


def test_follows_a_zoom_and_pan_growing_over_the_clip():
    ref = _scene()
    tr = CameraTracker(ref)
    for t in np.linspace(0.1, 1.0, 10):  # zoom to 2%, pan to 2% of the width
        motion = dict(zoom=1 + 0.02 * t, dx=0.02 * 256 * t, dy=-0.01 * 200 * t)
        tr.update(_camera(ref, **motion))
        assert _corner_error(tr.warp, _matrix(ref, **motion)) < 0.3, t  # the camera, to a third of a pixel
    assert tr.warp[0, 1] == 0 and tr.warp[1, 0] == 0  # zoom and shift only


def test_does_not_follow_a_rotation_or_a_jump_past_the_bound():
    ref = _scene()
    tr = CameraTracker(ref, max_frac=0.03)
    assert not tr.update(_camera(ref, angle=6.0))
    assert not tr.update(_camera(ref, dx=20.0))  # 20 px > 3% of 256
    assert tr.warp is None


def test_a_changed_part_stays_changed_after_tracking():
    ref = _scene()
    changed = ref.copy()
    cv2.rectangle(changed, (60, 70), (90, 100), (228, 233, 242), -1)  # the blue square erased
    frame = _camera(changed, zoom=1.015, dx=3.0, dy=-2.0)
    tr = CameraTracker(ref)
    assert tr.update(frame)
    assert _corner_error(tr.warp, _matrix(ref, zoom=1.015, dx=3.0, dy=-2.0)) < 0.5
    got = tr.warped(frame)
    assert np.abs(got[75:96, 65:86].astype(int) - ref[75:96, 65:86]).mean() > 60  # still erased


def test_keep_out_masks_boxes_with_a_margin():
    m = keep_out((50, 60), [(10, 10, 20, 20)], margin=2)
    assert m[9, 9] == 0 and m[21, 21] == 0 and m[30, 30] == 255 and m[7, 7] == 255


def test_match_is_the_masked_ecc_and_none_on_a_flat_frame():
    rng = np.random.default_rng(0)
    ref = (rng.random((60, 80, 3)) * 255).astype(np.uint8)
    t = CameraTracker(ref)
    assert t.match(ref) > 0.999
    assert t.match(np.roll(ref, 3, axis=1)) < 0.5  # a shifted picture matches worse
    assert t.match(np.full_like(ref, 100)) is None and CameraTracker(np.full_like(ref, 100)).match(ref) is None


def test_the_kept_warped_frame_is_the_current_warp_of_that_very_frame():
    """warped() keeps its last frame (a checker warps, re-fits, warps again): the kept one is given back
    for that frame under that warp only, never for another frame or after the warp moved."""
    from genbench.vision.align import warp_onto

    ref = _scene()
    tr = CameraTracker(ref)
    a, b = _camera(ref, zoom=1.02, dx=4.0), _camera(ref, dx=-3.0)
    assert tr.warped(a) is a  # no warp yet: the frame as it is
    assert tr.update(a)
    wa = tr.warped(a)
    assert np.array_equal(wa, warp_onto(a, tr.warp, 256, 200)) and tr.warped(a) is wa
    wb = tr.warped(b)  # another frame, same warp: warped afresh
    assert np.array_equal(wb, warp_onto(b, tr.warp, 256, 200)) and not np.array_equal(wb, wa)
    old = tr.warp
    assert tr.update(b)  # the warp moves: frame b under the new warp, not the kept one
    assert tr.warp is not old and np.array_equal(tr.warped(b), warp_onto(b, tr.warp, 256, 200))
    assert not np.array_equal(tr.warped(b), wb)


def test_a_fit_that_cannot_gain_is_not_tried_and_one_that_can_is(monkeypatch):
    """ECC is at most 1: a frame already within min_gain of a perfect match skips the fit (its result
    could not be kept); a frame a camera moved, or one matched under min_gain from 1, is fitted."""
    from genbench.vision import tracking
    fits = []
    real = tracking.ecc_affine

    def counted(*a, **k):
        fits.append(1)
        return real(*a, **k)

    monkeypatch.setattr(tracking, "ecc_affine", counted)
    ref = _scene()
    tr = CameraTracker(ref)
    assert not tr.update(ref.copy()) and not fits and tr.warp is None  # a perfect match: nothing to gain
    moved = _camera(ref, dx=2.0, dy=-1.0)
    assert tr.update(moved) and len(fits) == 1  # a moved camera is fitted and followed
    assert _corner_error(tr.warp, _matrix(ref, dx=2.0, dy=-1.0)) < 0.3
    assert not tr.update(moved) and len(fits) == 1  # followed: the match is now within min_gain of 1
    picky = CameraTracker(ref, min_gain=0.5)  # no frame can gain 0.5 from a near-perfect start...
    assert not picky.update(_camera(ref, dx=0.5)) and len(fits) == 1
    loose = CameraTracker(ref, min_gain=0.0)  # ...but any start short of 1 is fitted when any gain counts
    loose.update(_camera(ref, dx=0.5))
    assert len(fits) == 2
