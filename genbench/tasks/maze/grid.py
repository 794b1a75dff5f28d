"""maze.grid: perfect mazes on a square lattice, solved by moving an agent cell to cell.

Layout: R×C cells; walls between neighbouring cells. Drawn as a block maze (walls as thick as a
cell, the look of VR-Bench and maze-dataset) or, for some skins, with thin walls. The state stores
the VR-Bench-style block grid (0 floor, 1 wall), start, goal, every shortest path and the canvas
geometry, so a checker needs nothing else.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

import cv2
import numpy as np

from ...registry import register
from ...schema import Fit, TaskItem, Verdict, canonical_json, sha256_hex
from ..base import TaskFamily, frames_for_moves
from .skins import SKINS, Skin, shape_mask
from .textures import dress

ALGORITHMS = ("backtracker", "kruskal", "wilson")


@dataclass(frozen=True)
class Level:
    rows: int
    cols: int
    min_path: int  # minimum number of moves on the shortest path


LEVELS = {"easy": Level(4, 4, 5), "medium": Level(6, 6, 10), "hard": Level(9, 9, 22)}
_RM_CACHE: dict = {}  # region maps by item hash: candidates of one item share one
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


def _open(h: np.ndarray, v: np.ndarray, a: tuple[int, int], b: tuple[int, int]) -> None:
    (r1, c1), (r2, c2) = sorted((a, b))
    if r1 == r2:
        h[r1, c1] = True
    else:
        v[r1, c1] = True


def carve_backtracker(R: int, C: int, rng: np.random.Generator):
    """Recursive backtracker (iterative DFS): long corridors, few branches."""
    h, v = np.zeros((R, C - 1), bool), np.zeros((R - 1, C), bool)
    seen = np.zeros((R, C), bool)
    start = (int(rng.integers(R)), int(rng.integers(C)))
    stack, seen[start] = [start], True
    draws = iter(rng.random(4 * R * C).tolist())
    table = _neighbour_table(R, C)
    seen_l = seen.tolist()
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
    return h, v


def carve_kruskal(R: int, C: int, rng: np.random.Generator):
    """Randomised Kruskal: many short branches and dead ends."""
    h, v = np.zeros((R, C - 1), bool), np.zeros((R - 1, C), bool)
    edges = [((r, c), (r, c + 1)) for r in range(R) for c in range(C - 1)]
    edges += [((r, c), (r + 1, c)) for r in range(R - 1) for c in range(C)]
    parent = list(range(R * C))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in rng.permutation(len(edges)).tolist():
        a, b = edges[i]
        ra, rb = find(a[0] * C + a[1]), find(b[0] * C + b[1])
        if ra != rb:
            parent[ra] = rb
            _open(h, v, a, b)
    return h, v


def carve_wilson(R: int, C: int, rng: np.random.Generator):
    """Wilson's algorithm (loop-erased random walks): a uniform spanning tree."""
    h, v = np.zeros((R, C - 1), bool), np.zeros((R - 1, C), bool)
    in_tree = np.zeros((R, C), bool)
    in_tree[int(rng.integers(R)), int(rng.integers(C))] = True
    cells = [(r, c) for r in range(R) for c in range(C)]
    order = rng.permutation(len(cells)).tolist()
    draws = rng.random(200 * R * C).tolist()
    table = _neighbour_table(R, C)
    k = 0
    for i in order:
        cell = cells[i]
        if in_tree[cell]:
            continue
        step: dict[tuple[int, int], tuple[int, int]] = {}
        cur = cell
        while not in_tree[cur]:
            nb = table[cur[0] * C + cur[1]]
            d = draws[k] if k < len(draws) else float(rng.random())
            k += 1
            step[cur] = nb[int(d * len(nb))]
            cur = step[cur]
        cur = cell
        while not in_tree[cur]:
            in_tree[cur] = True
            _open(h, v, cur, step[cur])
            cur = step[cur]
    return h, v


CARVERS = {"backtracker": carve_backtracker, "kruskal": carve_kruskal, "wilson": carve_wilson}


# --- graph helpers --------------------------------------------------------------------------------

def adjacency(h: np.ndarray, v: np.ndarray) -> list[list[int]]:
    """Open neighbours of each cell (cell id = r * C + c)."""
    R, C = v.shape[0] + 1, h.shape[1] + 1
    adj: list[list[int]] = [[] for _ in range(R * C)]
    for r, c in zip(*np.nonzero(h)):
        a = int(r) * C + int(c)
        adj[a].append(a + 1)
        adj[a + 1].append(a)
    for r, c in zip(*np.nonzero(v)):
        a = int(r) * C + int(c)
        adj[a].append(a + C)
        adj[a + C].append(a)
    return adj


def bfs(adj: list[list[int]], src: int) -> list[int]:
    dist = [-1] * len(adj)
    dist[src] = 0
    q = deque([src])
    while q:
        a = q.popleft()
        for b in adj[a]:
            if dist[b] < 0:
                dist[b] = dist[a] + 1
                q.append(b)
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
    closer = lambda a: iter(sorted(b for b in adj[a] if dist[b] == dist[a] - 1))  # noqa: E731
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
    coloured at one pixel per block, then every block row / column is repeated to its width in px.
    """
    code = (1 - block_grid(h, v)).astype(np.intp)  # 0 wall, 1 floor
    if skin.floor_alt is not None:
        cells = code[1::2, 1::2]
        r, c = np.indices(cells.shape)
        cells[(r + c) % 2 == 1] = 2
    colours = np.array([skin.wall, skin.floor, skin.floor if skin.floor_alt is None else skin.floor_alt], np.uint8)
    small = colours[code]
    if geom.cell == geom.wall:  # block maze: an exact integer nearest-neighbour upscale
        img = cv2.resize(small, (geom.width, geom.height), interpolation=cv2.INTER_NEAREST)
    else:
        img = small.take(_block_index(geom.rows, geom.cell, geom.wall), axis=0)
        img = img.take(_block_index(geom.cols, geom.cell, geom.wall), axis=1)
    paste_sprite(img, geom, skin.goal_shape, skin.goal_scale, skin.goal, *geom.centre(*goal))
    return img


@lru_cache(maxsize=64)
def _block_index(n: int, cell: int, wall: int) -> np.ndarray:
    """Block (wall strip or cell) of every pixel along an axis of n cells."""
    widths = np.tile([wall, cell], n + 1)[:2 * n + 1]
    return np.repeat(np.arange(2 * n + 1), widths)


@lru_cache(maxsize=64)
def _skin_dict(name: str) -> dict:
    return SKINS[name].to_json()


def _skin_json(name: str) -> dict:
    d = _skin_dict(name)
    return {**d, "words": dict(d["words"])}  # fresh containers: items never share mutable state


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


# --- the family -----------------------------------------------------------------------------------

@register("task", "maze.grid", "Perfect grid mazes (backtracker / Kruskal / Wilson): move the agent to the goal.",
          group="maze")
class GridMaze(TaskFamily):
    name = "maze.grid"
    description = "Perfect grid mazes: move the agent along the corridors to the goal by a shortest path."
    dimension = "structural reasoning & search"
    skins = tuple(n for n, s in SKINS.items() if not s.hard)
    all_skins = tuple(SKINS)
    checker_name = "trajectory"
    checker_version = "1"
    frames_per_step = 12  # VR-Bench's ground-truth pace at 24 fps
    hold_frames = 24

    def check_skin(self, skin: str | None) -> None:
        if skin is not None and skin not in SKINS:
            raise ValueError(f"{self.name}: unknown skin {skin!r}; known: {', '.join(SKINS)}")

    # items
    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None) -> TaskItem:
        return TaskItem(**self.build(index, difficulty, seed, skin))

    def build(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None) -> dict:
        """Everything of an item but its content hash: layout, every shortest path, first frame."""
        rng, skin_name = self.start_item(index, difficulty, seed, skin)
        lv = LEVELS[difficulty]
        sk = SKINS[skin_name]
        algorithm = ALGORITHMS[int(rng.integers(len(ALGORITHMS)))]
        R, C = lv.rows, lv.cols
        for _ in range(100):
            h, v = CARVERS[algorithm](R, C, rng)
            adj = adjacency(h, v)
            far = bfs(adj, int(rng.integers(R * C)))
            a = int(np.argmax(far))  # one end of a long path
            da = np.array(bfs(adj, a))
            best = int(da.max())
            if best < lv.min_path:
                continue
            pool = np.flatnonzero(da >= max(lv.min_path, int(0.7 * best)))
            b = int(pool[int(rng.integers(len(pool)))])
            start, goal = (a, b) if rng.random() < 0.5 else (b, a)
            break
        else:  # pragma: no cover - the levels are chosen so this never happens
            raise RuntimeError(f"{self.name}/{difficulty}: no layout with a path of {lv.min_path} moves")
        paths = all_shortest_paths(adj, start, goal)
        rc = lambda k: [k // C, k % C]  # noqa: E731
        geom = Geometry.for_skin(R, C, sk)
        goal_rc, start_rc = rc(goal), rc(start)
        base = render_layout(geom, h, v, tuple(goal_rc), sk)
        first = base  # drawn for this item only: the agent goes straight onto it
        paste_sprite(first, geom, sk.agent_shape, sk.agent_scale, sk.agent, *geom.centre(*start_rc))
        first = dress(first, sk)
        grid = block_grid(h, v)
        state = {
            "game": "maze", "rows": R, "cols": C, "algorithm": algorithm,
            "grid": grid.tolist(), "start": start_rc, "goal": goal_rc,
            "solutions": [[rc(k) for k in p] for p in paths],
            "shortest_length": len(paths[0]) - 1,
            "skin": _skin_json(skin_name), "geometry": geom.to_json(),
        }
        w = sk.words
        prompt_i2v = (
            f"A top-down view of a maze with {w['floor']} corridors and {w['wall']} walls. "
            f"The {w['agent']} moves through the corridors, one cell at a time and never through a wall, "
            f"along the shortest route to the {w['goal']}, then stops on the {w['goal']} and stays there. "
            f"The walls, the {w['goal']} and the camera do not move.")
        prompt_t2v = (
            f"A top-down view of a {R}×{C} grid maze with {w['floor']} corridors and {w['wall']} walls. "
            f"A {w['agent']} starts in row {start_rc[0] + 1}, column {start_rc[1] + 1} and a {w['goal']} "
            f"sits in row {goal_rc[0] + 1}, column {goal_rc[1] + 1} (counting from the top left). "
            f"The {w['agent']} moves through the corridors, one cell at a time and never through a wall, "
            f"along the shortest route to the {w['goal']}, then stays on it. Static camera, flat colours.")
        return dict(id=f"{self.name}/{difficulty}/{index:04d}", family=self.name, difficulty=difficulty,
                    index=index, seed=seed, prompt_i2v=prompt_i2v, prompt_t2v=prompt_t2v,
                    state=state, first_frame=first)

    def layout_key(self, item: TaskItem) -> str:
        s = item.state
        return sha256_hex(canonical_json([s["grid"], s["start"], s["goal"]]))

    # frames
    def _scene(self, item: TaskItem):
        s = item.state
        geom = Geometry.from_json(s["geometry"])
        sk = Skin(**{k: tuple(v) if isinstance(v, list) else v for k, v in s["skin"].items()})
        h, v = walls_from_grid(np.array(s["grid"], np.uint8))
        base = render_layout(geom, h, v, tuple(s["goal"]), sk)
        return geom, sk, base

    def frames_at(self, item: TaskItem, plan: Iterable[tuple[float, float]]) -> Iterator[np.ndarray]:
        """Draw the agent at each fractional cell position of ``plan``."""
        geom, sk, base = self._scene(item)
        for r, c in plan:
            f = base.copy()
            paste_sprite(f, geom, sk.agent_shape, sk.agent_scale, sk.agent, *geom.centre(r, c))
            yield dress(f, sk)

    def _plan(self, path, num_frames: int | None, fps: float | None):
        if num_frames:
            return fit_plan(path, num_frames, fps or self.default_fps)
        return motion_plan(path, self.frames_per_step, self.hold_frames)

    def min_frames(self, item: TaskItem) -> int:
        return frames_for_moves(len(item.state["solutions"][0]) - 1)

    def solution_frames(self, item: TaskItem, solution: int = 0, fps: float | None = None,
                        num_frames: int | None = None) -> Iterator[np.ndarray]:
        sols = item.state["solutions"]
        path = [tuple(p) for p in sols[solution % len(sols)]]
        return self.frames_at(item, self._plan(path, num_frames, fps))

    def final_frame(self, item: TaskItem) -> np.ndarray:
        return next(self.frames_at(item, [tuple(item.state["goal"])]))

    def random_path(self, item: TaskItem, rng: np.random.Generator, steps: int) -> list[tuple[int, int]]:
        C = item.state["cols"]
        adj = adjacency(*walls_from_grid(np.array(item.state["grid"], np.uint8)))
        cur = item.state["start"][0] * C + item.state["start"][1]
        path = [cur]
        for _ in range(steps):
            cur = adj[cur][int(rng.integers(len(adj[cur])))]
            path.append(cur)
        return [(k // C, k % C) for k in path]

    def random_frames(self, item: TaskItem, rng: np.random.Generator, fps: float | None = None,
                      num_frames: int | None = None) -> Iterator[np.ndarray]:
        path = self.random_path(item, rng, steps=item.state["shortest_length"] + 2)
        return self.frames_at(item, self._plan(path, num_frames, fps))

    # checker validity: the maze's own must-fail cheats and a must-pass blur (genbench validate)
    def perturbations(self) -> list:
        from .grid_cases import grid_perturbations

        return grid_perturbations()

    # judging
    def region_map(self, item: TaskItem):
        from .regions import grid_region_map

        rm = _RM_CACHE.get(item.content_hash)
        if rm is None:
            if len(_RM_CACHE) > 32:
                _RM_CACHE.clear()
            rm = _RM_CACHE[item.content_hash] = grid_region_map(item)
        return rm

    def working_size(self, item: TaskItem) -> None:
        # Decode at full size: swscale's area resize costs more than the checker's own mapping
        # (one warpAffine into the working size, measured in bench/bench_maze.py).
        return None

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        from ...judges.trajectory import TrajectoryChecker

        return TrajectoryChecker(self.region_map(item), version=self.checker_version).check(frames, fit, fps)
