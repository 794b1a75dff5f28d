"""Layout reader accuracy: read maze.grid from the first decoded frame of validate's clips.

For every skin × difficulty, N items, and each must-pass perturbation (the clip encoded and decoded
as a model's video would be), ``genbench.checkers.read_grid_maze`` must recover the exact block grid
and the agent's and goal's cells (markers matched by the skin's colours, the prompt's words in a
text-to-video run). Must-fail clips whose first frame differs (a layout changed later does not
change the first frame) are not the reader's to reject. Rows by perturbation, skin, difficulty and
the decoded canvas (W×H). ``--t2v`` also judges each whole clip in text-to-video mode (the oracle
drawn and solved, judged knowing only the prompt's size, start and goal): the pass rate per row.

Must-fail frames — every other family's first frames (3 items per difficulty; maze.grid-draw is a
grid maze and is left out), noise, blank, a gradient, a blurred photo-like frame — must raise
LayoutNotFound: the table counts how many did not (a confident wrong grid).

    python bench/bench_maze_reader.py --n 2 --out runs/reader
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from genbench import validate as V
from genbench.checkers import LayoutNotFound, read_grid_maze
from genbench.registry import entries, task_family
from genbench.runner import judge_video
from genbench.video import read_frames, write_video

NOT_MAZES_EXCLUDED = ("maze.grid", "maze.grid-draw")  # grid mazes: reading them is right


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


def not_maze_frames():
    """(name, frame) for frames that are no grid maze."""
    for name in entries("task"):
        if name in NOT_MAZES_EXCLUDED:
            continue
        fam = task_family(name)
        for d in fam.difficulties:
            for i in range(3):
                skin = fam.skins[i % len(fam.skins)] if fam.skins else None
                yield name, fam.generate(i, d, skin=skin).first_frame
    rng = np.random.default_rng(0)
    H, W = 480, 832
    y, x = np.mgrid[0:H, 0:W]
    gradient = np.stack([x * 255 / W, y * 255 / H, (x + y) * 127 / (H + W)], -1).astype(np.uint8)
    photo = cv2.GaussianBlur(rng.integers(0, 256, (H // 16, W // 16, 3), dtype=np.uint8), (0, 0), 1.5)
    photo = cv2.resize(photo, (W, H), interpolation=cv2.INTER_CUBIC)  # smooth blobs of colour
    yield "noise", rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    yield "blank", np.full((H, W, 3), 128, np.uint8)
    yield "black", np.zeros((H, W, 3), np.uint8)
    yield "gradient", gradient
    yield "photo-like", photo


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1)
    ap.add_argument("--difficulty", default=None, help="Only these difficulties, comma-separated.")
    ap.add_argument("--t2v", action="store_true", help="Also judge each whole clip in text-to-video mode.")
    ap.add_argument("--only", default=None, help="Only these must-pass perturbations, comma-separated.")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    fam = task_family("maze.grid")
    tmp = Path(tempfile.mkdtemp(prefix="genbench-reader-"))
    rows = defaultdict(lambda: [0, 0, 0, 0])  # key -> [n, grid ok, grid+markers ok, t2v passed]
    wanted = args.difficulty.split(",") if args.difficulty else None
    token = V.BUDGET.set(24 if not args.t2v else 72)  # only the first frame is read (the whole clip with --t2v)
    try:
        for _, difficulty, skin in V.combos("maze.grid", wanted):
            for item in fam.items(difficulty, args.n, 0, skin):
                for p in V.perturbations_for(fam):
                    if not p.must_pass or (args.only and p.name not in args.only.split(",")):
                        continue
                    clip = p.make(fam, item, np.random.default_rng(item.index))
                    if clip is None:  # not applicable to this item
                        continue
                    frame = first_frame(clip, tmp / "c.mp4")
                    g, m = judge(item, frame)
                    t = args.t2v and judge_video(fam, item, tmp / "c.mp4", mode="t2v").passed
                    canvas = f"{frame.shape[1]}x{frame.shape[0]}"
                    for key in (("perturbation", p.name), ("skin", skin), ("difficulty", difficulty),
                                ("canvas", canvas), ("all", "")):
                        r = rows[key]
                        r[0] += 1
                        r[1] += g
                        r[2] += m
                        r[3] += t
    finally:
        V.BUDGET.reset(token)
    t2v_col = f" {'t2v passed':>11}" if args.t2v else ""
    print(f"{'by':<13} {'':<24} {'n':>5} {'grid exact':>12} {'+ agent, goal':>14}{t2v_col}")
    for (kind, name), (n, g, m, t) in sorted(rows.items()):
        print(f"{kind:<13} {name:<24} {n:>5} {g / n:>12.2%} {m / n:>14.2%}" + (f" {t / n:>11.2%}" if args.t2v else ""))
    wrong = defaultdict(lambda: [0, 0])  # source -> [frames, read as a maze]
    for name, frame in not_maze_frames():
        try:
            read_grid_maze(frame)
            wrong[name][1] += 1
        except LayoutNotFound:
            pass
        wrong[name][0] += 1
    total, bad = sum(v[0] for v in wrong.values()), sum(v[1] for v in wrong.values())
    print(f"\nmust-fail frames (no grid maze): {total}, read as a maze anyway: {bad}"
          + "".join(f"\n  {k}: {b}/{n} read" for k, (n, b) in sorted(wrong.items()) if b))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "reader.json").write_text(json.dumps({"must_pass": {f"{k}/{n}": v for (k, n), v in rows.items()},
                                                     "must_fail": dict(wrong)}, indent=1))


if __name__ == "__main__":
    main()
