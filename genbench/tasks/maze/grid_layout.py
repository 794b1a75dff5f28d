"""Grid mazes as data: carving perfect mazes, their graphs and shortest paths, the canvas geometry,
drawing the layout and the agent, and motion plans. Used by the maze.grid family and by every family
that reuses grid mazes (grid-draw, trapfield, multilevel, graph_walk) and by the region map."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .skins import Skin, shape_mask

CANVAS_TARGET = 512  # px of the longer side, before rounding to whole, even cell sizes


# --- carving perfect mazes ------------------------------------------------------------------------
# A maze is two boolean arrays: h_open[r, c] joins (r, c)–(r, c+1); v_open[r, c] joins (r, c)–(r+1, c).
# Hand-written rather than networkx: these loops are the algorithms themselves and run ~50× faster.

def _neighbours(r: int, c: int, R: int, C: int):
    if r > 0:
        yield r - 1, c
    if r < R - 1:
        yield r + 1, c
    if c > 0:
        yield r, c - 1
    if c < C - 1:
        yield r, c + 1


@lru_cache(maxsize=32)
def _neighbour_table(R: int, C: int) -> tuple:
    """_neighbours of every cell, in the same order, computed once per lattice size."""
    return tuple(tuple(_neighbours(r, c, R, C)) for r in range(R) for c in range(C))


def _open(h: list, v: list, a: tuple[int, int], b: tuple[int, int]) -> None:
    """Open the wall between neighbouring cells a and b in the nested lists h, v (see _walls)."""
    (r1, c1), (r2, c2) = (a, b) if a < b else (b, a)
    if r1 == r2:
        h[r1][c1] = True
    else:
        v[r1][c1] = True


def _walls(R: int, C: int) -> tuple[list, list]:
    """Closed walls as nested lists: carvers write one wall per step, where a numpy scalar write costs
    several times a list's; _arrays makes the maze's arrays at the end."""
    return [[False] * (C - 1) for _ in range(R)], [[False] * C for _ in range(R - 1)]


def _arrays(h: list, v: list, R: int, C: int) -> tuple[np.ndarray, np.ndarray]:
    return np.array(h, bool).reshape(R, C - 1), np.array(v, bool).reshape(R - 1, C)


def carve_backtracker(R: int, C: int, rng: np.random.Generator):
    """Recursive backtracker (iterative DFS): long corridors, few branches."""
    h, v = _walls(R, C)
    start = (int(rng.integers(R)), int(rng.integers(C)))
    seen_l = [[False] * C for _ in range(R)]
    stack, seen_l[start[0]][start[1]] = [start], True
    draws = iter(rng.random(4 * R * C).tolist())
    table = _neighbour_table(R, C)
    while stack:
        r, c = stack[-1]
        free = [n for n in table[r * C + c] if not seen_l[n[0]][n[1]]]
        if not free:
            stack.pop()
            continue
        nxt = free[int(next(draws, 0.5) * len(free))]
        _open(h, v, (r, c), nxt)
        seen_l[nxt[0]][nxt[1]] = True
        stack.append(nxt)
    return _arrays(h, v, R, C)


def carve_kruskal(R: int, C: int, rng: np.random.Generator):
    """Randomised Kruskal: many short branches and dead ends."""
    h, v = _walls(R, C)
    edges, ids = _lattice_edges(R, C)
    for i in kruskal_joins(R * C, ids, rng.permutation(len(edges)).tolist()):
        _open(h, v, *edges[i])
    return _arrays(h, v, R, C)


@lru_cache(maxsize=32)
def _lattice_edges(R: int, C: int) -> tuple[tuple, tuple]:
    """The grid's neighbour pairs (horizontal, then vertical) as cells and as cell ids, once per size."""
    edges = [((r, c), (r, c + 1)) for r in range(R) for c in range(C - 1)]
    edges += [((r, c), (r + 1, c)) for r in range(R - 1) for c in range(C)]
    return tuple(edges), tuple((a[0] * C + a[1], b[0] * C + b[1]) for a, b in edges)


def kruskal_joins(n: int, pairs: list, order: list[int]) -> list[int]:
    """Kruskal over node-id ``pairs`` taken in ``order``: the indices of the pairs that joined two trees.

    Hand-written union-find (path halving), kept on purpose: it is the hot loop of the grid and graph
    mazes' Kruskal carving, where scipy's DisjointSet costs several times more (bench_union_find.py)."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    joins = []
    for i in order:
        a, b = pairs[i]
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
            joins.append(i)
    return joins


class _Budget:
    """``rng.random(budget)``, fetched lazily in growing chunks (``refill``) and read by the caller.

    The carvers were written to draw a fixed budget of uniforms up front; a walk reads a few hundred
    of them, so drawing and listing all of them cost more than the walk. ``close()`` advances the
    generator past the unread rest (PCG64 draws one 64-bit output per double) and keeps its buffered
    32-bit half, so the stream after carving — and every item — is exactly as before; past the budget
    it draws one at a time, as the old fallback did.
    """

    def __init__(self, rng: np.random.Generator, budget: int, first_chunk: int):
        self.rng, self.left, self.chunk = rng, budget, first_chunk

    def refill(self) -> list[float]:
        """The next chunk of uniforms (one value once the budget is spent)."""
        n = min(self.chunk, self.left)
        if n == 0:
            return [float(self.rng.random())]
        self.left, self.chunk = self.left - n, 2 * self.chunk
        return self.rng.random(n).tolist()

    def close(self) -> None:
        if self.left:
            bits = self.rng.bit_generator
            kept = bits.state  # advance() drops the buffered half of a 64-bit draw that integers() left
            bits.advance(self.left)
            bits.state = {**bits.state, "has_uint32": kept["has_uint32"], "uinteger": kept["uinteger"]}
            self.left = 0


@lru_cache(maxsize=32)
def _neighbour_ids(R: int, C: int) -> tuple:
    """_neighbour_table as flat cell ids (r * C + c)."""
    return tuple(tuple(r * C + c for r, c in nb) for nb in _neighbour_table(R, C))


def carve_wilson(R: int, C: int, rng: np.random.Generator):
    """Wilson's algorithm (loop-erased random walks): a uniform spanning tree."""
    h, v = _walls(R, C)
    in_tree = [False] * (R * C)
    r0 = int(rng.integers(R))
    in_tree[r0 * C + int(rng.integers(C))] = True
    order = rng.permutation(R * C).tolist()
    draws = _Budget(rng, 200 * R * C, first_chunk=8 * R * C)
    table = _neighbour_ids(R, C)
    buf, k = [], 0  # the chunk being read: the walk's hot loop indexes it (no call per step)
    for cell in order:
        if in_tree[cell]:
            continue
        step: dict[int, int] = {}
        cur = cell
        while not in_tree[cur]:
            if k == len(buf):
                buf, k = draws.refill(), 0
            nb = table[cur]
            nxt = nb[int(buf[k] * len(nb))]
            k += 1
            step[cur] = nxt
            cur = nxt
        cur = cell
        while not in_tree[cur]:
            in_tree[cur] = True
            nxt = step[cur]
            a, b = (cur, nxt) if cur < nxt else (nxt, cur)
            (h if b == a + 1 else v)[a // C][a % C] = True
            cur = nxt
    draws.close()
    return _arrays(h, v, R, C)


CARVERS = {"backtracker": carve_backtracker, "kruskal": carve_kruskal, "wilson": carve_wilson}


def open_loops(h: np.ndarray, v: np.ndarray, loops: int, rng: np.random.Generator) -> None:
    """Open ``loops`` closed walls of a carved maze, chosen at random (in place)."""
    closed = np.concatenate([np.flatnonzero(~h), h.size + np.flatnonzero(~v)])
    for k in rng.choice(closed, size=min(loops, len(closed)), replace=False).tolist():
        if k < h.size:
            h.flat[k] = True
        else:
            v.flat[k - h.size] = True


# --- graph helpers --------------------------------------------------------------------------------

def adjacency(h: np.ndarray, v: np.ndarray) -> list[list[int]]:
    """Open neighbours of each cell (cell id = r * C + c)."""
    R, C = v.shape[0] + 1, h.shape[1] + 1
    adj: list[list[int]] = [[] for _ in range(R * C)]
    for r, c in zip(*(x.tolist() for x in np.nonzero(h))):
        a = r * C + c
        adj[a].append(a + 1)
        adj[a + 1].append(a)
    for r, c in zip(*(x.tolist() for x in np.nonzero(v))):
        a = r * C + c
        adj[a].append(a + C)
        adj[a + C].append(a)
    return adj


def bfs(adj: list[list[int]], src: int) -> list[int]:
    dist = [-1] * len(adj)
    dist[src] = 0
    order = [src]
    for a in order:  # a list read while it grows is the FIFO queue (cheaper than deque calls: hot path)
        d = dist[a] + 1
        for b in adj[a]:
            if dist[b] < 0:
                dist[b] = d
                order.append(b)
    return dist


def all_shortest_paths(adj: list[list[int]], src: int, dst: int, cap: int = 64) -> list[list[int]]:
    """Every shortest path src→dst (up to ``cap``), by walking the BFS distance layers back."""
    dist = bfs(adj, dst)  # distances to the goal: step to any neighbour one closer
    if dist[src] < 0:
        return []
    if src == dst:
        return [[src]]
    # depth first over the layers, neighbours in sorted order; iterative, so a path of any length
    # (a long imported level) cannot exhaust the interpreter's recursion limit
    def closer(a: int):
        d = dist[a] - 1
        nb = [b for b in adj[a] if dist[b] == d]
        if len(nb) > 1:
            nb.sort()
        return iter(nb)

    paths: list[list[int]] = []
    path, stack = [src], [closer(src)]
    while stack and len(paths) < cap:
        b = next(stack[-1], None)
        if b is None:
            stack.pop()
            path.pop()
        elif b == dst:
            paths.append(path + [b])
        else:
            path.append(b)
            stack.append(closer(b))
    return paths


def block_grid(h: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The (2R+1)×(2C+1) block grid: 0 floor, 1 wall (VR-Bench's `grid.data` convention)."""
    R, C = v.shape[0] + 1, h.shape[1] + 1
    g = np.ones((2 * R + 1, 2 * C + 1), np.uint8)
    g[1::2, 1::2] = 0
    g[1::2, 2:-1:2][h] = 0
    g[2:-1:2, 1::2][v] = 0
    return g


def walls_from_grid(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return grid[1::2, 2:-1:2] == 0, grid[2:-1:2, 1::2] == 0


# --- geometry and drawing -------------------------------------------------------------------------

@dataclass(frozen=True)
class Geometry:
    """Cell (r, c) occupies x ∈ [wall + c·pitch, wall + c·pitch + cell), same for y."""

    rows: int
    cols: int
    cell: int
    wall: int

    @property
    def pitch(self) -> int:
        return self.cell + self.wall

    @property
    def width(self) -> int:
        return self.cols * self.pitch + self.wall

    @property
    def height(self) -> int:
        return self.rows * self.pitch + self.wall

    def centre(self, r: float, c: float) -> tuple[float, float]:
        """Canvas (x, y) of a cell centre; fractional r, c interpolate between cells."""
        return self.wall + c * self.pitch + self.cell / 2.0, self.wall + r * self.pitch + self.cell / 2.0

    def to_json(self) -> dict:
        return {"rows": self.rows, "cols": self.cols, "cell_px": self.cell, "wall_px": self.wall,
                "width": self.width, "height": self.height, "style": "block" if self.cell == self.wall else "thin"}

    @classmethod
    def from_json(cls, d: dict) -> "Geometry":
        return cls(d["rows"], d["cols"], d["cell_px"], d["wall_px"])

    @classmethod
    def for_skin(cls, rows: int, cols: int, skin: Skin) -> "Geometry":
        n = max(rows, cols)
        # Solve n·(cell + wall) + wall ≈ target with wall = ratio·cell; keep sizes even (yuv420p).
        cell = CANVAS_TARGET / (n * (1 + skin.wall_ratio) + skin.wall_ratio)
        cell = max(4, int(cell) // 2 * 2)
        wall = max(2, int(round(cell * skin.wall_ratio)) // 2 * 2)
        return cls(rows, cols, cell, wall)


def render_layout(geom: Geometry, h: np.ndarray, v: np.ndarray, goal: tuple[int, int], skin: Skin) -> np.ndarray:
    """The canvas without the agent, as an RGB image.

    Vectorised: the block grid (walls, cells, passages; second floor colour on alternate cells) is
    coloured at one pixel per block, then every block column is repeated to its width in px (a small
    image, one row per block row), then every row to its height: whole-row copies, ~8× cheaper than
    cv2.resize's nearest upscale and identical to it.
    """
    code = (1 - block_grid(h, v)).astype(np.intp)  # 0 wall, 1 floor
    if skin.floor_alt is not None:
        cells = code[1::2, 1::2]
        r, c = np.indices(cells.shape)
        cells[(r + c) % 2 == 1] = 2
    colours = np.array([skin.wall, skin.floor, skin.floor if skin.floor_alt is None else skin.floor_alt], np.uint8)
    small = colours[code]
    img = small.take(_block_index(geom.cols, geom.cell, geom.wall), axis=1)
    img = img.take(_block_index(geom.rows, geom.cell, geom.wall), axis=0)
    paste_sprite(img, geom, skin.goal_shape, skin.goal_scale, skin.goal, *geom.centre(*goal))
    return img


@lru_cache(maxsize=64)
def _block_index(n: int, cell: int, wall: int) -> np.ndarray:
    """Block (wall strip or cell) of every pixel along an axis of n cells."""
    widths = np.tile([wall, cell], n + 1)[:2 * n + 1]
    return np.repeat(np.arange(2 * n + 1), widths)


@lru_cache(maxsize=64)
def _mask(shape: str, size: int) -> np.ndarray:
    return shape_mask(shape, size)


def sprite_size(geom: Geometry, scale: float) -> int:
    return max(3, int(round(geom.cell * (1.0 if scale >= 1 else scale))))


def paste_sprite(img: np.ndarray, geom: Geometry, shape: str, scale: float, colour, cx: float, cy: float) -> None:
    size = sprite_size(geom, scale)
    m = _mask(shape, size)
    x0, y0 = int(round(cx - size / 2.0)), int(round(cy - size / 2.0))
    sub = img[y0:y0 + size, x0:x0 + size]
    sub[m[:sub.shape[0], :sub.shape[1]]] = colour


def motion_plan(path: list[tuple[int, int]], frames_per_step: int, hold: int, lead: int = 0):
    """Fractional (r, c) per frame: ``lead`` still frames, linear moves, then ``hold`` on the goal."""
    out = [path[0]] * lead
    for (r0, c0), (r1, c1) in zip(path, path[1:]):
        for k in range(frames_per_step):
            t = k / frames_per_step
            out.append((r0 + (r1 - r0) * t, c0 + (c1 - c0) * t))
    out += [path[-1]] * (1 + hold)
    return out


def fit_plan(path: list[tuple[int, int]], num_frames: int, fps: float):
    """Spread the moves over a fixed frame budget (e.g. a model's 81 frames), holding ~20% at the end."""
    steps = len(path) - 1
    hold = max(1, int(round(0.2 * num_frames)))
    fps_step = max(1, (num_frames - 1 - hold) // max(steps, 1))
    plan = motion_plan(path, fps_step, hold=num_frames)
    return plan[:num_frames]
