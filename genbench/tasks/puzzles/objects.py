"""Shared toolkit of the process puzzles (sorting, sliding, Hanoi, graph walks): drawing, frames and
the family side.

A process puzzle is a discrete state — which slot each coloured object rests in — changed by moves
the rule allows. Every family here describes an item as a ``Game`` (``genbench.checkers.process``:
palette, where each object rests in each slot, the rule, the goal) and gets for free:

* ``play``: the process as frames (objects glide along family-drawn paths, rest, then hold);
* judging by ``genbench.checkers.process.ProcessChecker``, which reads the video back and judges
  every change of the decoded state with the family's rule.

Digits are drawn as seven-segment glyphs with cv2 lines: no font files, exact palette colours (no
anti-aliasing).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

import cv2
import numpy as np

from ...checkers.process import Game, ProcessChecker
from ...geometry import cumulative_length, segment_lengths
from ...perturb import canvas_clip
from ...raster import fill
from ...schema import Fit, Verdict

# Object colours, well apart from each other (≥ 65 RGB units) and from the light/dark backgrounds.
OBJECT_COLOURS: list[tuple[int, int, int]] = [
    (220, 50, 47), (40, 90, 220), (60, 170, 70), (250, 130, 0), (140, 60, 190),
    (0, 170, 175), (240, 110, 180), (130, 80, 40), (235, 205, 30),
]
COLOUR_WORDS = ["red", "blue", "green", "orange", "purple", "teal", "pink", "brown", "yellow"]

# --- digit glyphs ---------------------------------------------------------------------------------
_SEGMENTS = {  # seven-segment endpoints in a unit box (x right, y down)
    "a": ((0, 0), (1, 0)), "b": ((1, 0), (1, .5)), "c": ((1, .5), (1, 1)), "d": ((0, 1), (1, 1)),
    "e": ((0, .5), (0, 1)), "f": ((0, 0), (0, .5)), "g": ((0, .5), (1, .5)),
}
_DIGITS = {0: "abcdef", 1: "bc", 2: "abged", 3: "abgcd", 4: "fgbc", 5: "afgcd", 6: "afgedc", 7: "abc",
           8: "abcdefg", 9: "abcdfg"}


def draw_number(img: np.ndarray, value: int, cx: float, cy: float, height: float, colour, thickness: int) -> None:
    """Draw a non-negative integer centred at (cx, cy) as seven-segment digits."""
    text = str(int(value))
    w = 0.55 * height
    gap = 0.35 * height
    total = len(text) * w + (len(text) - 1) * gap
    x0, y0 = cx - total / 2.0, cy - height / 2.0
    for i, ch in enumerate(text):
        ox = x0 + i * (w + gap)
        for seg in _DIGITS[int(ch)]:
            (ax, ay), (bx, by) = _SEGMENTS[seg]
            cv2.line(img, (int(round(ox + ax * w)), int(round(y0 + ay * height))),
                     (int(round(ox + bx * w)), int(round(y0 + by * height))), tuple(int(c) for c in colour),
                     int(thickness), lineType=cv2.LINE_8)


def fill_rect(img: np.ndarray, cx: float, cy: float, hw: float, hh: float, colour) -> None:
    x0, y0 = int(round(cx - hw)), int(round(cy - hh))
    x1, y1 = int(round(cx + hw)), int(round(cy + hh))
    fill(img[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)], colour)


def fill_circle(img: np.ndarray, cx: float, cy: float, r: float, colour) -> None:
    cv2.circle(img, (int(round(cx)), int(round(cy))), int(round(r)), tuple(int(c) for c in colour), -1,
               lineType=cv2.LINE_8)


# --- frames ---------------------------------------------------------------------------------------

def polyline(points: Sequence[Sequence[float]], t: float) -> np.ndarray:
    """The point at fraction t of the arc length along a polyline."""
    p = np.asarray(points, np.float64)
    if len(p) == 1:
        return p[0]
    seg, s = segment_lengths(p), cumulative_length(p)
    d = t * s[-1]
    i = min(int(np.searchsorted(s, d, side="right")) - 1, len(seg) - 1)
    u = 0.0 if seg[i] == 0 else (d - s[i]) / seg[i]
    return p[i] + (p[i + 1] - p[i]) * u


@dataclass
class Pace:
    """Frames of the process: ``lead`` still, per move ``transit`` moving + ``rest`` still, ``hold``."""

    transit: int = 6
    rest: int = 3
    lead: int = 3
    hold: int = 18

    def fit(self, moves: int, num_frames: int | None) -> "Pace":
        """Spread the moves over a frame budget (a model's 81 frames), holding ~20% at the end."""
        if not num_frames:
            return self
        hold = max(1, int(round(0.2 * num_frames)))
        lead = 1 if num_frames >= 24 else 0
        per = max(2, (num_frames - hold - lead) // max(moves, 1))
        rest = max(1, min(self.rest, per // 3))
        return Pace(transit=max(1, per - rest), rest=rest, lead=lead, hold=num_frames)


def play(draw: Callable[[np.ndarray, list[int]], np.ndarray], positions: Callable[[tuple], np.ndarray],
         path: Callable[[int, tuple, tuple], list], states: Sequence[tuple], pace: Pace,
         num_frames: int | None = None) -> Iterator[np.ndarray]:
    """Render a state sequence as a process. ``draw(xy, on_top)`` draws objects at canvas centres
    ``xy`` (K×2), ``on_top`` listing the moving ones; ``path(k, a, b)`` gives object k's waypoints."""
    made = 0

    def emit(img):
        nonlocal made
        made += 1
        return img

    still = draw(positions(states[0]), [])
    for _ in range(pace.lead):
        yield emit(still)
    for a, b in zip(states, states[1:]):
        xa, xb = positions(a), positions(b)
        moving = [k for k in range(len(a)) if a[k] != b[k]]
        routes = {k: path(k, a, b) for k in moving}
        for i in range(1, pace.transit + 1):
            xy = xa.copy()
            for k in moving:
                xy[k] = polyline(routes[k], i / (pace.transit + 1))
            yield emit(draw(xy, moving))
        still = draw(xb, [])
        for _ in range(pace.rest):
            yield emit(still)
        if num_frames and made >= num_frames:
            return
    for _ in range(pace.hold if not num_frames else max(0, num_frames - made)):
        yield emit(still)


def settle_frames(fam, item, states: Sequence[tuple], rng, transit: int = 6, rest: int = 4,
                  ease: Sequence[float] = (3.0, 2.0, 1.0), jitter: float = 0.0) -> Iterator[np.ndarray]:
    """A process drawn as a model draws it: each mover eases into its slot over the last few pixels
    (``ease``, overshooting along its way in), and every object at rest jitters by up to ``jitter``
    pixels on every frame. Legal: the must-pass side of "an object that changes is caught"."""
    def shaken(xy):
        return xy + rng.uniform(-jitter, jitter, xy.shape)

    hold = [states[0]] * 3
    for a in hold:
        yield fam.draw_objects(item, shaken(fam.positions(item, a)), [])
    for a, b in zip(states, states[1:]):
        xa, xb = fam.positions(item, a), fam.positions(item, b)
        moving = [k for k in range(len(a)) if a[k] != b[k]]
        routes = {k: fam.path(item, k, a, b) for k in moving}
        for i in range(1, transit + 1):
            xy = shaken(xa)
            for k in moving:
                xy[k] = polyline(routes[k], i / transit)
            yield fam.draw_objects(item, xy, moving)
        for off in ease:  # still a few pixels short of the slot, closing in
            xy = shaken(xb)
            for k in moving:
                d = np.asarray(routes[k][-1], np.float64) - np.asarray(routes[k][-2], np.float64)
                xy[k] = xb[k] - off * d / max(float(np.hypot(*d)), 1e-6)
            yield fam.draw_objects(item, xy, moving)
        for _ in range(rest):
            yield fam.draw_objects(item, shaken(xb), [])
    for _ in range(12):
        yield fam.draw_objects(item, shaken(fam.positions(item, states[-1])), [])


def resize_object(img: np.ndarray, colour, scale: float, background, bars: bool = False) -> np.ndarray:
    """The frame with the object drawn in ``colour`` (and what it encloses: a ball's number) scaled
    by ``scale`` about its centre, or, for a bar standing on a line, in height about its foot: the
    must-fail of an object that changes size mid-video."""
    mask = (img == np.asarray(colour, np.uint8)).all(-1).astype(np.uint8)
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0:
        return img
    out = img.copy()
    out[y:y + h, x:x + w][mask[y:y + h, x:x + w] > 0] = background
    if bars:
        nh = max(1, int(round(h * scale)))
        patch = cv2.resize(img[y:y + h, x:x + w], (w, nh), interpolation=cv2.INTER_NEAREST)
        x0, y0 = x, y + h - nh
    else:
        nw, nh = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
        patch = cv2.resize(img[y:y + h, x:x + w], (nw, nh), interpolation=cv2.INTER_NEAREST)
        x0, y0 = x + (w - nw) // 2, y + (h - nh) // 2
    pm = cv2.resize(mask[y:y + h, x:x + w], patch.shape[1::-1], interpolation=cv2.INTER_NEAREST)
    if not bars:  # a ball's number lies inside it: keep what the ball's outline encloses
        pm = cv2.morphologyEx(pm, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    H, W = out.shape[:2]
    ys, xs = np.nonzero(pm)
    keep = (ys + y0 >= 0) & (ys + y0 < H) & (xs + x0 >= 0) & (xs + x0 < W)
    out[ys[keep] + y0, xs[keep] + x0] = patch[ys[keep], xs[keep]]
    return out



def resized_from_third(scale: float, bars=lambda item: False, by_area: bool = False, under: str = "background"):
    """A perturbation: one object, picked at random, drawn ``scale``× from a third of the way in
    (``bars(item)``: a bar, in height about its foot; ``by_area``: ``scale`` is of the area, so other
    shapes scale by its square root). What the object leaves uncovered takes the skin's ``under``
    colour. The must-fail of an object that changes size mid-video, one line per family."""
    def make(fam, item, rng):
        g = fam.cached_game(item)
        colour = g.palette[g.obj_class[int(rng.integers(len(g.obj_class)))]]
        is_bar = bars(item)
        factor = scale ** 0.5 if by_area and not is_bar else scale
        frames = list(fam.solution_frames(item))
        cut = len(frames) // 3
        fill_colour = item.state["skin"][under]
        return canvas_clip(fam, item, frames[:cut] + [resize_object(f, colour, factor, fill_colour, is_bar)
                                                      for f in frames[cut:]])
    return make

# --- the family side ----------------------------------------------------------------------------------

class ProcessFamilyMixin:
    """Frames and judging shared by the process families; a family supplies ``game(item)``,
    ``positions``, ``path`` and ``draw_objects`` for its look, and ``solution_states``."""

    pace = Pace()
    # planes, sampled at the working pixels' centres (the checker's CanvasSampler, planes="aligned"):
    # area-sampled planes shifted chroma against luma, and a bar's top row read as the grey line
    frames_as_planes = True
    _games: dict

    def game(self, item) -> Game:  # pragma: no cover - every family overrides
        raise NotImplementedError

    def cached_game(self, item) -> Game:
        cache = self.__dict__.setdefault("_games", {})
        g = cache.get(item.content_hash)
        if g is None:
            if len(cache) > 32:
                cache.clear()
            g = cache[item.content_hash] = self.game(item)
        return g

    def positions(self, item, state: tuple) -> np.ndarray:
        g = self.cached_game(item)
        return np.array([g.slot_xy[k, s] for k, s in enumerate(state)], np.float64)

    def path(self, item, k: int, a: tuple, b: tuple) -> list:
        g = self.cached_game(item)
        return [g.slot_xy[k, a[k]], g.slot_xy[k, b[k]]]

    def draw_objects(self, item, xy: np.ndarray, on_top: list[int]) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def solution_states(self, item, solution: int = 0) -> list[tuple]:  # pragma: no cover
        raise NotImplementedError

    def play_states(self, item, states: Sequence[tuple], num_frames: int | None = None,
                    pace: Pace | None = None) -> Iterator[np.ndarray]:
        """Any state sequence (legal or not) drawn as a process: the oracle and the perturbations."""
        states = [tuple(s) for s in states]
        p = (pace or self.pace).fit(len(states) - 1, num_frames)
        frames = play(lambda xy, top: self.draw_objects(item, xy, top), lambda s: self.positions(item, s),
                      lambda k, a, b: self.path(item, k, a, b), states, p, num_frames)
        return itertools.islice(frames, num_frames) if num_frames else frames

    def solution_frames(self, item, solution: int = 0, fps: float | None = None,
                        num_frames: int | None = None) -> Iterator[np.ndarray]:
        return self.play_states(item, self.solution_states(item, solution), num_frames)

    def final_frame(self, item) -> np.ndarray:
        s = self.solution_states(item)[-1]
        return self.draw_objects(item, self.positions(item, s), [])

    def working_size(self, item) -> tuple[int, int]:
        return self.cached_game(item).working

    def check(self, item, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        v = ProcessChecker(self.cached_game(item), version=self.checker_version).check(frames, fit, fps)
        v.checker = self.checker_name
        return v
