"""A must-fail shared by the maze families: the agent's centre leaves its corridor, goes a third of
a cell into a wall for a few frames and comes back (a model's sprite "leaning" through a wall). The
checker must call that a WALL_CROSSING even though the agent never reaches another cell.

A family supplies its ground-truth positions (canvas x, y per frame) and a way to draw positions;
the excursion point is found on the family's own region map, so it is the same cheat on every
lattice (grid cells, hex cells, irregular roads, circular rings).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

BEYOND = 0.35  # cells past the corridor / road edge (the independent suite used ~0.4; must hold ≥ 0.3)
OUT, STAY = 3, 2  # frames going out (and back) and frames held in the wall


def excursion_point(rm, canvas_size: tuple[int, int], a: int, b: int, beyond: float = BEYOND):
    """Canvas (x, y) ``beyond`` cells past the edge of node a's corridor, heading for its walled
    lattice neighbour b (in b's cell where the wall is thinner than that); None off the canvas."""
    sx, sy = canvas_size[0] / rm.width, canvas_size[1] / rm.height
    p, q = rm.node_xy[a].astype(np.float64), rm.node_xy[b].astype(np.float64)
    d = q - p
    length = float(np.hypot(*d))
    if length < 1:
        return None
    d /= length
    for t in np.arange(0, length, 0.5):
        x, y = p + t * d
        if rm.labels[int(round(y)), int(round(x))] < 0:  # first wall pixel: the corridor's edge
            x, y = p + (t + beyond * rm.cell_px) * d
            xi, yi = int(round(x)), int(round(y))
            if not (0 <= xi < rm.width and 0 <= yi < rm.height):
                return None
            return x * sx, y * sy
    return None


def wall_excursion(fam, item, positions: list, draw: Callable[[list], object]):
    """A clip of the ground truth with one excursion into a wall beside the route, or None."""
    rm = fam.region_map(item)
    sol = list(rm.solutions[0])
    sx, sy = item.canvas_size[0] / rm.width, item.canvas_size[1] / rm.height
    pos = np.asarray(positions, np.float64)
    for i, a in enumerate(sol[1:-1], 1):
        for b in sorted(v for u, v in rm.lattice_pairs if u == a) + sorted(u for u, v in rm.lattice_pairs if v == a):
            if (min(a, b), max(a, b)) in rm.open_pairs:
                continue
            p = excursion_point(rm, item.canvas_size, a, b)
            if p is None:
                continue
            home = np.array([rm.node_xy[a][0] * sx, rm.node_xy[a][1] * sy])
            at = int(np.argmin(np.hypot(*(pos - home).T)))  # the frame the ground truth stands on node a
            out = [tuple(home + (np.asarray(p) - home) * (j / OUT)) for j in range(1, OUT + 1)]
            trip = out + [tuple(p)] * STAY + out[::-1][1:] + [tuple(home)]
            return draw([tuple(x) for x in pos[:at + 1]] + trip + [tuple(x) for x in pos[at:]])
    return None
