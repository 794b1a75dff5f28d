"""Sokoban's target markers watched through the video: a target never moves.

The frame's colour classes (the flat palette, or the appearance model learned on a textured first frame)
say which pixels show a target. A target cell is judged on its pixels that nothing covers (the player and
the boxes, and a rim round them, are left out: a box standing on a target, drawn over it whole or with the
target showing round it, hides only what it covers), and compared with what the same pixels showed on the
first frame: a target whose uncovered pixels mostly stopped reading as target is gone. A floor cell whose
uncovered pixels read as much target as half a target shows has gained one. Counts, not a per-pixel
match: a camera that drifts a few pixels moves a thin marker (a cross) off its own first-frame pixels but
keeps it in its cell. Either, held for longer than a sprite takes to pass, is LAYOUT_CHANGED.
"""

from __future__ import annotations

import numpy as np

from .regionmap import GOAL

GONE = 0.4  # a target is gone below this share of the target pixels its uncovered part showed at first
JUDGED = 0.25  # ... judged when at least this share of its first-frame target pixels is uncovered
APPEARED = 0.5  # a floor cell gained a target at this share of a target's first-frame pixels
MIN_PX = 4  # working pixels: fewer is not enough to judge a cell on


class TargetWatch:
    def __init__(self, sc, interior: np.ndarray):
        """``sc``: the SokobanScene; ``interior``: the working pixels away from cell borders."""
        n = sc.rows * sc.cols
        self.n, self.cols = n, sc.cols
        self.cell_of = sc.cell_of
        self.interior = interior
        self.targets = np.array(sorted(r * sc.cols + c for r, c in sc.targets), np.int64)
        floor = ~sc.walls.ravel()
        floor[self.targets] = False
        self.floor = floor
        self.in_target = np.isin(self.cell_of, self.targets)  # fixed per clip: computed once, not per frame
        self.interior_n = self._counts(interior)
        self.ref = None  # first-frame pixels that read as target, in target cells
        self.ref_n = np.zeros(n)
        self.base = np.zeros(n)  # target pixels a floor cell showed at first (a textured floor may hold a few)
        self.gone_run = np.zeros(n, np.int32)
        self.new_run = np.zeros(n, np.int32)

    def _counts(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.cell_of[mask], minlength=self.n)[:self.n].astype(np.float64)

    def look(self, cls: np.ndarray, near: np.ndarray, persist: int) -> list[str]:
        """One frame's classes (``near``: pixels under or next to a sprite): what changed for longer than
        ``persist`` frames, as messages (none: the targets stand)."""
        valid = self.interior & ~near
        goal = (cls == GOAL) & valid
        seen = self._counts(goal)
        if self.ref is None:  # the first frame
            self.ref = goal & self.in_target
            self.ref_n = self._counts(self.ref)
            self.base = np.where(self.floor, seen, 0.0)
        else:
            # a target covered on the first frame (an imported level may start with a box or the player
            # on one) is learned when first seen uncovered: a target taken away while covered is not caught
            late = self.targets[(self.ref_n[self.targets] < MIN_PX)
                                & (self._counts(valid)[self.targets] >= 0.8 * self.interior_n[self.targets])]
            if len(late):
                add = goal & np.isin(self.cell_of, late)
                self.ref |= add
                self.ref_n += self._counts(add)
        expected = self._counts(self.ref & valid)
        t = self.targets
        judged = (expected[t] >= MIN_PX) & (expected[t] >= JUDGED * self.ref_n[t])
        gone = judged & (seen[t] < GONE * expected[t])
        # judged and there: the run ends; not judged (covered): the run holds
        self.gone_run[t] = np.where(gone, self.gone_run[t] + 1, np.where(judged, 0, self.gone_run[t]))
        known = self.ref_n[t][self.ref_n[t] >= MIN_PX]
        size = float(np.median(known)) if len(known) else float(self.interior_n[t].mean()) / 4
        new = self.floor & (seen - self.base >= max(MIN_PX, APPEARED * size))
        self.new_run = np.where(new, self.new_run + 1, 0)
        cells = lambda run: [divmod(int(k), self.cols) for k in np.flatnonzero(run > persist)[:6]]  # noqa: E731
        out = []
        if (self.gone_run > persist).any():
            out.append(f"the target at {cells(self.gone_run)} vanished")
        if (self.new_run > persist).any():
            out.append(f"a target appeared at {cells(self.new_run)}")
        return out
