"""Judging the layout in a frame the trajectory engine has classified: which layout regions no longer
show the class drawn there (pixels under and around the agents aside), and whether the goal is gone.

Only the part of the layout the camera still shows is judged (``use_view``, after each re-alignment).
"""

from __future__ import annotations

import cv2
import numpy as np

from .regionmap import GOAL, RegionMap


class LayoutJudge:
    def __init__(self, rm: RegionMap, match_threshold: float):
        self.rm = rm
        self.match_threshold = match_threshold
        self._mis = np.zeros((rm.height, rm.width), bool)
        self.use_view(None)

    def use_view(self, inside: np.ndarray | None) -> None:
        """Layout pixels to judge: all checked ones, less those the camera no longer shows."""
        rm = self.rm
        if inside is None or inside.all():
            self.checked, self._size, self._total = rm.layout_checked, rm.layout_size, rm.layout_total
        else:
            self.checked = rm.layout_checked & inside
            self._size = np.bincount(rm.layout_ids[self.checked], minlength=rm.n_layout)
            self._total = int(self.checked.sum())
        gp = rm.goal_pixels if inside is None else rm.goal_pixels[inside.ravel()[rm.goal_pixels]]
        self._goal_px, self._goal_y, self._goal_x = gp, gp // rm.width, gp % rm.width
        self._goal_box = ((int(self._goal_x.min()), int(self._goal_y.min()), int(self._goal_x.max()),
                           int(self._goal_y.max())) if len(gp) else (0, 0, -1, -1))

    def wrong_regions(self, cls: np.ndarray, boxes):
        """Per layout region, is its class wrong in this frame (agents' pixels aside)?"""
        rm = self.rm
        mis = self._mis
        np.not_equal(cls, rm.layout_expected, out=mis)
        mis &= self.checked
        hidden = []
        for x, y, w, h in boxes:  # pixels under and around an agent are not the layout's to judge
            x0, y0, x1, y1 = max(x - 2, 0), max(y - 2, 0), x + w + 2, y + h + 2
            mis[y0:y1, x0:x1] = False
            hidden.append((x0, y0, x1, y1))
        cover = None
        total = self._total
        if hidden:  # the union of the boxes (they overlap): each hidden pixel leaves the total once
            # drawn over the boxes' bounding rectangle only (a few sprites, not the frame)
            bx0, by0 = min(h[0] for h in hidden), min(h[1] for h in hidden)
            bx1, by1 = min(max(h[2] for h in hidden), rm.width), min(max(h[3] for h in hidden), rm.height)
            cover = np.zeros((max(by1 - by0, 0), max(bx1 - bx0, 0)), bool)
            for x0, y0, x1, y1 in hidden:
                cover[y0 - by0:y1 - by0, x0 - bx0:x1 - bx0] = True
            cover &= self.checked[by0:by1, bx0:bx1]
            total -= int(np.count_nonzero(cover))
        wrong = cv2.countNonZero(mis.view(np.uint8))
        mf = 1.0 - wrong / max(total, 1) if total > 0 else 1.0  # wrong ⊆ judged pixels: mf in [0, 1]
        if wrong == 0:
            return None, mf
        per = np.bincount(rm.layout_flat[np.flatnonzero(mis)], minlength=rm.n_layout + 1)[:rm.n_layout]
        # a region can only be bad with more than (1 − threshold) · 0.3 of its pixels wrong
        if not (per > (1.0 - self.match_threshold) * 0.3 * rm.layout_size).any():
            return None, mf
        seen = self._size
        if cover is not None:
            ids = rm.layout_ids[by0:by1, bx0:bx1][cover]
            seen = seen - np.bincount(ids, minlength=rm.n_layout)
        considered = (seen >= 0.3 * rm.layout_size) & (rm.layout_size >= 4)
        bad = considered & (per > (1.0 - self.match_threshold) * np.maximum(seen, 1))
        return (bad if bad.any() else None), mf

    def goal_gone(self, cls: np.ndarray, boxes) -> bool:
        """Is the goal, where it is not hidden by an agent, mostly not showing goal colour?"""
        gp = self._goal_px
        if len(gp) < 3:
            return False
        gx0, gy0, gx1, gy1 = self._goal_box
        # only boxes that reach the goal's bounding box can hide any of it (most frames: none)
        near = [(x, y, w, h) for x, y, w, h in boxes
                if x - 2 <= gx1 and x + w + 2 > gx0 and y - 2 <= gy1 and y + h + 2 > gy0]
        if not near:
            return int(np.count_nonzero(cls.ravel().take(gp) == GOAL)) < 0.35 * len(gp)
        vis = np.ones(len(gp), bool)
        for x, y, w, h in near:
            vis &= ~((self._goal_x >= x - 2) & (self._goal_x < x + w + 2) & (self._goal_y >= y - 2)
                     & (self._goal_y < y + h + 2))
        n = int(vis.sum())
        if n < 0.3 * len(gp):
            return False
        return int(np.count_nonzero(cls.ravel()[gp[vis]] == GOAL)) < 0.35 * n
