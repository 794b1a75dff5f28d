"""Board puzzles toolkit: cell-grid geometry, drawing, the board as data and the shared family base.

A board item is a list of cells (rectangles on the canvas, possibly in several panels) whose content
is one symbol from a small alphabet: a colour (the cell's centre shows it) or a glyph (digits drawn as
seven-segment strokes, X and O marks; ``genbench.checkers.board.draw_glyph``), all drawn with cv2
primitives so the checker knows exactly what was drawn. ``item.state["board"]`` holds the cells, the
start and solved symbols, which cells are givens and the palette; the checker
(``genbench.checkers.board.BoardChecker``) needs nothing else but the family's ``Rules``.
"""

from __future__ import annotations

import itertools
from typing import Callable, Iterable, Iterator

import cv2
import numpy as np

from ...checkers.board import BoardChecker, Rules
from ...perturb import Perturbation, canvas_clip
from ...raster import fill
from ...schema import Fit, TaskItem, Verdict, canonical_json, sha256_hex
from ..base import TaskFamily

# --- geometry ---------------------------------------------------------------------------------------


def grid_rects(rows: int, cols: int, cell: int, x0: int, y0: int, col_lines: list[int],
               row_lines: list[int]) -> list[list[int]]:
    """Cell rectangles of a grid whose lines may differ in width (``cols + 1`` / ``rows + 1`` widths),
    e.g. thick box lines in sudoku or a wide mirror axis."""
    xs, p = [], x0
    for c in range(cols):
        p += col_lines[c]
        xs.append(p)
        p += cell
    ys, p = [], y0
    for r in range(rows):
        p += row_lines[r]
        ys.append(p)
        p += cell
    return [[xs[c], ys[r], xs[c] + cell, ys[r] + cell] for r in range(rows) for c in range(cols)]


def draw_colour_board(img: np.ndarray, rects: list, cells: list[int], palette: list, line_colour) -> None:
    """Grid lines in the line colour, every cell filled with its symbol's colour."""
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[2] for r in rects), max(r[3] for r in rects)
    lw = rects[1][0] - rects[0][2] if len(rects) > 1 and rects[1][1] == rects[0][1] else 2
    fill(img[max(0, y0 - lw):y1 + lw, max(0, x0 - lw):x1 + lw], line_colour)
    for rect, v in zip(rects, cells):
        fill_cell(img, rect, palette[v])


def fill_cell(img: np.ndarray, rect, colour) -> None:
    x0, y0, x1, y1 = rect
    fill(img[y0:y1, x0:x1], colour)


def square_board(state: dict, sk: dict, cell_colour, canvas: int) -> np.ndarray:
    """A ``canvas``-square page with the board of ``state["layout"]`` (x0, side): grid lines, and every
    cell filled with ``cell_colour``."""
    img = np.empty((canvas, canvas, 3), np.uint8)
    fill(img, sk["page"])
    x0, side = state["layout"]["x0"], state["layout"]["side"]
    fill(img[x0:x0 + side, x0:x0 + side], sk["line"])
    for rect in state["board"]["rects"]:
        fill_cell(img, rect, cell_colour)
    return img


def arrow(img: np.ndarray, x0: int, x1: int, y: int, colour, thick: int) -> None:
    cv2.arrowedLine(img, (x0, y), (x1, y), tuple(int(v) for v in colour), thick, cv2.LINE_AA, tipLength=0.35)


# --- the board as data ------------------------------------------------------------------------------


def board_state(kind: str, rects: list, initial: list[int], solution: list[int], givens: list[bool],
                symbols: list[str], palette: list | None = None, **extra) -> dict:
    """The ``board`` entry of an item's state (JSON-able)."""
    return {"kind": kind, "rects": [[int(v) for v in r] for r in rects], "initial": [int(v) for v in initial],
            "solution": [int(v) for v in solution], "givens": [bool(g) for g in givens],
            "symbols": list(symbols), "palette": [list(map(int, c)) for c in (palette or [])], **extra}


def replay(initial: list[int], order: Iterable[tuple[int, int]]) -> list[list[int]]:
    """States after each (cell, symbol) write, starting with the initial state."""
    cur = list(initial)
    out = [list(cur)]
    for cell, sym in order:
        cur[cell] = sym
        out.append(list(cur))
    return out


# --- the shared family base -----------------------------------------------------------------------------


class BoardFamily(TaskFamily):
    """A family whose item is a board of cells. Subclasses provide generate(), render(item, cells),
    oracle_order(item), rules(item), random_order(item, rng) and their own perturbations(), made
    with ``board_case``."""

    checker_name = "board"
    frames_as_planes = True  # the checker reads frames through vision.mapping.CanvasSampler (see TaskFamily)
    default_fps = 24.0
    lead_frames = 4
    hold_frames = 16
    max_frames = 96  # oracle videos stay ≤ 4 s at 24 fps
    glyph_work_px = 34  # working cell size: glyphs need more pixels than flat colours
    colour_work_px = 12
    stroke_frames = 0  # >0: a glyph is drawn stroke by stroke over this many frames

    # --- to implement -----------------------------------------------------------------------------------
    def render(self, item: TaskItem, cells: list[int], partial: tuple[int, int, float] | None = None) -> np.ndarray:
        raise NotImplementedError

    def render_write(self, item: TaskItem, before: np.ndarray, cells: list[int], cell: int, symbol: int,
                     upto: float = 1.0) -> np.ndarray:
        """``cells`` with ``symbol`` written into ``cell`` (``upto`` < 1: that much of the pen's strokes),
        given ``before`` = render(item, cells): the whole board redrawn here. A family whose cells are
        drawn apart overrides it to draw only the write (sudoku: most of its render time)."""
        if upto < 1.0:
            return self.render(item, cells, partial=(cell, symbol, upto))
        return self.render(item, [symbol if i == cell else v for i, v in enumerate(cells)])

    def oracle_order(self, item: TaskItem, solution: int = 0) -> list[tuple[int, int]]:
        """The (cell, symbol) writes of the ground truth, in order."""
        raise NotImplementedError

    def rules(self, item: TaskItem) -> Rules:
        b = item.state["board"]
        sol = b["solution"]
        ans = [i for i, g in enumerate(b["givens"]) if not g]

        def accepts(st):
            return all(st[i] == sol[i] for i in range(len(sol)))

        def score(st):
            return sum(st[i] == sol[i] for i in ans) / max(len(ans), 1)

        return Rules(accepts, score, None, self.default_burst_limit(item))

    def default_burst_limit(self, item: TaskItem) -> int:
        b = item.state["board"]
        k = sum(a != s for a, s in zip(b["initial"], b["solution"]))
        return max(2, k // 2)

    def random_order(self, item: TaskItem, rng: np.random.Generator) -> list[tuple[int, int]]:
        raise NotImplementedError

    # --- shared ---------------------------------------------------------------------------------------
    def layout_key(self, item: TaskItem) -> str:
        b = item.state["board"]
        return sha256_hex(canonical_json([item.state.get("layout", None), b["initial"], b["solution"]]))

    def states_frames(self, item: TaskItem, states: list[list[int]], num_frames: int | None = None,
                      strokes: bool = True) -> Iterator[np.ndarray]:
        """Each state in turn (one write each), then a hold: a fixed budget when num_frames is given."""
        frames = self._paced(item, states, num_frames, strokes)
        if num_frames:
            frames = itertools.islice(itertools.chain(frames, itertools.repeat(self.render(item, states[-1]))),
                                      num_frames)
        return frames

    def _paced(self, item, states, num_frames, strokes) -> Iterator[np.ndarray]:
        steps = len(states) - 1
        if num_frames:
            hold = max(2, int(round(0.2 * num_frames)))
            lead = min(self.lead_frames, max(1, num_frames // 10))
            per = max(1, (num_frames - lead - hold) // max(steps, 1))
        else:
            lead, hold = self.lead_frames, self.hold_frames
            per = max(1, min(6, (self.max_frames - lead - hold) // max(steps, 1)))
        first = self.render(item, states[0])
        for _ in range(lead):
            yield first
        pen = min(per - 1, self.stroke_frames) if strokes else 0
        before = first
        for k in range(1, len(states)):
            changed = [i for i, (a, b) in enumerate(zip(states[k - 1], states[k])) if a != b]
            one = len(changed) == 1
            c = changed[0] if one else -1
            done = (self.render_write(item, before, states[k - 1], c, states[k][c]) if one
                    else self.render(item, states[k]))
            for f in range(per):
                if pen > 0 and one and f < pen:
                    yield self.render_write(item, before, states[k - 1], c, states[k][c], (f + 1) / (pen + 1))
                else:
                    yield done
            before = done
        final = self.render(item, states[-1])
        for _ in range(hold):
            yield final

    def solution_frames(self, item: TaskItem, solution: int = 0, fps: float | None = None,
                        num_frames: int | None = None) -> Iterator[np.ndarray]:
        states = replay(item.state["board"]["initial"], self.oracle_order(item, solution))
        return self.states_frames(item, states, num_frames)

    def final_frame(self, item: TaskItem) -> np.ndarray:
        return self.render(item, replay(item.state["board"]["initial"], self.oracle_order(item))[-1])

    def min_frames(self, item: TaskItem) -> int:
        """Fewest frames that hold the lead, one frame per write and the end hold as ``_paced`` sizes
        them; below it the paced video runs past the budget and the cut drops the last writes (a sudoku
        with 40 blanks squeezed into 40 frames lost five digits and failed its own checker)."""
        steps = len(self.oracle_order(item))
        n = steps + 3
        while n - min(self.lead_frames, max(1, n // 10)) - max(2, int(round(0.2 * n))) < steps:
            n += 1
        return n

    def random_frames(self, item: TaskItem, rng: np.random.Generator, fps: float | None = None,
                      num_frames: int | None = None) -> Iterator[np.ndarray]:
        states = replay(item.state["board"]["initial"], self.random_order(item, rng))
        return self.states_frames(item, states, num_frames)

    def working_size(self, item: TaskItem) -> tuple[int, int]:
        b = item.state["board"]
        cell = min(r[2] - r[0] for r in b["rects"])
        target = self.glyph_work_px if b["kind"] == "glyph" else self.colour_work_px
        s = min(1.0, target / cell)
        w, h = item.canvas_size
        return max(8, int(round(w * s))), max(8, int(round(h * s)))

    def check(self, item: TaskItem, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        return BoardChecker(item.state["board"], item.canvas_size, item.first_frame, self.rules(item),
                            self.working_size(item), self.checker_version).check(frames, fit, fps)


def board_case(name: str, expect: str, states: Callable, description: str) -> Perturbation:
    """A family's own labelled video: the board states ``states(family, item, rng)`` drawn one write
    at a time, at the canvas size."""
    def make(fam, item, rng):
        return canvas_clip(fam, item, fam.states_frames(item, states(fam, item, rng)))
    return Perturbation(name, expect, make, description)


def with_write(states: list[list[int]], cell: int, sym: int) -> list[list[int]]:
    """The sequence plus one more write."""
    nxt = list(states[-1])
    nxt[cell] = sym
    return states + [nxt]


def jumpcut(initial: list[int], final: list[int], still: int = 6) -> list[list[int]]:
    """A still start, then every change at once (rendered as one step)."""
    return [list(initial)] * still + [list(final)]
