"""The trajectory checker's RegionMap for a family whose layout is a set of node cells drawn on a canvas
(maze.trapfield, maze.multilevel, imported VR-Bench items), built from canvas-sized per-pixel maps:
which node, which layout block and which class each pixel shows; and the judging such a family
shares (``CanvasJudged``: the map built once per item, the working size, the engine's verdict).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from ...schema import Fit, TaskItem, Verdict
from ...vision.appearance import training_labels
from ..base import ItemCache
from .skins import AGENT

MIN_CELL_PX = 12  # working pixels per cell (as maze.grid)
MIN_AGENT_PX = 7
_RM_CACHE = ItemCache(32)  # region maps by item hash: candidates of one item share one


class CanvasJudged:
    """Mixed into a TaskFamily whose ``build_region_map(item)`` returns a ``canvas_region_map``."""

    def region_map(self, item: TaskItem):
        return _RM_CACHE.get(item.content_hash, lambda: self.build_region_map(item))

    def working_size(self, item: TaskItem) -> tuple[int, int]:
        rm = self.region_map(item)
        return rm.width, rm.height

    def trajectory_verdict(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        """The trajectory engine's verdict, before the family names its own failures."""
        from ...checkers.trajectory import TrajectoryChecker

        return TrajectoryChecker(self.region_map(item), version=self.checker_version).check(frames, fit, fps)


def working_scale(cell_px: float, agent_px: float, min_cell_px: float = MIN_CELL_PX) -> float:
    return min(1.0, max(min_cell_px / cell_px, MIN_AGENT_PX / max(agent_px, 1.0)))


def canvas_region_map(*, node_of: np.ndarray, block_of: np.ndarray, base_class: np.ndarray,
                      first_index: np.ndarray, palette: np.ndarray, palette_class: np.ndarray,
                      node_xy: np.ndarray, edges: list, lattice: set, start: int, goals: set,
                      solutions: list, cell_px: float, step_px: float, agent_px: float,
                      ignore: np.ndarray | None = None, calib_ignore: np.ndarray | None = None,
                      first: np.ndarray | None = None, textured: bool = False,
                      min_cell_px: float = MIN_CELL_PX):
    """Build the trajectory checker's RegionMap at a small working size.

    Canvas-sized inputs: ``node_of`` (node id per pixel, -1 forbidden: wall, trap, background),
    ``block_of`` (a layout block id per pixel: a cell, a wall block, the border), ``base_class``
    (semantic class the layout shows with no agent), ``first_index`` (palette entry each pixel of
    the first frame shows, -1 unknown); ``ignore`` marks pixels left out of the layout test and
    ``calib_ignore`` pixels left out of palette calibration (e.g. where an agent standing on the goal
    would hide it: a video that starts there must not teach the checker that the goal is agent-coloured).
    ``textured``: the skin is tile images and shaded sprites, read by an appearance model learned on
    the first frame (``first_index`` then comes from the flat drawing of it). ``min_cell_px``: the
    working size gives every cell at least this many pixels.
    """
    from ...checkers.regionmap import RegionMap

    Hc, Wc = node_of.shape
    s = working_scale(cell_px, agent_px, min_cell_px)
    W, H = max(8, int(round(Wc * s))), max(8, int(round(Hc * s)))
    xs = np.minimum(((np.arange(W) + 0.5) * Wc / W).astype(int), Wc - 1)
    ys = np.minimum(((np.arange(H) + 0.5) * Hc / H).astype(int), Hc - 1)
    ix = np.ix_(ys, xs)
    labels = node_of[ix].astype(np.int32)
    layout_class = base_class[ix].astype(np.uint8)
    key = block_of[ix].astype(np.int64) * 8 + layout_class
    # one layout region per block and class, shrunk by a pixel so resampling blur never counts
    same = np.ones_like(key, bool)
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        same &= np.roll(key, (dy, dx), axis=(0, 1)) == key
    same[0, :] = same[-1, :] = same[:, 0] = same[:, -1] = False
    if ignore is not None:
        same &= ~ignore[ix]
    _, inv = np.unique(key, return_inverse=True)
    layout_ids = np.where(same, inv.reshape(key.shape), -1).astype(np.int64)
    # slivers (the floor ring round a goal sprite) flip under a 1 px camera drift: not judged
    sizes = np.bincount(layout_ids[layout_ids >= 0], minlength=1)
    min_px = max(8.0, 0.1 * (cell_px * s) ** 2)
    layout_ids = np.where((layout_ids >= 0) & (sizes[np.maximum(layout_ids, 0)] >= min_px), layout_ids, -1)
    first_idx = first_index[ix]
    palette_map = np.where(same, first_idx, -1)
    if calib_ignore is not None:
        palette_map = np.where(calib_ignore[ix], -1, palette_map)
    n = len(node_xy)
    adj: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        adj[a].append(b)
        adj[b].append(a)
    # distance to the nearest goal: BFS from every goal at once
    dist = [-1] * n
    frontier = sorted(goals)
    for g in frontier:
        dist[g] = 0
    while frontier:
        nxt = []
        for a in frontier:
            for b in adj[a]:
                if dist[b] < 0:
                    dist[b] = dist[a] + 1
                    nxt.append(b)
        frontier = nxt
    sx, sy = W / Wc, H / Hc
    agent_area = float(((first_idx >= 0) & (palette_class[np.maximum(first_idx, 0)] == AGENT)).sum())
    extra = {}
    if first is not None and "reference" in getattr(RegionMap, "__dataclass_fields__", {}):
        import cv2  # the expected first frame, for the checker's global alignment (if it has one)

        extra["reference"] = cv2.resize(first, (W, H), interpolation=cv2.INTER_AREA)
    return RegionMap(**extra,
        width=W, height=H, labels=labels, layout_ids=layout_ids, layout_class=layout_class,
        palette=np.asarray(palette, np.uint8), palette_class=np.asarray(palette_class, np.int64),
        palette_map=palette_map,
        node_xy=np.asarray(node_xy, np.float64) * (sx, sy),
        edges=np.array(edges, np.int64).reshape(-1, 2), lattice_pairs=lattice, start=start, goals=set(goals),
        dist_to_goal=dist, solutions=solutions, cell_px=cell_px * sx, step_px=step_px * sx,
        agent_area=max(agent_area, 1.0),
        appearance_labels=training_labels(first_idx, palette_class, same) if textured else None)
