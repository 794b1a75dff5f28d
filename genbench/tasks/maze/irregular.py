"""maze.irregular: curved roads between scattered junctions (VR-Bench's irregular maze, checked on the road mask).

Junctions are Poisson-disk points (random sequential adsorption, scipy's KD-tree); their Delaunay
triangulation (scipy.spatial) gives the candidate roads, each a gentle quadratic curve. Roads that would run into another
junction or another road are straightened or dropped, then the base carves a spanning tree plus a
few loop roads. Everything off the roads is "wall": the agent must stay on the road mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ...geometry import linspaces
from ..base import register_task
from ..config import knob
from .graph_layout import Lattice, Level
from .graphmaze import GraphMaze
from .grid_layout import kruskal_joins

CANVAS = 416
ROAD = 0.28  # road width / Poisson radius
NODE = 1.3  # junction disk radius / road width
BEND = (0.08, 0.22)  # curve bulge / road length
ROUTE_STEP = 12.0  # px between the stored points of a road
# the sampler packs a few per cent denser than version 1's (scipy's Bridson) at one radius: junctions
# this much further apart keep version 1's junction counts (bench/bench_graph_stats.py)
SPACING = 1.03
_SIGNS = np.array([-1.0, 1.0])  # a curve bulges to either side
RADIUS = {"easy": 0.26, "medium": 0.19, "hard": 0.14, "ood": 0.105}  # Poisson radius, unit square


def _road_points(p0: np.ndarray, p1: np.ndarray, bulge: np.ndarray, step, least=3):
    """Points (at least ``least`` each) about every ``step`` px along quadratic curves from p0[k] to p1[k], bulging sideways by
    bulge[k] × their length, all at once: (points, owner curve per point, points per curve). Evenly
    spaced in the curve parameter (a bulge ≤ 0.22 keeps the spacing within ~1.3× of ``step``).
    ``step`` and ``least`` may be arrays, one per curve: each curve's floats are still those of a call
    of its own (every operation is elementwise)."""
    d = p1 - p0
    ctrl = (p0 + p1) / 2 + bulge[:, None] * np.stack([-d[:, 1], d[:, 0]], 1)
    n = np.maximum(least, (np.hypot(d[:, 0], d[:, 1]) / step).astype(np.int64) + 1)
    t = linspaces(n, np.ones(len(n)))[:, None]
    u = 1 - t
    # each curve's ends repeated per point (np.repeat: 3× faster than gathering by owner); u * u is
    # exactly (1 - t) ** 2, which numpy squares with one multiplication
    pts = u * u * np.repeat(p0, n, 0) + 2 * u * t * np.repeat(ctrl, n, 0) + t * t * np.repeat(p1, n, 0)
    return pts, np.repeat(np.arange(len(n)), n), n


def poisson_disk(radius: float, rng: np.random.Generator) -> np.ndarray:
    """A maximal Poisson-disk set in the unit square: no two points closer than ``radius``, no room left.

    Random sequential adsorption on a jittered candidate grid (one uniform point per square of side
    radius/3, taken in a random order; each kept unless an earlier kept one lies within ``radius``). The
    greedy order's result is found in a few array rounds (a candidate is kept once no undecided earlier
    neighbour is left; its later neighbours are then dropped) on scipy's KD-tree pairs, instead of a
    Python loop per candidate as in Bridson's algorithm (scipy.stats.qmc.PoissonDisk, the sampler of
    version 1, was 40% of an item). Any point of the square lies within ~1.5 × radius of a kept one; the
    counts are within a few per cent of qmc.PoissonDisk.fill_space at the same radius.
    """
    from scipy.spatial import cKDTree

    side = radius / 3
    m = int(np.ceil(1 / side))
    cand = (_grid(m) + rng.random((m * m, 2))) * side
    cand = cand[(cand <= 1.0).all(1)]
    cand = cand[rng.permutation(len(cand))]  # the greedy order
    lo, hi = cKDTree(cand).query_pairs(radius, output_type="ndarray").T  # lo < hi: lo comes first
    state = np.zeros(len(cand), np.int8)  # 0 undecided, 1 kept, 2 dropped
    while (undecided := state == 0).any():  # the first undecided candidate is always kept: it ends
        blocked = np.zeros(len(cand), bool)
        blocked[hi[undecided[lo] & undecided[hi]]] = True
        keep = undecided & ~blocked
        state[keep] = 1
        state[hi[keep[lo]]] = 2
    return cand[state == 1]


@lru_cache(maxsize=8)
def _grid(m: int) -> np.ndarray:
    """The (row, column) of every square of an m × m grid, rows first (np.indices), kept read-only."""
    grid = np.indices((m, m)).reshape(2, -1).T
    grid.flags.writeable = False
    return grid


def conflict_step(road: float) -> float:
    return max(2.0, road / 4)


def _sample_both(ends: np.ndarray, bulge: np.ndarray, xy: np.ndarray, road: float, node_r: float):
    """Every candidate road (indices into ``ends``) sampled both as curved (``bulge``) and as
    straightened (bulge 0), each at the conflict step and as drawn, in one _road_points batch (the same
    floats as a call per version; which roads get straightened is known only after the first check, and
    four calls' numpy overhead was a tenth of an easy item). Returns (conflict samples, owner road per
    sample, whether it is of the straightened version, drawn points of the curved then the straightened
    roads).

    Conflict samples are a quarter road apart (version 1: 2 px, up to 11× more pairs of points, mostly
    on one road): two roads flagged below 1.6 road widths apart are then < 1.6 + 1/4 apart, and roads
    kept are ≥ 1.35 apart; the stretch inside and around a road's own junctions, where roads meet by
    design, is left out. Drawn points are one per ~12 px, at least 5 (version 1: 6 px, at least 3):
    they stray < 0.5 px from the curve at the tightest bend of any road, and halve the state's JSON."""
    k = len(ends)
    p0, p1 = xy[ends[:, 0]], xy[ends[:, 1]]
    flat = np.zeros(k)
    step = np.repeat([conflict_step(road), conflict_step(road), ROUTE_STEP, ROUTE_STEP], k)
    pts, row, n = _road_points(np.tile(p0, (4, 1)), np.tile(p1, (4, 1)), np.concatenate([bulge, flat, bulge, flat]),
                               step, np.repeat([3, 3, 5, 5], k))
    m = int(n[:2 * k].sum())
    owner = row[:m] % max(k, 1)
    reach = node_r + road
    far = ((np.hypot(*(pts[:m] - np.repeat(np.tile(p0, (2, 1)), n[:2 * k], 0)).T) > reach)
           & (np.hypot(*(pts[:m] - np.repeat(np.tile(p1, (2, 1)), n[:2 * k], 0)).T) > reach))
    cut = np.cumsum(n[2 * k:]).tolist()
    drawn = [pts[m + a:m + b] for a, b in zip([0] + cut[:-1], cut)]
    return pts[:m][far], owner[far], row[:m][far] >= k, drawn


def _clashes(pts: np.ndarray, owner: np.ndarray, nodes, road: float, node_r: float, clear: int = 0) -> set:
    """The roads (owners) whose sample points pass over a junction (``nodes``: the junctions' scipy
    KD-tree), or come too close to a road before them: KD-tree queries on all points at once.
    Order-free: a set of roads from sets of pairs. The first ``clear`` points are known to keep off
    other junctions (their roads passed before)."""
    from scipy.spatial import cKDTree

    # passes over a junction that is not its own
    near = nodes.query_ball_point(pts[clear:], node_r + road, return_length=True) > 0
    bad = set(owner[clear:][near].tolist())
    ij = cKDTree(pts).query_pairs(1.6 * road, output_type="ndarray")
    other = owner[ij[:, 0]] != owner[ij[:, 1]]
    bad.update(np.maximum(owner[ij[:, 0]], owner[ij[:, 1]])[other].tolist())  # the later road of a clash
    return bad


def _straighten(bulge, nodes, road, node_r, pts, owner, straight, bad: set) -> set:
    """Straighten the ``bad`` roads (bulge set to 0 in place) and return the conflicts of the result,
    from both versions' samples (_sample_both): the straightened roads' samples replace their curved
    ones, and only they are checked against the junctions (the other roads passed that check)."""
    redo = np.zeros(len(bulge), bool)
    redo[sorted(bad)] = True
    bulge[redo] = 0.0
    mine = redo[owner]
    kept = np.flatnonzero(~straight & ~mine)  # first: the roads that stay as they were
    take = np.concatenate([kept, np.flatnonzero(straight & mine)])
    return _clashes(pts[take], owner[take], nodes, road, node_r, clear=len(kept))


def irregular_lattice(radius: float, rng: np.random.Generator, canvas: int = CANVAS) -> Lattice:
    from scipy.spatial import Delaunay, cKDTree

    margin = 0.5 * radius * canvas
    r_px = radius * (canvas - 2 * margin)
    road = max(4, int(round(ROAD * r_px / 2)) * 2)
    node_r = int(round(NODE * road))
    for _ in range(50):
        unit = poisson_disk(SPACING * radius, rng)
        if len(unit) < 4:
            continue
        xy = margin + unit * (canvas - 2 * margin)
        xy = xy[np.lexsort((xy[:, 0], xy[:, 1]))]  # reading order: node ids independent of sampling order
        tri = Delaunay(xy).simplices
        edges = np.sort(tri[:, [0, 1, 1, 2, 0, 2]].reshape(-1, 2), axis=1)
        code = np.unique(edges[:, 0] * len(xy) + edges[:, 1])  # each edge once, sorted as (a, b) pairs
        ends = np.stack([code // len(xy), code % len(xy)], 1)
        ends = ends[np.hypot(*(xy[ends[:, 0]] - xy[ends[:, 1]]).T) <= 1.9 * r_px]
        bulge = rng.uniform(*BEND, len(ends)) * _SIGNS[rng.integers(0, 2, len(ends))]  # = rng.choice(_SIGNS, …)
        # first straighten clashing curves, then drop the roads that still clash
        pts, owner, straight, drawn = _sample_both(ends, bulge, xy, road, node_r)
        nodes = cKDTree(xy)
        bad = _clashes(pts[~straight], owner[~straight], nodes, road, node_r)
        if bad:
            bad = _straighten(bulge, nodes, road, node_r, pts, owner, straight, bad)
        # no re-check of conflicts: every clashing pair of roads lost its later road and every road over
        # a junction went, so what is left cannot clash
        kept = np.ones(len(ends), bool)
        kept[sorted(bad)] = False
        pairs = list(map(tuple, ends[kept].tolist()))
        if _connected(len(xy), pairs):
            break
    else:  # pragma: no cover
        raise RuntimeError("irregular maze: no clean road graph in 50 samples")
    # each kept road as drawn: curved, or straightened (its bulge set to 0; a drawn bulge is never 0)
    flat = bulge.tolist()
    curves = [drawn[k + len(ends) * (flat[k] == 0.0)] for k in np.flatnonzero(kept).tolist()]
    draw = {"road_px": road, "node_r": node_r}
    return Lattice(canvas, canvas, xy, pairs, curves,  # arrays and tuples: to_json makes the plain lists
                   2.0 * node_r, "roads", draw, {"junctions": len(xy), "candidate_roads": len(pairs)})


def _connected(n: int, pairs: list) -> bool:
    """One piece: a spanning forest over the pairs has n - 1 joins (the carvers' union-find)."""
    return len(kruskal_joins(n, pairs, range(len(pairs)))) == n - 1


@dataclass(frozen=True)
class RoadLevel(Level):
    size: int = knob(0, 3, doc="junction spacing step: 0 sparse … 3 dense (Poisson radius 0.26 … 0.105)")


@register_task("maze.irregular", "Irregular mazes of curved roads (Poisson-disk junctions, Delaunay roads).",
               group="maze")
class IrregularMaze(GraphMaze):
    description = "Curved roads between scattered junctions: drive the agent along the roads to the goal."
    maze_words = "maze of curved roads between round junctions"
    move_words = "along the roads, from junction to junction, never leaving the road"
    # 2: junctions by random sequential adsorption, conflicts on the curves themselves (issue 19):
    # new layouts for every seed; version 1 had no "generator" key in its state
    generator = "maze.irregular/2"
    frames_per_step = 8  # roads are long relative to junctions: slower, so 8 fps video still sees each one
    presets = {  # size = junction spacing knob (see RADIUS): smaller → more junctions
        "easy": RoadLevel(0, 3, 0, "backtracker"),
        "medium": RoadLevel(1, 5, 1, "backtracker"),
        "hard": RoadLevel(2, 8, 2, "kruskal"),
        "ood": RoadLevel(3, 12, 4, "kruskal"),
    }

    def lattice(self, level: Level, rng: np.random.Generator) -> Lattice:
        return irregular_lattice(tuple(RADIUS.values())[level.size], rng)

    def size_words(self, state: dict) -> str:
        return f"{state['stats']['nodes']} junctions"

    def prompts(self, state: dict, sk):
        i2v, t2v = super().prompts(state, sk)
        repl = lambda p: p.replace(f"{sk.words['floor']} paths", f"{sk.words['floor']} roads").replace(  # noqa: E731
            f"{sk.words['wall']} walls", f"{sk.words['wall']} ground").replace(
            f"never through a {sk.words['wall']} wall", f"never across the {sk.words['wall']} ground").replace(
            "The walls, the", "The roads, the")
        return repl(i2v), repl(t2v)
