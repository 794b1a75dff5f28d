"""Reading a textured skin against its own still layout (the trajectory engine's textured path).

A tile-image skin's sprite may share colours with the tiles (a grey-clad character on grey stone, a
steel robot on steel plates, a rock tile that is mostly grass), so the colour table alone misreads
it. The layout does not move: the video's first frame, with the agent's patch filled from a twin cell,
is the still picture every later frame is compared with (``vision.background``). A pixel that still
shows it is the layout; a changed pixel in a colour of the agent's picture, or in one the colour table
cannot tell from the layout there, is the agent; any other change is read by the colour table (a wall
that turned into floor is a layout change). A forbidden cell's tile is also judged by its own look: the
share of it the colour table reads as wall (``worn``), since a floor tile pasted over it may read as
the agent (whose colours, learned on the video, hold the floor's) and so pass for a sprite.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..vision.lut import LUT_BITS, quantise
from .regionmap import AGENT, GOAL, UNKNOWN, WALL, RegionMap

# changed pixels away from the agent, as a fraction of the frame, beyond which the camera has moved off
# the first frame (compression alone leaves well under a tenth of this): read by colour alone then
DRIFTED = 0.005
# a forbidden cell whose wall share (by colour, off the agent) fell under this fraction of its first-frame
# share no longer shows its tile; judged only where the first frame read at least WALL_SHARE of it as wall
WORN, WALL_SHARE = 0.5, 0.2


class StillReading:
    def __init__(self, rm: RegionMap, first: np.ndarray, lut: np.ndarray):
        """``first``: the video's first frame at working size, aligned to the drawn one; ``lut``: its
        colour table."""
        from ..vision.appearance import first_frame_training
        from ..vision.background import StillLayout, class_evidence

        self.rm = rm
        sprite = rm.appearance_labels == AGENT
        bg, self.patch = self._fill(first, rm.start, sprite)
        # the sprite as the video's first frame shows it, and the floor filled in under it: what tells a
        # sprite still standing on its start (a copy left behind) from what the twin cell got wrong
        self._sprite_at_start = sprite
        self._sprite_px = first[sprite].astype(np.int16)
        self._floor_px = bg[sprite].astype(np.int16)
        # a video that starts with the agent elsewhere must show it there (WRONG_START, not unseen): where
        # the colour table sees it (an agent in the tiles' colours it may not: then it shows once it moves)
        q_first = quantise(first)  # quantised once: the agent's first sighting and its silhouette's colours
        seen = lut.take(q_first) == AGENT
        for node, mask in self._largest_blob(seen, sprite, np.count_nonzero(seen & sprite)):
            bg, filled = self._fill(bg, node, mask)
            self.patch |= filled
        self.still = StillLayout(bg)
        # the agent's colours: its labelled pixels, and its silhouette against the twin cell (which also
        # holds the colours it shares with the tiles, that the labels leave to the layout)
        train = first_frame_training(first, rm.reference_image(), rm.appearance_labels)
        q_train = quantise(train)
        silhouette = self.patch & self.still.changed(first)
        self.colours = (class_evidence(q_train, sprite, LUT_BITS)
                        | class_evidence(q_first, silhouette, LUT_BITS))
        self.changed = np.zeros(sprite.shape, bool)
        # the goal cells' pixels and the colours their still picture shows, and the sprite's colours:
        # on the goal the sprite's edge blends with the goal's colours, not with the floor it was learnt
        # on, so a coarse encoder shifts its colours out of those learnt (see _sprite_on_goal)
        self._goal_cells = np.flatnonzero(np.isin(rm.labels, list(rm.goals)))
        self._goal_cell_px = self.still.bg.reshape(-1, 3)[self._goal_cells].astype(np.float32)
        # only its own colours, those the colour table gives the agent: its drawn pixels blend with the floor
        # at the rim, and a floor painted flat over an erased goal is nearer those blends than the textured
        # tiles the cell showed
        own = sprite & (lut.take(q_train) == AGENT)
        self._sprite_rgb = train[own].astype(np.float32)
        self._goal_size = max(int(np.count_nonzero(rm.layout_class == GOAL)), 1)
        # blobs without agent colour are told from the sprite only where the sprite shows its own colours
        # (a grey sprite on grey stone reads as the tiles: there, every changed blob may be it)
        self._sprite_coloured = 2 * np.count_nonzero(seen & sprite) >= np.count_nonzero(sprite)
        # forbidden cells' pixels (walls, traps) and the share of each cell's tile the colour table reads
        # as wall in the still picture (the agent's patch filled): what each one looks like
        self._wall_px = np.flatnonzero(rm.layout_checked & (rm.layout_class == WALL))
        self._wall_ids = rm.layout_ids.ravel()[self._wall_px]
        self._wall_yx = np.divmod(self._wall_px, rm.width)  # fixed: not recomputed every frame
        own = lut.take(quantise(self.still.bg)).ravel()[self._wall_px] == WALL
        self._wall_share = (np.bincount(self._wall_ids[own], minlength=rm.n_layout)
                            / np.maximum(rm.layout_size, 1))

    def _fill(self, img: np.ndarray, node: int, mask: np.ndarray):
        """``img`` with ``node``'s cell and the pixels near ``mask`` in it taken from a twin cell."""
        from ..vision.background import fill_from_twin

        rm = self.rm
        near = cv2.dilate(mask.view(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        return fill_from_twin(img, rm.labels, rm.node_xy, node, near | (rm.labels == node), near, avoid=rm.goals)

    def _largest_blob(self, mask: np.ndarray, sprite: np.ndarray, at_start: int) -> list:
        """[(node, pixels)] of the largest blob of ``mask`` away from the drawn ``sprite`` (on a node other
        than the start), when it is of the agent's size and larger than the ``at_start`` pixels there."""
        rm = self.rm
        mask = mask & ~cv2.dilate(sprite.view(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        n, lab, stats, cents = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
        if n <= 1:
            return []
        k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        area = stats[k, cv2.CC_STAT_AREA]
        if not 0.5 * rm.agent_area <= area <= 2 * rm.agent_area or area <= at_start:
            return []
        x, y = (min(max(int(round(v)), 0), lim - 1) for v, lim in zip(cents[k], (rm.width, rm.height)))
        node = int(rm.snap[y, x]) if rm.labels[y, x] < 0 else int(rm.labels[y, x])
        return [] if node < 0 or node >= rm.n_nodes or node == rm.start else [(node, lab == k)]

    def classify(self, img: np.ndarray, q: np.ndarray, cls: np.ndarray, shaken: bool = False) -> np.ndarray:
        """Class per pixel of a frame (``q`` its quantised colours, ``cls`` what the colour table says;
        ``shaken``: the camera moves, so a pixel that shows the still picture a pixel away is the layout)."""
        expected = self.rm.layout_class
        changed = self.changed = (self.still.changed_nearby if shaken else self.still.changed)(img)
        agent = changed & (self.colours.take(q) | (cls == expected) | (cls == UNKNOWN))
        on_goal = self._sprite_on_goal(img, changed)
        if on_goal is not None:
            agent |= on_goal
        # a lone changed pixel is compression noise, not a piece of the agent (whose outline may be all
        # that changed, where its body is the floor's colour)
        agent &= cv2.boxFilter(agent.view(np.uint8), -1, (3, 3), normalize=False) >= 2
        if self._sprite_coloured:
            agent = self._drop_relaid(agent, cls, expected, on_goal)
        return np.where(agent, AGENT, np.where(changed & (cls != AGENT), cls, expected))

    def worn(self, by_colour: np.ndarray, boxes, shown: np.ndarray) -> np.ndarray:
        """Per layout region: a forbidden cell (a wall, a trap) whose tile no longer looks like itself.
        ``by_colour``: the frame's colour-table reading; ``boxes``: the tracked agent, whose pixels are
        not the tile's; ``shown``: the pixels the camera shows. A legal agent never stands on such a
        cell, so its look changes only when the layout does (a floor tile painted over it reads floor by
        colour, whatever the still reading made of it)."""
        rm = self.rm
        px = self._wall_px
        vis = shown.ravel()[px]
        y, x = self._wall_yx
        for bx, by, bw, bh in boxes:
            vis &= ~((x >= bx - 2) & (x < bx + bw + 2) & (y >= by - 2) & (y < by + bh + 2))
        ids = self._wall_ids
        seen = np.bincount(ids[vis], minlength=rm.n_layout)
        own = np.bincount(ids[vis & (by_colour.ravel()[px] == WALL)], minlength=rm.n_layout)
        return ((seen >= 0.3 * rm.layout_size) & (self._wall_share >= WALL_SHARE)
                & (own < WORN * self._wall_share * seen))

    def _sprite_on_goal(self, img: np.ndarray, changed: np.ndarray) -> np.ndarray | None:
        """The changed pixels of a goal cell whose colour is clearly the sprite's: under half as far (RGB)
        from the nearest of its own first-frame pixels as from any colour the cell's still picture shows (the
        goal and the floor round it); None where none changed. A sprite standing on the goal is coded
        with the goal's colours round it, and a coarse encoder moves its colours out of those learnt on the
        floor: the colour table then reads it as floor, where the goal was, and it passes for the goal being
        erased. A goal erased or moved shows the floor, a colour of the cell itself: never read as this."""
        idx = self._goal_cells
        idx = idx[changed.ravel()[idx]]
        if not len(idx) or not len(self._sprite_rgb):
            return None
        px = img.reshape(-1, 3)[idx].astype(np.float32)
        to_sprite = np.sqrt(((px[:, None] - self._sprite_rgb[None]) ** 2).sum(-1)).min(1)
        to_cell = np.sqrt(((px[:, None] - self._goal_cell_px[None]) ** 2).sum(-1)).min(1)
        out = np.zeros(changed.shape, bool)
        out.ravel()[idx[2 * to_sprite < to_cell]] = True
        return out

    def _drop_relaid(self, agent: np.ndarray, cls: np.ndarray, expected: np.ndarray,
                     sprite_coloured: np.ndarray | None = None) -> np.ndarray:
        """``agent`` less its blobs that are the layout changing, not a sprite: with no pixel the colour
        table gives the agent (nor one ``sprite_coloured`` marks as the sprite's), mostly another layout
        class than was drawn there (floor where a wall was, the goal on a floor cell, floor over a quarter
        of the goal or more) or mostly inside a wall (one fading open: its blends read as wall or as
        nothing), where no agent stands. The agent's colours, learned on the video, may hold the floor's
        (its edge blends into the tiles): colour alone cannot tell these apart. A few goal pixels read as floor are a blurred sprite passing over it (the
        still reading under a shaking camera keeps only the clearest part of a vacated goal)."""
        relaid = agent & (cls != expected) & (cls <= GOAL)
        walled = agent & (expected == WALL)
        if not (relaid.any() or walled.any()):
            return agent
        n, lab = cv2.connectedComponents(agent.view(np.uint8), connectivity=8)
        size = np.bincount(lab.ravel(), minlength=n)
        on_goal = expected == GOAL
        other = np.bincount(lab[relaid & ~on_goal], minlength=n)
        gone = np.bincount(lab[relaid & on_goal], minlength=n)
        other += np.where(4 * gone >= self._goal_size, gone, 0)
        inside = np.bincount(lab[walled], minlength=n)
        own = cls == AGENT if sprite_coloured is None else (cls == AGENT) | sprite_coloured
        sprite = np.bincount(lab[agent & own], minlength=n) > 0
        drop = ((2 * other >= size) | (2 * inside >= size)) & ~sprite
        drop[0] = False
        return agent & ~drop[lab]

    def stray(self, boxes) -> float:
        """The fraction of the last frame's pixels that changed away from the agents (``boxes``): a few
        where compression rings, many where the camera has moved off the first frame."""
        changed = self.changed.copy()
        for x, y, w, h in boxes:
            changed[max(y - 2, 0):y + h + 2, max(x - 2, 0):x + w + 2] = False
        return float(np.count_nonzero(changed)) / changed.size

    def learn_patch(self, img: np.ndarray, agent_box) -> None:
        """Once the tracked agent (``agent_box``, or None unseen) has left the filled patch and the patch
        no longer shows the first frame's sprite, learn the layout there from the video itself. Other
        blobs on the patch do not hold this back: where the twin cell's tiles differ from the real
        floor (textures, a coarse encoder, a drifting camera) the patch reads as a blob of its own from
        the moment the agent leaves, and would never be learnt; a copy of the agent left on its start
        still looks like the sprite, and is kept."""
        if not self.patch.any():
            return
        # with two pixels around it: the twin cell's tiles meet the first frame's there, and the first
        # frame (coded alone, the sprite's colours bled into the floor) differs from later ones near the
        # sprite; under a drifting camera that seam reads as a blob beside the start cell for good
        learn = cv2.dilate(self.patch.view(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        ys, xs = np.nonzero(learn)
        if agent_box is not None:
            x, y, w, h = agent_box
            if x < xs.max() + 3 and xs.min() < x + w + 3 and y < ys.max() + 3 and ys.min() < y + h + 3:
                return
        now = img[self._sprite_at_start].astype(np.int16)
        if np.abs(now - self._sprite_px).sum() <= np.abs(now - self._floor_px).sum():
            return
        self.still.uncover(img, learn)
        self.patch = np.zeros_like(self.patch)
