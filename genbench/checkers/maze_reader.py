"""Read a grid maze from one frame, with no item state: cell grid, walls, and the coloured markers
(agent, goal) in their cells.

How: the wall colour is the frame's border (a maze is walled all round; letterbox padding takes
that colour too), the floor the commonest colour far from it; the maze is the bounding box of the
largest wall component (a perfect maze's walls all touch its border). The cell count per axis is
the one whose wall strips are most wall and whose cell centres least; each wall between two cells
is then read at its middle. Markers are blobs far from both colours, smaller than a cell.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

MAX_CELLS = 64
# A read is accepted only if the grid it found redraws the walls seen (see grid_fit): measured on
# validate's must-pass clips and on other families' frames, noise and photos (bench_maze_reader.py).
MIN_EXPLAINED = 0.97  # must-pass reads: ≥ 0.99; other families read as grids: ≤ 0.93
MIN_COVERED = 0.95  # must-pass reads: ≥ 0.99; a puzzle board read as a grid: 0.90
# A marker lies this far (a share of the floor–wall distance) off every blend of floor and wall. The
# second, closer, is tried only where the first finds no agent and goal: a pale agent on high-contrast
# walls (pink on light grey, its colours shifted) stands out from the floor by less than a tenth.
MARKER_OFF = (0.1, 0.05)


class LayoutNotFound(ValueError):
    """The frame shows no readable grid maze."""


@dataclass
class Marker:
    cell: tuple[int, int]
    colour: tuple[int, int, int]
    area: float  # px
    fill: float  # area / bounding-box area: ~1 square, ~0.79 circle, ~0.5 diamond


@dataclass
class GridMazeRead:
    rows: int
    cols: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 of the maze in the frame
    wall_px: float
    open_h: np.ndarray  # (rows, cols-1): passage between (r, c) and (r, c+1)
    open_v: np.ndarray  # (rows-1, cols): passage between (r, c) and (r+1, c)
    markers: list[Marker] = field(default_factory=list)
    wall_rgb: tuple = ()  # the wall colour read (RGB floats)
    floor_rgbs: list = field(default_factory=list)  # the floor colour(s) read

    def block_grid(self) -> np.ndarray:
        """(2R+1)×(2C+1) blocks, 1 wall, 0 floor: VR-Bench's and genbench's maze.grid convention."""
        g = np.ones((2 * self.rows + 1, 2 * self.cols + 1), np.uint8)
        g[1::2, 1::2] = 0
        g[1::2, 2:-1:2][self.open_h] = 0
        g[2:-1:2, 1::2][self.open_v] = 0
        return g

    def neighbours(self, r: int, c: int) -> list[tuple[int, int]]:
        out = []
        if c + 1 < self.cols and self.open_h[r, c]:
            out.append((r, c + 1))
        if c > 0 and self.open_h[r, c - 1]:
            out.append((r, c - 1))
        if r + 1 < self.rows and self.open_v[r, c]:
            out.append((r + 1, c))
        if r > 0 and self.open_v[r - 1, c]:
            out.append((r - 1, c))
        return out

    def distances(self, src: tuple[int, int]) -> np.ndarray:
        """Moves from ``src`` to every cell through open passages (−1: unreachable)."""
        d = np.full((self.rows, self.cols), -1, np.int32)
        d[src] = 0
        q = deque([src])
        while q:
            a = q.popleft()
            for b in self.neighbours(*a):
                if d[b] < 0:
                    d[b] = d[a] + 1
                    q.append(b)
        return d

    @property
    def pitch(self) -> tuple[float, float]:
        """(x, y) frame px from one cell to the next: the box less one wall, over the cells."""
        x0, y0, x1, y1 = self.box
        return (x1 - x0 - self.wall_px) / self.cols, (y1 - y0 - self.wall_px) / self.rows

    def cell_of(self, x: float, y: float) -> tuple[int, int] | None:
        """The cell under frame point (x, y), or None outside the maze."""
        x0, y0 = self.box[:2]
        px, py = self.pitch
        c = int((x - x0 - self.wall_px / 2) // px)
        r = int((y - y0 - self.wall_px / 2) // py)
        return (r, c) if 0 <= r < self.rows and 0 <= c < self.cols else None

    def marker_near(self, colour) -> Marker | None:
        """The marker whose colour is nearest ``colour`` (RGB)."""
        if not self.markers:
            return None
        d = [np.linalg.norm(np.subtract(m.colour, colour, dtype=np.float64)) for m in self.markers]
        return self.markers[int(np.argmin(d))]


def read_grid_maze(frame: np.ndarray) -> GridMazeRead:
    """Read the grid maze drawn in an RGB frame (uint8, H×W×3). Raises LayoutNotFound."""
    img = np.asarray(frame)
    if img.ndim != 3 or img.shape[2] != 3 or min(img.shape[:2]) < 16:
        raise LayoutNotFound("not an RGB frame")
    px = img.astype(np.float32)
    border = np.concatenate([px[:2].reshape(-1, 3), px[-2:].reshape(-1, 3), px[:, :2].reshape(-1, 3),
                             px[:, -2:].reshape(-1, 3)])
    wall = np.median(border, 0)
    d_wall = np.linalg.norm(px - wall, axis=2)
    far = d_wall > 60
    if far.mean() < 0.1:
        raise LayoutNotFound("no floor: the frame is one colour")
    q = (img[far] >> 4).astype(np.int32)
    codes = q[:, 0] * 256 + q[:, 1] * 16 + q[:, 2]
    hist = np.bincount(codes)
    floor = px[far][codes == hist.argmax()].mean(0)
    # every colour that covers a good part of the floor is floor (a checkered floor has two)
    floors = [px[far][codes == c].mean(0) for c in np.flatnonzero(hist >= 0.08 * len(codes))]
    gap = float(np.linalg.norm(floor - wall))
    is_wall = (d_wall < 0.5 * gap).astype(np.uint8)

    n, lab, stats, _ = cv2.connectedComponentsWithStats(is_wall, connectivity=8)
    if n < 2:
        raise LayoutNotFound("no walls")
    # the maze's wall network: the largest wall component that is not the frame's own border
    H, W = is_wall.shape
    best, best_area = None, 0
    for k in range(1, n):
        x, y, w, h, a = stats[k]
        inner = is_wall[y:y + h, x:x + w].mean()
        if a > best_area and inner < 0.9 and w > 8 and h > 8:
            best, best_area = k, a
    if best is None:
        raise LayoutNotFound("no maze-shaped wall network")
    x, y, w, h = (int(v) for v in stats[best][:4])
    walls = np.isin(lab[y:y + h, x:x + w], _hung_from_edge(stats, best, H, W))
    # letterbox padding takes the wall colour and joins the outer wall: cut every all-wall row and
    # column from the edges, then put back one wall thickness (read inside the maze) all round
    cols_full, rows_full = walls.mean(0) > 0.97, walls.mean(1) > 0.97
    l, r_ = _edge_run(cols_full), len(cols_full) - _edge_run(cols_full[::-1])
    t, b = _edge_run(rows_full), len(rows_full) - _edge_run(rows_full[::-1])
    if r_ - l < 8 or b - t < 8:
        raise LayoutNotFound("no maze inside the walls")
    wall_px = _inner_thickness(walls[t:b, l:r_])
    x, y = x + l - wall_px, y + t - wall_px
    w, h = r_ - l + 2 * wall_px, b - t + 2 * wall_px
    walls = np.pad(walls[t:b, l:r_], wall_px, constant_values=True)
    cols = _count_cells(walls.mean(0), wall_px)
    rows = _count_cells(walls.mean(1), wall_px)
    if cols is None or rows is None:
        raise LayoutNotFound("no regular cell grid")
    pitch_x, pitch_y = (w - wall_px) / cols, (h - wall_px) / rows
    open_h = np.zeros((rows, max(cols - 1, 0)), bool)
    open_v = np.zeros((max(rows - 1, 0), cols), bool)
    half = max(1.0, wall_px / 4)
    for r in range(rows):
        cy = wall_px + r * pitch_y + (pitch_y - wall_px) / 2
        for c in range(cols - 1):
            sx = (c + 1) * pitch_x + wall_px / 2
            open_h[r, c] = _mean(walls, sx, cy, half, (pitch_y - wall_px) / 4) < 0.5
    for r in range(rows - 1):
        sy = (r + 1) * pitch_y + wall_px / 2
        for c in range(cols):
            cx = wall_px + c * pitch_x + (pitch_x - wall_px) / 2
            open_v[r, c] = _mean(walls, cx, sy, (pitch_x - wall_px) / 4, half) < 0.5
    fit = grid_fit(walls, rows, cols, wall_px, open_h, open_v)
    if fit["explained"] < MIN_EXPLAINED or fit["covered"] < MIN_COVERED:
        raise LayoutNotFound(f"the walls do not form a {rows}×{cols} grid maze ({fit['explained']:.0%} of the wall "
                             f"pixels on the grid's lines, {fit['covered']:.0%} of its walls drawn)")
    read = GridMazeRead(rows, cols, (float(x), float(y), float(x + w), float(y + h)), float(wall_px), open_h, open_v)
    cx, cy = max(x, 0), max(y, 0)  # the outer wall put back may reach past the frame's edge
    read.wall_rgb, read.floor_rgbs = tuple(float(v) for v in wall), [tuple(float(v) for v in f) for f in floors]
    inside = px[cy:y + h, cx:x + w]
    for off in MARKER_OFF:  # the first that shows an agent and a goal
        read.markers = _markers(inside, floors, wall, gap, read, (cx, cy), pitch_x * pitch_y, off)
        if len(read.markers) >= 2:
            break
    return read


def grid_fit(walls: np.ndarray, rows: int, cols: int, wall_px: int, open_h: np.ndarray, open_v: np.ndarray) -> dict:
    """How well the grid read redraws the wall mask: ``explained``, the share of wall pixels that lie
    on a wall of the grid (within 2 px: blur and compression fray the edges); ``covered``, the share
    of the grid's wall pixels (their core, 1 px in) that are wall in the frame. A grid maze scores
    near 1 on both; circles, hexagons, a puzzle's board or noise do not. Walls are measured per axis
    (a stretched frame has thicker vertical walls than horizontal ones)."""
    h, w = walls.shape
    wx = _run_thickness(walls[wall_px:-wall_px:2])  # runs along rows cross the vertical walls
    wy = _run_thickness(walls.T[wall_px:-wall_px:2])
    # the inner edges of the outer walls lie wall_px in from the box (the reader put them there); in
    # between, cells and walls of thickness wx (wy) alternate: each wall line's left (top) edge
    xs = [int(round(wall_px - wx + c * (w - 2 * wall_px + wx) / cols)) for c in range(cols + 1)]
    ys = [int(round(wall_px - wy + r * (h - 2 * wall_px + wy) / rows)) for r in range(rows + 1)]
    drawn = np.zeros_like(walls, bool)
    for r in range(rows):
        for c in range(cols + 1):  # vertical walls: the border, and closed passages
            if c in (0, cols) or not open_h[r, c - 1]:
                drawn[max(ys[r], 0):ys[r + 1] + wy, max(xs[c], 0):xs[c] + wx] = True
    for r in range(rows + 1):
        for c in range(cols):
            if r in (0, rows) or not open_v[r - 1, c]:
                drawn[max(ys[r], 0):ys[r] + wy, max(xs[c], 0):xs[c + 1] + wx] = True
    for y in ys:  # the posts where walls meet stand in every grid maze
        for x in xs:
            drawn[max(y, 0):y + wy, max(x, 0):x + wx] = True
    # the outer walls reach the box's edge: the reader put one wall_px all round (a stretched
    # frame's thinner outer wall leaves the rest of that band as padding, read as wall too)
    drawn[:wall_px], drawn[-wall_px:], drawn[:, :wall_px], drawn[:, -wall_px:] = True, True, True, True
    near = cv2.dilate(drawn.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    core = cv2.erode(drawn.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) if min(wx, wy) >= 3 else drawn
    seen = walls.astype(bool)
    return {"explained": float((seen & near).sum() / max(seen.sum(), 1)),
            "covered": float((seen & core).sum() / max(core.sum(), 1))}


def _hung_from_edge(stats: np.ndarray, best: int, H: int, W: int) -> list[int]:
    """The wall components of the maze: the largest (``best``), and where a camera zooming or panning
    pushed its outer wall past a frame edge, the walls that hung from it there, now apart: those that
    reach the same edge within the maze's span."""
    x, y, w, h = (int(v) for v in stats[best][:4])
    keep = [best]
    for k in range(1, len(stats)):
        kx, ky, kw, kh = (int(v) for v in stats[k][:4])
        across = x <= kx and kx + kw <= x + w  # within the maze's span along the edge
        down = y <= ky and ky + kh <= y + h
        if k != best and ((across and ((y == 0 == ky) or (y + h == H == ky + kh)))
                          or (down and ((x == 0 == kx) or (x + w == W == kx + kw)))):
            keep.append(k)
    return keep


def _edge_run(flags: np.ndarray) -> int:
    """How many leading entries are True."""
    return int(np.argmin(flags)) if not flags.all() else len(flags)


def _inner_thickness(walls: np.ndarray) -> int:
    """Wall thickness: the commonest length of a wall run with floor on both sides, along rows
    and columns (runs along a wall are longer, and rarer)."""
    return _run_thickness(list(walls[::2]) + list(walls.T[::2]))


def _run_thickness(lines) -> int:
    """The commonest length of a wall run with floor on both sides in ``lines`` (1 if none)."""
    runs = []
    for line in lines:
        d = np.diff(line.astype(np.int8))
        starts, ends = np.flatnonzero(d == 1) + 1, np.flatnonzero(d == -1) + 1
        if len(starts) and len(ends):
            ends = ends[ends > starts[0]]
            k = min(len(starts), len(ends))
            runs.extend((ends[:k] - starts[:k]).tolist())
    if not runs:
        return 1
    counts = np.bincount(runs)
    return max(1, int(np.argmax(counts[1:])) + 1)


def _count_cells(profile: np.ndarray, wall_px: int) -> int | None:
    """Cells along one axis: the maze repeats every cell (a wall strip, a cell), so from the first
    wall strip's middle to the last one's the wall profile runs exactly n periods; n is the
    strongest frequency of that stretch."""
    lo, hi = wall_px / 2, len(profile) - wall_px / 2
    xs = np.linspace(lo, hi, 1024, endpoint=False)
    seg = np.interp(xs, np.arange(len(profile)), profile)
    spec = np.abs(np.fft.rfft(seg - seg.mean()))
    top = min(MAX_CELLS, int((hi - lo) // max(2, wall_px + 1)), len(spec) - 1)
    if top < 2:
        return None
    n = int(np.argmax(spec[2:top + 1])) + 2
    return n if spec[n] > 2 * np.median(spec[2:top + 1]) else None


def _mean(mask: np.ndarray, cx: float, cy: float, hx: float, hy: float) -> float:
    y0, y1 = int(round(cy - hy)), int(round(cy + hy)) + 1
    x0, x1 = int(round(cx - hx)), int(round(cx + hx)) + 1
    win = mask[max(y0, 0):y1, max(x0, 0):x1]
    return float(win.mean()) if win.size else 1.0


def _markers(px, floors, wall, gap, read: GridMazeRead, origin, cell_area, off: float) -> list[Marker]:
    """Blobs far from the floor and the wall colours, smaller than a cell: agent, goal."""
    # (distance from the wall itself is the blend at its wall end: a dark marker, a deep green goal
    # on black walls, counts as far as it is off that line, not by its brightness)
    other = np.ones(px.shape[:2], bool)
    for f in floors:
        # off every blend of floor and wall: what blur, compression and resizing make of an edge (or
        # a second floor tone) lies on the RGB segment between them, and a compressed flat floor drifts
        # along that line past the floor too (a near-white floor clipped to white); a marker does not
        other &= _off_blend(px, f, wall) > off * gap
    other = other.astype(np.uint8)
    other = cv2.morphologyEx(other, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, lab, stats, cents = cv2.connectedComponentsWithStats(other, connectivity=8)
    out = []
    for k in range(1, n):
        x, y, w, h, a = stats[k]
        if a < 0.01 * cell_area or a > 0.95 * cell_area:
            continue  # speckle, or a whole cell in another floor colour (a checkered floor)
        cell = read.cell_of(origin[0] + cents[k][0], origin[1] + cents[k][1])
        if cell is None:
            continue
        colour = tuple(int(v) for v in np.median(px[lab == k], 0))
        out.append(Marker(cell, colour, float(a), float(a) / float(w * h)))
    return out


def _off_blend(px: np.ndarray, floor, wall) -> np.ndarray:
    """Per pixel of ``px`` (…×3), the distance to the nearest blend of ``floor`` and ``wall`` (the RGB
    segment between them, extended past the floor by half its length: the floor's own shades)."""
    f, w = np.asarray(floor, np.float32), np.asarray(wall, np.float32)
    d = w - f
    t = np.clip(((px - f) @ d) / max(float(d @ d), 1e-9), -0.5, 1.0)
    return np.linalg.norm(px - (f + t[..., None] * d), axis=-1)
