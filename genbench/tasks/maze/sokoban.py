"""maze.sokoban: push the box (hard: two boxes) onto the target(s).

Rooms are random walled rooms; each level is solved by a breadth-first search over push states
(boxes + the player's reachable region), which gives the minimum number of pushes; the oracle walks
the shortest player route between pushes. The family draws the items and builds the spec
(``SokobanScene``) of the Sokoban checker (genbench/checkers/sokoban.py), which tracks the player and
the boxes push by push: any legal solution passes, ``optimal`` reports the minimum number of pushes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

import numpy as np

from ...checkers.sokoban import BOX, SokobanChecker, SokobanScene, expected_first
from ...schema import Fit, TaskItem, Verdict, canonical_json, sha256_hex
from ...vision.appearance import training_labels
from ..base import ItemCache, TaskFamily, frames_for_moves, register_task
from ..config import TaskConfig, knob
from .canvas_regionmap import working_scale
from .graph_draw import paste
from .regions import palette_index
from .skins import AGENT, FLOOR, GOAL, WALL
from .sokoban_solver import DIRS, replay, solve
from .textures import dress, pattern_for, without_texture

CANVAS_TARGET = 512
_CACHE = ItemCache(32)  # judging scenes by item


# --- levels and the solver ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SokoLevel(TaskConfig):
    """maze.sokoban's config; the difficulties are the presets in SOKO_LEVELS."""

    rows: int = knob(3, 9, doc="interior size (the room has a wall border round it)")
    cols: int = knob(3, 9)
    boxes: int = knob(1, 3)
    walls: float = knob(0.0, 0.4, doc="fraction of interior cells that are walls")
    min_pushes: int = knob(1, 30)


SOKO_LEVELS = {"easy": SokoLevel(5, 5, 1, 0.10, 2), "medium": SokoLevel(6, 6, 1, 0.14, 4),
               "hard": SokoLevel(7, 7, 2, 0.12, 4)}


# --- skins --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SokoSkin:
    name: str
    floor: tuple
    wall: tuple
    target: tuple
    box: tuple
    agent: tuple
    agent_shape: str
    target_shape: str
    words: dict = field(default_factory=dict)  # agent, box, target, floor, wall
    agent_scale: float = 0.6
    box_scale: float = 0.74
    target_scale: float = 0.92
    hard: bool = False
    texture: str | None = None  # a textures.TEXTURE_SETS name: tile images and shaded sprites

    def palette(self):
        return (np.array([self.floor, self.wall, self.target, self.agent, self.box], np.uint8),
                np.array([FLOOR, WALL, GOAL, AGENT, BOX], np.int64))

    def to_json(self) -> dict:
        return without_texture(asdict(self))

    def texture_roles(self) -> list:
        return [(self.floor, pattern_for(self.texture, "floor")), (self.wall, pattern_for(self.texture, "wall")),
                (self.target, "sprite"), (self.box, "sprite"), (self.agent, "sprite")]

    @classmethod
    def from_json(cls, d: dict) -> "SokoSkin":
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


def _w(agent, box, target, floor, wall):
    return {"agent": agent, "box": box, "target": target, "floor": floor, "wall": wall}


SOKO_SKINS = {s.name: s for s in [
    SokoSkin("warehouse", floor=(235, 225, 205), wall=(110, 70, 50), target=(40, 170, 70), box=(200, 140, 40),
             agent=(40, 60, 210), agent_shape="circle", target_shape="square",
             words=_w("blue circle", "orange crate", "green square", "beige", "brown brick")),
    SokoSkin("neon", floor=(20, 20, 40), wall=(90, 90, 140), target=(255, 0, 200), box=(0, 220, 220),
             agent=(255, 230, 0), agent_shape="diamond", target_shape="circle",
             words=_w("yellow diamond", "cyan block", "magenta circle", "dark navy", "slate blue")),
    SokoSkin("paper", floor=(250, 250, 250), wall=(30, 30, 30), target=(220, 40, 40), box=(120, 120, 120),
             agent=(30, 120, 230), agent_shape="triangle", target_shape="cross",
             words=_w("blue triangle", "grey box", "red cross", "white", "black")),
    # hard: opaque target tiles, box and target close in hue, a small player
    SokoSkin("dusk", floor=(70, 60, 90), wall=(25, 20, 35), target=(170, 90, 60), box=(215, 130, 70),
             agent=(120, 230, 160), agent_shape="star", target_shape="tile", agent_scale=0.5,
             words=_w("mint star", "amber box", "rust-coloured tile", "dusky purple", "near-black"), hard=True),
    # textured (VR-Bench's look): wooden floor, brick walls, shaded multi-colour sprites
    SokoSkin("dungeon", floor=(200, 170, 120), wall=(84, 84, 96), target=(40, 170, 80), box=(60, 150, 205),
             agent=(220, 40, 60), agent_shape="circle", target_shape="square", texture="wood_brick", hard=True,
             words=_w("shaded red ball", "teal crate", "green square", "wooden", "grey brick")),
]}


@dataclass(frozen=True)
class SokoGeom:
    rows: int  # full grid, border walls included
    cols: int
    cell: int

    @property
    def width(self) -> int:
        return self.cols * self.cell

    @property
    def height(self) -> int:
        return self.rows * self.cell

    def centre(self, r: float, c: float):
        return (c + 0.5) * self.cell, (r + 0.5) * self.cell

    def to_json(self):
        return {"rows": self.rows, "cols": self.cols, "cell_px": self.cell, "width": self.width, "height": self.height}

    @classmethod
    def from_json(cls, d):
        return cls(d["rows"], d["cols"], d["cell_px"])


def render_room(geom: SokoGeom, walls: np.ndarray, targets, sk: SokoSkin) -> np.ndarray:
    """Floor, walls and targets: what never moves."""
    s = geom.cell
    img = np.repeat(np.repeat(np.where(walls[..., None], np.array(sk.wall, np.uint8), np.array(sk.floor, np.uint8)),
                              s, 0), s, 1)
    ts = s if sk.target_shape == "tile" else max(3, int(round(s * sk.target_scale)))
    for t in targets:
        paste(img, sk.target_shape, ts, sk.target, *geom.centre(*t))
    return img


def render(geom: SokoGeom, walls: np.ndarray, targets, sk: SokoSkin, boxes=(), player=None,
           room: np.ndarray | None = None) -> np.ndarray:
    """The room, then boxes and the player at (fractional) cells."""
    img = (render_room(geom, walls, targets, sk) if room is None else room).copy()
    s = geom.cell
    for b in boxes:
        paste(img, "square", max(3, int(round(s * sk.box_scale))), sk.box, *geom.centre(*b))
    if player is not None:
        paste(img, sk.agent_shape, max(3, int(round(s * sk.agent_scale))), sk.agent, *geom.centre(*player))
    return dress(img, sk)


@register_task("maze.sokoban", "Sokoban: push the box(es) onto the target(s); pulls and wall pushes fail.",
               group="maze")
class Sokoban(TaskFamily):
    description = "Sokoban rooms: push every box onto a target (checked push by push)."
    dimension = "action planning"
    skins = tuple(n for n, s in SOKO_SKINS.items() if not s.hard)
    all_skins = tuple(SOKO_SKINS)
    presets = SOKO_LEVELS
    checker_name = "sokoban"
    # 2: picture sprites by their pictures; textured skins follow the camera; 3: the pace rule; 4: target markers
    # watched, a box belongs to the cell that holds more of it (slow pushes)
    checker_version = "4"
    frames_per_step = 6
    hold_frames = 16

    def check_skin(self, skin):
        if skin is not None and skin not in SOKO_SKINS:
            raise ValueError(f"{self.name}: unknown skin {skin!r}; known: {', '.join(SOKO_SKINS)}")

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: SokoLevel | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SOKO_SKINS[skin_name]
        R, C = lv.rows + 2, lv.cols + 2
        for _ in range(400):
            walls = np.ones((R, C), bool)
            walls[1:-1, 1:-1] = rng.random((lv.rows, lv.cols)) < lv.walls
            free = ~walls
            cells = [tuple(map(int, x)) for x in np.argwhere(free)]
            if len(cells) < 2 * lv.boxes + 3:
                continue
            pick = rng.permutation(len(cells))[:2 * lv.boxes + 1].tolist()
            player = cells[pick[0]]
            boxes = sorted(cells[i] for i in pick[1:1 + lv.boxes])
            targets = sorted(cells[i] for i in pick[1 + lv.boxes:])
            # boxes in corners can never move: skip without searching
            if any(_cornered(free, b) for b in boxes):
                continue
            res = solve(free, player, boxes, targets)
            if res is None or res[1] < lv.min_pushes:
                continue
            path, pushes = res
            break
        else:  # pragma: no cover
            raise RuntimeError(f"{self.name}/{difficulty}: no solvable room found")
        geom = SokoGeom(R, C, max(8, int(CANVAS_TARGET / max(R, C)) // 2 * 2))
        moves = "".join(_dir_name(a, b, replay([a, b], boxes_at)) for a, b, boxes_at in _steps(path, boxes))
        grid = np.where(walls, 1, 0).astype(np.uint8)
        state = {
            "game": "sokoban", "rows": R, "cols": C, "grid": grid.tolist(), "start": list(player),
            "boxes": [list(b) for b in boxes], "targets": [list(t) for t in targets],
            "min_pushes": pushes, "solution": [list(p) for p in path], "moves": moves,
            "shortest_length": len(path) - 1, "skin": sk.to_json(), "geometry": geom.to_json(),
        }
        w = sk.words
        n_box = "the " + w["box"] if lv.boxes == 1 else f"{'both' if lv.boxes == 2 else f'all {lv.boxes}'} {w['box']}es"
        prompt_i2v = (
            f"A top-down view of a Sokoban room with {w['floor']} floor and {w['wall']} walls. The {w['agent']} "
            f"walks cell by cell and pushes {n_box} onto the {w['target']}{'' if lv.boxes == 1 else 's'}: it "
            f"can only push a box from directly behind, never pull it, and a box never moves on its own or into "
            f"a wall. When every box is on a target, everything stays still. Static camera.")
        rc = lambda p: f"row {p[0] + 1}, column {p[1] + 1}"  # noqa: E731
        box_at = "; ".join(f"one {w['box']} at {rc(b)}" for b in boxes)
        target_at = "; ".join(f"one {w['target']} at {rc(t)}" for t in targets)
        prompt_t2v = (
            f"A top-down view of a {R}×{C} Sokoban room with {w['floor']} floor and {w['wall']} walls. "
            f"A {w['agent']} stands at {rc(player)}; {box_at}; {target_at} (counting from the top left, walls "
            f"included). The {w['agent']} pushes every box onto a target from behind, in as few pushes as possible, "
            f"never pulling a box or pushing it into a wall, then everything stays still. Flat colours.")
        first = render(geom, walls, targets, sk, boxes, player)
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def layout_key(self, item: TaskItem) -> str:
        s = item.state
        return sha256_hex(canonical_json([s["grid"], s["start"], s["boxes"], s["targets"]]))

    # --- frames
    def frames_for(self, item: TaskItem, path: list, frames_per_step: int | None = None, hold: int | None = None,
                   num_frames: int | None = None, boxes_track: list | None = None) -> Iterator[np.ndarray]:
        """Player along ``path`` (cells), pushing boxes (or following ``boxes_track``), linear motion."""
        s = item.state
        geom, sk = SokoGeom.from_json(s["geometry"]), SokoSkin.from_json(s["skin"])
        walls = np.array(s["grid"], bool)
        track = boxes_track or replay(path, s["boxes"])
        room = render_room(geom, walls, s["targets"], sk)
        steps = len(path) - 1
        hold = self.hold_frames if hold is None else hold
        fps_step = frames_per_step or self.frames_per_step
        if num_frames:
            hold = max(1, int(round(0.2 * num_frames)))
            fps_step = max(1, (num_frames - 1 - hold) // max(steps, 1))
        out = 0
        for k in range(steps):
            (r0, c0), (r1, c1) = path[k], path[k + 1]
            for j in range(fps_step):
                t = j / fps_step
                bx = [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for a, b in zip(track[k], track[k + 1])]
                yield render(geom, walls, s["targets"], sk, bx, (r0 + (r1 - r0) * t, c0 + (c1 - c0) * t), room)
                out += 1
        # the hold takes the frames that rounding the steps down left over, up to num_frames exactly
        for _ in range(max(hold + 1, (num_frames or 0) - out)):
            if num_frames and out >= num_frames:
                return
            yield render(geom, walls, s["targets"], sk, track[-1], path[-1], room)
            out += 1

    def min_frames(self, item) -> int:
        return frames_for_moves(len(item.state["solution"]) - 1)

    def solution_frames(self, item, solution=0, fps=None, num_frames=None):
        return self.frames_for(item, [tuple(p) for p in item.state["solution"]], num_frames=num_frames)

    def final_frame(self, item):
        s = item.state
        path = [tuple(p) for p in s["solution"]]
        return next(self.frames_for(item, [path[-1]], boxes_track=[replay(path, s["boxes"])[-1]], hold=0))

    def random_frames(self, item, rng, fps=None, num_frames=None):
        """Legal random play: walk and push, never into walls or box pairs."""
        s = item.state
        free = np.array(s["grid"]) == 0
        cur, boxes = tuple(s["start"]), [tuple(b) for b in s["boxes"]]
        path = [cur]
        for _ in range(s["shortest_length"] + 4):
            opts = []
            for dr, dc in DIRS.values():
                n = (cur[0] + dr, cur[1] + dc)
                if not free[n]:
                    continue
                if n in boxes:
                    beyond = (n[0] + dr, n[1] + dc)
                    if not free[beyond] or beyond in boxes:
                        continue
                opts.append(n)
            cur = opts[int(rng.integers(len(opts)))]
            boxes = replay([path[-1], cur], boxes)[-1]
            path.append(cur)
        return self.frames_for(item, path, num_frames=num_frames)

    # --- judging
    def scene(self, item: TaskItem) -> SokobanScene:
        return _CACHE.get(item.content_hash, lambda: build_scene(item))

    def working_size(self, item):
        sc = self.scene(item)
        return sc.width, sc.height

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        return SokobanChecker(self.scene(item), self.checker_version).check(frames, fit, fps)

    def perturbations(self) -> list:
        from .sokoban_cases import sokoban_perturbations

        return sokoban_perturbations()


def _cornered(free: np.ndarray, b) -> bool:
    r, c = b
    v = not free[r - 1, c] or not free[r + 1, c]
    h = not free[r, c - 1] or not free[r, c + 1]
    return v and h


def _steps(path, boxes):
    track = replay(path, boxes)
    for k in range(len(path) - 1):
        yield path[k], path[k + 1], track[k]


def _dir_name(a, b, track) -> str:
    d = (b[0] - a[0], b[1] - a[1])
    name = next(k for k, v in DIRS.items() if v == d)
    pushed = track[0] != track[1]
    return name if pushed else name.lower()


# --- the checker's spec ------------------------------------------------------------------------------

def build_scene(item: TaskItem) -> SokobanScene:
    """The Sokoban checker's spec: cells, walls and the palette at the working size, the sprites' areas
    in the first frame, and the level (start, boxes, targets, the minimum pushes and a solution); for a
    textured skin also the labels and first frame its appearance model learns from."""
    s = item.state
    geom, sk = SokoGeom.from_json(s["geometry"]), SokoSkin.from_json(s["skin"])
    sc = working_scale(geom.cell, geom.cell * sk.agent_scale)
    W, H = max(8, int(round(geom.width * sc))), max(8, int(round(geom.height * sc)))
    xs = np.minimum(((np.arange(W) + 0.5) * geom.width / W).astype(int), geom.width - 1)
    ys = np.minimum(((np.arange(H) + 0.5) * geom.height / H).astype(int), geom.height - 1)
    cx, cy = np.meshgrid(xs, ys)
    cell_of = (cy // geom.cell) * geom.cols + cx // geom.cell
    fx, fy = (cx % geom.cell) / geom.cell, (cy % geom.cell) / geom.cell
    interior = (fx > 0.15) & (fx < 0.85) & (fy > 0.15) & (fy < 0.85)
    palette, pclass = sk.palette()
    first = item.first_frame
    if sk.texture:  # the flat drawing says which pixel of the first frame shows what
        from dataclasses import replace

        first = render(geom, np.array(s["grid"], bool), s["targets"], replace(sk, texture=None),
                       s["boxes"], s["start"])
    idx = palette_index(first, palette)[np.ix_(ys, xs)]
    same = np.ones_like(idx, bool)
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        same &= np.roll(idx, (dy, dx), axis=(0, 1)) == idx
    counts = np.bincount(idx[idx >= 0], minlength=len(palette))
    n_box = max(len(s["boxes"]), 1)
    return SokobanScene(W, H, geom.rows, geom.cols, np.array(s["grid"], bool), cell_of, interior,
                        W / geom.cols, H / geom.rows, palette, pclass, np.where(same, idx, -1),
                        float(max(counts[3], 1)), float(max(counts[4], 1)) / n_box,
                        tuple(s["start"]), frozenset(map(tuple, s["boxes"])), frozenset(map(tuple, s["targets"])),
                        int(s["min_pushes"]), [tuple(p) for p in s["solution"]],
                        training_labels(idx, pclass, same) if sk.texture else None,
                        expected_first(item.first_frame, W, H) if sk.texture else None)
