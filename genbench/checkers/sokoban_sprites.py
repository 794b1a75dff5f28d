"""Where the Sokoban checker's player and boxes are in a frame: by colour class, or by picture.

A flat sprite (one colour, as our flat skins and VR-Bench's first skin draw them) is read from the frame's
colour classes: the player's biggest blob, box-coloured pixels per cell. A sprite that is a picture (VR-Bench's
worker, crates, wizard; our shaded sprites) is found as a whole picture instead (``vision.sprites``: masked
correlation against its own first-frame patch): its colours may be shared with another sprite or the tiles
(VR-Bench's worker carries a crate coloured like the boxes, a purple crate stands among purple rune walls, a
worker over the golden goal tile loses half its colours to the tile), and blur, compression and a moving
camera mix a small shaded sprite's colours into its neighbours', while its shape and shading survive.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..vision.sprites import Template, cut_template, peak, peaks
from .regionmap import AGENT

BOX = 4  # the palette class of boxes, next to the trajectory checker's FLOOR, WALL, GOAL, AGENT

# a sprite whose own pixels' grey levels spread less than this (std) is one flat colour: no picture to match
FLAT = 8.0
# a sprite's picture correlates ≥ 0.95 where it is drawn on VR-Bench's skins, and at most ~0.65 on the tiles
# that resemble it most (brick walls against a crate): MATCH finds a sprite anywhere. A sprite already
# followed is kept at TRACK near where it was last seen (within NEAR cells): heavy compression and a
# shaking camera bring a 12-px sprite's correlation down to ~0.5 while it moves (CRF 40, letterboxed)
MATCH, TRACK, NEAR = 0.75, 0.4, 0.75


class SpriteReader:
    """Reads (player, player mask, box mask, box occupancy per cell) from frames at working size."""

    def __init__(self, sc, first: np.ndarray):
        self.sc = sc
        lab = sc.appearance_labels
        self.player_pic = self.box_pic = None
        self._last_player, self._last_boxes = None, []  # where the pictures were last seen (row, col)
        if lab is None:  # a flat palette: colours are exact by construction
            return
        if self._is_picture(lab == AGENT):
            self.player_pic = cut_template(first, sc.reference, lab == AGENT, self._cell_rect(sc.start))
        if sc.boxes and self._is_picture(lab == BOX):
            self.box_pic = cut_template(first, sc.reference, lab == BOX, self._cell_rect(min(sc.boxes)))

    def _is_picture(self, own: np.ndarray) -> bool:
        grey = self.sc.reference.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
        return int(own.sum()) >= 6 and float(grey[own].std()) >= FLAT

    def _cell_rect(self, rc) -> tuple[int, int, int, int]:
        sc = self.sc
        r, c = rc
        return (int(round(c * sc.cell_w)), int(round(r * sc.cell_h)),
                int(round((c + 1) * sc.cell_w)), int(round((r + 1) * sc.cell_h)))

    def _to_cell(self, t: Template, x: float, y: float, rc) -> tuple[float, float]:
        """A template's top-left (working px) → the sprite's (row, col), fractional (``rc``: the whole cell
        its origin is in)."""
        return rc[0] + (y - t.origin[1]) / self.sc.cell_h, rc[1] + (x - t.origin[0]) / self.sc.cell_w

    def _rects(self, t: Template, tops) -> np.ndarray:
        m = np.zeros((self.sc.height, self.sc.width), bool)
        w, h = t.size
        for x, y in tops:
            x0, y0 = int(round(x)), int(round(y))
            m[max(y0, 0):y0 + h, max(x0, 0):x0 + w] = True
        return m

    def read(self, img: np.ndarray, cls: np.ndarray):
        p, amask = self._player_by_picture(img) if self.player_pic is not None else self._player_by_colour(cls)
        if self.box_pic is not None:
            bmask, occ = self._boxes_by_picture(img, p)
        else:
            sc = self.sc
            bmask = cls == BOX
            occ = (np.bincount(sc.cell_of[bmask], minlength=sc.rows * sc.cols)[:sc.rows * sc.cols]
                   / sc.box_area).reshape(sc.rows, sc.cols)
        return p, amask, bmask, occ

    def _player_by_colour(self, cls: np.ndarray):
        """The centre of the biggest player-coloured blob, (row, col) fractional, or None when it is small."""
        mask = (cls == AGENT).astype(np.uint8)
        n, _, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
        if n <= 1:
            return None, mask.astype(bool)
        k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        if stats[k, cv2.CC_STAT_AREA] < 0.25 * self.sc.agent_area:
            return None, mask.astype(bool)
        x, y = cents[k]
        return (float(y) / self.sc.cell_h - 0.5, float(x) / self.sc.cell_w - 0.5), mask.astype(bool)

    def _player_by_picture(self, img: np.ndarray):
        """The player's picture's best match if it reaches MATCH, else its best match near its last
        sighting if that reaches TRACK, else None."""
        t = self.player_pic
        s = t.scores(img)
        x, y, v = peak(s)
        if v < MATCH:
            x = y = None
            if self._last_player is not None:
                x, y, v = self._near_peak(s, t, self._last_player, self.sc.start)
            if x is None or v < TRACK:
                return None, np.zeros((self.sc.height, self.sc.width), bool)
        self._last_player = self._to_cell(t, x, y, self.sc.start)
        return self._last_player, self._rects(t, [(x, y)])

    def _near_peak(self, s: np.ndarray, t: Template, rc, origin_cell):
        """The best position (x, y, value) of score map ``s`` within NEAR cells of (row, col) ``rc``."""
        sc = self.sc
        y0 = (rc[0] - origin_cell[0]) * sc.cell_h + t.origin[1]
        x0 = (rc[1] - origin_cell[1]) * sc.cell_w + t.origin[0]
        ya, yb = max(int(y0 - NEAR * sc.cell_h), 0), max(int(y0 + NEAR * sc.cell_h) + 1, 0)
        xa, xb = max(int(x0 - NEAR * sc.cell_w), 0), max(int(x0 + NEAR * sc.cell_w) + 1, 0)
        if ya >= s.shape[0] or xa >= s.shape[1]:
            return None, None, -1.0
        x, y, v = peak(s[ya:yb, xa:xb])
        return x + xa, y + ya, v

    def _boxes_by_picture(self, img: np.ndarray, player):
        """Boxes at the box picture's separate peaks, none where the player stands (its picture may hold a
        crate), each spread over the cells it overlaps as a share of one box."""
        sc, t = self.sc, self.box_pic
        first_box = min(sc.boxes)
        s = t.scores(img)
        if player is not None:
            py = (player[0] - first_box[0]) * sc.cell_h + t.origin[1]  # the player's cell as this template's top-left
            px = (player[1] - first_box[1]) * sc.cell_w + t.origin[0]
            s[max(int(py - 0.6 * sc.cell_h), 0):max(int(py + 0.6 * sc.cell_h) + 1, 0),
              max(int(px - 0.6 * sc.cell_w), 0):max(int(px + 0.6 * sc.cell_w) + 1, 0)] = -1.0
        found = []
        for rc in self._last_boxes:  # boxes followed: their best match nearby at TRACK
            x, y, v = self._near_peak(s, t, rc, first_box)
            if x is not None and v >= TRACK:
                found.append((x, y))
                s[max(int(y - 0.7 * sc.cell_h), 0):int(y + 0.7 * sc.cell_h) + 1,
                  max(int(x - 0.7 * sc.cell_w), 0):int(x + 0.7 * sc.cell_w) + 1] = -1.0
        found += [(x, y) for x, y, _ in peaks(s, MATCH, (0.7 * sc.cell_w, 0.7 * sc.cell_h), len(sc.boxes) + 2)]
        occ = np.zeros((sc.rows, sc.cols))
        self._last_boxes = []
        for x, y in found:
            r, c = self._to_cell(t, x, y, first_box)
            self._last_boxes.append((r, c))
            r0, c0 = int(np.floor(r)), int(np.floor(c))
            for rr in (r0, r0 + 1):
                for cc in (c0, c0 + 1):
                    if 0 <= rr < sc.rows and 0 <= cc < sc.cols:
                        occ[rr, cc] += max(0.0, 1 - abs(r - rr)) * max(0.0, 1 - abs(c - cc))
        return self._rects(t, found), occ
