"""Shared toolkit of the process puzzles (sorting, sliding, Hanoi, graph walks).

A process puzzle is a discrete state — which slot each coloured object rests in — changed by moves
the rule allows. Every family here describes an item as a ``Game`` (palette, where each object
rests in each slot, the rule, the goal) and gets for free:

* ``play``: the process as frames (objects glide along family-drawn paths, rest, then hold);
* ``ProcessChecker``: reads a video back — align the frame to the canvas (fit + a small ECC
  correction for model drift), calibrate the palette on the video's own first frame, classify
  pixels to palette colours through a lookup table, decide per object whether it rests in a slot
  (its colour fills that slot's box) or is in transit, commit every landing, and judge every change
  of the decoded state with the family's rule; at settled frames compare the frame with a
  rendering of the decoded state so that objects, digits and scenery cannot change unnoticed.

Objects carry a colour of their own, so the checker identifies them by colour and only uses the
shape (height, digits) to verify nothing was redrawn. Digits are drawn as seven-segment glyphs
with cv2 lines: no font files, exact palette colours (no anti-aliasing).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

import cv2
import numpy as np

from ...geometry import cumulative_length, segment_lengths, to_canvas
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


# --- the game description ------------------------------------------------------------------------

@dataclass
class Game:
    """One item as the checker sees it. States are tuples: the slot of each object.

    slot_xy[k, s]: canvas centre of object k resting in slot s (NaN where it cannot rest);
    half[k]: half width/height of object k's box. ``legal(a, b)`` returns None for a legal single
    move a→b, or the reason it is not; ``valid(s)`` says whether s is a complete, physical state
    (one object per slot, stacks without gaps…); ``distance(s)`` counts optimal moves to the goal.
    """

    canvas: tuple[int, int]
    scale: float  # working px per canvas px
    palette: np.ndarray  # (P, 3) uint8, every colour drawn
    obj_class: list[int]  # palette index of each object
    slot_xy: np.ndarray  # (K, S, 2)
    half: np.ndarray  # (K, 2)
    start: tuple
    goals: set
    optimal: int
    render: Callable[[tuple], np.ndarray]
    valid: Callable[[tuple], bool]
    legal: Callable[[tuple, tuple], str | None]
    distance: Callable[[tuple], int]
    require_optimal: bool = False
    max_moving: int = 1  # objects that may be in transit at once (a swap moves two)
    # object k in transit at working-px (x, y): None where it may be, else (why, far); two frames in a
    # row off, or one frame far off (a cut across the open), is an illegal move
    transit_check: Callable[[int, float, float, tuple], tuple[str, bool] | None] | None = None
    lift_check: Callable[[int, tuple], str | None] | None = None  # object k leaves its slot: allowed?
    # objects stand apart at rest (a row, not a stack), so one drawn bigger shows around its slot
    check_growth: bool = False
    words: dict = field(default_factory=dict)

    @property
    def working(self) -> tuple[int, int]:
        return max(8, int(round(self.canvas[0] * self.scale))), max(8, int(round(self.canvas[1] * self.scale)))

    def rects(self, grow: float = 1.0) -> np.ndarray:
        """(K, S, 4) integer boxes x0, y0, x1, y1 at working size (−1 where the slot is impossible),
        each ``grow`` times the object's size about its centre."""
        W, H = self.working
        sx, sy = W / self.canvas[0], H / self.canvas[1]
        c = self.slot_xy
        out = np.full(c.shape[:2] + (4,), -1, np.int32)
        ok = ~np.isnan(c[..., 0])
        hw, hh = grow * self.half[:, None, 0], grow * self.half[:, None, 1]
        box = np.stack([(c[..., 0] - hw) * sx, (c[..., 1] - hh) * sy, (c[..., 0] + hw) * sx, (c[..., 1] + hh) * sy], -1)
        box = np.round(np.nan_to_num(box, nan=-1)).astype(np.int32)
        box[..., 0::2] = np.clip(box[..., 0::2], 0, W)
        box[..., 1::2] = np.clip(box[..., 1::2], 0, H)
        out[ok] = box[ok]
        return out


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


# --- reading frames back ------------------------------------------------------------------------------

BITS = 5  # per channel: 32³ bins, far finer than the ≥ 65-unit gaps between palette colours


def _quantise(img: np.ndarray) -> np.ndarray:
    q = (img >> (8 - BITS)).astype(np.int32)
    return (q[..., 0] << (2 * BITS)) | (q[..., 1] << BITS) | q[..., 2]


_BINS: np.ndarray | None = None


def _bin_centres() -> np.ndarray:
    global _BINS
    if _BINS is None:
        step = 1 << (8 - BITS)
        v = np.arange(1 << BITS, dtype=np.float32) * step + (step - 1) / 2.0
        r, g, b = np.meshgrid(v, v, v, indexing="ij")
        _BINS = np.stack([r.ravel(), g.ravel(), b.ravel()], 1)
    return _BINS


UNKNOWN = 255


def build_lut(colours: np.ndarray, max_dist: float = 100.0) -> np.ndarray:
    """Palette index of the nearest colour for each RGB bin (UNKNOWN beyond max_dist)."""
    c = _bin_centres()
    best = np.full(len(c), np.inf, np.float32)
    lut = np.full(len(c), UNKNOWN, np.uint8)
    for k, col in enumerate(np.asarray(colours, np.float32)):
        diff = c - col
        d = np.einsum("ij,ij->i", diff, diff)
        better = d < best
        best[better] = d[better]
        lut[better] = k
    lut[best > max_dist ** 2] = UNKNOWN
    return lut


def classify_exact(img: np.ndarray, palette: np.ndarray) -> np.ndarray:
    return build_lut_cached(palette)[_quantise(img)]


_LUT_CACHE: dict = {}


def build_lut_cached(palette: np.ndarray) -> np.ndarray:
    key = np.asarray(palette, np.uint8).tobytes()
    if key not in _LUT_CACHE:
        if len(_LUT_CACHE) > 16:
            _LUT_CACHE.clear()
        _LUT_CACHE[key] = build_lut(palette)
    return _LUT_CACHE[key]


def interior(cls: np.ndarray) -> np.ndarray:
    """Pixels whose 3×3 neighbourhood shows one class (edges blur in any video; never judged)."""
    k = np.ones((3, 3), np.uint8)
    c = cls.astype(np.uint8)
    return (cv2.dilate(c, k) == cv2.erode(c, k)) & (cls != UNKNOWN)


def calibrate(nominal: np.ndarray, img: np.ndarray, expected: np.ndarray, mask: np.ndarray,
              movable: Sequence[int] = ()) -> np.ndarray:
    """The palette as this video shows it. Scenery colours: medians where the first frame should
    show them; the rest: a per-channel affine fit from those. A movable object's colour is read
    where it should start only if that reading is nearest to its own predicted colour (a video that
    starts in the wrong state must not teach the checker wrong colours)."""
    nominal = nominal.astype(np.float32)
    out = nominal.copy()
    have = np.zeros(len(nominal), bool)
    flat = img.reshape(-1, 3).astype(np.float32)
    e = np.where(mask, expected, UNKNOWN).ravel()
    seen: dict[int, np.ndarray] = {}
    for k in range(len(nominal)):
        sel = np.flatnonzero(e == k)
        if len(sel) >= 6:
            seen[k] = np.median(flat[sel[::max(1, len(sel) // 1500)]], axis=0)  # a sample is plenty
            if k not in movable:
                out[k] = seen[k]
                have[k] = True
    if have.sum() >= 2:
        for ch in range(3):
            x, y = nominal[have, ch], out[have, ch]
            if np.ptp(x) > 20:
                a, b = np.polyfit(x, y, 1)
                out[~have, ch] = a * nominal[~have, ch] + b
            else:
                out[~have, ch] = nominal[~have, ch] + np.mean(y - x)
    elif have.sum() == 1:
        out[~have] = nominal[~have] + (out[have] - nominal[have])
    out = np.clip(out, 0, 255)
    for k in movable:
        if k in seen and int(np.argmin(np.linalg.norm(out - seen[k], axis=1))) == k:
            out[k] = seen[k]
    return out


def estimate_warp(ref: np.ndarray, img: np.ndarray) -> np.ndarray | None:
    """Affine warp aligning ``img`` onto ``ref`` (small drift: zoom, shift), or None if none needed
    or ECC finds nothing plausible. ECC is insensitive to brightness and contrast changes."""
    g_ref = cv2.cvtColor(ref, cv2.COLOR_RGB2GRAY).astype(np.float32)
    g_img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
    warp = np.eye(2, 3, dtype=np.float32)
    try:
        _, warp = cv2.findTransformECC(g_ref, g_img, warp, cv2.MOTION_AFFINE,
                                       (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 60, 1e-5), None, 5)
    except cv2.error:
        return None
    h, w = ref.shape[:2]
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], np.float32)
    moved = corners @ warp.T - corners[:, :2]
    lin = warp[:, :2]
    if np.abs(lin - np.eye(2)).max() > 0.08 or np.abs(moved).max() > 0.08 * max(w, h):
        return None  # not drift: leave the frame alone
    if np.abs(moved).max() < 0.35:
        return None
    return warp


@dataclass
class _Event:
    frame: int
    code: str
    detail: str

    def to_json(self) -> dict:
        return {"frame": self.frame, "code": self.code, "detail": self.detail}


ORDER_OF_BLAME = ("WRONG_START", "LAYOUT_CHANGED", "TELEPORT", "ILLEGAL_MOVE")
GROWN = 1.15  # an object's pixels against its own at the start: it was drawn bigger
GROWN_BOX = 1.4  # the box around a resting object in which its growth is measured


class ProcessChecker:
    """Decode the state per frame and judge every transition (see the module docstring)."""

    name = "process"

    def __init__(self, game: Game, version: str = "1", rest_fill: float = 0.6, lost_seconds: float = 0.3,
                 layout_persist: int = 2, block: int = 16, still_tol: float = 0.12):
        self.g = game
        self.version = version
        self.rest_fill = rest_fill
        self.lost_seconds = lost_seconds
        self.layout_persist = layout_persist
        self.still_tol = still_tol
        self.block = block
        self.W, self.H = game.working
        self.rects = game.rects()
        self.around = game.rects(GROWN_BOX)  # room for an object drawn bigger than it is
        r = self.rects.astype(np.float64)
        self.centre = np.stack([(r[..., 0] + r[..., 2]) / 2, (r[..., 1] + r[..., 3]) / 2], -1)  # (K, S, 2)
        self.extent = np.max(r[..., 2:] - r[..., :2], (1, 2))  # each object's larger side, working px
        self._off_ref = None
        self._expected: dict = {}
        K = len(game.obj_class)
        e0, _ = self.expected(game.start)
        r = self.rects
        self.area = np.array([max(1.0, float(((e0[r[k, s, 1]:r[k, s, 3], r[k, s, 0]:r[k, s, 2]]) == game.obj_class[k]).sum()))
                              for k, s in zip(range(K), game.start)])
        ys, xs = np.mgrid[0:self.H, 0:self.W]
        bw = (self.W + block - 1) // block
        self.block_id = ((ys // block) * bw + xs // block).astype(np.int64)
        self.n_blocks = int(self.block_id.max()) + 1

    # expected class maps of a state, at working size
    def expected(self, state: tuple) -> tuple[np.ndarray, np.ndarray]:
        hit = self._expected.get(state)
        if hit is None:
            img = cv2.resize(self.g.render(state), (self.W, self.H), interpolation=cv2.INTER_AREA)
            cls = classify_exact(img, self.g.palette)
            hit = self._expected[state] = (cls, interior(cls))
            if len(self._expected) > 256:
                self._expected.clear()
        return hit

    def _presence(self, cls: np.ndarray) -> np.ndarray:
        """(P, H, W) bool: class p appears within one pixel."""
        k = np.ones((3, 3), np.uint8)
        return np.stack([cv2.dilate((cls == p).astype(np.uint8), k) > 0 for p in range(len(self.g.palette))])

    def _layout_bad(self, cls: np.ndarray, state: tuple) -> np.ndarray:
        exp, inner = self.expected(state)
        key = ("presence", state)
        pres_e = self._expected.get(key)
        if pres_e is None:
            pres_e = self._expected[key] = self._presence(exp)
        obs_ok = np.take_along_axis(pres_e, np.minimum(cls, len(self.g.palette) - 1)[None].astype(np.int64), 0)[0]
        obs_ok &= cls != UNKNOWN
        pres_o = self._presence(cls)
        exp_ok = np.take_along_axis(pres_o, np.minimum(exp, len(self.g.palette) - 1)[None].astype(np.int64), 0)[0]
        bad = inner & ~(obs_ok & exp_ok)
        n_bad = np.bincount(self.block_id[bad], minlength=self.n_blocks)
        n_in = np.bincount(self.block_id[inner], minlength=self.n_blocks)
        return n_bad > np.maximum(12, 0.12 * n_in)  # a changed digit stroke is ~35 px here; crf 40 ≤ 16

    def _creeping(self, cls: np.ndarray, classes: np.ndarray, rest) -> bool:
        """Is some object off its slot's centre by more than at the first still frame, and more
        than the others are (the camera moves them all alike)? Then it is on its way, however
        slowly, and the frame is not a still one; an object drawn wider or recoloured stays
        centred and is judged."""
        off = np.zeros((len(rest), 2))
        for k, s in enumerate(rest):
            x0, y0, x1, y1 = self.around[k, s]
            m = cv2.moments((cls[y0:y1, x0:x1] == classes[k]).view(np.uint8), True)
            if m["m00"] > 0:
                off[k] = (x0 + m["m10"] / m["m00"] - self.centre[k, s, 0], y0 + m["m01"] / m["m00"] - self.centre[k, s, 1])
        if self._off_ref is None:
            self._off_ref = off
        off = off - self._off_ref  # a digit or a peg makes an object's colour off-centre from the start
        rel = np.hypot(*(off - np.median(off, 0)).T)
        return bool((rel > np.maximum(1.0, 0.04 * self.extent)).any())

    def _size_at_rest(self, rest, integrals) -> np.ndarray:
        """(K,) each object's pixels in a box around its slot, room left for it to grow."""
        out = np.zeros(len(rest))
        for k, s in enumerate(rest):
            x0, y0, x1, y1 = self.around[k, s]
            ii = integrals[k]
            out[k] = ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0]
        return out

    def _occluded_rest(self, rest, missing, frac, total, committed, integrals, area) -> np.ndarray:
        """An object still in its slot but partly hidden by objects in transit drawn over it (a bar
        lifted past a tall one, a swap crossing above and below it) rests there: its own colour
        plus the movers' colours fill its box. Only movers can hide it, some of it must show, and
        none of it may show outside its box (a tile half out of its slot is moving, not hidden)."""
        movers = [j for j in range(len(rest)) if rest[j] < 0 and not missing[j]]
        if len(movers) < 2:
            return rest
        out = rest.copy()
        for k in movers:
            s = committed[k]
            x0, y0, x1, y1 = self.rects[k, s]
            if x0 < 0 or frac[k, s] < 0.15 or total[k] - frac[k, s] * area[k] > 0.1 * area[k]:
                continue
            hidden = sum(integrals[j][y1, x1] - integrals[j][y0, x1] - integrals[j][y1, x0] + integrals[j][y0, x0]
                         for j in movers if j != k)
            if frac[k, s] + hidden / area[k] >= self.rest_fill:
                out[k] = s
        return out

    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        g, rects = self.g, self.rects
        K = len(g.obj_class)
        lost_tol = max(2, int(round(self.lost_seconds * fps)))
        events: list[_Event] = []
        lut = warp = None
        committed: list[int] | None = None
        last_valid: tuple | None = None
        transit_seen = np.zeros(K, bool)
        lost_run = np.zeros(K, np.int32)
        dup_prev: np.ndarray | None = None  # (K, S) slots each twice-resting object filled last frame
        dup_told = False
        bad_run = np.zeros(self.n_blocks, np.int32)
        off_run, off_told = 0, False
        states: list[tuple] = []
        state_ids: dict = {}
        per_frame: list[int] = []
        moves: list[list] = []
        reached_at = None
        area = None
        instant: list[bool] = []  # per landing since the last complete state: was it a jump?
        multi_run = 0
        size_run = np.zeros(K, np.int32)
        size_ref = None
        tracked_at = 0
        n = 0
        classes = np.array(g.obj_class)
        for i, frame in enumerate(frames):
            n += 1
            img = raw = to_canvas(fit, frame, self.W, self.H)
            if lut is None:
                exp0, in0 = self.expected(g.start)
                ref = cv2.resize(g.render(g.start), (self.W, self.H), interpolation=cv2.INTER_AREA)
                warp = estimate_warp(ref, img)
                if warp is not None:
                    img = cv2.warpAffine(img, warp, (self.W, self.H), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                         borderMode=cv2.BORDER_REPLICATE)
                lut = build_lut(calibrate(g.palette, img, exp0, in0, movable=g.obj_class))
            elif warp is not None:
                img = cv2.warpAffine(img, warp, (self.W, self.H), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                     borderMode=cv2.BORDER_REPLICATE)
            cls = lut[_quantise(img)]

            # per object: fill of its box in every slot, and its total pixel count
            fill = np.zeros(rects.shape[:2])
            total = np.zeros(K)
            integrals = []
            for k in range(K):
                ii = cv2.integral((cls == classes[k]).astype(np.uint8))
                integrals.append(ii)
                r = rects[k]
                fill[k] = (ii[r[:, 3], r[:, 2]] - ii[r[:, 1], r[:, 2]] - ii[r[:, 3], r[:, 0]] + ii[r[:, 1], r[:, 0]])
                fill[k, r[:, 0] < 0] = 0
                total[k] = ii[-1, -1]
            if area is None:
                # each object as this video renders it (blur, compression) where it should start is
                # the reference size; an object not there keeps its drawn size
                seen = fill[np.arange(K), list(g.start)]
                area = np.where(seen >= 0.5 * self.area, seen, self.area)
            frac = fill / area[:, None]
            at_rest = frac >= self.rest_fill
            rest = np.where(at_rest.any(1), frac.argmax(1), -1)
            missing = total < 0.3 * self.area
            if committed is not None:
                rest = self._occluded_rest(rest, missing, frac, total, committed, integrals, area)

            # objects must persist and stay single
            lost_run = np.where(missing, lost_run + 1, 0)
            if (lost_run == lost_tol + 1).any():
                k = int(np.flatnonzero(lost_run == lost_tol + 1)[0])
                events.append(_Event(i - lost_tol, "LAYOUT_CHANGED", f"object {k} disappeared or changed colour"))
            # a copy at rest stays put: the same two slots must show the object on consecutive frames.
            # Ghosting (a frame blended with the last) leaves a faint copy of a moving object for one
            # frame, a step further on the next; a faded colour over the background can read as
            # another object's colour (yellow over dark blue reads brown), so that copy must not count.
            dup = at_rest & (at_rest.sum(1) > 1)[:, None]
            dup_now = dup_prev is not None and bool(((dup & dup_prev).sum(1) > 1).any())
            if dup_now and not dup_told:
                events.append(_Event(i - 1, "LAYOUT_CHANGED", "an object is shown in two places"))
            dup_prev, dup_told = dup, dup_now

            if committed is None:  # the first frame where every object rests sets the start
                if (rest >= 0).all():
                    committed = [int(s) for s in rest]
                    if tuple(committed) != tuple(g.start):
                        events.append(_Event(i, "WRONG_START", f"first state {committed}, start is {list(g.start)}"))
                    last_valid = tuple(committed)
                else:
                    per_frame.append(-1)
                    continue
            # commit every landing; remember whether the object was seen on its way
            for k in range(K):
                if rest[k] >= 0:
                    if rest[k] != committed[k]:
                        instant.append(not transit_seen[k])
                        committed[k] = int(rest[k])
                    transit_seen[k] = False
                elif not missing[k]:
                    if not transit_seen[k] and g.lift_check is not None:
                        why = g.lift_check(k, tuple(committed))
                        if why:
                            events.append(_Event(i, "ILLEGAL_MOVE", why))
                    transit_seen[k] = True
            cur = tuple(committed)
            if not g.valid(cur):  # resting where no state allows (a tile over another): still on its way
                transit_seen[[k for k in range(K) if rest[k] >= 0 and cur.count(cur[k]) > 1]] = True
            moving = int(((rest < 0) & ~missing).sum())
            multi_run = multi_run + 1 if moving > g.max_moving else 0
            if multi_run == 1:
                events.append(_Event(i, "ILLEGAL_MOVE", f"{moving} objects move at once (at most {g.max_moving})"))
            if g.transit_check is not None:
                off = None
                for k in range(K):
                    if rest[k] < 0 and not missing[k]:
                        m = cv2.moments((cls == classes[k]).astype(np.uint8), binaryImage=True)
                        if m["m00"] > 0:
                            off = g.transit_check(k, m["m10"] / m["m00"], m["m01"] / m["m00"], cur) or off
                off_run = off_run + 1 if off else 0
                if off_run == 1:
                    off_told = False
                if off and not off_told and (off_run >= 2 or off[1]):
                    events.append(_Event(i - (off_run - 1), "ILLEGAL_MOVE", off[0]))
                    off_told = True
            if cur != last_valid and g.valid(cur):
                why = g.legal(last_valid, cur)
                if why is not None:
                    code = "TELEPORT" if instant and all(instant) else "ILLEGAL_MOVE"
                    events.append(_Event(i, code, why))
                moves.append([i, last_valid, cur, why is None])
                last_valid = cur
                instant = []
            settled = (rest >= 0).all() and g.valid(cur)
            # with everything at rest (nothing in transit: no ghost or overlap adds pixels), an
            # object showing more of its colour around its slot than at the start was drawn bigger
            settled_apart = settled and g.check_growth
            size = self._size_at_rest(rest, integrals) if settled_apart else None
            if size_ref is None and settled_apart:
                size_ref = size  # each object as this video draws it at the start
            size_run = np.where(size > GROWN * size_ref, size_run + 1, 0) if settled_apart else 0 * size_run
            if (size_run == self.layout_persist).any():
                k = int(np.flatnonzero(size_run == self.layout_persist)[0])
                events.append(_Event(i - self.layout_persist + 1, "LAYOUT_CHANGED", f"object {k} grew"))
            still = settled and bool((np.abs(frac[np.arange(K), rest] - 1.0) <= self.still_tol).all())
            if still:  # one creeping out of its slot (a slow model) still fills most of its box
                still = not self._creeping(cls, classes, rest)
            if still:  # nothing in motion: the frame must show exactly the decoded state
                bad = self._layout_bad(cls, cur)
                if bad.any() and i - tracked_at >= 2 and not any(e.code == "LAYOUT_CHANGED" for e in events):
                    # a camera still drifting (a zoom or pan growing over the clip): re-align on this
                    # still frame against the state it shows; bounded to a drift of the whole frame, it
                    # cannot hide an item that changed, which stays wrong after it
                    tracked_at = i
                    shown = cv2.resize(g.render(cur), (self.W, self.H), interpolation=cv2.INTER_AREA)
                    new = estimate_warp(shown, raw)
                    if new is not None:
                        warp = new
                        cls = lut[_quantise(cv2.warpAffine(raw, warp, (self.W, self.H),
                                                           flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                                           borderMode=cv2.BORDER_REPLICATE))]
                        bad = self._layout_bad(cls, cur)
                bad_run = np.where(bad, bad_run + 1, 0)
                if (bad_run == self.layout_persist).any():
                    blocks = np.flatnonzero(bad_run >= self.layout_persist)[:6].tolist()
                    events.append(_Event(i - self.layout_persist + 1, "LAYOUT_CHANGED",
                                         f"frame no longer shows the decoded state (blocks {blocks})"))
            else:  # a change must show on consecutive still frames (ghosting smears single ones)
                bad_run[:] = 0
            if last_valid not in state_ids:
                state_ids[last_valid] = len(states)
                states.append(last_valid)
            per_frame.append(state_ids[last_valid] if settled else -1)
            if last_valid in g.goals and reached_at is None:
                reached_at = i
        if n == 0:
            return Verdict.error(self.name, "video has no frames", self.version)
        return self._decide(events, states, per_frame, moves, last_valid, reached_at, n, fps)

    def _decide(self, events, states, per_frame, moves, final, reached_at, n, fps) -> Verdict:
        g = self.g
        events.sort(key=lambda e: (e.frame, ORDER_OF_BLAME.index(e.code)))
        blame = [e for e in events if e.code in ORDER_OF_BLAME]
        legal = not blame
        reached = reached_at is not None
        held = final is not None and final in g.goals
        n_moves = len(moves)
        optimal = held and legal and n_moves == g.optimal
        d0 = max(g.distance(g.start), 1)
        # progress: how much closer to the goal the video got before its first broken rule (a cut
        # to the answer earns nothing)
        reached_legally = None if final is None or any(e.code == "WRONG_START" for e in blame) else tuple(g.start)
        first_bad = blame[0].frame if blame else None
        for f, a, b, ok in moves:
            if reached_legally is None or not ok or (first_bad is not None and f >= first_bad):
                break
            reached_legally = b
        progress = 0.0 if reached_legally is None else max(0.0, 1.0 - g.distance(reached_legally) / d0)
        success = held and legal
        passed = success and (optimal or not g.require_optimal)

        failure, first = None, None
        if blame:
            failure, first = blame[0].code, blame[0].frame
        elif final is None or (not moves and final not in g.goals):
            failure, first = "STATIC", 0
        elif not reached:
            failure = "GOAL_NOT_REACHED"
        elif not held:
            failure = "GOAL_NOT_HELD"
            first = next((m[0] for m in moves if m[0] > reached_at), None)
        elif g.require_optimal and not optimal:
            failure = "NOT_OPTIMAL"
        metrics = {"success": float(success), "legal": float(legal), "reached": float(reached),
                   "optimal": float(optimal), "moves": n_moves, "optimal_moves": g.optimal,
                   "progress": round(progress, 4), "frames": n}
        evidence = {"states": [list(s) for s in states], "frame_state": per_frame,
                    "moves": [[f, list(a), list(b), ok] for f, a, b, ok in moves],
                    "events": [e.to_json() for e in events], "fps": fps}
        msg = blame[0].detail if blame else ("" if passed else (failure or "").lower().replace("_", " "))
        return Verdict(checker=self.name, status="ok", passed=passed, score=1.0 if passed else round(progress, 4),
                       metrics=metrics, failure=None if passed else failure, first_error_frame=first,
                       message=msg, evidence=evidence, version=self.version)


# --- the family side ----------------------------------------------------------------------------------

class ProcessFamilyMixin:
    """Frames and judging shared by the process families; a family supplies ``game(item)``,
    ``positions``, ``path`` and ``draw_objects`` for its look, and ``solution_states``."""

    pace = Pace()
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
