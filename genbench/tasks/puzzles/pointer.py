"""Toolkit of the answer-selection puzzles (counting, arithmetic, transitive, sequence, odd one out).

Every such puzzle is a question area and a set of options; the video answers by a visible process:
  * pointer: a marker travels from a start pad to below one option of the answer strip and stays;
  * move:    one option tile travels from its home in the strip into an empty slot;
  * remove:  one object fades out of the question area.
Everything is drawn procedurally (cv2 polygons and seven-segment digits, no font files, no
anti-aliasing), so the checker knows the exact palette and layout it drew and reads the video by
comparing regions, never by OCR.

Checker conventions (shared by all five families):
  * frames are mapped onto the canvas at half size (WORK) through the request's Fit;
  * the first frame is aligned to the rendered item (ECC affine; colours mapped per channel from
    the medians of flat areas, palette colours that collapse onto another left out): a first frame
    that does not show the item is WRONG_START; the tile checker reads every frame through that
    alignment (a zoom moves the strip and the slot by different amounts);
  * layout regions (the question's glyphs and objects, the option boxes) are compared with the
    video's own first frame: a region whose ink changes for ``persist`` frames is LAYOUT_CHANGED;
  * a cut is not a process: a marker that moves more than JUMP_FRAC of the canvas width between two
    frames, or a tile / object that goes from in place to done with no frame in between, is TELEPORT;
  * the answer is decided at the last frame and must be held for HOLD_SECONDS; metrics also report
    whether the correct answer was held at any frame (the "best frame").
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable

import cv2
import numpy as np

from ...geometry import to_canvas
from ...raster import fill
from ...schema import Fit, Verdict

W, H = 512, 400  # canvas
WORK = (W // 2, H // 2)  # checker working size
PANEL = (8, 8, W - 8, 212)  # question area
STRIP = (224, 272)  # y range of the answer strip
LANE_Y = 300  # marker centre when it points at an option
START = (W // 2, 368)  # marker start pad (≥ 68 px from every pointing position: a cut is a jump)
MARKER_R = 13  # marker half size (px)
JUMP_FRAC = 0.1  # a marker step longer than this fraction of the width in one frame is a cut
HOLD_SECONDS = 0.3
SPEED = 8.0  # oracle marker / tile speed, canvas px per frame at 24 fps


# --- skins ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Skin:
    name: str
    bg: tuple
    panel: tuple
    ink: tuple
    box: tuple
    edge: tuple
    marker: tuple
    words: dict  # bg, panel, ink, box, marker: prompt phrases
    colours: tuple  # ((word, rgb), …) for objects; all far from the marker

    def to_json(self) -> dict:
        return asdict(self)

    def colour(self, k: int) -> tuple:
        return tuple(self.colours[k][1])

    def colour_word(self, k: int) -> str:
        return self.colours[k][0]


SKINS: dict[str, Skin] = {s.name: s for s in [
    Skin("paper", bg=(250, 250, 244), panel=(228, 233, 242), ink=(30, 30, 40), box=(255, 255, 255),
         edge=(70, 70, 85), marker=(225, 0, 130),
         words={"bg": "off-white", "panel": "pale blue-grey", "ink": "black", "box": "white",
                "marker": "magenta triangle pointer"},
         colours=(("blue", (40, 90, 220)), ("green", (30, 150, 60)), ("orange", (245, 140, 20)),
                  ("purple", (120, 50, 170)), ("teal", (0, 150, 150)), ("brown", (130, 80, 30)))),
    Skin("slate", bg=(26, 30, 46), panel=(46, 54, 78), ink=(236, 236, 242), box=(62, 70, 98),
         edge=(165, 175, 205), marker=(255, 214, 0),
         words={"bg": "dark navy", "panel": "slate blue", "ink": "white", "box": "dark blue-grey",
                "marker": "yellow triangle pointer"},
         colours=(("red", (230, 60, 60)), ("cyan", (40, 200, 230)), ("green", (80, 205, 80)),
                  ("pink", (245, 120, 205)), ("violet", (150, 110, 255)), ("white", (245, 245, 245)))),
]}
SKIN_NAMES = tuple(SKINS)


def skin_of(item_or_state) -> Skin:
    s = item_or_state.state if hasattr(item_or_state, "state") else item_or_state
    d = s["skin"]
    return Skin(**{k: (tuple(tuple(c) if isinstance(c, list) else c for c in v) if k == "colours" else
                       tuple(v) if isinstance(v, list) else v) for k, v in d.items()})


def pick_skin(skin: str | None, index: int) -> Skin:
    if skin is not None and skin not in SKINS:
        raise ValueError(f"unknown skin {skin!r}; known: {', '.join(SKINS)}")
    return SKINS[skin or SKIN_NAMES[index % len(SKIN_NAMES)]]


# --- procedural glyphs and shapes -------------------------------------------------------------------

_SEGMENTS = {"0": "abcdef", "1": "bc", "2": "abged", "3": "abgcd", "4": "fgbc", "5": "afgcd",
             "6": "afgedc", "7": "abc", "8": "abcdefg", "9": "abcdfg"}


def _glyph(img, ch: str, x: float, y: float, w: float, h: float, colour, t: int) -> None:
    """One character in the box (x, y, w, h): seven-segment digits and a few operators."""
    P = lambda u, v: (int(round(x + u * w)), int(round(y + v * h)))  # noqa: E731
    seg = {"a": (P(0, 0), P(1, 0)), "b": (P(1, 0), P(1, .5)), "c": (P(1, .5), P(1, 1)),
           "d": (P(0, 1), P(1, 1)), "e": (P(0, .5), P(0, 1)), "f": (P(0, 0), P(0, .5)),
           "g": (P(0, .5), P(1, .5))}
    lines = []
    if ch in _SEGMENTS:
        lines = [seg[s] for s in _SEGMENTS[ch]]
    elif ch == "+":
        lines = [(P(0, .5), P(1, .5)), (P(.5, .2), P(.5, .8))]
    elif ch == "-":
        lines = [(P(0, .5), P(1, .5))]
    elif ch == "x":  # multiplication cross
        lines = [(P(.1, .3), P(.9, .7)), (P(.1, .7), P(.9, .3))]
    elif ch == "=":
        lines = [(P(0, .35), P(1, .35)), (P(0, .65), P(1, .65))]
    elif ch == ">":
        lines = [(P(.1, .2), P(.9, .5)), (P(.9, .5), P(.1, .8))]
    elif ch == "<":
        lines = [(P(.9, .2), P(.1, .5)), (P(.1, .5), P(.9, .8))]
    elif ch == "?":
        lines = [seg["a"], seg["b"], (P(1, .5), P(.5, .5)), (P(.5, .5), P(.5, .72)), (P(.5, .95), P(.5, 1))]
    elif ch != " ":
        raise ValueError(f"no glyph for {ch!r}")
    for a, b in lines:
        cv2.line(img, a, b, colour, t, cv2.LINE_8)


def text_width(s: str, h: float) -> float:
    return len(s) * 0.5 * h + max(len(s) - 1, 0) * 0.3 * h


def draw_text(img, s: str, cx: float, cy: float, h: float, colour, t: int | None = None) -> list[int]:
    """Centre the string at (cx, cy); returns its bounding box [x0, y0, x1, y1]."""
    t = t or max(2, int(round(h / 8)))
    w = 0.5 * h
    x = cx - text_width(s, h) / 2
    for ch in s:
        _glyph(img, ch, x, cy - h / 2, w, h, colour, t)
        x += w + 0.3 * h
    return [int(cx - text_width(s, h) / 2) - t, int(cy - h / 2) - t, int(cx + text_width(s, h) / 2) + t + 1,
            int(cy + h / 2) + t + 1]


SHAPES = ("circle", "square", "triangle", "diamond", "star", "hexagon", "cross")


def shape_points(kind: str, cx: float, cy: float, r: float, angle: float = 0.0) -> np.ndarray:
    """Polygon of a shape of circumradius ~r (angle in degrees, clockwise)."""
    if kind == "circle":
        n, rad, off = 48, [r], 0.0
    elif kind == "square":
        n, rad, off = 4, [r * 1.25], 45.0
    elif kind == "triangle":
        n, rad, off = 3, [r * 1.2], -90.0
    elif kind == "diamond":
        n, rad, off = 4, [r * 1.15], -90.0
    elif kind == "hexagon":
        n, rad, off = 6, [r * 1.08], 0.0
    elif kind == "star":
        n, rad, off = 10, [r * 1.2, r * 0.5], -90.0
    elif kind == "cross":
        a, b = r * 1.0, r * 0.36
        pts = np.array([(-b, -a), (b, -a), (b, -b), (a, -b), (a, b), (b, b), (b, a), (-b, a), (-b, b), (-a, b),
                        (-a, -b), (-b, -b)], np.float64)
        th = math.radians(angle)
        rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
        return np.round(pts @ rot.T + (cx, cy)).astype(np.int32)
    else:
        raise ValueError(f"unknown shape {kind!r}")
    ang = np.radians(off + angle + np.arange(n) * 360.0 / n)
    rr = np.array([rad[i % len(rad)] for i in range(n)])
    return np.round(np.stack([cx + rr * np.cos(ang), cy + rr * np.sin(ang)], 1)).astype(np.int32)


def draw_shape(img, kind: str, cx: float, cy: float, r: float, colour, angle: float = 0.0) -> list[int]:
    pts = shape_points(kind, cx, cy, r, angle)
    cv2.fillPoly(img, [pts], colour, cv2.LINE_8)
    return [int(pts[:, 0].min()), int(pts[:, 1].min()), int(pts[:, 0].max()) + 1, int(pts[:, 1].max()) + 1]


def canvas(skin: Skin, panel: bool = True) -> np.ndarray:
    img = np.empty((H, W, 3), np.uint8)
    fill(img, skin.bg)
    if panel:
        x0, y0, x1, y1 = PANEL
        fill(img[y0:y1, x0:x1], skin.panel)
    return img


def draw_box(img, box, skin: Skin, dashed: bool = False) -> None:
    x0, y0, x1, y1 = box
    if dashed:  # an empty slot: a dashed outline on the background
        for x in range(x0, x1, 10):
            cv2.line(img, (x, y0), (min(x + 5, x1 - 1), y0), skin.edge, 2)
            cv2.line(img, (x, y1 - 1), (min(x + 5, x1 - 1), y1 - 1), skin.edge, 2)
        for y in range(y0, y1, 10):
            cv2.line(img, (x0, y), (x0, min(y + 5, y1 - 1)), skin.edge, 2)
            cv2.line(img, (x1 - 1, y), (x1 - 1, min(y + 5, y1 - 1)), skin.edge, 2)
        return
    fill(img[y0:y1, x0:x1], skin.box)
    cv2.rectangle(img, (x0 + 1, y0 + 1), (x1 - 2, y1 - 2), skin.edge, 2)  # stays inside the box


def row_boxes(k: int, y0: int, y1: int, max_pitch: int = 60, gap: int = 8, x_span=(16, W - 16)) -> list[list[int]]:
    """``k`` equal boxes centred in a row; returns [x0, y0, x1, y1] each."""
    pitch = min(max_pitch, (x_span[1] - x_span[0]) // k)
    bw = pitch - gap
    left = (W - k * pitch) // 2 + gap // 2
    return [[left + i * pitch, y0, left + i * pitch + bw, y1] for i in range(k)]


def scatter(rng: np.random.Generator, n: int, r: float, area=None, min_gap: float = 6.0,
            tries: int = 4000) -> list[tuple[float, float]]:
    """``n`` non-overlapping centres for objects of radius ``r`` in the question area."""
    x0, y0, x1, y1 = area or PANEL
    pts: list[tuple[float, float]] = []
    for _ in range(tries):
        if len(pts) == n:
            break
        x, y = rng.uniform(x0 + r + 6, x1 - r - 6), rng.uniform(y0 + r + 6, y1 - r - 6)
        if all((x - a) ** 2 + (y - b) ** 2 >= (2 * r * 1.25 + min_gap) ** 2 for a, b in pts):
            pts.append((round(x, 1), round(y, 1)))
    if len(pts) < n:
        raise RuntimeError(f"cannot place {n} objects of radius {r}")
    return pts


# --- the pointer ------------------------------------------------------------------------------------

def marker_points(x: float, y: float) -> np.ndarray:
    r = MARKER_R
    return np.round(np.array([(x, y - r), (x + r, y + r), (x - r, y + r)])).astype(np.int32)


def draw_marker(img, x: float, y: float, colour) -> None:
    cv2.fillPoly(img, [marker_points(x, y)], colour, cv2.LINE_8)


def pointer_target(box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2.0, float(LANE_Y)


def travel(a, b, lead: int, hold: int, speed: float = SPEED, min_frames: int = 12, max_frames: int = 44):
    """Positions per frame: ``lead`` still, linear travel a→b, then ``hold`` on b."""
    dist = math.hypot(b[0] - a[0], b[1] - a[1])
    n = int(min(max(math.ceil(dist / speed), min_frames), max_frames))
    out = [tuple(a)] * lead
    out += [(a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n) for k in range(n)]
    return out + [tuple(b)] * (hold + 1)


def legs(points, lead: int, hold: int, speed: float = SPEED):
    """A polyline path at constant speed."""
    out = [tuple(points[0])] * lead
    for a, b in zip(points, points[1:]):
        n = max(2, int(math.ceil(math.hypot(b[0] - a[0], b[1] - a[1]) / speed)))
        out += [(a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n) for k in range(n)]
    return out + [tuple(points[-1])] * (hold + 1)


def fit_timeline(plan: list, num_frames: int | None) -> list:
    """Squeeze or stretch a plan to ``num_frames`` (a model's frame budget), keeping its ends."""
    if not num_frames or num_frames == len(plan):
        return plan
    idx = np.round(np.linspace(0, len(plan) - 1, num_frames)).astype(int)
    return [plan[i] for i in idx]


def erase_marker(first: np.ndarray, skin: Skin) -> np.ndarray:
    base = first.copy()
    draw_marker(base, *START, skin.bg)
    return base


def pointer_frames(first: np.ndarray, skin: Skin, plan) -> Iterable[np.ndarray]:
    base = erase_marker(first, skin)
    for x, y in plan:
        f = base.copy()
        draw_marker(f, x, y, skin.marker)
        yield f


def pointer_state(boxes, answer: int) -> dict:
    return {"boxes": boxes, "answer": answer, "start": list(START), "lane_y": LANE_Y,
            "targets": [list(pointer_target(b)) for b in boxes]}


def pointer_plan(state: dict, target: int, num_frames: int | None = None, lead: int = 6, hold: int = 30):
    return fit_timeline(travel(tuple(state["start"]), tuple(state["targets"][target]), lead, hold), num_frames)


# --- reading a video --------------------------------------------------------------------------------

def _blur(img: np.ndarray) -> np.ndarray:
    """uint8 in, uint8 out (cv2 is several times faster on uint8 than numpy on float)."""
    img = np.asarray(img)
    if img.dtype != np.uint8:
        img = np.clip(np.round(img), 0, 255).astype(np.uint8)
    return cv2.GaussianBlur(img, (0, 0), 1.0)


def _maxdiff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pixel, the largest absolute channel difference (uint8 H×W)."""
    d = cv2.absdiff(a, b)
    c0, c1, c2 = cv2.split(d)
    return cv2.max(cv2.max(c0, c1), c2)


def _scale_box(box, margin: int = 1) -> tuple[int, int, int, int]:
    sx, sy = WORK[0] / W, WORK[1] / H
    x0, y0, x1, y1 = box
    return (max(0, int(math.floor(x0 * sx)) - margin), max(0, int(math.floor(y0 * sy)) - margin),
            min(WORK[0], int(math.ceil(x1 * sx)) + margin), min(WORK[1], int(math.ceil(y1 * sy)) + margin))


def align_first(ref: np.ndarray, f0: np.ndarray) -> tuple[np.ndarray, "ColourMap", np.ndarray | None]:
    """(f0 warped onto ref, the colour map nominal → observed, the warp or None when it is within half a
    pixel of identity): geometry by ECC, colours on flat areas."""
    g_ref = cv2.cvtColor(ref, cv2.COLOR_RGB2GRAY).astype(np.float32)
    g_f0 = cv2.cvtColor(f0, cv2.COLOR_RGB2GRAY).astype(np.float32)
    warp = np.eye(2, 3, dtype=np.float32)
    try:
        _, warp = cv2.findTransformECC(g_ref, g_f0, warp, cv2.MOTION_AFFINE,
                                       (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 40, 1e-4), None, 3)
    except cv2.error:  # no convergence: judge unaligned (a failed alignment is itself a mismatch)
        warp = np.eye(2, 3, dtype=np.float32)
    aligned = warp_frame(f0, warp, ref.shape[1], ref.shape[0])
    lap = np.abs(cv2.Laplacian(g_ref, cv2.CV_32F))
    flat = cv2.erode((lap < 1).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    r, a = ref[flat].astype(np.float32), aligned[flat].astype(np.float32)
    keep = _distinct_colours(r, a)
    h, w = ref.shape[:2]
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], np.float32)
    moved = float(np.abs(corners @ warp.T - corners[:, :2]).max())
    return aligned, ColourMap(r[keep], a[keep]), (warp if moved >= 0.5 else None)


def warp_frame(img: np.ndarray, warp: np.ndarray | None, w: int, h: int) -> np.ndarray:
    """A frame mapped onto the item by the first frame's alignment (None: as it is)."""
    if warp is None:
        return img
    return cv2.warpAffine(img, warp, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def _distinct_colours(nominal: np.ndarray, observed: np.ndarray, min_px: int = 12) -> np.ndarray:
    """Mask of the flat pixels the colour map may learn from. A colour shift keeps distinct palette
    colours distinct; a palette colour that shows as another one (an object already gone, so its
    pixels show the panel) is changed content, not colour: learning it would map that colour onto the
    panel and hide the change from the start check. Greedy by area: the larger colour is kept."""
    keep = np.ones(len(nominal), bool)
    if not len(nominal):
        return keep
    cols, inv, counts = np.unique(nominal, axis=0, return_inverse=True, return_counts=True)
    inv = inv.reshape(-1)
    kept: list[tuple[np.ndarray, np.ndarray]] = []
    for c in np.argsort(-counts, kind="stable"):
        if counts[c] < min_px:
            continue
        obs = np.median(observed[inv == c], axis=0)
        for n_k, o_k in kept:
            d_nom = float(np.abs(cols[c] - n_k).max())
            if d_nom >= 40 and float(np.abs(obs - o_k).max()) < 0.3 * d_nom:
                keep[inv == c] = False
                break
        else:
            kept.append((cols[c], obs))
    return keep


class ColourMap:
    """Per-channel monotone map nominal → observed: medians of the video per nominal level, linear
    in between and beyond (a gain/offset fit alone breaks where a colour shift clips at 255)."""

    def __init__(self, nominal: np.ndarray, observed: np.ndarray):
        self.xs, self.ys = [], []
        for ch in range(3):
            xs, ys = [], []
            for v in np.unique(nominal[:, ch]):
                sel = nominal[:, ch] == v
                if sel.sum() >= 12:
                    xs.append(float(v))
                    ys.append(float(np.median(observed[sel, ch])))
            if not xs:
                xs, ys = [0.0, 255.0], [0.0, 255.0]
            if len(xs) == 1:  # one level: a shift
                xs, ys = [xs[0] - 255, xs[0] + 255], [ys[0] - 255, ys[0] + 255]
            self.xs.append(np.array(xs))
            self.ys.append(np.array(ys))

    def channel(self, ch: int, v: np.ndarray) -> np.ndarray:
        xs, ys = self.xs[ch], self.ys[ch]
        out = np.interp(v, xs, ys)
        # beyond the levels seen: the overall slope (a gain), or a pure shift when the levels are too close
        # together to tell a gain (e.g. only light colours are flat, the thin ink is not)
        span = xs[-1] - xs[0]
        slope = float(np.clip((ys[-1] - ys[0]) / span, 0.5, 1.5)) if span >= 40 else 1.0
        out = np.where(v < xs[0], ys[0] + (v - xs[0]) * slope, out)
        return np.where(v > xs[-1], ys[-1] + (v - xs[-1]) * slope, out)

    def __call__(self, img) -> np.ndarray:
        if isinstance(img, np.ndarray) and img.dtype == np.uint8:  # whole images: one table per channel
            if not hasattr(self, "_lut"):
                self._lut = self(np.arange(256, dtype=np.float32)[:, None].repeat(3, 1))
            return np.stack([self._lut[img[..., ch], ch] for ch in range(3)], -1)
        img = np.asarray(img, np.float32)
        out = np.stack([self.channel(ch, img[..., ch]) for ch in range(3)], -1)
        return np.clip(out, 0, 255).astype(np.float32)


class _Regions:
    """Ink-change tracking of boxes against a reference image (both blurred uint8, working size)."""

    def __init__(self, boxes, ref_blur: np.ndarray, thresh: int = 55):
        self.boxes = [_scale_box(b) for b in boxes]
        self.thresh = thresh
        self.ink = []
        for x0, y0, x1, y1 in self.boxes:
            crop = ref_blur[y0:y1, x0:x1]
            med = np.median(crop.reshape(-1, 3), axis=0).astype(np.uint8)
            n = int((_maxdiff(crop, np.broadcast_to(med, crop.shape).copy()) > thresh).sum())
            self.ink.append(max(n, 6, int(0.08 * crop.shape[0] * crop.shape[1])))
        self.limit = None

    def changed(self, img_blur: np.ndarray, ref_blur: np.ndarray, ignore: np.ndarray | None = None,
                frac: float = 0.25) -> list[int]:
        """Indices of boxes where more than ``frac`` of the ink-sized area differs."""
        diff = (_maxdiff(img_blur, ref_blur) > self.thresh).astype(np.uint8)
        if ignore is not None:
            diff[ignore] = 0
        ii = cv2.integral(diff)
        out = []
        for k, (x0, y0, x1, y1) in enumerate(self.boxes):
            if ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0] > frac * self.ink[k]:
                out.append(k)
        return out


@dataclass
class _Event:
    frame: int
    code: str
    detail: str

    def to_json(self) -> dict:
        return {"frame": self.frame, "code": self.code, "detail": self.detail}


def _first(events, code):
    return next((e for e in events if e.code == code), None)


def _verdict(name, version, events, passed, failure, first_error, metrics, evidence, message="") -> Verdict:
    events.sort(key=lambda e: e.frame)
    evidence["events"] = [e.to_json() for e in events]
    return Verdict(checker=name, status="ok", passed=passed, score=1.0 if passed else 0.0, metrics=metrics,
                   failure=None if passed else failure, first_error_frame=None if passed else first_error,
                   message="" if passed else message, evidence=evidence, version=version)


PROCESS_CODES = ("WRONG_START", "TELEPORT", "AGENT_DUPLICATED", "LAYOUT_CHANGED", "SPRITE_LOST")


class PointerChecker:
    """Follows the marker; the selected option is the box above it while it sits in the lane."""

    name = "pointer"

    def __init__(self, item, layout_boxes, version: str = "1", persist: int = 2):
        s = item.state
        self.item, self.version, self.persist = item, version, persist
        self.skin = skin_of(item)
        self.ref = cv2.resize(item.first_frame, WORK, interpolation=cv2.INTER_AREA)
        self.boxes = s["boxes"]
        self.targets = np.array(s["targets"], np.float64)
        self.answer = s["answer"]
        self.start = np.array(s["start"], np.float64)
        self.pitch = (self.boxes[1][0] - self.boxes[0][0]) if len(self.boxes) > 1 else 60
        self.layout_boxes = list(layout_boxes) + list(self.boxes)
        m = np.zeros((H, W), np.uint8)
        cv2.fillPoly(m, [marker_points(*START)], 1)
        self.marker_area = float(m.sum()) * (WORK[0] / W) * (WORK[1] / H)
        small = cv2.resize(m, WORK, interpolation=cv2.INTER_AREA)
        self._start_mask = cv2.erode(small, np.ones((3, 3), np.uint8)).astype(bool)

    def _marker_mask(self, img: np.ndarray, colour: np.ndarray, radius: float) -> np.ndarray:
        ref = np.empty_like(img)
        ref[:] = np.clip(np.round(colour), 0, 255).astype(np.uint8)
        return (_maxdiff(img, ref) < radius).astype(np.uint8)

    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        sx, sy = W / WORK[0], H / WORK[1]
        dwell = max(2, int(round(HOLD_SECONDS * fps)))
        lost_tol = max(2, int(round(0.25 * fps)))
        jump = JUMP_FRAC * W
        events: list[_Event] = []
        xys, sels = [], []
        regions = f0b = colour = None
        radius = 60.0
        mismatch = None
        last_xy, lost, dup_run = None, 0, 0
        max_step, moved = 0.0, 0.0
        n = 0
        kernel = np.ones((5, 5), np.uint8)
        for i, frame in enumerate(frames):
            n += 1
            img = to_canvas(fit, frame, *WORK)
            if i == 0:
                aligned, cmap, _ = align_first(self.ref, img)
                ref_obs = cmap(self.ref)
                colour = cmap(np.array([self.skin.marker], np.float32))[0]
                others = cmap(np.array([self.skin.bg, self.skin.panel, self.skin.ink, self.skin.box, self.skin.edge]
                                       + [c for _, c in self.skin.colours], np.float32))
                at_start = aligned[self._start_mask]
                if len(at_start):  # the video shows the marker at its start: trust the colour it shows
                    med = np.median(at_start.reshape(-1, 3), axis=0).astype(np.float32)
                    if np.abs(med - colour).max() < np.abs(others - med).max(1).min():
                        colour = med
                gap = float(np.abs(others - colour).max(1).min())
                radius = float(np.clip(0.5 * gap, 30, 80))
                regions = _Regions(self.layout_boxes, _blur(ref_obs))
                am = cv2.dilate(self._marker_mask(aligned, colour, radius), kernel).astype(bool)
                bad = regions.changed(_blur(aligned), _blur(ref_obs), am)
                if bad:
                    events.append(_Event(0, "WRONG_START", f"first frame differs from the item in regions {bad[:6]}"))
                f0b = _blur(img)
                mismatch = np.zeros(len(self.layout_boxes), np.int32)
            mask = self._marker_mask(img, colour, radius)
            nc, lab, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
            xy, dup = None, False
            if nc > 1:
                areas = stats[1:, cv2.CC_STAT_AREA]
                big = [j for j in np.argsort(-areas) if areas[j] >= 0.3 * self.marker_area]
                if big:
                    pts = [(cents[1 + j][0] * sx, cents[1 + j][1] * sy) for j in big]
                    # follow the marker: the blob nearest to where it was (the largest at first)
                    main = 0 if last_xy is None else int(np.argmin(
                        [math.hypot(p[0] - last_xy[0], p[1] - last_xy[1]) for p in pts]))
                    xy = pts[main]
                    dup = any(areas[j] >= 0.4 * self.marker_area and
                              math.hypot(pts[q][0] - xy[0], pts[q][1] - xy[1]) > 2 * MARKER_R
                              for q, j in enumerate(big) if q != main)
            # layout: every region keeps its ink, ignoring pixels around the marker
            near = cv2.dilate(mask, kernel).astype(bool)
            bad = regions.changed(_blur(img), f0b, near)
            hit = np.zeros(len(mismatch), bool)
            hit[bad] = True
            mismatch = np.where(hit, mismatch + 1, 0)
            if (mismatch >= self.persist).any() and not _first(events, "LAYOUT_CHANGED"):
                events.append(_Event(i - self.persist + 1, "LAYOUT_CHANGED",
                                     f"regions {np.flatnonzero(mismatch >= self.persist)[:6].tolist()} changed"))
            dup_run = dup_run + 1 if dup else 0
            if dup_run >= 2 and not _first(events, "AGENT_DUPLICATED"):
                events.append(_Event(i - 1, "AGENT_DUPLICATED", "two markers are visible"))
            if xy is None:
                lost += 1
                xys.append(None)
                sels.append(-1)
                if lost == lost_tol + 1:
                    events.append(_Event(i - lost_tol, "SPRITE_LOST", f"marker not found for {lost_tol}+ frames"))
                continue
            lost = 0
            if last_xy is None:
                if math.hypot(xy[0] - self.start[0], xy[1] - self.start[1]) > 2 * MARKER_R:
                    events.append(_Event(i, "WRONG_START", "the marker does not start on its start pad"))
            else:
                step = math.hypot(xy[0] - last_xy[0], xy[1] - last_xy[1])
                max_step = max(max_step, step)
                if step > jump and not _first(events, "TELEPORT"):
                    events.append(_Event(i, "TELEPORT", f"marker jumped {step:.0f} px in one frame (a cut)"))
            moved = max(moved, math.hypot(xy[0] - self.start[0], xy[1] - self.start[1]))
            last_xy = xy
            xys.append(xy)
            sels.append(self._select(xy))
        if n == 0:
            return Verdict.error(self.name, "video has no frames", self.version)
        return self._decide(events, xys, sels, n, fps, dwell, moved, max_step)

    def _select(self, xy) -> int:
        # below the box (as the oracle points) or over the box itself: both select that option
        if not STRIP[0] <= xy[1] <= LANE_Y + MARKER_R * 1.2:
            return -1
        dx = np.abs(self.targets[:, 0] - xy[0])
        k = int(np.argmin(dx))
        return k if dx[k] <= 0.35 * self.pitch else -1

    def _decide(self, events, xys, sels, n, fps, dwell, moved, max_step) -> Verdict:
        runs = _runs(sels)
        final, final_len = runs[-1] if runs else (-1, 0)
        held = [v for v, ln in runs if v >= 0 and ln >= dwell]
        best = self.answer in held
        last_ok = final == self.answer and final_len >= dwell
        proc = [e for e in sorted(events, key=lambda e: e.frame) if e.code in PROCESS_CODES]
        failure, first_err, msg = None, None, ""
        if proc:
            failure, first_err, msg = proc[0].code, proc[0].frame, proc[0].detail
        elif last_ok:
            pass
        elif final >= 0 and final_len >= dwell:
            failure, first_err = "WRONG_ANSWER", n - final_len
            msg = f"the marker selects option {final} ({self.item.state['options'][final]}), not the answer"
        elif moved < 0.25 * self.pitch:
            failure, first_err, msg = "STATIC", 0, "the marker never leaves its start"
        elif best:
            failure, msg = "GOAL_NOT_HELD", "the answer was selected and then left"
        else:
            failure, msg = "GOAL_NOT_REACHED", "the marker does not come to rest on any option"
        passed = failure is None
        metrics = {"success": float(passed), "selected_last": float(last_ok), "selected_best": float(best),
                   "final_choice": final if final_len >= dwell else -1, "answer": self.answer,
                   "max_step_px": round(max_step, 1), "frames": n}
        evidence = {"xy": [None if p is None else [round(p[0] / W, 4), round(p[1] / H, 4)] for p in xys],
                    "selected": sels, "fps": fps}
        return _verdict(self.name, self.version, events, passed, failure, first_err, metrics, evidence, msg)


def _runs(seq) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for v in seq:
        if out and out[-1][0] == v:
            out[-1][1] += 1
        else:
            out.append([v, 1])
    return [(a, b) for a, b in out]


# --- option tiles that move or vanish ---------------------------------------------------------------

PRESENT, ABSENT, OTHER = 0, 1, 2


def _match(window: np.ndarray, template: np.ndarray) -> float:
    """RMS difference of ``template`` at its best placement inside ``window``."""
    r = cv2.matchTemplate(window.astype(np.float32), template.astype(np.float32), cv2.TM_SQDIFF)
    return float(np.sqrt(max(float(r.min()), 0.0) / template.size))


class TileChecker:
    """Reads option homes (present / absent / something else) and, in "move" mode, which option the
    target slot shows. ``empty`` is the item's first frame with every option removed."""

    name = "tiles"

    def __init__(self, item, empty: np.ndarray, option_boxes, layout_boxes, mode: str,
                 slot_box=None, version: str = "1", persist: int = 2):
        self.item, self.mode, self.version, self.persist = item, mode, version, persist
        self.answer = item.state["answer"]
        self.ref = cv2.resize(item.first_frame, WORK, interpolation=cv2.INTER_AREA)
        self.empty = cv2.resize(empty, WORK, interpolation=cv2.INTER_AREA)
        self.opt = [_scale_box(b, 0) for b in option_boxes]
        self.slot = _scale_box(slot_box, 0) if slot_box is not None else None
        self.layout_boxes = list(layout_boxes)

    @staticmethod
    def _crop(img, b):
        return img[b[1]:b[3], b[0]:b[2]]

    @staticmethod
    def _d(a, b) -> float:
        return float(cv2.absdiff(a, b).mean())

    def check(self, frames: Iterable[np.ndarray], fit: Fit, fps: float) -> Verdict:
        dwell = max(2, int(round(HOLD_SECONDS * fps)))
        events: list[_Event] = []
        states, slots = [], []
        f0b = empty_b = warp = None
        mismatch = None
        n = 0
        for i, frame in enumerate(frames):
            n += 1
            raw = to_canvas(fit, frame, *WORK)
            if i == 0:
                aligned, cmap, warp = align_first(self.ref, raw)
            # every frame through the first frame's alignment: homes and slot are far apart, so a zoom
            # moves them by different amounts and a tile would not match itself in the slot
            img = _blur(warp_frame(raw, warp, *WORK))
            if i == 0:
                ref_b = _blur(cmap(self.ref))
                empty_b = _blur(cmap(self.empty))
                boxes = self.layout_boxes + [self._work_to_canvas(b) for b in self.opt]
                if self.slot is not None:
                    boxes.append(self._work_to_canvas(self.slot))
                check = _Regions(boxes, ref_b)
                bad = check.changed(_blur(aligned), ref_b)
                if bad:
                    events.append(_Event(0, "WRONG_START", f"first frame differs from the item in regions {bad[:6]}"))
                regions = _Regions(self.layout_boxes, ref_b)
                mismatch = np.zeros(len(self.layout_boxes), np.int32)
                f0b = img
                homes0 = [self._crop(f0b, b) for b in self.opt]
                empties = [self._crop(empty_b, b) for b in self.opt]
                contrast = [max(self._d(h, e), 4.0) for h, e in zip(homes0, empties)]
            st = []
            for k, b in enumerate(self.opt):
                c = self._crop(img, b)
                p, a = self._d(c, homes0[k]) / contrast[k], self._d(c, empties[k]) / contrast[k]
                st.append(PRESENT if p < 0.35 else ABSENT if a < 0.35 else OTHER)
            states.append(st)
            if self.slot is not None:
                if i == 0:
                    win0 = self._window(f0b)
                    seps = [max(_match(win0, h), 4.0) for h in homes0]  # empty slot vs each option
                    e0 = self._crop(f0b, self.slot).astype(np.float32)
                c = self._crop(img, self.slot).astype(np.float32)
                win = self._window(img)
                # the home and the slot are far apart: allow a few pixels of drift (zoom, shift)
                d_opt = [_match(win, h) / s for h, s in zip(homes0, seps)]
                d_empty = float(np.sqrt(((c - e0) ** 2).mean())) / min(seps)
                k = int(np.argmin(d_opt))
                slots.append(k if d_opt[k] < 0.4 and d_opt[k] < d_empty else -1 if d_empty < 0.35 else -2)
            bad = regions.changed(img, f0b) if self.layout_boxes else []
            hit = np.zeros(len(mismatch), bool)
            hit[bad] = True
            mismatch = np.where(hit, mismatch + 1, 0)
            if (mismatch >= self.persist).any() and not _first(events, "LAYOUT_CHANGED"):
                events.append(_Event(i - self.persist + 1, "LAYOUT_CHANGED",
                                     f"given regions {np.flatnonzero(mismatch >= self.persist)[:6].tolist()} changed"))
        if n == 0:
            return Verdict.error(self.name, "video has no frames", self.version)
        return self._decide(events, np.array(states, np.int8), slots, n, fps, dwell)

    def _window(self, img, m: int = 3):
        x0, y0, x1, y1 = self.slot
        return img[max(0, y0 - m):y1 + m, max(0, x0 - m):x1 + m]

    @staticmethod
    def _work_to_canvas(b):
        sx, sy = W / WORK[0], H / WORK[1]
        return [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy]

    def _decide(self, events, states, slots, n, fps, dwell) -> Verdict:
        K = states.shape[1]
        end = states[-dwell:] if len(states) >= dwell else states
        stable = [int(end[0, k]) if (end[:, k] == end[0, k]).all() else OTHER for k in range(K)]
        changed_ever = [bool((states[:, k] != PRESENT).any()) for k in range(K)]
        failure, first_err, msg = None, None, ""
        chosen = -1
        if self.mode == "remove":
            gone = [k for k in range(K) if stable[k] == ABSENT]
            altered = [k for k in range(K) if stable[k] == OTHER]
            chosen = gone[0] if len(gone) == 1 else -1
            goal_k = chosen if chosen >= 0 else self.answer  # the removal whose process is checked
            if [k for k in altered if k != self.answer]:
                failure, msg = "LAYOUT_CHANGED", f"objects {altered} are altered, not removed"
            elif altered:
                failure, msg = "GOAL_NOT_REACHED", "the odd one is only partly removed"
            elif any(k != self.answer for k in gone):
                failure, msg = "WRONG_ANSWER", f"removed {gone}; the odd one is {self.answer}"
            elif not gone:
                failure = "STATIC" if not any(changed_ever) else "GOAL_NOT_REACHED"
                msg = "nothing is removed" if failure == "STATIC" else "no object is removed for good"
            done = [i for i in range(len(states)) if states[i, goal_k] == ABSENT]
        else:
            end_slots = slots[-dwell:]
            slot_final = end_slots[0] if all(s == end_slots[0] for s in end_slots) else -2
            chosen = slot_final if slot_final >= 0 else -1
            others = [k for k in range(K) if k != chosen and stable[k] != PRESENT]
            goal_k = chosen if chosen >= 0 else self.answer
            if chosen >= 0 and stable[chosen] == PRESENT:
                failure, msg = "AGENT_DUPLICATED", f"option {chosen} shows in the slot and still at home (copied)"
            elif (others if chosen >= 0 else others[1:]):  # with an empty slot, one tile may be under way
                failure, msg = "LAYOUT_CHANGED", f"options {others} left their places"
            elif chosen >= 0 and chosen != self.answer:
                failure, msg = "WRONG_ANSWER", f"option {chosen} fills the slot; the answer is {self.answer}"
            elif chosen < 0:
                anything = any(changed_ever) or any(s != -1 for s in slots)
                failure = "GOAL_NOT_REACHED" if anything else "STATIC"
                msg = "the slot never shows an option" if anything else "nothing moves"
            done = [i for i, s in enumerate(slots) if s == goal_k]
        # a cut is not a process: the chosen piece must be seen in between (≥ 1 frame)
        home = [i for i in range(len(states)) if states[i, goal_k] == PRESENT]
        if done and states[done[0], goal_k] != PRESENT:  # (still at home too: a copy, judged above)
            first_done = done[0]
            before = [i for i in home if i < first_done]
            if before and first_done - before[-1] < 2:
                events.append(_Event(first_done, "TELEPORT", f"option {goal_k} went from its place to done "
                                                              "in one frame (a cut)"))
        proc = [e for e in sorted(events, key=lambda e: e.frame) if e.code in PROCESS_CODES]
        if proc:
            failure, first_err, msg = proc[0].code, proc[0].frame, proc[0].detail
        passed = failure is None
        best = bool(done) and goal_k == self.answer
        metrics = {"success": float(passed), "selected_last": float(passed or (chosen == self.answer)),
                   "selected_best": float(best), "final_choice": chosen, "answer": self.answer, "frames": n}
        evidence = {"states": states.tolist(), "slot": slots, "fps": fps,
                    "state_names": {"0": "present", "1": "absent", "2": "other"}}
        return _verdict(self.name, self.version, events, passed, failure, first_err, metrics, evidence, msg)


# --- the family base of the pointer puzzles ---------------------------------------------------------

class PointerFamily:
    """Mixin for TaskFamily subclasses whose answer is pointed at on a strip of options.

    A subclass implements ``puzzle(rng, difficulty, skin) -> (puzzle, options, answer, words)`` (the
    skin-independent content, the option values, the index of the answer, prompt phrases),
    ``draw_question(img, puzzle, skin) -> boxes`` and ``prompts(puzzle, options, skin, words)``; it may
    override ``draw_option`` (default: the value as digits).
    """

    skins = SKIN_NAMES
    all_skins = SKIN_NAMES
    checker_name = "pointer"
    checker_version = "1"
    default_fps = 24.0

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None):
        from ...seeding import item_rng

        self.check_difficulty(difficulty)
        sk = pick_skin(skin, index)
        rng = item_rng(seed, self.name, index, difficulty)
        puzzle, options, answer, words = self.puzzle(rng, difficulty, sk)
        img = canvas(sk)
        qboxes = self.draw_question(img, puzzle, sk)
        boxes = row_boxes(len(options), *STRIP, max_pitch=64)
        for b, v in zip(boxes, options):
            draw_box(img, b, sk)
            self.draw_option(img, b, v, sk)
        draw_marker(img, *START, sk.marker)
        state = {"puzzle": puzzle, "options": options, "question_boxes": qboxes, "skin": sk.to_json(),
                 **pointer_state(boxes, answer)}
        i2v, t2v = self.prompts(puzzle, options, sk, words)
        return self.new_item(index, difficulty, seed, i2v, t2v, state, img)

    def draw_option(self, img, box, value, sk: Skin) -> None:
        h = min(26.0, (box[3] - box[1]) * 0.55)
        if text_width(str(value), h) > (box[2] - box[0]) - 8:
            h = ((box[2] - box[0]) - 8) / text_width(str(value), 1.0)
        draw_text(img, str(value), (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, h, sk.ink)

    def layout_key(self, item) -> str:
        from ...schema import canonical_json, sha256_hex

        s = item.state
        return sha256_hex(canonical_json([s["puzzle"], s["options"], s["answer"]]))

    # frames
    def solution_frames(self, item, solution: int = 0, fps=None, num_frames=None):
        return pointer_frames(item.first_frame, skin_of(item), pointer_plan(item.state, item.state["answer"], num_frames))

    def frames_to(self, item, target: int, num_frames=None):
        return pointer_frames(item.first_frame, skin_of(item), pointer_plan(item.state, target, num_frames))

    def final_frame(self, item):
        return next(pointer_frames(item.first_frame, skin_of(item), [item.state["targets"][item.state["answer"]]]))

    def random_frames(self, item, rng, fps=None, num_frames=None):
        wrong = [k for k in range(len(item.state["options"])) if k != item.state["answer"]]
        return self.frames_to(item, wrong[int(rng.integers(len(wrong)))], num_frames)

    # judging
    def working_size(self, item):
        return WORK

    def check(self, item, frames, fit, fps):
        return PointerChecker(item, item.state["question_boxes"], self.checker_version).check(frames, fit, fps)

    def perturbations(self) -> list:
        return pointer_perturbations()


def _wrong(item, rng) -> int:
    wrong = [k for k in range(len(item.state["options"])) if k != item.state["answer"]]
    return wrong[int(rng.integers(len(wrong)))]


def _blank_box(img, box, colour) -> np.ndarray:
    out = img.copy()
    x0, y0, x1, y1 = (int(v) for v in box)
    out[y0:y1, x0:x1] = colour
    return out


def pointer_perturbations() -> list:
    from ...validate import Perturbation, canvas_clip

    def wrong_answer(fam, it, rng):
        return canvas_clip(fam, it, fam.frames_to(it, _wrong(it, rng)))

    def jumpcut_wrong(fam, it, rng):
        n = sum(1 for _ in fam.solution_frames(it))
        final = next(pointer_frames(it.first_frame, skin_of(it), [it.state["targets"][_wrong(it, rng)]]))
        return canvas_clip(fam, it, [it.first_frame] * (n // 2) + [final] * (n - n // 2))

    def two_markers(fam, it, rng):
        sk, other = skin_of(it), it.state["targets"][_wrong(it, rng)]
        frames = list(fam.solution_frames(it))
        for f in frames[len(frames) // 2:]:
            draw_marker(f, *other, sk.marker)
        return canvas_clip(fam, it, frames)

    def question_changed(fam, it, rng):
        sk, qb = skin_of(it), it.state["question_boxes"]
        box = qb[int(rng.integers(len(qb)))]
        frames = list(fam.solution_frames(it))
        h = len(frames) // 3
        return canvas_clip(fam, it, frames[:h] + [_blank_box(f, box, sk.panel) for f in frames[h:]])

    def option_changed(fam, it, rng):
        sk, box = skin_of(it), it.state["boxes"][_wrong(it, rng)]
        frames = list(fam.solution_frames(it))
        h = len(frames) // 3
        inner = [box[0] + 3, box[1] + 3, box[2] - 3, box[3] - 3]
        return canvas_clip(fam, it, frames[:h] + [_blank_box(f, inner, sk.box) for f in frames[h:]])

    def stops_between(fam, it, rng):
        s = it.state
        a = s["answer"]
        b = a + 1 if a + 1 < len(s["options"]) else a - 1
        mid = ((s["targets"][a][0] + s["targets"][b][0]) / 2, LANE_Y)
        plan = travel(tuple(s["start"]), mid, 6, 30)
        return canvas_clip(fam, it, pointer_frames(it.first_frame, skin_of(it), plan))

    return [
        Perturbation("wrong_answer", "WRONG_ANSWER", wrong_answer, "the marker travels to a wrong option"),
        Perturbation("jumpcut_wrong", "TELEPORT", jumpcut_wrong, "a cut straight to a wrong option"),
        Perturbation("two_markers", "AGENT_DUPLICATED", two_markers, "a second marker appears at a wrong option"),
        Perturbation("question_changed", "LAYOUT_CHANGED", question_changed, "a question element is erased"),
        Perturbation("option_changed", "LAYOUT_CHANGED", option_changed, "an option's label is erased"),
        Perturbation("stops_between", "GOAL_NOT_REACHED", stops_between, "the marker stops between two options"),
    ]
