"""maze.grid-draw: the grid maze as a drawing task — draw a line through the corridors from start to goal.

Nothing moves: a line in a pen colour grows from the start marker to the goal marker. The family
draws the items and builds the spec (``StrokeMap``) of the stroke checker (genbench/checkers/stroke.py),
which follows the line, not an agent: it starts at the start, grows through open passages only,
joins start and goal, stays, and covers exactly a shortest route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import cv2
import numpy as np

from ...checkers.stroke import StrokeChecker, StrokeMap
from ...checkers.regionmap import RegionMap
from ...schema import Fit, TaskItem, Verdict, canonical_json, sha256_hex
from ..base import ItemCache, TaskFamily, frames_for_moves, register_task
from ..config import knob
from .grid import ALGORITHMS, MazeSize
from .grid_layout import (CARVERS, Geometry, adjacency, all_shortest_paths, bfs, block_grid, render_layout,
                          walls_from_grid)
from .graph_draw import paste, skin_from_json
from .regions import block_labels, palette_index
from .skins import AGENT, FLOOR, GOAL, SKINS, WALL, Skin



@dataclass(frozen=True)
class DrawLevel(MazeSize):
    """maze.grid-draw's config; the difficulties are the presets in DRAW_LEVELS."""

    algorithm: str = knob(choices=ALGORITHMS, default="backtracker")


DRAW_LEVELS = {"easy": DrawLevel(4, 4, 5, "backtracker"), "medium": DrawLevel(6, 6, 10, "wilson"),
               "hard": DrawLevel(9, 9, 22, "kruskal"), "ood": DrawLevel(12, 12, 34, "kruskal")}
PEN_RATIO = 0.3  # line width / cell
_CACHE = ItemCache(64)  # base frames and stroke maps by item

# Skin → (pen colour, pen words). The start marker uses the skin's agent colour and shape.
PENS = {"classic": ((30, 90, 230), "blue line"), "night": ((235, 60, 200), "magenta line"),
        "garden": ((225, 40, 40), "red line"), "fog": ((212, 66, 56), "thin red line"),
        "ember": ((110, 250, 120), "bright green line")}
DRAW_SKINS: dict[str, Skin] = {
    "classic": SKINS["classic"], "night": SKINS["night"], "garden": SKINS["garden"],
    # hard: low contrast everywhere and a thin pen
    "fog": Skin("fog", floor=(184, 184, 178), wall=(104, 106, 116), agent=(40, 90, 215), goal=(50, 155, 75),
                agent_shape="circle", goal_shape="square", agent_scale=0.5, goal_scale=0.5,
                words={"agent": "blue dot", "goal": "green square", "floor": "light grey",
                       "wall": "mid grey"}, hard=True),
    # out of distribution: unseen colours, thin walls
    "ember": Skin("ember", floor=(44, 30, 30), wall=(232, 200, 120), agent=(80, 200, 255), goal=(255, 80, 160),
                  agent_shape="star", goal_shape="cross", agent_scale=0.7, goal_scale=0.66, wall_ratio=0.35,
                  words={"agent": "sky-blue star", "goal": "pink cross", "floor": "dark brown", "wall": "sand-yellow"}),
}
PEN_WIDTH_SCALE = {"fog": 0.7}


def _pen_px(cell: int, skin: str) -> int:
    return max(2, int(round(cell * PEN_RATIO * PEN_WIDTH_SCALE.get(skin, 1.0))))


@register_task("maze.grid-draw", "Grid mazes as drawing: draw a line through the corridors from start to goal.",
               group="maze")
class GridDrawMaze(TaskFamily):
    description = "Perfect grid mazes: draw one line from the start marker to the goal along the shortest route."
    dimension = "structural reasoning & search"
    presets = DRAW_LEVELS
    skins = ("classic", "night", "garden")
    all_skins = ("classic", "night", "garden", "fog", "ember")
    checker_name = "stroke"
    # RGB frames: the planes A/B (bench/validate_planes.py) reached only 2 of its 10 skin × difficulty
    # combos, and its hard/fog drift clip was a miss last session; switch once every combo is shown equal
    frames_as_planes = False
    checker_version = "5"  # 2: the stroke engine reads a marker core one pixel off under drift; 3: the last
    # frame holds the goal when one stroke still joins start and goal, however faded an end cell's ink;
    # 4: the line begins at the start when its first full cell's stroke reaches into the start cell;
    # 5: pieces of the line apart by less than the pen's width are one stroke
    frames_per_step = 6
    hold_frames = 12

    def check_skin(self, skin: str | None) -> None:
        if skin is not None and skin not in DRAW_SKINS:
            raise ValueError(f"{self.name}: unknown skin {skin!r}; known: {', '.join(DRAW_SKINS)}")

    # -- items --
    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: DrawLevel | None = None) -> TaskItem:
        # ood: bigger mazes in an unseen skin
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, ("ember",) if difficulty == "ood" else None,
                                             config)
        sk = DRAW_SKINS[skin_name]
        R, C = lv.rows, lv.cols
        for _ in range(100):
            h, v = CARVERS[lv.algorithm](R, C, rng)
            adj = adjacency(h, v)
            a = int(np.argmax(bfs(adj, int(rng.integers(R * C)))))
            da = np.array(bfs(adj, a))
            if da.max() < lv.min_path:
                continue
            pool = np.flatnonzero(da >= max(lv.min_path, int(0.7 * da.max())))
            b = int(pool[int(rng.integers(len(pool)))])
            start, goal = (a, b) if rng.random() < 0.5 else (b, a)
            break
        else:  # pragma: no cover
            raise RuntimeError(f"{self.name}/{difficulty}: no layout with a path of {lv.min_path} moves")
        paths = all_shortest_paths(adj, start, goal)
        geom = Geometry.for_skin(R, C, sk)
        rc = lambda k: [k // C, k % C]  # noqa: E731
        pen, pen_words = PENS[skin_name]
        deg = np.array([len(x) for x in adj])
        state = {
            "game": "maze-draw", "rows": R, "cols": C, "algorithm": lv.algorithm,
            "grid": block_grid(h, v).tolist(), "start": rc(start), "goal": rc(goal),
            "solutions": [[rc(k) for k in p] for p in paths], "shortest_length": len(paths[0]) - 1,
            "stats": {"dead_ends": int((deg == 1).sum()), "branches": int((deg >= 3).sum())},
            "skin": sk.to_json(), "pen": list(pen), "pen_words": pen_words,
            "pen_px": _pen_px(geom.cell, skin_name), "geometry": geom.to_json(),
        }
        w = sk.words
        i2v = (f"A top-down view of a maze with {w['floor']} corridors and {w['wall']} walls, a {w['agent']} "
               f"marking the start and a {w['goal']} marking the goal. A {pen_words} is drawn, growing steadily "
               f"from the {w['agent']} through the corridors along the shortest route until it reaches the "
               f"{w['goal']}; it never crosses a wall and nothing else changes. The finished line stays visible.")
        t2v = (f"A top-down view of a {R}×{C} grid maze with {w['floor']} corridors and {w['wall']} walls. A "
               f"{w['agent']} marks the start in row {rc(start)[0] + 1}, column {rc(start)[1] + 1} and a "
               f"{w['goal']} marks the goal in row {rc(goal)[0] + 1}, column {rc(goal)[1] + 1} (from the top left). "
               f"A {pen_words} grows from the start through the corridors along the shortest route to the goal, "
               f"never crossing a wall, and stays. Static camera, flat colours.")
        return self.new_item(index, difficulty, seed, i2v, t2v, state, self._base(state), lv)

    def layout_key(self, item: TaskItem) -> str:
        s = item.state
        return sha256_hex(canonical_json([s["grid"], s["start"], s["goal"]]))

    # -- frames --
    def _base(self, state: dict) -> np.ndarray:
        """The canvas without the line: maze, goal marker and start marker."""
        key = sha256_hex(canonical_json([state["grid"], state["start"], state["goal"], state["skin"]]))

        def build():
            geom = Geometry.from_json(state["geometry"])
            sk = skin_from_json(state["skin"])
            h, v = walls_from_grid(np.array(state["grid"], np.uint8))
            frame = render_layout(geom, h, v, tuple(state["goal"]), sk)
            size = max(3, int(round(geom.cell * min(1.0, sk.agent_scale))))
            paste(frame, sk.agent_shape, size, sk.agent, *geom.centre(*state["start"]))
            return frame

        return _CACHE.get(("base", key), build).copy()

    def frames_of_strokes(self, state: dict, strokes_per_frame: Iterable[list]) -> Iterator[np.ndarray]:
        """One frame per entry: a list of polylines (fractional (r, c) points) drawn in the pen colour."""
        geom = Geometry.from_json(state["geometry"])
        pen = tuple(int(x) for x in state["pen"])
        base = self._base(state)
        for strokes in strokes_per_frame:
            f = base.copy()
            for line in strokes:
                if len(line) == 0:
                    continue
                pts = np.round([geom.centre(r, c) for r, c in line]).astype(np.int32).reshape(-1, 1, 2)
                if len(line) == 1:
                    pts = np.concatenate([pts, pts])
                cv2.polylines(f, [pts], False, pen, thickness=int(state["pen_px"]))
            yield f

    @staticmethod
    def growth(path: list, frames_per_step: int) -> list[list]:
        """Prefixes of ``path`` (cells as (r, c)) growing by 1/frames_per_step cell per frame; the first
        frame has no ink, so it equals the item's first frame."""
        out: list[list] = [[]]
        for i in range(1, len(path)):
            (r0, c0), (r1, c1) = path[i - 1], path[i]
            for k in range(1, frames_per_step + 1):
                t = k / frames_per_step
                out.append(list(path[:i]) + [(r0 + (r1 - r0) * t, c0 + (c1 - c0) * t)])
        return out

    def _timeline(self, path: list, num_frames: int | None) -> list[list]:
        if num_frames:
            hold = max(1, int(round(0.2 * num_frames)))
            fps_step = max(1, (num_frames - 1 - hold) // max(len(path) - 1, 1))
            tl = self.growth(path, fps_step)
            return (tl + [tl[-1]] * num_frames)[:num_frames]
        tl = self.growth(path, self.frames_per_step)
        return tl + [tl[-1]] * self.hold_frames

    def min_frames(self, item) -> int:
        return frames_for_moves(len(item.state["solutions"][0]) - 1)

    def solution_frames(self, item: TaskItem, solution: int = 0, fps: float | None = None,
                        num_frames: int | None = None) -> Iterator[np.ndarray]:
        sols = item.state["solutions"]
        path = [tuple(p) for p in sols[solution % len(sols)]]
        return self.frames_of_strokes(item.state, ([line] for line in self._timeline(path, num_frames)))

    def final_frame(self, item: TaskItem) -> np.ndarray:
        path = [tuple(p) for p in item.state["solutions"][0]]
        return next(self.frames_of_strokes(item.state, [[path]]))

    def random_frames(self, item: TaskItem, rng: np.random.Generator, fps: float | None = None,
                      num_frames: int | None = None) -> Iterator[np.ndarray]:
        s = item.state
        C = s["cols"]
        adj = adjacency(*walls_from_grid(np.array(s["grid"], np.uint8)))
        cur = s["start"][0] * C + s["start"][1]
        path = [cur]
        for _ in range(s["shortest_length"] + 2):
            cur = adj[cur][int(rng.integers(len(adj[cur])))]
            path.append(cur)
        return self.frames_of_strokes(s, ([line] for line in self._timeline([(k // C, k % C) for k in path],
                                                                             num_frames)))

    # -- judging --
    def stroke_map(self, item: TaskItem) -> StrokeMap:
        return _CACHE.get(("sm", item.content_hash), lambda: build_stroke_map(self, item))

    def working_size(self, item: TaskItem) -> tuple[int, int]:
        sm = self.stroke_map(item)
        return sm.rm.width, sm.rm.height

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        return StrokeChecker(self.stroke_map(item), version=self.checker_version).check(frames, fit, fps)

    def perturbations(self) -> list:
        from ...perturb import Perturbation

        return [
            Perturbation("wall_crossing", "WALL_CROSSING", _p_wall, "the line cuts through a wall"),
            Perturbation("wall_excursion", "WALL_CROSSING", _p_excursion,
                         "the line's tip goes a third of a cell into a wall, then retracts and goes on"),
            Perturbation("gap", "TELEPORT", _p_gap, "the line breaks off and resumes cells further on"),
            Perturbation("wrong_start", "WRONG_START", _p_wrong_start,
                         "the line begins one cell past the start marker and goes on to the goal"),
            Perturbation("stop_short", "GOAL_NOT_REACHED", _p_short, "the line stops two cells early"),
            Perturbation("erase_end", "GOAL_NOT_HELD", _p_erase, "the line reaches the goal, then retracts"),
            Perturbation("layout_changed", "LAYOUT_CHANGED", _p_layout, "a wall disappears mid-video"),
        ]


# --- the checker's spec ------------------------------------------------------------------------------

def build_stroke_map(fam: GridDrawMaze, item: TaskItem) -> StrokeMap:
    """The stroke checker's spec: cells, passages and walls labelled at the working size, the layout
    regions and the palette with the pen as the only "moving" (AGENT) class."""
    s = item.state
    geom = Geometry.from_json(s["geometry"])
    sk = skin_from_json(s["skin"])
    R, C = geom.rows, geom.cols
    scale = min(1.0, max(12 / geom.cell, 3 / geom.wall, 3 / s["pen_px"]))
    W, H = max(8, int(round(geom.width * scale))), max(8, int(round(geom.height * scale)))
    xs = np.minimum(((np.arange(W) + 0.5) * geom.width / W).astype(int), geom.width - 1)
    ys = np.minimum(((np.arange(H) + 0.5) * geom.height / H).astype(int), geom.height - 1)

    h, v = walls_from_grid(np.array(s["grid"], np.uint8))
    BX, BY, labels, edges = block_labels(geom, h, v, xs, ys)
    # palette: the start marker is a static marker (GOAL class), the pen is the only AGENT colour
    cols = [sk.floor, sk.wall, sk.goal, sk.agent, tuple(s["pen"])] + ([sk.floor_alt] if sk.floor_alt else [])
    palette = np.array(cols, np.uint8)
    pclass = np.array([FLOOR, WALL, GOAL, GOAL, AGENT] + ([FLOOR] if sk.floor_alt else []), np.int64)
    base = fam._base(s)
    base_idx = palette_index(base, palette)[np.ix_(ys, xs)]
    layout_class = np.where(base_idx >= 0, pclass[np.maximum(base_idx, 0)], WALL).astype(np.uint8)
    key = (BY * (2 * C + 1) + BX) * 8 + np.maximum(base_idx, 0)
    same = np.ones_like(key, bool)
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        same &= np.roll(key, (dy, dx), axis=(0, 1)) == key
    same[0, :] = same[-1, :] = same[:, 0] = same[:, -1] = False
    # markers are small, saturated sprites on the floor: their rims blur into other classes after
    # compression and resampling, so they lose one more pixel
    inner = same.copy()
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        inner &= np.roll(same, (dy, dx), axis=(0, 1))
    same = np.where(layout_class == GOAL, inner, same)
    _, inv = np.unique(key, return_inverse=True)
    layout_ids = np.where(same, inv.reshape(key.shape), -1).astype(np.int64)
    first_idx = palette_index(item.first_frame, palette)[np.ix_(ys, xs)]
    lattice = {(r * C + c, r * C + c + 1) for r in range(R) for c in range(C - 1)}
    lattice |= {(r * C + c, (r + 1) * C + c) for r in range(R - 1) for c in range(C)}
    adj = adjacency(h, v)
    open_pairs = {(min(a, b), max(a, b)) for a, b in edges}
    goal = s["goal"][0] * C + s["goal"][1]
    node_xy = np.array([[geom.centre(r, c)[0] * W / geom.width, geom.centre(r, c)[1] * H / geom.height]
                        for r in range(R) for c in range(C)])
    rm = RegionMap(
        width=W, height=H, labels=labels, layout_ids=layout_ids, layout_class=layout_class, palette=palette,
        palette_class=pclass, palette_map=np.where(same, first_idx, -1), node_xy=node_xy,
        edges=np.array(edges, np.int64).reshape(-1, 2), lattice_pairs=lattice,
        start=s["start"][0] * C + s["start"][1], goals={goal}, dist_to_goal=bfs(adj, goal),
        solutions=[[p[0] * C + p[1] for p in sol] for sol in s["solutions"]],
        cell_px=geom.cell * W / geom.width, step_px=geom.pitch * W / geom.width, agent_area=0.0)
    return StrokeMap(rm, s["pen_px"] * W / geom.width, C, lattice - open_pairs, adj, rm.solutions,
                     cv2.resize(item.first_frame, (W, H), interpolation=cv2.INTER_AREA))


# --- must-fail perturbations ----------------------------------------------------------------------------

def _clip(fam: GridDrawMaze, item: TaskItem, per_frame: list):
    from ...perturb import canvas_clip

    return canvas_clip(fam, item, fam.frames_of_strokes(item.state, per_frame))


def _sol(item: TaskItem) -> list:
    return [tuple(p) for p in item.state["solutions"][0]]


def _p_wall(fam, item, rng):
    s = item.state
    sol = _sol(item)
    g = np.array(s["grid"])
    on = set(sol)
    for i, (r, c) in enumerate(sol[:-1]):
        for dr, dc in ((0, 1), (0, -1), (1, 0), (-1, 0)):
            rr, cc = r + dr, c + dc
            if (0 <= rr < s["rows"] and 0 <= cc < s["cols"] and (rr, cc) not in on
                    and g[2 * r + 1 + dr, 2 * c + 1 + dc] == 1):
                tl = fam.growth(sol[:i + 1] + [(rr, cc)], fam.frames_per_step)
                return _clip(fam, item, [[line] for line in tl + [tl[-1]] * fam.hold_frames])
    raise RuntimeError(f"{item.id}: no walled neighbour along the solution")


def _p_excursion(fam, item, rng):
    """The pen leans into a wall beside the route: its tip goes ``BEYOND`` cells past the corridor's
    edge, stays, comes back (the ink retracts), and the line goes on to the goal."""
    from .excursion import BEYOND, OUT, STAY

    s = item.state
    geom = Geometry.from_json(s["geometry"])
    sol = _sol(item)
    g = np.array(s["grid"])
    reach = (0.5 * geom.cell + BEYOND * geom.cell) / geom.pitch  # in cells of the lattice (pitch)
    fps = fam.frames_per_step
    full = fam.growth(sol, fps)
    for i, (r, c) in enumerate(sol[1:-1], 1):
        for dr, dc in ((0, 1), (0, -1), (1, 0), (-1, 0)):
            if g[2 * r + 1 + dr, 2 * c + 1 + dc] != 1 or (r + dr, c + dc) in sol:
                continue  # not a wall, or a wall the route passes on the other side
            tips = [(r + dr * reach * j / OUT, c + dc * reach * j / OUT) for j in range(1, OUT + 1)]
            trip = tips + [tips[-1]] * STAY + tips[::-1][1:]
            lean = [list(sol[:i + 1]) + [t] for t in trip]
            tl = full[:i * fps + 1] + lean + full[i * fps:]
            return _clip(fam, item, [[line] for line in tl + [tl[-1]] * fam.hold_frames])
    return None


def _p_gap(fam, item, rng):
    sol = _sol(item)
    a = fam.growth(sol[:2], fam.frames_per_step)
    b = fam.growth(sol[3:], fam.frames_per_step)
    per = [[line] for line in a] + [[a[-1], line] for line in b]
    return _clip(fam, item, per + [per[-1]] * fam.hold_frames)


def _p_wrong_start(fam, item, rng):
    sol = _sol(item)
    if len(sol) < 3:
        return None
    tl = fam.growth(sol[1:], fam.frames_per_step)
    return _clip(fam, item, [[line] for line in tl + [tl[-1]] * fam.hold_frames])


def _p_short(fam, item, rng):
    tl = fam.growth(_sol(item)[:-2], fam.frames_per_step)
    return _clip(fam, item, [[line] for line in tl + [tl[-1]] * fam.hold_frames])


def _p_erase(fam, item, rng):
    sol = _sol(item)
    tl = fam.growth(sol, fam.frames_per_step)
    back = tl[::-1][: 2 * fam.frames_per_step + 1]
    return _clip(fam, item, [[line] for line in tl + [tl[-1]] * 6 + back + [back[-1]] * fam.hold_frames])


def _p_layout(fam, item, rng):
    from ...perturb import canvas_clip

    s = item.state
    geom = Geometry.from_json(s["geometry"])
    sk = skin_from_json(s["skin"])
    g = np.array(s["grid"])
    on = {(2 * r + 1, 2 * c + 1) for sol in s["solutions"] for r, c in sol}
    # an interior wall block between two cells, away from the solution
    walls = [(y, x) for y in range(1, g.shape[0] - 1) for x in range(1, g.shape[1] - 1)
             if g[y, x] == 1 and (y % 2) != (x % 2)]
    cand = [(y, x) for y, x in walls if not {(y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)} & on] or walls
    y, x = cand[int(rng.integers(len(cand)))]
    x0 = geom.wall + (x - 1) // 2 * geom.pitch + (geom.cell if x % 2 == 0 else 0)
    y0 = geom.wall + (y - 1) // 2 * geom.pitch + (geom.cell if y % 2 == 0 else 0)
    w = geom.wall if x % 2 == 0 else geom.cell
    h = geom.wall if y % 2 == 0 else geom.cell
    frames = list(fam.solution_frames(item))
    for f in frames[len(frames) // 3:]:
        f[y0:y0 + h, x0:x0 + w] = sk.floor
    return canvas_clip(fam, item, frames)
