"""The board checker: read a board cell by cell from a video and judge the process.

A board (the ``board`` entry of an item's state, built by a family in ``genbench.tasks.puzzles``) is
a list of cells (rectangles on the canvas) whose content is one symbol from a small alphabet: a
colour (the cell's centre shows it) or a glyph (seven-segment digits, X and O marks, drawn here so
the reader's templates match what the family drew). The family adds ``Rules``: what is solved, the
partial credit, which changes are illegal, how many cells may change at once.

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

import json
from dataclasses import dataclass
from typing import Callable, Iterable

import cv2
import numpy as np

from ..schema import Fit, Verdict
from ..vision.align import drift_warp, warp_onto
from ..vision.mapping import CanvasSampler
from ..vision.palette import channel_fit
from ..vision.tracking import CameraTracker, keep_out
from .events import Event, first_event

EMPTY = 0  # symbol 0 is always "nothing here" (blank cell / background colour)
UNKNOWN = -1  # a cell that matches no symbol

# --- glyphs: drawn here, where the reader's templates are drawn, so both always match -----------------
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


# --- reading a board from frames ----------------------------------------------------------------------

FEAT_W, FEAT_H = 6, 8  # glyph feature grid (ink fraction per block)


# a frame matching the reference under the current warp this much worse than the last aligned frame did
# is re-aligned (BoardReader.retrack); the tracker's own minimum gain
RETRACK_DROP = 0.002

_TEMPLATES: dict = {}  # glyph templates by board geometry (json) → (cells, symbols, features)


def _ink(img: np.ndarray, bg: np.ndarray, thr: float) -> np.ndarray:
    # |img - bg| summed over colour, in cv2 (uint8 absdiff, one 16-bit sum): the int16 numpy
    # version's temporaries cost more than the rest of reading a frame
    bg_i = bg.astype(np.int16)  # truncated, as the comparison always was
    if img.dtype != np.uint8 or bg_i.min() < 0 or bg_i.max() > 255:
        d = np.abs(img.astype(np.int16) - bg_i).sum(-1)
    else:
        diff = cv2.absdiff(img, tuple(float(v) for v in bg_i) + (0.0,))  # a per-channel scalar
        d = cv2.transform(diff.astype(np.uint16), np.ones((1, 3), np.float32))
    return (d > thr).astype(np.float32)


def _feature(mask: np.ndarray) -> np.ndarray:
    return cv2.resize(mask, (FEAT_W, FEAT_H), interpolation=cv2.INTER_AREA).ravel()


def _affine_fit(nominal: np.ndarray, observed: np.ndarray, have: np.ndarray) -> np.ndarray:
    """Predict unseen palette entries by a per-channel gain/offset fitted on the seen ones."""
    if not have.any():
        return nominal.astype(np.float32).copy()
    out = np.clip(channel_fit(nominal.astype(np.float32), observed, have, min_spread=30), 0, 255)
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
        self.open_rects = rects[~np.array(board["givens"], bool)]  # cells the process may change
        self.ref = cv2.resize(ref, (self.w, self.h), interpolation=cv2.INTER_AREA)
        self.patches = []
        for x0, y0, x1, y1 in rects:
            cw, ch = x1 - x0, y1 - y0
            m = 0.35 if self.kind == "colour" else 0.06  # colour: the centre; glyph: the whole inside
            a, b = int(round(x0 + m * cw)), int(round(x1 - m * cw))
            c, d = int(round(y0 + m * ch)), int(round(y1 - m * ch))
            self.patches.append((slice(c, max(d, c + 1)), slice(a, max(b, a + 1))))
        # the patches as integral-image corners (clipped as slicing clips them), for colour means
        box = np.array([(p[0].start, p[0].stop, p[1].start, p[1].stop) for p in self.patches]).reshape(-1, 4)
        self.y0, self.y1 = (np.clip(box[:, i], 0, self.h) for i in (0, 1))
        self.x0, self.x1 = (np.clip(box[:, i], 0, self.w) for i in (2, 3))
        self.palette = np.array(board["palette"], np.float32)
        self.symbols = board["symbols"]
        self.warp = None
        self._last = None  # (ink mask, features) of the last glyph read
        if self.kind == "glyph":
            self.bg = np.array(board["cell_bg"], np.float32)
            inks = np.array(board["inks"], np.float32)
            dist = np.abs(inks - self.bg).sum(1)
            self.nominal_given = float(dist[0])
            self.thr_nominal = 0.4 * float(dist.min())
            # the same board judged again (every candidate of an item) draws the same templates
            key = json.dumps([board["rects"], board["inks"], board["cell_bg"], board["symbols"],
                              list(canvas_wh), list(work_wh)])
            if key not in _TEMPLATES:
                if len(_TEMPLATES) > 16:
                    _TEMPLATES.clear()
                _TEMPLATES[key] = self._templates(board, canvas_wh, (sx, sy))
            self.templates = _TEMPLATES[key]

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
        # a camera that keeps drifting is followed on what must not change: all but the open cells'
        # insides (their edges and the grid lines between them are the landmarks of a sparse board)
        r = self.open_rects
        inset = 0.12 * np.minimum(r[:, 2] - r[:, 0], r[:, 3] - r[:, 1])
        inner = r + np.stack([inset, inset, -inset, -inset], 1)
        self.tracker = CameraTracker(self.ref, self.warp, keep_out((self.h, self.w), inner, margin=0))
        self.level = self.tracker.match(first)  # how well a frame matches while the camera stays put (or None)
        self.failed = None  # the match of the frame of the last fit that gained nothing, since the last alignment
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
            # how far a cell's mean may be from the nearest colour: 0.45 of that colour's distance to its
            # nearest other one, at least 60; farther is unreadable
            spread = np.abs(self.colours[:, None] - self.colours[None]).sum(-1)
            spread[np.arange(len(spread)), np.arange(len(spread))] = 1e9
            self.tolerance = np.maximum(60.0, 0.45 * spread.min(1))
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
        """Affine warp that maps the video's first frame onto the drawn one, or None if not needed (no
        drift over half a working pixel) or not a small drift (judge the frame as placed)."""
        return drift_warp(self.ref, first, min_move=0.5, translation_only_bound=True)

    def _warped(self, img: np.ndarray) -> np.ndarray:
        return warp_onto(img, self.warp, self.w, self.h)

    def retrack(self, img: np.ndarray) -> bool:
        """Re-align on a later frame (a zoom or pan growing over the clip); whether the warp changed.

        The ECC fit (most of a sudoku's checking when run on every misread frame) runs only once the
        frame matches the reference worse than the frame of the last alignment did: a camera that
        stayed put matches as well as then (compression noise moves the match by ~0.0002 on the
        validate clips), and a fit on such a frame would rarely gain the tracker's minimum (0.002).
        On a colour board, nor does it run again after a fit that gained nothing until a frame matches
        worse than that fit's frame did: the cells a solution fills lower the match for good (a
        symmetry or grid board's cell edges are landmarks), and without this every misread frame after
        the first fill (two per committed change) fitted again, to no gain, for two thirds of checking
        such a board; a camera drifting on keeps lowering the match, and is fitted again. Not on a
        glyph board: a glyph is misread at a drift too small to lower the match that much (a slow drift
        then read a sudoku given as changed: validate's drift_letterbox_crf40, hard). Where either match
        cannot be computed (a flat frame), the fit decides, as it always did."""
        now = self.tracker.match(img)
        for before in (self.level, self.failed):
            if before is not None and now is not None and now >= before - RETRACK_DROP:
                return False
        if not self.tracker.update(img):
            self.failed = now if self.kind == "colour" else None
            return False
        self.warp = self.tracker.warp
        self.level = self.tracker.match(img)
        self.failed = None
        return True

    # -- every frame ------------------------------------------------------------------------------------
    def read(self, img: np.ndarray) -> np.ndarray:
        img = self._warped(img)
        if self.kind == "colour":
            # every patch's mean colour from one integral image: exact integer sums, so the same
            # float64 means as averaging each patch (a numpy mean per cell cost most of a read); 32-bit
            # sums (3× faster than 64-bit floats) are exact while 255 · w · h < 2**31
            ii = cv2.integral(img, sdepth=cv2.CV_32S if 255 * self.w * self.h < 2 ** 31 else cv2.CV_64F)
            sums = ii[self.y1, self.x1] - ii[self.y0, self.x1] - ii[self.y1, self.x0] + ii[self.y0, self.x0]
            means = (sums / ((self.y1 - self.y0) * (self.x1 - self.x0))[:, None]).astype(np.float32)
            d = np.abs(means[:, None, :] - self.colours[None]).sum(-1)
            k = d.argmin(1)
            return np.where(d[np.arange(len(k)), k] <= self.tolerance[k], k, UNKNOWN)
        mask = _ink(img, self.bg_obs, self.thr)
        feats = self._features(mask)
        d = np.abs(feats[:, None, :] - self.templates).mean(-1)
        k = d.argmin(1)
        return np.where(d[np.arange(len(k)), k] <= 0.2, k, UNKNOWN)

    def _features(self, mask: np.ndarray) -> np.ndarray:
        """Every cell's glyph feature; a cell whose ink pixels are those of the last mask keeps its
        last feature (the same pixels give the same feature): a 9×9 board resized 81 patches a frame."""
        last = self._last
        if last is None or last[0].shape != mask.shape:
            redo = range(len(self.patches))
            feats = np.empty((len(self.patches), FEAT_W * FEAT_H), np.float32)
        else:
            ii = cv2.integral((mask != last[0]).view(np.uint8), sdepth=cv2.CV_32S)
            moved = ii[self.y1, self.x1] - ii[self.y0, self.x1] - ii[self.y1, self.x0] + ii[self.y0, self.x0]
            redo = np.flatnonzero(moved).tolist()
            feats = last[1].copy()
        for i in redo:
            feats[i] = _feature(mask[self.patches[i]])
        self._last = (mask, feats)
        return feats


# --- the checker --------------------------------------------------------------------------------------

# the first of these codes recorded decides the verdict; TELEPORT (a burst) only when none was
ORDER_OF_BLAME = ("WRONG_START", "LAYOUT_CHANGED", "ILLEGAL_MOVE")


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
    """Judges videos of one board: ``board`` (an item's ``state["board"]``), the canvas size and the
    item's first frame (what was drawn), the family's rules and the working size."""

    name = "board"

    def __init__(self, board: dict, canvas_wh: tuple[int, int], first_frame: np.ndarray, rules: Rules,
                 work_wh: tuple[int, int], version: str = "1", persist: int = 2):
        self.board, self.canvas_wh, self.first_frame = board, canvas_wh, first_frame
        self.rules, self.work, self.version, self.persist = rules, work_wh, version, persist

    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        b = self.board
        reader = BoardReader(b, self.canvas_wh, self.first_frame, self.work)
        initial = np.array(b["initial"])
        givens = np.array(b["givens"], bool)
        n_cells = len(initial)
        events: list[Event] = []
        changes: list[list[int]] = []  # [frame, cell, from, to]
        committed = cand = run = None
        first_read = None
        best_score, best_frame, best_ok_frame = -1.0, 0, None
        max_burst, burst_frame = 0, None
        last_ok_since = None
        n = 0
        sample = CanvasSampler(fit, *self.work)
        for i, frame in enumerate(frames):
            n += 1
            img = sample(frame)
            if i == 0:
                reader.start(img)
                r = reader.read(img)
                first_read = r.copy()
                bad = np.flatnonzero(r != initial)
                if len(bad):
                    events.append(Event(0, "WRONG_START", f"{len(bad)} cells differ from the task's start, e.g. "
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
            if (r != committed).any() and reader.retrack(img):
                r = reader.read(img)  # a misread may be the camera drifting on: read it again, re-aligned
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
            if len(hit) and first_event(events, "LAYOUT_CHANGED") is None:
                c = int(hit[0])
                events.append(Event(at, "LAYOUT_CHANGED", f"given cell {c} changed from {self._sym(prev[c])!r} "
                                                          f"to {self._sym(st[c])!r}"))
            if self.rules.illegal is not None and first_event(events, "ILLEGAL_MOVE") is None:
                msg = self.rules.illegal(prev, st, flip.tolist())
                if msg:
                    events.append(Event(at, "ILLEGAL_MOVE", msg))
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
            events.append(Event(burst_frame, "TELEPORT", f"{max_burst} cells changed at once (a cut to a board, "
                                                         f"not a process; at most {limit})"))
        failure, first_error, msg = None, None, ""
        for code in ORDER_OF_BLAME:  # the first rule broken, in this order, decides
            ev = first_event(events, code)
            if ev is not None:
                failure, first_error, msg = code, ev.frame, ev.detail
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
            elif (ev := first_event(events, "TELEPORT")) is not None:
                failure, first_error, msg = "TELEPORT", ev.frame, ev.detail
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
            "events": [e.to_json() for e in events], "fps": fps,
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


