"""puzzle.arithmetic: evaluate the expression in the panel and point to its result on a strip.

Difficulty: one-digit sums (4 options) → two-digit sums and differences (5) → a product plus or
minus a number (6 options, distractors one operation or one digit away from the result).
"""

from __future__ import annotations

from ...registry import register
from ..base import TaskFamily
from .pointer import PANEL, PointerFamily, Skin, draw_text, text_width

STRIP_SIZE = {"easy": 4, "medium": 5, "hard": 6}


def _expression(rng, difficulty: str) -> tuple[list[str], int, list[int]]:
    """Tokens, the result, and near misses (the slips a solver would make)."""
    if difficulty == "easy":
        a, b = (int(v) for v in rng.integers(1, 10, 2))
        return [str(a), "+", str(b)], a + b, [a + b + 1, a + b - 1, a + b + 2, a + b - 2, abs(a - b), a * b]
    if difficulty == "medium":
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


@register("task", "puzzle.arithmetic", "Evaluate the expression and point to its result on a strip of answers.",
          group="puzzles")
class Arithmetic(PointerFamily, TaskFamily):
    name = "puzzle.arithmetic"
    description = "Evaluate the arithmetic expression; a pointer moves to the correct result on a strip."
    dimension = "symbolic & logical"

    def puzzle(self, rng, difficulty: str, sk: Skin):
        tokens, result, near = _expression(rng, difficulty)
        k = STRIP_SIZE[difficulty]
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
        options = sorted(options) if difficulty == "easy" else [options[i] for i in rng.permutation(k).tolist()]
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
