"""Shared base for mazes that are a graph drawn on a canvas (hexagonal, circular, irregular roads).

A family supplies a *lattice*: node centres, the neighbour pairs a passage could join, a route (a
polyline) per pair, and a drawing spec. The base carves a spanning tree (plus optional loops), picks
start and goal, and draws everything twice with the same cv2 calls: once as an int32 *label image*
(node id, N + open-passage id, or -1 for wall) and once in RGB from the exact skin palette, so the
checker's RegionMap is sampled from exactly what was drawn.

Two drawing styles:
  cells  (hex, circular): cell polygons filled, walls as thick polylines on the shared boundaries,
         pillars at boundary corners, an outer wall; an open boundary is drawn as a passage strip.
  roads  (irregular): background is "wall"; open pairs are thick curved roads, nodes are disks.

The base is split by concern: graph_layout (config, lattice, carving, routes), graph_draw (skins,
label image, floor frame, sprites), graph_regionmap (the checker's RegionMap), graph_perturb (the
must-fail perturbations). Their public names stay importable from here.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np

from ...geometry import arclength
from ...schema import Fit, LazyFrame, TaskItem, Verdict, canonical_json, sha256_hex, shared_json
from ..base import ItemCache, TaskFamily, frames_for_moves
from .graph_draw import (GRAPH_SKINS, HARD_SKINS, NORMAL_SKINS, OOD_SKINS, draw_labels, floor_frame,  # noqa: F401
                         paste, skin_from_json, sprite_px)
from .graph_layout import Lattice, Level, adjacency_of, along, route_points, spanning_tree  # noqa: F401
from .graph_perturb import graph_perturbations
from .graph_regionmap import MIN_AGENT_PX, MIN_CELL_PX, MIN_REGION_PX, MIN_WALL_PX, build_region_map  # noqa: F401
from .grid_layout import all_shortest_paths, bfs
from .regions import palette_index  # noqa: F401
from .skins import Skin

_CACHE = ItemCache(64)  # per item hash: rendered scene and region map (candidates of one item share them)

# --- the family base --------------------------------------------------------------------------------

class GraphMaze(TaskFamily):
    """Subclasses set description/presets and implement ``lattice(level, rng)`` and ``words``."""

    dimension = "structural reasoning & search"
    skins = NORMAL_SKINS
    all_skins = NORMAL_SKINS + HARD_SKINS + OOD_SKINS
    checker_name = "trajectory"
    checker_version = "4"  # 2: the leap rule (a one-frame jump far beyond its pace); planes; 3: pace = cruising pace
    # 4: bands, an agent lost beside the goal (the trajectory engine)
    frames_as_planes = True  # the trajectory checker samples planes (see TaskFamily)
    planes_sampling = "area"  # how its FrameMapper samples them (vision.mapping.FrameMapper's planes)
    retrack_bad = False  # the trajectory checker's retrack_bad
    frames_per_step = 6  # 0.25 s per move at 24 fps keeps oracle videos short
    hold_frames = 12
    maze_words = "maze"  # e.g. "hexagonal maze"
    move_words = "through the openings between cells, one cell at a time"
    # The first frame is a pure function of the state (lattice and its drawing spec, open pairs, start,
    # goal, skin): the content hash covers the state and this name instead of the pixels
    # (TaskItem.renderer; hashing the 0.5 MB frame was a quarter of a circular item). Bump it whenever
    # the same state could draw a different pixel.
    renderer = "maze.graph/1"
    # A family whose layouts changed for the same seed names its generator version here: it is written
    # into the state (so into the content hash and the JSON), and runs made before do not resume as if
    # they were the same items. Empty: nothing written (hex and circular keep their items' hashes).
    generator = ""

    # -- family hooks --
    def lattice(self, level: Level, rng: np.random.Generator) -> Lattice:
        raise NotImplementedError

    def check_skin(self, skin: str | None) -> None:
        if skin is not None and skin not in GRAPH_SKINS:
            raise ValueError(f"{self.name}: unknown skin {skin!r}; known: {', '.join(GRAPH_SKINS)}")

    # -- items --
    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, OOD_SKINS if difficulty == "ood" else None,
                                             config)
        sk = GRAPH_SKINS[skin_name]
        for _ in range(60):
            lat = self.lattice(lv, rng)
            n, pairs = len(lat.node_xy), lat.pairs
            is_open = spanning_tree(n, pairs, rng, lv.algorithm)
            closed = np.flatnonzero(~is_open)
            if lv.loops and len(closed):
                is_open[rng.choice(closed, size=min(lv.loops, len(closed)), replace=False)] = True
            adj = adjacency_of(n, pairs, is_open)
            far = bfs(adj, int(rng.integers(n)))
            a = int(np.argmax(far))
            da = np.array(bfs(adj, a))
            best = int(da.max())
            if best < lv.min_path:
                continue
            cand = np.flatnonzero(da >= max(lv.min_path, int(0.7 * best)))
            b = int(cand[int(rng.integers(len(cand)))])
            start, goal = (a, b) if rng.random() < 0.5 else (b, a)
            break
        else:  # pragma: no cover - levels are chosen so this does not happen
            raise RuntimeError(f"{self.name}/{difficulty}: no layout with a path of {lv.min_path} moves")
        paths = all_shortest_paths(adj, start, goal)
        deg = np.array([len(x) for x in adj])
        lat_json = lat.to_json()
        state = {
            "game": "maze", "kind": self.name.split(".", 1)[1], "size": lv.size, "algorithm": lv.algorithm,
            "lattice": lat_json, "open": is_open.astype(int).tolist(), "start": start, "goal": goal,
            "solutions": paths, "shortest_length": len(paths[0]) - 1,
            "stats": {"nodes": n, "dead_ends": int((deg == 1).sum()), "branches": int((deg >= 3).sum()),
                      "loops": int(is_open.sum()) - (n - 1), **lat.info},
            "skin": sk.to_json(),
            **({"generator": self.generator} if self.generator else {}),
        }
        # drawn on first access (TaskItem.first_frame) from what it captures here, not from the state
        first = LazyFrame((lat.height, lat.width, 3), lambda: _first_frame(lat_json, is_open, sk, goal, start))
        p_i2v, p_t2v = self.prompts(state, sk)
        return self.new_item(index, difficulty, seed, p_i2v, p_t2v, state, first, lv, renderer=self.renderer)

    def prompts(self, state: dict, sk: Skin) -> tuple[str, str]:
        w = sk.words
        lat = state["lattice"]
        where_s = _where(lat["node_xy"][state["start"]], lat["width"], lat["height"])
        where_g = _where(lat["node_xy"][state["goal"]], lat["width"], lat["height"])
        body = (f"The {w['agent']} moves {self.move_words} and never through a {w['wall']} wall, along the "
                f"shortest route to the {w['goal']}, then stops on the {w['goal']} and stays there.")
        i2v = (f"A top-down view of a {self.maze_words} with {w['floor']} paths and {w['wall']} walls. {body} "
               f"The walls, the {w['goal']} and the camera do not move.")
        t2v = (f"A top-down view of a {self.maze_words} ({self.size_words(state)}) with {w['floor']} paths and "
               f"{w['wall']} walls. A {w['agent']} starts {where_s} and a {w['goal']} sits {where_g}. {body} "
               f"Static camera, flat colours.")
        return i2v, t2v

    def size_words(self, state: dict) -> str:
        return f"{state['stats']['nodes']} cells"

    def layout_key(self, item: TaskItem) -> str:
        s = item.state
        return sha256_hex(canonical_json([s["lattice"]["node_xy"], s["lattice"]["pairs"], s["open"],
                                          s["start"], s["goal"]]))

    # -- frames --
    def _scene_key(self, state: dict) -> str:
        # cheap key: fixed lattices are identified by kind and size, random ones by their nodes
        return sha256_hex(shared_json(state["lattice"]), canonical_json([state["kind"], state["size"], state["open"],
                                                                         state["goal"], state["skin"]]))

    def _base(self, state: dict):
        """(skin, the frame without the agent): all that generation and rendering need. Not cached:
        painting it (~0.2 ms) costs less than keying a cache on the state."""
        sk = skin_from_json(state["skin"])
        return sk, _layout(state["lattice"], np.array(state["open"], bool), sk, state["goal"])

    def _scene(self, state: dict):
        """(skin, labels, wall ids, base frame): what the region map and the perturbations read."""
        key = self._scene_key(state)
        def build():
            sk, base = self._base(state)
            lab, wid = draw_labels(state["lattice"], np.array(state["open"], bool))
            return sk, lab, wid, base

        return _CACHE.get(("scene", key), build)

    def frames_at_state(self, state: dict, positions: Iterable[tuple[float, float]]) -> Iterator[np.ndarray]:
        sk, base = self._base(state)
        size = sprite_px(state["lattice"]["cell_px"], sk.agent_scale)
        for x, y in positions:
            f = base.copy()
            paste(f, sk.agent_shape, size, sk.agent, x, y)
            yield f

    def frames_at(self, item: TaskItem, positions) -> Iterator[np.ndarray]:
        return self.frames_at_state(item.state, positions)

    def step_length(self, state: dict) -> float:
        """Canvas distance one move covers on average: sets the oracle's speed."""
        xy = np.asarray(state["lattice"]["node_xy"])
        p = np.asarray(state["lattice"]["pairs"])
        return float(np.median(np.hypot(*(xy[p[:, 0]] - xy[p[:, 1]]).T)))

    def plan(self, state: dict, path: list[int], num_frames: int | None = None, lead: int = 0,
             hold: int | None = None) -> list[tuple[float, float]]:
        """Positions per frame: ``lead`` still frames, constant speed along the routes, then a hold."""
        pts = route_points(state, path)
        length = arclength(pts)
        if num_frames:
            hold = max(1, int(round(0.2 * num_frames)))
            moving = max(2, num_frames - hold - lead)
        else:
            hold = self.hold_frames if hold is None else hold
            moving = max(2, int(np.ceil(length / self.step_length(state) * self.frames_per_step)) + 1)
        xy0 = tuple(state["lattice"]["node_xy"][path[0]])
        out = [xy0] * lead + along(pts, moving) if len(path) > 1 else [xy0] * (lead + moving)
        out += [out[-1]] * hold
        return out[:num_frames] if num_frames else out

    def min_frames(self, item: TaskItem) -> int:
        return frames_for_moves(len(item.state["solutions"][0]) - 1)

    def solution_frames(self, item: TaskItem, solution: int = 0, fps: float | None = None,
                        num_frames: int | None = None) -> Iterator[np.ndarray]:
        sols = item.state["solutions"]
        return self.frames_at(item, self.plan(item.state, sols[solution % len(sols)], num_frames))

    def final_frame(self, item: TaskItem) -> np.ndarray:
        return next(self.frames_at(item, [tuple(item.state["lattice"]["node_xy"][item.state["goal"]])]))

    def random_path(self, state: dict, rng: np.random.Generator, steps: int) -> list[int]:
        lat = state["lattice"]
        adj = adjacency_of(len(lat["node_xy"]), lat["pairs"], state["open"])
        path = [state["start"]]
        for _ in range(steps):
            path.append(adj[path[-1]][int(rng.integers(len(adj[path[-1]])))])
        return path

    def random_frames(self, item: TaskItem, rng: np.random.Generator, fps: float | None = None,
                      num_frames: int | None = None) -> Iterator[np.ndarray]:
        path = self.random_path(item.state, rng, item.state["shortest_length"] + 2)
        return self.frames_at(item, self.plan(item.state, path, num_frames))

    # -- judging --
    def region_map(self, item: TaskItem):
        return _CACHE.get(("rm", item.content_hash), lambda: build_region_map(self, item))

    def working_size(self, item: TaskItem) -> tuple[int, int]:
        rm = self.region_map(item)
        return rm.width, rm.height

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        from ...checkers.trajectory import TrajectoryChecker

        return TrajectoryChecker(self.region_map(item), version=self.checker_version,
                                 planes=self.planes_sampling, retrack_bad=self.retrack_bad).check(frames, fit, fps)

    def perturbations(self) -> list:
        return graph_perturbations()


def _layout(lat: dict, is_open: np.ndarray, sk: Skin, goal: int) -> np.ndarray:
    """The frame without the agent: floor, walls and the goal."""
    base = floor_frame(lat, is_open, sk)
    gx, gy = lat["node_xy"][goal]
    paste(base, sk.goal_shape, sprite_px(lat["cell_px"], sk.goal_scale), sk.goal, gx, gy)
    return base


def _first_frame(lat: dict, is_open: np.ndarray, sk: Skin, goal: int, start: int) -> np.ndarray:
    """The layout with the agent painted in place (no second 0.5 MB copy)."""
    first = _layout(lat, is_open, sk, goal)
    paste(first, sk.agent_shape, sprite_px(lat["cell_px"], sk.agent_scale), sk.agent, *lat["node_xy"][start])
    return first


def _where(xy, w: int, h: int) -> str:
    x, y = xy[0] / w, xy[1] / h
    v = "top" if y < 0.36 else ("bottom" if y > 0.64 else "")
    u = "left" if x < 0.36 else ("right" if x > 0.64 else "")
    spot = " ".join(p for p in (v, u) if p)
    return f"near the {spot}" if spot else "near the centre"
