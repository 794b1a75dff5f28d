"""The process checker: decode which slot each coloured object rests in, frame by frame, and judge
every change of that state with the family's rule (sorting, sliding tiles, Hanoi, graph walks).

A family describes an item as a ``Game`` (palette, where each object rests in each slot, the rule,
the goal); ``ProcessChecker`` reads a video back — align the frame to the canvas (fit + a small ECC
correction for model drift), calibrate the palette on the video's own first frame, classify pixels
to palette colours through a lookup table, decide per object whether it rests in a slot (its colour
fills that slot's box) or is in transit, commit every landing, and judge every change of the
decoded state with the family's rule; at settled frames compare the frame with a rendering of the
decoded state so that objects, digits and scenery cannot change unnoticed.

Objects carry a colour of their own, so the checker identifies them by colour and only uses the
shape (height, digits) to verify nothing was redrawn.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, Iterable

import cv2
import numpy as np

from ..schema import Fit, Verdict
from ..vision.align import drift_warp, grey, warp_onto
from ..vision.lut import UNKNOWN, build_lut, build_lut_cached, lookup, quantise, word_table
from ..vision.mapping import CanvasSampler
from ..vision.palette import calibrate_scene
from ..vision.presence import presence_bits
from .events import Event, in_order

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
    # the checker's expected class maps per state (ProcessChecker.expected), kept with the game while it
    # is among the last few judged (_maps_of): every candidate video of an item is judged against the
    # same renderings
    maps: dict = field(default_factory=dict, repr=False, compare=False)

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


# --- reading frames: palette classes per pixel -------------------------------------------------------

def classify_exact(img: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Palette index per pixel of a drawn (not filmed) image: the nearest nominal colour."""
    return build_lut_cached(palette)[quantise(img)]


def interior(cls: np.ndarray) -> np.ndarray:
    """Pixels whose 3×3 neighbourhood shows one class (edges blur in any video; never judged)."""
    k = np.ones((3, 3), np.uint8)
    c = cls.astype(np.uint8)
    return (cv2.dilate(c, k) == cv2.erode(c, k)) & (cls != UNKNOWN)


class ObjectReach:
    """Per object, the part of the working frame its boxes (resting and grown, in every slot) can
    reach, and its resting boxes in that part's coordinates: a row of bars never looks above the
    tallest, so an object's pixels are counted over that part only (``ObjectPixels``)."""

    def __init__(self, rects: np.ndarray, around: np.ndarray, w: int, h: int):
        self.valid = rects[..., 0] >= 0  # (K, S): the slots where each object can rest
        self.part: list[tuple[int, int, int, int]] = []
        self.local = np.zeros_like(rects)
        for k in range(rects.shape[0]):
            b = np.concatenate([rects[k][self.valid[k]], around[k][self.valid[k]]])
            part = (int(b[:, 0].min()), int(b[:, 1].min()), int(b[:, 2].max()), int(b[:, 3].max())) \
                if len(b) else (0, 0, w, h)
            self.part.append(part)
            self.local[k] = np.where(self.valid[k][:, None], rects[k] - np.array(part[:2] * 2), 0)
        # the distinct resting boxes: where objects share them (equal tiles, one set of slots), one class
        # histogram per box counts every object at once, instead of an integral image per object (the
        # same counts). At these working sizes a call costs about the same either way, an integral
        # image about twice a small box's histogram: sliding's 9 boxes for 8 tiles take half the time,
        # hanoi's and sorting's boxes (one per object and slot) would take 1.1-3x more
        uniq, inv = np.unique(rects[self.valid], axis=0, return_inverse=True)
        self.boxes = uniq
        self.box_of = np.full(self.valid.shape, -1, np.intp)
        self.box_of[self.valid] = inv.ravel()
        self.by_box = len(uniq) < 2 * rects.shape[0]


class ObjectPixels:
    """Each object's pixels (those of its colour) in boxes of one frame's class map, counted exactly:
    an integral image per object over its reach (a full-frame integral per object was most of a
    frame's reading); a box beyond it (an object in transit over another's slot) is counted directly."""

    def __init__(self, cls: np.ndarray, classes: np.ndarray, reach: ObjectReach):
        self.cls, self.classes, self.reach = cls, classes, reach
        # every class's pixels in one histogram (exact below 2**24 px; np.bincount widens to int64 first)
        self.total = cv2.calcHist([cls], [0], None, [256], [0, 256]).ravel()[classes].astype(np.int64)
        if reach.by_box:
            self.ii = None
            self.hist = np.array([_histogram(cls[y0:y1, x0:x1]) for x0, y0, x1, y1 in reach.boxes]).reshape(-1, 256)
        else:
            self.ii = [cv2.integral((cls[y0:y1, x0:x1] == c).view(np.uint8))
                       for c, (x0, y0, x1, y1) in zip(classes, reach.part)]

    def in_slots(self) -> np.ndarray:
        """(K, S) each object's pixels in its box in every slot (0 where it cannot rest)."""
        if self.ii is None:
            out = self.hist[self.reach.box_of, self.classes[:, None]].astype(np.int64)
        else:
            out = np.zeros(self.reach.valid.shape, np.int64)
            for k, ii in enumerate(self.ii):
                x0, y0, x1, y1 = self.reach.local[k].T
                out[k] = ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0]
        out[~self.reach.valid] = 0
        return out

    def in_box(self, k: int, box) -> int:
        """Object k's pixels in one box (x0, y0, x1, y1, working px)."""
        x0, y0, x1, y1 = (int(v) for v in box)
        px0, py0, px1, py1 = self.reach.part[k]
        if self.ii is not None and px0 <= x0 and py0 <= y0 and x1 <= px1 and y1 <= py1:
            ii = self.ii[k]
            x0, y0, x1, y1 = x0 - px0, y0 - py0, x1 - px0, y1 - py0
            return int(ii[y1, x1]) - int(ii[y0, x1]) - int(ii[y1, x0]) + int(ii[y0, x0])
        return int(np.count_nonzero(self.cls[y0:y1, x0:x1] == self.classes[k]))


@functools.lru_cache(maxsize=16)
def _block_ids(w: int, h: int, block: int) -> np.ndarray:
    """(h, w) the index of each pixel's ``block``-px block, row by row (kept: every check of an item needs it)."""
    ys, xs = np.mgrid[0:h, 0:w]
    ids = ((ys // block) * ((w + block - 1) // block) + xs // block).astype(np.int64)
    ids.flags.writeable = False
    return ids


@functools.lru_cache(maxsize=None)
def _class_bits(n_classes: int, dtype) -> np.ndarray:
    """Class value → its presence bit (``presence.presence_bits``' words): classes from ``n_classes`` on
    share the last one, UNKNOWN has none."""
    table = np.left_shift(np.ones(256, dtype), np.minimum(np.arange(256), n_classes - 1).astype(dtype))
    table[UNKNOWN] = 0
    table.flags.writeable = False
    return table


def _median(a: np.ndarray) -> np.ndarray:
    """``np.median(a, 0)`` of a few rows (one per object), by one sort: np.median's own overhead is
    several times the work, and it runs on most frames."""
    s = np.sort(a, axis=0)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def _histogram(cls: np.ndarray) -> np.ndarray:
    """Pixels of each class value (256) in a class map, exact below 2**24 px; none in an empty box."""
    if not cls.size:
        return np.zeros(256, np.float32)
    return cv2.calcHist([cls], [0], None, [256], [0, 256]).ravel()


_WARM_GAMES: list[Game] = []  # the games whose expected maps are kept: memory stays bounded (~0.1-0.3 MB a state)


def _maps_of(game: Game) -> dict:
    """The game's expected-map cache, kept for the last 4 games judged (a run judges an item's candidates
    in turn); an older game's is emptied."""
    if not any(g is game for g in _WARM_GAMES):
        _WARM_GAMES.append(game)
        if len(_WARM_GAMES) > 4:
            _WARM_GAMES.pop(0).maps.clear()
    return game.maps


ORDER_OF_BLAME = ("WRONG_START", "LAYOUT_CHANGED", "TELEPORT", "ILLEGAL_MOVE")
GROWN = 1.15  # an object's pixels against its own at the start: it was drawn bigger
SHRUNK = 0.85  # ... or smaller (a fifth less: a bar at 0.8 of its height, a ball at 0.9 of its width)
GROWN_BOX = 1.4  # the box around a resting object in which its growth is measured
NEAR_BOX = 1.7  # ... and the wider box whose ring around it an object easing into its slot still shows in


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
        self.near = game.rects(NEAR_BOX) if game.check_growth else None
        r = self.rects.astype(np.float64)
        self.centre = np.stack([(r[..., 0] + r[..., 2]) / 2, (r[..., 1] + r[..., 3]) / 2], -1)  # (K, S, 2)
        self.extent = np.max(r[..., 2:] - r[..., :2], (1, 2))  # each object's larger side, working px
        self.reach = ObjectReach(self.rects, self.around, self.W, self.H)
        self._off_ref = None
        self._expected = _maps_of(game)
        K = len(game.obj_class)
        e0, _ = self.expected(game.start)
        r = self.rects
        self.area = np.array([max(1.0, float(((e0[r[k, s, 1]:r[k, s, 3], r[k, s, 0]:r[k, s, 2]]) == game.obj_class[k]).sum()))
                              for k, s in zip(range(K), game.start)])
        self.block_id = _block_ids(self.W, self.H, block)
        self.n_blocks = int(self.block_id[-1, -1]) + 1

    # expected class maps of a state, at working size
    def expected(self, state: tuple) -> tuple[np.ndarray, np.ndarray]:
        hit = self._expected.get(state)
        if hit is None:
            img = cv2.resize(self.g.render(state), (self.W, self.H), interpolation=cv2.INTER_AREA)
            cls = classify_exact(img, self.g.palette)
            hit = self._expected[state] = (cls, interior(cls))
            for a in hit:  # shared by every check of this game: never written
                a.flags.writeable = False
            if len(self._expected) > 128:
                self._expected.clear()
        return hit

    def _layout_bad(self, cls: np.ndarray, state: tuple) -> np.ndarray:
        exp, inner = self.expected(state)
        P = len(self.g.palette)
        key = ("presence", state)
        cached = self._expected.get(key)
        if cached is None:  # per state: the classes around each pixel, each pixel's class bit, interior pixels per block
            pres_e = presence_bits(exp, P)
            cached = self._expected[key] = (pres_e, _class_bits(P, pres_e.dtype).take(np.minimum(exp, P - 1)),
                                            np.bincount(self.block_id[inner], minlength=self.n_blocks))
        pres_e, exp_bit, n_in = cached
        # a class is present where its bit is set (``presence.present``, by one AND per map instead of a
        # shift per pixel); classes past the palette count as its last, UNKNOWN has no bit: never present
        obs_ok = (pres_e & _class_bits(P, pres_e.dtype).take(cls)) != 0
        exp_ok = (presence_bits(cls, P) & exp_bit) != 0
        bad = inner & ~(obs_ok & exp_ok)
        n_bad = np.bincount(self.block_id[bad], minlength=self.n_blocks)
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
        rel = np.hypot(*(off - _median(off)).T)
        return bool((rel > np.maximum(1.0, 0.04 * self.extent)).any())

    def _size_at_rest(self, rest, pixels: "ObjectPixels", boxes: np.ndarray | None = None) -> np.ndarray:
        """(K,) each object's pixels in a box around its slot (``boxes``, by default ``around``: room left
        for it to grow)."""
        boxes = self.around if boxes is None else boxes
        return np.array([pixels.in_box(k, boxes[k, s]) for k, s in enumerate(rest)], np.float64)

    def _occluded_rest(self, rest, missing, frac, total, committed, pixels, area) -> np.ndarray:
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
            hidden = sum(pixels.in_box(j, self.rects[k, s]) for j in movers if j != k)
            if frac[k, s] + hidden / area[k] >= self.rest_fill:
                out[k] = s
        return out

    def _fills(self, cls: np.ndarray, classes: np.ndarray):
        """Per object: its pixels in its box in every slot (K, S), its total pixels (K,), and its pixels
        per box for boxes measured later (``ObjectPixels``)."""
        pixels = ObjectPixels(cls, classes, self.reach)
        return pixels.in_slots().astype(np.float64), pixels.total.astype(np.float64), pixels

    def _shown(self, state: tuple) -> np.ndarray:
        """A rendering of ``state`` at working size, in grey levels (what ECC matches), kept per state: a
        slow model re-aligns on many frames of one state."""
        key = ("shown", state)
        hit = self._expected.get(key)
        if hit is None:
            hit = self._expected[key] = grey(cv2.resize(self.g.render(state), (self.W, self.H),
                                                        interpolation=cv2.INTER_AREA))
            hit.flags.writeable = False
        return hit

    def _realign(self, state: tuple, raw: np.ndarray) -> np.ndarray | None:
        """The camera's drift on this frame against a rendering of ``state`` (None: none worth warping)."""
        return drift_warp(self._shown(state), raw, min_move=0.35)

    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        g = self.g
        K = len(g.obj_class)
        lost_tol = max(2, int(round(self.lost_seconds * fps)))
        events: list[Event] = []
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
        size_ref = near_ref = None
        tracked_at = 0
        n = 0
        classes = np.array(g.obj_class)
        sample = CanvasSampler(fit, self.W, self.H, planes="aligned")
        for i, frame in enumerate(frames):
            n += 1
            img = raw = sample(frame)
            if lut is None:
                exp0, in0 = self.expected(g.start)
                warp = self._realign(g.start, img)
                img = warp_onto(img, warp, self.W, self.H)
                # the LUT keyed by a pixel's RGBA word: the classes of lut[quantise(img)] in half the time
                lut = word_table(build_lut(calibrate_scene(g.palette, img, exp0, in0, movable=g.obj_class),
                                           max_dist=100.0))
            else:
                img = warp_onto(img, warp, self.W, self.H)
            cls = lookup(img, lut)
            fill, total, pixels = self._fills(cls, classes)
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
                rest = self._occluded_rest(rest, missing, frac, total, committed, pixels, area)

            # objects must persist and stay single
            lost_run = np.where(missing, lost_run + 1, 0)
            if (lost_run == lost_tol + 1).any():
                k = int(np.flatnonzero(lost_run == lost_tol + 1)[0])
                events.append(Event(i - lost_tol, "LAYOUT_CHANGED", f"object {k} disappeared or changed colour"))
            # a copy at rest stays put: the same two slots must show the object on consecutive frames.
            # Ghosting (a frame blended with the last) leaves a faint copy of a moving object for one
            # frame, a step further on the next; a faded colour over the background can read as
            # another object's colour (yellow over dark blue reads brown), so that copy must not count.
            dup = at_rest & (at_rest.sum(1) > 1)[:, None]
            dup_now = dup_prev is not None and bool(((dup & dup_prev).sum(1) > 1).any())
            if dup_now and not dup_told:
                events.append(Event(i - 1, "LAYOUT_CHANGED", "an object is shown in two places"))
            dup_prev, dup_told = dup, dup_now

            if committed is None:  # the first frame where every object rests sets the start
                if (rest >= 0).all():
                    committed = [int(s) for s in rest]
                    if tuple(committed) != tuple(g.start):
                        events.append(Event(i, "WRONG_START", f"first state {committed}, start is {list(g.start)}"))
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
                            events.append(Event(i, "ILLEGAL_MOVE", why))
                    transit_seen[k] = True
            cur = tuple(committed)
            if not g.valid(cur):  # resting where no state allows (a tile over another): still on its way
                transit_seen[[k for k in range(K) if rest[k] >= 0 and cur.count(cur[k]) > 1]] = True
            moving = int(((rest < 0) & ~missing).sum())
            multi_run = multi_run + 1 if moving > g.max_moving else 0
            if multi_run == 1:
                events.append(Event(i, "ILLEGAL_MOVE", f"{moving} objects move at once (at most {g.max_moving})"))
            if g.transit_check is not None:
                off = None
                for k in range(K):
                    if rest[k] < 0 and not missing[k]:
                        m = cv2.moments((cls == classes[k]).view(np.uint8), binaryImage=True)
                        if m["m00"] > 0:
                            off = g.transit_check(k, m["m10"] / m["m00"], m["m01"] / m["m00"], cur) or off
                off_run = off_run + 1 if off else 0
                if off_run == 1:
                    off_told = False
                if off and not off_told and (off_run >= 2 or off[1]):
                    events.append(Event(i - (off_run - 1), "ILLEGAL_MOVE", off[0]))
                    off_told = True
            if cur != last_valid and g.valid(cur):
                why = g.legal(last_valid, cur)
                if why is not None:
                    code = "TELEPORT" if instant and all(instant) else "ILLEGAL_MOVE"
                    events.append(Event(i, code, why))
                moves.append([i, last_valid, cur, why is None])
                last_valid = cur
                instant = []
            settled = (rest >= 0).all() and g.valid(cur)
            changed = any(e.code == "LAYOUT_CHANGED" for e in events)
            if (settled and i - tracked_at >= 2 and not changed
                    and _median(np.abs(frac[np.arange(K), rest] - 1.0)) > self.still_tol):
                # every object rests, but most fill their boxes less than at the start: a camera still
                # drifting (a zoom or pan growing over the clip) moves them all off their boxes, and would
                # soon read them as lifted (one object easing into its slot is no camera). Re-align on
                # this frame against the state it shows (bounded to a drift of the whole frame: an object
                # drawn bigger or moved stays wrong after it)
                tracked_at = i
                new = self._realign(cur, raw)
                if new is not None:
                    warp = new
                    cls = lookup(warp_onto(raw, warp, self.W, self.H), lut)
                    fill, total, pixels = self._fills(cls, classes)
                    frac = fill / area[:, None]
            # with everything at rest (nothing in transit: no ghost or overlap adds pixels), an
            # object showing more (less) of its colour around its slot than at the start was drawn
            # bigger (smaller)
            settled_apart = settled and g.check_growth
            size = self._size_at_rest(rest, pixels) if settled_apart else None
            if size_ref is None and settled_apart:
                size_ref = size  # each object as this video draws it at the start
                near_ref = self._size_at_rest(rest, pixels, self.near)
            shrunk = size < SHRUNK * size_ref if settled_apart else None
            if settled_apart and shrunk.any():
                # an object still easing into its slot (resting by its fill) shows part of itself just beyond
                # the box around it, in the ring out to NEAR_BOX: pixels moved there are not lost (a model's
                # camera drift brings a few strays into the ring, never most of what a shrunk object lost)
                near = self._size_at_rest(rest, pixels, self.near)
                shrunk &= (near - size) - (near_ref - size_ref) < 0.5 * (size_ref - size)
            resized = (size > GROWN * size_ref) | shrunk if settled_apart else None
            size_run = np.where(resized, size_run + 1, 0) if settled_apart else 0 * size_run
            if (size_run == self.layout_persist).any():
                k = int(np.flatnonzero(size_run == self.layout_persist)[0])
                how = "grew" if size[k] > size_ref[k] else "shrank"
                events.append(Event(i - self.layout_persist + 1, "LAYOUT_CHANGED", f"object {k} {how}"))
            still = settled and bool((np.abs(frac[np.arange(K), rest] - 1.0) <= self.still_tol).all())
            if still:  # one creeping out of its slot (a slow model) still fills most of its box
                still = not self._creeping(cls, classes, rest)
            if still:  # nothing in motion: the frame must show exactly the decoded state
                bad = self._layout_bad(cls, cur)
                if bad.any() and i - tracked_at >= 2 and not changed:
                    # a camera still drifting: re-align on this still frame too (as above)
                    tracked_at = i
                    new = self._realign(cur, raw)
                    if new is not None:
                        warp = new
                        cls = lookup(warp_onto(raw, warp, self.W, self.H), lut)
                        bad = self._layout_bad(cls, cur)
                bad_run = np.where(bad, bad_run + 1, 0)
                if (bad_run == self.layout_persist).any():
                    blocks = np.flatnonzero(bad_run >= self.layout_persist)[:6].tolist()
                    events.append(Event(i - self.layout_persist + 1, "LAYOUT_CHANGED",
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
        events = in_order(events, ORDER_OF_BLAME)  # every code recorded here is in it
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
