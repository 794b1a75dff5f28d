"""puzzle.symmetry: colour the empty half of a grid so it mirrors the given half across the drawn axis.

Easy: a vertical axis; medium: a vertical or horizontal axis and more colours; hard: both axes
(the top-left quadrant is given, the other three must mirror it). The answer is unique: every cell
of the empty side has exactly one mirror cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...raster import fill
from ...schema import TaskItem
from ..base import register_task
from ..config import TaskConfig, knob
from .board import (BoardFamily, board_case, board_state, draw_colour_board, grid_rects, jumpcut, replay,
                    with_write)

CANVAS = 512


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.symmetry's config; the difficulties are the presets in LEVELS."""

    rows: int = knob(3, 10)
    cols: int = knob(3, 10)
    colours: int = knob(1, 4)
    # axes to draw from: "v" (left → right), "h" (top → bottom), "vh" (both)
    axes: tuple[str, ...] = knob(choices=("v", "h", "vh"))


LEVELS = {"easy": Level(4, 6, 2, ("v",)), "medium": Level(6, 6, 3, ("v", "h")), "hard": Level(8, 8, 4, ("vh",))}

SKINS = {
    "tiles": {"page": (240, 240, 236), "line": (150, 150, 150), "axis": (20, 20, 20),
              "empty": (255, 255, 255), "colours": [(220, 40, 40), (30, 90, 220), (40, 160, 60), (245, 150, 20)],
              "words": {"empty": "white", "axis": "black", "line": "grey",
                        "colours": ["red", "blue", "green", "orange"]}},
    "neon": {"page": (16, 18, 34), "line": (70, 74, 100), "axis": (240, 240, 240),
             "empty": (32, 36, 60), "colours": [(0, 220, 235), (240, 60, 200), (250, 230, 40), (120, 240, 60)],
             "words": {"empty": "dark navy", "axis": "white", "line": "dim blue",
                       "colours": ["cyan", "magenta", "yellow", "lime"]}},
}


def mirror_of(r: int, c: int, R: int, C: int, axis: str) -> tuple[int, int]:
    """The given cell that (r, c) mirrors (itself when it is on the given side)."""
    if "v" in axis and c >= C // 2:
        c = C - 1 - c
    if "h" in axis and r >= R // 2:
        r = R - 1 - r
    return r, c


def copy_of(r: int, c: int, R: int, C: int, axis: str) -> tuple[int, int]:
    """Where a translated (not mirrored) copy would take (r, c) from: a plausible mistake."""
    if "v" in axis and c >= C // 2:
        c -= C // 2
    if "h" in axis and r >= R // 2:
        r -= R // 2
    return r, c


@register_task("puzzle.symmetry", "Symmetry completion: colour the cells that mirror the given half.",
               group="puzzles")
class Symmetry(BoardFamily):
    description = "Symmetry completion: colour the empty side so the grid mirrors across the drawn axis."
    dimension = "spatial & visual pattern"
    presets = LEVELS
    skins = tuple(SKINS)
    all_skins = tuple(SKINS)
    checker_version = "4"  # 2: frames read from the decoder planes (frames_as_planes); 3: re-aligned only once the
    # frame matches the drawing worse than at the last alignment (BoardReader.retrack); 4: nor fitted again
    # after a fit that gained nothing until a frame matches worse than that one (colour boards)

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        R, C = lv.rows, lv.cols
        axis = lv.axes[int(rng.integers(len(lv.axes)))]
        given = [mirror_of(r, c, R, C, axis) == (r, c) for r in range(R) for c in range(C)]
        for _ in range(200):
            pattern = np.where(rng.random((R, C)) < 0.5, rng.integers(1, lv.colours + 1, (R, C)), 0)
            sol = [int(pattern[mirror_of(r, c, R, C, axis)]) for r in range(R) for c in range(C)]
            copy = [int(pattern[copy_of(r, c, R, C, axis)]) for r in range(R) for c in range(C)]
            used = {v for v, g in zip(sol, given) if g and v}
            if sum(v > 0 for v, g in zip(sol, given) if not g) >= 4 and copy != sol and len(used) == lv.colours:
                break
        initial = [v if g else 0 for v, g in zip(sol, given)]
        line, wide = 3, 9
        col_lines = [wide if ("v" in axis and c == C // 2) else line for c in range(C + 1)]
        row_lines = [wide if ("h" in axis and r == R // 2) else line for r in range(R + 1)]
        cell = (CANVAS - 40 - max(sum(col_lines), sum(row_lines))) // max(R, C)
        w, h = C * cell + sum(col_lines), R * cell + sum(row_lines)
        x0, y0 = (CANVAS - w) // 2, (CANVAS - h) // 2
        rects = grid_rects(R, C, cell, x0, y0, col_lines, row_lines)
        palette = [sk["empty"]] + sk["colours"][:lv.colours]
        symbols = ["empty"] + sk["words"]["colours"][:lv.colours]
        board = board_state("colour", rects, initial, sol, given, symbols, palette)
        state = {"game": "symmetry", "rows": R, "cols": C, "axis": axis, "skin": skin_name,
                 "layout": {"x0": x0, "y0": y0, "w": w, "h": h, "cell": cell, "wide": wide,
                            "col_lines": col_lines, "row_lines": row_lines},
                 "board": board, "solutions": [sol], "unique": True}
        first = self._draw(state, initial)
        wd = sk["words"]
        names = ", ".join(symbols[1:])
        side = {"v": "left half is", "h": "top half is", "vh": "top-left quarter is"}[axis]
        empty = {"v": "right half", "h": "bottom half", "vh": "other three quarters"}[axis]
        line_words = {"v": f"a thick {wd['axis']} vertical line", "h": f"a thick {wd['axis']} horizontal line",
                      "vh": f"thick {wd['axis']} vertical and horizontal lines"}[axis]
        rule = (f"Colour the cells of the {empty} so that the whole grid is mirror-symmetric across "
                f"{line_words} through its middle: each cell takes the colour of its mirror image, and cells "
                f"whose mirror image is {wd['empty']} stay {wd['empty']}.")
        prompt_i2v = (
            f"A {R}×{C} grid of square cells with {wd['line']} lines on a {wd['empty']} background. The {side} "
            f"a pattern of {names} cells; the {empty} is empty. {rule} Fill the cells one at a time; the given "
            f"side, the grid and the camera do not move, and the finished grid stays still.")
        rows = " / ".join(" ".join(symbols[v] if g else "?" for v, g in zip(initial[r * C:(r + 1) * C],
                                                                           given[r * C:(r + 1) * C]))
                          for r in range(R))
        prompt_t2v = (
            f"A top-down view of a {R}×{C} grid of square cells, {wd['empty']} when empty, split by "
            f"{line_words}. Row by row the cells are: {rows} (? marks a cell to fill). {rule} The cells are "
            f"coloured one at a time and the finished grid stays still. Static camera, flat colours.")
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def _draw(self, state: dict, cells: list[int]) -> np.ndarray:
        sk = SKINS[state["skin"]]
        lay = state["layout"]
        b = state["board"]
        img = np.empty((CANVAS, CANVAS, 3), np.uint8)
        fill(img, sk["page"])
        draw_colour_board(img, b["rects"], cells, b["palette"], sk["line"])
        R, C, axis = state["rows"], state["cols"], state["axis"]
        x0, y0, wide = lay["x0"], lay["y0"], lay["wide"]
        if "v" in axis:  # the axis line fills the wide gap between the halves
            ax = x0 + sum(lay["col_lines"][:C // 2]) + (C // 2) * lay["cell"]
            fill(img[y0:y0 + lay["h"], ax:ax + wide], sk["axis"])
        if "h" in axis:
            ay = y0 + sum(lay["row_lines"][:R // 2]) + (R // 2) * lay["cell"]
            fill(img[ay:ay + wide, x0:x0 + lay["w"]], sk["axis"])
        return img

    def render(self, item: TaskItem, cells: list[int], partial=None) -> np.ndarray:
        return self._draw(item.state, cells)

    def oracle_order(self, item: TaskItem, solution: int = 0) -> list[tuple[int, int]]:
        b = item.state["board"]
        return [(i, s) for i, (g, s) in enumerate(zip(b["givens"], b["solution"])) if not g and s]

    def random_order(self, item: TaskItem, rng: np.random.Generator) -> list[tuple[int, int]]:
        """As many cells as the answer has, at random places on the empty side, in random colours."""
        b = item.state["board"]
        free = [i for i, g in enumerate(b["givens"]) if not g]
        k = len(self.oracle_order(item))
        picks = rng.choice(free, size=min(k, len(free)), replace=False).tolist()
        return [(int(i), int(rng.integers(1, len(b["symbols"])))) for i in picks]

    def perturbations(self) -> list:
        return [
            board_case("wrong_colour", "WRONG_ANSWER", _wrong_colour, "one mirrored cell in another colour"),
            board_case("copied_not_mirrored", "WRONG_ANSWER", _copied, "the given half translated, not mirrored"),
            board_case("extra_cell", "WRONG_ANSWER", _extra, "a cell that must stay empty is coloured"),
            board_case("given_changed", "LAYOUT_CHANGED", _given_changed, "a cell of the given half recoloured"),
            board_case("jumpcut_wrong", "WRONG_ANSWER", _jumpcut_copy, "a cut to the translated copy"),
        ]


def _copy_state(item) -> list[int]:
    s = item.state
    R, C, axis = s["rows"], s["cols"], s["axis"]
    init = s["board"]["initial"]
    return [init[rr * C + cc] for r in range(R) for c in range(C) for rr, cc in [copy_of(r, c, R, C, axis)]]


def _wrong_colour(fam, item, rng):
    order = fam.oracle_order(item)
    k = int(rng.integers(len(order)))
    n = len(item.state["board"]["symbols"]) - 1
    cell, v = order[k]
    order[k] = (cell, int((v - 1 + rng.integers(1, n)) % n + 1))
    return replay(item.state["board"]["initial"], order)


def _copied(fam, item, rng):
    b = item.state["board"]
    target = _copy_state(item)
    order = [(i, v) for i, (g, v) in enumerate(zip(b["givens"], target)) if not g and v]
    return replay(b["initial"], order)


def _extra(fam, item, rng):
    """A cell that must stay empty is coloured first, then the mirror is drawn around it."""
    b = item.state["board"]
    empty = [i for i, (g, v) in enumerate(zip(b["givens"], b["solution"])) if not g and v == 0]
    if not empty:  # every answer cell is coloured: recolour one instead
        return _wrong_colour(fam, item, rng)
    return replay(b["initial"], [(empty[int(rng.integers(len(empty)))], 1)] + fam.oracle_order(item))


def _given_changed(fam, item, rng):
    b = item.state["board"]
    states = replay(b["initial"], fam.oracle_order(item))
    given = [i for i, g in enumerate(b["givens"]) if g]
    c = given[int(rng.integers(len(given)))]
    n = len(b["symbols"])
    return with_write(states, c, int((b["initial"][c] + 1) % n))


def _jumpcut_copy(fam, item, rng):
    return jumpcut(item.state["board"]["initial"], _copy_state(item))
