"""puzzle.sliding: the 3×3 sliding puzzle (eight numbered tiles and a blank), solved in few moves.

A move slides one tile into the neighbouring blank cell. The goal is 1–8 in reading order with the
blank bottom right. Starts are drawn from the states exactly d moves from the goal (a breadth-first
search from the goal, computed once per process), so the optimal move count is known exactly. Any
legal sequence that reaches the goal passes; optimality is reported.
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass

import numpy as np

from ...raster import fill
from ...schema import TaskItem, canonical_json, sha256_hex
from ...checkers.process import Game
from ...perturb import Perturbation, canvas_clip
from ..base import TaskFamily, register_task
from ..config import ConfigError, TaskConfig, knob
from .objects import (COLOUR_WORDS, OBJECT_COLOURS, Pace, ProcessFamilyMixin, draw_number, fill_rect,
                      resized_from_third)


MAX_DEPTH = 20  # the search stores every state ≤ 20 moves from the goal (~45k states)


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.sliding's config; the difficulties are the presets in LEVELS."""

    min_moves: int = knob(1, MAX_DEPTH, doc="optimal moves from the start to the solved board: low")
    max_moves: int = knob(1, MAX_DEPTH, doc="… and high (inclusive)")

    def check(self) -> None:
        if self.min_moves > self.max_moves:
            raise ConfigError(f"min_moves={self.min_moves} is not allowed: it exceeds max_moves={self.max_moves}")


LEVELS = {"easy": Level(4, 7), "medium": Level(8, 11), "hard": Level(12, 15)}
SKINS = {
    "light": {"background": (245, 245, 240), "board": (200, 200, 205), "digit": (20, 20, 25),
              "words": {"board": "light grey board", "digits": "black numbers", "background": "white"}},
    "dark": {"background": (28, 30, 48), "board": (80, 84, 110), "digit": (255, 255, 255),
             "words": {"board": "slate blue board", "digits": "white numbers", "background": "dark blue"}},
}
CELL, GAP, MARGIN = 120, 8, 30
SIZE = 2 * MARGIN + 3 * CELL
GOAL = (1, 2, 3, 4, 5, 6, 7, 8, 0)  # cell → tile number, 0 = blank


def _neighbours(cell: int):
    r, c = divmod(cell, 3)
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        if 0 <= r + dr < 3 and 0 <= c + dc < 3:
            yield (r + dr) * 3 + c + dc


_SEARCH: dict | None = None


def search() -> tuple[dict, list[list[tuple]]]:
    """(distance of every board ≤ MAX_DEPTH moves from the goal, boards by depth in BFS order)."""
    global _SEARCH
    if _SEARCH is None:
        dist = {GOAL: 0}
        layers: list[list[tuple]] = [[GOAL]]
        q = deque([GOAL])
        while q:
            b = q.popleft()
            d = dist[b]
            if d == MAX_DEPTH:
                continue
            z = b.index(0)
            for nb in _neighbours(z):
                nxt = list(b)
                nxt[z], nxt[nb] = nxt[nb], 0
                t = tuple(nxt)
                if t not in dist:
                    dist[t] = d + 1
                    if len(layers) <= d + 1:
                        layers.append([])
                    layers[d + 1].append(t)
                    q.append(t)
        _SEARCH = {"dist": dist, "layers": layers}
    return _SEARCH["dist"], _SEARCH["layers"]


def board_to_slots(board: tuple) -> tuple:
    """cell → tile board to the checker's state: the cell of tile 1, 2, …, 8."""
    return tuple(board.index(t) for t in range(1, 9))


def slots_to_board(slots: tuple) -> tuple:
    b = [0] * 9
    for k, cell in enumerate(slots):
        b[cell] = k + 1
    return tuple(b)


def distance(slots: tuple) -> int:
    dist, _ = search()
    return dist.get(slots_to_board(slots), MAX_DEPTH + 1)


def optimal_path(board: tuple) -> list[tuple]:
    """Boards from ``board`` to the goal, each one move closer."""
    dist, _ = search()
    out = [board]
    while out[-1] != GOAL:
        b = out[-1]
        z = b.index(0)
        for nb in _neighbours(z):
            nxt = list(b)
            nxt[z], nxt[nb] = nxt[nb], 0
            if dist.get(tuple(nxt), 99) == dist[b] - 1:
                out.append(tuple(nxt))
                break
    return out


def cell_xy(cell: int) -> tuple[float, float]:
    r, c = divmod(cell, 3)
    return MARGIN + (c + 0.5) * CELL, MARGIN + (r + 0.5) * CELL


@register_task("puzzle.sliding", "3×3 sliding puzzle: slide tiles into the blank until 1–8 are in order.",
               group="puzzles")
class Sliding(ProcessFamilyMixin, TaskFamily):
    description = "3×3 sliding puzzle: slide one tile at a time into the blank until the tiles read 1–8."
    dimension = "action planning"
    presets = LEVELS
    skins = tuple(SKINS)
    all_skins = skins
    checker_name = "process"
    checker_version = "3"  # 2: the process engine re-aligns when resting objects fill their boxes poorly; 3: planes
    pace = Pace(transit=5, rest=3, lead=3, hold=18)
    perturbation_expectations = {"cut_to_final": "TELEPORT"}

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        _, layers = search()
        depth = int(rng.integers(lv.min_moves, lv.max_moves + 1))
        board = layers[depth][int(rng.integers(len(layers[depth])))]
        colours = [int(c) for c in rng.choice(len(OBJECT_COLOURS), 8, replace=False)]
        path = optimal_path(board)
        state = {"game": "sliding", "start_board": list(board), "goal_board": list(GOAL),
                 "start": list(board_to_slots(board)), "goal": list(board_to_slots(GOAL)),
                 "optimal_moves": depth, "solutions": [[list(board_to_slots(b)) for b in path]],
                 "colours": colours, "skin": {"name": skin_name, **sk},
                 "geometry": {"width": SIZE, "height": SIZE, "cell": CELL, "gap": GAP, "margin": MARGIN}}
        w = sk["words"]
        rows = ["  ".join(str(board[r * 3 + c]) if board[r * 3 + c] else "blank" for c in range(3)) for r in range(3)]
        rule = ("Each move slides exactly one tile into the empty cell next to it (up, down, left or right); "
                "tiles never jump, overlap or change their number or colour. Keep sliding until the tiles read "
                "1 2 3 / 4 5 6 / 7 8 with the empty cell at the bottom right, then everything stays still.")
        prompt_i2v = (f"A 3×3 sliding puzzle on a {w['board']}: eight coloured square tiles with {w['digits']} "
                      f"and one empty cell. Solve the puzzle in as few moves as possible. " + rule)
        names = ", ".join(f"{k + 1} is {COLOUR_WORDS[colours[k]]}" for k in range(8))
        prompt_t2v = (f"A top-down view of a 3×3 sliding puzzle on a {w['board']} on a {w['background']} background. "
                      f"Eight coloured square tiles carry {w['digits']} (tile {names}). Row by row from the top: "
                      + "; ".join(rows) + ". " + rule + " Static camera, flat colours.")
        first = self.draw_state(state, self.positions_raw(state["start"]), [])
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def layout_key(self, item: TaskItem) -> str:
        return sha256_hex(canonical_json(["sliding", item.state["start_board"]]))

    # drawing
    @staticmethod
    def positions_raw(slots) -> np.ndarray:
        return np.array([cell_xy(c) for c in slots], np.float64)

    def positions(self, item, state):
        return self.positions_raw(state)

    def draw_objects(self, item, xy, on_top):
        return self.draw_state(item.state, xy, on_top)

    @staticmethod
    def draw_state(s: dict, xy, on_top) -> np.ndarray:
        sk = s["skin"]
        img = np.empty((SIZE, SIZE, 3), np.uint8)
        fill(img, sk["background"])
        fill(img[MARGIN - GAP:SIZE - MARGIN + GAP, MARGIN - GAP:SIZE - MARGIN + GAP], sk["board"])
        half = (CELL - GAP) / 2
        for k in [k for k in range(8) if k not in on_top] + list(on_top):
            x, y = xy[k]
            fill_rect(img, x, y, half, half, OBJECT_COLOURS[s["colours"][k]])
            num = s.get("relabel", {}).get(str(k), k + 1)  # relabel: a perturbation's cheat
            draw_number(img, num, x, y, 0.45 * CELL, sk["digit"], 9)
        return img

    def solution_states(self, item, solution: int = 0):
        sols = item.state["solutions"]
        return [tuple(x) for x in sols[solution % len(sols)]]

    def random_frames(self, item, rng, fps=None, num_frames=None):
        board = tuple(item.state["start_board"])
        boards = [board]
        for _ in range(item.state["optimal_moves"] + 2):
            z = boards[-1].index(0)
            nbs = list(_neighbours(z))
            nb = nbs[int(rng.integers(len(nbs)))]
            nxt = list(boards[-1])
            nxt[z], nxt[nb] = nxt[nb], 0
            boards.append(tuple(nxt))
        return self.play_states(item, [board_to_slots(b) for b in boards], num_frames)

    # judging
    def game(self, item) -> Game:
        s = item.state
        sk = s["skin"]
        palette = [tuple(sk["background"]), tuple(sk["board"]), tuple(sk["digit"])]
        obj_class = []
        for k in range(8):
            palette.append(tuple(OBJECT_COLOURS[s["colours"][k]]))
            obj_class.append(len(palette) - 1)
        cells = self.positions_raw(range(9))
        slot_xy = np.repeat(cells[None], 8, axis=0)
        half = np.full((8, 2), (CELL - GAP) / 2)

        def legal(a, b):
            moved = [k for k in range(8) if a[k] != b[k]]
            if len(moved) != 1:
                return f"{len(moved)} tiles moved at once (a move slides one tile)"
            k = moved[0]
            blank = (set(range(9)) - set(a)).pop()
            if b[k] != blank or b[k] not in set(_neighbours(a[k])):
                return f"tile {k + 1} moved from cell {a[k]} to cell {b[k]}, not into the neighbouring blank"
            return None

        return Game(canvas=(SIZE, SIZE), scale=0.4, palette=np.array(palette, np.uint8), obj_class=obj_class,
                    slot_xy=slot_xy, half=half, start=tuple(s["start"]), goals={tuple(s["goal"])},
                    optimal=s["optimal_moves"],
                    render=lambda st: self.draw_state(s, self.positions_raw(st), []),
                    valid=lambda st: len(set(st)) == 8, legal=legal, distance=distance)

    # checker validity
    def perturbations(self) -> list:
        def jump(fam, item, rng):
            start = tuple(item.state["start"])
            blank = (set(range(9)) - set(start)).pop()
            far = [k for k in range(8) if start[k] not in set(_neighbours(blank))]
            k = far[int(rng.integers(len(far)))]
            moved = list(start)
            moved[k] = blank
            return canvas_clip(fam, item, fam.play_states(item, [start, tuple(moved)]))

        def two_at_once(fam, item, rng):
            start = tuple(item.state["start"])
            blank = (set(range(9)) - set(start)).pop()
            b = slots_to_board(start)
            nb = next(iter(_neighbours(blank)))
            nb2 = next(c for c in _neighbours(nb) if c != blank)
            moved = list(start)
            moved[b[nb] - 1], moved[b[nb2] - 1] = blank, nb  # two tiles shift in one move
            return canvas_clip(fam, item, fam.play_states(item, [start, tuple(moved)]))

        def short(fam, item, rng):
            return canvas_clip(fam, item, fam.play_states(item, fam.solution_states(item)[:-1]))

        def renumber(fam, item, rng):
            relabelled = copy.copy(item)
            relabelled.state = {**item.state, "relabel": {"0": 7}}
            frames = list(fam.solution_frames(item))
            late = list(fam.solution_frames(relabelled))
            return canvas_clip(fam, item, frames[:10] + late[10:])

        return [Perturbation("tile_jump", "ILLEGAL_MOVE", jump, "a tile not next to the blank moves into it"),
                Perturbation("two_tiles_at_once", "ILLEGAL_MOVE", two_at_once, "two tiles shift in one move"),
                Perturbation("one_move_short", "GOAL_NOT_REACHED", short, "legal moves, stops one move early"),
                Perturbation("tile_renumbered", "LAYOUT_CHANGED", renumber, "tile 1 shows a 7 midway"),
                # no tile_shrinks: a tile at 0.8× still covers its cell's box and passes (the process
                # checker's growth check is for objects that stand apart, check_growth=False here)
                Perturbation("tile_grows", "LAYOUT_CHANGED", resized_from_third(1.2, under="board"),
                             "a tile grows 1.2× a third of the way in")]
