"""Sub-cell geometry of a grid maze read from a frame (``GridMazeRead``): where a point lies in the
read layout (rows and columns as floats, cell centres at whole numbers), how far it is past the edge of
the corridors (the floor between the read walls), and how far two points are apart along them.

A cell-level reading rounds the agent to a cell: it cannot see a centre leaning a third of a cell into
a wall and coming back, and a walker read half way between cells, on one side and then the other, looks
like two moves. These measures let the follower judge the blob's centre itself.
"""

from __future__ import annotations

import numpy as np

from .maze_reader import GridMazeRead


def layout_point(maze: GridMazeRead, x: float, y: float) -> tuple[float, float]:
    """Frame point (x, y) as (row, col) in cell units, cell (r, c)'s centre at (r, c)."""
    x0, y0 = maze.box[:2]
    px, py = maze.pitch
    return (y - y0 - maze.wall_px / 2) / py - 0.5, (x - x0 - maze.wall_px / 2) / px - 0.5


def corridor_half(maze: GridMazeRead) -> tuple[float, float]:
    """Half the corridor's width across rows and across columns, in cell units: half of a cell's
    floor, what the read wall thickness leaves of the cell's pitch."""
    px, py = maze.pitch
    return max(py - maze.wall_px, 1.0) / (2 * py), max(px - maze.wall_px, 1.0) / (2 * px)


def beyond_corridor(maze: GridMazeRead, p: tuple[float, float]) -> float:
    """How far point ``p`` (``layout_point``) lies past the corridors' edge, in corridor widths (0
    inside): the floor of the cells near it and the open passages between them, as read."""
    hr, hc = corridor_half(maze)
    r0, c0 = int(round(p[0])), int(round(p[1]))
    best = np.inf
    for r in range(max(r0 - 1, 0), min(r0 + 2, maze.rows)):
        for c in range(max(c0 - 1, 0), min(c0 + 2, maze.cols)):
            # the cell's floor, and the passages right and down where open: (centre, half sizes)
            boxes = [((r, c), (hr, hc))]
            if c + 1 < maze.cols and maze.open_h[r, c]:
                boxes.append(((r, c + 0.5), (hr, 0.5)))
            if r + 1 < maze.rows and maze.open_v[r, c]:
                boxes.append(((r + 0.5, c), (0.5, hc)))
            for (br, bc), (sr, sc) in boxes:
                dr = max(abs(p[0] - br) - sr, 0.0) / (2 * hr)
                dc = max(abs(p[1] - bc) - sc, 0.0) / (2 * hc)
                best = min(best, float(np.hypot(dr, dc)))
    return best


def corridor_distance(maze: GridMazeRead, a: tuple[int, int], p: tuple[float, float], b: tuple[int, int],
                      q: tuple[float, float]) -> float:
    """How far a walker goes along the corridors from point ``p`` (read on cell ``a``) to ``q`` (on
    ``b``), in cells: each point joins the corridor graph at its cell's centre or at the open neighbour
    it leans towards (a walker half way through a passage is half way to that neighbour)."""
    ends_p, ends_q = _ends(maze, a, p), _ends(maze, b, q)
    if set(ends_p) & set(ends_q) and len(set(ends_p) | set(ends_q)) <= 2:  # on one passage or one cell
        return _dist(p, q)
    best = np.inf
    for u in ends_p:
        d = maze.distances(u)
        for v in ends_q:
            if d[v] >= 0:
                best = min(best, _dist(p, u) + float(d[v]) + _dist(q, v))
    return best


def _ends(maze: GridMazeRead, cell: tuple[int, int], p: tuple[float, float]) -> list[tuple[int, int]]:
    """``cell`` and, where ``p`` leans out of it into an open passage, the neighbour there."""
    dr, dc = p[0] - cell[0], p[1] - cell[1]
    step = (int(np.sign(dr)), 0) if abs(dr) >= abs(dc) else (0, int(np.sign(dc)))
    nb = (cell[0] + step[0], cell[1] + step[1])
    return [cell, nb] if step != (0, 0) and nb in maze.neighbours(*cell) else [cell]


def _dist(p, q) -> float:
    return float(np.hypot(p[0] - q[0], p[1] - q[1]))
