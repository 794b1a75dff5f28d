"""vision.components: components of a sparse mask labelled in its box give cv2's own answer, bit for bit."""

import cv2
import numpy as np

from genbench.vision.components import components


def _masks(seed: int, n: int):
    """Random masks: discs (markers, blobs), speckle noise (many tiny components), full and empty ones."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        h, w = (int(v) for v in rng.integers(3, 200, 2))
        m = np.zeros((h, w), np.uint8)
        for _ in range(int(rng.integers(0, 6))):
            x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(1, 15))
            cv2.circle(m, (x, y), r, 1, -1)
        if rng.random() < 0.3:
            m |= (rng.random((h, w)) < 0.02).astype(np.uint8)
        if rng.random() < 0.05:
            m[:] = 1
        yield m


def test_components_equal_cv2_on_the_whole_mask():
    for m in _masks(0, 600):
        n, _, stats, cents = cv2.connectedComponentsWithStats(m, connectivity=8)
        n2, stats2, cents2 = components(m)
        assert n2 == n
        assert np.array_equal(stats2[1:], stats[1:])  # same order, boxes and areas
        assert np.array_equal(cents2[1:], cents[1:])  # exactly, not approximately


def test_label_order_needs_the_even_box():
    """The other side: labelling a crop that starts on odd coordinates reorders labels in some masks
    (cv2 labels 2×2 blocks), which is why components() widens the box to even coordinates."""
    reordered = 0
    for m in _masks(1, 300):
        x0, y0, w, h = cv2.boundingRect(m)
        if w == 0 or not (x0 & 1 or y0 & 1):
            continue
        n, _, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
        _, _, crop, _ = cv2.connectedComponentsWithStats(m[y0:y0 + h, x0:x0 + w].copy(), connectivity=8)
        crop[:, 0] += x0
        crop[:, 1] += y0
        reordered += not np.array_equal(crop[1:], stats[1:])
    assert reordered > 0


def test_empty_mask_has_only_the_background():
    n, stats, cents = components(np.zeros((20, 30), np.uint8))
    assert n == 1 and len(stats) == 1 and len(cents) == 1
