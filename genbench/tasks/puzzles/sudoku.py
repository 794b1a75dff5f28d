"""puzzle.sudoku: fill the blanks so every row, column and box holds each digit once.

4×4 (2×2 boxes) for easy and medium, 9×9 (3×3 boxes) for hard. The grid is a shuffled base pattern;
cells are blanked in random order while a solver still finds exactly one solution, so the stored
answer is the only one. Digits are drawn as seven-segment strokes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...schema import TaskItem
from ...checkers.board import draw_glyph
from ..base import register_task
from ..config import ConfigError, TaskConfig, knob
from .board import BoardFamily, board_case, board_state, jumpcut, replay, square_board, with_write

CANVAS = 512


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.sudoku's config; the difficulties are the presets in LEVELS."""

    n: int = knob(choices=(4, 9), doc="board side")
    blanks: int = knob(1, 60, doc="empty cells (the solution stays unique)")

    def check(self) -> None:
        most = {4: 12, 9: 60}[self.n]  # beyond these a unique puzzle is rarely (4×4: never) found
        if self.blanks > most:
            raise ConfigError(f"blanks={self.blanks} is not allowed: a {self.n}×{self.n} sudoku takes at most {most}")


LEVELS = {"easy": Level(4, 6), "medium": Level(4, 10), "hard": Level(9, 40)}

SKINS = {
    "paper": {"page": (246, 246, 240), "line": (40, 40, 40), "cell": (255, 255, 255), "given": (20, 20, 20),
              "answer": (30, 70, 210), "words": {"board": "a white grid with black lines",
                                                 "given": "black", "answer": "blue"}},
    "chalk": {"page": (28, 58, 44), "line": (200, 212, 200), "cell": (36, 78, 56), "given": (240, 240, 240),
              "answer": (250, 208, 60), "words": {"board": "a dark green chalkboard grid with pale lines",
                                                  "given": "white", "answer": "yellow"}},
}


# --- solving ------------------------------------------------------------------------------------------

def count_solutions(grid: list[int], n: int, limit: int = 2) -> int:
    """Solutions of a sudoku (0 = blank), counted up to ``limit``: bitmask backtracking, fewest options first."""
    b = int(round(n ** 0.5))
    full = (1 << (n + 1)) - 2
    rows, cols, boxes = [0] * n, [0] * n, [0] * n
    blanks = []
    for i, v in enumerate(grid):
        r, c = divmod(i, n)
        if v:
            bit = 1 << v
            k = (r // b) * b + c // b
            if rows[r] & bit or cols[c] & bit or boxes[k] & bit:
                return 0
            rows[r] |= bit
            cols[c] |= bit
            boxes[k] |= bit
        else:
            blanks.append((r, c, (r // b) * b + c // b))
    found = 0

    def solve(todo: list) -> None:
        nonlocal found
        if found >= limit:
            return
        if not todo:
            found += 1
            return
        best, opts = None, None
        for j, (r, c, k) in enumerate(todo):
            o = full & ~(rows[r] | cols[c] | boxes[k])
            if opts is None or bin(o).count("1") < bin(opts).count("1"):
                best, opts = j, o
                if o == 0:
                    return
        r, c, k = todo[best]
        rest = todo[:best] + todo[best + 1:]
        while opts:
            bit = opts & -opts
            opts ^= bit
            rows[r] |= bit
            cols[c] |= bit
            boxes[k] |= bit
            solve(rest)
            rows[r] ^= bit
            cols[c] ^= bit
            boxes[k] ^= bit

    solve(blanks)
    return found


def full_grid(n: int, rng: np.random.Generator) -> list[int]:
    """A random complete grid: the base pattern with bands, stacks, rows, columns and digits shuffled."""
    b = int(round(n ** 0.5))

    def order():
        return [g * b + i for g in rng.permutation(b).tolist() for i in rng.permutation(b).tolist()]

    rows, cols, digits = order(), order(), (rng.permutation(n) + 1).tolist()
    return [digits[(b * (r % b) + r // b + c) % n] for r in rows for c in cols]


def make_puzzle(n: int, blanks: int, rng: np.random.Generator) -> tuple[list[int], list[int]]:
    for _ in range(50):
        sol = full_grid(n, rng)
        puzzle = list(sol)
        removed = 0
        for i in rng.permutation(n * n).tolist():
            if removed == blanks:
                break
            keep = puzzle[i]
            puzzle[i] = 0
            if count_solutions(puzzle, n) == 1:
                removed += 1
            else:
                puzzle[i] = keep
        if removed == blanks:
            return puzzle, sol
    raise RuntimeError(f"no unique {n}x{n} sudoku with {blanks} blanks found")  # pragma: no cover


def layout_rects(n: int) -> tuple[list[list[int]], int, int]:
    """Cell rectangles with thick lines between boxes: (rects, thin, thick)."""
    b = int(round(n ** 0.5))
    thin, thick = (2, 6) if n == 9 else (4, 10)
    lines = [thick if i % b == 0 else thin for i in range(n + 1)]
    cell = (CANVAS - 24 - sum(lines)) // n
    side = n * cell + sum(lines)
    x0 = (CANVAS - side) // 2
    pos, p = [], x0
    for i in range(n):
        p += lines[i]
        pos.append(p)
        p += cell
    return [[pos[c], pos[r], pos[c] + cell, pos[r] + cell] for r in range(n) for c in range(n)], x0, side


@register_task("puzzle.sudoku", "Sudoku (4×4 / 9×9, unique solution): write the missing digits one by one.",
               group="puzzles")
class Sudoku(BoardFamily):
    description = "Sudoku with a unique solution: fill every blank so rows, columns and boxes hold each digit once."
    dimension = "symbolic & logical"
    presets = LEVELS
    skins = tuple(SKINS)
    all_skins = tuple(SKINS)
    checker_version = "3"  # 2: frames read from the decoder planes (frames_as_planes); 3: re-aligned only once the
    # frame matches the drawing worse than at the last alignment (BoardReader.retrack)

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        puzzle, sol = make_puzzle(lv.n, lv.blanks, rng)
        rects, x0, side = layout_rects(lv.n)
        symbols = [""] + [str(d) for d in range(1, lv.n + 1)]
        board = board_state("glyph", rects, puzzle, sol, [v != 0 for v in puzzle], symbols,
                            cell_bg=sk["cell"], inks=[sk["given"], sk["answer"]])
        state = {"game": "sudoku", "n": lv.n, "box": int(round(lv.n ** 0.5)), "skin": skin_name,
                 "layout": {"x0": x0, "side": side}, "board": board,
                 "solutions": [sol], "unique": True}
        first = self._draw(state, puzzle, None)
        w = sk["words"]
        b = state["box"]
        rule = (f"Fill every empty cell with one digit from 1 to {lv.n} so that each row, each column and each "
                f"bold-outlined {b}×{b} box contains every digit exactly once.")
        prompt_i2v = (
            f"A {lv.n}×{lv.n} sudoku on {w['board']}; the given digits are {w['given']} seven-segment numerals. "
            f"{rule} Write the missing digits one at a time in {w['answer']} seven-segment numerals, centred in "
            f"their cells. The given digits, the grid and the camera do not move; the finished grid stays still.")
        rows = " / ".join(" ".join(str(v) if v else "_" for v in puzzle[r * lv.n:(r + 1) * lv.n])
                          for r in range(lv.n))
        prompt_t2v = (
            f"A top-down view of a {lv.n}×{lv.n} sudoku on {w['board']}, with {w['given']} seven-segment digits "
            f"given row by row as: {rows} (_ is an empty cell). {rule} The missing digits appear one at a time "
            f"in {w['answer']}, and the finished grid stays still. Static camera, flat colours.")
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def _draw(self, state: dict, cells: list[int], partial) -> np.ndarray:
        sk = SKINS[state["skin"]]
        b = state["board"]
        img = square_board(state, sk, sk["cell"], CANVAS)
        for i, rect in enumerate(b["rects"]):
            v = cells[i]
            ink = sk["given"] if b["givens"][i] else sk["answer"]
            if v > 0:
                draw_glyph(img, rect, b["symbols"][v], ink)
            if partial is not None and partial[0] == i:
                draw_glyph(img, rect, b["symbols"][partial[1]], ink, upto=partial[2])
        return img

    def render(self, item: TaskItem, cells: list[int], partial=None) -> np.ndarray:
        return self._draw(item.state, cells, partial)

    def render_write(self, item: TaskItem, before: np.ndarray, cells: list[int], cell: int, symbol: int,
                     upto: float = 1.0) -> np.ndarray:
        """Only the write drawn, onto a copy of ``before``: a glyph stays inside its own cell (its box is
        the cell's middle 36%×60%, strokes 7% thick), so no other cell's anti-aliased pixels meet it and
        the draw order across cells cannot matter — the pixels of a full redraw (tests compare every
        frame). A cell that held a digit is redrawn whole (its old digit must go)."""
        if cells[cell] != 0 and upto >= 1.0:
            return super().render_write(item, before, cells, cell, symbol, upto)
        b = item.state["board"]
        sk = SKINS[item.state["skin"]]
        img = before.copy()
        ink = sk["given"] if b["givens"][cell] else sk["answer"]
        draw_glyph(img, b["rects"][cell], b["symbols"][symbol], ink, upto)
        return img

    def oracle_order(self, item: TaskItem, solution: int = 0) -> list[tuple[int, int]]:
        b = item.state["board"]
        return [(i, s) for i, (g, s) in enumerate(zip(b["givens"], b["solution"])) if not g]

    def random_order(self, item: TaskItem, rng: np.random.Generator) -> list[tuple[int, int]]:
        """Every blank filled with a random digit (a plausible but unchecked fill)."""
        n = item.state["n"]
        return [(i, int(rng.integers(1, n + 1))) for i, _ in self.oracle_order(item)]

    def perturbations(self) -> list:
        return [
            board_case("wrong_digit", "WRONG_ANSWER", _wrong_digit, "the oracle with one answer digit wrong"),
            board_case("swapped_digits", "WRONG_ANSWER", _swapped, "two answers written in each other's cells"),
            board_case("given_overwritten", "LAYOUT_CHANGED", _given_overwritten, "a given digit rewritten"),
            board_case("jumpcut_wrong", "WRONG_ANSWER", _jumpcut_wrong, "a cut to a wrong full grid"),
            board_case("half_filled", "WRONG_ANSWER", _half, "only half of the blanks are filled"),
        ]


def _oracle_states(fam, item):
    return replay(item.state["board"]["initial"], fam.oracle_order(item))


def _other_digit(v: int, n: int, rng) -> int:
    return int((v - 1 + rng.integers(1, n)) % n + 1)


def _wrong_digit(fam, item, rng):
    order = fam.oracle_order(item)
    k = int(rng.integers(len(order)))
    cell, v = order[k]
    order[k] = (cell, _other_digit(v, item.state["n"], rng))
    return replay(item.state["board"]["initial"], order)


def _swapped(fam, item, rng):
    order = fam.oracle_order(item)
    for a in range(len(order)):
        for b in range(a + 1, len(order)):
            if order[a][1] != order[b][1]:
                (ca, va), (cb, vb) = order[a], order[b]
                order[a], order[b] = (ca, vb), (cb, va)
                return replay(item.state["board"]["initial"], order)
    raise RuntimeError("no two blanks hold different digits")  # pragma: no cover


def _given_overwritten(fam, item, rng):
    states = _oracle_states(fam, item)
    b = item.state["board"]
    given = [i for i, g in enumerate(b["givens"]) if g]
    c = given[int(rng.integers(len(given)))]
    return with_write(states, c, _other_digit(b["initial"][c], item.state["n"], rng))


def _jumpcut_wrong(fam, item, rng):
    b = item.state["board"]
    final = list(b["solution"])
    for i, _ in fam.oracle_order(item):
        final[i] = _other_digit(final[i], item.state["n"], rng)
    return jumpcut(b["initial"], final)


def _half(fam, item, rng):
    order = fam.oracle_order(item)
    return replay(item.state["board"]["initial"], order[:len(order) // 2])
