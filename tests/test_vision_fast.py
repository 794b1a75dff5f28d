"""The vectorised per-pixel helpers give exactly what the straightforward versions they replace gave."""

import cv2
import numpy as np
import pytest

from genbench.checkers.board import _ink
from genbench.vision.palette import unique_rows
from genbench.vision.presence import presence_bits
from genbench.checkers.pointer import LayoutWindow
from genbench.vision.regions import ColourBox, InkRegions, blur, maxdiff


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
@pytest.mark.parametrize("n", [0, 1, 57, 20000])
def test_unique_rows_matches_numpy_unique_axis0(dtype, n):
    rng = np.random.default_rng(n)
    a = rng.integers(0, 256, (n, 3)).astype(dtype)
    a[: n // 2] = a[:1]  # one dominant colour, as a flat panel is
    want = np.unique(a, axis=0, return_inverse=True, return_counts=True)
    cols, inv, counts = unique_rows(a)
    assert cols.dtype == want[0].dtype
    assert np.array_equal(cols, want[0]) and np.array_equal(inv, want[1].reshape(-1))
    assert np.array_equal(counts, want[2])


def test_unique_rows_non_integer_colours_take_the_general_path():
    a = np.array([[0.5, 1, 2], [0.5, 1, 2], [-1, 300, 0]], np.float32)
    cols, inv, counts = unique_rows(a)
    assert np.array_equal(cols, [[-1, 300, 0], [0.5, 1, 2]]) and inv.tolist() == [1, 1, 0]
    assert counts.tolist() == [1, 2]


@pytest.mark.parametrize("n_classes", [1, 3, 12, 64])
@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (5, 1), (41, 37)])
def test_presence_bits_equal_a_dilation_per_class(n_classes, shape):
    rng = np.random.default_rng(n_classes * 100 + shape[0])
    cls = rng.integers(0, n_classes, shape).astype(np.uint8)
    cls[rng.random(shape) < 0.1] = 255  # UNKNOWN is no class
    k = np.ones((3, 3), np.uint8)
    per_class = np.stack([cv2.dilate((cls == p).astype(np.uint8), k) > 0 for p in range(n_classes)])
    bits = presence_bits(cls, n_classes)
    assert bits.dtype == (np.uint16 if n_classes <= 16 else np.uint32 if n_classes <= 32 else np.uint64)
    want = np.zeros(shape, bits.dtype)  # bit p: class p within a pixel; no other bit set
    for p in range(n_classes):
        want |= per_class[p].astype(bits.dtype) << bits.dtype.type(p)
    assert np.array_equal(bits, want)


def test_presence_bits_refuses_too_many_classes():
    with pytest.raises(ValueError, match="at most 64"):
        presence_bits(np.zeros((2, 2), np.uint8), 65)


def test_ink_matches_the_int16_sum():
    rng = np.random.default_rng(3)
    for shape in [(1, 1, 3), (7, 3, 3), (155, 155, 3)]:
        for _ in range(10):
            img = rng.integers(0, 256, shape).astype(np.uint8)
            bg = rng.uniform(0, 256, 3).astype(np.float32)
            d = np.abs(img.astype(np.int16) - bg.astype(np.int16)).sum(-1)
            for thr in (float(rng.uniform(0, 400)), float(d.flat[0])):  # a threshold on a pixel's own value
                got = _ink(img, bg, thr)
                assert got.dtype == np.float32 and np.array_equal(got, (d > thr).astype(np.float32))


def test_colour_box_matches_maxdiff_against_a_filled_reference():
    rng = np.random.default_rng(5)
    for _ in range(200):
        img = rng.integers(0, 256, (int(rng.integers(1, 40)), int(rng.integers(1, 40)), 3)).astype(np.uint8)
        colour = np.clip(np.round(rng.uniform(-10, 265, 3)), 0, 255).astype(np.uint8)
        radius = float(rng.choice([rng.uniform(0, 90), float(rng.integers(0, 90)), 0.5]))
        ref = np.empty_like(img)
        ref[:] = colour
        want = (maxdiff(img, ref) < radius).astype(np.uint8)
        got = ColourBox(colour, radius)(img)
        assert got.dtype == np.uint8 and np.array_equal(got, want)
    # the boundary: a difference equal to the radius is outside
    img = np.array([[[100, 100, 100], [129, 100, 100], [130, 100, 100]]], np.uint8)
    assert ColourBox(np.array([100, 100, 100], np.uint8), 30)(img).tolist() == [[1, 1, 0]]


def test_ink_regions_count_every_box_as_one_box_at_a_time():
    rng = np.random.default_rng(6)
    for _ in range(100):
        h, w = int(rng.integers(8, 60)), int(rng.integers(8, 60))
        ref = blur(rng.integers(0, 256, (h, w, 3)).astype(np.uint8))
        img = ref.copy()
        img[rng.random((h, w)) < rng.uniform(0, 0.5)] = rng.integers(0, 256, 3).astype(np.uint8)
        boxes = []
        for _ in range(int(rng.integers(0, 8))):
            x0, y0 = int(rng.integers(0, w - 1)), int(rng.integers(0, h - 1))
            boxes.append((x0, y0, int(rng.integers(x0 + 1, w + 1)), int(rng.integers(y0 + 1, h + 1))))
        ignore = rng.random((h, w)) < 0.1
        regions = InkRegions(boxes, ref)
        diff = (maxdiff(img, ref) > regions.thresh).astype(np.uint8)
        diff[ignore] = 0
        want = [k for k, (x0, y0, x1, y1) in enumerate(boxes)
                if int(diff[y0:y1, x0:x1].sum()) > 0.25 * regions.ink[k]]
        assert regions.changed(img, ref, ignore) == want


def test_layout_window_blur_is_the_whole_frame_blur_inside_it():
    rng = np.random.default_rng(7)
    for k in range(200):
        img = rng.integers(0, 256, (200, 256, 3)).astype(np.uint8 if k % 2 else np.float32)
        boxes = []
        for _ in range(int(rng.integers(1, 4))):
            x0, y0 = int(rng.integers(0, 255)), int(rng.integers(0, 199))
            boxes.append((x0, y0, int(rng.integers(x0 + 1, 257)), int(rng.integers(y0 + 1, 201))))
        window = LayoutWindow(boxes)
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        assert np.array_equal(window.blur(img), blur(img)[y0:y1, x0:x1])
        assert window.boxes[0] == (boxes[0][0] - x0, boxes[0][1] - y0, boxes[0][2] - x0, boxes[0][3] - y0)
