"""Toolkit of the answer-selection puzzles (counting, arithmetic, transitive, sequence, odd one out).

Every such puzzle is a question area and a set of options; the video answers by a visible process:
  * pointer: a marker travels from a start pad to below one option of the answer strip and stays;
  * move:    one option tile travels from its home in the strip into an empty slot;
  * remove:  one object fades out of the question area.
Everything is drawn procedurally (cv2 polygons and seven-segment digits, no font files, no
anti-aliasing), so the checker knows the exact palette and layout it drew and reads the video by
comparing regions, never by OCR.

The checkers live in ``genbench.checkers``: ``pointer`` (the marker; it also fixes the canvas layout
both checkers read) and ``tile`` (options that move or vanish). This module draws, plans the oracle
and builds each checker's spec.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable

import cv2
import numpy as np

from ...checkers.pointer import H, LANE_Y, START, STRIP, W, WORK, PointerChecker, PointerSpec, marker_points
from ...raster import fill

PANEL = (8, 8, W - 8, 212)  # question area (the canvas the checkers read: checkers.pointer)
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


def pointer_spec(item) -> PointerSpec:
    """The pointer checker's view of an item: its layout and the colours it was drawn in."""
    s, sk = item.state, skin_of(item)
    return PointerSpec(first_frame=item.first_frame, boxes=s["boxes"], targets=s["targets"], answer=s["answer"],
                       start=tuple(s["start"]), options=s["options"], layout_boxes=s["question_boxes"],
                       marker=sk.marker, others=(sk.bg, sk.panel, sk.ink, sk.box, sk.edge) + tuple(c for _, c in sk.colours))


def pointer_plan(state: dict, target: int, num_frames: int | None = None, lead: int = 6, hold: int = 30):
    return fit_timeline(travel(tuple(state["start"]), tuple(state["targets"][target]), lead, hold), num_frames)


# --- the family base of the pointer puzzles ---------------------------------------------------------

class PointerFamily:
    """Mixin for TaskFamily subclasses whose answer is pointed at on a strip of options.

    A subclass sets ``presets`` and implements ``puzzle(rng, config, skin) -> (puzzle, options, answer,
    words)`` (the skin-independent content, the option values, the index of the answer, prompt phrases),
    ``draw_question(img, puzzle, skin) -> boxes`` and ``prompts(puzzle, options, skin, words)``; it may
    override ``draw_option`` (default: the value as digits).
    """

    skins = SKIN_NAMES
    all_skins = SKIN_NAMES
    checker_name = "pointer"
    frames_as_planes = True  # the checker reads frames through vision.mapping.CanvasSampler (see TaskFamily)
    checker_version = "2"  # 2: frames read from the decoder planes (frames_as_planes)
    default_fps = 24.0

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None, config=None):
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        puzzle, options, answer, words = self.puzzle(rng, lv, sk)
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
        return self.new_item(index, difficulty, seed, i2v, t2v, state, img, lv)

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
        return PointerChecker(pointer_spec(item), self.checker_version).check(frames, fit, fps)

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
    from ...perturb import Perturbation, canvas_clip

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
