"""vision.lut: the colour → class table gives exactly what the straightforward per-bin sums gave."""

import numpy as np
import pytest

from genbench.vision.lut import bin_centres, bin_distances, build_lut


def _per_bin(colours):
    """The straightforward version bin_distances replaced: one squared-difference sum per bin."""
    c, col = bin_centres(), np.asarray(colours, np.float32)
    d2 = np.empty((len(c), len(col)), np.float32)
    for k in range(len(col)):
        diff = c - col[k]
        d2[:, k] = np.einsum("ij,ij->i", diff, diff)
    return d2


@pytest.mark.parametrize("seed", range(6))
def test_bin_distances_equal_the_per_bin_sums(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 10))
    # calibrated colours are floats, and may leave 0..255 a little
    cols = rng.uniform(-20, 275, (k, 3)) if seed % 2 else rng.integers(0, 256, (k, 3))
    got = bin_distances(cols)
    assert got.dtype == np.float32 and got.shape == (32768, k) and got.flags.c_contiguous
    assert np.array_equal(got, _per_bin(cols))


def test_the_table_classifies_by_the_nearest_colour():
    lut = build_lut(np.array([[0, 0, 0], [255, 255, 255], [220, 40, 40]]), np.array([3, 1, 2]), max_dist=60,
                    agent_class=2)
    idx = lambda r, g, b: (r >> 3) << 10 | (g >> 3) << 5 | b >> 3  # noqa: E731
    assert lut[idx(10, 5, 0)] == 3 and lut[idx(250, 240, 250)] == 1 and lut[idx(210, 50, 30)] == 2
    assert lut[idx(128, 128, 128)] == 255  # beyond max_dist of every colour: unknown
