"""Sprites found by their own pictures: masked normalised cross-correlation against a first-frame patch.

A textured skin's sprites are pictures (a worker holding a crate, a crate, a wizard) whose colours may
be shared with each other or with the tiles round them (the worker's crate and the boxes, a purple
crate on purple rune walls), so no per-pixel colour class separates them. Their shape and shading do:
each sprite is matched as a whole picture, only on its own pixels (the mask: what the floor tiles
never show), with a correlation that ignores gain and offset (a model's colour drift), at every
position of the frame. Nothing here knows a task: checkers cut the patches and read the peaks.
"""

from __future__ import annotations

import cv2
import numpy as np


class Template:
    """A sprite picture (working px) and the mask of its own pixels; ``origin``: where its top-left
    stood in the expected first frame (x, y)."""

    def __init__(self, patch: np.ndarray, mask: np.ndarray, origin: tuple[int, int]):
        self.patch = np.ascontiguousarray(patch, np.float32)
        self.mask = np.ascontiguousarray(mask, np.uint8)
        self.origin = origin

    @property
    def size(self) -> tuple[int, int]:
        return self.patch.shape[1], self.patch.shape[0]

    def scores(self, img: np.ndarray, colour_tol: float = 60.0) -> np.ndarray:
        """Correlation (-1 … 1) of the template's top-left at every valid position of ``img``; -1 where the
        masked pixels' mean colour is over ``colour_tol`` (RGB distance) from the sprite's. The correlation
        ignores each channel's gain and offset, so a sprite of the same shape and shading in another colour
        (a green target square against a blue crate) would match as well as the sprite itself."""
        img = np.ascontiguousarray(img, np.float32)
        res = cv2.matchTemplate(img, self.patch, cv2.TM_CCOEFF_NORMED, mask=self.mask)
        res = np.nan_to_num(res, nan=-1.0, posinf=-1.0, neginf=-1.0)
        m = self.mask.astype(np.float32)
        own = self.mask.astype(bool)
        d2 = np.zeros_like(res)
        for ch in range(img.shape[2]):
            mean = cv2.matchTemplate(np.ascontiguousarray(img[..., ch]), m, cv2.TM_CCORR) / m.sum()
            d2 += (mean - float(self.patch[..., ch][own].mean())) ** 2
        res[d2 > colour_tol ** 2] = -1.0
        return res


def cut_template(first: np.ndarray, reference: np.ndarray, own: np.ndarray, rect: tuple[int, int, int, int],
                 agree: float = 0.6) -> Template:
    """The picture of a sprite at ``rect`` (x0, y0, x1, y1, working px) with ``own`` its pixels (bool, frame
    sized): taken from the video's first frame (its own colours and blur) when that frame shows there what
    the expected one does, else from the expected first frame (a video that starts wrong must not teach
    the checker a wrong sprite). Few own pixels: the whole patch is the mask."""
    x0, y0, x1, y1 = rect
    mask = own[y0:y1, x0:x1].astype(np.uint8)
    if mask.sum() < 6:
        mask = np.ones_like(mask)
    got, want = first[y0:y1, x0:x1], reference[y0:y1, x0:x1]
    t = Template(want, mask, (x0, y0))
    return Template(got, mask, (x0, y0)) if float(t.scores(got).max()) >= agree else t


def peak(score: np.ndarray) -> tuple[float, float, float]:
    """(x, y, value) of the best position, refined to a fraction of a pixel by a parabola per axis."""
    y, x = np.unravel_index(int(np.argmax(score)), score.shape)
    v = float(score[y, x])

    def refine(a, b, c):
        d = a - 2 * b + c
        return 0.0 if d >= 0 else float(np.clip(0.5 * (a - c) / d, -0.5, 0.5))

    fx = refine(score[y, x - 1], v, score[y, x + 1]) if 0 < x < score.shape[1] - 1 else 0.0
    fy = refine(score[y - 1, x], v, score[y + 1, x]) if 0 < y < score.shape[0] - 1 else 0.0
    return x + fx, y + fy, v


def peaks(score: np.ndarray, threshold: float, spacing: tuple[float, float], limit: int) -> list:
    """Up to ``limit`` separate peaks (x, y, value) at or above ``threshold``, strongest first; a peak
    hides the positions within ``spacing`` (x, y px) of it (the same sprite seen half a pixel off)."""
    s = score.copy()
    out = []
    sx, sy = spacing
    while len(out) < limit:
        x, y, v = peak(s)
        if v < threshold:
            break
        out.append((x, y, v))
        xi, yi = int(round(x)), int(round(y))
        s[max(yi - int(sy), 0):yi + int(sy) + 1, max(xi - int(sx), 0):xi + int(sx) + 1] = -1.0
    return out
