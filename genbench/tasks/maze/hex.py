"""maze.hex: perfect (or, at higher levels, loopy) mazes on a hexagon of hexagonal cells.

Cells are pointy-top hexagons in axial coordinates (q, r) with |q|, |r|, |q + r| ≤ n; each cell has up
to six neighbours. Drawn with thin walls on the shared sides and a pillar at every corner.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..base import register_task
from ..config import knob
from .graph_layout import Lattice, Level
from .graphmaze import GraphMaze

CANVAS = 416
WALL_RATIO = 0.2  # wall thickness / distance between cell centres
_DIRS = ((1, 0), (0, 1), (-1, 1), (-1, 0), (0, -1), (1, -1))


@lru_cache(maxsize=16)
def hex_lattice(n: int, canvas: int = CANVAS) -> Lattice:
    cells = [(q, r) for r in range(-n, n + 1) for q in range(-n, n + 1) if abs(q + r) <= n]
    index = {c: i for i, c in enumerate(cells)}
    margin = 8
    size = (canvas - 2 * margin) / (np.sqrt(3) * (2 * n + 1))  # centre-to-corner radius
    pitch = np.sqrt(3) * size
    wall = max(2, int(round(WALL_RATIO * pitch / 2)) * 2)
    W = int(np.ceil(pitch * (2 * n + 1) + 2 * margin)) // 2 * 2
    H = int(np.ceil(size * (3 * n + 2) + 2 * margin)) // 2 * 2 + 2
    cx, cy = W / 2.0, H / 2.0
    centre = np.array([[cx + pitch * (q + r / 2.0), cy + 1.5 * size * r] for q, r in cells])
    ang = np.deg2rad(30 + 60 * np.arange(6))
    corners = centre[:, None, :] + size * np.stack([np.cos(ang), np.sin(ang)], -1)[None]
    pairs, boundaries, outer = [], [], []
    for i, (q, r) in enumerate(cells):
        for dq, dr in _DIRS:
            j = index.get((q + dq, r + dr))
            if j is not None and j < i:
                continue
            # the shared side: the two corners of i closest to the neighbour's centre direction
            mid = centre[i] + pitch * np.array([dq + dr / 2.0, 1.5 * dr / np.sqrt(3)])
            d = np.hypot(*(corners[i] - (centre[i] + mid) / 2.0).T)
            side = corners[i][np.argsort(d)[:2]].tolist()
            if j is None:
                outer.append(side)
            else:
                pairs.append([i, j])
                boundaries.append(side)
    order = np.lexsort((np.array(pairs)[:, 1], np.array(pairs)[:, 0]))
    pairs = [pairs[k] for k in order]
    boundaries = [boundaries[k] for k in order]
    routes = [[centre[a].tolist(), centre[b].tolist()] for a, b in pairs]
    pillars = np.unique(np.round(corners.reshape(-1, 2), 1), axis=0).tolist()
    draw = {"cells": corners.tolist(), "boundaries": boundaries, "outer": outer, "pillars": pillars,
            "wall_px": wall}
    return Lattice(W, H, centre.tolist(), pairs, routes, pitch - wall, "cells", draw,
                   {"radius": n})


@dataclass(frozen=True)
class HexLevel(Level):
    size: int = knob(1, 10, doc="hexagon radius in cells")


@register_task("maze.hex", "Hexagonal-cell mazes: move the agent through openings to the goal.", group="maze")
class HexMaze(GraphMaze):
    description = "Mazes of hexagonal cells (six neighbours each): move the agent to the goal by a shortest route."
    maze_words = "hexagonal maze of six-sided cells"
    # size = hexagon radius in cells; loops open extra walls (several shortest routes)
    presets = {
        "easy": HexLevel(2, 4, 0, "backtracker"),
        "medium": HexLevel(3, 7, 1, "backtracker"),
        "hard": HexLevel(4, 10, 2, "kruskal"),
        "ood": HexLevel(6, 16, 3, "kruskal"),
    }

    def lattice(self, level: Level, rng: np.random.Generator) -> Lattice:
        return hex_lattice(level.size)

    def size_words(self, state: dict) -> str:
        n = state["size"]
        return f"a hexagon of {state['stats']['nodes']} cells, {2 * n + 1} across"
