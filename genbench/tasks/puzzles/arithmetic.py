"""puzzle.arithmetic: evaluate the expression in the panel and point to its result on a strip.

Difficulty: one-digit sums (4 options) → two-digit sums and differences (5) → a product plus or
minus a number (6 options, distractors one operation or one digit away from the result).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base import TaskFamily, register_task
from ..config import TaskConfig, knob
from .pointer import PANEL, PointerFamily, Skin, draw_text, text_width

EXPRESSIONS = ("add", "add_sub", "mul_add_sub")


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.arithmetic's config; the difficulties are the presets in LEVELS."""

    # add: one-digit a + b; add_sub: two-digit a + b or a − b; mul_add_sub: a × b ± c
    expression: str = knob(choices=EXPRESSIONS)
    options: int = knob(2, 7, doc="candidate answers on the strip")
    sorted_options: bool = knob(doc="options in ascending order (else shuffled)")


LEVELS = {"easy": Level("add", 4, True), "medium": Level("add_sub", 5, False),
          "hard": Level("mul_add_sub", 6, False)}


def _expression(rng, kind: str) -> tuple[list[str], int, list[int]]:
    """Tokens, the result, and near misses (the slips a solver would make)."""
    if kind == "add":
        a, b = (int(v) for v in rng.integers(1, 10, 2))
        return [str(a), "+", str(b)], a + b, [a + b + 1, a + b - 1, a + b + 2, a + b - 2, abs(a - b), a * b]
    if kind == "add_sub":
        a, b = (int(v) for v in rng.integers(10, 60, 2))
        if rng.random() < 0.5:
            a, b = max(a, b), min(a, b)
            r = a - b
            return [str(a), "-", str(b)], r, [r + 10, r - 10, r + 1, r - 1, a + b, r + 2]
        r = a + b
        return [str(a), "+", str(b)], r, [r + 10, r - 10, r + 1, r - 1, r + 2, abs(a - b)]
    a, b = (int(v) for v in rng.integers(2, 10, 2))
    c = int(rng.integers(1, 20))
    if rng.random() < 0.5:
        r = a * b + c
        return [str(a), "x", str(b), "+", str(c)], r, [a * (b + c), a + b + c, r + 1, r - 1, r + 10, r - 10, r + a]
    c = min(c, a * b - 1)
    r = a * b - c
    return [str(a), "x", str(b), "-", str(c)], r, [a * (b - c), a * b + c, r + 1, r - 1, r + 10, r - 10, r - a]


@register_task("puzzle.arithmetic", "Evaluate the expression and point to its result on a strip of answers.",
               group="puzzles")
class Arithmetic(PointerFamily, TaskFamily):
    description = "Evaluate the arithmetic expression; a pointer moves to the correct result on a strip."
    dimension = "symbolic & logical"
    presets = LEVELS

    def puzzle(self, rng, lv: Level, sk: Skin):
        tokens, result, near = _expression(rng, lv.expression)
        k = lv.options
        pool = []
        for v in near:  # distinct, non-negative, never the result (exactly one correct option)
            if v >= 0 and v != result and v not in pool:
                pool.append(int(v))
        order = rng.permutation(len(pool)).tolist()
        options = [result] + [pool[i] for i in order[:k - 1]]
        extra = result + 11
        while len(options) < k:  # top up in the rare case the slips coincide
            if extra not in options:
                options.append(extra)
            extra += 1
        options = sorted(options) if lv.sorted_options else [options[i] for i in rng.permutation(k).tolist()]
        return {"tokens": tokens, "result": result}, options, options.index(result), {}

    def draw_question(self, img, puzzle, sk: Skin):
        h = 56.0
        tokens = puzzle["tokens"] + ["=", "?"]
        gap = 0.45 * h
        widths = [text_width(t, h) for t in tokens]
        x = (PANEL[0] + PANEL[2]) / 2 - (sum(widths) + gap * (len(tokens) - 1)) / 2
        cy = (PANEL[1] + PANEL[3]) / 2
        boxes = []
        for t, w in zip(tokens, widths):
            boxes.append(draw_text(img, t, x + w / 2, cy, h, sk.ink, 6))
            x += w + gap
        return boxes

    def prompts(self, puzzle, options, sk: Skin, words):
        w = sk.words
        expr = " ".join({"x": "×", "-": "−"}.get(t, t) for t in puzzle["tokens"])
        scene = (f"A {w['panel']} panel on a {w['bg']} background shows an arithmetic expression followed by "
                 f"\"= ?\" in large {w['ink']} digits. Below it is a row of {w['box']} boxes, each with one "
                 f"candidate answer, and under the row a {w['marker']} waits at the bottom centre.")
        goal = (f"Work out the value of the expression. The {w['marker']} slides up to the box showing the "
                f"correct result, stops just below it and stays there. The expression, the numbers and the "
                f"camera do not move.")
        t2v_scene = scene.replace("an arithmetic expression", f"the expression {expr}").replace(
            "one candidate answer", "one candidate answer (" + ", ".join(map(str, options)) + ")")
        return f"{scene} {goal}", f"{t2v_scene} {goal} Flat colours, top-down view."
