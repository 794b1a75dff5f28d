"""Throughput of the board puzzles (sudoku, symmetry, grid transform, tic-tac-toe, connect colours),
each figure next to a reference measured in the same run.

  items/s      puzzle + every accepted answer (solver / rule search) + first frame + content hash
  check fps    judge_video (decode at the working size + align + calibrate + read every cell)
  decode fps   pure PyAV decode to RGB of the same file at full size (the reference)
  ratio        check fps ÷ decode fps (≥ 1: reading the board costs less than decoding the video)

One CPU core: run as `taskset -c 0 python bench/bench_puzzles_board.py` to pin it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from genbench.runner import judge_video
from genbench.tasks.puzzles.connect_colours import ConnectColours
from genbench.tasks.puzzles.grid_transform import GridTransform
from genbench.tasks.puzzles.sudoku import Sudoku
from genbench.tasks.puzzles.symmetry import Symmetry
from genbench.tasks.puzzles.tictactoe import TicTacToe
from genbench.video import read_frames, write_video

FAMILIES = [Sudoku, Symmetry, GridTransform, TicTacToe, ConnectColours]


def rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=20, help="items per difficulty for items/s")
    ap.add_argument("--videos", type=int, default=1, help="videos per difficulty for check speed")
    ap.add_argument("--families", default="", help="comma-separated names (default: all)")
    args = ap.parse_args()
    want = {f.strip() for f in args.families.split(",") if f.strip()}
    tmp = Path(tempfile.mkdtemp(prefix="genbench-bench-"))
    print(f"{'family':<24} {'difficulty':<8} {'items/s':>8} | {'check fps':>9} {'decode fps':>10} {'ratio':>6}")
    for cls in FAMILIES:
        fam = cls()
        if want and fam.name not in want:
            continue
        for d in fam.difficulties:
            fam.generate(0, d)  # warm imports and caches
            t = time.perf_counter()
            for i in range(args.items):
                fam.generate(i, d, seed=1)
            items_s = rate(args.items, time.perf_counter() - t)
            frames = c_time = dec_time = 0.0
            for k in range(args.videos):
                item = fam.generate(k, d, seed=2)
                path = tmp / "oracle.mp4"
                n = write_video(path, fam.solution_frames(item), fam.default_fps)
                frames += n
                t = time.perf_counter()
                for _ in read_frames(path):
                    pass
                dec_time += time.perf_counter() - t
                t = time.perf_counter()
                v = judge_video(fam, item, path)
                c_time += time.perf_counter() - t
                assert v.passed, v.message
            print(f"{fam.name:<24} {d:<8} {items_s:>8.1f} | {rate(frames, c_time):>9.0f} "
                  f"{rate(frames, dec_time):>10.0f} {dec_time / c_time:>6.2f}")


if __name__ == "__main__":
    main()
