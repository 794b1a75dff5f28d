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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator

import cv2
import numpy as np

from ...geometry import arclength, resample
from ...schema import Fit, TaskItem, Verdict, canonical_json, sha256_hex, share_json, shared_json
from ..base import TaskFamily, frames_for_moves
from ..config import TaskConfig, knob
from .grid_layout import all_shortest_paths, bfs, kruskal_joins
from .graph_raster import cells_raster, loose_tiles
from .graph_raster import pts as _pts
from .skins import AGENT, SKINS, WALL, Skin, shape_mask

MIN_CELL_PX = 12  # working pixels per cell (same targets as the grid maze)
MIN_AGENT_PX = 7
MIN_WALL_PX = 6  # thin walls keep a 2-px core after the 2-px erosion below
MIN_REGION_PX = 10  # smallest layout region the checker watches
_CACHE: dict = {}  # per item hash: rendered scene and region map (candidates of one item share them)


def _w(agent: str, goal: str, floor: str, wall: str) -> dict:
    return {"agent": agent, "goal": goal, "floor": floor, "wall": wall}


# Three skins shared with maze.grid, one hard skin (low contrast, small agent) and one skin that only
# the out-of-distribution split uses by default (unseen colours and shapes).
GRAPH_SKINS: dict[str, Skin] = {
    "classic": SKINS["classic"], "night": SKINS["night"], "garden": SKINS["garden"],
    "fog": Skin("fog", floor=(184, 184, 178), wall=(104, 106, 116), agent=(214, 64, 52), goal=(70, 140, 95),
                agent_shape="circle", goal_shape="square", agent_scale=0.48, goal_scale=0.5,
                words=_w("small red dot", "grey-green square", "light grey", "mid grey"), hard=True),
    "ember": Skin("ember", floor=(44, 30, 30), wall=(232, 200, 120), agent=(80, 200, 255), goal=(255, 80, 160),
                  agent_shape="star", goal_shape="cross", agent_scale=0.72, goal_scale=0.66,
                  words=_w("sky-blue star", "pink cross", "dark brown", "sand-yellow")),
}
NORMAL_SKINS = ("classic", "night", "garden")
HARD_SKINS = ("fog",)
OOD_SKINS = ("ember",)


@dataclass(frozen=True)
class Level(TaskConfig):
    """A graph maze's config; each family bounds ``size`` (its own knob) in a subclass."""

    size: int = knob(0, 64, doc="the family's size knob (hex radius, rings, junction spacing …)")
    min_path: int = knob(1, 1000, doc="minimum moves on the shortest path")
    # walls removed after carving the spanning tree (more loops → several routes)
    loops: int = knob(0, 1000, default=0)
    # backtracker: long corridors, few dead ends; kruskal: many branches
    algorithm: str = knob(choices=("backtracker", "kruskal"), default="backtracker")


@dataclass
class Lattice:
    """What a family builds; plain data so the state (JSON) can redraw it exactly."""

    width: int
    height: int
    node_xy: list  # [[x, y]] canvas floats
    pairs: list  # [[a, b]] neighbour pairs, a < b
    routes: list  # per pair: polyline [[x, y], …] (or an (n, 2) array) from a to b
    cell_px: float  # the cell size (sets sprite size and checker tolerances)
    style: str  # "cells" | "roads"
    draw: dict = field(default_factory=dict)  # style-specific shapes (see draw_labels)
    info: dict = field(default_factory=dict)  # family-specific facts kept in the state
    _json: dict | None = None

    def to_json(self) -> dict:
        """The state's "lattice" entry (memoised: fixed lattices are shared between items)."""
        if self._json is None:
            rnd = lambda v: np.round(np.asarray(v, np.float64), 2).tolist()  # noqa: E731
            draw = {k: ([rnd(x) for x in v] if k in ("cells", "boundaries", "outer") else
                        rnd(v) if k == "pillars" else v) for k, v in self.draw.items()}
            self._json = share_json({"width": self.width, "height": self.height, "node_xy": rnd(self.node_xy),
                          "pairs": [[int(a), int(b)] for a, b in self.pairs],
                          "routes": _round_lines(self.routes), "cell_px": round(float(self.cell_px), 3),
                          "style": self.style, "draw": draw})
        return self._json


def _round_lines(lines: list) -> list:
    """Each polyline's points rounded to 2 decimals, as lists: one rounding for all of them (a random
    lattice has a hundred routes; one numpy call each was a tenth of an irregular item)."""
    if not lines:
        return []
    flat = np.round(np.concatenate(lines).astype(np.float64, copy=False), 2).tolist()
    cut = np.cumsum([len(x) for x in lines]).tolist()
    return [flat[a:b] for a, b in zip([0] + cut[:-1], cut)]


# --- carving --------------------------------------------------------------------------------------

def spanning_tree(n: int, pairs: list, rng: np.random.Generator, algorithm: str) -> np.ndarray:
    """Open flags per pair forming a spanning tree of the lattice graph."""
    is_open = np.zeros(len(pairs), bool)
    if algorithm == "kruskal":  # open only a pair that joins two trees
        is_open[kruskal_joins(n, pairs, rng.permutation(len(pairs)).tolist())] = True
        return is_open
    inc: list[list[tuple[int, int]]] = [[] for _ in range(n)]  # node → (neighbour, pair index)
    for k, (a, b) in enumerate(pairs):
        inc[a].append((b, k))
        inc[b].append((a, k))
    seen = [False] * n  # a list: indexed once per neighbour looked at, where numpy's scalar access is slow
    s = int(rng.integers(n))
    stack, seen[s] = [s], True
    while stack:
        a = stack[-1]
        free = [(b, k) for b, k in inc[a] if not seen[b]]
        if not free:
            stack.pop()
            continue
        b, k = free[int(rng.integers(len(free)))]
        is_open[k] = seen[b] = True
        stack.append(b)
    return is_open


def adjacency_of(n: int, pairs: list, is_open) -> list[list[int]]:
    adj: list[list[int]] = [[] for _ in range(n)]
    for k in np.flatnonzero(is_open).tolist():  # not zip(pairs, is_open): numpy scalars per pair are slow
        a, b = pairs[k]
        adj[a].append(b)
        adj[b].append(a)
    return adj


# --- drawing --------------------------------------------------------------------------------------

def draw_labels(lat: dict, is_open) -> tuple[np.ndarray, np.ndarray]:
    """(labels, wall_ids) at canvas size: labels = node id / N + open-edge index / -1; wall_ids give
    every wall piece its own id (layout regions), -1 elsewhere."""
    H, W, N = lat["height"], lat["width"], len(lat["node_xy"])
    d = lat["draw"]
    edge_id = np.cumsum(is_open) - 1 + N
    if lat["style"] == "cells":
        # cells filled; open boundaries as passage strips; closed ones, the outer wall and the pillars
        # (which belong to the wall pieces they join: no tiny regions of their own) as wall — assembled
        # from the lattice's footprints of those cv2 calls (graph_raster), same pixels as drawing them
        lab, wid = cells_raster(lat).labels(is_open, edge_id)
    else:
        lab = np.full((H, W), -1, np.int32)
        wid = np.full((H, W), -1, np.int32)
        for k, line in enumerate(lat["routes"]):
            if is_open[k]:
                cv2.polylines(lab, [_pts(line)], False, int(edge_id[k]), thickness=int(d["road_px"]))
        for i, (x, y) in enumerate(lat["node_xy"]):
            cv2.circle(lab, (int(round(x)), int(round(y))), int(d["node_r"]), int(i), -1)
    # wall not drawn as a piece (background, pillar rims): coarse tiles, so a local change stays visible
    tile = max(4, int(1.5 * d.get("road_px", d.get("wall_px", 4) * 2)))
    loose = (lab < 0) & (wid < 0)
    wid[loose] = loose_tiles(H, W, tile)[loose]
    return lab, wid


def floor_frame(lat: dict, is_open: np.ndarray, sk: Skin) -> np.ndarray:
    """The layout in the skin's wall / floor colours: the pixels where draw_labels' labels are ≥ 0 are
    floor. Drawn directly (roads) or painted from the lattice's footprints (cells), not through the
    label image: the same pixels, since cv2 rasterises a shape alike at every depth."""
    if lat["style"] == "cells":
        return cells_raster(lat).floor_frame(is_open, sk.wall, sk.floor)
    d = lat["draw"]
    img = np.empty((lat["height"], lat["width"], 3), np.uint8)
    img[:] = sk.wall
    floor = tuple(int(v) for v in sk.floor)
    cv2.polylines(img, _pts_many([line for line, o in zip(lat["routes"], is_open) if o]), False, floor,
                  thickness=int(d["road_px"]))
    for x, y in lat["node_xy"]:
        cv2.circle(img, (int(round(x)), int(round(y))), int(d["node_r"]), floor, -1)
    return img


def _pts_many(lines: list) -> list[np.ndarray]:
    """[_pts(x) for x in lines], rounded in one call (a hundred roads per irregular item)."""
    if not lines:
        return []
    flat = np.round(np.concatenate(lines).astype(np.float64, copy=False)).astype(np.int32).reshape(-1, 1, 2)
    cut = np.cumsum([len(x) for x in lines]).tolist()
    return [flat[a:b] for a, b in zip([0] + cut[:-1], cut)]


@lru_cache(maxsize=128)
def _mask(shape: str, size: int) -> np.ndarray:
    return shape_mask(shape, size)


def sprite_px(cell_px: float, scale: float) -> int:
    return max(3, int(round(cell_px * min(1.0, scale))))


def paste(img: np.ndarray, shape: str, size: int, colour, cx: float, cy: float) -> None:
    """Stamp a sprite centred at (cx, cy), clipped to the image (exact palette, no anti-aliasing)."""
    m = _mask(shape, size)
    x0, y0 = int(round(cx - size / 2.0)), int(round(cy - size / 2.0))
    H, W = img.shape[:2]
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(W, x0 + size), min(H, y0 + size)
    if xa >= xb or ya >= yb:
        return
    sub = img[ya:yb, xa:xb]
    sub[m[ya - y0:yb - y0, xa - x0:xb - x0]] = colour


def skin_from_json(d: dict) -> Skin:
    return Skin(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


# --- motion ---------------------------------------------------------------------------------------

def route_points(state: dict, path: list[int]) -> np.ndarray:
    """The polyline an agent follows along a node path (routes reversed where walked b→a)."""
    index = {(a, b): k for k, (a, b) in enumerate(state["lattice"]["pairs"])}
    routes = state["lattice"]["routes"]
    xy = state["lattice"]["node_xy"]
    out = [xy[path[0]]]
    for a, b in zip(path, path[1:]):
        k = index.get((min(a, b), max(a, b)))
        line = [xy[a], xy[b]] if k is None else (routes[k] if a < b else routes[k][::-1])
        out += list(line[1:])
    return np.asarray(out, np.float64)


def along(points: np.ndarray, n: int) -> list[tuple[float, float]]:
    """n positions equally spaced by arc length from the first point to the last."""
    if len(points) < 2 or n <= 1:
        return [tuple(points[-1])] * max(n, 1)
    return list(map(tuple, resample(points, n).tolist()))


# --- the family base --------------------------------------------------------------------------------

class GraphMaze(TaskFamily):
    """Subclasses set description/presets and implement ``lattice(level, rng)`` and ``words``."""

    dimension = "structural reasoning & search"
    skins = NORMAL_SKINS
    all_skins = NORMAL_SKINS + HARD_SKINS + OOD_SKINS
    checker_name = "trajectory"
    checker_version = "3"  # 2: the leap rule (a one-frame jump far beyond its pace); planes; 3: pace = cruising pace
    frames_as_planes = True  # the trajectory checker samples planes (see TaskFamily)
    frames_per_step = 6  # 0.25 s per move at 24 fps keeps oracle videos short
    hold_frames = 12
    maze_words = "maze"  # e.g. "hexagonal maze"
    move_words = "through the openings between cells, one cell at a time"
    # The first frame is a pure function of the state (lattice and its drawing spec, open pairs, start,
    # goal, skin): the content hash covers the state and this name instead of the pixels
    # (TaskItem.renderer; hashing the 0.5 MB frame was a quarter of a circular item). Bump it whenever
    # the same state could draw a different pixel.
    renderer = "maze.graph/1"

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
        }
        _, first = self._base(state)  # the base with the agent painted in place: no second 0.5 MB copy
        paste(first, sk.agent_shape, sprite_px(lat_json["cell_px"], sk.agent_scale), sk.agent,
              *lat_json["node_xy"][start])
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
        lat = state["lattice"]
        sk = skin_from_json(state["skin"])
        base = floor_frame(lat, np.array(state["open"], bool), sk)
        gx, gy = lat["node_xy"][state["goal"]]
        paste(base, sk.goal_shape, sprite_px(lat["cell_px"], sk.goal_scale), sk.goal, gx, gy)
        return sk, base

    def _scene(self, state: dict):
        """(skin, labels, wall ids, base frame): what the region map and the perturbations read."""
        key = self._scene_key(state)
        hit = _CACHE.get(("scene", key))
        if hit is not None:
            return hit
        sk, base = self._base(state)
        lab, wid = draw_labels(state["lattice"], np.array(state["open"], bool))
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[("scene", key)] = out = (sk, lab, wid, base)
        return out

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
        rm = _CACHE.get(("rm", item.content_hash))
        if rm is None:
            if len(_CACHE) > 64:
                _CACHE.clear()
            rm = _CACHE[("rm", item.content_hash)] = build_region_map(self, item)
        return rm

    def working_size(self, item: TaskItem) -> tuple[int, int]:
        rm = self.region_map(item)
        return rm.width, rm.height

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        from ...checkers.trajectory import TrajectoryChecker

        return TrajectoryChecker(self.region_map(item), version=self.checker_version).check(frames, fit, fps)

    def perturbations(self) -> list:
        return graph_perturbations()


def _where(xy, w: int, h: int) -> str:
    x, y = xy[0] / w, xy[1] / h
    v = "top" if y < 0.36 else ("bottom" if y > 0.64 else "")
    u = "left" if x < 0.36 else ("right" if x > 0.64 else "")
    spot = " ".join(p for p in (v, u) if p)
    return f"near the {spot}" if spot else "near the centre"


def palette_index(img: np.ndarray, palette: np.ndarray) -> np.ndarray:
    out = np.full(img.shape[:2], -1, np.int16)
    for k, col in enumerate(palette):
        out[(img == col).all(-1)] = k
    return out


def build_region_map(fam: GraphMaze, item: TaskItem):
    """Sample the canvas label image at the working size into the trajectory checker's RegionMap."""
    from ...checkers.regionmap import RegionMap

    s = item.state
    lat = s["lattice"]
    sk, lab, wid, base = fam._scene(s)
    Wc, Hc, cell = lat["width"], lat["height"], float(lat["cell_px"])
    wall_px = float(lat["draw"].get("wall_px", lat["draw"].get("road_px", cell)))
    agent_px = sprite_px(cell, sk.agent_scale)
    scale = min(1.0, max(MIN_CELL_PX / cell, MIN_AGENT_PX / agent_px, MIN_WALL_PX / wall_px))
    W, H = max(8, int(round(Wc * scale))), max(8, int(round(Hc * scale)))
    xs = np.minimum(((np.arange(W) + 0.5) * Wc / W).astype(int), Wc - 1)
    ys = np.minimum(((np.arange(H) + 0.5) * Hc / H).astype(int), Hc - 1)
    labels = lab[np.ix_(ys, xs)]
    walls = wid[np.ix_(ys, xs)]
    palette, pclass = sk.palette()
    first_idx = palette_index(item.first_frame, palette)[np.ix_(ys, xs)]
    base_idx = palette_index(base, palette)[np.ix_(ys, xs)]
    layout_class = np.where(base_idx >= 0, pclass[np.maximum(base_idx, 0)], WALL).astype(np.uint8)
    # layout regions: one per node / passage / wall piece and expected class, shrunk by a pixel so
    # resampling blur at region borders never counts as a change
    region = np.where(labels >= 0, labels, -2 - walls).astype(np.int64)
    key = (region - region.min()) * 4 + layout_class
    same = np.ones_like(key, bool)
    # two pixels from any border: a model's small zoom or drift, aligned to within a pixel, must not
    # put one region's border pixels into its neighbour's core
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0), (0, 2), (0, -2), (2, 0), (-2, 0), (1, 1), (1, -1), (-1, 1), (-1, -1)):
        same &= np.roll(key, (dy, dx), axis=(0, 1)) == key
    same[:2, :] = same[-2:, :] = same[:, :2] = same[:, -2:] = False
    _, inv = np.unique(key, return_inverse=True)
    inv = inv.reshape(key.shape)
    size = np.bincount(inv[same], minlength=inv.max() + 1)
    # regions of a few pixels (slivers between pillars) flip under heavy compression: not checked
    layout_ids = np.where(same & (size[inv] >= MIN_REGION_PX), inv, -1).astype(np.int64)
    palette_map = np.where(same, first_idx, -1)

    n = len(lat["node_xy"])
    pairs = [tuple(p) for p in lat["pairs"]]
    is_open = np.array(s["open"], bool)
    edges = np.array([p for p, o in zip(pairs, is_open) if o], np.int64).reshape(-1, 2)
    adj = adjacency_of(n, pairs, is_open)
    k = W / Wc
    xy = np.asarray(lat["node_xy"], np.float64)
    node_xy = xy * [W / Wc, H / Hc]
    p = np.asarray(pairs)
    step = float(np.min(np.hypot(*(node_xy[p[:, 0]] - node_xy[p[:, 1]]).T)))
    extra = {}
    if "reference" in getattr(RegionMap, "__dataclass_fields__", {}):  # alignment target, when supported
        extra["reference"] = cv2.resize(item.first_frame, (W, H), interpolation=cv2.INTER_AREA)
    return RegionMap(
        **extra,
        width=W, height=H, labels=labels.astype(np.int32), layout_ids=layout_ids, layout_class=layout_class,
        palette=palette, palette_class=pclass, palette_map=palette_map, node_xy=node_xy, edges=edges,
        lattice_pairs=set(pairs), start=s["start"], goals={s["goal"]}, dist_to_goal=bfs(adj, s["goal"]),
        solutions=[list(x) for x in s["solutions"]], cell_px=cell * k, step_px=step,
        agent_area=float(((first_idx >= 0) & (pclass[np.maximum(first_idx, 0)] == AGENT)).sum()),
        # where a person finds a node on the picture (these lattices have no rows and columns)
        node_names=[f"the cell {x / Wc:.0%} across and {y / Hc:.0%} down" for x, y in xy],
    )


# --- must-fail perturbations (genbench validate) ------------------------------------------------------

def _clip(fam: GraphMaze, item: TaskItem, positions):
    from ...perturb import canvas_clip

    return canvas_clip(fam, item, fam.frames_at(item, positions))


def _node_dist(state: dict, a: int, b: int) -> float:
    xy = state["lattice"]["node_xy"]
    return float(np.hypot(xy[a][0] - xy[b][0], xy[a][1] - xy[b][1]))


def _walled_step(fam: GraphMaze, state: dict):
    """(i, target xy): from the i-th solution node, a straight walk that crosses only wall — into a
    walled lattice neighbour, or (roads) deep into the ground beside the road."""
    sol = state["solutions"][0]
    lat = state["lattice"]
    _, lab, _, _ = fam._scene(state)
    n = len(lat["node_xy"])
    is_open = np.array(state["open"], bool)
    edge_id = np.cumsum(is_open) - 1 + n
    on_path = set(sol)
    H, W = lab.shape

    def clean(a: int, x0, y0, x1, y1, allowed: set) -> bool:
        t = np.linspace(0, 1, 200)
        xs, ys = np.round(x0 + (x1 - x0) * t).astype(int), np.round(y0 + (y1 - y0) * t).astype(int)
        if xs.min() < 0 or ys.min() < 0 or xs.max() >= W or ys.max() >= H:
            return False
        vals = lab[ys, xs]
        return set(vals.tolist()) <= allowed and bool((vals == -1).any())

    for i, a in enumerate(sol[:-1]):
        own = {int(edge_id[k]) for k, p in enumerate(lat["pairs"]) if is_open[k] and a in p}
        for k, (p, q) in enumerate(lat["pairs"]):
            if is_open[k] or a not in (p, q):
                continue
            c = q if p == a else p
            if c not in on_path and clean(a, *lat["node_xy"][a], *lat["node_xy"][c], {-1, a, c} | own):
                return i, tuple(lat["node_xy"][c])
    if lat["style"] == "roads":
        from scipy import ndimage

        depth = ndimage.distance_transform_edt(lab < 0)
        need = 1.5 * lat["draw"]["road_px"]
        for i, a in enumerate(sol[:-1]):
            own = {int(edge_id[k]) for k, p in enumerate(lat["pairs"]) if is_open[k] and a in p}
            x0, y0 = lat["node_xy"][a]
            for ang in np.linspace(0, 2 * np.pi, 24, endpoint=False):
                for dist in np.arange(lat["draw"]["node_r"], 4 * lat["cell_px"], 2.0):
                    x1, y1 = x0 + dist * np.cos(ang), y0 + dist * np.sin(ang)
                    if not (0 <= x1 < W and 0 <= y1 < H):
                        break
                    if depth[int(round(y1)), int(round(x1))] >= need:
                        if clean(a, x0, y0, x1, y1, {-1, a} | own):
                            return i, (float(x1), float(y1))
                        break
    return None


def _wall_crossing(fam, item, rng):
    s = item.state
    found = _walled_step(fam, s)
    if found is None:
        raise RuntimeError(f"{item.id}: no straight walk through a wall found")
    i, target = found
    sol = s["solutions"][0]
    xy = s["lattice"]["node_xy"]
    pos = fam.plan(s, sol[:i + 1], hold=0, lead=6) if i else [tuple(xy[sol[0]])] * 6
    dist = float(np.hypot(target[0] - xy[sol[i]][0], target[1] - xy[sol[i]][1]))
    n = max(6, int(np.ceil(dist / fam.step_length(s) * fam.frames_per_step * 1.5)))
    pos += along(np.array([xy[sol[i]], target], np.float64), n) + [tuple(target)] * fam.hold_frames
    return _clip(fam, item, pos)


def _skip(fam, item, rng):
    s = item.state
    sol = s["solutions"][0]
    step = min(_node_dist(s, a, b) for a, b in s["lattice"]["pairs"])
    j = next((j for j in range(2, len(sol)) if _node_dist(s, sol[0], sol[j]) >= 1.5 * step), len(sol) - 1)
    pos = [tuple(s["lattice"]["node_xy"][sol[0]])] * 8 + fam.plan(s, sol[j:])
    return _clip(fam, item, pos)


def _stop_short(fam, item, rng):
    s = item.state
    sol = s["solutions"][0]
    return _clip(fam, item, fam.plan(s, sol[:max(2, len(sol) - 2)]))


def _leave(fam, item, rng):
    s = item.state
    sol = s["solutions"][0]
    return _clip(fam, item, fam.plan(s, sol + [sol[-2]]))


def _layout(fam, item, rng, fade: int = 0):
    """The oracle, but a third of the way in a wall opens (or a new road appears) away from the path;
    with ``fade``, gradually over that many frames."""
    from ...perturb import canvas_clip

    s = item.state
    lat = s["lattice"]
    sk = skin_from_json(s["skin"])
    on_path = {v for sol in s["solutions"] for v in sol}
    closed = [k for k, o in enumerate(s["open"]) if not o]
    far = [k for k in closed if not set(lat["pairs"][k]) & on_path] or closed
    if lat["style"] == "roads":
        # the candidate road that would cover the most bare ground, off the path if that loses little:
        # a road squeezed between two drawn ones changes a sliver the eye (and the checker) barely sees
        _, lab, _, _ = fam._scene(s)
        far_set = set(far)

        def bare(k: int) -> float:
            pts = np.round(along(np.asarray(lat["routes"][k], np.float64), 200)).astype(int)
            seg = arclength(lat["routes"][k])
            return (lab[pts[:, 1], pts[:, 0]] < 0).mean() * seg * (1.0 if k in far_set else 0.8)

        k = max(closed, key=bare)
    else:
        k = far[int(rng.integers(len(far)))]
    if lat["style"] == "cells":
        line, t = lat["draw"]["boundaries"][k], int(lat["draw"]["wall_px"])
    else:
        line, t = lat["routes"][k], int(lat["draw"]["road_px"])
    frames = list(fam.solution_frames(item))
    cut = len(frames) // 3
    for j, f in enumerate(frames[cut:]):
        opened = f.copy()
        cv2.polylines(opened, [_pts(line)], False, tuple(int(v) for v in sk.floor), thickness=t)
        a = min(1.0, (j + 1) / fade) if fade else 1.0
        f[:] = np.round(f * (1 - a) + opened * a).astype(np.uint8)
    return canvas_clip(fam, item, frames)


def graph_perturbations() -> list:
    from ...perturb import Perturbation

    return [
        Perturbation("wall_crossing", "WALL_CROSSING", _wall_crossing, "walks smoothly through a wall"),
        Perturbation("skip_cells", "TELEPORT", _skip, "jumps over cells of the solution in one frame"),
        Perturbation("stop_short", "GOAL_NOT_REACHED", _stop_short, "stops two cells before the goal"),
        Perturbation("reach_then_leave", "GOAL_NOT_HELD", _leave, "reaches the goal, then steps off it"),
        Perturbation("layout_changed", "LAYOUT_CHANGED", _layout, "a wall opens a third of the way in"),
        Perturbation("layout_fades_open", "LAYOUT_CHANGED", lambda fam, item, rng: _layout(fam, item, rng, fade=12),
                     "a wall opens (a road appears) gradually over 12 frames"),
        Perturbation("wall_excursion", "WALL_CROSSING", _excursion,
                     "the agent's centre goes a third of a cell into a wall and comes back"),
    ]


def _excursion(fam, item, rng):
    from .excursion import wall_excursion

    s = item.state
    return wall_excursion(fam, item, fam.plan(s, s["solutions"][0]), lambda pos: _clip(fam, item, pos))
