"""puzzle.grid_transform: ARC-like — infer the rule from example pairs, apply it to the test grid.

Each row of the canvas is an input grid, an arrow and its output grid; the last row's output grid is
empty and must be filled. Easy: recolour one colour; medium: a reflection or a one-cell shift; hard:
a reflection or shift combined with a recolour, from three examples. The answer is unique within the
rule space: every rule of the space that explains all the examples gives the same test output
(checked at generation), so the examples pin the answer down.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from ...raster import fill
from ...schema import TaskItem
from ..base import register_task
from ..config import TaskConfig, knob
from .board import (BoardFamily, arrow, board_case, board_state, draw_colour_board, grid_rects, jumpcut, replay,
                    with_write)

WIDTH = 512
N_COLOURS = 5  # colours besides the background


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.grid_transform's config; the difficulties are the presets in LEVELS."""

    size: int = knob(2, 6, doc="grid side")
    examples: int = knob(1, 3, doc="example rows (input → output) above the test row")
    kinds: tuple[str, ...] = knob(choices=("recolour", "geometric", "both"), doc="rule kinds, one drawn per item")


LEVELS = {"easy": Level(3, 2, ("recolour",)), "medium": Level(4, 2, ("geometric",)),
          "hard": Level(5, 3, ("both",))}

GEOMETRIC = ("identity", "flip_lr", "flip_ud", "shift_right", "shift_left", "shift_down", "shift_up")
GEO_WORDS = {"identity": "keep every cell in place", "flip_lr": "reflect left to right",
             "flip_ud": "reflect top to bottom", "shift_right": "shift one cell to the right",
             "shift_left": "shift one cell to the left", "shift_down": "shift one cell down",
             "shift_up": "shift one cell up"}

SKINS = {
    "arc": {"page": (30, 30, 30), "line": (90, 90, 90), "arrow": (230, 230, 230), "empty": (0, 0, 0),
            "colours": [(0, 116, 217), (255, 65, 54), (46, 204, 64), (255, 220, 0), (240, 18, 190)],
            "words": {"empty": "black", "colours": ["blue", "red", "green", "yellow", "magenta"],
                      "arrow": "white"}},
    "pastel": {"page": (250, 248, 240), "line": (170, 170, 170), "arrow": (60, 60, 60), "empty": (255, 255, 255),
               "colours": [(110, 150, 230), (235, 110, 100), (110, 200, 120), (240, 190, 70), (170, 110, 210)],
               "words": {"empty": "white", "colours": ["blue", "red", "green", "amber", "purple"],
                         "arrow": "dark grey"}},
}


def geo(g: np.ndarray, name: str) -> np.ndarray:
    out = np.zeros_like(g)
    if name == "identity":
        return g.copy()
    if name == "flip_lr":
        return g[:, ::-1].copy()
    if name == "flip_ud":
        return g[::-1].copy()
    if name == "shift_right":
        out[:, 1:] = g[:, :-1]
    elif name == "shift_left":
        out[:, :-1] = g[:, 1:]
    elif name == "shift_down":
        out[1:] = g[:-1]
    elif name == "shift_up":
        out[:-1] = g[1:]
    return out


def apply_rule(g: np.ndarray, rule: tuple[str, int, int]) -> np.ndarray:
    """rule = (geometric op, colour a, colour b): move the cells, then paint a's cells b (a=0: no recolour)."""
    name, a, b = rule
    out = geo(g, name)
    if a:
        out = np.where(out == a, b, out)
    return out


def rule_space() -> list[tuple[str, int, int]]:
    recol = [(0, 0)] + [(a, b) for a, b in product(range(1, N_COLOURS + 1), repeat=2) if a != b]
    return [(name, a, b) for name in GEOMETRIC for a, b in recol]


RULES = rule_space()


def describe(rule) -> str:
    return GEO_WORDS[rule[0]]


@register_task("puzzle.grid_transform", "ARC-like grid transforms: apply the examples' rule to the test grid.",
               group="puzzles")
class GridTransform(BoardFamily):
    description = "ARC-like: infer the recolour / reflect / shift rule from examples and fill the test output."
    dimension = "symbolic & logical"
    presets = LEVELS
    skins = tuple(SKINS)
    all_skins = tuple(SKINS)
    checker_version = "4"  # 2: frames read from the decoder planes (frames_as_planes); 3: re-aligned only once the
    # frame matches the drawing worse than at the last alignment (BoardReader.retrack); 4: nor fitted again
    # after a fit that gained nothing until a frame matches worse than that one (colour boards)

    def _sample_rule(self, kind: str, rng) -> tuple[str, int, int]:
        a, b = (int(v) + 1 for v in rng.choice(N_COLOURS, 2, replace=False))
        moves = GEOMETRIC[1:]
        if kind == "recolour":
            return ("identity", a, b)
        name = moves[int(rng.integers(len(moves)))]
        return (name, 0, 0) if kind == "geometric" else (name, a, b)

    def _grid(self, n: int, rule, rng) -> np.ndarray:
        """A sparse random grid the rule visibly changes (and, for recolours, that shows colour a)."""
        for _ in range(100):
            k = int(rng.integers(2, 4))
            cols = (rng.choice(N_COLOURS, k, replace=False) + 1)
            if rule[1] and rule[1] not in cols:
                cols[0] = rule[1]
            g = np.where(rng.random((n, n)) < 0.5, rng.choice(cols, (n, n)), 0).astype(np.int64)
            if rule[1] and not (g == rule[1]).any():
                continue
            out = apply_rule(g, rule)
            if (out != g).any() and (out > 0).sum() >= 3:
                return g
        raise RuntimeError("no grid found")  # pragma: no cover

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        n = lv.size
        for _ in range(200):
            rule = self._sample_rule(lv.kinds[int(rng.integers(len(lv.kinds)))], rng)
            ins = [self._grid(n, rule, rng) for _ in range(lv.examples + 1)]
            outs = [apply_rule(g, rule) for g in ins]
            fits = [r for r in RULES if all((apply_rule(g, r) == o).all() for g, o in zip(ins[:-1], outs[:-1]))]
            answers = {apply_rule(ins[-1], r).tobytes() for r in fits}
            if len(answers) == 1 and (outs[-1] > 0).sum() >= 4:
                break
        else:  # pragma: no cover
            raise RuntimeError(f"{self.name}: no example set pins the answer down")
        rows = lv.examples + 1
        line, gap, margin, arrow_w = 3, 24, 20, 72
        cell = (WIDTH - 2 * margin - arrow_w - 2 * (n + 1) * line) // (2 * n)
        side = n * cell + (n + 1) * line
        height = 2 * margin + rows * side + (rows - 1) * gap + gap  # an extra gap before the test row
        height += height % 2  # even sizes for yuv420p video
        xl, xr = margin, WIDTH - margin - side
        rects, initial, solution, givens, panels = [], [], [], [], []
        for k in range(rows):
            y = margin + k * (side + gap) + (gap if k == rows - 1 else 0)
            test = k == rows - 1
            for x, grid, is_answer in ((xl, ins[k], False), (xr, outs[k], test)):
                panels.append([x, y, side])
                rects += grid_rects(n, n, cell, x, y, [line] * (n + 1), [line] * (n + 1))
                vals = grid.ravel().tolist()
                solution += vals
                initial += [0] * len(vals) if is_answer else vals
                givens += [not is_answer] * len(vals)
        palette = [sk["empty"]] + sk["colours"]
        symbols = ["empty"] + sk["words"]["colours"]
        board = board_state("colour", rects, initial, solution, givens, symbols, palette)
        state = {"game": "grid_transform", "size": n, "examples": lv.examples, "skin": skin_name,
                 "rule": list(rule), "rule_words": describe(rule) + (
                     f", then colour every {symbols[rule[1]]} cell {symbols[rule[2]]}" if rule[1] else ""),
                 "layout": {"width": WIDTH, "height": height, "panels": panels, "arrow_w": arrow_w},
                 "board": board, "solutions": [solution], "unique": True}
        first = self._draw(state, initial)
        wd = sk["words"]
        task = (f"Each row shows an input grid, a {wd['arrow']} arrow and the output grid that one hidden rule "
                f"makes from it (the rule can move cells by a reflection or a one-cell shift and can repaint "
                f"one colour as another). Work out the rule from the {lv.examples} example rows and apply it "
                f"to the input grid of the last row, filling its empty output grid")
        prompt_i2v = (
            f"{task}. Colour the output cells one at a time; cells that stay {wd['empty']} are left "
            f"{wd['empty']}. The example grids, the test input and the camera do not move, and the finished "
            f"grid stays still.")

        def text(g):
            return " / ".join(" ".join(symbols[int(v)] for v in row) for row in g)

        ex = "; ".join(f"example {k + 1}: input {text(ins[k])} gives output {text(outs[k])}"
                       for k in range(lv.examples))
        prompt_t2v = (
            f"A top-down view of {rows} rows of {n}×{n} colour grids on a {wd['empty']} background, rows listed "
            f"top to bottom: {ex}; test: input {text(ins[-1])} with an empty output grid. {task}, cell by "
            f"cell. Static camera, flat colours.")
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def _draw(self, state: dict, cells: list[int]) -> np.ndarray:
        sk = SKINS[state["skin"]]
        lay = state["layout"]
        b = state["board"]
        img = np.empty((lay["height"], lay["width"], 3), np.uint8)
        fill(img, sk["page"])
        per = state["size"] ** 2
        for k, (x, y, side) in enumerate(lay["panels"]):
            sl = slice(k * per, (k + 1) * per)
            draw_colour_board(img, b["rects"][sl], cells[sl], b["palette"], sk["line"])
            if k % 2 == 0:
                xa = x + side + 12
                arrow(img, xa, xa + lay["arrow_w"] - 24, y + side // 2, sk["arrow"], 4)
        return img

    def render(self, item: TaskItem, cells: list[int], partial=None) -> np.ndarray:
        return self._draw(item.state, cells)

    def oracle_order(self, item: TaskItem, solution: int = 0) -> list[tuple[int, int]]:
        b = item.state["board"]
        return [(i, s) for i, (g, s) in enumerate(zip(b["givens"], b["solution"])) if not g and s]

    def random_order(self, item: TaskItem, rng: np.random.Generator) -> list[tuple[int, int]]:
        """The test input copied unchanged into the output grid: the laziest plausible answer."""
        return _copy_order(item)

    def perturbations(self) -> list:
        return [
            board_case("copy_input", "WRONG_ANSWER",
                       lambda f, it, rng: replay(it.state["board"]["initial"], _copy_order(it)),
                       "the test input copied, no rule applied"),
            board_case("wrong_cell", "WRONG_ANSWER", _wrong_cell, "one output cell in another colour"),
            board_case("written_on_example", "LAYOUT_CHANGED", _on_example, "a cell of an example output repainted"),
            board_case("jumpcut_wrong", "WRONG_ANSWER",
                       lambda f, it, rng: jumpcut(it.state["board"]["initial"], replay(it.state["board"]["initial"],
                                                                                       _copy_order(it))[-1]),
                       "a cut to the copied input"),
        ]


def _copy_order(item) -> list[tuple[int, int]]:
    b = item.state["board"]
    per = item.state["size"] ** 2
    start = len(b["initial"]) - per
    test_in = b["initial"][start - per:start]
    return [(start + i, v) for i, v in enumerate(test_in) if v]


def _wrong_cell(fam, item, rng):
    order = fam.oracle_order(item)
    k = int(rng.integers(len(order)))
    cell, v = order[k]
    order[k] = (cell, int(v % N_COLOURS + 1))
    return replay(item.state["board"]["initial"], order)


def _on_example(fam, item, rng):
    b = item.state["board"]
    states = replay(b["initial"], fam.oracle_order(item))
    per = item.state["size"] ** 2
    c = per + int(rng.integers(per))  # a cell of the first example's output
    return with_write(states, c, int(b["initial"][c] % N_COLOURS + 1))
