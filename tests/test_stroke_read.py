"""The stroke engine labels the pen's components inside the ink's bounding box: the same ink and the same
components as labelling the whole frame, specks under the speck size dropped, a frame with no ink empty."""

from __future__ import annotations

import cv2
import numpy as np

from genbench import geometry
from genbench.registry import task_family


def _whole_frame(cls_pen: np.ndarray, speck: float):
    """The pen's ink and components as labelling the whole frame gives them."""
    k, cc, stats, _ = cv2.connectedComponentsWithStats(cls_pen, connectivity=8)
    keep = np.concatenate([[False], stats[1:, cv2.CC_STAT_AREA] >= speck])
    pen = keep[cc]
    return pen, np.where(pen, cc, 0)


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Both label images mark the same pixels and group them alike (label numbers aside)."""
    if not np.array_equal(a > 0, b > 0):
        return False
    pairs = np.unique(np.stack([a[a > 0], b[b > 0]]), axis=1)
    return pairs.shape[1] == len(np.unique(pairs[0])) == len(np.unique(pairs[1]))


def test_pen_components_in_the_ink_box_are_the_whole_frames(monkeypatch):
    from genbench.checkers import stroke
    from genbench.checkers.regionmap import AGENT
    from genbench.vision.lut import quantise

    fam = task_family("maze.grid-draw")
    it = fam.generate(0, "medium", seed=2)
    frames = list(fam.solution_frames(it, num_frames=24))
    pen_rgb = np.array(it.state["pen"], np.uint8)
    spotted = frames[12].copy()
    h, w = spotted.shape[:2]
    spotted[h - 14:h - 10, w - 14:w - 10] = pen_rgb  # a speck far from the line (dropped)
    spotted[8:24, 8:24] = pen_rgb  # a blob in another corner (kept: the box spans the frame)
    frames = frames[:13] + [spotted] + frames[13:]

    seen = []
    real = stroke.StrokeChecker._read
    monkeypatch.setattr(stroke.StrokeChecker, "_read",
                        lambda self, *a: seen.append(a) or real(self, *a))
    fit = geometry.make_fit("letterbox", *it.canvas_size, *it.canvas_size)
    fam.check(it, frames, fit, 24.0)

    checker = stroke.StrokeChecker(fam.stroke_map(it))
    inked = 0
    for args in seen:
        img, lut, speck = args[0], args[1], args[5]
        _, pen, cc, *_ = real(checker, *args)  # not the recording one: seen would grow as it is read
        ref_pen, ref_cc = _whole_frame((lut[quantise(img)] == AGENT).astype(np.uint8), speck)
        assert np.array_equal(pen.astype(bool), ref_pen)
        assert _same_partition(cc, ref_cc)
        inked += bool(ref_pen.any())
    assert 0 < inked < len(seen)  # frames with ink and the first frame without
    # the test can fail: some frame (the spotted one) has ink to drop and a second component to keep
    dropped = kept_two = False
    for args in seen:
        raw = (args[1][quantise(args[0])] == AGENT).astype(np.uint8)
        pen = real(checker, *args)[1]
        dropped |= bool(raw.sum() > pen.sum())
        kept_two |= cv2.connectedComponents(pen, connectivity=8)[0] - 1 >= 2
    assert dropped and kept_two
