"""vision.lut: the colour → class table gives exactly what the straightforward per-bin sums gave."""

import numpy as np
import pytest

from genbench.vision.lut import bin_centres, bin_distances, build_lut, lookup, quantise, word_table


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


def test_lookup_by_words_is_the_table_of_the_quantised_pixels():
    """Every colour (all 2**24, as one image) and a strided view read what lut.take(quantise(img)) reads."""
    rng = np.random.default_rng(0)
    lut = rng.integers(0, 256, 1 << 15).astype(np.uint8)
    every = np.arange(1 << 24, dtype=np.uint32)
    img = np.stack([every & 255, (every >> 8) & 255, every >> 16], -1).astype(np.uint8).reshape(4096, 4096, 3)
    table = word_table(lut)
    assert np.array_equal(lookup(img, table), lut.take(quantise(img)))
    view = img[::3, 1::2]  # not contiguous
    assert np.array_equal(lookup(view, table), lut.take(quantise(view)))
    other = lut.copy()
    other[quantise(img[:1, :1])[0, 0]] ^= 1  # a table that differs in one bin reads that colour differently
    assert not np.array_equal(lookup(img, word_table(other)), lut.take(quantise(img)))
