"""vision.palette's first-frame alignment and colour map, vision.regions' ink-change tracking (the
reading helpers of the pointer and tile checkers): each must see a real change and ignore a nuisance."""

import cv2
import numpy as np

from genbench.vision.palette import ColourMap, align_first, distinct_colours
from genbench.vision.regions import InkRegions, blur


def _scene():
    """A flat panel with three shapes and a glyph, no anti-aliasing (as the puzzles draw)."""
    img = np.full((200, 256, 3), (228, 233, 242), np.uint8)
    cv2.rectangle(img, (20, 20), (70, 70), (40, 90, 220), -1)
    cv2.circle(img, (130, 50), 25, (30, 150, 60), -1)
    cv2.rectangle(img, (180, 30), (230, 80), (245, 140, 20), -1)
    cv2.line(img, (30, 140), (120, 160), (30, 30, 40), 3)
    boxes = [(18, 18, 73, 73), (103, 23, 158, 78), (178, 28, 233, 83), (26, 134, 124, 166)]
    return img, boxes


def test_ink_regions_flag_an_erased_box_only():
    img, boxes = _scene()
    ref = blur(img)
    regions = InkRegions(boxes, ref)
    assert regions.changed(ref, ref) == []
    erased = img.copy()
    erased[30:65, 105:158] = (228, 233, 242)  # the circle is gone
    assert regions.changed(blur(erased), ref) == [1]
    ignore = np.zeros(img.shape[:2], bool)
    ignore[18:80, 100:160] = True  # a moving marker's surroundings are not judged
    assert regions.changed(blur(erased), ref, ignore) == []


def test_colour_map_learns_a_shift_and_maps_nominal_colours():
    img, _ = _scene()
    shifted = np.clip(img.astype(np.int16) + (12, -15, 20), 0, 255).astype(np.uint8)
    aligned, cmap, warp = align_first(img, shifted)
    assert warp is None  # no camera motion: frames are read as they are
    got = cmap(np.array([(40, 90, 220), (228, 233, 242)], np.float32))
    want = np.clip(np.array([(40, 90, 220), (228, 233, 242)]) + (12, -15, 20), 0, 255)
    assert np.abs(got - want).max() <= 1.0
    assert np.abs(cmap(img).astype(np.int16) - shifted).max() <= 1  # whole images through the table


def test_align_first_finds_a_camera_shift():
    img, _ = _scene()
    moved = cv2.warpAffine(img, np.float32([[1, 0, 3], [0, 1, 2]]), (img.shape[1], img.shape[0]),
                           borderMode=cv2.BORDER_REPLICATE)
    aligned, _, warp = align_first(img, moved)
    assert warp is not None and abs(warp[0, 2] - 3) < 0.5 and abs(warp[1, 2] - 2) < 0.5
    inner = (slice(10, -10), slice(10, -10))
    assert np.abs(aligned[inner].astype(int) - img[inner]).mean() < np.abs(moved[inner].astype(int) - img[inner]).mean()


def test_a_colour_shown_as_another_is_content_not_colour():
    img, _ = _scene()
    gone = img.copy()
    gone[20:71, 20:71] = (228, 233, 242)  # the blue square shows the panel: changed content
    lap = np.abs(cv2.Laplacian(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32), cv2.CV_32F))
    flat = cv2.erode((lap < 1).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    nominal, observed = img[flat].astype(np.float32), gone[flat].astype(np.float32)
    keep = distinct_colours(nominal, observed)
    blue = (nominal == (40, 90, 220)).all(1)
    assert blue.any() and not keep[blue].any()  # not learned, so the start check still sees the change
    assert keep[~blue].all()
    cmap = ColourMap(nominal[keep], observed[keep])
    assert np.abs(cmap(np.array([(40, 90, 220)], np.float32))[0] - (40, 90, 220)).max() < 30
