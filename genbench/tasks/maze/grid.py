"""maze.grid: perfect mazes on a square lattice, solved by moving an agent cell to cell.

Layout: R×C cells; walls between neighbouring cells. Drawn as a block maze (walls as thick as a
cell, the look of VR-Bench and maze-dataset) or, for some skins, with thin walls. The state stores
the VR-Bench-style block grid (0 floor, 1 wall), start, goal, every shortest path and the canvas
geometry, so a checker needs nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np

from ...schema import Fit, LazyFrame, TaskItem, Verdict, canonical_json, sha256_hex
from ..base import ItemCache, TaskFamily, frames_for_moves, register_task
from ..config import ConfigError, TaskConfig, knob
from .grid_layout import (CARVERS, Geometry, adjacency, all_shortest_paths, bfs, block_grid, fit_plan,
                          motion_plan, open_loops, paste_sprite, render_layout, walls_from_grid)
from .skins import SKINS, Skin
from .textures import dress

ALGORITHMS = ("backtracker", "kruskal", "wilson")


@dataclass(frozen=True)
class MazeSize(TaskConfig):
    """A lattice maze's size and path length (maze.grid, maze.grid-draw)."""

    rows: int = knob(2, 64)
    cols: int = knob(2, 64)
    min_path: int = knob(1, 4095, doc="minimum number of moves on the shortest path")

    def check(self) -> None:
        if self.min_path > self.rows * self.cols - 1:
            raise ConfigError(f"min_path={self.min_path} is not allowed: a {self.rows}×{self.cols} maze has "
                              f"paths of at most {self.rows * self.cols - 1} moves")


@dataclass(frozen=True)
class Level(MazeSize):
    """maze.grid's config; the difficulties are the presets in LEVELS."""

    algorithms: tuple[str, ...] = knob(choices=ALGORITHMS, default=ALGORITHMS, doc="carvers drawn from per item")
    loops: int = knob(0, 3969, default=0, doc="walls opened after carving (0: a perfect maze; more: several routes)")

    def check(self) -> None:
        super().check()
        if self.loops > (self.rows - 1) * (self.cols - 1):
            raise ConfigError(f"loops={self.loops} is not allowed: a {self.rows}×{self.cols} maze has "
                              f"{(self.rows - 1) * (self.cols - 1)} walls that can open")


LEVELS = {"easy": Level(4, 4, 5), "medium": Level(6, 6, 10), "hard": Level(9, 9, 22)}
_RM_CACHE = ItemCache(32)  # region maps by item hash: candidates of one item share one
# The first frame is a pure function of the state (grid, start, goal, skin, geometry): the content hash
# covers the state and this name instead of the pixels (TaskItem.renderer). Bump it whenever the same
# state could draw a different pixel.
RENDERER = "maze.grid/1"


def first_frame(geom: Geometry, h: np.ndarray, v: np.ndarray, goal_rc: tuple, start_rc: tuple, sk: Skin) -> np.ndarray:
    """The item's first frame: the layout with the agent on its start cell, dressed in the skin."""
    first = render_layout(geom, h, v, goal_rc, sk)  # drawn for this frame only: the agent goes onto it
    paste_sprite(first, geom, sk.agent_shape, sk.agent_scale, sk.agent, *geom.centre(*start_rc))
    return dress(first, sk)


# --- the family -----------------------------------------------------------------------------------

@register_task("maze.grid", "Perfect grid mazes (backtracker / Kruskal / Wilson): move the agent to the goal.",
               group="maze")
class GridMaze(TaskFamily):
    description = "Perfect grid mazes: move the agent along the corridors to the goal by a shortest path."
    dimension = "structural reasoning & search"
    skins = tuple(n for n, s in SKINS.items() if not s.hard)
    all_skins = tuple(SKINS)
    presets = LEVELS
    checker_name = "trajectory"
    # 2: the leap rule; textured skins read against their still layout; 3: pace = cruising pace;
    # 4: bands, the start patch learnt, an agent lost beside the goal (the trajectory engine); textured skins
    # judge a wall tile by its own look (a floor tile pasted over it read as the agent); 5: textured skins learn
    # the start patch only from a frame that lines up unshaken, and read the sprite on the goal by its colours
    checker_version = "5"
    # Planes, sampled exactly as swscale's RGB (FrameMapper planes="exact"): area-sampled planes convert
    # colours 1–2 levels off swscale, which turned the motion-blurred pale agent of agent_near_floor
    # (hard) into a false LAYOUT_CHANGED (tests/test_validate.py); the exact samples are the RGB path's
    # pixels bit for bit, without converting the whole frame (bench/bench_frames.py)
    frames_as_planes = True
    frames_per_step = 12  # VR-Bench's ground-truth pace at 24 fps
    hold_frames = 24

    def check_skin(self, skin: str | None) -> None:
        if skin is not None and skin not in SKINS:
            raise ValueError(f"{self.name}: unknown skin {skin!r}; known: {', '.join(SKINS)}")

    # items
    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        algorithm = lv.algorithms[int(rng.integers(len(lv.algorithms)))]
        R, C = lv.rows, lv.cols
        for _ in range(100):
            h, v = CARVERS[algorithm](R, C, rng)
            if lv.loops:  # no draw at all without loops: the presets' items stay as they were
                open_loops(h, v, lv.loops, rng)
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
        # drawn on first access (TaskItem.first_frame), from the carved walls it captures: a run that
        # never shows the model the frame neither draws nor holds it (faulting in 0.7 MB was half an item)
        at = tuple(goal_rc), tuple(start_rc)  # copies: the state's lists stay the caller's
        first = LazyFrame((geom.height, geom.width, 3), lambda: first_frame(geom, h, v, *at, sk))
        grid = block_grid(h, v)
        state = {
            "game": "maze", "rows": R, "cols": C, "algorithm": algorithm,
            "grid": grid.tolist(), "start": start_rc, "goal": goal_rc,
            "solutions": [[rc(k) for k in p] for p in paths],
            "shortest_length": len(paths[0]) - 1,
            "skin": sk.to_json(), "geometry": geom.to_json(),
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
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv, renderer=RENDERER)

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

        def build():
            _, skin, base = self._scene(item)
            return grid_region_map(item, skin, base)

        return _RM_CACHE.get(item.content_hash, build)

    def working_size(self, item: TaskItem) -> None:
        # Decode at full size: swscale's area resize costs more than the checker's own mapping
        # (one warpAffine into the working size, measured in bench/bench_maze.py).
        return None

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        from ...checkers.trajectory import TrajectoryChecker

        return TrajectoryChecker(self.region_map(item), version=self.checker_version,
                                 planes="exact").check(frames, fit, fps)

    def checker_for(self, mode: str) -> tuple[str, str]:
        if mode == "i2v":
            return super().checker_for(mode)
        from ...checkers.maze_t2v import CHECKER, VERSION

        return CHECKER, VERSION

    def check_t2v(self, item: TaskItem, frames: Iterable[np.ndarray], fps: float) -> Verdict:
        """The maze the model drew, read from its first frame; the prompt's size, start and goal are
        all the checker is told of the item (they are what ``prompt_t2v`` states)."""
        from ...checkers.maze_t2v import GridMazePrompt, check_grid_maze_t2v

        s = item.state
        return check_grid_maze_t2v(frames, GridMazePrompt(s["rows"], s["cols"], tuple(s["start"]), tuple(s["goal"])), fps)
