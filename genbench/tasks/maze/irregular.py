"""maze.irregular: curved roads between scattered junctions (VR-Bench's irregular maze, checked on the road mask).

Junctions are Poisson-disk points (scipy.stats.qmc); their Delaunay triangulation (scipy.spatial)
gives the candidate roads, each a gentle quadratic curve. Roads that would run into another
junction or another road are straightened or dropped, then the base carves a spanning tree plus a
few loop roads. Everything off the roads is "wall": the agent must stay on the road mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...geometry import linspaces, resample_many
from ..base import register_task
from ..config import knob
from .graph_layout import Lattice, Level
from .graphmaze import GraphMaze
from .grid_layout import kruskal_joins

CANVAS = 416
ROAD = 0.28  # road width / Poisson radius
NODE = 1.3  # junction disk radius / road width
BEND = (0.08, 0.22)  # curve bulge / road length
RADIUS = {"easy": 0.26, "medium": 0.19, "hard": 0.14, "ood": 0.105}  # Poisson radius, unit square


def _beziers(p0: np.ndarray, p1: np.ndarray, bulge: np.ndarray) -> list[np.ndarray]:
    """Quadratic curves from p0[k] to p1[k], bulging sideways by bulge[k] × their length, one point per
    ~6 px. All roads in one set of array operations (the per-curve numpy calls were most of an item)."""
    d = p1 - p0
    ctrl = (p0 + p1) / 2 + bulge[:, None] * np.stack([-d[:, 1], d[:, 0]], 1)
    n = np.maximum(3, (np.hypot(d[:, 0], d[:, 1]) / 6).astype(np.int64) + 1)
    t = linspaces(n, np.ones(len(n)))[:, None]
    row = np.repeat(np.arange(len(n)), n)
    pts = (1 - t) ** 2 * p0[row] + 2 * (1 - t) * t * ctrl[row] + t ** 2 * p1[row]
    cut = np.cumsum(n)
    return [pts[a:b] for a, b in zip((cut - n).tolist(), cut.tolist())]


def poisson_disk(radius: float, rng: np.random.Generator) -> np.ndarray:
    """``qmc.PoissonDisk(d=2, radius=radius, seed=rng).fill_space()``: the same points from the same draws.

    scipy runs a dozen numpy calls on 2-element arrays per candidate point (39% of an ood item), and
    building its engine cost as much again; this runs its algorithm on the 30 candidates of a pop at
    once: the free-cell test, then one distance test of the survivors against every kept point (x and
    y apart: numpy's sum over a length-2 axis was most of the time). Exactness: the generator is
    spawned from ``rng`` as scipy's engine spawns it; kept points are compared as float32, as scipy's
    grid keeps them, by the same ``dx*dx + dy*dy < r²``; a point within the radius always lies in the
    5×5 grid cells scipy searches (cells are radius/√2 wide), so testing against every kept point finds
    the same ones; candidates of one batch are then taken in order against those kept before them in it.
    """
    from scipy.special import gammainc

    g = rng.spawn(1)[0]  # scipy: Generator(type(bg)(bg.seed_seq.spawn(1)[0]))
    cell, r2, reach = radius / np.sqrt(2), radius ** 2, radius * 2  # radius_factor 2: "volume" sampling
    size = int(np.ceil(1.0 / cell)) + 1  # grid cells a side (+1: a point exactly on the far edge)
    free = np.ones(size * size, bool)  # grid cells without a point; cell (i, j) at i * size + j
    # kept points' x and y, rounded to float32 as scipy's grid keeps them; at most one per grid cell
    kx, ky = np.empty(size * size), np.empty(size * size)
    to_flat = np.array([size, 1])
    first = g.uniform(np.zeros(2), np.ones(2))
    pool, out = [first], [first]
    i, j = (first / cell).astype(np.int64).tolist()
    free[i * size + j] = False
    kx[0], ky[0] = first.astype(np.float32).tolist()
    n = 1
    while pool:
        center = pool.pop(int(g.integers(len(pool))))
        x = g.standard_normal(size=(30, 2))  # scipy's uniform sampling in the disk (30 candidates)
        ssq = np.add.reduce(x * x, axis=1)
        fr = reach * gammainc(1.0, ssq / 2) ** (1 / 2) / np.sqrt(ssq)
        cand = center + x * fr[:, None]
        inside = ((cand >= 0.0) & (cand <= 1.0)).all(1)
        flat = (np.clip(cand, 0.0, 1.0) / cell).astype(np.int64) @ to_flat  # clipped: outside ones index too
        # the cheap tests first: most candidates of a filling square land in a taken cell
        idx = np.flatnonzero(inside & free[flat])
        if len(idx) == 0:
            continue
        dx, dy = cand[idx, :1] - kx[:n], cand[idx, 1:] - ky[:n]
        idx = idx[(dx * dx + dy * dy >= r2).all(1)]  # scipy's test: dx*dx + dy*dy, one rounding per add
        if len(idx) == 0:
            continue
        pts = cand[idx]
        n0 = n
        batch: list = []  # (flat cell, x32, y32) kept from this batch, in order
        for pt, (cx, cy), f, (px, py) in zip(pts, pts.tolist(), flat[idx].tolist(), pts.astype(np.float32).tolist()):
            if any(f == b or (cx - bx) * (cx - bx) + (cy - by) * (cy - by) < r2 for b, bx, by in batch):
                continue
            pool.append(pt)
            out.append(pt)
            batch.append((f, px, py))
            n += 1
        free[[b[0] for b in batch]] = False
        kx[n0:n] = [b[1] for b in batch]
        ky[n0:n] = [b[2] for b in batch]
    return np.array(out)


def _conflicts(pairs: list, curves: list, xy: np.ndarray, road: float, node_r: float, memo: dict | None = None) -> set:
    """Candidate roads that come too close to another junction or to another road.

    ``memo`` (one per candidate layout) keeps each curve's checked points by the curve object: the
    later rounds of a layout re-check mostly the same curves."""
    from scipy.spatial import cKDTree

    memo = {} if memo is None else memo
    fresh = [k for k, c in enumerate(curves) if (hit := memo.get(id(c))) is None or hit[0] is not c]
    if fresh:  # points every 2 px along the new curves, all at once
        dense = resample_many([curves[k] for k in fresh], 2.0)
        counts = np.array([len(x) for x in dense])
        d = np.concatenate(dense)
        ends = np.asarray(pairs)[fresh]
        own_a, own_b = (np.repeat(xy[ends[:, i]], counts, axis=0) for i in (0, 1))
        # ignore the stretch inside and around its own junctions: roads meet there by design
        far = (np.hypot(*(d - own_a).T) > node_r + road) & (np.hypot(*(d - own_b).T) > node_r + road)
        # each curve's far points: one mask for all, then plain slices (a mask per curve cost 3 calls each)
        kept = np.cumsum(np.add.reduceat(far, np.cumsum(counts) - counts, dtype=np.int64)).tolist()
        d = d[far]
        for k, a, b in zip(fresh, [0] + kept[:-1], kept):
            memo[id(curves[k])] = (curves[k], d[a:b])
    pts = [memo[id(c)][1] for c in curves]
    allp = np.concatenate(pts) if pts else np.zeros((0, 2))
    owner = np.repeat(np.arange(len(pts)), [len(x) for x in pts])
    # passes over a junction that is not its own
    near_node = cKDTree(xy).query_ball_point(allp, node_r + road, return_length=True) if len(allp) else []
    bad = set(owner[np.asarray(near_node) > 0].tolist())
    ij = cKDTree(allp).query_pairs(1.6 * road, output_type="ndarray")
    other = owner[ij[:, 0]] != owner[ij[:, 1]]
    bad.update(np.maximum(owner[ij[:, 0]], owner[ij[:, 1]])[other].tolist())
    return bad


def irregular_lattice(radius: float, rng: np.random.Generator, canvas: int = CANVAS) -> Lattice:
    from scipy.spatial import Delaunay

    margin = 0.5 * radius * canvas
    r_px = radius * (canvas - 2 * margin)
    road = max(4, int(round(ROAD * r_px / 2)) * 2)
    node_r = int(round(NODE * road))
    for _ in range(50):
        unit = poisson_disk(radius, rng)
        if len(unit) < 4:
            continue
        xy = margin + unit * (canvas - 2 * margin)
        xy = xy[np.lexsort((xy[:, 0], xy[:, 1]))]  # reading order: node ids independent of sampling order
        tri = Delaunay(xy).simplices
        edges = np.sort(np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]]), axis=1)
        code = np.unique(edges[:, 0] * len(xy) + edges[:, 1])  # each edge once, sorted as (a, b) pairs
        a_, b_ = code // len(xy), code % len(xy)
        short = np.hypot(*(xy[a_] - xy[b_]).T) <= 1.9 * r_px
        pairs = list(zip(a_[short].tolist(), b_[short].tolist()))
        bulge = rng.uniform(*BEND, len(pairs)) * rng.choice([-1.0, 1.0], len(pairs))
        ends = np.asarray(pairs).reshape(-1, 2)
        curves = _beziers(xy[ends[:, 0]], xy[ends[:, 1]], bulge)
        memo: dict = {}
        for straighten in (True, False):  # first straighten clashing curves, then drop what still clashes
            bad = _conflicts(pairs, curves, xy, road, node_r, memo)
            if not bad:
                break
            if straighten:
                ks = sorted(bad)
                for k, c in zip(ks, _beziers(xy[ends[ks, 0]], xy[ends[ks, 1]], np.zeros(len(ks)))):
                    curves[k] = c
            else:
                keep = [k for k in range(len(pairs)) if k not in bad]
                pairs, curves = [pairs[k] for k in keep], [curves[k] for k in keep]
        # no re-check of conflicts: every clashing pair of roads lost its later road and every road over
        # a junction went, so what is left cannot clash (the re-check this replaces never found any)
        if _connected(len(xy), pairs):
            break
    else:  # pragma: no cover
        raise RuntimeError("irregular maze: no clean road graph in 50 samples")
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
