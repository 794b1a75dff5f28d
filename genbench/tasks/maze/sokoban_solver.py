"""maze.sokoban's solver: a breadth-first search over push states (the boxes and the region the player
can reach without pushing), which gives the minimum number of pushes and one solution; pushes onto dead
squares (from which no box reaches a target) are not searched."""

from __future__ import annotations

from collections import deque
from typing import Iterable

import numpy as np

DIRS = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}


def _reach(free: np.ndarray, boxes: frozenset, src: tuple) -> dict:
    """Cells the player can walk to without pushing, with a parent map for the route."""
    R, C = free.shape
    par = {src: None}
    q = deque([src])
    while q:
        r, c = q.popleft()
        for dr, dc in DIRS.values():
            n = (r + dr, c + dc)
            if 0 <= n[0] < R and 0 <= n[1] < C and free[n] and n not in boxes and n not in par:
                par[n] = (r, c)
                q.append(n)
    return par


def _route(par: dict, dst: tuple) -> list:
    out = [dst]
    while par[out[-1]] is not None:
        out.append(par[out[-1]])
    return out[::-1]


class _Room:
    """The room's free cells, their free neighbours, the live squares, and the player's regions per box set.

    The search keys a state by its boxes and the smallest cell of the player's region. Regions are
    labelled once per box set (cached: many states and successors share one) by a flood fill over
    precomputed neighbour lists, instead of a flood fill per successor over the numpy grid.
    """

    def __init__(self, free: np.ndarray, targets: frozenset):
        R, C = free.shape
        self.cells = [(int(r), int(c)) for r, c in np.argwhere(free)]  # row-major: the first of a region is its min
        self.free = set(self.cells)
        self.nbrs = {(r, c): [n for n in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)) if n in self.free]
                     for r, c in self.cells}
        self.live = self._live(targets)
        self._regions: dict = {}

    def _live(self, targets: frozenset) -> set:
        """Squares from which a lone box can still be pushed onto some target (pulled back from the targets:
        box t → t+d needs t+d and t+2d free). A box on any other square never reaches a target."""
        live = set(t for t in targets if t in self.free)
        todo = list(live)
        while todo:
            r, c = todo.pop()
            for dr, dc in DIRS.values():
                n, stand = (r + dr, c + dc), (r + 2 * dr, c + 2 * dc)
                if n not in live and n in self.free and stand in self.free:
                    live.add(n)
                    todo.append(n)
        return live

    def regions(self, boxes: frozenset) -> dict:
        """Every free, box-free cell → the smallest cell of its region (what the player can walk)."""
        lab = self._regions.get(boxes)
        if lab is None:
            lab = {}
            for cell in self.cells:
                if cell in lab or cell in boxes:
                    continue
                lab[cell] = cell
                stack = [cell]
                while stack:
                    for n in self.nbrs[stack.pop()]:
                        if n not in lab and n not in boxes:
                            lab[n] = cell
                            stack.append(n)
            self._regions[boxes] = lab
        return lab


def solve(free: np.ndarray, player: tuple, boxes: Iterable, targets: Iterable, max_states: int = 60000):
    """Minimum-push solution as a list of player cells (start included), or None.

    BFS over (boxes, player region): one push per edge, so the first solved state has the fewest pushes.
    A push onto a dead square (no target reachable from it) is not searched: every state below it is
    dead too, so live states are found in the same order by the same parents, and the solution is the
    same as without pruning whenever the unpruned search stays under ``max_states``.
    """
    targets = frozenset(map(tuple, targets))
    start_boxes = frozenset(map(tuple, boxes))
    room = _Room(free, targets)

    def key(bx, pl):
        return bx, room.regions(bx)[pl]

    start = (start_boxes, tuple(player))
    seen = {key(*start): None}
    parent = {start: None}
    q = deque([start])
    while q and len(seen) < max_states:
        bx, pl = q.popleft()
        if bx == targets:
            pushes = []  # (player before push, player after) chain back to the start
            s = (bx, pl)
            while parent[s] is not None:
                pushes.append(s)
                s = parent[s]
            pushes = pushes[::-1]
            path, cur_b, cur_p = [tuple(player)], start_boxes, tuple(player)
            for nb, np_ in pushes:
                d = (np_[0] - _behind_dir(cur_b, nb)[0], np_[1] - _behind_dir(cur_b, nb)[1])
                walk = _route(_reach(free, cur_b, cur_p), d)
                path += walk[1:] + [np_]
                cur_b, cur_p = nb, np_
            return path, len(pushes)
        regions = room.regions(bx)
        here = regions[pl]
        for b in bx:
            for dr, dc in DIRS.values():
                stand, dest = (b[0] - dr, b[1] - dc), (b[0] + dr, b[1] + dc)
                if regions.get(stand) != here or dest not in room.live or dest in bx:
                    continue
                nb = (bx - {b}) | {dest}
                ns = (frozenset(nb), b)
                k = key(*ns)
                if k in seen:
                    continue
                seen[k] = True
                parent[ns] = (bx, pl)
                q.append(ns)
    return None


def _behind_dir(old: frozenset, new: frozenset) -> tuple:
    """The direction the pushed box moved (old → new)."""
    (a,), (b,) = old - new, new - old
    return b[0] - a[0], b[1] - a[1]


def replay(path: list, boxes) -> list:
    """Box positions after each player step of ``path`` (a step into a box pushes it)."""
    cur = [tuple(b) for b in boxes]
    out = [list(cur)]
    for a, b in zip(path, path[1:]):
        d = (b[0] - a[0], b[1] - a[1])
        cur = [(x[0] + d[0], x[1] + d[1]) if x == tuple(b) else x for x in cur]
        out.append(list(cur))
    return out
