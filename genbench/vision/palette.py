"""Calibrating a nominal palette on the video's own first frame (colour shifts, compression, a wrong
first frame), so the quantised lookup table (``vision.lut``) reads the colours the video shows."""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from .align import corner_motion, ecc_affine, grey, warp_onto
from .lut import UNKNOWN


def calibrate(rm, first: np.ndarray, agent_class: int) -> np.ndarray:
    """The palette as this video shows it. ``rm``: anything with ``palette`` (K×3 nominal colours),
    ``palette_class`` (K classes) and ``palette_map`` (H×W palette entry per pixel, -1: unused).

    Large layout colours (floor, walls: too big for an agent to hide) anchor a per-channel
    gain/offset fit; a small entry (goal, agent) keeps its own median only when that median agrees
    with the fit, so a wrong first frame (the agent parked on the goal) cannot re-label a colour.
    """
    nominal = rm.palette.astype(np.float32)
    k_all = len(nominal)
    flat = first.reshape(-1, 3).astype(np.float32)
    pm = rm.palette_map.ravel()
    counts = np.bincount(pm[pm >= 0], minlength=k_all)[:k_all]
    observed = nominal.copy()
    have = np.zeros(k_all, bool)
    for k in range(k_all):
        if counts[k] >= 4:
            observed[k] = np.median(flat[pm == k], axis=0)
            have[k] = True
    layout = have & (rm.palette_class != agent_class)
    anchor = layout & (counts >= 0.05 * max(counts[layout].max() if layout.any() else 1, 1))
    if anchor.sum() < 2:
        anchor = layout
    predicted = nominal.copy()
    if anchor.sum() >= 1:
        predicted = channel_fit(nominal, observed, anchor, min_spread=20)
    predicted = np.clip(predicted, 0, 255)
    out = predicted.copy()
    out[anchor] = observed[anchor]
    for k in np.flatnonzero(have & ~anchor):
        others = np.delete(np.arange(k_all), k)
        sep = np.linalg.norm(predicted[others] - predicted[k], axis=1)
        sep = sep[rm.palette_class[others] != rm.palette_class[k]].min(initial=255.0)
        if np.linalg.norm(observed[k] - predicted[k]) < 0.4 * sep:
            out[k] = observed[k]  # the video shows this colour where it was drawn: trust it
    return out


def calibrate_scene(nominal: np.ndarray, img: np.ndarray, expected: np.ndarray, mask: np.ndarray,
                    movable: Sequence[int] = ()) -> np.ndarray:
    """The palette of a scene of coloured objects as this video shows it (the process checker).
    ``expected``: palette entry per pixel of the first frame as drawn, ``mask``: where that is sure
    (not an edge); ``movable``: the objects' entries. Scenery colours: medians where the first frame should
    show them; the rest: a per-channel affine fit from those. A movable object's colour is read
    where it should start only if that reading is nearest to its own predicted colour (a video that
    starts in the wrong state must not teach the checker wrong colours)."""
    nominal = nominal.astype(np.float32)
    out = nominal.copy()
    have = np.zeros(len(nominal), bool)
    flat = img.reshape(-1, 3).astype(np.float32)
    e = np.where(mask, expected, UNKNOWN).ravel()
    seen: dict[int, np.ndarray] = {}
    for k in range(len(nominal)):
        sel = np.flatnonzero(e == k)
        if len(sel) >= 6:
            seen[k] = np.median(flat[sel[::max(1, len(sel) // 1500)]], axis=0)  # a sample is plenty
            if k not in movable:
                out[k] = seen[k]
                have[k] = True
    if have.any():
        out[~have] = channel_fit(nominal, out, have, min_spread=20)[~have]
    out = np.clip(out, 0, 255)
    for k in movable:
        if k in seen and int(np.argmin(np.linalg.norm(out - seen[k], axis=1))) == k:
            out[k] = seen[k]
    return out


def channel_fit(nominal: np.ndarray, observed: np.ndarray, seen: np.ndarray, min_spread: float) -> np.ndarray:
    """Every nominal colour (K×3 float32) through a per-channel gain/offset fitted on the ``seen``
    entries' observed colours; an offset alone where they are one entry or span ``min_spread`` or less
    of a channel (a line through close points is noise). ``seen`` must select at least one entry."""
    out = np.empty(nominal.shape, np.float32)
    for ch in range(3):
        x, y = nominal[seen, ch], observed[seen, ch]
        if seen.sum() >= 2 and np.ptp(x) > min_spread:
            a, b = np.polyfit(x, y, 1)
            out[:, ch] = a * nominal[:, ch] + b
        else:
            out[:, ch] = nominal[:, ch] + np.mean(y - x)
    return out


# --- a per-channel colour map learned on the flat areas of an aligned first frame -----------------
# (the answer-selection puzzles' checkers: their palettes are drawn without anti-aliasing, so every
# flat area shows one nominal colour)

def align_first(ref: np.ndarray, f0: np.ndarray) -> tuple[np.ndarray, "ColourMap", np.ndarray | None]:
    """(f0 warped onto ref, the colour map nominal → observed, the warp or None when it is within half a
    pixel of identity): geometry by ECC (40 iterations, eps 1e-4), colours on flat areas."""
    g_ref = grey(ref)
    warp = ecc_affine(g_ref, grey(f0), 40, 1e-4, 3)
    if warp is None:  # no convergence: judge unaligned (a failed alignment is itself a mismatch)
        warp = np.eye(2, 3, dtype=np.float32)
    aligned = warp_onto(f0, warp, ref.shape[1], ref.shape[0])
    lap = np.abs(cv2.Laplacian(g_ref, cv2.CV_32F))
    flat = cv2.erode((lap < 1).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    r, a = ref[flat].astype(np.float32), aligned[flat].astype(np.float32)
    keep = distinct_colours(r, a)
    h, w = ref.shape[:2]
    moved = corner_motion(warp, w, h)
    return aligned, ColourMap(r[keep], a[keep]), (warp if moved >= 0.5 else None)


def distinct_colours(nominal: np.ndarray, observed: np.ndarray, min_px: int = 12) -> np.ndarray:
    """Mask of the flat pixels the colour map may learn from. A colour shift keeps distinct palette
    colours distinct; a palette colour that shows as another one (an object already gone, so its
    pixels show the panel) is changed content, not colour: learning it would map that colour onto the
    panel and hide the change from the start check. Greedy by area: the larger colour is kept."""
    keep = np.ones(len(nominal), bool)
    if not len(nominal):
        return keep
    cols, inv, counts = unique_rows(nominal)
    kept: list[tuple[np.ndarray, np.ndarray]] = []
    for c in np.argsort(-counts, kind="stable"):
        if counts[c] < min_px:
            continue
        obs = np.median(observed[inv == c], axis=0)
        for n_k, o_k in kept:
            d_nom = float(np.abs(cols[c] - n_k).max())
            if d_nom >= 40 and float(np.abs(obs - o_k).max()) < 0.3 * d_nom:
                keep[inv == c] = False
                break
        else:
            kept.append((cols[c], obs))
    return keep


def unique_rows(colours: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(colours, axis=0, return_inverse=True, return_counts=True)`` (rows sorted the same
    way, inverse flat). Whole 0–255 colours are packed into one integer per row first: the sort of
    structured rows behind ``axis=0`` is ~10× slower than sorting integers."""
    c = np.asarray(colours)
    if c.ndim == 2 and c.shape[1] == 3 and len(c) and c.min() >= 0 and c.max() <= 255 \
            and np.array_equal(c, np.floor(c)):
        key = c.astype(np.int32) @ np.array([1 << 16, 1 << 8, 1], np.int32)  # r, g, b order = row order
        uk, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
        cols = np.stack([uk >> 16, (uk >> 8) & 255, uk & 255], 1).astype(c.dtype)
        return cols, inv.reshape(-1), counts
    cols, inv, counts = np.unique(c, axis=0, return_inverse=True, return_counts=True)
    return cols, inv.reshape(-1), counts


class ColourMap:
    """Per-channel monotone map nominal → observed: medians of the video per nominal level, linear
    in between and beyond (a gain/offset fit alone breaks where a colour shift clips at 255)."""

    def __init__(self, nominal: np.ndarray, observed: np.ndarray):
        self.xs, self.ys = [], []
        for ch in range(3):
            xs, ys = [], []
            for v in np.unique(nominal[:, ch]):
                sel = nominal[:, ch] == v
                if sel.sum() >= 12:
                    xs.append(float(v))
                    ys.append(float(np.median(observed[sel, ch])))
            if not xs:
                xs, ys = [0.0, 255.0], [0.0, 255.0]
            if len(xs) == 1:  # one level: a shift
                xs, ys = [xs[0] - 255, xs[0] + 255], [ys[0] - 255, ys[0] + 255]
            self.xs.append(np.array(xs))
            self.ys.append(np.array(ys))

    def channel(self, ch: int, v: np.ndarray) -> np.ndarray:
        xs, ys = self.xs[ch], self.ys[ch]
        out = np.interp(v, xs, ys)
        # beyond the levels seen: the overall slope (a gain), or a pure shift when the levels are too close
        # together to tell a gain (e.g. only light colours are flat, the thin ink is not)
        span = xs[-1] - xs[0]
        slope = float(np.clip((ys[-1] - ys[0]) / span, 0.5, 1.5)) if span >= 40 else 1.0
        out = np.where(v < xs[0], ys[0] + (v - xs[0]) * slope, out)
        return np.where(v > xs[-1], ys[-1] + (v - xs[-1]) * slope, out)

    def __call__(self, img) -> np.ndarray:
        if isinstance(img, np.ndarray) and img.dtype == np.uint8:  # whole images: one table per channel
            if not hasattr(self, "_lut"):
                self._lut = self(np.arange(256, dtype=np.float32)[:, None].repeat(3, 1))
            return np.stack([self._lut[img[..., ch], ch] for ch in range(3)], -1)
        img = np.asarray(img, np.float32)
        out = np.stack([self.channel(ch, img[..., ch]) for ch in range(3)], -1)
        return np.clip(out, 0, 255).astype(np.float32)
