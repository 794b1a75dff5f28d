"""puzzle.hanoi: tower of Hanoi — move every disk onto the target peg, one top disk at a time,
never a larger disk on a smaller one.

Starts are legal configurations (every peg's stack sorted) a known number of optimal moves from
the goal: a breadth-first search over all 3^n configurations gives exact distances. The classic
start (all disks on one peg, 2^n − 1 moves) is among them where it fits the level's band. Any legal
sequence that ends with all disks on the target peg passes; optimality is reported.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ...raster import fill
from ...schema import TaskItem, canonical_json, sha256_hex
from ...checkers.process import Game
from ...perturb import Perturbation, canvas_clip
from ..base import TaskFamily, register_task
from ..config import ConfigError, TaskConfig, knob
from .objects import COLOUR_WORDS, OBJECT_COLOURS, Pace, ProcessFamilyMixin, fill_rect


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.hanoi's config; the difficulties are the presets in LEVELS."""

    disks: int = knob(1, 7)
    min_moves: int = knob(0, 127, doc="fewest optimal moves from the start to the goal")
    max_moves: int = knob(1, 127)

    def check(self) -> None:
        if self.min_moves > self.max_moves:
            raise ConfigError(f"min_moves={self.min_moves} is not allowed: it exceeds max_moves={self.max_moves}")
        if self.min_moves > 2 ** self.disks - 1:
            raise ConfigError(f"min_moves={self.min_moves} is not allowed: {self.disks} disks are solved in at most "
                              f"{2 ** self.disks - 1} moves")


LEVELS = {"easy": Level(3, 4, 7), "medium": Level(4, 8, 15), "hard": Level(5, 13, 17)}
PEG_WORDS = ("left", "middle", "right")
SKINS = {
    "classic": {"background": (245, 245, 240), "rod": (70, 70, 78),
                "words": {"rod": "dark grey", "background": "white"}},
    "night": {"background": (28, 30, 48), "rod": (175, 180, 195),
              "words": {"rod": "light grey", "background": "dark blue"}},
}
W, H = 576, 336
PEG_X = (104, 288, 472)
BASE_Y = 296
DISK_H = 24
MAX_W = 172


# --- the puzzle -------------------------------------------------------------------------------------
# A configuration is a tuple: the peg of disk 0 (smallest) … disk n-1 (largest); stacks are sorted.

@lru_cache(maxsize=8)
def distances(n: int, target: int) -> dict:
    """Optimal moves from every configuration of n disks to 'all on ``target``' (BFS)."""
    goal = (target,) * n
    dist = {goal: 0}
    q = deque([goal])
    while q:
        c = q.popleft()
        for nxt in moves_from(c):
            if nxt not in dist:
                dist[nxt] = dist[c] + 1
                q.append(nxt)
    return dist


def moves_from(c: tuple):
    tops = {}
    for d, p in enumerate(c):  # smallest disk on a peg is its top
        tops.setdefault(p, d)
    for p, d in tops.items():
        for q in range(3):
            if q != p and (q not in tops or tops[q] > d):
                nxt = list(c)
                nxt[d] = q
                yield tuple(nxt)


def to_slots(c: tuple) -> tuple:
    """Configuration → checker state: slot = peg · n + level (level 0 on the base)."""
    n = len(c)
    return tuple(p * n + sum(1 for e in range(d + 1, n) if c[e] == p) for d, p in enumerate(c))


def optimal_path(c: tuple, target: int) -> list[tuple]:
    dist = distances(len(c), target)
    out = [c]
    while dist[out[-1]]:
        out.append(next(x for x in moves_from(out[-1]) if dist[x] == dist[out[-1]] - 1))
    return out


def disk_half(n: int, d: int) -> tuple[float, float]:
    w = 44 + (MAX_W - 44) * d / max(n - 1, 1)
    return w / 2, DISK_H / 2 - 1


def slot_xy(n: int, slot: int) -> tuple[float, float]:
    p, lvl = divmod(slot, n)
    return PEG_X[p], BASE_Y - (lvl + 0.5) * DISK_H


@register_task("puzzle.hanoi", "Tower of Hanoi: move all disks to the target peg by legal moves.", group="puzzles")
class Hanoi(ProcessFamilyMixin, TaskFamily):
    description = "Tower of Hanoi: move one top disk at a time, never onto a smaller disk, until all are on the target peg."
    dimension = "action planning"
    presets = LEVELS
    skins = tuple(SKINS)
    all_skins = skins
    checker_name = "process"
    checker_version = "3"  # 2: the process engine re-aligns when resting objects fill their boxes poorly; 3: planes
    pace = Pace(transit=4, rest=3, lead=3, hold=18)
    perturbation_expectations = {"cut_to_final": "TELEPORT"}

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        n = lv.disks
        target = int(rng.integers(3))
        dist = distances(n, target)
        pool = sorted(c for c, d in dist.items() if lv.min_moves <= d <= lv.max_moves)
        start = pool[int(rng.integers(len(pool)))]
        colours = [int(c) for c in rng.choice(len(OBJECT_COLOURS), n, replace=False)]
        path = optimal_path(start, target)
        state = {"game": "hanoi", "disks": n, "target": target, "start_config": list(start),
                 "start": list(to_slots(start)), "goal": list(to_slots((target,) * n)),
                 "optimal_moves": dist[start], "classic_optimal": 2 ** n - 1,
                 "solutions": [[list(to_slots(c)) for c in path]], "colours": colours,
                 "skin": {"name": skin_name, **sk}, "geometry": {"width": W, "height": H}}
        w = sk["words"]
        rule = (f"Move all disks onto the {PEG_WORDS[target]} peg. Only one disk moves at a time: lift the top disk "
                "of a peg, carry it above the pegs and lower it onto another peg, never onto a smaller disk. Disks "
                "keep their size and colour. When every disk is on the "
                f"{PEG_WORDS[target]} peg, largest at the bottom, everything stays still.")
        prompt_i2v = (f"A tower of Hanoi puzzle: three {w['rod']} pegs on a base, with {n} coloured disks of "
                      f"different sizes on a {w['background']} background. " + rule)
        stacks = []
        for p in range(3):
            ds = [d for d in range(n - 1, -1, -1) if start[d] == p]
            desc = ", ".join(f"{COLOUR_WORDS[colours[d]]} (size {d + 1})" for d in ds) or "nothing"
            stacks.append(f"the {PEG_WORDS[p]} peg holds {desc}")
        prompt_t2v = (f"A flat 2D side view of a tower of Hanoi puzzle on a {w['background']} background: three "
                      f"{w['rod']} pegs on a base and {n} coloured disks, sizes 1 (smallest) to {n}. From bottom to "
                      "top, " + "; ".join(stacks) + ". " + rule + " Static camera, flat colours.")
        first = self.draw_state(state, self.positions_raw(n, state["start"]), [])
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def layout_key(self, item: TaskItem) -> str:
        s = item.state
        return sha256_hex(canonical_json(["hanoi", s["start_config"], s["target"]]))

    # drawing
    @staticmethod
    def positions_raw(n: int, slots) -> np.ndarray:
        return np.array([slot_xy(n, s) for s in slots], np.float64)

    def positions(self, item, state):
        return self.positions_raw(item.state["disks"], state)

    def path(self, item, k, a, b):
        n = item.state["disks"]
        p, q = slot_xy(n, a[k]), slot_xy(n, b[k])
        top = BASE_Y - (n + 1.6) * DISK_H  # above every rod
        return [p, (p[0], top), (q[0], top), q]

    def draw_objects(self, item, xy, on_top):
        return self.draw_state(item.state, xy, on_top)

    @staticmethod
    def draw_state(s: dict, xy, on_top) -> np.ndarray:
        n, sk = s["disks"], s["skin"]
        img = np.empty((H, W, 3), np.uint8)
        fill(img, sk["background"])
        fill(img[BASE_Y:BASE_Y + 12, 24:W - 24], sk["rod"])
        rod_top = int(BASE_Y - (n + 0.8) * DISK_H)
        for x in PEG_X:
            fill(img[rod_top:BASE_Y, x - 4:x + 4], sk["rod"])
        for k in [k for k in range(n) if k not in on_top] + list(on_top):
            hw, hh = disk_half(n, k)
            fill_rect(img, xy[k][0], xy[k][1], hw, hh, OBJECT_COLOURS[s["colours"][k]])
        return img

    def solution_states(self, item, solution: int = 0):
        sols = item.state["solutions"]
        return [tuple(x) for x in sols[solution % len(sols)]]

    def random_frames(self, item, rng, fps=None, num_frames=None):
        c = tuple(item.state["start_config"])
        configs = [c]
        for _ in range(item.state["optimal_moves"] + 2):
            opts = list(moves_from(configs[-1]))
            configs.append(opts[int(rng.integers(len(opts)))])
        return self.play_states(item, [to_slots(x) for x in configs], num_frames)

    # judging
    def game(self, item) -> Game:
        s = item.state
        n, sk = s["disks"], s["skin"]
        palette = [tuple(sk["background"]), tuple(sk["rod"])]
        obj_class = []
        for k in range(n):
            palette.append(tuple(OBJECT_COLOURS[s["colours"][k]]))
            obj_class.append(len(palette) - 1)
        slot_xy_all = np.repeat(self.positions_raw(n, range(3 * n))[None], n, axis=0)
        half = np.array([disk_half(n, k) for k in range(n)])
        target = s["target"]

        def config(st):
            return tuple(v // n for v in st)

        def valid(st):
            for p in range(3):
                levels = sorted(v % n for v in st if v // n == p)
                if levels != list(range(len(levels))):
                    return False
            return True

        def legal(a, b):
            moved = [k for k in range(n) if a[k] != b[k]]
            if len(moved) != 1:
                return f"{len(moved)} disks moved at once (a move carries one disk)"
            d = moved[0]
            p, q = a[d] // n, b[d] // n
            if p == q:
                return f"disk {d + 1} moved within its own peg"
            if any(a[e] // n == p and a[e] % n > a[d] % n for e in range(n)):
                return f"disk {d + 1} was taken from under another disk"
            under = [e for e in range(n) if a[e] // n == q]
            if any(e < d for e in under):
                return f"disk {d + 1} was put on the smaller disk {min(under) + 1}"
            return None

        def lift(d, st):
            if any(st[e] // n == st[d] // n and st[e] % n > st[d] % n for e in range(n)):
                return f"disk {d + 1} was pulled from under another disk"
            return None

        dist = distances(n, target)
        return Game(canvas=(W, H), scale=0.5, palette=np.array(palette, np.uint8), obj_class=obj_class,
                    slot_xy=slot_xy_all, half=half, start=tuple(s["start"]), goals={tuple(s["goal"])},
                    optimal=s["optimal_moves"], render=lambda st: self.draw_state(s, self.positions_raw(n, st), []),
                    valid=valid, legal=legal, lift_check=lift,
                    distance=lambda st: dist.get(config(st), 2 ** n - 1) if valid(st) else 2 ** n - 1)

    # checker validity
    def perturbations(self) -> list:
        def big_on_small(fam, item, rng):
            n = item.state["disks"]
            c = tuple(item.state["start_config"])
            tops = {}
            for d, p in enumerate(c):
                tops.setdefault(p, d)
            bad = None
            for p, d in tops.items():  # a top disk onto a peg whose top is smaller
                for q, e in tops.items():
                    if e < d:
                        bad = (d, q)
            if bad is None:  # one stack only: the disk under the top one goes to an empty peg
                p = c[0]
                d = min(e for e in range(n) if c[e] == p and e != tops[p])
                q = next(x for x in range(3) if x not in tops)
                moved = list(to_slots(c))
                moved[d] = q * n
            else:
                d, q = bad
                moved = list(to_slots(c))
                moved[d] = q * n + sum(1 for e in range(n) if c[e] == q)
            return canvas_clip(fam, item, fam.play_states(item, [to_slots(c), tuple(moved)]))

        def short(fam, item, rng):
            return canvas_clip(fam, item, fam.play_states(item, fam.solution_states(item)[:-1]))

        def resized(fam, item, rng):
            grown = dict(item.state)
            n = item.state["disks"]
            frames = list(fam.solution_frames(item))
            out = []
            for i, f in enumerate(frames):  # from frame 10 on, the smallest disk is drawn twice as wide
                if i >= 10:
                    f = f.copy()
                    mask = (f == OBJECT_COLOURS[grown["colours"][0]]).all(-1)
                    ys, xs = np.nonzero(mask)
                    if len(xs):
                        hw = disk_half(n, 0)[0]
                        cx = (xs.min() + xs.max() + 1) / 2
                        f[ys.min():ys.max() + 1, int(cx - 2 * hw):int(cx + 2 * hw)] = OBJECT_COLOURS[grown["colours"][0]]
                out.append(f)
            return canvas_clip(fam, item, out)

        return [Perturbation("illegal_disk_move", "ILLEGAL_MOVE", big_on_small,
                             "a disk lands on a smaller one (or is pulled from under another)"),
                Perturbation("one_move_short", "GOAL_NOT_REACHED", short, "legal moves, stops one move early"),
                Perturbation("disk_resized", "LAYOUT_CHANGED", resized, "the smallest disk doubles its width")]
