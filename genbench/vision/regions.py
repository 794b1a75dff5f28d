"""Ink change in boxes: has a drawn region (a glyph, an object, an option label) kept its ink, compared
with a reference image? Works on blurred uint8 images at a checker's working size."""

from __future__ import annotations

import math

import cv2
import numpy as np


def blur(img: np.ndarray) -> np.ndarray:
    """uint8 in, uint8 out (cv2 is several times faster on uint8 than numpy on float)."""
    img = np.asarray(img)
    if img.dtype != np.uint8:
        img = np.clip(np.round(img), 0, 255).astype(np.uint8)
    return cv2.GaussianBlur(img, (0, 0), 1.0)


def maxdiff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pixel, the largest absolute channel difference (uint8 H×W)."""
    d = cv2.absdiff(a, b)
    c0, c1, c2 = cv2.split(d)
    return cv2.max(cv2.max(c0, c1), c2)


class ColourBox:
    """uint8 0/1 per pixel: ``maxdiff(img, colour) < radius``, as one ``cv2.inRange`` (no reference
    image, no per-channel planes). ``colour``: three uint8 values. The bounds are worked out once: a
    checker that masks every frame with the same colour paid as much for the bounds as for the mask."""

    def __init__(self, colour: np.ndarray, radius: float):
        r = math.ceil(radius) - 1  # |d| < radius  ⇔  |d| ≤ ceil(radius) − 1 for whole d
        c = np.asarray(colour, np.float64)
        self.empty = r < 0
        self.lo, self.hi = tuple(c - r), tuple(c + r)

    def __call__(self, img: np.ndarray) -> np.ndarray:
        if self.empty:
            return np.zeros(img.shape[:2], np.uint8)
        mask = cv2.inRange(img, self.lo, self.hi)
        return np.bitwise_and(mask, 1, out=mask)


class InkRegions:
    """Ink-change tracking of boxes (x0, y0, x1, y1 in working pixels) against a reference image (both
    blurred uint8, working size). A box's ink is its pixels far from the box's median colour, with a
    floor so that a nearly empty box does not count every speck as a change."""

    def __init__(self, boxes, ref_blur: np.ndarray, thresh: int = 55):
        self.boxes = [tuple(b) for b in boxes]
        self.thresh = thresh
        self.ink = []
        for x0, y0, x1, y1 in self.boxes:
            crop = ref_blur[y0:y1, x0:x1]
            med = np.median(crop.reshape(-1, 3), axis=0).astype(np.uint8)
            n = int((maxdiff(crop, np.broadcast_to(med, crop.shape).copy()) > thresh).sum())
            self.ink.append(max(n, 6, int(0.08 * crop.shape[0] * crop.shape[1])))
        # the boxes' integral-image corners, to count every box at once
        b = np.array(self.boxes, np.intp).reshape(-1, 4)
        self._x0, self._y0, self._x1, self._y1 = b.T
        self._ink = np.array(self.ink, np.float64)

    def changed(self, img_blur: np.ndarray, ref_blur: np.ndarray, ignore: np.ndarray | None = None,
                frac: float = 0.25) -> list[int]:
        """Indices of boxes where more than ``frac`` of the ink-sized area differs (``ignore``: a mask
        of pixels not to count, e.g. around a moving marker)."""
        diff = (maxdiff(img_blur, ref_blur) > self.thresh).astype(np.uint8)
        if ignore is not None:
            diff[ignore] = 0
        ii = cv2.integral(diff)
        x0, y0, x1, y1 = self._x0, self._y0, self._x1, self._y1
        n = ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0]
        return np.flatnonzero(n > frac * self._ink).tolist()
