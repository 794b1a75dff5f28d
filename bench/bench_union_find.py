"""Kruskal carving with genbench's hand-written union-find vs networkx's UnionFind and scipy's
DisjointSet: are the mazes byte-identical, and how fast is each (ratio to the hand-written loop,
measured in the same run)? Decided whether genbench uses a library here (issue 20: not for the grid
carver; networkx is only a test dependency). Issue 14: the graph mazes' Kruskal, the irregular maze's
connectivity test and graph_walk's spanning tree used scipy's DisjointSet; issue 19 put the graph mazes'
Kruskal back on the hand-written loop (shared with the grid carver): the second part measures what
scipy's would cost per item now.

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


# --- the graph mazes' Kruskal (hex, circular, irregular): scipy's DisjointSet from issue 14 until issue 19
# put them back on the hand-written loop (grid_layout.kruskal_joins, shared with the grid carver), once the
# rest of an item got fast enough for the union-find to show
from genbench.registry import task_family
from genbench.tasks.maze.circular import circular_lattice
from genbench.tasks.maze.graphmaze import spanning_tree
from genbench.tasks.maze.hex import hex_lattice


def spanning_tree_scipy(n, pairs, rng):
    is_open = np.zeros(len(pairs), bool)
    trees = DisjointSet(range(n))
    for k in rng.permutation(len(pairs)).tolist():
        is_open[k] = trees.merge(pairs[k][0], pairs[k][1])
    return is_open


for fam_name, lat in (("maze.hex", hex_lattice(6)), ("maze.circular", circular_lattice(8))):
    n, pairs = len(lat.node_xy), lat.pairs
    res = {}
    for name, fn in (("hand", lambda n, p, r: spanning_tree(n, p, r, "kruskal")), ("scipy", spanning_tree_scipy)):
        t = time.process_time()
        outs = [fn(n, pairs, np.random.default_rng(s)) for s in range(100)]
        res[name] = (time.process_time() - t, outs)
    fam = task_family(fam_name)
    fam.generate(0, "ood", seed=1)  # warm: the lattice's footprints and shared JSON
    t = time.process_time()
    for i in range(20):
        fam.generate(i, "ood", seed=0)
    item_ms = (time.process_time() - t) / 20 * 1e3
    same = all((a == b).all() for a, b in zip(res["hand"][1], res["scipy"][1]))
    extra_ms = (res["scipy"][0] - res["hand"][0]) / 100 * 1e3
    print(f"{fam_name} ood ({n} nodes) hand {res['hand'][0] / 100 * 1e3:.3f} ms  scipy "
          f"{res['scipy'][0] / 100 * 1e3:.3f} ms  ratio {res['scipy'][0] / res['hand'][0]:.2f}  identical={same}  "
          f"scipy would add {extra_ms:.3f} ms to a {item_ms:.2f} ms item ({extra_ms / item_ms:.0%})")
