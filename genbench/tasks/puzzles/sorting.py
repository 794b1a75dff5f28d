"""puzzle.sorting: a row of bars (by height) or numbered balls, sorted ascending by swaps of two.

Every item has a colour of its own, unrelated to its value, so the checker tells items apart by
colour and reads the order from the slots they rest in. The only legal move is a swap: two items
trade places (one passes above the row, the other below). The goal order is unique; the minimal
number of swaps (N − number of permutation cycles) is stored and reported, not required.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...raster import fill
from ...schema import TaskItem, canonical_json, sha256_hex
from ...checkers.process import Game
from ...perturb import Perturbation, canvas_clip
from ..base import TaskFamily, register_task
from ..config import ConfigError, TaskConfig, knob
from .objects import (COLOUR_WORDS, OBJECT_COLOURS, ProcessFamilyMixin, draw_number, fill_circle, fill_rect,
                      resized_from_third, settle_frames)


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.sorting's config; the difficulties are the presets in LEVELS."""

    n: int = knob(2, len(OBJECT_COLOURS), doc="items in the row")
    min_swaps: int = knob(0, len(OBJECT_COLOURS) - 1, doc="fewest swaps that sort the start")
    max_value: int = knob(2, 20, doc="values are drawn from 1..max_value")

    def check(self) -> None:
        if self.min_swaps > self.n - 1:
            raise ConfigError(f"min_swaps={self.min_swaps} is not allowed: {self.n} items sort in at most "
                              f"{self.n - 1} swaps")
        if self.max_value < self.n:
            raise ConfigError(f"max_value={self.max_value} is not allowed: {self.n} distinct values need "
                              f"max_value >= {self.n}")


LEVELS = {"easy": Level(4, 2, 9), "medium": Level(6, 3, 12), "hard": Level(8, 5, 15)}
SKINS = {
    "bars": {"kind": "bars", "background": (245, 245, 240), "line": (90, 90, 95), "digit": (255, 255, 255),
             "words": {"items": "bars", "item": "bar", "look": "coloured vertical bars of different heights standing "
                       "on a grey line", "order": "from the shortest bar on the left to the tallest on the right",
                       "background": "light grey"}},
    "balls": {"kind": "balls", "background": (28, 30, 48), "line": (28, 30, 48), "digit": (255, 255, 255),
              "words": {"items": "balls", "item": "ball", "look": "coloured balls in a row, each showing a white "
                        "number", "order": "from the smallest number on the left to the largest on the right",
                        "background": "dark blue"}},
}
WIDTH = 512
MARGIN = 24


def min_swaps(slots: list[int] | tuple, target: list[int] | tuple) -> int:
    """Swaps to move each item k from slots[k] to target[k]: N − number of cycles."""
    where = {s: k for k, s in enumerate(slots)}
    seen, cycles = set(), 0
    for k in range(len(slots)):
        if k in seen:
            continue
        cycles += 1
        j = k
        while j not in seen:
            seen.add(j)
            j = where[target[j]]  # the item now resting where j must go
    return len(slots) - cycles


def swap_plan(start: tuple, target: tuple) -> list[tuple]:
    """States of a minimal swap sequence: fill slot 0, 1, … with the item that belongs there."""
    cur = list(start)
    out = [tuple(cur)]
    for slot in range(len(cur)):
        want = target.index(slot)
        if cur[want] == slot:
            continue
        other = cur.index(slot)
        cur[want], cur[other] = slot, cur[want]
        out.append(tuple(cur))
    return out


@register_task("puzzle.sorting", "Sort bars or numbered balls ascending by swapping two at a time.", group="puzzles")
class Sorting(ProcessFamilyMixin, TaskFamily):
    description = "Sort a row of bars (by height) or numbered balls ascending; every move swaps two items."
    dimension = "structural reasoning & search"
    presets = LEVELS
    skins = tuple(SKINS)
    all_skins = skins
    checker_name = "process"
    # 2: the process engine re-aligns when resting objects fill their boxes poorly; 3: planes (a bar still
    # easing into its slot, part of it in the ring just beyond the box around the slot, no longer reads as shrunk)
    checker_version = "3"
    perturbation_expectations = {"cut_to_final": "TELEPORT"}

    # items
    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        values = sorted(int(v) + 1 for v in rng.choice(lv.max_value, lv.n, replace=False))
        colours = [int(c) for c in rng.choice(len(OBJECT_COLOURS), lv.n, replace=False)]
        target = tuple(range(lv.n))  # item k (k-th smallest value) belongs in slot k
        for _ in range(200):
            start = tuple(int(s) for s in rng.permutation(lv.n))
            if min_swaps(start, target) >= lv.min_swaps:
                break
        n_swaps = min_swaps(start, target)
        geom = self._geometry(sk["kind"], lv.n, lv.max_value)
        order = [values[start.index(s)] for s in range(lv.n)]  # values left to right
        state = {"game": "sorting", "n": lv.n, "values": values, "colours": colours, "start": list(start),
                 "goal": list(target), "solutions": [[list(s) for s in swap_plan(start, target)]],
                 "min_swaps": n_swaps, "start_order": order, "goal_order": sorted(values),
                 "skin": {"name": skin_name, **sk}, "geometry": geom}
        w = sk["words"]
        names = [f"{COLOUR_WORDS[colours[start.index(s)]]} {w['item']} "
                 + (f"of height {order[s]}" if sk["kind"] == "bars" else f"numbered {order[s]}") for s in range(lv.n)]
        rule = (f"Each step swaps exactly two {w['items']}: they trade places, one passing above the row and the "
                f"other below it, and only one swap happens at a time. No {w['item']} changes its size, colour or "
                f"number. When the row is sorted {w['order']}, everything stays still.")
        prompt_i2v = (f"A row of {lv.n} {w['look']} on a {w['background']} background. Sort the {w['items']} "
                      f"{w['order']}. " + rule)
        prompt_t2v = (f"A flat 2D picture on a {w['background']} background: a row of {lv.n} {w['look']}. From left "
                      f"to right: " + ", ".join(names) + f". Sort them {w['order']}. " + rule
                      + " Static camera, flat colours.")
        first = self.draw_state(state, self.positions_raw(state, start), [])
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def layout_key(self, item: TaskItem) -> str:
        return sha256_hex(canonical_json(["sorting", item.state["start_order"]]))

    # geometry and drawing
    @staticmethod
    def _geometry(kind: str, n: int, max_value: int) -> dict:
        pitch = (WIDTH - 2 * MARGIN) // n
        if kind == "bars":
            unit = 190 // max_value
            hmax = 16 + unit * max_value
            lift = int(0.7 * hmax)  # a lifted bar hides at most 30% of a tall bar it passes
            height = (2 * MARGIN + 2 * lift + hmax + 1) // 2 * 2
            return {"kind": kind, "pitch": pitch, "width": WIDTH, "height": height, "base": MARGIN + lift + hmax,
                    "bar_w": int(0.62 * pitch) // 2 * 2, "unit": unit, "lift": lift}
        d = int(min(0.8 * pitch, 64)) // 2 * 2
        lift = int(1.3 * d)
        height = (2 * MARGIN + 2 * lift + d + 1) // 2 * 2
        return {"kind": kind, "pitch": pitch, "width": WIDTH, "height": height, "base": height // 2,
                "diameter": d, "lift": lift}

    @staticmethod
    def _half(geom: dict, value: int) -> tuple[float, float]:
        if geom["kind"] == "bars":
            return geom["bar_w"] / 2, (16 + geom["unit"] * value) / 2
        return geom["diameter"] / 2, geom["diameter"] / 2

    def positions_raw(self, state: dict, slots) -> np.ndarray:
        geom = state["geometry"]
        out = []
        for k, s in enumerate(slots):
            x = MARGIN + (s + 0.5) * geom["pitch"]
            hh = self._half(geom, state["values"][k])[1]
            out.append((x, geom["base"] - hh if geom["kind"] == "bars" else geom["base"]))
        return np.array(out, np.float64)

    def positions(self, item, state):
        return self.positions_raw(item.state, state)

    def path(self, item, k, a, b):
        geom = item.state["geometry"]
        p = self.positions_raw(item.state, a)[k]
        q = self.positions_raw(item.state, b)[k]
        dy = -geom["lift"] if b[k] > a[k] else geom["lift"]  # rightward above, leftward below
        return [p, (p[0], p[1] + dy), (q[0], q[1] + dy), q]

    def draw_objects(self, item, xy, on_top):
        return self.draw_state(item.state, xy, on_top)

    def draw_state(self, s: dict, xy, on_top) -> np.ndarray:
        geom, sk = s["geometry"], s["skin"]
        img = np.empty((geom["height"], geom["width"], 3), np.uint8)
        fill(img, sk["background"])
        if geom["kind"] == "bars":
            fill(img[geom["base"]:geom["base"] + 4, MARGIN // 2:geom["width"] - MARGIN // 2], sk["line"])
        for k in [k for k in range(len(xy)) if k not in on_top] + list(on_top):
            colour = OBJECT_COLOURS[s["colours"][k]]
            hw, hh = self._half(geom, s["values"][k])
            x, y = xy[k]
            if geom["kind"] == "bars":
                fill_rect(img, x, y, hw, hh, colour)
            else:
                fill_circle(img, x, y, hw, colour)
                h = 0.42 * geom["diameter"]
                draw_number(img, s["values"][k], x, y, h, sk["digit"], max(3, int(round(h / 6))))
        return img

    def solution_states(self, item, solution: int = 0):
        sols = item.state["solutions"]
        return [tuple(x) for x in sols[solution % len(sols)]]

    def random_frames(self, item, rng, fps=None, num_frames=None):
        cur = tuple(item.state["start"])
        states = [cur]
        n = item.state["n"]
        for _ in range(item.state["min_swaps"] + 1):
            i, j = (int(v) for v in rng.choice(n, 2, replace=False))
            c = list(states[-1])
            c[i], c[j] = c[j], c[i]
            states.append(tuple(c))
        return self.play_states(item, states, num_frames)

    # judging
    def game(self, item) -> Game:
        s = item.state
        n, geom = s["n"], s["geometry"]
        pal = [s["skin"]["background"], s["skin"]["line"] if geom["kind"] == "bars" else s["skin"]["digit"]]
        palette = list(dict.fromkeys(tuple(c) for c in pal))
        obj_class = []
        for k in range(n):
            palette.append(tuple(OBJECT_COLOURS[s["colours"][k]]))
            obj_class.append(len(palette) - 1)
        slot_xy = np.stack([self.positions_raw(s, [slot] * n) for slot in range(n)], 1)  # (K, S, 2)
        half = np.array([self._half(geom, v) for v in s["values"]], np.float64)
        goal = tuple(s["goal"])

        def legal(a, b):
            moved = [k for k in range(n) if a[k] != b[k]]
            if len(moved) != 2:
                return f"{len(moved)} items changed places at once (a move swaps two)"
            i, j = moved
            if a[i] != b[j] or a[j] != b[i]:
                return "items changed places without swapping"
            return None

        return Game(canvas=item.canvas_size, scale=0.6, palette=np.array(palette, np.uint8), obj_class=obj_class,
                    slot_xy=slot_xy, half=half, start=tuple(s["start"]), goals={goal}, optimal=s["min_swaps"],
                    render=lambda st: self.draw_objects(item, self.positions(item, st), []),
                    valid=lambda st: len(set(st)) == n, legal=legal, distance=lambda st: min_swaps(st, goal),
                    max_moving=2, check_growth=True)

    # checker validity
    def perturbations(self) -> list:
        def rotate3(fam, item, rng):
            st = list(item.state["start"])
            k = [int(v) for v in rng.choice(len(st), 3, replace=False)]
            rot = list(st)
            rot[k[0]], rot[k[1]], rot[k[2]] = st[k[1]], st[k[2]], st[k[0]]
            return canvas_clip(fam, item, fam.play_states(item, [tuple(st), tuple(rot)] + _after(fam, item, rot)))

        def wrong_final(fam, item, rng):
            sol = fam.solution_states(item)
            goal = sol[-1]
            for i in range(len(goal)):  # legal swaps all the way, but the last one swaps a wrong pair
                for j in range(i + 1, len(goal)):
                    last = _swap(sol[-2], i, j)
                    if last != goal:
                        return canvas_clip(fam, item, fam.play_states(item, sol[:-1] + [last]))
            raise AssertionError("unreachable: a row of ≥ 3 items has a wrong swap")

        def cut_wrong(fam, item, rng):
            sol = fam.solution_states(item)
            wrong = _swap(sol[-1], 0, len(sol[-1]) - 1)  # sorted but for the two ends: ≥ 2 swaps away
            if min_swaps(sol[0], wrong) < 2:
                wrong = _swap(sol[-1], 0, 1)
            still = fam.draw_objects(item, fam.positions(item, sol[0]), [])
            bad = fam.draw_objects(item, fam.positions(item, wrong), [])
            return canvas_clip(fam, item, [still] * 12 + [bad] * 30)

        def recolour(fam, item, rng):
            def gen():
                for i, f in enumerate(fam.solution_frames(item)):
                    if i >= 12:  # from frame 12 on, item 0 takes item 1's colour
                        g = fam.cached_game(item)
                        f = f.copy()
                        f[(f == g.palette[g.obj_class[0]]).all(-1)] = g.palette[g.obj_class[1]]
                    yield f
            return canvas_clip(fam, item, gen())

        def easing(fam, item, rng, jitter=0.0):
            return canvas_clip(fam, item, settle_frames(fam, item, fam.solution_states(item), rng, jitter=jitter))

        def bars(item):
            return item.state["geometry"]["kind"] == "bars"

        return [Perturbation("rotate_three", "ILLEGAL_MOVE", rotate3, "three items change places in one move"),
                Perturbation("settle_easing", "pass", easing, "items ease the last 3 px into their slots"),
                Perturbation("settle_jitter", "pass", lambda fam, it, rng: easing(fam, it, rng, jitter=3.0),
                             "items ease into their slots and jitter by up to 3 px at rest"),
                Perturbation("item_grows", "LAYOUT_CHANGED", resized_from_third(1.35, bars),
                             "an item grows 1.35× a third of the way in"),
                Perturbation("item_grows_20", "LAYOUT_CHANGED", resized_from_third(1.2, bars),
                             "an item grows 1.2× a third of the way in"),
                Perturbation("item_shrinks", "LAYOUT_CHANGED", resized_from_third(0.8, bars, by_area=True),
                             "an item shrinks to 0.8× its area a third of the way in"),
                Perturbation("wrong_final", "GOAL_NOT_REACHED", wrong_final, "legal swaps ending unsorted"),
                Perturbation("cut_to_wrong", "TELEPORT", cut_wrong, "a cut to an unsorted row"),
                Perturbation("item_recoloured", "LAYOUT_CHANGED", recolour, "an item takes another item's colour midway")]


def _swap(state: tuple, i: int, j: int) -> tuple:
    """Swap the items resting in slots i and j."""
    a, b = state.index(i), state.index(j)
    out = list(state)
    out[a], out[b] = j, i
    return tuple(out)


def _after(fam, item, slots) -> list[tuple]:
    """A minimal swap sequence from ``slots`` to the goal (without its first state)."""
    return swap_plan(tuple(slots), tuple(item.state["goal"]))[1:]
