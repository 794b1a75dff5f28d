"""maze.circular: theta mazes of concentric rings around a central cell.

Ring 0 is a disk; ring k (k ≥ 1) is split into sectors whose count doubles outward whenever the
sectors would grow too wide, so cells stay roughly square. Neighbours: the next sector in the same
ring, and the sectors of the adjacent ring that overlap in angle. The agent walks along arcs inside
a ring and radially between rings.
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
WALL_RATIO = 0.2  # wall thickness / ring width
ARC_STEP = 5.0  # canvas px between points of a drawn arc


def _arc(cx: float, cy: float, r: float, t0: float, t1: float) -> list:
    n = max(2, int(np.ceil(abs(t1 - t0) * r / ARC_STEP)) + 1)
    t = np.linspace(t0, t1, n)
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1).tolist()


def ring_counts(rings: int) -> list[int]:
    counts = [1, 6]
    for k in range(2, rings + 1):
        n = counts[-1]
        counts.append(2 * n if 2 * np.pi * (k + 0.5) / n > 2.0 else n)  # arc width > 2 ring widths
    return counts[:rings + 1]


@lru_cache(maxsize=16)
def circular_lattice(rings: int, canvas: int = CANVAS) -> Lattice:
    counts = ring_counts(rings)
    margin = 8
    w = (canvas - 2 * margin) / (2.0 * (rings + 1))  # ring width; ring 0 is a disk of radius w
    wall = max(2, int(round(WALL_RATIO * w / 2)) * 2)
    W = H = canvas
    cx = cy = canvas / 2.0
    first = [sum(counts[:k]) for k in range(rings + 1)]  # node id of sector 0 of ring k
    span = [2 * np.pi / n for n in counts]
    theta0 = -np.pi / 2  # sectors start at 12 o'clock

    def ang(k: int, i: int) -> tuple[float, float]:
        return theta0 + i * span[k], theta0 + (i + 1) * span[k]

    xy, cells = [[cx, cy]], [_arc(cx, cy, w, 0, 2 * np.pi)[:-1]]
    for k in range(1, rings + 1):
        rm = (k + 0.5) * w
        for i in range(counts[k]):
            a0, a1 = ang(k, i)
            am = (a0 + a1) / 2
            xy.append([cx + rm * np.cos(am), cy + rm * np.sin(am)])
            cells.append(_arc(cx, cy, (k + 1) * w, a0, a1) + _arc(cx, cy, k * w, a1, a0))
    pairs, boundaries, routes = [], [], []

    def add(a: int, b: int, boundary: list, route: list) -> None:
        if a > b:
            a, b, route = b, a, route[::-1]
        pairs.append([a, b])
        boundaries.append(boundary)
        routes.append(route)

    for k in range(1, rings + 1):
        rm = (k + 0.5) * w
        for i in range(counts[k]):
            a, b = first[k] + i, first[k] + (i + 1) % counts[k]
            _, a1 = ang(k, i)
            boundary = [[cx + k * w * np.cos(a1), cy + k * w * np.sin(a1)],
                        [cx + (k + 1) * w * np.cos(a1), cy + (k + 1) * w * np.sin(a1)]]
            am, bm = a1 - span[k] / 2, a1 + span[k] / 2
            add(a, b, boundary, _arc(cx, cy, rm, am, bm))
        # radial neighbours: each sector of ring k against the overlapping sectors of ring k - 1
        inner = counts[k - 1]
        for i in range(counts[k]):
            a0, a1 = ang(k, i)
            j = int(i * inner // counts[k])  # the inner sector containing this one (counts double)
            b = first[k - 1] + j
            boundary = _arc(cx, cy, k * w, a0, a1)
            am = (a0 + a1) / 2
            if k == 1:
                route = [[cx, cy], [cx + rm * np.cos(am), cy + rm * np.sin(am)]]
            else:
                jm = (sum(ang(k - 1, j))) / 2
                route = _arc(cx, cy, (k - 0.5) * w, jm, am) + [[cx + rm * np.cos(am), cy + rm * np.sin(am)]]
            add(b, first[k] + i, boundary, route)
    order = np.lexsort((np.array(pairs)[:, 1], np.array(pairs)[:, 0]))
    pairs = [pairs[k] for k in order]
    boundaries = [boundaries[k] for k in order]
    routes = [routes[k] for k in order]
    pillars = []
    for k in range(1, rings + 2):
        n = counts[min(k, rings)]
        for i in range(n):
            a0 = theta0 + i * 2 * np.pi / n
            pillars.append([cx + k * w * np.cos(a0), cy + k * w * np.sin(a0)])
            if k <= rings:
                pillars.append([cx + (k + 1) * w * np.cos(a0), cy + (k + 1) * w * np.sin(a0)])
    pillars = np.unique(np.round(pillars, 1), axis=0).tolist()
    outer = [_arc(cx, cy, (rings + 1) * w, 0, 2 * np.pi)]
    draw = {"cells": cells, "boundaries": boundaries, "outer": outer, "pillars": pillars, "wall_px": wall}
    return Lattice(W, H, xy, pairs, routes, w - wall, "cells", draw, {"rings": rings, "sectors": counts})


@dataclass(frozen=True)
class RingLevel(Level):
    size: int = knob(1, 10, doc="rings around the central cell")


@register_task("maze.circular", "Circular (theta) mazes of concentric rings: move the agent to the goal.",
               group="maze")
class CircularMaze(GraphMaze):
    description = "Theta mazes of concentric rings: move the agent around and across the rings to the goal."
    maze_words = "circular maze of concentric rings"
    move_words = "along the rings and through the gaps between them, one cell at a time"
    # Planes sampled at the working pixels' centres, and re-aligned on consecutive frames while a region reads
    # wrong: ood rings (a 5×5 goal core, wall slivers at 416 px) under a drifting camera and a coarse encoder
    # read a false LAYOUT_CHANGED otherwise — RGB on ood/classic drift_crf38, "area" planes on ood/fog
    # drift_letterbox_crf40, "aligned" planes on ood/fog drift_crf38 (bench/validate_planes.py --modes)
    planes_sampling = "aligned"
    retrack_bad = True
    checker_version = "5"  # 5: planes ("aligned"), re-aligned on consecutive frames while a region reads wrong
    presets = {  # size = rings around the centre
        "easy": RingLevel(3, 5, 0, "backtracker"),
        "medium": RingLevel(4, 8, 1, "backtracker"),
        "hard": RingLevel(6, 12, 2, "kruskal"),
        "ood": RingLevel(8, 18, 3, "kruskal"),
    }

    def lattice(self, level: Level, rng: np.random.Generator) -> Lattice:
        return circular_lattice(level.size)

    def size_words(self, state: dict) -> str:
        return f"{state['size']} rings around a central cell"
