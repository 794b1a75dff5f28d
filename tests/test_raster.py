"""genbench.raster.fill writes exactly what numpy's slice assignment writes (issue 19: faster, same bytes)."""

import numpy as np
import pytest

from genbench.raster import fill


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.int32])
def test_fill_matches_slice_assignment_on_random_regions(dtype):
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (90, 130, 3)).astype(dtype)
    for _ in range(300):
        y0, y1 = rng.integers(-100, 100, 2)  # negative, reversed and out-of-range bounds included
        x0, x1 = rng.integers(-140, 140, 2)
        colour = rng.integers(0, 255, 3).tolist() if rng.random() < 0.8 else int(rng.integers(0, 255))
        want, got = base.copy(), base.copy()
        want[y0:y1, x0:x1] = colour
        fill(got[y0:y1, x0:x1], colour)
        assert np.array_equal(want, got)


def test_fill_of_a_whole_canvas_and_of_a_small_cell():
    img = np.zeros((64, 64, 3), np.uint8)
    fill(img, (1, 2, 3))
    assert (img.reshape(-1, 3) == (1, 2, 3)).all()
    fill(img[3:7, 5:9], [9, 8, 7])  # below the row-copy threshold: plain assignment
    assert (img[3:7, 5:9] == (9, 8, 7)).all() and (img[7:, :] == (1, 2, 3)).all() and (img[:3] == (1, 2, 3)).all()
