"""puzzle.transitive: from pairwise comparisons between shapes, point to the one that ranks highest.

The comparisons are the links of a hidden total order (so exactly one shape beats all others).
Difficulty: 3 shapes in order, all "A > B" → 4 shapes shuffled → 6 shapes shuffled, written with
both ">" and "<" and one redundant comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base import TaskFamily, register_task
from ..config import TaskConfig, knob
from .pointer import PANEL, PointerFamily, Skin, draw_shape, draw_text


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.transitive's config; the difficulties are the presets in LEVELS."""

    shapes: int = knob(3, 6, doc="shapes in the hidden order (each skin has 6 colours)")
    shuffle: bool = knob(doc="comparisons listed out of chain order")
    mixed: bool = knob(doc="written with both '>' and '<', plus one redundant comparison")


LEVELS = {"easy": Level(3, False, False), "medium": Level(4, True, False), "hard": Level(6, True, True)}
SHAPE_POOL = ("circle", "square", "triangle", "star", "diamond", "hexagon", "cross")


@register_task("puzzle.transitive", "From pairwise comparisons, point to the shape that ranks highest.",
               group="puzzles")
class Transitive(PointerFamily, TaskFamily):
    description = "Chain the shown comparisons (A > B, B > C, …); a pointer moves to the highest-ranked shape."
    dimension = "symbolic & logical"
    presets = LEVELS

    def puzzle(self, rng, lv: Level, sk: Skin):
        n, shuffle, mixed = lv.shapes, lv.shuffle, lv.mixed
        shapes = [SHAPE_POOL[i] for i in rng.choice(len(SHAPE_POOL), n, replace=False).tolist()]
        colours = rng.choice(len(sk.colours), n, replace=False).tolist()
        ents = [[s, int(c)] for s, c in zip(shapes, colours)]  # ents[0] ranks highest
        pairs = [[i, i + 1] for i in range(n - 1)]
        if mixed:
            i = int(rng.integers(n - 2))
            pairs.append([i, i + 2])  # implied by the chain: a distraction, not new information
        if shuffle:
            pairs = [pairs[i] for i in rng.permutation(len(pairs)).tolist()]
        rows = []
        for hi, lo in pairs:
            rows.append([hi, ">", lo] if not (mixed and rng.random() < 0.5) else [lo, "<", hi])
        option_order = rng.permutation(n).tolist()
        options = [ents[i] for i in option_order]
        return {"entities": ents, "rows": rows}, options, option_order.index(0), {}

    def draw_question(self, img, puzzle, sk: Skin):
        rows, ents = puzzle["rows"], puzzle["entities"]
        cols = 1 if len(rows) <= 3 else 2
        per = (len(rows) + cols - 1) // cols
        cw = (PANEL[2] - PANEL[0]) / cols
        rh = (PANEL[3] - PANEL[1]) / per
        boxes = []
        for k, (a, op, b) in enumerate(rows):
            cx = PANEL[0] + cw * (k // per + 0.5)
            cy = PANEL[1] + rh * (k % per + 0.5)
            r = min(18.0, rh * 0.3)
            boxes.append(draw_shape(img, ents[a][0], cx - 60, cy, r, sk.colour(ents[a][1])))
            boxes.append(draw_text(img, op, cx, cy, 2.0 * r, sk.ink, 4))
            boxes.append(draw_shape(img, ents[b][0], cx + 60, cy, r, sk.colour(ents[b][1])))
        return boxes

    def draw_option(self, img, box, value, sk: Skin) -> None:
        r = min(box[2] - box[0], box[3] - box[1]) * 0.3
        draw_shape(img, value[0], (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, r, sk.colour(value[1]))

    def prompts(self, puzzle, options, sk: Skin, words):
        w = sk.words
        names = ", ".join(f"{sk.colour_word(c)} {s}" for s, c in options)
        scene = (f"A {w['panel']} panel on a {w['bg']} background lists comparisons between coloured shapes, "
                 f"one per line: \"X > Y\" means X ranks above Y and \"X < Y\" means X ranks below Y. Below it is "
                 f"a row of {w['box']} boxes, each holding one of the shapes, and under the row a {w['marker']} "
                 f"waits at the bottom centre.")
        goal = (f"Chain the comparisons to find the shape that ranks above every other shape. The {w['marker']} "
                f"slides up to the box holding that shape, stops just below it and stays there. The comparisons, "
                f"the boxes and the camera do not move.")
        lines = "; ".join(
            f"{sk.colour_word(puzzle['entities'][a][1])} {puzzle['entities'][a][0]} {op} "
            f"{sk.colour_word(puzzle['entities'][b][1])} {puzzle['entities'][b][0]}" for a, op, b in puzzle["rows"])
        t2v = scene.replace("lists comparisons between coloured shapes", f"lists the comparisons {lines}").replace(
            "each holding one of the shapes", f"holding a {names}")
        return f"{scene} {goal}", f"{t2v} {goal} Flat colours, top-down view."
