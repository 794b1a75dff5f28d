"""maze.trapfield: an open grid strewn with traps; walk from the start to the goal without stepping on one.

There are no walls between cells: every cell is open except the trap cells (VR-Bench's `trapfield`
game, where `grid.data` marks traps with 1). The checker is the maze trajectory checker over a graph
whose nodes are the safe cells; a trap is a forbidden region, so an agent whose centre enters a trap
cell is reported as TRAP (the checker's wall-crossing test, re-labelled). Its RegionMap and the judging
around it come from ``canvas_regionmap``, shared by the families drawn as node cells on a canvas.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

import numpy as np

from ...checkers.relabel import relabel_forbidden
from ...schema import Fit, TaskItem, Verdict, canonical_json, sha256_hex
from ..base import TaskFamily, frames_for_moves, register_task
from ..config import TaskConfig, knob
from .canvas_regionmap import CanvasJudged, canvas_region_map
from .graph_draw import paste
from .grid_layout import all_shortest_paths, bfs, fit_plan, motion_plan
from .regions import palette_index
from .skins import AGENT, FLOOR, GOAL, WALL
from .textures import dress, pattern_for, without_texture

CANVAS_TARGET = 512


# --- skins ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrapSkin:
    name: str
    floor: tuple
    floor_alt: tuple  # checkered floor shows the grid
    edge: tuple  # border round the field
    trap: tuple
    trap_mark: tuple
    trap_shape: str  # drawn in trap_mark on the trap tile
    agent: tuple
    goal: tuple
    agent_shape: str
    goal_shape: str
    words: dict = field(default_factory=dict)  # agent, goal, trap, floor
    agent_scale: float = 0.62
    goal_scale: float = 0.7
    hard: bool = False
    texture: str | None = None  # a textures.TEXTURE_SETS name: tile images and shaded sprites

    def palette(self) -> tuple[np.ndarray, np.ndarray]:
        cols = [self.floor, self.floor_alt, self.edge, self.trap, self.trap_mark, self.goal, self.agent]
        cls = [FLOOR, FLOOR, WALL, WALL, WALL, GOAL, AGENT]
        return np.array(cols, np.uint8), np.array(cls, np.int64)

    def to_json(self) -> dict:
        return without_texture(asdict(self))

    def texture_roles(self) -> list:
        t = self.texture
        return [(self.floor, pattern_for(t, "floor")), (self.floor_alt, pattern_for(t, "floor")),
                (self.edge, pattern_for(t, "wall")), (self.trap, pattern_for(t, "trap")),
                (self.trap_mark, "sprite"), (self.goal, "sprite"), (self.agent, "sprite")]

    @classmethod
    def from_json(cls, d: dict) -> "TrapSkin":
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


def _w(agent, goal, trap, floor):
    return {"agent": agent, "goal": goal, "trap": trap, "floor": floor}


TRAP_SKINS = {s.name: s for s in [
    TrapSkin("meadow", floor=(200, 230, 170), floor_alt=(180, 215, 150), edge=(70, 90, 60), trap=(60, 40, 30),
             trap_mark=(235, 120, 30), trap_shape="cross", agent=(40, 70, 225), goal=(240, 210, 40),
             agent_shape="circle", goal_shape="star",
             words=_w("blue circle", "yellow star", "dark brown pits with orange crosses", "light green")),
    TrapSkin("lava", floor=(235, 235, 225), floor_alt=(215, 215, 205), edge=(40, 40, 45), trap=(200, 40, 20),
             trap_mark=(255, 170, 60), trap_shape="diamond", agent=(30, 30, 160), goal=(30, 160, 80),
             agent_shape="square", goal_shape="square",
             words=_w("dark blue square", "green square", "red lava tiles", "off-white")),
    TrapSkin("ice", floor=(200, 225, 245), floor_alt=(180, 205, 235), edge=(30, 50, 90), trap=(20, 20, 40),
             trap_mark=(70, 70, 150), trap_shape="star", agent=(230, 60, 60), goal=(130, 60, 190),
             agent_shape="diamond", goal_shape="circle",
             words=_w("red diamond", "purple circle", "black holes", "pale blue")),
    # hard: opaque goal tile, low-contrast checker, the agent close in hue to the trap marks
    TrapSkin("ember", floor=(90, 90, 96), floor_alt=(104, 104, 110), edge=(20, 20, 20), trap=(150, 30, 30),
             trap_mark=(230, 90, 40), trap_shape="cross", agent=(255, 200, 40), goal=(40, 190, 200),
             agent_shape="triangle", goal_shape="tile", agent_scale=0.55,
             words=_w("yellow triangle", "cyan tile", "dark red tiles with orange crosses", "grey"), hard=True),
    # textured (VR-Bench's look): tile images, shaded multi-colour sprites
    TrapSkin("dungeon", floor=(206, 196, 172), floor_alt=(188, 178, 152), edge=(112, 62, 48), trap=(48, 44, 50),
             trap_mark=(235, 120, 30), trap_shape="cross", agent=(40, 80, 215), goal=(235, 190, 30),
             agent_shape="circle", goal_shape="circle", goal_scale=0.8, texture="stone", hard=True,
             words=_w("shaded blue ball", "golden coin", "dark pits with orange crosses", "sandy stone")),
]}


# --- layouts ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrapLevel(TaskConfig):
    """maze.trapfield's config; the difficulties are the presets in TRAP_LEVELS."""

    rows: int = knob(3, 24)
    cols: int = knob(3, 24)
    traps: float = knob(0.0, 0.5, doc="fraction of cells that are traps")
    min_path: int = knob(1, 500, doc="moves on the shortest path")
    # shortest path minus Manhattan distance: how much the traps force a way round
    min_detour: int = knob(0, 100)


TRAP_LEVELS = {"easy": TrapLevel(5, 5, 0.2, 4, 0), "medium": TrapLevel(7, 7, 0.28, 7, 2),
               "hard": TrapLevel(9, 9, 0.33, 11, 4)}


def cell_adjacency(free: np.ndarray) -> list[list[int]]:
    R, C = free.shape
    adj: list[list[int]] = [[] for _ in range(R * C)]
    for r in range(R):
        for c in range(C):
            if not free[r, c]:
                continue
            for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= rr < R and 0 <= cc < C and free[rr, cc]:
                    adj[r * C + c].append(rr * C + cc)
    return adj


@dataclass(frozen=True)
class FieldGeom:
    rows: int
    cols: int
    cell: int
    border: int

    @property
    def width(self) -> int:
        return self.cols * self.cell + 2 * self.border

    @property
    def height(self) -> int:
        return self.rows * self.cell + 2 * self.border

    def centre(self, r: float, c: float) -> tuple[float, float]:
        return self.border + (c + 0.5) * self.cell, self.border + (r + 0.5) * self.cell

    def to_json(self) -> dict:
        return {"rows": self.rows, "cols": self.cols, "cell_px": self.cell, "border_px": self.border,
                "width": self.width, "height": self.height}

    @classmethod
    def from_json(cls, d: dict) -> "FieldGeom":
        return cls(d["rows"], d["cols"], d["cell_px"], d["border_px"])

    @classmethod
    def fit(cls, rows: int, cols: int) -> "FieldGeom":
        cell = max(8, int(CANVAS_TARGET / (max(rows, cols) + 0.5)) // 2 * 2)
        return cls(rows, cols, cell, max(4, cell // 4 // 2 * 2))


@register_task("maze.trapfield", "Open grid with traps: walk to the goal without stepping on a trap.",
               group="maze")
class TrapField(CanvasJudged, TaskFamily):
    description = "An open grid strewn with traps: walk to the goal by a shortest path without touching a trap."
    dimension = "structural reasoning & search"
    skins = tuple(n for n, s in TRAP_SKINS.items() if not s.hard)
    all_skins = tuple(TRAP_SKINS)
    presets = TRAP_LEVELS
    checker_name = "trajectory"
    # 2: the leap rule; textured skins read against their still layout; planes; 3: pace = cruising pace;
    # 4: bands, start patch, agent lost at the goal (the trajectory engine); textured skins judge a trap tile
    # by its own look; 5: textured skins learn the start patch only from a frame that lines up unshaken, and
    # read the sprite on the goal by its colours
    checker_version = "5"
    frames_as_planes = True  # the trajectory checker samples planes (see TaskFamily)
    frames_per_step = 8
    hold_frames = 16
    perturbation_expectations = {"cut_to_final": "TELEPORT"}

    def check_skin(self, skin: str | None) -> None:
        if skin is not None and skin not in TRAP_SKINS:
            raise ValueError(f"{self.name}: unknown skin {skin!r}; known: {', '.join(TRAP_SKINS)}")

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: TrapLevel | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = TRAP_SKINS[skin_name]
        R, C = lv.rows, lv.cols
        for _ in range(500):
            free = rng.random((R, C)) >= lv.traps
            cells = np.flatnonzero(free.ravel())
            if len(cells) < 2:
                continue
            adj = cell_adjacency(free)
            start = int(cells[int(rng.integers(len(cells)))])
            d = np.array(bfs(adj, start))
            man = np.abs(np.arange(R * C) // C - start // C) + np.abs(np.arange(R * C) % C - start % C)
            pool = np.flatnonzero((d >= lv.min_path) & (d - man >= lv.min_detour))
            if not len(pool):
                continue
            goal = int(pool[int(rng.integers(len(pool)))])
            paths = all_shortest_paths(adj, start, goal)
            # a trap next to the route (what the trap-step control steps on) keeps traps relevant
            if not any(not free.ravel()[n] for p in paths[:1] for k in p for n in _lattice_nb(k, R, C)):
                continue
            break
        else:  # pragma: no cover
            raise RuntimeError(f"{self.name}/{difficulty}: no layout found")
        rc = lambda k: [k // C, k % C]  # noqa: E731
        geom = FieldGeom.fit(R, C)
        grid = np.where(free, 0, 1).astype(np.uint8)
        state = {
            "game": "trapfield", "rows": R, "cols": C, "grid": grid.tolist(),
            "start": rc(start), "goal": rc(goal), "traps": int((~free).sum()),
            "solutions": [[rc(k) for k in p] for p in paths], "solutions_complete": len(paths) < 64,
            "shortest_length": len(paths[0]) - 1, "skin": sk.to_json(), "geometry": geom.to_json(),
        }
        w = sk.words
        prompt_i2v = (
            f"A top-down view of an open {w['floor']} tiled field with {w['trap']}. The {w['agent']} walks "
            f"from tile to tile (up, down, left or right), never stepping on a trap, along the shortest safe "
            f"route to the {w['goal']}, then stops on it and stays there. The traps, the {w['goal']} and the "
            f"camera do not move.")
        prompt_t2v = (
            f"A top-down view of a {R}×{C} {w['floor']} tiled field with {int((~free).sum())} {w['trap']}. "
            f"A {w['agent']} starts in row {start // C + 1}, column {start % C + 1} and a {w['goal']} sits in "
            f"row {goal // C + 1}, column {goal % C + 1} (counting from the top left). The {w['agent']} walks "
            f"tile by tile around the traps along the shortest safe route to the {w['goal']} and stays on it. "
            f"Static camera, flat colours.")
        first = dress(self._render(geom, grid, tuple(rc(goal)), sk, tuple(rc(start))), sk)
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def layout_key(self, item: TaskItem) -> str:
        s = item.state
        return sha256_hex(canonical_json([s["grid"], s["start"], s["goal"]]))

    # --- drawing
    @staticmethod
    def _render(geom: FieldGeom, grid: np.ndarray, goal, sk: TrapSkin, agent=None) -> np.ndarray:
        img = np.empty((geom.height, geom.width, 3), np.uint8)
        img[:] = sk.edge
        b, s = geom.border, geom.cell
        mark = max(3, int(round(0.6 * s)))
        for r in range(geom.rows):
            for c in range(geom.cols):
                y, x = b + r * s, b + c * s
                if grid[r, c]:
                    img[y:y + s, x:x + s] = sk.trap
                    paste(img, sk.trap_shape, mark, sk.trap_mark, *geom.centre(r, c))
                else:
                    img[y:y + s, x:x + s] = sk.floor_alt if (r + c) % 2 else sk.floor
        gs = s if sk.goal_shape == "tile" else max(3, int(round(s * sk.goal_scale)))
        paste(img, sk.goal_shape, gs, sk.goal, *geom.centre(*goal))
        if agent is not None:
            paste(img, sk.agent_shape, max(3, int(round(s * sk.agent_scale))), sk.agent, *geom.centre(*agent))
        return img

    def _scene(self, item: TaskItem):
        s = item.state
        geom, sk = FieldGeom.from_json(s["geometry"]), TrapSkin.from_json(s["skin"])
        base = self._render(geom, np.array(s["grid"], np.uint8), tuple(s["goal"]), sk)
        return geom, sk, base

    def frames_at(self, item: TaskItem, plan) -> Iterator[np.ndarray]:
        geom, sk, base = self._scene(item)
        size = max(3, int(round(geom.cell * sk.agent_scale)))
        for r, c in plan:
            f = base.copy()
            paste(f, sk.agent_shape, size, sk.agent, *geom.centre(r, c))
            yield dress(f, sk)

    def _plan(self, path, num_frames=None, fps=None):
        if num_frames:
            return fit_plan(path, num_frames, fps or self.default_fps)
        return motion_plan(path, self.frames_per_step, self.hold_frames)

    def min_frames(self, item) -> int:
        return frames_for_moves(len(item.state["solutions"][0]) - 1)

    def solution_frames(self, item, solution=0, fps=None, num_frames=None):
        sols = item.state["solutions"]
        return self.frames_at(item, self._plan([tuple(p) for p in sols[solution % len(sols)]], num_frames, fps))

    def final_frame(self, item):
        return next(self.frames_at(item, [tuple(item.state["goal"])]))

    def random_frames(self, item, rng, fps=None, num_frames=None):
        s = item.state
        C = s["cols"]
        adj = cell_adjacency(np.array(s["grid"]) == 0)
        cur = s["start"][0] * C + s["start"][1]
        path = [cur]
        for _ in range(s["shortest_length"] + 2):
            if adj[cur]:
                cur = adj[cur][int(rng.integers(len(adj[cur])))]
            path.append(cur)
        return self.frames_at(item, self._plan([(k // C, k % C) for k in path], num_frames, fps))

    # --- judging
    def build_region_map(self, item: TaskItem):
        s = item.state
        geom, sk, base = self._scene(item)
        R, C = geom.rows, geom.cols
        free = np.array(s["grid"]) == 0
        yy, xx = np.mgrid[0:geom.height, 0:geom.width]
        r = (yy - geom.border) // geom.cell
        c = (xx - geom.border) // geom.cell
        inside = (r >= 0) & (r < R) & (c >= 0) & (c < C)
        cell = np.where(inside, np.clip(r, 0, R - 1) * C + np.clip(c, 0, C - 1), R * C)
        node_of = np.where(inside & free.ravel()[np.minimum(cell, R * C - 1)], cell, -1)
        palette, pclass = sk.palette()
        bidx = palette_index(base, palette)
        base_class = np.where(bidx >= 0, pclass[np.maximum(bidx, 0)], WALL)
        adj = cell_adjacency(free)
        edges = sorted({(min(a, b), max(a, b)) for a in range(R * C) for b in adj[a]})
        lattice = {(r_ * C + c_, r_ * C + c_ + 1) for r_ in range(R) for c_ in range(C - 1)}
        lattice |= {(r_ * C + c_, (r_ + 1) * C + c_) for r_ in range(R - 1) for c_ in range(C)}
        node_xy = np.array([geom.centre(k // C, k % C) for k in range(R * C)])
        # the agent's footprint on the goal (for calibration) and the border (not a game element)
        foot = np.zeros(base.shape, np.uint8)
        paste(foot, sk.agent_shape, int(round(geom.cell * sk.agent_scale)) + 4, (1, 1, 1), *geom.centre(*s["goal"]))
        # textured: the flat drawing says which pixel of the first frame shows what
        flat = self._render(geom, np.array(s["grid"], np.uint8), tuple(s["goal"]), sk, tuple(s["start"])) \
            if sk.texture else item.first_frame
        rm = canvas_region_map(
            node_of=node_of, block_of=cell, base_class=base_class, ignore=~inside,
            calib_ignore=foot[..., 0].astype(bool), first=item.first_frame, textured=bool(sk.texture),
            first_index=palette_index(flat, palette), palette=palette, palette_class=pclass,
            node_xy=node_xy, edges=edges, lattice=lattice, start=s["start"][0] * C + s["start"][1],
            goals={s["goal"][0] * C + s["goal"][1]},
            solutions=[[p[0] * C + p[1] for p in sol] for sol in s["solutions"]],
            cell_px=geom.cell, step_px=geom.cell, agent_px=geom.cell * sk.agent_scale)
        from ...checkers.regionmap import grid_node_names

        rm.node_names = grid_node_names(R, C)
        return rm

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        v = self.trajectory_verdict(item, frames, fit, fps)
        s = item.state
        geom = FieldGeom.from_json(s["geometry"])
        grid = np.array(s["grid"])

        def on_trap(nx: float, ny: float) -> bool:
            c = int((nx * geom.width - geom.border) // geom.cell)
            r = int((ny * geom.height - geom.border) // geom.cell)
            return 0 <= r < geom.rows and 0 <= c < geom.cols and bool(grid[r, c])

        return relabel_forbidden(v, "TRAP", on_trap)

    # --- must-fail controls
    def perturbations(self) -> list:
        from ...perturb import Perturbation, canvas_clip

        def trap_step(fam, item, rng):
            s = item.state
            R, C = s["rows"], s["cols"]
            grid = np.array(s["grid"])
            path = [tuple(p) for p in s["solutions"][0]]
            for k, (r, c) in enumerate(path):
                for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                    if 0 <= rr < R and 0 <= cc < C and grid[rr, cc]:
                        detour = path[:k + 1] + [(rr, cc), (r, c)] + path[k + 1:]
                        return canvas_clip(fam, item, fam.frames_at(item, fam._plan(detour)))
            raise RuntimeError("no trap next to the route")  # generation guarantees one

        def stop_short(fam, item, rng):
            path = [tuple(p) for p in item.state["solutions"][0]]
            return canvas_clip(fam, item, fam.frames_at(item, fam._plan(path[:max(2, len(path) // 2)])))

        def trap_excursion(fam, item, rng):
            from .excursion import wall_excursion as excursion

            geom = FieldGeom.from_json(item.state["geometry"])
            path = [tuple(p) for p in item.state["solutions"][0]]
            pos = [geom.centre(r, c) for r, c in fam._plan(path)]
            to_rc = lambda x, y: ((y - geom.border) / geom.cell - 0.5, (x - geom.border) / geom.cell - 0.5)  # noqa: E731
            return excursion(fam, item, pos, lambda p: canvas_clip(fam, item, fam.frames_at(item, [to_rc(*q) for q in p])))

        return [Perturbation("trap_step", "TRAP", trap_step, "steps onto a trap next to the route and back"),
                Perturbation("trap_excursion", "TRAP", trap_excursion,
                             "the agent's centre goes a third of a cell into a trap and comes back"),
                Perturbation("stop_short", "GOAL_NOT_REACHED", stop_short, "stops half way")]


def _lattice_nb(k: int, R: int, C: int):
    r, c = divmod(k, C)
    for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
        if 0 <= rr < R and 0 <= cc < C:
            yield rr * C + cc
