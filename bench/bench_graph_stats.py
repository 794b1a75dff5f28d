"""Layout statistics of a graph maze family, this checkout beside another (``--reference``).

When a generator changes its items (maze.irregular's sampler, issue 19), its levels must stay what
they were: per difficulty, over ``--items`` items, the mean ± sd and the 5th–95th percentiles of

  junctions   nodes of the lattice          roads     candidate pairs (open or not)
  moves       shortest route, in moves      route px  the shortest route's length on the canvas
  branches    nodes of degree ≥ 3           dead ends nodes of degree 1
  loops       open pairs beyond a tree      wall      fraction of the canvas that is wall (labels < 0)

  python bench/bench_graph_stats.py --task maze.irregular --items 200 --reference /tmp/old
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

STATS = ("junctions", "roads", "moves", "route_px", "branches", "dead_ends", "loops", "wall")


def item_stats(fam, item) -> dict:
    from genbench.geometry import arclength
    from genbench.tasks.maze.graphmaze import draw_labels, route_points

    s = item.state
    lab, _ = draw_labels(s["lattice"], np.array(s["open"], bool))
    return {"junctions": s["stats"]["nodes"], "roads": len(s["lattice"]["pairs"]), "moves": s["shortest_length"],
            "route_px": float(arclength(route_points(s, s["solutions"][0]))), "branches": s["stats"]["branches"],
            "dead_ends": s["stats"]["dead_ends"], "loops": s["stats"]["loops"], "wall": float((lab < 0).mean())}


def collect(task: str, items: int, seed: int) -> dict:
    """{difficulty: {stat: [values]}} of the checkout on PYTHONPATH."""
    from genbench.registry import task_family

    fam = task_family(task)
    out = {}
    for d in fam.difficulties:
        rows = [item_stats(fam, fam.generate(i, d, seed=seed)) for i in range(items)]
        out[d] = {k: [r[k] for r in rows] for k in STATS}
    return out


def summary(values: list) -> str:
    v = np.asarray(values, float)
    digits = 3 if v.max() < 1 else (0 if v.max() > 100 else 1)
    lo, hi = np.percentile(v, [5, 95])
    return f"{v.mean():.{digits}f}±{v.std():.{digits}f} [{lo:.{digits}f}–{hi:.{digits}f}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", default="maze.irregular")
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reference", type=Path, default=None, help="another checkout of genbench")
    ap.add_argument("--json", action="store_true", help="print the raw values as JSON (the reference's side)")
    args = ap.parse_args()
    here = collect(args.task, args.items, args.seed)
    if args.json:
        print(json.dumps(here))
        return
    ref = None
    if args.reference:
        env = {**os.environ, "PYTHONPATH": str(args.reference.resolve())}
        cmd = [sys.executable, __file__, "--task", args.task, "--items", str(args.items), "--seed", str(args.seed),
               "--json"]
        ref = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout)
    print(f"# {args.task}: {args.items} items per difficulty, seed {args.seed}; mean±sd [p5–p95]"
          + (f"; reference: {args.reference}" if ref else ""))
    print(f"{'difficulty':<10} {'stat':<10} {'this checkout':>28}" + (f" {'reference':>28}" if ref else ""))
    for d, cols in here.items():
        for k in STATS:
            print(f"{d:<10} {k:<10} {summary(cols[k]):>28}" + (f" {summary(ref[d][k]):>28}" if ref else ""))


if __name__ == "__main__":
    main()
