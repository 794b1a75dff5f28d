"""Board puzzles toolkit: cell-grid geometry, procedural glyphs, drawing, and a checker that reads
the board cell by cell from a video.

A board item is a list of cells (rectangles on the canvas, possibly in several panels) whose content
is one symbol from a small alphabet: a colour (the cell's centre shows it) or a glyph (digits drawn as
seven-segment strokes, X and O marks), all drawn with cv2 primitives so the checker knows exactly
what was drawn. ``item.state["board"]`` holds the cells, the start and solved symbols, which cells are
givens and the palette; the checker needs nothing else.

The checker (``BoardChecker``):
1. maps each frame onto the canvas at a small working size and aligns it to the item's first frame
   (one affine ECC fit on the video's first frame absorbs a model's small zoom and drift),
2. calibrates the palette / ink on that first frame (robust to colour shifts and compression),
3. reads every cell per frame (nearest calibrated colour of the centre patch, or the nearest glyph
   template of the binarised ink), and commits a cell's change once it persists for two frames,
4. judges: first frame = start, givens unchanged, family process rules, not static, the last state
   accepted and held, and no sudden burst of many cells at once (a cut to the answer).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import cv2
import numpy as np

from ...geometry import to_canvas
from ...raster import fill
from ...schema import Fit, TaskItem, Verdict, canonical_json, sha256_hex
from ..base import TaskFamily

EMPTY = 0  # symbol 0 is always "nothing here" (blank cell / background colour)
UNKNOWN = -1  # a cell that matches no symbol

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


# --- glyphs -----------------------------------------------------------------------------------------
# Seven segments in a unit box (x, y ∈ [0, 1]): a top, b top-right, c bottom-right, d bottom,
# e bottom-left, f top-left, g middle.
_SEG = {"a": ((0, 0), (1, 0)), "b": ((1, 0), (1, .5)), "c": ((1, .5), (1, 1)), "d": ((0, 1), (1, 1)),
        "e": ((0, .5), (0, 1)), "f": ((0, 0), (0, .5)), "g": ((0, .5), (1, .5))}
_DIGITS = {"0": "abcdef", "1": "bc", "2": "abged", "3": "abgcd", "4": "fgbc", "5": "afgcd",
           "6": "afgedc", "7": "abc", "8": "abcdefg", "9": "abcdfg"}


def glyph_strokes(name: str) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Line segments (unit box) of a glyph; 'O' is drawn as a 16-gon."""
    if name in _DIGITS:
        return [_SEG[s] for s in _DIGITS[name]]
    if name == "X":
        return [((0, 0), (1, 1)), ((1, 0), (0, 1))]
    if name == "O":
        t = np.linspace(0, 2 * np.pi, 17)
        pts = [(0.5 + 0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a)) for a in t]
        return list(zip(pts[:-1], pts[1:]))
    if name == "":
        return []
    raise ValueError(f"unknown glyph {name!r}")


def glyph_box(rect, name: str) -> tuple[float, float, float, float]:
    """Where a glyph sits inside a cell: digits tall and narrow, marks square."""
    x0, y0, x1, y1 = rect
    w, h = x1 - x0, y1 - y0
    if name in ("X", "O"):
        return x0 + 0.2 * w, y0 + 0.2 * h, 0.6 * w, 0.6 * h
    return x0 + 0.32 * w, y0 + 0.2 * h, 0.36 * w, 0.6 * h


def draw_glyph(img: np.ndarray, rect, name: str, colour, upto: float = 1.0) -> None:
    """Draw a glyph in a cell; ``upto`` < 1 draws only that fraction of its strokes (a pen at work)."""
    strokes = glyph_strokes(name)
    if not strokes:
        return
    bx, by, bw, bh = glyph_box(rect, name)
    thick = max(2, int(round(0.07 * (rect[3] - rect[1]))))
    n = len(strokes) * upto
    for k, ((ax, ay), (cx, cy)) in enumerate(strokes):
        if k >= n:
            break
        f = min(1.0, n - k)
        ex, ey = ax + (cx - ax) * f, ay + (cy - ay) * f
        p = (int(round(bx + ax * bw)), int(round(by + ay * bh)))
        q = (int(round(bx + ex * bw)), int(round(by + ey * bh)))
        cv2.line(img, p, q, tuple(int(v) for v in colour), thick, cv2.LINE_AA)


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


# --- reading a board from frames ----------------------------------------------------------------------

FEAT_W, FEAT_H = 6, 8  # glyph feature grid (ink fraction per block)


def _ink(img: np.ndarray, bg: np.ndarray, thr: float) -> np.ndarray:
    d = np.abs(img.astype(np.int16) - bg.astype(np.int16)).sum(-1)
    return (d > thr).astype(np.float32)


def _feature(mask: np.ndarray) -> np.ndarray:
    return cv2.resize(mask, (FEAT_W, FEAT_H), interpolation=cv2.INTER_AREA).ravel()


def _affine_fit(nominal: np.ndarray, observed: np.ndarray, have: np.ndarray) -> np.ndarray:
    """Predict unseen palette entries by a per-channel gain/offset fitted on the seen ones."""
    out = nominal.astype(np.float32).copy()
    if not have.any():
        return out
    for ch in range(3):
        x, y = nominal[have, ch].astype(np.float32), observed[have, ch]
        if have.sum() >= 2 and np.ptp(x) > 30:
            a, b = np.polyfit(x, y, 1)
            out[:, ch] = a * nominal[:, ch] + b
        else:
            out[:, ch] = nominal[:, ch] + np.mean(y - x)
    out = np.clip(out, 0, 255)
    out[have] = observed[have]
    return out


class BoardReader:
    """Reads every cell of a board from frames already mapped onto the canvas at working size."""

    def __init__(self, board: dict, canvas_wh: tuple[int, int], ref: np.ndarray, work_wh: tuple[int, int]):
        self.kind = board["kind"]
        self.w, self.h = work_wh
        sx, sy = self.w / canvas_wh[0], self.h / canvas_wh[1]
        self.initial = np.array(board["initial"])
        rects = np.array(board["rects"], np.float64) * [sx, sy, sx, sy]
        self.ref = cv2.resize(ref, (self.w, self.h), interpolation=cv2.INTER_AREA)
        self.patches = []
        for x0, y0, x1, y1 in rects:
            cw, ch = x1 - x0, y1 - y0
            m = 0.35 if self.kind == "colour" else 0.06  # colour: the centre; glyph: the whole inside
            a, b = int(round(x0 + m * cw)), int(round(x1 - m * cw))
            c, d = int(round(y0 + m * ch)), int(round(y1 - m * ch))
            self.patches.append((slice(c, max(d, c + 1)), slice(a, max(b, a + 1))))
        self.palette = np.array(board["palette"], np.float32)
        self.symbols = board["symbols"]
        self.warp = None
        if self.kind == "glyph":
            self.bg = np.array(board["cell_bg"], np.float32)
            inks = np.array(board["inks"], np.float32)
            dist = np.abs(inks - self.bg).sum(1)
            self.nominal_given = float(dist[0])
            self.thr_nominal = 0.4 * float(dist.min())
            self.templates = self._templates(board, canvas_wh, (sx, sy))

    def _templates(self, board, canvas_wh, scale) -> np.ndarray:
        """Features of every symbol in every cell, drawn as the family draws them and shrunk as a video
        frame is (per cell, so sub-pixel placement matches): (cells, symbols, features)."""
        feats = []
        for name in self.symbols:
            img = np.empty((canvas_wh[1], canvas_wh[0], 3), np.uint8)
            img[:] = self.bg.astype(np.uint8)
            for rect in board["rects"]:
                draw_glyph(img, rect, name, board["inks"][0])
            small = cv2.resize(img, (self.w, self.h), interpolation=cv2.INTER_AREA)
            mask = _ink(small, self.bg, self.thr_nominal)
            feats.append([_feature(mask[p]) for p in self.patches])
        return np.array(feats, np.float32).transpose(1, 0, 2)

    # -- the first frame --------------------------------------------------------------------------------
    def start(self, first: np.ndarray) -> None:
        """Align to the item's first frame, then calibrate colours on it."""
        self.warp = self._align(first)
        img = self._warped(first)
        if self.kind == "colour":
            observed = np.zeros_like(self.palette)
            have = np.zeros(len(self.palette), bool)
            for k in range(len(self.palette)):
                cells = np.flatnonzero(self.initial == k)
                if len(cells):
                    px = np.concatenate([img[self.patches[i]].reshape(-1, 3) for i in cells])
                    observed[k] = np.median(px, axis=0)
                    have[k] = True
            self.colours = _affine_fit(self.palette, observed, have)
        else:
            blank = np.flatnonzero(self.initial == EMPTY)
            px = np.concatenate([img[self.patches[i]].reshape(-1, 3) for i in blank]) if len(blank) else \
                img.reshape(-1, 3)
            bg_obs = np.median(px, axis=0).astype(np.float32)
            # contrast as the video shows it: ink of the drawn marks against the background
            marked = np.flatnonzero(self.initial != EMPTY)
            factor = 1.0
            if len(marked):
                d = np.concatenate([np.abs(img[self.patches[i]].astype(np.float32) - bg_obs).sum(-1).ravel()
                                    for i in marked])
                top = float(np.percentile(d, 99))
                factor = float(np.clip(top / max(self.nominal_given, 1), 0.5, 1.2))
            self.bg_obs = bg_obs
            self.thr = self.thr_nominal * factor

    def _align(self, first: np.ndarray):
        """Affine warp that maps the video's first frame onto the drawn one, or None if not needed."""
        a = cv2.cvtColor(self.ref, cv2.COLOR_RGB2GRAY).astype(np.float32)
        b = cv2.cvtColor(first, cv2.COLOR_RGB2GRAY).astype(np.float32)
        warp = np.eye(2, 3, dtype=np.float32)
        try:
            _, warp = cv2.findTransformECC(a, b, warp, cv2.MOTION_AFFINE,
                                           (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 60, 1e-5), None, 5)
        except cv2.error:
            return None
        lin, t = warp[:, :2], warp[:, 2]
        if np.abs(lin - np.eye(2)).max() > 0.08 or np.abs(t).max() > 0.08 * max(self.w, self.h):
            return None  # not a small drift: judge the frame as placed
        corners = np.array([[0, 0], [self.w, 0], [0, self.h], [self.w, self.h]], np.float32)
        moved = corners @ lin.T + t
        if np.abs(moved - corners).max() < 0.5:
            return None
        return warp

    def _warped(self, img: np.ndarray) -> np.ndarray:
        if self.warp is None:
            return img
        return cv2.warpAffine(img, self.warp, (self.w, self.h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_REPLICATE)

    # -- every frame ------------------------------------------------------------------------------------
    def read(self, img: np.ndarray) -> np.ndarray:
        img = self._warped(img)
        if self.kind == "colour":
            means = np.array([img[p].reshape(-1, 3).mean(0) for p in self.patches], np.float32)
            d = np.abs(means[:, None, :] - self.colours[None]).sum(-1)
            k = d.argmin(1)
            spread = np.abs(self.colours[:, None] - self.colours[None]).sum(-1)
            spread[np.arange(len(spread)), np.arange(len(spread))] = 1e9
            tol = np.maximum(60.0, 0.45 * spread.min(1))[k]  # far from every colour: unreadable
            return np.where(d[np.arange(len(k)), k] <= tol, k, UNKNOWN)
        mask = _ink(img, self.bg_obs, self.thr)
        feats = np.array([_feature(mask[p]) for p in self.patches], np.float32)
        d = np.abs(feats[:, None, :] - self.templates).mean(-1)
        k = d.argmin(1)
        return np.where(d[np.arange(len(k)), k] <= 0.2, k, UNKNOWN)


# --- the checker --------------------------------------------------------------------------------------


@dataclass
class Rules:
    """What a family decides about a board video beyond the generic checks."""

    accepts: Callable[[list[int]], bool]  # is this whole board state a solved one?
    score: Callable[[list[int]], float]  # partial credit of a state, in [0, 1]
    # a committed change (previous state, new state, changed cells) that breaks the rules:
    # returns a message, or None when legal
    illegal: Callable[[list[int], list[int], list[int]], str | None] | None = None
    burst_limit: int | None = None  # more cells changing in one frame is a cut (TELEPORT); None: allowed


class BoardChecker:
    name = "board"

    def __init__(self, item: TaskItem, rules: Rules, work_wh: tuple[int, int], version: str = "1",
                 persist: int = 2):
        self.item, self.rules, self.work, self.version, self.persist = item, rules, work_wh, version, persist
        self.board = item.state["board"]

    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        b = self.board
        reader = BoardReader(b, self.item.canvas_size, self.item.first_frame, self.work)
        initial = np.array(b["initial"])
        givens = np.array(b["givens"], bool)
        n_cells = len(initial)
        events: list[tuple[int, str, str]] = []
        changes: list[list[int]] = []  # [frame, cell, from, to]
        committed = cand = run = None
        first_read = None
        best_score, best_frame, best_ok_frame = -1.0, 0, None
        max_burst, burst_frame = 0, None
        last_ok_since = None
        n = 0
        for i, frame in enumerate(frames):
            n += 1
            img = to_canvas(fit, frame, *self.work)
            if i == 0:
                reader.start(img)
                r = reader.read(img)
                first_read = r.copy()
                bad = np.flatnonzero(r != initial)
                if len(bad):
                    events.append((0, "WRONG_START", f"{len(bad)} cells differ from the task's start, e.g. "
                                                     f"cell {int(bad[0])}: {self._sym(r[bad[0]])!r} "
                                                     f"instead of {self._sym(initial[bad[0]])!r}"))
                committed, cand, run = r.copy(), r.copy(), np.full(n_cells, self.persist)
                since = np.zeros(n_cells, int)
                st = committed.tolist()
                best_score, best_frame = self.rules.score(st), 0
                if self.rules.accepts(st):
                    best_ok_frame = last_ok_since = 0
                continue
            r = reader.read(img)
            same = r == cand
            run = np.where(same, run + 1, 1)
            since = np.where(same, since, i)
            cand = r
            flip = np.flatnonzero((run >= self.persist) & (cand != committed))
            if not len(flip):
                continue
            at = int(since[flip].min())
            prev = committed.tolist()
            committed[flip] = cand[flip]
            st = committed.tolist()
            for c in flip.tolist():
                changes.append([at, c, prev[c], st[c]])
            if len(flip) > max_burst:
                max_burst, burst_frame = len(flip), at
            hit = flip[givens[flip]]
            if len(hit) and not any(e[1] == "LAYOUT_CHANGED" for e in events):
                c = int(hit[0])
                events.append((at, "LAYOUT_CHANGED", f"given cell {c} changed from {self._sym(prev[c])!r} "
                                                     f"to {self._sym(st[c])!r}"))
            if self.rules.illegal is not None and not any(e[1] == "ILLEGAL_MOVE" for e in events):
                msg = self.rules.illegal(prev, st, flip.tolist())
                if msg:
                    events.append((at, "ILLEGAL_MOVE", msg))
            sc = self.rules.score(st)
            ok = self.rules.accepts(st)
            if sc > best_score or (ok and best_ok_frame is None):
                best_score, best_frame = sc, at
            if ok:
                best_ok_frame = at if best_ok_frame is None else best_ok_frame
                last_ok_since = at if last_ok_since is None else last_ok_since
            else:
                last_ok_since = None
        if n == 0:
            return Verdict.error(self.name, "video has no frames", self.version)
        final = committed.tolist()
        last_ok = self.rules.accepts(final)
        limit = self.rules.burst_limit
        if limit is not None and max_burst > limit:
            events.append((burst_frame, "TELEPORT", f"{max_burst} cells changed at once (a cut to a board, "
                                                    f"not a process; at most {limit})"))
        failure, first_error, msg = None, None, ""
        order = ["WRONG_START", "LAYOUT_CHANGED", "ILLEGAL_MOVE"]
        for code in order:
            ev = next((e for e in events if e[1] == code), None)
            if ev:
                failure, first_error, msg = code, ev[0], ev[2]
                break
        if failure is None:
            if not changes:
                failure, first_error, msg = "STATIC", 0, "no cell ever changes"
            elif not last_ok:
                if best_ok_frame is not None:
                    failure, msg = "GOAL_NOT_HELD", "the board was solved and then changed"
                    first_error = next((c[0] for c in changes if c[0] > best_ok_frame), changes[-1][0])
                else:
                    failure, msg = "WRONG_ANSWER", self._diff(final)
                    first_error = changes[-1][0]
            elif any(e[1] == "TELEPORT" for e in events):
                ev = next(e for e in events if e[1] == "TELEPORT")
                failure, first_error, msg = "TELEPORT", ev[0], ev[2]
        passed = failure is None
        last_score = self.rules.score(final)
        metrics = {
            "solved_last": float(last_ok), "solved_best": float(best_ok_frame is not None),
            "score_last": round(last_score, 4), "score_best": round(max(best_score, last_score), 4),
            "best_frame": best_ok_frame if best_ok_frame is not None else best_frame,
            "changes": len(changes), "max_burst": max_burst, "frames": n,
            "unreadable_last": int((committed == UNKNOWN).sum()),
        }
        evidence = {
            "symbols": b["symbols"], "first_read": first_read.tolist() if first_read is not None else None,
            "changes": changes[:2000], "final": final,
            "events": [{"frame": f, "code": c, "detail": d} for f, c, d in events], "fps": fps,
        }
        return Verdict(checker=self.name, status="ok", passed=passed, score=1.0 if passed else round(last_score, 4),
                       metrics=metrics, failure=failure, first_error_frame=first_error, message=msg,
                       evidence=evidence, version=self.version)

    def _sym(self, k) -> str:
        k = int(k)
        return "?" if k == UNKNOWN else self.board["symbols"][k]

    def _diff(self, final: list[int]) -> str:
        sol = self.board["solution"]
        bad = [i for i, (a, s) in enumerate(zip(final, sol)) if a != s]
        if not bad:
            return "the final board breaks the rules"
        i = bad[0]
        return f"{len(bad)} cells differ from the answer, e.g. cell {i}: {self._sym(final[i])!r} not {self._sym(sol[i])!r}"


# --- the shared family base -----------------------------------------------------------------------------


class BoardFamily(TaskFamily):
    """A family whose item is a board of cells. Subclasses provide generate(), render(item, cells),
    oracle_order(item), rules(item), random_order(item, rng) and bad_cases()."""

    checker_name = "board"
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

    def bad_cases(self) -> list[tuple[str, str, Callable, str]]:
        """(name, expected code, fn(family, item, rng) -> list of states, description)."""
        return []

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
        for k in range(1, len(states)):
            changed = [i for i, (a, b) in enumerate(zip(states[k - 1], states[k])) if a != b]
            done = self.render(item, states[k])
            for f in range(per):
                if pen > 0 and len(changed) == 1 and f < pen:
                    c = changed[0]
                    yield self.render(item, states[k - 1], partial=(c, states[k][c], (f + 1) / (pen + 1)))
                else:
                    yield done
        final = self.render(item, states[-1])
        for _ in range(hold):
            yield final

    def solution_frames(self, item: TaskItem, solution: int = 0, fps: float | None = None,
                        num_frames: int | None = None) -> Iterator[np.ndarray]:
        states = replay(item.state["board"]["initial"], self.oracle_order(item, solution))
        return self.states_frames(item, states, num_frames)

    def final_frame(self, item: TaskItem) -> np.ndarray:
        return self.render(item, replay(item.state["board"]["initial"], self.oracle_order(item))[-1])

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
        return BoardChecker(item, self.rules(item), self.working_size(item), self.checker_version).check(
            frames, fit, fps)

    def perturbations(self) -> list:
        from ...validate import Perturbation, canvas_clip

        out = []
        for name, expect, fn, desc in self.bad_cases():
            def make(fam, item, rng, fn=fn):
                return canvas_clip(fam, item, fam.states_frames(item, fn(fam, item, rng)))
            out.append(Perturbation(name, expect, make, desc))
        return out


def with_write(states: list[list[int]], cell: int, sym: int) -> list[list[int]]:
    """The sequence plus one more write."""
    nxt = list(states[-1])
    nxt[cell] = sym
    return states + [nxt]


def jumpcut(initial: list[int], final: list[int], still: int = 6) -> list[list[int]]:
    """A still start, then every change at once (rendered as one step)."""
    return [list(initial)] * still + [list(final)]
