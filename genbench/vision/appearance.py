"""Appearance models learned from a video's own first frame, for skins that are not flat palettes.

A textured skin (tile images for floor and walls, shaded multi-colour sprites) has no single colour
per class, so a nearest-palette table cannot read it. What it does have: a first frame whose pixels'
classes are known (the layout says which pixels are floor, wall, goal, trap; the start cell says
where the agent and boxes are). ``learn_lut`` turns those labelled pixels into a colour histogram
per class over the checker's quantised colour cube, smooths it a little (compression and noise move
colours by a bin or two) and assigns every colour the class that explains it best; colours never
seen near any class map to the nearest colour seen (within reach) or to UNKNOWN. Sprites are then
found by appearance: the pixels whose colours their own first-frame picture owns.
"""

from __future__ import annotations

import numpy as np

UNKNOWN = 255


def learn_lut(quantised: np.ndarray, labels: np.ndarray, bits: int = 5, n_classes: int | None = None,
              smooth: float = 1.0, reach: float = 12.0, prior_power: float = 0.5,
              fill_classes=None, min_evidence: float = 0.002) -> np.ndarray:
    """A colour → class table learned from labelled pixels.

    ``quantised``: per-pixel index into the (2**bits)³ colour cube (the checker's own quantisation);
    ``labels``: class per pixel (negative: not used). A colour's class maximises
    p(colour | class) · p(class)^prior_power: the flattened prior keeps a small class (the agent, a few
    dozen pixels) from being swallowed by the floor in bins it owns, while a bin the floor fills stays
    floor. ``reach``: how far (in bins) an unseen colour may be from a seen one and still get its class;
    ``fill_classes``: the classes an unseen colour may get (default all). Passing the layout classes
    makes a sprite need positive evidence: a colour its first-frame picture never showed (a dark
    border pixel a zoom brings in, a compression blend) is never read as the agent, nor is a colour
    where its smoothed histogram holds under ``min_evidence`` of its pixels (the far tail).
    """
    from scipy import ndimage

    side = 1 << bits
    q = np.asarray(quantised).ravel().astype(np.int64)
    lab = np.asarray(labels).ravel().astype(np.int64)
    use = lab >= 0
    if not use.any():
        raise ValueError("no labelled pixels to learn an appearance model from")
    k = int(n_classes if n_classes is not None else lab[use].max() + 1)
    counts = np.zeros((k, side ** 3), np.float32)
    for c in range(k):
        sel = q[use & (lab == c)]
        if len(sel):
            counts[c] = np.bincount(sel, minlength=side ** 3)
    totals = counts.sum(1)
    cube = counts.reshape(k, side, side, side)
    if smooth > 0:
        cube = ndimage.gaussian_filter(cube, sigma=(0, smooth, smooth, smooth), mode="nearest", truncate=2.5)
    present = totals > 0
    score = np.zeros_like(cube)
    score[present] = cube[present] / totals[present, None, None, None] * (
        totals[present, None, None, None] / totals.sum()) ** prior_power
    if fill_classes is not None:  # the other classes (moving sprites) only where they have evidence
        for c in range(k):
            if c not in set(fill_classes):
                score[c][cube[c] < min_evidence * totals[c]] = 0
    best = score.argmax(0)
    seen = score.max(0) > 1e-6 * score.max()
    lut = np.full(best.shape, UNKNOWN, np.uint8)
    lut[seen] = best[seen]
    donors = seen if fill_classes is None else seen & np.isin(best, list(fill_classes))
    if (~seen).any() and donors.any():  # unseen colours: the class of the nearest donor colour, within reach
        dist, (ia, ib, ic) = ndimage.distance_transform_edt(~donors, return_indices=True)
        near = ~seen & (dist <= reach)
        lut[near] = best[ia[near], ib[near], ic[near]]
    return lut.ravel()


def learn_first_frame(img: np.ndarray, reference: np.ndarray, labels: np.ndarray, quantise, bits: int = 5,
                      layout_classes=(0, 1), moving_classes=(3, 4), max_dist: float = 45.0) -> np.ndarray:
    """``learn_lut`` on a video's first frame (working size, aligned to ``reference``, the expected first
    frame), robust to a wrong first frame (see ``first_frame_training``). ``moving_classes`` (agent,
    box) are read only in colours their pictures showed."""
    train = first_frame_training(img, reference, labels, layout_classes, max_dist)
    still = [int(c) for c in np.unique(labels[labels >= 0]) if c not in moving_classes]
    return learn_lut(quantise(train), labels, bits, fill_classes=still)


def first_frame_training(img: np.ndarray, reference: np.ndarray, labels: np.ndarray, layout_classes=(0, 1),
                         max_dist: float = 45.0) -> np.ndarray:
    """The first frame to learn classes from: a sprite class whose labelled pixels do not show what was
    drawn there (a video that starts with the agent on the goal, or without it) learns from the drawing
    instead, brought into the video's colours by a per-channel gain/offset fitted on the layout."""
    img = np.asarray(img)
    lay = np.isin(labels, layout_classes)
    predicted = in_video_colours(img, reference, lay)
    import cv2

    train = img.copy()
    soft = cv2.GaussianBlur(predicted, (5, 5), 0)  # a resized or compressed video blurs small sprites
    for c in np.unique(labels[(labels >= 0) & ~lay]):
        at = labels == c
        got = img[at].astype(np.float32)
        d = np.minimum(np.linalg.norm(got - predicted[at], axis=1), np.linalg.norm(got - soft[at], axis=1))
        if np.median(d) > max_dist:
            train[at] = predicted[at]
    return train


def in_video_colours(img: np.ndarray, reference: np.ndarray, layout: np.ndarray) -> np.ndarray:
    """The drawn first frame (``reference``) in the video's colours: a per-channel gain/offset fitted
    by least squares on the ``layout`` pixels (a colour / contrast shift)."""
    ref = np.asarray(reference).astype(np.float32)
    predicted = ref.copy()
    if layout.sum() >= 16:
        x, y = ref[layout], np.asarray(img)[layout].astype(np.float32)
        for ch in range(3):
            if np.ptp(x[:, ch]) > 10:
                a, b = np.polyfit(x[:, ch], y[:, ch], 1)
            else:
                a, b = 1.0, float(np.mean(y[:, ch] - x[:, ch]))
            predicted[..., ch] = a * ref[..., ch] + b
    return np.clip(np.round(predicted), 0, 255).astype(np.uint8)


def training_labels(first_index: np.ndarray, palette_class: np.ndarray, interior: np.ndarray,
                    layout_classes=(0, 1)) -> np.ndarray:
    """Class per working pixel of the (flat-drawn) first frame to learn from, -1 where not used:
    layout pixels (``layout_classes``: floor, wall) only away from region borders (``interior``), where
    resampling cannot mix two tiles; sprite pixels (goal, agent, box, marks) all, being small."""
    idx = np.asarray(first_index)
    cls = np.where(idx >= 0, np.asarray(palette_class)[np.maximum(idx, 0)], -1)
    return np.where(np.isin(cls, layout_classes) & ~np.asarray(interior, bool), -1, cls)


def cell_class_map(img: np.ndarray, grid: np.ndarray, cw: float, ch: float, sprites: dict, quantise,
                   bits: int = 5, floor_class: int = 0, wall_class: int = 1) -> np.ndarray:
    """Class per pixel of a first frame drawn on uniform cells (VR-Bench's images) from what its state
    says: cells with ``grid`` 1 are walls (or traps), others floor; in each cell of ``sprites``
    ({class: [(row, col), …]}) the pixels whose colours the floor tiles never show, or that differ from
    the floor cell most like this one (tile images repeat), are that sprite (the rest of the cell is
    floor seen round it: a sprite may share colours with the floor). No palette is assumed."""
    from scipy import ndimage

    H, W = img.shape[:2]
    R, C = grid.shape
    rr = np.minimum((np.arange(H) / ch).astype(int), R - 1)
    cc = np.minimum((np.arange(W) / cw).astype(int), C - 1)
    walls = np.asarray(grid)[np.ix_(rr, cc)] == 1
    out = np.where(walls, wall_class, floor_class).astype(np.uint8)
    q = quantise(img)
    special = {tuple(map(int, rc)) for cells in sprites.values() for rc in cells}

    def box(r, c, frac):
        m = (1 - frac) / 2
        return (slice(int(round((r + m) * ch)), int(round((r + 1 - m) * ch))),
                slice(int(round((c + m) * cw)), int(round((c + 1 - m) * cw))))

    plain = [(int(r), int(c)) for r, c in np.argwhere(grid != 1) if (int(r), int(c)) not in special]
    floor_q = [q[box(r, c, 0.8)].ravel() for r, c in plain]
    side = 1 << bits
    hist = np.bincount(np.concatenate(floor_q), minlength=side ** 3).astype(np.float32) if floor_q else \
        np.zeros(side ** 3, np.float32)
    hist = ndimage.gaussian_filter(hist.reshape(side, side, side), 0.7, mode="nearest", truncate=2.0).ravel()
    floorish = hist > 0.02  # a colour the floor tiles show (a pixel or two's worth, smoothed)
    for cls, cells in sprites.items():
        for r, c in cells:
            ys, xs = box(int(r), int(c), 0.95)
            sub = ~floorish[q[ys, xs]] | _unlike_twin(img, ys, xs, [box(*t, 0.95) for t in plain])
            out[ys, xs] = np.where(sub, cls, out[ys, xs])
    return out


def _unlike_twin(img: np.ndarray, ys: slice, xs: slice, twins: list, tol: int = 40) -> np.ndarray:
    """Pixels of the box (ys, xs) that differ by more than ``tol`` (any channel) from the same place in
    the most alike of the same-sized ``twins`` boxes; all False when there is none."""
    here = img[ys, xs].astype(np.int16)
    best = None
    for ty, tx in twins:
        there = img[ty, tx]
        if there.shape != here.shape:
            continue
        d = np.abs(here - there).max(-1)
        if best is None or d.mean() < best.mean():
            best = d
    return np.zeros(here.shape[:2], bool) if best is None else best > tol
