"""maze.multilevel: a maze over two or more floors joined by ladders, drawn in a 2.5D view.

Each floor is a perfect block maze (VR-Bench's block grid: the agent moves block to block). Floors
are drawn as slabs stacked vertically, each higher floor shifted right by one cell pitch and given
a darker front face, so the picture reads as a building seen from the front and above. A ladder
runs straight up across the gap from a cell in the top row of a floor to the cell in the bottom
row of the floor above. Start on the ground floor, goal on the top floor.

The checker is the maze trajectory checker over one graph of all floors whose only links between
floors are the ladders (drawn as passage regions). Walking across the gap between floors anywhere
else is reported as NO_LADDER (the checker's wall crossing whose next move changes floor); a jump
between floors is a TELEPORT.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

import cv2
import numpy as np

from ...checkers.relabel import relabel_floor_change
from ...geometry import arclength
from ...schema import Fit, TaskItem, Verdict, canonical_json, sha256_hex
from ..base import TaskFamily, frames_for_moves, register_task
from ..config import ConfigError, TaskConfig, knob
from .canvas_regionmap import CanvasJudged, canvas_region_map, working_scale
from .graph_draw import paste
from .graph_layout import along
from .grid_layout import CARVERS, all_shortest_paths, block_grid
from .regions import palette_index
from .skins import AGENT, FLOOR, GOAL, WALL

CANVAS_TARGET = 760  # hard towers are tall: keep cells ≥ 14 px so sprites survive CRF 40


@dataclass(frozen=True)
class MLevel(TaskConfig):
    """maze.multilevel's config; the difficulties are the presets in ML_LEVELS."""

    floors: int = knob(2, 4)
    rows: int = knob(2, 8, doc="rooms per floor side (block grid is 2n+1)")
    cols: int = knob(2, 8)
    ladders: int = knob(1, 7, doc="ladders between each pair of floors")
    min_path: int = knob(1, 1000, doc="block moves on the shortest route")

    def check(self) -> None:
        if self.ladders > self.cols - 1:  # ladders stand in distinct cell columns but the first
            raise ConfigError(f"ladders={self.ladders} is not allowed: {self.cols} columns take at most "
                              f"{self.cols - 1} ladders per floor")


ML_LEVELS = {"easy": MLevel(2, 3, 3, 1, 8), "medium": MLevel(2, 4, 4, 2, 14), "hard": MLevel(3, 4, 4, 2, 22)}


@dataclass(frozen=True)
class MLSkin:
    name: str
    floor: tuple
    wall: tuple
    face: tuple  # front face of a slab (depth cue)
    bg: tuple
    ladder: tuple
    rung: tuple
    agent: tuple
    goal: tuple
    agent_shape: str
    goal_shape: str
    words: dict = field(default_factory=dict)  # agent, goal, floor, wall, ladder
    agent_scale: float = 0.62
    goal_scale: float = 0.8
    hard: bool = False

    def palette(self):
        cols = [self.floor, self.wall, self.face, self.bg, self.ladder, self.rung, self.goal, self.agent]
        cls = [FLOOR, WALL, WALL, WALL, FLOOR, FLOOR, GOAL, AGENT]
        return np.array(cols, np.uint8), np.array(cls, np.int64)

    def to_json(self):
        return asdict(self)

    @classmethod
    def from_json(cls, d):
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


def _w(agent, goal, floor, wall, ladder):
    return {"agent": agent, "goal": goal, "floor": floor, "wall": wall, "ladder": ladder}


ML_SKINS = {s.name: s for s in [
    MLSkin("tower", floor=(240, 240, 235), wall=(40, 40, 50), face=(90, 90, 105), bg=(170, 200, 230),
           ladder=(180, 120, 60), rung=(120, 75, 30), agent=(220, 40, 40), goal=(40, 170, 70),
           agent_shape="circle", goal_shape="square",
           words=_w("red circle", "green square", "white", "black", "brown ladders")),
    MLSkin("dungeon", floor=(120, 110, 100), wall=(45, 35, 30), face=(75, 60, 50), bg=(15, 15, 20),
           ladder=(200, 170, 90), rung=(150, 120, 50), agent=(60, 200, 255), goal=(250, 220, 40),
           agent_shape="diamond", goal_shape="star",
           words=_w("light blue diamond", "yellow star", "grey stone", "dark brown", "golden ladders")),
    MLSkin("blueprint", floor=(30, 70, 140), wall=(220, 230, 245), face=(150, 170, 200), bg=(10, 30, 70),
           ladder=(250, 200, 0), rung=(200, 150, 0), agent=(255, 90, 60), goal=(120, 255, 120),
           agent_shape="square", goal_shape="circle",
           words=_w("orange-red square", "light green circle", "blue", "white", "yellow ladders")),
    # hard: low-contrast greys, an opaque goal tile. The ladder stays a muted brown and the agent 0.7 of a cell:
    # grey-on-grey ladders and a smaller agent were unreadable after blur or CRF 40 (for a model too).
    MLSkin("fog", floor=(200, 200, 200), wall=(110, 110, 115), face=(150, 150, 155), bg=(230, 230, 235),
           ladder=(190, 172, 120), rung=(125, 100, 55), agent=(200, 60, 160), goal=(60, 140, 200),
           agent_shape="triangle", goal_shape="tile", agent_scale=0.7,
           words=_w("magenta triangle", "blue tile", "light grey", "grey", "pale brown ladders"), hard=True),
]}


@dataclass(frozen=True)
class Tower:
    """Canvas geometry: floor f's block (r, c) is at x0(f) + c·cell, y0(f) + r·cell."""

    floors: int
    brows: int  # block rows per floor (2·rows + 1)
    bcols: int
    cell: int

    @property
    def face(self) -> int:
        return max(4, self.cell // 2 // 2 * 2)

    @property
    def gap(self) -> int:  # vertical space between a slab's face and the slab above
        return 2 * self.cell

    @property
    def margin(self) -> int:
        return self.cell

    @property
    def width(self) -> int:
        return 2 * self.margin + self.bcols * self.cell + 2 * (self.floors - 1) * self.cell

    @property
    def height(self) -> int:
        return 2 * self.margin + self.floors * (self.brows * self.cell + self.face) + (self.floors - 1) * self.gap

    def x0(self, f: int) -> int:
        return self.margin + 2 * f * self.cell

    def y0(self, f: int) -> int:
        return self.margin + (self.floors - 1 - f) * (self.brows * self.cell + self.face + self.gap)

    def centre(self, f: float, r: float, c: float):
        """Fractional f is not used (moves change floor only along ladders: positions are given in px)."""
        return self.x0(int(f)) + (c + 0.5) * self.cell, self.y0(int(f)) + (r + 0.5) * self.cell

    def to_json(self):
        return {"floors": self.floors, "brows": self.brows, "bcols": self.bcols, "cell_px": self.cell,
                "width": self.width, "height": self.height}

    @classmethod
    def from_json(cls, d):
        return cls(d["floors"], d["brows"], d["bcols"], d["cell_px"])

    @classmethod
    def fit(cls, floors, brows, bcols):
        t = cls(floors, brows, bcols, 2)
        units = max(t.height, t.width) / 2.0  # size in cells (cell = 2 px here)
        return cls(floors, brows, bcols, max(8, int(CANVAS_TARGET / units) // 2 * 2))


def _ladder_px(tw: Tower, f: int, c: int):
    """Rectangle (x0, y0, x1, y1) of the ladder from floor f block (1, c) up to floor f+1 (brows-2, c-2)."""
    x = tw.x0(f) + c * tw.cell
    top = tw.y0(f + 1) + (tw.brows - 1) * tw.cell  # the upper floor's bottom wall row
    bottom = tw.y0(f) + tw.cell  # the lower floor's top wall row, up to its first cell row
    return x, top, x + tw.cell, bottom


@register_task("maze.multilevel", "Mazes over 2–3 floors joined by ladders, drawn in 2.5D.", group="maze")
class MultiLevel(CanvasJudged, TaskFamily):
    description = "Multi-floor mazes joined by ladders (2.5D view): climb to the goal on the top floor."
    dimension = "spatial navigation"
    skins = tuple(n for n, s in ML_SKINS.items() if not s.hard)
    all_skins = tuple(ML_SKINS)
    presets = ML_LEVELS
    checker_name = "trajectory"
    # hard levels (tall many-floor canvases, small cells) lose the goal or the agent under a growing
    # camera drift combined with CRF 34-40: not validated under camera drift yet (validate.TRACKS_CAMERA)
    tracks_camera = False
    checker_version = "4"  # 2: the leap rule; read from planes; 3: pace = cruising pace
    # 4: bands, an agent lost beside the goal (the trajectory engine)
    frames_as_planes = True  # the trajectory checker samples planes (see TaskFamily)
    frames_per_step = 6  # per block
    hold_frames = 16

    def check_skin(self, skin):
        if skin is not None and skin not in ML_SKINS:
            raise ValueError(f"{self.name}: unknown skin {skin!r}; known: {', '.join(ML_SKINS)}")

    # --- graph
    @staticmethod
    def graph(s: dict):
        """(adjacency over node ids f·BR·BC + r·BC + c, ladder pairs)."""
        F, BR, BC = s["floors"], s["brows"], s["bcols"]
        per = BR * BC
        adj: list[list[int]] = [[] for _ in range(F * per)]
        grids = np.array(s["grids"])
        for f in range(F):
            g = grids[f]
            for r in range(BR):
                for c in range(BC):
                    if g[r, c]:
                        continue
                    for rr, cc in ((r + 1, c), (r, c + 1)):
                        if rr < BR and cc < BC and not g[rr, cc]:
                            a, b = f * per + r * BC + c, f * per + rr * BC + cc
                            adj[a].append(b)
                            adj[b].append(a)
        ladders = []
        for f, c in s["ladders"]:
            a, b = f * per + 1 * BC + c, (f + 1) * per + (BR - 2) * BC + (c - 2)
            adj[a].append(b)
            adj[b].append(a)
            ladders.append((a, b))
        return adj, ladders

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: MLevel | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = ML_SKINS[skin_name]
        BR, BC = 2 * lv.rows + 1, 2 * lv.cols + 1
        per = BR * BC
        for _ in range(200):
            grids = [block_grid(*CARVERS[("backtracker", "kruskal", "wilson")[int(rng.integers(3))]](lv.rows, lv.cols, rng))
                     for _ in range(lv.floors)]
            cols = list(range(3, BC - 1, 2))  # lower-floor cell columns whose upper end (c-2) is a cell
            ladders = []
            for f in range(lv.floors - 1):
                pick = rng.permutation(len(cols))[:lv.ladders].tolist()
                ladders += [[f, cols[k]] for k in sorted(pick)]
            s = {"floors": lv.floors, "brows": BR, "bcols": BC, "grids": [g.tolist() for g in grids], "ladders": ladders}
            adj, _ = self.graph(s)
            cells0 = [r * BC + c for r in range(1, BR, 2) for c in range(1, BC, 2)]
            start = int(cells0[int(rng.integers(len(cells0)))])
            from .grid_layout import bfs

            d = np.array(bfs(adj, start))
            top = (lv.floors - 1) * per
            pool = [top + k for k in cells0 if d[top + k] >= lv.min_path]
            if not pool:
                continue
            goal = int(pool[int(rng.integers(len(pool)))])
            paths = all_shortest_paths(adj, start, goal)
            break
        else:  # pragma: no cover
            raise RuntimeError(f"{self.name}/{difficulty}: no layout found")
        node = lambda k: [k // per, (k % per) // BC, k % BC]  # noqa: E731
        tw = Tower.fit(lv.floors, BR, BC)
        state = {**s, "game": "multilevel", "start": node(start), "goal": node(goal),
                 "solutions": [[node(k) for k in p] for p in paths], "solutions_complete": len(paths) < 64,
                 "shortest_length": len(paths[0]) - 1, "skin": sk.to_json(), "geometry": tw.to_json()}
        w = sk.words
        prompt_i2v = (
            f"A 2.5D view of a {lv.floors}-floor maze: the floors are stacked one above the other, each a maze with "
            f"{w['floor']} corridors and {w['wall']} walls, joined by {w['ladder']}. The {w['agent']} walks through "
            f"the corridors and climbs only by the ladders, never through a wall or across the gap between floors, "
            f"along the shortest route to the {w['goal']} on the top floor, then stays there. Static camera.")
        prompt_t2v = (
            f"A 2.5D view of a maze with {lv.floors} floors stacked vertically, each a {lv.rows}×{lv.cols} maze with "
            f"{w['floor']} corridors and {w['wall']} walls, joined by {len(ladders)} {w['ladder']}. A {w['agent']} "
            f"starts on the ground floor (the lowest one) and a {w['goal']} sits on the top floor. The {w['agent']} "
            f"walks and climbs the ladders along the shortest route to the {w['goal']} and stays on it. Flat colours.")
        item_state = json_safe(state)
        first = self._render(tw, item_state, sk, agent_px=tw.centre(*state["start"]))
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, item_state, first, lv)

    def layout_key(self, item):
        s = item.state
        return sha256_hex(canonical_json([s["grids"], s["ladders"], s["start"], s["goal"]]))

    # --- drawing
    @staticmethod
    def _render(tw: Tower, s: dict, sk: MLSkin, agent_px=None) -> np.ndarray:
        img = np.empty((tw.height, tw.width, 3), np.uint8)
        img[:] = sk.bg
        cs = tw.cell
        for f in range(tw.floors):
            g = np.array(s["grids"][f])
            x0, y0 = tw.x0(f), tw.y0(f)
            slab = np.where(g[..., None] == 1, np.array(sk.wall, np.uint8), np.array(sk.floor, np.uint8))
            img[y0:y0 + tw.brows * cs, x0:x0 + tw.bcols * cs] = np.repeat(np.repeat(slab, cs, 0), cs, 1)
            img[y0 + tw.brows * cs:y0 + tw.brows * cs + tw.face, x0:x0 + tw.bcols * cs] = sk.face
        for f, c in s["ladders"]:
            xa, ya, xb, yb = _ladder_px(tw, f, c)
            img[ya:yb, xa:xb] = sk.ladder
            step = max(4, cs // 2)
            for y in range(ya + step // 2, yb, step):  # rungs
                img[y:y + max(1, cs // 8), xa:xb] = sk.rung
        gs = cs if sk.goal_shape == "tile" else max(3, int(round(cs * sk.goal_scale)))
        paste(img, sk.goal_shape, gs, sk.goal, *tw.centre(*s["goal"]))
        if agent_px is not None:
            paste(img, sk.agent_shape, max(3, int(round(cs * sk.agent_scale))), sk.agent, *agent_px)
        return img

    def _scene(self, item):
        s = item.state
        tw, sk = Tower.from_json(s["geometry"]), MLSkin.from_json(s["skin"])
        return tw, sk, self._render(tw, s, sk)

    def plan(self, item, path, hold=None, num_frames=None):
        """Agent pixel positions per frame along a node path (ladder climbs take time ∝ length)."""
        tw = Tower.from_json(item.state["geometry"])
        pts = [np.array(tw.centre(*p), np.float64) for p in path]
        if num_frames:  # a fixed budget: constant speed (rounding per segment left single blocks one frame)
            hold = max(1, int(round(0.2 * num_frames)))
            out = along(np.array(pts), max(2, num_frames - hold)) + [tuple(pts[-1])] * hold
            return out[:num_frames]
        hold = self.hold_frames if hold is None else hold
        seg_frames = [max(1, int(round(self.frames_per_step * np.hypot(*(b - a)) / tw.cell))) for a, b in zip(pts, pts[1:])]
        out = []
        for (a, b), k in zip(zip(pts, pts[1:]), seg_frames):
            out += [a + (b - a) * j / k for j in range(k)]
        return out + [pts[-1]] * (hold + 1)

    def frames_at(self, item, plan) -> Iterator[np.ndarray]:
        tw, sk, base = self._scene(item)
        size = max(3, int(round(tw.cell * sk.agent_scale)))
        for x, y in plan:
            f = base.copy()
            paste(f, sk.agent_shape, size, sk.agent, x, y)
            yield f

    def min_frames(self, item) -> int:
        # a ladder climb is one move but many blocks long: count the blocks travelled
        tw = Tower.from_json(item.state["geometry"])
        pts = np.array([tw.centre(*p) for p in item.state["solutions"][0]], np.float64)
        return frames_for_moves(int(np.ceil(arclength(pts) / tw.cell - 1e-6)))

    def solution_frames(self, item, solution=0, fps=None, num_frames=None):
        sols = item.state["solutions"]
        return self.frames_at(item, self.plan(item, sols[solution % len(sols)], num_frames=num_frames))

    def final_frame(self, item):
        tw = Tower.from_json(item.state["geometry"])
        return next(self.frames_at(item, [tw.centre(*item.state["goal"])]))

    def random_frames(self, item, rng, fps=None, num_frames=None):
        s = item.state
        adj, _ = self.graph(s)
        per, BC = s["brows"] * s["bcols"], s["bcols"]
        cur = s["start"][0] * per + s["start"][1] * BC + s["start"][2]
        path = [cur]
        for _ in range(s["shortest_length"] + 2):
            cur = adj[cur][int(rng.integers(len(adj[cur])))]
            path.append(cur)
        return self.frames_at(item, self.plan(item, [[k // per, (k % per) // BC, k % BC] for k in path],
                                              num_frames=num_frames))

    # --- judging
    def build_region_map(self, item):
        s = item.state
        tw, sk, base = self._scene(item)
        F, BR, BC, cs = tw.floors, tw.brows, tw.bcols, tw.cell
        per = BR * BC
        N = F * per
        node_of = np.full((tw.height, tw.width), -1, np.int64)
        block_of = np.full((tw.height, tw.width), N, np.int64)  # N: background
        for f in range(F):
            g = np.array(s["grids"][f])
            ids = f * per + np.arange(per).reshape(BR, BC)
            x0, y0 = tw.x0(f), tw.y0(f)
            blk = np.repeat(np.repeat(ids, cs, 0), cs, 1)
            block_of[y0:y0 + BR * cs, x0:x0 + BC * cs] = blk
            node_of[y0:y0 + BR * cs, x0:x0 + BC * cs] = np.where(np.repeat(np.repeat(g, cs, 0), cs, 1) == 0, blk, -1)
            block_of[y0 + BR * cs:y0 + BR * cs + tw.face, x0:x0 + BC * cs] = N + 1 + f  # front face
        adj, ladders = self.graph(s)
        for e, (f, c) in enumerate(s["ladders"]):
            xa, ya, xb, yb = _ladder_px(tw, f, c)
            node_of[ya:yb, xa:xb] = N + e  # the ladder is the passage edges[e]
            block_of[ya:yb, xa:xb] = N + 1 + F + e
        edges = list(ladders) + sorted({(min(a, b), max(a, b)) for a in range(N) for b in adj[a]} - set(ladders))
        lattice = set()
        for f in range(F):
            for r in range(BR):
                for c in range(BC):
                    k = f * per + r * BC + c
                    if c + 1 < BC:
                        lattice.add((k, k + 1))
                    if r + 1 < BR:
                        lattice.add((k, k + BC))
        palette, pclass = sk.palette()
        bidx = palette_index(base, palette)
        base_class = np.where(bidx >= 0, pclass[np.maximum(bidx, 0)], WALL)
        node_xy = np.array([tw.centre(k // per, (k % per) // BC, k % BC) for k in range(N)])
        foot = np.zeros(base.shape, np.uint8)
        paste(foot, sk.agent_shape, int(round(cs * sk.agent_scale)) + 4, (1, 1, 1), *tw.centre(*s["goal"]))
        nid = lambda p: p[0] * per + p[1] * BC + p[2]  # noqa: E731
        # the goal sprite's thin points (the dungeon's star) lose their tips to any downscale: its layout
        # region is its core, a working pixel further in (the goal test still sees all of it)
        goal = (base_class == GOAL).astype(np.uint8)
        k = int(np.ceil(1.0 / working_scale(cs, cs * sk.agent_scale)))
        rim = (goal > 0) & (cv2.erode(goal, np.ones((2 * k + 1, 2 * k + 1), np.uint8)) == 0)
        return canvas_region_map(
            node_of=node_of, block_of=block_of, base_class=base_class,
            first_index=palette_index(item.first_frame, palette), palette=palette, palette_class=pclass,
            node_xy=node_xy, edges=edges, lattice=lattice, start=nid(s["start"]), goals={nid(s["goal"])},
            solutions=[[nid(p) for p in sol] for sol in s["solutions"]], cell_px=cs, step_px=cs,
            agent_px=cs * sk.agent_scale, ignore=(block_of == N) | rim, calib_ignore=foot[..., 0].astype(bool),
            first=item.first_frame)

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        v = self.trajectory_verdict(item, frames, fit, fps)
        s = item.state
        return relabel_floor_change(v, s["brows"] * s["bcols"], set(self.graph(s)[1]))

    # --- must-fail controls
    def perturbations(self) -> list:
        from ...perturb import Perturbation, canvas_clip

        def no_ladder(fam, item, rng):
            s = item.state
            adj, _ = fam.graph(s)
            BR, BC = s["brows"], s["bcols"]
            per = BR * BC
            used = {c for f, c in s["ladders"] if f == 0}
            c = next(c for c in range(3, BC - 1, 2) if c not in used)
            start = s["start"][1] * BC + s["start"][2]
            route = all_shortest_paths(adj, start, 1 * BC + c, cap=1)[0]  # on the ground floor
            path = [[k // per, (k % per) // BC, k % BC] for k in route] + [[1, BR - 2, c - 2]]
            return canvas_clip(fam, item, fam.frames_at(item, fam.plan(item, path)))

        def wall_walk(fam, item, rng):
            s = item.state
            sol = s["solutions"][0]
            g = np.array(s["grids"])
            for k, (f, r, c) in enumerate(sol):
                for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    r2, c2 = r + 2 * dr, c + 2 * dc  # through the wall block to the next room
                    if 0 < r2 < s["brows"] and 0 < c2 < s["bcols"] and g[f, r + dr, c + dc] and not g[f, r2, c2]:
                        path = sol[:k + 1] + [[f, r2, c2]]
                        return canvas_clip(fam, item, fam.frames_at(item, fam.plan(item, path)))
            raise RuntimeError("no wall to walk through")

        def stop_short(fam, item, rng):
            sol = item.state["solutions"][0]
            return canvas_clip(fam, item, fam.frames_at(item, fam.plan(item, sol[:max(2, len(sol) // 2)])))

        def wall_excursion(fam, item, rng):
            from .excursion import wall_excursion as excursion

            pos = fam.plan(item, item.state["solutions"][0])
            return excursion(fam, item, pos, lambda p: canvas_clip(fam, item, fam.frames_at(item, p)))

        return [Perturbation("no_ladder", "NO_LADDER", no_ladder, "walks up across the gap where there is no ladder"),
                Perturbation("wall_walk", "WALL_CROSSING", wall_walk, "walks through a wall on one floor"),
                Perturbation("wall_excursion", "WALL_CROSSING", wall_excursion,
                             "the agent's centre goes a third of a cell into a wall and comes back"),
                Perturbation("stop_short", "GOAL_NOT_REACHED", stop_short, "stops half way")]


def json_safe(x):
    import json

    return json.loads(json.dumps(x))
