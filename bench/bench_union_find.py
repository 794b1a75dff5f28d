"""Kruskal carving with genbench's hand-written union-find vs networkx's UnionFind and scipy's
DisjointSet: are the mazes byte-identical, and how fast is each (ratio to the hand-written loop,
measured in the same run)? Decides whether genbench uses a library here (issue 20: it does not;
networkx is only a test dependency).

    python bench/bench_union_find.py
"""
import time, numpy as np
from networkx.utils import UnionFind
from scipy.cluster.hierarchy import DisjointSet
from genbench.tasks.maze.grid_layout import carve_kruskal, _open

def _lattice(R, C):
    """Closed walls and the lattice's edges, in carve_kruskal's order (so the same seed → same maze)."""
    edges = [((r, c), (r, c + 1)) for r in range(R) for c in range(C - 1)]
    edges += [((r, c), (r + 1, c)) for r in range(R - 1) for c in range(C)]
    return np.zeros((R, C - 1), bool), np.zeros((R - 1, C), bool), edges


def carve_nx(R, C, rng):
    h, v, edges = _lattice(R, C)
    uf = UnionFind(range(R * C))
    for i in rng.permutation(len(edges)).tolist():
        a, b = edges[i]
        ra, rb = uf[a[0] * C + a[1]], uf[b[0] * C + b[1]]
        if ra != rb:
            uf.union(ra, rb)
            _open(h, v, a, b)
    return h, v

def carve_scipy(R, C, rng):
    h, v, edges = _lattice(R, C)
    ds = DisjointSet(range(R * C))
    for i in rng.permutation(len(edges)).tolist():
        a, b = edges[i]
        if ds.merge(a[0] * C + a[1], b[0] * C + b[1]):
            _open(h, v, a, b)
    return h, v

for size in (4, 9, 16):
    res = {}
    for name, fn in (("hand", carve_kruskal), ("networkx", carve_nx), ("scipy", carve_scipy)):
        outs = []
        t = time.perf_counter()
        for s in range(300):
            outs.append(fn(size, size, np.random.default_rng(s)))
        res[name] = (time.perf_counter() - t, outs)
    base = res["hand"]
    for name, (dt, outs) in res.items():
        same = all((a[0] == b[0]).all() and (a[1] == b[1]).all() for a, b in zip(outs, base[1]))
        print(f"{size}x{size} {name:9s} {dt/300*1e3:.3f} ms/maze  ratio {dt/base[0]:.2f}  identical={same}")
