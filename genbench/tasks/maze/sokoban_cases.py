"""maze.sokoban's must-fail controls: videos that break one rule each (a pull, a push into a wall, a box
sliding alone, a walk through a wall, a lean into one, stopping short, a target moved mid-video), built
from the level's own solution and drawn by the family's renderer."""

from __future__ import annotations

import dataclasses

import numpy as np

from .sokoban_solver import DIRS, _reach, _route, replay


def _states(item):
    s = item.state
    sol = [tuple(p) for p in s["solution"]]
    return sol, replay(sol, s["boxes"]), np.array(s["grid"]) == 0


def _clip(fam, item, path, track):
    from ...perturb import canvas_clip

    return canvas_clip(fam, item, fam.frames_for(item, path, boxes_track=track))


def _walk_then(item, want):
    """Follow the solution for k steps, walk to a cell chosen by ``want(boxes, reach)``, return the
    joined path, box track and the choice (the first k that offers one), or None."""
    sol, track, free = _states(item)
    for k in range(len(sol)):
        bx = frozenset(track[k])
        reach = _reach(free, bx, sol[k])
        pick = want(bx, reach, free)
        if pick is None:
            continue
        stand, extra = pick
        route = _route(reach, stand)
        path = sol[:k + 1] + route[1:]
        tr = track[:k + 1] + [list(track[k])] * (len(route) - 1)  # same box order: frames interpolate by index
        return path, tr, extra
    return None  # no place for this control in the level: not applicable to the item


def sokoban_perturbations() -> list:
    from ...perturb import Perturbation

    def pull(fam, item, rng):
        def want(bx, reach, free):
            for b in sorted(bx):
                for d in DIRS.values():
                    front, far = (b[0] + d[0], b[1] + d[1]), (b[0] + 2 * d[0], b[1] + 2 * d[1])
                    if front in reach and free[far] and far not in bx:
                        return front, (b, d, far)
            return None
        found = _walk_then(item, want)
        if found is None:
            return None
        path, tr, (b, d, far) = found
        moved = [(b[0] + d[0], b[1] + d[1]) if x == b else x for x in tr[-1]]
        return _clip(fam, item, path + [far], tr + [moved])

    def push_into_wall(fam, item, rng):
        def want(bx, reach, free):
            for b in sorted(bx):
                for d in DIRS.values():
                    behind, dest = (b[0] - d[0], b[1] - d[1]), (b[0] + d[0], b[1] + d[1])
                    if behind in reach and not free[dest]:
                        return behind, (b, d)
            return None
        found = _walk_then(item, want)
        if found is None:
            return None
        path, tr, (b, d) = found
        moved = [(b[0] + d[0], b[1] + d[1]) if x == b else x for x in tr[-1]]
        return _clip(fam, item, path + [b, b], tr + [moved, moved])

    def box_alone(fam, item, rng):
        sol, track, free = _states(item)
        p = sol[0]
        for b in sorted(map(tuple, item.state["boxes"])):
            for d in DIRS.values():
                dest, behind = (b[0] + d[0], b[1] + d[1]), (b[0] - d[0], b[1] - d[1])
                if free[dest] and dest not in track[0] and dest != p and behind != p:
                    moved = [dest if x == b else x for x in track[0]]
                    return _clip(fam, item, [p, p, p, p], [track[0], track[0], moved, moved])
        raise RuntimeError("no free cell for the box to slide into")

    def wall_walk(fam, item, rng):
        def want(bx, reach, free):
            for cell in sorted(reach):
                for d in DIRS.values():
                    w = (cell[0] + d[0], cell[1] + d[1])
                    if not free[w]:
                        return cell, w
            return None
        found = _walk_then(item, want)
        if found is None:
            return None
        path, tr, w = found
        return _clip(fam, item, path + [w, path[-1]], tr + [tr[-1], tr[-1]])

    def wall_excursion(fam, item, rng):
        sol, track, free = _states(item)
        beyond = 0.3  # cells past the floor cell's edge: the least that must fail
        for k, cell in enumerate(sol[1:-1], 1):  # on the route: the player leans into a wall beside it
            for d in DIRS.values():
                if not free[cell[0] + d[0], cell[1] + d[1]]:
                    tip = (cell[0] + d[0] * (0.5 + beyond), cell[1] + d[1] * (0.5 + beyond))  # past its edge
                    return _clip(fam, item, sol[:k + 1] + [tip, tip, cell] + sol[k + 1:],
                                 track[:k + 1] + [track[k]] * 3 + track[k + 1:])
        return None

    def stop_short(fam, item, rng):
        sol, track, _ = _states(item)
        last_push = max(k for k in range(1, len(sol)) if track[k] != track[k - 1])
        return _clip(fam, item, sol[:last_push], track[:last_push])

    def goal_moved(fam, item, rng):
        sol, track, free = _states(item)
        s = item.state
        targets = [tuple(t) for t in s["targets"]]
        used = set(sol) | {tuple(b) for boxes in track for b in boxes} | set(targets)
        spare = [tuple(map(int, c)) for c in np.argwhere(free) if tuple(map(int, c)) not in used]
        if not spare:
            return None  # every floor cell is walked or pushed over: nowhere to move a target out of the way
        t = targets[0]
        dest = max(spare, key=lambda c: (abs(c[0] - t[0]) + abs(c[1] - t[1]), c))
        moved = dataclasses.replace(item, state={**s, "targets": [list(dest)] + [list(x) for x in targets[1:]]})
        # the same play; from its middle frame on, the first target is drawn on a cell nobody visits (the box
        # is still pushed onto where the target was)
        before, after = list(fam.frames_for(item, sol)), list(fam.frames_for(moved, sol))
        from ...perturb import canvas_clip

        return canvas_clip(fam, item, before[:len(before) // 2] + after[len(before) // 2:])

    return [Perturbation("pull", "ILLEGAL_MOVE", pull, "the player walks away and the box follows"),
            Perturbation("push_into_wall", "ILLEGAL_MOVE", push_into_wall, "a box pushed into a wall"),
            Perturbation("box_alone", "ILLEGAL_MOVE", box_alone, "a box slides with nobody behind it"),
            Perturbation("wall_walk", "WALL_CROSSING", wall_walk, "the player walks through a wall and back"),
            Perturbation("wall_excursion", "WALL_CROSSING", wall_excursion,
                         "the player's centre goes a third of a cell into a wall and comes back"),
            Perturbation("stop_short", "GOAL_NOT_REACHED", stop_short, "stops before the last push"),
            Perturbation("goal_moved", "LAYOUT_CHANGED", goal_moved,
                         "a target marker moves to an unvisited floor cell mid-video")]
