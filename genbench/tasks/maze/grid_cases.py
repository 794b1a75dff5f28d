"""maze.grid's labelled cases for `genbench validate`: each cheat a video model could commit, drawn
exactly, with the failure code the trajectory checker must give (and one must-pass: motion blur).

Cases are built on cell paths and drawn with the family's own renderer, so they hold on every skin
(hard ones included), size and difficulty. A case that does not exist for an item (a maze with no
branch off the route has no dead end to wander into) returns None: not applicable, never a pass.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .grid_layout import adjacency, bfs, motion_plan, paste_sprite, walls_from_grid
from .textures import dress

Cell = tuple[int, int]


class _Maze:
    """An item's graph, route and drawing helpers."""

    def __init__(self, fam, item):
        from ...perturb import BUDGET as _BUDGET

        s = item.state
        self.fam, self.item = fam, item
        self.R, self.C = s["rows"], s["cols"]
        self.grid = np.array(s["grid"], np.uint8)
        self.h, self.v = walls_from_grid(self.grid)
        self.adj = adjacency(self.h, self.v)
        self.goal = s["goal"][0] * self.C + s["goal"][1]
        self.dist = bfs(self.adj, self.goal)
        self.sol = [r * self.C + c for r, c in s["solutions"][0]]
        self.geom, self.skin, self.base = fam._scene(item)
        budget = _BUDGET.get()
        n = len(self.sol) + 6  # moves a case may add
        self.step = fam.frames_per_step if not budget else max(3, min(fam.frames_per_step, (budget - 12) // n))
        self.hold = fam.hold_frames if not budget else 8

    def rc(self, k: int) -> Cell:
        return divmod(k, self.C)

    def lattice(self, k: int) -> list[int]:
        r, c = divmod(k, self.C)
        out = []
        for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= rr < self.R and 0 <= cc < self.C:
                out.append(rr * self.C + cc)
        return out

    def walled(self, k: int) -> list[int]:
        return [b for b in self.lattice(k) if b not in self.adj[k]]

    def to_goal(self, k: int) -> list[int]:
        path = [k]
        while path[-1] != self.goal:
            path.append(min(b for b in self.adj[path[-1]] if self.dist[b] == self.dist[path[-1]] - 1))
        return path

    def plan(self, path: list[int], hold: int | None = None, lead: int = 0) -> list:
        return motion_plan([self.rc(k) for k in path], self.step, self.hold if hold is None else hold, lead)

    def branch(self):
        """(k, dead-end walk) for the first route cell with an open side branch, or None."""
        on = set(self.sol)
        for k in self.sol[:-1]:
            for b in sorted(self.adj[k]):
                if b in on:
                    continue
                walk, prev = [b], k
                while True:  # go deeper, always to the lowest-numbered child, until a dead end
                    nxt = [x for x in sorted(self.adj[walk[-1]]) if x != prev]
                    if not nxt or len(walk) >= 6:
                        break
                    prev = walk[-1]
                    walk.append(nxt[0])
                if not [x for x in self.adj[walk[-1]] if x != prev]:  # a true dead end
                    return k, walk
        return None

    def block_rect(self, by: int, bx: int) -> tuple[int, int, int, int]:
        """Canvas (x0, y0, x1, y1) of block-grid cell (by, bx): odd = a cell, even = a wall strip."""
        g = self.geom

        def span(b: int) -> tuple[int, int]:
            if b % 2:
                a = g.wall + (b - 1) // 2 * g.pitch
                return a, a + g.cell
            a = b // 2 * g.pitch
            return a, a + g.wall
        (x0, x1), (y0, y1) = span(bx), span(by)
        return x0, y0, x1, y1

    def frames(self, plan: list, layouts: list | None = None, extra: dict | None = None) -> Iterator[np.ndarray]:
        """Draw each plan entry: a cell position, None (no agent), plus ``extra[i]`` more agents;
        ``layouts`` gives (first frame index, layout image) switches."""
        g, sk = self.geom, self.skin
        switches = sorted(layouts or [], key=lambda t: t[0])
        base = self.base
        for i, pos in enumerate(plan):
            while switches and switches[0][0] <= i:
                base = switches.pop(0)[1]
            f = base.copy()
            for q in ([pos] if pos is not None else []) + list((extra or {}).get(i, [])):
                paste_sprite(f, g, sk.agent_shape, sk.agent_scale, sk.agent, *g.centre(*q))
            yield dress(f, sk)


def _clip(fam, item, frames):
    from ...perturb import canvas_clip

    return canvas_clip(fam, item, frames)


def teleport_wall(fam, item, rng):
    """Jump through a wall into the neighbouring cell in one frame (a shortcut where one exists)."""
    m = _Maze(fam, item)
    options = [(m.dist[b] - m.dist[k], i, b) for i, k in enumerate(m.sol[:-1]) for b in m.walled(k)]
    if not options:
        return None
    _, i, b = min(options)
    plan = m.plan(m.sol[:i + 1], hold=3) + m.plan(m.to_goal(b))
    return _clip(fam, item, m.frames(plan))


def wall_walk(fam, item, rng):
    """Walk through a wall, gradually, into the neighbouring cell, then on to the goal."""
    m = _Maze(fam, item)
    options = [(m.dist[b] - m.dist[k], i, b) for i, k in enumerate(m.sol[:-1]) for b in m.walled(k)]
    if not options:
        return None
    _, i, b = min(options)
    return _clip(fam, item, m.frames(m.plan(m.sol[:i + 1] + m.to_goal(b))))


def stop_short(fam, item, rng):
    m = _Maze(fam, item)
    return _clip(fam, item, m.frames(m.plan(m.sol[:-1])))


def goal_then_leave(fam, item, rng):
    m = _Maze(fam, item)
    return _clip(fam, item, m.frames(m.plan(m.sol + [m.sol[-2]])))


def dead_end_detour(fam, item, rng):
    m = _Maze(fam, item)
    br = m.branch()
    if br is None:
        return None
    k, walk = br
    i = m.sol.index(k)
    path = m.sol[:i + 1] + walk + walk[::-1][1:] + [k] + m.sol[i + 1:]
    return _clip(fam, item, m.frames(m.plan(path)))


def dead_end_stay(fam, item, rng):
    m = _Maze(fam, item)
    br = m.branch()
    if br is None:
        return None
    k, walk = br
    i = m.sol.index(k)
    return _clip(fam, item, m.frames(m.plan(m.sol[:i + 1] + walk)))


def vanish(fam, item, rng):
    """Half the route, then no agent for a second, then the agent sits on the goal."""
    m = _Maze(fam, item)
    half = max(1, len(m.sol) // 2)
    gone = max(int(fam.default_fps), 8)
    plan = m.plan(m.sol[:half + 1], hold=0) + [None] * gone + [m.rc(m.goal)] * (m.hold + 1)
    return _clip(fam, item, m.frames(plan))


def duplicate(fam, item, rng):
    """Two moves in, a second agent appears on the start cell and stays while the first goes on."""
    m = _Maze(fam, item)
    plan = m.plan(m.sol)
    at = 2 * m.step
    extra = {i: [m.rc(m.sol[0])] for i in range(at, len(plan))}
    return _clip(fam, item, m.frames(plan, extra=extra))


def walls_erased(fam, item, rng):
    """From a third of the way on, three inner wall blocks away from the route become floor."""
    m = _Maze(fam, item)
    img = _erased(m, rng, 3)
    if img is None:
        return None
    plan = m.plan(m.sol)
    return _clip(fam, item, m.frames(plan, layouts=[(len(plan) // 3, img)]))


def wall_fades_open(fam, item, rng, fade: int = 12):
    """From a third of the way on, one inner wall block fades into floor over ``fade`` frames (a
    model's drawing drifting, not a cut): the opening must be caught however slowly it comes."""
    m = _Maze(fam, item)
    img = _erased(m, rng, 1)
    if img is None:
        return None
    plan = m.plan(m.sol)
    at = len(plan) // 3
    steps = [(at + j, _blend(m.base, img, (j + 1) / fade)) for j in range(fade)]
    return _clip(fam, item, m.frames(plan, layouts=steps))


def _blend(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    return np.round(a * (1 - t) + b * t).astype(np.uint8)


def _erased(m, rng, count: int):
    """The layout with ``count`` inner wall blocks away from the route turned to floor, or None."""
    g = m.grid
    on = {(2 * r + 1, 2 * c + 1) for r, c in map(m.rc, m.sol)}
    cand = [(by, bx) for by in range(1, g.shape[0] - 1) for bx in range(1, g.shape[1] - 1)
            if g[by, bx] == 1 and (by % 2 or bx % 2)  # a wall between two cells, not a corner post
            and min(abs(by - a) + abs(bx - b) for a, b in on) >= 2]
    if not cand:
        return None
    pick = [cand[j] for j in rng.choice(len(cand), size=min(count, len(cand)), replace=False)]
    img = m.base.copy()
    for by, bx in pick:
        x0, y0, x1, y1 = m.block_rect(by, bx)
        img[y0:y1, x0:x1] = m.skin.floor
    return img


def wall_added(fam, item, rng):
    """Once the agent is three moves on, the passage it used first is walled up behind it."""
    m = _Maze(fam, item)
    (r0, c0), (r1, c1) = m.rc(m.sol[0]), m.rc(m.sol[1])
    img = m.base.copy()
    x0, y0, x1, y1 = m.block_rect(r0 + r1 + 1, c0 + c1 + 1)  # the passage between them
    img[y0:y1, x0:x1] = m.skin.wall
    plan = m.plan(m.sol)
    return _clip(fam, item, m.frames(plan, layouts=[(3 * m.step + m.step // 2, img)]))


def goal_moved(fam, item, rng):
    """The agent stops half way and the goal jumps to meet it."""
    m = _Maze(fam, item)
    half = max(1, len(m.sol) // 2)
    stop = m.rc(m.sol[half])
    moved = m.fam._scene(item)[2].copy()
    g = m.geom
    gr, gc = m.rc(m.goal)
    x0, y0, x1, y1 = m.block_rect(2 * gr + 1, 2 * gc + 1)
    moved[y0:y1, x0:x1] = m.skin.floor_alt if (m.skin.floor_alt is not None and (gr + gc) % 2) else m.skin.floor
    paste_sprite(moved, g, m.skin.goal_shape, m.skin.goal_scale, m.skin.goal, *g.centre(*stop))
    plan = m.plan(m.sol[:half + 1])
    return _clip(fam, item, m.frames(plan, layouts=[(half * m.step, moved)]))


def motion_blur(fam, item, rng):
    """Must pass: the sprite smeared along its motion (60% now, 25% and 15% of earlier positions)."""
    m = _Maze(fam, item)
    frames = list(m.frames(m.plan(m.sol)))
    lag = max(1, m.step // 6)

    def gen():
        for i, f in enumerate(frames):
            a, b = frames[max(i - lag, 0)], frames[max(i - 2 * lag, 0)]
            yield ((f.astype(np.uint16) * 154 + a.astype(np.uint16) * 64 + b.astype(np.uint16) * 38) >> 8).astype(np.uint8)
    return _clip(fam, item, gen())


def grid_perturbations() -> list:
    from ...perturb import PASS, Perturbation

    P = Perturbation
    return [
        P("teleport_wall", "TELEPORT", teleport_wall, "jumps through a wall into the next cell in one frame"),
        P("wall_walk", "WALL_CROSSING", wall_walk, "walks through a wall into the next cell"),
        P("stop_short", "GOAL_NOT_REACHED", stop_short, "stops one cell short of the goal"),
        P("goal_then_leave", "GOAL_NOT_HELD", goal_then_leave, "reaches the goal, then steps off it"),
        P("dead_end_detour", "NOT_OPTIMAL", dead_end_detour, "wanders into a dead end, comes back, reaches the goal"),
        P("dead_end_stay", "GOAL_NOT_REACHED", dead_end_stay, "takes a wrong branch and stays in the dead end"),
        P("vanish", "SPRITE_LOST", vanish, "disappears for a second, reappears on the goal"),
        P("duplicate", "AGENT_DUPLICATED", duplicate, "a second agent appears and stays"),
        P("walls_erased", "LAYOUT_CHANGED", walls_erased, "three walls away from the route vanish"),
        P("wall_fades_open", "LAYOUT_CHANGED", wall_fades_open, "a wall block fades into floor over 12 frames"),
        P("wall_added", "LAYOUT_CHANGED", wall_added, "a passage is walled up behind the agent"),
        P("goal_moved", "LAYOUT_CHANGED", goal_moved, "the goal jumps to where the agent stopped"),
        P("motion_blur", PASS, motion_blur, "mild sprite blur / ghosting between cells", budget_ok=False),
        P("wall_excursion", "WALL_CROSSING", wall_excursion,
          "the agent's centre goes a third of a cell into a wall and comes back"),
    ]


def wall_excursion(fam, item, rng):
    from .excursion import wall_excursion as excursion

    m = _Maze(fam, item)
    g = m.geom
    xy = [g.centre(*rc) for rc in m.plan(m.sol)]
    to_rc = lambda x, y: ((y - g.wall - g.cell / 2) / g.pitch, (x - g.wall - g.cell / 2) / g.pitch)  # noqa: E731
    return excursion(fam, item, xy, lambda pos: _clip(fam, item, m.frames([to_rc(*p) for p in pos])))
