"""vision.palette: the per-channel gain/offset fit and the scene calibration of the process checker
learn the colours a video shows, and a wrong first frame cannot teach them wrong colours."""

from __future__ import annotations

import numpy as np

from genbench.vision.palette import calibrate_scene, channel_fit

NOMINAL = np.array([[240, 240, 240], [30, 30, 40], [220, 50, 47], [40, 90, 220]], np.float32)


def shifted(c):  # a video's colour shift: gain and offset per channel
    return np.clip(c * [0.9, 0.8, 1.05] + [10, 20, -5], 0, 255).astype(np.float32)


def test_channel_fit_recovers_gain_and_offset_of_unseen_entries():
    seen = np.array([True, True, False, False])
    got = channel_fit(NOMINAL, shifted(NOMINAL), seen, min_spread=20)
    assert np.allclose(got, shifted(NOMINAL), atol=0.01)
    # one seen entry, or seen entries too close together in a channel: an offset, not a line
    one = channel_fit(NOMINAL, NOMINAL + 12, np.array([True, False, False, False]), min_spread=20)
    assert np.allclose(one, NOMINAL + 12)
    close = channel_fit(NOMINAL, shifted(NOMINAL), seen, min_spread=250)
    assert np.allclose(close - NOMINAL, (shifted(NOMINAL) - NOMINAL)[:2].mean(0))
    assert not np.allclose(close, shifted(NOMINAL), atol=1)


def scene(first_cls: np.ndarray) -> np.ndarray:
    """A frame painting every pixel with its class's shifted colour."""
    return shifted(NOMINAL)[first_cls].astype(np.uint8)


def test_calibrate_scene_learns_shifted_colours_and_ignores_a_wrong_start():
    expected = np.zeros((40, 60), np.uint8)  # page
    expected[5:35, 5:15] = 1  # scenery: a dark stand
    expected[10:20, 20:30] = 2  # object (movable): red
    expected[10:20, 40:50] = 3  # object (movable): blue
    mask = np.ones_like(expected, bool)
    got = calibrate_scene(NOMINAL.astype(np.uint8), scene(expected), expected, mask, movable=[2, 3])
    assert np.abs(got - shifted(NOMINAL)).max() <= 1.5, got
    # the video starts with the two objects swapped: their colours stay the predicted ones instead of
    # each being learned as the other's
    swapped = expected.copy()
    swapped[10:20, 20:30], swapped[10:20, 40:50] = 3, 2
    got = calibrate_scene(NOMINAL.astype(np.uint8), scene(swapped), expected, mask, movable=[2, 3])
    assert np.abs(got[2] - shifted(NOMINAL)[2]).max() <= 1.5 and np.abs(got[3] - shifted(NOMINAL)[3]).max() <= 1.5
    assert np.abs(got[2] - shifted(NOMINAL)[3]).max() > 50
