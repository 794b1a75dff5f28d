"""A camera alignment kept up to date through a video, for checkers that warp frames (already at
their working size) onto a reference drawing: generative models zoom, pan and shake more and more
over a clip, which one first-frame alignment cannot absorb.

Bounded so that it can only follow the camera: the whole warp stays a small drift of identity (no
rotation or shear, zoom and motion within ``max_frac``), every re-estimate starts from the current
warp and must improve the match on the pixels that should not change (the caller's mask: the layout
away from what moves). A global zoom / shift cannot turn an erased wall or a changed given back into
the drawing, so a real layout change stays wrong after tracking."""

from __future__ import annotations

import cv2
import numpy as np

from .align import corner_motion, ecc_affine, grey, warp_onto

# computeECC is a correlation coefficient, at most 1 but for rounding (float32 sums: ~1e-7); a match
# already within min_gain of 1 by more than this cannot be improved by min_gain, so no fit is tried
ECC_SLACK = 1e-5


class CameraTracker:
    """``warp`` maps reference coordinates to frame coordinates (``ecc_affine``'s convention);
    None is identity. ``mask``: uint8 (255 = match on) over the reference, or None for all of it."""

    def __init__(self, ref: np.ndarray, warp: np.ndarray | None = None, mask: np.ndarray | None = None,
                 max_frac: float = 0.08, min_gain: float = 0.002):
        self.ref = grey(ref) if ref.ndim == 3 else ref.astype(np.float32)
        self.h, self.w = self.ref.shape[:2]
        self._flat_ref = self.ref.std() < 1  # nothing to match on (the reference never changes)
        self.warp = warp
        self.mask = mask
        self.max_frac, self.min_gain = max_frac, min_gain
        self._spread = None  # (mask, the matched pixels' centre and variance per axis) of the last mask used
        self._last = None  # (frame, warp, the frame warped): a checker warps a frame, re-fits on it, warps it again

    def warped(self, img: np.ndarray) -> np.ndarray:
        """The frame mapped onto the reference by the current warp. The last one is kept (held, so no
        other array takes its address): callers change neither the frame nor what this returns."""
        if self._last is not None and self._last[0] is img and self._last[1] is self.warp:
            return self._last[2]
        out = warp_onto(img, self.warp, self.w, self.h)
        self._last = (img, self.warp, out)
        return out

    def match(self, img: np.ndarray) -> float | None:
        """How well the frame (unwarped, at working size) matches the reference under the current warp:
        the masked ECC, 1 for a perfect match; None where it cannot be computed (a flat frame)."""
        try:
            ecc = float(cv2.computeECC(self.ref, grey(self.warped(img)), self.mask))
        except cv2.error:
            return None
        return ecc if np.isfinite(ecc) else None  # NaN: nothing to correlate with

    def update(self, img: np.ndarray, mask: np.ndarray | None = None) -> bool:
        """Re-estimate the warp on this frame (unwarped, at working size). Keeps the old warp unless
        the new one is a plausible drift that matches the masked reference better (``mask``: this
        frame's own, e.g. without where a marker is now; the tracker's by default). Returns whether
        the warp changed."""
        mask = self.mask if mask is None else mask
        got = grey(img)
        if self._flat_ref or got.std() < 1:
            return False
        init = np.eye(2, 3, dtype=np.float32) if self.warp is None else self.warp.astype(np.float32)
        try:
            before = cv2.computeECC(self.ref, got if self.warp is None else grey(self.warped(img)), mask)
        except cv2.error:
            return False
        if before + self.min_gain > 1 + ECC_SLACK:  # no warp can gain min_gain: ECC is at most 1 (skip the fit)
            return False
        new = ecc_affine(self.ref, got, 25, 1e-4, 3, mask, init=init)
        if new is None:
            return False
        new = self._zoom_shift(new, mask)
        if new is None or not self._plausible(new):
            return False
        moved = warp_onto(img, new, self.w, self.h)
        try:
            after = cv2.computeECC(self.ref, grey(moved), mask)
        except cv2.error:
            return False
        if after <= before + self.min_gain:
            return False
        self.warp = new
        self._last = (img, new, moved)
        return True

    def _zoom_shift(self, warp: np.ndarray, mask: np.ndarray | None) -> np.ndarray | None:
        """The warp as one zoom and a shift (the camera drift modelled: the fit is axis-aligned, so a
        camera's zoom is the same along both axes), keeping where the matched pixels' centre goes. A
        layout matched on a thin strip leaves the shear terms and the zoom across the strip poorly
        determined: each axis's zoom counts by the matched pixels' spread along it. None for a clear
        rotation or shear, which no drift explains."""
        if abs(warp[0, 1]) > 0.05 or abs(warp[1, 0]) > 0.05:
            return None
        spread = self._pixel_spread(mask)
        if spread is None:
            return None
        cx, cy, vx, vy = spread
        z = (warp[0, 0] * vx + warp[1, 1] * vy) / max(vx + vy, 1e-9)
        tx = warp[0, 2] + warp[0, 1] * cy + (warp[0, 0] - z) * cx
        ty = warp[1, 2] + warp[1, 0] * cx + (warp[1, 1] - z) * cy
        return np.array([[z, 0, tx], [0, z, ty]], np.float32)

    def _pixel_spread(self, mask: np.ndarray | None) -> tuple[float, float, float, float] | None:
        """(centre x, centre y, variance x, variance y) of the matched pixels, None when there are none;
        kept for the last mask used (held, so not another array at its address): a board re-estimates on
        the tracker's own mask, the tile checker hands its masks over again while nothing moved. A
        caller must not change a mask in place once it has been used."""
        if self._spread is not None and self._spread[0] is mask:
            return self._spread[1]
        ys, xs = np.nonzero(mask) if mask is not None else np.mgrid[0:self.h:4, 0:self.w:4].reshape(2, -1)
        out = None if not len(xs) else (float(xs.mean()), float(ys.mean()), float(xs.var()), float(ys.var()))
        self._spread = (mask, out)
        return out

    def _plausible(self, warp: np.ndarray) -> bool:
        lin = warp[:, :2]
        if np.abs(lin - np.eye(2)).max() > self.max_frac:
            return False
        return corner_motion(warp, self.w, self.h) <= self.max_frac * max(self.w, self.h)


def keep_out(shape: tuple[int, int], boxes, margin: int = 2) -> np.ndarray:
    """A tracking mask (uint8, 255 = match on) with the boxes (x0, y0, x1, y1, working px) cut out:
    the parts of a drawing that change as the task is solved."""
    mask = np.full(shape, 255, np.uint8)
    h, w = shape
    for x0, y0, x1, y1 in boxes:
        a, b = max(int(np.floor(x0)) - margin, 0), min(int(np.ceil(x1)) + margin, w)
        c, d = max(int(np.floor(y0)) - margin, 0), min(int(np.ceil(y1)) + margin, h)
        mask[c:d, a:b] = 0
    return mask
