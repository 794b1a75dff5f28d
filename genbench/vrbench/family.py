"""The judging half of a task family for items read from VR-Bench files: appearance models learnt
from the first frame's own tiles (VR-Bench's skins are tile images and sprite pictures), then our
process checkers."""

from __future__ import annotations

import numpy as np

from ..tasks.base import ItemCache, TaskFamily
from .reader import TEXTURED_CELL_PX

_RM = ItemCache(32)  # region maps / scenes of recent items, by content hash


def _cached(item, build):
    return _RM.get(item.content_hash, lambda: build(item))


def _first_classes(item, sokoban: bool = False):
    """Class per pixel of an imported item's first frame (VR-Bench's skins are tile images and sprite
    pictures: read from the state's cells and the frame itself, no palette), and a class-mean palette."""
    from ..vision.lut import quantise as _quantise
    from ..tasks.maze.skins import AGENT, GOAL
    from ..vision.appearance import cell_class_map

    s = item.state
    img = item.first_frame
    sprites = {GOAL: [tuple(g) for g in s["targets"]], AGENT: [tuple(s["start"])]}
    if sokoban:
        from ..checkers.sokoban import BOX

        sprites[BOX] = [tuple(b) for b in s["boxes"]]
    cls = cell_class_map(img, np.array(s["grid"]), s["cell_w"], s["cell_h"], sprites, _quantise)
    pal = np.array([np.median(img[cls == k], axis=0) if (cls == k).any() else (0, 0, 0) for k in range(5)],
                   np.uint8)
    return cls.astype(np.int16), pal, np.arange(5, dtype=np.int64)


def _region_map(item):
    """A RegionMap over VR-Bench's uniform cells: every non-wall cell a node, walls / traps forbidden, read
    with an appearance model learned on the first frame."""
    from ..tasks.maze.skins import AGENT, FLOOR
    from ..tasks.maze.canvas_regionmap import canvas_region_map
    from ..tasks.maze.trapfield import cell_adjacency

    s = item.state
    img = item.first_frame
    H, W = img.shape[:2]
    R, C, cw, ch = s["rows"], s["cols"], s["cell_w"], s["cell_h"]
    cls, pal, pcl = _first_classes(item)
    yy, xx = np.mgrid[0:H, 0:W]
    r, c = np.minimum((yy / ch).astype(int), R - 1), np.minimum((xx / cw).astype(int), C - 1)
    cell = r * C + c
    free = np.array(s["grid"]) == 0
    gy, gx = (s["goal"][0] + 0.5) * ch, (s["goal"][1] + 0.5) * cw
    a = s["agent_px"] / 2 + 2
    foot = (np.abs(yy - gy) <= a) & (np.abs(xx - gx) <= a)
    adj = cell_adjacency(free)
    edges = sorted({(min(p, q), max(p, q)) for p in range(R * C) for q in adj[p]})
    lattice = {(k, k + 1) for k in range(R * C) if k % C < C - 1} | {(k, k + C) for k in range(R * C - C)}
    return canvas_region_map(
        node_of=np.where(free.ravel()[cell], cell, -1), block_of=cell, base_class=np.where(cls == AGENT, FLOOR, cls),
        first_index=cls, palette=pal, palette_class=pcl,
        node_xy=np.array([((k % C + 0.5) * cw, (k // C + 0.5) * ch) for k in range(R * C)]),
        edges=edges, lattice=lattice, start=s["start"][0] * C + s["start"][1],
        goals={s["goal"][0] * C + s["goal"][1]},
        solutions=[[p[0] * C + p[1] for p in sol] for sol in s["solutions"]],
        cell_px=cw, step_px=cw, agent_px=s["agent_px"], calib_ignore=foot, first=img, textured=True,
        min_cell_px=TEXTURED_CELL_PX)


def _soko_scene(item):
    from ..checkers.sokoban import BOX, SokobanScene, expected_first
    from ..tasks.maze.skins import AGENT
    from ..tasks.maze.canvas_regionmap import working_scale
    from ..vision.appearance import training_labels

    s = item.state
    img = item.first_frame
    Hc, Wc = img.shape[:2]
    R, C, cw, ch = s["rows"], s["cols"], s["cell_w"], s["cell_h"]
    sc = working_scale(cw, s["agent_px"])
    W, H = max(8, int(round(Wc * sc))), max(8, int(round(Hc * sc)))
    xs = np.minimum(((np.arange(W) + 0.5) * Wc / W).astype(int), Wc - 1)
    ys = np.minimum(((np.arange(H) + 0.5) * Hc / H).astype(int), Hc - 1)
    cx, cy = np.meshgrid(xs, ys)
    cell_of = np.minimum((cy / ch).astype(int), R - 1) * C + np.minimum((cx / cw).astype(int), C - 1)
    fx, fy = (cx / cw) % 1.0, (cy / ch) % 1.0
    full, pal, pcl = _first_classes(item, sokoban=True)
    idx = full[np.ix_(ys, xs)]
    same = np.ones_like(idx, bool)
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        same &= np.roll(idx, (dy, dx), axis=(0, 1)) == idx
    return SokobanScene(W, H, R, C, np.array(s["grid"], bool), cell_of,
                        (fx > 0.15) & (fx < 0.85) & (fy > 0.15) & (fy < 0.85), W / C, H / R, pal, pcl,
                        np.where(same, idx, -1), float(max((idx == AGENT).sum(), 1)),
                        float(max((idx == BOX).sum(), 1)) / max(len(s["boxes"]), 1), tuple(s["start"]),
                        frozenset(map(tuple, s["boxes"])), frozenset(map(tuple, s["targets"])),
                        int(s["min_pushes"]), [tuple(p) for p in s["solution"]],
                        training_labels(idx, pcl, same), expected_first(img, W, H))


class ImportedFamily(TaskFamily):
    """The judging half of a task family for items read from VR-Bench files. A TaskFamily, so that whatever
    a family gains (``checker_for``, ``frames_as_planes``, …) has its default here too; its items are
    imported, never generated. Judged from RGB frames (``frames_as_planes`` False), image-to-video only
    (``check_t2v``: NOT_JUDGED)."""

    default_fps = 24.0
    # 2: trajectory games read against their still layout; 3: one pace rule (events.first_leap) for every
    # game: Sokoban's player leaps, pathfinder's pace is its cruising speed, not its average; 4: a wall or
    # trap tile is judged by its own look (a floor tile pasted over it had passed for the agent); Sokoban
    # watches its target markers (a moved target is LAYOUT_CHANGED); pathfinder leaves the road's
    # anti-aliased rim out of the layout test, and a leap after frames unseen is one; 5: the trajectory games
    # learn the start patch only from a frame that lines up unshaken, and read the sprite on the goal by its colours
    checker_version = "5"

    def __init__(self, game: str):
        self.game = game
        self.name = f"vrbench.{game}"
        self.checker_name = {"sokoban": "sokoban", "maze3d": "none"}.get(game, "trajectory")

    def generate(self, index, difficulty="easy", seed=0, skin=None, config=None):
        raise NotImplementedError(f"{self.name}: VR-Bench levels are imported from its files "
                                  "(genbench import vrbench), not generated")

    def working_size(self, item):
        if self.game == "maze3d":
            return item.canvas_size
        if self.game == "sokoban":
            sc = _cached(item, _soko_scene)
            return sc.width, sc.height
        rm = self._region_map(item)
        return rm.width, rm.height

    def _region_map(self, item):
        if self.game == "pathfinder":
            from .pathfinder import road_region_map

            return _cached(item, road_region_map)
        return _cached(item, _region_map)

    def check(self, item, frames, fit, fps):
        if self.game == "maze3d":
            from ..schema import Verdict
            from .maze3d import NOT_JUDGED_WHY

            return Verdict.error(self.checker_name, NOT_JUDGED_WHY, self.checker_version, failure="NOT_JUDGED")
        if self.game == "sokoban":
            from ..checkers.sokoban import SokobanChecker

            return SokobanChecker(_cached(item, _soko_scene), self.checker_version).check(frames, fit, fps)
        from ..checkers.relabel import relabel_forbidden
        from ..checkers.trajectory import TrajectoryChecker
        from .pathfinder import RoadChecker

        # pathfinder's player and goal icons may share colours: its checker reads them by place
        checker = RoadChecker if self.game == "pathfinder" else TrajectoryChecker
        v = checker(self._region_map(item), version=self.checker_version).check(frames, fit, fps)
        if self.game == "trapfield":
            grid = np.array(item.state["grid"])
            R, C = grid.shape
            v = relabel_forbidden(v, "TRAP", lambda x, y: bool(grid[min(int(y * R), R - 1), min(int(x * C), C - 1)]))
        if self.game == "pathfinder":
            from .pathfinder import road_rules

            v = road_rules(v, self._region_map(item), item.state)
        return v
