"""Build the checker's RegionMap for a lattice maze (block or thin walls) from an item's state."""

from __future__ import annotations

import numpy as np

from ...checkers.regionmap import AGENT, RegionMap, grid_node_names
from ...schema import TaskItem
from ...vision.appearance import training_labels
from .grid_layout import Geometry, adjacency, bfs, paste_sprite, walls_from_grid
from .skins import WALL

# Working pixels per cell / sprite / wall: the checker classifies every working pixel of every frame,
# so this sets its speed. A sprite of 5 px survives blur and compression; a small agent or thin
# walls raise the scale for their items only.
MIN_CELL_PX = 8
MIN_AGENT_PX = 5
MIN_WALL_PX = 3


def _axis_blocks(n_cells: int, cell: int, wall: int, length: int) -> np.ndarray:
    """Block index along one axis for every canvas pixel: even = wall strip, odd = cell."""
    x = np.arange(length)
    q = x - wall
    k = np.floor_divide(q, cell + wall)
    rem = q - k * (cell + wall)
    b = np.where(q < 0, 0, np.where(rem < cell, 2 * k + 1, 2 * k + 2))
    return np.clip(b, 0, 2 * n_cells)


def palette_index(img: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Exact palette entry of each pixel of a frame genbench drew (-1 for anything else)."""
    out = np.full(img.shape[:2], -1, np.int16)
    for k, col in enumerate(palette):
        out[(img == col).all(-1)] = k
    return out


def block_labels(geom: Geometry, h: np.ndarray, v: np.ndarray, xs: np.ndarray, ys: np.ndarray):
    """(BX, BY, labels, edges) at the working pixels sampling canvas columns ``xs`` and rows ``ys``, for
    the open passages ``h`` (right of a cell) and ``v`` (below it) of ``walls_from_grid``:
    BX / BY the block index of each (odd = cell, even = wall strip), labels = node id r·C + c on a cell,
    R·C + passage index on an open passage, -1 on wall; edges = the open passages' node pairs, rightward
    passages first (row-major), then downward ones."""
    R, C = geom.rows, geom.cols
    bx = _axis_blocks(C, geom.cell, geom.wall, geom.width)[xs]
    by = _axis_blocks(R, geom.cell, geom.wall, geom.height)[ys]
    BX, BY = np.meshgrid(bx, by)
    labels = np.full((len(ys), len(xs)), -1, np.int32)
    node = (BX % 2 == 1) & (BY % 2 == 1)
    labels[node] = ((BY[node] - 1) // 2) * C + (BX[node] - 1) // 2
    edges = []
    for r, c in zip(*np.nonzero(h)):  # passage right of (r, c)
        sel = (BY == 2 * r + 1) & (BX == 2 * c + 2)
        labels[sel] = R * C + len(edges)
        edges.append((r * C + c, r * C + c + 1))
    for r, c in zip(*np.nonzero(v)):  # passage below (r, c)
        sel = (BY == 2 * r + 2) & (BX == 2 * c + 1)
        labels[sel] = R * C + len(edges)
        edges.append((r * C + c, (r + 1) * C + c))
    return BX, BY, labels, edges


def grid_region_map(item: TaskItem, skin, base: np.ndarray) -> RegionMap:
    """``skin`` and ``base`` (the layout drawn without the agent): the family's scene of ``item``."""
    s = item.state
    geom = Geometry.from_json(s["geometry"])
    R, C = geom.rows, geom.cols
    agent_px = geom.cell * min(1.0, skin.agent_scale)
    scale = min(1.0, max(MIN_CELL_PX / geom.cell, MIN_AGENT_PX / agent_px, MIN_WALL_PX / geom.wall))
    W, H = max(8, int(round(geom.width * scale))), max(8, int(round(geom.height * scale)))
    # canvas pixel sampled by each working pixel (its centre)
    xs = np.minimum(((np.arange(W) + 0.5) * geom.width / W).astype(int), geom.width - 1)
    ys = np.minimum(((np.arange(H) + 0.5) * geom.height / H).astype(int), geom.height - 1)
    h, v = walls_from_grid(np.array(s["grid"], np.uint8))
    BX, BY, labels, edges = block_labels(geom, h, v, xs, ys)

    palette, pclass = skin.palette()
    sample = np.ix_(ys, xs)  # sample first: the same labels, at the working size's cost
    first = item.first_frame
    if skin.texture:  # tiles and shaded sprites: the flat drawing says which pixel shows what
        first = base.copy()
        paste_sprite(first, geom, skin.agent_shape, skin.agent_scale, skin.agent, *geom.centre(*s["start"]))
    first_idx = palette_index(first[sample], palette)
    base_idx = palette_index(base[sample], palette)
    layout_class = np.where(base_idx >= 0, pclass[np.maximum(base_idx, 0)], WALL).astype(np.uint8)

    # Layout regions: one per block and expected class, shrunk by a pixel so resampling blur at
    # region borders never counts as a change.
    block = BY * (2 * C + 1) + BX
    key = block * 4 + layout_class
    same = np.ones_like(key, bool)
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        same &= np.roll(key, (dy, dx), axis=(0, 1)) == key
    same[0, :] = same[-1, :] = same[:, 0] = same[:, -1] = False
    _, layout_ids = np.unique(key, return_inverse=True)
    layout_ids = np.where(same, layout_ids.reshape(key.shape), -1).astype(np.int64)
    # palette calibration uses interior pixels only
    palette_map = np.where(same, first_idx, -1)

    adj = adjacency(h, v)
    goal = s["goal"][0] * C + s["goal"][1]
    start = s["start"][0] * C + s["start"][1]
    lattice = {(r * C + c, r * C + c + 1) for r in range(R) for c in range(C - 1)}
    lattice |= {(r * C + c, (r + 1) * C + c) for r in range(R - 1) for c in range(C)}
    node_xy = np.array([[(geom.centre(r, c)[0]) * W / geom.width, geom.centre(r, c)[1] * H / geom.height]
                        for r in range(R) for c in range(C)], np.float64)
    return RegionMap(
        width=W, height=H, labels=labels, layout_ids=layout_ids, layout_class=layout_class,
        palette=palette, palette_class=pclass, palette_map=palette_map, node_xy=node_xy,
        edges=np.array(edges, np.int64).reshape(-1, 2), lattice_pairs=lattice, start=start, goals={goal},
        dist_to_goal=bfs(adj, goal),
        solutions=[[p[0] * C + p[1] for p in sol] for sol in s["solutions"]],
        cell_px=geom.cell * W / geom.width,
        step_px=geom.pitch * W / geom.width,
        agent_area=float(((first_idx >= 0) & (pclass[np.maximum(first_idx, 0)] == AGENT)).sum()),
        reference=np.ascontiguousarray(item.first_frame[sample]),  # sampled as the checker samples
        node_names=grid_node_names(R, C),
        appearance_labels=training_labels(first_idx, pclass, same) if skin.texture else None,
    )
