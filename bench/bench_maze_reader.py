"""Layout reader accuracy: read maze.grid from the first decoded frame of validate's clips.

For every skin × difficulty, N items, and each must-pass perturbation (the clip encoded and decoded
as a model's video would be), ``genbench.checkers.read_grid_maze`` must recover the exact block grid
and the agent's and goal's cells (markers matched by the skin's colours, the prompt's words in a
text-to-video run). Must-fail clips whose first frame differs (a layout changed later does not
change the first frame) are not the reader's to reject; a frame with no maze must raise.

    python bench/bench_maze_reader.py --n 2 --out runs/reader
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from genbench import validate as V
from genbench.checkers import LayoutNotFound, read_grid_maze
from genbench.registry import task_family
from genbench.video import read_frames, write_video


def first_frame(clip, path: Path) -> np.ndarray:
    write_video(path, clip.frames, clip.fps, crf=clip.crf, preset=clip.preset)
    return next(iter(read_frames(path)))


def judge(item, frame) -> tuple[bool, bool]:
    """(grid exact, agent and goal cells exact)."""
    try:
        r = read_grid_maze(frame)
    except LayoutNotFound:
        return False, False
    grid = r.block_grid().shape == np.shape(item.state["grid"]) and np.array_equal(r.block_grid(), item.state["grid"])
    sk = item.state["skin"]
    a, g = r.marker_near(sk["agent"]), r.marker_near(sk["goal"])
    cells = a is not None and g is not None and (tuple(a.cell), tuple(g.cell)) == (
        tuple(item.state["solutions"][0][0]), tuple(item.state["goal"]))
    return grid, grid and cells


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    fam = task_family("maze.grid")
    tmp = Path(tempfile.mkdtemp(prefix="genbench-reader-"))
    rows = defaultdict(lambda: [0, 0, 0])  # key -> [n, grid ok, grid+markers ok]
    token = V.BUDGET.set(24)  # only the first frame is read
    try:
        for _, difficulty, skin in V.combos("maze.grid"):
            for item in fam.items(difficulty, args.n, 0, skin):
                for p in V.perturbations_for(fam):
                    if not p.must_pass:
                        continue
                    clip = p.make(fam, item, np.random.default_rng(item.index))
                    if clip is None:  # not applicable to this item
                        continue
                    g, m = judge(item, first_frame(clip, tmp / "c.mp4"))
                    for key in (("perturbation", p.name), ("skin", skin), ("difficulty", difficulty), ("all", "")):
                        r = rows[key]
                        r[0] += 1
                        r[1] += g
                        r[2] += m
    finally:
        V.BUDGET.reset(token)
    print(f"{'by':<13} {'':<24} {'n':>5} {'grid exact':>12} {'+ agent, goal':>14}")
    for (kind, name), (n, g, m) in sorted(rows.items()):
        print(f"{kind:<13} {name:<24} {n:>5} {g / n:>12.2%} {m / n:>14.2%}")
    blank = np.full((480, 832, 3), 128, np.uint8)
    try:
        read_grid_maze(blank)
        print("a blank frame read as a maze: WRONG")
    except LayoutNotFound:
        print("a blank frame: LayoutNotFound (right)")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "reader.json").write_text(json.dumps({f"{k}/{n}": v for (k, n), v in rows.items()}, indent=1))


if __name__ == "__main__":
    main()
