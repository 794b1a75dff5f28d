"""puzzle.odd_one_out: every shape is identical but one; remove the one that differs.

The odd shape differs from all the others in exactly one attribute (shape, colour, size or
rotation) and the others agree in all of them, so the answer is unique. The video must make it
disappear (fade or slide away) while the rest stay. Difficulty: 4 shapes and an obvious difference
(shape or colour) → 6 shapes, also size → 9 shapes, subtle differences (a 20% smaller size, a
rotation, a look-alike shape).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...checkers.pointer import WORK
from ...checkers.tile import TileChecker, TileSpec
from ...raster import fill
from ...schema import TaskItem, canonical_json, sha256_hex
from ..base import TaskFamily, register_task
from ..config import ConfigError, TaskConfig, knob
from .pointer import PANEL, SKIN_NAMES, SKINS, canvas, draw_shape, fit_timeline, skin_of


DIFFERENCES = ("shape", "colour", "size", "rotation", "lookalike")


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.odd_one_out's config; the difficulties are the presets in LEVELS."""

    rows: int = knob(1, 3)
    cols: int = knob(2, 6)
    radius: float = knob(8, 40, doc="shape radius (px)")
    differences: tuple[str, ...] = knob(choices=DIFFERENCES, doc="ways the odd shape may differ, one drawn per item")
    size_ratio: float = knob(0.3, 0.9, default=0.62, doc="the odd shape's size when it differs in size")

    def check(self) -> None:
        cell = min((PANEL[2] - PANEL[0]) / self.cols, (PANEL[3] - PANEL[1]) / self.rows)
        if 2 * self.radius > cell - 8:
            raise ConfigError(f"radius={self.radius:g} is not allowed: a {self.rows}×{self.cols} grid has cells of "
                              f"{cell:.0f} px, so radius must be at most {(cell - 8) / 2:.0f}")


LEVELS = {"easy": Level(1, 4, 30, ("shape", "colour")),
          "medium": Level(2, 3, 28, ("shape", "colour", "size")),
          "hard": Level(3, 3, 24, ("size", "rotation", "lookalike"), size_ratio=0.8)}
SHAPE_POOL = ("circle", "square", "triangle", "star", "diamond", "hexagon", "cross")
ROTATABLE = {"triangle": 180.0, "star": 36.0, "cross": 45.0, "square": 30.0}
LOOKALIKE = {"circle": "hexagon", "hexagon": "circle", "square": "diamond", "diamond": "square",
             "star": "cross", "cross": "star", "triangle": "diamond"}


def cell_centres(rows: int, cols: int) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = PANEL
    cw, ch = (x1 - x0) / cols, (y1 - y0) / rows
    return [(round(x0 + cw * (c + 0.5), 1), round(y0 + ch * (r + 0.5), 1)) for r in range(rows) for c in range(cols)]


@register_task("puzzle.odd_one_out", "Remove the one shape that differs from all the others.", group="puzzles")
class OddOneOut(TaskFamily):
    description = "All shapes agree but one, which differs in exactly one attribute; remove that one."
    dimension = "spatial & visual pattern"
    skins = SKIN_NAMES
    all_skins = SKIN_NAMES
    presets = LEVELS
    checker_name = "tiles"
    frames_as_planes = True  # the checker reads frames through vision.mapping.CanvasSampler (see TaskFamily)
    checker_version = "4"  # 2: frames read from the decoder planes (frames_as_planes); 3: a shape is in place
    # only as it was drawn (within 0.2 of its contrast: shrunk to 0.8× reads 0.35); 4: the camera is re-fitted
    # off the homes that do not read present (tile._tracking_mask)
    default_fps = 24.0
    fade_frames = 18

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        diff = lv.differences[int(rng.integers(len(lv.differences)))]
        pool = tuple(ROTATABLE) if diff == "rotation" else SHAPE_POOL
        shape = pool[int(rng.integers(len(pool)))]
        colour = int(rng.integers(len(sk.colours)))
        common = {"shape": shape, "colour": colour, "scale": 1.0, "angle": 0.0}
        odd = dict(common)
        if diff == "shape":
            others = [s for s in SHAPE_POOL if s not in (shape, LOOKALIKE[shape])]
            odd["shape"] = others[int(rng.integers(len(others)))]
        elif diff == "lookalike":
            odd["shape"] = LOOKALIKE[shape]
        elif diff == "colour":
            others = [c for c in range(len(sk.colours)) if c != colour]
            odd["colour"] = others[int(rng.integers(len(others)))]
        elif diff == "size":
            odd["scale"] = lv.size_ratio
        else:
            odd["angle"] = ROTATABLE[shape]
        n = lv.rows * lv.cols
        answer = int(rng.integers(n))
        objects = [odd if k == answer else common for k in range(n)]
        img = canvas(sk)
        centres = cell_centres(lv.rows, lv.cols)
        boxes = []
        for (cx, cy), o in zip(centres, objects):
            draw_shape(img, o["shape"], cx, cy, lv.radius * o["scale"], sk.colour(o["colour"]), o["angle"])
            boxes.append(self._box(cx, cy, lv.radius))
        state = {"puzzle": {"rows": lv.rows, "cols": lv.cols, "common": common, "odd": odd, "difference": diff},
                 "answer": answer, "objects": objects, "centres": centres, "radius": lv.radius, "boxes": boxes,
                 "options": list(range(n)), "skin": sk.to_json()}
        w = sk.words
        scene = (f"A {w['panel']} panel on a {w['bg']} background shows {n} coloured shapes in a grid of "
                 f"{lv.rows} row{'s' if lv.rows > 1 else ''} and {lv.cols} columns. All of them are identical "
                 f"except one, which differs in exactly one way (its shape, colour, size or rotation).")
        goal = ("Find the shape that differs. It fades away until it is gone and the panel shows empty "
                "background in its place; every other shape stays exactly where it is. The camera does not move.")
        t2v = scene.replace(f"shows {n} coloured shapes", f"shows {n} {sk.colour_word(colour)} {shape}s (one of "
                                                           f"which is the odd one)")
        return self.new_item(index, difficulty, seed, f"{scene} {goal}", f"{t2v} {goal} Flat colours, top-down view.",
                             state, img, lv)

    @staticmethod
    def _box(cx, cy, r) -> list[int]:
        m = r * 1.3 + 3  # the largest shape drawn at radius r fits in here
        return [int(cx - m), int(cy - m), int(cx + m) + 1, int(cy + m) + 1]

    def layout_key(self, item: TaskItem) -> str:
        s = item.state
        p = dict(s["puzzle"])
        p["colours"] = [p["common"]["colour"], p["odd"]["colour"]]  # skin-independent: colour indices
        return sha256_hex(canonical_json([p, s["answer"]]))

    # frames
    def without(self, item: TaskItem, ks) -> np.ndarray:
        """The first frame with the objects ``ks`` removed (panel colour in their boxes)."""
        sk, img = skin_of(item), item.first_frame.copy()
        for k in ks:
            x0, y0, x1, y1 = item.state["boxes"][k]
            fill(img[y0:y1, x0:x1], sk.panel)
        return img

    def fade_frames_of(self, item: TaskItem, ks, num_frames=None, lead=6, hold=30, upto: float = 1.0):
        start, end = item.first_frame, self.without(item, ks)
        # only the removed objects' pixels differ: blend their bounding box, copy the rest (the blend of
        # equal pixels is the pixel itself, so the frames are the same bytes as blending everything)
        ys, xs = np.nonzero((start != end).any(-1))
        box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1)) if len(ys) else (slice(0, 0),) * 2
        first, gone = start[box].astype(np.float32), end[box].astype(np.float32)
        ts = [0.0] * lead + list(np.linspace(0, upto, self.fade_frames)) + [upto] * hold
        for t in fit_timeline(ts, num_frames):
            out = start.copy()
            out[box] = (first + (gone - first) * t).round().astype(np.uint8)
            yield out

    def solution_frames(self, item: TaskItem, solution: int = 0, fps=None, num_frames=None):
        return self.fade_frames_of(item, [item.state["answer"]], num_frames)

    def final_frame(self, item: TaskItem) -> np.ndarray:
        return self.without(item, [item.state["answer"]])

    def random_frames(self, item: TaskItem, rng, fps=None, num_frames=None):
        wrong = [k for k in range(len(item.state["boxes"])) if k != item.state["answer"]]
        return self.fade_frames_of(item, [wrong[int(rng.integers(len(wrong)))]], num_frames)

    # judging
    def working_size(self, item: TaskItem):
        return WORK

    def check(self, item: TaskItem, frames, fit, fps: float):
        n = len(item.state["boxes"])
        spec = TileSpec(item.first_frame, self.without(item, range(n)), item.state["boxes"], [], "remove",
                        item.state["answer"])
        return TileChecker(spec, version=self.checker_version).check(frames, fit, fps)

    def perturbations(self) -> list:
        from ...perturb import Perturbation, canvas_clip

        def wrong(it, rng):
            ks = [k for k in range(len(it.state["boxes"])) if k != it.state["answer"]]
            return ks[int(rng.integers(len(ks)))]

        def recolour(fam, it, rng):  # another shape changes colour mid-video
            sk, k = skin_of(it), wrong(it, rng)
            o = it.state["objects"][k]
            frames = list(fam.solution_frames(it))
            new = (o["colour"] + 1) % len(sk.colours)
            cx, cy = it.state["centres"][k]
            for f in frames[len(frames) // 3:]:
                draw_shape(f, o["shape"], cx, cy, it.state["radius"] * o["scale"], sk.colour(new), o["angle"])
            return canvas_clip(fam, it, frames)

        def resized(factor):
            def make(fam, it, rng):  # another shape redrawn ``factor``× as large a third of the way in
                sk, k = skin_of(it), wrong(it, rng)
                o, (cx, cy) = it.state["objects"][k], it.state["centres"][k]
                x0, y0, x1, y1 = it.state["boxes"][k]
                frames = list(fam.solution_frames(it))
                for f in frames[len(frames) // 3:]:
                    fill(f[y0:y1, x0:x1], sk.panel)
                    draw_shape(f, o["shape"], cx, cy, it.state["radius"] * o["scale"] * factor, sk.colour(o["colour"]),
                               o["angle"])
                return canvas_clip(fam, it, frames)
            return make

        def cut_wrong(fam, it, rng):
            n = sum(1 for _ in fam.solution_frames(it))
            return canvas_clip(fam, it, [it.first_frame] * (n // 2) + [fam.without(it, [wrong(it, rng)])] * (n - n // 2))

        return [
            Perturbation("wrong_removed", "WRONG_ANSWER",
                         lambda fam, it, rng: canvas_clip(fam, it, fam.fade_frames_of(it, [wrong(it, rng)])),
                         "a shape that is not the odd one fades away"),
            Perturbation("two_removed", "WRONG_ANSWER",
                         lambda fam, it, rng: canvas_clip(fam, it, fam.fade_frames_of(
                             it, [it.state["answer"], wrong(it, rng)])), "the odd one and another fade away"),
            Perturbation("jumpcut_wrong", "TELEPORT", cut_wrong, "a cut to a wrong shape removed"),
            Perturbation("recoloured", "LAYOUT_CHANGED", recolour, "another shape changes colour"),
            Perturbation("object_grows", "LAYOUT_CHANGED", resized(1.2),
                         "another shape grows 1.2× a third of the way in"),
            Perturbation("object_shrinks", "LAYOUT_CHANGED", resized(0.8),
                         "another shape shrinks to 0.8× a third of the way in"),
            Perturbation("half_faded", "GOAL_NOT_REACHED",
                         lambda fam, it, rng: canvas_clip(fam, it, fam.fade_frames_of(it, [it.state["answer"]],
                                                                                      upto=0.5)),
                         "the odd one only half fades"),
        ]
