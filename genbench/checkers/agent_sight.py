"""Finding the agent in a frame the trajectory engine has classified: where its sprite is, whether a
second agent shows, and the boxes of agent-coloured blobs (which the layout test leaves out).

Kept per video, from its first frame: the sprite's area as the video shows it at rest (what "faint"
is measured against) and the goal's edge that the video renders agent-like (a confuser, not a second
agent).
"""

from __future__ import annotations

import cv2
import numpy as np

from .regionmap import AGENT, RegionMap

REMNANT = 0.6  # a blob under this fraction of the sprite's area is a remnant or echo of it, not the sprite


class AgentSight:
    def __init__(self, rm: RegionMap):
        self.rm = rm
        # agent pixels within this box are one sprite (motion blur included); wider: look closer
        self._compact = 1.6 * rm.agent_extent + 3
        self._min_side = max(2, int(0.4 * rm.agent_extent))
        self._side = int(np.ceil(rm.agent_extent))
        self._open_kernel = np.ones((2, 2), np.uint8)
        self._near_goal = rm.near_goal
        self._confuser = None
        self._ref_area = rm.agent_area

    def start(self, cls: np.ndarray) -> tuple:
        """Learn from a video's first classified frame; returns the box of the agent there (or none)."""
        rm = self.rm
        self._confuser = None
        first = self.observe(cls, None)
        self._learn_confuser(cls, first[3])
        # the sprite's area as this video shows it at rest: heavy compression can halve a small
        # sprite everywhere, and "faint" must mean fainter than that, not than the drawing
        self._ref_area = min(rm.agent_area, first[1]) if first[0] is not None else rm.agent_area
        return first[3][:1]

    def observe(self, cls: np.ndarray, last_xy):
        """Agent in a classified frame: (centroid or None, area, duplicate?, boxes of agent blobs)."""
        rm = self.rm
        mask = (cls == AGENT).view(np.uint8)
        x, y, w, h = cv2.boundingRect(mask)
        if w == 0:
            return None, 0.0, False, ()
        if max(w, h) <= self._compact:  # one compact blob: its centroid is the agent
            m = cv2.moments(mask[y:y + h, x:x + w], True)
            area = m["m00"]
            if area < 0.25 * rm.agent_area:
                return None, float(area), False, ()
            return (x + m["m10"] / area, y + m["m01"] / area), float(area), False, (self.sprite_box(x, y, w, h),)
        n, lab, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
        w_, h_ = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
        stringy = (np.maximum(w_, h_) > self._compact) & (stats[1:, cv2.CC_STAT_AREA] < 0.3 * w_ * h_)
        if stringy.any():
            # wide and sparse: one-pixel lines along wall edges, where a blurred floor-wall boundary takes
            # the colour of a pale agent. Keep only what is two pixels thick (a sprite touching them).
            lines = np.isin(lab, 1 + np.flatnonzero(stringy))
            core = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self._open_kernel).astype(bool)
            mask = (mask.astype(bool) & (~lines | core)).view(np.uint8)
            n, lab, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
            if n <= 1:
                return None, 0.0, False, ()
        areas = stats[1:, cv2.CC_STAT_AREA]
        # sprite-like blobs only: a 1-px line along an edge is a colour fringe, not an agent, and so is
        # a band under half the sprite's width and three times longer than wide (a wall edge that a
        # drifting camera and a coarse encoder moved off the still picture); a sprite blurs wider, not thinner
        thin = np.minimum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
        long = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
        band = (2 * thin < self._side) & (long >= 3 * thin)
        big = np.flatnonzero((areas >= 0.25 * rm.agent_area) & (thin >= self._min_side) & ~band)
        if len(big) == 0:
            return None, float(areas.max()), False, ()
        if last_xy is not None:  # follow the agent we had, not whichever copy is largest
            dist = np.hypot(*(cents[1 + big] - last_xy).T)
            j = big[np.argmin(dist)]
            near = big[dist <= 1.5 * rm.step_px]
            if areas[j] < REMNANT * rm.agent_area and len(near) > 1:
                # a shrunken blob where the sprite was: a low-quality encoder leaves such a remnant
                # while the sprite moves on; within a step and a half, take the one of sprite size
                j = near[np.argmin(np.abs(areas[near] - rm.agent_area))]
            if areas[j] < 0.5 * areas[big].max():
                j = big[np.argmax(areas[big])]
        else:
            j = big[np.argmax(areas[big])]
        main = cents[1 + j]
        dup = any(areas[k] >= 0.5 * rm.agent_area and np.hypot(*(cents[1 + k] - main)) > 1.5 * rm.cell_px
                  and not self._confuser_blob(lab, stats[1 + k], 1 + k) for k in big if k != j)
        sw, sh = stats[1 + j, 2:4]
        if areas[j] > 2.5 * rm.agent_area and not dup and max(sw, sh) > 2.5 * rm.cell_px:
            dup = True  # a blob far bigger than the sprite and spread: two agents merged, or a smear
        # every agent-sized blob, the tracked one first
        boxes = tuple(self.sprite_box(*(int(v) for v in stats[1 + k, :4])) for k in [j] + [k for k in big if k != j])
        return (float(main[0]), float(main[1])), float(areas[j]), dup, boxes

    def sight(self, cls: np.ndarray, last_xy, since: int):
        """The agent's centre in a classified frame (None: not seen), whether a second agent shows, and
        the boxes of agent blobs."""
        xy, area, dup, boxes = self.observe(cls, last_xy)
        if (xy is not None and last_xy is not None and area < REMNANT * self._ref_area
                and np.hypot(xy[0] - last_xy[0], xy[1] - last_xy[1]) >= 0.9 * self.rm.step_px * since):
            # a remnant (or an encoder's echo of where the sprite goes next) a step away is no
            # sighting; after frames unseen the agent may be that far on, and a faint blob there is it
            xy = None
        goal = self._goal_near(last_xy) if xy is None else None
        if goal is not None:
            # last seen on or beside the goal and now lost in it (a small sprite over a goal of its size
            # blends into it under a coarse encoder): it covers the goal, which is not the layout changing
            s = self._side
            gx, gy = self.rm.node_xy[goal]
            boxes = boxes + (self.sprite_box(int(gx - s / 2), int(gy - s / 2), s, s),)
        return xy, dup, boxes

    def sprite_box(self, x: int, y: int, w: int, h: int) -> tuple[int, int, int, int]:
        """A blob's box grown to at least the sprite's drawn size around its centre: a blurred or
        ghosted sprite shows only its core in agent colour, and its fringe mixed with what lies under
        it (a pale agent over the goal reads as floor) is still the sprite, not the layout."""
        side = self._side
        if w >= side and h >= side:
            return x, y, w, h
        cx, cy = x + w / 2, y + h / 2
        w2, h2 = max(w, side), max(h, side)
        x0, y0 = max(int(cx - w2 / 2), 0), max(int(cy - h2 / 2), 0)
        return x0, y0, int(np.ceil(cx + w2 / 2)) - x0, int(np.ceil(cy + h2 / 2)) - y0

    def _confuser_blob(self, lab: np.ndarray, st, k: int) -> bool:
        """Is this blob the goal's edge that the video renders agent-like from the first frame on
        (a goal colour close to the agent's, blurred by compression)? Not a second agent."""
        if self._confuser is None:
            return False
        x, y, w, h = (int(v) for v in st[:4])
        blob = lab[y:y + h, x:x + w] == k
        return np.count_nonzero(blob & self._confuser[y:y + h, x:x + w]) >= 0.5 * np.count_nonzero(blob)

    def _learn_confuser(self, cls: np.ndarray, boxes) -> None:
        """Agent-coloured pixels of the first frame next to the goal, away from the agent."""
        conf = (cls == AGENT) & self._near_goal
        for x, y, w, h in boxes[:1]:
            conf[max(y - 2, 0):y + h + 2, max(x - 2, 0):x + w + 2] = False
        self._confuser = conf if conf.any() else None

    def _goal_near(self, xy) -> int | None:
        """A goal node whose centre is within one move of ``xy`` (None: none, or no ``xy``)."""
        if xy is None:
            return None
        rm = self.rm
        return next((g for g in rm.goals if np.hypot(*(rm.node_xy[g] - xy)) <= rm.step_px), None)
