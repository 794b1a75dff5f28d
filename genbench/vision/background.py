"""The still layout of a video, learned from its own first frame: what moved is the sprite.

A tile-image skin's sprite may share its colours with the walls or the floor (a grey-clad character on
grey stone, a steel robot on steel plates, a rock tile that is mostly grass): no colour table tells
them apart. The layout, though, does not move. A pixel that still shows what the first frame showed
there (within a pixel of camera jitter and a compression tolerance) shows the layout; a pixel that
changed and has a colour the sprite's own first-frame picture shows is the sprite; any other change
is read by the colour model (a wall that turned into floor is still a layout change).

Behind the sprite at its start the first frame shows the sprite itself, so that patch is taken from a
free cell of the same layout (tile images repeat), and from the video once the sprite has left it.
"""

from __future__ import annotations

import numpy as np


def class_evidence(quantised: np.ndarray, mask: np.ndarray, bits: int, reach: int = 1) -> np.ndarray:
    """Per colour of the (2**bits)³ cube: does the picture under ``mask`` show it, within ``reach`` bins
    (compression moves a colour by a bin or so)? Every pixel counts: a small sprite's rarer shades are
    still its own."""
    from scipy import ndimage

    side = 1 << bits
    seen = np.zeros(side ** 3, bool)
    seen[np.asarray(quantised)[np.asarray(mask, bool)].ravel()] = True
    if reach > 0:
        seen = ndimage.binary_dilation(seen.reshape(side, side, side), np.ones((3, 3, 3), bool),
                                       iterations=reach).ravel()
    return seen


def fill_from_twin(first: np.ndarray, labels: np.ndarray, node_xy: np.ndarray, node: int, hole: np.ndarray,
                   sprite: np.ndarray, avoid=()) -> tuple[np.ndarray, np.ndarray]:
    """``first`` with the pixels of ``hole`` (inside ``node``'s region of ``labels``) copied from the
    same place in the other node that looks most like it where ``sprite`` does not cover it (a
    checkered floor has two tiles); and the filled mask (empty when no other node has room for it)."""
    out = first.copy()
    region = hole & (labels == node)
    ys, xs = np.nonzero(region)
    if not len(ys):
        return out, region
    ring_y, ring_x = np.nonzero(region & ~sprite)
    H, W = labels.shape
    best, best_t = None, None
    for n in range(len(node_xy)):
        if n == node or n in avoid:
            continue
        dx, dy = (int(round(v)) for v in node_xy[n] - node_xy[node])
        ty, tx = ys + dy, xs + dx
        if ty.min() < 0 or tx.min() < 0 or ty.max() >= H or tx.max() >= W or (labels[ty, tx] != n).any():
            continue
        score = (np.abs(first[ring_y, ring_x].astype(np.int16) - first[ring_y + dy, ring_x + dx]).mean()
                 if len(ring_y) else 0.0)
        if best is None or score < best:
            best, best_t = score, (dy, dx)
    if best_t is None:
        return out, np.zeros_like(region)
    out[ys, xs] = first[ys + best_t[0], xs + best_t[1]]
    return out, region


class StillLayout:
    """Which pixels of a frame (mapped to working size) changed from the layout's still picture."""

    def __init__(self, background: np.ndarray, tol: int = 24):
        self.tol = tol
        self._set(background)

    def _set(self, bg: np.ndarray) -> None:
        # half a pixel of camera jitter: the range the picture takes shifted by ±½ px either way (a whole
        # pixel would let a fine texture's dark and light span every colour a small sprite has)
        b = bg.astype(np.int16)
        half = [(b + np.roll(b, s, axis=a)) // 2 for a in (0, 1) for s in (1, -1)]
        self.lo = np.minimum.reduce([b] + half) - self.tol
        self.hi = np.maximum.reduce([b] + half) + self.tol
        self.bg = bg

    def changed(self, img: np.ndarray) -> np.ndarray:
        x = img.astype(np.int16)
        return ((x < self.lo) | (x > self.hi)).any(-1)

    def changed_nearby(self, img: np.ndarray) -> np.ndarray:
        """Pixels that show no blend of the still picture with a neighbour (all three channels with
        one mix): the picture moved by up to a pixel either way, for a camera that shakes between
        re-alignments. Stricter than widening the range per channel, which would let a fine
        texture's dark and light span a small sprite's colours."""
        x = img.astype(np.float32)
        b = self.bg.astype(np.float32)
        H, W = x.shape[:2]
        pad = np.pad(b, ((1, 1), (1, 1), (0, 0)), mode="edge")
        same = (np.abs(x - b) <= self.tol).all(-1)
        for dy in range(3):
            for dx in range(3):
                if dy == dx == 1:
                    continue
                d = pad[dy:dy + H, dx:dx + W] - b  # from this pixel's colour to its neighbour's
                t = np.clip(((x - b) * d).sum(-1) / np.maximum((d * d).sum(-1), 1.0), 0.0, 1.0)
                same |= (np.abs(x - b - t[..., None] * d) <= self.tol).all(-1)
        return ~same

    def uncover(self, img: np.ndarray, where: np.ndarray) -> None:
        """Learn the still picture at ``where`` from a frame that shows it (the sprite has left)."""
        bg = self.bg.copy()
        bg[where] = img[where]
        self._set(bg)
