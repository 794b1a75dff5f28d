"""A graph maze's region map: the canvas label image sampled at the working size into the trajectory
checker's RegionMap."""

from __future__ import annotations

import cv2
import numpy as np

from ...schema import TaskItem
from ..base import TaskFamily  # a GraphMaze (not imported: graphmaze imports this module)
from .graph_draw import sprite_px
from .graph_layout import adjacency_of
from .grid_layout import bfs
from .regions import palette_index
from .skins import AGENT, WALL

MIN_CELL_PX = 12  # working pixels per cell (same targets as the grid maze)
MIN_AGENT_PX = 7
MIN_WALL_PX = 6  # thin walls keep a 2-px core after the 2-px erosion below
MIN_REGION_PX = 10  # smallest layout region the checker watches

def build_region_map(fam: TaskFamily, item: TaskItem):
    """Sample the canvas label image at the working size into the trajectory checker's RegionMap."""
    from ...checkers.regionmap import RegionMap

    s = item.state
    lat = s["lattice"]
    sk, lab, wid, base = fam._scene(s)
    Wc, Hc, cell = lat["width"], lat["height"], float(lat["cell_px"])
    wall_px = float(lat["draw"].get("wall_px", lat["draw"].get("road_px", cell)))
    agent_px = sprite_px(cell, sk.agent_scale)
    scale = min(1.0, max(MIN_CELL_PX / cell, MIN_AGENT_PX / agent_px, MIN_WALL_PX / wall_px))
    W, H = max(8, int(round(Wc * scale))), max(8, int(round(Hc * scale)))
    xs = np.minimum(((np.arange(W) + 0.5) * Wc / W).astype(int), Wc - 1)
    ys = np.minimum(((np.arange(H) + 0.5) * Hc / H).astype(int), Hc - 1)
    labels = lab[np.ix_(ys, xs)]
    walls = wid[np.ix_(ys, xs)]
    palette, pclass = sk.palette()
    first_idx = palette_index(item.first_frame, palette)[np.ix_(ys, xs)]
    base_idx = palette_index(base, palette)[np.ix_(ys, xs)]
    layout_class = np.where(base_idx >= 0, pclass[np.maximum(base_idx, 0)], WALL).astype(np.uint8)
    # layout regions: one per node / passage / wall piece and expected class, shrunk by a pixel so
    # resampling blur at region borders never counts as a change
    region = np.where(labels >= 0, labels, -2 - walls).astype(np.int64)
    key = (region - region.min()) * 4 + layout_class
    same = np.ones_like(key, bool)
    # two pixels from any border: a model's small zoom or drift, aligned to within a pixel, must not
    # put one region's border pixels into its neighbour's core
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0), (0, 2), (0, -2), (2, 0), (-2, 0), (1, 1), (1, -1), (-1, 1), (-1, -1)):
        same &= np.roll(key, (dy, dx), axis=(0, 1)) == key
    same[:2, :] = same[-2:, :] = same[:, :2] = same[:, -2:] = False
    _, inv = np.unique(key, return_inverse=True)
    inv = inv.reshape(key.shape)
    size = np.bincount(inv[same], minlength=inv.max() + 1)
    # regions of a few pixels (slivers between pillars) flip under heavy compression: not checked
    layout_ids = np.where(same & (size[inv] >= MIN_REGION_PX), inv, -1).astype(np.int64)
    palette_map = np.where(same, first_idx, -1)

    n = len(lat["node_xy"])
    pairs = [tuple(p) for p in lat["pairs"]]
    is_open = np.array(s["open"], bool)
    edges = np.array([p for p, o in zip(pairs, is_open) if o], np.int64).reshape(-1, 2)
    adj = adjacency_of(n, pairs, is_open)
    k = W / Wc
    xy = np.asarray(lat["node_xy"], np.float64)
    node_xy = xy * [W / Wc, H / Hc]
    p = np.asarray(pairs)
    step = float(np.min(np.hypot(*(node_xy[p[:, 0]] - node_xy[p[:, 1]]).T)))
    extra = {}
    if "reference" in getattr(RegionMap, "__dataclass_fields__", {}):  # alignment target, when supported
        extra["reference"] = cv2.resize(item.first_frame, (W, H), interpolation=cv2.INTER_AREA)
    return RegionMap(
        **extra,
        width=W, height=H, labels=labels.astype(np.int32), layout_ids=layout_ids, layout_class=layout_class,
        palette=palette, palette_class=pclass, palette_map=palette_map, node_xy=node_xy, edges=edges,
        lattice_pairs=set(pairs), start=s["start"], goals={s["goal"]}, dist_to_goal=bfs(adj, s["goal"]),
        solutions=[list(x) for x in s["solutions"]], cell_px=cell * k, step_px=step,
        agent_area=float(((first_idx >= 0) & (pclass[np.maximum(first_idx, 0)] == AGENT)).sum()),
        # where a person finds a node on the picture (these lattices have no rows and columns)
        node_names=[f"the cell {x / Wc:.0%} across and {y / Hc:.0%} down" for x, y in xy],
    )
