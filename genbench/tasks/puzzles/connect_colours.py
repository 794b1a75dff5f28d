"""puzzle.connect_colours: join each pair of same-coloured dots by a path of cells; paths never cross.

Pairs are laid down as random self-avoiding walks, so a solution exists (the stored example), but
any set of paths is accepted: for every colour the two dots must be joined through 4-connected
cells of that colour, no cell may hold two colours, and dots never change. The checker also reads
the drawing as a process: a path grows from its dot (a cell appears only next to its colour's
stroke) and never paints over another colour's path.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from ...raster import fill
from ...schema import TaskItem
from ...checkers.board import EMPTY, Rules
from ..base import register_task
from ..config import ConfigError, TaskConfig, knob
from .board import BoardFamily, board_case, board_state, grid_rects, jumpcut, replay, square_board, with_write

CANVAS = 512


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.connect_colours's config; the difficulties are the presets in LEVELS."""

    n: int = knob(4, 9, doc="board side")
    pairs: int = knob(1, 4, doc="dot pairs (one colour each)")
    min_len: int = knob(2, 40, doc="cells on a path, dots included: low")
    max_len: int = knob(2, 40, doc="… and high (inclusive)")

    def check(self) -> None:
        if self.min_len > self.max_len:
            raise ConfigError(f"min_len={self.min_len} is not allowed: it exceeds max_len={self.max_len}")
        if self.pairs * self.min_len > self.n * self.n:
            raise ConfigError(f"pairs={self.pairs}, min_len={self.min_len} is not allowed: {self.pairs} paths of "
                              f"{self.min_len} cells do not fit on {self.n}×{self.n} cells")


LEVELS = {"easy": Level(5, 2, 4, 7), "medium": Level(6, 3, 5, 9), "hard": Level(7, 4, 6, 12)}

SKINS = {
    "flow": {"page": (12, 12, 12), "line": (70, 70, 70), "empty": (0, 0, 0),
             "colours": [(230, 40, 40), (40, 110, 240), (40, 190, 60), (245, 215, 30)],
             "words": {"board": "a black grid with grey lines", "colours": ["red", "blue", "green", "yellow"]}},
    "paper": {"page": (245, 243, 235), "line": (180, 180, 175), "empty": (255, 255, 255),
              "colours": [(200, 30, 90), (20, 140, 150), (240, 120, 20), (110, 60, 190)],
              "words": {"board": "a white grid with light grey lines",
                        "colours": ["crimson", "teal", "orange", "purple"]}},
}


def neighbours(i: int, n: int):
    r, c = divmod(i, n)
    if r > 0:
        yield i - n
    if r < n - 1:
        yield i + n
    if c > 0:
        yield i - 1
    if c < n - 1:
        yield i + 1


def component(cells: list[int], n: int, start: int) -> set[int]:
    """Cells 4-connected to ``start`` through its colour."""
    col = cells[start]
    seen, q = {start}, deque([start])
    while q:
        a = q.popleft()
        for b in neighbours(a, n):
            if b not in seen and cells[b] == col:
                seen.add(b)
                q.append(b)
    return seen


def random_walk(free: set[int], n: int, length: int, rng) -> list[int] | None:
    """A self-avoiding walk of ``length`` cells through free cells, or None."""
    starts = sorted(free)
    path = [starts[int(rng.integers(len(starts)))]]
    used = {path[0]}
    while len(path) < length:
        opts = [b for b in neighbours(path[-1], n) if b in free and b not in used
                # keep the walk a simple path: no side contact with earlier cells (the answer stays crisp)
                and not any(x in used and x != path[-1] for x in neighbours(b, n))]
        if not opts:
            return None
        nxt = opts[int(rng.integers(len(opts)))]
        path.append(nxt)
        used.add(nxt)
    return path


@register_task("puzzle.connect_colours", "Connect colours: join same-coloured dots by non-crossing paths.",
               group="puzzles")
class ConnectColours(BoardFamily):
    description = "Connect colours: draw non-crossing paths along the grid joining each pair of same-coloured dots."
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
        n = lv.n
        for _ in range(500):
            free = set(range(n * n))
            paths = []
            for _p in range(lv.pairs):
                p = random_walk(free, n, int(rng.integers(lv.min_len, lv.max_len + 1)), rng)
                if p is None:
                    break
                paths.append(p)
                free -= set(p)
            if len(paths) == lv.pairs:
                break
        else:  # pragma: no cover
            raise RuntimeError(f"{self.name}: no layout with {lv.pairs} paths")
        initial = [EMPTY] * (n * n)
        sol = [EMPTY] * (n * n)
        for k, p in enumerate(paths):
            initial[p[0]] = initial[p[-1]] = k + 1
            for c in p:
                sol[c] = k + 1
        line = 4
        cell = (CANVAS - 40 - (n + 1) * line) // n
        side = n * cell + (n + 1) * line
        x0 = (CANVAS - side) // 2
        rects = grid_rects(n, n, cell, x0, x0, [line] * (n + 1), [line] * (n + 1))
        palette = [sk["empty"]] + sk["colours"][:lv.pairs]
        symbols = ["empty"] + sk["words"]["colours"][:lv.pairs]
        board = board_state("colour", rects, initial, sol, [v != EMPTY for v in initial], symbols, palette)
        state = {"game": "connect_colours", "n": n, "pairs": lv.pairs, "skin": skin_name,
                 "dots": [[p[0], p[-1]] for p in paths], "example_paths": paths,
                 "layout": {"x0": x0, "side": side}, "board": board, "solutions": [sol], "unique": False}
        first = self._draw(state, initial)
        w = sk["words"]
        names = ", ".join(symbols[1:])
        rule = ("Join each pair of same-coloured dots with a path of that colour that runs from cell to "
                "neighbouring cell (up, down, left or right) inside the grid. Paths never cross, touch a dot of "
                "another colour or share a cell.")
        prompt_i2v = (f"A {n}×{n} grid on {w['board']} with pairs of {names} dots. {rule} Draw the paths one "
                      f"at a time, each growing cell by cell from one of its dots to the other. The dots, the grid "
                      f"and the camera do not move; the finished drawing stays still.")
        where = "; ".join(f"{symbols[k + 1]} dots at row {p[0] // n + 1} column {p[0] % n + 1} and row "
                          f"{p[-1] // n + 1} column {p[-1] % n + 1}" for k, p in enumerate(paths))
        prompt_t2v = (f"A top-down view of a {n}×{n} grid on {w['board']} (rows and columns counted from the top "
                      f"left): {where}. {rule} The paths grow cell by cell and the finished drawing stays still. "
                      f"Static camera, flat colours.")
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def _draw(self, state: dict, cells: list[int]) -> np.ndarray:
        sk = SKINS[state["skin"]]
        b = state["board"]
        n = state["n"]
        img = square_board(state, sk, sk["empty"], CANVAS)
        rects = b["rects"]
        cell = rects[0][2] - rects[0][0]
        thick = max(3, int(0.4 * cell))

        def centre(i):
            r = rects[i]
            return (r[0] + r[2]) // 2, (r[1] + r[3]) // 2

        for i, v in enumerate(cells):  # strokes: a bar to each same-coloured right/lower neighbour
            if v <= 0:
                continue
            col = tuple(int(x) for x in b["palette"][v])
            cx, cy = centre(i)
            h = thick // 2
            fill(img[cy - h:cy + h, cx - h:cx + h], col)
            for j in (i + 1, i + n):
                if j < n * n and (j != i + 1 or j % n) and cells[j] == v:
                    jx, jy = centre(j)
                    fill(img[min(cy, jy) - h:max(cy, jy) + h, min(cx, jx) - h:max(cx, jx) + h], col)
        for i, g in enumerate(b["givens"]):
            if g and cells[i] > 0:  # dots are drawn from the state: a recoloured dot shows
                col = tuple(int(x) for x in b["palette"][cells[i]])
                cv2.circle(img, centre(i), int(0.36 * cell), col, -1, cv2.LINE_AA)
        return img

    def render(self, item: TaskItem, cells: list[int], partial=None) -> np.ndarray:
        return self._draw(item.state, cells)

    def oracle_order(self, item: TaskItem, solution: int = 0) -> list[tuple[int, int]]:
        return [(c, k + 1) for k, p in enumerate(item.state["example_paths"]) for c in p[1:-1]]

    def rules(self, item: TaskItem) -> Rules:
        n = item.state["n"]
        dots = item.state["dots"]
        init = item.state["board"]["initial"]

        def joined(st):
            return [b in component(st, n, a) for a, b in dots]

        def accepts(st):
            return all(st[i] == v for i, v in enumerate(init) if v) and all(joined(st))

        def score(st):
            return sum(joined(st)) / len(dots)

        def illegal(prev, new, changed):
            for c in changed:
                a, b = prev[c], new[c]
                if a > 0 and b > 0 and a != b and not init[c]:
                    return f"the {b} path crosses the {a} path at cell {c}"
            for c in changed:
                v = new[c]
                if v <= 0 or init[c] or prev[c] == v:
                    continue
                comp = component(new, n, c)
                if not any(d in comp for d in dots[v - 1]):
                    return f"cell {c} appears apart from its colour's stroke (paths grow from a dot)"
            return None

        return Rules(accepts, score, illegal, self.default_burst_limit(item))

    def random_order(self, item: TaskItem, rng: np.random.Generator) -> list[tuple[int, int]]:
        """Strokes that wander from each first dot through free cells without aiming at the other dot."""
        n = item.state["n"]
        cells = list(item.state["board"]["initial"])
        order = []
        for k, (a, b) in enumerate(item.state["dots"]):
            cur = a
            for _ in range(len(item.state["example_paths"][k]) - 2):
                opts = [x for x in neighbours(cur, n) if cells[x] == EMPTY and b not in neighbours(x, n)]
                if not opts:
                    break
                cur = opts[int(rng.integers(len(opts)))]
                cells[cur] = k + 1
                order.append((cur, k + 1))
        return order

    def perturbations(self) -> list:
        return [
            board_case("gap_in_path", "WRONG_ANSWER", _gap, "one path stops a cell short"),
            board_case("crossing", "ILLEGAL_MOVE", _crossing, "a path painted over another colour's path"),
            board_case("detached_stroke", "ILLEGAL_MOVE", _detached, "a stroke cell appears apart from its dot"),
            board_case("dot_recoloured", "LAYOUT_CHANGED", _dot_recoloured, "a dot changes colour"),
            board_case("jumpcut_wrong", "WRONG_ANSWER", lambda f, it, rng: jumpcut(it.state["board"]["initial"],
                                                                                  _gap(f, it, rng)[-1]),
                       "a cut to a drawing with a gap"),
        ]


def _gap(fam, item, rng):
    order = fam.oracle_order(item)
    rules = fam.rules(item)
    for k in range(len(order) - 1, -1, -1):
        states = replay(item.state["board"]["initial"], order[:k] + order[k + 1:])
        if not rules.accepts(states[-1]):
            return states
    raise RuntimeError("no gap breaks the drawing")  # pragma: no cover


def _crossing(fam, item, rng):
    states = replay(item.state["board"]["initial"], fam.oracle_order(item))
    paths = item.state["example_paths"]
    victim = max(range(len(paths)), key=lambda k: len(paths[k]))
    c = paths[victim][len(paths[victim]) // 2]
    other = (victim + 1) % len(paths) + 1
    return with_write(states, c, other)


def _detached(fam, item, rng):
    n = item.state["n"]
    init = item.state["board"]["initial"]
    rules = fam.rules(item)
    for k, p in enumerate(item.state["example_paths"]):
        for c in p[1:-1]:
            nxt = list(init)
            nxt[c] = k + 1
            if rules.illegal(init, nxt, [c]):
                return [list(init), nxt] + replay(nxt, [(x, v) for x, v in fam.oracle_order(item) if x != c])[1:]
    # every interior cell touches a dot: recolour a far cell instead
    nxt = list(init)
    c = next(i for i in range(n * n) if init[i] == EMPTY and all(init[j] == EMPTY for j in neighbours(i, n)))
    nxt[c] = 1
    return [list(init), nxt]


def _dot_recoloured(fam, item, rng):
    states = replay(item.state["board"]["initial"], fam.oracle_order(item))
    a = item.state["dots"][0][0]
    return with_write(states, a, 2)
