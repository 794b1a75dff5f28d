"""A graph maze's layout: its config, the lattice a family builds (nodes, neighbour pairs, a route per
pair), carving the spanning tree, and the routes an agent walks along a node path."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...geometry import resample
from ...schema import is_shared, lines_json, share_json, shared_json
from ..config import TaskConfig, knob
from .grid_layout import kruskal_joins

@dataclass(frozen=True)
class Level(TaskConfig):
    """A graph maze's config; each family bounds ``size`` (its own knob) in a subclass."""

    size: int = knob(0, 64, doc="the family's size knob (hex radius, rings, junction spacing …)")
    min_path: int = knob(1, 1000, doc="minimum moves on the shortest path")
    # walls removed after carving the spanning tree (more loops → several routes)
    loops: int = knob(0, 1000, default=0)
    # backtracker: long corridors, few dead ends; kruskal: many branches
    algorithm: str = knob(choices=("backtracker", "kruskal"), default="backtracker")


@dataclass
class Lattice:
    """What a family builds; plain data so the state (JSON) can redraw it exactly."""

    width: int
    height: int
    node_xy: list  # [[x, y]] canvas floats (or an (N, 2) array)
    pairs: list  # [[a, b]] neighbour pairs, a < b (or (a, b) tuples)
    routes: list  # per pair: polyline [[x, y], …] (or an (n, 2) array) from a to b
    cell_px: float  # the cell size (sets sprite size and checker tolerances)
    style: str  # "cells" | "roads"
    draw: dict = field(default_factory=dict)  # style-specific shapes (see draw_labels)
    info: dict = field(default_factory=dict)  # family-specific facts kept in the state
    _json: dict | None = None
    _json_text: str | None = None

    def to_json(self) -> dict:
        """The state's "lattice" entry (memoised: fixed lattices are shared between items)."""
        if self._json is None:
            rnd = lambda v: np.round(np.asarray(v, np.float64), 2).tolist()  # noqa: E731
            draw = {k: ([rnd(x) for x in v] if k in ("cells", "boundaries", "outer") else
                        rnd(v) if k == "pillars" else v) for k, v in self.draw.items()}
            self._json = share_json({"width": self.width, "height": self.height, "node_xy": rnd(self.node_xy),
                          "pairs": [[int(a), int(b)] for a, b in self.pairs],
                          "routes": _round_lines(self.routes), "cell_px": round(float(self.cell_px), 3),
                          "style": self.style, "draw": draw})
            self._json_text = shared_json(self._json)
        elif not is_shared(self._json):  # pushed out by newer shares (each random lattice shares its own)
            share_json(self._json, self._json_text)
        return self._json


def _round_lines(lines: list) -> list:
    """Each polyline's points rounded to 2 decimals, as lists: one rounding for all of them (a random
    lattice has a hundred routes; one numpy call each was a tenth of an irregular item). The lists are
    shared with their JSON text and their cv2 points (_route_points) made from the same array."""
    if not lines:
        return []
    flat = np.round(np.concatenate(lines).astype(np.float64, copy=False), 2)
    cut = np.cumsum([len(x) for x in lines]).tolist()
    starts = [0] + cut[:-1]
    points = flat.tolist()
    out = share_json([points[a:b] for a, b in zip(starts, cut)], lines_json(flat, cut))
    ints = np.round(flat).astype(np.int32).reshape(-1, 1, 2)
    _ROUTE_POINTS.append((out, [ints[a:b] for a, b in zip(starts, cut)]))
    del _ROUTE_POINTS[:-16]
    return out


# (a lattice's JSON routes, their int32 cv2 points): by identity, newest last; the entry holds the list,
# so its id cannot be reused while it is here
_ROUTE_POINTS: list = []


def _route_points(routes: list) -> list[np.ndarray]:
    """The cv2 points of a lattice's JSON routes: kept from when they were made, else rounded now."""
    for known, points in reversed(_ROUTE_POINTS):
        if known is routes:
            return points
    return _pts_many(routes)


def _pts_many(lines: list) -> list[np.ndarray]:
    """[_pts(x) for x in lines], rounded in one call (a hundred roads per irregular item)."""
    if not lines:
        return []
    flat = np.round(np.concatenate(lines).astype(np.float64, copy=False)).astype(np.int32).reshape(-1, 1, 2)
    cut = np.cumsum([len(x) for x in lines]).tolist()
    return [flat[a:b] for a, b in zip([0] + cut[:-1], cut)]


# --- carving --------------------------------------------------------------------------------------

def spanning_tree(n: int, pairs: list, rng: np.random.Generator, algorithm: str) -> np.ndarray:
    """Open flags per pair forming a spanning tree of the lattice graph."""
    is_open = np.zeros(len(pairs), bool)
    if algorithm == "kruskal":  # open only a pair that joins two trees
        is_open[kruskal_joins(n, pairs, rng.permutation(len(pairs)).tolist())] = True
        return is_open
    inc = _incidence(n, pairs)
    seen = [False] * n  # a list: indexed once per neighbour looked at, where numpy's scalar access is slow
    s = int(rng.integers(n))
    stack, seen[s] = [s], True
    while stack:
        a = stack[-1]
        free = [(b, k) for b, k in inc[a] if not seen[b]]
        if not free:
            stack.pop()
            continue
        b, k = free[int(rng.integers(len(free)))]
        is_open[k] = seen[b] = True
        stack.append(b)
    return is_open


# (pairs list, its incidence lists): by identity, newest last; a fixed lattice (hex, circular) hands
# every item the same pairs list, so its incidence is built once, not per item
_INCIDENCE: list = []


def _incidence(n: int, pairs: list) -> list[list[tuple[int, int]]]:
    """node → [(neighbour, pair index)] in pair order (read-only: shared by the items of a lattice)."""
    for known, inc in reversed(_INCIDENCE):
        if known is pairs and len(inc) == n:
            return inc
    inc: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for k, (a, b) in enumerate(pairs):
        inc[a].append((b, k))
        inc[b].append((a, k))
    _INCIDENCE.append((pairs, inc))  # holds the list: its id cannot be reused while it is here
    del _INCIDENCE[:-4]
    return inc


def adjacency_of(n: int, pairs: list, is_open) -> list[list[int]]:
    adj: list[list[int]] = [[] for _ in range(n)]
    for k in np.flatnonzero(is_open).tolist():  # not zip(pairs, is_open): numpy scalars per pair are slow
        a, b = pairs[k]
        adj[a].append(b)
        adj[b].append(a)
    return adj


# --- motion ---------------------------------------------------------------------------------------

def route_points(state: dict, path: list[int]) -> np.ndarray:
    """The polyline an agent follows along a node path (routes reversed where walked b→a)."""
    index = {(a, b): k for k, (a, b) in enumerate(state["lattice"]["pairs"])}
    routes = state["lattice"]["routes"]
    xy = state["lattice"]["node_xy"]
    out = [xy[path[0]]]
    for a, b in zip(path, path[1:]):
        k = index.get((min(a, b), max(a, b)))
        line = [xy[a], xy[b]] if k is None else (routes[k] if a < b else routes[k][::-1])
        out += list(line[1:])
    return np.asarray(out, np.float64)


def along(points: np.ndarray, n: int) -> list[tuple[float, float]]:
    """n positions equally spaced by arc length from the first point to the last."""
    if len(points) < 2 or n <= 1:
        return [tuple(points[-1])] * max(n, 1)
    return list(map(tuple, resample(points, n).tolist()))
