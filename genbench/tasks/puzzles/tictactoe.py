"""puzzle.tictactoe: place the one mark that wins, or else the one that blocks the opponent's win.

Positions come from random legal play (X moves first, nobody has won yet). Easy: the player to
move can win (the opponent threatens nothing); medium: no win, the opponent threatens exactly one
cell (block it); hard: a 4×4 board, four in a row, where the player can win and the opponent also
threatens (winning beats blocking). Every accepted cell is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...schema import TaskItem
from ...checkers.board import EMPTY, Rules, draw_glyph
from ..base import register_task
from ..config import TaskConfig, knob
from .board import BoardFamily, board_case, board_state, grid_rects, jumpcut, replay, square_board, with_write

CANVAS = 512
X, O = 1, 2
SYMBOLS = ["", "X", "O"]


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.tictactoe's config; the difficulties are the presets in LEVELS."""

    n: int = knob(3, 4, doc="board side")
    goal: str = knob(choices=("win", "block", "win_over_block"), doc="the one right mark wins, blocks, or wins over a threat")


LEVELS = {"easy": Level(3, "win"), "medium": Level(3, "block"), "hard": Level(4, "win_over_block")}

SKINS = {
    "paper": {"page": (250, 250, 245), "line": (40, 40, 40), "cell": (255, 255, 255),
              "X": (210, 40, 40), "O": (30, 80, 210),
              "words": {"board": "a white board with black lines", "X": "red X", "O": "blue O"}},
    "neon": {"page": (14, 16, 30), "line": (120, 130, 170), "cell": (24, 28, 52),
             "X": (0, 230, 240), "O": (250, 70, 210),
             "words": {"board": "a dark navy board with pale lines", "X": "cyan X", "O": "magenta O"}},
}


def lines_of(n: int) -> list[list[int]]:
    rows = [[r * n + c for c in range(n)] for r in range(n)]
    cols = [[r * n + c for r in range(n)] for c in range(n)]
    return rows + cols + [[i * n + i for i in range(n)], [i * n + n - 1 - i for i in range(n)]]


def winner(board: list[int], n: int) -> int:
    for ln in lines_of(n):
        v = board[ln[0]]
        if v and all(board[i] == v for i in ln):
            return v
    return 0


def winning_cells(board: list[int], n: int, player: int) -> list[int]:
    """Empty cells where ``player`` completes a line."""
    out = set()
    for ln in lines_of(n):
        vals = [board[i] for i in ln]
        if vals.count(player) == n - 1 and vals.count(EMPTY) == 1:
            out.add(ln[vals.index(EMPTY)])
    return sorted(out)


def to_move(board: list[int]) -> int:
    return X if board.count(X) == board.count(O) else O


def accepted_cells(board: list[int], n: int) -> tuple[list[int], str]:
    """The accepted moves and why: all wins if any, else all cells that block the opponent's only threat."""
    me = to_move(board)
    wins = winning_cells(board, n, me)
    if wins:
        return wins, "win"
    threats = winning_cells(board, n, X + O - me)
    return (threats, "block") if len(threats) == 1 else ([], "none")


@register_task("puzzle.tictactoe", "Tic-tac-toe: place the one mark that wins or blocks.", group="puzzles")
class TicTacToe(BoardFamily):
    description = "Tic-tac-toe (3×3, and 4×4 four-in-a-row): draw the mark that wins, or else blocks."
    dimension = "structural reasoning & search"
    presets = LEVELS
    skins = tuple(SKINS)
    all_skins = tuple(SKINS)
    checker_version = "3"  # 2: frames read from the decoder planes (frames_as_planes); 3: re-aligned only once the
    # frame matches the drawing worse than at the last alignment (BoardReader.retrack)
    stroke_frames = 4  # the mark is drawn stroke by stroke
    # A single mark is one atomic action: a cut to the answer board *is* the process, so it passes.
    perturbation_expectations = {"cut_to_final": "pass"}

    def _position(self, lv: Level, rng) -> list[int]:
        n = lv.n
        for _ in range(5000):
            board = [EMPTY] * (n * n)
            moves = int(rng.integers(3, n * n - 2))
            for _m in range(moves):
                free = [i for i, v in enumerate(board) if v == EMPTY]
                board[free[int(rng.integers(len(free)))]] = to_move(board)
                if winner(board, n):
                    break
            if winner(board, n) or board.count(EMPTY) < 2:
                continue
            me = to_move(board)
            wins = winning_cells(board, n, me)
            threats = winning_cells(board, n, X + O - me)
            if lv.goal == "win" and len(wins) == 1 and not threats:
                return board
            if lv.goal == "block" and not wins and len(threats) == 1:
                return board
            if lv.goal == "win_over_block" and len(wins) == 1 and threats and not set(wins) & set(threats):
                return board
        raise RuntimeError(f"no {lv.goal} position found")  # pragma: no cover

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        n = lv.n
        board = self._position(lv, rng)
        me = to_move(board)
        accepted, why = accepted_cells(board, n)
        sol = list(board)
        sol[accepted[0]] = me
        line = 8
        cell = (CANVAS - 48 - (n + 1) * line) // n
        side = n * cell + (n + 1) * line
        x0 = (CANVAS - side) // 2
        rects = grid_rects(n, n, cell, x0, x0, [line] * (n + 1), [line] * (n + 1))
        bstate = board_state("glyph", rects, board, sol, [v != EMPTY for v in board], SYMBOLS,
                             cell_bg=sk["cell"], inks=[sk["X"], sk["O"]])
        solutions = []
        for c in accepted:
            s = list(board)
            s[c] = me
            solutions.append(s)
        state = {"game": "tictactoe", "n": n, "to_move": SYMBOLS[me], "skin": skin_name, "reason": why,
                 "accepted_cells": accepted, "layout": {"x0": x0, "side": side},
                 "board": bstate, "solutions": solutions}
        first = self._draw(state, board, None)
        w = sk["words"]
        mark = w[SYMBOLS[me]]
        other = w[SYMBOLS[X + O - me]]
        k = "three" if n == 3 else "four"
        rule = (f"It is {SYMBOLS[me]}'s turn. Players take turns and whoever first gets {k} of their marks in a "
                f"row, column or diagonal wins. Draw exactly one {mark} in an empty cell: a cell that completes "
                f"a line of {k} {SYMBOLS[me]}s if there is one, otherwise the cell that stops the {other}s from "
                f"completing a line of {k} on their next turn.")
        prompt_i2v = (f"A {n}×{n} tic-tac-toe game on {w['board']} with {w['X']} and {w['O']} marks. {rule} The "
                      f"other marks, the grid and the camera do not move; after the mark is drawn the board stays "
                      f"still.")
        rows = " / ".join(" ".join(SYMBOLS[v] or "_" for v in board[r * n:(r + 1) * n]) for r in range(n))
        prompt_t2v = (f"A top-down view of a {n}×{n} tic-tac-toe board on {w['board']}; row by row the cells are "
                      f"{rows} (_ is empty), with {w['X']} and {w['O']} marks. {rule} The board then stays still. "
                      f"Static camera, flat colours.")
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def _draw(self, state: dict, cells: list[int], partial) -> np.ndarray:
        sk = SKINS[state["skin"]]
        b = state["board"]
        img = square_board(state, sk, sk["cell"], CANVAS)
        for i, rect in enumerate(b["rects"]):
            if cells[i] > 0:
                draw_glyph(img, rect, SYMBOLS[cells[i]], sk[SYMBOLS[cells[i]]])
            if partial is not None and partial[0] == i and partial[1] > 0:
                draw_glyph(img, rect, SYMBOLS[partial[1]], sk[SYMBOLS[partial[1]]], upto=partial[2])
        return img

    def render(self, item: TaskItem, cells: list[int], partial=None) -> np.ndarray:
        return self._draw(item.state, cells, partial)

    def oracle_order(self, item: TaskItem, solution: int = 0) -> list[tuple[int, int]]:
        cells = item.state["accepted_cells"]
        return [(cells[solution % len(cells)], SYMBOLS.index(item.state["to_move"]))]

    def rules(self, item: TaskItem) -> Rules:
        sols = [tuple(s) for s in item.state["solutions"]]

        def accepts(st):
            return tuple(st) in sols

        return Rules(accepts, lambda st: float(accepts(st)), None, None)

    def random_order(self, item: TaskItem, rng: np.random.Generator) -> list[tuple[int, int]]:
        """The player's mark in a random empty cell that neither wins nor blocks."""
        return [(_wrong_cell(item, rng), SYMBOLS.index(item.state["to_move"]))]

    def perturbations(self) -> list:
        def me(it):
            return SYMBOLS.index(it.state["to_move"])

        def init(it):
            return it.state["board"]["initial"]

        return [
            board_case("wrong_cell", "WRONG_ANSWER",
                       lambda f, it, rng: replay(init(it), [(_wrong_cell(it, rng), me(it))]),
                       "the mark in a cell that neither wins nor blocks"),
            board_case("wrong_mark", "WRONG_ANSWER",
                       lambda f, it, rng: replay(init(it), [(it.state["accepted_cells"][0], X + O - me(it))]),
                       "the opponent's mark in the right cell"),
            board_case("two_marks", "WRONG_ANSWER",
                       lambda f, it, rng: replay(init(it), [(_wrong_cell(it, rng), me(it)), f.oracle_order(it)[0]]),
                       "a mark in a wrong cell, then one in the right cell"),
            board_case("mark_changed", "LAYOUT_CHANGED", _mark_changed, "an existing mark rubbed out"),
            board_case("jumpcut_wrong", "WRONG_ANSWER",
                       lambda f, it, rng: jumpcut(init(it), replay(init(it), [(_wrong_cell(it, rng), me(it))])[-1]),
                       "a cut to a board with the mark in a wrong cell"),
        ]


def _wrong_cell(item, rng) -> int:
    b = item.state["board"]["initial"]
    bad = [i for i, v in enumerate(b) if v == EMPTY and i not in item.state["accepted_cells"]]
    return int(bad[int(rng.integers(len(bad)))])


def _mark_changed(fam, item, rng):
    states = replay(item.state["board"]["initial"], fam.oracle_order(item))
    b = item.state["board"]["initial"]
    marked = [i for i, v in enumerate(b) if v != EMPTY]
    return with_write(states, marked[int(rng.integers(len(marked)))], EMPTY)
