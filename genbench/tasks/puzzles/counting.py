"""puzzle.counting: count the target objects in the panel and point to that number on a strip.

Difficulty: more objects, distractors that share the target's colour or its shape (so both
attributes must be checked), and a strip that is a window of numbers rather than 1..K.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base import TaskFamily, register_task
from ..config import ConfigError, TaskConfig, knob
from .pointer import PointerFamily, Skin, draw_shape, scatter


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.counting's config; the difficulties are the presets in LEVELS."""

    count: tuple[int, ...] = knob(1, 20, doc="target objects: low/high, inclusive")
    distractors: tuple[int, ...] = knob(0, 12, doc="other objects: low/high, inclusive")
    strip: int = knob(2, 12, doc="options on the strip")
    radius: int = knob(6, 24, doc="object radius (px)")
    window: bool = knob(doc="the strip is a window around the count (not 1..strip)")
    # distractors share the target's colour or its shape (so both must be checked); else they differ in both
    confusable: bool = knob(default=False)

    def check(self) -> None:
        for name in ("count", "distractors"):
            v = getattr(self, name)
            if len(v) != 2 or v[0] > v[1]:
                raise ConfigError(f"{name}={'/'.join(map(str, v))} is not allowed: give low/high with low <= high")
        if not self.window and self.strip < self.count[1]:
            raise ConfigError(f"strip={self.strip} is not allowed: a strip 1..strip must reach the highest count "
                              f"({self.count[1]}), or set window=true")


LEVELS = {"easy": Level((2, 6), (0, 0), 6, 17, False),
          "medium": Level((4, 9), (2, 4), 9, 15, False),
          "hard": Level((7, 12), (4, 8), 8, 12, True, confusable=True)}
SHAPE_POOL = ("circle", "square", "triangle", "star", "diamond", "hexagon")


@register_task("puzzle.counting", "Count the target objects and point to the number on a strip.",
               group="puzzles")
class Counting(PointerFamily, TaskFamily):
    description = "Count the objects of one kind in the panel; a pointer moves to that number on a strip."
    dimension = "spatial & visual pattern"
    presets = LEVELS

    def puzzle(self, rng, lv: Level, sk: Skin):
        n = int(rng.integers(lv.count[0], lv.count[1] + 1))
        shape = SHAPE_POOL[int(rng.integers(len(SHAPE_POOL)))]
        colour = int(rng.integers(len(sk.colours)))
        kinds = [(shape, colour)] * n
        d = int(rng.integers(lv.distractors[0], lv.distractors[1] + 1))
        other_shapes = [s for s in SHAPE_POOL if s != shape]
        other_colours = [c for c in range(len(sk.colours)) if c != colour]
        for j in range(d):
            if lv.confusable and j % 2 == 0:  # same colour, other shape
                kinds.append((other_shapes[int(rng.integers(len(other_shapes)))], colour))
            elif lv.confusable:  # same shape, other colour
                kinds.append((shape, other_colours[int(rng.integers(len(other_colours)))]))
            else:  # other shape and other colour
                kinds.append((other_shapes[int(rng.integers(len(other_shapes)))],
                              other_colours[int(rng.integers(len(other_colours)))]))
        pts = scatter(rng, len(kinds), lv.radius)
        order = rng.permutation(len(kinds)).tolist()
        objects = [[kinds[k][0], kinds[k][1], pts[i][0], pts[i][1], lv.radius] for i, k in enumerate(order)]
        if lv.window:
            lo = int(rng.integers(max(1, n - lv.strip + 1), n + 1))
        else:
            lo = 1
        options = list(range(lo, lo + lv.strip))
        puzzle = {"count": n, "target": [shape, colour], "objects": objects}
        words = {"target": f"{sk.colour_word(colour)} {shape}s", "distractors": d}
        return puzzle, options, options.index(n), words

    def draw_question(self, img, puzzle, sk: Skin):
        return [draw_shape(img, s, x, y, r, sk.colour(c)) for s, c, x, y, r in puzzle["objects"]]

    def prompts(self, puzzle, options, sk: Skin, words):
        w = sk.words
        extra = " mixed with other shapes" if words["distractors"] else ""
        scene = (f"A {w['panel']} panel on a {w['bg']} background shows {words['target']}{extra}. Below it is a "
                 f"row of {w['box']} boxes with the numbers {options[0]} to {options[-1]} in {w['ink']} digits, "
                 f"and under the row a {w['marker']} waits at the bottom centre.")
        goal = (f"Count only the {words['target']}. The {w['marker']} slides up to the box whose number equals "
                f"that count, stops just below it and stays there. The shapes, the numbers and the camera do not "
                f"move.")
        return f"{scene} {goal}", f"{scene} {goal} Flat colours, top-down view."
