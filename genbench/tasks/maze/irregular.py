"""maze.irregular: curved roads between scattered junctions (VR-Bench's irregular maze, checked on the road mask).

Junctions are Poisson-disk points (scipy.stats.qmc); their Delaunay triangulation (scipy.spatial)
gives the candidate roads, each a gentle quadratic curve. Roads that would run into another
junction or another road are straightened or dropped, then the base carves a spanning tree plus a
few loop roads. Everything off the roads is "wall": the agent must stay on the road mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...geometry import arclength, resample
from ..base import register_task
from ..config import knob
from .graphmaze import GraphMaze, Lattice, Level

CANVAS = 416
ROAD = 0.28  # road width / Poisson radius
NODE = 1.3  # junction disk radius / road width
BEND = (0.08, 0.22)  # curve bulge / road length
RADIUS = {"easy": 0.26, "medium": 0.19, "hard": 0.14, "ood": 0.105}  # Poisson radius, unit square


def _bezier(p0: np.ndarray, p1: np.ndarray, bulge: float) -> np.ndarray:
    d = p1 - p0
    ctrl = (p0 + p1) / 2 + bulge * np.array([-d[1], d[0]])
    n = max(3, int(np.hypot(*d) / 6) + 1)
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * ctrl + t ** 2 * p1


def _dense(line: np.ndarray, step: float = 2.0) -> np.ndarray:
    return resample(line, max(2, int(arclength(line) / step) + 1))


def poisson_disk(radius: float, rng: np.random.Generator) -> np.ndarray:
    """``qmc.PoissonDisk(d=2, radius=radius, seed=rng).fill_space()``: the same points from the same draws.

    scipy runs a dozen numpy calls on 2-element arrays per candidate point (39% of an ood item); this
    runs its algorithm with the neighbourhood test in plain floats. Exactness: the engine is still
    built (it spawns its generator from ``rng`` as before); accepted points are kept as float32 for
    the distance test, as scipy's grid keeps them; the candidate draws are scipy's expressions.
    """
    from scipy.special import gammainc
    from scipy.stats import qmc

    eng = qmc.PoissonDisk(d=2, radius=radius, seed=rng)
    g, cell, r2 = eng.rng, float(eng.cell_size), float(eng.radius_squared)
    gw, gh = (int(x) for x in eng.grid_size)
    reach = eng.radius * eng.radius_factor
    grid: dict = {}  # (i, j) grid cell → its point, rounded to float32
    first = g.uniform(eng.l_bounds, eng.u_bounds)
    pool, out = [first], [first]
    grid[tuple(int(v / cell) for v in first.tolist())] = tuple(float(v) for v in first.astype(np.float32))
    while pool:
        center = pool.pop(int(g.integers(len(pool))))
        x = g.standard_normal(size=(eng.ncandidates, 2))  # scipy's uniform sampling in the disk
        ssq = np.sum(x ** 2, axis=1)
        fr = reach * gammainc(1.0, ssq / 2) ** (1 / 2) / np.sqrt(ssq)
        for cx, cy in (center + np.multiply(x, np.tile(fr.reshape(-1, 1), (1, 2)))).tolist():
            if cx > 1.0 or cx < 0.0 or cy > 1.0 or cy < 0.0:
                continue
            i, j = int(cx / cell), int(cy / cell)
            if (i, j) in grid or _near(grid, cx, cy, i, j, gw, gh, r2):
                continue
            pt = np.array([cx, cy])
            pool.append(pt)
            out.append(pt)
            grid[(i, j)] = tuple(float(v) for v in pt.astype(np.float32))
    return np.array(out)


def _near(grid: dict, cx: float, cy: float, i: int, j: int, gw: int, gh: int, r2: float) -> bool:
    """A kept point closer than the radius, in the 5×5 grid cells round (i, j)."""
    for a in range(max(i - 2, 0), min(i + 3, gw)):
        for b in range(max(j - 2, 0), min(j + 3, gh)):
            p = grid.get((a, b))
            if p is not None:
                dx, dy = cx - p[0], cy - p[1]
                if dx * dx + dy * dy < r2:
                    return True
    return False


def _conflicts(pairs: list, curves: list, xy: np.ndarray, road: float, node_r: float, memo: dict | None = None) -> set:
    """Candidate roads that come too close to another junction or to another road.

    ``memo`` (one per candidate layout) keeps each curve's checked points by the curve object: the
    later rounds of a layout re-check mostly the same curves."""
    from scipy.spatial import cKDTree

    memo = {} if memo is None else memo
    pts = []
    for k, c in enumerate(curves):
        hit = memo.get(id(c))
        if hit is None or hit[0] is not c:
            d = _dense(c)
            a, b = pairs[k]
            # ignore the stretch inside and around its own junctions: roads meet there by design
            far = (np.hypot(*(d - xy[a]).T) > node_r + road) & (np.hypot(*(d - xy[b]).T) > node_r + road)
            hit = memo[id(c)] = (c, d[far])
        pts.append(hit[1])
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
        tri = Delaunay(xy)
        cand = set()
        for s in tri.simplices:
            for u, v in ((s[0], s[1]), (s[1], s[2]), (s[0], s[2])):
                cand.add((int(min(u, v)), int(max(u, v))))
        pairs = sorted(p for p in cand if np.hypot(*(xy[p[0]] - xy[p[1]])) <= 1.9 * r_px)
        bulge = rng.uniform(*BEND, len(pairs)) * rng.choice([-1.0, 1.0], len(pairs))
        curves = [_bezier(xy[a], xy[b], bulge[k]) for k, (a, b) in enumerate(pairs)]
        memo: dict = {}
        for straighten in (True, False):  # first straighten clashing curves, then drop what still clashes
            bad = _conflicts(pairs, curves, xy, road, node_r, memo)
            if not bad:
                break
            if straighten:
                for k in bad:
                    curves[k] = _bezier(xy[pairs[k][0]], xy[pairs[k][1]], 0.0)
            else:
                keep = [k for k in range(len(pairs)) if k not in bad]
                pairs, curves = [pairs[k] for k in keep], [curves[k] for k in keep]
        if _connected(len(xy), pairs) and not _conflicts(pairs, curves, xy, road, node_r, memo):
            break
    else:  # pragma: no cover
        raise RuntimeError("irregular maze: no clean road graph in 50 samples")
    draw = {"road_px": road, "node_r": node_r}
    return Lattice(canvas, canvas, xy.tolist(), [list(p) for p in pairs], [c.tolist() for c in curves],
                   2.0 * node_r, "roads", draw, {"junctions": len(xy), "candidate_roads": len(pairs)})


def _connected(n: int, pairs: list) -> bool:
    from scipy.cluster.hierarchy import DisjointSet

    parts = DisjointSet(range(n))
    for a, b in pairs:
        parts.merge(a, b)
    return parts.n_subsets == 1


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
