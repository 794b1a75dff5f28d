"""Calibrating a nominal palette on the video's own first frame (colour shifts, compression, a wrong
first frame), so the quantised lookup table (``vision.lut``) reads the colours the video shows."""

from __future__ import annotations

from typing import Sequence

import numpy as np

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
